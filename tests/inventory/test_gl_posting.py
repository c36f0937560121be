"""G/L posting of value entries (spec §10): account pairs, amounts not yet posted, automatic and
batch posting, posting setups and their errors. Amounts worked out by hand in each docstring."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import transaction
from django.db.models import Q

from inventory.exceptions import PostingError
from inventory.gl_accounts import DEFAULT_CHART
from inventory.models import (
    CostingMethod,
    GeneralPostingSetup,
    GLAccount,
    GLEntry,
    GLItemLedgerRelation,
    GLRole,
    InventoryPeriod,
    InventoryPostingSetup,
    InventorySetup,
    ItemLedgerEntryType,
    ValueEntry,
    ValueEntryType,
)
from inventory.services.gl_posting import (
    ACCOUNT_PAIRS,
    ACTUAL,
    EXPECTED,
    GL_ENTRY_COLUMNS,
    PER_POSTING_GROUP,
    entry_nos_q,
    gl_balances_by_role,
    gl_lines_for,
    post_inventory_cost_to_gl,
)
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.lines import line_edit
from revaluation.services.posting import revaluation_batch_post
from tests import scenarios
from tests.factories import ItemFactory, LocationFactory
from tests.posting import day, jline, post

R = GLRole


def configure(*, automatic: bool, expected: bool = False) -> None:
    InventorySetup.get()
    InventorySetup.objects.filter(pk=1).update(
        automatic_cost_posting=automatic, expected_cost_posting_to_gl=expected
    )


def balances() -> dict[str, D]:
    """Σ G/L amount per role, zero balances left out."""
    return {role: total for role, total in gl_balances_by_role().items() if total}


def entries() -> list[tuple]:
    return list(
        GLEntry.objects.order_by("entry_no").values_list(
            "entry_no", "account_id", "role", "amount", "document_no"
        )
    )


def standard_scenario() -> None:
    """Test ``TestStandardCost`` of the revaluation tests: Standard item S at 7.50.

    VE1 receipt 4 (uninvoiced): expected 30.00. VE2/VE3 purchase 6 @ 8: direct cost 48.00, variance
    -3.00 (standard 45.00 - 48.00). Revaluation to standard 9.00 on D3: VE4 on the uninvoiced
    receipt 6.00 expected (interim revaluation, §9.3), VE5 on the invoiced entry 9.00 actual."""
    ItemFactory(no="S", costing_method=CostingMethod.STANDARD, standard_cost=D("7.50"))
    post(
        jline("purchase", "S", 4, day(1), unit_amount="7.50", invoiced_quantity=0, document_no="R1")
    )
    post(jline("purchase", "S", 6, day(2), unit_amount=8, document_no="P2"))
    [line] = calculate_inventory_value(
        batch_name="REVAL",
        options=CalculateOptions(
            posting_date=day(3),
            document_no="REV",
            per="item",
            calculation_base="standard_cost",
            update_standard_cost=True,
        ),
    )
    line_edit(line_id=line.pk, version=line.version, field="unit_cost_revalued", value="9")
    revaluation_batch_post(batch_name="REVAL")


def invoice_standard_receipt() -> None:
    """Invoice 4 @ 8 of the receipt: VE6 direct cost 32.00 actual, -30.00 expected; VE7 variance
    4.00 (36.00 at the new standard - 32.00); VE8 balancing revaluation -6.00 expected (§9.4)."""
    post(jline("invoice", "S", 4, day(4), unit_amount=8, applies_to_entry=1, document_no="PI"))


class TestAccountPairs:
    def test_every_pair_of_the_spec_table(self):
        t, v = ItemLedgerEntryType, ValueEntryType
        assert ACCOUNT_PAIRS[(t.PURCHASE, v.DIRECT_COST, ACTUAL)] == (
            R.INVENTORY,
            R.DIRECT_COST_APPLIED,
        )
        assert ACCOUNT_PAIRS[(t.PURCHASE, v.DIRECT_COST, EXPECTED)] == (
            R.INVENTORY_INTERIM,
            R.INVT_ACCRUAL_INTERIM,
        )
        assert ACCOUNT_PAIRS[(t.PURCHASE, v.VARIANCE, ACTUAL)] == (R.INVENTORY, R.PURCHASE_VARIANCE)
        assert ACCOUNT_PAIRS[(t.SALE, v.DIRECT_COST, ACTUAL)] == (R.INVENTORY, R.COGS)
        assert ACCOUNT_PAIRS[(t.SALE, v.DIRECT_COST, EXPECTED)] == (
            R.INVENTORY_INTERIM,
            R.COGS_INTERIM,
        )
        assert ACCOUNT_PAIRS[(t.SALE, v.REVALUATION, EXPECTED)] == (
            R.INVENTORY_INTERIM,
            R.COGS_INTERIM,
        )
        for entry_type in (t.POSITIVE_ADJMT, t.NEGATIVE_ADJMT, t.TRANSFER, t.SALE, t.PURCHASE):
            for value_type in (v.REVALUATION, v.ROUNDING):
                assert ACCOUNT_PAIRS[(entry_type, value_type, ACTUAL)] == (
                    R.INVENTORY,
                    R.INVENTORY_ADJMT,
                )
        assert (t.SALE, v.VARIANCE, ACTUAL) not in ACCOUNT_PAIRS  # E-52
        assert (t.TRANSFER, v.DIRECT_COST, EXPECTED) not in ACCOUNT_PAIRS

    def test_default_chart_has_one_account_per_role(self, db):
        numbers = [no for no, _, _ in DEFAULT_CHART.values()]
        assert len(set(numbers)) == len(GLRole) == 10
        assert set(GLAccount.objects.values_list("no", flat=True)) >= set(numbers)

    def test_purchase_and_sale_direct_cost(self, setup):
        """Purchase 10 @ 10.00: Inventory +100 / Direct Cost Applied -100. Sale 5: Inventory -50
        / COGS +50 (the sale's cost is -50.00, so the pair is reversed)."""
        configure(automatic=True)
        scenarios.purchase_and_sale()
        assert entries() == [
            (1, "2130", "inventory", D("100.00"), "DOC"),
            (2, "7190", "direct_cost_applied", D("-100.00"), "DOC"),
            (3, "2130", "inventory", D("-50.00"), "DOC"),
            (4, "7290", "cogs", D("50.00"), "DOC"),
        ]
        assert list(GLItemLedgerRelation.objects.values_list("gl_entry_id", "value_entry_id")) == [
            (1, 1),
            (2, 1),
            (3, 2),
            (4, 2),
        ]
        assert list(ValueEntry.objects.values_list("cost_posted_to_gl", flat=True)) == [
            D("100.00"),
            D("-50.00"),
        ]

    def test_revaluation_and_sale_adjustment(self, setup):
        """§14.1: P-1 100 + P-2 120 (Direct Cost Applied -220); S-1 -50, S-2 -86 (COGS +136);
        revaluation +40 (Inventory Adjmt. -40); Adjust Cost moves S-2 to -112: COGS +26.
        Inventory 220 - 136 + 40 - 26 = 98.00 = 7 units @ 14.00."""
        configure(automatic=True)
        scenarios.scenario_a_revalued_and_adjusted()
        assert balances() == {
            "inventory": D("98.00"),
            "direct_cost_applied": D("-220.00"),
            "cogs": D("162.00"),
            "inventory_adjmt": D("-40.00"),
        }
        revaluation = GLEntry.objects.filter(document_no="REV-1").order_by("entry_no")
        assert [(e.role, e.amount) for e in revaluation] == [
            ("inventory", D("20.00")),
            ("inventory_adjmt", D("-20.00")),
            ("inventory", D("20.00")),
            ("inventory_adjmt", D("-20.00")),
        ]

    def test_standard_with_expected_cost_posting(self, setup):
        """Expected cost on: receipt Interim +30 / Accrual -30; purchase Inventory +48 / DCA -48,
        variance Inventory -3 / Purchase Variance +3; revaluation Interim +6 / Accrual -6 and
        Inventory +9 / Adjmt. -9. The invoice: Inventory +32 / DCA -32, Interim -30 / Accrual
        +30, variance Inventory +4 / PV -4, balancing revaluation Interim -6 / Accrual +6."""
        configure(automatic=True, expected=True)
        standard_scenario()
        assert balances() == {
            "inventory": D("54.00"),
            "inventory_interim": D("36.00"),
            "invt_accrual_interim": D("-36.00"),
            "direct_cost_applied": D("-48.00"),
            "purchase_variance": D("3.00"),
            "inventory_adjmt": D("-9.00"),
        }
        invoice_standard_receipt()
        assert balances() == {
            "inventory": D("90.00"),
            "direct_cost_applied": D("-80.00"),
            "purchase_variance": D("-1.00"),
            "inventory_adjmt": D("-9.00"),
        }
        assert GLEntry.objects.filter(role="inventory_interim").count() == 4  # 30, 6, -30, -6
        posted = ValueEntry.objects.values_list(
            "cost_amount_actual",
            "cost_posted_to_gl",
            "cost_amount_expected",
            "expected_cost_posted_to_gl",
        )
        assert all(actual == p_actual and exp == p_exp for actual, p_actual, exp, p_exp in posted)

    def test_standard_without_expected_cost_posting(self, setup):
        """Expected cost off: no interim entries; the receipt and the interim revaluation post
        nothing, the actual amounts post as with it on."""
        configure(automatic=True)
        standard_scenario()
        assert balances() == {
            "inventory": D("54.00"),
            "direct_cost_applied": D("-48.00"),
            "purchase_variance": D("3.00"),
            "inventory_adjmt": D("-9.00"),
        }
        invoice_standard_receipt()
        assert balances() == {
            "inventory": D("90.00"),
            "direct_cost_applied": D("-80.00"),
            "purchase_variance": D("-1.00"),
            "inventory_adjmt": D("-9.00"),
        }
        assert not ValueEntry.objects.exclude(expected_cost_posted_to_gl=0).exists()

    def test_sale_shipped_not_invoiced(self, setup):
        """Shipment of 5 (purchase cost 10.00): expected -50.00 -> Interim -50 / COGS (Interim)
        +50; invoicing reverses it and posts the actual cost Inventory -50 / COGS +50."""
        configure(automatic=True, expected=True)
        ItemFactory(no="A")
        post(jline("purchase", "A", 10, day(1), unit_amount=10))
        post(jline("sale", "A", 5, day(2), unit_amount=20, invoiced_quantity=0, document_no="SH"))
        assert balances() == {
            "inventory": D("100.00"),
            "direct_cost_applied": D("-100.00"),
            "inventory_interim": D("-50.00"),
            "cogs_interim": D("50.00"),
        }
        post(jline("invoice", "A", 5, day(3), unit_amount=20, applies_to_entry=2, document_no="SI"))
        assert balances() == {
            "inventory": D("50.00"),
            "direct_cost_applied": D("-100.00"),
            "cogs": D("50.00"),
        }

    def test_sales_return_and_its_revaluation(self, setup):
        """Purchase 10 @ 10.00, sale 10 (COGS +100), sales return of 2 taking the sale's cost
        (Sale entry, +20.00: Inventory +20 / COGS -20), revalued per item on D4 to 15.00 a
        unit: +10.00 on the Sale entry, Inventory +10 / Inventory Adjmt. -10."""
        configure(automatic=True)
        ItemFactory(no="A")
        post(jline("purchase", "A", 10, day(1), unit_amount=10))
        post(jline("sale", "A", 10, day(2), unit_amount=20))
        post(jline("sale", "A", -2, day(3), unit_amount=20, applies_from_entry=2))
        [line] = calculate_inventory_value(
            batch_name="REVAL",
            options=CalculateOptions(posting_date=day(4), document_no="REV", per="item"),
        )
        line_edit(line_id=line.pk, version=line.version, field="unit_cost_revalued", value="15")
        revaluation_batch_post(batch_name="REVAL")
        revaluation = ValueEntry.objects.get(entry_type=ValueEntryType.REVALUATION)
        assert (revaluation.item_ledger_entry_type, revaluation.cost_amount_actual) == (
            "sale",
            D("10.00"),
        )
        assert list(GLEntry.objects.filter(document_no="REV").values_list("role", "amount")) == [
            ("inventory", D("10.00")),
            ("inventory_adjmt", D("-10.00")),
        ]
        assert balances() == {
            "inventory": D("30.00"),
            "direct_cost_applied": D("-100.00"),
            "cogs": D("80.00"),
            "inventory_adjmt": D("-10.00"),
        }

    def test_uninvoiced_sales_return_revalued_at_standard(self, setup):
        """Standard item at 10.00: purchase 10, sale 10, sales return of 2 received, not invoiced
        (expected +20.00: Interim +20 / COGS (Interim) -20). Revalued to standard 12.00 on D4:
        the interim revaluation of the return is expected cost 4.00 on a Sale entry, so
        Inventory (Interim) +4 / COGS (Interim) -4."""
        configure(automatic=True, expected=True)
        ItemFactory(no="S", costing_method=CostingMethod.STANDARD, standard_cost=D(10))
        post(jline("purchase", "S", 10, day(1), unit_amount=10))
        post(jline("sale", "S", 10, day(2), unit_amount=20))
        post(jline("sale", "S", -2, day(3), unit_amount=20, invoiced_quantity=0, document_no="RT"))
        [line] = calculate_inventory_value(
            batch_name="REVAL",
            options=CalculateOptions(
                posting_date=day(4),
                document_no="REV",
                per="item",
                calculation_base="standard_cost",
                update_standard_cost=True,
            ),
        )
        line_edit(line_id=line.pk, version=line.version, field="unit_cost_revalued", value="12")
        revaluation_batch_post(batch_name="REVAL")
        assert list(GLEntry.objects.filter(document_no="REV").values_list("role", "amount")) == [
            ("inventory_interim", D("4.00")),
            ("cogs_interim", D("-4.00")),
        ]
        assert balances() == {
            "direct_cost_applied": D("-100.00"),
            "cogs": D("100.00"),
            "inventory_interim": D("24.00"),
            "cogs_interim": D("-24.00"),
        }

    def test_transfer_and_adjustments(self, setup):
        """Transfer 4 of 10 @ 10.00 from BLUE to RED: Inventory BLUE -40 / Adjmt. +40, Inventory
        RED +40 / Adjmt. -40 (RED has its own inventory account 2135); positive adjustment 2 @
        5.00: Inventory +10 / Adjmt. -10; negative adjustment 1 (cost 10.00): -10 / +10."""
        configure(automatic=True)
        LocationFactory(code="BLUE")
        LocationFactory(code="RED")
        red = GLAccount.objects.create(no="2135", name="Inventory RED")
        # RED got its row from the defaults when it was created; give it its own account
        InventoryPostingSetup.objects.filter(location_code="RED").update(inventory=red)
        ItemFactory(no="A")
        post(jline("purchase", "A", 10, day(1), unit_amount=10, location_code="BLUE"))
        post(jline("transfer", "A", 4, day(2), location_code="BLUE", new_location_code="RED"))
        post(jline("positive_adjmt", "A", 2, day(3), unit_amount=5, location_code="BLUE"))
        post(jline("negative_adjmt", "A", 1, day(4), location_code="BLUE"))
        assert list(GLEntry.objects.filter(entry_no__gt=2).values_list("account_id", "amount")) == [
            ("2130", D("-40.00")),
            ("7270", D("40.00")),
            ("2135", D("40.00")),
            ("7270", D("-40.00")),
            ("2130", D("10.00")),
            ("7270", D("-10.00")),
            ("2130", D("-10.00")),
            ("7270", D("10.00")),
        ]
        # the setup row for BLUE was created from the defaults
        assert InventoryPostingSetup.objects.get(location_code="BLUE").inventory_id == "2130"

    def test_rounding_entry(self, setup):
        """Purchase 3 for 10.00 (3.33333 a unit), three sales of 1 at -3.33 each; Adjust Cost
        posts a rounding entry of -0.01 on the purchase: Inventory -0.01 / Adjmt. +0.01, so the
        Inventory account ends at exactly 10.00 - 3 x 3.33 - 0.01 = 0."""
        from inventory.services.adjustment import adjust_cost_item_entries

        configure(automatic=True)
        ItemFactory(no="A")
        post(jline("purchase", "A", 3, day(1), unit_amount="3.33333"))
        for n in (2, 3, 4):
            post(jline("sale", "A", 1, day(n)))
        adjust_cost_item_entries()
        rounding = ValueEntry.objects.get(entry_type=ValueEntryType.ROUNDING)
        assert (rounding.item_ledger_entry_type, rounding.cost_amount_actual) == (
            "purchase",
            D("-0.01"),
        )
        assert list(
            GLEntry.objects.filter(relations__value_entry=rounding).values_list("role", "amount")
        ) == [("inventory", D("-0.01")), ("inventory_adjmt", D("0.01"))]
        assert balances() == {
            "direct_cost_applied": D("-10.00"),
            "cogs": D("9.99"),
            "inventory_adjmt": D("0.01"),
        }


class TestBatchPosting:
    def test_batch_gives_the_same_gl_as_automatic(self, setup):
        """§14.1 posted twice, rolled back in between: with Automatic Cost Posting, and without
        it followed by Post Inventory Cost to G/L (per entry): the same G/L entries."""

        def posted_gl(automatic: bool) -> list[tuple]:
            with transaction.atomic():
                configure(automatic=automatic)
                scenarios.scenario_a_revalued_and_adjusted()
                if not automatic:
                    post_inventory_cost_to_gl()
                gl = list(
                    GLEntry.objects.order_by("entry_no").values_list(
                        "posting_date", "document_no", "account_id", "role", "amount"
                    )
                )
                transaction.set_rollback(True)
            return gl

        automatic = posted_gl(True)
        assert len(automatic) == 16
        assert posted_gl(False) == automatic

    def test_batch_posting_per_entry_then_nothing(self, setup):
        configure(automatic=False)
        scenarios.scenario_a_revalued_and_adjusted()
        assert not GLEntry.objects.exists()
        test = post_inventory_cost_to_gl(test=True)
        assert test.value_entries_posted == ValueEntry.objects.count() == 8
        assert not GLEntry.objects.exists()
        result = post_inventory_cost_to_gl()
        assert [(line.role, line.amount) for line in result.lines] == [
            (line.role, line.amount) for line in test.lines
        ]
        assert balances() == {
            "inventory": D("98.00"),
            "direct_cost_applied": D("-220.00"),
            "cogs": D("162.00"),
            "inventory_adjmt": D("-40.00"),
        }
        assert GLEntry.objects.filter(source_code="INVTTOGL").count() == 16
        again = post_inventory_cost_to_gl()
        assert (again.value_entries_posted, again.lines, again.register_no) == (0, [], None)
        assert GLEntry.objects.count() == 16

    def test_per_posting_group_sums_per_date_and_sign(self, setup):
        """Two purchases on D1 (100 + 50) and one on D2 (30): per posting group one pair for D1
        (Inventory +150 / DCA -150) and one for D2, all with the batch's document no."""
        configure(automatic=False)
        ItemFactory(no="A")
        ItemFactory(no="B")
        post(
            jline("purchase", "A", 10, day(1), unit_amount=10),
            jline("purchase", "B", 5, day(1), unit_amount=10),
        )
        post(jline("purchase", "A", 3, day(2), unit_amount=10))
        result = post_inventory_cost_to_gl(per=PER_POSTING_GROUP, document_no="GL-1")
        assert entries() == [
            (1, "2130", "inventory", D("150.00"), "GL-1"),
            (2, "7190", "direct_cost_applied", D("-150.00"), "GL-1"),
            (3, "2130", "inventory", D("30.00"), "GL-1"),
            (4, "7190", "direct_cost_applied", D("-30.00"), "GL-1"),
        ]
        assert result.value_entries_posted == 3
        assert sorted(
            GLItemLedgerRelation.objects.values_list("gl_entry_id", "value_entry_id")
        ) == [
            (1, 1),
            (1, 2),
            (2, 1),
            (2, 2),
            (3, 3),
            (4, 3),
        ]

    def test_per_posting_group_needs_a_document_no(self, setup):
        with pytest.raises(PostingError, match="Please enter a Document No."):
            post_inventory_cost_to_gl(per=PER_POSTING_GROUP)

    def test_closed_period_and_missing_account_are_skipped_and_listed(self, setup):
        configure(automatic=False)
        ItemFactory(no="A")
        ItemFactory(no="B", gen_prod_posting_group="RAW")
        post(jline("purchase", "A", 1, day(1), unit_amount=10))
        post(jline("purchase", "B", 1, day(20), unit_amount=10))
        post(jline("purchase", "A", 1, day(21), unit_amount=10))
        InventoryPeriod.objects.create(ending_date=day(10), closed=True)
        GeneralPostingSetup.objects.create(gen_prod_posting_group="RAW")  # no accounts
        result = post_inventory_cost_to_gl()
        assert [(s.value_entry_no, s.reason) for s in result.skipped] == [
            (
                1,
                "You cannot post before 2025-01-11 because the Inventory Period is already "
                "closed. You must re-open the period first.",
            ),
            (
                2,
                "Direct Cost Applied Account must have a value in General Posting Setup: "
                "Gen. Bus. Posting Group='', Gen. Prod. Posting Group='RAW'.",
            ),
        ]
        assert result.value_entries_posted == 1
        assert list(ValueEntry.objects.values_list("cost_posted_to_gl", flat=True)) == [
            0,
            0,
            D("10.00"),
        ]


def test_reason_code_reaches_the_gl_entries(setup):
    """A write-down with reason code NRV (10 @ 10.00 revalued to 8.00: -20.00): Inventory -20 /
    Inventory Adjmt. +20, both with the value entry's reason code."""
    from tests.factories import RevaluationBatchFactory

    configure(automatic=True)
    ItemFactory(no="A")
    post(jline("purchase", "A", 10, day(1), unit_amount="10"))
    RevaluationBatchFactory(name="REVAL", reason_code="NRV")
    [line] = calculate_inventory_value(
        batch_name="REVAL", options=CalculateOptions(posting_date=day(5), document_no="REV-1")
    )
    line_edit(line_id=line.pk, version=line.version, field="unit_cost_revalued", value="8")
    revaluation_batch_post(batch_name="REVAL")
    assert list(
        GLEntry.objects.filter(document_no="REV-1").values_list("role", "amount", "reason_code")
    ) == [("inventory", D("-20.00"), "NRV"), ("inventory_adjmt", D("20.00"), "NRV")]
    assert set(GLEntry.objects.filter(document_no="DOC").values_list("reason_code", flat=True)) == {
        ""
    }


def test_gl_lines_for_a_preview_write_nothing(setup):
    """What a preview shows: the would-be G/L entries of given value entries, nothing written."""
    scenarios.purchase_and_sale()
    lines, ves = gl_lines_for([1, 2], expected_posting=False)
    assert [(line.account_no, line.amount, line.value_entry_nos) for line in lines] == [
        ("2130", D("100.00"), [1]),
        ("7190", D("-100.00"), [1]),
        ("2130", D("-50.00"), [2]),
        ("7290", D("50.00"), [2]),
    ]
    assert len(ves) == 2
    assert not GLEntry.objects.exists()
    assert not ValueEntry.objects.exclude(cost_posted_to_gl=0).exists()


class TestSetupErrors:
    def test_blocked_account_refuses_the_posting_and_writes_nothing(self, setup):
        configure(automatic=True)
        ItemFactory(no="A")
        GLAccount.objects.filter(no="7190").update(blocked=True)
        with pytest.raises(
            PostingError,
            match=r"Blocked must be equal to 'No' in G/L Account: No.='7190' \(Direct Cost Applied Account in General Posting Setup: Gen. Bus. Posting Group='', Gen. Prod. Posting Group='RETAIL'\)",
        ):
            post(jline("purchase", "A", 1, day(1), unit_amount=10))
        assert not ValueEntry.objects.exists()
        assert not GLEntry.objects.exists()

    def test_blank_account_names_the_inventory_posting_setup_row(self, setup):
        configure(automatic=True)
        ItemFactory(no="A")
        InventoryPostingSetup.objects.filter(inventory_posting_group="RESALE").update(
            inventory=None
        )
        with pytest.raises(
            PostingError,
            match=r"Inventory Account must have a value in Inventory Posting Setup: "
            r"Location Code='', Inventory Posting Group='RESALE'\.",
        ):
            post(jline("purchase", "A", 1, day(1), unit_amount=10))
        assert not ValueEntry.objects.exists()

    def test_blocked_general_posting_setup(self, setup):
        configure(automatic=True)
        ItemFactory(no="A")
        GeneralPostingSetup.objects.filter(gen_prod_posting_group="RETAIL").update(blocked=True)
        with pytest.raises(
            PostingError, match="Blocked must be equal to 'No' in General Posting Setup"
        ):
            post(jline("purchase", "A", 1, day(1), unit_amount=10))
        assert not GLEntry.objects.exists()

    def test_new_posting_group_gets_setup_rows_from_the_defaults(self, setup):
        configure(automatic=True)
        LocationFactory(code="GREEN")
        ItemFactory(no="A", inventory_posting_group="RAW", gen_prod_posting_group="MISC")
        post(jline("purchase", "A", 1, day(1), unit_amount=10, location_code="GREEN"))
        row = InventoryPostingSetup.objects.get(
            location_code="GREEN", inventory_posting_group="RAW"
        )
        assert (row.inventory_id, row.inventory_interim_id, row.wip_id) == ("2130", "2131", "2140")
        assert GeneralPostingSetup.objects.get(gen_prod_posting_group="MISC").cogs_id == "7290"
        assert balances() == {"inventory": D("10.00"), "direct_cost_applied": D("-10.00")}


def test_a_new_location_gets_setup_rows_from_the_defaults(db):
    InventoryPostingSetup.objects.create(location_code="", inventory_posting_group="RAW")
    LocationFactory(code="YELLOW")
    rows = InventoryPostingSetup.objects.filter(location_code="YELLOW").order_by(
        "inventory_posting_group"
    )
    assert [(r.inventory_posting_group, r.inventory_id, r.inventory_interim_id) for r in rows] == [
        ("RAW", "2130", "2131"),
        ("RESALE", "2130", "2131"),
    ]


def test_the_gl_entry_rows_name_every_column():
    """``_write`` COPYs G/L entries as rows of ``GL_ENTRY_COLUMNS``: a column added to the model
    must be added there too (a missing NOT NULL column would fail every posting)."""
    assert sorted(GL_ENTRY_COLUMNS) == sorted(f.attname for f in GLEntry._meta.concrete_fields)


@pytest.mark.parametrize(
    "nos, q",
    [
        ([5, 3, 4], Q(entry_no__gte=3, entry_no__lte=5)),  # a posting's entries: one range
        ([3, 5], Q(entry_no__in=[3, 5])),
        ([3, 3, 4], Q(entry_no__in=[3, 3, 4])),
        ([], Q(entry_no__in=[])),
    ],
)
def test_entry_numbers_filter_by_range_when_they_are_one(nos, q):
    assert entry_nos_q(nos) == q
