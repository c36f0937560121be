"""The Excel round trip in the browser: export the journal (CSV, XLSX), upload an edited file,
see what it would change (or every rejected row with its reason), then apply it, all or nothing.

The importer is ``services.spreadsheet.batch_import`` (the same as ``manage.py
import_revaluation_journal``): the summary is its dry run, Apply runs it for real. Between the
two steps the uploaded file waits in the session.
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
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from revaluation.exceptions import RevaluationError
from revaluation.models import RevaluationBatch
from revaluation.rights import prepare_required
from revaluation.services.spreadsheet import (
    CONTENT_TYPES,
    FORMATS,
    ImportResult,
    SpreadsheetImportError,
    batch_export,
    batch_import,
    export_filename,
)

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
def revaluation_export(request: HttpRequest, batch_name: str, format: str) -> HttpResponse:
    if format not in FORMATS:
        raise Http404("Export as csv or xlsx.")
    batch = get_object_or_404(RevaluationBatch, pk=batch_name)
    response = HttpResponse(
        batch_export(batch_name=batch.name, format=format), content_type=CONTENT_TYPES[format]
    )
    filename = export_filename(batch_name=batch.name, format=format)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
@prepare_required
def revaluation_import(request: HttpRequest, batch_name: str) -> HttpResponse:
    """GET: the upload form. POST: check the file and show what it would change."""
    batch = get_object_or_404(RevaluationBatch, pk=batch_name)
    if request.method == "GET":
        return render(request, TEMPLATE, {"batch": batch, "form": UploadForm()})
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, TEMPLATE, {"batch": batch, "form": form}, status=422)
    upload = form.cleaned_data["file"]
    data = upload.read()
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
def revaluation_import_apply(request: HttpRequest, batch_name: str) -> HttpResponse:
    """Apply the file the summary showed (all rows or nothing)."""
    batch = get_object_or_404(RevaluationBatch, pk=batch_name)
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
    messages.success(request, _summary(stored["name"], result))
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


def _summary(file_name: str, result: ImportResult) -> str:
    changed, added = len(result.changed), len(result.added)
    return (
        f"Imported {file_name}: {changed} line{'' if changed == 1 else 's'} changed, "
        f"{added} added, {result.unchanged} unchanged."
    )
