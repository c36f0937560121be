"""Read queries of the revaluation journal pages (HackSoft "selectors": no writes).

Every list here is read in a fixed number of queries, whatever the number of lines: the journal
grid is one page query (lines joined to their items) plus one aggregate for the totals; totals
are never summed in Python or in templates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from inventory.models import (
    CostingMethod,
    Item,
    ItemLedgerEntry,
    ReasonCode,
    ValueEntry,
)
from inventory.selectors import can_post_journals, location_list
from revaluation.models import (
    BatchJob,
    PostedRevaluation,
    PostedRevaluationLine,
    RevaluationBatch,
    RevaluationLine,
    SellingPrice,
    StoredPreview,
    StoredPreviewAdjusted,
    StoredPreviewGLEntry,
    StoredPreviewLine,
)

__all__ = [
    "BLANK_LOCATION",
    "PAGE_SIZE",
    "SORTS",
    "JournalTotals",
    "LineQuery",
    "can_post_journals",
    "eligible_entry_list",
    "item_get",
    "item_posted_revaluation_line_list",
    "item_revaluation_line_list",
    "item_suggestion_list",
    "journal_line_get",
    "journal_line_list",
    "journal_line_page_number",
    "journal_totals_get",
    "location_list",
    "posted_revaluation_get",
    "posted_revaluation_line_list",
    "posted_revaluation_list",
    "posted_revaluation_reversal_get",
    "selling_price_list",
    "batch_job_get",
    "posted_value_entry_list",
    "revaluation_batch_list",
    "revaluation_line_map",
    "skipped_line_list",
    "stored_preview_adjusted",
    "stored_preview_errors",
    "stored_preview_get",
    "stored_preview_gl_entries",
    "stored_preview_lines",
]

PAGE_SIZE = 50  # lines per journal page (a rendered row costs ~1 ms: bench/web.py)
BLANK_LOCATION = "-"  # the filter value that selects lines without a location
ZERO_AMOUNT = Value(Decimal(0), output_field=DecimalField())

# Sort key -> ORDER BY. Every ordering ends with the unique line_no, so pages are stable.
SORTS: dict[str, tuple[str, ...]] = {
    "line": ("line_no",),
    "item": ("item_id", "line_no"),
    "location": ("location_code", "item_id", "line_no"),
    "costing_method": ("item__costing_method", "item_id", "line_no"),
    "amount": ("amount", "line_no"),
}
SORT_LABELS = {
    "line": _("Line No."),
    "item": _("Item No."),
    "location": _("Location"),
    "costing_method": _("Costing Method"),
    "amount": _("Amount"),
}


def _sum(name: str, **kwargs) -> Coalesce:
    return Coalesce(Sum(name, **kwargs), ZERO_AMOUNT)


# --------------------------------------------------------------------------- batches


def revaluation_batch_list() -> QuerySet[RevaluationBatch]:
    """Batches by name with ``line_count`` and the three totals, in one grouped query."""
    return RevaluationBatch.objects.annotate(
        line_count=Count("lines"),
        total_inventory_value_calculated=_sum("lines__inventory_value_calculated"),
        total_inventory_value_revalued=_sum("lines__inventory_value_revalued"),
        total_amount=_sum("lines__amount"),
    ).order_by("name")


# --------------------------------------------------------------------------- journal lines


@dataclass(frozen=True)
class LineQuery:
    """Sort and filters of the journal grid (from GET parameters)."""

    sort: str = "line"
    descending: bool = False
    item_contains: str = ""
    location: str = ""  # "" = all, BLANK_LOCATION = lines without location
    costing_method: str = ""

    @classmethod
    def from_params(cls, params) -> LineQuery:
        sort = params.get("sort", "line")
        descending = sort.startswith("-")
        sort = sort.removeprefix("-")
        if sort not in SORTS:
            sort, descending = "line", False
        costing_method = params.get("costing_method", "")
        if costing_method not in CostingMethod.values:
            costing_method = ""
        return cls(
            sort=sort,
            descending=descending,
            item_contains=params.get("item", "").strip()[:20],
            location=params.get("location", "").strip()[:10],
            costing_method=costing_method,
        )

    @property
    def is_filtered(self) -> bool:
        return bool(self.item_contains or self.location or self.costing_method)

    def filter_q(self) -> Q:
        q = Q()
        if self.item_contains:
            q &= Q(item__no__icontains=self.item_contains)
        if self.location == BLANK_LOCATION:
            q &= Q(location_code="")
        elif self.location:
            q &= Q(location_code=self.location)
        if self.costing_method:
            q &= Q(item__costing_method=self.costing_method)
        return q

    def ordering(self) -> list[str]:
        fields = SORTS[self.sort]
        return [f"-{name}" for name in fields] if self.descending else list(fields)

    def params(self, **overrides) -> dict[str, str]:
        """The GET parameters that reproduce this query (for links), minus empty ones."""
        values = {
            "sort": ("-" if self.descending else "") + self.sort,
            "item": self.item_contains,
            "location": self.location,
            "costing_method": self.costing_method,
        }
        values.update(overrides)
        if values["sort"] == "line":
            values["sort"] = ""
        return {key: value for key, value in values.items() if value not in ("", None)}


@dataclass(frozen=True)
class JournalTotals:
    line_count: int
    filtered_count: int
    inventory_value_calculated: Decimal
    inventory_value_revalued: Decimal
    amount: Decimal


def journal_totals_get(*, batch_name: str, query: LineQuery | None = None) -> JournalTotals:
    """The batch totals and the number of lines matching ``query``: one aggregate query."""
    filter_q = query.filter_q() if query is not None else Q()
    row = RevaluationLine.objects.filter(batch_id=batch_name).aggregate(
        line_count=Count("pk"),
        filtered_count=Count("pk", filter=filter_q) if filter_q else Count("pk"),
        inventory_value_calculated=_sum("inventory_value_calculated"),
        inventory_value_revalued=_sum("inventory_value_revalued"),
        amount=_sum("amount"),
    )
    return JournalTotals(**row)


def journal_line_list(*, batch_name: str, query: LineQuery) -> QuerySet[RevaluationLine]:
    """The lines matching ``query`` in its order, with their items; the view pages them (one
    query per page: OFFSET on the (batch, line_no) index)."""
    return (
        RevaluationLine.objects.filter(query.filter_q(), batch_id=batch_name)
        .select_related("item")
        .order_by(*query.ordering())
    )


def journal_line_page_number(*, batch_name: str, line_no: int, page_size: int = PAGE_SIZE) -> int:
    """The page (in line-number order, unfiltered) that shows the line ``line_no``."""
    before = RevaluationLine.objects.filter(batch_id=batch_name, line_no__lt=line_no).count()
    return before // page_size + 1


def journal_line_get(*, batch_name: str, line_id: int) -> RevaluationLine | None:
    return (
        RevaluationLine.objects.filter(batch_id=batch_name, pk=line_id)
        .select_related("item")
        .first()
    )


def revaluation_line_map(*, batch_name: str, line_nos: Iterable[int]) -> dict[int, RevaluationLine]:
    """Lines of the batch by line number, with items (one query; for the preview page)."""
    lines = RevaluationLine.objects.filter(
        batch_id=batch_name, line_no__in=list(line_nos)
    ).select_related("item")
    return {line.line_no: line for line in lines}


# --------------------------------------------------------------------------- manual lines


ELIGIBLE_ENTRY_LIMIT = 200


def item_get(*, item_no: str) -> Item | None:
    return Item.objects.filter(no=item_no).first() if item_no else None


def item_suggestion_list(*, text: str, limit: int = 20) -> list[Item]:
    """Items whose number starts with ``text`` or whose description contains it."""
    items = Item.objects.filter(inventory_value_zero=False, blocked=False)
    if text:
        items = items.filter(Q(no__istartswith=text) | Q(description__icontains=text))
    return list(items.order_by("no")[:limit])


def eligible_entry_list(
    *, item_no: str, limit: int = ELIGIBLE_ENTRY_LIMIT
) -> list[ItemLedgerEntry]:
    """Spec §5.7: the entries a manual line may revalue — the item's completely invoiced
    inbound entries, open or closed, newest first."""
    return list(
        ItemLedgerEntry.objects.filter(item_id=item_no, positive=True, completely_invoiced=True)
        .only(
            "entry_no",
            "posting_date",
            "entry_type",
            "document_no",
            "location_code",
            "variant_code",
            "quantity",
            "invoiced_quantity",
            "remaining_quantity",
        )
        .order_by("-entry_no")[:limit]
    )


# --------------------------------------------------------------------------- posted history


def posted_revaluation_list() -> QuerySet[PostedRevaluation]:
    return (
        PostedRevaluation.objects.select_related("posted_by")
        .annotate(line_count=Count("lines"))
        .order_by("-posted_at", "-pk")
    )


def posted_revaluation_get(*, pk: int) -> PostedRevaluation | None:
    return (
        PostedRevaluation.objects.select_related("posted_by", "item_register").filter(pk=pk).first()
    )


def posted_revaluation_reversal_get(*, posted: PostedRevaluation) -> PostedRevaluation | None:
    """The posted revaluation that reverses ``posted``, if any."""
    return PostedRevaluation.objects.filter(reverses=posted).first()


def selling_price_list() -> QuerySet[SellingPrice]:
    """Selling prices, newest first, with their items (the page shows a slice and the count)."""
    return SellingPrice.objects.select_related("item").order_by(
        "-valid_from", "item_id", "location_code", "variant_code"
    )


def batch_job_get(*, pk: int) -> BatchJob | None:
    return BatchJob.objects.select_related("started_by").filter(pk=pk).first()


def posted_revaluation_line_list(*, posted: PostedRevaluation) -> list[PostedRevaluationLine]:
    return list(posted.lines.order_by("line_no"))


@dataclass
class PostedValueEntries:
    entries: list[ValueEntry] = field(default_factory=list)
    total_actual: Decimal = Decimal(0)
    total_expected: Decimal = Decimal(0)


def posted_value_entry_list(*, posted: PostedRevaluation) -> PostedValueEntries:
    """The value entries written by the posting (those of its item register), with totals."""
    entries = ValueEntry.objects.filter(item_register_id=posted.item_register_id).order_by(
        "entry_no"
    )
    totals = entries.aggregate(
        total_actual=_sum("cost_amount_actual"), total_expected=_sum("cost_amount_expected")
    )
    return PostedValueEntries(entries=list(entries), **totals)


# --------------------------------------------------------------------------- item card


def item_posted_revaluation_line_list(*, item_no: str) -> list[PostedRevaluationLine]:
    """The posted revaluation lines of an item, newest first, with their postings (one query)."""
    return list(
        PostedRevaluationLine.objects.filter(item_no=item_no)
        .select_related("posted")
        .order_by("-posted__posted_at", "-posted_id", "line_no")
    )


def item_revaluation_line_list(*, item_no: str) -> list[RevaluationLine]:
    """The item's lines in revaluation journals, not yet posted (one query)."""
    return list(RevaluationLine.objects.filter(item_id=item_no).order_by("batch_id", "line_no"))


def skipped_line_list(*, batch_name: str, limit: int) -> tuple[int, list[RevaluationLine]]:
    """How many lines posting skips (no Amount, or nothing invoiced; spec §6.7) and then deletes
    with the rest of the batch, and the first ``limit`` of them in line order (two queries)."""
    skipped = RevaluationLine.objects.filter(batch_id=batch_name).filter(
        Q(amount=0) | Q(invoiced_quantity=0)
    )
    return skipped.count(), list(skipped.order_by("line_no")[:limit])


def reason_code_list() -> list[tuple[str, str]]:
    """(code, description) of every Reason Code, for the journal's choice lists."""
    return list(ReasonCode.objects.order_by("code").values_list("code", "description"))


# --------------------------------------------------------------------------- stored previews


def stored_preview_get(*, batch_name: str) -> StoredPreview | None:
    return StoredPreview.objects.filter(batch_id=batch_name).first()


def stored_preview_lines(preview: StoredPreview) -> QuerySet[StoredPreviewLine]:
    """Every line of the preview in page order (for a paginator)."""
    return StoredPreviewLine.objects.filter(preview=preview).order_by("position")


def stored_preview_errors(preview: StoredPreview) -> list[StoredPreviewLine]:
    """The refused lines (all of them: the page lists every one)."""
    return list(stored_preview_lines(preview).exclude(error=""))


def stored_preview_adjusted(preview: StoredPreview) -> QuerySet[StoredPreviewAdjusted]:
    return StoredPreviewAdjusted.objects.filter(preview=preview).order_by("position")


def stored_preview_gl_entries(preview: StoredPreview) -> list[StoredPreviewGLEntry]:
    return list(StoredPreviewGLEntry.objects.filter(preview=preview).order_by("position"))
