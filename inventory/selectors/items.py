"""Reads of the items page: the filtered item list and the stock figures of a page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from inventory.amounts import ZERO
from inventory.models import Item, ValueEntry


@dataclass(frozen=True)
class ItemStock:
    """Quantity on hand and inventory value (Cost Amount (Actual)) of one item."""

    quantity: Decimal = ZERO
    value: Decimal = ZERO


def item_overview_list(
    *, costing_method: str = "", not_adjusted_only: bool = False, search: str = ""
) -> QuerySet[Item]:
    """Items for the items page, by no.; ``search`` matches the no. or the description."""
    items = Item.objects.order_by("no")
    if costing_method:
        items = items.filter(costing_method=costing_method)
    if not_adjusted_only:
        items = items.filter(cost_is_adjusted=False)
    if search:
        items = items.filter(Q(no__icontains=search) | Q(description__icontains=search))
    return items


def item_stock_by_item(*, item_nos: Iterable[str]) -> dict[str, ItemStock]:
    """Quantity on hand and inventory value of ``item_nos`` in one grouped query.

    Over the value entries: ``item_ledger_entry_quantity`` is the entry's quantity on its first
    value entry and 0 on the others, so its sum is the sum of the item ledger quantities (BC's
    Inventory field); the value is the sum of Cost Amount (Actual). Items without entries are
    missing from the answer (read them as zero).
    """
    rows = (
        ValueEntry.objects.filter(item_id__in=list(item_nos))
        .values("item_id")
        .annotate(quantity=Sum("item_ledger_entry_quantity"), value=Sum("cost_amount_actual"))
        .order_by()
    )
    return {row["item_id"]: ItemStock(row["quantity"], row["value"]) for row in rows}


def item_not_adjusted_count() -> int:
    return Item.objects.filter(cost_is_adjusted=False).count()


def item_nos_missing(*, item_nos: Iterable[str]) -> list[str]:
    """Those of ``item_nos`` that are no item, in the given order."""
    nos = list(item_nos)
    found = set(Item.objects.filter(no__in=nos).values_list("no", flat=True))
    return [no for no in nos if no not in found]
