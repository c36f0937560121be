"""G/L export for the company's accounting package: the G/L entries of a date range as CSV or
XLSX, one row per entry ordered by posting date, document no. and entry no., with debit and
credit columns. Every document (posting date, document no.) balances: the rows are checked
before anything is written.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from inventory.amounts import ZERO
from inventory.models import GLEntry
from inventory.text import csv_safe

GL_EXPORT_COLUMNS = (
    "entry_no",
    "posting_date",
    "document_no",
    "account_no",
    "account_name",
    "role",
    "debit",
    "credit",
    "amount",
    "description",
    "source_code",
    "reason_code",
)
_TEXT = {"document_no", "account_no", "account_name", "role", "description", "reason_code"}


class UnbalancedDocument(Exception):
    pass


def gl_export_rows(date_from: date, date_to: date) -> list[dict]:
    entries = (
        GLEntry.objects.filter(posting_date__range=(date_from, date_to))
        .order_by("posting_date", "document_no", "entry_no")
        .values_list(
            "entry_no",
            "posting_date",
            "document_no",
            "account_id",
            "account__name",
            "role",
            "amount",
            "description",
            "source_code",
            "reason_code",
        )
    )
    rows = []
    totals: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for no, day, doc, account, name, role, amount, description, source, reason in entries:
        totals[(day, doc)] += amount
        rows.append(
            {
                "entry_no": no,
                "posting_date": day,
                "document_no": doc,
                "account_no": account,
                "account_name": name,
                "role": role,
                "debit": amount if amount > 0 else ZERO,
                "credit": -amount if amount < 0 else ZERO,
                "amount": amount,
                "description": description,
                "source_code": source,
                "reason_code": reason,
            }
        )
    unbalanced = [key for key, total in totals.items() if total]
    if unbalanced:
        day, doc = unbalanced[0]
        raise UnbalancedDocument(f"Document {doc} of {day} does not balance.")
    return rows


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


def write_gl_csv(file: Any, rows: list[dict]) -> None:
    writer = csv.DictWriter(file, fieldnames=GL_EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                name: csv_safe(str(value))
                if name in _TEXT
                else _plain(value)
                if isinstance(value, Decimal)
                else value
                for name, value in row.items()
            }
        )


def write_gl_xlsx(file: Any, rows: list[dict]) -> None:
    """Amounts as numbers (openpyxl writes a Decimal's exact digits); ``file``: a binary file or
    an HttpResponse."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("GL entries")
    sheet.append(list(GL_EXPORT_COLUMNS))
    for row in rows:
        sheet.append([row[name] for name in GL_EXPORT_COLUMNS])
    book.save(file)
