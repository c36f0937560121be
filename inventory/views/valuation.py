"""The Inventory Valuation report (spec §12.1) with its drill-down and CSV export."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from inventory import selectors
from inventory.forms import ValuationForm
from inventory.htmx import HtmxHttpRequest
from inventory.reports import (
    BUCKETS,
    CLOSING,
    DECREASES,
    FIGURES,
    INCREASES,
    OPENING,
    ValuationRow,
    inventory_valuation,
    valuation_entries,
    valuation_records,
    write_valuation_csv,
)
from inventory.views.links import admin_url

VALUATION_TEMPLATE = "inventory/valuation.html"
ENTRIES_TEMPLATE = "inventory/valuation_entries.html"
ENTRIES_PER_PAGE = 50
SECTION_LABELS = {
    OPENING: "Opening",
    INCREASES: "Increases",
    DECREASES: "Decreases",
    CLOSING: "Closing",
}
FIGURE_LABELS = {
    "quantity": "Quantity",
    "value": "Value",
    "quantity_expected": "Qty. incl. expected",
    "value_expected": "Value incl. expected",
}


@dataclass
class FigureCell:
    value: Decimal
    is_amount: bool
    expected: bool  # one of the "including expected cost" columns
    section_start: bool  # the first column of its section
    url: str = ""


@dataclass
class ValuationTableRow:
    item_no: str
    description: str
    location_code: str | None
    cells: list[FigureCell]


def _valuation_form(request: HttpRequest) -> ValuationForm:
    data = request.GET.copy()
    if "ending_date" not in data:
        data["ending_date"] = timezone.localdate().isoformat()
    return ValuationForm(data)


def _figure_names(expected: bool) -> tuple[str, ...]:
    return FIGURES if expected else FIGURES[:2]


def _sections(form: ValuationForm) -> tuple[str, ...]:
    """Opening only when there is a starting date (else it is all zero)."""
    sections = (*BUCKETS, CLOSING)
    return sections if form.cleaned_data["starting_date"] else sections[1:]


def _cells(figures_by_section, names, sections, url=None) -> list[FigureCell]:
    return [
        FigureCell(
            value=getattr(figures_by_section[section], name),
            is_amount=name.startswith("value"),
            expected=name.endswith("expected"),
            section_start=index == 0,
            url=url(section) if url else "",
        )
        for section in sections
        for index, name in enumerate(names)
    ]


def _report_query(form: ValuationForm) -> str:
    """The report's options as a query string (for links that reproduce the report)."""
    query = QueryDict(mutable=True)
    for name in ("starting_date", "ending_date", "items", "variants"):
        if form.data.get(name):
            query[name] = form.data[name]
    for name in ("by_location", "expected"):
        if form.cleaned_data.get(name):
            query[name] = "on"
    query.setlist("locations", form.cleaned_data.get("locations") or [])
    return query.urlencode()


@require_GET
@login_required
def valuation(request: HtmxHttpRequest) -> HttpResponse:
    """Inventory Valuation (spec §12.1): opening, increases, decreases and closing per item."""
    form = _valuation_form(request)
    context: dict[str, object] = {"form": form}
    status = 200
    if form.is_valid():
        report = inventory_valuation(**form.report_kwargs())
        expected = form.cleaned_data["expected"]
        names = _figure_names(expected)
        sections = _sections(form)
        query = _report_query(form)
        entries_url = reverse("inventory-valuation-entries")

        def drill_down(row: ValuationRow):
            params = {"item": row.item_no}
            if row.location_code is not None:
                params["row_location"] = row.location_code
            base = f"{entries_url}?{query}&{urlencode(params)}"
            return lambda section: f"{base}&bucket={section}"

        rows = [
            ValuationTableRow(
                row.item_no,
                row.description,
                row.location_code,
                _cells(
                    {**{b: getattr(row, b) for b in BUCKETS}, CLOSING: row.closing},
                    names,
                    sections,
                    drill_down(row),
                ),
            )
            for row in report.rows
        ]
        totals = {b: report.total(b) for b in BUCKETS}
        totals[CLOSING] = report.closing
        context |= {
            "report": report,
            "rows": rows,
            "total_cells": _cells(totals, names, sections),
            "sections": [(s, SECTION_LABELS[s]) for s in sections],
            "figure_labels": [FIGURE_LABELS[n] for n in names],
            "expected": expected,
            "by_location": form.cleaned_data["by_location"],
            "query": query,
            "toggle_expected_url": _toggle_expected_url(form, query),
        }
    else:
        status = 422
    template = f"{VALUATION_TEMPLATE}#valuation-report" if request.htmx else VALUATION_TEMPLATE
    return render(request, template, context, status=status)


def _toggle_expected_url(form: ValuationForm, query: str) -> str:
    params = QueryDict(query, mutable=True)
    if form.cleaned_data["expected"]:
        params.pop("expected", None)
    else:
        params["expected"] = "on"
    return f"{reverse('inventory-valuation')}?{params.urlencode()}"


@require_GET
@login_required
def valuation_export(request: HttpRequest) -> HttpResponse:
    """The report as CSV, with the columns of ``manage.py inventory_valuation``."""
    form = _valuation_form(request)
    if not form.is_valid():
        return HttpResponse(
            "Invalid report options: " + form.errors.as_text(),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    report = inventory_valuation(**form.report_kwargs())
    records = valuation_records(report)
    ending = form.cleaned_data["ending_date"].isoformat()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="inventory-valuation-{ending}.csv"'
    write_valuation_csv(response, records)
    return response


@require_GET
@login_required
def valuation_entries_list(request: HttpRequest) -> HttpResponse:
    """The value entries behind one figure of the report (the drill-down), paginated."""
    form = _valuation_form(request)
    item_no = request.GET.get("item", "")
    bucket = request.GET.get("bucket", "")
    if not form.is_valid() or not item_no or bucket not in SECTION_LABELS:
        raise Http404("Choose a figure of the Inventory Valuation report.")
    data = form.cleaned_data
    by_location = data["by_location"]
    location_code = request.GET.get("row_location", "") if by_location else None
    entries = valuation_entries(
        item_no=item_no,
        bucket=bucket,
        ending_date=data["ending_date"],
        starting_date=data["starting_date"],
        by_location=by_location,
        location_code=location_code,
        location_codes=data["location_codes"],
        variant_codes=data["variant_codes"],
    )
    totals = selectors.valuation_entry_totals(entries=entries)
    sign = -1 if bucket == DECREASES else 1  # the report shows decreases as positive figures
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "item_no": item_no,
        "location_code": location_code,
        "bucket": bucket,
        "section": SECTION_LABELS[bucket],
        "page": page,
        "query": query.urlencode(),
        "report_url": f"{reverse('inventory-valuation')}?{_report_query(form)}",
        "figures": {name: sign * totals[name] for name in FIGURES},
        "totals": totals,
        "sign": sign,
        "value_entry_admin": admin_url(request, "admin:inventory_valueentry_changelist"),
        "ile_admin": admin_url(request, "admin:inventory_itemledgerentry_changelist"),
    }
    return render(request, ENTRIES_TEMPLATE, context)
