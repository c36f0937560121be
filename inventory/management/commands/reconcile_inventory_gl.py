"""``manage.py reconcile_inventory_gl --as-of YYYY-MM-DD [--format csv|json]``.

Inventory – G/L reconciliation (spec §10.4, ``inventory.reconciliation``): one row per account
role, location and inventory posting group (level ``role``), then per role and item (level
``item``), with the columns of ``inventory.reconciliation.COLUMNS``. Decimals as ``export_ledger``
writes them. Ends with an error (status 1, after the rows) when a difference is found.
"""

from __future__ import annotations

import csv
import json

from django.core.management.base import BaseCommand, CommandError

from inventory.csvio import RowError, format_decimal, parse_date
from inventory.reconciliation import COLUMNS, differences, reconcile


class Command(BaseCommand):
    help = "Reconcile the inventory value of the value entries with the G/L as of a date."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, metavar="YYYY-MM-DD")
        parser.add_argument(
            "--format", dest="output_format", choices=("csv", "json"), default="csv"
        )

    def handle(self, *args, as_of: str, output_format: str, **options) -> None:
        try:
            day = parse_date(as_of.strip(), line_no=None, field="--as-of")
        except RowError as exc:
            raise CommandError(f"--as-of: {exc.message}") from exc
        if day is None:
            raise CommandError("--as-of: must have a value.")
        rows = reconcile(day)
        records = [
            {
                name: format_decimal(value) if name in _DECIMALS else value
                for name, value in row.as_record().items()
            }
            for row in rows
        ]
        if output_format == "csv":
            writer = csv.DictWriter(self.stdout, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(records)
        else:
            self.stdout.write(json.dumps(records, indent=1, ensure_ascii=False))
        found = differences(rows)
        if found:
            raise CommandError(f"{len(found)} difference(s) between inventory and G/L.")


_DECIMALS = {"inventory_value", "gl_balance", "not_yet_posted", "difference"}
