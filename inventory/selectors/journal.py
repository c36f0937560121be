"""Reads of the item journal: batches, lines and the defaults of a new line."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils import timezone

from inventory.models import ItemJournalBatch, ItemJournalLine

LINE_NO_STEP = 10000


def item_journal_batch_list() -> QuerySet[ItemJournalBatch]:
    """All item journal batches with their number of lines (``line_count``), by name."""
    return ItemJournalBatch.objects.annotate(line_count=Count("lines")).order_by("name")


def item_journal_line_list(*, batch: ItemJournalBatch) -> QuerySet[ItemJournalLine]:
    """The lines of ``batch`` in line-number order, with their items (one query)."""
    return ItemJournalLine.objects.filter(batch=batch).select_related("item").order_by("line_no")


def item_journal_line_get(*, batch: ItemJournalBatch, pk: int) -> ItemJournalLine | None:
    return ItemJournalLine.objects.filter(batch=batch, pk=pk).select_related("item").first()


@dataclass(frozen=True)
class ItemJournalLineDefaults:
    """What a new line of a batch starts with (BC: the previous line's date and document no.)."""

    line_no: int
    posting_date: datetime.date
    document_no: str


def item_journal_line_defaults(
    *, batch: ItemJournalBatch, last_line: ItemJournalLine | None = None
) -> ItemJournalLineDefaults:
    """Defaults for the next line: previous line's posting date (or today) and document no.

    Pass ``last_line`` when the caller has already read the lines (saves a query).
    """
    if last_line is None:
        last_line = ItemJournalLine.objects.filter(batch=batch).order_by("-line_no").first()
    if last_line is None:
        return ItemJournalLineDefaults(
            line_no=LINE_NO_STEP, posting_date=timezone.localdate(), document_no=""
        )
    return ItemJournalLineDefaults(
        line_no=last_line.line_no + LINE_NO_STEP,
        posting_date=last_line.posting_date,
        document_no=last_line.document_no,
    )
