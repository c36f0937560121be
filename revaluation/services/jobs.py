"""Calculate Inventory Value and posting of large batches as background tasks.

The pages run small work inline; above ``BACKGROUND_CALCULATE_ITEMS`` items or
``BACKGROUND_POST_LINES`` lines they start a ``BatchJob`` (``inventory.services.jobs``) and show
its progress page. Both services are one transaction, so a worker killed mid-job leaves the batch
and the ledger as before the job; the job then shows *failed* and can be started again.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from django.conf import settings
from django.tasks import task
from django.urls import reverse

from inventory.display import plain_decimal
from inventory.models import ACTIVE_JOB_STATUSES, Item
from inventory.services.jobs import JobRefused, job_execute, job_retire_if_abandoned, job_start
from revaluation.exceptions import RevaluationError
from revaluation.models import BatchJob, BatchJobKind, RevaluationBatch
from revaluation.services.calculate import (
    CalculateOptions,
    calculate_inventory_value,
    zero_proposal_warning,
)
from revaluation.services.posting import revaluation_batch_post


def calculate_runs_in_background(options: CalculateOptions) -> bool:
    items = Item.objects.all()
    if options.item_nos:
        items = items.filter(no__in=options.item_nos)
    if options.costing_methods:
        items = items.filter(costing_method__in=options.costing_methods)
    return items.count() > settings.BACKGROUND_CALCULATE_ITEMS


def post_runs_in_background(batch: RevaluationBatch) -> bool:
    return batch.lines.count() > settings.BACKGROUND_POST_LINES


def batch_job_active(batch_name: str) -> BatchJob | None:
    """The batch's queued or running job, if its worker is alive."""
    for job in BatchJob.objects.filter(batch_name=batch_name, status__in=ACTIVE_JOB_STATUSES):
        if not job_retire_if_abandoned(job):
            return job
    return None


def batch_job_start(
    *,
    batch_name: str,
    kind: BatchJobKind,
    user,
    options: CalculateOptions | None = None,
    confirm_duplicates: bool = False,
) -> BatchJob:
    """Queue ``kind`` for the batch; raises ``JobActive`` when the batch has a job running."""
    parameters = {}
    if options is not None:
        parameters = {
            **dataclasses.asdict(options),
            "posting_date": options.posting_date.isoformat(),
            "confirm_duplicates": confirm_duplicates,
        }
    return job_start(
        BatchJob,
        task=batch_job_run,
        active=BatchJob.objects.filter(batch_name=batch_name),
        what=f"A job for batch {batch_name}",
        started_by=user if user is not None and user.is_authenticated else None,
        batch_name=batch_name,
        kind=kind,
        parameters=parameters,
    )


def _options(parameters: dict) -> tuple[CalculateOptions, bool]:
    values = dict(parameters)
    confirm = values.pop("confirm_duplicates")
    values["posting_date"] = date.fromisoformat(values["posting_date"])
    for name, value in values.items():
        if isinstance(value, list):  # JSON has no tuples
            values[name] = tuple(value)
    return CalculateOptions(**values), confirm


@task
def batch_job_run(job_id: int) -> None:
    job_execute(BatchJob, job_id, _work)


def _work(job: BatchJob) -> dict:
    journal_url = reverse("revaluation-journal-detail", args=[job.batch_name])
    try:
        if job.kind == BatchJobKind.CALCULATE:
            options, confirm = _options(job.parameters)
            lines = calculate_inventory_value(
                batch_name=job.batch_name, options=options, confirm_duplicates=confirm
            )
            count = lines.count()  # a count, not the lines: a job may create 200,000s
            message = (
                f"Calculate Inventory Value created {count} line{'' if count == 1 else 's'}."
                if count
                else "Calculate Inventory Value found nothing to revalue."
            )
            if warning := zero_proposal_warning(lines):
                message = f"{message} {warning}"
            return {"message": message, "result_url": journal_url}
        posted = revaluation_batch_post(batch_name=job.batch_name, user=job.started_by)
    except RevaluationError as refused:  # the user's input, not the worker, failed
        where = f" (line {refused.line_no})" if refused.line_no is not None else ""
        raise JobRefused(f"{refused.message}{where}") from refused
    return {
        "message": f"Batch {job.batch_name} posted as {posted.document_no}: "
        f"amount {plain_decimal(posted.total_amount)}.",
        "result_url": reverse("revaluation-posted-detail", args=[posted.pk]),
    }
