"""Adjust Cost - Item Entries (BC codeunit 5895, COSTING-SPEC §7, §8).

``adjust_cost_item_entries`` takes up every item whose cost is not adjusted and adjusts each in
its own transaction (``adjust_item``); one item failing is rolled back and reported, the others
are kept. One item's adjustment, top to bottom (the parts live in ``cost_adjustment/``):

1. **Read** (``snapshot.read_item_ledger``): the item row is locked and its ledger read with a
   handful of set-based queries into an immutable ``ItemLedger``: frozen records of the item
   ledger entries, value entries and application entries, indexed by who takes cost from whom.
2. **Buffer** (``changes.ItemAdjustment``): the run's working state. New costs are never written
   into the snapshot; they are buffered per *original* value entry (§7.2) in ``CostChanges``, and
   every later calculation reads an amount through the buffer, so it sees the run's changes as
   if posted. Each original gets at most one adjustment entry per run.
3. **Forward costs along the applications** (``applications.forward_costs``, §7.3 - §7.6): from
   the entries flagged Applied Entry to Adjust, outbounds take the cost of the inbounds they are
   applied to, transfer receipts that of their source, returns that of their outbound
   (``costs.applied_cost``, split over the value entries by ``costs.spread``), and every entry
   that changed passes its cost on in turn until nothing changes.
4. **Average cost** (``average.average_all_pools``, §8, Average items only): each pool is
   averaged period by period from its earliest unadjusted entry point; a new average is
   forwarded as in step 3, and a pool whose inbounds changed is averaged again.
5. **Rounding** (``applications.eliminate_rounding``, §7.7): a closed, completely invoiced
   inbound gets a Rounding entry for what its outbounds' rounded shares left over.
6. **Write** (``writing.write_adjustment``, §7.8 - §7.10): the buffered changes and the rounding
   become value entries through the ``LedgerWriter`` (one item register), then the flags (entry
   points, Applied Entry to Adjust, Completely Invoiced, Cost is Adjusted) and the unit cost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction

from inventory.adjustment_selection import items_to_adjust
from inventory.amounts import ZERO
from inventory.exceptions import InventoryError
from inventory.models import InventorySetup, Item
from inventory.services.cost_adjustment.applications import eliminate_rounding, forward_costs
from inventory.services.cost_adjustment.average import average_all_pools
from inventory.services.cost_adjustment.changes import ItemAdjustment
from inventory.services.cost_adjustment.snapshot import read_item_ledger
from inventory.services.cost_adjustment.writing import write_adjustment

logger = logging.getLogger(__name__)


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
    user: User | None = None,
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
def adjust_item(*, item_no: str, user: User | None = None) -> tuple[int, Decimal, int | None]:
    """Adjust one item in one transaction; returns (entries created, amount, register no.)."""
    item = Item.objects.select_for_update().get(no=item_no)
    run = ItemAdjustment(read_item_ledger(item, InventorySetup.get()))
    adjust_costs(run)
    return write_adjustment(run, user=user)


def adjust_costs(run: ItemAdjustment) -> None:
    """Steps 3-5: work out the item's new costs into the run's buffer."""
    ledger = run.ledger
    flagged = [no for no, entry in sorted(ledger.entries.items()) if entry.applied_entry_to_adjust]
    forward_costs(run, flagged)
    if ledger.average:
        average_all_pools(run)
    for entry_no in sorted(run.forwarded):
        eliminate_rounding(run, ledger.entries[entry_no])
