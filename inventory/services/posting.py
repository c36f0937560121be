"""The one writer of ledger rows: posting item journal lines (COSTING-SPEC §3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from inventory.exceptions import PostingError  # noqa: F401  (re-exported for callers)
from inventory.models import ItemRegister


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


@dataclass
class PostingResult:
    register: ItemRegister
    item_ledger_entry_nos: list[int] = field(default_factory=list)
    value_entry_nos: list[int] = field(default_factory=list)


def item_journal_post(*, lines, user=None, batch_name: str = "") -> PostingResult:
    """Post ``lines`` (a sequence of ItemJournalLineInput) in one transaction: all or nothing.

    Raises PostingError (with line_no/field) when any line is refused; nothing is written then.
    """
    raise NotImplementedError
