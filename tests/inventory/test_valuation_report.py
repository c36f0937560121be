"""Inventory Valuation (spec §12.1) and the adjust_cost / inventory_valuation commands."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from inventory.models import InventorySetup, Item, ValueEntry
from inventory.reports import inventory_valuation, valuation_entries
from inventory.services.adjustment import adjust_cost_item_entries
from tests.factories import ItemFactory, LocationFactory
from tests.posting import day, jline, post

pytestmark = pytest.mark.django_db


def closing(report):
    [row] = report.rows
    return row.closing


@pytest.mark.parametrize(
    ("as_of", "quantity", "value"), [(3, 15, "170.00"), (4, 15, "210.00"), (5, 7, "98.00")]
)
def test_scenario_a_adjusted_as_of(scenario_a_adjusted, as_of, quantity, value):
    figures = closing(inventory_valuation(ending_date=day(as_of)))
    assert (figures.quantity, figures.value) == (quantity, D(value))


def test_period_report_and_drill_down(scenario_a_adjusted):
    [row] = inventory_valuation(starting_date=day(4), ending_date=day(5)).rows
    assert (row.opening.quantity, row.opening.value) == (15, D("170.00"))
    assert (row.increases.quantity, row.increases.value) == (0, D("40.00"))  # the revaluation
    assert (row.decreases.quantity, row.decreases.value) == (8, D("112.00"))
    assert (row.closing.quantity, row.closing.value) == (7, D("98.00"))
    entries = valuation_entries(
        item_no="A", bucket="decreases", starting_date=day(4), ending_date=day(5)
    )
    assert sum(v.cost_amount_actual for v in entries) == D("-112.00")


def test_expected_cost(setup):
    """§14.4: receipt 4 @ 7.50, invoice 3 @ 8.00, invoice 1 @ 8.00."""
    ItemFactory(no="B")
    post(
        jline(
            "purchase", "B", 4, datetime.date(2025, 3, 3), unit_amount="7.50", invoiced_quantity=0
        )
    )
    post(jline("invoice", "B", 3, datetime.date(2025, 3, 10), unit_amount=8, applies_to_entry=1))
    post(jline("invoice", "B", 1, datetime.date(2025, 3, 17), unit_amount=8, applies_to_entry=1))
    mid = closing(inventory_valuation(ending_date=datetime.date(2025, 3, 12)))
    assert (mid.quantity, mid.value) == (3, D("24.00"))
    assert (mid.quantity_expected, mid.value_expected) == (4, D("31.50"))
    end = closing(inventory_valuation(ending_date=datetime.date(2025, 3, 18)))
    assert (end.quantity, end.value) == (4, D("32.00"))


def test_transfers_by_location_and_totals_equal_the_ledger(setup):
    LocationFactory(code="BLUE")
    LocationFactory(code="RED")
    ItemFactory(no="T")
    ItemFactory(no="U")
    post(jline("purchase", "T", 10, day(1), unit_amount="2.50", location_code="BLUE"))
    post(jline("purchase", "U", 3, day(1), unit_amount="1.10", location_code="RED"))
    post(jline("transfer", "T", 4, day(2), location_code="BLUE", new_location_code="RED"))
    post(jline("sale", "T", 1, day(3), location_code="RED"))
    adjust_cost_item_entries()
    report = inventory_valuation(starting_date=day(2), ending_date=day(3), by_location=True)
    rows = {(r.item_no, r.location_code): r for r in report.rows}
    assert (rows["T", "BLUE"].decreases.quantity, rows["T", "BLUE"].decreases.value) == (
        4,
        D("10.00"),
    )
    assert (rows["T", "RED"].increases.quantity, rows["T", "RED"].increases.value) == (
        4,
        D("10.00"),
    )
    assert (rows["T", "RED"].decreases.quantity, rows["T", "RED"].closing.value) == (1, D("7.50"))
    whole = inventory_valuation(ending_date=day(3))
    ledger = ValueEntry.objects.aggregate(total=Sum("cost_amount_actual"))["total"]
    assert sum(r.closing.value for r in whole.rows) == ledger == D("25.80")
    [t_row] = [r for r in whole.rows if r.item_no == "T"]
    assert t_row.decreases.quantity == 1  # the transfer legs cancel out without a location filter


def test_commands(scenario_a_adjusted, capsys):
    call_command("inventory_valuation", "--as-of", "2025-01-05")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("item_no,description,opening_quantity,")
    header = lines[0].split(",")
    total = dict(zip(header, lines[-1].split(","), strict=True))
    assert (total["item_no"], total["closing_quantity"], total["closing_value"]) == (
        "TOTAL",
        "7",
        "98",
    )
    call_command("inventory_valuation", "--as-of", "2025-01-04", "--format", "json")
    [row, total] = json.loads(capsys.readouterr().out)
    assert (row["item_no"], row["closing_value"]) == ("A", "210")
    with pytest.raises(CommandError, match="is not a date"):
        call_command("inventory_valuation", "--as-of", "yesterday")


def test_adjust_cost_command(setup, capsys):
    ItemFactory(no="C")
    post(jline("purchase", "C", 10, day(1), unit_amount=10))
    Item.objects.filter(no="C").update(unit_cost=D(12))
    post(jline("sale", "C", 5, day(3)))
    call_command("adjust_cost", "--item", "C")
    out = capsys.readouterr().out
    assert "Adjusted 1 of 1 items: 1 value entries, amount 10." in out
    InventorySetup.objects.filter(pk=1).update(allow_posting_to=day(2))
    Item.objects.filter(no="C").update(unit_cost=D(13))
    post(jline("purchase", "C", 1, day(1), unit_amount=5), jline("sale", "C", 6, day(2)))
    # the new sale at day 2 needs an adjustment dated day 2: allowed; make it fail instead
    InventorySetup.objects.filter(pk=1).update(allow_posting_to=day(1))
    with pytest.raises(CommandError, match=r"1 item\(s\) could not be adjusted"):
        call_command("adjust_cost")
    assert (
        "Item C: Posting Date is not within your range of allowed posting dates."
        in capsys.readouterr().err
    )


def test_adjust_cost_command_refuses_unknown_items(setup):
    with pytest.raises(CommandError, match="Unknown item"):
        call_command("adjust_cost", "--item", "NOPE")


def test_inventory_valuation_repeated_options_accumulate(setup, capsys):
    """--item A --item=-X: both items (an item no. may begin with "-")."""
    LocationFactory(code="BLUE")
    for no in ("A", "B", "-X"):
        ItemFactory(no=no)
    post(jline("purchase", "A", 1, day(1), unit_amount=2, location_code="BLUE"))
    post(jline("purchase", "B", 2, day(1), unit_amount=3, location_code="BLUE"))
    post(jline("purchase", "-X", 3, day(1), unit_amount=4))

    call_command(
        "inventory_valuation", "--as-of", "2025-01-01", "--item", "A", "--item=-X", "--format",
        "json", "--by-location", "--location", "BLUE", "--location", "",
    )  # fmt: skip

    *rows, total = json.loads(capsys.readouterr().out)
    assert [(row["item_no"], row["closing_value"]) for row in rows] == [("-X", "12"), ("A", "2")]
    assert total["closing_value"] == "14"


def test_adjust_cost_repeated_items_accumulate(setup, capsys):
    for no in ("C", "-D"):
        ItemFactory(no=no)
        post(jline("purchase", no, 10, day(1), unit_amount=10))
        Item.objects.filter(no=no).update(unit_cost=D(12))
        post(jline("sale", no, 5, day(3)))

    call_command("adjust_cost", "--item", "C", "--item=-D")

    assert "Adjusted 2 of 2 items: 2 value entries, amount 20." in capsys.readouterr().out
