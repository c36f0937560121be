"""Set-based reads of inventory quantity and value as of a date (COSTING-SPEC §2.10, §4).

Sums are taken in SQL (one grouped query per table for a chunk of items); the divisions of
``rem_value`` are done in Python ``Decimal`` so that they follow the spec's left-to-right,
28+ digit arithmetic exactly. Nothing here runs a query per entry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import F, Q, Sum

from inventory.amounts import ZERO
from inventory.models import (
    AverageCostCalcType,
    AvgCostAdjmtEntryPoint,
    CostingMethod,
    InventorySetup,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ValueEntry,
    ValueEntryType,
)
from inventory.valuation_sql import LedgerFilter, entry_values_cte

ITEM_CHUNK = 500


@dataclass(frozen=True)
class EntryValue:
    """An included inbound entry with its remaining quantity and (unrounded) value at a date."""

    entry_no: int
    item_no: str
    location_code: str
    variant_code: str
    entry_type: str
    posting_date: date
    quantity: Decimal  # the entry's own quantity
    invoiced_quantity: Decimal
    completely_invoiced: bool
    remaining: Decimal  # rem_qty_at(entry, on)
    value: Decimal  # rem_value(entry, remaining, ...)


def included_entries_q(*, on: date, standard_per_item: bool) -> Q:
    """Spec §4.3: which inbound entries count as of ``on``.

    Standard items calculated per item include every entry posted on or before the date; all
    other entries must be completely invoiced, with their last invoice on or before the date.
    """
    invoiced = Q(completely_invoiced=True) & (
        Q(last_invoice_date__isnull=True) | Q(last_invoice_date__lte=on)
    )
    if not standard_per_item:
        return invoiced
    standard = Q(item__costing_method=CostingMethod.STANDARD)
    return (standard & Q(posting_date__lte=on)) | (~standard & invoiced)


def inbound_entry_values(
    *,
    item_nos: Iterable[str],
    on: date,
    standard_per_item: bool,
    location_codes: Iterable[str] | None = None,
    variant_codes: Iterable[str] | None = None,
) -> Iterator[EntryValue]:
    """Included inbound entries of the items with their quantity and value at ``on``.

    ``standard_per_item`` selects the per-item rule of §4.3 and counts the expected cost of
    Standard entries that are not completely invoiced (§4.4 ``inc``). Values count value entries
    by valuation date (§4.4). Entries come ordered by item, location, variant and entry no.;
    entries with a remaining quantity of 0 at the date are included (callers decide).
    """
    item_nos = sorted(set(item_nos))
    for start in range(0, len(item_nos), ITEM_CHUNK):
        chunk = item_nos[start : start + ITEM_CHUNK]
        entries = ItemLedgerEntry.objects.filter(
            included_entries_q(on=on, standard_per_item=standard_per_item),
            item_id__in=chunk,
            positive=True,
        )
        if location_codes is not None:
            entries = entries.filter(location_code__in=list(location_codes))
        if variant_codes is not None:
            entries = entries.filter(variant_code__in=list(variant_codes))
        rows = list(
            entries.order_by("item_id", "location_code", "variant_code", "entry_no").values_list(
                "entry_no",
                "item_id",
                "location_code",
                "variant_code",
                "entry_type",
                "posting_date",
                "quantity",
                "invoiced_quantity",
                "completely_invoiced",
                "item__costing_method",
            )
        )
        if not rows:
            continue
        entry_filter = Q(item_id__in=chunk) & Q(item_ledger_entry__in=entries)
        remaining = dict(
            ItemApplicationEntry.objects.filter(
                inbound_item_entry__in=entries, posting_date__lte=on
            )
            .values("inbound_item_entry_id")
            .annotate(total=Sum("quantity"))
            .values_list("inbound_item_entry_id", "total")
        )
        dated = ValueEntry.objects.filter(entry_filter, valuation_date__lte=on)
        base = {
            row["item_ledger_entry_id"]: row
            for row in dated.filter(
                entry_type__in=[ValueEntryType.DIRECT_COST, ValueEntryType.VARIANCE]
            )
            .values("item_ledger_entry_id")
            .annotate(
                invoiced_actual=Sum("cost_amount_actual", filter=Q(expected_cost=False)),
                actual=Sum("cost_amount_actual"),
                expected=Sum("cost_amount_expected"),
            )
        }
        revaluations = defaultdict(list)
        for ile_id, actual, expected, valued in (
            dated.filter(entry_type=ValueEntryType.REVALUATION)
            .order_by("entry_no")
            .values_list(
                "item_ledger_entry_id",
                "cost_amount_actual",
                "cost_amount_expected",
                "valued_quantity",
            )
        ):
            revaluations[ile_id].append((actual, expected, valued))
        for (
            entry_no,
            item_no,
            loc,
            var,
            entry_type,
            posted,
            qty,
            invoiced,
            complete,
            method,
        ) in rows:
            rem = remaining.get(entry_no) or ZERO
            include_expected = (
                standard_per_item and method == CostingMethod.STANDARD and not complete
            )
            sums = base.get(entry_no)
            if sums is None:
                base_amount = ZERO
            elif include_expected:
                base_amount = (sums["actual"] or ZERO) + (sums["expected"] or ZERO)
            else:
                base_amount = sums["invoiced_actual"] or ZERO
            value = rem / qty * base_amount
            for actual, expected, valued in revaluations.get(entry_no, ()):
                value += rem / valued * (actual + (expected if include_expected else ZERO))
            yield EntryValue(
                entry_no, item_no, loc, var, entry_type, posted, qty, invoiced, complete, rem, value
            )


def remaining_quantities_at(entry_nos: Iterable[int], on: date) -> dict[int, Decimal]:
    """rem_qty_at for several entries in one query (spec §2.10)."""
    totals = dict(
        ItemApplicationEntry.objects.filter(
            inbound_item_entry_id__in=list(entry_nos), posting_date__lte=on
        )
        .values("inbound_item_entry_id")
        .annotate(total=Sum("quantity"))
        .values_list("inbound_item_entry_id", "total")
    )
    return {no: totals.get(no) or ZERO for no in entry_nos}


def open_outbound_entries(
    *, item_nos: Iterable[str], on: date, location_codes=None, variant_codes=None
) -> dict[str, list[int]]:
    """Open outbound entries dated on or before ``on`` per item (E-24)."""
    entries = ItemLedgerEntry.objects.filter(
        item_id__in=list(item_nos), positive=False, open=True, posting_date__lte=on
    )
    if location_codes is not None:
        entries = entries.filter(location_code__in=list(location_codes))
    if variant_codes is not None:
        entries = entries.filter(variant_code__in=list(variant_codes))
    found: dict[str, list[int]] = defaultdict(list)
    for item_no, entry_no in entries.order_by("item_id", "entry_no").values_list(
        "item_id", "entry_no"
    ):
        found[item_no].append(entry_no)
    return found


def items_with_unadjusted_entry_points(*, item_nos: Iterable[str], on: date) -> set[str]:
    """Items with an entry point not yet adjusted, dated on or before ``on`` (E-25)."""
    return set(
        AvgCostAdjmtEntryPoint.objects.filter(
            item_id__in=list(item_nos), cost_is_adjusted=False, valuation_date__lte=on
        ).values_list("item_id", flat=True)
    )


def average_unit_cost(
    *, item_no: str, on: date, location_code: str = "", variant_code: str = ""
) -> Decimal:
    """Spec §4.6.1: average unit cost of an Average item at a period end (unrounded)."""
    setup = InventorySetup.get()
    pool = Q(item_id=item_no)
    if setup.average_cost_calc_type == AverageCostCalcType.ITEM_LOCATION_VARIANT:
        pool &= Q(location_code=location_code, variant_code=variant_code)
    valued = ValueEntry.objects.filter(pool, valuation_date__lte=on)
    totals = valued.aggregate(qty=Sum("invoiced_quantity"), cost=Sum("cost_amount_actual"))
    qty = totals["qty"] or ZERO
    cost = totals["cost"] or ZERO
    # remove transfers of not yet invoiced receipts
    transfers = ItemLedgerEntry.objects.filter(
        pool,
        quantity=F("invoiced_quantity"),
        completely_invoiced=False,
    ).exclude(invoiced_quantity=0)
    transfers = transfers.filter(Q(last_invoice_date__isnull=True) | Q(last_invoice_date__lte=on))
    for entry in transfers.order_by("-positive", "entry_no"):
        qty -= entry.quantity
        cost -= _entry_value_by_posting_date(entry, on)
    late = valued.filter(posting_date__gt=on).exclude(entry_type=ValueEntryType.REVALUATION)
    late_totals = late.aggregate(qty=Sum("invoiced_quantity"), cost=Sum("cost_amount_actual"))
    qty -= late_totals["qty"] or ZERO
    cost -= late_totals["cost"] or ZERO
    unit_cost = cost / qty if qty else ZERO
    return max(unit_cost, ZERO)


def _entry_value_by_posting_date(entry: ItemLedgerEntry, on: date) -> Decimal:
    """rem_value(entry, entry.quantity, False, posting_to=on) for one entry."""
    entries = ValueEntry.objects.filter(
        item_ledger_entry=entry, posting_date__lte=on, expected_cost=False
    )
    base = (
        entries.filter(
            entry_type__in=[ValueEntryType.DIRECT_COST, ValueEntryType.VARIANCE]
        ).aggregate(total=Sum("cost_amount_actual"))["total"]
        or ZERO
    )
    value = entry.quantity / entry.quantity * base
    for reval in entries.filter(entry_type=ValueEntryType.REVALUATION).order_by("entry_no"):
        value += entry.quantity / reval.valued_quantity * reval.cost_amount_actual
    return value


@dataclass(slots=True)
class RevaluedEntry:
    """An item ledger entry as posting a revaluation reads it: the columns the ledger writer
    needs (``ledger.LedgerEntryRef``), how far it is invoiced, and the valuation date and
    inventory posting group of its ``last_dc_ve`` (spec §2.10): its last Direct Cost value
    entry, else its last value entry."""

    entry_no: int
    item_id: str
    location_code: str
    variant_code: str
    entry_type: str
    positive: bool
    quantity: Decimal
    remaining_quantity: Decimal
    invoiced_quantity: Decimal
    completely_invoiced: bool
    applied_entry_to_adjust: bool
    source_valuation_date: date
    source_posting_group: str


def revalued_entries(entry_nos: Iterable[int]) -> dict[int, RevaluedEntry]:
    """``RevaluedEntry`` of many entries (rows, no models), in one query per few thousand."""
    found: dict[int, RevaluedEntry] = {}
    entry_nos = sorted(set(entry_nos))
    with connection.cursor() as cursor:
        for start in range(0, len(entry_nos), 5000):
            cursor.execute(REVALUED_ENTRIES, [entry_nos[start : start + 5000]])
            for row in cursor.fetchall():
                found[row[0]] = RevaluedEntry(*row)
    return found


# last_dc_ve: the entry's last Direct Cost value entry, else its last value entry (one index
# range per entry: ve_ile_entry).
REVALUED_ENTRY_COLUMNS = """
SELECT e.entry_no, e.item_id, e.location_code, e.variant_code, e.entry_type, e.positive,
       e.quantity, e.remaining_quantity, e.invoiced_quantity, e.completely_invoiced,
       e.applied_entry_to_adjust, source.valuation_date, source.inventory_posting_group"""
LAST_DC_VE = f"""
LEFT JOIN LATERAL (
    SELECT v.valuation_date, v.inventory_posting_group
    FROM {ValueEntry._meta.db_table} v
    WHERE v.item_ledger_entry_id = e.entry_no
    ORDER BY v.entry_type = '{ValueEntryType.DIRECT_COST}' DESC, v.entry_no DESC
    LIMIT 1
) source ON TRUE"""
REVALUED_ENTRIES = f"""{REVALUED_ENTRY_COLUMNS}
FROM {ItemLedgerEntry._meta.db_table} e {LAST_DC_VE}
WHERE e.entry_no = ANY(%s)"""


@dataclass(slots=True)
class SplitCandidate:
    """An entry a sum line's amount is split over (§6.4): its remaining quantity and unrounded
    value at the posting date, value entries counted by posting date."""

    entry: RevaluedEntry
    remaining: Decimal
    value: Decimal


def split_candidates(item_nos: Iterable[str], on: date) -> Iterator[SplitCandidate]:
    """The included inbound entries of the items with a remaining quantity at ``on`` (the
    per-item rule of §4.3), ordered by item, location, variant and entry no.: one statement,
    the value arithmetic of ``inbound_entry_values`` done in SQL (``inventory.valuation_sql``),
    as Calculate Inventory Value does it."""
    ledger = LedgerFilter(on=on, item_nos=tuple(sorted(set(item_nos))))
    ctes = entry_values_cte(ledger, standard_per_item=True, by_posting_date=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH {ctes}
            {REVALUED_ENTRY_COLUMNS}, ev.remaining, ev.value
            FROM entry_values ev
            JOIN {ItemLedgerEntry._meta.db_table} e USING (entry_no) {LAST_DC_VE}
            ORDER BY e.item_id, e.location_code, e.variant_code, e.entry_no""",
            ledger.params(),
        )
        rows = cursor.fetchall()
    for row in rows:
        yield SplitCandidate(RevaluedEntry(*row[:-2]), row[-2], row[-1])
