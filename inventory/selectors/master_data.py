"""Reads of the master data: items, locations, variants and whether the ledger names them."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from inventory.models import Item, ItemLedgerEntry, ItemVariant, Location


def item_list() -> QuerySet[Item]:
    return Item.objects.order_by("no")


def location_list() -> QuerySet[Location]:
    return Location.objects.order_by("code")


def item_variant_code_list() -> list[str]:
    """Distinct variant codes over all items (for pick lists)."""
    return list(ItemVariant.objects.order_by("code").values_list("code", flat=True).distinct())


def location_codes_in_ledger(*, codes: Iterable[str]) -> list[str]:
    """Those of ``codes`` that item ledger entries name (such a location cannot be deleted)."""
    return sorted(
        ItemLedgerEntry.objects.filter(location_code__in=list(codes))
        .order_by()
        .values_list("location_code", flat=True)
        .distinct()
    )


def variant_in_ledger(*, item_no: str, code: str) -> bool:
    """Whether item ledger entries name the variant (it cannot be deleted or recoded then)."""
    return ItemLedgerEntry.objects.filter(item_id=item_no, variant_code=code).exists()
