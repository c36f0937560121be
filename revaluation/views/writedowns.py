"""Year-end write-down pages (issue 13): the write-down report (printable, CSV, XLSX) and the
selling prices with their CSV/XLSX upload (all or nothing, every rejected row listed)."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from inventory.access import accountant_required
from revaluation import selectors
from revaluation.exceptions import RevaluationError
from revaluation.services.selling_prices import COLUMNS as PRICE_COLUMNS
from revaluation.services.selling_prices import selling_prices_import
from revaluation.services.spreadsheet import (
    CONTENT_TYPES,
    SpreadsheetImportError,
    format_from_file_name,
)
from revaluation.services.writedown_report import report_csv, report_xlsx, writedown_report
from revaluation.views.spreadsheet import MAX_UPLOAD_BYTES

PRICES_SHOWN = 200


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        label=gettext_lazy("Posting date"), widget=forms.DateInput(attrs={"type": "date"})
    )


@require_GET
@login_required
def writedown_report_view(request: HttpRequest) -> HttpResponse:
    form = AsOfForm(request.GET or None)
    as_of: datetime.date | None = None
    if form.is_valid():
        as_of = form.cleaned_data["as_of"]
    elif not request.GET:
        as_of = datetime.date(timezone.localdate().year - 1, 12, 31)
        form = AsOfForm(initial={"as_of": as_of})
    report = writedown_report(as_of=as_of) if as_of else None
    export = request.GET.get("format")
    if report is not None and export in CONTENT_TYPES:
        data = report_csv(report) if export == "csv" else report_xlsx(report)
        response = HttpResponse(data, content_type=CONTENT_TYPES[export])
        response["Content-Disposition"] = (
            f'attachment; filename="writedowns-{report.as_of.isoformat()}.{export}"'
        )
        return response
    return render(request, "revaluation/writedown_report.html", {"form": form, "report": report})


class PriceUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Selling prices file"),
        help_text=format_lazy(
            gettext_lazy("CSV or XLSX with the columns {columns}."), columns=",".join(PRICE_COLUMNS)
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


@require_http_methods(["GET", "POST"])
@login_required
@accountant_required(
    refused=gettext_lazy("Only accountants may change selling prices."), methods=("POST",)
)
def selling_price_list(request: HttpRequest) -> HttpResponse:
    """The prices (newest first) and the upload; POST imports a file, all or nothing."""
    can_edit = selectors.can_post_journals(request.user)
    form = PriceUploadForm()
    problems: list = []
    status = 200
    if request.method == "POST":
        form = PriceUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = selling_prices_import(
                    data=upload.read(), format=format_from_file_name(upload.name)
                )
            except SpreadsheetImportError as error:
                problems, status = error.problems, 422
            except RevaluationError as error:
                form.add_error("file", error.message)
                status = 422
            else:
                messages.success(
                    request,
                    _(
                        "%(file)s: %(created)s created, %(updated)s updated, "
                        "%(unchanged)s unchanged."
                    )
                    % {
                        "file": upload.name,
                        "created": result.created,
                        "updated": result.updated,
                        "unchanged": result.unchanged,
                    },
                )
                return redirect("revaluation-selling-prices")
        else:
            status = 422
    prices = selectors.selling_price_list()
    context = {
        "form": form,
        "problems": problems,
        "prices": prices[:PRICES_SHOWN],
        "price_count": prices.count(),
        "can_edit": can_edit,
        "columns": ",".join(PRICE_COLUMNS),
    }
    return render(request, "revaluation/selling_prices.html", context, status=status)
