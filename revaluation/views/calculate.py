"""Calculate Inventory Value and its test report, from the journal page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from inventory.htmx import HtmxHttpRequest, add_field_error, redirect_to, swap_into
from revaluation.exceptions import DuplicateLinesError, RevaluationError
from revaluation.forms import CalculateForm
from revaluation.models import BatchJobKind, RevaluationBatch
from revaluation.rights import prepare_required
from revaluation.services.calculate import (
    calculate_inventory_value,
    calculation_test,
    zero_proposal_warning,
)
from revaluation.services.jobs import calculate_runs_in_background
from revaluation.views.jobs import batch_busy, start_job
from revaluation.views.journal import DETAIL_TEMPLATE, journal_url, last_run_key, render_journal


@require_POST
@login_required
@prepare_required
def revaluation_calculate(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    """Calculate Inventory Value (button "Calculate"), or its test report (``action=test``)."""
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
    if busy := batch_busy(request, batch):
        return busy
    request.session[last_run_key(batch)] = form.remembered()  # the form shows them next time
    if calculate_runs_in_background(options):
        return start_job(
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
        add_field_error(form, error)
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
    url = journal_url(batch.name)
    return redirect_to(request, url)


def _calculate_response(
    request: HtmxHttpRequest,
    batch: RevaluationBatch,
    form: CalculateForm,
    *,
    extra: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    if not request.htmx:
        return render_journal(
            request, batch, status=status, calculate_form=form, calculate_extra=extra
        )
    context = {"batch": batch, "calculate_form": form, "can_edit": True, **(extra or {})}
    response = render(request, f"{DETAIL_TEMPLATE}#calculate-form", context, status=status)
    return swap_into(response, "#calculate-form")
