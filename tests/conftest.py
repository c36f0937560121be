from __future__ import annotations

import os
from decimal import Decimal

import pytest
from hypothesis import settings as hypothesis_settings

from inventory.models import CostingMethod
from inventory.services.adjustment import adjust_cost_item_entries
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.lines import line_edit
from revaluation.services.posting import revaluation_batch_post
from tests.factories import AccountantFactory, InventorySetupFactory, ItemFactory, UserFactory
from tests.posting import day, jline, post

# CI runs the same property-test examples every time (no flaky landing); developers explore new ones.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture
def setup(db):
    return InventorySetupFactory()


@pytest.fixture
def posted_ledger(setup):
    """Item A (FIFO): purchase 10 @ 10.00 on D1, sale 5 on D3."""
    item = ItemFactory(no="A")
    post(jline("purchase", "A", 10, day(1), unit_amount=Decimal("10")))
    post(jline("sale", "A", 5, day(3)))
    return item


# --------------------------------------------------------------------------- revaluation pages


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """pytest-playwright: drive Debian's chromium (Playwright's own download is unavailable)."""
    return {
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def revaluation_ledger(setup):
    """Spec §14.1 steps 1-4, item A (FIFO): purchase 10 @ 10.00 on D1 and 10 @ 12.00 on D2,
    sale 5 on D3, sale 8 on D5. Calculated per item on D4: 15 units worth 170.00."""
    item = ItemFactory(no="A", description="Oak table")
    post(jline("purchase", "A", 10, day(1), unit_amount=Decimal("10"), document_no="P-1"))
    post(jline("purchase", "A", 10, day(2), unit_amount=Decimal("12"), document_no="P-2"))
    post(jline("sale", "A", 5, day(3), document_no="S-1"))
    post(jline("sale", "A", 8, day(5), document_no="S-2"))
    return item


@pytest.fixture
def accountant_client(client):
    """Signed in as a member of the Accountant group (may change and post)."""
    client.force_login(AccountantFactory())
    return client


@pytest.fixture
def viewer_client(client):
    """Signed in without the Accountant group (may only look)."""
    client.force_login(UserFactory())
    return client


@pytest.fixture
def scenario_a_adjusted(setup):
    """Spec §14.1 through the revaluation and the adjustment: purchases 10 @ 10.00 (D1) and
    10 @ 12.00 (D2), sales 5 (D3) and 8 (D5), revalued per item on D4 to 14.00 a unit
    (15 units: 170.00 -> 210.00), adjusted."""
    ItemFactory(no="A", description="Oak table", costing_method=CostingMethod.FIFO)
    post(jline("purchase", "A", 10, day(1), unit_amount=10, document_no="P-1"))
    post(jline("purchase", "A", 10, day(2), unit_amount=12, document_no="P-2"))
    post(jline("sale", "A", 5, day(3), document_no="S-1"))
    post(jline("sale", "A", 8, day(5), document_no="S-2"))
    adjust_cost_item_entries()
    [line] = calculate_inventory_value(
        batch_name="R",
        options=CalculateOptions(posting_date=day(4), document_no="REV-1", per="item"),
    )
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="14")
    revaluation_batch_post(batch_name="R")
    adjust_cost_item_entries()
