"""Reads of Adjust Cost: its runs and why items are still not adjusted."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from inventory.models import (
    ACTIVE_ADJUSTMENT_RUN_STATUSES,
    AdjustmentRun,
    AvgCostAdjmtEntryPoint,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
)


def adjustment_run_list(*, limit: int = 10) -> list[AdjustmentRun]:
    """The latest runs, newest first, with the users who started them (one query)."""
    return list(AdjustmentRun.objects.select_related("started_by").order_by("-pk")[:limit])


def adjustment_run_get(*, pk: int) -> AdjustmentRun | None:
    return AdjustmentRun.objects.select_related("started_by").filter(pk=pk).first()


def adjustment_run_active() -> AdjustmentRun | None:
    return (
        AdjustmentRun.objects.select_related("started_by")
        .filter(status__in=ACTIVE_ADJUSTMENT_RUN_STATUSES)
        .first()
    )


NOT_ADJUSTED_SHOWN = 50  # items listed with their reason on the Adjust Cost page


def not_adjusted_reasons(item_nos: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Why each item (of ``item_nos``, else all) still has Cost is Adjusted = No (spec §7.9),
    by item no. An item stays so while Adjust Cost keeps an entry flagged Applied Entry to
    Adjust (an outbound or inbound not completely invoiced: its invoice will change the cost
    again) or an average cost entry point is still unadjusted."""
    items = Item.objects.filter(cost_is_adjusted=False)
    if item_nos is not None:
        items = items.filter(no__in=list(item_nos))
    nos = list(items.order_by("no").values_list("no", flat=True)[:NOT_ADJUSTED_SHOWN])
    reasons: dict[str, list[str]] = {no: [] for no in nos}
    flagged = {
        e.entry_no: e
        for e in ItemLedgerEntry.objects.filter(item_id__in=nos, applied_entry_to_adjust=True)
    }
    rows = ItemApplicationEntry.objects.filter(
        Q(inbound_item_entry_id__in=flagged) | Q(item_ledger_entry_id__in=flagged),
        quantity__lt=0,
    ).values_list(
        "inbound_item_entry_id",
        "item_ledger_entry_id",
        "inbound_item_entry__completely_invoiced",
        "item_ledger_entry__completely_invoiced",
    )
    waiting: dict[int, set[int]] = {}
    for inbound, outbound, inbound_invoiced, outbound_invoiced in rows:
        if inbound in flagged and not outbound_invoiced:
            waiting.setdefault(inbound, set()).add(outbound)
        if outbound in flagged and not inbound_invoiced:
            waiting.setdefault(outbound, set()).add(inbound)
    for no, entry in sorted(flagged.items()):
        others = ", ".join(str(n) for n in sorted(waiting.get(no, ())))
        if others and entry.positive:
            reason = (
                f"entry {no}: outbound entr{'ies' if ',' in others else 'y'} {others} "
                "applied to it not completely invoiced; Adjust Cost forwards the cost again "
                "when invoiced"
            )
        elif others:
            reason = (
                f"entry {no}: takes its cost from entr{'ies' if ',' in others else 'y'} "
                f"{others}, not completely invoiced yet"
            )
        elif not entry.completely_invoiced:
            reason = f"entry {no} is not completely invoiced"
        else:
            reason = f"entry {no} waits for the next Adjust Cost run"
        reasons[entry.item_id].append(reason)
    points = AvgCostAdjmtEntryPoint.objects.filter(item_id__in=nos, cost_is_adjusted=False)
    for item_no, day in points.order_by("item_id", "valuation_date").values_list(
        "item_id", "valuation_date"
    ):
        if not any(r.startswith("average cost") for r in reasons[item_no]):
            reasons[item_no].append(
                f"average cost from {day.isoformat()} not adjusted yet: run Adjust Cost"
            )
    for found in reasons.values():
        if not found:
            found.append("not adjusted yet: run Adjust Cost")
    return reasons
