"""The values a line gives its entries (spec §3.1, §3.5): unit amount, unit cost, amounts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum

from inventory.amounts import ZERO, Precision
from inventory.models import CostingMethod, Item, ItemJournalEntryType, ItemLedgerEntry, ValueEntry
from inventory.services.item_posting.line import ItemJournalLineInput


def line_unit_amount(line: ItemJournalLineInput, item: Item) -> Decimal:
    """The line's Unit Amount, else the item's Last Direct Cost (purchase) or Unit Cost
    (adjustments)."""
    if line.unit_amount is not None:
        return line.unit_amount
    unit_amount: Decimal = ZERO  # (the model's columns are untyped: a Decimal, declared)
    if line.entry_type == ItemJournalEntryType.PURCHASE:
        unit_amount = item.last_direct_cost
    elif line.entry_type in (
        ItemJournalEntryType.POSITIVE_ADJMT,
        ItemJournalEntryType.NEGATIVE_ADJMT,
    ):
        unit_amount = item.unit_cost
    return unit_amount


def line_unit_cost(line: ItemJournalLineInput, item: Item) -> Decimal:
    """Line Unit Cost (unrounded): the cost per unit the new entry is valued at."""
    if line.applies_from_entry:
        totals = ValueEntry.objects.filter(item_ledger_entry_id=line.applies_from_entry).aggregate(
            actual=Sum("cost_amount_actual"), expected=Sum("cost_amount_expected")
        )
        source = ItemLedgerEntry.objects.get(entry_no=line.applies_from_entry)
        cost_per_unit: Decimal = abs(
            ((totals["actual"] or ZERO) + (totals["expected"] or ZERO)) / source.quantity
        )
        return cost_per_unit
    if item.costing_method == CostingMethod.STANDARD:
        standard_cost: Decimal = item.standard_cost
        return standard_cost
    if line.entry_type in (ItemJournalEntryType.PURCHASE, ItemJournalEntryType.POSITIVE_ADJMT):
        return line_unit_amount(line, item)
    unit_cost: Decimal = item.unit_cost
    return unit_cost


def entry_fields(line: ItemJournalLineInput, item: Item) -> dict[str, Any]:
    """The columns an item ledger entry takes from its line."""
    return {
        "item_id": item.no,
        "posting_date": line.posting_date,
        "entry_type": line.entry_type,
        "document_no": line.document_no,
        "description": line.description or item.description,
        "location_code": line.location_code,
        "variant_code": line.variant_code,
    }


def value_fields(line: ItemJournalLineInput) -> dict[str, Any]:
    """The columns every value entry takes from its line."""
    return {
        "posting_date": line.posting_date,
        "document_no": line.document_no,
        "description": line.description,
    }


def line_amounts(
    precision: Precision,
    line: ItemJournalLineInput,
    item: Item,
    quantity: Decimal,
    expected: bool,
) -> dict[str, Any]:
    """Cost and sales/purchase amounts of a new entry of signed quantity ``quantity``."""
    unit_cost = line_unit_cost(line, item)
    amount = precision.r(line.quantity * line_unit_amount(line, item))
    purchase = line.entry_type == ItemJournalEntryType.PURCHASE
    if purchase and quantity > 0 and not expected:
        cost = amount  # §3.5.1: the invoiced amount
    elif purchase and quantity > 0 and item.costing_method != CostingMethod.STANDARD:
        # §3.5.2 with the unit-cost residual
        cost = precision.r(precision.cost_at_unit_cost(unit_cost, quantity))
    else:
        cost = precision.r(precision.ru(unit_cost) * quantity)
    part = "expected" if expected else "actual"
    fields: dict[str, Any] = {f"cost_amount_{part}": cost, "expected_cost": expected}
    if purchase:
        fields[f"purchase_amount_{part}"] = amount
    elif line.entry_type == ItemJournalEntryType.SALE:
        fields[f"sales_amount_{part}"] = amount
    return fields


def valued_by_average(item: Item, line: ItemJournalLineInput) -> bool:
    return item.costing_method == CostingMethod.AVERAGE and not line.applies_to_entry
