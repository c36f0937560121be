"""The admin shows decimals as they are (``8.36``), not padded to the column's scale."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from inventory.models import ValueEntry
from tests.factories import ItemFactory
from tests.posting import day, jline, post

pytestmark = pytest.mark.django_db


def test_item_change_page_shows_costs_without_padding(admin_client, setup):
    ItemFactory(no="A", unit_cost=D("8.36"), last_direct_cost=D("8.36"))
    page = admin_client.get(reverse("admin:inventory_item_change", args=["A"])).content.decode()
    assert 'name="unit_cost" value="8.36"' in page  # editable
    assert '<div class="readonly">8.36</div>' in page  # Last Direct Cost, read-only
    assert "8.3600000000" not in page


def test_ledger_pages_show_decimals_without_padding(admin_client, setup):
    ItemFactory(no="A")
    post(jline("purchase", "A", 3, day(1), unit_amount=D("2.5")))
    entry = ValueEntry.objects.get()
    url = reverse("admin:inventory_valueentry_change", args=[entry.pk])
    page = admin_client.get(url).content.decode()
    assert '<div class="readonly">2.50</div>' in page  # Cost per Unit
    assert '<div class="readonly">7.50</div>' in page  # Cost Amount (Actual)
    assert '<div class="readonly">3</div>' in page  # Valued Quantity
    assert "2.5000000000" not in page and "7.50000" not in page
