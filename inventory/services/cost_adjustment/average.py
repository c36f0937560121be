"""Step 4 (Costing Method Average only): average cost per pool and period (§8).

A pool is the item (or, by Average Cost Calc. Type, a location and variant of it). The pools
with an unadjusted entry point are averaged from that point's period on, earliest first: every
outbound valued by average cost gets the average of what the pool holds up to the end of its
period, less the entries §8.4.1 keeps out. A new average is forwarded along the applications
(step 3), and a pool whose inbounds changed in an earlier period is averaged again.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from inventory.amounts import ZERO
from inventory.models import ValueEntryType
from inventory.services.cost_adjustment.applications import MAX_PASSES, forward_costs
from inventory.services.cost_adjustment.changes import ItemAdjustment
from inventory.services.cost_adjustment.costs import buffer_change, included_in_cost
from inventory.services.cost_adjustment.snapshot import CostEntry, ItemLedger, LedgerEntry, Pool

Period = tuple[date, date]


def average_all_pools(run: ItemAdjustment) -> None:
    """Average the pools that need it, earliest start first, until none is left (§8.3)."""
    ledger = run.ledger
    dirty: dict[Pool, date] = {}
    for point in ledger.entry_points:
        if not point.cost_is_adjusted:
            pool = ledger.pool_of(point.location_code, point.variant_code)
            dirty[pool] = min(dirty.get(pool, point.valuation_date), point.valuation_date)
    passes = 0
    while dirty and passes < MAX_PASSES:
        passes += 1
        pool = min(dirty, key=lambda candidate: dirty[candidate])
        start = dirty.pop(pool)
        run.pools_done.add(pool)
        run.costs.changed_entries.clear()
        average_pool(run, pool, start)
        for entry_no in run.costs.changed_entries:
            entry = ledger.entries[entry_no]
            if entry.positive:
                changed_pool = ledger.pool_of(entry.location_code, entry.variant_code)
                day = ledger.cost_entries_of_entry(entry_no)[0].valuation_date
                if changed_pool != pool or day < start:
                    dirty[changed_pool] = min(dirty.get(changed_pool, day), day)


def average_pool(run: ItemAdjustment, pool: Pool, start: date) -> None:
    """Average ``pool`` period by period, from the period of ``start`` to its last entry."""
    ledger = run.ledger
    pool_entries = [
        ce
        for ce in ledger.cost_entries.values()
        if ledger.pool_of(ce.location_code, ce.variant_code) == pool
    ]
    if not pool_entries:
        return
    period_start, period_end = ledger.period(start)
    last = max(ce.valuation_date for ce in pool_entries)
    while period_start <= last:
        for outbound_cost in average_outbounds(pool_entries, (period_start, period_end)):
            adjust_average_outbound(run, outbound_cost, pool_entries, (period_start, period_end))
        later = [ce.valuation_date for ce in pool_entries if ce.valuation_date > period_end]
        if not later:
            break
        period_start, period_end = ledger.period(min(later))


def average_outbounds(pool_entries: list[CostEntry], period: Period) -> list[CostEntry]:
    """The original outbound value entries valued by average cost in ``period``, by entry."""
    start, end = period
    return sorted(
        (
            ce
            for ce in pool_entries
            if start <= ce.valuation_date <= end
            and ce.valued_by_average_cost
            and not ce.adjustment
            and ce.valued_quantity < 0
        ),
        key=lambda ce: (ce.item_ledger_entry_no, ce.entry_no),
    )


def adjust_average_outbound(
    run: ItemAdjustment, outbound_cost: CostEntry, pool_entries: list[CostEntry], period: Period
) -> None:
    """§8.4: give the outbound value entry ``outbound_cost`` the pool's average of its period."""
    ledger = run.ledger
    outbound = ledger.entries[outbound_cost.item_ledger_entry_no]
    if outbound.applies_to_entry:
        return
    if outbound_cost.expected_cost and outbound.quantity == outbound.invoiced_quantity:
        return
    average_cost = pool_average_cost(run, outbound_cost, pool_entries, period)
    if average_cost is None:
        return
    group = [
        ce
        for ce in ledger.cost_entries_of_entry(outbound.entry_no)
        if ce.document_no == outbound_cost.document_no
        and ce.entry_type == ValueEntryType.DIRECT_COST
    ]
    if outbound_cost.expected_cost:
        old = sum((run.costs.expected(ce) for ce in group), ZERO)
    else:
        old = sum(
            (run.costs.actual(ce) for ce in group if not ce.expected_cost or ce.invoiced_quantity),
            ZERO,
        )
    changed = buffer_change(
        run, outbound_cost, average_cost - old, invoiced_quantity=outbound_cost.invoiced_quantity
    )
    if changed:
        forward_costs(run, [outbound.entry_no])


def pool_average_cost(
    run: ItemAdjustment, outbound_cost: CostEntry, pool_entries: list[CostEntry], period: Period
) -> Decimal | None:
    """R(pool cost x valued quantity / pool quantity) over the entries §8.4.1 keeps in the pool
    up to the end of ``period``; None when the pool holds no quantity."""
    ledger = run.ledger
    outbound = ledger.entries[outbound_cost.item_ledger_entry_no]
    start, end = period
    receivers = cost_receivers_of(ledger, outbound.entry_no)
    points = [
        ce
        for ce in pool_entries
        if start <= ce.valuation_date <= end
        and ce.entry_type == ValueEntryType.REVALUATION
        and (ce.partial_revaluation or ce.item_ledger_entry_no in ledger.cost_receivers)
    ]
    pairs = fixed_application_pairs(ledger, points)
    pool_quantity = pool_cost = ZERO
    for candidate in pool_entries:
        if candidate.valuation_date > end:
            continue
        # entries valued before the period are its opening balance: always kept
        if candidate.valuation_date >= start:
            if is_open_outbound_before(ledger, candidate.item_ledger_entry_no, start):
                pass  # rule 1
            elif candidate.item_ledger_entry_no in pairs:
                pool_cost -= pair_excluded_cost(run, candidate, outbound, outbound_cost, points)
            elif is_excluded(ledger, candidate, outbound, outbound_cost, receivers, points):
                continue
        pool_quantity += candidate.item_ledger_entry_quantity
        pool_cost += run.costs.total(candidate)
    if pool_quantity <= 0:
        return None
    return ledger.precision.r(pool_cost * outbound_cost.valued_quantity / pool_quantity)


def cost_receivers_of(ledger: ItemLedger, outbound_no: int) -> set[int]:
    """Entries whose cost comes from an outbound through cost applications (rule 4 of §8.4.1):
    the inbounds applied from it (returns, transfer receipts) and, down the chain, the
    outbounds fixed-applied to those and what they pass their cost on to. Their value is the
    outbound's average itself, so they cannot be part of the pool it is averaged over."""
    found: set[int] = set()
    stack = [outbound_no]
    while stack:
        for row in ledger.inbounds_applied_from(stack.pop()):
            inbound_no = row.item_ledger_entry_no
            if inbound_no in found:
                continue
            found.add(inbound_no)
            for applied in ledger.outbounds_applied_to(inbound_no):
                found.add(applied.item_ledger_entry_no)
                stack.append(applied.item_ledger_entry_no)
    return found


def is_open_outbound_before(ledger: ItemLedger, entry_no: int, start: date) -> bool:
    entry = ledger.entries[entry_no]
    return not entry.positive and entry.open and entry.posting_date < start


def is_excluded(
    ledger: ItemLedger,
    candidate: CostEntry,
    outbound: LedgerEntry,
    outbound_cost: CostEntry,
    receivers: set[int],
    points: list[CostEntry],
) -> bool:
    """Rules 3-8 of §8.4.1 for a ``candidate`` of the outbound's period."""
    entry_no = candidate.item_ledger_entry_no
    if entry_no == outbound.entry_no or entry_no in receivers:
        return True
    if candidate.valued_by_average_cost and (receivers or entry_no > outbound.entry_no):
        return True  # rules 6 and 7: later outbounds receive, they do not give
    dated_by = candidate
    if candidate.entry_type not in (ValueEntryType.REVALUATION, ValueEntryType.DIRECT_COST):
        dated_by = next(
            (
                ce
                for ce in ledger.cost_entries_of_entry(entry_no)
                if ce.entry_type == ValueEntryType.DIRECT_COST
            ),
            candidate,
        )
    return revaluation_point_excludes(ledger, dated_by, outbound, outbound_cost, points)


def revaluation_point_excludes(
    ledger: ItemLedger,
    candidate: CostEntry,
    outbound: LedgerEntry,
    outbound_cost: CostEntry,
    points: list[CostEntry],
) -> bool:
    """The revaluation-point rule of §8.4.1 for ``candidate`` as seen by ``outbound_cost``."""
    if any(candidate.entry_no <= p.entry_no <= outbound_cost.entry_no for p in points):
        return not included_in_cost(ledger, candidate, outbound)
    return any(outbound_cost.entry_no <= p.entry_no <= candidate.entry_no for p in points)


def fixed_outbounds(ledger: ItemLedger, inbound_no: int) -> list[LedgerEntry]:
    """The outbounds fixed-applied (Applies-to Entry) to the inbound ``inbound_no``."""
    applied = (
        ledger.entries[row.item_ledger_entry_no] for row in ledger.outbounds_applied_to(inbound_no)
    )
    return [outbound for outbound in applied if outbound.applies_to_entry == inbound_no]


def fixed_application_pairs(ledger: ItemLedger, points: list[CostEntry]) -> set[int]:
    """Rule 2 of §8.4.1: the inbounds carrying a revaluation point of the period that have
    fixed-applied (cost-applied) outbounds, and those outbounds."""
    pairs: set[int] = set()
    for inbound_no in {point.item_ledger_entry_no for point in points}:
        fixed = [outbound.entry_no for outbound in fixed_outbounds(ledger, inbound_no)]
        if fixed:
            pairs.update((inbound_no, *fixed))
    return pairs


def pair_excluded_cost(
    run: ItemAdjustment,
    candidate: CostEntry,
    outbound: LedgerEntry,
    outbound_cost: CostEntry,
    points: list[CostEntry],
) -> Decimal:
    """The proportional rule of §8.4.1 for a candidate of a fixed-application pair: the pair's
    entries stay in the pool, except the share of a revaluation that the revaluation-point
    rule would exclude and that the fixed-applied outbounds it reaches did not take with them:
    R((valued quantity - reached fixed quantity) / valued quantity x amount)."""
    ledger = run.ledger
    if candidate.entry_type != ValueEntryType.REVALUATION or not revaluation_point_excludes(
        ledger, candidate, outbound, outbound_cost, points
    ):
        return ZERO
    fixed_quantity = sum(
        (
            -row.quantity
            for row in ledger.outbounds_applied_to(candidate.item_ledger_entry_no)
            if ledger.entries[row.item_ledger_entry_no].applies_to_entry
            == candidate.item_ledger_entry_no
            and included_in_cost(ledger, candidate, ledger.entries[row.item_ledger_entry_no])
        ),
        ZERO,
    )
    factor = (candidate.valued_quantity - fixed_quantity) / candidate.valued_quantity
    return ledger.precision.r(factor * run.costs.total(candidate))
