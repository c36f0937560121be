"""Which items Adjust Cost must walk (COSTING-SPEC §7.9), found set-based.

Posting leaves work for Adjust Cost as flags: an entry with Applied Entry to Adjust or an Average
cost entry point not yet adjusted, and the item's Cost is Adjusted = No. An item marked not
adjusted without any such flag has nothing to forward or average: its mark is cleared in one
statement instead of loading its ledger. The nightly run then reads only the items with work.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from inventory.models import Item

WITHOUT_WORK = """
UPDATE inventory_item i SET cost_is_adjusted = TRUE
WHERE i.no = ANY(%(nos)s) AND NOT i.cost_is_adjusted
  AND NOT EXISTS (SELECT FROM inventory_itemledgerentry e
                  WHERE e.item_id = i.no AND e.applied_entry_to_adjust)
  AND NOT EXISTS (SELECT FROM inventory_avgcostadjmtentrypoint p
                  WHERE p.item_id = i.no AND NOT p.cost_is_adjusted)
"""


@transaction.atomic
def items_to_adjust(item_nos: Iterable[str] | None = None) -> list[str]:
    """The items (of ``item_nos``, else all) with Cost is Adjusted = No that have flagged
    entries or unadjusted entry points, by item no.; the others are marked adjusted.

    The items are locked first and checked in a later statement, so an entry flagged by a
    posting that held an item's lock is seen (a posting waiting for the lock marks its item
    not adjusted again afterwards)."""
    items = Item.objects.filter(cost_is_adjusted=False)
    if item_nos is not None:
        items = items.filter(no__in=list(item_nos))
    nos = list(items.select_for_update().order_by("no").values_list("no", flat=True))
    if not nos:
        return []
    with connection.cursor() as cursor:
        cursor.execute(WITHOUT_WORK, {"nos": nos})
    return list(
        Item.objects.filter(no__in=nos, cost_is_adjusted=False)
        .order_by("no")
        .values_list("no", flat=True)
    )
