"""The revaluation journal page: the grid of one batch (filtered, sorted, paginated) with the
Calculate form and the manual line form for those who may prepare.

Every endpoint answers htmx with fragments of the page template (``{% partialdef %}``) and a
plain form post with a redirect or a full page, so everything works without JavaScript. Refused
input answers 422 (base.html tells htmx to swap 422 responses)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET

from inventory.htmx import HtmxHttpRequest
from inventory.models import CostingMethod
from revaluation import rights, selectors
from revaluation.exceptions import RevaluationError
from revaluation.forms import CalculateForm, ManualLineForm
from revaluation.models import RevaluationBatch, RevaluationLine
from revaluation.presentation import CellProblem, GridRows, PageLink
from revaluation.selectors import PAGE_SIZE, SORT_LABELS, LineQuery

DETAIL_TEMPLATE = "revaluation/journal_detail.html"


def journal_url(batch_name: str, params: QueryDict | dict | None = None, anchor: str = "") -> str:
    url = reverse("revaluation-journal-detail", args=[batch_name])
    if params:
        query = params.urlencode() if isinstance(params, QueryDict) else urlencode(params)
        if query:
            url = f"{url}?{query}"
    return f"{url}#{anchor}" if anchor else url


def return_params(request: HttpRequest) -> QueryDict:
    """The grid's GET parameters a form carried along (``return_qs``), to go back there."""
    return QueryDict(request.POST.get("return_qs", "")[:500])


class CountedPaginator(Paginator):
    """A ``Paginator`` given the number of lines, which the grid reads with its totals in one
    aggregate query: paging then costs no COUNT query of its own."""

    def __init__(self, object_list: QuerySet[RevaluationLine], per_page: int, *, count: int):
        super().__init__(object_list, per_page)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count


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
    lines = selectors.journal_line_list(batch_name=batch.name, query=query)
    paginator = CountedPaginator(lines, PAGE_SIZE, count=totals.filtered_count)
    page_count = paginator.num_pages
    if page is None:
        try:
            page = int(params.get("page", 1))
        except ValueError:
            page = 1
    page = min(max(page, 1), page_count)  # out of range: the nearest page (get_page: the last)
    page_obj = paginator.page(page)
    problems = problems or {}
    grid = GridRows(batch.name, selectors.reason_code_list())
    rows = [
        grid.row(line, posting_error=posting_error, problem=problems.get(line.pk))
        for line in page_obj.object_list
    ]
    base = query.params()

    def page_url(number: int) -> str:
        return journal_url(batch.name, {**base, "page": number} if number > 1 else base)

    sort_links = {}
    for key, label in SORT_LABELS.items():
        active = query.sort == key
        descending = active and query.descending
        target = key if not active or descending else f"-{key}"
        sort_links[key] = {
            "label": label,
            "url": journal_url(batch.name, query.params(sort=target)),
            "active": active,
            "descending": descending,
            "aria": ("descending" if descending else "ascending") if active else "none",
        }
    first_row = page_obj.start_index() if rows else 0
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
        "oob": False,  # the partials' out-of-band switch, and their messages: given, not missed
        "reason_message": "",  # (a missing variable is a slow failed lookup in every row)
    }


def render_journal(
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
    # the keyboard starts in the grid's first cell
    first_cell = rows[0].unit_cost.dom_id if rows and request.method == "GET" else ""
    context["autofocus_cell"] = first_cell
    context["locations"] = selectors.location_list()
    context["costing_methods"] = CostingMethod.choices
    context["blank_location"] = selectors.BLANK_LOCATION
    if context["can_edit"]:
        context["calculate_form"] = calculate_form or CalculateForm.for_batch(
            next_document_no=batch.next_document_no,
            last_run=request.session.get(last_run_key(batch)),
        )
        context.update(calculate_extra or {})
        context["manual_form"] = manual_form or ManualLineForm()
        context["selected_entry"] = (
            manual_form.data.get("applies_to_entry", "") if manual_form else ""
        )
        context.update(entry_lookup_context(manual_item_no))
    return render(request, DETAIL_TEMPLATE, context, status=status)


@require_GET
@login_required
def revaluation_journal_detail(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    batch = get_object_or_404(RevaluationBatch, pk=batch_name)
    return render_journal(request, batch, manual_item_no=request.GET.get("manual_item", ""))


def last_run_key(batch: RevaluationBatch) -> str:
    """Session key of the options of the batch's last Calculate run."""
    return f"revaluation-calculate-{batch.name}"


def entry_lookup_context(item_no: str) -> dict[str, object]:
    item = selectors.item_get(item_no=item_no) if item_no else None
    return {
        "lookup_item_no": item_no,
        "lookup_item": item,
        "lookup_entries": selectors.eligible_entry_list(item_no=item.no) if item else [],
        "lookup_limit": selectors.ELIGIBLE_ENTRY_LIMIT,
    }
