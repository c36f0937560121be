"""Post Inventory Cost to G/L as a background task from the G/L page (``inventory.services.jobs``).

The posting itself is one transaction (``gl_posting.post_inventory_cost_to_gl``): a killed worker
leaves the G/L as before the run. The page polls the run's card until it has finished.
"""

from __future__ import annotations

from django.tasks import task
from django.utils.translation import gettext as _

from inventory.exceptions import PostingError
from inventory.models import GLPostingRun, InventorySetup, ValueEntry
from inventory.services.gl_posting import (
    PER_ENTRY,
    PER_POSTING_GROUP,
    outstanding_filter,
    post_inventory_cost_to_gl,
)
from inventory.services.jobs import JobActive, JobRefused, job_execute, job_start

GLPostingRunActive = JobActive


def outstanding_count() -> int:
    expected = InventorySetup.get().expected_cost_posting_to_gl
    return ValueEntry.objects.filter(outstanding_filter(expected)).count()


def gl_posting_run_start(*, user, per: str = PER_ENTRY, document_no: str = "") -> GLPostingRun:
    """Record a run and enqueue it. Raises ``PostingError`` for bad options (E-53), nothing
    started, and ``JobActive`` when a run is queued or running."""
    document_no = document_no.strip()
    if per not in (PER_ENTRY, PER_POSTING_GROUP):
        raise PostingError(f"Posting method must be {PER_ENTRY} or {PER_POSTING_GROUP}.")
    if per == PER_POSTING_GROUP and not document_no:
        raise PostingError(_("Please enter a Document No."), field="document_no")
    return job_start(
        GLPostingRun,
        task=post_inventory_cost_run,
        active=GLPostingRun.objects.all(),
        what="Post Inventory Cost to G/L",
        started_by=user if user is not None and user.is_authenticated else None,
        per=per,
        document_no=document_no,
        value_entries_outstanding=outstanding_count(),
    )


@task
def post_inventory_cost_run(run_id: int) -> None:
    gl_posting_run_execute(run_id=run_id)


def gl_posting_run_execute(*, run_id: int) -> None:
    def work(run: GLPostingRun) -> dict:
        try:
            result = post_inventory_cost_to_gl(
                per=run.per, document_no=run.document_no, user=run.started_by
            )
        except PostingError as refused:
            raise JobRefused(refused.message) from refused
        return {
            "value_entries_posted": result.value_entries_posted,
            "entries_created": len(result.lines),
            "register_no": result.register_no,
            "skipped": [[s.value_entry_no, s.item_no, s.reason] for s in result.skipped],
        }

    job_execute(GLPostingRun, run_id, work)
