"""``manage.py adjust_cost [--item NO ...]``: Adjust Cost - Item Entries (spec §7)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from inventory.models import Item
from inventory.selectors import not_adjusted_reasons
from inventory.services.adjustment import adjust_cost_item_entries


class Command(BaseCommand):
    help = "Adjust the cost of item entries (every item whose cost is not adjusted, or --item)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--item",
            nargs="+",
            action="extend",
            dest="items",
            metavar="NO",
            help="only these items (repeatable; an item no. beginning with '-': --item=-X)",
        )

    def handle(self, *args, items=None, **options):
        if items:
            unknown = sorted(
                set(items) - set(Item.objects.filter(no__in=items).values_list("no", flat=True))
            )
            if unknown:
                raise CommandError(f"Unknown item(s): {', '.join(unknown)}.")

        def progress(done: int, total: int, item_no: str) -> None:
            if total >= 20 and (done % max(1, total // 20) == 0 or done == total):
                self.stderr.write(f"  {done}/{total} items ({item_no})")

        summary = adjust_cost_item_entries(item_nos=items, progress=progress)
        self.stdout.write(
            f"Adjusted {summary.items_adjusted} of {summary.items_total} items: "
            f"{summary.entries_created} value entries, amount {summary.amount.normalize():f}."
        )
        if summary.register_nos:
            self.stdout.write(f"Item registers: {', '.join(map(str, summary.register_nos))}")
        failed = {no for no, _ in summary.failures}
        processed = [no for no in summary.item_nos if no not in failed]
        for item_no, reasons in not_adjusted_reasons(processed).items():
            self.stdout.write(f"Item {item_no} stays not adjusted: {'; '.join(reasons)}.")
        if summary.failures:
            for item_no, message in summary.failures:
                self.stderr.write(f"Item {item_no}: {message}")
            raise CommandError(f"{len(summary.failures)} item(s) could not be adjusted.")
