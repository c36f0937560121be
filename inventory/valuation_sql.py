"""Set-based SQL of inventory value as of a date (COSTING-SPEC §4.3, §4.4, §4.6.1).

The same rules as ``inventory.valuation`` (which reads entry by entry for the explanations and
the item card), written as common table expressions that a caller wraps into one statement (e.g.
``INSERT ... SELECT`` of revaluation lines). Every division and product goes through
``inventory_div40`` / ``inventory_mul40`` (migration 0015), so the numbers are those of the
Python ``Decimal`` code in the same order of operations, to the last of 40 significant digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from inventory.models import AverageCostCalcType, CostingMethod, ValueEntryType

DIRECT = f"('{ValueEntryType.DIRECT_COST}', '{ValueEntryType.VARIANCE}')"
REVALUATION = f"'{ValueEntryType.REVALUATION}'"
STANDARD = f"'{CostingMethod.STANDARD}'"
AVERAGE = f"'{CostingMethod.AVERAGE}'"
FEW_ITEMS = 100


@dataclass(frozen=True)
class LedgerFilter:
    """Which items and inbound entries count; empty tuples mean "all"."""

    on: date
    item_nos: tuple[str, ...] = ()
    costing_methods: tuple[str, ...] = ()
    location_codes: tuple[str, ...] = ()
    variant_codes: tuple[str, ...] = ()

    def items_where(self, alias: str) -> str:
        """Conditions on an ``inventory_item`` alias (always true when unfiltered)."""
        where = ["TRUE"]
        if self.item_nos:
            where.append(f"{alias}.no = ANY(%(item_nos)s)")
        if self.costing_methods:
            where.append(f"{alias}.costing_method = ANY(%(costing_methods)s)")
        return " AND ".join(where)

    def codes_where(self, alias: str) -> str:
        where = ["TRUE"]
        if self.location_codes:
            where.append(f"{alias}.location_code = ANY(%(location_codes)s)")
        if self.variant_codes:
            where.append(f"{alias}.variant_code = ANY(%(variant_codes)s)")
        return " AND ".join(where)

    def params(self) -> dict:
        return {
            "on": self.on,
            "item_nos": list(self.item_nos),
            "costing_methods": list(self.costing_methods),
            "location_codes": list(self.location_codes),
            "variant_codes": list(self.variant_codes),
        }


def entry_values_cte(
    ledger: LedgerFilter, *, standard_per_item: bool, by_posting_date: bool = False
) -> str:
    """CTEs ending in ``entry_values(entry_no, item_id, location_code, variant_code, entry_type,
    costing_method, remaining, value)``: the included inbound entries (§4.3) with a remaining
    quantity at the date, and their unrounded value (§4.4), as ``inbound_entry_values`` gives them.
    Value entries count by valuation date (Calculate Inventory Value, §4.4) or by posting date
    (the split of a sum line at posting, §6.4).
    """
    per_item = "TRUE" if standard_per_item else "FALSE"
    dated = "posting_date" if by_posting_date else "valuation_date"
    # a few items: read only their rows, an index lookup per entry; the whole tables are scanned
    # once otherwise (on the million-entry benchmark, posting's read of the entries of 100 of
    # 2,020 items took 1.2 s by lookups and 0.6 s by scans)
    few = 0 < len(ledger.item_nos) <= FEW_ITEMS
    subset = few or ledger.location_codes or ledger.variant_codes
    only = "AND {} IN (SELECT entry_no FROM inbound)" if subset else ""
    return f"""
    inbound AS (
        SELECT e.entry_no, e.item_id, e.location_code, e.variant_code, e.entry_type,
               e.quantity, i.costing_method,
               ({per_item} AND i.costing_method = {STANDARD} AND NOT e.completely_invoiced)
                   AS with_expected
        FROM inventory_itemledgerentry e
        JOIN inventory_item i ON i.no = e.item_id
        WHERE e.positive AND {ledger.items_where("i")} AND {ledger.codes_where("e")}
          AND ((e.completely_invoiced
                AND (e.last_invoice_date IS NULL OR e.last_invoice_date <= %(on)s))
               OR ({per_item} AND i.costing_method = {STANDARD} AND e.posting_date <= %(on)s))
    ), remaining AS (
        SELECT a.inbound_item_entry_id AS entry_no, sum(a.quantity) AS remaining
        FROM inventory_itemapplicationentry a
        WHERE a.posting_date <= %(on)s {only.format("a.inbound_item_entry_id")}
        GROUP BY a.inbound_item_entry_id
    ), costs AS (
        SELECT v.item_ledger_entry_id AS entry_no,
               sum(v.cost_amount_actual) FILTER (WHERE v.entry_type IN {DIRECT}
                                                   AND NOT v.expected_cost) AS invoiced_actual,
               sum(v.cost_amount_actual) FILTER (WHERE v.entry_type IN {DIRECT}) AS actual,
               sum(v.cost_amount_expected) FILTER (WHERE v.entry_type IN {DIRECT}) AS expected,
               bool_or(v.entry_type = {REVALUATION}) AS revalued
        FROM inventory_valueentry v
        WHERE v.{dated} <= %(on)s {only.format("v.item_ledger_entry_id")}
        GROUP BY v.item_ledger_entry_id
    ), counted AS (
        SELECT b.*, r.remaining, c.revalued,
               CASE WHEN r.remaining = b.quantity THEN cost.amount  -- x 1, exact
                    ELSE inventory_mul40(inventory_div40(r.remaining, b.quantity), cost.amount)
               END AS base_value
        FROM inbound b
        JOIN remaining r USING (entry_no)
        LEFT JOIN costs c USING (entry_no)
        CROSS JOIN LATERAL (SELECT
            CASE WHEN b.with_expected THEN coalesce(c.actual, 0) + coalesce(c.expected, 0)
                 ELSE coalesce(c.invoiced_actual, 0) END AS amount) cost
        WHERE r.remaining <> 0
    ), entry_values AS (
        -- the few revalued entries read their revaluations again, pro rata of the quantity each
        -- revalued (one pass over the value entries for all the others)
        SELECT b.entry_no, b.item_id, b.location_code, b.variant_code, b.entry_type,
               b.costing_method, b.remaining,
               CASE WHEN b.revalued THEN inventory_dec40(b.base_value + (
                        SELECT sum(inventory_mul40(
                            inventory_div40(b.remaining, v.valued_quantity),
                            v.cost_amount_actual
                            + CASE WHEN b.with_expected THEN v.cost_amount_expected ELSE 0 END
                        ))
                        FROM inventory_valueentry v
                        WHERE v.item_ledger_entry_id = b.entry_no
                          AND v.{dated} <= %(on)s AND v.entry_type = {REVALUATION}))
                    ELSE b.base_value END AS value
        FROM counted b
        OFFSET 0  -- computed once: a caller's every mention of value would repeat the arithmetic
    )"""


def average_costs_cte(ledger: LedgerFilter, calc_type: str) -> str:
    """CTEs ending in ``average_costs(item_id, location_code, variant_code, unit_cost)``: the
    average unit cost at the period end (§4.6.1, ``inventory.valuation.average_unit_cost``) of
    every Average item, per item (codes blank) or per item, location and variant."""
    if calc_type == AverageCostCalcType.ITEM_LOCATION_VARIANT:
        pool = "location_code, variant_code"
        select_pool = "{0}.location_code, {0}.variant_code"
    else:
        pool = "location_code, variant_code"
        select_pool = "''::varchar AS location_code, ''::varchar AS variant_code"
    averages = f"SELECT no FROM inventory_item i WHERE i.costing_method = {AVERAGE}"
    averages += f" AND {ledger.items_where('i')}"
    return f"""
    pooled AS (
        SELECT v.item_id, {select_pool.format("v")},
               sum(v.invoiced_quantity) AS quantity, sum(v.cost_amount_actual) AS cost,
               coalesce(sum(v.invoiced_quantity) FILTER (WHERE v.posting_date > %(on)s
                   AND v.entry_type <> {REVALUATION}), 0) AS late_quantity,
               coalesce(sum(v.cost_amount_actual) FILTER (WHERE v.posting_date > %(on)s
                   AND v.entry_type <> {REVALUATION}), 0) AS late_cost
        FROM inventory_valueentry v
        WHERE v.valuation_date <= %(on)s AND v.item_id IN ({averages})
        GROUP BY 1, 2, 3
    ), transfer_entries AS (
        SELECT e.entry_no, e.item_id, {select_pool.format("e")}, e.quantity
        FROM inventory_itemledgerentry e
        WHERE e.item_id IN ({averages})
          AND e.quantity = e.invoiced_quantity AND NOT e.completely_invoiced
          AND e.invoiced_quantity <> 0
          AND (e.last_invoice_date IS NULL OR e.last_invoice_date <= %(on)s)
    ), transfer_values AS (
        SELECT t.entry_no,
               inventory_dec40(
                   coalesce(sum(v.cost_amount_actual) FILTER (WHERE v.entry_type IN {DIRECT}), 0)
                   + coalesce(sum(inventory_mul40(
                         inventory_div40(t.quantity, v.valued_quantity), v.cost_amount_actual
                     )) FILTER (WHERE v.entry_type = {REVALUATION}), 0)
               ) AS value
        FROM transfer_entries t
        JOIN inventory_valueentry v ON v.item_ledger_entry_id = t.entry_no
        WHERE v.posting_date <= %(on)s AND NOT v.expected_cost
        GROUP BY t.entry_no
    ), transfers AS (
        SELECT t.item_id, t.location_code, t.variant_code, sum(t.quantity) AS quantity,
               sum(coalesce(tv.value, 0)) AS cost
        FROM transfer_entries t LEFT JOIN transfer_values tv USING (entry_no)
        GROUP BY 1, 2, 3
    ), average_costs AS (
        SELECT p.item_id, p.location_code, p.variant_code,
               CASE WHEN q.quantity = 0 THEN 0
                    ELSE greatest(inventory_div40(q.cost, q.quantity), 0) END AS unit_cost
        FROM pooled p
        LEFT JOIN transfers t USING (item_id, {pool})
        CROSS JOIN LATERAL (SELECT
            p.quantity - coalesce(t.quantity, 0) - p.late_quantity AS quantity,
            inventory_dec40(p.cost - coalesce(t.cost, 0) - p.late_cost) AS cost) q
    )"""
