"""Inventory Valuation (BC report 1001, COSTING-SPEC §12.1): one grouped query over value entries.

Figures are by *posting date*. For each item (and location) the report gives the opening
balance before the starting date, the increases and decreases of the period and the closing
balance, each as invoiced quantity and value and as quantity and value including expected cost.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TextIO

from django.db.models import Case, CharField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When

from inventory.amounts import ZERO
from inventory.display import plain_number
from inventory.models import ItemApplicationEntry, ItemLedgerEntryType, ValueEntry
from inventory.text import csv_safe

OPENING, INCREASES, DECREASES, CLOSING = "opening", "increases", "decreases", "closing"
BUCKETS = (OPENING, INCREASES, DECREASES)
FIGURES = ("quantity", "value", "quantity_expected", "value_expected")


@dataclass
class Figures:
    quantity: Decimal = ZERO  # invoiced quantity
    value: Decimal = ZERO  # Cost Amount (Actual)
    quantity_expected: Decimal = ZERO  # item ledger entry quantity (incl. not invoiced)
    value_expected: Decimal = ZERO  # actual + expected cost

    def add(self, other: Figures, sign: int = 1) -> None:
        self.quantity += sign * other.quantity
        self.value += sign * other.value
        self.quantity_expected += sign * other.quantity_expected
        self.value_expected += sign * other.value_expected


@dataclass
class ValuationRow:
    item_no: str
    description: str
    location_code: str | None  # None when the report is not by location
    opening: Figures = field(default_factory=Figures)
    increases: Figures = field(default_factory=Figures)
    decreases: Figures = field(default_factory=Figures)

    @property
    def closing(self) -> Figures:
        total = Figures()
        total.add(self.opening)
        total.add(self.increases)
        total.add(self.decreases, -1)
        return total


@dataclass
class ValuationReport:
    starting_date: date | None
    ending_date: date
    rows: list[ValuationRow]

    def total(self, bucket: str) -> Figures:
        figures = Figures()
        for row in self.rows:
            figures.add(getattr(row, bucket))
        return figures

    @property
    def closing(self) -> Figures:
        figures = Figures()
        for bucket in BUCKETS:
            figures.add(self.total(bucket), -1 if bucket == DECREASES else 1)
        return figures


def _bucketed(
    *,
    by_location: bool,
    ending_date: date,
    starting_date: date | None,
    item_nos: Iterable[str] | None,
    location_codes: Iterable[str] | None,
    variant_codes: Iterable[str] | None,
) -> QuerySet:
    entries = ValueEntry.objects.filter(posting_date__lte=ending_date)
    if item_nos:
        entries = entries.filter(item_id__in=list(item_nos))
    if location_codes is not None:
        location_codes = list(location_codes)
        entries = entries.filter(location_code__in=location_codes)
    if variant_codes:
        entries = entries.filter(variant_code__in=list(variant_codes))
    transfer_in = Q(
        item_ledger_entry_type=ItemLedgerEntryType.TRANSFER, item_ledger_entry__positive=True
    )
    increase = Q(
        item_ledger_entry_type__in=[
            ItemLedgerEntryType.PURCHASE,
            ItemLedgerEntryType.POSITIVE_ADJMT,
        ]
    )
    if by_location or location_codes is not None:
        # a transfer receipt from outside the location (filter) is an increase there
        source_location = ItemApplicationEntry.objects.filter(
            item_ledger_entry=OuterRef("item_ledger_entry"),
            inbound_item_entry=OuterRef("item_ledger_entry"),
        ).values("outbound_item_entry__location_code")[:1]
        entries = entries.annotate(source_location=Subquery(source_location))
        outside = (
            ~Q(source_location=F("location_code"))
            if by_location
            else ~Q(source_location__in=location_codes)
        )
        increase |= transfer_in & outside
    whens = [When(posting_date__lt=starting_date, then=Value(OPENING))] if starting_date else []
    return entries.annotate(
        bucket=Case(
            *whens,
            When(increase, then=Value(INCREASES)),
            default=Value(DECREASES),
            output_field=CharField(),
        )
    )


def inventory_valuation(
    *,
    ending_date: date,
    starting_date: date | None = None,
    by_location: bool = False,
    item_nos: Iterable[str] | None = None,
    location_codes: Iterable[str] | None = None,
    variant_codes: Iterable[str] | None = None,
) -> ValuationReport:
    entries = _bucketed(
        by_location=by_location,
        ending_date=ending_date,
        starting_date=starting_date,
        item_nos=item_nos,
        location_codes=location_codes,
        variant_codes=variant_codes,
    )
    keys = ["item_id", "item__description", "bucket"] + (["location_code"] if by_location else [])
    grouped = (
        entries.values(*keys)
        .annotate(
            quantity=Sum("invoiced_quantity"),
            value=Sum("cost_amount_actual"),
            quantity_expected=Sum("item_ledger_entry_quantity"),
            expected=Sum("cost_amount_expected"),
        )
        .order_by(*[k for k in keys if k != "bucket"])
    )
    rows: dict[tuple[str, str | None], ValuationRow] = {}
    for group in grouped:
        location = group["location_code"] if by_location else None
        key = (group["item_id"], location)
        row = rows.get(key)
        if row is None:
            row = rows[key] = ValuationRow(group["item_id"], group["item__description"], location)
        sign = -1 if group["bucket"] == DECREASES else 1
        getattr(row, group["bucket"]).add(
            Figures(
                quantity=group["quantity"],
                value=group["value"],
                quantity_expected=group["quantity_expected"],
                value_expected=group["value"] + group["expected"],
            ),
            sign,
        )
    return ValuationReport(
        starting_date, ending_date, [r for r in rows.values() if _has_figures(r)]
    )


def _has_figures(row: ValuationRow) -> bool:
    return any(
        value != 0
        for figures in (row.opening, row.increases, row.decreases)
        for value in (
            figures.quantity,
            figures.value,
            figures.quantity_expected,
            figures.value_expected,
        )
    )


def valuation_entries(
    *,
    item_no: str,
    bucket: str,
    ending_date: date,
    starting_date: date | None = None,
    by_location: bool = False,
    location_code: str | None = None,
    location_codes: Iterable[str] | None = None,
    variant_codes: Iterable[str] | None = None,
) -> QuerySet:
    """The value entries behind one figure of the report (the drill-down), by entry no.

    The arguments are the report's (``location_code``: the row's location when ``by_location``),
    so the entries are bucketed exactly as the report buckets them. ``bucket`` is one of
    ``BUCKETS`` or ``CLOSING`` (the entries of all three buckets).
    """
    entries = _bucketed(
        by_location=by_location,
        ending_date=ending_date,
        starting_date=starting_date,
        item_nos=[item_no],
        location_codes=location_codes,
        variant_codes=variant_codes,
    )
    if by_location:
        entries = entries.filter(location_code=location_code or "")
    buckets = BUCKETS if bucket == CLOSING else [bucket]
    return entries.filter(bucket__in=buckets).order_by("entry_no")


def valuation_records(report: ValuationReport) -> list[dict[str, str]]:
    """The report as CSV/JSON records (the command and the page's export): a row per item (and
    location) and a TOTAL row; each section's figures as plain decimals."""

    def record(item_no, description, location, sections) -> dict[str, str]:
        values = {"item_no": item_no, "description": description}
        if location is not None:
            values["location_code"] = location
        for section, figures in sections.items():
            for name in FIGURES:
                values[f"{section}_{name}"] = plain_number(getattr(figures, name))
        return values

    records = [
        record(
            row.item_no,
            row.description,
            row.location_code,
            {**{bucket: getattr(row, bucket) for bucket in BUCKETS}, CLOSING: row.closing},
        )
        for row in report.rows
    ]
    totals = {bucket: report.total(bucket) for bucket in BUCKETS}
    records.append(record("TOTAL", "", None, {**totals, CLOSING: report.closing}))
    return records


VALUATION_TEXT_COLUMNS = ("item_no", "description", "location_code")


def write_valuation_csv(file: TextIO, records: list[dict[str, str]]) -> None:
    """``valuation_records`` as CSV; text cells made safe for spreadsheets, numbers as numbers."""
    writer = csv.DictWriter(file, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    for values in records:
        writer.writerow(
            {
                name: csv_safe(value) if name in VALUATION_TEXT_COLUMNS else value
                for name, value in values.items()
            }
        )
