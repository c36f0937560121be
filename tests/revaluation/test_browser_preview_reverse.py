"""Preview, post and reverse in a real browser (issue 10 §2, §3, §5).

Scenario A revalued per item on D4 to 14.00 (see tests/revaluation/test_reversal.py for the
numbers): the preview shows +40.00 of revaluation, -26.00 moved to sale S-2 by Adjust Cost, a
COGS change of +26.00; posting and reversing bring the inventory value back to 84.00.
"""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.db.models import Sum
from playwright.sync_api import Page, expect

from inventory.models import ValueEntry
from inventory.services.adjustment import adjust_cost_item_entries
from revaluation.models import PostedRevaluation
from revaluation.rights import PREPARER_GROUP
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.lines import line_edit
from revaluation.services.posting import revaluation_batch_post
from tests.factories import AccountantFactory, UserFactory
from tests.posting import day, jline, post

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type='submit']")
    expect(page.locator("h1")).to_have_text("Revaluation journal")


@pytest.fixture
def prepared(scenario_a):
    adjust_cost_item_entries()
    [line] = calculate_inventory_value(
        batch_name="R",
        options=CalculateOptions(posting_date=day(4), document_no="REV-1", per="item"),
    )
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="14")


def inventory_value() -> Decimal:
    return ValueEntry.objects.aggregate(v=Sum("cost_amount_actual"))["v"]


def test_preview_post_and_reverse(page: Page, live_server, prepared):
    page.on("dialog", lambda dialog: dialog.accept())  # hx-confirm
    AccountantFactory(username="ada", password=PASSWORD)
    log_in(page, live_server, "ada")

    page.goto(f"{live_server.url}/revaluation/R/preview/")
    expect(page.locator("#preview-total-amount")).to_have_text("40.00")
    expect(page.locator("#preview-cogs-change")).to_have_text("26.00")
    expect(page.locator("#preview-adjusted-4")).to_contain_text("-26.00")
    expect(page.locator("#preview-gl")).to_be_visible()

    page.click("#post-button")
    expect(page.locator("h1")).to_have_text("Posted revaluation REV-1")
    adjust_cost_item_entries()  # what the task worker does after the posting
    assert inventory_value() == Decimal("98.00")

    page.reload()
    page.fill("#id_posting_date", "2025-01-06")
    page.click("#reverse-button")
    expect(page.locator("h1")).to_have_text("Posted revaluation RREV-1")
    expect(page.locator("#posted-reverses")).to_have_text("REV-1")
    expect(page.locator("#posted-total")).to_have_text("-40.00")
    adjust_cost_item_entries()
    assert inventory_value() == Decimal("84.00")

    page.click("#posted-reverses a")
    expect(page.locator("#posted-reversed-by")).to_contain_text("RREV-1")
    expect(page.locator("#reverse-refusal")).to_contain_text("already reversed by RREV-1")
    expect(page.locator("#reverse-button")).to_have_count(0)


def test_a_preparer_sees_no_post_button(page: Page, live_server, prepared):
    # the data migration's groups do not survive the flush of transactional tests
    group, _ = Group.objects.get_or_create(name=PREPARER_GROUP)
    group.permissions.add(Permission.objects.get(codename="prepare_revaluation"))
    UserFactory.create(username="paula", password=PASSWORD).groups.add(group)
    log_in(page, live_server, "paula")

    page.goto(f"{live_server.url}/revaluation/R/")
    expect(page.locator("#preview-link")).to_be_visible()
    expect(page.locator("#post-button")).to_have_count(0)
    page.click("#preview-link")
    expect(page.locator("#preview-cogs-change")).to_have_text("26.00")
    expect(page.locator("#post-button")).to_have_count(0)
    assert not PostedRevaluation.objects.exists()


def test_a_refused_reversal_shows_why(page: Page, live_server, prepared):
    page.on("dialog", lambda dialog: dialog.accept())
    AccountantFactory(username="ada", password=PASSWORD)
    posted = revaluation_batch_post(batch_name="R")
    post(jline("sale", "A", 1, day(4)))  # back-dated on the revaluation date: not exact
    log_in(page, live_server, "ada")
    page.goto(f"{live_server.url}/revaluation/posted/{posted.pk}/")
    page.fill("#id_posting_date", "2025-01-06")
    page.click("#reverse-button")
    expect(page.locator("#reverse-error")).to_contain_text("applied to outbound entry 5")
    expect(page.locator("h1")).to_have_text("Posted revaluation REV-1")
    assert PostedRevaluation.objects.count() == 1
