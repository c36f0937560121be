"""Inventory pages: the item journal (batch list, one editable journal page per batch), the
items page, Adjust Cost - Item Entries with its progress, and the Inventory Valuation report
with its drill-down and CSV export.

Every change is a POST with CSRF and a permission check here in the view (``can_post_journals``);
the journal endpoints answer htmx with a fragment of ``inventory/journal_detail.html`` and a plain
form post with a redirect, so the pages work without JavaScript. Adjust Cost is started with a
plain POST and redirect; only its progress card polls with htmx. Validation errors answer 422 (htmx is
configured in base.html to swap 422 responses).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import (
    HttpResponseClientRedirect,
    reswap,
    retarget,
    trigger_client_event,
)
from django_htmx.middleware import HtmxDetails

from inventory import selectors
from inventory.exceptions import PostingError
from inventory.forms import (
    LINE_COLUMNS,
    AdjustCostStartForm,
    ItemJournalBatchForm,
    ItemJournalLineForm,
    ItemListFilterForm,
    ValuationForm,
    format_quantity,
    format_unit_amount,
)
from inventory.models import (
    AdjustmentRun,
    AdjustmentRunStatus,
    Item,
    ItemJournalBatch,
    ItemJournalLine,
)
from inventory.reports import (
    BUCKETS,
    CLOSING,
    DECREASES,
    FIGURES,
    INCREASES,
    OPENING,
    ValuationRow,
    inventory_valuation,
    valuation_entries,
    valuation_records,
    write_valuation_csv,
)
from inventory.selectors import ItemStock
from inventory.services import adjustment_runs
from inventory.services import journal as journal_services
from inventory.services.jobs import job_retire_if_abandoned

DETAIL_TEMPLATE = "inventory/journal_detail.html"
LIST_TEMPLATE = "inventory/journal_list.html"

# PostingError.field names that differ from the grid's column names.
POSTING_FIELD_COLUMNS = {"item_no": "item"}


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _require_poster(request: HttpRequest) -> None:
    if not selectors.can_post_journals(request.user):
        raise PermissionDenied("Only accountants may change or post journals.")


# --------------------------------------------------------------------------- batches


@require_GET
@login_required
def item_journal_list(request: HtmxHttpRequest) -> HttpResponse:
    return _render_list(request, form=ItemJournalBatchForm())


@require_POST
@login_required
def item_journal_batch_create(request: HtmxHttpRequest) -> HttpResponse:
    _require_poster(request)
    form = ItemJournalBatchForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            response = render(
                request, f"{LIST_TEMPLATE}#batch-form", {"form": form, "can_edit": True}, status=422
            )
            return reswap(retarget(response, "#batch-form"), "outerHTML")
        return _render_list(request, form=form, status=422)
    batch = journal_services.item_journal_batch_create(**form.cleaned_data)
    messages.success(request, _("Batch %(name)s created.") % {"name": batch.name})
    url = reverse("item-journal-detail", args=[batch.name])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _render_list(request: HttpRequest, *, form: ItemJournalBatchForm, status: int = 200):
    context = {
        "batches": selectors.item_journal_batch_list(),
        "form": form,
        "can_edit": selectors.can_post_journals(request.user),
    }
    return render(request, LIST_TEMPLATE, context, status=status)


# --------------------------------------------------------------------------- the journal page


@dataclass
class Cell:
    name: str
    value: str
    numeric: bool
    error: str = ""


@dataclass
class Row:
    line: ItemJournalLine
    cells: list[Cell] = field(default_factory=list)
    error: str = ""  # a posting error of this line (shown at its field, or on the row)


def _cell_value(line: ItemJournalLine, name: str) -> str:
    match name:
        case "posting_date":
            return line.posting_date.isoformat()
        case "entry_type":
            return line.get_entry_type_display()
        case "item":
            return line.item_id
        case "quantity" | "invoiced_quantity":
            return format_quantity(getattr(line, name))
        case "unit_amount":
            return format_unit_amount(line.unit_amount)
        case "applies_to_entry" | "applies_from_entry":
            return str(getattr(line, name) or "")
        case _:
            return str(getattr(line, name))


def _row(line: ItemJournalLine, error: PostingError | None = None) -> Row:
    row = Row(line=line)
    error_column = None
    if error is not None and error.line_no == line.line_no:
        row.error = error.message
        error_column = POSTING_FIELD_COLUMNS.get(error.field or "", error.field)
        if error_column not in {column.name for column in LINE_COLUMNS}:
            error_column = "line_no"  # no such column: show the message on the row's first cell
    for column in LINE_COLUMNS:
        row.cells.append(
            Cell(
                name=column.name,
                value=_cell_value(line, column.name),
                numeric=column.numeric,
                error=row.error if column.name == error_column else "",
            )
        )
    return row


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
        "rows": [_row(line, posting_error) for line in lines],
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
def item_journal_line_create(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    _require_poster(request)
    batch = get_object_or_404(ItemJournalBatch, pk=batch_name)
    form = _add_form(batch, last_line=None, data=request.POST)
    if not form.is_valid():
        if request.htmx:
            context = {"batch": batch, "add_form": form, "can_edit": True}
            response = render(request, f"{DETAIL_TEMPLATE}#line-add", context, status=422)
            return reswap(retarget(response, "#line-add"), "outerHTML")
        return _render_page(request, batch, add_data=request.POST, status=422)
    line = journal_services.item_journal_line_create(batch=batch, **form.cleaned_data)
    if request.htmx:
        return _render_table(request, batch, focus_add=True)
    return redirect(_detail_url(batch, line))


@require_http_methods(["GET", "POST"])
@login_required
def item_journal_line(request: HtmxHttpRequest, batch_name: str, line_id: int) -> HttpResponse:
    """GET: the line's display row (htmx "cancel"). POST: save the edited line."""
    batch = get_object_or_404(ItemJournalBatch, pk=batch_name)
    if request.method == "GET":
        line = _get_line(batch, line_id)
        if not request.htmx:
            return redirect(_detail_url(batch, line))
        return _render_row(request, batch, line)

    _require_poster(request)
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
        "row": _row(line),
        "can_edit": selectors.can_post_journals(request.user),
    }
    return render(request, f"{DETAIL_TEMPLATE}#line-row", context)


@require_GET
@login_required
def item_journal_line_edit(request: HtmxHttpRequest, batch_name: str, line_id: int):
    """The row as a form: a fragment for htmx, else the whole page with that row in edit mode."""
    _require_poster(request)
    batch = get_object_or_404(ItemJournalBatch, pk=batch_name)
    line = _get_line(batch, line_id)
    if not request.htmx:
        return _render_page(request, batch, editing=line)
    context = {"batch": batch, "line": line, "form": _edit_form(line, focus=True), "can_edit": True}
    return render(request, f"{DETAIL_TEMPLATE}#line-edit-row", context)


@require_POST
@login_required
def item_journal_line_delete(request: HtmxHttpRequest, batch_name: str, line_id: int):
    _require_poster(request)
    batch = get_object_or_404(ItemJournalBatch, pk=batch_name)
    line = selectors.item_journal_line_get(batch=batch, pk=line_id)
    if line is not None:  # already gone: deleting is idempotent
        journal_services.item_journal_line_delete(line=line)
    if request.htmx:
        return _render_table(request, batch)
    return redirect(_detail_url(batch))


@require_POST
@login_required
def item_journal_post(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    _require_poster(request)
    batch = get_object_or_404(ItemJournalBatch, pk=batch_name)
    try:
        result = journal_services.item_journal_batch_post(batch=batch, user=request.user)
    except PostingError as error:
        if request.htmx:
            return _render_table(request, batch, posting_error=error, status=422)
        return _render_page(request, batch, posting_error=error, status=422)
    messages.success(request, _posted_message(batch, result))
    url = _detail_url(batch)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


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


# =========================================================================== items page

ITEMS_TEMPLATE = "inventory/item_list.html"
ITEMS_PER_PAGE = 50


@dataclass
class ItemRow:
    item: Item
    quantity: Decimal
    value: Decimal


@require_GET
@login_required
def item_list(request: HtmxHttpRequest) -> HttpResponse:
    """Items with their costs, quantity on hand and inventory value; Adjust cost buttons.

    A constant number of queries: the page of items, one grouped query for the stock figures
    of that page, the count, and the unadjusted count.
    """
    form = ItemListFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    items = selectors.item_overview_list(
        costing_method=filters.get("costing_method", ""),
        not_adjusted_only=filters.get("not_adjusted", False),
        search=(filters.get("q") or "").strip(),
    )
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    stock = selectors.item_stock_by_item(item_nos=[item.no for item in page])
    no_stock = ItemStock()
    rows = [
        ItemRow(item, stock.get(item.no, no_stock).quantity, stock.get(item.no, no_stock).value)
        for item in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "can_edit": selectors.can_post_journals(request.user),
        "not_adjusted_count": selectors.item_not_adjusted_count(),
        "active_run": selectors.adjustment_run_active(),
    }
    template = f"{ITEMS_TEMPLATE}#items-table" if request.htmx else ITEMS_TEMPLATE
    return render(request, template, context)


# =========================================================================== adjust cost

ADJUST_TEMPLATE = "inventory/adjust_cost.html"
RUN_TEMPLATE = "inventory/adjustment_run.html"


def _adjust_context(request: HttpRequest, *, form: AdjustCostStartForm) -> dict[str, object]:
    runs = selectors.adjustment_run_list()
    return {
        "form": form,
        "runs": runs,
        "active_run": next((run for run in runs if run.is_active), None),
        "highlight": request.GET.get("run", ""),
        "can_edit": selectors.can_post_journals(request.user),
        "not_adjusted_count": selectors.item_not_adjusted_count(),
        "not_adjusted_reasons": selectors.not_adjusted_reasons(),
        "value_entry_changelist": _admin_url(request, "admin:inventory_valueentry_changelist"),
    }


def _admin_url(request: HttpRequest, name: str, *args) -> str:
    """The admin page ``name`` for staff users; "" for others or when the admin is absent."""
    if not request.user.is_staff:
        return ""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@require_GET
@login_required
def adjust_cost(request: HtmxHttpRequest) -> HttpResponse:
    form = AdjustCostStartForm(initial={"scope": AdjustCostStartForm.ALL})
    template = f"{ADJUST_TEMPLATE}#start-panel" if request.htmx else ADJUST_TEMPLATE
    return render(request, template, _adjust_context(request, form=form))


@require_POST
@login_required
def adjust_cost_start(request: HtmxHttpRequest) -> HttpResponse:
    """Start a run (from the Adjust cost page or the items page) and show its progress."""
    _require_poster(request)
    form = AdjustCostStartForm(request.POST)
    if not form.is_valid():
        context = _adjust_context(request, form=form)
        return render(request, ADJUST_TEMPLATE, context, status=422)
    item_nos = form.cleaned_data["item_no_list"]
    try:
        run = adjustment_runs.adjustment_run_start(user=request.user, item_nos=item_nos)
    except adjustment_runs.AdjustmentRunActive as refused:
        messages.error(request, f"{refused} Wait for it to finish, then start again.")
        url = reverse("adjust-cost")
        if refused.job is not None:
            url = f"{url}?run={refused.job.pk}#run-{refused.job.pk}"
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    messages.add_message(request, *_started_message(run, item_nos))
    url = f"{reverse('adjust-cost')}?run={run.pk}#run-{run.pk}"
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _started_message(run: AdjustmentRun, item_nos: list[str] | None) -> tuple[int, str]:
    noun = "item" if item_nos and len(item_nos) == 1 else "items"
    scope = f"{noun} {', '.join(item_nos)}" if item_nos else "all items whose cost is not adjusted"
    match run.status:
        case AdjustmentRunStatus.FAILED:
            return messages.ERROR, f"Adjust Cost run {run.pk} failed for {scope}."
        case AdjustmentRunStatus.FINISHED if run.failures:
            count = len(run.failures)
            return (
                messages.WARNING,
                f"Adjust Cost run {run.pk} finished for {scope}; "
                f"{count} item{pluralize(count)} could not be adjusted.",
            )
        case AdjustmentRunStatus.FINISHED:
            return messages.SUCCESS, f"Adjust Cost run {run.pk} finished for {scope}."
    return messages.SUCCESS, f"Adjust Cost run {run.pk} started for {scope}."


@require_GET
@login_required
def adjustment_run_detail(request: HtmxHttpRequest, run_id: int) -> HttpResponse:
    """One run: the polled progress fragment for htmx, else a page of its own."""
    run = selectors.adjustment_run_get(pk=run_id)
    if run is None:
        raise Http404("No such Adjust Cost run.")
    job_retire_if_abandoned(run)
    context = {
        "run": run,
        "value_entry_changelist": _admin_url(request, "admin:inventory_valueentry_changelist"),
    }
    if not request.htmx:
        return render(request, RUN_TEMPLATE, context)
    response = render(request, f"{ADJUST_TEMPLATE}#run-card", context)
    if not run.is_active:
        # The card stops polling; the start form and the counts on the page refresh themselves.
        trigger_client_event(response, "adjustmentRunFinished", {"run": run.pk})
    return response


# =========================================================================== valuation

VALUATION_TEMPLATE = "inventory/valuation.html"
ENTRIES_TEMPLATE = "inventory/valuation_entries.html"
ENTRIES_PER_PAGE = 50
SECTION_LABELS = {
    OPENING: "Opening",
    INCREASES: "Increases",
    DECREASES: "Decreases",
    CLOSING: "Closing",
}
FIGURE_LABELS = {
    "quantity": "Quantity",
    "value": "Value",
    "quantity_expected": "Qty. incl. expected",
    "value_expected": "Value incl. expected",
}


@dataclass
class FigureCell:
    value: Decimal
    is_amount: bool
    expected: bool  # one of the "including expected cost" columns
    section_start: bool  # the first column of its section
    url: str = ""


@dataclass
class ValuationTableRow:
    item_no: str
    description: str
    location_code: str | None
    cells: list[FigureCell]


def _valuation_form(request: HttpRequest) -> ValuationForm:
    data = request.GET.copy()
    if "ending_date" not in data:
        data["ending_date"] = timezone.localdate().isoformat()
    return ValuationForm(data)


def _figure_names(expected: bool) -> tuple[str, ...]:
    return FIGURES if expected else FIGURES[:2]


def _sections(form: ValuationForm) -> tuple[str, ...]:
    """Opening only when there is a starting date (else it is all zero)."""
    sections = (*BUCKETS, CLOSING)
    return sections if form.cleaned_data["starting_date"] else sections[1:]


def _cells(figures_by_section, names, sections, url=None) -> list[FigureCell]:
    return [
        FigureCell(
            value=getattr(figures_by_section[section], name),
            is_amount=name.startswith("value"),
            expected=name.endswith("expected"),
            section_start=index == 0,
            url=url(section) if url else "",
        )
        for section in sections
        for index, name in enumerate(names)
    ]


def _report_query(form: ValuationForm) -> str:
    """The report's options as a query string (for links that reproduce the report)."""
    query = QueryDict(mutable=True)
    for name in ("starting_date", "ending_date", "items", "variants"):
        if form.data.get(name):
            query[name] = form.data[name]
    for name in ("by_location", "expected"):
        if form.cleaned_data.get(name):
            query[name] = "on"
    query.setlist("locations", form.cleaned_data.get("locations") or [])
    return query.urlencode()


@require_GET
@login_required
def valuation(request: HtmxHttpRequest) -> HttpResponse:
    """Inventory Valuation (spec §12.1): opening, increases, decreases and closing per item."""
    form = _valuation_form(request)
    context: dict[str, object] = {"form": form}
    status = 200
    if form.is_valid():
        report = inventory_valuation(**form.report_kwargs())
        expected = form.cleaned_data["expected"]
        names = _figure_names(expected)
        sections = _sections(form)
        query = _report_query(form)
        entries_url = reverse("inventory-valuation-entries")

        def drill_down(row: ValuationRow):
            params = {"item": row.item_no}
            if row.location_code is not None:
                params["row_location"] = row.location_code
            base = f"{entries_url}?{query}&{urlencode(params)}"
            return lambda section: f"{base}&bucket={section}"

        rows = [
            ValuationTableRow(
                row.item_no,
                row.description,
                row.location_code,
                _cells(
                    {**{b: getattr(row, b) for b in BUCKETS}, CLOSING: row.closing},
                    names,
                    sections,
                    drill_down(row),
                ),
            )
            for row in report.rows
        ]
        totals = {b: report.total(b) for b in BUCKETS}
        totals[CLOSING] = report.closing
        context |= {
            "report": report,
            "rows": rows,
            "total_cells": _cells(totals, names, sections),
            "sections": [(s, SECTION_LABELS[s]) for s in sections],
            "figure_labels": [FIGURE_LABELS[n] for n in names],
            "expected": expected,
            "by_location": form.cleaned_data["by_location"],
            "query": query,
            "toggle_expected_url": _toggle_expected_url(form, query),
        }
    else:
        status = 422
    template = f"{VALUATION_TEMPLATE}#valuation-report" if request.htmx else VALUATION_TEMPLATE
    return render(request, template, context, status=status)


def _toggle_expected_url(form: ValuationForm, query: str) -> str:
    params = QueryDict(query, mutable=True)
    if form.cleaned_data["expected"]:
        params.pop("expected", None)
    else:
        params["expected"] = "on"
    return f"{reverse('inventory-valuation')}?{params.urlencode()}"


@require_GET
@login_required
def valuation_export(request: HttpRequest) -> HttpResponse:
    """The report as CSV, with the columns of ``manage.py inventory_valuation``."""
    form = _valuation_form(request)
    if not form.is_valid():
        return HttpResponse(
            "Invalid report options: " + form.errors.as_text(),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    report = inventory_valuation(**form.report_kwargs())
    records = valuation_records(report)
    ending = form.cleaned_data["ending_date"].isoformat()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="inventory-valuation-{ending}.csv"'
    write_valuation_csv(response, records)
    return response


@require_GET
@login_required
def valuation_entries_list(request: HttpRequest) -> HttpResponse:
    """The value entries behind one figure of the report (the drill-down), paginated."""
    form = _valuation_form(request)
    item_no = request.GET.get("item", "")
    bucket = request.GET.get("bucket", "")
    if not form.is_valid() or not item_no or bucket not in SECTION_LABELS:
        raise Http404("Choose a figure of the Inventory Valuation report.")
    data = form.cleaned_data
    by_location = data["by_location"]
    location_code = request.GET.get("row_location", "") if by_location else None
    entries = valuation_entries(
        item_no=item_no,
        bucket=bucket,
        ending_date=data["ending_date"],
        starting_date=data["starting_date"],
        by_location=by_location,
        location_code=location_code,
        location_codes=data["location_codes"],
        variant_codes=data["variant_codes"],
    )
    totals = selectors.valuation_entry_totals(entries=entries)
    sign = -1 if bucket == DECREASES else 1  # the report shows decreases as positive figures
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "item_no": item_no,
        "location_code": location_code,
        "bucket": bucket,
        "section": SECTION_LABELS[bucket],
        "page": page,
        "query": query.urlencode(),
        "report_url": f"{reverse('inventory-valuation')}?{_report_query(form)}",
        "figures": {name: sign * totals[name] for name in FIGURES},
        "totals": totals,
        "sign": sign,
        "value_entry_admin": _admin_url(request, "admin:inventory_valueentry_changelist"),
        "ile_admin": _admin_url(request, "admin:inventory_itemledgerentry_changelist"),
    }
    return render(request, ENTRIES_TEMPLATE, context)
