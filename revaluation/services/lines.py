"""Field rules of a revaluation journal line (COSTING-SPEC §5) and the services that edit lines.

The arithmetic is applied the same way whether a value is typed in the browser, imported from
a spreadsheet or proposed by Calculate Inventory Value.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F, Max

from inventory.amounts import MAX_ABS_VALUE, Precision
from inventory.models import InventorySetup
from revaluation.exceptions import RevaluationError, StaleLineError
from revaluation.models import RevaluationLine

UNIT_COST_REVALUED = "unit_cost_revalued"
INVENTORY_VALUE_REVALUED = "inventory_value_revalued"
EDITABLE_FIELDS = (UNIT_COST_REVALUED, INVENTORY_VALUE_REVALUED)
LINE_NO_STEP = 10000


def parse_amount(raw, *, field: str, precision: Decimal) -> Decimal:
    """A user-entered revalued amount or unit cost (E-33 and the precision rule of §0.2)."""
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise RevaluationError("Enter a number.", field=field) from None
    if not value.is_finite():
        raise RevaluationError("Enter a number.", field=field)
    if value < 0:
        raise RevaluationError("The value must be greater than or equal to 0.", field=field)
    if value >= MAX_ABS_VALUE:
        raise RevaluationError("The value is too large.", field=field)
    if value % precision:
        raise RevaluationError(
            f"The value can have at most the precision {precision} (too many decimals).",
            field=field,
        )
    return value


def validate_amount(line: RevaluationLine, amount: Decimal, p: Precision) -> None:
    """Spec §5.6: Amount and Unit Amount follow IV (Revalued) - IV (Calculated)."""
    if line.quantity == 0:
        raise RevaluationError("Quantity must have a value in Item Journal Line.", field="quantity")
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


def apply_edit(line: RevaluationLine, field: str, raw, p: Precision) -> None:
    """Apply a value the user typed into one of the two editable cells."""
    if field not in EDITABLE_FIELDS:
        raise RevaluationError(f"{field} cannot be edited.", field=field)
    precision = p.unit_amount if field == UNIT_COST_REVALUED else p.amount
    value = parse_amount(raw, field=field, precision=precision)
    if line.quantity == 0:
        raise RevaluationError("Quantity must have a value in Item Journal Line.", field=field)
    if field == UNIT_COST_REVALUED:
        set_unit_cost_revalued(line, value, p)
    else:
        set_inventory_value_revalued(line, value, p)


CHANGED_BY_EDIT = ("unit_cost_revalued", "inventory_value_revalued", "amount", "unit_amount")


@transaction.atomic
def line_edit(*, line_id: int, version: int, field: str, value) -> RevaluationLine:
    """Edit one cell of a line, refusing an edit based on an outdated version of the line."""
    line = RevaluationLine.objects.select_for_update().select_related("item").get(pk=line_id)
    if line.version != version:
        raise StaleLineError(
            "Someone else changed this line in the meantime; the current values are shown.",
            field=field,
        )
    apply_edit(line, field, value, InventorySetup.get().precision)
    line.version = F("version") + 1
    line.save(update_fields=[*CHANGED_BY_EDIT, "version"])
    line.refresh_from_db(fields=["version"])
    return line


def next_line_no(batch_name: str) -> int:
    last = RevaluationLine.objects.filter(batch_id=batch_name).aggregate(last=Max("line_no"))[
        "last"
    ]
    return (last or 0) + LINE_NO_STEP
