"""Step 5: write the run (§7.8 - §7.10): the buffered changes and rounding as value entries
through the ledger writer, then the flags (§7.9) and the item's unit cost."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from inventory.amounts import ZERO
from inventory.exceptions import PostingError
from inventory.models import (
    AvgCostAdjmtEntryPoint,
    CostingMethod,
    InventorySetup,
    ItemLedgerEntry,
    SourceCode,
    ValueEntryType,
)
from inventory.services.cost_adjustment.changes import CostChange, ItemAdjustment
from inventory.services.cost_adjustment.snapshot import CostEntry, ItemLedger
from inventory.services.ledger import LedgerWriter


def first_allowed_date(setup: InventorySetup, closed: date | None) -> date:
    """Spec §7.10: the later of Allow Posting From and the day after the last closed period
    (``closed``, its end)."""
    start = setup.allow_posting_from or date.min
    return max(start, closed + timedelta(days=1)) if closed else start


def write_adjustment(
    run: ItemAdjustment, *, user: User | None = None
) -> tuple[int, Decimal, int | None]:
    """Post the run and update the flags; returns (entries created, amount, register no.).

    Every entry written adjusts an entry that has value entries already (never its first), and
    the writer sets no flag for an adjustment: the entries are deferred and written in one COPY
    by ``finish()``."""
    changes = run.costs.to_post()
    amount, register_no = ZERO, None
    written: list[dict[str, Any]] = []
    if changes or run.rounding:
        ledger = run.ledger
        writer = LedgerWriter(
            items={ledger.item.no: ledger.item},
            source_code=SourceCode.COST_ADJUSTMENT,
            user=user,
            adjusting=True,
            setup=ledger.setup,
        )
        first_allowed = first_allowed_date(ledger.setup, writer.closed_until)
        entry_nos = {ledger.cost_entries[no].item_ledger_entry_no for no, _ in changes}
        models = ItemLedgerEntry.objects.in_bulk(entry_nos | set(run.rounding))
        for cost_entry_no, change in changes:
            original = ledger.cost_entries[cost_entry_no]
            entry = models[original.item_ledger_entry_no]
            for actual, expected in adjustment_parts(original, change):
                entry_written = writer.defer_value_entry(
                    entry,
                    first=False,
                    **adjustment_fields(ledger, original, first_allowed),
                    valuation_date=last_direct_valuation_date(ledger, entry.entry_no),
                    cost_amount_actual=actual,
                    cost_amount_expected=expected,
                    expected_cost=not actual,
                )
                written.append(entry_written)
                amount += actual + expected
        for entry_no, rounding in sorted(run.rounding.items()):
            last = [
                ce
                for ce in ledger.cost_entries_of_entry(entry_no)
                if ce.entry_type == ValueEntryType.DIRECT_COST and not ce.adjustment
            ][-1]
            entry_written = writer.defer_value_entry(
                models[entry_no],
                first=False,
                entry_type=ValueEntryType.ROUNDING,
                posting_date=checked_date(ledger.setup, max(last.posting_date, first_allowed)),
                valuation_date=last_direct_valuation_date(ledger, entry_no),
                document_no=last.document_no,
                valued_quantity=ledger.entries[entry_no].quantity,
                invoiced_quantity=ZERO,
                cost_amount_actual=rounding,
            )
            written.append(entry_written)
            amount += rounding
        register_no = writer.finish().no
    update_flags(run, written)
    return len(written), amount, register_no


def adjustment_parts(original: CostEntry, change: CostChange) -> list[tuple[Decimal, Decimal]]:
    """BC's PostAdjmtBuf (§7.8): the (actual, expected) amounts of the adjustment entries of one
    original. An expected original gets one expected entry; an invoiced original gets, when its
    actual cost changed, first an entry for the expected (balancing) part, then one for the
    actual part; an expected part alone is not posted."""
    if original.expected_cost:
        return [(ZERO, change.expected)] if change.expected else []
    if not change.actual:
        return []
    return [(ZERO, change.expected)] * bool(change.expected) + [(change.actual, ZERO)]


def adjustment_fields(
    ledger: ItemLedger, original: CostEntry, first_allowed: date
) -> dict[str, Any]:
    """The columns an adjustment entry copies from its original (§7.8), dated §7.10."""
    return {
        "entry_type": original.entry_type,
        "variance_type": original.variance_type,
        "adjustment": True,
        "applies_to_entry": original.entry_no,
        "posting_date": checked_date(ledger.setup, max(original.posting_date, first_allowed)),
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


def checked_date(setup: InventorySetup, day: date) -> date:
    if setup.allow_posting_to and day > setup.allow_posting_to:
        raise PostingError(_("Posting Date is not within your range of allowed posting dates."))
    return day


def last_direct_valuation_date(ledger: ItemLedger, entry_no: int) -> date:
    """``last_dc_ve(entry).valuation_date`` (spec §2.10), from the snapshot."""
    own = ledger.cost_entries_of_entry(entry_no)
    direct = [ce for ce in own if ce.entry_type == ValueEntryType.DIRECT_COST]
    return (direct or own)[-1].valuation_date


def update_flags(run: ItemAdjustment, written: list[dict[str, Any]]) -> None:
    """Spec §7.9: entry points, Applied Entry to Adjust, Cost is Adjusted, Unit Cost.

    The item is locked and the run marks no entry point (an adjustment never does, §2.6), so
    the snapshot's entry points are the item's: those of the pools the run averaged (every pool
    but an Average item's) are marked adjusted, and any other unadjusted one remains."""
    ledger = run.ledger
    item = ledger.item
    LedgerWriter.write_adjustment_flags(
        item,
        completely_invoiced=sorted(run.newly_invoiced),
        keep_applied_entry_to_adjust=run.keep_flagged,
    )
    unadjusted = [point for point in ledger.entry_points if not point.cost_is_adjusted]
    done = [
        point.id
        for point in unadjusted
        if not ledger.average
        or ledger.pool_of(point.location_code, point.variant_code) in run.pools_done
    ]
    if done:
        AvgCostAdjmtEntryPoint.objects.filter(pk__in=done).update(cost_is_adjusted=True)
    remaining = len(done) < len(unadjusted)
    item.cost_is_adjusted = not remaining and (ledger.average or not run.keep_flagged)
    refresh_unit_cost(ledger, written)
    item.save(update_fields=["cost_is_adjusted", "unit_cost"])


def costs_by_entry(ledger: ItemLedger, written: list[dict[str, Any]]) -> dict[int, Decimal]:
    """Item ledger entry no. -> the cost of its value entries (actual + expected), the entries
    the run ``written`` included."""
    costs: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for cost_entry in ledger.cost_entries.values():
        costs[cost_entry.item_ledger_entry_no] += (
            cost_entry.cost_amount_actual + cost_entry.cost_amount_expected
        )
    for value_entry in written:
        costs[value_entry["item_ledger_entry_id"]] += (
            value_entry["cost_amount_actual"] + value_entry["cost_amount_expected"]
        )
    return costs


def refresh_unit_cost(ledger: ItemLedger, written: list[dict[str, Any]]) -> None:
    """The item's Unit Cost after the run: Standard Cost for a Standard item, else the average
    of what is on hand (open outbounds left out), else the last outbound's unit cost.

    From the snapshot and the entries the run ``written`` (none of them carries a quantity, an
    adjustment never changes Open): the item is locked, so they are all its value entries."""
    item = ledger.item
    if item.costing_method == CostingMethod.STANDARD:
        item.unit_cost = item.standard_cost
        return
    costs = costs_by_entry(ledger, written)
    quantity = sum((ce.item_ledger_entry_quantity for ce in ledger.cost_entries.values()), ZERO)
    cost = sum(costs.values(), ZERO)
    open_outbounds = [e for e in ledger.entries.values() if not e.positive and e.open]
    quantity -= sum((entry.quantity for entry in open_outbounds), ZERO)
    cost -= sum((costs[entry.entry_no] for entry in open_outbounds), ZERO)
    if quantity > 0:
        average = max(cost / quantity, ZERO)
        if average:
            item.unit_cost = ledger.precision.ru(average)
    elif quantity == 0 and not any(entry.open for entry in ledger.entries.values()):
        # the unit cost of the last outbound (for Average items: one valued by average)
        outbounds = [
            ce
            for ce in reversed(ledger.cost_entries.values())
            if not ce.adjustment and ce.item_ledger_entry_quantity < 0
        ]
        last = ledger.average and next((ce for ce in outbounds if ce.valued_by_average_cost), None)
        last = last or next(iter(outbounds), None)
        if last:
            outbound = ledger.entries[last.item_ledger_entry_no]
            average = max(costs[outbound.entry_no] / outbound.quantity, ZERO)
            if average:  # a zero (or negative) result never overwrites the unit cost
                item.unit_cost = ledger.precision.ru(average)
