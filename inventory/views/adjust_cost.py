"""Adjust Cost - Item Entries: the page, starting a run (a plain POST and redirect) and its
progress card, which alone polls with htmx."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from inventory import selectors
from inventory.access import accountant_required
from inventory.forms import AdjustCostStartForm
from inventory.htmx import HtmxHttpRequest, redirect_to
from inventory.models import AdjustmentRun, AdjustmentRunStatus
from inventory.services import adjustment_runs
from inventory.services.jobs import job_retire_if_abandoned
from inventory.views.links import admin_url

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
        "value_entry_changelist": admin_url(request, "admin:inventory_valueentry_changelist"),
    }


@require_GET
@login_required
def adjust_cost(request: HtmxHttpRequest) -> HttpResponse:
    form = AdjustCostStartForm(initial={"scope": AdjustCostStartForm.ALL})
    template = f"{ADJUST_TEMPLATE}#start-panel" if request.htmx else ADJUST_TEMPLATE
    return render(request, template, _adjust_context(request, form=form))


@require_POST
@login_required
@accountant_required
def adjust_cost_start(request: HtmxHttpRequest) -> HttpResponse:
    """Start a run (from the Adjust cost page or the items page) and show its progress."""
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
        return redirect_to(request, url)
    messages.add_message(request, *_started_message(run, item_nos))
    url = f"{reverse('adjust-cost')}?run={run.pk}#run-{run.pk}"
    return redirect_to(request, url)


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
        "value_entry_changelist": admin_url(request, "admin:inventory_valueentry_changelist"),
    }
    if not request.htmx:
        return render(request, RUN_TEMPLATE, context)
    response = render(request, f"{ADJUST_TEMPLATE}#run-card", context)
    if not run.is_active:
        # The card stops polling; the start form and the counts on the page refresh themselves.
        trigger_client_event(response, "adjustmentRunFinished", {"run": run.pk})
    return response
