"""The item's Last Direct Cost and Unit Cost after a posted value entry (spec §3.8.5)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from inventory.amounts import ZERO, Precision
from inventory.models import (
    CostingMethod,
    Item,
    ItemLedgerEntry,
    ItemLedgerEntryType,
    ValueEntry,
    ValueEntryType,
)


def update_unit_cost(
    precision: Precision, item: Item, value_entry: ValueEntry, line_amount: Decimal
) -> None:
    """Spec §3.8.5: an invoiced inbound's direct cost sets Last Direct Cost (purchases) and, for
    the first stock or when it is all the invoiced stock, Unit Cost."""
    if value_entry.valued_quantity <= 0 or value_entry.expected_cost or value_entry.adjustment:
        return
    direct = is_direct_cost(value_entry)
    last_direct_cost = precision.ru(line_amount / value_entry.valued_quantity) if direct else ZERO
    if last_direct_cost and value_entry.item_ledger_entry_type == ItemLedgerEntryType.PURCHASE:
        # every costing method, Standard included: what was paid, not the standard cost
        item.last_direct_cost = last_direct_cost
    if item.costing_method == CostingMethod.STANDARD:
        item.unit_cost = item.standard_cost
        return
    if not direct:
        return
    if item.unit_cost == 0 or (value_entry.invoiced_quantity > 0 and last_direct_cost != 0):
        net_invoiced = (
            ItemLedgerEntry.objects.filter(item=item).aggregate(total=Sum("invoiced_quantity"))[
                "total"
            ]
            or ZERO
        )
        if 0 < net_invoiced <= value_entry.invoiced_quantity:
            item.unit_cost = last_direct_cost


def is_direct_cost(value_entry: ValueEntry) -> bool:
    """A positive direct cost (a transfer has no amount: it moves stock, not cost)."""
    return bool(
        value_entry.entry_type == ValueEntryType.DIRECT_COST
        and value_entry.cost_amount_actual > 0
        and value_entry.item_ledger_entry_type != ItemLedgerEntryType.TRANSFER
    )
