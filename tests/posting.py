"""Small helpers to post item journal lines in tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

from inventory.models import ItemLedgerEntry, ValueEntry
from inventory.services.posting import ItemJournalLineInput, PostingResult, item_journal_post


def day(n: int) -> datetime.date:
    """D1, D2, ... of the spec's scenarios: consecutive days from 2025-01-01."""
    return datetime.date(2025, 1, n)


def jline(
    entry_type: str, item_no: str, quantity, posting_date=None, **kwargs
) -> ItemJournalLineInput:
    kwargs.setdefault("line_no", 10000)
    kwargs.setdefault("document_no", "DOC")
    for name in ("unit_amount", "invoiced_quantity"):
        if kwargs.get(name) is not None:
            kwargs[name] = Decimal(str(kwargs[name]))
    return ItemJournalLineInput(
        posting_date=posting_date or day(1),
        entry_type=entry_type,
        item_no=item_no,
        quantity=Decimal(str(quantity)),
        **kwargs,
    )


def post(*lines: ItemJournalLineInput, user=None) -> PostingResult:
    numbered = [
        ItemJournalLineInput(**{**line.__dict__, "line_no": (i + 1) * 10000})
        for i, line in enumerate(lines)
    ]
    return item_journal_post(lines=numbered, user=user)


def ile(entry_no: int) -> ItemLedgerEntry:
    return ItemLedgerEntry.objects.get(entry_no=entry_no)


def ve(entry_no: int) -> ValueEntry:
    return ValueEntry.objects.get(entry_no=entry_no)


def ledger_counts() -> tuple[int, int]:
    return ItemLedgerEntry.objects.count(), ValueEntry.objects.count()
