"""``manage.py import_selling_prices FILE.csv``: expected selling prices and costs to sell.

Columns ``item_no,location_code,variant_code,valid_from,selling_price,cost_to_sell,
cost_to_sell_percent`` (``revaluation.services.selling_prices``). A .xlsx file is read too.
All or nothing: every rejected row is listed and nothing is changed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from revaluation.services.selling_prices import selling_prices_import
from revaluation.services.spreadsheet import SpreadsheetImportError, format_from_file_name


class Command(BaseCommand):
    help = "Create or replace selling prices from a CSV (or XLSX) file; all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8, header row first) or .xlsx")

    def handle(self, *args, file: str, **options) -> None:
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}") from exc
        try:
            result = selling_prices_import(data=data, format=format_from_file_name(file))
        except SpreadsheetImportError as exc:
            lines = [str(problem) for problem in exc.problems]
            raise CommandError(f"{file}: nothing was imported.\n" + "\n".join(lines)) from exc
        self.stdout.write(
            f"Selling prices: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
