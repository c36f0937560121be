"""How the item journal page shows lines: a row of display cells per line, with a posting error
at the cell of the field it names."""

from __future__ import annotations

from dataclasses import dataclass, field

from inventory.exceptions import PostingError
from inventory.forms import LINE_COLUMNS, format_quantity, format_unit_amount
from inventory.models import ItemJournalLine

# PostingError.field names that differ from the grid's column names.
POSTING_FIELD_COLUMNS = {"item_no": "item"}


@dataclass
class Cell:
    name: str
    value: str
    numeric: bool
    error: str = ""


@dataclass
class Row:
    line: ItemJournalLine
    cells: list[Cell] = field(default_factory=list)
    error: str = ""  # a posting error of this line (shown at its field, or on the row)


def cell_value(line: ItemJournalLine, name: str) -> str:
    match name:
        case "posting_date":
            return line.posting_date.isoformat()
        case "entry_type":
            return line.get_entry_type_display()
        case "item":
            return line.item_id
        case "quantity" | "invoiced_quantity":
            return format_quantity(getattr(line, name))
        case "unit_amount":
            return format_unit_amount(line.unit_amount)
        case "applies_to_entry" | "applies_from_entry":
            return str(getattr(line, name) or "")
        case _:
            return str(getattr(line, name))


def journal_row(line: ItemJournalLine, error: PostingError | None = None) -> Row:
    row = Row(line=line)
    error_column = None
    if error is not None and error.line_no == line.line_no:
        row.error = error.message
        error_column = POSTING_FIELD_COLUMNS.get(error.field or "", error.field)
        if error_column not in {column.name for column in LINE_COLUMNS}:
            error_column = "line_no"  # no such column: show the message on the row's first cell
    for column in LINE_COLUMNS:
        row.cells.append(
            Cell(
                name=column.name,
                value=cell_value(line, column.name),
                numeric=column.numeric,
                error=row.error if column.name == error_column else "",
            )
        )
    return row
