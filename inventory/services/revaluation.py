"""Posting revaluation journal lines as Revaluation value entries (COSTING-SPEC §6).

The revaluation app prepares the lines (its journal, its checks of the batch); this module is
the ledger side: the per-line checks of §6.1, the per-item split of sum lines (§6.4), the value
entries of §6.3, Update Standard Cost (§6.5) and the side effects of §6.6, in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from inventory.amounts import ZERO, RoundingCarry
from inventory.eligibility import item_refusal, missing_entry, missing_item
from inventory.exceptions import PostingError
from inventory.models import (
    CostingMethod,
    Item,
    ItemLedgerEntry,
    ItemLedgerEntryType,
    SourceCode,
    ValueEntry,
    ValueEntryType,
)
from inventory.services.adjustment_runs import schedule_automatic_adjustment
from inventory.services.ledger import LedgerWriter, check_posting_date, lock_items
from inventory.services.posting import PostingResult
from inventory.valuation import (
    EntryValue,
    inbound_entry_values,
    last_direct_cost_entries,
    remaining_quantities_at,
)

SUM_PER_LOCATION = {"location", "location_and_variant"}
SUM_PER_VARIANT = {"variant", "location_and_variant"}


@dataclass(frozen=True)
class RevaluationLineInput:
    """A revaluation journal line (spec §2.8). ``inventory_value_per`` "" = per-entry line."""

    line_no: int
    item_no: str
    posting_date: date | None
    document_no: str
    quantity: Decimal
    amount: Decimal
    inventory_value_revalued: Decimal
    unit_cost_revalued: Decimal
    entry_type: str = ItemLedgerEntryType.POSITIVE_ADJMT
    location_code: str = ""
    variant_code: str = ""
    applies_to_entry: int = 0
    inventory_value_per: str = ""
    partial_revaluation: bool = False
    update_standard_cost: bool = False
    applied_amount: Decimal = ZERO
    reason_code: str = ""
    description: str = ""

    @property
    def posts(self) -> bool:
        """Spec §6.1: only lines with a quantity and an amount post."""
        return self.quantity != 0 and self.amount != 0


def new_postings_error(item_no: str, line_no: int | None = None) -> PostingError:
    """E-45."""
    return PostingError(
        f"There are new postings made in the period you want to revalue item no. {item_no}. "
        "You must calculate the inventory value again.",
        line_no=line_no,
    )


@transaction.atomic
def revaluation_journal_post(
    *, lines: Sequence[RevaluationLineInput], user=None, batch_name: str = ""
) -> PostingResult:
    """Post the lines that have an amount; all or nothing. Raises PostingError."""
    lines = sorted((line for line in lines if line.posts), key=lambda line: line.line_no)
    if not lines:
        raise PostingError("There is nothing to post.")
    items = lock_items(line.item_no for line in lines)
    writer = LedgerWriter(
        items=items, source_code=SourceCode.REVALUATION_JOURNAL, user=user, batch_name=batch_name
    )
    errors = check_revaluation_lines(lines, items, writer)
    if errors:
        raise errors[0]
    poster = _RevaluationPoster(writer, lines)
    for line in lines:
        poster.post_line(line)
    register = writer.finish()
    schedule_automatic_adjustment(items)
    return PostingResult(register, writer.ile_nos, writer.ve_nos)


@dataclass
class PreviewLine:
    line_no: int
    error: PostingError | None
    value_entries: list[dict]


class _Rollback(Exception):
    pass


PREVIEW_FIELDS = (
    "entry_no",
    "item_ledger_entry_id",
    "item_id",
    "location_code",
    "variant_code",
    "item_ledger_entry_type",
    "posting_date",
    "valuation_date",
    "valued_quantity",
    "cost_amount_actual",
    "cost_amount_expected",
    "cost_per_unit",
    "partial_revaluation",
    "document_no",
)


def revaluation_journal_preview(*, lines: Sequence[RevaluationLineInput]) -> list[PreviewLine]:
    """Spec §12.2: run the real posting in a transaction that is always rolled back.

    Returns, per posting line, the value entries it would create or the error that refuses it;
    a refused line does not stop the preview of the others.
    """
    lines = sorted((line for line in lines if line.posts), key=lambda line: line.line_no)
    preview: list[PreviewLine] = []
    try:
        with transaction.atomic():
            items = lock_items(line.item_no for line in lines)
            writer = LedgerWriter(items=items, source_code=SourceCode.REVALUATION_JOURNAL)
            errors = {e.line_no: e for e in check_revaluation_lines(lines, items, writer)}
            poster = _RevaluationPoster(writer, lines)
            for line in lines:
                error = errors.get(line.line_no)
                first = len(writer.ve_nos)
                if error is None:
                    try:
                        with writer.savepoint():
                            poster.post_line(line)
                            writer.flush()
                    except PostingError as refused:
                        error = refused
                entries = list(
                    ValueEntry.objects.filter(entry_no__in=writer.ve_nos[first:])
                    .order_by("entry_no")
                    .values(*PREVIEW_FIELDS)
                )
                preview.append(PreviewLine(line.line_no, error, entries))
            raise _Rollback
    except _Rollback:
        pass
    return preview


def check_revaluation_lines(
    lines: Sequence[RevaluationLineInput], items: dict[str, Item], writer: LedgerWriter
) -> list[PostingError]:
    """Spec §6.1 for every posting line; returns all problems (the test report lists them)."""
    errors: list[PostingError] = []
    partial_entries = {
        line.applies_to_entry: line
        for line in lines
        if not line.inventory_value_per and line.partial_revaluation and line.applies_to_entry
    }
    dates = {line.posting_date for line in partial_entries.values() if line.posting_date}
    remaining: dict[tuple[int, date], Decimal] = {}
    for on in dates:
        nos = [no for no, line in partial_entries.items() if line.posting_date == on]
        remaining |= {(no, on): qty for no, qty in remaining_quantities_at(nos, on).items()}
    entries = ItemLedgerEntry.objects.in_bulk(
        [line.applies_to_entry for line in lines if line.applies_to_entry]
    )
    for line in lines:
        try:
            _check_line(line, items, writer, entries, remaining)
        except PostingError as error:
            errors.append(error)
    return errors


def _check_line(line, items, writer, entries, remaining) -> None:
    def fail(message: str, field: str | None = None) -> PostingError:
        return PostingError(message, line_no=line.line_no, field=field)

    item = items.get(line.item_no)
    if item is None:
        raise fail(missing_item(line.item_no), "item_no")
    if not line.document_no:
        raise fail("Document No. must have a value in Item Journal Line.", "document_no")
    check_posting_date(
        writer.setup, line.posting_date, closed_until=writer.closed_until, line_no=line.line_no
    )
    refusal = item_refusal(item.no, item, revaluation=True)
    if refusal:
        raise fail(refusal, "item_no")
    if line.inventory_value_per:
        return
    if not line.applies_to_entry:
        raise fail("Applies-to Entry must have a value in Item Journal Line.", "applies_to_entry")
    entry = entries.get(line.applies_to_entry)
    if entry is None:
        raise fail(missing_entry(line.applies_to_entry), "applies_to_entry")
    if entry.item_id != item.no or not entry.positive or not entry.completely_invoiced:
        raise fail(
            f"Item Ledger Entry {entry.entry_no} cannot be revalued by this line: it must be a "
            f"completely invoiced inbound entry of item {item.no}.",
            "applies_to_entry",
        )
    if line.partial_revaluation and remaining[(entry.entry_no, line.posting_date)] != line.quantity:
        raise new_postings_error(item.no, line.line_no)


class _RevaluationPoster:
    """Posts revaluation lines, reading what they need for the whole journal up front.

    Entries, their last direct-cost value entry and the split candidates of sum lines are read
    in a few set-based queries; value entries are inserted in bulk. A line that meets an entry
    already revalued earlier in the same journal reads the ledger again (after inserting what is
    pending), so duplicate lines see each other exactly as posting one by one would.
    """

    def __init__(self, writer: LedgerWriter, lines: Sequence[RevaluationLineInput]):
        self.w = writer
        self.p = writer.precision
        self.touched: set[int] = set()
        self.candidates: dict[tuple[date, str], list[EntryValue]] = {}
        sum_items: dict[date, set[str]] = defaultdict(set)
        entry_nos = set()
        for line in lines:
            if line.inventory_value_per:
                sum_items[line.posting_date].add(line.item_no)
            else:
                entry_nos.add(line.applies_to_entry)
        for on, item_nos in sum_items.items():
            for candidate in self._read_candidates(item_nos, on):
                self.candidates.setdefault((on, candidate.item_no), []).append(candidate)
                entry_nos.add(candidate.entry_no)
        self.entries = ItemLedgerEntry.objects.in_bulk(list(entry_nos))
        self.sources = last_direct_cost_entries(entry_nos)

    @staticmethod
    def _read_candidates(item_nos, on: date):
        return inbound_entry_values(
            item_nos=item_nos, on=on, standard_per_item=True, by_posting_date=True
        )

    def post_line(self, line: RevaluationLineInput) -> None:
        if line.inventory_value_per:
            self.post_sum_line(line)
        else:
            self.post_entry(
                line,
                self.entries[line.applies_to_entry],
                quantity=line.quantity,
                amount=line.amount,
                applied_amount=line.applied_amount,
            )

    def post_entry(
        self,
        line: RevaluationLineInput,
        entry: ItemLedgerEntry,
        *,
        quantity: Decimal,
        amount: Decimal,
        applied_amount: Decimal,
        partial_revaluation: bool | None = None,
    ) -> None:
        """Spec §6.3: one Revaluation value entry on ``entry``, no item ledger entry."""
        p = self.p
        cost = p.cost_at_unit_cost(amount / quantity, quantity)
        expected = p.r(cost * applied_amount / amount) if applied_amount else ZERO
        actual = p.r(cost) - expected
        source = self.sources[entry.entry_no]
        self.touched.add(entry.entry_no)
        self.w.insert_value_entry(
            entry,
            first=False,
            defer=True,
            entry_type=ValueEntryType.REVALUATION,
            posting_date=line.posting_date,
            valuation_date=max(line.posting_date, source.valuation_date),
            document_no=line.document_no,
            description=line.description,
            reason_code=line.reason_code,
            inventory_posting_group=source.inventory_posting_group,
            valued_quantity=quantity,
            invoiced_quantity=ZERO,
            cost_amount_actual=actual,
            cost_amount_expected=expected,
            partial_revaluation=(
                line.partial_revaluation if partial_revaluation is None else partial_revaluation
            ),
        )

    def post_sum_line(self, line: RevaluationLineInput) -> None:
        """Spec §6.4: split the line over its entries, carrying the rounding forward."""
        item = self.w.items[line.item_no]
        standard = item.costing_method == CostingMethod.STANDARD
        candidates = self._candidates(line)
        left_amount, left_qty, carry = line.amount, line.quantity, RoundingCarry(self.p)
        for k, candidate in enumerate(candidates):
            is_last_candidate = k == len(candidates) - 1
            q = candidate.remaining
            if q == 0:
                if is_last_candidate:
                    raise new_postings_error(item.no, line.line_no)
                continue
            current = self.p.r(candidate.value)
            share = line.inventory_value_revalued * q / line.quantity - current
            left_qty -= q
            if left_qty == 0:
                if any(c.remaining > 0 for c in candidates[k + 1 :]):
                    raise new_postings_error(item.no, line.line_no)
                a = left_amount
                last = True
            else:
                if is_last_candidate or left_qty < 0:
                    raise new_postings_error(item.no, line.line_no)
                a = carry.round(share)
                left_amount -= a
                last = False
            if a != 0:
                applied = ZERO
                entry = self.entries[candidate.entry_no]
                if standard and not entry.completely_invoiced:
                    applied = self.p.r(
                        a * (entry.quantity - entry.invoiced_quantity) / entry.quantity
                    )
                self.post_entry(
                    line,
                    entry,
                    quantity=q,
                    amount=a,
                    applied_amount=applied,
                    partial_revaluation=True,
                )
            if last:
                break
        if not candidates:
            raise new_postings_error(item.no, line.line_no)
        if line.update_standard_cost:
            self._update_standard_cost(item, line)
        elif standard:
            item.unit_cost = item.standard_cost

    def _candidates(self, line: RevaluationLineInput) -> list[EntryValue]:
        """The entries a sum line is split over (§6.4), in location, variant, entry no. order."""
        candidates = self.candidates.get((line.posting_date, line.item_no), [])
        if any(c.entry_no in self.touched for c in candidates):
            # an earlier line revalued one of them: read their values again
            self.w.flush()
            candidates = list(self._read_candidates([line.item_no], line.posting_date))
            self.candidates[(line.posting_date, line.item_no)] = candidates
        per = line.inventory_value_per
        by_location = bool(line.location_code) or per in SUM_PER_LOCATION
        by_variant = bool(line.variant_code) or per in SUM_PER_VARIANT
        return [
            c
            for c in candidates
            if (not by_location or c.location_code == line.location_code)
            and (not by_variant or c.variant_code == line.variant_code)
        ]

    def _update_standard_cost(self, item: Item, line: RevaluationLineInput) -> None:
        """Spec §6.5."""
        item.standard_cost = line.unit_cost_revalued
        if item.costing_method == CostingMethod.STANDARD:
            item.unit_cost = item.standard_cost
        item.last_unit_cost_calc_date = line.posting_date
        self.w.dirty_items.add(item.no)
