"""Posting an outbound line (sale, negative adjustment, purchase return; spec §3.5.4) and a
transfer (an outbound and its receipts at the new location, spec §3.5.6)."""

from __future__ import annotations

from decimal import Decimal

from inventory.amounts import ZERO
from inventory.models import Item, ItemLedgerEntry, SourceCode, ValueEntry, ValueEntryType
from inventory.services.item_posting.applying import apply_outbound, close_open_outbounds
from inventory.services.item_posting.line import ItemJournalLineInput, insufficient_quantity
from inventory.services.item_posting.values import (
    entry_fields,
    line_amounts,
    value_fields,
    valued_by_average,
)
from inventory.services.ledger import LedgerWriter


def post_outbound(writer: LedgerWriter, line: ItemJournalLineInput, item: Item) -> None:
    quantity = line.ile_quantity
    expected = line.invoiced == 0
    entry = writer.insert_ile(
        **entry_fields(line, item),
        quantity=quantity,
        invoiced_quantity=ZERO if expected else quantity,
        applies_to_entry=line.applies_to_entry,
    )
    valuation_date, _ = apply_outbound(writer, line, item, entry)
    if entry.open and not writer.setup.allow_negative_inventory:
        raise insufficient_quantity(line, item.no)
    writer.insert_value_entry(
        entry,
        **value_fields(line),
        valuation_date=valuation_date,
        valued_quantity=quantity,
        invoiced_quantity=ZERO if expected else quantity,
        valued_by_average_cost=valued_by_average(item, line),
        **line_amounts(writer.precision, line, item, quantity, expected),
    )


# (the source entry, or None for an Average transfer; quantity; cost) of one transfer receipt
TransferPart = tuple[ItemLedgerEntry | None, Decimal, Decimal]


def post_transfer(writer: LedgerWriter, line: ItemJournalLineInput, item: Item) -> None:
    """The transfer's outbound at the old location, then one receipt at the new location per
    inbound it took from (one receipt at the average cost for an Average item)."""
    quantity = line.quantity
    fields = entry_fields(line, item) | {"source_code": SourceCode.RECLASS_JOURNAL}
    outbound = writer.insert_ile(
        **fields,
        quantity=-quantity,
        invoiced_quantity=-quantity,
        applies_to_entry=line.applies_to_entry,
    )
    valuation_date, applied = apply_outbound(writer, line, item, outbound)
    if outbound.open:
        raise insufficient_quantity(line, item.no)
    sources_invoiced = all(source.completely_invoiced for source, _ in applied)
    if not sources_invoiced:
        outbound.completely_invoiced = False
        writer.save_ile(outbound, "completely_invoiced")
    transfer_value_fields = value_fields(line) | {"source_code": SourceCode.RECLASS_JOURNAL}
    receipt_fields = fields | {"location_code": line.new_location_code}
    average = valued_by_average(item, line)
    precision = writer.precision
    parts: list[TransferPart]
    if average:
        parts = [(None, quantity, precision.r(precision.ru(item.unit_cost) * quantity))]
    else:
        parts = [
            (source, taken, precision.r(source_cost(source) * taken / source.quantity))
            for source, taken in applied
        ]
    writer.insert_value_entry(
        outbound,
        **transfer_value_fields,
        valuation_date=valuation_date,
        valued_quantity=-quantity,
        invoiced_quantity=-quantity,
        cost_amount_actual=-sum((cost for _, _, cost in parts), ZERO),
        valued_by_average_cost=average,
    )
    for source, part_quantity, cost in parts:
        receipt = writer.insert_ile(
            **receipt_fields,
            quantity=part_quantity,
            invoiced_quantity=part_quantity,
            completely_invoiced=source.completely_invoiced if source else sources_invoiced,
        )
        writer.insert_application(
            item_ledger_entry=receipt,
            inbound_item_entry=receipt,
            outbound_item_entry=outbound,
            transferred_from_entry=source,
            quantity=part_quantity,
            posting_date=line.posting_date,
            cost_application=True,
        )
        close_open_outbounds(writer, receipt, item, valuation_date)
        writer.insert_value_entry(
            receipt,
            **transfer_value_fields,
            valuation_date=valuation_date,
            valued_quantity=part_quantity,
            invoiced_quantity=part_quantity,
            cost_amount_actual=cost,
        )


def source_cost(source: ItemLedgerEntry) -> Decimal:
    """Spec §3.5.6 src_cost: actual + expected; partial revaluations per revalued unit."""
    total = ZERO
    for value_entry in ValueEntry.objects.filter(item_ledger_entry=source):
        if value_entry.partial_revaluation and value_entry.entry_type == ValueEntryType.REVALUATION:
            total += value_entry.cost_amount_actual / value_entry.valued_quantity * source.quantity
        else:
            total += value_entry.cost_amount_actual + value_entry.cost_amount_expected
    return total
