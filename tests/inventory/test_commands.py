"""Management commands: imports, setup, ledger export and posting a journal from CSV."""

from __future__ import annotations

import datetime
import json
import textwrap
from collections.abc import Mapping
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from inventory import models
from inventory.exceptions import PostingError
from inventory.management.commands import post_item_journal
from inventory.services.posting import ItemJournalLineInput, PostingResult
from tests import factories
from tests.posting import day, jline, post

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"

ITEM_HEADER = (
    "no,description,costing_method,standard_cost,unit_cost,base_unit_of_measure,blocked,"
    "inventory_value_zero"
)
JOURNAL_HEADER = (
    "posting_date,entry_type,document_no,item_no,location_code,variant_code,quantity,"
    "invoiced_quantity,unit_amount,applies_to_entry,applies_from_entry,new_location_code"
)


def write_csv(tmp_path: Path, text: str, name: str = "input.csv") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return str(path)


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def item_state(no: str) -> Mapping[str, object]:
    return (
        models.Item.objects.filter(no=no)
        .values(
            "description",
            "costing_method",
            "standard_cost",
            "unit_cost",
            "base_unit_of_measure",
            "blocked",
            "inventory_value_zero",
        )
        .get()
    )


# --------------------------------------------------------------------------- import_items


def test_import_items_creates_items_from_the_fixture_file():
    out = run("import_items", str(DATA / "items.csv"))

    assert out == "Items: 3 created, 0 updated, 0 unchanged.\n"
    assert item_state("A-FIFO") == {
        "description": "Bolt M8",
        "costing_method": "fifo",
        "standard_cost": Decimal(0),
        "unit_cost": Decimal("2.5"),
        "base_unit_of_measure": "PCS",
        "blocked": False,
        "inventory_value_zero": False,
    }
    # Standard: unit cost follows standard cost (spec §2.2); case-insensitive costing method.
    assert item_state("B-STD") == {
        "description": "Hinge",
        "costing_method": "standard",
        "standard_cost": Decimal("12.34567"),
        "unit_cost": Decimal("12.34567"),
        "base_unit_of_measure": "BOX",
        "blocked": False,
        "inventory_value_zero": False,
    }
    # Quoted comma, blank unit of measure = model default, booleans yes / FALSE.
    assert item_state("C-AVG") == {
        "description": "Paint, white",
        "costing_method": "average",
        "standard_cost": Decimal(0),
        "unit_cost": Decimal("0.1"),
        "base_unit_of_measure": "PCS",
        "blocked": True,
        "inventory_value_zero": False,
    }


def test_import_items_updates_existing_items_and_keeps_blank_fields(tmp_path):
    factories.ItemFactory(
        no="STD",
        description="Old",
        costing_method=models.CostingMethod.STANDARD,
        standard_cost=Decimal("5.00"),
        unit_cost=Decimal("5.00"),
        base_unit_of_measure="BOX",
        blocked=True,
    )
    factories.ItemFactory(no="SAME", description="Same", unit_cost=Decimal("3"))
    path = write_csv(
        tmp_path,
        f"""
        {ITEM_HEADER}
        STD,,,7.25,,,no,
        SAME,Same,fifo,0,3,PCS,0,0
        NEW,New item,lifo,,,,1,true
        """,
    )

    out = run("import_items", path)

    assert out == "Items: 1 created, 1 updated, 1 unchanged.\n"
    assert item_state("STD") == {
        "description": "Old",
        "costing_method": "standard",
        "standard_cost": Decimal("7.25"),
        "unit_cost": Decimal("7.25"),
        "base_unit_of_measure": "BOX",
        "blocked": False,
        "inventory_value_zero": False,
    }
    assert item_state("NEW") == {
        "description": "New item",
        "costing_method": "lifo",
        "standard_cost": Decimal(0),
        "unit_cost": Decimal(0),
        "base_unit_of_measure": "PCS",
        "blocked": True,
        "inventory_value_zero": True,
    }


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (
            "BAD,x,weighted,1,1,PCS,no,no",
            "Line 2, costing_method: 'weighted' is not one of fifo, lifo, specific, average, "
            "standard.",
        ),
        (
            "BAD,x,fifo,1.2.3,1,PCS,no,no",
            "Line 2, standard_cost: '1.2.3' is not a plain number: use digits 0-9 and a point for decimals only.",
        ),
        (
            "BAD,x,fifo,1e3,1,PCS,no,no",
            "Line 2, standard_cost: '1e3' is not a plain number: use digits 0-9 and a point for decimals only.",
        ),
        (
            "BAD,x,fifo,1,NaN,PCS,no,no",
            "Line 2, unit_cost: 'NaN' is not a plain number: use digits 0-9 and a point for decimals only.",
        ),
        (
            "BAD,x,fifo,1,-0.01,PCS,no,no",
            "Line 2, unit_cost: The value must be greater than or equal to 0 (got -0.01).",
        ),
        (
            "BAD,x,fifo,1.000001,1,PCS,no,no",
            "Line 2, standard_cost: 1.000001 has more decimals than the Unit-Amount Rounding "
            "Precision 0.00001.",
        ),
        (
            "BAD,x,fifo,1000000000000000,1,PCS,no,no",
            "Line 2, standard_cost: 1000000000000000 is too large (it must be less than "
            "1,000,000,000,000,000).",
        ),
        (
            "BAD,x,fifo,1,1,PCS,maybe,no",
            "Line 2, blocked: 'maybe' is not a yes/no value (use yes, no, true, false, 1 or 0).",
        ),
        (
            "BAD,x,standard,4,5,PCS,no,no",
            "Line 2, unit_cost: must equal standard_cost (4) for a Standard item; leave it blank.",
        ),
        (",x,fifo,1,1,PCS,no,no", "Line 2, no: must have a value."),
        (
            "ABCDEFGHIJKLMNOPQRSTU,x,fifo,1,1,PCS,no,no",
            "Line 2, no: 'ABCDEFGHIJKLMNOPQRSTU' is longer than 20 characters.",
        ),
        (
            "BAD,x,fifo,1,1,PIECES-LONG,no,no",
            "Line 2, base_unit_of_measure: 'PIECES-LONG' is longer than 10 characters.",
        ),
        ("BAD,x,fifo,1,1,PCS,no", "Line 2: has 7 fields but the header has 8."),
        # Duplicates are an error (not "last row wins"): the file is ambiguous.
        (
            "KEEP,again,fifo,1,1,PCS,no,no",
            "Line 2, no: 'KEEP' appears more than once in the file (first on line 1).",
        ),
    ],
)
def test_import_items_bad_row_changes_nothing(tmp_path, bad_row, message):
    factories.ItemFactory(no="KEEP", description="Kept", unit_cost=Decimal("1.5"))
    before = item_state("KEEP")
    path = write_csv(tmp_path, f"{ITEM_HEADER}\nKEEP,Changed,fifo,9,9,BOX,yes,yes\n{bad_row}\n")

    with pytest.raises(CommandError) as exc_info:
        run("import_items", path)

    assert str(exc_info.value) == message
    assert list(models.Item.objects.values_list("no", flat=True)) == ["KEEP"]
    assert item_state("KEEP") == before


def test_import_items_uses_the_setup_unit_amount_precision(tmp_path):
    factories.InventorySetupFactory(unit_amount_rounding_precision=Decimal("0.01"))
    path = write_csv(tmp_path, f"{ITEM_HEADER}\nX,,fifo,,1.234,,,\n")

    with pytest.raises(CommandError, match=r"^Line 1, unit_cost: 1.234 has more decimals than "):
        run("import_items", path)

    path = write_csv(tmp_path, f"{ITEM_HEADER}\nX,,fifo,,1.230,,,\n")
    assert run("import_items", path) == "Items: 1 created, 0 updated, 0 unchanged.\n"
    assert item_state("X")["unit_cost"] == Decimal("1.23")


def test_import_items_refuses_costing_method_change_with_ledger_entries(tmp_path):
    ile = factories.ItemLedgerEntryFactory(item__no="USED", item__costing_method="fifo")
    factories.ItemFactory(no="FRESH", costing_method="fifo")
    path = write_csv(
        tmp_path,
        f"""
        {ITEM_HEADER}
        FRESH,,average,,,,,
        USED,,average,,,,,
        """,
    )

    with pytest.raises(CommandError) as exc_info:
        run("import_items", path)

    assert str(exc_info.value) == (
        "Line 2, costing_method: You cannot change Costing Method because there are one or more "
        "ledger entries for this item."
    )
    assert item_state("USED")["costing_method"] == "fifo"
    assert item_state("FRESH")["costing_method"] == "fifo"  # rolled back with the file

    # Without the item that has entries the change goes through; an unchanged method is fine.
    path = write_csv(tmp_path, f"{ITEM_HEADER}\nFRESH,,average,,,,,\nUSED,,FIFO,,4,,,\n")
    assert run("import_items", path) == "Items: 0 created, 2 updated, 0 unchanged.\n"
    assert item_state("FRESH")["costing_method"] == "average"
    assert item_state(ile.item_id)["unit_cost"] == Decimal(4)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "{path} is empty: the first row must be the header"),
        (f"{ITEM_HEADER}\n", "{path} has no data rows"),
        (
            "no,description,costing_method,standard_cost,unit_cost\nA,,fifo,1,1\n",
            "{path}: missing column(s): base_unit_of_measure, blocked, inventory_value_zero",
        ),
        (
            f"{ITEM_HEADER},colour\nA,,fifo,1,1,PCS,no,no,red\n",
            "{path}: unknown column(s): colour (expected no, description, costing_method, "
            "standard_cost, unit_cost, base_unit_of_measure, blocked, inventory_value_zero)",
        ),
        (f"{ITEM_HEADER},no\n", "{path}: column(s) repeated in the header: no"),
    ],
)
def test_import_items_refuses_bad_files(tmp_path, text, message):
    path = write_csv(tmp_path, text)

    with pytest.raises(CommandError) as exc_info:
        run("import_items", path)

    assert str(exc_info.value) == message.format(path=path)
    assert not models.Item.objects.exists()


def test_import_items_missing_file(tmp_path):
    with pytest.raises(CommandError, match=r"^Cannot read .*nope\.csv: No such file"):
        run("import_items", str(tmp_path / "nope.csv"))


def test_command_error_goes_to_stderr_with_exit_status_1(tmp_path, monkeypatch, capsys):
    """From the shell: a one-line message on stderr, exit status 1, no traceback."""
    from django.core.management import load_command_class

    # run_from_argv closes the connections at the end; keep the test transaction alive.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    path = write_csv(tmp_path, f"{ITEM_HEADER}\nA,,fifo,-1,,,,\n")
    command = load_command_class("inventory", "import_items")

    with pytest.raises(SystemExit) as exc_info:
        command.run_from_argv(["manage.py", "import_items", path, "--skip-checks"])

    assert exc_info.value.code == 1
    captured = capsys.readouterr()
    assert captured.err == (
        "CommandError: Line 1, standard_cost: The value must be greater than or equal to 0 "
        "(got -1).\n"
    )
    assert captured.out == ""


# --------------------------------------------------------------------------- import_locations


def test_import_locations_creates_and_updates(tmp_path):
    factories.LocationFactory(code="RED", name="Red warehouse")
    factories.LocationFactory(code="GREEN", name="Green")

    out = run("import_locations", str(DATA / "locations.csv"))

    assert out == "Locations: 1 created, 0 updated, 1 unchanged.\n"
    assert dict(models.Location.objects.values_list("code", "name")) == {
        "BLUE": "Blue warehouse",
        "GREEN": "Green",
        "RED": "Red warehouse",  # blank name keeps the existing one
    }

    path = write_csv(tmp_path, "Code,Name\nRED,Red hall\n")
    assert run("import_locations", path) == "Locations: 0 created, 1 updated, 0 unchanged.\n"
    assert models.Location.objects.get(code="RED").name == "Red hall"


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (",Nameless", "Line 2, code: must have a value."),
        ("ABCDEFGHIJK,Long", "Line 2, code: 'ABCDEFGHIJK' is longer than 10 characters."),
        (
            "BLUE,Again",
            "Line 2, code: 'BLUE' appears more than once in the file (first on line 1).",
        ),
        (f"X,{'n' * 101}", f"Line 2, name: '{'n' * 50}…' is longer than 100 characters."),
    ],
)
def test_import_locations_bad_row_changes_nothing(tmp_path, bad_row, message):
    path = write_csv(tmp_path, f"code,name\nBLUE,Blue\n{bad_row}\n")

    with pytest.raises(CommandError) as exc_info:
        run("import_locations", path)

    assert str(exc_info.value) == message
    assert not models.Location.objects.exists()


# --------------------------------------------------------------------------- inventory_setup

DEFAULT_SETUP = """\
amount-rounding-precision: 0.01
unit-amount-rounding-precision: 0.00001
average-cost-calc-type: item
average-cost-period: day
allow-negative-inventory: yes
automatic-cost-adjustment: no
allow-posting-from:
allow-posting-to:
slow-moving-buckets:
slow-moving-age-from: posting
automatic-cost-posting: no
expected-cost-posting-to-gl: no
"""


def test_inventory_setup_prints_the_setup():
    assert run("inventory_setup") == DEFAULT_SETUP


def test_inventory_setup_changes_options():
    out = run(
        "inventory_setup",
        "--amount-rounding-precision=1",
        "--unit-amount-rounding-precision=0.01",
        "--average-cost-calc-type=item-location-variant",
        "--average-cost-period=month",
        "--allow-negative-inventory=no",
        "--automatic-cost-adjustment=yes",
        "--allow-posting-from=2025-01-01",
        "--allow-posting-to=2025-12-31",
        "--automatic-cost-posting=yes",
        "--expected-cost-posting-to-gl=yes",
    )

    assert out == (
        "Changed: amount-rounding-precision, unit-amount-rounding-precision, "
        "average-cost-calc-type, average-cost-period, allow-negative-inventory, "
        "automatic-cost-adjustment, automatic-cost-posting, expected-cost-posting-to-gl, "
        "allow-posting-from, allow-posting-to.\n"
        "amount-rounding-precision: 1\n"
        "unit-amount-rounding-precision: 0.01\n"
        "average-cost-calc-type: item-location-variant\n"
        "average-cost-period: month\n"
        "allow-negative-inventory: no\n"
        "automatic-cost-adjustment: yes\n"
        "allow-posting-from: 2025-01-01\n"
        "allow-posting-to: 2025-12-31\n"
        "slow-moving-buckets:\n"
        "slow-moving-age-from: posting\n"
        "automatic-cost-posting: yes\n"
        "expected-cost-posting-to-gl: yes\n"
    )
    setup = models.InventorySetup.get()
    assert setup.precision.amount == Decimal(1)
    assert setup.precision.unit_amount == Decimal("0.01")
    assert setup.average_cost_calc_type == "item_location_variant"
    assert setup.average_cost_period == "month"
    assert setup.allow_negative_inventory is False
    assert setup.automatic_cost_adjustment is True
    assert setup.allow_posting_from == datetime.date(2025, 1, 1)
    assert setup.allow_posting_to == datetime.date(2025, 12, 31)

    out = run("inventory_setup", "--allow-posting-from=", "--average-cost-period=month")
    assert out.startswith("Changed: allow-posting-from.\n")
    assert models.InventorySetup.get().allow_posting_from is None


def test_inventory_setup_slow_moving_buckets():
    out = run(
        "inventory_setup",
        "--slow-moving-buckets",
        " 365:50 , 730:100",
        "--slow-moving-age-from",
        "last-outbound",
    )
    assert out.startswith("Changed: slow-moving-buckets, slow-moving-age-from.\n")
    assert "slow-moving-buckets: 365:50,730:100\nslow-moving-age-from: last-outbound\n" in out
    with pytest.raises(CommandError, match="Buckets must be in ascending days"):
        run("inventory_setup", "--slow-moving-buckets", "730:100,365:50")
    with pytest.raises(CommandError, match="'365' is not days:percent"):
        run("inventory_setup", "--slow-moving-buckets", "365")
    assert models.InventorySetup.get().slow_moving_buckets == "365:50,730:100"


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            "--amount-rounding-precision=0.05",
            "--amount-rounding-precision: Amount Rounding Precision must be a power of ten "
            "between 0.00001 and 1 (got 0.05).",
        ),
        (
            "--amount-rounding-precision=10",
            "--amount-rounding-precision: Amount Rounding Precision must be a power of ten "
            "between 0.00001 and 1 (got 10).",
        ),
        (
            "--amount-rounding-precision=0.000001",
            "--amount-rounding-precision: Amount Rounding Precision must not be finer than "
            "0.00001 (got 0.000001).",
        ),
        (
            "--unit-amount-rounding-precision=0",
            "--unit-amount-rounding-precision: Unit-Amount Rounding Precision must be a power "
            "of ten between 0.0000000001 and 1 (got 0).",
        ),
        (
            "--unit-amount-rounding-precision=abc",
            "--unit-amount-rounding-precision: 'abc' is not a plain number: use digits 0-9 and a point for decimals only.",
        ),
        (
            "--allow-posting-from=2025-02-30",
            "--allow-posting-from: '2025-02-30' is not a date (use YYYY-MM-DD).",
        ),
        (
            "--allow-posting-from=2026-01-01",
            "--allow-posting-from: Allow Posting From (2026-01-01) must not be after Allow "
            "Posting To (2025-12-31).",
        ),
        (
            "--average-cost-period=fortnight",
            "Error: argument --average-cost-period: invalid choice",
        ),
    ],
)
def test_inventory_setup_refuses_bad_values(option, message):
    factories.InventorySetupFactory(allow_posting_to=datetime.date(2025, 12, 31))

    with pytest.raises(CommandError) as exc_info:
        run("inventory_setup", "--automatic-cost-adjustment=yes", option)

    assert str(exc_info.value).startswith(message)
    setup = models.InventorySetup.get()
    assert setup.automatic_cost_adjustment is False
    assert setup.amount_rounding_precision == Decimal("0.01")
    assert setup.allow_posting_from is None


@pytest.mark.parametrize(
    ("option", "field"),
    [
        ("--average-cost-period=week", "Average Cost Period"),
        ("--average-cost-calc-type=item-location-variant", "Average Cost Calc. Type"),
    ],
)
def test_inventory_setup_e63_average_settings_locked_by_value_entries(option, field):
    factories.ValueEntryFactory(item_ledger_entry__item__costing_method="average")

    with pytest.raises(CommandError) as exc_info:
        run("inventory_setup", option)

    assert str(exc_info.value).endswith(
        f"You cannot change {field} because value entries exist for items with Costing "
        "Method Average."
    )
    setup = models.InventorySetup.get()
    assert (setup.average_cost_period, setup.average_cost_calc_type) == ("day", "item")
    # Restating the current value is not a change.
    assert run("inventory_setup", "--average-cost-period=day").startswith("Nothing changed.\n")


def test_inventory_setup_average_settings_free_without_average_value_entries():
    factories.ValueEntryFactory(item_ledger_entry__item__costing_method="fifo")
    factories.ItemFactory(costing_method="average")  # an Average item without entries

    run("inventory_setup", "--average-cost-period=week")

    assert models.InventorySetup.get().average_cost_period == "week"


# --------------------------------------------------------------------------- export_ledger


@pytest.fixture
def ledger():
    """A receipt of 10 invoiced 4 (remaining 7) and a sale of 3 applied to it."""
    register = factories.ItemRegisterFactory(no=1)
    item = factories.ItemFactory(no="A1")
    purchase = factories.ItemLedgerEntryFactory(
        entry_no=1,
        item=item,
        item_register=register,
        document_no="P-1",
        location_code="BLUE",
        quantity=Decimal(10),
        remaining_quantity=Decimal(7),
        invoiced_quantity=Decimal(4),
    )
    factories.ValueEntryFactory(
        entry_no=1,
        item_ledger_entry=purchase,
        valued_quantity=Decimal(10),
        invoiced_quantity=Decimal(0),
        item_ledger_entry_quantity=Decimal(10),
        expected_cost=True,
        cost_amount_expected=Decimal("100.00"),
        cost_amount_actual=Decimal(0),
        cost_per_unit=Decimal(10),
        purchase_amount_expected=Decimal("100.00"),
    )
    factories.ValueEntryFactory(
        entry_no=2,
        item_ledger_entry=purchase,
        posting_date=datetime.date(2025, 1, 5),
        valuation_date=datetime.date(2025, 1, 1),
        valued_quantity=Decimal(4),
        invoiced_quantity=Decimal(4),
        item_ledger_entry_quantity=Decimal(0),
        cost_amount_actual=Decimal("40.00"),
        cost_amount_expected=Decimal("-40.00"),
        purchase_amount_actual=Decimal("40.00"),
        purchase_amount_expected=Decimal("-40.00"),
    )
    sale = factories.ItemLedgerEntryFactory(
        entry_no=2,
        item=item,
        item_register=register,
        posting_date=datetime.date(2025, 1, 3),
        entry_type=models.ItemLedgerEntryType.SALE,
        document_no="S-1",
        location_code="BLUE",
        quantity=Decimal(-3),
        remaining_quantity=Decimal(0),
        invoiced_quantity=Decimal(-3),
    )
    factories.ValueEntryFactory(
        entry_no=3,
        item_ledger_entry=sale,
        cost_amount_actual=Decimal("-90.67"),
        cost_per_unit=Decimal("30.2233333333"),
        sales_amount_actual=Decimal("150.00"),
    )
    factories.ItemApplicationEntryFactory(
        entry_no=1, item_ledger_entry=purchase, item_register=register
    )
    factories.ItemApplicationEntryFactory(
        entry_no=2,
        item_ledger_entry=sale,
        inbound_item_entry=purchase,
        outbound_item_entry=sale,
        quantity=Decimal(-3),
        item_register=register,
    )
    return purchase, sale


def test_export_item_ledger_csv(ledger, django_assert_num_queries):
    with django_assert_num_queries(1):  # cost amounts are subqueries, not a query per entry
        out = run("export_ledger", "item-ledger")

    assert out.splitlines() == [
        "entry_no,item_no,posting_date,entry_type,document_no,location_code,variant_code,"
        "quantity,remaining_quantity,invoiced_quantity,open,positive,completely_invoiced,"
        "cost_amount_actual,cost_amount_expected,description,last_invoice_date,"
        "applies_to_entry,applied_entry_to_adjust,source_code,reason_code,item_register_no",
        "1,A1,2025-01-01,purchase,P-1,BLUE,,10,7,4,true,true,false,40,60,,2025-01-01,0,false,"
        "ITEMJNL,,1",
        "2,A1,2025-01-03,sale,S-1,BLUE,,-3,0,-3,false,false,true,-90.67,0,,2025-01-03,0,false,"
        "ITEMJNL,,1",
    ]


def test_export_value_entries_csv(ledger):
    lines = run("export_ledger", "value").splitlines()

    assert lines[0] == (
        "entry_no,item_ledger_entry_no,item_no,posting_date,valuation_date,entry_type,"
        "item_ledger_entry_type,document_no,location_code,variant_code,valued_quantity,"
        "invoiced_quantity,cost_per_unit,cost_amount_actual,cost_amount_expected,"
        "partial_revaluation,adjustment,applies_to_entry,variance_type,description,"
        "item_ledger_entry_quantity,expected_cost,sales_amount_actual,sales_amount_expected,"
        "purchase_amount_actual,purchase_amount_expected,cost_posted_to_gl,"
        "expected_cost_posted_to_gl,valued_by_average_cost,inventoriable,source_code,"
        "reason_code,user,journal_batch_name,inventory_posting_group,gen_bus_posting_group,"
        "gen_prod_posting_group,item_register_no"
    )
    assert lines[1:] == [
        "1,1,A1,2025-01-01,2025-01-01,direct_cost,purchase,P-1,BLUE,,10,0,10,0,100,false,false,"
        "0,,,10,true,0,0,0,100,0,0,false,true,ITEMJNL,,,,,,,1",
        "2,1,A1,2025-01-05,2025-01-01,direct_cost,purchase,P-1,BLUE,,4,4,10,40,-40,false,false,"
        "0,,,0,false,0,0,40,-40,0,0,false,true,ITEMJNL,,,,,,,1",
        "3,2,A1,2025-01-03,2025-01-03,direct_cost,sale,S-1,BLUE,,-3,-3,30.2233333333,-90.67,0,"
        "false,false,0,,,-3,false,150,0,0,0,0,0,false,true,ITEMJNL,,,,,,,1",
    ]


def test_export_value_entries_shows_the_username():
    factories.ValueEntryFactory(user=factories.UserFactory(username="alice"))

    out = run("export_ledger", "value", "--format=json")

    assert json.loads(out)[0]["user"] == "alice"


def test_export_application_entries_csv(ledger):
    assert run("export_ledger", "application").splitlines() == [
        "entry_no,item_ledger_entry_no,inbound_item_entry_no,outbound_item_entry_no,quantity,"
        "posting_date,transferred_from_entry_no,cost_application,item_register_no",
        "1,1,1,0,10,2025-01-01,0,true,1",
        "2,2,1,2,-3,2025-01-03,0,true,1",
    ]


def test_export_item_ledger_json(ledger):
    out = run("export_ledger", "item-ledger", "--format", "json")

    assert out.startswith('[\n{"entry_no": 1, "item_no": "A1", ')
    assert out.endswith('"item_register_no": 1}\n]\n')
    entries = json.loads(out)
    assert [entry["entry_no"] for entry in entries] == [1, 2]
    assert entries[0] == {
        "entry_no": 1,
        "item_no": "A1",
        "posting_date": "2025-01-01",
        "entry_type": "purchase",
        "document_no": "P-1",
        "location_code": "BLUE",
        "variant_code": "",
        "quantity": "10",
        "remaining_quantity": "7",
        "invoiced_quantity": "4",
        "open": True,
        "positive": True,
        "completely_invoiced": False,
        "cost_amount_actual": "40",
        "cost_amount_expected": "60",
        "description": "",
        "last_invoice_date": "2025-01-01",
        "applies_to_entry": 0,
        "applied_entry_to_adjust": False,
        "source_code": "ITEMJNL",
        "reason_code": "",
        "item_register_no": 1,
    }
    assert list(entries[0])[:3] == ["entry_no", "item_no", "posting_date"]
    assert entries[1]["cost_amount_actual"] == "-90.67"


def test_export_application_json_and_null_dates(ledger):
    entries = json.loads(run("export_ledger", "application", "--format=json"))
    assert entries[0]["outbound_item_entry_no"] == 0
    assert entries[1]["quantity"] == "-3"

    factories.ItemLedgerEntryFactory(entry_no=3, item=ledger[0].item, last_invoice_date=None)
    entries = json.loads(run("export_ledger", "item-ledger", "--format=json"))
    assert entries[2]["last_invoice_date"] is None
    assert entries[2]["cost_amount_actual"] == "0"  # no value entries


@pytest.mark.parametrize(
    ("output_format", "expected"),
    [("json", "[]\n"), ("csv", "entry_no,item_ledger_entry_no,inbound_item_entry_no,")],
)
def test_export_empty_ledger(output_format, expected):
    assert run("export_ledger", "application", f"--format={output_format}").startswith(expected)


def test_export_unknown_ledger():
    with pytest.raises(CommandError, match="invalid choice: 'items'"):
        run("export_ledger", "items")


# --------------------------------------------------------------------------- post_item_journal


@pytest.fixture
def posted_lines(monkeypatch):
    """Replace item_journal_post in the command by a recorder that posts nothing."""
    calls: list[dict] = []

    def fake_post(*, lines, user=None, batch_name=""):
        calls.append({"lines": list(lines), "user": user, "batch_name": batch_name})
        register = models.ItemRegister(no=7)
        return PostingResult(register=register, item_ledger_entry_nos=[3, 4], value_entry_nos=[5])

    monkeypatch.setattr(post_item_journal, "item_journal_post", fake_post)
    return calls


def test_post_item_journal_parses_rows_into_journal_lines(tmp_path, posted_lines):
    path = write_csv(
        tmp_path,
        f"""
        {JOURNAL_HEADER},description
        2025-01-01,purchase,P-1,A,BLUE,V1,10,,10.50,,,,Receipt
        2025-01-02,Sale,S-1,A,BLUE,,-2,0,,,7,,
        2025-01-03,invoice,P-1,A,,,4,,11,1,,,

        ,transfer,T-1,A,BLUE,,3.5,,,,,RED,
        """,
    )

    out = run("post_item_journal", path)

    assert out == "Item register 7\nItem ledger entries: 3, 4\nValue entries: 5\n"
    assert len(posted_lines) == 1
    assert posted_lines[0]["user"] is None
    assert posted_lines[0]["batch_name"] == "CSV"
    assert posted_lines[0]["lines"] == [
        ItemJournalLineInput(
            line_no=1,
            posting_date=datetime.date(2025, 1, 1),
            entry_type="purchase",
            document_no="P-1",
            item_no="A",
            location_code="BLUE",
            variant_code="V1",
            quantity=Decimal(10),
            invoiced_quantity=None,
            unit_amount=Decimal("10.50"),
            description="Receipt",
        ),
        ItemJournalLineInput(
            line_no=2,
            posting_date=datetime.date(2025, 1, 2),
            entry_type="sale",
            document_no="S-1",
            item_no="A",
            location_code="BLUE",
            quantity=Decimal(-2),
            invoiced_quantity=Decimal(0),
            unit_amount=None,
            applies_from_entry=7,
        ),
        ItemJournalLineInput(
            line_no=3,
            posting_date=datetime.date(2025, 1, 3),
            entry_type="invoice",
            document_no="P-1",
            item_no="A",
            quantity=Decimal(4),
            unit_amount=Decimal(11),
            applies_to_entry=1,
        ),
        # Blank rows are skipped and not counted; a blank date goes to posting as None (E-08).
        ItemJournalLineInput(
            line_no=4,
            posting_date=None,
            entry_type="transfer",
            document_no="T-1",
            item_no="A",
            location_code="BLUE",
            new_location_code="RED",
            quantity=Decimal("3.5"),
        ),
    ]


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (
            "2025-13-01,purchase,P-1,A,,,1,,1,,,",
            "Line 2, posting_date: '2025-13-01' is not a date (use YYYY-MM-DD).",
        ),
        (
            "01/02/2025,purchase,P-1,A,,,1,,1,,,",
            "Line 2, posting_date: '01/02/2025' is not a date (use YYYY-MM-DD).",
        ),
        (
            "2025-01-01,receipt,P-1,A,,,1,,1,,,",
            "Line 2, entry_type: 'receipt' is not one of purchase, sale, positive_adjmt, "
            "negative_adjmt, transfer, invoice.",
        ),
        ("2025-01-01,,P-1,A,,,1,,1,,,", "Line 2, entry_type: must have a value."),
        (
            "2025-01-01,purchase,P-1,A,,,ten,,1,,,",
            "Line 2, quantity: 'ten' is not a plain number: use digits 0-9 and a point for decimals only.",
        ),
        ("2025-01-01,purchase,P-1,A,,,,,1,,,", "Line 2, quantity: must have a value."),
        (
            "2025-01-01,purchase,P-1,A,,,1.000001,,1,,,",
            "Line 2, quantity: 1.000001 has more than 5 decimals.",
        ),
        (
            "2025-01-01,purchase,P-1,A,,,1,1.5x,1,,,",
            "Line 2, invoiced_quantity: '1.5x' is not a plain number: use digits 0-9 and a point for decimals only.",
        ),
        (
            "2025-01-01,purchase,P-1,A,,,1,,1.00000000001,,,",
            "Line 2, unit_amount: 1.00000000001 has more than 10 decimals.",
        ),
        (
            "2025-01-01,sale,S-1,A,,,1,,1,-4,,",
            "Line 2, applies_to_entry: '-4' is not a whole number of 0 or more.",
        ),
        (
            "2025-01-01,sale,S-1,A,,,1,,1,,2.5,",
            "Line 2, applies_from_entry: '2.5' is not a whole number of 0 or more.",
        ),
        (
            "2025-01-01,purchase,P-1,ABCDEFGHIJKLMNOPQRSTU,,,1,,1,,,",
            "Line 2, item_no: 'ABCDEFGHIJKLMNOPQRSTU' is longer than 20 characters.",
        ),
        ("2025-01-01,purchase,P-1,A,,,1,,1,,", "Line 2: has 11 fields but the header has 12."),
    ],
)
def test_post_item_journal_parse_errors_post_nothing(tmp_path, posted_lines, bad_row, message):
    path = write_csv(
        tmp_path, f"{JOURNAL_HEADER}\n2025-01-01,purchase,P-1,A,,,1,,1,,,\n{bad_row}\n"
    )

    with pytest.raises(CommandError) as exc_info:
        run("post_item_journal", path)

    assert str(exc_info.value) == message
    assert posted_lines == []


def test_post_item_journal_missing_column(tmp_path, posted_lines):
    header = JOURNAL_HEADER.replace(",unit_amount", "")
    path = write_csv(tmp_path, f"{header}\n2025-01-01,purchase,P-1,A,,,1,,,,\n")

    with pytest.raises(CommandError) as exc_info:
        run("post_item_journal", path)

    assert str(exc_info.value) == f"{path}: missing column(s): unit_amount"
    assert posted_lines == []


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            PostingError(
                "Posting Date is not within your range of allowed posting dates.",
                line_no=2,
                field="posting_date",
            ),
            "Line 2, posting_date: Posting Date is not within your range of allowed posting dates.",
        ),
        (
            PostingError("You have insufficient quantity of Item A on inventory.", line_no=1),
            "Line 1: You have insufficient quantity of Item A on inventory.",
        ),
    ],
)
def test_post_item_journal_reports_posting_errors_by_line(tmp_path, monkeypatch, error, message):
    def refuse(*, lines, user=None, batch_name=""):
        raise error

    monkeypatch.setattr(post_item_journal, "item_journal_post", refuse)
    path = write_csv(tmp_path, f"{JOURNAL_HEADER}\n2025-01-01,purchase,P-1,A,,,1,,1,,,\n")

    with pytest.raises(CommandError) as exc_info:
        run("post_item_journal", path)

    assert str(exc_info.value) == message


# --------------------------------------------------------------------------- real posting

ILE_COLUMNS = 15  # the documented leading columns of the item ledger export
VE_COLUMNS = 18  # the documented leading columns of the value entry export


def export(ledger: str, columns: int) -> list[str]:
    lines = run("export_ledger", ledger).splitlines()
    return [",".join(line.split(",")[:columns]) for line in lines[1:]]


def test_post_item_journal_posts_the_file_and_export_shows_it():
    factories.InventorySetupFactory()
    factories.ItemFactory(no="A-FIFO", costing_method=models.CostingMethod.FIFO)

    out = run("post_item_journal", str(DATA / "journal_purchase_sale.csv"))

    assert out == "Item register 1\nItem ledger entries: 1, 2\nValue entries: 1, 2\n"
    assert export("item-ledger", ILE_COLUMNS) == [
        "1,A-FIFO,2025-01-01,purchase,P-1,,,10,5,10,true,true,true,100,0",
        "2,A-FIFO,2025-01-02,sale,S-1,,,-5,0,-5,false,false,true,-50,0",
    ]
    assert export("value", VE_COLUMNS) == [
        "1,1,A-FIFO,2025-01-01,2025-01-01,direct_cost,purchase,P-1,,,10,10,10,100,0,false,false,0",
        "2,2,A-FIFO,2025-01-02,2025-01-02,direct_cost,sale,S-1,,,-5,-5,10,-50,0,false,false,0",
    ]
    assert run("export_ledger", "application").splitlines()[1:] == [
        "1,1,1,0,10,2025-01-01,0,true,1",
        "2,2,1,2,-5,2025-01-02,0,true,1",
    ]
    register = models.ItemRegister.objects.get()
    assert (register.journal_batch_name, register.user) == ("CSV", None)


def test_post_item_journal_receipt_then_invoice(tmp_path):
    factories.InventorySetupFactory()
    factories.ItemFactory(no="A")
    receipt = write_csv(
        tmp_path, f"{JOURNAL_HEADER}\n2025-01-01,purchase,R-1,A,,,10,0,10,,,\n", "receipt.csv"
    )
    invoice = write_csv(
        tmp_path, f"{JOURNAL_HEADER}\n2025-01-10,invoice,I-1,A,,,4,,11,1,,\n", "invoice.csv"
    )

    run("post_item_journal", receipt)
    out = run("post_item_journal", invoice)

    assert out == "Item register 2\nItem ledger entries: none\nValue entries: 2\n"
    # Expected 100 on receipt; the invoice books 44 actual and reverses 4/10 of the expected.
    assert export("item-ledger", ILE_COLUMNS) == [
        "1,A,2025-01-01,purchase,R-1,,,10,10,4,true,true,false,44,60",
    ]


def test_post_item_journal_posting_error_posts_no_line(tmp_path):
    factories.InventorySetupFactory(allow_negative_inventory=False)
    factories.ItemFactory(no="A")
    path = write_csv(
        tmp_path,
        f"""
        {JOURNAL_HEADER}
        2025-01-01,purchase,P-1,A,,,10,,10,,,
        2025-01-02,sale,S-1,A,,,11,,,,,
        """,
    )

    with pytest.raises(CommandError) as exc_info:
        run("post_item_journal", path)

    assert str(exc_info.value).startswith(
        "Line 2, quantity: You have insufficient quantity of Item A on inventory."
    )
    assert not models.ItemLedgerEntry.objects.exists()
    assert not models.ItemRegister.objects.exists()


def test_post_item_journal_unit_amount_precision_is_the_posting_rule(tmp_path):
    factories.InventorySetupFactory()
    factories.ItemFactory(no="A")
    path = write_csv(tmp_path, f"{JOURNAL_HEADER}\n2025-01-01,purchase,P-1,A,,,1,,1.000001,,,\n")

    with pytest.raises(CommandError) as exc_info:
        run("post_item_journal", path)

    assert str(exc_info.value) == (
        "Line 1, unit_amount: Unit Amount must be a multiple of 0.00001 (too many decimals)."
    )
    assert not models.ItemLedgerEntry.objects.exists()


# --------------------------------------------------------------------------- refresh_last_direct_cost


def test_refresh_last_direct_cost_repairs_standard_items_posted_before_the_fix(setup):
    """§3.8 step 5: the last purchase invoice of S paid 25.00 for 2 units -> 12.50. Ledgers
    posted before the correction left Standard items at 0 (simulated by resetting it)."""
    factories.ItemFactory(no="S", costing_method=models.CostingMethod.STANDARD, standard_cost=15)
    factories.ItemFactory(no="M", last_direct_cost=Decimal("5"))  # never purchased: kept
    post(jline("purchase", "S", 4, day(1), unit_amount=10))
    post(jline("purchase", "S", 2, day(2), unit_amount="12.50"))
    post(jline("positive_adjmt", "S", 1, day(3), unit_amount=99))  # not a purchase
    post(jline("positive_adjmt", "M", 1, day(3), unit_amount=99))
    models.Item.objects.filter(no="S").update(last_direct_cost=0)

    out = StringIO()
    call_command("refresh_last_direct_cost", "--dry-run", stdout=out)
    assert out.getvalue() == "S: 0 -> 12.5\nLast Direct Cost would change on 1 item.\n"
    assert models.Item.objects.get(no="S").last_direct_cost == 0

    out = StringIO()
    call_command("refresh_last_direct_cost", stdout=out)
    assert out.getvalue() == "S: 0 -> 12.5\nLast Direct Cost changed on 1 item.\n"
    costs = dict(models.Item.objects.values_list("no", "last_direct_cost"))
    assert costs == {"S": Decimal("12.5"), "M": Decimal("5")}

    out = StringIO()
    call_command("refresh_last_direct_cost", "--item", "S", stdout=out)
    assert out.getvalue() == "Last Direct Cost changed on 0 items.\n"
    with pytest.raises(CommandError, match=r"Unknown item\(s\): NOPE\."):
        call_command("refresh_last_direct_cost", "--item", "NOPE", stdout=StringIO())


def test_adjust_cost_says_why_an_item_stays_not_adjusted(setup):
    factories.ItemFactory(no="S")
    post(jline("purchase", "S", 10, day(1), unit_amount=10))
    post(jline("sale", "S", 4, day(2), invoiced_quantity=0))
    out = StringIO()
    call_command("adjust_cost", stdout=out)
    assert out.getvalue().splitlines()[-1] == (
        "Item S stays not adjusted: entry 1: outbound entry 2 applied to it not completely "
        "invoiced; Adjust Cost forwards the cost again when invoiced."
    )
    # once the shipment is invoiced, the next run adjusts the item and says nothing more
    post(jline("invoice", "S", 4, day(3), unit_amount=20, applies_to_entry=2))
    out = StringIO()
    call_command("adjust_cost", stdout=out)
    assert "stays not adjusted" not in out.getvalue()
    assert models.Item.objects.get(no="S").cost_is_adjusted
