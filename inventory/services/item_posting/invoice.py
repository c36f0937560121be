"""Posting an invoice of an earlier receipt or shipment (spec §3.5.5, §9.4)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from inventory.amounts import ZERO, Precision
from inventory.models import (
    CostingMethod,
    Item,
    ItemLedgerEntry,
    ItemLedgerEntryType,
    ValueEntry,
    ValueEntryType,
)
from inventory.services.item_posting.inbound import post_purchase_variance
from inventory.services.item_posting.line import ItemJournalLineInput, line_error
from inventory.services.item_posting.unit_cost import update_unit_cost
from inventory.services.item_posting.values import value_fields
from inventory.services.ledger import LedgerWriter, last_dc_ve


def post_invoice(writer: LedgerWriter, line: ItemJournalLineInput, item: Item) -> None:
    precision = writer.precision
    entry = ItemLedgerEntry.objects.get(entry_no=line.applies_to_entry)
    sign = 1 if entry.positive else -1
    quantity_invoiced = sign * line.quantity  # signed like the entry
    if abs(quantity_invoiced) > abs(entry.quantity - entry.invoiced_quantity):
        raise line_error(
            line,
            _(
                "The quantity that you are trying to invoice is larger than the quantity in the "
                "item ledger with the entry number %(no)s."
            )
            % {"no": entry.entry_no},
            "quantity",
        )
    purchase = entry.entry_type == ItemLedgerEntryType.PURCHASE
    unit_amount = line.unit_amount
    if unit_amount is None:
        unit_amount = item.last_direct_cost if purchase else ZERO
    amount = precision.r(line.quantity * unit_amount)
    if purchase:
        cost = precision.r(unit_amount * quantity_invoiced)
    else:
        unit_cost = (
            item.standard_cost if item.costing_method == CostingMethod.STANDARD else item.unit_cost
        )
        cost = precision.r(precision.ru(unit_cost) * quantity_invoiced)
    entries = list(ValueEntry.objects.filter(item_ledger_entry=entry).order_by("entry_no"))
    entry.invoiced_quantity += quantity_invoiced
    entry.completely_invoiced = entry.invoiced_quantity == entry.quantity
    entry.last_invoice_date = max(filter(None, [entry.last_invoice_date, line.posting_date]))
    writer.save_ile(entry, "invoiced_quantity", "completely_invoiced", "last_invoice_date")
    reversal = expected_reversal(precision, entry, entries, quantity_invoiced)
    signed_amount = amount if purchase == entry.positive else -amount
    amount_fields: dict[str, Any] = (
        {
            "purchase_amount_actual": signed_amount,
            "purchase_amount_expected": reversal["purchase"],
        }
        if purchase
        else {"sales_amount_actual": signed_amount, "sales_amount_expected": reversal["sales"]}
    )
    last_direct = last_dc_ve(entry.entry_no)
    assert last_direct is not None  # an invoiced entry has its receipt's or shipment's entry
    invoice_entry = writer.insert_value_entry(
        entry,
        **value_fields(line),
        valuation_date=last_direct.valuation_date,
        valued_quantity=quantity_invoiced,
        invoiced_quantity=quantity_invoiced,
        cost_amount_actual=cost,
        cost_amount_expected=reversal["cost"],
        valued_by_average_cost=entries[0].valued_by_average_cost,
        **amount_fields,
    )
    if purchase and entry.positive and item.costing_method == CostingMethod.STANDARD:
        post_purchase_variance(writer, line, item, entry, invoice_entry, quantity_invoiced, cost)
        post_interim_revaluation_balance(
            writer, line, entry, entries, invoice_entry, quantity_invoiced
        )
    update_unit_cost(
        precision,
        item,
        invoice_entry,
        signed_amount if purchase else invoice_entry.cost_amount_actual,
    )


def expected_reversal(
    precision: Precision,
    entry: ItemLedgerEntry,
    entries: list[ValueEntry],
    quantity_invoiced: Decimal,
) -> dict[str, Decimal]:
    """Spec §3.5.5: reverse the invoiced share of the expected amounts."""
    reversal = {"cost": ZERO, "purchase": ZERO, "sales": ZERO}
    if not entries or not entries[0].expected_cost:
        return reversal
    non_revaluation = [e for e in entries if e.entry_type != ValueEntryType.REVALUATION]
    originals = [e for e in non_revaluation if e.expected_cost and not e.adjustment]
    for key, column in (
        ("cost", "cost_amount_expected"),
        ("purchase", "purchase_amount_expected"),
        ("sales", "sales_amount_expected"),
    ):
        if entry.invoiced_quantity == entry.quantity:
            reversal[key] = -sum((getattr(e, column) for e in non_revaluation), ZERO)
        else:
            original = sum((getattr(e, column) for e in originals), ZERO)
            reversal[key] = -precision.r(quantity_invoiced / entry.quantity * original)
    return reversal


def post_interim_revaluation_balance(
    writer: LedgerWriter,
    line: ItemJournalLineInput,
    entry: ItemLedgerEntry,
    entries: list[ValueEntry],
    invoice_entry: ValueEntry,
    quantity_invoiced: Decimal,
) -> None:
    """Spec §9.4: balance the expected part of revaluations of a Standard receipt."""
    precision = writer.precision
    for revaluation in entries:
        if revaluation.entry_type != ValueEntryType.REVALUATION or revaluation.applies_to_entry:
            continue
        if entry.completely_invoiced:
            balanced = sum(
                (
                    e.cost_amount_expected
                    for e in entries
                    if e.applies_to_entry == revaluation.entry_no
                ),
                ZERO,
            )
            balance = -revaluation.cost_amount_expected - balanced
        else:
            invoiced_before = sum(
                (
                    e.invoiced_quantity
                    for e in entries
                    if e.entry_type == ValueEntryType.DIRECT_COST
                    and e.entry_no < revaluation.entry_no
                ),
                ZERO,
            )
            balance = precision.r(
                -revaluation.cost_amount_expected
                * quantity_invoiced
                / (entry.quantity - invoiced_before)
            )
        if balance:
            writer.insert_value_entry(
                entry,
                **value_fields(line),
                entry_type=ValueEntryType.REVALUATION,
                applies_to_entry=revaluation.entry_no,
                valuation_date=revaluation.valuation_date,
                valued_quantity=revaluation.valued_quantity,
                invoiced_quantity=ZERO,
                cost_amount_expected=balance,
                cost_per_unit=precision.cost_per_unit(balance, invoice_entry.valued_quantity),
            )
