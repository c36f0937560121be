"""Year-end write-downs (issue 13 part 5): hand-worked examples for NRV and slow-moving stock.

Precisions are the defaults: amounts 0.01, unit amounts 0.00001.
"""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.core.management import call_command

from inventory.models import CostingMethod, ValueEntry
from inventory.services.adjustment import adjust_cost_item_entries
from inventory.services.master_data import inventory_setup_update
from revaluation.models import SellingPrice
from revaluation.services.calculate import (
    CalculateOptions,
    CalculationBase,
    calculate_inventory_value,
)
from revaluation.services.lines import batch_delete_lines
from revaluation.services.posting import revaluation_batch_post
from tests.factories import ItemFactory
from tests.posting import jline, post

pytestmark = pytest.mark.django_db

YEAR_END = datetime.date(2025, 12, 31)


def calculate(base, on=YEAR_END, per="entry", **kwargs):
    return list(
        calculate_inventory_value(
            batch_name="YE",
            options=CalculateOptions(
                posting_date=on, document_no="WD-1", per=per, calculation_base=base, **kwargs
            ),
        )
    )


def price(item_no, selling, cost="0", percent="0", valid_from=datetime.date(2025, 1, 1), **kw):
    return SellingPrice.objects.create(
        item_id=item_no,
        valid_from=valid_from,
        selling_price=D(selling),
        cost_to_sell=D(cost),
        cost_to_sell_percent=D(percent),
        **kw,
    )


def summary(lines):
    return [
        (
            line.applies_to_entry,
            line.quantity,
            line.inventory_value_calculated,
            line.inventory_value_revalued,
            line.amount,
            line.reason_code,
        )
        for line in lines
    ]


def revaluations():
    return list(
        ValueEntry.objects.filter(entry_type="revaluation")
        .order_by("entry_no")
        .values_list("item_ledger_entry_id", "cost_amount_actual", "reason_code")
    )


@pytest.fixture
def fifo(setup):
    """Item A (FIFO): 10 bought at 12.00 on 2025-01-01 (entry 1), worth 120.00."""
    ItemFactory(no="A")
    post(jline("purchase", "A", 10, datetime.date(2025, 1, 1), unit_amount="12"))


class TestNetRealisableValue:
    def test_write_down_to_nrv(self, fifo):
        # costs to sell 0.50 + 5 % of 10.00 = 1.00; NRV 9.00 < cost 12.00
        price("A", "10", cost="0.50", percent="5")
        [line] = calculate(CalculationBase.NRV)
        assert summary([line]) == [(1, 10, D("120.00"), D("90.00"), D("-30.00"), "NRV")]
        assert (line.nrv, line.selling_price, line.cost_to_sell) == (D("9"), D("10"), D("1"))
        assert line.unit_cost_revalued == D("9")
        assert line.proposed_amount == D("-30.00")
        assert line.writedown_rule == (
            "NRV 9.00 = selling price 10.00 - costs to sell 1.00, below cost 12.00: "
            "written down to NRV (IAS 2 par. 28)."
        )

    def test_no_write_up_above_cost_and_no_price_no_line(self, fifo):
        ItemFactory(no="B")
        post(jline("purchase", "B", 1, datetime.date(2025, 1, 1), unit_amount="5"))
        price("A", "20", cost="1")  # NRV 19.00 > cost 12.00
        assert calculate(CalculationBase.NRV) == []

    def test_most_specific_and_latest_price_wins(self, fifo):
        price("A", "11", valid_from=datetime.date(2025, 1, 1))
        price("A", "10", valid_from=datetime.date(2025, 6, 1))
        price("A", "99", valid_from=datetime.date(2026, 1, 1))  # not yet valid
        price("A", "5", location_code="RED")  # another location
        [line] = calculate(CalculationBase.NRV)
        assert (line.nrv, line.inventory_value_revalued) == (D("10"), D("100.00"))

    def test_reversal_after_nrv_recovers_is_limited_to_original_cost(self, fifo):
        price("A", "9")
        calculate(CalculationBase.NRV)
        revaluation_batch_post(batch_name="YE")  # 120.00 -> 90.00
        assert revaluations() == [(1, D("-30.00"), "NRV")]
        post(jline("sale", "A", 4, datetime.date(2026, 2, 1), unit_amount="20"))
        # 6 units left worth 6 x 9.00 = 54.00; written down 6 x -3.00 = -18.00; cost 72.00
        price("A", "11", valid_from=datetime.date(2026, 3, 1))
        [line] = calculate(CalculationBase.NRV, on=datetime.date(2026, 6, 30))
        assert summary([line]) == [(1, 6, D("54.00"), D("66.00"), D("12.00"), "NRV")]
        assert "NRV recovered" in line.writedown_rule
        batch_delete_lines(batch_name="YE")
        price("A", "15", valid_from=datetime.date(2026, 7, 1))  # above cost: back to 12.00
        [line] = calculate(CalculationBase.NRV, on=datetime.date(2026, 12, 31))
        assert summary([line]) == [(1, 6, D("54.00"), D("72.00"), D("18.00"), "NRV")]
        assert "limited to cost" in line.writedown_rule
        revaluation_batch_post(batch_name="YE")
        assert calculate(CalculationBase.NRV, on=datetime.date(2026, 12, 31)) == []  # at cost again

    def test_average_item_per_item(self, setup):
        ItemFactory(no="AV", costing_method=CostingMethod.AVERAGE)
        post(
            jline("purchase", "AV", 10, datetime.date(2025, 1, 1), unit_amount="10"),
            jline("purchase", "AV", 10, datetime.date(2025, 1, 2), unit_amount="14"),
        )
        adjust_cost_item_entries()
        price("AV", "11", cost="1")  # NRV 10.00 < average cost 12.00
        [line] = calculate(CalculationBase.NRV, per="item")
        assert summary([line]) == [(0, 20, D("240.00"), D("200.00"), D("-40.00"), "NRV")]
        revaluation_batch_post(batch_name="YE")
        entries = revaluations()
        assert sum(amount for _, amount, _ in entries) == D("-40.00")
        assert {code for _, _, code in entries} == {"NRV"}

    def test_standard_item_per_item(self, setup):
        ItemFactory(no="ST", costing_method=CostingMethod.STANDARD, standard_cost=D("5"))
        post(jline("purchase", "ST", 10, datetime.date(2025, 1, 1), unit_amount="6"))
        price("ST", "5", percent="10")  # costs 0.50 -> NRV 4.50 < standard cost 5.00
        [line] = calculate(CalculationBase.NRV, per="item")
        assert summary([line]) == [(0, 10, D("50.00"), D("45.00"), D("-5.00"), "NRV")]
        revaluation_batch_post(batch_name="YE")
        assert revaluations() == [(1, D("-5.00"), "NRV")]


@pytest.fixture
def aged(setup):
    """Item B (FIFO): 10 at 8.00 on 2023-06-01 (entry 1), 10 at 10.00 on 2024-09-01 (entry 2),
    5 sold on 2024-10-01 (from entry 1). Buckets: 365 days 50 %, 730 days 100 %."""
    inventory_setup_update(slow_moving_buckets=" 365:50, 730:100 ")
    ItemFactory(no="B")
    post(
        jline("purchase", "B", 10, datetime.date(2023, 6, 1), unit_amount="8"),
        jline("purchase", "B", 10, datetime.date(2024, 9, 1), unit_amount="10"),
        jline("sale", "B", 5, datetime.date(2024, 10, 1), unit_amount="20"),
    )


class TestSlowMoving:
    def test_buckets_by_posting_date(self, aged):
        # entry 1: 944 days -> 100 % of 5 x 8.00; entry 2: 486 days -> 50 % of 10 x 10.00
        lines = calculate(CalculationBase.SLOW_MOVING)
        assert summary(lines) == [
            (1, 5, D("40.00"), D("0.00"), D("-40.00"), "OBSOLETE"),
            (2, 10, D("100.00"), D("50.00"), D("-50.00"), "OBSOLETE"),
        ]
        assert [line.age_days for line in lines] == [944, 486]
        assert lines[1].writedown_rule == (
            "Slow-moving: 486 days without movement, 50 % of cost 10.00."
        )

    def test_buckets_by_last_outbound(self, aged):
        inventory_setup_update(slow_moving_age_from="last_outbound")
        # both entries counted from the sale on 2024-10-01: 456 days -> 50 %
        lines = calculate(CalculationBase.SLOW_MOVING)
        assert summary(lines) == [
            (1, 5, D("40.00"), D("20.00"), D("-20.00"), "OBSOLETE"),
            (2, 10, D("100.00"), D("50.00"), D("-50.00"), "OBSOLETE"),
        ]
        assert [line.age_days for line in lines] == [456, 456]

    def test_posted_write_down_is_not_proposed_again(self, aged):
        calculate(CalculationBase.SLOW_MOVING)
        revaluation_batch_post(batch_name="YE")
        assert calculate(CalculationBase.SLOW_MOVING, on=datetime.date(2025, 12, 31)) == []

    def test_average_item_per_item_weights_the_entries(self, setup):
        inventory_setup_update(slow_moving_buckets="365:50,730:100")
        ItemFactory(no="AV", costing_method=CostingMethod.AVERAGE)
        post(
            jline("purchase", "AV", 10, datetime.date(2024, 6, 1), unit_amount="10"),
            jline("purchase", "AV", 10, datetime.date(2025, 6, 1), unit_amount="14"),
        )
        adjust_cost_item_entries()
        # 10 units aged 578 days (50 %) and 10 aged 213 days (0 %): 25 % of 20 x 12.00 = 60.00
        [line] = calculate(CalculationBase.SLOW_MOVING, per="item")
        assert summary([line]) == [(0, 20, D("240.00"), D("180.00"), D("-60.00"), "OBSOLETE")]
        assert line.unit_cost_revalued == D("9")


class TestCombined:
    def test_larger_write_down_wins_never_both(self, setup):
        inventory_setup_update(slow_moving_buckets="365:50,730:100")
        ItemFactory(no="C")
        ItemFactory(no="E")
        post(
            jline("purchase", "C", 10, datetime.date(2024, 6, 1), unit_amount="10"),
            jline("purchase", "E", 10, datetime.date(2024, 6, 1), unit_amount="10"),
        )
        price("C", "8")  # NRV 8.00; slow-moving 50 % -> 5.00: slow-moving wins
        price("E", "3")  # NRV 3.00 beats 5.00
        lines = calculate(CalculationBase.NRV_SLOW_MOVING)
        assert summary(lines) == [
            (1, 10, D("100.00"), D("50.00"), D("-50.00"), "OBSOLETE"),
            (2, 10, D("100.00"), D("30.00"), D("-70.00"), "NRV"),
        ]
        assert lines[0].writedown_rule == (
            "Slow-moving: 578 days without movement, 50 % of cost 10.00 (NRV 8.00 is higher)."
        )
        revaluation_batch_post(batch_name="YE")
        assert revaluations() == [(1, D("-50.00"), "OBSOLETE"), (2, D("-70.00"), "NRV")]


class TestCommand:
    def test_calculate_with_base_nrv_and_slow_moving(self, aged, capsys):
        price("B", "6")  # NRV 6.00: entry 2 (cost 10.00) slow-moving 5.00 wins, entry 1 is 100 %
        call_command(
            "calculate_inventory_value",
            "--batch",
            "YE",
            "--posting-date",
            "2025-12-31",
            "--document-no",
            "WD-1",
            "--base",
            "nrv+slow-moving",
        )
        out = capsys.readouterr()
        assert "Batch YE (created): 2 lines created." in out.out
        assert "Line 10000 [OBSOLETE]: Slow-moving: 944 days without movement, 100 % of cost" in (
            out.out
        )
        assert "amount -90." in out.out  # -40.00 and -50.00
        assert out.err == ""  # the write-down to 0 is explained, not warned about
        call_command(
            "calculate_inventory_value",
            "--batch",
            "NRV",
            "--posting-date",
            "2025-12-31",
            "--document-no",
            "WD-2",
            "--base",
            "nrv",
        )
        assert "[NRV]: NRV 6.00 = selling price 6.00" in capsys.readouterr().out
