"""Posting item journal lines: the only way inventory transactions reach the ledgers (spec §3).

``item_journal_post`` checks every line (spec §3.2, here) before writing anything, then posts the
lines (``item_posting.post_line``) in one transaction with the items and entry-number counters
locked. A check that depends on what
earlier lines of the same journal did (remaining quantities, E-14, E-17) is made while posting;
its failure rolls the whole transaction back, so nothing is ever half written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from inventory.amounts import MAX_ABS_VALUE, QTY_PLACES, ZERO, decimal_places
from inventory.eligibility import item_refusal, missing_entry, missing_item
from inventory.exceptions import PostingError
from inventory.models import (
    CostingMethod,
    Item,
    ItemJournalEntryType,
    ItemLedgerEntry,
    ItemLedgerEntryType,
    ItemRegister,
    ItemVariant,
    Location,
    SourceCode,
)
from inventory.services.adjustment_runs import schedule_automatic_adjustment
from inventory.services.item_posting import post_line
from inventory.services.item_posting.line import (
    ItemJournalLineInput,
    line_error,
    remaining_too_low,
)
from inventory.services.ledger import LedgerWriter, check_posting_date, lock_items

__all__ = ["ItemJournalLineInput", "PostingResult", "check_line", "item_journal_post"]


@dataclass
class PostingResult:
    register: ItemRegister
    item_ledger_entry_nos: list[int] = field(default_factory=list)
    value_entry_nos: list[int] = field(default_factory=list)


@transaction.atomic
def item_journal_post(
    *, lines: Sequence[ItemJournalLineInput], user: User | None = None, batch_name: str = ""
) -> PostingResult:
    """Post ``lines`` in one transaction: all or nothing.

    Raises PostingError (with line_no and field) when a line is refused; nothing is written then.
    """
    lines = sorted(lines, key=lambda line: line.line_no)
    if not lines:
        raise PostingError(_("There is nothing to post."))
    items = lock_items(line.item_no for line in lines)
    writer = LedgerWriter(
        items=items, source_code=SourceCode.ITEM_JOURNAL, user=user, batch_name=batch_name
    )
    for line in lines:
        check_line(line, items, writer)
    for line in lines:
        post_line(writer, line)
    register = writer.finish()
    schedule_automatic_adjustment(items)
    return PostingResult(register, writer.ile_nos, writer.ve_nos)


# --------------------------------------------------------------------------- checks (§3.2)


def check_line(line: ItemJournalLineInput, items: dict[str, Item], writer: LedgerWriter) -> None:
    """Every check of spec §3.2 that can be made before the first write."""
    item = _checked_item(line, items)
    if line.entry_type not in ItemJournalEntryType.values:
        raise line_error(
            line,
            _("Entry Type '%(type)s' is not valid.") % {"type": line.entry_type},
            "entry_type",
        )
    if not line.document_no:
        raise line_error(
            line, _("Document No. must have a value in Item Journal Line."), "document_no"
        )
    check_posting_date(
        writer.setup, line.posting_date, closed_until=writer.closed_until, line_no=line.line_no
    )
    _check_numbers(line, writer)
    _check_amount(line, item)
    if line.entry_type == ItemJournalEntryType.INVOICE:
        _check_invoice_line(line, item)
        return
    _check_codes(line, item)
    _check_quantities(line)
    if line.applies_to_entry:
        _check_applies_to(line, item)
    if line.applies_from_entry:
        _check_applies_from(line, item)
    if (
        item.costing_method == CostingMethod.SPECIFIC
        and line.ile_quantity < 0
        and not line.applies_to_entry
    ):
        raise line_error(
            line,
            _(
                "You must fill in Applies-to Entry for item %(no)s because its Costing Method is "
                "Specific."
            )
            % {"no": item.no},
            "applies_to_entry",
        )


def _checked_item(line: ItemJournalLineInput, items: dict[str, Item]) -> Item:
    """The line's item: named, existing and not blocked."""
    if not line.item_no:
        raise line_error(line, _("Item No. must have a value in Item Journal Line."), "item_no")
    item = items.get(line.item_no)
    refusal = item_refusal(line.item_no, item, revaluation=False)
    if refusal or item is None:
        raise line_error(line, refusal or missing_item(line.item_no), "item_no")
    return item


def _check_quantities(line: ItemJournalLineInput) -> None:
    """The quantity rules of a receipt, shipment or transfer line (not an invoice line)."""
    qty, invoiced = line.quantity, line.invoiced
    if invoiced not in (ZERO, qty):
        raise line_error(
            line,
            _("Invoiced Quantity must be equal to '0' in Item Journal Line."),
            "invoiced_quantity",
        )
    if invoiced == 0 and line.entry_type not in (
        ItemJournalEntryType.PURCHASE,
        ItemJournalEntryType.SALE,
    ):
        raise line_error(
            line,
            _("Only purchases and sales can be received or shipped without invoice."),
            "invoiced_quantity",
        )
    if line.entry_type == ItemJournalEntryType.TRANSFER:
        if qty < 0:
            raise line_error(
                line, _("Quantity must not be negative when Entry Type is Transfer."), "quantity"
            )
        if line.new_location_code == line.location_code:
            raise line_error(
                line,
                _("New Location Code must be different from Location Code."),
                "new_location_code",
            )
    elif qty < 0 and line.entry_type in (
        ItemJournalEntryType.POSITIVE_ADJMT,
        ItemJournalEntryType.NEGATIVE_ADJMT,
    ):
        raise line_error(
            line,
            _("Quantity must not be negative when Entry Type is %(type)s.")
            % {"type": ItemJournalEntryType(line.entry_type).label},
            "quantity",
        )


def _check_numbers(line: ItemJournalLineInput, writer: LedgerWriter) -> None:
    if line.quantity == 0:
        raise line_error(
            line,
            _(
                "You cannot post these lines because you have not entered a quantity on one or "
                "more of the lines."
            ),
            "quantity",
        )
    for name in ("quantity", "invoiced_quantity"):
        value = getattr(line, name)
        if value is not None and decimal_places(value) > QTY_PLACES:
            raise line_error(
                line,
                _("%(field)s must have at most %(places)s decimals.")
                % {"field": _label(name), "places": QTY_PLACES},
                name,
            )
        if value is not None and abs(value) >= MAX_ABS_VALUE:
            raise line_error(line, _("%(field)s is too large.") % {"field": _label(name)}, name)
    if line.unit_amount is not None:
        precision = writer.precision.unit_amount
        if line.unit_amount < 0:
            raise line_error(line, _("Unit Amount must not be negative."), "unit_amount")
        if line.unit_amount % precision:
            raise line_error(
                line,
                _("Unit Amount must be a multiple of %(precision)s (too many decimals).")
                % {"precision": precision},
                "unit_amount",
            )
        if line.unit_amount >= MAX_ABS_VALUE:
            raise line_error(line, _("Unit Amount is too large."), "unit_amount")


def _check_amount(line: ItemJournalLineInput, item: Item) -> None:
    """Quantity x unit amount (or the item's unit cost) must fit an amount: less than 10^15."""
    unit = item.unit_cost if line.unit_amount is None else line.unit_amount
    if abs(line.quantity * unit) >= MAX_ABS_VALUE:
        field = "quantity" if line.unit_amount is None else "unit_amount"
        message = (
            _("Quantity x Unit Cost is too large: the amount must be less than %(limit)s.")
            if line.unit_amount is None
            else _("Quantity x Unit Amount is too large: the amount must be less than %(limit)s.")
        )
        raise line_error(line, message % {"limit": f"{MAX_ABS_VALUE:,}"}, field)


def _label(name: str) -> str:
    return _("Quantity") if name == "quantity" else _("Invoiced Quantity")


def _check_codes(line: ItemJournalLineInput, item: Item) -> None:
    for name in ("location_code", "new_location_code"):
        code = getattr(line, name)
        if code and not Location.objects.filter(code=code).exists():
            raise line_error(
                line, _("The Location does not exist. Code='%(code)s'.") % {"code": code}, name
            )
    if line.new_location_code and line.entry_type != ItemJournalEntryType.TRANSFER:
        raise line_error(
            line, _("New Location Code can only be used on a transfer."), "new_location_code"
        )
    if (
        line.variant_code
        and not ItemVariant.objects.filter(item=item, code=line.variant_code).exists()
    ):
        raise line_error(
            line,
            _("The Item Variant does not exist. Item No.='%(item)s', Code='%(code)s'.")
            % {"item": item.no, "code": line.variant_code},
            "variant_code",
        )


def _entry(line: ItemJournalLineInput, entry_no: int, field: str) -> ItemLedgerEntry:
    ile = ItemLedgerEntry.objects.filter(entry_no=entry_no).first()
    if ile is None:
        raise line_error(line, missing_entry(entry_no), field)
    return ile


def _check_applies_to(line: ItemJournalLineInput, item: Item) -> None:
    """Spec §3.4.3: E-16 / E-17."""
    if line.ile_quantity > 0:
        raise line_error(
            line,
            _(
                "Applies-to Entry can only be used on a line that removes stock "
                "(use Applies-from Entry on a return)."
            ),
            "applies_to_entry",
        )
    ile = _entry(line, line.applies_to_entry, "applies_to_entry")
    for attr, label, expected in (
        ("item_id", _("Item No."), item.no),
        ("variant_code", _("Variant Code"), line.variant_code),
        ("location_code", _("Location Code"), line.location_code),
        ("positive", _("Positive"), True),
    ):
        actual = getattr(ile, attr)
        if actual != expected:
            raise line_error(
                line,
                _(
                    "%(field)s must be equal to '%(expected)s' in Item Ledger Entry: Entry No."
                    "=%(no)s. Current value is '%(current)s'."
                )
                % {
                    "field": label,
                    "expected": _show(expected),
                    "no": ile.entry_no,
                    "current": _show(actual),
                },
                "applies_to_entry",
            )
    if not ile.open or ile.remaining_quantity < -line.ile_quantity:
        raise remaining_too_low(line, ile.entry_no)


def _check_applies_from(line: ItemJournalLineInput, item: Item) -> None:
    """Spec §3.4.6: E-18 / E-19."""
    if line.ile_quantity < 0:
        raise line_error(line, _("Quantity must be negative in Item Journal Line."), "quantity")
    ile = _entry(line, line.applies_from_entry, "applies_from_entry")
    if ile.item_id != item.no:
        raise line_error(
            line,
            _(
                "Item No. must be equal to '%(item)s' in Item Ledger Entry: Entry No.=%(no)s. "
                "Current value is '%(current)s'."
            )
            % {"item": item.no, "no": ile.entry_no, "current": ile.item_id},
            "applies_from_entry",
        )
    if ile.positive:
        raise line_error(
            line,
            _(
                "Positive must be equal to 'No' in Item Ledger Entry: Entry No.=%(no)s. "
                "Current value is 'Yes'."
            )
            % {"no": ile.entry_no},
            "applies_from_entry",
        )


def _check_invoice_line(line: ItemJournalLineInput, item: Item) -> None:
    """Spec §3.1/§3.5.5: an invoice of an earlier receipt or shipment (E-12)."""
    if line.quantity < 0:
        raise line_error(line, _("Quantity to invoice must be positive."), "quantity")
    if not line.applies_to_entry:
        raise line_error(
            line,
            _("Applies-to Entry must name the receipt or shipment that this line invoices."),
            "applies_to_entry",
        )
    ile = _entry(line, line.applies_to_entry, "applies_to_entry")
    if ile.item_id != item.no:
        raise line_error(
            line,
            _(
                "Item No. must be equal to '%(item)s' in Item Ledger Entry: Entry No.=%(no)s. "
                "Current value is '%(current)s'."
            )
            % {"item": item.no, "no": ile.entry_no, "current": ile.item_id},
            "applies_to_entry",
        )
    if ile.entry_type not in (ItemLedgerEntryType.PURCHASE, ItemLedgerEntryType.SALE):
        raise line_error(
            line,
            _("Item Ledger Entry %(no)s is not a purchase receipt or sales shipment.")
            % {"no": ile.entry_no},
            "applies_to_entry",
        )
    if line.quantity > abs(ile.quantity - ile.invoiced_quantity):
        raise line_error(
            line,
            _(
                "The quantity that you are trying to invoice is larger than the quantity in the "
                "item ledger with the entry number %(no)s."
            )
            % {"no": ile.entry_no},
            "quantity",
        )


def _show(value: object) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)
