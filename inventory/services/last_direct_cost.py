"""Bring items' Last Direct Cost in line with their ledger (COSTING-SPEC §3.8 step 5).

Posting keeps Last Direct Cost up to date. Before §3.8 was corrected, it skipped Standard items,
so ledgers posted then leave Standard items at 0. This recalculation needs no migration: it reads
each item's last purchase invoice value entry and sets Last Direct Cost to what was paid per unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from inventory.models import (
    InventorySetup,
    Item,
    ItemLedgerEntryType,
    ValueEntry,
    ValueEntryType,
)


@dataclass(frozen=True)
class LastDirectCostChange:
    item_no: str
    old: Decimal
    new: Decimal


@transaction.atomic
def refresh_last_direct_cost(
    item_nos: list[str] | None = None, *, dry_run: bool = False
) -> list[LastDirectCostChange]:
    """Set Last Direct Cost = RU(purchase amount / valued quantity) of each item's last purchase
    invoice value entry (the one posting would have used); items without one keep their value.
    Returns the changes, ordered by item no."""
    p = InventorySetup.get().precision
    invoices = ValueEntry.objects.filter(
        item_ledger_entry_type=ItemLedgerEntryType.PURCHASE,
        entry_type=ValueEntryType.DIRECT_COST,
        valued_quantity__gt=0,
        expected_cost=False,
        adjustment=False,
        cost_amount_actual__gt=0,
    )
    items = Item.objects.select_for_update().order_by("no")
    if item_nos is not None:
        invoices = invoices.filter(item_id__in=item_nos)
        items = items.filter(no__in=item_nos)
    last_invoices = (
        invoices.order_by("item_id", "-entry_no")
        .distinct("item_id")
        .values_list("item_id", "purchase_amount_actual", "valued_quantity")
    )
    paid = {no: p.ru(amount / quantity) for no, amount, quantity in last_invoices}
    changed: list[Item] = []
    changes: list[LastDirectCostChange] = []
    for item in items.filter(no__in=paid):
        new = paid[item.no]
        if new != 0 and new != item.last_direct_cost:
            changes.append(LastDirectCostChange(item.no, item.last_direct_cost, new))
            item.last_direct_cost = new
            changed.append(item)
    if not dry_run:
        Item.objects.bulk_update(changed, ["last_direct_cost"])
    return changes
