"""Expected selling prices and costs to sell (issue 13 part 1): the import behind
``manage.py import_selling_prices`` and the upload page.

File: a header row, then one row per price, columns (any order, names case-insensitive)::

    item_no,location_code,variant_code,valid_from,selling_price,cost_to_sell,cost_to_sell_percent

``item_no``, ``valid_from`` (YYYY-MM-DD) and ``selling_price`` are required in every row;
blank codes mean "all locations/variants", blank costs 0. A row for an item, location, variant
and valid-from date that exists replaces its amounts. Rows are numbered as in a spreadsheet
(header = row 1). Every problem of every row is listed; a file with any problem changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from inventory.amounts import MAX_ABS_VALUE
from inventory.csvio import RowError, parse_date, parse_decimal
from inventory.models import InventorySetup, Item, ItemVariant, Location
from inventory.text import csv_unsafe
from revaluation.models import SellingPrice
from revaluation.services.spreadsheet import RowProblem, SpreadsheetImportError, file_records

COLUMNS = (
    "item_no",
    "location_code",
    "variant_code",
    "valid_from",
    "selling_price",
    "cost_to_sell",
    "cost_to_sell_percent",
)
REQUIRED = ("item_no", "valid_from", "selling_price")
AMOUNTS = ("selling_price", "cost_to_sell", "cost_to_sell_percent")


@dataclass
class SellingPriceImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _header_problems(header: list[str]) -> list[str]:
    problems = []
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        problems.append(
            _("Column(s) repeated in the header: %(columns)s.") % {"columns": ", ".join(repeated)}
        )
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        problems.append(_("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)})
    unknown = [name or "(blank)" for name in header if name not in COLUMNS]
    if unknown:
        problems.append(
            _("Unknown column(s): %(columns)s (expected %(expected)s).")
            % {"columns": ", ".join(unknown), "expected": ",".join(COLUMNS)}
        )
    return problems


def _amount(cells: dict[str, str], column: str, row_no: int, places: Decimal) -> Decimal:
    value = parse_decimal(cells[column], line_no=row_no, field=column)
    if value is None:
        if column in REQUIRED:
            raise RowError(_("must have a value."), line_no=row_no, field=column)
        return Decimal(0)
    if value < 0:
        raise RowError(_("must not be negative."), line_no=row_no, field=column)
    if column == "cost_to_sell_percent" and value > 100:
        raise RowError(_("must be at most 100."), line_no=row_no, field=column)
    if value >= MAX_ABS_VALUE:
        raise RowError(_("is too large."), line_no=row_no, field=column)
    if value % places:
        raise RowError(
            _("can have at most the precision %(places)s.") % {"places": places},
            line_no=row_no,
            field=column,
        )
    return value


@dataclass
class _KnownCodes:
    items: set[str]
    locations: set[str]
    variants: set[tuple[str, str]]


def _read_row(
    row: dict[str, str], row_no: int, known: _KnownCodes, unit: Decimal
) -> tuple[list[RowProblem], date | None, dict[str, Decimal]]:
    """One row's problems, valid-from date and amounts."""
    problems: list[RowProblem] = []
    item_no, location, variant = row["item_no"], row["location_code"], row["variant_code"]
    if not item_no:
        problems.append(RowProblem(row_no, _("must have a value."), "item_no"))
    elif item_no not in known.items:
        problems.append(
            RowProblem(row_no, _("There is no item %(no)s.") % {"no": item_no}, "item_no")
        )
    if location and location not in known.locations:
        problems.append(
            RowProblem(
                row_no, _("There is no location %(code)s.") % {"code": location}, "location_code"
            )
        )
    if variant and item_no in known.items and (item_no, variant) not in known.variants:
        problems.append(
            RowProblem(
                row_no,
                _("Item %(no)s has no variant %(code)s.") % {"no": item_no, "code": variant},
                "variant_code",
            )
        )
    values: dict[str, Decimal] = {}
    valid_from = None
    try:
        valid_from = parse_date(row["valid_from"], line_no=row_no, field="valid_from")
        if valid_from is None:
            raise RowError(_("must have a value."), line_no=row_no, field="valid_from")
    except RowError as exc:
        problems.append(RowProblem(row_no, exc.message, exc.field))
    for column in AMOUNTS:
        places = Decimal("0.0001") if column == "cost_to_sell_percent" else unit
        try:
            values[column] = _amount(row, column, row_no, places)
        except RowError as exc:
            problems.append(RowProblem(row_no, exc.message, exc.field))
    return problems, valid_from, values


def selling_prices_import(*, data: bytes, format: str) -> SellingPriceImportResult:
    """Create or replace the prices of the file, all or nothing (``SpreadsheetImportError``
    lists every problem)."""
    records = file_records(format=format, data=data)
    if not records or not any(cell.strip() for cell in records[0]):
        raise SpreadsheetImportError(
            [
                RowProblem(
                    None,
                    _("The file is empty: the first row must be (%(columns)s).")
                    % {"columns": ",".join(COLUMNS)},
                )
            ]
        )
    header = [name.strip().lower() for name in records[0]]
    while header and header[-1] == "":
        header.pop()
    if header_problems := _header_problems(header):
        raise SpreadsheetImportError([RowProblem(None, message) for message in header_problems])
    unit = InventorySetup.get().precision.unit_amount
    known = _KnownCodes(
        items=set(Item.objects.values_list("no", flat=True)),
        locations=set(Location.objects.values_list("code", flat=True)),
        variants=set(ItemVariant.objects.values_list("item_id", "code")),
    )
    problems: list[RowProblem] = []
    parsed: dict[tuple, tuple[int, dict[str, Decimal]]] = {}
    for row_no, record in enumerate(records[1:], start=2):
        cells = [csv_unsafe(cell.strip()) for cell in record]
        if not any(cells):
            continue
        if any(cells[len(header) :]):
            problems.append(
                RowProblem(
                    row_no,
                    _("has %(cells)s cells but the header has %(header)s.")
                    % {"cells": len(cells), "header": len(header)},
                )
            )
            continue
        row = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))
        row_problems, valid_from, values = _read_row(row, row_no, known, unit)
        if row_problems:
            problems += row_problems
            continue
        item_no, location, variant = row["item_no"], row["location_code"], row["variant_code"]
        key = (item_no, location, variant, valid_from)
        if key in parsed:
            problems.append(
                RowProblem(
                    row_no,
                    _("The same price is also in row %(row)s.") % {"row": parsed[key][0]},
                    "valid_from",
                )
            )
            continue
        parsed[key] = (row_no, values)
    if problems:
        raise SpreadsheetImportError(problems)
    return _save(parsed)


@transaction.atomic
def _save(parsed: dict[tuple, tuple[int, dict[str, Decimal]]]) -> SellingPriceImportResult:
    result = SellingPriceImportResult()
    for (item_no, location, variant, valid_from), (_row_no, values) in parsed.items():
        price, created = SellingPrice.objects.select_for_update().get_or_create(
            item_id=item_no,
            location_code=location,
            variant_code=variant,
            valid_from=valid_from,
            defaults=values,
        )
        if created:
            result.created += 1
        elif all(getattr(price, name) == value for name, value in values.items()):
            result.unchanged += 1
        else:
            for name, value in values.items():
                setattr(price, name, value)
            price.save(update_fields=list(values))
            result.updated += 1
    return result
