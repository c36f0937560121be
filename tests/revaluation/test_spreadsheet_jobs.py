"""The Excel round trip of large batches and files as background jobs (issue 11 §3): the export's
file and the import's summary are the inline ones, the apply is all or nothing, one job per batch.

The tasks run synchronously (tests/settings.py), as in tests/revaluation/test_jobs.py; the
thresholds are lowered so that the one-line batch of ``item_line`` counts as large."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from inventory.models import JobStatus
from inventory.services import jobs
from revaluation.models import BatchJob, BatchJobKind, RevaluationLine
from revaluation.services.jobs import batch_job_display
from revaluation.services.lines import line_edit
from revaluation.services.spreadsheet import batch_export, batch_import, data_rows_estimate
from tests.factories import AccountantFactory, UserFactory
from tests.jobs import task_worker, wait_for
from tests.revaluation import test_spreadsheet_views
from tests.revaluation.test_jobs import HTMX, _waiting_on_lock

pytestmark = pytest.mark.django_db

# Item A per item on D4: 15 units, 170.00 (unit cost 11.33333), one line of batch REVAL.
item_line = test_spreadsheet_views.item_line


def job_url(job: BatchJob) -> str:
    return reverse("revaluation-job-detail", args=[job.pk])


def export(client, format: str):
    return client.get(reverse("revaluation-export", args=["REVAL", format]))


def xlsx_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, name: str = "edited.xlsx"):
    file = SimpleUploadedFile(name, data)
    return client.post(reverse("revaluation-import", args=["REVAL"]), {"file": file})


def page_text(response) -> str:
    return " ".join(response.content.decode().split())


def edited_workbook(client) -> Workbook:
    """The inline export with the line at 12.00 a unit (15 x 12.00 = 180.00, amount 10.00) and a
    manual line for entry 2 (10 units, IV 120.00)."""
    workbook = load_workbook(io.BytesIO(export(client, "xlsx").content))
    sheet = workbook.worksheets[0]
    sheet["K2"] = 12
    sheet.append(["", "A", "", "", 2])
    return workbook


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_a_large_export_runs_as_a_job_and_gives_the_inline_file(
    settings, accountant_client, item_line, format
):
    inline = export(accountant_client, format)
    assert inline.status_code == 200 and not BatchJob.objects.exists()

    settings.BACKGROUND_EXPORT_LINES = 0
    response = export(accountant_client, format)
    [job] = BatchJob.objects.all()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    assert (job.kind, job.status, job.started_by.username) == ("export", "finished", "anna")
    assert job.message == f"Exported 1 line as revaluation-REVAL.{format}."

    page = page_text(accountant_client.get(job_url(job)))
    download = reverse("revaluation-job-file", args=[job.pk])
    assert f'href="{download}" id="job-download" download>Download revaluation-REVAL.{format}' in (
        page
    )
    assert "hx-trigger" not in page  # finished: no polling
    file = accountant_client.get(download)
    assert file["Content-Disposition"] == f'attachment; filename="revaluation-REVAL.{format}"'
    assert file["Content-Type"] == inline["Content-Type"]
    if format == "csv":
        assert file.content == inline.content
    else:  # the workbook's own timestamps differ; every cell and its format are the same
        sheets = [load_workbook(io.BytesIO(r.content)).worksheets[0] for r in (file, inline)]
        cells = [
            [(c.value, c.number_format, c.protection.locked) for row in s.iter_rows() for c in row]
            for s in sheets
        ]
        assert cells[0] == cells[1] and len(cells[0]) == 2 * 14


def test_the_export_job_keeps_the_user_s_date_format(settings, accountant_client, item_line):
    accountant_client.post(reverse("set-language"), {"language": "nl", "next": "/"})
    settings.BACKGROUND_EXPORT_LINES = 0
    export(accountant_client, "xlsx")
    file = accountant_client.get(reverse("revaluation-job-file", args=[BatchJob.objects.get().pk]))
    assert load_workbook(io.BytesIO(file.content)).worksheets[0]["F2"].number_format == (
        "dd-mm-yyyy"
    )


def test_a_large_import_is_checked_then_applied_as_jobs(settings, accountant_client, item_line):
    data = xlsx_bytes(edited_workbook(accountant_client))
    inline = batch_import(batch_name="REVAL", data=data, file_name="edited.xlsx", dry_run=True)

    settings.BACKGROUND_IMPORT_ROWS = 1  # the file has 2 data rows
    response = upload(accountant_client, data)
    [check] = BatchJob.objects.all()
    assert response["Location"] == job_url(check)
    assert (check.kind, check.status, check.file_name) == ("check", "finished", "edited.xlsx")
    assert check.message == "edited.xlsx would change 1 line and add 1; 0 unchanged."
    assert batch_job_display(check)["import_result"] == inline
    # checking saved nothing
    assert list(RevaluationLine.objects.values_list("version", flat=True)) == [1]

    page = page_text(accountant_client.get(job_url(check)))
    assert "edited.xlsx would change 1 line and add 1; 0 unchanged." in page
    assert "11.33333 → <strong>12.00</strong>" in page and "0.00 → <strong>10.00</strong>" in page
    assert f'<input type="hidden" name="job" value="{check.pk}">' in page

    response = accountant_client.post(
        reverse("revaluation-import-apply", args=["REVAL"]), {"job": check.pk}
    )
    applied = BatchJob.objects.get(kind=BatchJobKind.IMPORT)
    assert response["Location"] == job_url(applied)
    assert (applied.status, applied.message) == (
        "finished",
        "Imported edited.xlsx: 1 line changed, 1 added, 0 unchanged.",
    )
    journal = reverse("revaluation-journal-detail", args=["REVAL"])
    assert f'href="{journal}">Back to the journal</a>' in page_text(
        accountant_client.get(job_url(applied))
    )
    line = RevaluationLine.objects.get(pk=item_line.pk)
    assert (line.unit_cost_revalued, line.inventory_value_revalued, line.amount, line.version) == (
        D("12"),
        D("180.00"),
        D("10.00"),
        2,
    )
    added = RevaluationLine.objects.get(applies_to_entry=2)
    assert (added.quantity, added.inventory_value_calculated) == (10, D("120.00"))


def test_a_rejected_large_file_fails_the_check_with_every_row(
    settings, accountant_client, item_line
):
    workbook = load_workbook(io.BytesIO(export(accountant_client, "xlsx").content))
    sheet = workbook.worksheets[0]
    sheet["K2"] = -3  # refused
    sheet.append(["", "ZZ", "", "", 1])  # no such item
    settings.BACKGROUND_IMPORT_ROWS = 1
    response = upload(accountant_client, xlsx_bytes(workbook))
    [check] = BatchJob.objects.all()
    assert (check.status, check.message) == (
        "failed",
        "edited.xlsx: 2 rows rejected; nothing was imported.",
    )
    page = page_text(accountant_client.get(response["Location"]))
    assert "edited.xlsx: 2 rows rejected; nothing was imported." in page
    assert '<td class="num">2</td><td>unit_cost_revalued</td>' in page
    assert '<td class="num">3</td><td>item_no</td><td>The Item does not exist.' in page
    assert 'name="job"' not in page  # nothing to apply
    assert list(RevaluationLine.objects.values_list("version", flat=True)) == [1]


def test_an_apply_after_the_journal_changed_fails_and_writes_nothing(
    settings, accountant_client, item_line
):
    """Between the check and Apply someone edits the line: the import job fails with the row at
    fault; the manual line of the file is not added either (all or nothing)."""
    settings.BACKGROUND_IMPORT_ROWS = 1
    upload(accountant_client, xlsx_bytes(edited_workbook(accountant_client)))
    check = BatchJob.objects.get()
    line_edit(line_id=item_line.pk, version=1, field="unit_cost_revalued", value="14")

    response = accountant_client.post(
        reverse("revaluation-import-apply", args=["REVAL"]), {"job": check.pk}
    )
    applied = BatchJob.objects.get(kind=BatchJobKind.IMPORT)
    assert (applied.status, applied.message) == (
        "failed",
        "edited.xlsx: 1 row rejected; nothing was imported.",
    )
    page = page_text(accountant_client.get(response["Location"]))
    assert "Someone changed the line after the export (version 1, now 2)" in page
    line = RevaluationLine.objects.get()
    assert (line.unit_cost_revalued, line.inventory_value_revalued, line.version) == (
        D("14"),
        D("210.00"),
        2,
    )


def test_only_the_user_who_checked_the_file_applies_it(
    settings, client, accountant_client, item_line
):
    settings.BACKGROUND_IMPORT_ROWS = 1
    upload(accountant_client, xlsx_bytes(edited_workbook(accountant_client)))
    check = BatchJob.objects.get()
    client.force_login(AccountantFactory(username="bert"))
    page = page_text(client.get(job_url(check)))
    assert "would change 1 line" in page and 'name="job"' not in page
    response = client.post(
        reverse("revaluation-import-apply", args=["REVAL"]), {"job": check.pk}, follow=True
    )
    assert "Upload the file again" in page_text(response)
    assert BatchJob.objects.count() == 1
    assert list(RevaluationLine.objects.values_list("version", flat=True)) == [1]


def test_one_job_per_batch(settings, accountant_client, item_line):
    """While Bob's job runs, a large export, check or apply is told what runs and by whom and
    sent to that job; nothing else starts."""
    data = xlsx_bytes(edited_workbook(accountant_client))
    settings.BACKGROUND_IMPORT_ROWS = 1
    upload(accountant_client, data)
    check = BatchJob.objects.get()
    running = BatchJob.objects.create(
        batch_name="REVAL",
        kind=BatchJobKind.POST,
        status=JobStatus.QUEUED,
        started_by=UserFactory(username="bob"),
    )
    settings.BACKGROUND_EXPORT_LINES = 0
    expected = [
        f"A job for batch REVAL is already running (job {running.pk}, started by bob). "
        "Wait for it to finish."
    ]
    apply = reverse("revaluation-import-apply", args=["REVAL"])
    for response in (
        accountant_client.get(reverse("revaluation-export", args=["REVAL", "csv"]), follow=True),
        accountant_client.post(
            reverse("revaluation-import", args=["REVAL"]),
            {"file": SimpleUploadedFile("edited.xlsx", data)},
            follow=True,
        ),
        accountant_client.post(apply, {"job": check.pk}, follow=True),
    ):
        assert response.redirect_chain == [(job_url(running), 302)]
        assert [m.message for m in get_messages(response.wsgi_request)] == expected
    assert BatchJob.objects.count() == 2
    assert list(RevaluationLine.objects.values_list("version", flat=True)) == [1]


def test_the_row_estimate_decides_without_parsing(accountant_client, item_line):
    csv = b"line_key,item_no\n1v1,A\n2v1,A\n,B"
    assert data_rows_estimate(file_name="a.CSV", data=csv) == 3
    assert data_rows_estimate(file_name="a.csv", data=csv + b"\n") == 3
    workbook = edited_workbook(accountant_client)  # the line and a manual line
    assert data_rows_estimate(file_name="a.xlsx", data=xlsx_bytes(workbook)) == 2
    assert data_rows_estimate(file_name="a.xlsx", data=b"not a zip") == 0


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_keeps_nothing_and_the_import_runs_again(
    client, settings, item_line
):
    """The worker applies the file and waits to insert its manual line (the test holds the lines
    table); killed there, its transaction rolls back: the edited line is as before, no line added,
    the job failed. Applying the same check again works."""
    client.force_login(AccountantFactory(username="anna"))
    settings.BACKGROUND_IMPORT_ROWS = 1
    upload(client, xlsx_bytes(edited_workbook(client)))
    check = BatchJob.objects.get()
    apply = reverse("revaluation-import-apply", args=["REVAL"])
    holder = connections.create_connection("default")
    holder.set_autocommit(False)
    with holder.cursor() as cursor:
        cursor.execute("LOCK TABLE revaluation_revaluationline IN SHARE MODE")
    with task_worker(settings) as worker:
        client.post(apply, {"job": check.pk})
        url = job_url(BatchJob.objects.get(kind=BatchJobKind.IMPORT))
        wait_for(
            lambda: "data-job-status>Running<" in client.get(url, headers=HTMX).content.decode()
        )
        wait_for(_waiting_on_lock)
        worker.kill()
        worker.wait(10)
        holder.rollback()
        holder.close()
        page = wait_for(
            lambda: "run-failed" in (p := client.get(url, headers=HTMX).content.decode()) and p
        )
    assert jobs.ABANDONED_MESSAGE in page
    assert list(RevaluationLine.objects.values_list("unit_cost_revalued", "version")) == [
        (D("11.33333"), 1)
    ]

    with task_worker(settings):
        client.post(apply, {"job": check.pk})
        job = wait_for(
            lambda: BatchJob.objects.filter(kind=BatchJobKind.IMPORT, status="finished").first()
        )
    assert job.message == "Imported edited.xlsx: 1 line changed, 1 added, 0 unchanged."
    assert RevaluationLine.objects.count() == 2


def test_a_2001_line_batch_round_trips_as_jobs_at_the_default_thresholds(
    client, settings, item_line
):
    """2,001 lines (the line of item A and 2,000 copies of it): above the default 2,000 the
    export, the check and the import each run as a job; the file is the inline export's, and
    the one edited row changes its line only."""
    assert settings.BACKGROUND_EXPORT_LINES == settings.BACKGROUND_IMPORT_ROWS == 2000
    client.force_login(AccountantFactory(username="anna"))
    copies = []
    for n in range(2, 2002):
        copy = RevaluationLine.objects.get(pk=item_line.pk)
        copy.pk, copy.line_no = None, n * 10000
        copies.append(copy)
    RevaluationLine.objects.bulk_create(copies)
    inline = batch_export(batch_name="REVAL", format="csv")

    export(client, "csv")
    job = BatchJob.objects.get()
    assert job.message == "Exported 2001 lines as revaluation-REVAL.csv."
    exported = client.get(reverse("revaluation-job-file", args=[job.pk])).content
    assert exported == inline and exported.count(b"\n") == 2002

    last = copies[-1]
    rows = exported.decode().split("\n")
    assert rows[-2].startswith(f"{last.pk}v1,A,")
    cells = rows[-2].split(",")
    cells[10] = "12"  # unit_cost_revalued: 15 x 12.00 = 180.00, amount 10.00
    rows[-2] = ",".join(cells)
    upload(client, "\n".join(rows).encode(), name="big.csv")
    check = BatchJob.objects.get(kind=BatchJobKind.CHECK)
    assert (check.status, check.message) == (
        "finished",
        "big.csv would change 1 line and add 0; 2000 unchanged.",
    )
    client.post(reverse("revaluation-import-apply", args=["REVAL"]), {"job": check.pk})
    applied = BatchJob.objects.get(kind=BatchJobKind.IMPORT)
    assert applied.message == "Imported big.csv: 1 line changed, 0 added, 2000 unchanged."
    changed = RevaluationLine.objects.filter(version=2)
    assert list(changed.values_list("line_no", "inventory_value_revalued", "amount")) == [
        (20010000, D("180.00"), D("10.00"))
    ]
    assert RevaluationLine.objects.filter(version=1, amount=0).count() == 2000


def test_a_viewer_exports_a_large_batch_too(settings, viewer_client, item_line):
    """Viewers may export (not import): the job page offers the file and leads back to the
    journal."""
    settings.BACKGROUND_EXPORT_LINES = 0
    response = export(viewer_client, "csv")
    job = BatchJob.objects.get()
    page = page_text(viewer_client.get(response["Location"]))
    journal = reverse("revaluation-journal-detail", args=["REVAL"])
    assert f'href="{journal}">Back to the journal</a>' in page
    assert viewer_client.get(reverse("revaluation-job-file", args=[job.pk])).content == (
        batch_export(batch_name="REVAL", format="csv")
    )
