"""Two postings at once, in real threads with their own connections (PostgreSQL row locks)."""

from __future__ import annotations

import threading
from decimal import Decimal as D

import pytest
from django.db import connection

from inventory.exceptions import PostingError
from inventory.models import InventorySetup, ItemLedgerEntry, ItemRegister, ValueEntry
from tests.factories import InventorySetupFactory, ItemFactory
from tests.posting import day, jline, post

pytestmark = pytest.mark.django_db(transaction=True)


def run_concurrently(*jobs):
    """Start all jobs together; return what each returned or raised."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:  # noqa: BLE001 - reported to the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_sales_of_the_last_stock_post_once():
    InventorySetupFactory(allow_negative_inventory=False)
    ItemFactory(no="A", unit_cost=D(10))
    post(jline("purchase", "A", 10, day(1), unit_amount=10))

    def sell():
        return post(jline("sale", "A", 7, day(2)))

    results = run_concurrently(sell, sell)

    errors = [r for r in results if isinstance(r, PostingError)]
    assert len(errors) == 1, results
    assert errors[0].message == "You have insufficient quantity of Item A on inventory."
    assert list(ItemLedgerEntry.objects.values_list("entry_no", "remaining_quantity")) == [
        (1, D(3)),
        (2, D(0)),
    ]
    assert list(ValueEntry.objects.values_list("entry_no", flat=True)) == [1, 2]
    assert list(ItemRegister.objects.order_by("no").values_list("no", flat=True)) == [1, 2]


def test_postings_of_different_items_interleave_without_gaps():
    InventorySetupFactory()
    ItemFactory(no="A")
    ItemFactory(no="B")

    def buy(no):
        return lambda: post(*(jline("purchase", no, 1, day(1), unit_amount=2) for _ in range(5)))

    results = run_concurrently(buy("A"), buy("B"), buy("A"), buy("B"))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert list(
        ItemLedgerEntry.objects.order_by("entry_no").values_list("entry_no", flat=True)
    ) == list(range(1, 21))
    # each posting got one contiguous block of entry numbers
    for result in results:
        nos = result.item_ledger_entry_nos
        assert nos == list(range(nos[0], nos[0] + 5))
    assert InventorySetup.objects.count() == 1
