"""The posting preview of a batch (spec §12.2), run once and stored for its pages.

The dry run (``revaluation_batch_preview``: post every line in a transaction, run Adjust Cost,
read what they wrote, roll back) costs a posting of the whole batch. It runs once - inline for a
small batch, as a ``BatchJob`` of kind *preview* above ``BACKGROUND_PREVIEW_LINES`` lines - and
its result is stored in the ``StoredPreview*`` tables with the stamps it was computed at: the
batch's version (``BatchVersion``, moved by every change of its lines or number series) and the
ends of the value entry and G/L ledgers. When a stamp has moved, the stored preview is stale and
the page asks for a new run.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.bulk import copy_insert
from inventory.models import GLEntry, ValueEntry
from inventory.services.revaluation import PREVIEW_FIELDS
from revaluation.exceptions import RevaluationError
from revaluation.models import (
    BatchVersion,
    RevaluationBatch,
    StoredPreview,
    StoredPreviewAdjusted,
    StoredPreviewEntry,
    StoredPreviewGLEntry,
    StoredPreviewLine,
)
from revaluation.services.posting import BatchPreview, revaluation_batch_preview

# ``PREVIEW_FIELDS`` stored under other names: plain numbers, not keys to the ledger.
KEYS = {"item_ledger_entry_id": "item_ledger_entry_no", "item_id": "item_no"}


def preview_runs_in_background(batch: RevaluationBatch) -> bool:
    return batch.lines.count() > settings.BACKGROUND_PREVIEW_LINES


def batch_version(batch_name: str) -> int:
    """The batch's modification stamp (0 before its first line)."""
    stamp = BatchVersion.objects.filter(batch_name=batch_name).values_list("version", flat=True)
    return stamp.first() or 0


def _ledger_ends() -> tuple[int, int]:
    value_entries = ValueEntry.objects.aggregate(last=Max("entry_no"))["last"] or 0
    gl_entries = GLEntry.objects.aggregate(last=Max("entry_no"))["last"] or 0
    return value_entries, gl_entries


def stored_preview_staleness(
    preview: StoredPreview, *, ledger_ends: tuple[int, int] | None = None
) -> str:
    """Why ``preview`` no longer shows what posting would write now; "" when it still does.
    ``ledger_ends``: ``_ledger_ends()``, when the caller has read it already."""
    if preview.batch_version != batch_version(preview.batch_id):
        return _("The journal changed since this preview: run it again.")
    if (preview.last_value_entry_no, preview.last_gl_entry_no) != (ledger_ends or _ledger_ends()):
        return _("Entries were posted since this preview: run it again.")
    return ""


def stored_previews_prune() -> int:
    """Delete the stored previews that are stale: their stamps never move back, so they cannot
    be shown as current again, and a 20,000-line batch's preview holds 100,000s of rows (the
    page of a batch without one offers to run it). Returns how many."""
    ends = _ledger_ends()
    stale = [
        preview.pk
        for preview in StoredPreview.objects.only(
            "batch_version", "last_value_entry_no", "last_gl_entry_no"
        )
        if stored_preview_staleness(preview, ledger_ends=ends)
    ]
    StoredPreview.objects.filter(pk__in=stale).delete()
    return len(stale)


def stored_preview_run(
    *, batch_name: str, progress: Callable[[int, int], None] | None = None
) -> StoredPreview:
    """Run the dry run of the batch and store it in place of its previous preview.

    The stamps are read before the lines: a change made while the dry run reads them leaves
    the stored preview stale, never a fresh-looking preview of older lines."""
    version = batch_version(batch_name)
    last_value_entry_no, last_gl_entry_no = _ledger_ends()
    stored = StoredPreview(
        batch_id=batch_name,
        batch_version=version,
        last_value_entry_no=last_value_entry_no,
        last_gl_entry_no=last_gl_entry_no,
        computed_at=timezone.now(),
    )
    try:
        preview: BatchPreview | None = revaluation_batch_preview(
            batch_name=batch_name, progress=progress
        )
    except RevaluationError as refused:
        stored.error = refused.message
        preview = None
    with transaction.atomic():
        # Two runs of one batch store one after the other; the lock also orders them after
        # posting, which locks the batch the same way.
        list(RevaluationBatch.objects.select_for_update().filter(name=batch_name).values("pk"))
        StoredPreview.objects.filter(batch_id=batch_name).delete()
        if preview is not None:
            _totals(stored, preview)
        stored.save(force_insert=True)
        if preview is not None:
            _store_rows(stored, preview)
    return stored


def _totals(stored: StoredPreview, preview: BatchPreview) -> None:
    impact = preview.impact
    stored.line_count = len(preview.lines)
    stored.entry_count = sum(len(line.value_entries) for line in preview.lines)
    stored.total_amount = preview.total_amount
    stored.adjustment_amount = impact.adjustment_amount
    stored.cogs_change = impact.cogs_change
    stored.unadjusted_before = impact.unadjusted_before
    stored.adjustment_failures = [list(failure) for failure in impact.adjustment_failures]
    stored.gl_error = impact.gl_error


def _store_rows(stored: StoredPreview, preview: BatchPreview) -> None:
    impact = preview.impact
    copy_insert(
        StoredPreviewLine,
        (
            StoredPreviewLine(
                preview=stored,
                position=position,
                line_no=line.line_no,
                error=line.error.message if line.error else "",
                error_field=(line.error.field or "") if line.error else "",
            )
            for position, line in enumerate(preview.lines)
        ),
    )
    copy_insert(
        StoredPreviewEntry,
        (
            StoredPreviewEntry(
                preview=stored,
                position=position,
                **{KEYS.get(name, name): entry[name] for name in PREVIEW_FIELDS},
            )
            for position, line in enumerate(preview.lines)
            for entry in line.value_entries
        ),
    )
    copy_insert(
        StoredPreviewAdjusted,
        (
            StoredPreviewAdjusted(
                preview=stored,
                position=position,
                entry_no=entry.entry_no,
                item_no=entry.item_no,
                entry_type=entry.entry_type,
                posting_date=entry.posting_date,
                document_no=entry.document_no,
                location_code=entry.location_code,
                variant_code=entry.variant_code,
                quantity=entry.quantity,
                cost_change=entry.cost_change,
                cogs_change=entry.cogs_change,
                value_entry_nos=entry.value_entry_nos,
            )
            for position, entry in enumerate(impact.adjusted)
        ),
    )
    copy_insert(
        StoredPreviewGLEntry,
        (
            StoredPreviewGLEntry(preview=stored, position=position, **entry)
            for position, entry in enumerate(impact.gl_entries)
        ),
    )


def stored_entries(stored: StoredPreview, positions: list[int]) -> dict[int, list[dict]]:
    """The value entries of the lines at ``positions``, as the dry run gave them (one query)."""
    by_position: dict[int, list[dict]] = {position: [] for position in positions}
    rows = (
        StoredPreviewEntry.objects.filter(preview=stored, position__in=positions)
        .order_by("position", "entry_no")
        .values("position", *(KEYS.get(name, name) for name in PREVIEW_FIELDS))
    )
    for row in rows:
        by_position[row.pop("position")].append(
            {name: row[KEYS.get(name, name)] for name in PREVIEW_FIELDS}
        )
    return by_position
