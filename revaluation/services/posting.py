"""Posting a revaluation batch (COSTING-SPEC §6) through inventory's ledger writer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.bulk import copy_insert
from inventory.exceptions import PostingError
from inventory.services.revaluation import (
    PreviewLine,
    RevaluationImpact,
    RevaluationLineInput,
    revaluation_journal_impact,
    revaluation_journal_post,
)
from revaluation.exceptions import RevaluationError
from revaluation.models import (
    PostedRevaluation,
    PostedRevaluationLine,
    RevaluationBatch,
    RevaluationLine,
    next_document_no,
)


def line_input(line: RevaluationLine) -> RevaluationLineInput:
    return RevaluationLineInput(
        line_no=line.line_no,
        item_no=line.item_id,
        posting_date=line.posting_date,
        document_no=line.document_no,
        quantity=line.invoiced_quantity,
        amount=line.amount,
        inventory_value_revalued=line.inventory_value_revalued,
        unit_cost_revalued=line.unit_cost_revalued,
        entry_type=line.entry_type,
        location_code=line.location_code,
        variant_code=line.variant_code,
        applies_to_entry=line.applies_to_entry,
        inventory_value_per=line.inventory_value_per,
        partial_revaluation=line.partial_revaluation,
        update_standard_cost=line.update_standard_cost,
        applied_amount=line.applied_amount,
        reason_code=line.reason_code,
    )


def check_document_nos(batch: RevaluationBatch, lines: list[RevaluationLine]) -> str:
    """E-03: with a number series, each new document no. must be the next number.

    Returns the last document number used (the batch's series moves on to it).
    """
    last = batch.last_document_no
    if not batch.has_no_series:
        return last
    current = None
    for line in lines:
        if line.document_no == current:
            continue
        expected = next_document_no(last)
        if line.document_no != expected:
            raise RevaluationError(
                _(
                    "Document No. must be equal to '%(expected)s' in Item Journal Line: Line No."
                    "=%(line)s. Current value is '%(current)s'."
                )
                % {"expected": expected, "line": line.line_no, "current": line.document_no},
                field="document_no",
                line_no=line.line_no,
            )
        current = last = line.document_no
    return last


def _posting_lines(batch: RevaluationBatch) -> list[RevaluationLine]:
    lines = list(batch.lines.select_related("item").order_by("line_no"))
    posting = [line for line in lines if line.invoiced_quantity != 0 and line.amount != 0]
    if not posting:
        raise RevaluationError(_("There is nothing to post."))
    return posting


@transaction.atomic
def revaluation_batch_post(
    *,
    batch_name: str,
    user: User | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PostedRevaluation:
    """Post the batch in one transaction and consume its lines (§6.7); ``progress(done, total)``
    counts the posted lines.

    The batch row is locked first: a second post of the same batch (a double click, a second
    user) waits, then finds nothing to post.
    """
    batch = RevaluationBatch.objects.select_for_update().get(name=batch_name)
    lines = _posting_lines(batch)
    last_document_no = check_document_nos(batch, lines)
    try:
        result = revaluation_journal_post(
            lines=[line_input(line) for line in lines],
            user=user,
            batch_name=batch.name,
            progress=progress,
        )
    except PostingError as error:
        raise RevaluationError(error.message, field=error.field, line_no=error.line_no) from error
    posted = PostedRevaluation.objects.create(
        batch_name=batch.name,
        document_no=lines[0].document_no,
        posting_date=lines[0].posting_date,
        posted_at=timezone.now(),
        posted_by=user if getattr(user, "pk", None) else None,
        item_register=result.register,
        total_amount=sum(line.amount for line in lines),
    )
    copy_insert(
        PostedRevaluationLine,
        [
            PostedRevaluationLine(
                posted=posted,
                line_no=line.line_no,
                item_no=line.item_id,
                posting_date=line.posting_date,
                document_no=line.document_no,
                location_code=line.location_code,
                variant_code=line.variant_code,
                applies_to_entry=line.applies_to_entry,
                inventory_value_per=line.inventory_value_per,
                quantity=line.quantity,
                inventory_value_calculated=line.inventory_value_calculated,
                inventory_value_revalued=line.inventory_value_revalued,
                unit_cost_revalued=line.unit_cost_revalued,
                amount=line.amount,
                update_standard_cost=line.update_standard_cost,
                reason_code=line.reason_code,
                writedown_rule=line.writedown_rule,
                nrv=line.nrv,
                age_days=line.age_days,
                proposed_amount=line.proposed_amount,
            )
            for line in lines
        ],
    )
    batch.lines.all().delete()
    if last_document_no != batch.last_document_no:
        batch.last_document_no = last_document_no
        batch.save(update_fields=["last_document_no"])
    return posted


@dataclass
class BatchPreview:
    """The dry run of a batch: ``lines`` (value entries or refusal per line) and ``impact``
    (the same lines plus what Adjust Cost would change afterwards)."""

    impact: RevaluationImpact

    @property
    def lines(self) -> list[PreviewLine]:
        return self.impact.lines

    @property
    def errors(self) -> list[PreviewLine]:
        return [line for line in self.lines if line.error]

    @property
    def total_amount(self) -> Decimal:
        return self.impact.revaluation_amount


def revaluation_batch_preview(
    *, batch_name: str, progress: Callable[[int, int], None] | None = None
) -> BatchPreview:
    """The test report and full posting preview of a batch (§12.2); writes nothing.
    ``progress(done, total)``: after each posting line of the dry run."""
    batch = RevaluationBatch.objects.get(name=batch_name)
    lines = _posting_lines(batch)
    impact = revaluation_journal_impact(
        lines=[line_input(line) for line in lines], progress=progress
    )
    try:
        check_document_nos(batch, lines)
    except RevaluationError as error:
        assert error.line_no is not None  # check_document_nos names the line
        impact.lines.insert(
            0, PreviewLine(error.line_no, PostingError(error.message, line_no=error.line_no), [])
        )
    return BatchPreview(impact)
