"""The physical floor of Calculate Inventory Value: one hand-written SQL statement per variant that
computes the same lines (remaining quantity and value of every included inbound entry at the
date, per entry or summed per item) and writes them into a table.

It implements spec §4.3-§4.4 for FIFO and LIFO items (``METHODS``; the benchmark calculates
those: per entry refuses Average items) (completely invoiced inbounds, invoiced direct
cost and variance pro rata of the remaining quantity, plus each revaluation pro rata of the
quantity it revalued) — what the benchmark ledger holds. Like the spec (and ours), each pro rata
share is remaining / quantity x cost, the quotient with 60 decimals (like ``unit_of`` in
revaluation/services/calculate_sql.py), and the few revalued entries read their revaluations
again: at 1,000,000 entries P000013 is worth exactly a half cent (11,384.875, at RED/V2
4,256.565), which the default precision of ``numeric`` division or remaining x (cost /
quantity) rounded to the cent below. ``bench/run.py`` times it beside the app
and checks that both give the same number of lines, quantity and value to the cent.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection, transaction

METHODS = ("fifo", "lifo")
ENTRY_VALUES = """
WITH included AS (
    SELECT e.entry_no, e.item_id, e.location_code, e.variant_code, e.quantity
    FROM inventory_itemledgerentry e
    JOIN inventory_item item ON item.no = e.item_id AND item.costing_method IN ('fifo', 'lifo')
    WHERE e.positive AND e.completely_invoiced
      AND (e.last_invoice_date IS NULL OR e.last_invoice_date <= %(on)s)
), applied AS (
    SELECT a.inbound_item_entry_id AS entry_no, sum(a.quantity) AS remaining
    FROM inventory_itemapplicationentry a
    WHERE a.posting_date <= %(on)s
    GROUP BY a.inbound_item_entry_id
), costs AS (
    SELECT v.item_ledger_entry_id AS entry_no,
           sum(v.cost_amount_actual) FILTER (
               WHERE v.entry_type IN ('direct_cost', 'variance') AND NOT v.expected_cost
           ) AS invoiced,
           bool_or(v.entry_type = 'revaluation') AS revalued
    FROM inventory_valueentry v
    WHERE v.valuation_date <= %(on)s
    GROUP BY v.item_ledger_entry_id
), entries AS (
    SELECT i.entry_no, i.item_id, i.location_code, i.variant_code, applied.remaining,
           round(applied.remaining, 60) / i.quantity * coalesce(costs.invoiced, 0)
           + CASE WHEN costs.revalued THEN (
                 SELECT sum(round(applied.remaining, 60) / r.valued_quantity * r.cost_amount_actual)
                 FROM inventory_valueentry r
                 WHERE r.item_ledger_entry_id = i.entry_no AND r.entry_type = 'revaluation'
                   AND r.valuation_date <= %(on)s
             ) ELSE 0 END AS value
    FROM included i
    JOIN applied USING (entry_no)
    LEFT JOIN costs USING (entry_no)
    WHERE applied.remaining <> 0
)
"""

PER_ENTRY = (
    "CREATE UNLOGGED TABLE bench_floor_lines AS "
    + ENTRY_VALUES
    + "SELECT entry_no, item_id, remaining AS quantity, round(value, 2) AS value FROM entries"
)
PER_ITEM = (
    "CREATE UNLOGGED TABLE bench_floor_lines AS "
    + ENTRY_VALUES
    + "SELECT item_id, sum(remaining) AS quantity, round(sum(value), 2) AS value"
    " FROM entries GROUP BY item_id"
)
PER_ITEM_LOCATION_VARIANT = (
    "CREATE UNLOGGED TABLE bench_floor_lines AS "
    + ENTRY_VALUES
    + "SELECT item_id, location_code, variant_code, sum(remaining) AS quantity,"
    " round(sum(value), 2) AS value FROM entries GROUP BY 1, 2, 3"
)
STATEMENTS = {
    "entry": PER_ENTRY,
    "item": PER_ITEM,
    "item_location_variant": PER_ITEM_LOCATION_VARIANT,
}


def floor_lines(on: date, *, per: str) -> tuple[int, Decimal, Decimal]:
    """Run the floor statement (without JIT, like ours: the app's connections set jit=off in
    revaluation/settings.py); return (lines, total quantity, total value)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor_lines")
        cursor.execute(STATEMENTS[per], {"on": on})
        cursor.execute("SELECT count(*), sum(quantity), sum(value) FROM bench_floor_lines")
        count, quantity, value = cursor.fetchone() or (0, Decimal(0), Decimal(0))
        cursor.execute("DROP TABLE bench_floor_lines")
    return count, quantity or Decimal(0), value or Decimal(0)
