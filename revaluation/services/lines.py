"""Field rules of a revaluation journal line (COSTING-SPEC §5) and the services that edit lines.

The arithmetic is applied the same way whether a value is typed in the browser, imported from
a spreadsheet or proposed by Calculate Inventory Value.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils import formats
from django.utils.translation import gettext as _

from inventory.amounts import MAX_ABS_VALUE, Precision
from inventory.display import unit_cost as show_unit_cost
from inventory.eligibility import item_refusal, missing_entry, missing_item
from inventory.models import (
    CostingMethod,
    InventorySetup,
    Item,
    ItemLedgerEntry,
    ReasonCode,
    ValueEntry,
    ValueEntryType,
)
from inventory.numbers import NOT_A_NUMBER, NumberError, parse_decimal
from inventory.text import batch_name_problem, normalize_batch_name
from revaluation.exceptions import RevaluationError, StaleLineError
from revaluation.models import RevaluationBatch, RevaluationLine

UNIT_COST_REVALUED = "unit_cost_revalued"
INVENTORY_VALUE_REVALUED = "inventory_value_revalued"
EDITABLE_FIELDS = (UNIT_COST_REVALUED, INVENTORY_VALUE_REVALUED)


def changed_cells(line: RevaluationLine, values: Mapping[str, Decimal | str | None]) -> list[str]:
    """Which revalued cells the user changed (the journal page and the spreadsheet import ask
    the same question): those given (None: not given) whose value differs from the line's, in
    column order. A text that is not a number always differs, so that the edit refuses it."""
    return [
        name
        for name in EDITABLE_FIELDS
        if values.get(name) is not None and values[name] != getattr(line, name)
    ]


LINE_NO_STEP = 10000


def parse_amount(raw, *, field: str, precision: Decimal, localized: bool = False) -> Decimal:
    """A user-entered revalued amount or unit cost (E-33 and the precision rule of §0.2).

    Text is read by ``inventory.numbers`` like every other number (``localized``: typed in the
    browser, in the user's language); a cleared cell is 0, as in Business Central.
    """
    try:
        value = raw if isinstance(raw, Decimal) else parse_decimal(str(raw), localized=localized)
    except NumberError as exc:
        raise RevaluationError(exc.message, field=field) from None
    if value is None:
        value = Decimal(0)
    if not value.is_finite():
        raise RevaluationError(str(NOT_A_NUMBER), field=field)
    if value < 0:
        raise RevaluationError(_("The value must be greater than or equal to 0."), field=field)
    if value >= MAX_ABS_VALUE:
        raise RevaluationError(_("The value is too large."), field=field)
    if value % precision:
        raise RevaluationError(
            _("The value can have at most the precision %(precision)s (too many decimals).")
            % {"precision": formats.localize(precision)},
            field=field,
        )
    return value


# A typed unit cost this many times above (or below) the calculated one is saved, with a warning.
ABSURD_FACTOR = 100


def unit_cost_warning(line: RevaluationLine) -> str:
    """A warning when Unit Cost (Revalued) is absurd next to Unit Cost (Calculated): more than
    100 times it, or below 1/100 of it (0 is a deliberate write-off and has its own note)."""
    calculated, revalued = line.unit_cost_calculated, line.unit_cost_revalued
    if calculated <= 0 or revalued <= 0:
        return ""
    if revalued > calculated * ABSURD_FACTOR:
        text = _("Check: more than %(factor)s times the calculated unit cost (%(calculated)s).")
    elif revalued * ABSURD_FACTOR < calculated:
        text = _("Check: less than 1/%(factor)s of the calculated unit cost (%(calculated)s).")
    else:
        return ""
    return text % {"factor": ABSURD_FACTOR, "calculated": show_unit_cost(calculated)}


def validate_amount(line: RevaluationLine, amount: Decimal, p: Precision) -> None:
    """Spec §5.6: Amount and Unit Amount follow IV (Revalued) - IV (Calculated)."""
    if line.quantity == 0:
        raise RevaluationError(
            _("Quantity must have a value in Item Journal Line."), field="quantity"
        )
    line.amount = amount
    line.unit_amount = p.ru(amount / line.quantity)


def set_inventory_value_revalued(
    line: RevaluationLine, value: Decimal, p: Precision, *, typed_unit_cost: bool = False
) -> None:
    """Spec §5.5 (the unit cost follows unless the user typed the unit cost)."""
    validate_amount(line, value - line.inventory_value_calculated, p)
    line.inventory_value_revalued = value
    if not typed_unit_cost:
        line.unit_cost_revalued = p.ru(value / line.quantity)


def set_unit_cost_revalued(
    line: RevaluationLine, value: Decimal, p: Precision, *, typed: bool = True
) -> None:
    """Spec §5.4: IV (Revalued) := R(unit cost x Quantity), then §5.5."""
    line.unit_cost_revalued = value
    set_inventory_value_revalued(line, p.r(value * line.quantity), p, typed_unit_cost=typed)


def set_inventory_value_calculated(line: RevaluationLine, value: Decimal, p: Precision) -> None:
    """Spec §5.3."""
    line.inventory_value_calculated = value
    line.unit_cost_calculated = p.ru(value / line.quantity) if line.quantity else Decimal(0)


def apply_edit(
    line: RevaluationLine, field: str, raw, p: Precision, *, localized: bool = False
) -> None:
    """Apply a value the user typed into one of the two editable cells."""
    if field not in EDITABLE_FIELDS:
        raise RevaluationError(f"{field} cannot be edited.", field=field)
    precision = p.unit_amount if field == UNIT_COST_REVALUED else p.amount
    value = parse_amount(raw, field=field, precision=precision, localized=localized)
    if line.quantity == 0:
        raise RevaluationError(_("Quantity must have a value in Item Journal Line."), field=field)
    if field == UNIT_COST_REVALUED:
        set_unit_cost_revalued(line, value, p)
    else:
        set_inventory_value_revalued(line, value, p)
    if abs(line.inventory_value_revalued) >= MAX_ABS_VALUE or abs(line.amount) >= MAX_ABS_VALUE:
        raise RevaluationError(_("The value is too large."), field=field)


CHANGED_BY_EDIT = ("unit_cost_revalued", "inventory_value_revalued", "amount", "unit_amount")


@transaction.atomic
def line_edit(
    *, line_id: int, version: int, field: str, value, localized: bool = False
) -> RevaluationLine:
    """Edit one cell of a line, refusing an edit based on an outdated version of the line."""
    line = (
        RevaluationLine.objects.select_for_update()
        .select_related("item")
        .filter(pk=line_id)
        .first()
    )
    if line is None:
        raise RevaluationError(
            _("This line no longer exists: it was deleted or posted."), field=field
        )
    if line.version != version:
        raise StaleLineError(
            _("Someone else changed this line in the meantime; the current values are shown."),
            field=field,
        )
    before = [getattr(line, name) for name in CHANGED_BY_EDIT]
    apply_edit(line, field, value, InventorySetup.get().precision, localized=localized)
    if [getattr(line, name) for name in CHANGED_BY_EDIT] == before:
        return line  # the same value again: nothing changed, the version stays
    line.version = F("version") + 1
    line.save(update_fields=[*CHANGED_BY_EDIT, "version"])  # the new version: UPDATE RETURNING
    return line


def check_reason_code(code: str) -> str:
    """Blank or an existing Reason Code (trimmed, upper case as codes are stored)."""
    code = (code or "").strip().upper()
    if code and not ReasonCode.objects.filter(code=code).exists():
        raise RevaluationError(
            _("There is no Reason Code %(code)s.") % {"code": code}, field="reason_code"
        )
    return code


@transaction.atomic
def line_set_reason_code(*, line_id: int, version: int, code: str) -> RevaluationLine:
    """Set a line's Reason Code (carried to its value entries by posting), refusing an edit
    based on an outdated version of the line."""
    line = RevaluationLine.objects.select_for_update().filter(pk=line_id).first()
    if line is None:
        raise RevaluationError(
            _("This line no longer exists: it was deleted or posted."), field="reason_code"
        )
    if line.version != version:
        raise StaleLineError(
            _("Someone else changed this line in the meantime; the current values are shown."),
            field="reason_code",
        )
    code = check_reason_code(code)
    if code == line.reason_code:
        return line
    line.reason_code = code
    line.version = F("version") + 1
    line.save(update_fields=["reason_code", "version"])  # the new version: UPDATE RETURNING
    return line


def next_line_no(batch_name: str) -> int:
    last = RevaluationLine.objects.filter(batch_id=batch_name).aggregate(last=Max("line_no"))[
        "last"
    ]
    return (last or 0) + LINE_NO_STEP


def _entry_error(message: str) -> RevaluationError:
    return RevaluationError(message, field="applies_to_entry")


def check_applies_to_entry(*, item: Item, entry_no: int) -> ItemLedgerEntry:
    """Spec §5.7 checks 2-4 for a manual (per-entry) revaluation line: E-36 to E-40, E-27."""
    if (
        item.costing_method == CostingMethod.AVERAGE
        and ValueEntry.objects.filter(
            item=item, entry_type=ValueEntryType.REVALUATION, partial_revaluation=True
        ).exists()
    ):
        raise _entry_error(
            _(
                "This item has already been revalued with the Calculate Inventory Value function,"
                " so you cannot use the Applies-to Entry field as that may change the valuation."
            )
        )
    entry = ItemLedgerEntry.objects.filter(entry_no=entry_no).first()
    if entry is None:
        raise _entry_error(missing_entry(entry_no))
    if entry.item_id != item.no:
        raise _entry_error(
            _(
                "Item No. must be equal to '%(item)s' in Item Ledger Entry: Entry No.=%(no)s."
                " Current value is '%(current)s'."
            )
            % {"item": item.no, "no": entry_no, "current": entry.item_id}
        )
    if not entry.completely_invoiced:
        raise _entry_error(
            _(
                "Completely Invoiced must be equal to 'Yes' in Item Ledger Entry: Entry No.=%(no)s."
                " Current value is 'No'."
            )
            % {"no": entry_no}
        )
    if not entry.positive:
        raise _entry_error(
            _(
                "Positive must be equal to 'Yes' in Item Ledger Entry: Entry No.=%(no)s."
                " Current value is 'No'."
            )
            % {"no": entry_no}
        )
    if ItemLedgerEntry.objects.filter(
        outbound_applications__inbound_item_entry=entry, applied_entry_to_adjust=True
    ).exists():
        raise _entry_error(
            _(
                "You have to run the Adjust Cost - Item Entries batch job, before you can revalue"
                " Item Ledger Entry %(no)s."
            )
            % {"no": entry_no}
        )
    return entry


def check_item(item: Item | None, item_no: str) -> Item:
    """Spec §5.1: E-01, E-31."""
    refusal = item_refusal(item_no, item, revaluation=True)
    if refusal or item is None:
        raise RevaluationError(refusal or missing_item(item_no), field="item")
    return item


@transaction.atomic
def line_create_manual(
    *, batch_name: str, item_no: str, applies_to_entry: int, document_no: str = ""
) -> RevaluationLine:
    """A manual per-entry revaluation line (§5.7, §5.9): the whole entry, at its own date."""
    batch = RevaluationBatch.objects.select_for_update().filter(name=batch_name).first()
    if batch is None:
        raise RevaluationError(
            _("The revaluation batch %(name)s does not exist.") % {"name": batch_name}
        )
    item = check_item(Item.objects.filter(no=item_no).first(), item_no)
    entry = check_applies_to_entry(item=item, entry_no=applies_to_entry)
    previous = batch.lines.order_by("-line_no").first()
    if not document_no:
        document_no = previous.document_no if previous else batch.next_document_no
    cost = ValueEntry.objects.filter(
        item_ledger_entry=entry, expected_cost=False, partial_revaluation=False
    ).exclude(entry_type=ValueEntryType.ROUNDING).aggregate(total=Sum("cost_amount_actual"))[
        "total"
    ] or Decimal(0)
    p = InventorySetup.get().precision
    line = RevaluationLine(
        batch=batch,
        line_no=next_line_no(batch.name),
        item=item,
        entry_type=entry.entry_type,
        posting_date=entry.posting_date,
        document_no=document_no,
        location_code=entry.location_code,
        variant_code=entry.variant_code,
        applies_to_entry=entry.entry_no,
        quantity=entry.invoiced_quantity,
        invoiced_quantity=entry.invoiced_quantity,
        reason_code=batch.reason_code,
    )
    set_inventory_value_calculated(line, cost, p)
    set_inventory_value_revalued(line, cost, p)
    line.save(force_insert=True)
    return line


def line_delete(*, line_id: int) -> None:
    RevaluationLine.objects.filter(pk=line_id).delete()


def batch_delete_lines(*, batch_name: str) -> int:
    deleted, _by_model = RevaluationLine.objects.filter(batch_id=batch_name).delete()
    return deleted


def checked_batch_name(name: str) -> str:
    """``name`` normalised; RevaluationError if it breaks the batch name rule."""
    name = normalize_batch_name(name)
    problem = batch_name_problem(name)
    if problem:
        raise RevaluationError(problem, field="name")
    return name


def batch_create(
    *, name: str, description: str = "", last_document_no: str = ""
) -> RevaluationBatch:
    name = checked_batch_name(name)
    if RevaluationBatch.objects.filter(name=name).exists():
        raise RevaluationError(
            _("The batch %(name)s already exists.") % {"name": name}, field="name"
        )
    return RevaluationBatch.objects.create(
        name=name, description=description, last_document_no=last_document_no
    )


def batch_get_or_create(*, name: str) -> tuple[RevaluationBatch, bool]:
    """The batch ``name`` (normalised), created if new (then the name must follow the rule)."""
    batch = RevaluationBatch.objects.filter(name=normalize_batch_name(name)).first()
    if batch is not None:
        return batch, False
    return batch_create(name=name), True
