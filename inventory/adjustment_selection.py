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

    Only items this transaction can lock are checked and cleared, in a later statement than the
    lock, so an entry flagged by a posting that held an item's lock is seen. An item locked by
    someone else right now (a posting) stays on the list without waiting for it: Adjust Cost
    takes it in its turn, in its own transaction, and the other items are not held up."""
    items = Item.objects.filter(cost_is_adjusted=False)
    if item_nos is not None:
        items = items.filter(no__in=list(item_nos))
    candidates = list(items.order_by("no").values_list("no", flat=True))
    lockable = list(
        Item.objects.filter(no__in=candidates)
        .select_for_update(skip_locked=True)
        .order_by("no")
        .values_list("no", flat=True)
    )
    if lockable:
        with connection.cursor() as cursor:
            cursor.execute(WITHOUT_WORK, {"nos": lockable})
    cleared = set(
        Item.objects.filter(no__in=lockable, cost_is_adjusted=True).values_list("no", flat=True)
    )
    return [no for no in candidates if no not in cleared]
