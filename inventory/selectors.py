"""Read queries of the inventory app (HackSoft "selectors": no writes, keyword-only arguments).

Views, forms and commands read through these functions so that the queries (and their count) are
defined in one place. Add functions freely; keep them free of request/response details.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, QuerySet
from django.utils import timezone

from inventory.models import (
    Item,
    ItemJournalBatch,
    ItemJournalLine,
    ItemVariant,
    Location,
)

# --------------------------------------------------------------------------- permissions

ACCOUNTANT_GROUP = "Accountant"
LINE_NO_STEP = 10000


def can_post_journals(user: AbstractBaseUser | AnonymousUser) -> bool:
    """May ``user`` change and post journals? Superusers and members of the Accountant group.

    This is the one check for every journal write (create batches, add/edit/delete lines,
    post); everyone else who is signed in may only look. Group membership is the gate because
    posting is no model action (there is no "post" model permission); the Accountant group also
    holds the journal and ledger model permissions (migration 0003), which serve the admin.
    The answer is cached on the user object for the rest of the request.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_can_post_journals", None)
    if cached is None:
        cached = user.groups.filter(name=ACCOUNTANT_GROUP).exists()
        user._can_post_journals = cached
    return cached


# --------------------------------------------------------------------------- item journal


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


# --------------------------------------------------------------------------- master data


def item_list() -> QuerySet[Item]:
    return Item.objects.order_by("no")


def location_list() -> QuerySet[Location]:
    return Location.objects.order_by("code")


def item_variant_code_list() -> list[str]:
    """Distinct variant codes over all items (for pick lists)."""
    return list(ItemVariant.objects.order_by("code").values_list("code", flat=True).distinct())
