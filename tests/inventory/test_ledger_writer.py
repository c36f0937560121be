"""The ledger writer's savepoint: a failed block leaves neither rows nor numbers behind."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from inventory.exceptions import PostingError
from inventory.models import (
    AvgCostAdjmtEntryPoint,
    CostingMethod,
    ItemLedgerEntry,
    SourceCode,
    ValueEntry,
    ValueEntryType,
)
from inventory.services.ledger import LedgerWriter, ValueEntryDraft, lock_items
from tests.factories import ItemFactory
from tests.posting import day, jline, post

pytestmark = pytest.mark.django_db


def revalue(writer: LedgerWriter, entry: ItemLedgerEntry, amount: str, *, defer: bool) -> int:
    draft = ValueEntryDraft(
        entry_type=ValueEntryType.REVALUATION,
        posting_date=day(2),
        valuation_date=day(2),
        document_no="REV",
        valued_quantity=entry.quantity,
        invoiced_quantity=D(0),
        cost_amount_actual=D(amount),
    )
    if defer:
        return writer.defer_value_entry(entry, first=False, **draft)["entry_no"]
    return writer.insert_value_entry(entry, first=False, **draft).entry_no


@pytest.mark.parametrize("defer", [False, True], ids=["inserted", "deferred"])
def test_a_failed_savepoint_block_is_forgotten_and_its_numbers_handed_out_again(setup, defer):
    ItemFactory(no="A")
    post(jline("purchase", "A", 10, unit_amount=5))  # entry 1, value entry 1
    entry = ItemLedgerEntry.objects.get(entry_no=1)
    writer = LedgerWriter(items=lock_items(["A"]), source_code=SourceCode.REVALUATION_JOURNAL)

    with pytest.raises(PostingError), writer.savepoint():
        assert revalue(writer, entry, "7", defer=defer) == 2
        writer.flush()
        raise PostingError("refused")

    assert writer.ve_nos == []
    assert writer.pending == []
    assert not ValueEntry.objects.filter(entry_no=2).exists()
    assert revalue(writer, entry, "3", defer=defer) == 2  # the number is handed out again
    register = writer.finish()
    assert (register.from_value_entry_no, register.to_value_entry_no) == (2, 2)
    assert ValueEntry.objects.get(entry_no=2).cost_amount_actual == D("3.00")


def test_a_savepoint_block_that_succeeds_keeps_what_it_wrote(setup):
    ItemFactory(no="A")
    post(jline("purchase", "A", 10, unit_amount=5))
    entry = ItemLedgerEntry.objects.get(entry_no=1)
    writer = LedgerWriter(items=lock_items(["A"]), source_code=SourceCode.REVALUATION_JOURNAL)
    with writer.savepoint():
        revalue(writer, entry, "7", defer=False)
    assert writer.ve_nos == [2]
    writer.finish()
    assert [ve.cost_amount_actual for ve in ValueEntry.objects.order_by("entry_no")] == [
        D("50.00"),
        D("7.00"),
    ]


def test_deferred_value_entries_are_written_in_chunks(setup, monkeypatch):
    """A large revaluation does not hold every deferred row until the end: every FLUSH_EVERY
    rows go to the table; a failed savepoint block still forgets the chunk it wrote."""
    monkeypatch.setattr("inventory.services.ledger.FLUSH_EVERY", 2)
    ItemFactory(no="A")
    post(jline("purchase", "A", 10, unit_amount=5))  # entry 1, value entry 1
    entry = ItemLedgerEntry.objects.get(entry_no=1)
    writer = LedgerWriter(items=lock_items(["A"]), source_code=SourceCode.REVALUATION_JOURNAL)
    revalue(writer, entry, "1", defer=True)
    assert not ValueEntry.objects.filter(entry_no=2).exists()
    revalue(writer, entry, "2", defer=True)  # the second row: both written
    assert writer.pending == []
    assert list(ValueEntry.objects.filter(entry_no__gt=1).values_list("entry_no", flat=True)) == [
        2,
        3,
    ]
    with pytest.raises(PostingError), writer.savepoint():
        revalue(writer, entry, "4", defer=True)
        revalue(writer, entry, "8", defer=True)  # written by the chunk, then rolled back
        raise PostingError("refused")
    assert not ValueEntry.objects.filter(entry_no__gt=3).exists()
    revalue(writer, entry, "16", defer=True)
    writer.finish()
    assert list(
        ValueEntry.objects.order_by("entry_no").values_list("entry_no", "cost_amount_actual")
    ) == [(1, D("50.00")), (2, D("1.00")), (3, D("2.00")), (4, D("16.00"))]


def test_entry_points_of_deferred_value_entries_are_marked_at_flush(setup):
    """The points of deferred value entries are marked at flush, several at once: each point
    (created if missing) and the later points of its pool (location and variant, or the whole
    item for an Average item per item); not the points of other pools, nor earlier ones."""
    ItemFactory(no="A")
    ItemFactory(no="B", costing_method=CostingMethod.AVERAGE)
    points = [
        ("A", "BLUE", day(1)),
        ("A", "BLUE", day(5)),
        ("A", "RED", day(5)),
        ("A", "BLUE", day(3)),  # A/BLUE is marked from day 3 on
        ("B", "", day(1)),
        ("B", "", day(4)),
    ]
    for item_no, location, on in points[:3] + points[4:]:
        AvgCostAdjmtEntryPoint.objects.create(
            item_id=item_no, location_code=location, valuation_date=on, cost_is_adjusted=True
        )
    writer = LedgerWriter(items=lock_items(["A", "B"]), source_code=SourceCode.REVALUATION_JOURNAL)
    for item_no, location, on in [("A", "BLUE", day(3)), ("B", "", day(2))]:
        writer.mark_entry_point_unadjusted(item_no, location, "", on, defer=True)
    assert not AvgCostAdjmtEntryPoint.objects.filter(cost_is_adjusted=False).exists()

    writer.flush()

    assert sorted(
        AvgCostAdjmtEntryPoint.objects.values_list(
            "item_id", "location_code", "valuation_date", "cost_is_adjusted"
        )
    ) == [
        ("A", "BLUE", day(1), True),
        ("A", "BLUE", day(3), False),
        ("A", "BLUE", day(5), False),
        ("A", "RED", day(5), True),
        ("B", "", day(1), True),
        ("B", "", day(2), False),
        ("B", "", day(4), False),
    ]
