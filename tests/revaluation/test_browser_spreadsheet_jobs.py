"""The Excel round trip of a large batch in a real browser: the export, the check and the import
run as jobs (synchronously here, tests/settings.py) and each job's page leads on."""

from __future__ import annotations

import os

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from revaluation.models import RevaluationBatch
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from tests.posting import day
from tests.revaluation.test_browser import log_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_large_round_trip_through_the_job_pages(
    page: Page, live_server, scenario_a, settings, tmp_path
):
    settings.BACKGROUND_EXPORT_LINES = 0
    settings.BACKGROUND_IMPORT_ROWS = 0
    RevaluationBatch.objects.create(name="REVAL")
    calculate_inventory_value(
        batch_name="REVAL",
        options=CalculateOptions(posting_date=day(4), document_no="REV-1", per="item"),
    )
    log_in(page, live_server, "ada")
    page.goto(f"{live_server.url}/revaluation/REVAL/import/")
    page.click("#export-xlsx")
    expect(page.locator("[data-job-message]")).to_have_text(
        "Exported 1 line as revaluation-REVAL.xlsx."
    )
    with page.expect_download() as download:
        page.click("#job-download")
    exported = tmp_path / "export.xlsx"
    download.value.save_as(exported)

    workbook = load_workbook(exported)
    workbook.worksheets[0]["K2"] = 14  # 15 x 14.00 = 210.00: amount 40.00
    good = tmp_path / "good.xlsx"
    workbook.save(good)
    page.goto(f"{live_server.url}/revaluation/REVAL/import/")
    page.set_input_files("#id_file", str(good))
    page.click("#check-import")
    expect(page.locator("[data-job-status]")).to_have_text("Finished")
    expect(page.locator("#import-summary h2")).to_have_text(
        "good.xlsx would change 1 line and add 0; 0 unchanged."
    )
    expect(page.locator("#import-changes tbody tr td").nth(6)).to_contain_text("0.00 → 40.00")
    page.click("#apply-import")
    expect(page.locator("[data-job-message]")).to_have_text(
        "Imported good.xlsx: 1 line changed, 0 added, 0 unchanged."
    )
    page.click("text=Back to the journal")
    expect(page.locator("h1")).to_have_text("Revaluation journal REVAL")
    expect(page.locator("#total-amount")).to_have_text("40.00")
