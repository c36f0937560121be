"""The revaluation journal in a real browser (pytest-playwright driving Debian's chromium).

What only a browser can show: htmx saving a typed cell and updating the dependent cell and the
totals without a reload, Enter/Tab moving down the column, hx-confirm dialogs, HX-Redirect.

The README screenshot (docs/screenshots/revaluation-journal.png) is rewritten only when
``UPDATE_SCREENSHOTS=1`` is set (or when it is missing), so a test run leaves the tree clean.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from inventory.models import CostingMethod, ValueEntry
from revaluation.models import PostedRevaluation, RevaluationLine
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.lines import line_edit
from tests.factories import AccountantFactory, ItemFactory, LocationFactory, RevaluationBatchFactory
from tests.posting import day, jline, post

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself are still synchronous and safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"
SCREENSHOT = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "revaluation-journal.png"
)


def screenshot_path(tmp_path: Path) -> Path:
    if os.environ.get("UPDATE_SCREENSHOTS") or not SCREENSHOT.exists():
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        return SCREENSHOT
    return tmp_path / SCREENSHOT.name


@pytest.fixture(autouse=True)
def no_csp_violations(page: Page):
    """Every page of these tests runs under the Content Security Policy without a violation."""
    violations = []
    page.on("console", lambda message: violations.append(message.text))
    yield
    assert [text for text in violations if "Content Security Policy" in text] == []


def log_in(page: Page, live_server, username: str) -> None:
    AccountantFactory(username=username, first_name="Ada", last_name="Lovelace", password=PASSWORD)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type='submit']")
    expect(page.locator("h1")).to_have_text("Revaluation journal")  # "/" leads here


def test_calculate_edit_preview_and_post(page: Page, live_server, scenario_a, tmp_path):
    page.on("dialog", lambda dialog: dialog.accept())  # hx-confirm
    log_in(page, live_server, "ada")

    # a new batch, through the form
    page.fill("#id_name", "reval")
    page.click("#batch-form button[type='submit']")
    expect(page.locator("h1")).to_have_text("Revaluation journal REVAL")

    # posting an empty batch: the message appears on the page (htmx swaps <main>)
    page.click("#post-button")
    expect(page.locator("#posting-error")).to_contain_text("There is nothing to post.")

    # the Applies-to Entry lookup of a manual line lists item A's invoiced inbound entries
    page.locator("#manual-line-panel summary").click()
    page.fill("#manual-item", "A")
    page.locator("#manual-item").press("Tab")
    expect(page.locator("#entry-lookup input[name='applies_to_entry']")).to_have_count(2)
    expect(page.locator("#entry-lookup")).to_contain_text("Oak table")

    # Calculate Inventory Value per item on D4 (the panel is open while the batch is empty)
    form = page.locator("#calculate-form")
    form.locator("#id_posting_date").fill("2025-01-04")
    form.locator("#id_document_no").fill("REV-1")
    form.locator("input[name='per'][value='item']").check()
    form.locator("#calculate-button").click()
    expect(page.locator(".message-success")).to_contain_text("created 1 line")
    rows = page.locator("#journal-lines tr")
    expect(rows).to_have_count(1)
    line = RevaluationLine.objects.get()
    expect(page.locator(f"#line-{line.pk}-inventory-value-revalued")).to_have_value("170.00")
    expect(page.locator("#total-inventory-value-calculated")).to_have_text("170.00")

    # type 14 into Unit Cost (Revalued) and Tab away: saved and recalculated without a reload
    page.evaluate("window.__sameDocument = true")
    unit_cost = page.locator(f"#line-{line.pk}-unit-cost-revalued")
    unit_cost.fill("14")
    unit_cost.press("Tab")
    expect(page.locator(f"#line-{line.pk}-inventory-value-revalued")).to_have_value("210.00")
    expect(page.locator(f"#line-{line.pk}-amount")).to_have_text("40.00")
    expect(page.locator("#total-inventory-value-revalued")).to_have_text("210.00")
    expect(page.locator("#total-amount")).to_have_text("40.00")
    expect(unit_cost).to_have_value("14.00")  # the saved value, formatted like the column
    assert page.evaluate("window.__sameDocument") is True
    line.refresh_from_db()
    assert (line.amount, line.version) == (Decimal("40.00"), 2)

    # an invalid value is refused at the cell; nothing changes
    unit_cost.fill("-3")
    unit_cost.press("Enter")
    expect(page.locator(f"#line-{line.pk}-unit-cost-revalued-error")).to_have_text(
        "The value must be greater than or equal to 0."
    )
    expect(page.locator("#total-amount")).to_have_text("40.00")
    page.locator(f"#line-{line.pk}-unit-cost-revalued").fill("14")
    page.locator(f"#line-{line.pk}-unit-cost-revalued").press("Enter")
    expect(page.locator(f"#line-{line.pk}-unit-cost-revalued-error")).to_have_text("")
    expect(page.locator(f"#line-{line.pk}-unit-cost-revalued")).not_to_have_attribute(
        "aria-invalid", "true"
    )
    page.screenshot(path=str(tmp_path / "journal.png"), full_page=True)

    # someone else changes the line: the next edit shows the current values and says so
    line.refresh_from_db()
    line_edit(line_id=line.pk, version=line.version, field="unit_cost_revalued", value="15")
    value = page.locator(f"#line-{line.pk}-inventory-value-revalued")
    value.fill("200")
    value.press("Enter")
    expect(page.locator(f"#line-{line.pk}-inventory-value-revalued-error")).to_contain_text(
        "Someone else changed this line"
    )
    expect(page.locator(f"#line-{line.pk}-unit-cost-revalued")).to_have_value("15.00")
    expect(page.locator(f"#line-{line.pk}-inventory-value-revalued")).to_have_value("225.00")
    expect(page.locator("#total-amount")).to_have_text("55.00")
    unit_cost = page.locator(f"#line-{line.pk}-unit-cost-revalued")
    unit_cost.fill("14")  # back to 14, now on the current version
    unit_cost.press("Enter")
    expect(page.locator("#total-amount")).to_have_text("40.00")
    expect(page.locator(f"#line-{line.pk}-inventory-value-revalued-error")).to_have_text("")

    # preview: two value entries of 20.00, nothing written
    page.click("#preview-link")
    expect(page.locator("h1")).to_contain_text("Posting preview")
    entries = page.locator("#preview-line-10000 tr.preview-entry")
    expect(entries).to_have_count(2)
    expect(entries.nth(0).locator("td").nth(8)).to_have_text("20.00")
    expect(entries.nth(1).locator("td").nth(8)).to_have_text("20.00")
    expect(page.locator("#preview-total-amount")).to_have_text("40.00")
    assert not ValueEntry.objects.filter(entry_type="revaluation").exists()

    # post (hx-confirm accepted): HX-Redirect to the posted revaluation
    page.click("#post-button")
    expect(page.locator("h1")).to_have_text("Posted revaluation REV-1")
    posted_entries = page.locator("#posted-value-entries tbody tr")
    expect(posted_entries).to_have_count(2)
    for n in range(2):
        expect(posted_entries.nth(n).locator("td").nth(9)).to_have_text("20.00")
    expect(page.locator("#posted-entries-actual")).to_have_text("40.00")
    assert PostedRevaluation.objects.get().total_amount == Decimal("40.00")
    assert not RevaluationLine.objects.exists()


def build_demo_ledger() -> None:
    """A few items at two locations, calculated per item and location on 2025-01-31."""
    blue = LocationFactory(code="BLUE", name="Main warehouse")
    red = LocationFactory(code="RED", name="Showroom")
    items = [
        (
            "1000",
            "Oak dining table",
            CostingMethod.FIFO,
            [(blue, 12, "310.00"), (red, 3, "325.50")],
        ),
        ("1100", "Beech chair", CostingMethod.FIFO, [(blue, 48, "42.80"), (red, 10, "44.10")]),
        ("1200", "Walnut sideboard", CostingMethod.LIFO, [(blue, 5, "689.00")]),
        ("1300", "Linen cushion", CostingMethod.FIFO, [(blue, 140, "6.35"), (red, 25, "6.60")]),
        ("1400", "Brass floor lamp", CostingMethod.LIFO, [(red, 7, "118.90")]),
        ("1500", "Wool rug 200×300", CostingMethod.FIFO, [(blue, 9, "254.00")]),
    ]
    for no, description, method, receipts in items:
        ItemFactory(no=no, description=description, costing_method=method)
        for n, (location, quantity, unit_amount) in enumerate(receipts):
            post(
                jline(
                    "purchase",
                    no,
                    quantity,
                    day(3 + n),
                    unit_amount=Decimal(unit_amount),
                    location_code=location.code,
                    document_no=f"P-{no}-{n}",
                )
            )
    post(jline("sale", "1100", 6, day(10), location_code=blue.code, document_no="S-1"))
    post(jline("sale", "1300", 30, day(12), location_code=blue.code, document_no="S-2"))
    RevaluationBatchFactory(
        name="YE-2025", description="Year-end revaluation", last_document_no="REV-0000"
    )
    calculate_inventory_value(
        batch_name="YE-2025",
        options=CalculateOptions(
            posting_date=day(31), document_no="REV-0001", per="item", by_location=True
        ),
    )
    revalued = {("1000", "BLUE"): "332.00", ("1200", "BLUE"): "650.00", ("1400", "RED"): "124.5"}
    for line in RevaluationLine.objects.filter(batch_id="YE-2025"):
        value = revalued.get((line.item_id, line.location_code))
        if value:
            line_edit(
                line_id=line.pk, version=line.version, field="unit_cost_revalued", value=value
            )


def test_enter_moves_down_the_column_and_screenshot(page: Page, live_server, setup, tmp_path):
    build_demo_ledger()
    page.set_viewport_size({"width": 1440, "height": 960})
    log_in(page, live_server, "ada")
    page.goto(f"{live_server.url}/revaluation/YE-2025/")
    rows = page.locator("#journal-lines tr")
    expect(rows).to_have_count(9)
    lines = list(RevaluationLine.objects.filter(batch_id="YE-2025").order_by("line_no"))
    chair_blue = next(x for x in lines if (x.item_id, x.location_code) == ("1100", "BLUE"))
    after = lines[lines.index(chair_blue) + 1]

    # Enter saves the cell and moves to the same column of the next line
    first = page.locator(f"#line-{chair_blue.pk}-unit-cost-revalued")
    first.fill("44")
    first.press("Enter")
    expect(page.locator(f"#line-{after.pk}-unit-cost-revalued")).to_be_focused()
    expect(page.locator(f"#line-{chair_blue.pk}-inventory-value-revalued")).to_have_value("1848.00")
    # typing an inventory value recalculates the unit cost (Tab moves down that column)
    value = page.locator(f"#line-{after.pk}-inventory-value-revalued")
    value.fill("460")
    value.press("Tab")
    expect(page.locator(f"#line-{after.pk}-unit-cost-revalued")).to_have_value("46.00")
    expect(page.locator(f"#line-{after.pk}-amount")).to_have_text("19.00")
    line_amounts = RevaluationLine.objects.filter(batch_id="YE-2025").values_list(
        "amount", flat=True
    )
    total = sum(line_amounts, Decimal(0))
    expect(page.locator("#total-amount")).to_have_text(f"{total:,.2f}")

    page.locator("#calculate-panel summary").click()  # show the Calculate panel, open
    page.locator("#id_posting_date").fill("2025-12-31")  # a fixed date, not today's
    page.locator("h1").click()  # leave the grid, scrolled to its start
    page.locator(".table-wrap").evaluate("wrap => wrap.scrollTo(0, 0)")
    page.screenshot(path=str(screenshot_path(tmp_path)), full_page=True, animations="disabled")

    # "per Item Ledger Entry" disables the per-item options (spec §4.1)
    per_item_options = page.locator("#calculate-form #id_by_location")
    expect(per_item_options).to_be_enabled()
    page.locator("#calculate-form input[name='per'][value='entry']").check()
    expect(per_item_options).to_be_disabled()

    # delete a line (hx-confirm accepted): the row goes, the totals follow, no reload
    page.on("dialog", lambda dialog: dialog.accept())
    cushion_red = next(x for x in lines if (x.item_id, x.location_code) == ("1300", "RED"))
    page.locator(f"#line-{cushion_red.pk} .button-danger").click()
    expect(page.locator(f"#line-{cushion_red.pk}")).to_have_count(0)
    expect(rows).to_have_count(8)
    expect(page.locator("#total-inventory-value-calculated")).to_have_text("14,196.90")
    expect(page.locator("#journal-totals")).to_contain_text("8 lines")
    assert not RevaluationLine.objects.filter(pk=cushion_red.pk).exists()
