"""Applying entries to each other (spec §3.4, §3.7, §3.9): which open entries a new entry
takes its quantity from (or closes), and the application rows that record it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from inventory.models import CostingMethod, Item, ItemApplicationEntry, ItemLedgerEntry
from inventory.services.item_posting.line import ItemJournalLineInput, remaining_too_low
from inventory.services.ledger import LedgerWriter, rev_or_last_ve


def cost_sources(entry_no: int) -> set[int]:
    """Every entry whose cost flows into ``entry_no`` through cost applications: the outbound
    an inbound is applied from (Applies-from) or transferred through, the inbounds that outbound
    consumed, their own sources, and so on."""
    found: set[int] = set()
    stack = [entry_no]
    while stack:
        rows = ItemApplicationEntry.objects.filter(
            item_ledger_entry_id__in=stack, cost_application=True
        )
        stack = []
        for own_entry, inbound, outbound, transferred_from in rows.values_list(
            "item_ledger_entry_id",
            "inbound_item_entry_id",
            "outbound_item_entry_id",
            "transferred_from_entry_id",
        ):
            # an inbound's own row: cost from its outbound or transfer source;
            # an outbound's row: cost from the inbound it consumed
            candidates = (outbound, transferred_from) if inbound == own_entry else (inbound,)
            for source in candidates:
                if source and source not in found:
                    found.add(source)
                    stack.append(source)
    return found


def open_entries(
    item: Item, entry: ItemLedgerEntry, *, positive: bool
) -> QuerySet[ItemLedgerEntry]:
    """Open entries of the item at the entry's location and variant, in application order:
    oldest first (by posting date, then entry no.), newest first for LIFO (§3.4.1)."""
    order = ("posting_date", "entry_no")
    if item.costing_method == CostingMethod.LIFO:
        order = ("-posting_date", "-entry_no")
    return ItemLedgerEntry.objects.filter(
        item=item,
        location_code=entry.location_code,
        variant_code=entry.variant_code,
        positive=positive,
        open=True,
    ).order_by(*order)


def apply_entries(
    writer: LedgerWriter,
    inbound: ItemLedgerEntry,
    outbound: ItemLedgerEntry,
    *,
    posting_date: date,
    cost_application: bool,
) -> Decimal:
    """Spec §3.4.1 ``apply``: the largest quantity both can take, and its application row."""
    quantity: Decimal = min(-outbound.remaining_quantity, inbound.remaining_quantity)
    inbound.remaining_quantity -= quantity
    inbound.open = inbound.remaining_quantity != 0
    outbound.remaining_quantity += quantity
    outbound.open = outbound.remaining_quantity != 0
    writer.save_ile(inbound, "remaining_quantity", "open")
    writer.insert_application(
        item_ledger_entry=outbound,
        inbound_item_entry=inbound,
        outbound_item_entry=outbound,
        quantity=-quantity,
        posting_date=posting_date,
        cost_application=cost_application,
    )
    if cost_application and not inbound.applied_entry_to_adjust:
        writer.set_applied_entry_to_adjust(inbound)
    return quantity


def close_open_outbounds(
    writer: LedgerWriter, inbound: ItemLedgerEntry, item: Item, valuation_date: date
) -> None:
    """Spec §3.4.2 / §3.9: a new inbound closes open outbounds (negative inventory)."""
    if item.costing_method == CostingMethod.SPECIFIC:
        return
    cost_application = item.costing_method != CostingMethod.AVERAGE
    sources: set[int] | None = None
    for outbound in open_entries(item, inbound, positive=False):
        if sources is None:
            sources = cost_sources(inbound.entry_no)
        if outbound.entry_no in sources:
            # the inbound takes its cost from this outbound (a return applied from it, or a
            # chain through transfers): applying it would make the cost circular
            continue
        apply_entries(
            writer,
            inbound,
            outbound,
            posting_date=max(inbound.posting_date, outbound.posting_date),
            cost_application=cost_application,
        )
        writer.save_ile(outbound, "remaining_quantity", "open")
        writer.move_valuation_date(outbound, valuation_date)
        if inbound.remaining_quantity == 0:
            break


def apply_outbound(
    writer: LedgerWriter, line: ItemJournalLineInput, item: Item, outbound: ItemLedgerEntry
) -> tuple[date, list[tuple[ItemLedgerEntry, Decimal]]]:
    """Spec §3.4.1 and §3.7: apply, and return the valuation date and the applications."""
    fixed = bool(line.applies_to_entry)
    candidates: list[ItemLedgerEntry] | QuerySet[ItemLedgerEntry]
    if fixed:
        inbound = ItemLedgerEntry.objects.get(entry_no=line.applies_to_entry)
        if not inbound.open or inbound.remaining_quantity < -outbound.quantity:
            raise remaining_too_low(line, inbound.entry_no)
        candidates = [inbound]
    elif item.costing_method == CostingMethod.SPECIFIC:
        candidates = []
    else:
        candidates = open_entries(item, outbound, positive=True)
    cost_application = fixed or item.costing_method != CostingMethod.AVERAGE
    valuation_date = outbound.posting_date
    applied: list[tuple[ItemLedgerEntry, Decimal]] = []
    for inbound in candidates:
        quantity = apply_entries(
            writer,
            inbound,
            outbound,
            posting_date=outbound.posting_date,
            cost_application=cost_application,
        )
        latest = rev_or_last_ve(inbound.entry_no)
        if latest and (fixed or latest.valuation_date > valuation_date):
            valuation_date = latest.valuation_date
        applied.append((inbound, quantity))
        if outbound.remaining_quantity == 0:
            break
    writer.save_ile(outbound, "remaining_quantity", "open")
    return valuation_date, applied
