"""Posting item journal lines: the only way inventory transactions reach the ledgers (spec §3).

``item_journal_post`` checks every line (spec §3.2) before writing anything, then posts the lines
in one transaction with the items and entry-number counters locked. A check that depends on what
earlier lines of the same journal did (remaining quantities, E-14, E-17) is made while posting;
its failure rolls the whole transaction back, so nothing is ever half written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from inventory.amounts import MAX_ABS_VALUE, QTY_PLACES, ZERO, decimal_places
from inventory.exceptions import PostingError
from inventory.models import (
    CostingMethod,
    Item,
    ItemApplicationEntry,
    ItemJournalEntryType,
    ItemLedgerEntry,
    ItemLedgerEntryType,
    ItemRegister,
    ItemVariant,
    Location,
    SourceCode,
    ValueEntry,
    ValueEntryType,
)
from inventory.services.adjustment_runs import schedule_automatic_adjustment
from inventory.services.ledger import (
    LedgerWriter,
    check_posting_date,
    last_dc_ve,
    lock_items,
    rev_or_last_ve,
)

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


@dataclass
class PostingResult:
    register: ItemRegister
    item_ledger_entry_nos: list[int] = field(default_factory=list)
    value_entry_nos: list[int] = field(default_factory=list)


@transaction.atomic
def item_journal_post(
    *, lines: Sequence[ItemJournalLineInput], user=None, batch_name: str = ""
) -> PostingResult:
    """Post ``lines`` in one transaction: all or nothing.

    Raises PostingError (with line_no and field) when a line is refused; nothing is written then.
    """
    lines = sorted(lines, key=lambda line: line.line_no)
    if not lines:
        raise PostingError("There is nothing to post.")
    items = lock_items(line.item_no for line in lines)
    writer = LedgerWriter(
        items=items, source_code=SourceCode.ITEM_JOURNAL, user=user, batch_name=batch_name
    )
    for line in lines:
        check_line(line, items, writer)
    poster = _LinePoster(writer)
    for line in lines:
        poster.post(line)
    register = writer.finish()
    schedule_automatic_adjustment(items)
    return PostingResult(register, writer.ile_nos, writer.ve_nos)


# --------------------------------------------------------------------------- checks (§3.2)


def _fail(line: ItemJournalLineInput, message: str, field: str) -> PostingError:
    return PostingError(message, line_no=line.line_no, field=field)


def check_line(line: ItemJournalLineInput, items: dict[str, Item], writer: LedgerWriter) -> None:
    """Every check of spec §3.2 that can be made before the first write."""
    if not line.item_no:
        raise _fail(line, "Item No. must have a value in Item Journal Line.", "item_no")
    item = items.get(line.item_no)
    if item is None:
        raise _fail(line, f"The Item does not exist. No.='{line.item_no}'.", "item_no")
    if item.blocked:
        raise _fail(
            line,
            f"You cannot choose Item {item.no} because the Blocked check box is selected on "
            "its Item card.",
            "item_no",
        )
    if line.entry_type not in ItemJournalEntryType.values:
        raise _fail(line, f"Entry Type '{line.entry_type}' is not valid.", "entry_type")
    if not line.document_no:
        raise _fail(line, "Document No. must have a value in Item Journal Line.", "document_no")
    check_posting_date(
        writer.setup, line.posting_date, closed_until=writer.closed_until, line_no=line.line_no
    )
    _check_numbers(line, writer)
    _check_amount(line, item)
    if line.entry_type == ItemJournalEntryType.INVOICE:
        _check_invoice_line(line, item)
        return
    _check_codes(line, item)
    qty, invoiced = line.quantity, line.invoiced
    if invoiced not in (ZERO, qty):
        raise _fail(
            line,
            "Invoiced Quantity must be equal to '0' in Item Journal Line.",
            "invoiced_quantity",
        )
    if invoiced == 0 and line.entry_type not in (
        ItemJournalEntryType.PURCHASE,
        ItemJournalEntryType.SALE,
    ):
        raise _fail(
            line,
            "Only purchases and sales can be received or shipped without invoice.",
            "invoiced_quantity",
        )
    if line.entry_type == ItemJournalEntryType.TRANSFER:
        if qty < 0:
            raise _fail(
                line, "Quantity must not be negative when Entry Type is Transfer.", "quantity"
            )
        if line.new_location_code == line.location_code:
            raise _fail(
                line, "New Location Code must be different from Location Code.", "new_location_code"
            )
    elif qty < 0 and line.entry_type in (
        ItemJournalEntryType.POSITIVE_ADJMT,
        ItemJournalEntryType.NEGATIVE_ADJMT,
    ):
        raise _fail(
            line,
            f"Quantity must not be negative when Entry Type is "
            f"{ItemJournalEntryType(line.entry_type).label}.",
            "quantity",
        )
    if line.applies_to_entry:
        _check_applies_to(line, item)
    if line.applies_from_entry:
        _check_applies_from(line, item)
    if (
        item.costing_method == CostingMethod.SPECIFIC
        and line.ile_quantity < 0
        and not line.applies_to_entry
    ):
        raise _fail(
            line,
            f"You must fill in Applies-to Entry for item {item.no} because its Costing Method "
            "is Specific.",
            "applies_to_entry",
        )


def _check_numbers(line: ItemJournalLineInput, writer: LedgerWriter) -> None:
    if line.quantity == 0:
        raise _fail(
            line,
            "You cannot post these lines because you have not entered a quantity on one or more "
            "of the lines.",
            "quantity",
        )
    for name in ("quantity", "invoiced_quantity"):
        value = getattr(line, name)
        if value is not None and decimal_places(value) > QTY_PLACES:
            raise _fail(line, f"{_label(name)} must have at most {QTY_PLACES} decimals.", name)
        if value is not None and abs(value) >= MAX_ABS_VALUE:
            raise _fail(line, f"{_label(name)} is too large.", name)
    if line.unit_amount is not None:
        precision = writer.precision.unit_amount
        if line.unit_amount < 0:
            raise _fail(line, "Unit Amount must not be negative.", "unit_amount")
        if line.unit_amount % precision:
            raise _fail(
                line,
                f"Unit Amount must be a multiple of {precision} (too many decimals).",
                "unit_amount",
            )
        if line.unit_amount >= MAX_ABS_VALUE:
            raise _fail(line, "Unit Amount is too large.", "unit_amount")


def _check_amount(line: ItemJournalLineInput, item: Item) -> None:
    """Quantity x unit amount (or the item's unit cost) must fit an amount: less than 10^15."""
    unit = item.unit_cost if line.unit_amount is None else line.unit_amount
    if abs(line.quantity * unit) >= MAX_ABS_VALUE:
        field = "quantity" if line.unit_amount is None else "unit_amount"
        raise _fail(
            line,
            f"Quantity x {'Unit Cost' if line.unit_amount is None else 'Unit Amount'} is too "
            f"large: the amount must be less than {MAX_ABS_VALUE:,}.",
            field,
        )


def _label(name: str) -> str:
    return name.replace("_", " ").title().replace("No", "No.")


def _check_codes(line: ItemJournalLineInput, item: Item) -> None:
    for name in ("location_code", "new_location_code"):
        code = getattr(line, name)
        if code and not Location.objects.filter(code=code).exists():
            raise _fail(line, f"The Location does not exist. Code='{code}'.", name)
    if line.new_location_code and line.entry_type != ItemJournalEntryType.TRANSFER:
        raise _fail(line, "New Location Code can only be used on a transfer.", "new_location_code")
    if (
        line.variant_code
        and not ItemVariant.objects.filter(item=item, code=line.variant_code).exists()
    ):
        raise _fail(
            line,
            f"The Item Variant does not exist. Item No.='{item.no}', Code='{line.variant_code}'.",
            "variant_code",
        )


def _entry(line: ItemJournalLineInput, entry_no: int, field: str) -> ItemLedgerEntry:
    ile = ItemLedgerEntry.objects.filter(entry_no=entry_no).first()
    if ile is None:
        raise _fail(line, f"The Item Ledger Entry does not exist. Entry No.='{entry_no}'.", field)
    return ile


def _check_applies_to(line: ItemJournalLineInput, item: Item) -> None:
    """Spec §3.4.3: E-16 / E-17."""
    if line.ile_quantity > 0:
        raise _fail(
            line,
            "Applies-to Entry can only be used on a line that removes stock "
            "(use Applies-from Entry on a return).",
            "applies_to_entry",
        )
    ile = _entry(line, line.applies_to_entry, "applies_to_entry")
    for attr, label, expected in (
        ("item_id", "Item No.", item.no),
        ("variant_code", "Variant Code", line.variant_code),
        ("location_code", "Location Code", line.location_code),
        ("positive", "Positive", True),
    ):
        actual = getattr(ile, attr)
        if actual != expected:
            raise _fail(
                line,
                f"{label} must be equal to '{_show(expected)}' in Item Ledger Entry: Entry No.="
                f"{ile.entry_no}. Current value is '{_show(actual)}'.",
                "applies_to_entry",
            )
    if not ile.open or ile.remaining_quantity < -line.ile_quantity:
        raise _remaining_too_low(line, ile.entry_no)


def _remaining_too_low(line: ItemJournalLineInput, entry_no: int) -> PostingError:
    return _fail(
        line,
        f"Remaining Quantity is too low in Item Ledger Entry Entry No.={entry_no}.",
        "applies_to_entry",
    )


def _check_applies_from(line: ItemJournalLineInput, item: Item) -> None:
    """Spec §3.4.6: E-18 / E-19."""
    if line.ile_quantity < 0:
        raise _fail(line, "Quantity must be negative in Item Journal Line.", "quantity")
    ile = _entry(line, line.applies_from_entry, "applies_from_entry")
    if ile.item_id != item.no:
        raise _fail(
            line,
            f"Item No. must be equal to '{item.no}' in Item Ledger Entry: Entry No.="
            f"{ile.entry_no}. Current value is '{ile.item_id}'.",
            "applies_from_entry",
        )
    if ile.positive:
        raise _fail(
            line,
            f"Positive must be equal to 'No' in Item Ledger Entry: Entry No.={ile.entry_no}. "
            "Current value is 'Yes'.",
            "applies_from_entry",
        )


def _check_invoice_line(line: ItemJournalLineInput, item: Item) -> None:
    """Spec §3.1/§3.5.5: an invoice of an earlier receipt or shipment (E-12)."""
    if line.quantity < 0:
        raise _fail(line, "Quantity to invoice must be positive.", "quantity")
    if not line.applies_to_entry:
        raise _fail(
            line,
            "Applies-to Entry must name the receipt or shipment that this line invoices.",
            "applies_to_entry",
        )
    ile = _entry(line, line.applies_to_entry, "applies_to_entry")
    if ile.item_id != item.no:
        raise _fail(
            line,
            f"Item No. must be equal to '{item.no}' in Item Ledger Entry: Entry No.="
            f"{ile.entry_no}. Current value is '{ile.item_id}'.",
            "applies_to_entry",
        )
    if ile.entry_type not in (ItemLedgerEntryType.PURCHASE, ItemLedgerEntryType.SALE):
        raise _fail(
            line,
            f"Item Ledger Entry {ile.entry_no} is not a purchase receipt or sales shipment.",
            "applies_to_entry",
        )
    if line.quantity > abs(ile.quantity - ile.invoiced_quantity):
        raise _fail(
            line,
            "The quantity that you are trying to invoice is larger than the quantity in the "
            f"item ledger with the entry number {ile.entry_no}.",
            "quantity",
        )


def _show(value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


# --------------------------------------------------------------------------- posting


def cost_sources(entry_no: int) -> set[int]:
    """Every entry whose cost flows into ``entry_no`` through cost applications: the outbound
    an inbound is applied from (Applies-from) or transferred through, the inbounds that outbound
    consumed, their own sources, and so on."""
    found: set[int] = set()
    stack = [entry_no]
    while stack:
        rows = ItemApplicationEntry.objects.filter(
            item_ledger_entry_id__in=stack, cost_application=True
        )
        stack = []
        for ile, inbound, outbound, transferred_from in rows.values_list(
            "item_ledger_entry_id",
            "inbound_item_entry_id",
            "outbound_item_entry_id",
            "transferred_from_entry_id",
        ):
            # an inbound's own row: cost from its outbound or transfer source;
            # an outbound's row: cost from the inbound it consumed
            candidates = (outbound, transferred_from) if inbound == ile else (inbound,)
            for source in candidates:
                if source and source not in found:
                    found.add(source)
                    stack.append(source)
    return found


class _LinePoster:
    """Posts one checked line at a time through the ledger writer (spec §3.3-§3.9)."""

    def __init__(self, writer: LedgerWriter):
        self.w = writer
        self.p = writer.precision

    def post(self, line: ItemJournalLineInput) -> None:
        item = self.w.items[line.item_no]
        if line.entry_type == ItemJournalEntryType.INVOICE:
            self._post_invoice(line, item)
        elif line.entry_type == ItemJournalEntryType.TRANSFER:
            self._post_transfer(line, item)
        elif line.ile_quantity > 0:
            self._post_inbound(line, item)
        else:
            self._post_outbound(line, item)

    # ------------------------------------------------------------------ line values (§3.1)

    def _unit_amount(self, line: ItemJournalLineInput, item: Item) -> Decimal:
        if line.unit_amount is not None:
            return line.unit_amount
        if line.entry_type == ItemJournalEntryType.PURCHASE:
            return item.last_direct_cost
        if line.entry_type in (
            ItemJournalEntryType.POSITIVE_ADJMT,
            ItemJournalEntryType.NEGATIVE_ADJMT,
        ):
            return item.unit_cost
        return ZERO

    def _unit_cost(self, line: ItemJournalLineInput, item: Item) -> Decimal:
        """Line Unit Cost (unrounded): the cost per unit the new entry is valued at."""
        if line.applies_from_entry:
            totals = ValueEntry.objects.filter(
                item_ledger_entry_id=line.applies_from_entry
            ).aggregate(actual=Sum("cost_amount_actual"), expected=Sum("cost_amount_expected"))
            source = ItemLedgerEntry.objects.get(entry_no=line.applies_from_entry)
            return abs(
                ((totals["actual"] or ZERO) + (totals["expected"] or ZERO)) / source.quantity
            )
        if item.costing_method == CostingMethod.STANDARD:
            return item.standard_cost
        if line.entry_type in (ItemJournalEntryType.PURCHASE, ItemJournalEntryType.POSITIVE_ADJMT):
            return self._unit_amount(line, item)
        return item.unit_cost

    def _ile_fields(self, line: ItemJournalLineInput, item: Item) -> dict:
        return {
            "item_id": item.no,
            "posting_date": line.posting_date,
            "entry_type": line.entry_type,
            "document_no": line.document_no,
            "description": line.description or item.description,
            "location_code": line.location_code,
            "variant_code": line.variant_code,
        }

    def _ve_fields(self, line: ItemJournalLineInput) -> dict:
        return {
            "posting_date": line.posting_date,
            "document_no": line.document_no,
            "description": line.description,
        }

    def _amounts(
        self, line: ItemJournalLineInput, item: Item, qty: Decimal, expected: bool
    ) -> dict:
        """Cost and sales/purchase amounts of a new entry of signed quantity ``qty``."""
        p = self.p
        unit_cost = self._unit_cost(line, item)
        uc = p.ru(unit_cost)
        amount = p.r(line.quantity * self._unit_amount(line, item))
        purchase = line.entry_type == ItemJournalEntryType.PURCHASE
        if purchase and qty > 0 and not expected:
            cost = amount  # §3.5.1: the invoiced amount
        elif purchase and qty > 0 and item.costing_method != CostingMethod.STANDARD:
            cost = p.r(uc * qty + qty * (unit_cost - uc))  # §3.5.2 with the unit-cost residual
        else:
            cost = p.r(uc * qty)
        part = "expected" if expected else "actual"
        fields = {f"cost_amount_{part}": cost, "expected_cost": expected}
        if purchase:
            fields[f"purchase_amount_{part}"] = amount
        elif line.entry_type == ItemJournalEntryType.SALE:
            fields[f"sales_amount_{part}"] = amount
        return fields

    # ------------------------------------------------------------------ inbound

    def _post_inbound(self, line: ItemJournalLineInput, item: Item) -> None:
        qty = line.ile_quantity
        expected = line.invoiced == 0
        ile = self.w.insert_ile(
            **self._ile_fields(line, item),
            quantity=qty,
            invoiced_quantity=ZERO if expected else qty,
        )
        valuation_date = line.posting_date
        if line.applies_from_entry:
            ref = rev_or_last_ve(line.applies_from_entry)
            if ref and ref.valuation_date > valuation_date:
                valuation_date = ref.valuation_date
        self.w.insert_application(
            item_ledger_entry=ile,
            inbound_item_entry=ile,
            outbound_item_entry_id=line.applies_from_entry or None,
            quantity=qty,
            posting_date=line.posting_date,
            cost_application=True,
        )
        self._close_open_outbounds(ile, item, valuation_date)
        amounts = self._amounts(line, item, qty, expected)
        ve = self.w.insert_value_entry(
            ile,
            **self._ve_fields(line),
            valuation_date=valuation_date,
            valued_quantity=qty,
            invoiced_quantity=ZERO if expected else qty,
            **amounts,
        )
        if (
            not expected
            and item.costing_method == CostingMethod.STANDARD
            and line.entry_type == ItemJournalEntryType.PURCHASE
            and not line.applies_from_entry
        ):
            self._post_purchase_variance(line, item, ile, ve, qty, amounts["cost_amount_actual"])
        self._update_unit_cost(
            item, ve, amounts.get("purchase_amount_actual", ve.cost_amount_actual)
        )

    def _close_open_outbounds(
        self, inbound: ItemLedgerEntry, item: Item, valuation_date: date
    ) -> None:
        """Spec §3.4.2 / §3.9: a new inbound closes open outbounds (negative inventory)."""
        if item.costing_method == CostingMethod.SPECIFIC:
            return
        cost_application = item.costing_method != CostingMethod.AVERAGE
        sources: set[int] | None = None
        for outbound in self._open_entries(item, inbound, positive=False):
            if sources is None:
                sources = cost_sources(inbound.entry_no)
            if outbound.entry_no in sources:
                # the inbound takes its cost from this outbound (a return applied from it, or
                # a chain through transfers): applying it would make the cost circular
                continue
            self._apply(
                inbound,
                outbound,
                posting_date=max(inbound.posting_date, outbound.posting_date),
                cost_application=cost_application,
            )
            self.w.save_ile(outbound, "remaining_quantity", "open")
            self.w.move_valuation_date(outbound, valuation_date)
            if inbound.remaining_quantity == 0:
                break

    @staticmethod
    def _open_entries(item: Item, entry: ItemLedgerEntry, *, positive: bool):
        """Open entries of the item at the entry's location and variant, in application order:
        oldest first (by posting date, then entry no.), newest first for LIFO (§3.4.1)."""
        order = ("posting_date", "entry_no")
        if item.costing_method == CostingMethod.LIFO:
            order = ("-posting_date", "-entry_no")
        return ItemLedgerEntry.objects.filter(
            item=item,
            location_code=entry.location_code,
            variant_code=entry.variant_code,
            positive=positive,
            open=True,
        ).order_by(*order)

    def _apply(
        self,
        inbound: ItemLedgerEntry,
        outbound: ItemLedgerEntry,
        *,
        posting_date: date,
        cost_application: bool,
    ) -> Decimal:
        """Spec §3.4.1 ``apply``: the largest quantity both can take, and its application row."""
        qty = min(-outbound.remaining_quantity, inbound.remaining_quantity)
        inbound.remaining_quantity -= qty
        inbound.open = inbound.remaining_quantity != 0
        outbound.remaining_quantity += qty
        outbound.open = outbound.remaining_quantity != 0
        self.w.save_ile(inbound, "remaining_quantity", "open")
        self.w.insert_application(
            item_ledger_entry=outbound,
            inbound_item_entry=inbound,
            outbound_item_entry=outbound,
            quantity=-qty,
            posting_date=posting_date,
            cost_application=cost_application,
        )
        if cost_application and not inbound.applied_entry_to_adjust:
            self.w.set_applied_entry_to_adjust(inbound)
        return qty

    def _post_purchase_variance(
        self, line, item: Item, ile: ItemLedgerEntry, ve: ValueEntry, qty: Decimal, amount: Decimal
    ) -> None:
        """Spec §3.5.1 / §9.1: Standard purchase variance = R(StdCost x q - invoiced amount)."""
        variance = self.p.r(self.p.ru(item.standard_cost) * qty - amount)
        if variance and not item.inventory_value_zero:
            self.w.insert_value_entry(
                ile,
                **self._ve_fields(line),
                entry_type=ValueEntryType.VARIANCE,
                variance_type="purchase",
                valuation_date=ve.valuation_date,
                valued_quantity=ve.valued_quantity,
                invoiced_quantity=ZERO,
                cost_amount_actual=variance,
            )

    # ------------------------------------------------------------------ outbound

    def _post_outbound(self, line: ItemJournalLineInput, item: Item) -> None:
        qty = line.ile_quantity
        expected = line.invoiced == 0
        ile = self.w.insert_ile(
            **self._ile_fields(line, item),
            quantity=qty,
            invoiced_quantity=ZERO if expected else qty,
            applies_to_entry=line.applies_to_entry,
        )
        valuation_date, _ = self._apply_outbound(line, item, ile)
        if ile.open and not self.w.setup.allow_negative_inventory:
            raise self._insufficient(line, item)
        self.w.insert_value_entry(
            ile,
            **self._ve_fields(line),
            valuation_date=valuation_date,
            valued_quantity=qty,
            invoiced_quantity=ZERO if expected else qty,
            valued_by_average_cost=self._valued_by_average(item, line),
            **self._amounts(line, item, qty, expected),
        )

    @staticmethod
    def _valued_by_average(item: Item, line: ItemJournalLineInput) -> bool:
        return item.costing_method == CostingMethod.AVERAGE and not line.applies_to_entry

    @staticmethod
    def _insufficient(line: ItemJournalLineInput, item: Item) -> PostingError:
        return _fail(
            line, f"You have insufficient quantity of Item {item.no} on inventory.", "quantity"
        )

    def _apply_outbound(
        self, line: ItemJournalLineInput, item: Item, outbound: ItemLedgerEntry
    ) -> tuple[date, list[tuple[ItemLedgerEntry, Decimal]]]:
        """Spec §3.4.1 and §3.7: apply, and return the valuation date and the applications."""
        fixed = bool(line.applies_to_entry)
        if fixed:
            inbound = ItemLedgerEntry.objects.get(entry_no=line.applies_to_entry)
            if not inbound.open or inbound.remaining_quantity < -outbound.quantity:
                raise _remaining_too_low(line, inbound.entry_no)
            candidates = [inbound]
        elif item.costing_method == CostingMethod.SPECIFIC:
            candidates = []
        else:
            candidates = self._open_entries(item, outbound, positive=True)
        cost_application = fixed or item.costing_method != CostingMethod.AVERAGE
        valuation_date = outbound.posting_date
        applied: list[tuple[ItemLedgerEntry, Decimal]] = []
        for inbound in candidates:
            qty = self._apply(
                inbound,
                outbound,
                posting_date=outbound.posting_date,
                cost_application=cost_application,
            )
            ref = rev_or_last_ve(inbound.entry_no)
            if ref and (fixed or ref.valuation_date > valuation_date):
                valuation_date = ref.valuation_date
            applied.append((inbound, qty))
            if outbound.remaining_quantity == 0:
                break
        self.w.save_ile(outbound, "remaining_quantity", "open")
        return valuation_date, applied

    # ------------------------------------------------------------------ transfer (§3.5.6)

    def _post_transfer(self, line: ItemJournalLineInput, item: Item) -> None:
        qty = line.quantity
        fields = self._ile_fields(line, item) | {"source_code": SourceCode.RECLASS_JOURNAL}
        outbound = self.w.insert_ile(
            **fields,
            quantity=-qty,
            invoiced_quantity=-qty,
            applies_to_entry=line.applies_to_entry,
        )
        valuation_date, applied = self._apply_outbound(line, item, outbound)
        if outbound.open:
            raise self._insufficient(line, item)
        sources_invoiced = all(source.completely_invoiced for source, _ in applied)
        if not sources_invoiced:
            outbound.completely_invoiced = False
            self.w.save_ile(outbound, "completely_invoiced")
        ve_fields = self._ve_fields(line) | {"source_code": SourceCode.RECLASS_JOURNAL}
        inbound_fields = fields | {"location_code": line.new_location_code}
        average = self._valued_by_average(item, line)
        if average:
            parts = [(None, qty, self.p.r(self.p.ru(item.unit_cost) * qty))]
        else:
            parts = [
                (source, a, self.p.r(self._source_cost(source) * a / source.quantity))
                for source, a in applied
            ]
        self.w.insert_value_entry(
            outbound,
            **ve_fields,
            valuation_date=valuation_date,
            valued_quantity=-qty,
            invoiced_quantity=-qty,
            cost_amount_actual=-sum((cost for _, _, cost in parts), ZERO),
            valued_by_average_cost=average,
        )
        for source, a, cost in parts:
            inbound = self.w.insert_ile(
                **inbound_fields,
                quantity=a,
                invoiced_quantity=a,
                completely_invoiced=source.completely_invoiced if source else sources_invoiced,
            )
            self.w.insert_application(
                item_ledger_entry=inbound,
                inbound_item_entry=inbound,
                outbound_item_entry=outbound,
                transferred_from_entry=source,
                quantity=a,
                posting_date=line.posting_date,
                cost_application=True,
            )
            self._close_open_outbounds(inbound, item, valuation_date)
            self.w.insert_value_entry(
                inbound,
                **ve_fields,
                valuation_date=valuation_date,
                valued_quantity=a,
                invoiced_quantity=a,
                cost_amount_actual=cost,
            )

    @staticmethod
    def _source_cost(source: ItemLedgerEntry) -> Decimal:
        """Spec §3.5.6 src_cost: actual + expected; partial revaluations per revalued unit."""
        total = ZERO
        for ve in ValueEntry.objects.filter(item_ledger_entry=source):
            if ve.partial_revaluation and ve.entry_type == ValueEntryType.REVALUATION:
                total += ve.cost_amount_actual / ve.valued_quantity * source.quantity
            else:
                total += ve.cost_amount_actual + ve.cost_amount_expected
        return total

    # ------------------------------------------------------------------ invoice (§3.5.5)

    def _post_invoice(self, line: ItemJournalLineInput, item: Item) -> None:
        p = self.p
        ile = ItemLedgerEntry.objects.get(entry_no=line.applies_to_entry)
        sign = 1 if ile.positive else -1
        qi = sign * line.quantity
        if abs(qi) > abs(ile.quantity - ile.invoiced_quantity):
            raise _fail(
                line,
                "The quantity that you are trying to invoice is larger than the quantity in the "
                f"item ledger with the entry number {ile.entry_no}.",
                "quantity",
            )
        purchase = ile.entry_type == ItemLedgerEntryType.PURCHASE
        unit_amount = line.unit_amount
        if unit_amount is None:
            unit_amount = item.last_direct_cost if purchase else ZERO
        amount = p.r(line.quantity * unit_amount)
        if purchase:
            cost = p.r(unit_amount * qi)
        else:
            unit_cost = (
                item.standard_cost
                if item.costing_method == CostingMethod.STANDARD
                else item.unit_cost
            )
            cost = p.r(p.ru(unit_cost) * qi)
        entries = list(ValueEntry.objects.filter(item_ledger_entry=ile).order_by("entry_no"))
        ile.invoiced_quantity += qi
        ile.completely_invoiced = ile.invoiced_quantity == ile.quantity
        ile.last_invoice_date = max(filter(None, [ile.last_invoice_date, line.posting_date]))
        self.w.save_ile(ile, "invoiced_quantity", "completely_invoiced", "last_invoice_date")
        reversal = self._expected_reversal(ile, entries, qi)
        signed_amount = amount if purchase == ile.positive else -amount
        amount_fields = (
            {
                "purchase_amount_actual": signed_amount,
                "purchase_amount_expected": reversal["purchase"],
            }
            if purchase
            else {"sales_amount_actual": signed_amount, "sales_amount_expected": reversal["sales"]}
        )
        ve = self.w.insert_value_entry(
            ile,
            **self._ve_fields(line),
            valuation_date=last_dc_ve(ile.entry_no).valuation_date,
            valued_quantity=qi,
            invoiced_quantity=qi,
            cost_amount_actual=cost,
            cost_amount_expected=reversal["cost"],
            valued_by_average_cost=entries[0].valued_by_average_cost,
            **amount_fields,
        )
        if purchase and ile.positive and item.costing_method == CostingMethod.STANDARD:
            self._post_purchase_variance(line, item, ile, ve, qi, cost)
            self._post_interim_revaluation_balance(line, ile, entries, ve, qi)
        self._update_unit_cost(item, ve, signed_amount if purchase else ve.cost_amount_actual)

    def _expected_reversal(
        self, ile: ItemLedgerEntry, entries: list[ValueEntry], qi: Decimal
    ) -> dict:
        """Spec §3.5.5: reverse the invoiced share of the expected amounts."""
        reversal = {"cost": ZERO, "purchase": ZERO, "sales": ZERO}
        if not entries or not entries[0].expected_cost:
            return reversal
        non_revaluation = [e for e in entries if e.entry_type != ValueEntryType.REVALUATION]
        originals = [e for e in non_revaluation if e.expected_cost and not e.adjustment]
        for key, attr in (
            ("cost", "cost_amount_expected"),
            ("purchase", "purchase_amount_expected"),
            ("sales", "sales_amount_expected"),
        ):
            if ile.invoiced_quantity == ile.quantity:
                reversal[key] = -sum((getattr(e, attr) for e in non_revaluation), ZERO)
            else:
                original = sum((getattr(e, attr) for e in originals), ZERO)
                reversal[key] = -self.p.r(qi / ile.quantity * original)
        return reversal

    def _post_interim_revaluation_balance(
        self,
        line,
        ile: ItemLedgerEntry,
        entries: list[ValueEntry],
        invoice_ve: ValueEntry,
        qi: Decimal,
    ) -> None:
        """Spec §9.4: balance the expected part of revaluations of a Standard receipt."""
        for reval in entries:
            if reval.entry_type != ValueEntryType.REVALUATION or reval.applies_to_entry:
                continue
            if ile.completely_invoiced:
                balanced = sum(
                    (
                        e.cost_amount_expected
                        for e in entries
                        if e.applies_to_entry == reval.entry_no
                    ),
                    ZERO,
                )
                balance = -reval.cost_amount_expected - balanced
            else:
                invoiced_before = sum(
                    (
                        e.invoiced_quantity
                        for e in entries
                        if e.entry_type == ValueEntryType.DIRECT_COST
                        and e.entry_no < reval.entry_no
                    ),
                    ZERO,
                )
                balance = self.p.r(
                    -reval.cost_amount_expected * qi / (ile.quantity - invoiced_before)
                )
            if balance:
                self.w.insert_value_entry(
                    ile,
                    **self._ve_fields(line),
                    entry_type=ValueEntryType.REVALUATION,
                    applies_to_entry=reval.entry_no,
                    valuation_date=reval.valuation_date,
                    valued_quantity=reval.valued_quantity,
                    invoiced_quantity=ZERO,
                    cost_amount_expected=balance,
                    cost_per_unit=self.p.cost_per_unit(balance, invoice_ve.valued_quantity),
                )

    # ------------------------------------------------------------------ item unit cost (§3.8.5)

    def _update_unit_cost(self, item: Item, ve: ValueEntry, line_amount: Decimal) -> None:
        if ve.valued_quantity <= 0 or ve.expected_cost or ve.adjustment:
            return
        direct = (
            ve.entry_type == ValueEntryType.DIRECT_COST
            and ve.cost_amount_actual > 0
            # a transfer has no amount: it moves stock, not cost
            and ve.item_ledger_entry_type != ItemLedgerEntryType.TRANSFER
        )
        last_direct_cost = self.p.ru(line_amount / ve.valued_quantity) if direct else ZERO
        if last_direct_cost and ve.item_ledger_entry_type == ItemLedgerEntryType.PURCHASE:
            # every costing method, Standard included: what was paid, not the standard cost
            item.last_direct_cost = last_direct_cost
        if item.costing_method == CostingMethod.STANDARD:
            item.unit_cost = item.standard_cost
            return
        if not direct:
            return
        if item.unit_cost == 0 or (ve.invoiced_quantity > 0 and last_direct_cost != 0):
            net_invoiced = (
                ItemLedgerEntry.objects.filter(item=item).aggregate(total=Sum("invoiced_quantity"))[
                    "total"
                ]
                or ZERO
            )
            if 0 < net_invoiced <= ve.invoiced_quantity:
                item.unit_cost = last_direct_cost
