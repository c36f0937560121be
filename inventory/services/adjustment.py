"""Adjust Cost - Item Entries (BC codeunit 5895, COSTING-SPEC §7, §8).

Each item is adjusted in its own transaction: the item row is locked, the item's ledger is read
with a handful of set-based queries, the new costs are worked out in memory, and the differences
are posted as adjustment (and rounding) value entries through the ledger writer. One item
failing is rolled back and reported; the others are kept.

In memory, adjustments are buffered per *original* value entry (§7.2): every later calculation
of the run sees them as if posted, and each original gets at most one adjustment entry per run.
"""

from __future__ import annotations

import heapq
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from inventory.adjustment_selection import items_to_adjust
from inventory.amounts import ZERO
from inventory.exceptions import InventoryError, PostingError
from inventory.models import (
    AverageCostCalcType,
    AvgCostAdjmtEntryPoint,
    CostingMethod,
    InventorySetup,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ItemLedgerEntryType,
    SourceCode,
    ValueEntry,
    ValueEntryType,
)
from inventory.periods import average_cost_period
from inventory.services.ledger import LedgerWriter, last_closed_period_end

logger = logging.getLogger(__name__)

MAX_PASSES = 100  # bounds the work on pathological application chains (BC: recursion depth 100)


@dataclass
class AdjustmentSummary:
    items_total: int = 0
    items_adjusted: int = 0
    entries_created: int = 0
    amount: Decimal = ZERO
    failures: list[tuple[str, str]] = field(default_factory=list)
    register_nos: list[int] = field(default_factory=list)
    item_nos: list[str] = field(default_factory=list)  # the items the run took up


def adjust_cost_item_entries(
    *,
    item_nos: Iterable[str] | None = None,
    user=None,
    progress: Callable[[int, int, str], None] | None = None,
) -> AdjustmentSummary:
    """Adjust every item whose cost is not adjusted (optionally only ``item_nos``), by item no."""
    nos = items_to_adjust(item_nos)
    summary = AdjustmentSummary(items_total=len(nos), item_nos=nos)
    for done, no in enumerate(nos, start=1):
        try:
            created, amount, register_no = adjust_item(item_no=no, user=user)
        except InventoryError as error:
            summary.failures.append((no, str(error)))
        except Exception as error:  # noqa: BLE001 - one item failing must not stop the others
            logger.exception("Adjust Cost failed for item %s", no)
            summary.failures.append((no, f"Unexpected error: {error}"))
        else:
            summary.items_adjusted += 1
            summary.entries_created += created
            summary.amount += amount
            if register_no:
                summary.register_nos.append(register_no)
        if progress:
            progress(done, len(nos), no)
    return summary


@transaction.atomic
def adjust_item(*, item_no: str, user=None) -> tuple[int, Decimal, int | None]:
    """Adjust one item in one transaction; returns (entries created, amount, register no.)."""
    item = Item.objects.select_for_update().get(no=item_no)
    adjuster = _ItemAdjuster(item, InventorySetup.get())
    adjuster.run()
    return adjuster.write(user=user)


def first_allowed_date(setup: InventorySetup) -> date:
    """Spec §7.10: the later of Allow Posting From and the day after the last closed period."""
    start = setup.allow_posting_from or date.min
    closed = last_closed_period_end()
    return max(start, closed + timedelta(days=1)) if closed else start


@dataclass
class _Delta:
    actual: Decimal = ZERO
    expected: Decimal = ZERO


class _ItemAdjuster:
    """The in-memory ledger of one item and the adjustment passes over it."""

    def __init__(self, item: Item, setup: InventorySetup):
        self.item = item
        self.setup = setup
        self.p = setup.precision
        self.average = item.costing_method == CostingMethod.AVERAGE
        self.entries = {e.entry_no: e for e in ItemLedgerEntry.objects.filter(item=item)}
        self.ves: dict[int, list[ValueEntry]] = defaultdict(list)
        self.ve_by_no: dict[int, ValueEntry] = {}
        for ve in ValueEntry.objects.filter(item=item).order_by("entry_no"):
            self.ves[ve.item_ledger_entry_id].append(ve)
            self.ve_by_no[ve.entry_no] = ve
        self.rows_of_outbound: dict[int, list] = defaultdict(list)  # rows written for O (qty < 0)
        self.cost_outbound_rows: dict[int, list] = defaultdict(list)  # §7.3 rows of an inbound
        self.transfer_rows: dict[int, list] = defaultdict(list)  # rows transferred from X
        self.receiving_rows: dict[int, list] = defaultdict(list)  # inbounds taking cost from O
        rows = ItemApplicationEntry.objects.filter(item_ledger_entry__item=item).order_by(
            "entry_no"
        )
        for row in rows:
            ile, inbound, outbound = (
                row.item_ledger_entry_id,
                row.inbound_item_entry_id,
                row.outbound_item_entry_id,
            )
            if row.quantity < 0:
                self.rows_of_outbound[ile].append(row)
            if not row.cost_application:
                continue
            if outbound and ile != inbound:
                self.cost_outbound_rows[inbound].append(row)
            if row.transferred_from_entry_id:
                self.transfer_rows[row.transferred_from_entry_id].append(row)
            elif outbound and ile != outbound and row.quantity > 0:
                self.receiving_rows[outbound].append(row)
        # transfer receipt -> the entry it was transferred from
        self.transfer_source = {
            row.item_ledger_entry_id: source
            for source, rows in self.transfer_rows.items()
            for row in rows
        }
        # entries that take their cost from an outbound (Applies-from, transfer receipts)
        self.cost_receivers = {
            row.item_ledger_entry_id
            for rows in (*self.receiving_rows.values(), *self.transfer_rows.values())
            for row in rows
        }
        self.buffer: dict[int, _Delta] = defaultdict(_Delta)
        self.changed_entries: set[int] = set()
        self.processed: set[int] = set()
        self.computed: set[int] = set()
        self.keep_flagged: set[int] = set()
        self.invoiced_updates: set[int] = set()
        self.rounding: dict[int, Decimal] = {}
        self.points = list(AvgCostAdjmtEntryPoint.objects.filter(item=item))
        self.average_pools_done: set[tuple[str, str]] = set()

    # ------------------------------------------------------------------ amounts

    def actual(self, ve: ValueEntry) -> Decimal:
        delta = self.buffer.get(ve.entry_no)
        return ve.cost_amount_actual + delta.actual if delta else ve.cost_amount_actual

    def expected(self, ve: ValueEntry) -> Decimal:
        delta = self.buffer.get(ve.entry_no)
        return ve.cost_amount_expected + delta.expected if delta else ve.cost_amount_expected

    def add(self, ve: ValueEntry, *, actual=ZERO, expected=ZERO) -> bool:
        if not actual and not expected:
            return False
        delta = self.buffer[ve.entry_no]
        delta.actual += actual
        delta.expected += expected
        self.changed_entries.add(ve.item_ledger_entry_id)
        return True

    # ------------------------------------------------------------------ the run

    def run(self) -> None:
        flagged = [no for no, e in sorted(self.entries.items()) if e.applied_entry_to_adjust]
        self.forward_all(flagged)
        if self.average:
            self.average_passes()
        for no in sorted(self.processed):
            self.eliminate_rounding(self.entries[no])

    def forward_all(self, start: Iterable[int]) -> None:
        """Forward cost from entries along cost applications until nothing changes (§7.3)."""
        work = list(set(start))
        heapq.heapify(work)
        visits: dict[int, int] = defaultdict(int)
        while work:
            no = heapq.heappop(work)
            visits[no] += 1
            if visits[no] > MAX_PASSES:
                self.keep_flagged.add(no)
                continue
            for dependent in self.forward(self.entries[no]):
                heapq.heappush(work, dependent)

    def forward(self, x: ItemLedgerEntry) -> list[int]:
        """Recompute the entries that take their cost from ``x``; return those that changed."""
        self.processed.add(x.entry_no)
        changed = []
        for row in self.cost_outbound_rows[x.entry_no]:
            outbound = self.entries[row.item_ledger_entry_id]
            if self.adjust_outbound(outbound) or outbound.entry_no not in self.computed:
                changed.append(outbound.entry_no)
            self.computed.add(outbound.entry_no)
            if not outbound.completely_invoiced:
                # a later invoice of the outbound must be costed from x again
                self.keep_flagged.add(x.entry_no)
        if x.positive:
            for row in self.transfer_rows[x.entry_no]:
                inbound = self.entries[row.item_ledger_entry_id]
                if (
                    self.adjust_transfer_inbound(inbound, row)
                    or inbound.entry_no not in self.computed
                ):
                    changed.append(inbound.entry_no)
                self.computed.add(inbound.entry_no)
        else:
            for row in self.receiving_rows[x.entry_no]:
                inbound = self.entries[row.item_ledger_entry_id]
                if (
                    self.adjust_inbound_from_outbound(inbound, row)
                    or inbound.entry_no not in self.computed
                ):
                    changed.append(inbound.entry_no)
                self.computed.add(inbound.entry_no)
        return changed

    # ------------------------------------------------------------------ §7.4

    def first_quantity_ve(self, ile_no: int) -> ValueEntry:
        entries = self.ves[ile_no]
        return next((v for v in entries if v.item_ledger_entry_quantity != 0), entries[0])

    def included_in_cost(self, ve: ValueEntry, outbound: ItemLedgerEntry) -> bool:
        if ve.entry_type == ValueEntryType.ROUNDING:
            return False
        if ve.entry_type == ValueEntryType.REVALUATION:
            if ve.applies_to_entry:
                return self.included_in_cost(self.ve_by_no[ve.applies_to_entry], outbound)
            if ve.partial_revaluation:
                first = self.first_quantity_ve(outbound.entry_no)
                return (
                    first.entry_no > ve.entry_no
                    or max(first.valuation_date, first.posting_date) > ve.valuation_date
                )
        return True

    def inbound_cost_elements(
        self, inbound: ItemLedgerEntry, outbound: ItemLedgerEntry
    ) -> list[Decimal]:
        direct = variance = ZERO
        not_invoiced = inbound.quantity - inbound.invoiced_quantity
        exact_reversing = (
            outbound.applies_to_entry != 0
            and outbound.entry_type == ItemLedgerEntryType.PURCHASE
            and outbound.invoiced_quantity < 0
        )
        for ve in self.ves[inbound.entry_no]:
            if ve.expected_cost and inbound.quantity == inbound.invoiced_quantity:
                continue
            if not self.included_in_cost(ve, outbound):
                continue
            actual, expected = self.actual(ve), self.expected(ve)
            if ve.entry_type == ValueEntryType.REVALUATION and expected != 0:
                direct += (expected + actual) * inbound.quantity / ve.valued_quantity
            elif ve.expected_cost:
                direct += expected * not_invoiced / ve.valued_quantity
            elif ve.partial_revaluation:
                direct += actual * inbound.quantity / ve.valued_quantity
            elif (
                ve.entry_type in (ValueEntryType.DIRECT_COST, ValueEntryType.REVALUATION)
                or not exact_reversing
            ):
                direct += actual
            else:
                variance += actual
        return [direct, variance]

    def applied_cost(
        self, inbound: ItemLedgerEntry, receiver: ItemLedgerEntry, quantity: Decimal
    ) -> Decimal:
        """Σ R(element × quantity / inbound quantity): the cost ``receiver`` takes from ``inbound``."""
        return sum(
            (
                self.p.r(e * quantity / inbound.quantity)
                for e in self.inbound_cost_elements(inbound, receiver)
            ),
            ZERO,
        )

    # ------------------------------------------------------------------ §7.3, §7.5, §7.6

    def adjust_outbound(self, outbound: ItemLedgerEntry) -> bool:
        total = applied = ZERO
        for row in self.rows_of_outbound[outbound.entry_no]:
            total += self.applied_cost(
                self.entries[row.inbound_item_entry_id], outbound, row.quantity
            )
            applied += row.quantity
        unapplied = outbound.quantity - applied
        if unapplied:
            cost_per_unit = self.first_quantity_ve(outbound.entry_no).cost_per_unit
            if cost_per_unit == 0 and outbound.quantity != unapplied:
                cost_per_unit = total / (outbound.quantity - unapplied)
            total += cost_per_unit * unapplied
        changed = self.spread(outbound, total)
        if outbound.entry_type == ItemLedgerEntryType.TRANSFER and not outbound.completely_invoiced:
            sources = [
                self.entries[r.inbound_item_entry_id]
                for r in self.rows_of_outbound[outbound.entry_no]
            ]
            if all(source.completely_invoiced for source in sources):
                self.set_completely_invoiced(outbound)
        return changed

    def adjust_transfer_inbound(self, inbound: ItemLedgerEntry, row) -> bool:
        source = self.entries[row.transferred_from_entry_id]
        changed = False
        if not inbound.completely_invoiced:
            changed = self.adjust_not_invoiced_revaluations(inbound)
        changed |= self.spread(inbound, self.applied_cost(source, inbound, row.quantity))
        if source.completely_invoiced and not inbound.completely_invoiced:
            self.set_completely_invoiced(inbound)
        return changed

    def adjust_not_invoiced_revaluations(self, inbound: ItemLedgerEntry) -> bool:
        """BC's AdjustNotInvdRevaluation (codeunit 5895): the late cost change of a revalued
        transfer receipt whose origin is not completely invoiced (COSTING-NOTES.md).

        Codeunit 22 posts a revaluation of a transfer receipt wholly as actual cost: the
        receipt counts as invoiced (Invoiced Quantity = Quantity), so no interim part is split
        off and no §9.4 balancing entry follows the invoice. Instead, each time the original
        inbound (found through the Transferred-from chain) is invoiced, the revaluation is
        taken back for the share invoiced since it was posted:
        R((share uninvoiced now - share uninvoiced when revalued) x revaluation amount), less
        what earlier adjustments of the revaluation already took back. The invoice then
        reaches the receipt through its direct cost (§7.6), so the revalued units end at the
        invoiced (for Standard: the standard) unit cost instead of carrying both changes, and
        outbounds posted before the revaluation (which it never reached) take the change."""
        origin = inbound.entry_no
        while origin in self.transfer_source:
            origin = self.transfer_source[origin]
        original = self.entries[origin]
        direct = [v for v in self.ves[origin] if v.entry_type == ValueEntryType.DIRECT_COST]
        invoiced_now = sum((v.invoiced_quantity for v in direct), ZERO)
        changed = False
        own = self.ves[inbound.entry_no]
        for reval in own:
            if reval.entry_type != ValueEntryType.REVALUATION or reval.applies_to_entry:
                continue
            invoiced_then = sum(
                (v.invoiced_quantity for v in direct if v.entry_no < reval.entry_no), ZERO
            )
            share = (invoiced_then - invoiced_now) / original.quantity
            new = self.p.r(share * reval.cost_amount_actual)
            old = sum(
                (
                    self.actual(v)
                    for v in own
                    if v.entry_type == ValueEntryType.REVALUATION
                    and v.applies_to_entry == reval.entry_no
                ),
                ZERO,
            ) + (self.buffer[reval.entry_no].actual if reval.entry_no in self.buffer else ZERO)
            changed |= self.add(reval, actual=new - old)
        return changed

    def adjust_inbound_from_outbound(self, inbound: ItemLedgerEntry, row) -> bool:
        outbound = self.entries[row.outbound_item_entry_id]
        uninvoiced_share = (outbound.quantity - outbound.invoiced_quantity) / outbound.quantity
        # a balancing expected part buffered on an invoiced entry is posted as an expected one
        cost = sum(
            (
                self.expected(v) * uninvoiced_share
                if v.expected_cost
                else self.actual(v) + (self.expected(v) - v.cost_amount_expected) * uninvoiced_share
                for v in self.ves[outbound.entry_no]
            ),
            ZERO,
        )
        return self.spread(inbound, self.p.r(cost * row.quantity / outbound.quantity))

    def set_completely_invoiced(self, entry: ItemLedgerEntry) -> None:
        entry.completely_invoiced = True
        self.invoiced_updates.add(entry.entry_no)

    def spread(self, entry: ItemLedgerEntry, total: Decimal) -> bool:
        """Give ``entry`` the cost ``total`` (for its whole quantity), per value-entry group.

        BC's AdjustAppliedOutbndEntries (§7.3.1): the original Direct Cost entries are grouped
        by document, expected-cost groups first (skipped once the entry is completely invoiced).
        A group's new cost is its share of ``total`` (an expected group by its valued quantity,
        an invoiced group by its invoiced quantity), rounded with the residual carried from
        group to group; the difference to what the document holds is buffered (§7.8).
        """
        entry_ves = self.ves[entry.entry_no]
        groups: dict[tuple[bool, str], list[ValueEntry]] = {}
        for ve in entry_ves:
            if ve.entry_type == ValueEntryType.DIRECT_COST and not ve.adjustment:
                groups.setdefault((not ve.expected_cost, ve.document_no), []).append(ve)
        changed = False
        residual = ZERO
        for (invoiced, document_no), group in sorted(
            groups.items(), key=lambda kv: (kv[0][0], kv[1][0].entry_no)
        ):
            if not invoiced and entry.quantity == entry.invoiced_quantity:
                continue
            quantity = (
                sum((v.invoiced_quantity for v in group), ZERO)
                if invoiced
                else group[0].valued_quantity
            )
            unrounded = total * quantity / entry.quantity + residual
            new = self.p.r(unrounded)
            residual = unrounded - new
            document = [v for v in entry_ves if v.document_no == document_no]
            if invoiced:
                old = sum(
                    (
                        self.actual(v)
                        for v in document
                        if v.entry_type == ValueEntryType.DIRECT_COST
                    ),
                    ZERO,
                )
            else:
                old = sum((self.expected(v) for v in document), ZERO)
            changed |= self.update_buffer(group[0], new - old, invoiced_quantity=quantity)
        return changed

    def update_buffer(
        self, original: ValueEntry, change: Decimal, *, invoiced_quantity: Decimal
    ) -> bool:
        """BC's UpdateAdjmtBuf (§7.8): buffer ``change`` on ``original``, as expected cost on an
        expected-cost original, else as actual cost. An actual change on an invoiced Direct
        Cost original of an entry whose first buffered original is an expected one is balanced
        (CalcExpectedCostToBalance): its expected part is set to minus the entry's buffered
        expected change, all of it once the entry is completely invoiced, else its share
        ``invoiced_quantity / quantity`` (the quantity the original invoiced), rounded."""
        if not change:
            return False
        if original.expected_cost:
            return self.add(original, expected=change)
        self.add(original, actual=change)
        if original.entry_type != ValueEntryType.DIRECT_COST:
            return True
        if not self.buffer[original.entry_no].actual:
            # an expected part is posted only with an actual one (PostAdjmtBuf): drop it, so
            # that the rest of the run sees what will be posted
            self.buffer[original.entry_no].expected = ZERO
            return True
        entry = self.entries[original.item_ledger_entry_id]
        buffered = [v for v in self.ves[entry.entry_no] if v.entry_no in self.buffer]
        if not buffered[0].expected_cost:
            return True
        expected = sum((self.buffer[v.entry_no].expected for v in buffered), ZERO)
        if entry.quantity == entry.invoiced_quantity:
            balance = -expected
        else:
            balance = -self.p.r(expected * invoiced_quantity / entry.quantity)
        if balance:
            self.buffer[original.entry_no].expected = balance
        return True

    # ------------------------------------------------------------------ §7.7

    def eliminate_rounding(self, x: ItemLedgerEntry) -> None:
        if self.average or not x.positive or x.open or not x.completely_invoiced:
            return
        rows = self.cost_outbound_rows[x.entry_no]
        if sum((r.quantity for r in rows), ZERO) != -x.quantity:
            return
        outbounds = [self.entries[r.item_ledger_entry_id] for r in rows]
        if not all(o.completely_invoiced for o in outbounds):
            return
        own = sum((self.actual(v) for v in self.ves[x.entry_no]), ZERO)
        shares = sum(
            (self.applied_cost(x, o, r.quantity) for r, o in zip(rows, outbounds, strict=True)),
            ZERO,
        )
        rounding = -(own + shares)
        if rounding:
            self.rounding[x.entry_no] = rounding

    # ------------------------------------------------------------------ §8 average cost

    def pool_key(self, location_code: str, variant_code: str) -> tuple[str, str]:
        if self.setup.average_cost_calc_type == AverageCostCalcType.ITEM:
            return ("", "")
        return (location_code, variant_code)

    def period(self, day: date) -> tuple[date, date]:
        return average_cost_period(day, self.setup.average_cost_period)

    def average_passes(self) -> None:
        dirty: dict[tuple[str, str], date] = {}
        for point in self.points:
            if not point.cost_is_adjusted:
                key = self.pool_key(point.location_code, point.variant_code)
                dirty[key] = min(dirty.get(key, point.valuation_date), point.valuation_date)
        passes = 0
        while dirty and passes < MAX_PASSES:
            passes += 1
            key = min(dirty, key=lambda k: dirty[k])
            start = dirty.pop(key)
            self.average_pools_done.add(key)
            self.changed_entries.clear()
            self.average_pool(key, start)
            for no in self.changed_entries:
                entry = self.entries[no]
                if entry.positive:
                    pool = self.pool_key(entry.location_code, entry.variant_code)
                    day = self.ves[no][0].valuation_date
                    if pool != key or day < start:
                        dirty[pool] = min(dirty.get(pool, day), day)

    def pool_ves(self, key: tuple[str, str]) -> list[ValueEntry]:
        return [
            v
            for v in self.ve_by_no.values()
            if self.pool_key(v.location_code, v.variant_code) == key
        ]

    def average_pool(self, key: tuple[str, str], start: date) -> None:
        ves = sorted(self.pool_ves(key), key=lambda v: v.entry_no)
        if not ves:
            return
        period_start, period_end = self.period(start)
        last = max(v.valuation_date for v in ves)
        while period_start <= last:
            in_period = [v for v in ves if period_start <= v.valuation_date <= period_end]
            outs = sorted(
                (
                    v
                    for v in in_period
                    if v.valued_by_average_cost and not v.adjustment and v.valued_quantity < 0
                ),
                key=lambda v: (v.item_ledger_entry_id, v.entry_no),
            )
            for out in outs:
                self.adjust_average_outbound(out, ves, (period_start, period_end))
            later = [v.valuation_date for v in ves if v.valuation_date > period_end]
            if not later:
                break
            period_start, period_end = self.period(min(later))

    def receivers(self, outbound_no: int) -> set[int]:
        """Entries whose cost comes from an outbound through cost applications (rule 4 of
        §8.4.1): the inbounds applied from it (returns, transfer receipts) and, down the chain,
        the outbounds fixed-applied to those and what they pass their cost on to. Their value is
        the outbound's average itself, so they cannot be part of the pool it is averaged over."""
        found: set[int] = set()
        stack = [outbound_no]
        while stack:
            for row in self.receiving_rows[stack.pop()]:
                inbound = row.item_ledger_entry_id
                if inbound in found:
                    continue
                found.add(inbound)
                for applied in self.cost_outbound_rows[inbound]:
                    found.add(applied.item_ledger_entry_id)
                    stack.append(applied.item_ledger_entry_id)
        return found

    def adjust_average_outbound(
        self, out: ValueEntry, ves: list[ValueEntry], period: tuple[date, date]
    ) -> None:
        outbound = self.entries[out.item_ledger_entry_id]
        if outbound.applies_to_entry:
            return
        if out.expected_cost and outbound.quantity == outbound.invoiced_quantity:
            return
        start, end = period
        receivers = self.receivers(outbound.entry_no)
        points = [
            v
            for v in ves
            if start <= v.valuation_date <= end
            and v.entry_type == ValueEntryType.REVALUATION
            and (v.partial_revaluation or v.item_ledger_entry_id in self.cost_receivers)
        ]
        pairs = self.fixed_pairs(points)
        pool_qty = pool_cost = ZERO
        for v in ves:
            if v.valuation_date > end:
                continue
            # entries valued before the period are its opening balance: always kept
            if v.valuation_date >= start:
                if self.is_open_outbound_before(v.item_ledger_entry_id, start):
                    pass  # rule 1
                elif v.item_ledger_entry_id in pairs:
                    pool_cost -= self.pair_excluded_cost(v, outbound, out, points)
                elif self.excluded(v, outbound, out, receivers, points):
                    continue
            pool_qty += v.item_ledger_entry_quantity
            pool_cost += self.actual(v) + self.expected(v)
        if pool_qty <= 0:
            return
        new = self.p.r(pool_cost * out.valued_quantity / pool_qty)
        group = [
            v
            for v in self.ves[outbound.entry_no]
            if v.document_no == out.document_no and v.entry_type == ValueEntryType.DIRECT_COST
        ]
        if out.expected_cost:
            old = sum((self.expected(v) for v in group), ZERO)
        else:
            old = sum(
                (self.actual(v) for v in group if not v.expected_cost or v.invoiced_quantity), ZERO
            )
        changed = self.update_buffer(out, new - old, invoiced_quantity=out.invoiced_quantity)
        if changed:
            self.forward_all([outbound.entry_no])

    def is_open_outbound_before(self, ile_no: int, start: date) -> bool:
        entry = self.entries[ile_no]
        return not entry.positive and entry.open and entry.posting_date < start

    def excluded(self, v, outbound, out, receivers, points) -> bool:
        """Rules 3-8 of §8.4.1 for a candidate ``v`` of the outbound's period."""
        entry = self.entries[v.item_ledger_entry_id]
        if entry.entry_no == outbound.entry_no or entry.entry_no in receivers:
            return True
        if v.valued_by_average_cost and (receivers or entry.entry_no > outbound.entry_no):
            return True  # rules 6 and 7: later outbounds receive, they do not give
        w = v
        if v.entry_type not in (ValueEntryType.REVALUATION, ValueEntryType.DIRECT_COST):
            w = next(
                (d for d in self.ves[entry.entry_no] if d.entry_type == ValueEntryType.DIRECT_COST),
                v,
            )
        return self.point_excludes(w, outbound, out, points)

    def point_excludes(self, w, outbound, out, points) -> bool:
        """The revaluation-point rule of §8.4.1 for ``w`` as seen by the outbound entry ``out``."""
        if any(w.entry_no <= p.entry_no <= out.entry_no for p in points):
            return not self.included_in_cost(w, outbound)
        return any(out.entry_no <= p.entry_no <= w.entry_no for p in points)

    def fixed_pairs(self, points) -> set[int]:
        """Rule 2 of §8.4.1: the inbounds carrying a revaluation point of the period that have
        fixed-applied (cost-applied) outbounds, and those outbounds."""
        pairs: set[int] = set()
        for inbound in {p.item_ledger_entry_id for p in points}:
            fixed = [
                row.item_ledger_entry_id
                for row in self.cost_outbound_rows[inbound]
                if self.entries[row.item_ledger_entry_id].applies_to_entry == inbound
            ]
            if fixed:
                pairs.update((inbound, *fixed))
        return pairs

    def pair_excluded_cost(self, v, outbound, out, points) -> Decimal:
        """The proportional rule of §8.4.1 for a candidate of a fixed-application pair: the pair's
        entries stay in the pool, except the share of a revaluation that the revaluation-point
        rule would exclude and that the fixed-applied outbounds it reaches did not take with
        them: R((valued quantity - reached fixed quantity) / valued quantity x amount)."""
        if v.entry_type != ValueEntryType.REVALUATION or not self.point_excludes(
            v, outbound, out, points
        ):
            return ZERO
        fixed_qty = sum(
            (
                -row.quantity
                for row in self.cost_outbound_rows[v.item_ledger_entry_id]
                if self.entries[row.item_ledger_entry_id].applies_to_entry == v.item_ledger_entry_id
                and self.included_in_cost(v, self.entries[row.item_ledger_entry_id])
            ),
            ZERO,
        )
        factor = (v.valued_quantity - fixed_qty) / v.valued_quantity
        return self.p.r(factor * (self.actual(v) + self.expected(v)))

    # ------------------------------------------------------------------ writing (§7.8 - §7.10)

    def posting_date(self, original: date, first_allowed: date) -> date:
        if original >= first_allowed:
            return original
        return first_allowed

    def write(self, *, user=None) -> tuple[int, Decimal, int | None]:
        deltas = [(no, d) for no, d in sorted(self.buffer.items()) if d.actual or d.expected]
        register_no = None
        amount = ZERO
        created = 0
        if deltas or self.rounding:
            writer = LedgerWriter(
                items={self.item.no: self.item},
                source_code=SourceCode.COST_ADJUSTMENT,
                user=user,
                adjusting=True,
            )
            first_allowed = first_allowed_date(self.setup)
            for no, delta in deltas:
                original = self.ve_by_no[no]
                entry = self.entries[original.item_ledger_entry_id]
                for actual, expected in self.adjustment_parts(original, delta):
                    writer.insert_value_entry(
                        entry,
                        **self.adjustment_fields(original, first_allowed),
                        valuation_date=self.last_direct_valuation_date(entry.entry_no),
                        cost_amount_actual=actual,
                        cost_amount_expected=expected,
                        expected_cost=not actual,
                    )
                    amount += actual + expected
            for no, rounding in sorted(self.rounding.items()):
                entry = self.entries[no]
                last = [
                    v
                    for v in self.ves[no]
                    if v.entry_type == ValueEntryType.DIRECT_COST and not v.adjustment
                ][-1]
                writer.insert_value_entry(
                    entry,
                    entry_type=ValueEntryType.ROUNDING,
                    posting_date=self.checked_date(
                        self.posting_date(last.posting_date, first_allowed)
                    ),
                    valuation_date=self.last_direct_valuation_date(no),
                    document_no=last.document_no,
                    valued_quantity=entry.quantity,
                    invoiced_quantity=ZERO,
                    cost_amount_actual=rounding,
                )
                amount += rounding
            created = len(writer.ve_nos)
            register_no = writer.finish().no
        self.update_flags()
        return created, amount, register_no

    @staticmethod
    def adjustment_parts(original: ValueEntry, delta: _Delta) -> list[tuple[Decimal, Decimal]]:
        """BC's PostAdjmtBuf (§7.8): the (actual, expected) amounts of the adjustment entries
        of one original. An expected original gets one expected entry; an invoiced original
        gets, when its actual cost changed, first an entry for the expected (balancing) part,
        then one for the actual part; an expected part alone is not posted."""
        if original.expected_cost:
            return [(ZERO, delta.expected)] if delta.expected else []
        if not delta.actual:
            return []
        return [(ZERO, delta.expected)] * bool(delta.expected) + [(delta.actual, ZERO)]

    def adjustment_fields(self, original: ValueEntry, first_allowed: date) -> dict:
        return {
            "entry_type": original.entry_type,
            "variance_type": original.variance_type,
            "adjustment": True,
            "applies_to_entry": original.entry_no,
            "posting_date": self.checked_date(
                self.posting_date(original.posting_date, first_allowed)
            ),
            "document_no": original.document_no,
            "description": original.description,
            "valued_quantity": original.valued_quantity,
            "invoiced_quantity": ZERO,
            "partial_revaluation": original.partial_revaluation,
            "valued_by_average_cost": original.valued_by_average_cost,
            "inventory_posting_group": original.inventory_posting_group,
            "gen_bus_posting_group": original.gen_bus_posting_group,
            "gen_prod_posting_group": original.gen_prod_posting_group,
        }

    def checked_date(self, day: date) -> date:
        if self.setup.allow_posting_to and day > self.setup.allow_posting_to:
            raise PostingError("Posting Date is not within your range of allowed posting dates.")
        return day

    def last_direct_valuation_date(self, ile_no: int) -> date:
        """``last_dc_ve(entry).valuation_date`` (spec §2.10), from the entries in memory."""
        entries = self.ves[ile_no]
        direct = [v for v in entries if v.entry_type == ValueEntryType.DIRECT_COST]
        return (direct or entries)[-1].valuation_date

    def update_flags(self) -> None:
        """Spec §7.9: entry points, Applied Entry to Adjust, Cost is Adjusted, Unit Cost."""
        for no in sorted(self.invoiced_updates):
            self.entries[no].save(update_fields=["completely_invoiced"])
        ItemLedgerEntry.objects.filter(item=self.item, applied_entry_to_adjust=True).exclude(
            entry_no__in=self.keep_flagged
        ).update(applied_entry_to_adjust=False)
        if self.keep_flagged:
            ItemLedgerEntry.objects.filter(entry_no__in=self.keep_flagged).update(
                applied_entry_to_adjust=True
            )
        points = AvgCostAdjmtEntryPoint.objects.filter(item=self.item, cost_is_adjusted=False)
        if self.average:
            done = [
                p.pk
                for p in points
                if self.pool_key(p.location_code, p.variant_code) in self.average_pools_done
            ]
            points = points.filter(pk__in=done)
        points.update(cost_is_adjusted=True)
        remaining = AvgCostAdjmtEntryPoint.objects.filter(
            item=self.item, cost_is_adjusted=False
        ).exists()
        self.item.cost_is_adjusted = not remaining and (self.average or not self.keep_flagged)
        self.refresh_unit_cost()
        self.item.save(update_fields=["cost_is_adjusted", "unit_cost"])

    def refresh_unit_cost(self) -> None:
        item = self.item
        if item.costing_method == CostingMethod.STANDARD:
            item.unit_cost = item.standard_cost
            return
        totals = ValueEntry.objects.filter(item=item).aggregate(
            qty=Sum("item_ledger_entry_quantity"),
            actual=Sum("cost_amount_actual"),
            expected=Sum("cost_amount_expected"),
        )
        qty = totals["qty"] or ZERO
        cost = (totals["actual"] or ZERO) + (totals["expected"] or ZERO)
        open_outbounds = ItemLedgerEntry.objects.filter(item=item, positive=False, open=True)
        if open_outbounds.exists():
            out = ValueEntry.objects.filter(item_ledger_entry__in=open_outbounds).aggregate(
                actual=Sum("cost_amount_actual"), expected=Sum("cost_amount_expected")
            )
            qty -= open_outbounds.aggregate(total=Sum("quantity"))["total"] or ZERO
            cost -= (out["actual"] or ZERO) + (out["expected"] or ZERO)
        if qty > 0:
            average = max(cost / qty, ZERO)
            if average:
                item.unit_cost = self.p.ru(average)
        elif qty == 0 and not ItemLedgerEntry.objects.filter(item=item, open=True).exists():
            # the unit cost of the last outbound (for Average items: one valued by average)
            outbounds = ValueEntry.objects.filter(
                item=item, adjustment=False, item_ledger_entry_quantity__lt=0
            ).order_by("-entry_no")
            last = (
                self.average and outbounds.filter(valued_by_average_cost=True).first()
            ) or outbounds.first()
            if last:
                outbound = self.entries[last.item_ledger_entry_id]
                sums = ValueEntry.objects.filter(item_ledger_entry=outbound).aggregate(
                    actual=Sum("cost_amount_actual"), expected=Sum("cost_amount_expected")
                )
                average = max(
                    ((sums["actual"] or ZERO) + (sums["expected"] or ZERO)) / outbound.quantity,
                    ZERO,
                )
                if average:  # a zero (or negative) result never overwrites the unit cost
                    item.unit_cost = self.p.ru(average)
