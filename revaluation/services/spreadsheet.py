"""A revaluation batch as a spreadsheet: export to CSV or XLSX, edit, import back (COSTING-SPEC §5).

File layout (both formats)
    One header row, then one row per line of the batch in line-number order. The columns, in
    this order (on import the order does not matter, names are matched case-insensitively after
    trimming, and a missing, unknown or repeated column rejects the file)::

        line_key,item_no,variant_code,location_code,applies_to_entry,posting_date,document_no,
        quantity,unit_cost_calculated,inventory_value_calculated,unit_cost_revalued,
        inventory_value_revalued,amount,reason_code

    * ``line_key``: ``<id>v<version>`` of the line, e.g. ``17v3``. The id never comes back once
      the line is posted or deleted, and the version grows with every change, so an import can
      tell a line that is gone or that someone changed after the export.
    * Decimals are plain text, never an exponent, never a float: amounts (inventory values,
      amount) with the decimals of the Amount Rounding Precision (``170.00``), unit costs with
      those of the Unit-Amount Rounding Precision (``11.33333``), more only if the value has more;
      quantities without trailing zeros (``15``). Dates ``YYYY-MM-DD``; entry numbers as whole
      numbers (0 = none); codes as stored.
    * CSV: UTF-8 without byte-order mark (one is accepted on import), comma-separated, ``\\n``
      line ends. A text cell that a spreadsheet would run as a formula (it begins with ``=``,
      ``+``, ``-``, ``@``, a tab or CR) gets a ``'`` in front; the import takes it off again.
      XLSX: one worksheet; quantities, costs, amounts and entry numbers are number cells with
      number formats (a column sums in Excel), the posting date a date cell, the line key and
      the codes text cells (format ``@``, so that ``0100`` stays ``0100``); the editable columns
      have a white background, the others grey.
    * ``reason_code`` (added last, so the older columns keep their places) is the line's Reason
      Code, blank for none. It is optional on import: a file without the column leaves the
      lines' codes as they are. Numbers are read back through their shortest
      decimal representation, so an unedited file imports as unchanged.

Import rules
    * ``unit_cost_revalued`` and ``inventory_value_revalued`` are the editable columns. A value
      that differs from the line's current value (compared as numbers: ``14`` = ``14.00000``) is
      applied exactly as if typed in the journal (``lines.apply_edit``): a typed unit cost is kept
      and the inventory value follows, a typed inventory value recomputes the unit cost. Both
      changed: accepted when they agree (IV = R(unit cost x quantity): the unit cost is taken as
      typed; else unit cost = RU(IV / quantity): the value is taken as typed), otherwise the row is
      rejected. A blank editable cell means "not changed". Unchanged rows change nothing.
    * ``reason_code`` is editable too: blank or an existing Reason Code; it replaces the line's.
    * Every other column is read-only and must keep its exported value; ``amount`` may also show
      the amount that results from the edit.
    * A row with an empty ``line_key`` adds a manual per-entry line (spec §5.7): ``item_no`` and
      ``applies_to_entry`` are required, ``document_no`` is optional (blank: the previous line's),
      a revalued value may be given; the other columns may be left blank. The batch may not
      already hold a line for that item and entry (this catches a file imported twice).
    * Lines of the batch that the file does not mention are left as they are.
    * Rows are numbered as in the spreadsheet: the header is row 1. Rows whose cells are all
      blank are skipped. Every problem of every row is collected; a file with any problem changes
      nothing (one transaction) and ``SpreadsheetImportError.problems`` lists them all.
    * Each changed line's version is incremented; added lines start at version 1.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from inventory.amounts import Precision, decimal_places
from inventory.csvio import (
    RowError,
    check_length,
    format_decimal,
    parse_date,
    parse_decimal,
    parse_int,
)
from inventory.models import InventorySetup, Item
from inventory.text import csv_safe, csv_unsafe, shorten
from revaluation.exceptions import RevaluationError
from revaluation.models import RevaluationBatch, RevaluationLine
from revaluation.services.lines import (
    CHANGED_BY_EDIT,
    INVENTORY_VALUE_REVALUED,
    UNIT_COST_REVALUED,
    apply_edit,
    changed_cells,
    check_reason_code,
    line_create_manual,
    parse_amount,
)

REASON_CODE = "reason_code"
COLUMNS = (
    "line_key",
    "item_no",
    "variant_code",
    "location_code",
    "applies_to_entry",
    "posting_date",
    "document_no",
    "quantity",
    "unit_cost_calculated",
    "inventory_value_calculated",
    UNIT_COST_REVALUED,
    INVENTORY_VALUE_REVALUED,
    "amount",
    REASON_CODE,
)
EDITABLE_COLUMNS = (UNIT_COST_REVALUED, INVENTORY_VALUE_REVALUED, REASON_CODE)
OPTIONAL_COLUMNS = (REASON_CODE,)  # files exported before the column existed still import

FORMAT_CSV = "csv"
FORMAT_XLSX = "xlsx"
FORMATS = (FORMAT_CSV, FORMAT_XLSX)
CONTENT_TYPES = {
    FORMAT_CSV: "text/csv; charset=utf-8",
    FORMAT_XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

_KEY = re.compile(r"(\d{1,18})v(\d{1,9})", re.IGNORECASE)
_TEXT_COLUMNS = ("item_no", "variant_code", "location_code", "document_no")
# Read-only decimal columns (named like the line's fields).
_READ_ONLY_DECIMALS = ("quantity", "unit_cost_calculated", "inventory_value_calculated")


# --------------------------------------------------------------------------- results and errors


@dataclass(frozen=True)
class RowProblem:
    """Why a row (``row`` = its number in the sheet, header = 1) or the whole file (``row`` None)
    was rejected; ``column`` names the cell at fault when there is one."""

    row: int | None
    message: str
    column: str | None = None

    def __str__(self) -> str:
        where = [_("Row %(row)s") % {"row": self.row}] if self.row is not None else []
        if self.column:
            where.append(self.column)
        return f"{', '.join(where)}: {self.message}" if where else self.message


class SpreadsheetImportError(RevaluationError):
    """The file was rejected and nothing was changed; ``problems`` lists every reason."""

    def __init__(self, problems: list[RowProblem]):
        self.problems = problems
        rows = {problem.row for problem in problems if problem.row is not None}
        if not rows:
            message = " ".join(problem.message for problem in problems)
        else:
            message = ngettext(
                "%(count)s row rejected; nothing was imported.",
                "%(count)s rows rejected; nothing was imported.",
                len(rows),
            ) % {"count": len(rows)}
        super().__init__(message)


@dataclass(frozen=True)
class LineChange:
    """What an import does to one line (``before`` None: the line is added)."""

    row: int
    line_no: int
    item_no: str
    applies_to_entry: int
    before: tuple[Decimal, Decimal, Decimal] | None  # unit cost, inventory value, amount
    after: tuple[Decimal, Decimal, Decimal]


@dataclass
class ImportResult:
    """Line numbers of the lines changed and added, how many rows changed nothing, and the
    changes themselves (for a summary before applying)."""

    changed: list[int] = field(default_factory=list)
    added: list[int] = field(default_factory=list)
    unchanged: int = 0
    changes: list[LineChange] = field(default_factory=list)


def import_summary(file_name: str, result: ImportResult) -> str:
    """What an applied import did, in one sentence."""
    changed, added = len(result.changed), len(result.added)
    return (
        f"Imported {file_name}: {changed} line{'' if changed == 1 else 's'} changed, "
        f"{added} added, {result.unchanged} unchanged."
    )


# An import's outcome as JSON for a background job (``BatchJob.result``): decimals as text.


def _decimals_json(values: tuple[Decimal, ...] | None) -> list[str] | None:
    return None if values is None else [str(value) for value in values]


def _decimals(values: list[str] | None) -> tuple[Decimal, Decimal, Decimal] | None:
    if values is None:
        return None
    uc, iv, amount = (Decimal(value) for value in values)
    return uc, iv, amount


def import_result_json(result: ImportResult) -> dict:
    return {
        "changed": result.changed,
        "added": result.added,
        "unchanged": result.unchanged,
        "changes": [
            {
                "row": change.row,
                "line_no": change.line_no,
                "item_no": change.item_no,
                "applies_to_entry": change.applies_to_entry,
                "before": _decimals_json(change.before),
                "after": _decimals_json(change.after),
            }
            for change in result.changes
        ],
    }


def import_result_from_json(data: dict) -> ImportResult:
    changes = []
    for change in data["changes"]:
        after = _decimals(change["after"])
        assert after is not None
        changes.append(
            LineChange(
                change["row"],
                change["line_no"],
                change["item_no"],
                change["applies_to_entry"],
                _decimals(change["before"]),
                after,
            )
        )
    return ImportResult(data["changed"], data["added"], data["unchanged"], changes)


def problems_json(problems: list[RowProblem]) -> list[dict]:
    return [dataclasses.asdict(problem) for problem in problems]


def problems_from_json(data: list[dict]) -> list[RowProblem]:
    return [RowProblem(**problem) for problem in data]


def line_key(line: RevaluationLine) -> str:
    return f"{line.pk}v{line.version}"


def export_filename(*, batch_name: str, format: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", batch_name) or "batch"
    return f"revaluation-{safe}.{format}"


def format_from_file_name(file_name: str) -> str:
    """``.csv`` or ``.xlsx`` (any case); anything else is refused."""
    suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if suffix not in FORMATS:
        raise _file_error("The file must be a .csv or .xlsx file.")
    return suffix


# --------------------------------------------------------------------------- export


def _fixed(value: Decimal, precision: Decimal) -> str:
    """``value`` with the decimals of ``precision`` (more if it has more), plain notation."""
    places = max(decimal_places(precision), decimal_places(value))
    text = format(value.quantize(Decimal(1).scaleb(-places)), "f")
    return text[1:] if text.startswith("-") and Decimal(text) == 0 else text


def export_rows(*, batch_name: str) -> list[list[str]]:
    """The header and one row of text cells per line of the batch."""
    if not RevaluationBatch.objects.filter(name=batch_name).exists():
        raise RevaluationError(
            _("The revaluation batch %(name)s does not exist.") % {"name": batch_name},
            field="batch",
        )
    p = InventorySetup.get().precision
    rows = [list(COLUMNS)]
    lines = RevaluationLine.objects.filter(batch_id=batch_name).order_by("line_no")
    for line in lines.iterator(chunk_size=2000):
        rows.append(
            [
                line_key(line),
                line.item_id,
                line.variant_code,
                line.location_code,
                str(line.applies_to_entry),
                line.posting_date.isoformat(),
                line.document_no,
                format_decimal(line.quantity),
                _fixed(line.unit_cost_calculated, p.unit_amount),
                _fixed(line.inventory_value_calculated, p.amount),
                _fixed(line.unit_cost_revalued, p.unit_amount),
                _fixed(line.inventory_value_revalued, p.amount),
                _fixed(line.amount, p.amount),
                line.reason_code,
            ]
        )
    return rows


def batch_export(*, batch_name: str, format: str) -> bytes:
    """The batch's lines as a CSV or XLSX file (see the module docstring)."""
    if format not in FORMATS:
        raise RevaluationError(
            _("Unknown format %(format)s: use csv or xlsx.") % {"format": repr(format)},
            field="format",
        )
    rows = export_rows(batch_name=batch_name)
    if format == FORMAT_CSV:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(rows[0])
        for values in rows[1:]:
            writer.writerow(
                csv_safe(value) if column in (*_TEXT_COLUMNS, REASON_CODE) else value
                for column, value in zip(COLUMNS, values, strict=True)
            )
        return text.getvalue().encode("utf-8")
    return _xlsx_bytes(batch_name, rows)


def _number_format(places: int, *, at_least: int = 0) -> str:
    """An Excel number format with thousands separators and ``at_least`` to ``places``
    decimals: ``#,##0.00###`` for 2 to 5."""
    if places == 0:
        return "#,##0"
    return "#,##0." + "0" * min(at_least, places) + "#" * max(places - at_least, 0)


# Excel shows number formats with the reader's own separators (1.234,56 in a Dutch Excel); the
# date format is the exporting user's language's.
_XLSX_DATE_FORMATS = {"nl": "dd-mm-yyyy"}


def _xlsx_formats(p: Precision) -> dict[str, str]:
    """The number format of each numeric column (the others are text or dates)."""
    amount = _number_format(decimal_places(p.amount), at_least=decimal_places(p.amount))
    unit = _number_format(max(decimal_places(p.unit_amount), 2), at_least=2)
    return {
        "applies_to_entry": "0",
        "posting_date": _XLSX_DATE_FORMATS.get(get_language() or "", "yyyy-mm-dd"),
        "quantity": _number_format(5),
        "unit_cost_calculated": unit,
        "inventory_value_calculated": amount,
        UNIT_COST_REVALUED: unit,
        INVENTORY_VALUE_REVALUED: amount,
        "amount": amount,
    }


def _xlsx_value(column: str, text: str):
    """The typed value of an exported cell: numbers as numbers (so that a column sums in Excel),
    the posting date as a date, codes and the line key as text."""
    if column == "applies_to_entry":
        return int(text)
    if column == "posting_date":
        return datetime.date.fromisoformat(text)
    if column in _TEXT_COLUMNS or column in ("line_key", REASON_CODE):
        return text
    return Decimal(text)


UNLOCKED = Protection(locked=False)


def _protect(sheet: Worksheet) -> None:
    """Lock the read-only cells (sheet protection without a password: it guards against typing
    in the wrong column, not against a user who means to). The columns' own style is unlocked,
    so the empty rows below the lines take manual lines; sorting, filtering and resizing stay
    allowed."""
    for col_no in range(1, len(COLUMNS) + 1):
        sheet.column_dimensions[get_column_letter(col_no)].protection = UNLOCKED
    protection = sheet.protection
    protection.sheet = True
    protection.sort = protection.autoFilter = False
    protection.formatColumns = protection.formatRows = protection.formatCells = False


def _xlsx_bytes(batch_name: str, rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook has one worksheet
    sheet.title = re.sub(r"[\[\]:*?/\\]", "_", batch_name)[:31] or "Revaluation"
    read_only_fill = PatternFill("solid", fgColor="EEEEEE")
    bold = Font(bold=True)
    formats = _xlsx_formats(InventorySetup.get().precision)
    for row_no, values in enumerate(rows, start=1):
        for col_no, text in enumerate(values, start=1):
            column = COLUMNS[col_no - 1]
            if row_no == 1:
                sheet.cell(row=row_no, column=col_no, value=text).font = bold
                continue
            cell = sheet.cell(row=row_no, column=col_no, value=_xlsx_value(column, text))
            if column in formats:
                cell.number_format = formats[column]
            else:
                cell.data_type = "s"  # text, even a code that starts with "=" (never a formula)
                cell.number_format = "@"
            if column in EDITABLE_COLUMNS:
                cell.protection = UNLOCKED
            else:
                cell.fill = read_only_fill
    _protect(sheet)
    for col_no, name in enumerate(COLUMNS, start=1):
        width = max(len(name), *(len(values[col_no - 1]) for values in rows)) + 2
        sheet.column_dimensions[get_column_letter(col_no)].width = width
    sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- reading a file


def _file_error(message: str) -> SpreadsheetImportError:
    return SpreadsheetImportError([RowProblem(None, message)])


def _csv_records(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(
            _("The file is not UTF-8 text: %(reason)s.") % {"reason": exc.reason}
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records = []
    try:
        for record in reader:
            records.append(record)
    except csv.Error as exc:
        raise _file_error(
            _("Row %(row)s: %(problem)s.") % {"row": len(records) + 1, "problem": exc}
        ) from exc
    return records


def _cell_text(value) -> str:
    """A cell of an XLSX sheet as text; numbers via ``Decimal(repr(...))``, never float maths."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_decimal(Decimal(repr(value)))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _xlsx_records(data: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            # A read-only sheet stops at the size the file declares, which an editor may have
            # left too small: forget it and read every row there is.
            sheet.reset_dimensions()
            return [[_cell_text(v) for v in values] for values in sheet.iter_rows(values_only=True)]
        finally:
            workbook.close()
    except Exception as exc:  # any malformed upload: zip, XML or openpyxl errors alike
        raise _file_error(
            _("The file is not a readable .xlsx workbook (%(problem)s).") % {"problem": exc}
        ) from exc


def file_records(*, format: str, data: bytes) -> list[list[str]]:
    """Every row of a CSV or XLSX file as text cells (the header first); file errors raise."""
    if format not in FORMATS:
        raise _file_error(
            _("Unknown format %(format)s: use csv or xlsx.") % {"format": repr(format)}
        )
    return _csv_records(data) if format == FORMAT_CSV else _xlsx_records(data)


_XLSX_ROW = re.compile(rb"<(?:\w+:)?row[\s>]")


def data_rows_estimate(*, file_name: str, data: bytes) -> int:
    """About how many data rows the file has, without parsing it (an upper bound: blank rows
    count too): decides whether an import runs in the background. 0 for a file that is not
    readable (the import then says why)."""
    if file_name.lower().endswith(".csv"):
        return max(data.count(b"\n") + (not data.endswith(b"\n")) - 1, 0)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
            rows = sum(len(_XLSX_ROW.findall(archive.read(name))) for name in sheets)
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0
    return max(rows - 1, 0)


def read_rows(*, format: str, data: bytes) -> list[tuple[int, dict[str, str]]]:
    """``(row number, {column: trimmed cell})`` of every non-blank data row; file errors raise."""
    records = _csv_records(data) if format == FORMAT_CSV else _xlsx_records(data)
    if not records or not any(cell.strip() for cell in records[0]):
        raise _file_error(
            _("The file is empty: the first row must be the header (%(columns)s).")
            % {"columns": ",".join(COLUMNS)}
        )
    header = [name.strip().lower() for name in records[0]]
    while header and header[-1] == "":  # trailing empty header cells of a spreadsheet
        header.pop()
    problems = []
    if ";" in records[0][0] and len(records[0]) == 1:
        problems.append(_("The columns must be separated by commas, not semicolons."))
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        problems.append(
            _("Column(s) repeated in the header: %(columns)s.") % {"columns": ", ".join(repeated)}
        )
    missing = [name for name in COLUMNS if name not in header and name not in OPTIONAL_COLUMNS]
    if missing:
        problems.append(_("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)})
    unknown = [name or _("(blank)") for name in header if name not in COLUMNS]
    if unknown:
        problems.append(
            _("Unknown column(s): %(columns)s (expected %(expected)s).")
            % {"columns": ", ".join(unknown), "expected": ",".join(COLUMNS)}
        )
    if problems:
        raise SpreadsheetImportError([RowProblem(None, message) for message in problems])

    rows = []
    for row_no, record in enumerate(records[1:], start=2):
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
        extra = cells[len(header) :]
        if any(extra):
            too_long = _("has %(cells)s cells but the header has %(header)s.") % {
                "cells": len(cells),
                "header": len(header),
            }
            rows.append((row_no, {"": too_long}))
            continue
        cells += [""] * (len(header) - len(cells))
        values = dict(zip(header, cells, strict=False))
        if format == FORMAT_CSV:  # undo the export's csv_safe
            values.update(
                {
                    column: csv_unsafe(values[column])
                    for column in (*_TEXT_COLUMNS, REASON_CODE)
                    if column in values
                }
            )
        rows.append((row_no, values))
    return rows


# --------------------------------------------------------------------------- import


_INVALID = object()


class _Row:
    """One data row being checked; problems accumulate in ``problems``."""

    def __init__(self, row_no: int, cells: dict[str, str]):
        self.row_no = row_no
        self.cells = cells
        self.problems: list[RowProblem] = []

    def fail(self, message: str, column: str | None = None) -> None:
        self.problems.append(RowProblem(self.row_no, message, column))

    def parse(self, column: str, parser: Callable, **kwargs):
        """``parser(cell)`` or ``_INVALID`` (the problem is recorded)."""
        try:
            return parser(self.cells[column], line_no=self.row_no, field=column, **kwargs)
        except RowError as exc:
            self.fail(exc.message, column)
            return _INVALID

    def decimal(self, column: str):
        return self.parse(column, parse_decimal)


@dataclass
class _Edit:
    field: str
    value: Decimal


class _Importer:
    def __init__(self, batch: RevaluationBatch, p: Precision):
        self.batch = batch
        self.p = p
        self.result = ImportResult()
        self.problems: list[RowProblem] = []
        self.lines = {
            line.pk: line
            for line in RevaluationLine.objects.select_for_update()
            .filter(batch=batch)
            .order_by("line_no")
        }
        self.seen: dict[int, int] = {}  # line pk -> row no
        self.entries: dict[tuple[str, int], str] = {
            (line.item_id, line.applies_to_entry): _("line %(no)s") % {"no": line.line_no}
            for line in self.lines.values()
            if line.applies_to_entry
        }
        self.to_save: list[RevaluationLine] = []

    def run(self, rows: Iterable[tuple[int, dict[str, str]]]) -> None:
        for row_no, cells in rows:
            row = _Row(row_no, cells)
            nul = next((column for column, text in cells.items() if "\x00" in text), None)
            if "" in cells:  # a row longer than the header
                row.fail(cells[""])
            elif nul:  # PostgreSQL text cannot hold it
                row.fail(_("contains a NUL character (0x00)."), nul)
            elif cells["line_key"]:
                self.existing_line(row)
            else:
                self.new_line(row)
            self.problems += row.problems

    # ----------------------------------------------------------------- rows of existing lines

    def existing_line(self, row: _Row) -> None:
        key = row.cells["line_key"]
        match = _KEY.fullmatch(key)
        if not match:
            row.fail(
                _("'%(key)s' is not a line key of this journal (export the journal again).")
                % {"key": shorten(key)},
                "line_key",
            )
            return
        pk, version = int(match.group(1)), int(match.group(2))
        line = self.lines.get(pk)
        if line is None:
            other = RevaluationLine.objects.filter(pk=pk).values_list("batch_id", flat=True)
            if other:
                row.fail(
                    _("The line belongs to batch %(other)s, not %(batch)s.")
                    % {"other": other[0], "batch": self.batch.name},
                    "line_key",
                )
            else:
                row.fail(
                    _("The line no longer exists (posted or deleted after the export)."),
                    "line_key",
                )
            return
        if pk in self.seen:
            row.fail(
                _("The same line is also in row %(row)s.") % {"row": self.seen[pk]}, "line_key"
            )
            return
        self.seen[pk] = row.row_no

        self.check_read_only(row, line, blank_allowed=False)
        amount = row.decimal("amount")
        uc, iv = row.decimal(UNIT_COST_REVALUED), row.decimal(INVENTORY_VALUE_REVALUED)
        before = tuple(getattr(line, name) for name in CHANGED_BY_EDIT)
        reason_before = line.reason_code
        edit = self.decide(row, line, uc, iv)
        if edit is not None:
            self.apply(row, line, edit)  # in memory only; saved if the whole file passes
        self.reason_code(row, line)
        self.check_amount(row, line, amount, before[2], blank_allowed=False)
        reason_changed = line.reason_code != reason_before
        if version != line.version and (edit is not None or reason_changed or row.problems):
            # The file shows an older state of the line: what looks like an edit may only be
            # someone else's change seen backwards.
            row.problems = []
            row.fail(
                _(
                    "Someone changed the line after the export (version %(version)s, now "
                    "%(current)s); export the journal again and redo the change."
                )
                % {"version": version, "current": line.version},
                "line_key",
            )
            return
        if row.problems:
            return
        if tuple(getattr(line, name) for name in CHANGED_BY_EDIT) == before and not reason_changed:
            self.result.unchanged += 1
        else:
            self.to_save.append(line)
            self.result.changed.append(line.line_no)
            self.result.changes.append(_change(row, line, before[:3]))

    # ----------------------------------------------------------------- rows adding a line

    def new_line(self, row: _Row) -> None:
        item_no, entry_text = row.cells["item_no"], row.cells["applies_to_entry"]
        if not item_no or not entry_text:
            row.fail(
                _("A row without line_key adds a line: it needs item_no and applies_to_entry."),
                "line_key",
            )
            return
        row.parse("item_no", check_length, max_length=Item._meta.get_field("no").max_length)
        row.parse(
            "document_no",
            check_length,
            max_length=RevaluationLine._meta.get_field("document_no").max_length,
        )
        entry_no = row.parse("applies_to_entry", parse_int)
        if entry_no == 0:
            row.fail(_("Enter the number of the item ledger entry to revalue."), "applies_to_entry")
        amount = row.decimal("amount")
        uc, iv = row.decimal(UNIT_COST_REVALUED), row.decimal(INVENTORY_VALUE_REVALUED)
        self.check_revalued(row, uc, UNIT_COST_REVALUED)
        self.check_revalued(row, iv, INVENTORY_VALUE_REVALUED)
        if row.problems:
            return
        if (item_no, entry_no) in self.entries:
            row.fail(
                _(
                    "The batch already has a line for item %(item)s, entry %(entry)s "
                    "(%(where)s); edit that line instead."
                )
                % {"item": item_no, "entry": entry_no, "where": self.entries[item_no, entry_no]},
                "applies_to_entry",
            )
            return
        try:
            line = line_create_manual(
                batch_name=self.batch.name,
                item_no=item_no,
                applies_to_entry=entry_no,
                document_no=row.cells["document_no"],
            )
        except RevaluationError as exc:
            row.fail(exc.message, "item_no" if exc.field == "item" else exc.field)
            return
        self.entries[item_no, entry_no] = _("row %(row)s") % {"row": row.row_no}
        self.check_read_only(row, line, blank_allowed=True)
        if row.problems:
            return
        before_amount = line.amount
        edit = self.decide(row, line, uc, iv)
        if edit is not None:
            self.apply(row, line, edit)
        self.reason_code(row, line)
        self.check_amount(row, line, amount, before_amount, blank_allowed=True)
        if row.problems:
            return
        line.save(update_fields=[*CHANGED_BY_EDIT, "reason_code"])
        self.result.added.append(line.line_no)
        self.result.changes.append(_change(row, line, None))

    # ----------------------------------------------------------------- the checks

    def check_read_only(self, row: _Row, line: RevaluationLine, *, blank_allowed: bool) -> None:
        """Read-only cells must show the line's value (new lines: or be blank)."""

        def mismatch(column: str, shown: str) -> None:
            message = (
                _("%(column)s is read-only (the line has '%(shown)s'; leave the cell blank).")
                if blank_allowed
                else _("%(column)s is read-only (the line has '%(shown)s').")
            )
            row.fail(message % {"column": column, "shown": shown}, column)

        for column in _TEXT_COLUMNS:
            if blank_allowed and column in ("item_no", "document_no"):
                continue  # the inputs of a new line
            text = row.cells[column]
            current = line.item_id if column == "item_no" else getattr(line, column)
            if text != current and not (blank_allowed and text == ""):
                mismatch(column, current)
        if not blank_allowed:
            entry_no = row.parse("applies_to_entry", parse_int)
            if entry_no is not _INVALID and entry_no != line.applies_to_entry:
                mismatch("applies_to_entry", str(line.applies_to_entry))
        posting_date = row.parse("posting_date", parse_date)
        if (
            posting_date is not _INVALID
            and posting_date != line.posting_date
            and not (blank_allowed and posting_date is None)
        ):
            mismatch("posting_date", line.posting_date.isoformat())
        for column in _READ_ONLY_DECIMALS:
            value = row.decimal(column)
            current = getattr(line, column)
            if value is not _INVALID and value != current and not (blank_allowed and value is None):
                mismatch(column, format_decimal(current))

    def check_amount(
        self,
        row: _Row,
        line: RevaluationLine,
        amount,
        before: Decimal,
        *,
        blank_allowed: bool,
    ) -> None:
        """The amount cell may show the amount before or after the edit."""
        if amount is _INVALID or amount in (before, line.amount):
            return
        if amount is None and blank_allowed:
            return
        row.fail(
            _(
                "amount is read-only: it is inventory_value_revalued - "
                "inventory_value_calculated (%(amount)s)."
            )
            % {"amount": format_decimal(line.amount)},
            "amount",
        )

    def check_revalued(self, row: _Row, value, column: str) -> bool:
        """E-33 and the precision rule for a typed revalued value; False if refused."""
        if value is None or value is _INVALID:
            return value is None
        precision = self.p.unit_amount if column == UNIT_COST_REVALUED else self.p.amount
        try:
            parse_amount(value, field=column, precision=precision)
        except RevaluationError as exc:
            row.fail(exc.message, column)
            return False
        return True

    def decide(self, row: _Row, line: RevaluationLine, uc, iv) -> _Edit | None:
        """Which of the two editable values the user changed, if any (see the module docstring).

        Records the problems of the two cells; returns None if there is no valid edit.
        """
        if uc is _INVALID or iv is _INVALID:
            return None
        p = self.p
        changed = changed_cells(line, {UNIT_COST_REVALUED: uc, INVENTORY_VALUE_REVALUED: iv})
        uc_changed = UNIT_COST_REVALUED in changed
        iv_changed = INVENTORY_VALUE_REVALUED in changed
        valid = [
            self.check_revalued(row, uc, UNIT_COST_REVALUED) if uc_changed else True,
            self.check_revalued(row, iv, INVENTORY_VALUE_REVALUED) if iv_changed else True,
        ]
        if not all(valid):
            return None
        if uc_changed and iv_changed:
            if line.quantity == 0 or iv == p.r(uc * line.quantity):
                return _Edit(UNIT_COST_REVALUED, uc)
            if uc == p.ru(iv / line.quantity):
                return _Edit(INVENTORY_VALUE_REVALUED, iv)
            row.fail(
                _(
                    "unit_cost_revalued and inventory_value_revalued were both changed and do "
                    "not agree: %(unit_cost)s x %(quantity)s gives %(gives)s, not %(value)s. "
                    "Change only one of them."
                )
                % {
                    "unit_cost": format_decimal(uc),
                    "quantity": format_decimal(line.quantity),
                    "gives": format_decimal(p.r(uc * line.quantity)),
                    "value": format_decimal(iv),
                },
                INVENTORY_VALUE_REVALUED,
            )
            return None
        if uc_changed:
            return _Edit(UNIT_COST_REVALUED, uc)
        if iv_changed:
            return _Edit(INVENTORY_VALUE_REVALUED, iv)
        return None

    def reason_code(self, row: _Row, line: RevaluationLine) -> None:
        """Set the line's Reason Code from the row (if the file has the column)."""
        if REASON_CODE not in row.cells:
            return
        try:
            line.reason_code = check_reason_code(row.cells[REASON_CODE])
        except RevaluationError as exc:
            row.fail(exc.message, REASON_CODE)

    def apply(self, row: _Row, line: RevaluationLine, edit: _Edit) -> None:
        try:
            apply_edit(line, edit.field, edit.value, self.p)
        except RevaluationError as exc:
            row.fail(exc.message, edit.field)

    def save(self) -> None:
        for line in self.to_save:
            line.version = F("version") + 1
            line.save(update_fields=[*CHANGED_BY_EDIT, "reason_code", "version"])


def _change(row: _Row, line: RevaluationLine, before) -> LineChange:
    after = (line.unit_cost_revalued, line.inventory_value_revalued, line.amount)
    return LineChange(row.row_no, line.line_no, line.item_id, line.applies_to_entry, before, after)


def batch_import(
    *,
    batch_name: str,
    data: bytes,
    file_name: str | None = None,
    format: str | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Apply an edited export of the batch: all rows or nothing.

    The format is ``format`` if given, else the extension of ``file_name``. Raises
    ``SpreadsheetImportError`` (every problem of the file, nothing changed) or
    ``RevaluationError`` when the batch does not exist. ``dry_run`` does everything, answers
    what would change, and rolls back.
    """
    if format is None:
        format = format_from_file_name(file_name or "")
    if format not in FORMATS:
        raise _file_error(
            _("Unknown format %(format)s: use csv or xlsx.") % {"format": repr(format)}
        )
    rows = read_rows(format=format, data=data)
    with transaction.atomic():
        batch = RevaluationBatch.objects.select_for_update().filter(name=batch_name).first()
        if batch is None:
            raise RevaluationError(
                _("The revaluation batch %(name)s does not exist.") % {"name": batch_name},
                field="batch",
            )
        importer = _Importer(batch, InventorySetup.get().precision)
        importer.run(rows)
        if importer.problems:
            raise SpreadsheetImportError(importer.problems)  # rolls back the lines added
        importer.save()
        if dry_run:
            transaction.set_rollback(True)
    return importer.result
