"""``manage.py import_items FILE.csv``: create or update items from a CSV file.

Columns (all required, any order): ``no,description,costing_method,standard_cost,unit_cost,
base_unit_of_measure,blocked,inventory_value_zero``. A blank cell means "model default" for a new
item and "keep" for an existing one, except the two booleans, where blank means no. See
``inventory.services.master_data.item_import`` for the rules.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from inventory.csvio import (
    RowError,
    command_error,
    parse_bool,
    parse_choice,
    parse_decimal,
    read_csv,
)
from inventory.models import CostingMethod
from inventory.services.master_data import ItemImportRow, MasterDataError, item_import

COLUMNS = (
    "no",
    "description",
    "costing_method",
    "standard_cost",
    "unit_cost",
    "base_unit_of_measure",
    "blocked",
    "inventory_value_zero",
)


def parse_item_row(line_no: int, row: dict[str, str]) -> ItemImportRow:
    def blank_is_none(text: str) -> str | None:
        return text or None

    return ItemImportRow(
        line_no=line_no,
        no=row["no"],
        description=blank_is_none(row["description"]),
        costing_method=parse_choice(
            row["costing_method"],
            choices=CostingMethod.values,
            line_no=line_no,
            field="costing_method",
        ),
        standard_cost=parse_decimal(row["standard_cost"], line_no=line_no, field="standard_cost"),
        unit_cost=parse_decimal(row["unit_cost"], line_no=line_no, field="unit_cost"),
        base_unit_of_measure=blank_is_none(row["base_unit_of_measure"]),
        blocked=parse_bool(row["blocked"], line_no=line_no, field="blocked"),
        inventory_value_zero=parse_bool(
            row["inventory_value_zero"], line_no=line_no, field="inventory_value_zero"
        ),
    )


class Command(BaseCommand):
    help = (
        "Create or update items from a CSV file with the columns "
        + ",".join(COLUMNS)
        + ". All or nothing: a file with any bad row changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8, header row first)")

    def handle(self, *args, file: str, **options) -> None:
        rows = read_csv(file, required=COLUMNS)
        if not rows:
            raise CommandError(f"{file} has no data rows")
        try:
            items = [parse_item_row(line_no, row) for line_no, row in rows]
            result = item_import(rows=items)
        except (RowError, MasterDataError) as exc:
            raise command_error(exc) from exc
        self.stdout.write(
            f"Items: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
