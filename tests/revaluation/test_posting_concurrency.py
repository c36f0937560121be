"""Posting a revaluation batch while others post: real threads, real PostgreSQL locks."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from inventory.exceptions import PostingError
from inventory.models import ItemLedgerEntry, ValueEntry
from revaluation.exceptions import RevaluationError
from revaluation.models import PostedRevaluation
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.lines import line_edit
from revaluation.services.posting import revaluation_batch_post
from tests.factories import InventorySetupFactory, ItemFactory
from tests.inventory.test_posting_concurrency import run_concurrently
from tests.posting import day, jline, post

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def batch():
    """Item A: 10 @ 10.00 and 10 @ 12.00, revalued per item on day 4 to 14.00 a unit."""
    InventorySetupFactory()
    ItemFactory(no="A")
    post(jline("purchase", "A", 10, day(1), unit_amount=10))
    post(jline("purchase", "A", 10, day(2), unit_amount=12))
    [line] = calculate_inventory_value(
        batch_name="REVAL",
        options=CalculateOptions(posting_date=day(4), document_no="REV-1", per="item"),
    )
    line_edit(line_id=line.pk, version=line.version, field="unit_cost_revalued", value="14")


def revaluations():
    return list(
        ValueEntry.objects.filter(entry_type="revaluation").values_list(
            "item_ledger_entry_id", "cost_amount_actual"
        )
    )


def test_double_post_of_one_batch_posts_once(batch):
    results = run_concurrently(
        lambda: revaluation_batch_post(batch_name="REVAL"),
        lambda: revaluation_batch_post(batch_name="REVAL"),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], RevaluationError), results
    assert errors[0].message == "There is nothing to post."
    assert revaluations() == [(1, D("40.00")), (2, D("20.00"))]
    assert PostedRevaluation.objects.count() == 1


def test_post_while_an_item_journal_sells_the_item(batch):
    """Either the sale posts first and the revaluation is told to recalculate, or the
    revaluation posts first and the sale after it; never a half-written or inconsistent ledger."""
    results = run_concurrently(
        lambda: revaluation_batch_post(batch_name="REVAL"),
        lambda: post(jline("sale", "A", 3, day(3))),
    )
    reval, sale = results
    assert not isinstance(sale, Exception), sale
    assert ItemLedgerEntry.objects.filter(entry_type="sale").count() == 1
    if isinstance(reval, Exception):
        assert isinstance(reval, RevaluationError | PostingError)
        assert "You must calculate the inventory value again" in reval.message
        assert revaluations() == []
    else:
        assert revaluations() == [(1, D("40.00")), (2, D("20.00"))]
    assert list(ValueEntry.objects.order_by("entry_no").values_list("entry_no", flat=True)) == list(
        range(1, ValueEntry.objects.count() + 1)
    )
