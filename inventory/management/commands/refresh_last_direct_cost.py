"""``manage.py refresh_last_direct_cost [--item NO ...] [--dry-run]``.

Recalculates Last Direct Cost from each item's last purchase invoice (COSTING-SPEC §3.8 step 5),
for ledgers posted before Standard items got it. Prints one row per item that changes.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from inventory.csvio import format_decimal
from inventory.models import Item
from inventory.services.last_direct_cost import refresh_last_direct_cost


class Command(BaseCommand):
    help = "Recalculate items' Last Direct Cost from their last purchase invoice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--item", nargs="+", dest="items", metavar="NO", help="only these items"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="show the changes without saving them"
        )

    def handle(self, *args, items=None, dry_run=False, **options):
        if items:
            unknown = sorted(
                set(items) - set(Item.objects.filter(no__in=items).values_list("no", flat=True))
            )
            if unknown:
                raise CommandError(f"Unknown item(s): {', '.join(unknown)}.")
        changes = refresh_last_direct_cost(items, dry_run=dry_run)
        for change in changes:
            self.stdout.write(
                f"{change.item_no}: {format_decimal(change.old)} -> {format_decimal(change.new)}"
            )
        verb = "would change" if dry_run else "changed"
        self.stdout.write(
            f"Last Direct Cost {verb} on {len(changes)} item{'' if len(changes) == 1 else 's'}."
        )
