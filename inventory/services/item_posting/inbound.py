"""Posting an inbound line: purchase, positive adjustment, sales return (spec §3.5.1 - §3.5.3)."""

from __future__ import annotations

from decimal import Decimal

from inventory.amounts import ZERO
from inventory.models import (
    CostingMethod,
    Item,
    ItemJournalEntryType,
    ItemLedgerEntry,
    ValueEntry,
    ValueEntryType,
)
from inventory.services.item_posting.applying import close_open_outbounds
from inventory.services.item_posting.line import ItemJournalLineInput
from inventory.services.item_posting.unit_cost import update_unit_cost
from inventory.services.item_posting.values import entry_fields, line_amounts, value_fields
from inventory.services.ledger import LedgerWriter, rev_or_last_ve


def post_inbound(writer: LedgerWriter, line: ItemJournalLineInput, item: Item) -> None:
    quantity = line.ile_quantity
    expected = line.invoiced == 0
    entry = writer.insert_ile(
        **entry_fields(line, item),
        quantity=quantity,
        invoiced_quantity=ZERO if expected else quantity,
    )
    valuation_date = line.posting_date
    assert valuation_date is not None  # check_line refuses a blank posting date (E-08)
    if line.applies_from_entry:
        latest = rev_or_last_ve(line.applies_from_entry)
        if latest and latest.valuation_date > valuation_date:
            valuation_date = latest.valuation_date
    writer.insert_application(
        item_ledger_entry=entry,
        inbound_item_entry=entry,
        outbound_item_entry_id=line.applies_from_entry or None,
        quantity=quantity,
        posting_date=line.posting_date,
        cost_application=True,
    )
    close_open_outbounds(writer, entry, item, valuation_date)
    amounts = line_amounts(writer.precision, line, item, quantity, expected)
    value_entry = writer.insert_value_entry(
        entry,
        **value_fields(line),
        valuation_date=valuation_date,
        valued_quantity=quantity,
        invoiced_quantity=ZERO if expected else quantity,
        **amounts,
    )
    if (
        not expected
        and item.costing_method == CostingMethod.STANDARD
        and line.entry_type == ItemJournalEntryType.PURCHASE
        and not line.applies_from_entry
    ):
        post_purchase_variance(
            writer, line, item, entry, value_entry, quantity, amounts["cost_amount_actual"]
        )
    update_unit_cost(
        writer.precision,
        item,
        value_entry,
        amounts.get("purchase_amount_actual", value_entry.cost_amount_actual),
    )


def post_purchase_variance(
    writer: LedgerWriter,
    line: ItemJournalLineInput,
    item: Item,
    entry: ItemLedgerEntry,
    value_entry: ValueEntry,
    quantity: Decimal,
    amount: Decimal,
) -> None:
    """Spec §3.5.1 / §9.1: Standard purchase variance = R(StdCost x q - invoiced amount)."""
    precision = writer.precision
    variance = precision.r(precision.ru(item.standard_cost) * quantity - amount)
    if variance and not item.inventory_value_zero:
        writer.insert_value_entry(
            entry,
            **value_fields(line),
            entry_type=ValueEntryType.VARIANCE,
            variance_type="purchase",
            valuation_date=value_entry.valuation_date,
            valued_quantity=value_entry.valued_quantity,
            invoiced_quantity=ZERO,
            cost_amount_actual=variance,
        )
