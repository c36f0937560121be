"""Spec §14.1 steps 5-7: Calculate Inventory Value per item, edit, preview and post, to the cent."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from inventory.models import Item, ItemRegister, ValueEntry
from revaluation.exceptions import RevaluationError
from revaluation.models import PostedRevaluation, RevaluationLine
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.lines import line_edit
from revaluation.services.posting import revaluation_batch_post, revaluation_batch_preview
from tests.posting import day, jline, post

pytestmark = pytest.mark.django_db


def calculate(per="item", on=None, **kwargs):
    return calculate_inventory_value(
        batch_name="REVAL",
        options=CalculateOptions(posting_date=on or day(4), document_no="REV-1", per=per, **kwargs),
    )


def test_calculate_edit_preview_post(scenario_a):
    [line] = calculate()
    assert (line.entry_type, line.inventory_value_per, line.partial_revaluation) == (
        "positive_adjmt",
        "item",
        True,
    )
    assert (line.applies_to_entry, line.quantity, line.posting_date) == (0, 15, day(4))
    assert line.inventory_value_calculated == D("170.00")
    assert line.unit_cost_calculated == D("11.33333")
    assert (line.inventory_value_revalued, line.unit_cost_revalued, line.amount) == (
        D("170.00"),
        D("11.33333"),
        0,
    )

    line = line_edit(line_id=line.pk, version=line.version, field="unit_cost_revalued", value="14")
    assert line.inventory_value_revalued == D("210.00")
    assert line.amount == D("40.00") and line.unit_amount == D("2.66667")
    assert line.unit_cost_revalued == D("14")
    assert line.version == 2

    preview = revaluation_batch_preview(batch_name="REVAL")
    [previewed] = preview.lines
    assert previewed.error is None
    assert [
        (v["item_ledger_entry_id"], v["cost_amount_actual"]) for v in previewed.value_entries
    ] == [
        (1, D("20.00")),
        (2, D("20.00")),
    ]
    assert ValueEntry.objects.filter(entry_type="revaluation").count() == 0  # preview wrote nothing

    posted = revaluation_batch_post(batch_name="REVAL")
    revaluations = ValueEntry.objects.filter(entry_type="revaluation").order_by("entry_no")
    assert [
        (
            v.item_ledger_entry_id,
            v.item_ledger_entry_type,
            v.posting_date,
            v.valuation_date,
            v.valued_quantity,
            v.invoiced_quantity,
            v.item_ledger_entry_quantity,
            v.cost_amount_actual,
            v.cost_per_unit,
            v.partial_revaluation,
            v.document_no,
            v.source_code,
        )
        for v in revaluations
    ] == [
        (1, "purchase", day(4), day(4), 5, 0, 0, D("20.00"), D("4.00"), True, "REV-1", "REVALJNL"),
        (2, "purchase", day(4), day(4), 10, 0, 0, D("20.00"), D("2.00"), True, "REV-1", "REVALJNL"),
    ]
    register = ItemRegister.objects.order_by("-no").first()
    assert (register.from_entry_no, register.to_entry_no) == (0, 0)
    assert (register.from_value_entry_no, register.to_value_entry_no) == (5, 6)
    assert posted.item_register == register and posted.total_amount == D("40.00")
    assert not RevaluationLine.objects.exists()
    assert Item.objects.get(no="A").unit_cost == D("10")  # unchanged until Adjust Cost

    # re-running the calculation now gives the revalued value: 15 units worth 210.00
    [again] = calculate()
    assert (again.quantity, again.inventory_value_calculated) == (15, D("210.00"))


def test_per_entry_calculation(scenario_a):
    lines = calculate(per="entry")
    assert [
        (
            line.applies_to_entry,
            line.entry_type,
            line.quantity,
            line.inventory_value_calculated,
            line.unit_cost_calculated,
        )
        for line in lines
    ] == [(1, "purchase", 5, D("50.00"), D("10")), (2, "purchase", 10, D("120.00"), D("12"))]
    assert all(line.inventory_value_per == "" and line.partial_revaluation for line in lines)


def test_new_posting_in_the_period_is_detected(scenario_a):
    [line] = calculate()
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="14")
    post(jline("sale", "A", 1, day(4)))  # a sale dated on the revaluation date, after calculation
    with pytest.raises(
        RevaluationError,
        match="There are new postings made in the period you want to revalue item no. A",
    ):
        revaluation_batch_post(batch_name="REVAL")
    assert ValueEntry.objects.filter(entry_type="revaluation").count() == 0
    assert RevaluationLine.objects.count() == 1 and not PostedRevaluation.objects.exists()
