"""CSV in and out for the management commands of both apps (and the services that share them).

Reading
    ``read_csv`` reads a UTF-8 file (a byte-order mark is ignored) whose first row is the header.
    Column names are matched case-insensitively after trimming; a missing, unknown or repeated
    column is an error. Cells are trimmed. Rows that are entirely blank are skipped. Rows are
    numbered from 1 = the first data row after the header (blank rows not counted); every error
    names that number as "Line N". ``parse_*`` turn one cell into a value or raise ``RowError``.

Writing
    ``ledger_export_rows`` streams a ledger as rows of ``(column, kind, value)``;
    ``format_csv_value`` / ``format_json_value`` render one value:

    * decimal: plain notation, never an exponent, trailing zeros stripped
      (``format(d.normalize(), "f")``): 100.00000 -> "100", -90.6700 -> "-90.67", 0.00 -> "0";
      in JSON a string with the same text (no float rounding in JSON readers);
    * date: ISO ``YYYY-MM-DD``; no date -> empty cell / JSON null;
    * boolean: ``true`` / ``false`` (JSON booleans);
    * entry-number reference: the number, 0 when there is none (Business Central's convention);
    * text and choice values as stored (e.g. ``positive_adjmt``, ``direct_cost``); in CSV a text
      cell that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` ...) gets a ``'``
      in front (``inventory.text.csv_safe``).
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.core.management.base import CommandError
from django.db.models import F

from inventory import numbers
from inventory.display import plain_number
from inventory.exceptions import LineError
from inventory.models import (
    GLEntry,
    GLItemLedgerRelation,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ValueEntry,
)
from inventory.numbers import NumberError
from inventory.selectors.ledger import value_entry_sum
from inventory.text import csv_safe, shorten

# --------------------------------------------------------------------------- errors


class RowError(LineError):
    """A cell or row of an input file is malformed."""


def error_text(*, message: str, line_no: int | None = None, field: str | None = None) -> str:
    """``Line N, field: message`` (the parts that are known)."""
    where = [f"Line {line_no}"] if line_no is not None else []
    if field:
        where.append(field)
    return f"{', '.join(where)}: {message}" if where else message


def command_error(exc: Exception) -> CommandError:
    """A CommandError for an exception carrying ``message``/``line_no``/``field``."""
    return CommandError(
        error_text(
            message=getattr(exc, "message", str(exc)),
            line_no=getattr(exc, "line_no", None),
            field=getattr(exc, "field", None),
        )
    )


# --------------------------------------------------------------------------- reading

Row = dict[str, str]


def read_csv(
    path: str, *, required: Sequence[str], optional: Sequence[str] = ()
) -> list[tuple[int, Row]]:
    """Read ``path``; return ``(line_no, {column: cell})`` for every non-blank data row.

    Every ``required`` column must be in the header; ``optional`` ones may be; any other column
    is refused (a misspelt column name would otherwise be silently ignored).
    """
    rows: list[tuple[int, Row]] = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:
            reader = csv.reader(file, strict=True)
            header = [name.strip().lower() for name in next(reader, [])]
            if any("\x00" in name for name in header):
                raise CommandError(f"{path}: the header contains a NUL character (0x00).")
            _check_header(path, header, required=required, optional=optional)
            line_no = 0
            for record in reader:
                if not any(cell.strip() for cell in record):
                    continue
                line_no += 1
                if len(record) != len(header):
                    raise RowError(
                        f"has {len(record)} fields but the header has {len(header)}.",
                        line_no=line_no,
                    )
                check_no_nul(record, line_no=line_no, header=header)
                rows.append(
                    (
                        line_no,
                        {name: cell.strip() for name, cell in zip(header, record, strict=True)},
                    )
                )
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path} is not UTF-8 text: {exc.reason}") from exc
    except csv.Error as exc:
        raise CommandError(f"{path}, physical line {reader.line_num}: {exc}") from exc
    except RowError as exc:
        raise command_error(exc) from exc
    return rows


def check_no_nul(cells: Sequence[str], *, line_no: int, header: Sequence[str]) -> None:
    """A NUL character cannot be stored (PostgreSQL text): name the first cell holding one."""
    for name, cell in zip(header, cells, strict=False):
        if "\x00" in cell:
            raise RowError("contains a NUL character (0x00).", line_no=line_no, field=name)


def _check_header(
    path: str, header: list[str], *, required: Sequence[str], optional: Sequence[str]
) -> None:
    if not any(header):
        raise CommandError(f"{path} is empty: the first row must be the header")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise CommandError(f"{path}: column(s) repeated in the header: {', '.join(repeated)}")
    missing = [name for name in required if name not in header]
    if missing:
        raise CommandError(f"{path}: missing column(s): {', '.join(missing)}")
    unknown = [name for name in header if name not in required and name not in optional]
    if unknown:
        raise CommandError(
            f"{path}: unknown column(s): {', '.join(unknown)} "
            f"(expected {', '.join([*required, *optional])})"
        )


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TRUE = {"yes", "true", "1"}
_FALSE = {"no", "false", "0", ""}


def parse_decimal(
    text: str, *, line_no: int | None, field: str, max_places: int | None = None
) -> Decimal | None:
    """A decimal as ``inventory.numbers.parse_decimal`` reads it; blank -> None."""
    try:
        return numbers.parse_decimal(text, places=max_places)
    except NumberError as exc:
        raise RowError(exc.message, line_no=line_no, field=field) from None


def parse_bool(text: str, *, line_no: int | None, field: str) -> bool:
    """yes/no, true/false, 1/0 in any case; blank is no."""
    value = text.lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise RowError(
        f"'{shorten(text)}' is not a yes/no value (use yes, no, true, false, 1 or 0).",
        line_no=line_no,
        field=field,
    )


def parse_date(text: str, *, line_no: int | None, field: str) -> datetime.date | None:
    """An ISO date ``YYYY-MM-DD``; blank -> None."""
    if text == "":
        return None
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise RowError(
            f"'{shorten(text)}' is not a date (use YYYY-MM-DD).", line_no=line_no, field=field
        ) from None


def parse_int(text: str, *, line_no: int | None, field: str) -> int:
    """An entry number as ``inventory.numbers.parse_whole_number`` reads it; blank -> 0."""
    try:
        return numbers.parse_whole_number(text) or 0
    except NumberError as exc:
        raise RowError(exc.message, line_no=line_no, field=field) from None


def parse_choice(
    text: str, *, choices: Sequence[str], line_no: int | None, field: str
) -> str | None:
    """One of ``choices`` (case-insensitive); blank -> None."""
    if text == "":
        return None
    value = text.lower()
    if value not in choices:
        raise RowError(
            f"'{shorten(text)}' is not one of {', '.join(choices)}.", line_no=line_no, field=field
        )
    return value


def check_length(text: str, *, max_length: int, line_no: int | None, field: str) -> str:
    if len(text) > max_length:
        raise RowError(
            f"'{shorten(text)}' is longer than {max_length} characters.",
            line_no=line_no,
            field=field,
        )
    return text


# --------------------------------------------------------------------------- writing

LEDGERS = ("item-ledger", "value", "application", "gl", "gl-item-relation")

# Column kinds: how a value is rendered.
INT, REF, TEXT, DATE, DECIMAL, BOOL = "int", "ref", "text", "date", "decimal", "bool"

_EXPORT_CHUNK = 2000


def _ledger_columns(ledger: str) -> tuple[Any, list[tuple[str, str, Any]]]:
    """The queryset and ``(column, kind, expression)`` list of one ledger, columns in order."""
    if ledger == "item-ledger":
        return ItemLedgerEntry.objects.all(), [
            ("entry_no", INT, F("entry_no")),
            ("item_no", TEXT, F("item_id")),
            ("posting_date", DATE, F("posting_date")),
            ("entry_type", TEXT, F("entry_type")),
            ("document_no", TEXT, F("document_no")),
            ("location_code", TEXT, F("location_code")),
            ("variant_code", TEXT, F("variant_code")),
            ("quantity", DECIMAL, F("quantity")),
            ("remaining_quantity", DECIMAL, F("remaining_quantity")),
            ("invoiced_quantity", DECIMAL, F("invoiced_quantity")),
            ("open", BOOL, F("open")),
            ("positive", BOOL, F("positive")),
            ("completely_invoiced", BOOL, F("completely_invoiced")),
            ("cost_amount_actual", DECIMAL, value_entry_sum("cost_amount_actual")),
            ("cost_amount_expected", DECIMAL, value_entry_sum("cost_amount_expected")),
            ("description", TEXT, F("description")),
            ("last_invoice_date", DATE, F("last_invoice_date")),
            ("applies_to_entry", INT, F("applies_to_entry")),
            ("applied_entry_to_adjust", BOOL, F("applied_entry_to_adjust")),
            ("source_code", TEXT, F("source_code")),
            ("reason_code", TEXT, F("reason_code")),
            ("item_register_no", INT, F("item_register_id")),
        ]
    if ledger == "value":
        return ValueEntry.objects.all(), [
            ("entry_no", INT, F("entry_no")),
            ("item_ledger_entry_no", INT, F("item_ledger_entry_id")),
            ("item_no", TEXT, F("item_id")),
            ("posting_date", DATE, F("posting_date")),
            ("valuation_date", DATE, F("valuation_date")),
            ("entry_type", TEXT, F("entry_type")),
            ("item_ledger_entry_type", TEXT, F("item_ledger_entry_type")),
            ("document_no", TEXT, F("document_no")),
            ("location_code", TEXT, F("location_code")),
            ("variant_code", TEXT, F("variant_code")),
            ("valued_quantity", DECIMAL, F("valued_quantity")),
            ("invoiced_quantity", DECIMAL, F("invoiced_quantity")),
            ("cost_per_unit", DECIMAL, F("cost_per_unit")),
            ("cost_amount_actual", DECIMAL, F("cost_amount_actual")),
            ("cost_amount_expected", DECIMAL, F("cost_amount_expected")),
            ("partial_revaluation", BOOL, F("partial_revaluation")),
            ("adjustment", BOOL, F("adjustment")),
            ("applies_to_entry", INT, F("applies_to_entry")),
            ("variance_type", TEXT, F("variance_type")),
            ("description", TEXT, F("description")),
            ("item_ledger_entry_quantity", DECIMAL, F("item_ledger_entry_quantity")),
            ("expected_cost", BOOL, F("expected_cost")),
            ("sales_amount_actual", DECIMAL, F("sales_amount_actual")),
            ("sales_amount_expected", DECIMAL, F("sales_amount_expected")),
            ("purchase_amount_actual", DECIMAL, F("purchase_amount_actual")),
            ("purchase_amount_expected", DECIMAL, F("purchase_amount_expected")),
            ("cost_posted_to_gl", DECIMAL, F("cost_posted_to_gl")),
            ("expected_cost_posted_to_gl", DECIMAL, F("expected_cost_posted_to_gl")),
            ("valued_by_average_cost", BOOL, F("valued_by_average_cost")),
            ("inventoriable", BOOL, F("inventoriable")),
            ("source_code", TEXT, F("source_code")),
            ("reason_code", TEXT, F("reason_code")),
            ("user", TEXT, F("user__username")),
            ("journal_batch_name", TEXT, F("journal_batch_name")),
            ("inventory_posting_group", TEXT, F("inventory_posting_group")),
            ("gen_bus_posting_group", TEXT, F("gen_bus_posting_group")),
            ("gen_prod_posting_group", TEXT, F("gen_prod_posting_group")),
            ("item_register_no", INT, F("item_register_id")),
        ]
    if ledger == "application":
        return ItemApplicationEntry.objects.all(), [
            ("entry_no", INT, F("entry_no")),
            ("item_ledger_entry_no", INT, F("item_ledger_entry_id")),
            ("inbound_item_entry_no", INT, F("inbound_item_entry_id")),
            ("outbound_item_entry_no", REF, F("outbound_item_entry_id")),
            ("quantity", DECIMAL, F("quantity")),
            ("posting_date", DATE, F("posting_date")),
            ("transferred_from_entry_no", REF, F("transferred_from_entry_id")),
            ("cost_application", BOOL, F("cost_application")),
            ("item_register_no", INT, F("item_register_id")),
        ]
    if ledger == "gl":
        return GLEntry.objects.all(), [
            ("entry_no", INT, F("entry_no")),
            ("posting_date", DATE, F("posting_date")),
            ("document_no", TEXT, F("document_no")),
            ("account_no", TEXT, F("account_id")),
            ("account_name", TEXT, F("account__name")),
            ("role", TEXT, F("role")),
            ("amount", DECIMAL, F("amount")),
            ("description", TEXT, F("description")),
            ("source_code", TEXT, F("source_code")),
            ("reason_code", TEXT, F("reason_code")),
            ("location_code", TEXT, F("location_code")),
            ("inventory_posting_group", TEXT, F("inventory_posting_group")),
            ("gen_bus_posting_group", TEXT, F("gen_bus_posting_group")),
            ("gen_prod_posting_group", TEXT, F("gen_prod_posting_group")),
            ("gl_register_no", INT, F("gl_register_id")),
        ]
    if ledger == "gl-item-relation":
        return GLItemLedgerRelation.objects.order_by("gl_entry_id", "value_entry_id"), [
            ("gl_entry_no", INT, F("gl_entry_id")),
            ("value_entry_no", INT, F("value_entry_id")),
            ("gl_register_no", INT, F("gl_register_id")),
        ]
    raise ValueError(f"unknown ledger {ledger!r}")


def ledger_export_columns(ledger: str) -> list[str]:
    return [name for name, _, _ in _ledger_columns(ledger)[1]]


def ledger_export_rows(ledger: str) -> Iterator[list[tuple[str, str, Any]]]:
    """Every entry of ``ledger`` in entry-number order as ``[(column, kind, value), ...]``.

    One SQL statement (item ledger cost amounts are correlated ``Sum`` subqueries), read through
    a server-side cursor in chunks, so memory use does not grow with the ledger.
    """
    queryset, columns = _ledger_columns(ledger)
    if not queryset.query.order_by:
        queryset = queryset.order_by("entry_no")
    values = queryset.values_list(*(expr for _, _, expr in columns))
    for record in values.iterator(chunk_size=_EXPORT_CHUNK):
        yield [(name, kind, value) for (name, kind, _), value in zip(columns, record, strict=True)]


format_decimal = plain_number  # the name the import commands use


def format_csv_value(kind: str, value: Any) -> str:
    if kind == REF:
        return str(value or 0)
    if value is None:
        return ""
    if kind == DECIMAL:
        return format_decimal(value)
    if kind == BOOL:
        return "true" if value else "false"
    if kind == DATE:
        return value.isoformat()
    if kind == TEXT:
        return csv_safe(str(value))
    return str(value)


def format_json_value(kind: str, value: Any) -> Any:
    if kind == REF:
        return value or 0
    if value is None:
        return None
    if kind == DECIMAL:
        return format_decimal(value)
    if kind == DATE:
        return value.isoformat()
    return value
