"""Read queries of the item card (selectors: no writes, keyword-only arguments).

Three quantities of one item answer different questions and differ whenever something is
received or shipped but not invoiced (COSTING-SPEC §2.10, §4.3, §12.1):

* **on hand**: the sum of the item ledger entries' quantities (the items page, BC's Inventory);
* **invoiced**: on hand less what is received or shipped but not yet invoiced; the quantity of
  the Inventory Valuation report, behind Cost Amount (Actual);
* **revaluable**: what Calculate Inventory Value finds at a date, the remaining quantity of the
  completely invoiced inbound entries (and of every Standard entry, per item).

Each figure is one grouped query (or one pass of ``inbound_entry_values``), never a query per
entry.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, QuerySet, Sum

from inventory.amounts import ZERO
from inventory.models import (
    ItemApplicationEntry,
    ItemJournalLine,
    ItemLedgerEntry,
    ValueEntry,
    ValueEntryType,
)
from inventory.valuation import inbound_entry_values


@dataclass
class Stock:
    """Quantity and value of an item (or one location and variant of it) at a date."""

    on_hand: Decimal = ZERO
    invoiced_quantity: Decimal = ZERO
    value: Decimal = ZERO  # Cost Amount (Actual)
    expected_cost: Decimal = ZERO  # Cost Amount (Expected)
    revaluable_quantity: Decimal = ZERO
    revaluable_value: Decimal = ZERO  # unrounded, as Calculate Inventory Value sees it

    @property
    def value_expected(self) -> Decimal:
        return self.value + self.expected_cost

    @property
    def not_invoiced(self) -> Decimal:
        return self.on_hand - self.invoiced_quantity

    def add(self, other: Stock) -> None:
        for name in (
            "on_hand",
            "invoiced_quantity",
            "value",
            "expected_cost",
            "revaluable_quantity",
            "revaluable_value",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class EntryQuantity:
    entry_no: int
    quantity: Decimal


@dataclass
class StockOverview:
    """The item's stock at ``on``: per location and variant, the total, and the entries that
    make the three quantities differ."""

    on: datetime.date
    rows: dict[tuple[str, str], Stock]
    total: Stock = field(default_factory=Stock)
    not_invoiced: list[EntryQuantity] = field(default_factory=list)  # qty not invoiced per entry
    not_revaluable: list[EntryQuantity] = field(default_factory=list)  # remaining, not counted


def stock_overview(*, item_no: str, on: datetime.date) -> StockOverview:
    """The item's quantities and values at ``on`` (posting dates, as the valuation report; the
    revaluable figures by valuation date, as Calculate Inventory Value per item)."""
    rows: dict[tuple[str, str], Stock] = defaultdict(Stock)
    posted = ValueEntry.objects.filter(item_id=item_no, posting_date__lte=on)
    for row in (
        posted.values("location_code", "variant_code")
        .annotate(
            on_hand=Sum("item_ledger_entry_quantity"),
            invoiced=Sum("invoiced_quantity"),
            actual=Sum("cost_amount_actual"),
            expected=Sum("cost_amount_expected"),
        )
        .order_by()
    ):
        stock = rows[row["location_code"], row["variant_code"]]
        stock.on_hand = row["on_hand"]
        stock.invoiced_quantity = row["invoiced"]
        stock.value = row["actual"]
        stock.expected_cost = row["expected"]
    included: set[int] = set()
    for entry in inbound_entry_values(item_nos=[item_no], on=on, standard_per_item=True):
        included.add(entry.entry_no)
        stock = rows[entry.location_code, entry.variant_code]
        stock.revaluable_quantity += entry.remaining
        stock.revaluable_value += entry.value
    overview = StockOverview(on=on, rows=dict(sorted(rows.items())))
    for stock in overview.rows.values():
        overview.total.add(stock)
    overview.not_invoiced = [
        EntryQuantity(entry_no, quantity)
        for entry_no, quantity in posted.values("item_ledger_entry_id")
        .annotate(quantity=Sum(F("item_ledger_entry_quantity") - F("invoiced_quantity")))
        .exclude(quantity=0)
        .order_by("item_ledger_entry_id")
        .values_list("item_ledger_entry_id", "quantity")
    ]
    # Remaining at the date (inbound entries, and open outbounds of negative inventory) that
    # Calculate Inventory Value leaves out.
    remaining = (
        ItemApplicationEntry.objects.filter(
            inbound_item_entry__item_id=item_no, posting_date__lte=on
        )
        .values("inbound_item_entry_id")
        .annotate(remaining=Sum("quantity"))
        .exclude(remaining=0)
        .order_by("inbound_item_entry_id")
        .values_list("inbound_item_entry_id", "remaining")
    )
    overview.not_revaluable = [
        EntryQuantity(entry_no, quantity)
        for entry_no, quantity in remaining
        if entry_no not in included
    ]
    return overview


def item_ledger_entry_list(*, item_no: str) -> QuerySet[ItemLedgerEntry]:
    """The item's entries, newest first, with their Cost Amount (Actual)/(Expected) summed over
    their value entries (a grouped subquery in the one page query)."""
    return (
        ItemLedgerEntry.objects.filter(item_id=item_no)
        .annotate(
            cost_actual=Sum("value_entries__cost_amount_actual"),
            cost_expected=Sum("value_entries__cost_amount_expected"),
        )
        .order_by("-entry_no")
    )


def value_entry_list(*, item_no: str) -> QuerySet[ValueEntry]:
    return ValueEntry.objects.filter(item_id=item_no).order_by("-entry_no")


def open_item_journal_line_list(*, item_no: str) -> list[ItemJournalLine]:
    """The item's lines in item journals, not yet posted, with their ``amount``."""
    return list(
        ItemJournalLine.objects.filter(item_id=item_no)
        .annotate(amount=F("quantity") * F("unit_amount"))
        .order_by("batch_id", "line_no")
    )


# --------------------------------------------------------------------------- history


@dataclass(frozen=True)
class HistoryPoint:
    """The item's totals at the end of a valuation date."""

    day: datetime.date
    quantity: Decimal
    value: Decimal  # actual + expected cost

    @property
    def unit_cost(self) -> Decimal | None:
        return self.value / self.quantity if self.quantity else None


@dataclass(frozen=True)
class RevaluationMark:
    day: datetime.date
    document_no: str
    amount: Decimal


@dataclass(frozen=True)
class History:
    points: list[HistoryPoint]
    revaluations: list[RevaluationMark]


def item_history(*, item_no: str) -> History:
    """Quantity and value (incl. expected cost) by valuation date, and the revaluations: two
    grouped queries."""
    entries = ValueEntry.objects.filter(item_id=item_no)
    quantity = value = ZERO
    points = []
    for day, day_quantity, actual, expected in (
        entries.values("valuation_date")
        .annotate(
            quantity=Sum("item_ledger_entry_quantity"),
            actual=Sum("cost_amount_actual"),
            expected=Sum("cost_amount_expected"),
        )
        .order_by("valuation_date")
        .values_list("valuation_date", "quantity", "actual", "expected")
    ):
        quantity += day_quantity
        value += actual + expected
        points.append(HistoryPoint(day, quantity, value))
    revaluations = [
        RevaluationMark(day, document_no, amount)
        for day, document_no, amount in entries.filter(entry_type=ValueEntryType.REVALUATION)
        .values("valuation_date", "document_no")
        .annotate(amount=Sum("cost_amount_actual"))
        .order_by("valuation_date", "document_no")
        .values_list("valuation_date", "document_no", "amount")
    ]
    return History(points, revaluations)
