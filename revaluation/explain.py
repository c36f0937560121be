"""How a journal line's Quantity and Inventory Value (Calculated) come about (a selector).

The figures are recomputed from the ledger exactly as Calculate Inventory Value computes them
(``inventory.valuation.inbound_entry_values``, COSTING-SPEC §4.3–§4.6) for the line's item,
location and variant at its posting date, and shown with what they are made of: per included
entry the application entries up to the date (its remaining quantity), its value entries by
valuation date, and the formula with the numbers filled in. Three queries besides the
recomputation, whatever the number of entries.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from inventory.amounts import ZERO
from inventory.display import plain_number
from inventory.models import (
    CostingMethod,
    InventorySetup,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ValueEntry,
    ValueEntryType,
)
from inventory.valuation import EntryValue, average_unit_cost, inbound_entry_values
from revaluation.models import InventoryValuePer, RevaluationLine

BY_LOCATION = (InventoryValuePer.LOCATION, InventoryValuePer.LOCATION_AND_VARIANT)
BY_VARIANT = (InventoryValuePer.VARIANT, InventoryValuePer.LOCATION_AND_VARIANT)


@dataclass
class EntryExplanation:
    entry: EntryValue
    applications: list[ItemApplicationEntry] = field(default_factory=list)
    value_entries: list[ValueEntry] = field(default_factory=list)
    base: Decimal = ZERO  # Σ Cost Amount of the Direct Cost and Variance entries counted
    terms: list[str] = field(default_factory=list)  # the formula's terms, numbers filled in


@dataclass
class LineExplanation:
    line: RevaluationLine
    on: datetime.date
    entries: list[EntryExplanation]
    quantity: Decimal
    value: Decimal  # unrounded Σ entry values
    average_unit_cost: Decimal | None  # Average items per item: IV = quantity x this
    inventory_value: Decimal  # rounded, as the line holds it when nothing changed since

    @property
    def matches(self) -> bool:
        return (self.quantity, self.inventory_value) == (
            self.line.quantity,
            self.line.inventory_value_calculated,
        )


def line_explanation(*, line: RevaluationLine) -> LineExplanation:
    per_item = line.inventory_value_per != InventoryValuePer.ENTRY
    on = line.posting_date
    entries = [
        entry
        for entry in inbound_entry_values(
            item_nos=[line.item_id],
            on=on,
            standard_per_item=per_item,
            location_codes=[line.location_code]
            if line.inventory_value_per in BY_LOCATION
            else None,
            variant_codes=[line.variant_code] if line.inventory_value_per in BY_VARIANT else None,
        )
        if (per_item and entry.remaining) or entry.entry_no == line.applies_to_entry
    ]
    entry_nos = [entry.entry_no for entry in entries]
    applications = defaultdict(list)
    for application in ItemApplicationEntry.objects.filter(
        inbound_item_entry_id__in=entry_nos, posting_date__lte=on
    ).order_by("posting_date", "entry_no"):
        applications[application.inbound_item_entry_id].append(application)
    value_entries = defaultdict(list)
    for value_entry in ValueEntry.objects.filter(
        item_ledger_entry_id__in=entry_nos, valuation_date__lte=on
    ).order_by("valuation_date", "entry_no"):
        value_entries[value_entry.item_ledger_entry_id].append(value_entry)
    include_expected = {
        no
        for no in ItemLedgerEntry.objects.filter(
            entry_no__in=entry_nos,
            completely_invoiced=False,
            item__costing_method=CostingMethod.STANDARD,
        ).values_list("entry_no", flat=True)
        if per_item
    }
    explained = [
        _explain_entry(
            entry, applications[entry.entry_no], value_entries[entry.entry_no], include_expected
        )
        for entry in entries
    ]
    quantity = sum((entry.remaining for entry in entries), ZERO)
    value = sum((entry.value for entry in entries), ZERO)
    average = None
    if per_item and line.item.costing_method == CostingMethod.AVERAGE:
        average = average_unit_cost(
            item_no=line.item_id,
            on=on,
            location_code=line.location_code,
            variant_code=line.variant_code,
        )
    rounded = InventorySetup.get().precision.r(quantity * average if average is not None else value)
    return LineExplanation(line, on, explained, quantity, value, average, rounded)


def _explain_entry(entry: EntryValue, applications, value_entries, include_expected):
    explanation = EntryExplanation(entry, applications, value_entries)
    with_expected = entry.entry_no in include_expected
    revaluation_terms = []
    for value_entry in value_entries:
        if value_entry.entry_type in (ValueEntryType.DIRECT_COST, ValueEntryType.VARIANCE):
            if with_expected:
                explanation.base += value_entry.cost_amount_actual
                explanation.base += value_entry.cost_amount_expected
            elif not value_entry.expected_cost:
                explanation.base += value_entry.cost_amount_actual
        elif value_entry.entry_type == ValueEntryType.REVALUATION:
            amount = value_entry.cost_amount_actual + (
                value_entry.cost_amount_expected if with_expected else ZERO
            )
            revaluation_terms.append(
                f"{plain_number(entry.remaining)} / {plain_number(value_entry.valued_quantity)} × {plain_number(amount)}"
            )
    explanation.terms = [
        f"{plain_number(entry.remaining)} / {plain_number(entry.quantity)} × {plain_number(explanation.base)}",
        *revaluation_terms,
    ]
    return explanation
