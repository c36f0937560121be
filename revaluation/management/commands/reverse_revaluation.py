"""``manage.py reverse_revaluation --posted NO [--posting-date YYYY-MM-DD] [--user NAME]``.

Reverses posted revaluation NO (the number in the posted history, /revaluation/posted/NO/) with
value entries that mirror it exactly, dated ``--posting-date`` (default today), and prints the
reversal's document, item register and value entries; refused with the reason, nothing written,
when it cannot be reversed exactly (issue 10 §3).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from inventory.csvio import RowError, command_error, format_decimal, parse_date
from inventory.models import ValueEntry
from revaluation import rights
from revaluation.exceptions import RevaluationError
from revaluation.services.reversal import posted_revaluation_reverse


class Command(BaseCommand):
    help = "Reverse a posted revaluation exactly (mirrored value entries), once."

    def add_arguments(self, parser):
        parser.add_argument("--posted", required=True, type=int, metavar="NO")
        parser.add_argument("--posting-date", metavar="YYYY-MM-DD", default="")
        rights.add_user_argument(parser)

    def handle(self, *args, posted: int, posting_date: str, **options) -> None:
        user = rights.command_user(options.get("user"), post=True)
        try:
            day = parse_date(posting_date.strip(), line_no=None, field="--posting-date")
        except RowError as error:
            raise command_error(error) from error
        try:
            reversal = posted_revaluation_reverse(
                posted_id=posted, posting_date=day or timezone.localdate(), user=user
            )
        except RevaluationError as error:
            raise CommandError(f"{error.message} Nothing was posted.") from error
        nos = ValueEntry.objects.filter(item_register=reversal.item_register).values_list(
            "entry_no", flat=True
        )
        original = reversal.reverses
        assert original is not None  # a reversal reverses
        self.stdout.write(
            f"Reversed posted revaluation {posted} ({original.document_no}): document "
            f"{reversal.document_no}, posting date {reversal.posting_date.isoformat()}, total "
            f"amount {format_decimal(reversal.total_amount)} (posted revaluation {reversal.pk})."
        )
        self.stdout.write(f"Item register {reversal.item_register_id}")
        self.stdout.write(f"Value entries: {', '.join(str(no) for no in sorted(nos))}")
