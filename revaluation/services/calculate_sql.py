"""The statements of Calculate Inventory Value (COSTING-SPEC §4): one ``INSERT ... SELECT`` that
writes the proposed lines, one ``UPDATE`` for a calculation base.

The values come from ``inventory.valuation_sql`` (the same rules and arithmetic as
``inventory.valuation``); R and RU round halves away from zero like ``inventory.amounts``.
Lines are numbered in the order BC creates them: per entry by item, location, variant and entry
no.; per item by item, then location and variant codes with the blank code last.
"""

from __future__ import annotations

from dataclasses import dataclass

from inventory.amounts import Precision
from inventory.models import CostingMethod, ItemLedgerEntryType
from inventory.valuation_sql import LedgerFilter, average_costs_cte, entry_values_cte
from revaluation.models import InventoryValuePer

LINE_COLUMNS = (
    "batch_id, line_no, item_id, entry_type, posting_date, document_no, location_code, "
    "variant_code, applies_to_entry, quantity, invoiced_quantity, inventory_value_calculated, "
    "unit_cost_calculated, inventory_value_revalued, unit_cost_revalued, amount, unit_amount, "
    "applied_amount, inventory_value_per, partial_revaluation, update_standard_cost, "
    "reason_code, writedown_rule, version, calculated_through_entry_no"
)


def r(expr: str) -> str:
    """Spec R(x) in SQL (``%(amount)s`` is the Amount Rounding Precision)."""
    return f"(round(({expr}) / %(amount)s) * %(amount)s)"


def ru(expr: str) -> str:
    """Spec RU(x) in SQL."""
    return f"(round(({expr}) / %(unit)s) * %(unit)s)"


def unit_of(value: str, quantity: str) -> str:
    """RU(value / quantity), 0 for quantity 0 (spec §5.3); ``value`` and ``quantity`` are columns.

    value / quantity with both below 1e6 (5 decimals each) is a multiple of 1/(quantity x 1e5),
    so it is never closer than 5e-22 to a half of a unit precision down to 1e-10 unless it is one,
    while its 40-digit rounding moves it by at most 1e-29: rounding the 60-decimal quotient gives
    the same unit cost without the 40-digit step (which stays for larger numbers)."""
    quotient = f"round({value}, 60) / {quantity}"
    return (
        f"CASE WHEN {quantity} = 0 THEN 0"
        f" WHEN abs({value}) < 1e6 AND abs({quantity}) < 1e6 THEN {ru(quotient)}"
        f" ELSE {ru(f'inventory_div40({value}, {quantity})')} END"
    )


@dataclass(frozen=True)
class LineTarget:
    """Where and how the lines are written."""

    batch_name: str
    first_line_no: int  # the line no. before the first new line
    posting_date: object
    document_no: str
    reason_code: str
    watermark: int
    precision: Precision
    refuse_negative: bool = False  # a negative Inventory Value (Calculated) is refused (E-33)

    def params(self) -> dict:
        return {
            "refuse_negative": self.refuse_negative,
            "batch": self.batch_name,
            "start": self.first_line_no,
            "posting_date": self.posting_date,
            "document_no": self.document_no,
            "reason": self.reason_code,
            "watermark": self.watermark,
            "amount": self.precision.amount,
            "unit": self.precision.unit_amount,
        }


def _insert(target: LineTarget, ctes: str, proposals: str, order: str) -> str:
    """``proposals`` yields item_id, entry_type, location_code, variant_code, applies_to_entry,
    quantity, value (rounded), applied_amount, inventory_value_per, update_standard_cost.
    (OFFSET 0 computes value and unit cost once per line, not once per mention.)

    The statement returns the line no. of the first line BC would refuse, or NULL: an item with
    Inventory Value Zero, or a negative value when ``refuse_negative``. Read from the inserted
    rows, not the table again (0.06 s of 2.9 s at 276,898 lines); the items with Inventory Value
    Zero are read once (a hashed subplan: a join planned as a nested loop over items took 2.5 s
    at 124,000 lines)."""
    return f"""
    WITH {ctes}, proposals AS ({proposals}), inserted AS (
        INSERT INTO revaluation_revaluationline ({LINE_COLUMNS})
        SELECT %(batch)s, %(start)s + 10000 * row_number() OVER (ORDER BY {order}),
               p.item_id, p.entry_type, %(posting_date)s, %(document_no)s, p.location_code,
               p.variant_code, p.applies_to_entry, p.quantity, p.quantity, p.value, p.unit_cost,
               p.value, p.unit_cost, 0, 0, p.applied_amount, p.inventory_value_per, TRUE,
               p.update_standard_cost, %(reason)s, '', 1, %(watermark)s
        FROM (SELECT *, {unit_of("value", "quantity")} AS unit_cost FROM proposals OFFSET 0) p
        RETURNING line_no, item_id, inventory_value_calculated
    )
    SELECT min(line_no) FROM inserted
    WHERE item_id IN (SELECT no FROM inventory_item WHERE inventory_value_zero)
       OR (%(refuse_negative)s AND inventory_value_calculated < 0)"""


def per_entry_insert(ledger: LedgerFilter, target: LineTarget) -> tuple[str, dict]:
    """One line per included inbound entry with a remaining quantity (§4.5)."""
    proposals = f"""
        SELECT ev.item_id, ev.entry_type, ev.location_code, ev.variant_code,
               ev.entry_no AS applies_to_entry, ev.remaining AS quantity,
               {r("ev.value")} AS value, 0 AS applied_amount,
               '{InventoryValuePer.ENTRY}' AS inventory_value_per,
               FALSE AS update_standard_cost
        FROM entry_values ev"""
    order = "p.item_id, p.location_code, p.variant_code, p.applies_to_entry"
    sql = _insert(target, entry_values_cte(ledger, standard_per_item=False), proposals, order)
    return sql, ledger.params() | target.params()


@dataclass(frozen=True)
class Grouping:
    """Per item: which codes split the lines (spec §4.1 By Location / By Variant and filters)."""

    by_location: bool  # By Location or a Location Filter
    by_variant: bool  # By Variant or a Variant Filter
    by_variant_option: bool  # the By Variant option itself
    update_standard_cost: bool

    @property
    def per(self) -> str:
        return {
            (False, False): InventoryValuePer.ITEM,
            (True, False): InventoryValuePer.LOCATION,
            (False, True): InventoryValuePer.VARIANT,
            (True, True): InventoryValuePer.LOCATION_AND_VARIANT,
        }[(self.by_location, self.by_variant)]


def per_item_insert(
    ledger: LedgerFilter, target: LineTarget, grouping: Grouping, average_calc_type: str
) -> tuple[str, dict]:
    """One line per item (and location / variant) with a quantity (§4.6; Average items at the
    average unit cost of §4.6.1, their entries' value as the Applied Amount)."""
    location = "ev.location_code" if grouping.by_location else "''::varchar"
    variant = "ev.variant_code" if grouping.by_variant else "''::varchar"
    kept = ["g.quantity <> 0"]
    if grouping.by_location:
        # a line per Location (filtered) and the blank location, as BC loops over the Location table
        locations = "SELECT code FROM inventory_location"
        if ledger.location_codes:
            locations += " WHERE code = ANY(%(location_codes)s)"
        kept.append(f"(g.location_code = '' OR g.location_code IN ({locations}))")
    if grouping.by_variant:
        variants = (
            "SELECT 1 FROM inventory_itemvariant iv"
            " WHERE iv.item_id = g.item_id AND iv.code = g.variant_code"
        )
        if ledger.variant_codes:
            variants += " AND iv.code = ANY(%(variant_codes)s)"
        kept.append(f"(g.variant_code = '' OR EXISTS ({variants}))")
        if grouping.by_location and not grouping.by_variant_option:
            # BC: with only a Variant Filter, the blank location gets its blank-variant line only
            kept.append("NOT (g.location_code = '' AND g.variant_code <> '')")
    ctes = entry_values_cte(ledger, standard_per_item=True)
    ctes += ", " + average_costs_cte(ledger, average_calc_type)
    ctes += f""",
    grouped AS (
        SELECT ev.item_id, {location} AS location_code, {variant} AS variant_code,
               min(ev.costing_method) AS costing_method,
               sum(ev.remaining) AS quantity, inventory_dec40(sum(ev.value)) AS value
        FROM entry_values ev
        GROUP BY 1, 2, 3
    )"""
    average = f"g.costing_method = '{CostingMethod.AVERAGE}'"
    proposals = f"""
        SELECT g.item_id, '{ItemLedgerEntryType.POSITIVE_ADJMT}'::varchar AS entry_type,
               g.location_code, g.variant_code, 0 AS applies_to_entry, g.quantity,
               CASE WHEN {average}
                    THEN {r("inventory_mul40(g.quantity, coalesce(ac.unit_cost, 0))")}
                    ELSE {r("g.value")} END AS value,
               CASE WHEN {average} THEN {r("g.value")} ELSE 0 END AS applied_amount,
               '{grouping.per}' AS inventory_value_per,
               {"TRUE" if grouping.update_standard_cost else "FALSE"} AS update_standard_cost
        FROM grouped g
        LEFT JOIN average_costs ac
            ON ac.item_id = g.item_id
           AND ac.location_code = g.location_code AND ac.variant_code = g.variant_code
        WHERE {" AND ".join(kept)}"""
    order = "p.item_id, p.location_code = '', p.location_code, p.variant_code = '', p.variant_code"
    sql = _insert(target, ctes, proposals, order)
    return sql, ledger.params() | target.params()


def unit_cost_base_update(target: LineTarget, cost_column: str) -> tuple[str, dict]:
    """Spec §4.7 with a calculation base: Unit Cost (Revalued) := the item's cost, then §5.4 and
    §5.5 (IV (Revalued) = R(cost x quantity); the unit cost follows it, not typed)."""
    revalued = r(f"inventory_mul40(i.{cost_column}, l.quantity)")
    sql = f"""
    UPDATE revaluation_revaluationline l
    SET inventory_value_revalued = s.revalued,
        unit_cost_revalued = {unit_of("s.revalued", "l.quantity")},
        amount = s.revalued - l.inventory_value_calculated,
        unit_amount = {unit_of("s.revalued - l.inventory_value_calculated", "l.quantity")}
    FROM (
        SELECT l.id, {revalued} AS revalued
        FROM revaluation_revaluationline l JOIN inventory_item i ON i.no = l.item_id
        WHERE l.batch_id = %(batch)s AND l.line_no > %(start)s
    ) s
    WHERE l.id = s.id"""
    return sql, target.params()
