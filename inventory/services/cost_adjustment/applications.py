"""Step 3: forward costs along the cost applications (§7.3 - §7.6) and eliminate rounding (§7.7).

Starting from the entries flagged Applied Entry to Adjust, each entry passes its cost on to the
entries that take their cost from it: the outbounds applied to an inbound, the transfer receipts
of an entry, the inbounds applied from an outbound (returns). Whatever changed passes its new
cost on in turn, lowest entry no. first, until nothing changes.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from inventory.amounts import ZERO
from inventory.models import ItemLedgerEntryType, ValueEntryType
from inventory.services.cost_adjustment.changes import ItemAdjustment
from inventory.services.cost_adjustment.costs import applied_cost, spread
from inventory.services.cost_adjustment.snapshot import Application, LedgerEntry

MAX_PASSES = 100  # bounds the work on pathological application chains (BC: recursion depth 100)


def forward_costs(run: ItemAdjustment, start: Iterable[int]) -> None:
    """Forward cost from the entries ``start`` along cost applications until nothing changes."""
    work = list(set(start))
    heapq.heapify(work)
    visits: Counter[int] = Counter()
    while work:
        entry_no = heapq.heappop(work)
        visits[entry_no] += 1
        if visits[entry_no] > MAX_PASSES:
            run.keep_flagged.add(entry_no)
            continue
        for dependent in forward_cost_of(run, run.ledger.entries[entry_no]):
            heapq.heappush(work, dependent)


def forward_cost_of(run: ItemAdjustment, source: LedgerEntry) -> list[int]:
    """Recompute the entries that take their cost from ``source``; return those that changed
    (or were worked out for the first time)."""
    ledger = run.ledger
    run.forwarded.add(source.entry_no)
    changed: list[int] = []

    def note(entry_no: int, entry_changed: bool) -> None:
        if entry_changed or entry_no not in run.computed:
            changed.append(entry_no)
        run.computed.add(entry_no)

    for row in ledger.outbounds_applied_to(source.entry_no):
        outbound = ledger.entries[row.item_ledger_entry_no]
        note(outbound.entry_no, adjust_outbound(run, outbound))
        if not run.completely_invoiced(outbound):
            # a later invoice of the outbound must be costed from the source again
            run.keep_flagged.add(source.entry_no)
    if source.positive:
        for row in ledger.transfer_receipts_of(source.entry_no):
            receipt = ledger.entries[row.item_ledger_entry_no]
            note(receipt.entry_no, adjust_transfer_receipt(run, receipt, row))
    else:
        for row in ledger.inbounds_applied_from(source.entry_no):
            inbound = ledger.entries[row.item_ledger_entry_no]
            note(inbound.entry_no, adjust_inbound_from_outbound(run, inbound, row))
    return changed


def adjust_outbound(run: ItemAdjustment, outbound: LedgerEntry) -> bool:
    """§7.3/§7.5: the outbound's cost is what it took from each inbound it is applied to; an
    unapplied rest is valued at its own cost per unit (or the applied part's average)."""
    ledger = run.ledger
    rows = ledger.outbound_applications(outbound.entry_no)
    total = applied = ZERO
    for row in rows:
        total += applied_cost(run, ledger.entries[row.inbound_entry_no], outbound, row.quantity)
        applied += row.quantity
    unapplied = outbound.quantity - applied
    if unapplied:
        cost_per_unit = ledger.first_quantity_entry(outbound.entry_no).cost_per_unit
        if cost_per_unit == 0 and outbound.quantity != unapplied:
            cost_per_unit = total / (outbound.quantity - unapplied)
        total += cost_per_unit * unapplied
    changed = spread(run, outbound, total)
    if outbound.entry_type == ItemLedgerEntryType.TRANSFER and not run.completely_invoiced(
        outbound
    ):
        sources = [ledger.entries[row.inbound_entry_no] for row in rows]
        if all(run.completely_invoiced(source) for source in sources):
            run.set_completely_invoiced(outbound)
    return changed


def adjust_transfer_receipt(run: ItemAdjustment, receipt: LedgerEntry, row: Application) -> bool:
    """§7.6: a transfer receipt takes the cost of the entry it was transferred from."""
    assert row.transferred_from_entry_no is not None  # a transfer row names its source
    source = run.ledger.entries[row.transferred_from_entry_no]
    changed = False
    if not run.completely_invoiced(receipt):
        changed = adjust_not_invoiced_revaluations(run, receipt)
    changed |= spread(run, receipt, applied_cost(run, source, receipt, row.quantity))
    if run.completely_invoiced(source) and not run.completely_invoiced(receipt):
        run.set_completely_invoiced(receipt)
    return changed


def adjust_not_invoiced_revaluations(run: ItemAdjustment, receipt: LedgerEntry) -> bool:
    """BC's AdjustNotInvdRevaluation (codeunit 5895): the late cost change of a revalued
    transfer receipt whose origin is not completely invoiced (COSTING-NOTES.md).

    Codeunit 22 posts a revaluation of a transfer receipt wholly as actual cost: the receipt
    counts as invoiced (Invoiced Quantity = Quantity), so no interim part is split off and no
    §9.4 balancing entry follows the invoice. Instead, each time the original inbound (found
    through the Transferred-from chain) is invoiced, the revaluation is taken back for the
    share invoiced since it was posted:
    R((share uninvoiced now - share uninvoiced when revalued) x revaluation amount), less what
    earlier adjustments of the revaluation already took back. The invoice then reaches the
    receipt through its direct cost (§7.6), so the revalued units end at the invoiced (for
    Standard: the standard) unit cost instead of carrying both changes, and outbounds posted
    before the revaluation (which it never reached) take the change."""
    ledger = run.ledger
    origin_no = receipt.entry_no
    while origin_no in ledger.transfer_source:
        origin_no = ledger.transfer_source[origin_no]
    origin = ledger.entries[origin_no]
    direct = [
        ce
        for ce in ledger.cost_entries_of_entry(origin_no)
        if ce.entry_type == ValueEntryType.DIRECT_COST
    ]
    invoiced_now = sum((ce.invoiced_quantity for ce in direct), ZERO)
    changed = False
    own = ledger.cost_entries_of_entry(receipt.entry_no)
    for revaluation in own:
        if revaluation.entry_type != ValueEntryType.REVALUATION or revaluation.applies_to_entry:
            continue
        invoiced_then = sum(
            (ce.invoiced_quantity for ce in direct if ce.entry_no < revaluation.entry_no), ZERO
        )
        share = (invoiced_then - invoiced_now) / origin.quantity
        new = ledger.precision.r(share * revaluation.cost_amount_actual)
        taken_back = sum(
            (
                run.costs.actual(ce)
                for ce in own
                if ce.entry_type == ValueEntryType.REVALUATION
                and ce.applies_to_entry == revaluation.entry_no
            ),
            ZERO,
        )
        old = taken_back + run.costs.buffered_actual(revaluation.entry_no)
        changed |= run.costs.add(revaluation, actual=new - old)
    return changed


def adjust_inbound_from_outbound(
    run: ItemAdjustment, inbound: LedgerEntry, row: Application
) -> bool:
    """An inbound applied from an outbound (a return) takes the outbound's cost per unit."""
    assert row.outbound_entry_no is not None  # such a row names the outbound
    outbound = run.ledger.entries[row.outbound_entry_no]
    uninvoiced_share = (outbound.quantity - outbound.invoiced_quantity) / outbound.quantity
    costs = run.costs
    # a balancing expected part buffered on an invoiced entry is posted as an expected one
    cost = sum(
        (
            costs.expected(ce) * uninvoiced_share
            if ce.expected_cost
            else costs.actual(ce)
            + (costs.expected(ce) - ce.cost_amount_expected) * uninvoiced_share
            for ce in run.ledger.cost_entries_of_entry(outbound.entry_no)
        ),
        ZERO,
    )
    return spread(run, inbound, run.ledger.precision.r(cost * row.quantity / outbound.quantity))


def eliminate_rounding(run: ItemAdjustment, inbound: LedgerEntry) -> None:
    """§7.7: a closed, completely invoiced inbound whose whole quantity went to completely
    invoiced outbounds gets a Rounding entry for what their rounded shares left over."""
    if run.ledger.average or not inbound.positive or inbound.open:
        return
    if not run.completely_invoiced(inbound):
        return
    rows = run.ledger.outbounds_applied_to(inbound.entry_no)
    if sum((row.quantity for row in rows), ZERO) != -inbound.quantity:
        return
    outbounds = [run.ledger.entries[row.item_ledger_entry_no] for row in rows]
    if not all(run.completely_invoiced(outbound) for outbound in outbounds):
        return
    own: Decimal = sum(
        (run.costs.actual(ce) for ce in run.ledger.cost_entries_of_entry(inbound.entry_no)), ZERO
    )
    shares = sum(
        (
            applied_cost(run, inbound, outbound, row.quantity)
            for row, outbound in zip(rows, outbounds, strict=True)
        ),
        ZERO,
    )
    rounding = -(own + shares)
    if rounding:
        run.rounding[inbound.entry_no] = rounding
