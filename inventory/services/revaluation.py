"""Posting revaluation journal lines as Revaluation value entries (COSTING-SPEC §6).

The revaluation app prepares the lines (its journal, its checks of the batch); this module is
the ledger side: the per-line checks of §6.1, the per-item split of sum lines (§6.4), the value
entries of §6.3, Update Standard Cost (§6.5) and the side effects of §6.6, in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from inventory.amounts import ZERO, RoundingCarry
from inventory.eligibility import item_refusal, missing_entry, missing_item
from inventory.exceptions import PostingError
from inventory.models import (
    CostingMethod,
    GLEntry,
    InventorySetup,
    Item,
    ItemLedgerEntry,
    ItemLedgerEntryType,
    SourceCode,
    ValueEntry,
    ValueEntryType,
)
from inventory.services.adjustment import adjust_cost_item_entries
from inventory.services.adjustment_runs import schedule_automatic_adjustment
from inventory.services.gl_posting import gl_lines_for
from inventory.services.ledger import LedgerWriter, check_posting_date, lock_items
from inventory.services.posting import PostingResult
from inventory.valuation import (
    RevaluedEntry,
    SplitCandidate,
    remaining_quantities_at,
    revalued_entries,
    split_candidates,
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
        _(
            "There are new postings made in the period you want to revalue item no. %(no)s. "
            "You must calculate the inventory value again."
        )
        % {"no": item_no},
        line_no=line_no,
    )


@transaction.atomic
def revaluation_journal_post(
    *,
    lines: Sequence[RevaluationLineInput],
    user=None,
    batch_name: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> PostingResult:
    """Post the lines that have an amount; all or nothing. Raises PostingError.
    ``progress(done, total)`` is called after each posted line."""
    lines = sorted((line for line in lines if line.posts), key=lambda line: line.line_no)
    if not lines:
        raise PostingError(_("There is nothing to post."))
    items = lock_items(line.item_no for line in lines)
    writer = LedgerWriter(
        items=items, source_code=SourceCode.REVALUATION_JOURNAL, user=user, batch_name=batch_name
    )
    poster = _RevaluationPoster(writer, lines)
    errors = check_revaluation_lines(lines, items, writer, poster.entries)
    if errors:
        raise errors[0]
    for done, line in enumerate(lines, start=1):
        poster.post_line(line)
        if progress is not None:
            progress(done, len(lines))
    register = writer.finish()
    schedule_automatic_adjustment(items)
    return PostingResult(register, writer.ile_nos, writer.ve_nos)


@dataclass
class PreviewLine:
    line_no: int
    error: PostingError | None
    value_entries: list[dict]


@dataclass
class AdjustedEntry:
    """An item ledger entry whose cost Adjust Cost would change after the posting (§7)."""

    entry_no: int
    item_no: str
    entry_type: str
    posting_date: date
    document_no: str
    location_code: str
    variant_code: str
    quantity: Decimal
    cost_change: Decimal  # Σ cost amount (actual + expected) of its new adjustment entries
    value_entry_nos: list[int] = field(default_factory=list)

    @property
    def cogs_change(self) -> Decimal:
        """A cost adjustment of a sale posts Inventory / COGS (COSTING-SPEC section 10.2), so
        COGS moves opposite to the entry's cost; other entries balance with Inventory Adjmt."""
        return -self.cost_change if self.entry_type == ItemLedgerEntryType.SALE else ZERO


@dataclass
class RevaluationImpact:
    """What posting the lines and then Adjust Cost for their items would write (§12.2).

    ``gl_entries``: the G/L entries of the dry run, one dict per entry (account_no, account_name,
    role, amount, document_no), read before the rollback (``_dry_run_gl``).
    """

    lines: list[PreviewLine]
    adjustment_entries: list[dict] = field(default_factory=list)
    adjusted: list[AdjustedEntry] = field(default_factory=list)
    adjustment_failures: list[tuple[str, str]] = field(default_factory=list)
    unadjusted_before: list[str] = field(default_factory=list)
    gl_entries: list[dict] = field(default_factory=list)
    gl_error: str = ""  # a missing or blocked account, as posting would refuse it

    @property
    def revaluation_amount(self) -> Decimal:
        return sum(
            (
                ve["cost_amount_actual"] + ve["cost_amount_expected"]
                for line in self.lines
                for ve in line.value_entries
            ),
            start=ZERO,
        )

    @property
    def adjustment_amount(self) -> Decimal:
        return sum((entry.cost_change for entry in self.adjusted), start=ZERO)

    @property
    def cogs_change(self) -> Decimal:
        return sum((entry.cogs_change for entry in self.adjusted), start=ZERO)

    @property
    def inventory_value_change(self) -> Decimal:
        """The change of the inventory value: the revaluation less what moved to sold stock."""
        return self.revaluation_amount + self.adjustment_amount


class _Rollback(Exception):
    pass


PREVIEW_FIELDS = (
    "entry_no",
    "item_ledger_entry_id",
    "item_id",
    "location_code",
    "variant_code",
    "item_ledger_entry_type",
    "entry_type",
    "posting_date",
    "valuation_date",
    "valued_quantity",
    "cost_amount_actual",
    "cost_amount_expected",
    "cost_per_unit",
    "partial_revaluation",
    "adjustment",
    "document_no",
)


def revaluation_journal_preview(*, lines: Sequence[RevaluationLineInput]) -> list[PreviewLine]:
    """Spec §12.2 test report: per posting line, the value entries it would create or the error
    that refuses it (a refused line does not stop the preview of the others); writes nothing."""
    return _dry_run(lines, adjust=False).lines


def revaluation_journal_impact(
    *,
    lines: Sequence[RevaluationLineInput],
    progress: Callable[[int, int], None] | None = None,
) -> RevaluationImpact:
    """Spec §12.2 preview posting: the lines' value entries and what Adjust Cost would then
    change on the entries of their items (stock already sold: COGS), computed by running the
    real posting and the real Adjust Cost in a transaction that is always rolled back.
    ``progress(done, total)`` is called after each posting line."""
    return _dry_run(lines, adjust=True, progress=progress)


def _dry_run(
    lines: Sequence[RevaluationLineInput],
    *,
    adjust: bool,
    progress: Callable[[int, int], None] | None = None,
) -> RevaluationImpact:
    lines = sorted((line for line in lines if line.posts), key=lambda line: line.line_no)
    impact = RevaluationImpact(lines=[])
    try:
        with transaction.atomic():
            items = lock_items(line.item_no for line in lines)
            last_gl_entry = GLEntry.objects.aggregate(last=Max("entry_no"))["last"] or 0
            impact.unadjusted_before = sorted(
                no for no, item in items.items() if not item.cost_is_adjusted
            )
            writer = LedgerWriter(items=items, source_code=SourceCode.REVALUATION_JOURNAL)
            poster = _RevaluationPoster(writer, lines)
            errors = {
                e.line_no: e for e in check_revaluation_lines(lines, items, writer, poster.entries)
            }
            written: list[list[int]] = []  # per line, the numbers of its value entries
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
                written.append(writer.ve_nos[first:])
                impact.lines.append(PreviewLine(line.line_no, error, []))
                if progress is not None:
                    progress(len(impact.lines), len(lines))
            _read_line_entries(impact.lines, written)
            if adjust and writer.ve_nos:
                writer.finish()  # as the posting: items marked unadjusted, counters saved
                _dry_run_adjustment(impact, sorted(items), after=max(writer.ve_nos))
            _dry_run_gl(impact, after=last_gl_entry, value_entry_nos=writer.ve_nos)
            raise _Rollback
    except _Rollback:
        pass
    return impact


def _read_line_entries(lines: list[PreviewLine], written: list[list[int]]) -> None:
    """Every line's value entries, read in one query after the dry run posted them all (entry
    numbers are gap-free: a refused line's numbers were handed out again, so the range holds
    only the run's entries)."""
    numbers = [no for nos in written for no in nos]
    if not numbers:
        return
    by_no = {
        entry["entry_no"]: entry
        for entry in ValueEntry.objects.filter(
            entry_no__gte=min(numbers), entry_no__lte=max(numbers)
        ).values(*PREVIEW_FIELDS)
    }
    for line, nos in zip(lines, written, strict=True):
        line.value_entries = [by_no[no] for no in sorted(nos)]


def _dry_run_gl(impact: RevaluationImpact, *, after: int, value_entry_nos: list[int]) -> None:
    """The G/L entries of the dry run: those Automatic Cost Posting wrote (entry no. above
    ``after``), then those that Post Inventory Cost to G/L would write for what stays outstanding
    of the dry run's value entries (the revaluation's and Adjust Cost's)."""
    impact.gl_entries = list(
        GLEntry.objects.filter(entry_no__gt=after)
        .order_by("entry_no")
        .values("role", "amount", "document_no", account_no=F("account_id"))
        .annotate(account_name=F("account__name"))
    )
    value_entry_nos = value_entry_nos + [ve["entry_no"] for ve in impact.adjustment_entries]
    try:
        outstanding, _sold = gl_lines_for(
            value_entry_nos, expected_posting=InventorySetup.get().expected_cost_posting_to_gl
        )
    except PostingError as refused:
        impact.gl_error = refused.message
        return
    impact.gl_entries += [
        {
            "account_no": line.account_no,
            "account_name": line.account_name,
            "role": line.role,
            "amount": line.amount,
            "document_no": line.document_no,
        }
        for line in outstanding
    ]


def _dry_run_adjustment(impact: RevaluationImpact, item_nos: list[str], *, after: int) -> None:
    """Adjust Cost for the posted items (what Automatic Cost Adjustment or the next run does),
    then read every value entry it wrote and sum them per item ledger entry."""
    summary = adjust_cost_item_entries(item_nos=item_nos)
    impact.adjustment_failures = summary.failures
    impact.adjustment_entries = list(
        ValueEntry.objects.filter(entry_no__gt=after, item_id__in=item_nos)
        .order_by("entry_no")
        .values(*PREVIEW_FIELDS)
    )
    by_entry: dict[int, AdjustedEntry] = {}
    ile_nos = {ve["item_ledger_entry_id"] for ve in impact.adjustment_entries}
    ile = ItemLedgerEntry.objects.in_bulk(list(ile_nos))
    for ve in impact.adjustment_entries:
        no = ve["item_ledger_entry_id"]
        entry = by_entry.get(no)
        if entry is None:
            source = ile[no]
            entry = by_entry[no] = AdjustedEntry(
                entry_no=no,
                item_no=source.item_id,
                entry_type=source.entry_type,
                posting_date=source.posting_date,
                document_no=source.document_no,
                location_code=source.location_code,
                variant_code=source.variant_code,
                quantity=source.quantity,
                cost_change=ZERO,
            )
        entry.cost_change += ve["cost_amount_actual"] + ve["cost_amount_expected"]
        entry.value_entry_nos.append(ve["entry_no"])
    impact.adjusted = sorted(by_entry.values(), key=lambda e: (e.item_no, e.entry_no))


def check_revaluation_lines(
    lines: Sequence[RevaluationLineInput],
    items: dict[str, Item],
    writer: LedgerWriter,
    entries: dict[int, RevaluedEntry],
) -> list[PostingError]:
    """Spec §6.1 for every posting line; returns all problems (the test report lists them).
    ``entries``: those the per-entry lines apply to (read by the poster)."""
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
        raise fail(_("Document No. must have a value in Item Journal Line."), "document_no")
    check_posting_date(
        writer.setup, line.posting_date, closed_until=writer.closed_until, line_no=line.line_no
    )
    refusal = item_refusal(item.no, item, revaluation=True)
    if refusal:
        raise fail(refusal, "item_no")
    if line.inventory_value_per:
        return
    if not line.applies_to_entry:
        raise fail(
            _("Applies-to Entry must have a value in Item Journal Line."), "applies_to_entry"
        )
    entry = entries.get(line.applies_to_entry)
    if entry is None:
        raise fail(missing_entry(line.applies_to_entry), "applies_to_entry")
    if entry.item_id != item.no or not entry.positive or not entry.completely_invoiced:
        raise fail(
            _(
                "Item Ledger Entry %(no)s cannot be revalued by this line: it must be a "
                "completely invoiced inbound entry of item %(item)s."
            )
            % {"no": entry.entry_no, "item": item.no},
            "applies_to_entry",
        )
    if line.partial_revaluation and remaining[(entry.entry_no, line.posting_date)] != line.quantity:
        raise new_postings_error(item.no, line.line_no)


SUM_ITEM_CHUNK = 1000  # items whose split candidates a sum line's poster reads at once


class _RevaluationPoster:
    """Posts revaluation lines with few set-based reads and value entries written as rows.

    The entries of per-entry lines are read up front; the split candidates of sum lines (and
    their entries) a chunk of items at a time, in the order of the lines, so that memory stays
    flat whatever the journal's size. A line that meets an entry already revalued earlier in
    the same journal reads the ledger again (after inserting what is pending), so duplicate
    lines see each other exactly as posting one by one would.
    """

    def __init__(self, writer: LedgerWriter, lines: Sequence[RevaluationLineInput]):
        self.writer = writer
        self.precision = writer.precision
        self.touched: set[int] = set()
        self.entries = revalued_entries(
            line.applies_to_entry for line in lines if not line.inventory_value_per
        )
        # (posting date, item) of the sum lines in the order of the lines, read a chunk at a time
        self.sum_keys = list(
            dict.fromkeys(
                (line.posting_date, line.item_no) for line in lines if line.inventory_value_per
            )
        )
        self.sum_key_positions = {key: k for k, key in enumerate(self.sum_keys)}
        self.candidates: dict[tuple[date | None, str], list[SplitCandidate]] = {}

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
        entry: RevaluedEntry,
        *,
        quantity: Decimal,
        amount: Decimal,
        applied_amount: Decimal,
        partial_revaluation: bool | None = None,
    ) -> None:
        """Spec §6.3: one Revaluation value entry on ``entry``, no item ledger entry."""
        p = self.precision
        cost = p.cost_at_unit_cost(amount / quantity, quantity)
        expected = p.r(cost * applied_amount / amount) if applied_amount else ZERO
        actual = p.r(cost) - expected
        self.touched.add(entry.entry_no)
        self.writer.defer_value_entry(
            entry,
            first=False,
            entry_type=ValueEntryType.REVALUATION,
            posting_date=line.posting_date,
            valuation_date=max(line.posting_date, entry.source_valuation_date),
            document_no=line.document_no,
            description=line.description,
            reason_code=line.reason_code,
            inventory_posting_group=entry.source_posting_group,
            valued_quantity=quantity,
            invoiced_quantity=ZERO,
            cost_amount_actual=actual,
            cost_amount_expected=expected,
            partial_revaluation=(
                line.partial_revaluation if partial_revaluation is None else partial_revaluation
            ),
        )

    def post_sum_line(self, line: RevaluationLineInput) -> None:
        """Spec §6.4: split the line over its entries (those with a remaining quantity),
        carrying the rounding forward."""
        item = self.writer.items[line.item_no]
        standard = item.costing_method == CostingMethod.STANDARD
        candidates = self._candidates(line)
        left_amount, left_qty, carry = line.amount, line.quantity, RoundingCarry(self.precision)
        for k, candidate in enumerate(candidates):
            is_last_candidate = k == len(candidates) - 1
            q = candidate.remaining
            current = self.precision.r(candidate.value)
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
                entry = candidate.entry
                if standard and not entry.completely_invoiced:
                    applied = self.precision.r(
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

    def _candidates(self, line: RevaluationLineInput) -> list[SplitCandidate]:
        """The entries a sum line is split over (§6.4), in location, variant, entry no. order."""
        key = (line.posting_date, line.item_no)
        candidates = self.candidates.get(key)
        if candidates is None:
            start = self.sum_key_positions[key]
            self._read_candidates(self.sum_keys[start : start + SUM_ITEM_CHUNK], keep=False)
        elif any(c.entry.entry_no in self.touched for c in candidates):
            # an earlier line revalued one of them: read their values again
            self._read_candidates([key], keep=True)
        per = line.inventory_value_per
        by_location = bool(line.location_code) or per in SUM_PER_LOCATION
        by_variant = bool(line.variant_code) or per in SUM_PER_VARIANT
        return [
            c
            for c in self.candidates[key]
            if (not by_location or c.entry.location_code == line.location_code)
            and (not by_variant or c.entry.variant_code == line.variant_code)
        ]

    def _read_candidates(self, keys: list[tuple[date | None, str]], *, keep: bool) -> None:
        """Read the candidates of the (posting date, item) ``keys``, after writing what is
        pending; ``keep``: add them to those read before, else replace them."""
        self.writer.flush()
        if not keep:
            self.candidates = {}
        item_nos: dict[date | None, list[str]] = defaultdict(list)
        for on, item_no in keys:
            self.candidates[(on, item_no)] = []
            item_nos[on].append(item_no)
        for on, nos in item_nos.items():
            for candidate in split_candidates(nos, on):
                self.candidates[(on, candidate.entry.item_id)].append(candidate)

    def _update_standard_cost(self, item: Item, line: RevaluationLineInput) -> None:
        """Spec §6.5."""
        item.standard_cost = line.unit_cost_revalued
        if item.costing_method == CostingMethod.STANDARD:
            item.unit_cost = item.standard_cost
        item.last_unit_cost_calc_date = line.posting_date
        self.writer.dirty_items.add(item.no)
