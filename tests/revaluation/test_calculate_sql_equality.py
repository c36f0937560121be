"""The set-based Calculate Inventory Value (one INSERT ... SELECT) proposes exactly the lines of
the Python code it replaced (``calculate_reference``), field by field and to the cent, on random
ledgers of every costing method: purchases received and invoiced later, sales shipped and
invoiced later, transfers, returns, earlier revaluations, two locations and a variant; per entry,
per item, per item by location and variant, with and without a calculation base.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal as D

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings

from inventory.exceptions import PostingError
from inventory.models import AverageCostCalcType, CostingMethod, InventorySetup
from inventory.services.adjustment import adjust_cost_item_entries
from revaluation.exceptions import RevaluationError
from revaluation.models import RevaluationBatch
from revaluation.services.calculate import (
    CalculateOptions,
    CalculationBase,
    _items,
    calculate_inventory_value,
    check_preconditions,
)
from tests.factories import ItemFactory, ItemVariantFactory, LocationFactory
from tests.inventory.test_adjustment_properties import LOCATIONS, operations, run
from tests.posting import day, jline, post
from tests.revaluation.calculate_reference import reference_lines

pytestmark = pytest.mark.django_db

FIELDS = (
    "line_no",
    "item_id",
    "entry_type",
    "posting_date",
    "document_no",
    "location_code",
    "variant_code",
    "applies_to_entry",
    "quantity",
    "invoiced_quantity",
    "inventory_value_calculated",
    "unit_cost_calculated",
    "inventory_value_revalued",
    "unit_cost_revalued",
    "amount",
    "unit_amount",
    "applied_amount",
    "inventory_value_per",
    "partial_revaluation",
    "update_standard_cost",
    "calculated_through_entry_no",
)


def rows(lines) -> list[tuple]:
    # Decimals compare by value (1.50000 == 1.5), so the column scale does not matter
    return [tuple(getattr(line, name) for name in FIELDS) for line in lines]


def same_lines(options: CalculateOptions) -> None:
    """Both paths give the same lines, or the same refusal."""
    batch, _ = RevaluationBatch.objects.get_or_create(name="EQ")
    normalized = options.normalized()
    problems = check_preconditions(normalized, _items(normalized), first_only=True)
    expected: list[tuple] | str
    got: list[tuple] | str
    try:
        expected = problems[0] if problems else rows(reference_lines(batch, options))
    except RevaluationError as refused:
        expected = refused.message
    try:
        with transaction.atomic():
            got = rows(calculate_inventory_value(batch_name="EQ", options=options))
            transaction.set_rollback(True)
    except RevaluationError as refused:
        got = refused.message
    assert got == expected


def ledger(method: str, ops) -> None:
    for code in LOCATIONS:
        LocationFactory(code=code)
    item = ItemFactory(
        no="P", costing_method=method, standard_cost=D("7.5"), last_direct_cost=D("3.33333")
    )
    ItemVariantFactory(item=item, code="V1")
    # a variant's purchase and a sale of a third of it (remaining quantities with repeating
    # decimals in the divisions)
    post(jline("purchase", "P", 3, day(1), unit_amount=D("1.01"), variant_code="V1"))
    post(jline("purchase", "P", 7, day(1), unit_amount=D("0.13"), location_code="RED"))
    post(jline("sale", "P", 1, day(1), unit_amount=2, variant_code="V1"))
    for n, op in enumerate(ops, start=2):
        with contextlib.suppress(PostingError):
            run(op, n)
    adjust_cost_item_entries()


@pytest.mark.parametrize(
    "method",
    [CostingMethod.FIFO, CostingMethod.LIFO, CostingMethod.AVERAGE, CostingMethod.STANDARD],
)
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_sql_lines_equal_the_python_lines(setup, method, ops):
    with transaction.atomic():
        InventorySetup.objects.filter(pk=1).update(
            average_cost_period="day",
            average_cost_calc_type=AverageCostCalcType.ITEM_LOCATION_VARIANT,
        )
        ledger(method, ops)
        for on in (day(3), day(20)):
            per_entry = CalculateOptions(posting_date=on, document_no="R")
            same_lines(per_entry)
            same_lines(CalculateOptions(posting_date=on, document_no="R", variant_codes=("V1",)))
            for base in (
                CalculationBase.BLANK,
                CalculationBase.LAST_DIRECT_COST,
                CalculationBase.STANDARD_COST,
            ):
                for by_location, by_variant in ((True, True), (True, False), (False, False)):
                    same_lines(
                        CalculateOptions(
                            posting_date=on,
                            document_no="R",
                            per="item",
                            by_location=by_location,
                            by_variant=by_variant,
                            calculation_base=base,
                        )
                    )
            same_lines(
                CalculateOptions(
                    posting_date=on,
                    document_no="R",
                    per="item",
                    location_codes=("RED",),
                    variant_codes=("", "V1"),
                )
            )
        InventorySetup.objects.filter(pk=1).update(average_cost_calc_type=AverageCostCalcType.ITEM)
        same_lines(CalculateOptions(posting_date=day(20), document_no="R", per="item"))
        transaction.set_rollback(True)
