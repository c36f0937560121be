"""How the journal grid and the preview show lines: the rows with their two editable cells
(computed once per line, not per reference in the markup), the messages at a cell, page links."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from inventory.display import format_decimal, plain_decimal
from inventory.models import CostingMethod, ItemLedgerEntryType
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
    label: str  # the input's accessible name: "Unit Cost (Revalued), line 10000"
    value: str  # the text in the input: the stored value, or what was typed when refused
    display: str  # the stored value as shown to read-only users
    message: str = ""
    warning: str = ""  # a saved value that looks absurd (``lines.unit_cost_warning``)
    saved: str = ""  # the stored value as typed (Escape puts it back)
    invalid: bool = False  # the typed value was refused (aria-invalid)


@dataclass
class Row:
    """A grid line with the strings its markup repeats (computed once, not per reference), its
    translated labels included: a ``{% blocktranslate %}`` per cell and row was most of the
    page's rendering time."""

    line: RevaluationLine
    unit_cost: RevaluedCell
    inventory_value: RevaluedCell
    dom_id: str
    line_no: str
    version: str
    item_url: str
    costing_method: str  # the item's, as its label
    posting_date: str  # SHORT_DATE_FORMAT
    edit_url: str
    delete_url: str
    explain_url: str
    reason_url: str
    delete_label: str  # "Delete line 10000"
    delete_question: str  # "Delete line 10000 (item A)?"
    reason_label: str  # "Reason Code, line 10000"
    reason_options: SafeString  # the Reason Code <option>s, this line's selected
    # column -> posting error; a missing column is "" (a failed template lookup is slow)
    messages: defaultdict[str, str] = field(default_factory=lambda: defaultdict(str))
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
            _("%(label)s, line %(no)s") % {"label": _("Unit Cost (Revalued)"), "no": line.line_no},
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
            _("%(label)s, line %(no)s")
            % {"label": _("Inventory Value (Revalued)"), "no": line.line_no},
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


class GridRows:
    """Builds the rows of one answer, with what they share computed once: the line URLs of the
    batch (reversed with a placeholder id, the row's id put in: a ``reverse()`` per URL and row
    was a sixth of the page's time), the item card URLs, the costing method labels and dates,
    the Reason Code ``<option>``s per selected code (a page's lines share one or two codes)."""

    PLACEHOLDER = 987_654_321_987

    def __init__(self, batch_name: str, reason_codes: list[tuple[str, str]] | None = None):
        """``reason_codes`` ((code, description), ``selectors.reason_code_list``) for an answer
        that shows the Reason Code cells."""
        self.batch_name = batch_name
        self.line_urls: dict[str, list[str]] = {}  # URL name -> the parts around the line id
        self.item_urls: dict[str, str] = {}
        self.method_labels = {value: str(label) for value, label in CostingMethod.choices}
        self.dates: dict[date, str] = {}
        self.reason_codes = reason_codes or []
        self.reason_options: dict[str, SafeString] = {}

    def line_url(self, name: str, line_id: str) -> str:
        if name not in self.line_urls:
            url = reverse(name, args=[self.batch_name, self.PLACEHOLDER])
            self.line_urls[name] = url.split(str(self.PLACEHOLDER))
        return line_id.join(self.line_urls[name])

    def short_date(self, day: date) -> str:
        if day not in self.dates:
            self.dates[day] = date_format(day, "SHORT_DATE_FORMAT")
        return self.dates[day]

    def item_url(self, item_no: str) -> str:
        if item_no not in self.item_urls:
            self.item_urls[item_no] = reverse("item-card", args=[item_no])
        return self.item_urls[item_no]

    def options(self, selected: str) -> SafeString:
        if selected not in self.reason_options:
            self.reason_options[selected] = format_html(
                '<option value=""{}></option>{}',
                "" if selected else " selected",
                format_html_join(
                    "",
                    '<option value="{}" title="{}"{}>{}</option>',
                    (
                        (code, description, " selected" if code == selected else "", code)
                        for code, description in self.reason_codes
                    ),
                ),
            )
        return self.reason_options[selected]

    def row(
        self,
        line: RevaluationLine,
        *,
        posting_error: RevaluationError | None = None,
        problem: CellProblem | None = None,
    ) -> Row:
        no, pk = line.line_no, str(line.pk)
        row = Row(
            line=line,
            unit_cost=revalued_cell(line, UNIT_COST_REVALUED, problem),
            inventory_value=revalued_cell(line, INVENTORY_VALUE_REVALUED, problem),
            dom_id=f"line-{pk}",
            line_no=str(no),
            version=str(line.version),
            item_url=self.item_url(line.item_id),
            costing_method=self.method_labels.get(
                line.item.costing_method, line.item.costing_method
            ),
            posting_date=self.short_date(line.posting_date),
            edit_url=self.line_url("revaluation-line-edit", pk),
            delete_url=self.line_url("revaluation-line-delete", pk),
            explain_url=self.line_url("revaluation-line-explain", pk),
            reason_url=self.line_url("revaluation-line-reason", pk),
            delete_label=_("Delete line %(no)s") % {"no": no},
            delete_question=_("Delete line %(no)s (item %(item)s)?")
            % {"no": no, "item": line.item_id},
            reason_label=_("Reason Code, line %(line)s") % {"line": no},
            reason_options=self.options(line.reason_code),
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
