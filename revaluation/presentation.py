"""How the journal grid and the preview show lines: the rows with their two editable cells
(computed once per line, not per reference in the markup), the messages at a cell, page links."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from inventory.display import format_decimal, plain_decimal
from inventory.models import ItemLedgerEntryType
from revaluation.exceptions import RevaluationError
from revaluation.models import RevaluationLine
from revaluation.services.lines import (
    INVENTORY_VALUE_REVALUED,
    UNIT_COST_REVALUED,
    unit_cost_warning,
)

# Where a RevaluationError.field is shown in the grid (default: the item cell).
ERROR_COLUMNS = {
    "item": "item",
    "item_no": "item",
    "location_code": "location",
    "variant_code": "variant",
    "applies_to_entry": "applies_to_entry",
    "posting_date": "posting_date",
    "document_no": "document_no",
    "quantity": "quantity",
    UNIT_COST_REVALUED: UNIT_COST_REVALUED,
    INVENTORY_VALUE_REVALUED: INVENTORY_VALUE_REVALUED,
}


# --------------------------------------------------------------------------- grid rows


@dataclass
class RevaluedCell:
    """One of the two editable cells of a line."""

    field: str
    slug: str
    dom_id: str  # the input's id; the cell is ``{dom_id}-cell``, the message ``{dom_id}-error``
    label: str
    value: str  # the text in the input: the stored value, or what was typed when refused
    display: str  # the stored value as shown to read-only users
    message: str = ""
    warning: str = ""  # a saved value that looks absurd (``lines.unit_cost_warning``)
    saved: str = ""  # the stored value as typed (Escape puts it back)
    invalid: bool = False  # the typed value was refused (aria-invalid)


@dataclass
class Row:
    """A grid line with the strings its markup repeats (computed once, not per reference)."""

    line: RevaluationLine
    unit_cost: RevaluedCell
    inventory_value: RevaluedCell
    dom_id: str
    line_no: str
    version: str
    edit_url: str
    delete_url: str
    explain_url: str
    reason_url: str
    messages: dict[str, str] = field(default_factory=dict)  # column -> posting error
    has_error: bool = False


@dataclass(frozen=True)
class CellProblem:
    """A message for one editable cell of one line (refused value, or stale line)."""

    field: str
    message: str
    raw: str | None = None  # the refused text to echo back; None: show the stored value


def revalued_cell(line: RevaluationLine, name: str, problem: CellProblem | None) -> RevaluedCell:
    if name == UNIT_COST_REVALUED:
        value = line.unit_cost_revalued
        cell = RevaluedCell(
            name,
            "unit-cost-revalued",
            f"line-{line.pk}-unit-cost-revalued",
            _("Unit Cost (Revalued)"),
            plain_decimal(value),
            format_decimal(value, min_places=2, grouping=True),
        )
        cell.warning = unit_cost_warning(line)
    else:
        value = line.inventory_value_revalued
        cell = RevaluedCell(
            name,
            "inventory-value-revalued",
            f"line-{line.pk}-inventory-value-revalued",
            _("Inventory Value (Revalued)"),
            plain_decimal(value),
            format_decimal(value, min_places=2, grouping=True),
        )
    cell.saved = cell.value
    if problem is not None and problem.field == name:
        cell.message = problem.message
        if problem.raw is not None:
            cell.value = problem.raw
            cell.invalid = True
    return cell


def grid_row(
    line: RevaluationLine,
    *,
    posting_error: RevaluationError | None = None,
    problem: CellProblem | None = None,
) -> Row:
    args = [line.batch_id, line.pk]
    row = Row(
        line=line,
        unit_cost=revalued_cell(line, UNIT_COST_REVALUED, problem),
        inventory_value=revalued_cell(line, INVENTORY_VALUE_REVALUED, problem),
        dom_id=f"line-{line.pk}",
        line_no=str(line.line_no),
        version=str(line.version),
        edit_url=reverse("revaluation-line-edit", args=args),
        delete_url=reverse("revaluation-line-delete", args=args),
        explain_url=reverse("revaluation-line-explain", args=args),
        reason_url=reverse("revaluation-line-reason", args=args),
    )
    if posting_error is not None and posting_error.line_no == line.line_no:
        row.has_error = True
        column = ERROR_COLUMNS.get(posting_error.field or "", "item")
        if column == UNIT_COST_REVALUED:
            row.unit_cost.message = posting_error.message
        elif column == INVENTORY_VALUE_REVALUED:
            row.inventory_value.message = posting_error.message
        else:
            row.messages[column] = posting_error.message
    if problem is not None and problem.raw is not None:
        row.has_error = True
    return row


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str


@dataclass
class PreviewRow:
    line_no: int
    line: RevaluationLine | None
    error: str
    error_field: str | None
    value_entries: list[dict]


def entry_type_label(value: str) -> str | Promise:
    try:
        return ItemLedgerEntryType(value).label
    except ValueError:
        return value
