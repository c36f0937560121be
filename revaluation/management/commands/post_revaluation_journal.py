"""``manage.py post_revaluation_journal --batch NAME [--preview]``.

Posts the batch (COSTING-SPEC §6) in one transaction and prints the posted document, the item
register and the value entry numbers. ``--preview`` runs the posting in a transaction that is
rolled back (§12.2) and prints, per line that would post, the value entries it would create
(item ledger entry, valued quantity, amount, valuation date) or the reason it is refused; it
writes nothing and exits non-zero when any line would be refused.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from inventory.csvio import command_error, format_decimal
from inventory.models import ValueEntry
from revaluation import rights
from revaluation.exceptions import RevaluationError
from revaluation.models import RevaluationBatch
from revaluation.services.posting import revaluation_batch_post, revaluation_batch_preview


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


class Command(BaseCommand):
    help = "Post a revaluation batch, or preview it with --preview (writes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", required=True, help="revaluation batch name")
        parser.add_argument(
            "--preview", action="store_true", help="show what would be posted; write nothing"
        )
        rights.add_user_argument(parser)

    def handle(self, *args, batch: str, preview: bool, **options) -> None:
        user = None if preview else rights.command_user(options.get("user"), post=True)
        if not RevaluationBatch.objects.filter(name=batch).exists():
            raise CommandError(f"The revaluation batch {batch} does not exist.")
        if preview:
            self.preview(batch)
        else:
            self.post(batch, user)

    def preview(self, batch: str) -> None:
        try:
            result = revaluation_batch_preview(batch_name=batch)
        except RevaluationError as exc:
            raise command_error(exc) from exc
        self.stdout.write(f"Preview of batch {batch} (nothing is posted):")
        for line in result.lines:
            where = f"Line {line.line_no}" if line.line_no is not None else "Batch"
            if line.error is not None:
                self.stdout.write(f"{where}: refused: {line.error.message}")
                continue
            self.stdout.write(
                f"{where}: {_plural(len(line.value_entries), 'value entry', 'value entries')}"
            )
            for entry in line.value_entries:
                amount = entry["cost_amount_actual"] + entry["cost_amount_expected"]
                self.stdout.write(
                    f"  item ledger entry {entry['item_ledger_entry_id']}: "
                    f"quantity {format_decimal(entry['valued_quantity'])}, "
                    f"amount {format_decimal(amount)}, "
                    f"valuation date {entry['valuation_date'].isoformat()}"
                )
        refused = len(result.errors)
        total = sum(
            (
                entry["cost_amount_actual"] + entry["cost_amount_expected"]
                for line in result.lines
                if line.error is None
                for entry in line.value_entries
            ),
            Decimal(0),
        )
        self.stdout.write(
            f"Total amount {format_decimal(total)}; {_plural(refused, 'line')} refused."
        )
        impact = result.impact
        if impact.unadjusted_before:
            self.stdout.write(
                f"Not adjusted before: {', '.join(impact.unadjusted_before)} (the changes below "
                "include their pending adjustment)."
            )
        for adjusted in impact.adjusted:
            self.stdout.write(
                f"Adjust Cost: item ledger entry {adjusted.entry_no} ({adjusted.item_no}, "
                f"{adjusted.entry_type} {adjusted.document_no}): "
                f"cost {format_decimal(adjusted.cost_change)}"
            )
        self.stdout.write(
            f"Adjust Cost would change {_plural(len(impact.adjusted), 'entry', 'entries')}: "
            f"COGS change {format_decimal(impact.cogs_change)}, inventory value change "
            f"{format_decimal(impact.inventory_value_change)}."
        )
        if refused:
            raise CommandError(
                f"{_plural(refused, 'line')} of batch {batch} would be refused; nothing was posted."
            )

    def post(self, batch: str, user) -> None:
        try:
            with rights.audit_context(user, "post_revaluation_journal"):
                posted = revaluation_batch_post(batch_name=batch, user=user)
        except RevaluationError as exc:
            raise command_error(exc) from exc
        register = posted.item_register
        value_entry_nos = list(
            ValueEntry.objects.filter(item_register=register)
            .order_by("entry_no")
            .values_list("entry_no", flat=True)
        )
        self.stdout.write(
            f"Posted batch {batch}: document {posted.document_no}, posting date "
            f"{posted.posting_date.isoformat()}, total amount {format_decimal(posted.total_amount)} "
            f"(posted revaluation {posted.pk})."
        )
        self.stdout.write(f"Item register {register.no}")
        self.stdout.write(
            f"Value entries: {', '.join(str(no) for no in value_entry_nos) or 'none'}"
        )
