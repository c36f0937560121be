"""Adjust Cost - Item Entries (spec §7, §8, §14) to the cent."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest

from inventory.models import (
    CostingMethod,
    InventorySetup,
    Item,
    ItemLedgerEntry,
    ValueEntry,
)
from inventory.services.adjustment import adjust_cost_item_entries
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.lines import line_create_manual, line_edit
from revaluation.services.posting import revaluation_batch_post
from tests.factories import (
    InventoryPeriodFactory,
    ItemFactory,
    LocationFactory,
    RevaluationBatchFactory,
)
from tests.posting import day, jline, post, ve

pytestmark = pytest.mark.django_db


def cost(entry_no: int) -> D:
    """Cost Amount (Actual) of an item ledger entry: the sum of its value entries."""
    return sum(
        v.cost_amount_actual for v in ValueEntry.objects.filter(item_ledger_entry_id=entry_no)
    )


def adjust(**kwargs):
    summary = adjust_cost_item_entries(**kwargs)
    assert not summary.failures, summary.failures
    return summary


def adjustments():
    return [
        (
            v.entry_no,
            v.item_ledger_entry_id,
            v.applies_to_entry,
            v.cost_amount_actual,
            v.cost_per_unit,
            v.posting_date,
        )
        for v in ValueEntry.objects.filter(adjustment=True).order_by("entry_no")
    ]


class TestScenarioA:
    """§14.1 with automatic cost adjustment after every posting."""

    def test_whole_scenario(self, setup, django_capture_on_commit_callbacks):
        InventorySetup.objects.filter(pk=1).update(automatic_cost_adjustment=True)
        ItemFactory(no="A", costing_method=CostingMethod.FIFO)

        def posted(*lines):
            with django_capture_on_commit_callbacks(execute=True):
                post(*lines)

        def unit_cost():
            return Item.objects.get(no="A").unit_cost

        posted(jline("purchase", "A", 10, day(1), unit_amount=10, document_no="P-1"))
        assert unit_cost() == D("10")
        posted(jline("purchase", "A", 10, day(2), unit_amount=12, document_no="P-2"))
        assert unit_cost() == D("11")
        posted(jline("sale", "A", 5, day(3), document_no="S-1"))
        assert ve(3).cost_amount_actual == D("-55.00")
        assert adjustments() == [(4, 3, 3, D("5.00"), D("-1.00"), day(3))]
        adjustment = ve(4)
        assert (
            adjustment.entry_type,
            adjustment.valued_quantity,
            adjustment.invoiced_quantity,
        ) == ("direct_cost", -5, 0)
        assert (adjustment.valuation_date, adjustment.source_code, adjustment.document_no) == (
            day(3),
            "INVTADJMT",
            "S-1",
        )
        assert unit_cost() == D("11.33333")

        posted(jline("sale", "A", 8, day(5), document_no="S-2"))
        assert ve(5).cost_amount_actual == D("-90.67") and ve(5).cost_per_unit == D("11.33375")
        assert adjustments()[1:] == [(6, 4, 5, D("4.67"), D("-0.58375"), day(5))]
        assert not ValueEntry.objects.filter(entry_type="rounding").exists()
        assert unit_cost() == D("12")
        assert [cost(n) for n in (1, 2, 3, 4)] == [
            D("100.00"),
            D("120.00"),
            D("-50.00"),
            D("-86.00"),
        ]

        [line] = calculate_inventory_value(
            batch_name="REVAL",
            options=CalculateOptions(posting_date=day(4), document_no="REV-1", per="item"),
        )
        line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="14")
        with django_capture_on_commit_callbacks(execute=True):
            revaluation_batch_post(batch_name="REVAL")
        assert [
            (v.entry_no, v.item_ledger_entry_id, v.cost_amount_actual)
            for v in ValueEntry.objects.filter(entry_type="revaluation")
        ] == [
            (7, 1, D("20.00")),
            (8, 2, D("20.00")),
        ]
        # the sale dated after the revaluation date gets the new cost; S-1 keeps its cost (case A)
        assert adjustments()[2:] == [(9, 4, 5, D("-26.00"), D("3.25"), day(5))]
        assert ve(9).valuation_date == day(5) and ve(9).document_no == "S-2"
        assert [cost(n) for n in (1, 2, 3, 4)] == [
            D("120.00"),
            D("140.00"),
            D("-50.00"),
            D("-112.00"),
        ]
        assert unit_cost() == D("14")
        assert Item.objects.get(no="A").cost_is_adjusted
        assert adjust().entries_created == 0  # a second run posts nothing


DECREASES = {
    # §14.2 (b): cost of the decreases of 2020-02-01, 03-01 and 04-01 after adjustment
    CostingMethod.FIFO: [D("-10.00"), D("-20.00"), D("-30.00")],
    CostingMethod.LIFO: [D("-30.00"), D("-20.00"), D("-10.00")],
    CostingMethod.AVERAGE: [D("-20.00"), D("-20.00"), D("-20.00")],
    CostingMethod.STANDARD: [D("-15.00"), D("-15.00"), D("-15.00")],
    CostingMethod.SPECIFIC: [D("-20.00"), D("-10.00"), D("-30.00")],
}


@pytest.mark.parametrize("period", ["day", "month"])
@pytest.mark.parametrize("method", list(DECREASES))
def test_costing_methods_after_adjustment(setup, method, period):
    InventorySetup.objects.filter(pk=1).update(average_cost_period=period)
    ItemFactory(no="B", costing_method=method, standard_cost=D("15"))
    jan1 = datetime.date(2020, 1, 1)
    post(*(jline("purchase", "B", 1, jan1, unit_amount=amount) for amount in (10, 20, 30)))
    for month, fixed in zip((2, 3, 4), (2, 1, 3), strict=True):
        applies_to = fixed if method == CostingMethod.SPECIFIC else 0
        post(jline("sale", "B", 1, datetime.date(2020, month, 1), applies_to_entry=applies_to))
    adjust()
    assert [cost(n) for n in (4, 5, 6)] == DECREASES[method]
    increases = sum(cost(n) for n in (1, 2, 3))
    assert increases + sum(DECREASES[method]) == 0  # quantity 0 means value 0
    assert adjust().entries_created == 0
    assert Item.objects.get(no="B").cost_is_adjusted


def test_rounding_entry_on_three_units(setup):
    ItemFactory(no="R")
    post(jline("purchase", "R", 3, day(1), unit_amount="3.33333", document_no="P-1"))
    assert cost(1) == D("10.00")
    for n in (2, 3, 4):
        post(jline("sale", "R", 1, day(n)))
    adjust()
    assert [cost(n) for n in (2, 3, 4)] == [D("-3.33")] * 3
    rounding = ValueEntry.objects.get(entry_type="rounding")
    assert (
        rounding.item_ledger_entry_id,
        rounding.cost_amount_actual,
        rounding.valued_quantity,
    ) == (1, D("-0.01"), 3)
    assert (rounding.cost_per_unit, rounding.posting_date, rounding.document_no) == (
        0,
        day(1),
        "P-1",
    )
    assert cost(1) + sum(cost(n) for n in (2, 3, 4)) == 0
    assert adjust().entries_created == 0


def test_transfer_and_manual_revaluation_carry_cost(setup):
    LocationFactory(code="BLUE")
    LocationFactory(code="RED")
    ItemFactory(no="T")
    post(jline("purchase", "T", 10, day(1), unit_amount=10, location_code="BLUE"))
    post(jline("transfer", "T", 4, day(2), location_code="BLUE", new_location_code="RED"))
    post(jline("sale", "T", 4, day(3), location_code="RED"))
    adjust()
    assert [cost(n) for n in (2, 3, 4)] == [D("-40.00"), D("40.00"), D("-40.00")]

    RevaluationBatchFactory(name="MAN")
    line = line_create_manual(batch_name="MAN", item_no="T", applies_to_entry=1, document_no="M-1")
    line_edit(line_id=line.pk, version=line.version, field="inventory_value_revalued", value="110")
    revaluation_batch_post(batch_name="MAN")
    adjust()
    # a manual revaluation reaches every outbound: the transfer legs and the sale at RED
    assert [cost(n) for n in (1, 2, 3, 4)] == [D("110.00"), D("-44.00"), D("44.00"), D("-44.00")]
    assert adjust().entries_created == 0


def test_sales_return_takes_the_adjusted_sale_cost(setup):
    ItemFactory(no="S")
    post(jline("purchase", "S", 10, day(1), unit_amount=4))
    Item.objects.filter(no="S").update(unit_cost=D(5))
    post(jline("sale", "S", 3, day(2), unit_amount=9))
    post(jline("sale", "S", -2, day(3), unit_amount=9, applies_from_entry=2))
    assert (cost(2), cost(3)) == (D("-15.00"), D("10.00"))
    adjust()
    assert (cost(2), cost(3)) == (D("-12.00"), D("8.00"))


def test_purchase_return_reverses_the_receipt_cost(setup):
    ItemFactory(no="P")
    post(jline("purchase", "P", 10, day(1), unit_amount=1))
    post(jline("purchase", "P", 10, day(2), unit_amount=2))
    post(jline("purchase", "P", -10, day(3), unit_amount="2.5", applies_to_entry=2))
    assert cost(3) == D("-25.00")
    adjust()
    assert cost(3) == D("-20.00") and cost(1) == D("10.00")


class TestAverage:
    def post_month(self):
        ItemFactory(no="AV", costing_method=CostingMethod.AVERAGE)
        post(jline("purchase", "AV", 10, day(5), unit_amount=10))
        post(jline("sale", "AV", 5, day(10)))
        post(jline("purchase", "AV", 10, day(20), unit_amount=16))

    def test_by_day(self, setup):
        self.post_month()
        adjust()
        assert cost(2) == D("-50.00")
        post(jline("purchase", "AV", 10, day(8), unit_amount=4))  # back-dated before the sale
        adjust()
        assert cost(2) == D("-35.00")  # (100 + 40) / 20 x 5
        assert adjust().entries_created == 0

    def test_by_month(self, setup):
        InventorySetup.objects.filter(pk=1).update(average_cost_period="month")
        self.post_month()
        adjust()
        assert cost(2) == D("-65.00")  # (100 + 160) / 20 x 5
        post(jline("purchase", "AV", 10, day(8), unit_amount=4))
        adjust()
        assert cost(2) == D("-50.00")  # (100 + 160 + 40) / 30 x 5
        assert Item.objects.get(no="AV").unit_cost == D("10")  # 250 / 25 on hand

    def test_average_item_per_item_revaluation(self, setup):
        InventorySetup.objects.filter(pk=1).update(average_cost_period="month")
        self.post_month()
        adjust()
        [line] = calculate_inventory_value(
            batch_name="AVG",
            options=CalculateOptions(posting_date=day(31), document_no="R", per="item"),
        )
        # 15 units at the month's average 13.00; the entries' own history is 50 + 160 = 210
        assert (line.quantity, line.inventory_value_calculated, line.applied_amount) == (
            15,
            D("195.00"),
            D("210.00"),
        )
        line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="12")
        revaluation_batch_post(batch_name="AVG")
        # each entry moved to 12.00 a unit: ILE 1 (5 left of 10 worth 50) +10, ILE 3 absorbs the rest
        assert [
            (v.item_ledger_entry_id, v.cost_amount_actual)
            for v in ValueEntry.objects.filter(entry_type="revaluation").order_by("entry_no")
        ] == [(1, D("10.00")), (3, D("-25.00"))]
        adjust()
        assert cost(2) == D("-65.00")  # the sale in the revalued period keeps its average


def test_adjustment_moves_out_of_a_closed_period(setup):
    ItemFactory(no="C")
    post(jline("purchase", "C", 10, day(1), unit_amount=10))
    Item.objects.filter(no="C").update(unit_cost=D(12))
    post(jline("sale", "C", 5, day(3)))
    InventoryPeriodFactory(ending_date=day(5), closed=True)
    adjust()
    assert adjustments() == [(3, 2, 2, D("10.00"), D("-2"), day(6))]
    assert ve(3).valuation_date == day(3)


def test_adjustment_date_follows_allow_posting_from(setup):
    ItemFactory(no="C")
    post(jline("purchase", "C", 10, day(1), unit_amount=10))
    Item.objects.filter(no="C").update(unit_cost=D(12))
    post(jline("sale", "C", 5, day(3)))
    InventorySetup.objects.filter(pk=1).update(allow_posting_from=day(10))
    adjust()
    assert adjustments()[0][-1] == day(10)


def test_failing_item_is_reported_and_others_adjusted(setup):
    ItemFactory(no="C1")
    ItemFactory(no="C2")
    for no in ("C1", "C2"):
        post(jline("purchase", no, 10, day(1), unit_amount=10))
    Item.objects.update(unit_cost=D(12))
    post(jline("sale", "C1", 5, day(3)), jline("sale", "C2", 5, day(20)))
    InventorySetup.objects.filter(pk=1).update(allow_posting_to=day(10))
    summary = adjust_cost_item_entries()
    assert summary.failures == [
        ("C2", "Posting Date is not within your range of allowed posting dates.")
    ]
    assert summary.items_adjusted == 1 and summary.entries_created == 1
    assert cost(3) == D("-50.00") and cost(4) == D("-60.00")
    assert not Item.objects.get(no="C2").cost_is_adjusted


def test_negative_inventory_is_costed_from_the_closing_inbound(setup):
    ItemFactory(no="N", unit_cost=D(4))
    post(jline("sale", "N", 5, day(2)))
    post(jline("purchase", "N", 8, day(4), unit_amount=6))
    adjust()
    assert cost(1) == D("-30.00")
    assert ItemLedgerEntry.objects.get(entry_no=1).remaining_quantity == 0


class TestAveragePools:
    """§8.1: Average Cost Calc. Type Item pools the whole item; Item & Location & Variant pools
    each location (and variant) apart, and a transfer carries the source pool's average."""

    @pytest.fixture
    def two_locations(self, setup):
        LocationFactory(code="BLUE")
        LocationFactory(code="RED")
        ItemFactory(no="AV", costing_method=CostingMethod.AVERAGE)
        post(jline("purchase", "AV", 10, day(1), unit_amount=20, location_code="RED"))
        post(jline("purchase", "AV", 10, day(1), unit_amount=10, location_code="BLUE"))
        assert Item.objects.get(no="AV").unit_cost == 20  # provisional outbound cost: 20.00 a unit

    def test_item_pool(self, two_locations):
        post(
            jline("sale", "AV", 5, day(2), location_code="BLUE"),
            jline("sale", "AV", 5, day(2), location_code="RED"),
        )
        adjust()
        assert (cost(3), cost(4)) == (D("-75.00"), D("-75.00"))  # 300 / 20 a unit everywhere

    def test_location_pools(self, two_locations):
        InventorySetup.objects.filter(pk=1).update(average_cost_calc_type="item_location_variant")
        post(
            jline("sale", "AV", 5, day(2), location_code="BLUE"),
            jline("sale", "AV", 5, day(2), location_code="RED"),
        )
        adjust()
        assert (cost(3), cost(4)) == (D("-50.00"), D("-100.00"))
        assert adjust().entries_created == 0

    def test_transfer_moves_the_source_average(self, two_locations):
        InventorySetup.objects.filter(pk=1).update(average_cost_calc_type="item_location_variant")
        post(jline("transfer", "AV", 4, day(2), location_code="BLUE", new_location_code="RED"))
        post(jline("sale", "AV", 7, day(3), location_code="RED"))
        adjust()
        # BLUE's average 10.00 leaves with the transfer; RED: (200 + 40) / 14 x 7 = 120.00
        assert (cost(3), cost(4), cost(5)) == (D("-40.00"), D("40.00"), D("-120.00"))
        assert adjust().entries_created == 0


def test_partly_invoiced_sale_is_balanced_like_bc(setup):
    """§7.8 (BC's UpdateAdjmtBuf / CalcExpectedCostToBalance / PostAdjmtBuf). 10 units received
    at 10.00 (VE 1), shipped at the provisional 10.00 (VE 2: expected -100.00), 4 of them
    invoiced (VE 3: actual -40.00, expected +40.00), then the receipt invoiced at 12.00 (VE 4).
    The sale now costs 10 x -12.00 = -120.00:
    * shipment document (expected group, share 10/10): new -120.00, old -100.00 -> -20.00 expected;
    * invoice document (invoiced group, share 4/10): new -48.00, old -40.00 -> -8.00 actual,
      balanced by expected -R(-20.00 x 4/10) = +8.00, posted first.
    The sale then carries expected -100 + 40 - 20 + 8 = -72.00 for its 6 uninvoiced units."""
    ItemFactory(no="F", costing_method=CostingMethod.FIFO, unit_cost=D("10"))
    post(jline("purchase", "F", 10, day(1), unit_amount=10, invoiced_quantity=0))
    post(jline("sale", "F", 10, day(2), unit_amount=20, invoiced_quantity=0, document_no="S-1"))
    post(jline("invoice", "F", 4, day(3), unit_amount=20, applies_to_entry=2, document_no="SI-1"))
    post(jline("invoice", "F", 10, day(4), unit_amount=12, applies_to_entry=1, document_no="PI"))
    assert (ve(3).cost_amount_actual, ve(3).cost_amount_expected) == (D("-40.00"), D("40.00"))
    adjust()
    entries = [
        (
            v.applies_to_entry,
            v.cost_amount_actual,
            v.cost_amount_expected,
            v.expected_cost,
            v.valued_quantity,
            v.invoiced_quantity,
            v.document_no,
        )
        for v in ValueEntry.objects.filter(adjustment=True).order_by("entry_no")
    ]
    assert entries == [
        (2, 0, D("-20.00"), True, -10, 0, "S-1"),
        (3, 0, D("8.00"), True, -4, 0, "SI-1"),
        (3, D("-8.00"), 0, False, -4, 0, "SI-1"),
    ]
    sale = ValueEntry.objects.filter(item_ledger_entry_id=2)
    assert sum(v.cost_amount_expected for v in sale) == D("-72.00")
    assert sum(v.cost_amount_actual for v in sale) == D("-48.00")
    # the last invoice clears the expected cost and the sale ends at exactly -120.00
    post(jline("invoice", "F", 6, day(5), unit_amount=20, applies_to_entry=2, document_no="SI-2"))
    adjust()
    sale = ValueEntry.objects.filter(item_ledger_entry_id=2)
    assert sum(v.cost_amount_expected for v in sale) == 0
    assert sum(v.cost_amount_actual for v in sale) == D("-120.00")


def test_fixed_application_pair_with_a_revaluation_point(setup):
    """§8.4.1 rule 2 and the proportional rule, worked by hand (Average item, monthly periods).

    Jan 1: buy 10 @ 10.00 (ILE 1, VE 1); Jan 2: buy 10 @ 20.00 (ILE 2, VE 2); Jan 3: sell 2
    (ILE 3, VE 3, averaged: 300 / 20 x 2 = 30.00; VE 4 adjusts it). Jan 31: revalue per item,
    18 units from 270.00 (15.00) to 16.00 = 288.00: ILE 1 (8 left, own value 80.00) gets
    288 x 8/18 - 80 = +48.00 (VE 5), ILE 2 absorbs the rest, 18 - 48 = -30.00 (VE 6). Jan 31,
    later: sell 4 fixed-applied to ILE 1 (ILE 4, VE 7): (100 + 48 x 10/8) x 4/10 = 64.00.

    Re-averaging the sale of Jan 3 (posted before both revaluation points): ILE 1 and the
    fixed sale are a pair carrying a revaluation point, so they stay in the pool (rule 2); of
    VE 5 only the share the fixed sale did not reach is excluded, R((8 - 4) / 8 x 48) = 24.00.
    VE 6 is excluded (the point rule). Pool: 10 + 10 - 4 = 16 units worth
    100 + 200 + 48 - 24 - 64 = 260.00, so the sale costs R(260 x 2 / 16) = 32.50 (without the
    rule, the fixed sale and all of VE 5 were excluded: 300 / 20 x 2 = 30.00)."""
    InventorySetup.objects.filter(pk=1).update(average_cost_period="month")
    ItemFactory(no="AV", costing_method=CostingMethod.AVERAGE)
    post(jline("purchase", "AV", 10, day(1), unit_amount=10))
    post(jline("purchase", "AV", 10, day(2), unit_amount=20))
    post(jline("sale", "AV", 2, day(3)))
    adjust()
    assert cost(3) == D("-30.00")
    [line] = calculate_inventory_value(
        batch_name="AVG",
        options=CalculateOptions(posting_date=day(31), document_no="R", per="item"),
    )
    assert (line.quantity, line.inventory_value_calculated) == (18, D("270.00"))
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="16")
    revaluation_batch_post(batch_name="AVG")
    assert [
        (v.entry_no, v.item_ledger_entry_id, v.cost_amount_actual, v.valued_quantity)
        for v in ValueEntry.objects.filter(entry_type="revaluation").order_by("entry_no")
    ] == [(5, 1, D("48.00"), 8), (6, 2, D("-30.00"), 10)]
    post(jline("sale", "AV", 4, day(31), applies_to_entry=1))
    adjust()
    assert cost(4) == D("-64.00")
    assert cost(3) == D("-32.50")
    assert adjust().entries_created == 0


def test_late_invoice_under_a_revalued_transfer_receipt(setup):
    """A late cost change under a revaluation (COSTING-NOTES.md, BC's AdjustNotInvdRevaluation).

    Standard item, standard 10.00. D1: 10 received at A, not invoiced (ILE 1). D2: all 10
    transferred to B (ILE 2 out, ILE 3 in, 100.00, not completely invoiced). D3: 4 sold at B
    (ILE 4, 40.00). D5: revalued per item to 13.00 with Update Standard Cost: 6 units 60.00 ->
    78.00, +18.00 on ILE 3 (VE 5), all actual (a transfer receipt counts as invoiced).
    D6: 2 sold at B (ILE 5, at the new standard 26.00). D7: the receipt is invoiced at 11.00,
    dated back at D1: 110.00 + variance R(13 x 10 - 110) = 20.00, so ILE 1 is worth 130.00.

    Adjust: ILE 3 takes 130.00 from ILE 1 (+30.00), and the revaluation is taken back for the
    share invoiced since (all of it): R((0 - 10) / 10 x 18) = -18.00. The 4 units sold before
    the revaluation take the late change, 4 x 13 = 52.00; the 2 sold after it stay at 26.00;
    the 4 left are worth 4/10 x 130 + 4/6 x (18 - 18) = 52.00 = 4 x 13.00, their revalued cost.
    D8: revalued to 16.00: 52.00 -> 64.00 (+12.00). D9: the last 4 sold at 64.00; B ends at 0."""
    LocationFactory(code="A")
    LocationFactory(code="B")
    ItemFactory(no="S", costing_method=CostingMethod.STANDARD, standard_cost=D("10"))
    post(jline("purchase", "S", 10, day(1), location_code="A", unit_amount=10, invoiced_quantity=0))
    post(jline("transfer", "S", 10, day(2), location_code="A", new_location_code="B"))
    post(jline("sale", "S", 4, day(3), location_code="B", unit_amount=20))
    adjust()

    def revalue(on, unit_cost):
        [line] = calculate_inventory_value(
            batch_name="STD",
            options=CalculateOptions(
                posting_date=on, document_no="R", per="item", update_standard_cost=True
            ),
        )
        line = line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value=unit_cost)
        revaluation_batch_post(batch_name="STD")
        return line

    line = revalue(day(5), "13")
    assert (line.quantity, line.inventory_value_calculated, line.amount) == (6, 60, 18)
    reval = ValueEntry.objects.get(entry_type="revaluation")
    assert (reval.item_ledger_entry_id, reval.cost_amount_actual, reval.cost_amount_expected) == (
        3,
        D("18.00"),
        0,
    )
    post(jline("sale", "S", 2, day(6), location_code="B", unit_amount=20))
    adjust()
    post(jline("invoice", "S", 10, day(1), unit_amount=11, applies_to_entry=1))
    assert cost(1) == D("130.00")
    adjust()
    assert [
        (v.applies_to_entry, v.entry_type, v.cost_amount_actual)
        for v in ValueEntry.objects.filter(item_ledger_entry_id=3, adjustment=True)
    ] == [(3, "direct_cost", D("30.00")), (reval.entry_no, "revaluation", D("-18.00"))]
    assert (cost(4), cost(5)) == (D("-52.00"), D("-26.00"))
    assert cost(3) == D("130.00")  # 4 units left, worth 4 x 13.00 through the revaluations

    line = revalue(day(8), "16")
    assert (line.quantity, line.inventory_value_calculated, line.amount) == (4, 52, 12)
    post(jline("sale", "S", 4, day(9), location_code="B", unit_amount=20))
    adjust()
    assert cost(6) == D("-64.00")
    assert (
        sum(
            ValueEntry.objects.filter(location_code="B").values_list(
                "cost_amount_actual", flat=True
            )
        )
        == 0
    )
    assert adjust().entries_created == 0
