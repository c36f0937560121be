"""Calculate Inventory Value, posting, its preview, and the CSV/XLSX round trip of large batches
as background tasks.

The pages run small work inline; above ``BACKGROUND_CALCULATE_ITEMS`` items,
``BACKGROUND_POST_LINES`` lines (posting), ``BACKGROUND_PREVIEW_LINES`` lines (the posting
preview's dry run, ``revaluation.services.stored_preview``), ``BACKGROUND_EXPORT_LINES`` lines
(export) or ``BACKGROUND_IMPORT_ROWS`` data rows (an uploaded file) they start a ``BatchJob``
(``inventory.services.jobs``) and show its progress page. Each service is one transaction, so a
worker killed mid-job leaves the batch and the ledger as before the job; the job then shows
*failed* and can be started again.

The round trip's jobs: *export* stores the file it produced on the job, which its page offers for
download; *check* is the import's dry run of the uploaded file (stored on the job) and its result
is the same summary or list of rejected rows as the inline page; *import* applies the file of a
finished check, all or nothing, with every check made again.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from django.conf import settings
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation

from inventory.display import plain_decimal
from inventory.models import ACTIVE_JOB_STATUSES, Item, JobStatus
from inventory.services.jobs import (
    JobRefused,
    job_execute,
    job_progress,
    job_retire_if_abandoned,
    job_start,
)
from revaluation.exceptions import RevaluationError
from revaluation.models import BatchJob, BatchJobKind, RevaluationBatch, RevaluationLine
from revaluation.services.calculate import (
    CalculateOptions,
    calculate_inventory_value,
    zero_proposal_warning,
)
from revaluation.services.posting import revaluation_batch_post
from revaluation.services.spreadsheet import (
    SpreadsheetImportError,
    batch_export,
    batch_import,
    data_rows_estimate,
    export_filename,
    import_result_from_json,
    import_result_json,
    import_summary,
    problems_from_json,
    problems_json,
)
from revaluation.services.stored_preview import stored_preview_run


def calculate_runs_in_background(options: CalculateOptions) -> bool:
    items = Item.objects.all()
    if options.item_nos:
        items = items.filter(no__in=options.item_nos)
    if options.costing_methods:
        items = items.filter(costing_method__in=options.costing_methods)
    return items.count() > settings.BACKGROUND_CALCULATE_ITEMS


def post_runs_in_background(batch: RevaluationBatch) -> bool:
    return batch.lines.count() > settings.BACKGROUND_POST_LINES


def export_runs_in_background(batch: RevaluationBatch) -> bool:
    return batch.lines.count() > settings.BACKGROUND_EXPORT_LINES


def import_runs_in_background(*, file_name: str, data: bytes) -> bool:
    return data_rows_estimate(file_name=file_name, data=data) > settings.BACKGROUND_IMPORT_ROWS


def import_check_job(*, batch_name: str, job_id: str | None, user) -> BatchJob | None:
    """The finished import check ``job_id`` of the batch that ``user`` started, whose file the
    summary showed; None when there is none (the caller asks for the file again)."""
    if not job_id or not job_id.isdigit():
        return None
    return BatchJob.objects.filter(
        pk=int(job_id),
        batch_name=batch_name,
        kind=BatchJobKind.CHECK,
        status=JobStatus.FINISHED,
        started_by=user,
        file_deleted_at=None,
    ).first()


def batch_job_files_prune(*, keep_days: int) -> int:
    """Delete the stored files (uploads, exports) of the jobs that ended more than ``keep_days``
    days ago; the jobs themselves stay, saying when their file went. Returns how many."""
    cutoff = timezone.now() - timedelta(days=keep_days)
    return BatchJob.objects.filter(
        status__in=(JobStatus.FINISHED, JobStatus.FAILED),
        finished_at__lt=cutoff,
        file_data__isnull=False,
    ).update(file_data=None, file_deleted_at=timezone.now())


def batch_job_display(job: BatchJob) -> dict:
    """What the job page shows of an import's result: ``import_result`` (its summary) or
    ``problems`` (every rejected row) and ``rejected_message``."""
    if "changes" in job.result:
        return {"import_result": import_result_from_json(job.result)}
    if "problems" in job.result:
        return {
            "problems": problems_from_json(job.result["problems"]),
            "rejected_message": job.result["message"],
        }
    return {}


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
    parameters: dict | None = None,
    file_name: str = "",
    file_data: bytes | None = None,
) -> BatchJob:
    """Queue ``kind`` for the batch; raises ``JobActive`` when the batch has a job running.

    ``options`` (calculate) or ``parameters`` (export: format, language) are the job's input;
    ``file_name``/``file_data`` the file an import checks or applies."""
    parameters = dict(parameters or {})
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
        file_name=file_name,
        file_data=file_data,
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
        if job.kind == BatchJobKind.EXPORT:
            return _export(job)
        if job.kind in (BatchJobKind.CHECK, BatchJobKind.IMPORT):
            return _import(job)
        if job.kind == BatchJobKind.PREVIEW:
            return _preview(job)
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
        with job_progress(BatchJob, job.pk) as progress:
            posted = revaluation_batch_post(
                batch_name=job.batch_name, user=job.started_by, progress=progress
            )
    except RevaluationError as refused:  # the user's input, not the worker, failed
        where = f" (line {refused.line_no})" if refused.line_no is not None else ""
        raise JobRefused(f"{refused.message}{where}") from refused
    return {
        "message": f"Batch {job.batch_name} posted as {posted.document_no}: "
        f"amount {plain_decimal(posted.total_amount)}.",
        "result_url": reverse("revaluation-posted-detail", args=[posted.pk]),
    }


def _preview(job: BatchJob) -> dict:
    """The dry run of the batch, stored for the preview page; the count of lines on the job."""
    with job_progress(BatchJob, job.pk) as progress:
        stored = stored_preview_run(batch_name=job.batch_name, progress=progress)
    count = stored.line_count
    return {
        "message": stored.error
        or f"Previewed {count} line{'' if count == 1 else 's'}: "
        f"{stored.entry_count} value entries, amount {plain_decimal(stored.total_amount)}.",
        "result_url": reverse("revaluation-preview", args=[job.batch_name]),
    }


def _export(job: BatchJob) -> dict:
    format = job.parameters["format"]
    # The XLSX date format is the language of the user who asked for the file.
    with translation.override(job.parameters.get("language")):
        data = batch_export(batch_name=job.batch_name, format=format)
    count = RevaluationLine.objects.filter(batch_id=job.batch_name).count()
    name = export_filename(batch_name=job.batch_name, format=format)
    return {
        "message": f"Exported {count} line{'' if count == 1 else 's'} as {name}.",
        "result_url": reverse("revaluation-journal-detail", args=[job.batch_name]),
        "file_name": name,
        "file_data": data,
    }


def _import(job: BatchJob) -> dict:
    """The check (a dry run) or the import of the job's file; a rejected file fails the job with
    every rejected row in ``result``."""
    check = job.kind == BatchJobKind.CHECK
    try:
        result = batch_import(
            batch_name=job.batch_name,
            data=bytes(job.file_data or b""),
            file_name=job.file_name,
            dry_run=check,
        )
    except SpreadsheetImportError as error:
        raise JobRefused(
            f"{job.file_name}: {error.message}",
            result={"message": error.message, "problems": problems_json(error.problems)},
        ) from error
    if not check:
        return {
            "message": import_summary(job.file_name, result),
            "result_url": reverse("revaluation-journal-detail", args=[job.batch_name]),
            "result": import_result_json(result),
        }
    changed, added = len(result.changed), len(result.added)
    return {
        "message": f"{job.file_name} would change {changed} line{'' if changed == 1 else 's'} "
        f"and add {added}; {result.unchanged} unchanged.",
        "result_url": reverse("revaluation-import", args=[job.batch_name]),
        "result": import_result_json(result),
    }
