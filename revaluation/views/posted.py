"""Posted revaluations: the history, one posted revaluation, reversing it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from inventory.display import format_decimal
from inventory.htmx import HtmxHttpRequest, redirect_to
from revaluation import rights, selectors
from revaluation.exceptions import RevaluationError
from revaluation.forms import ReverseForm
from revaluation.models import PostedRevaluation
from revaluation.rights import post_required
from revaluation.services.reversal import posted_revaluation_reverse, reversal_refusal

POSTED_LIST_TEMPLATE = "revaluation/posted_list.html"
POSTED_DETAIL_TEMPLATE = "revaluation/posted_detail.html"


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
    reversed_by = selectors.posted_revaluation_reversal_get(posted=posted)
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
@post_required
def posted_revaluation_reverse_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Issue 10 §3: reverse the posted revaluation on the date chosen; refused with the reason."""
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
    return redirect_to(request, url)
