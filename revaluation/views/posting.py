"""The preview of posting a batch (spec §12.2), stored and paged, and posting it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import push_url

from inventory.display import format_decimal
from inventory.htmx import HtmxHttpRequest, redirect_to, swap_into
from revaluation import rights, selectors
from revaluation.exceptions import RevaluationError
from revaluation.models import BatchJobKind, RevaluationBatch, StoredPreview
from revaluation.presentation import PreviewRow, entry_type_label
from revaluation.rights import post_required
from revaluation.services.jobs import batch_job_active, post_runs_in_background
from revaluation.services.posting import revaluation_batch_post
from revaluation.services.stored_preview import (
    preview_runs_in_background,
    stored_entries,
    stored_preview_run,
    stored_preview_staleness,
)
from revaluation.views.jobs import batch_busy, start_job
from revaluation.views.journal import journal_url, render_journal

PREVIEW_TEMPLATE = "revaluation/preview.html"


PREVIEW_PAGE_SIZE = 100  # journal lines (with their value entries) per preview page
ADJUSTED_PAGE_SIZE = 100  # adjusted entries per page of the "stock already sold" section
SKIPPED_SHOWN = 100  # skipped lines named on the page (the count is always shown)


@require_GET
@login_required
def revaluation_preview(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    """Spec §12.2: what posting would write, per line and in total, why lines would be refused,
    and what Adjust Cost would then change on stock already sold (COGS), from one dry run.

    The dry run is stored (``revaluation.services.stored_preview``) and each page reads a page
    of it. A small batch whose stored preview is missing or stale is previewed again on the
    spot; a large one shows why and a button that runs the preview as a job."""
    batch = get_object_or_404(RevaluationBatch, pk=batch_name)
    context: dict[str, object] = {"batch": batch, "can_post": rights.can_post(request.user)}
    stored = selectors.stored_preview_get(batch_name=batch.name)
    stale = stored_preview_staleness(stored) if stored else _("This journal has no preview yet.")
    if stale:
        if preview_runs_in_background(batch):
            context.update({"stale": stale, "job": batch_job_active(batch.name)})
            return render(request, PREVIEW_TEMPLATE, context)
        stored = stored_preview_run(batch_name=batch.name)
    context["stored"] = stored
    if stored.error:
        context["preview_error"] = stored.error
        return render(request, PREVIEW_TEMPLATE, context)
    context.update(_stored_page(request, batch, stored))
    return render(request, PREVIEW_TEMPLATE, context)


def _stored_page(request: HtmxHttpRequest, batch: RevaluationBatch, stored: StoredPreview) -> dict:
    """The page's share of the stored preview: a page of lines with their value entries, every
    refused line, a page of adjusted entries, the G/L entries (a few queries, whatever the
    batch's size)."""
    page = Paginator(selectors.stored_preview_lines(stored), PREVIEW_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    errors = selectors.stored_preview_errors(stored)
    line_nos = {p.line_no for p in [*page.object_list, *errors]}
    lines = selectors.revaluation_line_map(batch_name=batch.name, line_nos=sorted(line_nos))
    entries = stored_entries(stored, [p.position for p in page.object_list])
    rows = [
        PreviewRow(
            line_no=p.line_no,
            line=lines.get(p.line_no),
            error=p.error,
            error_field=p.error_field or None,
            value_entries=[
                {**entry, "type_label": entry_type_label(entry["item_ledger_entry_type"])}
                for entry in entries[p.position]
            ],
        )
        for p in page.object_list
    ]
    adjusted_page = Paginator(
        selectors.stored_preview_adjusted(stored), ADJUSTED_PAGE_SIZE
    ).get_page(request.GET.get("apage"))
    skipped_count, skipped_lines = selectors.skipped_line_list(
        batch_name=batch.name, limit=SKIPPED_SHOWN
    )
    return {
        "rows": rows,
        "page_obj": page,
        "error_rows": [
            PreviewRow(p.line_no, lines.get(p.line_no), p.error, p.error_field or None, [])
            for p in errors
        ],
        "adjusted_page": adjusted_page,
        "adjusted_rows": [
            {"entry": entry, "type_label": entry_type_label(entry.entry_type)}
            for entry in adjusted_page.object_list
        ],
        "gl_entries": selectors.stored_preview_gl_entries(stored),
        "skipped_count": skipped_count,
        "skipped_lines": skipped_lines,
        "skipped_more": skipped_count - len(skipped_lines),
    }


@require_POST
@login_required
def revaluation_preview_run(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    """Run the preview again: inline for a small batch, else as the batch's job."""
    batch = get_object_or_404(RevaluationBatch, pk=batch_name)
    if busy := batch_busy(request, batch):
        return busy
    if preview_runs_in_background(batch):
        return start_job(request, batch, BatchJobKind.PREVIEW)
    stored_preview_run(batch_name=batch.name)
    return redirect_to(request, reverse("revaluation-preview", args=[batch.name]))


@require_POST
@login_required
@post_required
def revaluation_post(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    batch = get_object_or_404(RevaluationBatch, pk=batch_name)
    if busy := batch_busy(request, batch):
        return busy
    if post_runs_in_background(batch):
        return start_job(request, batch, BatchJobKind.POST)
    try:
        posted = revaluation_batch_post(batch_name=batch.name, user=request.user)
    except RevaluationError as error:
        return _posting_refused(request, batch, error)
    messages.success(
        request,
        _("Batch %(name)s posted as %(document)s: amount %(amount)s.")
        % {
            "name": batch.name,
            "document": posted.document_no,
            "amount": format_decimal(posted.total_amount, min_places=2, grouping=True),
        },
    )
    url = reverse("revaluation-posted-detail", args=[posted.pk])
    return redirect_to(request, url)


def _posting_refused(request: HtmxHttpRequest, batch: RevaluationBatch, error: RevaluationError):
    """422: the journal page, on the page of the refused line, with the message at the line.

    htmx requests (from the journal or the preview page) swap the page's ``<main>``.
    """
    page = None
    if error.line_no is not None:
        page = selectors.journal_line_page_number(batch_name=batch.name, line_no=error.line_no)
    response = render_journal(
        request, batch, status=422, params=QueryDict(), posting_error=error, page=page
    )
    if request.htmx:
        response = swap_into(response, "#main", select="#main")
        response = push_url(response, journal_url(batch.name, {"page": page} if page else None))
    return response
