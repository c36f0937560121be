"""G/L commands, exports, reconciliation and the PostgreSQL protection of the G/L ledgers."""

from __future__ import annotations

import json
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import IntegrityError
from django.urls import reverse

from inventory.ledger_checks import ledger_problems
from inventory.models import GLEntry, InventorySetup, ValueEntry
from inventory.reconciliation import differences, reconcile
from inventory.services import demo
from inventory.services.adjustment import adjust_cost_item_entries
from inventory.services.gl_posting import post_inventory_cost_to_gl
from tests import scenarios
from tests.factories import ItemFactory
from tests.posting import day, jline, post


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def automatic(on: bool = True) -> None:
    InventorySetup.get()
    InventorySetup.objects.filter(pk=1).update(automatic_cost_posting=on)


@pytest.fixture
def posted_gl(setup):
    """Item A: purchase 10 @ 10.00 (D1), sale 5 (D3), posted to the G/L automatically."""
    automatic()
    scenarios.purchase_and_sale()


class TestCommands:
    def test_export_gl_csv(self, posted_gl):
        assert run("export_ledger", "gl").splitlines()[:3] == [
            "entry_no,posting_date,document_no,account_no,account_name,role,amount,description,"
            "source_code,reason_code,location_code,inventory_posting_group,gen_bus_posting_group,"
            "gen_prod_posting_group,gl_register_no",
            "1,2025-01-01,DOC,2130,Inventory,inventory,100,Item A,ITEMJNL,,,RESALE,,RETAIL,1",
            "2,2025-01-01,DOC,7190,Direct Cost Applied,direct_cost_applied,-100,Item A,ITEMJNL,,,"
            "RESALE,,RETAIL,1",
        ]

    def test_export_gl_json_and_relation(self, posted_gl):
        records = json.loads(run("export_ledger", "gl", "--format", "json"))
        assert [(r["entry_no"], r["role"], r["amount"]) for r in records] == [
            (1, "inventory", "100"),
            (2, "direct_cost_applied", "-100"),
            (3, "inventory", "-50"),
            (4, "cogs", "50"),
        ]
        assert run("export_ledger", "gl-item-relation").splitlines() == [
            "gl_entry_no,value_entry_no,gl_register_no",
            "1,1,1",
            "2,1,1",
            "3,2,2",
            "4,2,2",
        ]
        value = run("export_ledger", "value").splitlines()
        header = value[0].split(",")
        row = dict(zip(header, value[2].split(","), strict=True))
        assert (row["cost_posted_to_gl"], row["expected_cost_posted_to_gl"]) == ("-50", "0")

    def test_post_inventory_cost_to_gl_command(self, setup):
        scenarios.purchase_and_sale()
        out = run("post_inventory_cost_to_gl", "--test")
        assert out.splitlines()[0] == "Would post 2 value entries as 4 G/L entries (debit 150)."
        assert not GLEntry.objects.exists()
        out = run("post_inventory_cost_to_gl", "--per", "posting-group", "--document-no", "GL-1")
        assert out.splitlines()[:2] == [
            "Posted 2 value entries as 4 G/L entries (debit 150).",
            "G/L register: 1",
        ]
        assert set(GLEntry.objects.values_list("document_no", flat=True)) == {"GL-1"}
        again = run("post_inventory_cost_to_gl")
        assert again.splitlines() == ["Posted 0 value entries as 0 G/L entries (debit 0)."]

    def test_post_inventory_cost_to_gl_refuses_bad_input(self, setup):
        scenarios.purchase_and_sale()
        with pytest.raises(CommandError, match="Please enter a Document No."):
            run("post_inventory_cost_to_gl", "--per", "posting-group")
        with pytest.raises(CommandError, match="at most 20 characters"):
            run("post_inventory_cost_to_gl", "--document-no", "X" * 21)
        assert not GLEntry.objects.exists()

    def test_reconcile_command(self, posted_gl):
        out = run("reconcile_inventory_gl", "--as-of", "2025-01-02")
        assert out.splitlines() == [
            "level,role,location_code,inventory_posting_group,item_no,account_no,"
            "inventory_value,gl_balance,not_yet_posted,difference",
            "item,inventory,,,A,,100,100,0,0",
            "role,inventory,,RESALE,,2130,100,100,0,0",
        ]
        records = json.loads(
            run("reconcile_inventory_gl", "--as-of", "2025-01-31", "--format", "json")
        )
        assert [(r["level"], r["inventory_value"], r["gl_balance"]) for r in records] == [
            ("item", "50", "50"),
            ("role", "50", "50"),
        ]
        with pytest.raises(CommandError, match="--as-of: '2025-13-01' is not a date"):
            run("reconcile_inventory_gl", "--as-of", "2025-13-01")


class TestReconciliation:
    def test_not_yet_posted_explains_the_gap(self, setup):
        """Automatic posting off: the inventory value 50.00 is all 'not yet posted', no
        difference; after Post Inventory Cost to G/L the G/L holds it."""
        scenarios.purchase_and_sale()
        [item_row, role_row] = reconcile(day(31))
        assert (role_row.inventory_value, role_row.gl_balance, role_row.not_yet_posted) == (
            D("50.00"),
            0,
            D("50.00"),
        )
        assert role_row.difference == 0 and item_row.difference == 0
        run("post_inventory_cost_to_gl")
        [_, role_row] = reconcile(day(31))
        assert (role_row.gl_balance, role_row.not_yet_posted, role_row.difference) == (
            D("50.00"),
            0,
            0,
        )

    def test_entries_summing_several_items(self, setup):
        """Per posting group, A's 100.00 and B's 50.00 are one Inventory entry of 150.00: it
        counts on the row of several items; the role row reconciles, the item rows are not
        exact (their G/L side is 0) and no difference is reported."""
        ItemFactory(no="A")
        ItemFactory(no="B")
        post(
            jline("purchase", "A", 10, day(1), unit_amount=10),
            jline("purchase", "B", 5, day(1), unit_amount=10),
        )
        run("post_inventory_cost_to_gl", "--per", "posting-group", "--document-no", "GL-1")
        rows = reconcile(day(1))
        assert [(r.level, r.item_no, r.inventory_value, r.gl_balance, r.exact) for r in rows] == [
            ("item", "*", 0, D("150.00"), False),
            ("item", "A", D("100.00"), 0, False),
            ("item", "B", D("50.00"), 0, False),
            ("role", "", D("150.00"), D("150.00"), True),
        ]
        assert differences(rows) == []

    def test_demo_reconciles_to_zero(self, db):
        demo.load_demo(days=30)
        adjust_cost_item_entries()
        assert GLEntry.objects.filter(source_code="INVTADJMT").exists()
        assert GLEntry.objects.filter(role="inventory_interim").exists()
        assert GLEntry.objects.count() > 500
        assert not ValueEntry.objects.exclude(
            cost_posted_to_gl=models_f("cost_amount_actual")
        ).exists()
        rows = reconcile(day(31))
        assert differences(rows) == []
        assert ledger_problems() == []
        total = sum(
            row.inventory_value for row in rows if row.level == "role" and row.role == "inventory"
        )
        assert total == sum(
            GLEntry.objects.filter(role="inventory").values_list("amount", flat=True)
        )
        assert total > 0


def models_f(name: str):
    from django.db.models import F

    return F(name)


@pytest.mark.django_db(transaction=True)
class TestProtection:
    def sql(self, statement: str) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)

    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE inventory_glentry SET amount = amount + 1",
            "UPDATE inventory_glentry SET document_no = 'X'",
            "DELETE FROM inventory_glentry",
            "UPDATE inventory_glregister SET to_entry_no = 99",
            "DELETE FROM inventory_glregister",
            "UPDATE inventory_glitemledgerrelation SET value_entry_id = 2",
            "DELETE FROM inventory_glitemledgerrelation",
            "TRUNCATE inventory_glentry CASCADE",
            "TRUNCATE inventory_glregister CASCADE",
            "TRUNCATE inventory_glitemledgerrelation",
        ],
    )
    def test_raw_sql_cannot_change_the_gl(self, posted_gl, statement):
        with pytest.raises(IntegrityError, match="append-only"):
            self.sql(statement)
        assert GLEntry.objects.count() == 4

    def test_broken_gl_shows_the_difference(self, posted_gl, viewer_client):
        """Test only: the G/L changed behind the ledgers' back (triggers off, as the teardown
        does): Inventory 100.00 became 105.00, so both the role row and item A's row differ by
        -5.00 on D1."""
        self.sql(
            "SET LOCAL session_replication_role = replica;"
            "UPDATE inventory_glentry SET amount = 105 WHERE entry_no = 1"
        )
        found = differences(reconcile(day(1)))
        assert [(row.level, row.item_no, row.difference) for row in found] == [
            ("item", "A", D("-5.00")),
            ("role", "", D("-5.00")),
        ]
        with pytest.raises(CommandError, match="2 difference"):
            run("reconcile_inventory_gl", "--as-of", "2025-01-01")
        page = viewer_client.get(reverse("gl-reconciliation"), {"as_of": "2025-01-01"})
        assert page.content.decode().count('class="is-difference"') == 2
        assert [problem.check for problem in ledger_problems()] == [
            "every G/L register balances",
            "the Inventory accounts hold what the value entries say was posted",
        ]


@pytest.mark.django_db(transaction=True)
def test_two_batch_runs_at_once_post_each_value_entry_once():
    """Both runs take the item ledger counters first: the second waits, then finds nothing."""
    from tests.inventory.test_posting_concurrency import run_concurrently

    InventorySetup.get()
    scenarios.purchase_and_sale()
    results = run_concurrently(post_inventory_cost_to_gl, post_inventory_cost_to_gl)
    assert sorted(r.value_entries_posted for r in results) == [0, 2], results
    assert list(GLEntry.objects.values_list("entry_no", "amount")) == [
        (1, D("100.00")),
        (2, D("-100.00")),
        (3, D("-50.00")),
        (4, D("50.00")),
    ]
