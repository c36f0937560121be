"""The spec's reference scenarios (COSTING-SPEC §14) as far as posting reaches, to the cent.

Adjust Cost is not part of posting, so outbound costs here are the provisional ones of §3.5.3;
where a scenario's numbers depend on the item Unit Cost that an adjustment left behind, the test
sets that unit cost as the scenario states it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest

from inventory.models import (
    AvgCostAdjmtEntryPoint,
    CostingMethod,
    Item,
    ItemApplicationEntry,
    ItemRegister,
)
from tests.factories import ItemFactory, LocationFactory
from tests.posting import day, ile, jline, post, ve

pytestmark = pytest.mark.django_db


def rows():
    return [
        (
            a.entry_no,
            a.item_ledger_entry_id,
            a.inbound_item_entry_id,
            a.outbound_item_entry_id or 0,
            a.quantity,
            a.posting_date,
        )
        for a in ItemApplicationEntry.objects.order_by("entry_no")
    ]


def set_unit_cost(no: str, unit_cost: str) -> None:
    Item.objects.filter(no=no).update(unit_cost=D(unit_cost))


class TestScenarioA:
    """§14.1 steps 1-4: two FIFO purchases and two sales."""

    def test_purchases_and_sales(self, setup):
        ItemFactory(no="A", costing_method=CostingMethod.FIFO)

        post(jline("purchase", "A", 10, day(1), unit_amount=10, document_no="P-1"))
        entry = ile(1)
        assert (entry.quantity, entry.remaining_quantity, entry.invoiced_quantity) == (10, 10, 10)
        assert entry.completely_invoiced and entry.open and entry.positive
        assert entry.last_invoice_date == day(1)
        v = ve(1)
        assert (v.entry_type, v.valued_quantity, v.invoiced_quantity) == ("direct_cost", 10, 10)
        assert v.item_ledger_entry_quantity == 10
        assert v.cost_amount_actual == D("100.00") and v.cost_per_unit == D("10.00")
        assert v.valuation_date == day(1) and v.purchase_amount_actual == D("100.00")
        item = Item.objects.get(no="A")
        assert (item.last_direct_cost, item.unit_cost) == (D("10"), D("10"))
        assert not item.cost_is_adjusted

        post(jline("purchase", "A", 10, day(2), unit_amount=12, document_no="P-2"))
        assert ve(2).cost_amount_actual == D("120.00") and ve(2).cost_per_unit == D("12")
        item.refresh_from_db()
        # stock was already invoiced: Unit Cost stays 10.00 until Adjust Cost
        assert (item.last_direct_cost, item.unit_cost) == (D("12"), D("10"))

        set_unit_cost("A", "11.00")  # the automatic adjustment of step 2
        post(jline("sale", "A", 5, day(3), document_no="S-1"))
        sale = ile(3)
        assert (sale.quantity, sale.remaining_quantity, sale.open) == (-5, 0, False)
        assert ile(1).remaining_quantity == 5 and ile(1).applied_entry_to_adjust
        assert ve(3).cost_amount_actual == D("-55.00") and ve(3).cost_per_unit == D("11")
        assert ve(3).valuation_date == day(3)
        assert ve(3).valued_quantity == -5 and ve(3).invoiced_quantity == -5

        set_unit_cost("A", "11.33333")  # the automatic adjustment of step 3
        post(jline("sale", "A", 8, day(5), document_no="S-2"))
        assert ile(1).remaining_quantity == 0 and not ile(1).open
        assert ile(2).remaining_quantity == 7 and ile(2).applied_entry_to_adjust
        assert ve(4).cost_amount_actual == D("-90.67")  # R(11.33333 x -8) = R(-90.66664)
        assert ve(4).cost_per_unit == D("11.33375")  # RU(-90.67 / -8)
        assert ve(4).valuation_date == day(5)

        assert rows() == [
            (1, 1, 1, 0, 10, day(1)),
            (2, 2, 2, 0, 10, day(2)),
            (3, 3, 1, 3, -5, day(3)),
            (4, 4, 1, 4, -5, day(5)),
            (5, 4, 2, 4, -3, day(5)),
        ]
        assert all(a.cost_application for a in ItemApplicationEntry.objects.all())
        assert list(
            ItemRegister.objects.order_by("no").values_list("no", "from_entry_no", "to_entry_no")
        ) == [
            (1, 1, 1),
            (2, 2, 2),
            (3, 3, 3),
            (4, 4, 4),
        ]


COSTING_METHOD_APPLICATIONS = {
    # §14.2: which increase each decrease (entries 4, 5, 6) is applied to
    CostingMethod.FIFO: [1, 2, 3],
    CostingMethod.LIFO: [3, 2, 1],
    CostingMethod.AVERAGE: [1, 2, 3],
    CostingMethod.STANDARD: [1, 2, 3],
    CostingMethod.SPECIFIC: [2, 1, 3],
}


@pytest.mark.parametrize("method", list(COSTING_METHOD_APPLICATIONS))
def test_costing_methods_apply_the_right_increases(setup, method):
    """§14.2 (b): increases of 10, 20, 30 on 2020-01-01, one-unit decreases later."""
    ItemFactory(no="B", costing_method=method, standard_cost=D("15"))
    jan1 = datetime.date(2020, 1, 1)
    post(*(jline("purchase", "B", 1, jan1, unit_amount=cost) for cost in (10, 20, 30)))
    expected = COSTING_METHOD_APPLICATIONS[method]
    for month, inbound in zip((2, 3, 4), expected, strict=True):
        applies_to = inbound if method == CostingMethod.SPECIFIC else 0
        post(jline("sale", "B", 1, datetime.date(2020, month, 1), applies_to_entry=applies_to))
    applied = [
        ItemApplicationEntry.objects.get(item_ledger_entry_id=n).inbound_item_entry_id
        for n in (4, 5, 6)
    ]
    assert applied == expected
    cost_applied = ItemApplicationEntry.objects.filter(
        item_ledger_entry_id__in=[4, 5, 6]
    ).values_list("cost_application", flat=True)
    # Average outbounds are valued by the periodic average, not by cost application (§3.4.5)
    assert set(cost_applied) == {method != CostingMethod.AVERAGE}
    assert all(ile(n).remaining_quantity == 0 for n in range(1, 7))


def test_standard_purchases_post_variance(setup):
    """§14.2 (b) Standard: each increase is worth 15.00 = invoiced amount + variance."""
    ItemFactory(no="S", costing_method=CostingMethod.STANDARD, standard_cost=D("15"))
    post(*(jline("purchase", "S", 1, day(1), unit_amount=cost) for cost in (10, 20, 30)))
    entries = [
        (v.item_ledger_entry_id, v.entry_type, v.cost_amount_actual, v.variance_type)
        for v in ve(1).item.value_entries.order_by("entry_no")
    ]
    assert entries == [
        (1, "direct_cost", D("10.00"), ""),
        (1, "variance", D("5.00"), "purchase"),
        (2, "direct_cost", D("20.00"), ""),
        (2, "variance", D("-5.00"), "purchase"),
        (3, "direct_cost", D("30.00"), ""),
        (3, "variance", D("-15.00"), "purchase"),
    ]
    assert Item.objects.get(no="S").unit_cost == D("15")
    post(jline("sale", "S", 1, day(2)))
    assert ve(7).cost_amount_actual == D("-15.00")


def test_standard_purchase_invoices_set_last_direct_cost(setup):
    """§3.8 step 5 (corrected): every purchase invoice sets Last Direct Cost, Standard items
    included, to the purchase amount per unit; the unit cost stays the standard cost."""
    ItemFactory(no="S", costing_method=CostingMethod.STANDARD, standard_cost=D("15"))
    post(jline("purchase", "S", 3, day(1), unit_amount=10, invoiced_quantity=0))
    item = Item.objects.get(no="S")
    assert item.last_direct_cost == 0  # a receipt pays nothing yet
    post(jline("purchase", "S", 4, day(2), unit_amount="12.50"))  # 50.00 / 4
    item.refresh_from_db()
    assert (item.last_direct_cost, item.unit_cost) == (D("12.5"), D("15"))
    # the invoice of the first receipt, at another price: 2 x 11.333 = 22.67 (R), / 2 = 11.335
    post(jline("invoice", "S", 2, day(3), unit_amount="11.333", applies_to_entry=1))
    item.refresh_from_db()
    assert (item.last_direct_cost, item.unit_cost) == (D("11.335"), D("15"))
    # sales and positive adjustments leave it alone
    post(jline("positive_adjmt", "S", 1, day(4)), jline("sale", "S", 2, day(4), unit_amount=30))
    item.refresh_from_db()
    assert item.last_direct_cost == D("11.335")


class TestApplicationEntries:
    """§14.3 (c)."""

    def test_receipt_and_sale(self, setup):
        ItemFactory(no="C")
        post(jline("purchase", "C", 10, datetime.date(2020, 1, 1), unit_amount=1))
        post(jline("sale", "C", 5, datetime.date(2020, 1, 3)))
        assert rows() == [
            (1, 1, 1, 0, 10, datetime.date(2020, 1, 1)),
            (2, 2, 1, 2, -5, datetime.date(2020, 1, 3)),
        ]
        assert ile(1).applied_entry_to_adjust

    def test_purchase_return_with_fixed_application(self, setup):
        ItemFactory(no="C")
        post(jline("purchase", "C", 10, datetime.date(2020, 1, 4), unit_amount=1))
        post(jline("purchase", "C", 10, datetime.date(2020, 1, 5), unit_amount=2))
        post(
            jline(
                "purchase", "C", -10, datetime.date(2020, 1, 6), unit_amount=2, applies_to_entry=2
            )
        )
        ret = ile(3)
        assert (ret.entry_type, ret.quantity, ret.positive, ret.applies_to_entry) == (
            "purchase",
            -10,
            False,
            2,
        )
        assert ve(3).cost_amount_actual == D("-20.00")
        assert ve(3).purchase_amount_actual == D("-20.00")
        # a fixed application takes the inbound's valuation date
        assert ve(3).valuation_date == datetime.date(2020, 1, 5)
        assert rows()[-1] == (3, 3, 2, 3, -10, datetime.date(2020, 1, 6))
        assert ile(1).remaining_quantity == 10 and not ile(2).open


class TestExpectedCost:
    """§14.4 (d): receipt with expected cost, then two invoices."""

    def test_fifo_receipt_then_invoices(self, setup):
        ItemFactory(no="B", costing_method=CostingMethod.FIFO)
        post(
            jline(
                "purchase",
                "B",
                4,
                datetime.date(2025, 3, 3),
                unit_amount="7.50",
                invoiced_quantity=0,
                document_no="RCPT-1",
            )
        )
        receipt = ile(1)
        assert (
            receipt.invoiced_quantity,
            receipt.completely_invoiced,
            receipt.last_invoice_date,
        ) == (0, False, None)
        v1 = ve(1)
        assert (
            v1.expected_cost
            and v1.cost_amount_expected == D("30.00")
            and v1.cost_amount_actual == 0
        )
        assert v1.cost_per_unit == D("7.50") and v1.purchase_amount_expected == D("30.00")
        assert v1.invoiced_quantity == 0 and v1.item_ledger_entry_quantity == 4
        item = Item.objects.get(no="B")
        assert (item.unit_cost, item.last_direct_cost) == (0, 0)

        post(
            jline(
                "invoice",
                "B",
                3,
                datetime.date(2025, 3, 10),
                unit_amount=8,
                applies_to_entry=1,
                document_no="INV-1",
            )
        )
        v2 = ve(2)
        assert not v2.expected_cost
        assert (v2.valued_quantity, v2.invoiced_quantity, v2.item_ledger_entry_quantity) == (
            3,
            3,
            0,
        )
        assert (v2.cost_amount_actual, v2.cost_amount_expected) == (D("24.00"), D("-22.50"))
        assert (v2.purchase_amount_actual, v2.purchase_amount_expected) == (D("24.00"), D("-22.50"))
        assert v2.cost_per_unit == D("8.00")
        assert v2.posting_date == datetime.date(2025, 3, 10)
        assert v2.valuation_date == datetime.date(2025, 3, 3)
        receipt = ile(1)
        assert (receipt.invoiced_quantity, receipt.completely_invoiced) == (3, False)
        assert receipt.last_invoice_date == datetime.date(2025, 3, 10)
        item.refresh_from_db()
        assert (item.unit_cost, item.last_direct_cost) == (D("8"), D("8"))

        post(
            jline(
                "invoice",
                "B",
                1,
                datetime.date(2025, 3, 17),
                unit_amount=8,
                applies_to_entry=1,
                document_no="INV-2",
            )
        )
        v3 = ve(3)
        assert (v3.cost_amount_actual, v3.cost_amount_expected) == (D("8.00"), D("-7.50"))
        assert v3.valuation_date == datetime.date(2025, 3, 3)
        receipt = ile(1)
        assert receipt.completely_invoiced and receipt.invoiced_quantity == 4
        assert receipt.last_invoice_date == datetime.date(2025, 3, 17)
        totals = [
            (v.cost_amount_actual, v.cost_amount_expected) for v in receipt.value_entries.all()
        ]
        assert sum(a for a, _ in totals) == D("32.00") and sum(e for _, e in totals) == 0

    def test_standard_receipt_then_invoices(self, setup):
        ItemFactory(no="B", costing_method=CostingMethod.STANDARD, standard_cost=D("7.50"))
        post(
            jline(
                "purchase",
                "B",
                4,
                datetime.date(2025, 3, 3),
                unit_amount="7.50",
                invoiced_quantity=0,
            )
        )
        assert ve(1).cost_amount_expected == D("30.00")
        post(
            jline("invoice", "B", 3, datetime.date(2025, 3, 10), unit_amount=8, applies_to_entry=1)
        )
        post(
            jline("invoice", "B", 1, datetime.date(2025, 3, 17), unit_amount=8, applies_to_entry=1)
        )
        entries = [
            (
                v.entry_no,
                v.entry_type,
                v.cost_amount_actual,
                v.cost_amount_expected,
                v.cost_per_unit,
                v.valuation_date,
            )
            for v in ile(1).value_entries.order_by("entry_no")
        ]
        d3 = datetime.date(2025, 3, 3)
        assert entries == [
            (1, "direct_cost", 0, D("30.00"), D("7.50"), d3),
            (2, "direct_cost", D("24.00"), D("-22.50"), D("8.00"), d3),
            (3, "variance", D("-1.50"), 0, D("-0.50"), d3),
            (4, "direct_cost", D("8.00"), D("-7.50"), D("8.00"), d3),
            (5, "variance", D("-0.50"), 0, D("-0.50"), d3),
        ]
        assert sum(e[2] for e in entries) == D("30.00") and sum(e[3] for e in entries) == 0
        assert Item.objects.get(no="B").unit_cost == D("7.50")

    def test_shipment_then_invoice(self, setup):
        ItemFactory(no="B", unit_cost=D("5"))
        post(jline("positive_adjmt", "B", 10, day(1), unit_amount=5))
        post(jline("sale", "B", 4, day(2), unit_amount=9, invoiced_quantity=0))
        shipment = ve(2)
        assert shipment.expected_cost and shipment.cost_amount_expected == D("-20.00")
        assert shipment.sales_amount_expected == D("36.00") and shipment.invoiced_quantity == 0
        post(jline("invoice", "B", 4, day(4), unit_amount=9, applies_to_entry=2))
        invoice = ve(3)
        assert (invoice.valued_quantity, invoice.invoiced_quantity) == (-4, -4)
        assert (invoice.cost_amount_actual, invoice.cost_amount_expected) == (
            D("-20.00"),
            D("20.00"),
        )
        assert (invoice.sales_amount_actual, invoice.sales_amount_expected) == (
            D("36.00"),
            D("-36.00"),
        )
        assert invoice.valuation_date == day(2)
        assert ile(2).completely_invoiced and ile(2).invoiced_quantity == -4


class TestTransfers:
    def test_transfer_carries_the_source_cost(self, setup):
        LocationFactory(code="BLUE")
        LocationFactory(code="RED")
        ItemFactory(no="T")
        post(jline("purchase", "T", 3, day(1), unit_amount=10, location_code="BLUE"))
        post(jline("purchase", "T", 3, day(2), unit_amount="10.01", location_code="BLUE"))
        post(jline("transfer", "T", 5, day(3), location_code="BLUE", new_location_code="RED"))
        out, in1, in2 = ile(3), ile(4), ile(5)
        assert (out.quantity, out.location_code, out.entry_type) == (-5, "BLUE", "transfer")
        assert (in1.quantity, in1.location_code, in2.quantity) == (3, "RED", 2)
        assert out.source_code == "RECLASSJNL" and in1.completely_invoiced
        # inbound legs: 30.00 x 3/3 and R(30.03 x 2/3) = 20.02; outbound = -(30.00 + 20.02)
        assert [ve(n).cost_amount_actual for n in (3, 4, 5)] == [
            D("-50.02"),
            D("30.00"),
            D("20.02"),
        ]
        assert {ve(n).valuation_date for n in (3, 4, 5)} == {day(3)}
        transfer_rows = ItemApplicationEntry.objects.filter(
            item_ledger_entry_id__in=[4, 5]
        ).order_by("entry_no")
        assert [
            (
                a.inbound_item_entry_id,
                a.outbound_item_entry_id,
                a.transferred_from_entry_id,
                a.quantity,
            )
            for a in transfer_rows
        ] == [(4, 3, 1, 3), (5, 3, 2, 2)]

    def test_average_transfer_uses_unit_cost(self, setup):
        LocationFactory(code="BLUE")
        LocationFactory(code="RED")
        ItemFactory(no="AV", costing_method=CostingMethod.AVERAGE)
        post(jline("purchase", "AV", 4, day(1), unit_amount="2.50", location_code="BLUE"))
        post(jline("transfer", "AV", 3, day(2), location_code="BLUE", new_location_code="RED"))
        assert ile(3).quantity == 3 and ile(3).location_code == "RED"
        assert (ve(2).cost_amount_actual, ve(2).valued_by_average_cost) == (D("-7.50"), True)
        assert (ve(3).cost_amount_actual, ve(3).valued_by_average_cost) == (D("7.50"), False)
        own_row = ItemApplicationEntry.objects.get(item_ledger_entry_id=3, inbound_item_entry_id=3)
        assert own_row.outbound_item_entry_id == 2 and own_row.cost_application
        assert own_row.transferred_from_entry_id is None


class TestNegativeInventory:
    def test_inbound_closes_open_outbound(self, setup):
        ItemFactory(no="N", unit_cost=D("4"))
        post(jline("sale", "N", 5, day(2)))
        sale = ile(1)
        assert sale.open and sale.remaining_quantity == -5
        assert ve(1).cost_amount_actual == D("-20.00") and ve(1).valuation_date == day(2)
        post(jline("purchase", "N", 8, day(4), unit_amount=6))
        assert not ile(1).open
        purchase = ile(2)
        assert purchase.remaining_quantity == 3 and purchase.applied_entry_to_adjust
        assert rows() == [(1, 2, 2, 0, 8, day(4)), (2, 1, 2, 1, -5, day(4))]
        # the outbound is now valued on the inbound's date (§3.7)
        assert ve(1).valuation_date == day(4)
        assert AvgCostAdjmtEntryPoint.objects.filter(item_id="N", valuation_date=day(2)).exists()

    def test_sales_return_with_applies_from(self, setup):
        ItemFactory(no="R")
        post(jline("purchase", "R", 10, day(1), unit_amount="3.33"))
        post(jline("sale", "R", 3, day(2), unit_amount=5))
        post(jline("sale", "R", -2, day(4), unit_amount=5, applies_from_entry=2))
        ret = ile(3)
        assert (ret.entry_type, ret.quantity, ret.positive) == ("sale", 2, True)
        # unit cost of the sale: |-9.99 / -3| = 3.33
        assert ve(3).cost_amount_actual == D("6.66") and ve(3).sales_amount_actual == D("-10.00")
        own = ItemApplicationEntry.objects.get(item_ledger_entry_id=3)
        assert own.outbound_item_entry_id == 2 and own.cost_application
        assert ile(2).remaining_quantity == 0  # not a quantity application


def test_return_does_not_close_the_sale_it_takes_its_cost_from(setup):
    """A sales return applied from a sale still in negative inventory leaves that sale open:
    closing it would make each take its cost from the other."""
    ItemFactory(no="N", unit_cost=D("4"))
    post(jline("sale", "N", 3, day(1)))
    post(jline("sale", "N", -2, day(2), unit_amount=5, applies_from_entry=1))
    assert ile(1).open and ile(1).remaining_quantity == -3
    assert ile(2).remaining_quantity == 2  # the returned units stay in stock
    post(jline("purchase", "N", 5, day(3), unit_amount=6))  # a purchase closes the sale instead
    assert not ile(1).open and ile(3).remaining_quantity == 2
    assert rows()[-1] == (3, 1, 3, 1, -3, day(3))


def test_valuation_date_move_reaches_entries_that_take_the_cost(setup):
    """§3.7: when a purchase closes a negative sale, the sale is valued on the purchase date, and
    so are the return applied from that sale and the sale that consumed the return."""
    ItemFactory(no="N", unit_cost=D("4"))
    post(jline("sale", "N", 3, day(2)))
    post(jline("sale", "N", -2, day(3), unit_amount=5, applies_from_entry=1))
    post(jline("sale", "N", 1, day(4)))
    assert [ve(n).valuation_date for n in (1, 2, 3)] == [day(2), day(3), day(4)]
    post(jline("purchase", "N", 5, day(5), unit_amount=6))
    assert [ve(n).valuation_date for n in (1, 2, 3, 4)] == [day(5)] * 4
