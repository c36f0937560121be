"""The ledgers are append-only in PostgreSQL itself, whatever the client does."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.db.utils import IntegrityError

from inventory.models import ItemLedgerEntry, ItemVariant, Location, ValueEntry
from tests.factories import ItemFactory, ItemVariantFactory, LocationFactory
from tests.posting import day, jline, post

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


@pytest.mark.parametrize("model", [ItemLedgerEntry, ValueEntry])
def test_every_other_column_is_refused_raw(posted_ledger, model):
    """Each column outside MUTABLE_FIELDS, set to NULL where it has a value: the trigger refuses
    it before any NOT NULL or CHECK constraint is looked at."""
    table = model._meta.db_table
    refused = []
    for field in model._meta.concrete_fields:
        if field.attname in model.MUTABLE_FIELDS or field.primary_key:
            continue
        if not model.objects.filter(**{f"{field.attname}__isnull": False}).exists():
            continue
        with pytest.raises(IntegrityError, match="append-only"):
            run_sql(f"UPDATE {table} SET {field.column} = NULL WHERE {field.column} IS NOT NULL")
        refused.append(field.column)
    assert len(refused) >= 12 and {"item_id", "posting_date"} <= set(refused), refused


@pytest.mark.parametrize("table", ["inventory_itemledgerentry", "inventory_valueentry"])
def test_a_column_added_later_is_refused_too(posted_ledger, table):
    """The trigger compares whole rows (all but the mutable columns): a column a later migration
    adds is covered without changing the trigger."""
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"ALTER TABLE {table} ADD COLUMN added_later integer DEFAULT 0")
        cursor.execute(f"UPDATE {table} SET added_later = 1")


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


# --------------------------------------------------------------------------- TRUNCATE, counters


@pytest.mark.parametrize(
    "table",
    [
        "inventory_itemledgerentry",
        "inventory_valueentry",
        "inventory_itemapplicationentry",
        "inventory_itemregister",
        "inventory_ledgercounter",
        "revaluation_postedrevaluation",
        "revaluation_postedrevaluationline",
    ],
)
def test_raw_sql_cannot_truncate_a_ledger(scenario_a_adjusted, table):
    """CASCADE would reach the value entries from the item ledger, the posted revaluations from
    the registers: every table refuses for itself."""
    with pytest.raises(IntegrityError, match="append-only: it cannot be truncated"):
        run_sql(f"TRUNCATE {table} CASCADE")


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("UPDATE inventory_ledgercounter SET last_no = last_no - 1", "last_no may only grow"),
        ("UPDATE inventory_ledgercounter SET last_no = 0", "last_no may only grow"),
        ("DELETE FROM inventory_ledgercounter", "rows cannot be deleted"),
        ("UPDATE revaluation_postedrevaluation SET total_amount = 0", "cannot be changed"),
        ("DELETE FROM revaluation_postedrevaluation", "cannot be changed or deleted"),
        ("UPDATE revaluation_postedrevaluationline SET amount = 0", "cannot be changed"),
        ("DELETE FROM revaluation_postedrevaluationline", "cannot be changed or deleted"),
    ],
)
def test_counters_and_posted_revaluations_are_append_only(scenario_a_adjusted, sql, message):
    with pytest.raises(IntegrityError, match=message):
        run_sql(sql)


def test_the_counters_may_count_up(posted_ledger):
    run_sql("UPDATE inventory_ledgercounter SET last_no = last_no + 1")


@pytest.mark.parametrize(
    ("sql", "constraint"),
    [
        (
            "UPDATE inventory_itemledgerentry SET remaining_quantity = quantity + 1 WHERE positive",
            "ile_remaining_within_quantity",
        ),
        (
            "UPDATE inventory_itemledgerentry SET remaining_quantity = quantity - 1, open = true"
            " WHERE NOT positive",
            "ile_remaining_within_quantity",
        ),
        (
            "UPDATE inventory_itemledgerentry SET invoiced_quantity = quantity * 2",
            "ile_invoiced_within_quantity",
        ),
        (
            "UPDATE inventory_itemledgerentry SET invoiced_quantity = -quantity",
            "ile_invoiced_within_quantity",
        ),
    ],
)
def test_fields_that_posting_maintains_stay_in_range(posted_ledger, sql, constraint):
    with pytest.raises(IntegrityError, match=constraint):
        run_sql(sql)


# --------------------------------------------------------------------------- what ledgers name


@pytest.fixture
def blue_ledger(setup):
    """Item V with variant RED: 3 units received at location BLUE; location GREEN unused."""
    LocationFactory(code="BLUE")
    LocationFactory(code="GREEN")
    ItemVariantFactory(item=ItemFactory(no="V"), code="RED")
    ItemVariantFactory(item=ItemFactory(no="W"), code="RED")
    post(jline("purchase", "V", 3, day(1), unit_amount=2, location_code="BLUE", variant_code="RED"))


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("DELETE FROM inventory_location WHERE code = 'BLUE'", "location BLUE has ledger entries"),
        ("UPDATE inventory_location SET code = 'B2' WHERE code = 'BLUE'", "cannot be deleted or"),
        (
            "DELETE FROM inventory_itemvariant WHERE item_id = 'V'",
            "variant RED of item V has ledger entries",
        ),
        ("UPDATE inventory_itemvariant SET code = 'R2' WHERE item_id = 'V'", "cannot be deleted"),
    ],
)
def test_what_ledger_entries_name_cannot_be_deleted(blue_ledger, sql, message):
    with pytest.raises(IntegrityError, match=message):
        run_sql(sql)


def test_what_no_ledger_entry_names_can_be_deleted(blue_ledger):
    run_sql("DELETE FROM inventory_location WHERE code = 'GREEN'")
    run_sql("DELETE FROM inventory_itemvariant WHERE item_id = 'W'")
    assert set(Location.objects.values_list("code", flat=True)) == {"BLUE"}
    assert list(ItemVariant.objects.values_list("item_id", flat=True)) == ["V"]
