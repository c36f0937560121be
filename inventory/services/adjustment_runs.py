"""Adjust Cost - Item Entries started from the pages, in the background, with progress.

``adjustment_run_start`` records an ``AdjustmentRun`` (status *queued*) and hands it to a worker:
a daemon thread by default, or the calling thread when the setting
``ADJUSTMENT_RUNS_IN_BACKGROUND`` is False (tests). The worker

1. takes the run lock (below) and moves the run from *queued* to *running* (compare-and-set);
2. calls ``adjust_cost_item_entries``, which adjusts each item in its own transaction; after each
   item the progress callback writes ``items_done``/``items_total`` with one ``UPDATE``, in
   autocommit (the worker holds no transaction), so the page sees the progress at once;
3. writes the summary and *finished* (or *failed* with the error) and releases the lock;
4. closes its database connection (thread only).

One run at a time: the partial unique index ``adjustmentrun_one_active`` lets only one row be
queued or running, so of two concurrent clicks the second ``INSERT`` waits for the first and
then fails; the start refuses with ``AdjustmentRunActive``.

A run whose worker died (server restart) would stay *running* forever and block every later run.
The worker therefore holds a lock for its whole run: a session-level PostgreSQL advisory lock,
which the database releases when the worker's connection goes away (on other databases a
registry in this process stands in for it, which is enough for the single-process dev server).
Before refusing, the start checks that lock: a *running* run whose lock is free, or a *queued*
run older than ``QUEUED_GRACE``, is abandoned and marked *failed*.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from inventory.models import (
    ACTIVE_ADJUSTMENT_RUN_STATUSES,
    AdjustmentRun,
    AdjustmentRunStatus,
    Item,
)
from inventory.services.adjustment import adjust_cost_item_entries

logger = logging.getLogger(__name__)

# pg_advisory_lock key of the run lock ("5895": BC's Adjust Cost codeunit).
RUN_LOCK_KEY = 5895_0001
# A queued run normally starts within milliseconds; after this long its worker is gone.
QUEUED_GRACE = timedelta(minutes=1)

ABANDONED_MESSAGE = "The run was interrupted (the server stopped before it finished)."

_local_runs: set[int] = set()  # runs whose worker is alive in this process (non-PostgreSQL)
_local_runs_lock = threading.Lock()


class AdjustmentRunActive(Exception):
    """Another run is queued or running; ``run`` is that run when it is known."""

    def __init__(self, run: AdjustmentRun | None):
        self.run = run
        super().__init__(
            "Adjust Cost is already running"
            + (f" (run {run.pk}, started by {_user_name(run)})." if run else ".")
        )


def _user_name(run: AdjustmentRun) -> str:
    return run.started_by.get_username() if run.started_by else "the system"


def runs_in_background() -> bool:
    return getattr(settings, "ADJUSTMENT_RUNS_IN_BACKGROUND", True)


def adjustment_run_start(*, user, item_nos: Iterable[str] | None = None) -> AdjustmentRun:
    """Record a run of Adjust Cost for ``item_nos`` (None: every item not adjusted) and start it.

    Raises ``AdjustmentRunActive`` if another run is queued or running. In the background mode
    the run is returned queued; otherwise it has already finished when this returns.
    """
    nos = sorted({no.strip() for no in item_nos if no.strip()}) if item_nos is not None else None
    if nos == []:
        raise ValueError("Give at least one item no., or None for all items not adjusted.")
    items = Item.objects.filter(cost_is_adjusted=False)
    if nos is not None:
        items = items.filter(no__in=nos)
    with transaction.atomic():
        _retire_abandoned_runs()
        try:
            with transaction.atomic():
                run = AdjustmentRun.objects.create(
                    started_by=user if user is not None and user.is_authenticated else None,
                    item_filter="|".join(nos) if nos is not None else "",
                    status=AdjustmentRunStatus.QUEUED,
                    items_total=items.count(),
                )
        except IntegrityError:
            active = (
                AdjustmentRun.objects.filter(status__in=ACTIVE_ADJUSTMENT_RUN_STATUSES)
                .select_related("started_by")
                .first()
            )
            raise AdjustmentRunActive(active) from None
    if runs_in_background():
        worker = threading.Thread(
            target=_run_in_thread,
            kwargs={"run_id": run.pk},
            name=f"adjust-cost-run-{run.pk}",
            daemon=True,
        )
        transaction.on_commit(worker.start)  # the thread must see the committed row
    else:
        adjustment_run_execute(run_id=run.pk)
        run.refresh_from_db()
    return run


def _retire_abandoned_runs() -> None:
    """Mark *failed* the active runs whose worker is gone (see the module docstring)."""
    for run in AdjustmentRun.objects.filter(status__in=ACTIVE_ADJUSTMENT_RUN_STATUSES):
        if run.status == AdjustmentRunStatus.QUEUED:
            abandoned = run.started_at < timezone.now() - QUEUED_GRACE
        else:
            abandoned = not _run_lock_is_held(run.pk)
        if abandoned:
            logger.warning("Adjust Cost run %s was abandoned by its worker", run.pk)
            AdjustmentRun.objects.filter(pk=run.pk, status=run.status).update(
                status=AdjustmentRunStatus.FAILED,
                finished_at=timezone.now(),
                failures=[*run.failures, ["", ABANDONED_MESSAGE]],
            )


def _run_lock_is_held(run_id: int) -> bool:
    if connection.vendor != "postgresql":
        with _local_runs_lock:
            return run_id in _local_runs
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [RUN_LOCK_KEY])
        [acquired] = cursor.fetchone()
        if acquired:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK_KEY])
    return not acquired


@contextlib.contextmanager
def _run_lock(run_id: int) -> Iterator[None]:
    if connection.vendor != "postgresql":
        with _local_runs_lock:
            _local_runs.add(run_id)
        try:
            yield
        finally:
            with _local_runs_lock:
                _local_runs.discard(run_id)
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [RUN_LOCK_KEY])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK_KEY])


def _run_in_thread(*, run_id: int) -> None:
    try:
        adjustment_run_execute(run_id=run_id)
    finally:
        connection.close()


def adjustment_run_execute(*, run_id: int) -> None:
    """The worker: run Adjust Cost for the queued run ``run_id`` and record the outcome."""
    runs = AdjustmentRun.objects.filter(pk=run_id)
    try:
        with _run_lock(run_id):
            if not runs.filter(status=AdjustmentRunStatus.QUEUED).update(
                status=AdjustmentRunStatus.RUNNING
            ):
                logger.warning("Adjust Cost run %s is no longer queued; not started", run_id)
                return
            run = runs.select_related("started_by").get()

            def progress(done: int, total: int, item_no: str) -> None:
                runs.update(items_done=done, items_total=total)

            summary = adjust_cost_item_entries(
                item_nos=run.item_nos, user=run.started_by, progress=progress
            )
            runs.update(
                status=AdjustmentRunStatus.FINISHED,
                finished_at=timezone.now(),
                items_total=summary.items_total,
                items_done=summary.items_total,
                entries_created=summary.entries_created,
                amount=summary.amount,
                failures=[[no, message] for no, message in summary.failures],
                register_nos=list(summary.register_nos),
            )
    except Exception as error:
        logger.exception("Adjust Cost run %s failed", run_id)
        runs.filter(status__in=ACTIVE_ADJUSTMENT_RUN_STATUSES).update(
            status=AdjustmentRunStatus.FAILED,
            finished_at=timezone.now(),
            failures=[["", f"Unexpected error: {error}"]],
        )
