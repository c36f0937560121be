"""Issue 12 in a real browser: the item card and its chart, the grid's manual line, Esc, the
1024 px layout and the spreadsheet upload.

Screenshots go to docs/screenshots/ only with ``UPDATE_SCREENSHOTS=1``; otherwise into tmp_path.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.revaluation.test_browser import log_in

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
