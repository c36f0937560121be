"""Step 2's working state: the buffer of cost changes and what the passes have seen.

Adjustments are buffered per *original* value entry (§7.2): every later calculation of the run
reads an original's amount through ``CostChanges`` and so sees the changes as if posted; each
original gets at most one adjustment (one pair for a balanced invoice) when the run is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from inventory.amounts import ZERO
from inventory.services.cost_adjustment.snapshot import CostEntry, ItemLedger, LedgerEntry, Pool


@dataclass
class CostChange:
    """The change buffered on one original value entry."""

    actual: Decimal = ZERO
    expected: Decimal = ZERO


@dataclass
class CostChanges:
    """The buffer: value-entry no. -> its change so far (an entry once touched stays listed)."""

    by_entry: dict[int, CostChange] = field(default_factory=dict)
    changed_entries: set[int] = field(default_factory=set)  # item ledger entries touched

    def actual(self, cost_entry: CostEntry) -> Decimal:
        change = self.by_entry.get(cost_entry.entry_no)
        actual = cost_entry.cost_amount_actual
        return actual + change.actual if change else actual

    def expected(self, cost_entry: CostEntry) -> Decimal:
        change = self.by_entry.get(cost_entry.entry_no)
        expected = cost_entry.cost_amount_expected
        return expected + change.expected if change else expected

    def total(self, cost_entry: CostEntry) -> Decimal:
        return self.actual(cost_entry) + self.expected(cost_entry)

    def add(
        self, cost_entry: CostEntry, *, actual: Decimal = ZERO, expected: Decimal = ZERO
    ) -> bool:
        """Add to ``cost_entry``'s change; False when there is nothing to add."""
        if not actual and not expected:
            return False
        change = self.change_of(cost_entry.entry_no)
        change.actual += actual
        change.expected += expected
        self.changed_entries.add(cost_entry.item_ledger_entry_no)
        return True

    def change_of(self, entry_no: int) -> CostChange:
        return self.by_entry.setdefault(entry_no, CostChange())

    def buffered_actual(self, entry_no: int) -> Decimal:
        change = self.by_entry.get(entry_no)
        return change.actual if change else ZERO

    def is_buffered(self, entry_no: int) -> bool:
        return entry_no in self.by_entry

    def to_post(self) -> list[tuple[int, CostChange]]:
        """The non-zero changes, by value-entry no."""
        return [
            (no, change)
            for no, change in sorted(self.by_entry.items())
            if change.actual or change.expected
        ]


@dataclass
class ItemAdjustment:
    """One item's adjustment in progress: the snapshot, the buffer and the passes' bookkeeping."""

    ledger: ItemLedger
    costs: CostChanges = field(default_factory=CostChanges)
    forwarded: set[int] = field(default_factory=set)  # entries whose cost was forwarded (§7.7)
    computed: set[int] = field(default_factory=set)  # entries whose cost was worked out once
    keep_flagged: set[int] = field(default_factory=set)  # keep Applied Entry to Adjust (§7.9)
    newly_invoiced: set[int] = field(default_factory=set)  # set Completely Invoiced (§7.9)
    rounding: dict[int, Decimal] = field(default_factory=dict)  # §7.7 rounding entries
    pools_done: set[Pool] = field(default_factory=set)  # §8 pools averaged in this run

    def completely_invoiced(self, entry: LedgerEntry) -> bool:
        return entry.completely_invoiced or entry.entry_no in self.newly_invoiced

    def set_completely_invoiced(self, entry: LedgerEntry) -> None:
        self.newly_invoiced.add(entry.entry_no)
