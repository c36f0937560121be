"""Low-level ledger writing shared by every posting run (item journal, revaluation, adjustment).

``LedgerWriter`` is used inside one database transaction. It locks the items and the entry-number
counters, hands out gap-free entry numbers, inserts ledger rows with the side effects every value
entry has (COSTING-SPEC §3.8: entry points, Applied Entry to Adjust, Cost is Adjusted) and writes
the item register last, when the entry ranges are known.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol, TypedDict, Unpack, cast

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.amounts import ZERO, Precision
from inventory.bulk import copy_rows
from inventory.exceptions import PostingError
from inventory.models import (
    AverageCostCalcType,
    AvgCostAdjmtEntryPoint,
    CostingMethod,
    InventoryPeriod,
    InventorySetup,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ItemRegister,
    LedgerCounter,
    ValueEntry,
    ValueEntryType,
)
from inventory.periods import average_cost_period
from inventory.services import gl_posting

COUNTERS = ("item_application_entry", "item_ledger_entry", "item_register", "value_entry")


class ItemLedgerEntryDraft(TypedDict, total=False):
    """The columns a caller gives ``LedgerWriter.insert_ile`` (the writer fills in the rest:
    entry no., remaining quantity, open, positive, register, and by default the source code,
    Completely Invoiced and the last invoice date)."""

    item_id: str
    posting_date: date | None
    entry_type: str
    document_no: str
    description: str
    location_code: str
    variant_code: str
    quantity: Decimal  # required
    invoiced_quantity: Decimal  # required
    completely_invoiced: bool
    applies_to_entry: int
    source_code: str
    reason_code: str


class ApplicationDraft(TypedDict, total=False):
    """The columns a caller gives ``LedgerWriter.insert_application``."""

    item_ledger_entry: ItemLedgerEntry
    inbound_item_entry: ItemLedgerEntry
    outbound_item_entry: ItemLedgerEntry
    outbound_item_entry_id: int | None
    transferred_from_entry: ItemLedgerEntry | None
    quantity: Decimal
    posting_date: date | None
    cost_application: bool


class LedgerEntryRef(Protocol):
    """What the writer reads of the item ledger entry a value entry is posted on: the model, or
    a lighter row read for a large run (``defer_value_entry``)."""

    entry_no: int
    item_id: str
    location_code: str
    variant_code: str
    entry_type: str
    positive: bool
    quantity: Decimal
    remaining_quantity: Decimal
    applied_entry_to_adjust: bool


class ValueEntryDraft(TypedDict, total=False):
    """The value-entry columns a caller gives ``LedgerWriter.insert_value_entry``; the writer
    rounds the amounts and fills in the entry no., the item ledger entry's columns, the user,
    the batch, the register, Cost per Unit (unless given) and the posting groups' defaults."""

    entry_type: str
    variance_type: str
    posting_date: date | None
    valuation_date: date | None
    document_no: str
    description: str
    source_code: str
    reason_code: str
    inventory_posting_group: str
    gen_bus_posting_group: str
    gen_prod_posting_group: str
    valued_quantity: Decimal  # required
    invoiced_quantity: Decimal
    cost_per_unit: Decimal
    cost_amount_actual: Decimal
    cost_amount_expected: Decimal
    expected_cost: bool
    sales_amount_actual: Decimal
    sales_amount_expected: Decimal
    purchase_amount_actual: Decimal
    purchase_amount_expected: Decimal
    adjustment: bool
    applies_to_entry: int
    partial_revaluation: bool
    valued_by_average_cost: bool


def lock_items(item_nos: Iterable[str]) -> dict[str, Item]:
    """Lock the items in primary-key order (a fixed order prevents deadlocks)."""
    items = Item.objects.select_for_update().filter(no__in=set(item_nos)).order_by("no")
    return {item.no: item for item in items}


def last_closed_period_end() -> date | None:
    """Ending date of the last closed inventory period: no posting on or before it (§11)."""
    return (
        InventoryPeriod.objects.filter(closed=True)
        .order_by("-ending_date")
        .values_list("ending_date", flat=True)
        .first()
    )


def check_posting_date(
    setup: InventorySetup, posting_date: date | None, *, closed_until: date | None, **where: Any
) -> None:
    """Spec §11: E-08 (blank), E-06 (allowed range), E-07 (closed inventory period)."""
    if posting_date is None:
        raise PostingError(
            _("Posting Date must have a value in Item Journal Line."), field="posting_date", **where
        )
    if (setup.allow_posting_from and posting_date < setup.allow_posting_from) or (
        setup.allow_posting_to and posting_date > setup.allow_posting_to
    ):
        raise PostingError(
            _("Posting Date is not within your range of allowed posting dates."),
            field="posting_date",
            **where,
        )
    if closed_until and posting_date <= closed_until:
        first_open = closed_until + timedelta(days=1)
        raise PostingError(
            _(
                "You cannot post before %(date)s because the Inventory Period is already closed. "
                "You must re-open the period first."
            )
            % {"date": first_open.isoformat()},
            field="posting_date",
            **where,
        )


def last_dc_ve(ile_id: int) -> ValueEntry | None:
    """Spec §2.10: last Direct Cost VE of the entry (adjustments included), else its last VE."""
    entries = ValueEntry.objects.filter(item_ledger_entry_id=ile_id).order_by("-entry_no")
    return entries.filter(entry_type=ValueEntryType.DIRECT_COST).first() or entries.first()


def rev_or_last_ve(ile_id: int) -> ValueEntry | None:
    """Spec §2.10: last Revaluation VE of the entry, else its last VE of any type."""
    entries = ValueEntry.objects.filter(item_ledger_entry_id=ile_id).order_by("-entry_no")
    return entries.filter(entry_type=ValueEntryType.REVALUATION).first() or entries.first()


@dataclass
class Counters:
    values: dict[str, int]
    locked: dict[str, int]  # the values as locked

    @classmethod
    def lock(cls) -> Counters:
        LedgerCounter.objects.bulk_create(
            [LedgerCounter(name=name) for name in COUNTERS], ignore_conflicts=True
        )
        rows = LedgerCounter.objects.select_for_update().filter(name__in=COUNTERS).order_by("name")
        values = {row.name: row.last_no for row in rows}
        return cls(values, dict(values))

    def next(self, name: str) -> int:
        self.values[name] += 1
        return self.values[name]

    def save(self) -> None:
        """Write the counters that moved since they were locked."""
        for name, last_no in self.values.items():
            if last_no != self.locked[name]:
                LedgerCounter.objects.filter(name=name).update(last_no=last_no)


FLUSH_EVERY = 5000  # deferred value entries written per COPY
AMOUNT_FIELDS = (
    "cost_amount_actual",
    "cost_amount_expected",
    "sales_amount_actual",
    "sales_amount_expected",
    "purchase_amount_actual",
    "purchase_amount_expected",
)
# A deferred value entry's row: every column (by attribute name) with the model's default.
VE_COLUMNS = tuple((f.attname, f.get_default()) for f in ValueEntry._meta.concrete_fields)
type ValueEntryRow = tuple[Any, ...]  # the values of VE_COLUMNS


@dataclass(frozen=True)
class _WriterState:
    """What ``LedgerWriter.savepoint`` restores when its block fails."""

    counters: dict[str, int]
    ile_count: int
    ve_count: int
    pending: tuple[ValueEntryRow, ...]
    pending_flags: frozenset[int]
    marked_points: frozenset[EntryPointKey] = field(default_factory=frozenset)
    pending_points: frozenset[EntryPointKey] = field(default_factory=frozenset)


class LedgerWriter:
    """Writes ledger rows for one posting run; call ``finish()`` last to write the register.

    Callers give it drafts (``ItemLedgerEntryDraft``, ``ApplicationDraft``, ``ValueEntryDraft``)
    and read ``ile_nos`` / ``ve_nos``; they never change its state: ``savepoint()`` undoes a
    failed block, ``write_adjustment_flags()`` writes the flags Adjust Cost maintains.
    """

    def __init__(
        self,
        *,
        items: dict[str, Item],
        source_code: str,
        user: User | AnonymousUser | None = None,
        batch_name: str = "",
        adjusting: bool = False,
        setup: InventorySetup | None = None,
    ) -> None:
        self.setup = setup or InventorySetup.get()
        self.precision: Precision = self.setup.precision
        self.closed_until = last_closed_period_end()
        self.items = items
        self.source_code = source_code
        # an anonymous (or unsaved) user posts as nobody
        self.user = cast("User | None", user if getattr(user, "pk", None) else None)
        self.batch_name = batch_name
        # Adjust Cost maintains Applied Entry to Adjust itself (spec §3.8 item 2, §7.9).
        self.adjusting = adjusting
        self.counters = Counters.lock()
        self.register_no = self.counters.next("item_register")
        self.ile_nos: list[int] = []
        self.ve_nos: list[int] = []
        self.dirty_items: set[str] = set()
        self.pending: list[ValueEntryRow] = []
        self.pending_flags: set[int] = set()
        self.marked_points: set[EntryPointKey] = set()
        self.pending_points: set[EntryPointKey] = set()  # marked at flush()

    # ------------------------------------------------------------------ savepoint

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Run a block in a database savepoint: when it raises, the rows it wrote are rolled back
        and the writer forgets them too (the entry numbers it handed out are handed out again)."""
        state = _WriterState(
            counters=dict(self.counters.values),
            ile_count=len(self.ile_nos),
            ve_count=len(self.ve_nos),
            pending=tuple(self.pending),
            pending_flags=frozenset(self.pending_flags),
            marked_points=frozenset(self.marked_points),
            pending_points=frozenset(self.pending_points),
        )
        try:
            with transaction.atomic():
                yield
        except BaseException:
            self.counters.values = state.counters
            del self.ile_nos[state.ile_count :]
            del self.ve_nos[state.ve_count :]
            self.pending = list(state.pending)
            self.pending_flags = set(state.pending_flags)
            self.marked_points = set(state.marked_points)
            self.pending_points = set(state.pending_points)
            raise

    # ------------------------------------------------------------------ inserts

    def insert_ile(self, **draft: Unpack[ItemLedgerEntryDraft]) -> ItemLedgerEntry:
        fields: dict[str, Any] = dict(draft)
        quantity = fields["quantity"]
        invoiced = fields.pop("invoiced_quantity")
        fields.setdefault("source_code", self.source_code)
        ile = ItemLedgerEntry(
            entry_no=self.counters.next("item_ledger_entry"),
            remaining_quantity=quantity,
            open=True,
            positive=quantity > 0,
            invoiced_quantity=invoiced,
            completely_invoiced=fields.pop("completely_invoiced", invoiced == quantity),
            last_invoice_date=fields["posting_date"] if invoiced else None,
            item_register_id=self.register_no,
            **fields,
        )
        ile.save(force_insert=True)
        self.ile_nos.append(ile.entry_no)
        return ile

    def insert_application(self, **draft: Unpack[ApplicationDraft]) -> ItemApplicationEntry:
        row = ItemApplicationEntry(
            entry_no=self.counters.next("item_application_entry"),
            item_register_id=self.register_no,
            **draft,
        )
        row.save(force_insert=True)
        return row

    def insert_value_entry(
        self, ile: ItemLedgerEntry, *, first: bool | None = None, **draft: Unpack[ValueEntryDraft]
    ) -> ValueEntry:
        """Insert a VE on ``ile``: amounts rounded with R, Cost per Unit per spec §3.5.9.

        ``first`` says whether it is the entry's first value entry (looked up when None).
        """
        if first is None:
            first = not ValueEntry.objects.filter(item_ledger_entry=ile).exists()
        fields = self._value_entry_fields(ile, first, draft)
        ve = ValueEntry(item_ledger_entry=ile, **fields)
        ve.save(force_insert=True)
        self._after_value_entry(ile, fields, defer=False)
        return ve

    def defer_value_entry(
        self, ile: LedgerEntryRef, *, first: bool, **draft: Unpack[ValueEntryDraft]
    ) -> dict[str, Any]:
        """``insert_value_entry`` queued for one COPY at ``flush()`` (a row, no model: a
        100,000-entry revaluation spent most of its time building models); the side effects
        happen now. Returns the entry's columns (``entry_no``, the rounded amounts, ...)."""
        fields = self._value_entry_fields(ile, first, draft)
        fields["item_ledger_entry_id"] = ile.entry_no
        self.pending.append(tuple([fields.get(name, default) for name, default in VE_COLUMNS]))
        if len(self.pending) >= FLUSH_EVERY:
            # a 100,000-entry revaluation held every row until the end (~1 GB peak RSS);
            # written now, later reads see them, and a savepoint rollback undoes them
            self.flush()
        self._after_value_entry(ile, fields, defer=True)
        return fields

    def _value_entry_fields(
        self, ile: LedgerEntryRef, first: bool, draft: ValueEntryDraft
    ) -> dict[str, Any]:
        """The columns of a new VE (by attribute name, the item ledger entry's left out): the
        draft's, its amounts rounded, and what the writer fills in; takes its entry no."""
        fields: dict[str, Any] = dict(draft)
        r = self.precision.r
        for name in AMOUNT_FIELDS:
            amount = fields.get(name)
            fields[name] = r(amount) if amount else ZERO
        item = self.items[ile.item_id]
        fields.setdefault("entry_type", ValueEntryType.DIRECT_COST)
        if item.inventory_value_zero:
            fields["cost_amount_actual"] = fields["cost_amount_expected"] = ZERO
        if "cost_per_unit" not in fields:
            fields["cost_per_unit"] = cost_per_unit_of(self.precision, fields)
        fields.setdefault("source_code", self.source_code)
        fields.setdefault("inventory_posting_group", item.inventory_posting_group)
        fields.setdefault("gen_prod_posting_group", item.gen_prod_posting_group)
        fields.update(
            entry_no=self.counters.next("value_entry"),
            item_id=ile.item_id,
            location_code=ile.location_code,
            variant_code=ile.variant_code,
            item_ledger_entry_type=ile.entry_type,
            user_id=self.user.pk if self.user else None,
            journal_batch_name=self.batch_name,
            item_ledger_entry_quantity=fields["valued_quantity"] if first else ZERO,
            item_register_id=self.register_no,
        )
        self.ve_nos.append(fields["entry_no"])
        return fields

    def _after_value_entry(self, ile: LedgerEntryRef, fields: dict[str, Any], defer: bool) -> None:
        """Spec §3.8 items 1-3 (G/L and unit cost are the caller's business)."""
        plain = fields["entry_type"] not in (ValueEntryType.VARIANCE, ValueEntryType.ROUNDING)
        if plain and not fields.get("adjustment"):
            self.mark_entry_point_unadjusted(
                ile.item_id,
                ile.location_code,
                ile.variant_code,
                fields["valuation_date"],
                defer=defer,
            )
        if (
            plain
            and not self.adjusting
            and ile.positive
            and ile.quantity != ile.remaining_quantity
            and not ile.applied_entry_to_adjust
        ):
            if defer:
                ile.applied_entry_to_adjust = True
                self.pending_flags.add(ile.entry_no)
            else:
                self.set_applied_entry_to_adjust(cast(ItemLedgerEntry, ile))
        item = self.items[ile.item_id]
        item.cost_is_adjusted = False
        self.dirty_items.add(item.no)

    # ------------------------------------------------------------------ updates

    def save_ile(self, ile: ItemLedgerEntry, *fields: str) -> None:
        ile.save(update_fields=list(fields))

    def set_applied_entry_to_adjust(self, ile: ItemLedgerEntry) -> None:
        ile.applied_entry_to_adjust = True
        self.save_ile(ile, "applied_entry_to_adjust")

    def mark_entry_point_unadjusted(
        self,
        item_no: str,
        location_code: str,
        variant_code: str,
        valuation_date: date,
        *,
        defer: bool = False,
    ) -> None:
        """Spec §2.6: this point and every later point of the pool become unadjusted (``defer``:
        at ``flush()``, with the other points of the deferred value entries)."""
        key = entry_point_key(
            self.setup, self.items[item_no], location_code, variant_code, valuation_date
        )
        if key in self.marked_points:  # already marked (with every later point)
            return
        self.marked_points.add(key)
        if defer:
            self.pending_points.add(key)
        else:
            mark_entry_points_unadjusted(self.setup, self.items, [key])

    def move_valuation_date(self, ile: ItemLedgerEntry, new_date: date) -> None:
        """Spec §3.7: an outbound's VEs dated before ``new_date`` move to it, and so do those of
        the entries that take their cost from it (returns applied from it, transfer receipts,
        and what consumed those), so that no linked entry is valued before its source."""
        pending, seen = [ile], set()
        while pending:
            entry = pending.pop()
            if entry.entry_no in seen:
                continue
            seen.add(entry.entry_no)
            moved = ValueEntry.objects.filter(item_ledger_entry=entry, valuation_date__lt=new_date)
            old_dates = set(moved.values_list("valuation_date", flat=True))
            if not old_dates:
                continue
            moved.update(valuation_date=new_date)
            for day in (*sorted(old_dates), new_date):
                self.mark_entry_point_unadjusted(
                    entry.item_id, entry.location_code, entry.variant_code, day
                )
            pending.extend(cost_receivers(entry))

    # ------------------------------------------------------------------ end of run

    def flush(self) -> None:
        """Insert the deferred value entries."""
        if self.pending:
            copy_rows(ValueEntry, [name for name, _default in VE_COLUMNS], self.pending)
            self.pending = []
        if self.pending_flags:
            ItemLedgerEntry.objects.filter(entry_no__in=self.pending_flags).update(
                applied_entry_to_adjust=True
            )
            self.pending_flags = set()
        if self.pending_points:
            mark_entry_points_unadjusted(self.setup, self.items, sorted(self.pending_points))
            self.pending_points = set()

    def finish(self) -> ItemRegister:
        self.flush()
        save_item_costs([self.items[no] for no in sorted(self.dirty_items)])
        register = ItemRegister(
            no=self.register_no,
            from_entry_no=min(self.ile_nos, default=0),
            to_entry_no=max(self.ile_nos, default=0),
            from_value_entry_no=min(self.ve_nos, default=0),
            to_value_entry_no=max(self.ve_nos, default=0),
            source_code=self.source_code,
            user=self.user,
            journal_batch_name=self.batch_name,
            created_at=timezone.now(),
        )
        register.save(force_insert=True)
        self.counters.save()
        gl_posting.post_automatically(self.setup, self.ve_nos, user=self.user)
        return register

    # ------------------------------------------------------------------ Adjust Cost's flags

    @staticmethod
    def write_adjustment_flags(
        item: Item, *, completely_invoiced: Iterable[int], keep_applied_entry_to_adjust: set[int]
    ) -> None:
        """Spec §7.9: the item ledger flags Adjust Cost maintains itself (its writer runs with
        ``adjusting``, and it may post nothing at all). The entries the run found completely
        invoiced are marked so; Applied Entry to Adjust is cleared on the item's entries except
        ``keep_applied_entry_to_adjust``, which keep (or get) it."""
        invoiced = list(completely_invoiced)
        if invoiced:
            ItemLedgerEntry.objects.filter(entry_no__in=invoiced).update(completely_invoiced=True)
        ItemLedgerEntry.objects.filter(item=item, applied_entry_to_adjust=True).exclude(
            entry_no__in=keep_applied_entry_to_adjust
        ).update(applied_entry_to_adjust=False)
        if keep_applied_entry_to_adjust:
            ItemLedgerEntry.objects.filter(entry_no__in=keep_applied_entry_to_adjust).update(
                applied_entry_to_adjust=True
            )


# --------------------------------------------------------------------------- the writer's rules


# The cost fields posting maintains on its items, in one statement (a save per item took 1.2 s
# for the 2,020 items of a per-item revaluation journal).
SAVE_ITEM_COSTS = f"""
UPDATE {Item._meta.db_table} i
SET unit_cost = c.unit_cost, last_direct_cost = c.last_direct_cost,
    standard_cost = c.standard_cost, last_unit_cost_calc_date = c.last_unit_cost_calc_date,
    cost_is_adjusted = c.cost_is_adjusted
FROM unnest(%s::varchar[], %s::numeric[], %s::numeric[], %s::numeric[], %s::date[], %s::boolean[])
    AS c (no, unit_cost, last_direct_cost, standard_cost, last_unit_cost_calc_date,
          cost_is_adjusted)
WHERE i.no = c.no"""


def save_item_costs(items: list[Item]) -> None:
    if not items:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            SAVE_ITEM_COSTS,
            [
                [item.no for item in items],
                [item.unit_cost for item in items],
                [item.last_direct_cost for item in items],
                [item.standard_cost for item in items],
                [item.last_unit_cost_calc_date for item in items],
                [item.cost_is_adjusted for item in items],
            ],
        )


def cost_per_unit_of(precision: Precision, fields: dict[str, Any]) -> Decimal:
    """Spec §3.5.9: the Cost per Unit of a new value entry from its rounded amounts."""
    if fields["entry_type"] == ValueEntryType.ROUNDING:
        return ZERO
    if fields.get("expected_cost"):
        amount = fields["cost_amount_expected"]
    elif fields["entry_type"] == ValueEntryType.REVALUATION:
        amount = fields["cost_amount_actual"] + fields["cost_amount_expected"]
    else:
        amount = fields["cost_amount_actual"]
    return precision.cost_per_unit(amount, fields["valued_quantity"])


type EntryPointKey = tuple[str, str, str, date]  # item no., location, variant, valuation date


def entry_point_key(
    setup: InventorySetup, item: Item, location_code: str, variant_code: str, valuation_date: date
) -> EntryPointKey:
    """The entry point (§2.6) a value entry falls in: for an Average item the last day of its
    average-cost period, and no location or variant when the pool is the item."""
    if item.costing_method == CostingMethod.AVERAGE:
        valuation_date = average_cost_period(valuation_date, setup.average_cost_period)[1]
        if setup.average_cost_calc_type == AverageCostCalcType.ITEM:
            location_code = variant_code = ""
    return (item.no, location_code, variant_code, valuation_date)


# Every point of ``mark_entry_points_unadjusted``'s keys (arrays of their parts, the earliest per
# pool) and each later point of its pool: of its location and variant, or of the item. A join on
# the item: an EXISTS over the keys for every point of the table took 5 s at 504,577 points.
MARK_ENTRY_POINTS = f"""
UPDATE {AvgCostAdjmtEntryPoint._meta.db_table} p SET cost_is_adjusted = FALSE
FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[], %s::date[], %s::boolean[])
    AS k (item_id, location_code, variant_code, valuation_date, pool_is_item)
WHERE p.item_id = k.item_id AND p.cost_is_adjusted
  AND (p.location_code = k.location_code AND p.variant_code = k.variant_code
           AND p.valuation_date >= k.valuation_date  -- the point and the later ones
       OR k.pool_is_item AND p.valuation_date > k.valuation_date)"""


def mark_entry_points_unadjusted(
    setup: InventorySetup, items: dict[str, Item], keys: Iterable[EntryPointKey]
) -> None:
    """Spec §2.6: each point (see ``entry_point_key``; created if missing) and every later point
    of its pool become unadjusted; two statements for any number of points."""
    keys = list(keys)
    if not keys:
        return
    AvgCostAdjmtEntryPoint.objects.bulk_create(
        [
            AvgCostAdjmtEntryPoint(
                item_id=item_no,
                location_code=location_code,
                variant_code=variant_code,
                valuation_date=valuation_date,
                cost_is_adjusted=False,
            )
            for item_no, location_code, variant_code, valuation_date in keys
        ],
        ignore_conflicts=True,
    )
    earliest: dict[tuple[str, str, str], date] = {}  # later points of a pool are marked anyway
    for item_no, location_code, variant_code, valuation_date in keys:
        pool = (item_no, location_code, variant_code)
        earliest[pool] = min(valuation_date, earliest.get(pool, valuation_date))
    pool_is_item = [
        items[item_no].costing_method == CostingMethod.AVERAGE
        and setup.average_cost_calc_type == AverageCostCalcType.ITEM
        for item_no, _location, _variant in earliest
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            MARK_ENTRY_POINTS,
            [
                *(list(column) for column in zip(*earliest, strict=True)),
                list(earliest.values()),
                pool_is_item,
            ],
        )


def cost_receivers(entry: ItemLedgerEntry) -> list[ItemLedgerEntry]:
    """Entries that take their cost directly from ``entry`` through a cost application."""
    rows = ItemApplicationEntry.objects.filter(cost_application=True).exclude(
        item_ledger_entry=entry
    )
    if entry.positive:
        rows = rows.filter(inbound_item_entry=entry, quantity__lt=0)
    else:
        rows = rows.filter(outbound_item_entry=entry, quantity__gt=0)
    return list(ItemLedgerEntry.objects.filter(entry_no__in=rows.values("item_ledger_entry_id")))
