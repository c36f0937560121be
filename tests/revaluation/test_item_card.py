"""The item card: costs, the three quantities explained, entries, revaluations and the chart."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.item_card import item_history, stock_overview
from revaluation.models import PostedRevaluation
from tests.factories import ItemFactory
from tests.posting import day, jline, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def partly_invoiced(setup):
    """Item B (FIFO): purchase 4 @ 6.00 on D1 (entry 1), receipt 10 @ 5.00 not invoiced on D2
    (entry 2), sale 3 on D3 (from entry 1)."""
    item = ItemFactory(no="B", description="Shelf")
    post(jline("purchase", "B", 4, day(1), unit_amount=6, location_code="", document_no="P-1"))
    post(jline("purchase", "B", 10, day(2), unit_amount=5, invoiced_quantity=0, document_no="R-1"))
    post(jline("sale", "B", 3, day(3), document_no="S-1"))
    return item


def test_on_hand_invoiced_and_revaluable_differ_and_are_explained(partly_invoiced):
    overview = stock_overview(item_no="B", on=day(3))
    total = overview.total
    # on hand 4 + 10 - 3; invoiced 4 - 3 (the receipt is not invoiced)
    assert (total.on_hand, total.invoiced_quantity) == (11, 1)
    # actual 24.00 - 18.00; expected 10 x 5.00
    assert (total.value, total.expected_cost, total.value_expected) == (6, 50, 56)
    # Calculate Inventory Value counts only entry 1 (1 left at 6.00)
    assert (total.revaluable_quantity, total.revaluable_value) == (1, 6)
    assert [(e.entry_no, e.quantity) for e in overview.not_invoiced] == [(2, 10)]
    assert [(e.entry_no, e.quantity) for e in overview.not_revaluable] == [(2, 10)]
    # before the sale: 14 on hand, 4 invoiced, 4 revaluable
    earlier = stock_overview(item_no="B", on=day(2)).total
    assert (earlier.on_hand, earlier.invoiced_quantity, earlier.revaluable_quantity) == (14, 4, 4)


def test_item_card_page_shows_the_figures_and_entries(viewer_client, partly_invoiced):
    url = reverse("item-card", args=["B"])
    response = viewer_client.get(url, {"on": "2025-01-03"})
    assert response.status_code == 200
    page = " ".join(response.content.decode().split())
    assert "Item B Shelf" in page
    assert "11 on hand less 10 received or shipped but not yet invoiced (entry 2: 10)" in page
    assert "6.00 actual + 50.00 expected" in page
    assert "Left out: 10 remaining in entry 2" in page
    for entry_no in (1, 2, 3):
        assert f'id="ile-{entry_no}"' in page
    assert '<svg viewBox="0 0 760 260"' in page


def test_item_card_unknown_item_is_404(viewer_client, setup):
    assert viewer_client.get(reverse("item-card", args=["NOPE"])).status_code == 404


def test_item_card_queries_do_not_grow_with_entries(
    viewer_client, partly_invoiced, django_assert_max_num_queries
):
    url = reverse("item-card", args=["B"])
    with django_assert_max_num_queries(30) as few:
        viewer_client.get(url)
    for n in range(4, 24):
        post(jline("purchase", "B", 1, day(n), unit_amount=7, document_no=f"P-{n}"))
        post(jline("sale", "B", 1, day(n), document_no=f"S-{n}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        viewer_client.get(url)


def test_history_marks_the_revaluation(scenario_a_adjusted):
    history = item_history(item_no="A")
    assert [(m.day, m.document_no, m.amount) for m in history.revaluations] == [
        (day(4), "REV-1", Decimal("40.00"))
    ]
    # D1 10 @ 10.00, D2 +10 @ 12.00, D3 -5, D4 revalued to 210.00, D5 -8 (after adjustment)
    assert [(p.day, p.quantity, p.value) for p in history.points] == [
        (day(1), 10, 100),
        (day(2), 20, 220),
        (day(3), 15, 170),
        (day(4), 15, 210),
        (day(5), 7, 98),
    ]
    assert history.points[-1].unit_cost == 14


def test_item_card_chart_marks_revaluations_and_links_posted(viewer_client, scenario_a_adjusted):
    page = " ".join(viewer_client.get(reverse("item-card", args=["A"])).content.decode().split())
    assert page.count('class="chart-marker"') == 2  # in both charts
    assert "Revaluation REV-1 on 2025-01-04: +40.00" in page
    posted = PostedRevaluation.objects.get()
    assert f'href="{reverse("revaluation-posted-detail", args=[posted.pk])}">REV-1</a>' in page
