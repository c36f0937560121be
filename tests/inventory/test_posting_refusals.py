"""Every refusal of item journal posting: a clear message naming the line, and nothing written."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest

from inventory.exceptions import PostingError
from inventory.models import (
    CostingMethod,
    InventorySetup,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ItemRegister,
    ValueEntry,
)
from tests.factories import InventoryPeriodFactory, ItemFactory, ItemVariantFactory, LocationFactory
from tests.posting import day, jline, post

pytestmark = pytest.mark.django_db


def ledger_state():
    return (
        list(
            ItemLedgerEntry.objects.values_list(
                "entry_no", "remaining_quantity", "invoiced_quantity"
            )
        ),
        ValueEntry.objects.count(),
        ItemApplicationEntry.objects.count(),
        ItemRegister.objects.count(),
    )


@pytest.fixture
def stock(setup):
    """Item A (FIFO) with 10 in stock at BLUE (ILE 1) and item B; location RED exists."""
    LocationFactory(code="BLUE")
    LocationFactory(code="RED")
    ItemFactory(no="A", unit_cost=D(10))
    ItemFactory(no="B")
    post(jline("purchase", "A", 10, day(1), unit_amount=10, location_code="BLUE"))


def refused(*lines, line_no=20000, field=None):
    """Post a valid first line plus ``lines``; assert the refusal and that nothing changed."""
    before = ledger_state()
    good = jline("positive_adjmt", "A", 1, day(2), unit_amount=10, location_code="BLUE")
    with pytest.raises(PostingError) as caught:
        post(good, *lines)
    assert ledger_state() == before
    assert caught.value.line_no == line_no
    if field:
        assert caught.value.field == field
    return caught.value.message


def test_blocked_item(stock):
    ItemFactory(no="X", blocked=True)
    assert refused(jline("sale", "X", 1, day(2)), field="item_no") == (
        "You cannot choose Item X because the Blocked check box is selected on its Item card."
    )


def test_unknown_item(stock):
    assert refused(jline("sale", "NOPE", 1, day(2)), field="item_no") == (
        "The Item does not exist. No.='NOPE'."
    )


def test_missing_document_no(stock):
    assert "Document No. must have a value" in refused(
        jline("sale", "A", 1, day(2), document_no="")
    )


def test_quantity_zero(stock):
    assert refused(jline("sale", "A", 0, day(2)), field="quantity") == (
        "You cannot post these lines because you have not entered a quantity on one or more of "
        "the lines."
    )


@pytest.mark.parametrize("entry_type", ["positive_adjmt", "negative_adjmt"])
def test_negative_quantity_on_adjustment(stock, entry_type):
    message = refused(jline(entry_type, "A", -1, day(2)), field="quantity")
    assert message.startswith("Quantity must not be negative when Entry Type is")


def test_invoiced_quantity_must_be_zero_or_quantity(stock):
    message = refused(
        jline("purchase", "A", 5, day(2), invoiced_quantity=2), field="invoiced_quantity"
    )
    assert message == "Invoiced Quantity must be equal to '0' in Item Journal Line."


def test_posting_date_outside_allowed_range(stock):
    InventorySetup.objects.filter(pk=1).update(allow_posting_from=datetime.date(2025, 1, 2))
    message = refused(jline("sale", "A", 1, day(1)), field="posting_date")
    assert message == "Posting Date is not within your range of allowed posting dates."


def test_posting_date_in_closed_inventory_period(stock):
    InventoryPeriodFactory(ending_date=day(5), closed=True)
    message = refused(jline("sale", "A", 1, day(5)), field="posting_date", line_no=10000)
    assert message == (
        "You cannot post before 2025-01-06 because the Inventory Period is already closed. "
        "You must re-open the period first."
    )


def test_transfer_to_same_location(stock):
    message = refused(
        jline("transfer", "A", 1, day(2), location_code="BLUE", new_location_code="BLUE"),
        field="new_location_code",
    )
    assert message == "New Location Code must be different from Location Code."


def test_transfer_cannot_leave_negative_inventory(stock):
    message = refused(
        jline("transfer", "A", 12, day(2), location_code="BLUE", new_location_code="RED")
    )
    assert message == "You have insufficient quantity of Item A on inventory."


def test_negative_inventory_refused_when_not_allowed(stock):
    InventorySetup.objects.filter(pk=1).update(allow_negative_inventory=False)
    message = refused(jline("sale", "A", 12, day(2), location_code="BLUE"), field="quantity")
    assert message == "You have insufficient quantity of Item A on inventory."


def test_specific_outbound_needs_applies_to(stock):
    ItemFactory(no="SP", costing_method=CostingMethod.SPECIFIC)
    message = refused(jline("sale", "SP", 1, day(2)), field="applies_to_entry")
    assert message == (
        "You must fill in Applies-to Entry for item SP because its Costing Method is Specific."
    )


def test_applies_to_entry_of_another_item(stock):
    message = refused(jline("sale", "B", 1, day(2), location_code="BLUE", applies_to_entry=1))
    assert message == (
        "Item No. must be equal to 'B' in Item Ledger Entry: Entry No.=1. Current value is 'A'."
    )


def test_applies_to_entry_at_another_location(stock):
    message = refused(jline("sale", "A", 1, day(2), location_code="RED", applies_to_entry=1))
    assert message.startswith("Location Code must be equal to 'RED' in Item Ledger Entry")


def test_applies_to_closed_entry(stock):
    post(jline("sale", "A", 10, day(2), location_code="BLUE"))
    message = refused(jline("sale", "A", 1, day(3), location_code="BLUE", applies_to_entry=1))
    assert message == "Remaining Quantity is too low in Item Ledger Entry Entry No.=1."


def test_applies_to_needs_the_whole_quantity_after_earlier_lines(stock):
    """Line 2 leaves 9 in ILE 1; line 3 wants 10 of it: refused while posting, all rolled back."""
    message = refused(
        jline("sale", "A", 1, day(2), location_code="BLUE"),
        jline("sale", "A", 10, day(2), location_code="BLUE", applies_to_entry=1),
        line_no=30000,
    )
    assert message == "Remaining Quantity is too low in Item Ledger Entry Entry No.=1."


def test_applies_from_an_inbound(stock):
    message = refused(jline("sale", "A", -1, day(2), location_code="BLUE", applies_from_entry=1))
    assert message == (
        "Positive must be equal to 'No' in Item Ledger Entry: Entry No.=1. Current value is 'Yes'."
    )


def test_applies_from_on_an_outbound_line(stock):
    message = refused(jline("sale", "A", 1, day(2), applies_from_entry=1), field="quantity")
    assert message == "Quantity must be negative in Item Journal Line."


def test_invoice_larger_than_uninvoiced_quantity(stock):
    post(
        jline("purchase", "A", 4, day(2), unit_amount=5, invoiced_quantity=0, location_code="BLUE")
    )
    message = refused(
        jline("invoice", "A", 5, day(3), unit_amount=5, applies_to_entry=2), field="quantity"
    )
    assert message == (
        "The quantity that you are trying to invoice is larger than the quantity in the item "
        "ledger with the entry number 2."
    )


def test_invoice_of_a_completely_invoiced_entry(stock):
    message = refused(jline("invoice", "A", 1, day(3), unit_amount=5, applies_to_entry=1))
    assert "larger than the quantity in the item ledger with the entry number 1" in message


@pytest.mark.parametrize(
    ("field", "kwargs", "message"),
    [
        ("quantity", {"quantity": "1.000001"}, "Quantity must have at most 5 decimals."),
        (
            "unit_amount",
            {"unit_amount": "1.000001"},
            "Unit Amount must be a multiple of 0.00001 (too many decimals).",
        ),
        ("unit_amount", {"unit_amount": "-1"}, "Unit Amount must not be negative."),
        ("quantity", {"quantity": "1E+20"}, "Quantity is too large."),
    ],
)
def test_bad_numbers(stock, field, kwargs, message):
    line = jline("purchase", "A", kwargs.pop("quantity", 1), day(2), **kwargs)
    assert refused(line, field=field) == message


def test_unknown_location_and_variant(stock):
    assert refused(
        jline("purchase", "A", 1, day(2), unit_amount=1, location_code="NOPE"),
        field="location_code",
    ) == ("The Location does not exist. Code='NOPE'.")
    ItemVariantFactory(item_id="B", code="RED")
    assert refused(
        jline("purchase", "A", 1, day(2), unit_amount=1, variant_code="RED"), field="variant_code"
    ) == ("The Item Variant does not exist. Item No.='A', Code='RED'.")


def test_entry_numbers_stay_gap_free_after_a_refusal(stock):
    with pytest.raises(PostingError):
        post(
            jline("purchase", "A", 1, day(2), unit_amount=1, location_code="BLUE"),
            jline("transfer", "A", 50, day(2), location_code="BLUE", new_location_code="RED"),
        )
    result = post(jline("purchase", "A", 1, day(3), unit_amount=1))
    assert result.item_ledger_entry_nos == [2]
    assert result.value_entry_nos == [2]
    assert result.register.no == 2
    assert list(ItemLedgerEntry.objects.values_list("entry_no", flat=True)) == [1, 2]
