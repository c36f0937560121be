"""Revaluation journal pages: batches, the journal grid, preview, posting and posted history.

Function views (STYLE.md §0): every change is a POST with CSRF and the Accountant check here
in the view (``can_post_journals``); everyone signed in may look. Each endpoint answers htmx
with fragments of the page template (``{% partialdef %}``) and a plain form post with a
redirect or a full page, so everything works without JavaScript. Refused input answers 422
(base.html tells htmx to swap 422 responses).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import DataError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, push_url, reselect, reswap, retarget
from django_htmx.middleware import HtmxDetails

from inventory.audit import change_history
from inventory.display import format_decimal, plain_decimal
from inventory.models import CostingMethod, ItemLedgerEntryType
from inventory.services.jobs import JobActive, job_retire_if_abandoned
from revaluation import rights, selectors
from revaluation.exceptions import DuplicateLinesError, RevaluationError, StaleLineError
from revaluation.explain import line_explanation
from revaluation.forms import (
    BatchCreateForm,
    CalculateForm,
    LineEditForm,
    ManualLineForm,
    ReverseForm,
)
from revaluation.models import (
    BatchJob,
    BatchJobKind,
    PostedRevaluation,
    RevaluationBatch,
    RevaluationLine,
)
from revaluation.selectors import PAGE_SIZE, SORT_LABELS, LineQuery
from revaluation.services.calculate import (
    calculate_inventory_value,
    calculation_test,
    zero_proposal_warning,
)
from revaluation.services.jobs import (
    batch_job_active,
    batch_job_start,
    calculate_runs_in_background,
    post_runs_in_background,
)
from revaluation.services.lines import (
    EDITABLE_FIELDS,
    INVENTORY_VALUE_REVALUED,
    UNIT_COST_REVALUED,
    batch_create,
    batch_delete_lines,
    line_create_manual,
    line_delete,
    line_edit,
    line_set_reason_code,
    unit_cost_warning,
)
from revaluation.services.posting import revaluation_batch_post, revaluation_batch_preview
from revaluation.services.reversal import posted_revaluation_reverse, reversal_refusal

LIST_TEMPLATE = "revaluation/batch_list.html"
DETAIL_TEMPLATE = "revaluation/journal_detail.html"
PREVIEW_TEMPLATE = "revaluation/preview.html"
POSTED_LIST_TEMPLATE = "revaluation/posted_list.html"
JOB_TEMPLATE = "revaluation/job.html"
POSTED_DETAIL_TEMPLATE = "revaluation/posted_detail.html"
DELETE_TEMPLATE = "revaluation/line_delete.html"
EXPLAIN_TEMPLATE = "revaluation/line_explain.html"

STALE_MESSAGE = gettext_lazy(
    "Someone else changed this line in the meantime; the current values are shown."
)
BOTH_CELLS = gettext_lazy(
    "Change Unit Cost (Revalued) or Inventory Value (Revalued), not both: each is calculated "
    "from the other. Nothing was saved."
)
SAVED_VALUE_HEADER = "X-Saved-Value"

# Where a RevaluationError.field is shown in the grid (default: the item cell).
ERROR_COLUMNS = {
    "item": "item",
    "item_no": "item",
    "location_code": "location",
    "variant_code": "variant",
    "applies_to_entry": "applies_to_entry",
    "posting_date": "posting_date",
    "document_no": "document_no",
    "quantity": "quantity",
    UNIT_COST_REVALUED: UNIT_COST_REVALUED,
    INVENTORY_VALUE_REVALUED: INVENTORY_VALUE_REVALUED,
}


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _require_editor(request: HttpRequest) -> None:
    """Calculate, edit, delete, import: the right to prepare (``revaluation.rights``)."""
    rights.require_prepare(request.user)


def _journal_url(batch_name: str, params: QueryDict | dict | None = None, anchor: str = "") -> str:
    url = reverse("revaluation-journal-detail", args=[batch_name])
    if params:
        query = params.urlencode() if isinstance(params, QueryDict) else urlencode(params)
        if query:
            url = f"{url}?{query}"
    return f"{url}#{anchor}" if anchor else url


def _return_params(request: HttpRequest) -> QueryDict:
    """The grid's GET parameters a form carried along (``return_qs``), to go back there."""
    return QueryDict(request.POST.get("return_qs", "")[:500])


# --------------------------------------------------------------------------- batches


@require_GET
@login_required
def revaluation_batch_list(request: HtmxHttpRequest) -> HttpResponse:
    return _render_batch_list(request, BatchCreateForm())


def _render_batch_list(request: HttpRequest, form: BatchCreateForm, status: int = 200):
    context = {
        "batches": selectors.revaluation_batch_list(),
        "form": form,
        "can_edit": rights.can_prepare(request.user),
    }
    return render(request, LIST_TEMPLATE, context, status=status)


@require_POST
@login_required
def revaluation_batch_create(request: HtmxHttpRequest) -> HttpResponse:
    _require_editor(request)
    form = BatchCreateForm(request.POST)
    if form.is_valid():
        try:
            batch = batch_create(**form.cleaned_data)
        except RevaluationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Batch %(name)s created.") % {"name": batch.name})
            url = _journal_url(batch.name)
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if request.htmx:
        context = {"form": form, "can_edit": True}
        response = render(request, f"{LIST_TEMPLATE}#batch-form", context, status=422)
        return reswap(retarget(response, "#batch-form"), "outerHTML")
    return _render_batch_list(request, form, status=422)


# --------------------------------------------------------------------------- grid rows


@dataclass
class RevaluedCell:
    """One of the two editable cells of a line."""

    field: str
    slug: str
    dom_id: str  # the input's id; the cell is ``{dom_id}-cell``, the message ``{dom_id}-error``
    label: str
    value: str  # the text in the input: the stored value, or what was typed when refused
    display: str  # the stored value as shown to read-only users
    message: str = ""
    warning: str = ""  # a saved value that looks absurd (``lines.unit_cost_warning``)
    saved: str = ""  # the stored value as typed (Escape puts it back)
    invalid: bool = False  # the typed value was refused (aria-invalid)


@dataclass
class Row:
    """A grid line with the strings its markup repeats (computed once, not per reference)."""

    line: RevaluationLine
    unit_cost: RevaluedCell
    inventory_value: RevaluedCell
    dom_id: str
    line_no: str
    version: str
    edit_url: str
    delete_url: str
    explain_url: str
    reason_url: str
    messages: dict[str, str] = field(default_factory=dict)  # column -> posting error
    has_error: bool = False


@dataclass(frozen=True)
class CellProblem:
    """A message for one editable cell of one line (refused value, or stale line)."""

    field: str
    message: str
    raw: str | None = None  # the refused text to echo back; None: show the stored value


def _cell(line: RevaluationLine, name: str, problem: CellProblem | None) -> RevaluedCell:
    if name == UNIT_COST_REVALUED:
        value = line.unit_cost_revalued
        cell = RevaluedCell(
            name,
            "unit-cost-revalued",
            f"line-{line.pk}-unit-cost-revalued",
            _("Unit Cost (Revalued)"),
            plain_decimal(value),
            format_decimal(value, min_places=2, grouping=True),
        )
        cell.warning = unit_cost_warning(line)
    else:
        value = line.inventory_value_revalued
        cell = RevaluedCell(
            name,
            "inventory-value-revalued",
            f"line-{line.pk}-inventory-value-revalued",
            _("Inventory Value (Revalued)"),
            plain_decimal(value),
            format_decimal(value, min_places=2, grouping=True),
        )
    cell.saved = cell.value
    if problem is not None and problem.field == name:
        cell.message = problem.message
        if problem.raw is not None:
            cell.value = problem.raw
            cell.invalid = True
    return cell


def _row(
    line: RevaluationLine,
    *,
    posting_error: RevaluationError | None = None,
    problem: CellProblem | None = None,
) -> Row:
    args = [line.batch_id, line.pk]
    row = Row(
        line=line,
        unit_cost=_cell(line, UNIT_COST_REVALUED, problem),
        inventory_value=_cell(line, INVENTORY_VALUE_REVALUED, problem),
        dom_id=f"line-{line.pk}",
        line_no=str(line.line_no),
        version=str(line.version),
        edit_url=reverse("revaluation-line-edit", args=args),
        delete_url=reverse("revaluation-line-delete", args=args),
        explain_url=reverse("revaluation-line-explain", args=args),
        reason_url=reverse("revaluation-line-reason", args=args),
    )
    if posting_error is not None and posting_error.line_no == line.line_no:
        row.has_error = True
        column = ERROR_COLUMNS.get(posting_error.field or "", "item")
        if column == UNIT_COST_REVALUED:
            row.unit_cost.message = posting_error.message
        elif column == INVENTORY_VALUE_REVALUED:
            row.inventory_value.message = posting_error.message
        else:
            row.messages[column] = posting_error.message
    if problem is not None and problem.raw is not None:
        row.has_error = True
    return row


# --------------------------------------------------------------------------- the journal page


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str


def _grid_context(
    request: HttpRequest,
    batch: RevaluationBatch,
    *,
    params: QueryDict,
    posting_error: RevaluationError | None = None,
    problems: dict[int, CellProblem] | None = None,
    page: int | None = None,
) -> dict[str, object]:
    """Everything the ``journal-grid`` partial needs, read from the database."""
    query = LineQuery.from_params(params)
    totals = selectors.journal_totals_get(batch_name=batch.name, query=query)
    page_count = max(1, -(-totals.filtered_count // PAGE_SIZE))
    if page is None:
        try:
            page = int(params.get("page", 1))
        except ValueError:
            page = 1
    page = min(max(page, 1), page_count)
    lines = selectors.journal_line_page(batch_name=batch.name, query=query, page=page)
    problems = problems or {}
    rows = [
        _row(line, posting_error=posting_error, problem=problems.get(line.pk)) for line in lines
    ]
    base = query.params()

    def page_url(number: int) -> str:
        return _journal_url(batch.name, {**base, "page": number} if number > 1 else base)

    sort_links = {}
    for key, label in SORT_LABELS.items():
        active = query.sort == key
        descending = active and query.descending
        target = key if not active or descending else f"-{key}"
        sort_links[key] = {
            "label": label,
            "url": _journal_url(batch.name, query.params(sort=target)),
            "active": active,
            "descending": descending,
            "aria": ("descending" if descending else "ascending") if active else "none",
        }
    first_row = (page - 1) * PAGE_SIZE + 1 if rows else 0
    can_edit = rights.can_prepare(request.user)
    return {
        "batch": batch,
        "rows": rows,
        "totals": totals,
        "query": query,
        "return_qs": urlencode({**base, "page": page} if page > 1 else base),
        "sort_links": sort_links,
        "page": page,
        "page_count": page_count,
        "first_row": first_row,
        "last_row": first_row + len(rows) - 1 if rows else 0,
        "previous_page": PageLink(page - 1, page_url(page - 1)) if page > 1 else None,
        "next_page": PageLink(page + 1, page_url(page + 1)) if page < page_count else None,
        "first_page_url": page_url(1),
        "last_page_url": page_url(page_count),
        "posting_error": posting_error,
        "can_edit": can_edit,
        "can_post": rights.can_post(request.user),
        "can_adjust": selectors.can_post_journals(request.user),
        "column_count": 17 if can_edit else 16,
        "reason_codes": selectors.reason_code_list(),
    }


def _render_journal(
    request: HttpRequest,
    batch: RevaluationBatch,
    *,
    status: int = 200,
    params: QueryDict | None = None,
    calculate_form: CalculateForm | None = None,
    calculate_extra: dict | None = None,
    manual_form: ManualLineForm | None = None,
    manual_item_no: str = "",
    new_line_id: int | None = None,
    **grid,
) -> HttpResponse:
    context = _grid_context(request, batch, params=params or request.GET, **grid)
    context["new_line_id"] = new_line_id
    rows = context["rows"]
    if rows and request.method == "GET":  # the keyboard starts in the grid's first cell
        context["autofocus_cell"] = rows[0].unit_cost.dom_id
    context["locations"] = selectors.location_list()
    context["costing_methods"] = CostingMethod.choices
    context["blank_location"] = selectors.BLANK_LOCATION
    if context["can_edit"]:
        context["calculate_form"] = calculate_form or CalculateForm.for_batch(
            next_document_no=batch.next_document_no,
            last_run=request.session.get(_last_run_key(batch)),
        )
        context.update(calculate_extra or {})
        context["manual_form"] = manual_form or ManualLineForm()
        context["selected_entry"] = (
            manual_form.data.get("applies_to_entry", "") if manual_form else ""
        )
        context.update(_entry_lookup_context(manual_item_no))
    return render(request, DETAIL_TEMPLATE, context, status=status)


@require_GET
@login_required
def revaluation_journal_detail(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    batch = get_object_or_404(RevaluationBatch, pk=batch_name)
    return _render_journal(request, batch, manual_item_no=request.GET.get("manual_item", ""))


# --------------------------------------------------------------------------- calculate


@require_POST
@login_required
def revaluation_calculate(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    """Calculate Inventory Value (button "Calculate"), or its test report (``action=test``)."""
    _require_editor(request)
    batch = get_object_or_404(RevaluationBatch, pk=batch_name)
    form = CalculateForm(request.POST)
    if not form.is_valid():
        return _calculate_response(request, batch, form, status=422)
    options = form.options()
    if request.POST.get("action") == "test":
        problems = calculation_test(options)
        return _calculate_response(
            request, batch, form, extra={"test_ran": True, "test_problems": problems}
        )
    if busy := _batch_busy(request, batch):
        return busy
    request.session[_last_run_key(batch)] = form.remembered()  # the form shows them next time
    if calculate_runs_in_background(options):
        return _start_job(
            request,
            batch,
            BatchJobKind.CALCULATE,
            options=options,
            confirm_duplicates=form.cleaned_data["confirm_duplicates"],
        )
    try:
        lines = calculate_inventory_value(
            batch_name=batch.name,
            options=options,
            confirm_duplicates=form.cleaned_data["confirm_duplicates"],
        )
    except DuplicateLinesError as question:
        return _calculate_response(
            request, batch, form, extra={"duplicate_question": question.message}, status=422
        )
    except RevaluationError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _calculate_response(request, batch, form, status=422)
    if lines:
        created = ngettext(
            "Calculate Inventory Value created %(count)s line.",
            "Calculate Inventory Value created %(count)s lines.",
            len(lines),
        )
        messages.success(request, created % {"count": len(lines)})
        if warning := zero_proposal_warning(lines):
            messages.warning(request, warning)
    else:
        messages.info(request, _("Calculate Inventory Value found nothing to revalue."))
    url = _journal_url(batch.name)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _last_run_key(batch: RevaluationBatch) -> str:
    """Session key of the options of the batch's last Calculate run."""
    return f"revaluation-calculate-{batch.name}"


def _calculate_response(
    request: HtmxHttpRequest,
    batch: RevaluationBatch,
    form: CalculateForm,
    *,
    extra: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    if not request.htmx:
        return _render_journal(
            request, batch, status=status, calculate_form=form, calculate_extra=extra
        )
    context = {"batch": batch, "calculate_form": form, "can_edit": True, **(extra or {})}
    response = render(request, f"{DETAIL_TEMPLATE}#calculate-form", context, status=status)
    return reswap(retarget(response, "#calculate-form"), "outerHTML")


# --------------------------------------------------------------------------- cell edits


@require_POST
@login_required
def revaluation_line_edit(request: HtmxHttpRequest, batch_name: str, line_id: int):
    """Save one typed cell; answer htmx with the dependent cells and totals out of band."""
    _require_editor(request)
    line = selectors.journal_line_get(batch_name=batch_name, line_id=line_id)
    if line is None:
        raise Http404("No such line in this batch.")
    form = LineEditForm(request.POST)
    if not form.is_valid():
        if "version" in form.errors:
            return HttpResponseBadRequest("The line version is missing.")
        name = form.cleaned_data.get("field") or next(iter(form.errors))
        if name not in EDITABLE_FIELDS:
            return HttpResponseBadRequest("Unknown field.")
        problem = CellProblem(name, _("The value is too large."), request.POST.get(name, "")[:60])
        return _cell_refused(request, line, problem)
    edited = form.edited_fields(line)
    if not edited:  # nothing changed (a plain form post of unchanged values)
        if request.htmx:
            return HttpResponse(status=204)
        return redirect(_journal_url(batch_name, _return_params(request), f"line-{line.pk}"))
    if len(edited) > 1:
        name = edited[-1]
        return _cell_refused(request, line, CellProblem(name, BOTH_CELLS, form.cleaned_data[name]))
    [name] = edited
    raw = form.cleaned_data[name]
    try:
        line_edit(
            line_id=line.pk,
            version=form.cleaned_data["version"],
            field=name,
            value=raw,
            localized=True,
        )
    except StaleLineError:
        return _line_stale(request, batch_name, line.pk, name)
    except RevaluationError as error:
        return _cell_refused(request, line, CellProblem(name, error.message, raw))
    except DataError:
        # The service bounds the typed value but not the derived Inventory Value (Revalued)
        # = unit cost x quantity, which can overflow its column; the edit was rolled back.
        return _cell_refused(request, line, CellProblem(name, _("The value is too large."), raw))
    except RevaluationLine.DoesNotExist as exc:
        raise Http404("The line was deleted meanwhile.") from exc
    if not request.htmx:
        return redirect(_journal_url(batch_name, _return_params(request), f"line-{line.pk}"))
    line = selectors.journal_line_get(batch_name=batch_name, line_id=line.pk)  # view restart
    other = INVENTORY_VALUE_REVALUED if name == UNIT_COST_REVALUED else UNIT_COST_REVALUED
    row = _row(line)
    edited_cell = _cell(line, name, None)
    context = {
        "row": row,
        "edited_cell": edited_cell,
        "cell": _cell(line, other, None),
        "totals": selectors.journal_totals_get(batch_name=batch_name),
        "can_edit": True,
        "oob": True,
    }
    response = render(request, f"{DETAIL_TEMPLATE}#line-update-response", context)
    # The typed cell is not replaced (focus may still be in it); app.js shows the saved value
    # formatted like the column (200 -> 200.00) from this header.
    response[SAVED_VALUE_HEADER] = edited_cell.value
    return response


@require_POST
@login_required
def revaluation_line_reason(request: HtmxHttpRequest, batch_name: str, line_id: int):
    """Save a line's Reason Code; answer htmx with the cell and the line's new version."""
    _require_editor(request)
    line = selectors.journal_line_get(batch_name=batch_name, line_id=line_id)
    if line is None:
        raise Http404("No such line in this batch.")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return HttpResponseBadRequest("The line version is missing.")
    message, status = "", 200
    try:
        line_set_reason_code(
            line_id=line.pk, version=version, code=request.POST.get("reason_code", "")[:20]
        )
    except StaleLineError:
        message, status = STALE_MESSAGE, 422
    except RevaluationError as error:
        message, status = error.message, 422
    if not request.htmx:
        if status != 200:
            messages.error(request, message)
        return redirect(_journal_url(batch_name, _return_params(request), f"line-{line.pk}"))
    line = selectors.journal_line_get(batch_name=batch_name, line_id=line.pk)
    if line is None:
        raise Http404("The line was deleted meanwhile.")
    context = {
        "row": _row(line),
        "can_edit": True,
        "oob": status == 200,
        "reason_message": message,
        "reason_codes": selectors.reason_code_list(),
    }
    return render(request, f"{DETAIL_TEMPLATE}#reason-update-response", context, status=status)


def _cell_refused(request: HtmxHttpRequest, line: RevaluationLine, problem: CellProblem):
    """422: the refused value stays in its cell with the message; nothing was saved."""
    if not request.htmx:
        batch = get_object_or_404(RevaluationBatch, pk=line.batch_id)
        params = _return_params(request)
        return _render_journal(
            request, batch, status=422, params=params, problems={line.pk: problem}
        )
    row = _row(line, problem=problem)
    cell = row.unit_cost if problem.field == UNIT_COST_REVALUED else row.inventory_value
    context = {"row": row, "cell": cell, "can_edit": True}
    response = render(request, f"{DETAIL_TEMPLATE}#revalued-cell", context, status=422)
    return reswap(retarget(response, f"#{cell.dom_id}-cell"), "outerHTML")


def _line_stale(request: HtmxHttpRequest, batch_name: str, line_id: int, name: str):
    """422: someone else changed the line; show its current values and say so."""
    line = selectors.journal_line_get(batch_name=batch_name, line_id=line_id)
    if line is None:
        raise Http404("The line was deleted meanwhile.")
    problem = CellProblem(name, STALE_MESSAGE)
    if not request.htmx:
        batch = get_object_or_404(RevaluationBatch, pk=batch_name)
        params = _return_params(request)
        return _render_journal(
            request, batch, status=422, params=params, problems={line.pk: problem}
        )
    context = {
        "row": _row(line, problem=problem),
        "totals": selectors.journal_totals_get(batch_name=batch_name),
        "can_edit": True,
        "oob": True,
        "reason_codes": selectors.reason_code_list(),
    }
    response = render(request, f"{DETAIL_TEMPLATE}#line-stale-response", context, status=422)
    return reswap(retarget(response, f"#line-{line.pk}"), "outerHTML")


# --------------------------------------------------------------------------- explain


@require_GET
@login_required
def revaluation_line_explain(request: HtmxHttpRequest, batch_name: str, line_id: int):
    """The drill-down of a line's Quantity and Inventory Value (Calculated)."""
    line = selectors.journal_line_get(batch_name=batch_name, line_id=line_id)
    if line is None:
        raise Http404("No such line in this batch.")
    context = {
        "line": line,
        "explanation": line_explanation(line=line),
        "changes": change_history(line),
    }
    return render(request, EXPLAIN_TEMPLATE, context)


# --------------------------------------------------------------------------- delete


@require_http_methods(["GET", "POST"])
@login_required
def revaluation_line_delete(request: HtmxHttpRequest, batch_name: str, line_id: int):
    """POST deletes; GET (the Delete link without JavaScript) asks first, on a page of its own."""
    _require_editor(request)
    batch = get_object_or_404(RevaluationBatch, pk=batch_name)
    line = selectors.journal_line_get(batch_name=batch.name, line_id=line_id)
    if request.method == "GET":
        if line is None:
            raise Http404("No such line in this batch.")
        context = {
            "batch": batch,
            "line": line,
            "return_qs": request.GET.get("return_qs", "")[:500],
            "cancel_url": _journal_url(
                batch.name, QueryDict(request.GET.get("return_qs", "")[:500]), f"line-{line.pk}"
            ),
        }
        return render(request, DELETE_TEMPLATE, context)
    if line is not None:  # already gone: deleting is idempotent
        line_delete(line_id=line.pk)
    if request.htmx:  # the row goes (hx-swap="delete"); the totals follow out of band
        context = {
            "totals": selectors.journal_totals_get(batch_name=batch.name),
            "can_edit": True,
            "oob": True,
        }
        return render(request, f"{DETAIL_TEMPLATE}#totals-response", context)
    return redirect(_journal_url(batch.name, _return_params(request)))


@require_POST
@login_required
def revaluation_batch_delete_lines(request: HtmxHttpRequest, batch_name: str):
    _require_editor(request)
    batch = get_object_or_404(RevaluationBatch, pk=batch_name)
    deleted = batch_delete_lines(batch_name=batch.name)
    messages.success(
        request,
        ngettext("%(count)s line deleted.", "%(count)s lines deleted.", deleted)
        % {"count": deleted},
    )
    url = _journal_url(batch.name)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# --------------------------------------------------------------------------- manual lines


def _entry_lookup_context(item_no: str) -> dict[str, object]:
    item = selectors.item_get(item_no=item_no) if item_no else None
    return {
        "lookup_item_no": item_no,
        "lookup_item": item,
        "lookup_entries": selectors.eligible_entry_list(item_no=item.no) if item else [],
        "lookup_limit": selectors.ELIGIBLE_ENTRY_LIMIT,
    }


@require_GET
@login_required
def revaluation_entry_lookup(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    """The Applies-to Entry lookup of an item (read only)."""
    item_no = request.GET.get("item", "").strip()[:20]
    if not request.htmx:
        url = _journal_url(batch_name, {"manual_item": item_no}, "manual-line")
        return redirect(url)
    context = _entry_lookup_context(item_no)
    return render(request, f"{DETAIL_TEMPLATE}#entry-lookup", context)


@require_GET
@login_required
def revaluation_item_suggestions(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    """``<option>``s for the item input's datalist, as the user types."""
    items = selectors.item_suggestion_list(text=request.GET.get("item", "").strip()[:20])
    return render(request, f"{DETAIL_TEMPLATE}#item-suggestions", {"suggestions": items})


@require_POST
@login_required
def revaluation_line_create(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    _require_editor(request)
    batch = get_object_or_404(RevaluationBatch, pk=batch_name)
    if "lookup" in request.POST:  # "Show entries" without JavaScript: nothing is saved
        item_no = request.POST.get("item", "").strip()[:20]
        form = ManualLineForm(initial={"item": item_no})
        return _render_journal(request, batch, manual_form=form, manual_item_no=item_no)
    form = ManualLineForm(request.POST)
    if form.is_valid():
        try:
            line = line_create_manual(
                batch_name=batch.name,
                item_no=form.cleaned_data["item"],
                applies_to_entry=form.cleaned_data["applies_to_entry"],
                document_no=form.cleaned_data["document_no"].strip(),
            )
        except RevaluationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("Line %(no)s added for item %(item)s.")
                % {"no": line.line_no, "item": line.item_id},
            )
            page = selectors.journal_line_page_number(batch_name=batch.name, line_no=line.line_no)
            params = {"page": page} if page > 1 else None
            if not request.htmx:
                return redirect(_journal_url(batch.name, params, f"line-{line.pk}"))
            # The page the line is on, swapped in at once (a redirect to the same URL with
            # only a new #fragment would not reload it), scrolled to the new line.
            response = _render_journal(
                request,
                batch,
                params=QueryDict(urlencode(params or {})),
                page=page,
                new_line_id=line.pk,
            )
            response = reselect(retarget(response, "#main"), "#main")
            response = reswap(response, f"outerHTML show:#line-{line.pk}:top")
            return push_url(response, _journal_url(batch.name, params))
    item_no = request.POST.get("item", "").strip()[:20]
    if not request.htmx:
        return _render_journal(request, batch, status=422, manual_form=form, manual_item_no=item_no)
    context = {
        "batch": batch,
        "manual_form": form,
        "can_edit": True,
        **_entry_lookup_context(item_no),
    }
    selected = form.data.get("applies_to_entry", "")
    context["selected_entry"] = selected
    response = render(request, f"{DETAIL_TEMPLATE}#manual-line", context, status=422)
    return reswap(retarget(response, "#manual-line"), "outerHTML")


# --------------------------------------------------------------------------- preview and post


@dataclass
class PreviewRow:
    line_no: int
    line: RevaluationLine | None
    error: str
    error_field: str | None
    value_entries: list[dict]


def _entry_type_label(value: str) -> str:
    try:
        return ItemLedgerEntryType(value).label
    except ValueError:
        return value


PREVIEW_PAGE_SIZE = 100  # journal lines (with their value entries) per preview page
ADJUSTED_PAGE_SIZE = 100  # adjusted entries per page of the "stock already sold" section


@require_GET
@login_required
def revaluation_preview(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    """Spec §12.2: what posting would write, per line and in total, why lines would be refused,
    and what Adjust Cost would then change on stock already sold (COGS), from one dry run."""
    batch = get_object_or_404(RevaluationBatch, pk=batch_name)
    context: dict[str, object] = {
        "batch": batch,
        "can_post": rights.can_post(request.user),
        "skipped_lines": selectors.skipped_line_list(batch_name=batch.name),
    }
    try:
        preview = revaluation_batch_preview(batch_name=batch.name)
    except RevaluationError as error:
        context["preview_error"] = error.message
        return render(request, PREVIEW_TEMPLATE, context)
    impact = preview.impact
    page = Paginator(preview.lines, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    line_nos = {p.line_no for p in [*page.object_list, *preview.errors] if p.line_no}
    lines = selectors.revaluation_line_map(batch_name=batch.name, line_nos=sorted(line_nos))
    rows = [
        PreviewRow(
            line_no=p.line_no,
            line=lines.get(p.line_no),
            error=p.error.message if p.error else "",
            error_field=p.error.field if p.error else None,
            value_entries=[
                {**entry, "type_label": _entry_type_label(entry["item_ledger_entry_type"])}
                for entry in p.value_entries
            ],
        )
        for p in page.object_list
    ]
    adjusted_page = Paginator(impact.adjusted, ADJUSTED_PAGE_SIZE).get_page(
        request.GET.get("apage")
    )
    context.update(
        {
            "rows": rows,
            "page_obj": page,
            "line_count": len(preview.lines),
            "error_rows": [
                PreviewRow(p.line_no, lines.get(p.line_no), p.error.message, p.error.field, [])
                for p in preview.errors
                if p.error
            ],
            "entry_count": sum(len(p.value_entries) for p in preview.lines),
            "total_amount": preview.total_amount,
            "impact": impact,
            "adjusted_page": adjusted_page,
            "adjusted_rows": [
                {"entry": entry, "type_label": _entry_type_label(entry.entry_type)}
                for entry in adjusted_page.object_list
            ],
        }
    )
    return render(request, PREVIEW_TEMPLATE, context)


@require_POST
@login_required
def revaluation_post(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    rights.require_post(request.user)
    batch = get_object_or_404(RevaluationBatch, pk=batch_name)
    if busy := _batch_busy(request, batch):
        return busy
    if post_runs_in_background(batch):
        return _start_job(request, batch, BatchJobKind.POST)
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
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _posting_refused(request: HtmxHttpRequest, batch: RevaluationBatch, error: RevaluationError):
    """422: the journal page, on the page of the refused line, with the message at the line.

    htmx requests (from the journal or the preview page) swap the page's ``<main>``.
    """
    page = None
    if error.line_no is not None:
        page = selectors.journal_line_page_number(batch_name=batch.name, line_no=error.line_no)
    response = _render_journal(
        request, batch, status=422, params=QueryDict(), posting_error=error, page=page
    )
    if request.htmx:
        response = reselect(reswap(retarget(response, "#main"), "outerHTML"), "#main")
        response = push_url(response, _journal_url(batch.name, {"page": page} if page else None))
    return response


# --------------------------------------------------------------------------- background jobs


def _redirect(request: HtmxHttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _batch_busy(request: HtmxHttpRequest, batch: RevaluationBatch) -> HttpResponse | None:
    """A second click while the batch has a job: say what runs and by whom, show that job."""
    job = batch_job_active(batch.name)
    if job is None:
        return None
    messages.error(request, f"{JobActive(job, 'A job for this batch')} Wait for it to finish.")
    return _redirect(request, reverse("revaluation-job-detail", args=[job.pk]))


def _start_job(request: HtmxHttpRequest, batch: RevaluationBatch, kind: str, **kwargs):
    try:
        job = batch_job_start(batch_name=batch.name, kind=kind, user=request.user, **kwargs)
    except JobActive as refused:
        messages.error(request, f"{refused} Wait for it to finish.")
        if refused.job is None:
            return _redirect(request, _journal_url(batch.name))
        job = refused.job
    return _redirect(request, reverse("revaluation-job-detail", args=[job.pk]))


@require_GET
@login_required
def revaluation_job_detail(request: HtmxHttpRequest, job_id: int) -> HttpResponse:
    """A job's page; htmx polls its card until the job ends."""
    job = get_object_or_404(BatchJob.objects.select_related("started_by"), pk=job_id)
    job_retire_if_abandoned(job)
    template = f"{JOB_TEMPLATE}#job-card" if request.htmx else JOB_TEMPLATE
    return render(request, template, {"job": job})


# --------------------------------------------------------------------------- posted history


POSTED_PAGE_SIZE = 50


@require_GET
@login_required
def posted_revaluation_list(request: HtmxHttpRequest) -> HttpResponse:
    paginator = Paginator(selectors.posted_revaluation_list(), POSTED_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, POSTED_LIST_TEMPLATE, {"page_obj": page})


def _render_posted_detail(
    request: HttpRequest,
    posted: PostedRevaluation,
    *,
    form: ReverseForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    reversed_by = PostedRevaluation.objects.filter(reverses=posted).first()
    context = {
        "posted": posted,
        "lines": selectors.posted_revaluation_line_list(posted=posted),
        "value_entries": selectors.posted_value_entry_list(posted=posted),
        "reversed_by": reversed_by,
        "reversal_refusal": reversal_refusal(posted),
        "can_post": rights.can_post(request.user),
        "reverse_form": form or ReverseForm(initial={"posting_date": timezone.localdate()}),
        "reverse_error": error,
    }
    return render(request, POSTED_DETAIL_TEMPLATE, context, status=status)


@require_GET
@login_required
def posted_revaluation_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    posted = selectors.posted_revaluation_get(pk=pk)
    if posted is None:
        raise Http404("No such posted revaluation.")
    return _render_posted_detail(request, posted)


@require_POST
@login_required
def posted_revaluation_reverse_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Issue 10 §3: reverse the posted revaluation on the date chosen; refused with the reason."""
    rights.require_post(request.user)
    posted = selectors.posted_revaluation_get(pk=pk)
    if posted is None:
        raise Http404("No such posted revaluation.")
    form = ReverseForm(request.POST)
    if not form.is_valid():
        return _render_posted_detail(request, posted, form=form, status=422)
    try:
        reversal = posted_revaluation_reverse(
            posted_id=posted.pk, posting_date=form.cleaned_data["posting_date"], user=request.user
        )
    except RevaluationError as error:
        return _render_posted_detail(request, posted, form=form, error=error.message, status=422)
    messages.success(
        request,
        f"{posted.document_no} reversed by {reversal.document_no}: "
        f"amount {format_decimal(reversal.total_amount, min_places=2, grouping=True)}.",
    )
    url = reverse("revaluation-posted-detail", args=[reversal.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
