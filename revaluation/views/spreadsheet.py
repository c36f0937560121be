"""The Excel round trip in the browser: export the journal (CSV, XLSX), upload an edited file,
see what it would change (or every rejected row with its reason), then apply it, all or nothing.

The importer is ``services.spreadsheet.batch_import`` (the same as ``manage.py
import_revaluation_journal``): the summary is its dry run, Apply runs it for real. Between the
two steps the uploaded file waits in the session.

A batch of more than ``BACKGROUND_EXPORT_LINES`` lines is exported by a task, and a file of more
than ``BACKGROUND_IMPORT_ROWS`` rows is checked and applied by tasks
(``services.jobs``): the page of the job shows its progress, then the file to download, the
summary with Apply, or the rejected rows. The file of a check waits on its job, not in the session.
"""

from __future__ import annotations

import base64
import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inventory.htmx import HtmxHttpRequest
from inventory.models import JobStatus
from revaluation.exceptions import RevaluationError
from revaluation.models import BatchJob, BatchJobKind, RevaluationBatch
from revaluation.rights import prepare_required
from revaluation.services.jobs import (
    export_runs_in_background,
    import_check_job,
    import_runs_in_background,
)
from revaluation.services.spreadsheet import (
    CONTENT_TYPES,
    FORMATS,
    SpreadsheetImportError,
    batch_export,
    batch_import,
    export_filename,
    import_summary,
)
from revaluation.views.jobs import start_job

TEMPLATE = "revaluation/import.html"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Edited file",
        help_text="A CSV or XLSX export of this journal, edited.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.")
        return upload


def _session_key(batch: RevaluationBatch) -> str:
    return f"revaluation-import-{batch.name}"


@require_GET
@login_required
def revaluation_export(request: HtmxHttpRequest, batch_name: str, format: str) -> HttpResponse:
    if format not in FORMATS:
        raise Http404("Export as csv or xlsx.")
    batch = get_object_or_404(RevaluationBatch, pk=batch_name)
    if export_runs_in_background(batch):
        parameters = {"format": format, "language": get_language()}
        return start_job(request, batch, BatchJobKind.EXPORT, parameters=parameters)
    response = HttpResponse(
        batch_export(batch_name=batch.name, format=format), content_type=CONTENT_TYPES[format]
    )
    filename = export_filename(batch_name=batch.name, format=format)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
@prepare_required
def revaluation_import(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    """GET: the upload form. POST: check the file and show what it would change."""
    batch = get_object_or_404(RevaluationBatch, pk=batch_name)
    if request.method == "GET":
        return render(request, TEMPLATE, {"batch": batch, "form": UploadForm()})
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, TEMPLATE, {"batch": batch, "form": form}, status=422)
    upload = form.cleaned_data["file"]
    data = upload.read()
    if import_runs_in_background(file_name=upload.name, data=data):
        return start_job(request, batch, BatchJobKind.CHECK, file_name=upload.name, file_data=data)
    try:
        result = batch_import(batch_name=batch.name, data=data, file_name=upload.name, dry_run=True)
    except SpreadsheetImportError as error:
        return _rejected(request, batch, error, file_name=upload.name)
    token = secrets.token_urlsafe(16)
    request.session[_session_key(batch)] = {
        "token": token,
        "name": upload.name,
        "data": base64.b64encode(data).decode("ascii"),
    }
    context = {
        "batch": batch,
        "form": UploadForm(),
        "file_name": upload.name,
        "result": result,
        "token": token,
    }
    return render(request, TEMPLATE, context)


@require_POST
@login_required
@prepare_required
def revaluation_import_apply(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    """Apply the file the summary showed (all rows or nothing)."""
    batch = get_object_or_404(RevaluationBatch, pk=batch_name)
    if "job" in request.POST:  # the summary of a check that ran in the background
        return _apply_in_background(request, batch)
    stored = request.session.get(_session_key(batch))
    if not stored or stored["token"] != request.POST.get("token"):
        messages.error(request, "Upload the file again: the checked file is no longer here.")
        return redirect("revaluation-import", batch_name=batch.name)
    del request.session[_session_key(batch)]
    try:
        result = batch_import(
            batch_name=batch.name,
            data=base64.b64decode(stored["data"]),
            file_name=stored["name"],
        )
    except SpreadsheetImportError as error:  # the journal changed since the check
        return _rejected(request, batch, error, file_name=stored["name"])
    except RevaluationError as error:
        messages.error(request, error.message)
        return redirect("revaluation-import", batch_name=batch.name)
    messages.success(request, import_summary(stored["name"], result))
    return redirect(reverse("revaluation-journal-detail", args=[batch.name]))


def _rejected(request, batch, error: SpreadsheetImportError, *, file_name: str) -> HttpResponse:
    context = {
        "batch": batch,
        "form": UploadForm(),
        "file_name": file_name,
        "problems": error.problems,
        "rejected_message": error.message,
    }
    return render(request, TEMPLATE, context, status=422)


def _apply_in_background(request: HtmxHttpRequest, batch: RevaluationBatch) -> HttpResponse:
    check = import_check_job(batch_name=batch.name, job_id=request.POST["job"], user=request.user)
    if check is None:
        messages.error(request, "Upload the file again: the checked file is no longer here.")
        return redirect("revaluation-import", batch_name=batch.name)
    return start_job(
        request,
        batch,
        BatchJobKind.IMPORT,
        file_name=check.file_name,
        file_data=bytes(check.file_data or b""),
    )


@require_GET
@login_required
def revaluation_job_file(request: HttpRequest, job_id: int) -> HttpResponse:
    """The file a finished export job produced, until ``prune_jobs`` deletes it."""
    job = get_object_or_404(
        BatchJob.objects.defer(None),
        pk=job_id,
        kind=BatchJobKind.EXPORT,
        status=JobStatus.FINISHED,
        file_deleted_at=None,  # pruned (manage.py prune_jobs)
    )
    format = job.parameters["format"]
    response = HttpResponse(bytes(job.file_data or b""), content_type=CONTENT_TYPES[format])
    response["Content-Disposition"] = f'attachment; filename="{job.file_name}"'
    return response
