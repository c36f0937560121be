"""General ledger pages: Post Inventory Cost to G/L (test listing, background run with progress),
the Inventory – G/L reconciliation with its drill-down, and the G/L entries with CSV/XLSX export.

Looking is open to every signed-in user; starting a posting run needs the posting right
(``selectors.can_post_journals``), checked here in the view.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from inventory import selectors
from inventory.access import accountant_required
from inventory.exceptions import PostingError
from inventory.gl_export import (
    GL_EXPORT_COLUMNS,
    UnbalancedDocument,
    gl_export_rows,
    write_gl_csv,
    write_gl_xlsx,
)
from inventory.models import GLRole
from inventory.reconciliation import account_balances, reconcile
from inventory.services import gl_posting_runs
from inventory.services.gl_posting import PER_ENTRY, PER_POSTING_GROUP, post_inventory_cost_to_gl
from inventory.services.jobs import job_retire_if_abandoned

POST_TEMPLATE = "inventory/gl_post.html"
TEST_LINES_SHOWN = 200
PER_PAGE = 50
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GLPostForm(forms.Form):
    per = forms.ChoiceField(
        label=gettext_lazy("Posting method"),
        choices=[
            (PER_ENTRY, gettext_lazy("Per entry")),
            (PER_POSTING_GROUP, gettext_lazy("Per posting group")),
        ],
        initial=PER_ENTRY,
    )
    document_no = forms.CharField(
        label=gettext_lazy("Document No."),
        max_length=20,
        required=False,
        help_text=gettext_lazy("Required per posting group."),
    )

    def clean(self):
        data = super().clean()
        if data.get("per") == PER_POSTING_GROUP and not data.get("document_no", "").strip():
            self.add_error("document_no", _("Please enter a Document No."))  # E-53
        return data


class AsOfForm(forms.Form):
    as_of = forms.DateField(label=gettext_lazy("As of"), widget=DATE_WIDGET)


class DateRangeForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("From"), widget=DATE_WIDGET)
    date_to = forms.DateField(label=gettext_lazy("To"), widget=DATE_WIDGET)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The To date must not be before the From date."))
        return data


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _post_context(request: HttpRequest, form: GLPostForm, test=None) -> dict:
    runs = selectors.gl_posting_run_list()
    for run in runs:
        job_retire_if_abandoned(run)
    return {
        "form": form,
        "runs": runs,
        "active_run": next((run for run in runs if run.is_active), None),
        "outstanding": gl_posting_runs.outstanding_count(),
        "can_edit": selectors.can_post_journals(request.user),
        "test": test,
        "test_lines": test.lines[:TEST_LINES_SHOWN] if test else [],
        "highlight": request.GET.get("run", ""),
    }


@require_GET
@login_required
def gl_post(request: HttpRequest) -> HttpResponse:
    """The page; with ``test=1`` the would-be G/L entries and the skipped value entries."""
    if request.GET.get("test"):
        form = GLPostForm(request.GET)
        if not form.is_valid():
            return render(request, POST_TEMPLATE, _post_context(request, form), status=422)
        test = post_inventory_cost_to_gl(
            per=form.cleaned_data["per"], document_no=form.cleaned_data["document_no"], test=True
        )
        return render(request, POST_TEMPLATE, _post_context(request, form, test))
    return render(request, POST_TEMPLATE, _post_context(request, GLPostForm()))


@require_POST
@login_required
@accountant_required(refused=gettext_lazy("Only accountants may post to the general ledger."))
def gl_post_start(request: HttpRequest) -> HttpResponse:
    form = GLPostForm(request.POST)
    if not form.is_valid():
        return render(request, POST_TEMPLATE, _post_context(request, form), status=422)
    try:
        run = gl_posting_runs.gl_posting_run_start(
            user=request.user,
            per=form.cleaned_data["per"],
            document_no=form.cleaned_data["document_no"],
        )
    except (PostingError, gl_posting_runs.GLPostingRunActive) as refused:
        messages.error(request, getattr(refused, "message", str(refused)))
        return redirect("gl-post")
    messages.success(
        request, _("Post Inventory Cost to G/L run %(run)s started.") % {"run": run.pk}
    )
    return redirect(f"{reverse('gl-post')}?run={run.pk}#run-{run.pk}")


@require_GET
@login_required
def gl_posting_run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """The polled card of one run."""
    run = selectors.gl_posting_run_get(pk=run_id)
    if run is None:
        raise Http404("No such run.")
    job_retire_if_abandoned(run)
    return render(request, f"{POST_TEMPLATE}#run-card", {"run": run})


@require_GET
@login_required
def gl_reconciliation(request: HttpRequest) -> HttpResponse:
    form = AsOfForm(request.GET or {"as_of": timezone.localdate().isoformat()})
    rows, balances = [], []
    if form.is_valid():
        as_of = form.cleaned_data["as_of"]
        rows = reconcile(as_of)
        balances = account_balances(as_of)
    return render(
        request,
        "inventory/gl_reconciliation.html",
        {
            "form": form,
            "role_rows": [row for row in rows if row.level == "role"],
            "item_rows": [row for row in rows if row.level == "item"],
            "balances": balances,
            "roles": dict(GLRole.choices),
        },
        status=200 if form.is_valid() else 422,
    )


@require_GET
@login_required
def gl_drilldown(request: HttpRequest) -> HttpResponse:
    """The value entries and G/L entries behind one reconciliation row."""
    form = AsOfForm(request.GET)
    role = request.GET.get("role", "")
    if not form.is_valid() or role not in GLRole.values:
        raise Http404(_("Choose a row of the reconciliation."))
    as_of = form.cleaned_data["as_of"]
    filters = {}
    for name in ("location_code", "inventory_posting_group"):
        if name in request.GET:
            filters[name] = request.GET[name]
    item_no = request.GET.get("item", "")
    ves, gl = selectors.gl_drilldown_entries(
        as_of=as_of, role=role, item_no=item_no, filters=filters
    )
    return render(
        request,
        "inventory/gl_drilldown.html",
        {
            "as_of": as_of,
            "role": role,
            "role_label": GLRole(role).label,
            "filters": filters,
            "item_no": item_no,
            "ve_page": Paginator(ves, PER_PAGE).get_page(request.GET.get("ve_page")),
            "gl_page": Paginator(gl, PER_PAGE).get_page(request.GET.get("gl_page")),
            "expected": role == GLRole.INVENTORY_INTERIM,
            "query": _query_without(request, "ve_page", "gl_page"),
        },
    )


@require_GET
@login_required
def gl_entries(request: HttpRequest) -> HttpResponse:
    """G/L entries of a date range, paginated, with the CSV and XLSX export."""
    today = timezone.localdate()
    form = DateRangeForm(
        request.GET or {"date_from": today.replace(month=1, day=1), "date_to": today}
    )
    export = request.GET.get("format", "")
    if not form.is_valid():
        if export:
            return HttpResponse(
                "Invalid dates: " + form.errors.as_text(),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return render(request, "inventory/gl_entries.html", {"form": form}, status=422)
    date_from: datetime.date = form.cleaned_data["date_from"]
    date_to: datetime.date = form.cleaned_data["date_to"]
    if export in ("csv", "xlsx"):
        try:
            rows = gl_export_rows(date_from, date_to)
        except UnbalancedDocument as refused:
            return HttpResponse(str(refused), status=409, content_type="text/plain; charset=utf-8")
        name = f"gl-entries-{date_from.isoformat()}-{date_to.isoformat()}.{export}"
        if export == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            write_gl_csv(response, rows)
        else:
            response = HttpResponse(
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
            write_gl_xlsx(response, rows)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    entries = selectors.gl_entry_list(date_from=date_from, date_to=date_to)
    query = _query_without(request, "page")
    return render(
        request,
        "inventory/gl_entries.html",
        {
            "form": form,
            "page": Paginator(entries, PER_PAGE).get_page(request.GET.get("page")),
            "query": query,
            "columns": GL_EXPORT_COLUMNS,
        },
    )
