"""``manage.py check_ledger``: the ledger invariants, set-based (also run by the property tests
on random ledgers and by the benchmark generator's test on bulk-loaded ones)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from inventory.ledger_checks import CHECKS
from tests.factories import ItemFactory
from tests.posting import day, jline, post


@pytest.mark.django_db
def test_a_posted_ledger_passes_and_a_broken_one_is_named(setup):
    ItemFactory(no="A")
    post(jline("purchase", "A", 10, day(1), unit_amount=10))
    post(jline("sale", "A", 4, day(2)))
    out = StringIO()
    call_command("check_ledger", stdout=out)
    assert out.getvalue() == f"All {len(CHECKS)} ledger checks passed.\n"

    with connection.cursor() as cursor:  # get past the append-only trigger, as a bulk load would
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            "UPDATE inventory_itemledgerentry SET remaining_quantity = 7 WHERE entry_no = 1"
        )
        cursor.execute("SET session_replication_role = DEFAULT")
    err = StringIO()
    with pytest.raises(CommandError, match=f"1 of {len(CHECKS)} ledger checks failed."):
        call_command("check_ledger", stdout=StringIO(), stderr=err)
    assert err.getvalue() == (
        "FAILED an inbound's remaining quantity is the sum of its applications: [(1,)]\n"
    )
