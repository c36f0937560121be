"""``manage.py post_item_journal FILE.csv``: post item journal lines from a CSV file.

Columns: ``posting_date,entry_type,document_no,item_no,location_code,variant_code,quantity,
invoiced_quantity,unit_amount,applies_to_entry,applies_from_entry,new_location_code`` (all
required) and ``description`` (optional). Every row becomes one ``ItemJournalLineInput`` with
``line_no`` = the data row number (1 = first row after the header) and the whole file is posted in
one ``item_journal_post`` call: all or nothing.

* ``posting_date``: ``YYYY-MM-DD``; blank is passed on as no date (posting refuses it, E-08).
* ``entry_type``: purchase, sale, positive_adjmt, negative_adjmt, transfer, invoice.
* ``quantity`` (required): positive in the entry type's normal direction; negative on a purchase
  or sale line is a return. On an ``invoice`` line: the quantity invoiced.
* ``invoiced_quantity``: blank = the quantity; 0 = received/shipped, not invoiced.
* ``unit_amount``: blank = none given (posting uses its default). At most 10 decimals here;
  posting refuses more decimals than the Unit-Amount Rounding Precision.
* ``applies_to_entry``, ``applies_from_entry``: entry numbers; blank = 0 (none).

Parsing checks only the form of each cell (dates, decimals with at most 5 decimals for
quantities, whole numbers, known entry types, field lengths); every business rule is the posting
service's. Errors read ``Line N, column: message``.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from inventory.amounts import QTY_PLACES, UNIT_PLACES
from inventory.csvio import (
    RowError,
    check_length,
    command_error,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    read_csv,
)
from inventory.exceptions import PostingError
from inventory.models import Item, ItemJournalEntryType, ItemJournalLine
from inventory.services.posting import ItemJournalLineInput, item_journal_post

COLUMNS = (
    "posting_date",
    "entry_type",
    "document_no",
    "item_no",
    "location_code",
    "variant_code",
    "quantity",
    "invoiced_quantity",
    "unit_amount",
    "applies_to_entry",
    "applies_from_entry",
    "new_location_code",
)
OPTIONAL_COLUMNS = ("description",)
BATCH_NAME = "CSV"


def _max_length(field: str) -> int:
    model = Item if field == "no" else ItemJournalLine
    return model._meta.get_field(field).max_length


def parse_journal_row(line_no: int, row: dict[str, str]) -> ItemJournalLineInput:
    """One CSV row -> one journal line; RowError names the line and column at fault."""
    n = line_no
    entry_type = parse_choice(
        row["entry_type"], choices=ItemJournalEntryType.values, line_no=n, field="entry_type"
    )
    if entry_type is None:
        raise RowError("must have a value.", line_no=n, field="entry_type")
    quantity = parse_decimal(row["quantity"], line_no=n, field="quantity", max_places=QTY_PLACES)
    if quantity is None:
        raise RowError("must have a value.", line_no=n, field="quantity")
    codes = {}
    for field, model_field in (
        ("document_no", "document_no"),
        ("item_no", "no"),
        ("location_code", "location_code"),
        ("variant_code", "variant_code"),
        ("new_location_code", "new_location_code"),
        ("description", "description"),
    ):
        codes[field] = check_length(
            row.get(field, ""), max_length=_max_length(model_field), line_no=n, field=field
        )
    return ItemJournalLineInput(
        line_no=line_no,
        posting_date=parse_date(row["posting_date"], line_no=n, field="posting_date"),
        entry_type=entry_type,
        quantity=quantity,
        invoiced_quantity=parse_decimal(
            row["invoiced_quantity"], line_no=n, field="invoiced_quantity", max_places=QTY_PLACES
        ),
        unit_amount=parse_decimal(
            row["unit_amount"], line_no=n, field="unit_amount", max_places=UNIT_PLACES
        ),
        applies_to_entry=parse_int(row["applies_to_entry"], line_no=n, field="applies_to_entry"),
        applies_from_entry=parse_int(
            row["applies_from_entry"], line_no=n, field="applies_from_entry"
        ),
        **codes,
    )


class Command(BaseCommand):
    help = (
        "Post item journal lines from a CSV file with the columns "
        + ",".join(COLUMNS)
        + " (description optional). All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8, header row first)")

    def handle(self, *args, file: str, **options) -> None:
        rows = read_csv(file, required=COLUMNS, optional=OPTIONAL_COLUMNS)
        if not rows:
            raise CommandError(f"{file} has no data rows")
        try:
            lines = [parse_journal_row(line_no, row) for line_no, row in rows]
            result = item_journal_post(lines=lines, user=None, batch_name=BATCH_NAME)
        except (RowError, PostingError) as exc:
            raise command_error(exc) from exc

        def numbers(nos: list[int]) -> str:
            return ", ".join(str(no) for no in nos) or "none"

        self.stdout.write(f"Item register {result.register.no}")
        self.stdout.write(f"Item ledger entries: {numbers(result.item_ledger_entry_nos)}")
        self.stdout.write(f"Value entries: {numbers(result.value_entry_nos)}")
