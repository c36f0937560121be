from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import InventorySetupFactory, ItemFactory
from tests.posting import day, jline, post


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
