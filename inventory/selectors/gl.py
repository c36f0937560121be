"""Reads of the general ledger pages: posting runs, the reconciliation drill-down, G/L entries."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from inventory.models import GLEntry, GLPostingRun, ValueEntry


def gl_posting_run_list(*, limit: int = 10) -> list[GLPostingRun]:
    """The latest runs (the model's order: newest first) with the users who started them."""
    return list(GLPostingRun.objects.select_related("started_by")[:limit])


def gl_posting_run_get(*, pk: int) -> GLPostingRun | None:
    return GLPostingRun.objects.select_related("started_by").filter(pk=pk).first()


def gl_drilldown_entries(
    *, as_of: datetime.date, role: str, item_no: str = "", filters: dict[str, str]
) -> tuple[QuerySet[ValueEntry], QuerySet[GLEntry]]:
    """The value entries and the G/L entries of ``role`` up to ``as_of`` behind one row of the
    reconciliation (``filters``: its location code / inventory posting group), by entry no."""
    value_entries = ValueEntry.objects.filter(posting_date__lte=as_of, **filters).order_by(
        "entry_no"
    )
    gl_entries = GLEntry.objects.filter(posting_date__lte=as_of, role=role, **filters)
    if item_no:
        value_entries = value_entries.filter(item_id=item_no)
        gl_entries = gl_entries.filter(relations__value_entry__item_id=item_no).distinct()
    return value_entries, gl_entries.select_related("account").order_by("entry_no")


def gl_entry_list(*, date_from: datetime.date, date_to: datetime.date) -> QuerySet[GLEntry]:
    """The G/L entries of a date range, by date, document and entry no."""
    return (
        GLEntry.objects.filter(posting_date__range=(date_from, date_to))
        .select_related("account")
        .order_by("posting_date", "document_no", "entry_no")
    )
