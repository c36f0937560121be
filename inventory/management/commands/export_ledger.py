"""``manage.py export_ledger LEDGER [--format csv|json]``.

LEDGER: ``item-ledger``, ``value``, ``application``, ``gl`` or ``gl-item-relation``.

Writes every entry of the ledger to stdout in entry-number order (the G/L - item ledger relation
in G/L entry, value entry order); G/L amounts are positive for a debit, negative for a credit.
The columns and the rendering of values are described in ``inventory.csvio``:
decimals in plain notation with trailing zeros stripped (strings in JSON), ISO dates,
``true``/``false``, missing entry-number references as 0. CSV has a header row and ``\\n`` line ends; JSON is one array of objects with
the same keys, written one object per line so that it streams.
"""

from __future__ import annotations

import csv
import json

from django.core.management.base import BaseCommand

from inventory.csvio import (
    LEDGERS,
    format_csv_value,
    format_json_value,
    ledger_export_columns,
    ledger_export_rows,
)


class Command(BaseCommand):
    help = (
        "Export a ledger (item-ledger, value, application, gl or gl-item-relation entries) "
        "as CSV or JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("ledger", choices=LEDGERS)
        parser.add_argument(
            "--format", dest="output_format", choices=("csv", "json"), default="csv"
        )

    def handle(self, *args, ledger: str, output_format: str, **options) -> None:
        if output_format == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(ledger_export_columns(ledger))
            for row in ledger_export_rows(ledger):
                writer.writerow([format_csv_value(kind, value) for _, kind, value in row])
            return

        separator = "\n"
        self.stdout.write("[", ending="")
        for row in ledger_export_rows(ledger):
            record = {name: format_json_value(kind, value) for name, kind, value in row}
            self.stdout.write(separator + json.dumps(record, ensure_ascii=False), ending="")
            separator = ",\n"
        self.stdout.write("\n]" if separator != "\n" else "]")
