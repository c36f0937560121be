"""The revaluation batch list and creating a batch."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from inventory.htmx import HtmxHttpRequest, add_field_error, redirect_to, swap_into
from revaluation import rights, selectors
from revaluation.exceptions import RevaluationError
from revaluation.forms import BatchCreateForm
from revaluation.rights import prepare_required
from revaluation.services.lines import batch_create
from revaluation.views.journal import journal_url

LIST_TEMPLATE = "revaluation/batch_list.html"


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
@prepare_required
def revaluation_batch_create(request: HtmxHttpRequest) -> HttpResponse:
    form = BatchCreateForm(request.POST)
    if form.is_valid():
        try:
            batch = batch_create(**form.cleaned_data)
        except RevaluationError as error:
            add_field_error(form, error)
        else:
            messages.success(request, _("Batch %(name)s created.") % {"name": batch.name})
            url = journal_url(batch.name)
            return redirect_to(request, url)
    if request.htmx:
        context = {"form": form, "can_edit": True}
        response = render(request, f"{LIST_TEMPLATE}#batch-form", context, status=422)
        return swap_into(response, "#batch-form")
    return _render_batch_list(request, form, status=422)
