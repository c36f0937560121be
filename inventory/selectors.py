"""Read queries of the inventory app (HackSoft "selectors": no writes, keyword-only arguments).

Views, forms and commands read through these functions so that the queries (and their count) are
defined in one place. Add functions freely; keep them free of request/response details.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from inventory.amounts import ZERO
from inventory.models import (
    ACTIVE_ADJUSTMENT_RUN_STATUSES,
    AdjustmentRun,
    AvgCostAdjmtEntryPoint,
    Item,
    ItemApplicationEntry,
    ItemJournalBatch,
    ItemJournalLine,
    ItemLedgerEntry,
    ItemVariant,
    Location,
    ValueEntry,
)
from inventory.reports import FIGURES

# --------------------------------------------------------------------------- permissions

ACCOUNTANT_GROUP = "Accountant"
LINE_NO_STEP = 10000


def can_post_journals(user: User | AnonymousUser) -> bool:
    """May ``user`` change and post journals? Superusers and members of the Accountant group.

    This is the one check for every journal write (create batches, add/edit/delete lines,
    post); everyone else who is signed in may only look. Group membership is the gate because
    posting is no model action (there is no "post" model permission); the Accountant group also
    holds the journal and ledger model permissions (migration 0003), which serve the admin.
    The answer is cached on the user object for the rest of the request.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_can_post_journals", None)
    if cached is None:
        cached = user.groups.filter(name=ACCOUNTANT_GROUP).exists()
        user._can_post_journals = cached  # type: ignore[attr-defined]  # a per-request cache
    return cached


# --------------------------------------------------------------------------- item journal


def item_journal_batch_list() -> QuerySet[ItemJournalBatch]:
    """All item journal batches with their number of lines (``line_count``), by name."""
    return ItemJournalBatch.objects.annotate(line_count=Count("lines")).order_by("name")


def item_journal_line_list(*, batch: ItemJournalBatch) -> QuerySet[ItemJournalLine]:
    """The lines of ``batch`` in line-number order, with their items (one query)."""
    return ItemJournalLine.objects.filter(batch=batch).select_related("item").order_by("line_no")


def item_journal_line_get(*, batch: ItemJournalBatch, pk: int) -> ItemJournalLine | None:
    return ItemJournalLine.objects.filter(batch=batch, pk=pk).select_related("item").first()


@dataclass(frozen=True)
class ItemJournalLineDefaults:
    """What a new line of a batch starts with (BC: the previous line's date and document no.)."""

    line_no: int
    posting_date: datetime.date
    document_no: str


def item_journal_line_defaults(
    *, batch: ItemJournalBatch, last_line: ItemJournalLine | None = None
) -> ItemJournalLineDefaults:
    """Defaults for the next line: previous line's posting date (or today) and document no.

    Pass ``last_line`` when the caller has already read the lines (saves a query).
    """
    if last_line is None:
        last_line = ItemJournalLine.objects.filter(batch=batch).order_by("-line_no").first()
    if last_line is None:
        return ItemJournalLineDefaults(
            line_no=LINE_NO_STEP, posting_date=timezone.localdate(), document_no=""
        )
    return ItemJournalLineDefaults(
        line_no=last_line.line_no + LINE_NO_STEP,
        posting_date=last_line.posting_date,
        document_no=last_line.document_no,
    )


# --------------------------------------------------------------------------- master data


def item_list() -> QuerySet[Item]:
    return Item.objects.order_by("no")


def location_list() -> QuerySet[Location]:
    return Location.objects.order_by("code")


def item_variant_code_list() -> list[str]:
    """Distinct variant codes over all items (for pick lists)."""
    return list(ItemVariant.objects.order_by("code").values_list("code", flat=True).distinct())


def location_codes_in_ledger(*, codes: Iterable[str]) -> list[str]:
    """Those of ``codes`` that item ledger entries name (such a location cannot be deleted)."""
    return sorted(
        ItemLedgerEntry.objects.filter(location_code__in=list(codes))
        .order_by()
        .values_list("location_code", flat=True)
        .distinct()
    )


def variant_in_ledger(*, item_no: str, code: str) -> bool:
    """Whether item ledger entries name the variant (it cannot be deleted or recoded then)."""
    return ItemLedgerEntry.objects.filter(item_id=item_no, variant_code=code).exists()


# --------------------------------------------------------------------------- items page


@dataclass(frozen=True)
class ItemStock:
    """Quantity on hand and inventory value (Cost Amount (Actual)) of one item."""

    quantity: Decimal = ZERO
    value: Decimal = ZERO


def item_overview_list(
    *, costing_method: str = "", not_adjusted_only: bool = False, search: str = ""
) -> QuerySet[Item]:
    """Items for the items page, by no.; ``search`` matches the no. or the description."""
    items = Item.objects.order_by("no")
    if costing_method:
        items = items.filter(costing_method=costing_method)
    if not_adjusted_only:
        items = items.filter(cost_is_adjusted=False)
    if search:
        items = items.filter(Q(no__icontains=search) | Q(description__icontains=search))
    return items


def item_stock_by_item(*, item_nos: Iterable[str]) -> dict[str, ItemStock]:
    """Quantity on hand and inventory value of ``item_nos`` in one grouped query.

    Over the value entries: ``item_ledger_entry_quantity`` is the entry's quantity on its first
    value entry and 0 on the others, so its sum is the sum of the item ledger quantities (BC's
    Inventory field); the value is the sum of Cost Amount (Actual). Items without entries are
    missing from the answer (read them as zero).
    """
    rows = (
        ValueEntry.objects.filter(item_id__in=list(item_nos))
        .values("item_id")
        .annotate(quantity=Sum("item_ledger_entry_quantity"), value=Sum("cost_amount_actual"))
        .order_by()
    )
    return {row["item_id"]: ItemStock(row["quantity"], row["value"]) for row in rows}


def item_not_adjusted_count() -> int:
    return Item.objects.filter(cost_is_adjusted=False).count()


def item_nos_missing(*, item_nos: Iterable[str]) -> list[str]:
    """Those of ``item_nos`` that are no item, in the given order."""
    nos = list(item_nos)
    found = set(Item.objects.filter(no__in=nos).values_list("no", flat=True))
    return [no for no in nos if no not in found]


# --------------------------------------------------------------------------- adjust cost runs


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


# --------------------------------------------------------------------------- valuation


def valuation_entry_totals(*, entries: QuerySet[ValueEntry]) -> dict[str, Decimal]:
    """The sums of a drill-down's entries as the report's figures (``VALUATION_FIGURES``) and
    ``cost_amount_expected``, in one query."""
    sums = entries.order_by().aggregate(
        quantity=Sum("invoiced_quantity"),
        value=Sum("cost_amount_actual"),
        quantity_expected=Sum("item_ledger_entry_quantity"),
        expected=Sum("cost_amount_expected"),
    )
    totals = {name: sums[name] or ZERO for name in FIGURES[:3]}
    totals["value_expected"] = totals["value"] + (sums["expected"] or ZERO)
    totals["cost_amount_expected"] = sums["expected"] or ZERO
    return totals


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
