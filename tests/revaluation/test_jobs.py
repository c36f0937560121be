"""Calculate Inventory Value and posting of large batches as background jobs: the progress page,
success, failure, one job per batch, and a worker killed in the middle of a posting."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from inventory.models import JobStatus, ValueEntry
from inventory.services import jobs
from revaluation.models import (
    BatchJob,
    BatchJobKind,
    PostedRevaluation,
    RevaluationLine,
)
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.lines import line_edit
from tests.factories import AccountantFactory, RevaluationBatchFactory, UserFactory
from tests.jobs import task_worker, wait_for
from tests.posting import day
from tests.revaluation.test_views import calculate_data

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def everything_in_the_background(settings):
    settings.BACKGROUND_CALCULATE_ITEMS = 0
    settings.BACKGROUND_POST_LINES = 0


@pytest.fixture
def batch(setup):
    return RevaluationBatchFactory(name="REVAL")


@pytest.fixture
def line(scenario_a, batch):
    """Item A per item on D4: quantity 15, IV (Calculated) 170.00 (tests/revaluation/test_views)."""
    [line] = calculate_inventory_value(
        batch_name=batch.name,
        options=CalculateOptions(posting_date=day(4), document_no="REV-1", per="item"),
    )
    return line


def job_url(job: BatchJob) -> str:
    return reverse("revaluation-job-detail", args=[job.pk])


@pytest.mark.django_db
def test_calculate_runs_as_a_job_and_links_back(accountant_client, scenario_a, batch):
    response = accountant_client.post(
        reverse("revaluation-calculate", args=["REVAL"]), calculate_data(), headers=HTMX
    )
    [job] = BatchJob.objects.all()
    assert response["HX-Redirect"] == job_url(job)
    assert (job.kind, job.status, job.batch_name) == ("calculate", "finished", "REVAL")
    assert job.started_by.username == "anna" and job.task_id
    [line] = RevaluationLine.objects.all()
    assert (line.item_id, line.quantity, line.inventory_value_calculated) == ("A", 15, D("170.00"))

    page = accountant_client.get(job_url(job)).content.decode()
    assert "Calculate Inventory Value created 1 line." in page
    journal = reverse("revaluation-journal-detail", args=["REVAL"])
    assert f'href="{journal}">Back to the journal</a>' in page
    assert "hx-trigger" not in page  # finished: no polling


@pytest.mark.django_db
def test_post_runs_as_a_job_and_links_to_the_posted_revaluation(accountant_client, line):
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="14")
    accountant_client.post(reverse("revaluation-post", args=["REVAL"]))
    [job] = BatchJob.objects.all()
    posted = PostedRevaluation.objects.get()
    assert (job.kind, job.status, job.result_url) == (
        "post",
        "finished",
        reverse("revaluation-posted-detail", args=[posted.pk]),
    )
    assert job.message == "Batch REVAL posted as REV-1: amount 40.00."
    assert posted.total_amount == D("40.00") and posted.posted_by.username == "anna"
    assert ValueEntry.objects.filter(entry_type="revaluation").count() == 2


@pytest.mark.django_db
def test_a_refused_post_fails_the_job_with_the_message(accountant_client, line):
    """Nothing to post (the amount is 0): the job fails with the posting's own message."""
    response = accountant_client.post(reverse("revaluation-post", args=["REVAL"]), follow=True)
    [job] = BatchJob.objects.all()
    assert (job.status, job.message) == ("failed", "There is nothing to post.")
    page = response.content.decode()
    assert "There is nothing to post." in page and "Back to the journal</a>" in page
    assert RevaluationLine.objects.count() == 1


@pytest.mark.django_db
def test_one_job_per_batch(accountant_client, line):
    """A second click is told what runs and by whom and sent to that job, inline or not."""
    bob = UserFactory(username="bob")
    running = BatchJob.objects.create(
        batch_name="REVAL", kind=BatchJobKind.CALCULATE, status=JobStatus.QUEUED, started_by=bob
    )
    expected = [
        f"A job for this batch is already running (job {running.pk}, started by bob). "
        "Wait for it to finish."
    ]
    for url, data in (
        (reverse("revaluation-post", args=["REVAL"]), {}),
        (reverse("revaluation-calculate", args=["REVAL"]), calculate_data(document_no="REV-2")),
    ):
        response = accountant_client.post(url, data, follow=True)
        assert response.redirect_chain == [(job_url(running), 302)]
        assert [m.message for m in get_messages(response.wsgi_request)] == expected
    assert BatchJob.objects.count() == 1 and RevaluationLine.objects.count() == 1
    # another batch is not held up
    RevaluationBatchFactory(name="OTHER")
    accountant_client.post(
        reverse("revaluation-calculate", args=["OTHER"]), calculate_data(document_no="X-1")
    )
    assert BatchJob.objects.get(batch_name="OTHER").status == "finished"

    # the queued job's worker never came (its task is gone): the next look retires it
    BatchJob.objects.filter(pk=running.pk).update(
        started_at=timezone.now() - jobs.CLAIM_GRACE - timezone.timedelta(seconds=1)
    )
    page = accountant_client.get(job_url(running), headers=HTMX).content.decode()
    assert jobs.ABANDONED_MESSAGE in page and "hx-trigger" not in page


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_post_leaves_the_ledger_as_before(client, settings, line):
    """The worker writes the value entries, then waits for the posted-history table (locked by
    the test); killed there, its transaction rolls back: no entry, the lines still there, the job
    failed. Posting again works."""
    client.force_login(AccountantFactory(username="anna"))
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="14")
    before = ValueEntry.objects.count()
    holder = connections.create_connection("default")
    holder.set_autocommit(False)
    with holder.cursor() as cursor:
        cursor.execute("LOCK TABLE revaluation_postedrevaluation IN SHARE MODE")
    with task_worker(settings) as worker:
        client.post(reverse("revaluation-post", args=["REVAL"]))
        job = BatchJob.objects.get()
        url = job_url(job)
        page = wait_for(
            lambda: (
                "data-job-status>Running<" in (p := client.get(url, headers=HTMX).content.decode())
                and p
            )
        )
        assert 'hx-trigger="every 1s"' in page and "<progress" in page
        wait_for(lambda: _waiting_on_lock())
        # its line is posted: the count went through a connection of its own
        assert "lines 1 of 1" in client.get(url, headers=HTMX).content.decode()
        worker.kill()
        worker.wait(10)
        holder.rollback()
        holder.close()
        page = wait_for(
            lambda: "run-failed" in (p := client.get(url, headers=HTMX).content.decode()) and p
        )
    assert jobs.ABANDONED_MESSAGE in page
    assert ValueEntry.objects.count() == before
    assert RevaluationLine.objects.count() == 1 and not PostedRevaluation.objects.exists()

    with task_worker(settings):
        client.post(reverse("revaluation-post", args=["REVAL"]))
        job = wait_for(lambda: BatchJob.objects.filter(status="finished").first())
    assert job.message == "Batch REVAL posted as REV-1: amount 40.00."
    assert ValueEntry.objects.count() == before + 2


def _waiting_on_lock() -> bool:
    """The worker's backend waits for the test's table lock (it has written the entries)."""
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0
