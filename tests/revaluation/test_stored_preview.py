"""The posting preview run once and stored (issue 11): the stored rows equal the inline dry run,
any change of the batch or the ledger makes them stale, pages read a page of them, a large
batch runs the dry run as the batch's one job (with a count), and a failed or abandoned job
leaves no preview. Also: the batch version triggers, the job progress count, ``prune_jobs``.

Scenario A (tests.scenarios, tests/revaluation/test_reversal.py): the batch "R" per item on D4
at 14.00 a unit posts +20.00 on P-1 and P-2, and Adjust Cost then forwards -26.00 to S-2.
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.models import InventorySetup, JobStatus
from inventory.services import jobs
from inventory.services.revaluation import PREVIEW_FIELDS
from revaluation.models import (
    BatchJob,
    BatchJobKind,
    RevaluationBatch,
    RevaluationLine,
    StoredPreview,
)
from revaluation.services import stored_preview as service
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.lines import line_edit
from revaluation.services.posting import revaluation_batch_preview
from revaluation.views import posting as views
from tests.factories import RevaluationBatchFactory, UserFactory
from tests.markup import by_id, text_of
from tests.posting import day, jline, post
from tests.revaluation.test_reversal import adjusted_a, prepare  # noqa: F401

pytestmark = pytest.mark.django_db


def preview_url(batch_name="R", **params) -> str:
    url = reverse("revaluation-preview", args=[batch_name])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def per_entry_batch(name="E") -> list[RevaluationLine]:
    """P-1 (5 left) and P-2 (10 left) on D4, each revalued to 14.00 a unit: +20.00 each."""
    lines = calculate_inventory_value(
        batch_name=name, options=CalculateOptions(posting_date=day(4), document_no="REV-1")
    )
    for line in lines:
        line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="14")
    return list(lines)


@pytest.fixture
def large(settings):
    """Every batch counts as large: the preview runs as a job (inline: the immediate backend)."""
    settings.BACKGROUND_PREVIEW_LINES = 0


# --------------------------------------------------------------------------- stored = inline


def test_the_stored_preview_equals_the_inline_dry_run(adjusted_a):  # noqa: F811
    InventorySetup.objects.filter(pk=1).update(automatic_cost_posting=True)
    prepare()
    inline = revaluation_batch_preview(batch_name="R")
    stored = service.stored_preview_run(batch_name="R")
    impact = inline.impact

    lines = list(stored.lines.order_by("position"))
    assert [(line.line_no, line.error) for line in lines] == [(10000, "")]
    entries = service.stored_entries(stored, [0])[0]
    assert [[entry[name] for name in PREVIEW_FIELDS] for entry in entries] == [
        [entry[name] for name in PREVIEW_FIELDS] for entry in impact.lines[0].value_entries
    ]
    assert len(entries) == 2
    adjusted = [
        (
            a.entry_no,
            a.item_no,
            a.entry_type,
            a.posting_date,
            a.document_no,
            a.quantity,
            a.cost_change,
            a.cogs_change,
            a.value_entry_nos,
        )
        for a in stored.adjusted.order_by("position")
    ]
    assert adjusted == [
        (
            a.entry_no,
            a.item_no,
            a.entry_type,
            a.posting_date,
            a.document_no,
            a.quantity,
            a.cost_change,
            a.cogs_change,
            a.value_entry_nos,
        )
        for a in impact.adjusted
    ]
    gl = stored.gl_entries.order_by("position")
    assert [
        {name: getattr(entry, name) for name in impact.gl_entries[0]} for entry in gl
    ] == impact.gl_entries
    assert len(impact.gl_entries) == 6
    assert (
        stored.line_count,
        stored.entry_count,
        stored.total_amount,
        stored.adjustment_amount,
        stored.cogs_change,
        stored.inventory_value_change,
        stored.unadjusted_before,
        stored.adjustment_failures,
        stored.gl_error,
    ) == (1, 2, D("40.00"), D("-26.00"), D("26.00"), D("14.00"), [], [], "")
    assert (impact.revaluation_amount, impact.adjustment_amount, impact.cogs_change) == (
        D("40.00"),
        D("-26.00"),
        D("26.00"),
    )


def test_the_page_shows_the_stored_preview_as_before(accountant_client, adjusted_a):  # noqa: F811
    prepare()
    content = accountant_client.get(preview_url()).content.decode()
    cells = [
        row.cells()
        for row in by_id(content, "preview-line-10000").find_all("tr", css_class="preview-entry")
    ]
    assert [(c[1], c[8]) for c in cells] == [("1", "20.00"), ("2", "20.00")]
    assert text_of(content, "preview-total-amount") == "40.00"
    assert text_of(content, "preview-cogs-change") == "26.00"
    assert text_of(content, "preview-inventory-change") == "14.00"
    assert "preview-adjusted-4" in content
    assert StoredPreview.objects.get().batch_id == "R"


# --------------------------------------------------------------------------- staleness


def test_a_batch_version_moves_with_every_change_of_its_lines(setup):
    batch = RevaluationBatchFactory(name="V")
    other = RevaluationBatchFactory(name="W")
    assert service.batch_version("V") == 0
    lines = [
        RevaluationLine(batch=batch, line_no=n, item_id="X", posting_date=day(1))
        for n in (10000, 20000)
    ]
    from tests.factories import ItemFactory

    ItemFactory(no="X")
    RevaluationLine.objects.bulk_create(lines)  # one statement: one step
    assert service.batch_version("V") == 1
    RevaluationLine.objects.filter(batch=batch).update(amount=1)
    assert service.batch_version("V") == 2
    RevaluationLine.objects.filter(batch=batch, line_no=10000).delete()
    assert service.batch_version("V") == 3
    batch.last_document_no = "REV-0001"  # the number series moved
    batch.save()
    assert service.batch_version("V") == 4
    batch.description = "renamed"  # not part of the preview
    batch.save()
    assert service.batch_version("V") == 4
    assert service.batch_version(other.name) == 0


def test_an_edit_makes_the_stored_preview_stale(adjusted_a):  # noqa: F811
    prepare()
    stored = service.stored_preview_run(batch_name="R")
    assert service.stored_preview_staleness(stored) == ""
    line = RevaluationLine.objects.get()
    line_edit(line_id=line.pk, version=line.version, field="unit_cost_revalued", value="15")
    assert service.stored_preview_staleness(stored) == (
        "The journal changed since this preview: run it again."
    )


def test_a_posting_makes_the_stored_preview_stale(adjusted_a):  # noqa: F811
    prepare()
    stored = service.stored_preview_run(batch_name="R")
    post(jline("purchase", "A", 1, day(2), unit_amount=5))
    assert service.stored_preview_staleness(stored) == (
        "Entries were posted since this preview: run it again."
    )


def test_a_small_batch_is_previewed_again_after_an_edit(accountant_client, adjusted_a):  # noqa: F811
    prepare()
    accountant_client.get(preview_url())
    line = RevaluationLine.objects.get()
    line_edit(line_id=line.pk, version=line.version, field="unit_cost_revalued", value="15")
    content = accountant_client.get(preview_url()).content.decode()
    assert text_of(content, "preview-total-amount") == "55.00"  # 15 x 15 - 170
    assert "preview-stale" not in content


def test_a_large_batch_says_its_preview_is_stale_and_runs_it_as_a_job(
    accountant_client,
    adjusted_a,  # noqa: F811
    large,
):
    prepare()
    content = accountant_client.get(preview_url()).content.decode()
    assert text_of(content, "preview-stale") == "This journal has no preview yet."
    assert 'id="preview-run"' in content and "preview-lines" not in content

    response = accountant_client.post(reverse("revaluation-preview-run", args=["R"]))
    [job] = BatchJob.objects.all()
    assert response.url == reverse("revaluation-job-detail", args=[job.pk])
    assert (job.kind, job.status, job.result_url) == ("preview", "finished", preview_url())
    assert job.message == "Previewed 1 line: 2 value entries, amount 40.00."
    assert (job.progress_done, job.progress_total) == (0, 0)  # own connection: uncommitted job
    page = accountant_client.get(response.url).content.decode()
    assert f'href="{preview_url()}" id="job-preview">Open the preview</a>' in page

    content = accountant_client.get(preview_url()).content.decode()
    assert text_of(content, "preview-total-amount") == "40.00"
    line = RevaluationLine.objects.get()
    line_edit(line_id=line.pk, version=line.version, field="unit_cost_revalued", value="15")
    content = accountant_client.get(preview_url()).content.decode()
    assert text_of(content, "preview-stale") == (
        "The journal changed since this preview: run it again."
    )
    assert "preview-lines" not in content


# --------------------------------------------------------------------------- pages


def test_pages_read_a_page_of_the_stored_rows(accountant_client, scenario_a, monkeypatch):
    RevaluationBatchFactory(name="E")
    per_entry_batch()
    monkeypatch.setattr(views, "PREVIEW_PAGE_SIZE", 1)
    accountant_client.get(preview_url("E"))  # runs and stores the dry run
    runs = []
    monkeypatch.setattr(service, "revaluation_batch_preview", lambda **kw: runs.append(kw))
    pages = {}
    for page in (1, 2):
        with CaptureQueriesContext(connection) as queries:
            content = accountant_client.get(preview_url("E", page=page)).content.decode()
        pages[page] = (content, len(queries))
    assert runs == []  # no dry run: both pages read the stored preview
    first, second = pages[1][0], pages[2][0]
    assert "preview-line-10000" in first and "preview-line-20000" not in first
    assert "preview-line-20000" in second and "preview-line-10000" not in second
    assert text_of(second, "preview-line-count") == "2"
    assert text_of(second, "preview-total-amount") == "40.00"  # the totals of every page
    assert pages[1][1] == pages[2][1]


# --------------------------------------------------------------------------- jobs


def test_one_job_per_batch(accountant_client, adjusted_a, large):  # noqa: F811
    prepare()
    bob = UserFactory(username="bob")
    running = BatchJob.objects.create(
        batch_name="R", kind=BatchJobKind.POST, status=JobStatus.QUEUED, started_by=bob
    )
    content = accountant_client.get(preview_url()).content.decode()
    assert f'href="{reverse("revaluation-job-detail", args=[running.pk])}" id="preview-job"' in (
        content
    )
    assert 'id="preview-run"' not in content
    response = accountant_client.post(reverse("revaluation-preview-run", args=["R"]), follow=True)
    assert response.redirect_chain == [(reverse("revaluation-job-detail", args=[running.pk]), 302)]
    assert [m.message for m in get_messages(response.wsgi_request)] == [
        f"A job for this batch is already running (job {running.pk}, started by bob). "
        "Wait for it to finish."
    ]
    assert BatchJob.objects.count() == 1 and not StoredPreview.objects.exists()


def test_a_failed_preview_job_shows_failed_and_keeps_no_preview(
    accountant_client,
    adjusted_a,  # noqa: F811
    large,
    monkeypatch,
):
    prepare()

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("revaluation.services.jobs.stored_preview_run", broken)
    accountant_client.post(reverse("revaluation-preview-run", args=["R"]))
    [job] = BatchJob.objects.all()
    assert (job.status, job.message) == ("failed", "Unexpected error: disk full")
    page = accountant_client.get(reverse("revaluation-job-detail", args=[job.pk])).content
    assert "run-failed" in page.decode() and "Unexpected error: disk full" in page.decode()
    content = accountant_client.get(preview_url()).content.decode()
    assert 'id="preview-run"' in content and not StoredPreview.objects.exists()


def test_an_abandoned_preview_job_shows_failed_and_can_run_again(
    accountant_client,
    adjusted_a,  # noqa: F811
    large,
):
    """A worker killed mid-run: its job is running with no lock held; the next look fails it."""
    prepare()
    killed = BatchJob.objects.create(
        batch_name="R", kind=BatchJobKind.PREVIEW, status=JobStatus.RUNNING
    )
    content = accountant_client.get(preview_url()).content.decode()
    assert 'id="preview-run"' in content  # the dead job no longer holds the batch
    killed.refresh_from_db()
    assert (killed.status, killed.message) == ("failed", jobs.ABANDONED_MESSAGE)
    page = accountant_client.get(reverse("revaluation-job-detail", args=[killed.pk]))
    assert jobs.ABANDONED_MESSAGE in page.content.decode()
    accountant_client.post(reverse("revaluation-preview-run", args=["R"]))
    assert StoredPreview.objects.get().total_amount == D("40.00")


def test_the_job_page_shows_the_count_of_lines(accountant_client, setup):
    job = BatchJob.objects.create(
        batch_name="R",
        kind=BatchJobKind.PREVIEW,
        status=JobStatus.RUNNING,
        progress_done=4000,
        progress_total=20000,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("revaluation.views.jobs.job_retire_if_abandoned", lambda job: False)
        content = accountant_client.get(reverse("revaluation-job-detail", args=[job.pk])).content
    content = content.decode()
    assert '<progress aria-label="Posting preview" value="4000" max="20000">' in content
    assert "lines 4,000 of 20,000" in content


@pytest.mark.django_db(transaction=True)
def test_progress_is_written_through_a_connection_of_its_own(setup):
    """The work's own transaction hides its writes; the count is visible at once."""
    job = BatchJob.objects.create(batch_name="R", kind=BatchJobKind.PREVIEW)
    with jobs.job_progress(BatchJob, job.pk) as progress, connection.cursor() as cursor:
        cursor.execute("BEGIN")  # the work's transaction, never committed here
        progress(1, 3)
        progress(2, 3)  # within PROGRESS_EVERY of the first: not written
        job.refresh_from_db()
        assert (job.progress_done, job.progress_total) == (1, 3)
        progress(3, 3)  # the last is always written
        cursor.execute("ROLLBACK")
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total) == (3, 3)


# --------------------------------------------------------------------------- prune_jobs


def test_prune_jobs_deletes_old_files_only(accountant_client, setup, settings):
    settings.JOB_FILES_KEEP_DAYS = 7
    now = timezone.now()

    def job(days_ago: float, status=JobStatus.FINISHED, kind=BatchJobKind.EXPORT) -> BatchJob:
        return BatchJob.objects.create(
            batch_name="R",
            kind=kind,
            status=status,
            finished_at=None if status == JobStatus.RUNNING else now - timedelta(days=days_ago),
            file_name="R.csv",
            file_data=b"data",
            parameters={"format": "csv"},
        )

    old, recent, failed_old = job(8), job(6), job(9, JobStatus.FAILED, BatchJobKind.CHECK)
    out = io.StringIO()
    call_command("prune_jobs", stdout=out)
    assert out.getvalue() == (
        "Deleted the files of 2 jobs that ended more than 7 days ago.\n"
        "Deleted 0 stale posting previews.\n"
    )
    files = dict(BatchJob.objects.defer(None).values_list("pk", "file_data"))
    assert (files[old.pk], bytes(files[recent.pk]), files[failed_old.pk]) == (None, b"data", None)
    old.refresh_from_db()
    assert old.file_deleted_at is not None and old.file_name == "R.csv"
    page = accountant_client.get(reverse("revaluation-job-detail", args=[old.pk])).content
    assert "R.csv was deleted on" in page.decode() and "job-download" not in page.decode()
    assert accountant_client.get(reverse("revaluation-job-file", args=[old.pk])).status_code == 404
    call_command("prune_jobs", "--days", "1", stdout=out)
    assert BatchJob.objects.filter(file_data__isnull=False).count() == 0
    assert RevaluationBatch.objects.count() == 0  # nothing else touched


def test_prune_jobs_deletes_the_stale_previews_only(adjusted_a):  # noqa: F811
    prepare()
    current = service.stored_preview_run(batch_name="R")
    out = io.StringIO()
    call_command("prune_jobs", stdout=out)
    assert out.getvalue().endswith("Deleted 0 stale posting previews.\n")
    assert StoredPreview.objects.get() == current and current.lines.count() == 1

    post(jline("purchase", "A", 1, day(2), unit_amount=5))  # the ledger moved on
    call_command("prune_jobs", stdout=out)
    assert out.getvalue().endswith("Deleted 1 stale posting preview.\n")
    assert not StoredPreview.objects.exists()
    assert RevaluationLine.objects.count() == 1  # the journal itself stays
