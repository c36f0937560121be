"""Reads over the ledgers shared by the admin, the exports and the valuation drill-down."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from inventory.amounts import AMOUNT_DIGITS, AMOUNT_PLACES, ZERO
from inventory.models import ValueEntry
from inventory.reports import FIGURES


def value_entry_sum(field: str) -> Coalesce:
    """Σ ``field`` over the value entries of the outer item ledger entry (0 if none)."""
    total = (
        ValueEntry.objects.filter(item_ledger_entry=OuterRef("pk"))
        .order_by()
        .values("item_ledger_entry")
        .annotate(total=Sum(field))
        .values("total")
    )
    output = DecimalField(max_digits=AMOUNT_DIGITS + 10, decimal_places=AMOUNT_PLACES)
    return Coalesce(Subquery(total, output_field=output), Value(Decimal(0)), output_field=output)


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
