"""The ledgers that many tests start from, built in one place (docs/COSTING.md §14).

Each function posts through the real services on an empty ledger, so entry numbers start at 1.
The fixtures in ``tests/conftest.py`` call them; a test that needs a scenario asks for the fixture.
"""

from __future__ import annotations

from decimal import Decimal

from inventory.models import CostingMethod, Item
from inventory.services.adjustment import adjust_cost_item_entries
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.lines import line_edit
from revaluation.services.posting import revaluation_batch_post
from tests.factories import ItemFactory
from tests.posting import day, jline, post


def purchase_and_sale() -> Item:
    """Item A (FIFO): purchase 10 @ 10.00 on D1 (entry 1), sale 5 on D3 (entry 2)."""
    item = ItemFactory.create(no="A")
    post(jline("purchase", "A", 10, day(1), unit_amount=Decimal("10")))
    post(jline("sale", "A", 5, day(3)))
    return item


def scenario_a() -> Item:
    """§14.1 steps 1-4, item A (FIFO): P-1 10 @ 10.00 (D1), P-2 10 @ 12.00 (D2), S-1 5 (D3),
    S-2 8 (D5). Calculated per item on D4: 15 units worth 170.00."""
    item = ItemFactory.create(no="A", description="Oak table", costing_method=CostingMethod.FIFO)
    post(jline("purchase", "A", 10, day(1), unit_amount=10, document_no="P-1"))
    post(jline("purchase", "A", 10, day(2), unit_amount=12, document_no="P-2"))
    post(jline("sale", "A", 5, day(3), document_no="S-1"))
    post(jline("sale", "A", 8, day(5), document_no="S-2"))
    return item


def scenario_a_revalued_and_adjusted() -> None:
    """§14.1 through the revaluation and the adjustment: scenario A adjusted, revalued per item
    on D4 to 14.00 a unit (15 units: 170.00 -> 210.00) in batch R, posted and adjusted again."""
    scenario_a()
    adjust_cost_item_entries()
    [line] = calculate_inventory_value(
        batch_name="R",
        options=CalculateOptions(posting_date=day(4), document_no="REV-1", per="item"),
    )
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="14")
    revaluation_batch_post(batch_name="R")
    adjust_cost_item_entries()
