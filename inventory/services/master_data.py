"""Master data and setup changes: importing items and locations, changing Inventory Setup.

Every function validates all of its input before it writes, runs in one transaction and raises
``MasterDataError`` (with ``line_no`` and ``field`` where known) on the first bad value; nothing is
written then. Rows carry ``None`` for "not given": a new record gets the model default, an
existing record keeps its value.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from django.db import models, transaction

from inventory.amounts import MAX_ABS_VALUE, has_more_decimals_than
from inventory.exceptions import InventoryError, LineError
from inventory.models import (
    AverageCostCalcType,
    AverageCostPeriod,
    CostingMethod,
    InventorySetup,
    Item,
    ItemLedgerEntry,
    Location,
    SlowMovingAgeFrom,
    ValueEntry,
    parse_slow_moving_buckets,
)
from inventory.text import control_character, shorten

# Spec §13 messages.
E41_COSTING_METHOD_LOCKED = (
    "You cannot change Costing Method because there are one or more ledger entries for this item."
)
E63_AVERAGE_SETUP_LOCKED = (
    "You cannot change {field} because value entries exist for items with Costing Method Average."
)


class MasterDataError(InventoryError, LineError):
    """An import or setup change was refused; nothing was written.

    ``line_no`` names the input row (1 = first data row) and ``field`` the column or setup field.
    """

    def __str__(self) -> str:
        where = [f"Line {self.line_no}"] if self.line_no is not None else []
        if self.field:
            where.append(self.field)
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass(frozen=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _check_text(value: str | None, *, max_length: int, line_no: int, field: str) -> None:
    if value is not None and len(value) > max_length:
        raise MasterDataError(
            f"'{shorten(value)}' is longer than {max_length} characters.",
            line_no=line_no,
            field=field,
        )


def _check_code(value: str, *, max_length: int, line_no: int, field: str) -> None:
    if not value:
        raise MasterDataError("must have a value.", line_no=line_no, field=field)
    _check_text(value, max_length=max_length, line_no=line_no, field=field)
    char = control_character(value)
    if char:
        raise MasterDataError(
            f"Codes cannot contain control characters (found {char}).",
            line_no=line_no,
            field=field,
        )


def _check_unit_amount(
    value: Decimal | None, *, precision: Decimal, line_no: int, field: str
) -> None:
    if value is None:
        return
    if value < 0:
        raise MasterDataError(
            f"The value must be greater than or equal to 0 (got {value}).",
            line_no=line_no,
            field=field,
        )
    if value >= MAX_ABS_VALUE:
        raise MasterDataError(f"{value} is too large.", line_no=line_no, field=field)
    if has_more_decimals_than(value, precision):
        raise MasterDataError(
            f"{value} has more decimals than the Unit-Amount Rounding Precision {precision}.",
            line_no=line_no,
            field=field,
        )


def _check_duplicates(keys: Sequence[tuple[int, str]], *, field: str) -> None:
    seen: dict[str, int] = {}
    for line_no, key in keys:
        if key in seen:
            raise MasterDataError(
                f"'{shorten(key)}' appears more than once in the file (first on line {seen[key]}).",
                line_no=line_no,
                field=field,
            )
        seen[key] = line_no


# --------------------------------------------------------------------------- items


@dataclass(frozen=True)
class ItemImportRow:
    """One item as given in an import; ``None`` = not given (default when new, else unchanged)."""

    line_no: int
    no: str
    description: str | None = None
    costing_method: str | None = None
    standard_cost: Decimal | None = None
    unit_cost: Decimal | None = None
    base_unit_of_measure: str | None = None
    blocked: bool = False
    inventory_value_zero: bool = False


_ITEM_FIELDS = (
    "description",
    "costing_method",
    "standard_cost",
    "unit_cost",
    "base_unit_of_measure",
    "blocked",
    "inventory_value_zero",
)


def _item_validate_row(row: ItemImportRow, *, precision: Decimal) -> None:
    n = row.line_no
    _check_code(row.no, max_length=20, line_no=n, field="no")
    _check_text(row.description, max_length=100, line_no=n, field="description")
    _check_text(row.base_unit_of_measure, max_length=10, line_no=n, field="base_unit_of_measure")
    if row.costing_method is not None and row.costing_method not in CostingMethod.values:
        raise MasterDataError(
            f"'{row.costing_method}' is not a costing method "
            f"(use one of {', '.join(CostingMethod.values)}).",
            line_no=n,
            field="costing_method",
        )
    _check_unit_amount(row.standard_cost, precision=precision, line_no=n, field="standard_cost")
    _check_unit_amount(row.unit_cost, precision=precision, line_no=n, field="unit_cost")


def _item_apply_row(item: Item, row: ItemImportRow, *, has_entries: bool) -> list[str]:
    """Set the row's values on ``item``; return the names of the fields that changed."""
    new = {
        "description": row.description,
        "costing_method": row.costing_method,
        "standard_cost": row.standard_cost,
        "unit_cost": row.unit_cost,
        "base_unit_of_measure": row.base_unit_of_measure,
        "blocked": row.blocked,
        "inventory_value_zero": row.inventory_value_zero,
    }
    new = {name: value for name, value in new.items() if value is not None}

    if has_entries and new.get("costing_method", item.costing_method) != item.costing_method:
        raise MasterDataError(
            E41_COSTING_METHOD_LOCKED, line_no=row.line_no, field="costing_method"
        )

    costing_method = new.get("costing_method", item.costing_method)
    if costing_method == CostingMethod.STANDARD:
        # Spec §2.2: a Standard item's Unit Cost is always its Standard Cost.
        standard_cost = new.get("standard_cost", item.standard_cost)
        if row.unit_cost is not None and row.unit_cost != standard_cost:
            raise MasterDataError(
                f"must equal standard_cost ({standard_cost}) for a Standard item; leave it blank.",
                line_no=row.line_no,
                field="unit_cost",
            )
        new["unit_cost"] = standard_cost

    changed = [name for name, value in new.items() if getattr(item, name) != value]
    for name in changed:
        setattr(item, name, new[name])
    return changed


def check_costing_method_change(*, item_no: str, costing_method: str) -> None:
    """E-41: the Costing Method of an item with item ledger entries cannot change. Locks the
    item (as posting does), so that no entry appears between this check and the change: call it
    in the transaction that saves the item."""
    item = Item.objects.select_for_update().filter(no=item_no).first()
    if (
        item is not None
        and costing_method != item.costing_method
        and ItemLedgerEntry.objects.filter(item_id=item_no).exists()
    ):
        raise MasterDataError(E41_COSTING_METHOD_LOCKED, field="costing_method")


@transaction.atomic
def item_import(*, rows: Sequence[ItemImportRow]) -> ImportResult:
    """Create the items whose ``no`` is new and update the others.

    Refused (nothing written): a duplicate ``no`` in ``rows``; an unknown costing method; a
    negative cost or one with more decimals than the Unit-Amount Rounding Precision; a change of
    Costing Method on an item with item ledger entries (E-41); on a Standard item, a Unit Cost
    other than its Standard Cost (which is copied to Unit Cost, spec §2.2).
    """
    precision = InventorySetup.get().precision.unit_amount
    for row in rows:
        _item_validate_row(row, precision=precision)
    _check_duplicates([(row.line_no, row.no) for row in rows], field="no")

    # Lock the existing items in primary-key order (as posting does), so that no ledger entry
    # appears between the E-41 check and the update.
    nos = sorted(row.no for row in rows)
    existing = {
        item.no: item for item in Item.objects.select_for_update().filter(no__in=nos).order_by("no")
    }
    with_entries = set(
        ItemLedgerEntry.objects.filter(item__in=list(existing))
        .values_list("item_id", flat=True)
        .distinct()
    )

    created: list[Item] = []
    updates: list[tuple[Item, list[str]]] = []
    unchanged = 0
    for row in rows:
        item = existing.get(row.no)
        if item is None:
            item = Item(no=row.no)
            _item_apply_row(item, row, has_entries=False)
            created.append(item)
            continue
        changed = _item_apply_row(item, row, has_entries=row.no in with_entries)
        if changed:
            updates.append((item, changed))
        else:
            unchanged += 1

    Item.objects.bulk_create(created)
    for item, changed in updates:
        item.save(update_fields=changed)
    return ImportResult(created=len(created), updated=len(updates), unchanged=unchanged)


# --------------------------------------------------------------------------- locations


@dataclass(frozen=True)
class LocationImportRow:
    line_no: int
    code: str
    name: str | None = None


@transaction.atomic
def location_import(*, rows: Sequence[LocationImportRow]) -> ImportResult:
    """Create the locations whose ``code`` is new and rename the others (when a name is given)."""
    for row in rows:
        _check_code(row.code, max_length=10, line_no=row.line_no, field="code")
        _check_text(row.name, max_length=100, line_no=row.line_no, field="name")
    _check_duplicates([(row.line_no, row.code) for row in rows], field="code")

    codes = sorted(row.code for row in rows)
    existing = {
        location.code: location
        for location in Location.objects.select_for_update().filter(code__in=codes)
    }
    created: list[Location] = []
    updated: list[Location] = []
    for row in rows:
        location = existing.get(row.code)
        if location is None:
            created.append(Location(code=row.code, name=row.name or ""))
        elif row.name is not None and location.name != row.name:
            location.name = row.name
            updated.append(location)

    Location.objects.bulk_create(created)
    for location in updated:
        location.save(update_fields=["name"])
    return ImportResult(
        created=len(created),
        updated=len(updated),
        unchanged=len(rows) - len(created) - len(updated),
    )


# --------------------------------------------------------------------------- setup


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()
"""Default of every ``inventory_setup_update`` argument: leave that field as it is."""

AVERAGE_SETUP_FIELDS = {
    "average_cost_calc_type": "Average Cost Calc. Type",
    "average_cost_period": "Average Cost Period",
}


def _check_precision(value: Decimal, *, field: str, label: str) -> None:
    column = InventorySetup._meta.get_field(field)
    assert isinstance(column, models.DecimalField)
    places = column.decimal_places
    smallest = Decimal(1).scaleb(-places)
    sign, digits, exponent = value.normalize().as_tuple()
    if sign or digits != (1,) or not isinstance(exponent, int) or exponent > 0:
        raise MasterDataError(
            f"{label} must be a power of ten between {smallest:f} and 1 (got {value}).",
            field=field,
        )
    if value < smallest:
        raise MasterDataError(
            f"{label} must not be finer than {smallest:f} (got {value}).", field=field
        )


@transaction.atomic
def inventory_setup_update(
    *,
    amount_rounding_precision: Decimal | _Unset = UNSET,
    unit_amount_rounding_precision: Decimal | _Unset = UNSET,
    average_cost_calc_type: str | _Unset = UNSET,
    average_cost_period: str | _Unset = UNSET,
    allow_negative_inventory: bool | _Unset = UNSET,
    automatic_cost_adjustment: bool | _Unset = UNSET,
    automatic_cost_posting: bool | _Unset = UNSET,
    expected_cost_posting_to_gl: bool | _Unset = UNSET,
    allow_posting_from: datetime.date | None | _Unset = UNSET,
    allow_posting_to: datetime.date | None | _Unset = UNSET,
    slow_moving_buckets: str | _Unset = UNSET,
    slow_moving_age_from: str | _Unset = UNSET,
) -> tuple[InventorySetup, list[str]]:
    """Change the given Inventory Setup fields; return the setup and the fields that changed.

    Precisions must be powers of ten from the column's smallest step up to 1. Average Cost Calc.
    Type and Average Cost Period cannot change once value entries exist for Average items (E-63,
    spec §0.1). Allow Posting From must not be after Allow Posting To; ``None`` clears a date.
    """
    InventorySetup.get()  # make sure the singleton exists
    setup = InventorySetup.objects.select_for_update().get(pk=1)

    given = {
        "amount_rounding_precision": amount_rounding_precision,
        "unit_amount_rounding_precision": unit_amount_rounding_precision,
        "average_cost_calc_type": average_cost_calc_type,
        "average_cost_period": average_cost_period,
        "allow_negative_inventory": allow_negative_inventory,
        "automatic_cost_adjustment": automatic_cost_adjustment,
        "automatic_cost_posting": automatic_cost_posting,
        "expected_cost_posting_to_gl": expected_cost_posting_to_gl,
        "allow_posting_from": allow_posting_from,
        "allow_posting_to": allow_posting_to,
        "slow_moving_buckets": slow_moving_buckets,
        "slow_moving_age_from": slow_moving_age_from,
    }
    new = {name: value for name, value in given.items() if not isinstance(value, _Unset)}

    for field, label, precision in (
        ("amount_rounding_precision", "Amount Rounding Precision", amount_rounding_precision),
        (
            "unit_amount_rounding_precision",
            "Unit-Amount Rounding Precision",
            unit_amount_rounding_precision,
        ),
    ):
        if not isinstance(precision, _Unset):
            _check_precision(precision, field=field, label=label)
    if "slow_moving_buckets" in new:
        try:  # stored normalised: "365:50,730:100"
            new["slow_moving_buckets"] = ",".join(
                f"{days}:{percent}"
                for days, percent in parse_slow_moving_buckets(str(new["slow_moving_buckets"]))
            )
        except ValueError as exc:
            raise MasterDataError(str(exc), field="slow_moving_buckets") from None
    for field, choices in (
        ("average_cost_calc_type", AverageCostCalcType),
        ("average_cost_period", AverageCostPeriod),
        ("slow_moving_age_from", SlowMovingAgeFrom),
    ):
        if field in new and new[field] not in choices.values:
            raise MasterDataError(
                f"'{shorten(str(new[field]))}' is not one of {', '.join(choices.values)}.",
                field=field,
            )

    changed = [name for name, value in new.items() if getattr(setup, name) != value]

    check_average_setup_change(changed)

    date_from = (
        setup.allow_posting_from if isinstance(allow_posting_from, _Unset) else allow_posting_from
    )
    date_to = setup.allow_posting_to if isinstance(allow_posting_to, _Unset) else allow_posting_to
    if date_from is not None and date_to is not None and date_from > date_to:
        raise MasterDataError(
            f"Allow Posting From ({date_from}) must not be after Allow Posting To ({date_to}).",
            field="allow_posting_from" if "allow_posting_from" in new else "allow_posting_to",
        )

    for name in changed:
        setattr(setup, name, new[name])
    if changed:
        setup.save(update_fields=changed)
    return setup, changed


def check_average_setup_change(changed: Iterable[str]) -> None:
    """E-63 (spec §0.1): Average Cost Calc. Type and Average Cost Period cannot change once
    value entries exist for Average items; refused on the first such field of ``changed``.
    Call it in the transaction that saves the setup."""
    fields = [name for name in AVERAGE_SETUP_FIELDS if name in set(changed)]
    if not fields:
        return
    # Posting locks its items before it reads the setup. Locking every Average item (in
    # primary-key order, as posting does) means that a concurrent posting for one either has
    # committed, and its value entries are seen below, or waits and reads the new setup.
    average_items = Item.objects.select_for_update().filter(costing_method=CostingMethod.AVERAGE)
    list(average_items.order_by("no").values_list("no", flat=True))
    if ValueEntry.objects.filter(item__costing_method=CostingMethod.AVERAGE).exists():
        field = fields[0]
        raise MasterDataError(
            E63_AVERAGE_SETUP_LOCKED.format(field=AVERAGE_SETUP_FIELDS[field]), field=field
        )
