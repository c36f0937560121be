"""The item journal: the batch list and one editable journal page per batch (add, edit, delete
lines; post).

Every change is a POST with CSRF and the journal right (``accountant_required``); the endpoints
answer htmx with a fragment of ``inventory/journal_detail.html`` and a plain form post with a
redirect, so the pages work without JavaScript. Validation errors answer 422 (htmx is configured
in base.html to swap 422 responses).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inventory import selectors
from inventory.access import accountant_required
from inventory.exceptions import PostingError
from inventory.forms import (
    LINE_COLUMNS,
    ItemJournalBatchForm,
    ItemJournalLineForm,
)
from inventory.htmx import HtmxHttpRequest, redirect_to, swap_into
from inventory.models import ItemJournalBatch, ItemJournalLine
from inventory.presentation import journal_row
from inventory.services import journal as journal_services

DETAIL_TEMPLATE = "inventory/journal_detail.html"
LIST_TEMPLATE = "inventory/journal_list.html"


# --------------------------------------------------------------------------- batches


@require_GET
@login_required
def item_journal_list(request: HtmxHttpRequest) -> HttpResponse:
    return _render_list(request, form=ItemJournalBatchForm())


@require_POST
@login_required
@accountant_required
def item_journal_batch_create(request: HtmxHttpRequest) -> HttpResponse:
    form = ItemJournalBatchForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            response = render(
                request, f"{LIST_TEMPLATE}#batch-form", {"form": form, "can_edit": True}, status=422
            )
            return swap_into(response, "#batch-form")
        return _render_list(request, form=form, status=422)
    batch = journal_services.item_journal_batch_create(**form.cleaned_data)
    messages.success(request, _("Batch %(name)s created.") % {"name": batch.name})
    url = reverse("item-journal-detail", args=[batch.name])
    return redirect_to(request, url)


def _render_list(request: HttpRequest, *, form: ItemJournalBatchForm, status: int = 200):
    context = {
        "batches": selectors.item_journal_batch_list(),
        "form": form,
        "can_edit": selectors.can_post_journals(request.user),
    }
    return render(request, LIST_TEMPLATE, context, status=status)


# --------------------------------------------------------------------------- the journal page


def _add_form(
    batch: ItemJournalBatch, *, last_line: ItemJournalLine | None, data=None, focus: bool = False
) -> ItemJournalLineForm:
    defaults = selectors.item_journal_line_defaults(batch=batch, last_line=last_line)
    form = ItemJournalLineForm(
        data,
        form_id="line-add-form",
        id_prefix="new-line",
        initial={"posting_date": defaults.posting_date, "document_no": defaults.document_no},
    )
    form.next_line_no = defaults.line_no
    if focus:  # after an htmx add: continue typing in the new add row
        form.fields["entry_type"].widget.attrs["autofocus"] = True
    return form


def _edit_form(line: ItemJournalLine, data=None, focus: bool = False) -> ItemJournalLineForm:
    form = ItemJournalLineForm(
        data,
        form_id=f"line-{line.pk}-form",
        id_prefix=f"line-{line.pk}",
        initial=ItemJournalLineForm.initial_for(line),
    )
    if focus:
        form.fields["posting_date"].widget.attrs["autofocus"] = True
    return form


def _journal_context(
    request: HttpRequest,
    batch: ItemJournalBatch,
    *,
    add_data=None,
    editing: ItemJournalLine | None = None,
    edit_data=None,
    posting_error: PostingError | None = None,
    focus_add: bool = False,
) -> dict[str, object]:
    """Everything ``journal-table`` needs, re-read from the database (the "view restart")."""
    lines = list(selectors.item_journal_line_list(batch=batch))
    can_edit = selectors.can_post_journals(request.user)
    context: dict[str, object] = {
        "batch": batch,
        "columns": LINE_COLUMNS,
        "rows": [journal_row(line, posting_error) for line in lines],
        "can_edit": can_edit,
        "posting_error": posting_error,
        "editing_id": editing.pk if editing else None,
    }
    if can_edit:
        last_line = lines[-1] if lines else None
        context["add_form"] = _add_form(batch, last_line=last_line, data=add_data, focus=focus_add)
        if editing is not None:
            context["edit_form"] = _edit_form(editing, edit_data, focus=edit_data is None)
    return context


def _render_page(request: HttpRequest, batch: ItemJournalBatch, *, status: int = 200, **kwargs):
    context = _journal_context(request, batch, **kwargs)
    if context["can_edit"]:
        context["items"] = selectors.item_list()
        context["locations"] = selectors.location_list()
        context["variant_codes"] = selectors.item_variant_code_list()
    return render(request, DETAIL_TEMPLATE, context, status=status)


def _render_table(request: HttpRequest, batch: ItemJournalBatch, *, status: int = 200, **kwargs):
    context = _journal_context(request, batch, **kwargs)
    return render(request, f"{DETAIL_TEMPLATE}#journal-table", context, status=status)


def _get_line(batch: ItemJournalBatch, line_id: int) -> ItemJournalLine:
    line = selectors.item_journal_line_get(batch=batch, pk=line_id)
    if line is None:
        raise Http404("No such line in this batch.")
    return line


def _detail_url(batch: ItemJournalBatch, line: ItemJournalLine | None = None) -> str:
    url = reverse("item-journal-detail", args=[batch.name])
    return f"{url}#line-{line.pk}" if line is not None else url


@require_GET
@login_required
def item_journal_detail(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    batch = get_object_or_404(ItemJournalBatch, pk=batch_name)
    return _render_page(request, batch)


@require_POST
@login_required
@accountant_required
def item_journal_line_create(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    batch = get_object_or_404(ItemJournalBatch, pk=batch_name)
    form = _add_form(batch, last_line=None, data=request.POST)
    if not form.is_valid():
        if request.htmx:
            context = {"batch": batch, "add_form": form, "can_edit": True}
            response = render(request, f"{DETAIL_TEMPLATE}#line-add", context, status=422)
            return swap_into(response, "#line-add")
        return _render_page(request, batch, add_data=request.POST, status=422)
    line = journal_services.item_journal_line_create(batch=batch, **form.cleaned_data)
    if request.htmx:
        return _render_table(request, batch, focus_add=True)
    return redirect(_detail_url(batch, line))


@require_http_methods(["GET", "POST"])
@login_required
@accountant_required(methods=("POST",))
def item_journal_line(request: HtmxHttpRequest, batch_name: str, line_id: int) -> HttpResponse:
    """GET: the line's display row (htmx "cancel"). POST: save the edited line."""
    batch = get_object_or_404(ItemJournalBatch, pk=batch_name)
    if request.method == "GET":
        line = _get_line(batch, line_id)
        if not request.htmx:
            return redirect(_detail_url(batch, line))
        return _render_row(request, batch, line)

    line = _get_line(batch, line_id)
    form = _edit_form(line, request.POST)
    if not form.is_valid():
        if request.htmx:
            context = {"batch": batch, "line": line, "form": form, "can_edit": True}
            return render(request, f"{DETAIL_TEMPLATE}#line-edit-row", context, status=422)
        return _render_page(request, batch, editing=line, edit_data=request.POST, status=422)
    try:
        line = journal_services.item_journal_line_update(line=line, **form.cleaned_data)
    except ItemJournalLine.NotUpdated as exc:
        raise Http404("The line was deleted meanwhile.") from exc
    if request.htmx:
        return _render_row(request, batch, _get_line(batch, line.pk))
    return redirect(_detail_url(batch, line))


def _render_row(request: HttpRequest, batch: ItemJournalBatch, line: ItemJournalLine):
    context = {
        "batch": batch,
        "row": journal_row(line),
        "can_edit": selectors.can_post_journals(request.user),
    }
    return render(request, f"{DETAIL_TEMPLATE}#line-row", context)


@require_GET
@login_required
@accountant_required
def item_journal_line_edit(request: HtmxHttpRequest, batch_name: str, line_id: int):
    """The row as a form: a fragment for htmx, else the whole page with that row in edit mode."""
    batch = get_object_or_404(ItemJournalBatch, pk=batch_name)
    line = _get_line(batch, line_id)
    if not request.htmx:
        return _render_page(request, batch, editing=line)
    context = {"batch": batch, "line": line, "form": _edit_form(line, focus=True), "can_edit": True}
    return render(request, f"{DETAIL_TEMPLATE}#line-edit-row", context)


@require_POST
@login_required
@accountant_required
def item_journal_line_delete(request: HtmxHttpRequest, batch_name: str, line_id: int):
    batch = get_object_or_404(ItemJournalBatch, pk=batch_name)
    line = selectors.item_journal_line_get(batch=batch, pk=line_id)
    if line is not None:  # already gone: deleting is idempotent
        journal_services.item_journal_line_delete(line=line)
    if request.htmx:
        return _render_table(request, batch)
    return redirect(_detail_url(batch))


@require_POST
@login_required
@accountant_required
def item_journal_post(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    batch = get_object_or_404(ItemJournalBatch, pk=batch_name)
    try:
        result = journal_services.item_journal_batch_post(batch=batch, user=request.user)
    except PostingError as error:
        if request.htmx:
            return _render_table(request, batch, posting_error=error, status=422)
        return _render_page(request, batch, posting_error=error, status=422)
    messages.success(request, _posted_message(batch, result))
    url = _detail_url(batch)
    return redirect_to(request, url)


def _posted_message(batch: ItemJournalBatch, result) -> str:
    entries = _number_ranges(result.item_ledger_entry_nos)
    template = ngettext(
        "Journal {} posted: item register {}, item ledger entry {}.",
        "Journal {} posted: item register {}, item ledger entries {}.",
        len(result.item_ledger_entry_nos),
    )
    text = format_html(template, batch.name, result.register.no, entries or _("none"))
    try:
        changelist = reverse("admin:inventory_itemledgerentry_changelist")
    except NoReverseMatch:  # admin for the ledger not installed
        return text
    return format_html(
        '{} <a href="{}?item_register__exact={}">{}</a>',
        text,
        changelist,
        result.register.no,
        _("Show the item ledger entries"),
    )


def _number_ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 7]`` -> ``"1–3, 7"``."""
    parts: list[str] = []
    ordered = sorted(numbers)
    start = prev = None
    for n in [*ordered, None]:
        if start is not None and (n is None or n != prev + 1):
            parts.append(str(start) if start == prev else f"{start}–{prev}")
            start = None
        if n is not None and start is None:
            start = n
        prev = n
    return ", ".join(parts)
