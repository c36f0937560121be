"""Long work as background jobs: a ``BackgroundJob`` row for the pages, a django.tasks task
for the worker.

``job_start`` inserts the job row (status *queued*) and enqueues its task in one transaction, so
the database queue (django-tasks-db) never holds a task without its row nor the reverse. Each job
model's partial unique index allows one active job per key (one Adjust Cost, one job per batch):
of two concurrent clicks the second insert waits for the first and then fails, and the start
raises ``JobActive`` naming the job that runs and who started it.

``job_execute`` runs in the worker. It holds a session-level PostgreSQL advisory lock for the
job's whole run; the database releases it when the worker's connection goes away, even when the
process is killed. The work itself is one transaction (calculate, post) or one per item (Adjust
Cost), so a killed worker leaves the database as before the job or the item. A job is *abandoned*
when it is running and its lock is free, or queued while the worker that claimed its task holds no
lock; ``job_retire_if_abandoned`` (called by every look at a job and every start) marks it
*failed*, so nothing shows "running" forever and the work can be started again.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

from django.db import IntegrityError, connection, connections, transaction
from django.db.models import QuerySet
from django.tasks import Task, TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone

from inventory.models import ACTIVE_JOB_STATUSES, BackgroundJob, JobStatus

logger = logging.getLogger(__name__)

ABANDONED_MESSAGE = "The worker stopped before the job finished; nothing of it was kept."
# A worker claims a task and then takes the job's lock a few milliseconds later.
CLAIM_GRACE = timedelta(seconds=30)
# The job page polls every second: the worker writes its count at most this often.
PROGRESS_EVERY = 0.5  # seconds


class JobRefused(Exception):
    """The work refused its input (a user's error, not the worker's): the job fails with this
    message and ``fields`` (more of the job's fields that describe the refusal), no traceback."""

    def __init__(self, message: str, **fields):
        super().__init__(message)
        self.fields = fields


class JobActive(Exception):
    """Another job with the same key is queued or running; ``job`` is that job when known."""

    def __init__(self, job: BackgroundJob | None, what: str):
        self.job = job
        who = f" ({job.noun} {job.pk}, started by {job.started_by_name})" if job else ""
        super().__init__(f"{what} is already running{who}.")


def job_start[J: BackgroundJob](
    model: type[J], *, task: Task, active: QuerySet[J], what: str, **fields
) -> J:
    """Create a queued ``model`` job and enqueue ``task(job.pk)``; ``active`` selects the jobs
    that would collide with it. Raises ``JobActive``."""
    with transaction.atomic():
        for job in active.filter(status__in=ACTIVE_JOB_STATUSES):
            job_retire_if_abandoned(job)
        try:
            with transaction.atomic():
                job = model._default_manager.create(status=JobStatus.QUEUED, **fields)
        except IntegrityError:
            running = active.filter(status__in=ACTIVE_JOB_STATUSES).select_related("started_by")
            raise JobActive(running.first(), what) from None
        result = task.enqueue(job.pk)
        model._default_manager.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job


def job_execute[J: BackgroundJob](model: type[J], job_id: int, work: Callable[[J], dict]) -> None:
    """The worker's side: run ``work(job)`` and store the fields it returns, or the job's
    ``failed_fields`` when it raises (the exception is then re-raised for the task's result)."""
    jobs = model._default_manager.filter(pk=job_id)
    with _worker_lock(model.lock_namespace, job_id):
        if not jobs.filter(status=JobStatus.QUEUED).update(status=JobStatus.RUNNING):
            logger.warning("%s %s is no longer queued; not started", model.__name__, job_id)
            return
        job = jobs.select_related("started_by").get()
        try:
            fields = work(job)
        except JobRefused as refused:
            fields = {**job.failed_fields(str(refused)), **refused.fields}
            jobs.update(status=JobStatus.FAILED, finished_at=timezone.now(), **fields)
            return
        except Exception as error:
            logger.exception("%s %s failed", model.__name__, job_id)
            fields = job.failed_fields(f"Unexpected error: {error}")
            jobs.update(status=JobStatus.FAILED, finished_at=timezone.now(), **fields)
            raise
        jobs.update(status=JobStatus.FINISHED, finished_at=timezone.now(), **fields)


def job_retire_if_abandoned(job: BackgroundJob) -> bool:
    """Mark ``job`` failed when its worker is gone (see the module docstring); True if it was."""
    if not job.is_active or _worker_alive(job):
        return False
    logger.warning("%s %s was abandoned by its worker", type(job).__name__, job.pk)
    retired = (
        type(job)
        ._default_manager.filter(pk=job.pk, status=job.status)
        .update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            **job.failed_fields(ABANDONED_MESSAGE),
        )
    )
    _fail_task(job.task_id)
    if retired:
        job.refresh_from_db()
    return bool(retired)


def _worker_alive(job: BackgroundJob) -> bool:
    if _lock_is_held(job.lock_namespace, job.pk):
        return True
    if job.status == JobStatus.RUNNING:
        return False
    task = _task_result(job.task_id)
    if task is None:  # no queue row (yet): the starting transaction has not committed
        return job.started_at > timezone.now() - CLAIM_GRACE
    if task.status == TaskResultStatus.READY:
        return True  # waiting for a worker
    return task.status == TaskResultStatus.RUNNING and (
        task.started_at is not None and task.started_at > timezone.now() - CLAIM_GRACE
    )


def _task_result(task_id: str):
    from django.tasks import default_task_backend

    if not task_id or not default_task_backend.supports_get_result:
        return None
    try:
        return default_task_backend.get_result(task_id)
    except TaskResultDoesNotExist:
        return None


def _fail_task(task_id: str) -> None:
    """The queue's own row of a dead worker's task stays *running*; mark it failed too."""
    from django_tasks_db.models import DBTaskResult

    if task_id:
        DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path="",
            traceback=ABANDONED_MESSAGE,
        )


def _lock_is_held(namespace: int, job_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [namespace, job_id])
        [acquired] = cursor.fetchone()
        if acquired:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [namespace, job_id])
    return not acquired


@contextlib.contextmanager
def _worker_lock(namespace: int, job_id: int) -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [namespace, job_id])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [namespace, job_id])


@contextlib.contextmanager
def job_progress(model: type[BackgroundJob], job_id: int) -> Iterator[Callable[[int, int], None]]:
    """A ``progress(done, total)`` callback that stores the count on the job's
    ``progress_done``/``progress_total`` for its page.

    The work runs in one transaction that the page cannot see into, so the count is written
    through a connection of its own (autocommit), at most every ``PROGRESS_EVERY`` seconds and
    at the end of the work; the connection is closed on leaving.
    """
    own = connections.create_connection("default")
    table = own.ops.quote_name(model._meta.db_table)
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if done < total and now - last < PROGRESS_EVERY:
            return
        last = now
        with own.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET progress_done = %s, progress_total = %s WHERE id = %s",
                [done, total, job_id],
            )

    try:
        yield progress
    finally:
        own.close()
