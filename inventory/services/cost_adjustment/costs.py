"""The cost arithmetic the passes share: what an inbound passes on (§7.4) and how a new cost is
split over an entry's value entries into the buffer (§7.3.1, §7.8)."""

from __future__ import annotations

from decimal import Decimal

from inventory.amounts import ZERO, allocate_with_carry
from inventory.models import ItemLedgerEntryType, ValueEntryType
from inventory.services.cost_adjustment.changes import ItemAdjustment
from inventory.services.cost_adjustment.snapshot import CostEntry, ItemLedger, LedgerEntry


def included_in_cost(ledger: ItemLedger, cost_entry: CostEntry, outbound: LedgerEntry) -> bool:
    """§7.4: does ``cost_entry`` (of an inbound) belong to the cost ``outbound`` takes from it?
    Rounding never does; a revaluation applied to an entry as that entry does; a partial
    revaluation only when it is older than the outbound."""
    if cost_entry.entry_type == ValueEntryType.ROUNDING:
        return False
    if cost_entry.entry_type == ValueEntryType.REVALUATION:
        if cost_entry.applies_to_entry:
            applied = ledger.cost_entries[cost_entry.applies_to_entry]
            return included_in_cost(ledger, applied, outbound)
        if cost_entry.partial_revaluation:
            first = ledger.first_quantity_entry(outbound.entry_no)
            return (
                first.entry_no > cost_entry.entry_no
                or max(first.valuation_date, first.posting_date) > cost_entry.valuation_date
            )
    return True


def inbound_cost_elements(
    run: ItemAdjustment, inbound: LedgerEntry, outbound: LedgerEntry
) -> tuple[Decimal, Decimal]:
    """§7.4: the (direct, variance) cost of ``inbound``'s whole quantity as ``outbound`` sees it."""
    direct = variance = ZERO
    not_invoiced = inbound.quantity - inbound.invoiced_quantity
    exact_reversing = (
        outbound.applies_to_entry != 0
        and outbound.entry_type == ItemLedgerEntryType.PURCHASE
        and outbound.invoiced_quantity < 0
    )
    for cost_entry in run.ledger.cost_entries_of_entry(inbound.entry_no):
        if cost_entry.expected_cost and inbound.quantity == inbound.invoiced_quantity:
            continue
        if not included_in_cost(run.ledger, cost_entry, outbound):
            continue
        actual, expected = run.costs.actual(cost_entry), run.costs.expected(cost_entry)
        if cost_entry.entry_type == ValueEntryType.REVALUATION and expected != 0:
            direct += (expected + actual) * inbound.quantity / cost_entry.valued_quantity
        elif cost_entry.expected_cost:
            direct += expected * not_invoiced / cost_entry.valued_quantity
        elif cost_entry.partial_revaluation:
            direct += actual * inbound.quantity / cost_entry.valued_quantity
        elif (
            cost_entry.entry_type in (ValueEntryType.DIRECT_COST, ValueEntryType.REVALUATION)
            or not exact_reversing
        ):
            direct += actual
        else:
            variance += actual
    return direct, variance


def applied_cost(
    run: ItemAdjustment, inbound: LedgerEntry, receiver: LedgerEntry, quantity: Decimal
) -> Decimal:
    """Σ R(element × quantity / inbound quantity): the cost ``receiver`` takes from ``inbound``."""
    round_amount = run.ledger.precision.r
    return sum(
        (
            round_amount(element * quantity / inbound.quantity)
            for element in inbound_cost_elements(run, inbound, receiver)
        ),
        ZERO,
    )


def spread(run: ItemAdjustment, entry: LedgerEntry, total: Decimal) -> bool:
    """Give ``entry`` the cost ``total`` (for its whole quantity), per value-entry group.

    BC's AdjustAppliedOutbndEntries (§7.3.1): the original Direct Cost entries are grouped by
    document, expected-cost groups first (skipped once the entry is completely invoiced). A
    group's new cost is its share of ``total`` (an expected group by its valued quantity, an
    invoiced group by its invoiced quantity), rounded with the residual carried from group to
    group; the difference to what the document holds is buffered (§7.8).
    """
    own = run.ledger.cost_entries_of_entry(entry.entry_no)
    groups = [
        (invoiced, document_no, group)
        for (invoiced, document_no), group in direct_cost_groups(own)
        if invoiced or entry.quantity != entry.invoiced_quantity
    ]
    quantities = [
        sum((ce.invoiced_quantity for ce in group), ZERO) if invoiced else group[0].valued_quantity
        for invoiced, _, group in groups
    ]
    shares = allocate_with_carry(run.ledger.precision, total, quantities, entry.quantity)
    changed = False
    for (invoiced, document_no, group), quantity, new in zip(
        groups, quantities, shares, strict=True
    ):
        document = [ce for ce in own if ce.document_no == document_no]
        if invoiced:
            direct = [ce for ce in document if ce.entry_type == ValueEntryType.DIRECT_COST]
            old = sum((run.costs.actual(ce) for ce in direct), ZERO)
        else:
            old = sum((run.costs.expected(ce) for ce in document), ZERO)
        changed |= buffer_change(run, group[0], new - old, invoiced_quantity=quantity)
    return changed


def direct_cost_groups(own: list[CostEntry]) -> list[tuple[tuple[bool, str], list[CostEntry]]]:
    """The original Direct Cost entries of an item ledger entry by (invoiced, document no.):
    expected-cost groups first, each kind in the order of its first entry."""
    groups: dict[tuple[bool, str], list[CostEntry]] = {}
    for cost_entry in own:
        if cost_entry.entry_type == ValueEntryType.DIRECT_COST and not cost_entry.adjustment:
            key = (not cost_entry.expected_cost, cost_entry.document_no)
            groups.setdefault(key, []).append(cost_entry)
    return sorted(
        groups.items(),
        key=lambda key_and_group: (key_and_group[0][0], key_and_group[1][0].entry_no),
    )


def buffer_change(
    run: ItemAdjustment, original: CostEntry, change: Decimal, *, invoiced_quantity: Decimal
) -> bool:
    """BC's UpdateAdjmtBuf (§7.8): buffer ``change`` on ``original``, as expected cost on an
    expected-cost original, else as actual cost. An actual change on an invoiced Direct Cost
    original of an entry whose first buffered original is an expected one is balanced
    (CalcExpectedCostToBalance): its expected part is set to minus the entry's buffered
    expected change, all of it once the entry is completely invoiced, else its share
    ``invoiced_quantity / quantity`` (the quantity the original invoiced), rounded."""
    if not change:
        return False
    costs = run.costs
    if original.expected_cost:
        return costs.add(original, expected=change)
    costs.add(original, actual=change)
    if original.entry_type != ValueEntryType.DIRECT_COST:
        return True
    if not costs.buffered_actual(original.entry_no):
        # an expected part is posted only with an actual one (PostAdjmtBuf): drop it, so that
        # the rest of the run sees what will be posted
        costs.change_of(original.entry_no).expected = ZERO
        return True
    entry = run.ledger.entries[original.item_ledger_entry_no]
    buffered = [
        ce
        for ce in run.ledger.cost_entries_of_entry(entry.entry_no)
        if costs.is_buffered(ce.entry_no)
    ]
    if not buffered[0].expected_cost:
        return True
    expected = sum((costs.change_of(ce.entry_no).expected for ce in buffered), ZERO)
    if entry.quantity == entry.invoiced_quantity:
        balance = -expected
    else:
        balance = -run.ledger.precision.r(expected * invoiced_quantity / entry.quantity)
    if balance:
        costs.change_of(original.entry_no).expected = balance
    return True
