"""Adjust Cost - Item Entries as a background task, with progress (``inventory.services.jobs``).

``adjustment_run_start`` records an ``AdjustmentRun`` and enqueues ``adjust_cost_run``, from the
pages or, with Automatic Cost Adjustment, after each posting commits. The worker adjusts each item
in its own transaction and writes ``items_done``/``items_total`` after each item in autocommit, so
the page sees the progress at once. A worker killed mid-run loses only the item it was adjusting;
the run then shows *failed*, and the next run picks up the items whose cost is still not adjusted.

One run at a time (the partial unique index ``adjustmentrun_one_active``). A posting that commits
while a run is active adds its items to that run's ``pending_item_nos``; when the run ends its
task starts a follow-up run for them, so automatic adjustment never loses a posting.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Func, Value
from django.db.models.fields.json import JSONField
from django.tasks import task

from inventory.models import ACTIVE_JOB_STATUSES, AdjustmentRun, InventorySetup, Item
from inventory.services.adjustment import adjust_cost_item_entries
from inventory.services.jobs import JobActive, job_execute, job_start

logger = logging.getLogger(__name__)

AdjustmentRunActive = JobActive


def adjustment_run_start(*, user, item_nos: Iterable[str] | None = None) -> AdjustmentRun:
    """Record a run of Adjust Cost for ``item_nos`` (None: every item not adjusted) and enqueue it.

    Raises ``JobActive`` if another run is queued or running.
    """
    nos = sorted({no.strip() for no in item_nos if no.strip()}) if item_nos is not None else None
    if nos == []:
        raise ValueError("Give at least one item no., or None for all items not adjusted.")
    items = Item.objects.filter(cost_is_adjusted=False)
    if nos is not None:
        items = items.filter(no__in=nos)
    return job_start(
        AdjustmentRun,
        task=adjust_cost_run,
        active=AdjustmentRun.objects.all(),
        what="Adjust Cost",
        started_by=user if user is not None and user.is_authenticated else None,
        item_filter="|".join(nos) if nos is not None else "",
        items_total=items.count(),
    )


def schedule_automatic_adjustment(item_nos: Iterable[str]) -> None:
    """Automatic Cost Adjustment (§3.10): once the posting commits, adjust the posted items in
    the background."""
    if not InventorySetup.get().automatic_cost_adjustment:
        return
    nos = sorted(set(item_nos))
    transaction.on_commit(lambda: _start_or_append(nos))


def _start_or_append(nos: list[str]) -> None:
    for _ in range(3):  # the active run may end between the two statements
        try:
            adjustment_run_start(user=None, item_nos=nos)
            return
        except JobActive:
            appended = AdjustmentRun.objects.filter(status__in=ACTIVE_JOB_STATUSES).update(
                pending_item_nos=Func(
                    "pending_item_nos",
                    Value(nos, output_field=JSONField()),
                    function="",
                    arg_joiner=" || ",
                    output_field=JSONField(),
                )
            )
            if appended:
                return
    logger.warning("Automatic cost adjustment of %s was not started", ", ".join(nos))


@task
def adjust_cost_run(run_id: int) -> None:
    try:
        adjustment_run_execute(run_id=run_id)
    finally:
        pending = AdjustmentRun.objects.filter(pk=run_id).values_list("pending_item_nos")
        if nos := sorted(set(pending.get()[0])):
            _start_or_append(nos)


def adjustment_run_execute(*, run_id: int) -> None:
    """The worker: run Adjust Cost for the queued run ``run_id`` and record the outcome."""

    def work(run: AdjustmentRun) -> dict:
        runs = AdjustmentRun.objects.filter(pk=run.pk)

        def progress(done: int, total: int, item_no: str) -> None:
            runs.update(items_done=done, items_total=total)

        summary = adjust_cost_item_entries(
            item_nos=run.item_nos, user=run.started_by, progress=progress
        )
        return {
            "items_total": summary.items_total,
            "items_done": summary.items_total,
            "entries_created": summary.entries_created,
            "amount": summary.amount,
            "failures": [[no, message] for no, message in summary.failures],
            "register_nos": list(summary.register_nos),
        }

    job_execute(AdjustmentRun, run_id, work)
