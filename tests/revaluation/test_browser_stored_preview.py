"""The preview of a large batch in a real browser: the page asks for a run, the run is a job
(synchronous here, tests/settings.py) whose page leads to the stored preview, and an edit of
the journal makes it stale."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from revaluation.models import RevaluationBatch, RevaluationLine
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.lines import line_edit
from tests.posting import day
from tests.revaluation.test_browser import log_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_large_preview_runs_as_a_job_and_goes_stale(
    page: Page, live_server, scenario_a, settings
):
    settings.BACKGROUND_PREVIEW_LINES = 0
    RevaluationBatch.objects.create(name="REVAL")
    [line] = calculate_inventory_value(
        batch_name="REVAL",
        options=CalculateOptions(posting_date=day(4), document_no="REV-1", per="item"),
    )
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="14")
    log_in(page, live_server, "ada")
    preview = f"{live_server.url}/revaluation/REVAL/preview/"
    page.goto(preview)
    expect(page.locator("#preview-stale")).to_have_text("This journal has no preview yet.")
    page.click("#preview-run")
    expect(page.locator("[data-job-status]")).to_have_text("Finished")
    expect(page.locator("[data-job-message]")).to_have_text(
        "Previewed 1 line: 2 value entries, amount 40.00."
    )
    page.click("#job-preview")
    expect(page.locator("#preview-total-amount")).to_have_text("40.00")
    expect(page.locator("#preview-line-10000 tr.preview-entry")).to_have_count(2)

    line = RevaluationLine.objects.get()
    line_edit(line_id=line.pk, version=line.version, field="unit_cost_revalued", value="15")
    page.goto(preview)
    expect(page.locator("#preview-stale")).to_have_text(
        "The journal changed since this preview: run it again."
    )
    page.click("#preview-run")
    page.click("#job-preview")
    expect(page.locator("#preview-total-amount")).to_have_text("55.00")
