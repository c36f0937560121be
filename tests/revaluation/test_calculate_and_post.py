"""Calculate Inventory Value options and checks, line rules and posting details (spec §4-§6, §9)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from inventory.models import CostingMethod, InventorySetup, Item, ValueEntry
from revaluation.exceptions import DuplicateLinesError, RevaluationError
from revaluation.models import RevaluationLine
from revaluation.services.calculate import (
    CalculateOptions,
    calculate_inventory_value,
    calculation_test,
)
from revaluation.services.lines import line_create_manual, line_edit
from revaluation.services.posting import revaluation_batch_post
from tests.factories import (
    ItemFactory,
    ItemVariantFactory,
    LocationFactory,
    RevaluationBatchFactory,
)
from tests.posting import day, jline, post

pytestmark = pytest.mark.django_db


def calculate(on=None, batch="REVAL", confirm=False, **kwargs):
    kwargs.setdefault("document_no", "REV-1")
    return calculate_inventory_value(
        batch_name=batch,
        options=CalculateOptions(posting_date=on or day(10), **kwargs),
        confirm_duplicates=confirm,
    )


def edit(line, field, value):
    return line_edit(line_id=line.pk, version=line.version, field=field, value=value)


def revaluation_entries():
    return [
        (v.item_ledger_entry_id, v.cost_amount_actual, v.cost_amount_expected, v.cost_per_unit)
        for v in ValueEntry.objects.filter(entry_type="revaluation").order_by("entry_no")
    ]


class TestLineArithmetic:
    """§5.10 worked example: quantity 6, IV (Calculated) 50.00."""

    def test_typing_unit_cost_then_inventory_value(self, setup):
        ItemFactory(no="X")
        post(
            *(
                jline("purchase", "X", 1, day(1), unit_amount=amount)
                for amount in ("8", "8", "8", "8", "9", "9")
            )
        )
        [line] = calculate(per="item")
        assert (line.quantity, line.inventory_value_calculated, line.unit_cost_calculated) == (
            6,
            D("50.00"),
            D("8.33333"),
        )
        line = edit(line, "unit_cost_revalued", "9.15")
        assert (line.inventory_value_revalued, line.amount, line.unit_amount) == (
            D("54.90"),
            D("4.90"),
            D("0.81667"),
        )
        assert line.unit_cost_revalued == D("9.15")
        assert line.unit_cost == D("4.90") / 6
        line = edit(line, "inventory_value_revalued", "55.01")
        assert (line.amount, line.unit_cost_revalued) == (D("5.01"), D("9.16833"))

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("unit_cost_revalued", "-1", "The value must be greater than or equal to 0."),
            (
                "unit_cost_revalued",
                "abc",
                "'abc' is not a plain number: use digits 0-9 and a point for decimals only.",
            ),
            ("unit_cost_revalued", "1.000001", "too many decimals"),
            ("inventory_value_revalued", "1.001", "too many decimals"),
            ("inventory_value_revalued", "1e16", "is not a plain number"),
            ("inventory_value_revalued", "1" + "0" * 15, "too large"),
            (
                "inventory_value_revalued",
                "NaN",
                "'NaN' is not a plain number: use digits 0-9 and a point for decimals only.",
            ),
        ],
    )
    def test_bad_values_change_nothing(self, setup, field, value, message):
        ItemFactory(no="X")
        post(jline("purchase", "X", 2, day(1), unit_amount=5))
        [line] = calculate(per="item")
        with pytest.raises(RevaluationError, match=message) as caught:
            edit(line, field, value)
        assert caught.value.field == field
        fresh = RevaluationLine.objects.get(pk=line.pk)
        assert (fresh.inventory_value_revalued, fresh.amount, fresh.version) == (D("10.00"), 0, 1)

    def test_stale_version_is_refused(self, setup):
        ItemFactory(no="X")
        post(jline("purchase", "X", 2, day(1), unit_amount=5))
        [line] = calculate(per="item")
        edit(line, "unit_cost_revalued", "6")
        with pytest.raises(RevaluationError, match="Someone else changed this line"):
            edit(line, "unit_cost_revalued", "7")  # still version 1
        assert RevaluationLine.objects.get(pk=line.pk).unit_cost_revalued == D("6")


class TestCalculateOptions:
    @pytest.fixture
    def spread(self, setup):
        """Item L at BLUE (blank variant and V1), RED/V1 and the blank location."""
        LocationFactory(code="BLUE")
        LocationFactory(code="RED")
        item = ItemFactory(no="L", last_direct_cost=D("3"))
        ItemVariantFactory(item=item, code="V1")
        post(
            jline("purchase", "L", 1, day(1), unit_amount=1, location_code="BLUE"),
            jline(
                "purchase", "L", 2, day(1), unit_amount=1, location_code="BLUE", variant_code="V1"
            ),
            jline(
                "purchase", "L", 3, day(1), unit_amount=1, location_code="RED", variant_code="V1"
            ),
            jline("purchase", "L", 4, day(1), unit_amount=1),
        )

    def layout(self, lines):
        return [
            (line.location_code, line.variant_code, line.quantity, line.inventory_value_per)
            for line in lines
        ]

    def test_per_item(self, spread):
        assert self.layout(calculate(per="item")) == [("", "", 10, "item")]

    def test_by_location(self, spread):
        assert self.layout(calculate(per="item", by_location=True)) == [
            ("BLUE", "", 3, "location"),
            ("RED", "", 3, "location"),
            ("", "", 4, "location"),
        ]

    def test_by_variant(self, spread):
        assert self.layout(calculate(per="item", by_variant=True)) == [
            ("", "V1", 5, "variant"),
            ("", "", 5, "variant"),
        ]

    def test_by_location_and_variant(self, spread):
        assert self.layout(calculate(per="item", by_location=True, by_variant=True)) == [
            ("BLUE", "V1", 2, "location_and_variant"),
            ("BLUE", "", 1, "location_and_variant"),
            ("RED", "V1", 3, "location_and_variant"),
            ("", "", 4, "location_and_variant"),
        ]

    def test_location_filter(self, spread):
        assert self.layout(calculate(per="item", location_codes=("RED",))) == [
            ("RED", "", 3, "location")
        ]

    def test_per_entry_ignores_item_options(self, spread):
        lines = calculate(per="entry", by_location=True, calculation_base="last_direct_cost")
        assert [line.applies_to_entry for line in lines] == [4, 1, 2, 3]  # blank location first
        assert all(line.amount == 0 and line.inventory_value_per == "" for line in lines)

    def test_last_direct_cost_base(self, spread):
        Item.objects.filter(no="L").update(last_direct_cost=D("3"))
        [line] = calculate(per="item", calculation_base="last_direct_cost")
        assert (line.unit_cost_revalued, line.inventory_value_revalued, line.amount) == (
            D("3"),
            D("30.00"),
            D("20.00"),
        )

    def test_sum_line_split_by_location(self, spread):
        lines = calculate(per="item", by_location=True)
        edit(lines[0], "inventory_value_revalued", "4.50")  # BLUE: 3 units worth 3.00 -> 4.50
        revaluation_batch_post(batch_name="REVAL")
        assert revaluation_entries() == [(1, D("0.50"), 0, D("0.5")), (2, D("1.00"), 0, D("0.5"))]
        assert not RevaluationLine.objects.exists()  # zero-amount lines are consumed too

    def test_document_no_defaults_to_the_series(self, spread):
        RevaluationBatchFactory(name="SER", last_document_no="REV-0009")
        [line] = calculate(per="item", batch="SER", document_no="")
        assert line.document_no == "REV-0010"
        with pytest.raises(RevaluationError, match="You must enter a document number."):
            calculate(per="item", batch="SER", document_no="", confirm=True)

    def test_duplicates_need_confirmation(self, spread):
        calculate(per="item")
        with pytest.raises(
            DuplicateLinesError, match="Duplicate Revaluation Journals will be generated"
        ):
            calculate(per="item")
        assert RevaluationLine.objects.count() == 1
        calculate(per="item", confirm=True)
        assert list(RevaluationLine.objects.values_list("line_no", flat=True)) == [10000, 20000]


class TestPreconditions:
    def test_open_outbound_blocks(self, setup):
        ItemFactory(no="N")
        post(jline("sale", "N", 1, day(2)))
        with pytest.raises(
            RevaluationError,
            match="The Item N cannot be revalued because there is at least one open outbound",
        ):
            calculate(per="item")
        assert calculation_test(CalculateOptions(posting_date=day(10), per="item")) == [
            "Open Outbound Entry 1 found."
        ]
        assert (
            list(calculate(per="item", on=day(1))) == []
        )  # before the sale: nothing to revalue, no error

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            (
                {"per": "entry"},
                "You must not revalue items with Costing Method Average, if Calculate Per is Item Ledger Entry.",
            ),
            (
                {"per": "item", "location_codes": ("BLUE",)},
                "You must not enter a Location Filter if you revalue",
            ),
            (
                {"per": "item", "variant_codes": ("V1",)},
                "You must not enter a Variant Filter if you revalue",
            ),
            (
                {"per": "item", "by_location": True},
                "The By Location field must not be filled in if you revalue",
            ),
            (
                {"per": "item", "by_variant": True},
                "The By Variant field must not be filled in if you revalue",
            ),
        ],
    )
    def test_average_item_options(self, setup, options, message):
        ItemFactory(no="AV", costing_method=CostingMethod.AVERAGE)
        with pytest.raises(RevaluationError, match=message):
            calculate(**options)

    def test_average_item_location_variant_pool_needs_split(self, setup):
        InventorySetup.objects.filter(pk=1).update(average_cost_calc_type="item_location_variant")
        ItemFactory(no="AV", costing_method=CostingMethod.AVERAGE)
        with pytest.raises(
            RevaluationError, match="You must fill in a Location filter and a Variant filter"
        ):
            calculate(per="item", by_location=True)

    def test_average_item_needs_adjusted_cost_and_period_end(self, setup):
        InventorySetup.objects.filter(pk=1).update(average_cost_period="month")
        ItemFactory(no="AV", costing_method=CostingMethod.AVERAGE)
        post(jline("purchase", "AV", 1, day(1), unit_amount=1))
        with pytest.raises(
            RevaluationError,
            match="You have to run the Adjust Cost - Item Entries batch job, before you can revalue item AV.",
        ):
            calculate(per="item", on=day(31))
        with pytest.raises(
            RevaluationError,
            match="using posting date 2024-12-30. You can only use the posting date 2024-12-31 for this period.",
        ):
            calculate(per="item", on=day(1).replace(year=2024, month=12, day=30))

    def test_inventory_value_zero_item(self, setup):
        ItemFactory(no="Z", inventory_value_zero=True)
        post(jline("purchase", "Z", 1, day(1), unit_amount=1))
        with pytest.raises(RevaluationError, match="Inventory Value Zero must be equal to 'No'"):
            calculate(per="item")


class TestStandardCost:
    """§9: uninvoiced Standard receipts are revalued as expected cost; Update Standard Cost."""

    def test_interim_revaluation_and_invoice(self, setup):
        ItemFactory(no="S", costing_method=CostingMethod.STANDARD, standard_cost=D("7.50"))
        post(jline("purchase", "S", 4, day(1), unit_amount="7.50", invoiced_quantity=0))
        post(jline("purchase", "S", 6, day(2), unit_amount=8))
        [line] = calculate(
            per="item", on=day(3), calculation_base="standard_cost", update_standard_cost=True
        )
        assert (
            line.quantity,
            line.inventory_value_calculated,
            line.unit_cost_revalued,
            line.amount,
        ) == (
            10,
            D("75.00"),
            D("7.5"),
            0,
        )
        assert line.update_standard_cost
        edit(line, "unit_cost_revalued", "9")
        revaluation_batch_post(batch_name="REVAL")
        # ILE 1 (uninvoiced): 36.00 - 30.00 = 6.00, all of it expected; ILE 2 gets the rest: 9.00
        assert revaluation_entries() == [(1, 0, D("6.00"), D("1.5")), (2, D("9.00"), 0, D("1.5"))]
        item = Item.objects.get(no="S")
        assert (item.standard_cost, item.unit_cost, item.last_unit_cost_calc_date) == (
            D("9"),
            D("9"),
            day(3),
        )

        post(jline("invoice", "S", 4, day(4), unit_amount=8, applies_to_entry=1))
        invoice = [
            (
                v.entry_type,
                v.cost_amount_actual,
                v.cost_amount_expected,
                v.applies_to_entry,
                v.valuation_date,
            )
            for v in ValueEntry.objects.filter(entry_no__gt=5).order_by("entry_no")
        ]
        assert invoice == [
            ("direct_cost", D("32.00"), D("-30.00"), 0, day(1)),
            ("variance", D("4.00"), 0, 0, day(1)),
            ("revaluation", 0, D("-6.00"), 4, day(3)),
        ]
        totals = ValueEntry.objects.filter(item_ledger_entry_id=1)
        assert sum(v.cost_amount_actual for v in totals) == D("36.00")  # 4 x the new standard 9.00
        assert sum(v.cost_amount_expected for v in totals) == 0


class TestRounding:
    def test_split_carries_rounding_and_last_entry_absorbs(self, setup):
        ItemFactory(no="R")
        post(*(jline("purchase", "R", 1, day(1), unit_amount=10) for _ in range(3)))
        [line] = calculate(per="item")
        line = edit(line, "inventory_value_revalued", "31.00")
        assert (line.unit_cost_revalued, line.amount) == (D("10.33333"), D("1.00"))
        revaluation_batch_post(batch_name="REVAL")
        assert revaluation_entries() == [
            (1, D("0.33"), 0, D("0.33")),
            (2, D("0.34"), 0, D("0.34")),
            (3, D("0.33"), 0, D("0.33")),
        ]

    def test_unit_cost_residual_on_a_per_entry_line(self, setup):
        ItemFactory(no="R")
        post(jline("purchase", "R", 3, day(1), unit_amount=10))
        [line] = calculate(per="entry")
        edit(line, "inventory_value_revalued", "31.00")
        revaluation_batch_post(batch_name="REVAL")
        assert revaluation_entries() == [(1, D("1.00"), 0, D("0.33333"))]


class TestManualLines:
    @pytest.fixture
    def ledger(self, setup):
        ItemFactory(no="A")
        ItemFactory(no="B")
        post(jline("purchase", "A", 10, day(2), unit_amount=12))
        post(jline("sale", "A", 4, day(3)))
        post(jline("purchase", "A", 5, day(4), unit_amount=1, invoiced_quantity=0))

    def test_manual_line_revalues_the_whole_entry(self, ledger):
        RevaluationBatchFactory(name="MAN")
        line = line_create_manual(
            batch_name="MAN", item_no="A", applies_to_entry=1, document_no="M-1"
        )
        assert (
            line.posting_date,
            line.quantity,
            line.inventory_value_calculated,
            line.entry_type,
        ) == (
            day(2),
            10,
            D("120.00"),
            "purchase",
        )
        assert not line.partial_revaluation and line.amount == 0
        edit(line, "inventory_value_revalued", "150")
        revaluation_batch_post(batch_name="MAN")
        reval = ValueEntry.objects.get(entry_type="revaluation")
        assert (
            reval.valued_quantity,
            reval.cost_amount_actual,
            reval.valuation_date,
            reval.partial_revaluation,
        ) == (
            10,
            D("30.00"),
            day(2),
            False,
        )

    @pytest.mark.parametrize(
        ("item", "entry", "message"),
        [
            ("A", 99, "The Item Ledger Entry does not exist. Entry No.='99'."),
            ("B", 1, "Item No. must be equal to 'B' in Item Ledger Entry: Entry No.=1."),
            ("A", 2, "Positive must be equal to 'Yes' in Item Ledger Entry: Entry No.=2."),
            (
                "A",
                3,
                "Completely Invoiced must be equal to 'Yes' in Item Ledger Entry: Entry No.=3.",
            ),
        ],
    )
    def test_manual_line_checks(self, ledger, item, entry, message):
        RevaluationBatchFactory(name="MAN")
        with pytest.raises(RevaluationError, match=message):
            line_create_manual(batch_name="MAN", item_no=item, applies_to_entry=entry)
        assert not RevaluationLine.objects.exists()


class TestNegativeCalculatedValue:
    """E-33 (§5.4/§5.5) on a calculated value: 10 units bought at 10.00, 6 sold; the remaining 4
    (40.00) are revalued per entry to 4.00 (-36.00 on 4 units), then the whole entry is revalued
    by hand from 100.00 to 10.00 (-90.00 on 10 units). The 4 units are now worth
    40.00 - 36.00 x 4/4 - 90.00 x 4/10 = -32.00 (§4.4)."""

    @pytest.fixture
    def ledger(self, setup):
        ItemFactory(no="A")
        post(jline("purchase", "A", 10, day(1), unit_amount=10))
        post(jline("sale", "A", 6, day(2)))
        [line] = calculate(on=day(5), batch="P1")
        edit(line, "inventory_value_revalued", "4.00")
        revaluation_batch_post(batch_name="P1")
        RevaluationBatchFactory(name="MAN")
        line = line_create_manual(
            batch_name="MAN", item_no="A", applies_to_entry=1, document_no="M-1"
        )
        assert (line.quantity, line.inventory_value_calculated) == (10, D("100.00"))
        edit(line, "inventory_value_revalued", "10.00")
        revaluation_batch_post(batch_name="MAN")

    @pytest.mark.parametrize(
        ("per", "whose"), [("entry", "item ledger entry 1"), ("item", "all locations")]
    )
    def test_refused_like_bc(self, ledger, per, whose):
        with pytest.raises(RevaluationError) as caught:
            calculate(on=day(10), per=per)
        assert caught.value.message == (
            "The value must be greater than or equal to 0: Inventory Value (Revalued) -32.00 of "
            f"item A, {whose}."
        ).replace("all locations.", "all locations and variants.")
        assert not RevaluationLine.objects.filter(batch_id="REVAL").exists()

    def test_a_calculation_base_proposes_a_value_instead(self, ledger):
        # BC validates Unit Cost (Revalued) := Last Direct Cost (10.00), never the negative value
        [line] = calculate(on=day(10), per="item", calculation_base="last_direct_cost")
        assert (line.inventory_value_calculated, line.inventory_value_revalued, line.amount) == (
            D("-32.00"),
            D("40.00"),
            D("72.00"),
        )


class TestManualAndSumLineInOneBatch:
    """A per-entry manual line and a per-item line for the same item in one batch. BC's
    codeunit 23 checks every line first (codeunit 21, and the remaining quantity of per-entry
    lines created by the calculation only), then posts line by line: nothing ties the two lines
    together, and each sees what the earlier one posted.

    FIFO: 10 @ 10.00 (ILE 1) and 10 @ 12.00 (ILE 2), 5 sold from ILE 1. Per item on D10:
    15 units worth 50 + 120 = 170.00, revalued to 14.00 = 210.00 (+40.00). By hand on ILE 2:
    120.00 -> 150.00 (+30.00)."""

    @pytest.fixture
    def batch(self, setup):
        ItemFactory(no="X")
        post(jline("purchase", "X", 10, day(1), unit_amount=10))
        post(jline("purchase", "X", 10, day(2), unit_amount=12))
        post(jline("sale", "X", 5, day(3)))
        RevaluationBatchFactory(name="MIX")

    def manual(self):
        line = line_create_manual(
            batch_name="MIX", item_no="X", applies_to_entry=2, document_no="R"
        )
        edit(line, "inventory_value_revalued", "150")

    def per_item(self):
        [line] = calculate(batch="MIX", per="item", document_no="R", confirm=True)
        assert (line.quantity, line.inventory_value_calculated) == (15, D("170.00"))
        edit(line, "unit_cost_revalued", "14")

    def test_manual_line_first(self, batch):
        # the split reads ILE 2 after the manual line: 5 units of ILE 1 go 50 -> 70 (+20.00);
        # ILE 2, the last entry, absorbs the rest of the line's amount: 40 - 20 = +20.00
        self.manual()
        self.per_item()
        revaluation_batch_post(batch_name="MIX")
        assert [e[:2] for e in revaluation_entries()] == [
            (2, D("30.00")),
            (1, D("20.00")),
            (2, D("20.00")),
        ]

    def test_sum_line_first(self, batch):
        # the split moves each entry to 14.00 (ILE 1 +20.00, ILE 2 +20.00); the manual line
        # then posts its own amount, +30.00, as calculated when it was created
        self.per_item()
        self.manual()
        revaluation_batch_post(batch_name="MIX")
        assert [e[:2] for e in revaluation_entries()] == [
            (1, D("20.00")),
            (2, D("20.00")),
            (2, D("30.00")),
        ]
