"""Calculate and post in the background: refusing a second job, starting one, its page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from inventory.htmx import HtmxHttpRequest, redirect_to
from inventory.services.jobs import JobActive, job_retire_if_abandoned
from revaluation import selectors
from revaluation.models import RevaluationBatch
from revaluation.services.jobs import batch_job_active, batch_job_display, batch_job_start
from revaluation.views.journal import journal_url

JOB_TEMPLATE = "revaluation/job.html"


def batch_busy(request: HtmxHttpRequest, batch: RevaluationBatch) -> HttpResponse | None:
    """A second click while the batch has a job: say what runs and by whom, show that job."""
    job = batch_job_active(batch.name)
    if job is None:
        return None
    messages.error(request, f"{JobActive(job, 'A job for this batch')} Wait for it to finish.")
    return redirect_to(request, reverse("revaluation-job-detail", args=[job.pk]))


def start_job(request: HtmxHttpRequest, batch: RevaluationBatch, kind: str, **kwargs):
    try:
        job = batch_job_start(batch_name=batch.name, kind=kind, user=request.user, **kwargs)
    except JobActive as refused:
        messages.error(request, f"{refused} Wait for it to finish.")
        if refused.job is None:
            return redirect_to(request, journal_url(batch.name))
        job = refused.job
    return redirect_to(request, reverse("revaluation-job-detail", args=[job.pk]))


@require_GET
@login_required
def revaluation_job_detail(request: HtmxHttpRequest, job_id: int) -> HttpResponse:
    """A job's page; htmx polls its card until the job ends."""
    job = selectors.batch_job_get(pk=job_id)
    if job is None:
        raise Http404("No such job.")
    job_retire_if_abandoned(job)
    template = f"{JOB_TEMPLATE}#job-card" if request.htmx else JOB_TEMPLATE
    return render(request, template, {"job": job, **batch_job_display(job)})
