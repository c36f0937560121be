"""The ledgers are append-only in PostgreSQL itself, whatever the client does."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.db.utils import IntegrityError

from inventory.models import ItemLedgerEntry, ValueEntry

pytestmark = pytest.mark.django_db(transaction=True)


def run_sql(sql: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE inventory_valueentry SET cost_amount_actual = cost_amount_actual + 1",
        "UPDATE inventory_valueentry SET document_no = 'X'",
        "DELETE FROM inventory_valueentry",
        "UPDATE inventory_itemledgerentry SET quantity = quantity + 1",
        "UPDATE inventory_itemledgerentry SET posting_date = posting_date + 1",
        "DELETE FROM inventory_itemledgerentry",
        "UPDATE inventory_itemapplicationentry SET quantity = quantity + 1",
        "DELETE FROM inventory_itemapplicationentry",
        "UPDATE inventory_itemregister SET to_entry_no = 99",
        "DELETE FROM inventory_itemregister",
    ],
)
def test_raw_sql_cannot_change_or_delete_ledger_rows(posted_ledger, sql):
    with pytest.raises(IntegrityError, match="append-only"):
        run_sql(sql)


def maintained_fields(model, fields: tuple[str, ...]) -> dict[int, tuple]:
    return {row[0]: row[1:] for row in model.objects.values_list("pk", *fields).order_by("pk")}


@pytest.mark.parametrize(
    "sql, model, fields, expected",
    [
        (
            "UPDATE inventory_valueentry SET valuation_date = valuation_date + 1,"
            " cost_posted_to_gl = cost_amount_actual",
            ValueEntry,
            ("valuation_date", "cost_posted_to_gl"),
            lambda ve: (ve.valuation_date + datetime.timedelta(days=1), ve.cost_amount_actual),
        ),
        (
            "UPDATE inventory_itemledgerentry SET applied_entry_to_adjust = NOT applied_entry_to_adjust",
            ItemLedgerEntry,
            ("applied_entry_to_adjust",),
            lambda ile: (not ile.applied_entry_to_adjust,),
        ),
        (
            "UPDATE inventory_itemledgerentry SET last_invoice_date = NULL",
            ItemLedgerEntry,
            ("last_invoice_date",),
            lambda ile: (None,),
        ),
    ],
)
def test_fields_that_posting_maintains_may_change(posted_ledger, sql, model, fields, expected):
    before = list(model.objects.order_by("pk"))
    assert len(before) == 2  # the purchase and the sale
    run_sql(sql)
    assert maintained_fields(model, fields) == {row.pk: expected(row) for row in before}
