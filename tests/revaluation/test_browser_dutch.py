"""The Dutch revaluation journal in a real browser (issue 12 §5, §6): the language switch, a
Dutch number typed (``1.234,5``), saved and shown the Dutch way, and the journal posted.

The README's Dutch screenshot (docs/screenshots/revaluation-journal-nl.png) is rewritten only
with ``UPDATE_SCREENSHOTS=1`` (or when it is missing), as in test_browser.py.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from revaluation.models import PostedRevaluation, RevaluationLine, UserPreference
from tests.revaluation.test_browser import build_demo_ledger, log_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOT = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "revaluation-journal-nl.png"
)


def test_dutch_journal_with_a_dutch_number_typed_and_posted(page: Page, live_server, tmp_path):
    build_demo_ledger()
    page.set_viewport_size({"width": 1440, "height": 960})
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text))
    log_in(page, live_server, "ada")

    # the header's switch: Dutch from now on, for this user
    page.click(".language-switch button[value='nl']")
    expect(page.locator("h1")).to_have_text("Herwaarderingsdagboek")
    assert UserPreference.objects.get(user__username="ada").language == "nl"

    page.goto(f"{live_server.url}/revaluation/YE-2025/")
    expect(page.locator("h1")).to_have_text("Herwaarderingsdagboek YE-2025")
    expect(page.locator("thead")).to_contain_text("Kostprijs (geherwaardeerd)")
    expect(page.locator("thead")).to_contain_text("Voorraadwaarde (berekend)")
    expect(page.locator("#post-button")).to_have_text("Boeken")

    # item 1500: 9 rugs received at 254.00 -> Voorraadwaarde (berekend) 2.286,00
    rug = RevaluationLine.objects.get(batch_id="YE-2025", item_id="1500")
    unit_cost = page.locator(f"#line-{rug.pk}-unit-cost-revalued")
    expect(unit_cost).to_have_value("254,00")
    unit_cost.fill("1.234,5")
    unit_cost.press("Tab")
    # 9 x 1,234.50 = 11,110.50; amount 11,110.50 - 2,286.00 = 8,824.50
    expect(page.locator(f"#line-{rug.pk}-inventory-value-revalued")).to_have_value("11110,50")
    expect(page.locator(f"#line-{rug.pk}-amount")).to_have_text("8.824,50")
    expect(unit_cost).to_have_value("1234,50")
    rug.refresh_from_db()
    assert (rug.unit_cost_revalued, rug.amount) == (Decimal("1234.50"), Decimal("8824.50"))

    # an English notation is refused at the cell, in Dutch, and nothing changes
    unit_cost.fill("12.50")
    unit_cost.press("Enter")
    expect(page.locator(f"#line-{rug.pk}-unit-cost-revalued-error")).to_contain_text(
        "'12.50' is geen eenvoudig getal: gebruik cijfers 0-9, ',' voor decimalen"
    )
    unit_cost.fill("1234,5")
    unit_cost.press("Enter")
    expect(page.locator(f"#line-{rug.pk}-unit-cost-revalued-error")).to_have_text("")

    total = sum(
        RevaluationLine.objects.filter(batch_id="YE-2025").values_list("amount", flat=True),
        Decimal(0),
    )
    shown_total = f"{total:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    expect(page.locator("#total-amount")).to_have_text(shown_total)

    page.reload()  # every cell as saved, formatted the Dutch way
    expect(unit_cost).to_have_value("1234,50")
    page.locator("#calculate-panel summary").click()
    page.locator("#id_posting_date").fill("2025-12-31")  # a fixed date, not today's
    page.locator("h1").click()
    page.locator(".table-wrap").evaluate("wrap => wrap.scrollTo(0, 0)")
    path = SCREENSHOT
    if not (os.environ.get("UPDATE_SCREENSHOTS") or not SCREENSHOT.exists()):
        path = tmp_path / SCREENSHOT.name
    page.screenshot(path=str(path), full_page=True, animations="disabled")

    # the longer Dutch menu still fits a 1024 px screen, switch included
    page.set_viewport_size({"width": 1024, "height": 768})
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    switch = page.locator(".language-switch button[value='nl']").bounding_box()
    assert switch is not None and switch["x"] + switch["width"] <= 1024
    page.set_viewport_size({"width": 1440, "height": 960})

    # Boeken (the confirmation is in Dutch too)
    dialogs: list[str] = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.click("#post-button")
    expect(page.locator(".message-success")).to_contain_text(
        f"Batch YE-2025 geboekt als REV-0001: bedrag {shown_total}."
    )
    expect(page.locator("h1")).to_have_text("Geboekte herwaardering REV-0001")
    assert dialogs == [
        "Het herwaarderingsdagboek YE-2025 boeken? De regels worden na het boeken verwijderd."
    ]
    assert PostedRevaluation.objects.get().total_amount == total
    assert not RevaluationLine.objects.filter(batch_id="YE-2025").exists()

    # "U kunt de nieuwe waarden op de desbetreffende artikelkaarten bekijken": the rug's card
    page.goto(f"{live_server.url}/inventory/items/1500/")
    expect(page).to_have_title("Artikelkaart 1500 · Voorraad herwaarderen")
    expect(page.locator("h1")).to_have_text("Artikel 1500 Wool rug 200×300")
    expect(page.locator("#entries-heading")).to_contain_text("Artikelposten")
    expect(page.locator("#value-entries-heading")).to_contain_text("Waardeposten")
    expect(page.locator("#posted-heading")).to_contain_text("Geboekte herwaarderingen")
    expect(page.locator(".chart-marker title").first).to_have_text(
        "Herwaardering REV-0001 op 31-01-2025: +8.824,50"
    )
    assert [text for text in violations if "Content Security Policy" in text] == []
