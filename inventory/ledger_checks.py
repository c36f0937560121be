"""The ledger invariants, checked set-based over the whole database (``manage.py check_ledger``).

Each check is one SQL statement that returns the first offending rows (at most ``LIMIT``), so a
million-entry ledger is checked in seconds, whether it was posted line by line or bulk-loaded
(``bench/generate.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

LIMIT = 5

CHECKS: dict[str, str] = {
    # entry numbers are gap-free, ascending from 1
    "item ledger entry numbers are gap-free from 1": """
        SELECT count(*), min(entry_no), max(entry_no) FROM inventory_itemledgerentry
        HAVING count(*) > 0 AND (min(entry_no) <> 1 OR max(entry_no) <> count(*))""",
    "value entry numbers are gap-free from 1": """
        SELECT count(*), min(entry_no), max(entry_no) FROM inventory_valueentry
        HAVING count(*) > 0 AND (min(entry_no) <> 1 OR max(entry_no) <> count(*))""",
    "application entry numbers are gap-free from 1": """
        SELECT count(*), min(entry_no), max(entry_no) FROM inventory_itemapplicationentry
        HAVING count(*) > 0 AND (min(entry_no) <> 1 OR max(entry_no) <> count(*))""",
    # a value entry belongs to its item ledger entry's item and location
    "value entries carry their entry's item and location": """
        SELECT v.entry_no FROM inventory_valueentry v
        JOIN inventory_itemledgerentry e ON e.entry_no = v.item_ledger_entry_id
        WHERE v.item_id <> e.item_id OR v.location_code <> e.location_code""",
    # quantities: the entry's quantity is carried once by its value entries
    "an entry's quantity is the sum of its value entries' entry quantity": """
        SELECT e.entry_no FROM inventory_itemledgerentry e
        LEFT JOIN (
            SELECT item_ledger_entry_id AS entry_no, sum(item_ledger_entry_quantity) AS q
            FROM inventory_valueentry GROUP BY 1
        ) v USING (entry_no)
        WHERE e.quantity <> coalesce(v.q, 0)""",
    # remaining quantities follow the applications
    "an inbound's remaining quantity is the sum of its applications": """
        SELECT e.entry_no FROM inventory_itemledgerentry e
        LEFT JOIN (
            SELECT inbound_item_entry_id AS entry_no, sum(quantity) AS q
            FROM inventory_itemapplicationentry GROUP BY 1
        ) a USING (entry_no)
        WHERE e.positive AND e.remaining_quantity <> coalesce(a.q, 0)""",
    "an entry is open exactly when its remaining quantity is not 0": """
        SELECT entry_no FROM inventory_itemledgerentry
        WHERE open <> (remaining_quantity <> 0)""",
    "remaining quantity lies between 0 and the quantity": """
        SELECT entry_no FROM inventory_itemledgerentry
        WHERE (positive AND (remaining_quantity < 0 OR remaining_quantity > quantity))
           OR (NOT positive AND (remaining_quantity > 0 OR remaining_quantity < quantity))""",
    # cost sums
    "a completely invoiced entry carries no expected cost": """
        SELECT e.entry_no FROM inventory_itemledgerentry e
        JOIN inventory_valueentry v ON v.item_ledger_entry_id = e.entry_no
        WHERE e.completely_invoiced
        GROUP BY e.entry_no HAVING sum(v.cost_amount_expected) <> 0""",
    "an item with nothing on hand, all invoiced and adjusted, has no value": """
        SELECT i.no FROM inventory_item i
        JOIN inventory_valueentry v ON v.item_id = i.no
        WHERE i.cost_is_adjusted AND NOT EXISTS (
            SELECT 1 FROM inventory_itemledgerentry e
            WHERE e.item_id = i.no AND (e.open OR NOT e.completely_invoiced)
        )
        GROUP BY i.no
        HAVING sum(v.cost_amount_actual) <> 0 OR sum(v.cost_amount_expected) <> 0""",
    # general ledger (§10)
    "G/L entry numbers are gap-free from 1": """
        SELECT count(*), min(entry_no), max(entry_no) FROM inventory_glentry
        HAVING count(*) > 0 AND (min(entry_no) <> 1 OR max(entry_no) <> count(*))""",
    "every G/L register balances": """
        SELECT gl_register_id, sum(amount) FROM inventory_glentry
        GROUP BY 1 HAVING sum(amount) <> 0""",
    "every G/L entry names the value entries it posted": """
        SELECT g.entry_no FROM inventory_glentry g
        WHERE NOT EXISTS (
            SELECT 1 FROM inventory_glitemledgerrelation r WHERE r.gl_entry_id = g.entry_no
        )""",
    "the Inventory accounts hold what the value entries say was posted": """
        SELECT g.inventory, v.posted, g.interim, v.expected_posted FROM (
            SELECT coalesce(sum(amount) FILTER (WHERE role = 'inventory'), 0) AS inventory,
                   coalesce(sum(amount) FILTER (WHERE role = 'inventory_interim'), 0) AS interim
            FROM inventory_glentry
        ) g, (
            SELECT coalesce(sum(cost_posted_to_gl), 0) AS posted,
                   coalesce(sum(expected_cost_posted_to_gl), 0) AS expected_posted
            FROM inventory_valueentry
        ) v
        WHERE g.inventory <> v.posted OR g.interim <> v.expected_posted""",
}


@dataclass(frozen=True)
class LedgerProblem:
    check: str
    rows: list[tuple]


def ledger_problems() -> list[LedgerProblem]:
    """Every invariant that does not hold, with up to ``LIMIT`` offending rows each."""
    problems = []
    with connection.cursor() as cursor:
        for name, sql in CHECKS.items():
            cursor.execute(f"{sql} LIMIT {LIMIT}")
            if rows := cursor.fetchall():
                problems.append(LedgerProblem(name, rows))
    return problems
