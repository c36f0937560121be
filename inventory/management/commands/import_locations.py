"""``manage.py import_locations FILE.csv``: create or rename locations from a CSV file.

Columns ``code,name``. A blank name keeps an existing location's name (new: empty name).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from inventory.csvio import RowError, command_error, read_csv
from inventory.services.master_data import LocationImportRow, MasterDataError, location_import

COLUMNS = ("code", "name")


class Command(BaseCommand):
    help = (
        "Create or update locations from a CSV file with the columns code,name. "
        "All or nothing: a file with any bad row changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8, header row first)")

    def handle(self, *args, file: str, **options) -> None:
        rows = read_csv(file, required=COLUMNS)
        if not rows:
            raise CommandError(f"{file} has no data rows")
        locations = [
            LocationImportRow(line_no=line_no, code=row["code"], name=row["name"] or None)
            for line_no, row in rows
        ]
        try:
            result = location_import(rows=locations)
        except (RowError, MasterDataError) as exc:
            raise command_error(exc) from exc
        self.stdout.write(
            f"Locations: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
