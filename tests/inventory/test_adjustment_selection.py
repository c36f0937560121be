"""Adjust Cost walks only the items with work: flagged entries or unadjusted entry points."""

from __future__ import annotations

import pytest
from django.db import connections

from inventory.adjustment_selection import items_to_adjust
from inventory.models import CostingMethod, Item, ItemLedgerEntry
from inventory.services.adjustment import adjust_cost_item_entries
from tests.factories import ItemFactory
from tests.posting import day, jline, post

pytestmark = pytest.mark.django_db


def test_items_without_flags_are_marked_adjusted_without_a_walk(setup):
    ItemFactory(no="A")
    ItemFactory(no="B", costing_method=CostingMethod.AVERAGE)
    post(jline("purchase", "A", 2, day(1), unit_amount=5), jline("purchase", "B", 2, day(1)))
    assert adjust_cost_item_entries().items_adjusted == 2
    # marked not adjusted, but nothing flagged: no work, and the mark is cleared
    Item.objects.update(cost_is_adjusted=False)
    assert items_to_adjust() == []
    assert not Item.objects.filter(cost_is_adjusted=False).exists()
    summary = adjust_cost_item_entries()
    assert (summary.items_total, summary.items_adjusted) == (0, 0)


def test_flagged_entries_and_entry_points_select_their_items(setup):
    for no in ("A", "B", "C"):
        ItemFactory(no=no, costing_method=CostingMethod.AVERAGE if no == "C" else "fifo")
    post(jline("purchase", "A", 2, day(1), unit_amount=5), jline("sale", "A", 1, day(2)))
    post(jline("purchase", "B", 2, day(1), unit_amount=5))
    post(jline("purchase", "C", 2, day(1), unit_amount=5), jline("sale", "C", 1, day(2)))
    adjust_cost_item_entries()
    ItemLedgerEntry.objects.filter(item_id="A", positive=True).update(applied_entry_to_adjust=True)
    Item.objects.filter(no="A").update(cost_is_adjusted=False)
    post(jline("purchase", "C", 1, day(1), unit_amount=7))  # an entry point of C to adjust
    Item.objects.filter(no="B").update(cost_is_adjusted=False)
    assert items_to_adjust() == ["A", "C"]
    assert items_to_adjust(["C"]) == ["C"]
    assert Item.objects.get(no="B").cost_is_adjusted
    summary = adjust_cost_item_entries()
    assert summary.item_nos == ["A", "C"]
    assert not Item.objects.filter(cost_is_adjusted=False).exists()


@pytest.mark.django_db(transaction=True)
def test_an_item_locked_by_a_posting_stays_on_the_list_without_waiting(setup):
    """The selection never waits for an item another transaction holds (the nightly run would
    stall on it): it keeps the item for the per-item walk and clears the others."""
    ItemFactory(no="A")
    ItemFactory(no="B")
    post(jline("purchase", "A", 2, day(1), unit_amount=5), jline("purchase", "B", 2, day(1)))
    adjust_cost_item_entries()
    Item.objects.update(cost_is_adjusted=False)
    holder = connections.create_connection("default")
    holder.set_autocommit(False)
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT 1 FROM inventory_item WHERE no = 'B' FOR UPDATE")
        assert items_to_adjust() == ["B"]
        assert Item.objects.get(no="A").cost_is_adjusted
        assert not Item.objects.get(no="B").cost_is_adjusted
    finally:
        holder.rollback()
        holder.close()
