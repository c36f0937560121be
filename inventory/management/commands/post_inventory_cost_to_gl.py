"""``manage.py post_inventory_cost_to_gl [--per entry|posting-group] [--document-no X] [--test]``.

Post Inventory Cost to G/L (spec §10.3): posts the cost of every value entry not yet posted.
Prints the G/L entries (``--test``: that would be written; nothing is written) and the value
entries skipped with the reason (closed period, allowed range, missing or blocked account).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from inventory.csvio import format_decimal
from inventory.exceptions import PostingError
from inventory.services.gl_posting import PER_ENTRY, PER_POSTING_GROUP, post_inventory_cost_to_gl


class Command(BaseCommand):
    help = "Post the inventory cost not yet posted to the general ledger."

    def add_arguments(self, parser):
        parser.add_argument("--per", choices=(PER_ENTRY, PER_POSTING_GROUP), default=PER_ENTRY)
        parser.add_argument("--document-no", default="", help="required with --per posting-group")
        parser.add_argument("--test", action="store_true", help="list only; write nothing")

    def handle(self, *args, per: str, document_no: str, test: bool, **options) -> None:
        try:
            result = post_inventory_cost_to_gl(
                per=per, document_no=document_no, test=test, user=None
            )
        except PostingError as exc:
            raise CommandError(exc.message) from exc
        verb = "Would post" if test else "Posted"
        self.stdout.write(
            f"{verb} {result.value_entries_posted} value entries as {len(result.lines)} "
            f"G/L entries (debit {format_decimal(result.total_debit)})."
        )
        if result.register_no:
            self.stdout.write(f"G/L register: {result.register_no}")
        for line in result.lines:
            self.stdout.write(
                f"  {line.posting_date} {line.document_no} {line.account_no} {line.role} "
                f"{format_decimal(line.amount)}"
            )
        for skipped in result.skipped:
            self.stdout.write(
                f"Skipped value entry {skipped.value_entry_no} (item {skipped.item_no}): "
                f"{skipped.reason}"
            )
