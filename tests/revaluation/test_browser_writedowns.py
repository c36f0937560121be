"""An NRV write-down in a real browser (issue 13 part 5): calculate with the base Net realisable
value per entry, see the rule and reason code on the line, post, and find it in the history
and in the write-down report."""

from __future__ import annotations

import datetime
import os
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from inventory.models import ValueEntry
from revaluation.models import RevaluationLine, SellingPrice
from tests.factories import AccountantFactory, ItemFactory
from tests.posting import jline, post

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def no_csp_violations(page: Page):
    violations = []
    page.on("console", lambda message: violations.append(message.text))
    yield
    assert [text for text in violations if "Content Security Policy" in text] == []


def test_nrv_calculation_and_post(page: Page, live_server, setup):
    # A: 10 at 12.00, expected to sell at 10.00 less 0.50 + 5 % costs -> NRV 9.00
    # B: 5 at 8.00, sells at 20.00 -> above cost, not proposed
    ItemFactory(no="A", description="Chair")
    ItemFactory(no="B", description="Lamp")
    post(
        jline("purchase", "A", 10, datetime.date(2025, 1, 1), unit_amount="12"),
        jline("purchase", "B", 5, datetime.date(2025, 1, 1), unit_amount="8"),
    )
    for item_no, price, cost, percent in (("A", "10", "0.50", "5"), ("B", "20", "0", "0")):
        SellingPrice.objects.create(
            item_id=item_no,
            valid_from=datetime.date(2025, 1, 1),
            selling_price=Decimal(price),
            cost_to_sell=Decimal(cost),
            cost_to_sell_percent=Decimal(percent),
        )
    page.on("dialog", lambda dialog: dialog.accept())  # hx-confirm of Post
    AccountantFactory(username="ada", password=PASSWORD)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", PASSWORD)
    page.click("button[type='submit']")
    page.fill("#id_name", "ye")
    page.click("#batch-form button[type='submit']")
    expect(page.locator("h1")).to_have_text("Revaluation journal YE")

    form = page.locator("#calculate-form")
    form.locator("#id_posting_date").fill("2025-12-31")
    form.locator("#id_document_no").fill("WD-1")
    form.locator("input[name='per'][value='entry']").check()
    form.locator("#id_calculation_base").select_option("nrv")
    form.locator("#calculate-button").click()
    expect(page.locator(".message-success")).to_contain_text("created 1 line")
    line = RevaluationLine.objects.get()
    row = page.locator(f"#line-{line.pk}")
    expect(page.locator(f"#line-{line.pk}-inventory-value-revalued")).to_have_value("90.00")
    expect(page.locator(f"#line-{line.pk}-amount")).to_have_text("-30.00")
    expect(row.locator(".writedown-rule")).to_contain_text(
        "NRV 9.00 = selling price 10.00 - costs to sell 1.00, below cost 12.00"
    )
    reason = row.locator("select[name='reason_code']")
    expect(reason).to_have_value("NRV")
    page.click("#post-button")
    expect(page.locator("h1")).to_have_text("Posted revaluation WD-1")
    expect(page.locator("#posted-value-entries tbody tr td.reason-code")).to_have_text("NRV")
    expect(page.locator("#posted-entries-actual")).to_have_text("-30.00")
    [entry] = ValueEntry.objects.filter(entry_type="revaluation")
    assert (entry.cost_amount_actual, entry.reason_code) == (Decimal("-30.00"), "NRV")

    page.goto(f"{live_server.url}/revaluation/writedowns/?as_of=2025-12-31")
    expect(page.locator("#writedown-table tbody tr")).to_have_count(1)
    expect(page.locator("#writedown-total-posted")).to_have_text("-30.00")
