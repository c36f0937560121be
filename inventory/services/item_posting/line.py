"""An item journal line as entered, and the error that names one of its fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from inventory.exceptions import PostingError
from inventory.models import ItemJournalEntryType

OUTBOUND_TYPES = {
    ItemJournalEntryType.SALE,
    ItemJournalEntryType.NEGATIVE_ADJMT,
    ItemJournalEntryType.TRANSFER,
}


@dataclass(frozen=True)
class ItemJournalLineInput:
    """One item journal line as entered (quantities in the line's normal direction).

    ``entry_type`` is an ``ItemJournalEntryType`` value. A negative ``quantity`` on a purchase or
    sale line is a return. ``invoiced_quantity`` None means "= quantity"; 0 means received or
    shipped without invoice. An ``invoice`` line invoices ``quantity`` units of the entry named in
    ``applies_to_entry`` at ``unit_amount`` per unit.
    """

    line_no: int
    posting_date: date | None
    entry_type: str
    document_no: str
    item_no: str
    quantity: Decimal
    invoiced_quantity: Decimal | None = None
    unit_amount: Decimal | None = None
    location_code: str = ""
    variant_code: str = ""
    new_location_code: str = ""
    applies_to_entry: int = 0
    applies_from_entry: int = 0
    description: str = ""

    @property
    def ile_quantity(self) -> Decimal:
        """The signed quantity of the entry this line creates (spec §3.1)."""
        return -self.quantity if self.entry_type in OUTBOUND_TYPES else self.quantity

    @property
    def invoiced(self) -> Decimal:
        return self.quantity if self.invoiced_quantity is None else self.invoiced_quantity


def line_error(line: ItemJournalLineInput, message: str, field: str) -> PostingError:
    return PostingError(message, line_no=line.line_no, field=field)


def remaining_too_low(line: ItemJournalLineInput, entry_no: int) -> PostingError:
    return line_error(
        line,
        _("Remaining Quantity is too low in Item Ledger Entry Entry No.=%(no)s.")
        % {"no": entry_no},
        "applies_to_entry",
    )


def insufficient_quantity(line: ItemJournalLineInput, item_no: str) -> PostingError:
    return line_error(
        line,
        _("You have insufficient quantity of Item %(no)s on inventory.") % {"no": item_no},
        "quantity",
    )
