"""Issue 12 in a real browser: the item card and its chart, the grid's manual line, Esc, the
1024 px layout and the spreadsheet upload.

Screenshots go to docs/screenshots/ only with ``UPDATE_SCREENSHOTS=1``; otherwise into tmp_path.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from revaluation.models import RevaluationBatch, RevaluationLine
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from tests.posting import day
from tests.revaluation.test_browser import build_demo_ledger, log_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def screenshot(page: Page, name: str, tmp_path: Path) -> None:
    folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True, animations="disabled")


def test_item_card_from_the_items_page(page: Page, live_server, scenario_a_adjusted, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "ada")
    page.goto(f"{live_server.url}/inventory/items/")
    page.locator("#item-A a").first.click()
    expect(page.locator("h1")).to_have_text("Item A Oak table")
    page.locator("input[name='on']").fill("2025-01-05")
    page.locator("#stock button[type='submit']").click()
    expect(page.locator("#figure-on-hand .figure-value")).to_have_text("7")
    expect(page.locator("#figure-invoiced .figure-value")).to_have_text("7")
    expect(page.locator("#figure-expected .figure-value")).to_have_text("98.00")
    # the chart: two series, the revaluation marked with its amount as tooltip
    chart = page.locator("#chart-1 svg")
    expect(chart).to_be_visible()
    expect(chart.locator("polyline")).to_have_count(2)
    expect(chart.locator(".chart-marker title")).to_have_text(
        "Revaluation REV-1 on 2025-01-04: +40.00"
    )
    expect(page.locator("#revaluation-marks")).to_contain_text("REV-1")
    expect(page.locator("#item-ledger-entries tbody tr")).to_have_count(4)
    screenshot(page, "item-card.png", tmp_path)


def test_manual_line_appears_at_once_and_escape_restores(page: Page, live_server, scenario_a):
    RevaluationBatch.objects.create(name="REVAL", last_document_no="REV-0000")
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, live_server, "ada")
    page.goto(f"{live_server.url}/revaluation/REVAL/")
    page.evaluate("window.__sameDocument = true")
    page.locator("#manual-line-panel summary").click()
    page.fill("#manual-item", "A")
    page.locator("#manual-item").press("Tab")
    page.locator("#entry-lookup input[value='2']").check()
    page.locator("#manual-line button[type='submit']").click()
    # no reload, no fragment-only redirect: the new line, the count and the message are there
    expect(page.locator(".message-success")).to_contain_text("Line 10000 added for item A.")
    line = RevaluationLine.objects.get()
    expect(page.locator(f"#line-{line.pk}")).to_be_visible()
    expect(page.locator("#lines-heading .count")).to_have_text("1")
    assert page.evaluate("window.__sameDocument") is True
    # the line took entry 2's posting date and whole invoiced quantity (spec §5.7)
    expect(page.locator(f"#line-{line.pk} td").nth(7)).to_have_text("2025-01-02")
    expect(page.locator(f"#line-{line.pk} td").nth(9)).to_have_text("10")

    # a saved value shows formatted like the column; Escape puts the saved value back
    cell = page.locator(f"#line-{line.pk}-unit-cost-revalued")
    cell.fill("13")
    cell.press("Tab")
    expect(page.locator(f"#line-{line.pk}-amount")).to_have_text("10.00")
    expect(cell).to_have_value("13.00")
    expect(page.locator(".message-success")).to_have_count(0)  # old message gone
    cell.fill("999")
    cell.press("Escape")
    expect(cell).to_have_value("13.00")
    cell.press("Tab")
    expect(page.locator(f"#line-{line.pk}-amount")).to_have_text("10.00")
    line.refresh_from_db()
    assert (line.unit_cost_revalued, line.version) == (Decimal("13.00"), 2)


def test_editable_columns_visible_at_1024(page: Page, live_server, setup, tmp_path):
    build_demo_ledger()
    page.set_viewport_size({"width": 1024, "height": 768})
    log_in(page, live_server, "ada")
    page.goto(f"{live_server.url}/revaluation/YE-2025/")
    first = RevaluationLine.objects.filter(batch_id="YE-2025").order_by("line_no")[0]
    # the first grid cell has the focus: no Tab needed to start typing
    expect(page.locator(f"#line-{first.pk}-unit-cost-revalued")).to_be_focused()
    for suffix in ("unit-cost-revalued", "inventory-value-revalued", "amount"):
        box = page.locator(f"#line-{first.pk}-{suffix}").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1024, suffix
    # the menu is one line high
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < 60
    screenshot(page, "revaluation-journal-1024.png", tmp_path)


def test_upload_an_edited_xlsx_rejected_then_good(page: Page, live_server, scenario_a, tmp_path):
    RevaluationBatch.objects.create(name="REVAL")
    calculate_inventory_value(
        batch_name="REVAL",
        options=CalculateOptions(posting_date=day(4), document_no="REV-1", per="item"),
    )
    log_in(page, live_server, "ada")
    page.goto(f"{live_server.url}/revaluation/REVAL/")
    page.click("#excel-link")
    with page.expect_download() as download:
        page.click("#export-xlsx")
    exported = tmp_path / "export.xlsx"
    download.value.save_as(exported)

    workbook = load_workbook(exported)
    workbook.worksheets[0]["K2"] = -3
    bad = tmp_path / "bad.xlsx"
    workbook.save(bad)
    page.set_input_files("#id_file", str(bad))
    page.click("#check-import")
    expect(page.locator("#import-problems")).to_contain_text("1 row rejected")
    expect(page.locator("#import-problems tbody tr")).to_have_count(1)
    expect(page.locator("#import-problems")).to_contain_text("unit_cost_revalued")

    workbook.worksheets[0]["K2"] = 14
    good = tmp_path / "good.xlsx"
    workbook.save(good)
    page.set_input_files("#id_file", str(good))
    page.click("#check-import")
    expect(page.locator("#import-summary h2")).to_have_text(
        "good.xlsx would change 1 line and add 0; 0 unchanged."
    )
    expect(page.locator("#import-changes tbody tr td").nth(6)).to_contain_text("0.00 → 40.00")
    page.click("#apply-import")
    expect(page.locator("h1")).to_have_text("Revaluation journal REVAL")
    expect(page.locator(".message-success")).to_contain_text(
        "Imported good.xlsx: 1 line changed, 0 added, 0 unchanged."
    )
    expect(page.locator("#total-amount")).to_have_text("40.00")
