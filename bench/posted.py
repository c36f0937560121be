"""The share of the benchmark ledger that is posted through the real services.

Average and Standard items, Specific items applied to chosen entries, purchases received and
invoiced later, sales shipped and invoiced later, transfers, purchase and sales returns and a
revaluation at the end of the first year: their exact cost figures come from posting and Adjust
Cost, so they are posted (interleaved by date over two years, each transaction in its own
journal) rather than written in bulk. A transaction that posting refuses (e.g. a return of an
entry that has been sold meanwhile) is skipped and counted: posting is all or nothing, so the
ledger stays consistent.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from inventory.exceptions import PostingError
from inventory.models import CostingMethod, InventorySetup, Item, ItemLedgerEntry, ItemVariant
from inventory.services.adjustment import adjust_cost_item_entries
from inventory.services.posting import ItemJournalLineInput, item_journal_post
from revaluation.exceptions import RevaluationError
from revaluation.models import RevaluationLine
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.lines import apply_edit
from revaluation.services.posting import revaluation_batch_post

METHODS = (
    CostingMethod.AVERAGE,
    CostingMethod.STANDARD,
    CostingMethod.SPECIFIC,
    CostingMethod.FIFO,
    CostingMethod.LIFO,
)
# relative frequencies of the transactions of a posted item
KINDS = {
    "purchase": 34,
    "sale": 36,
    "transfer": 10,
    "sales return": 8,
    "purchase return": 6,
}
LATE = 0.3  # share of purchases received / sales shipped that are invoiced later
REVALUED_ON = date(2024, 12, 31)

Slot = tuple[str, str, str]  # item, location, variant


def posted_item_no(n: int) -> str:
    return f"P{n:06d}"


class PostedShare:
    def __init__(
        self,
        items: int,
        steps: int,
        seed: int,
        locations: tuple[str, ...],
        variants: tuple[str, ...],
        start: date,
        days: int,
    ):
        self.items, self.steps = items, steps
        self.rng = random.Random(seed + 1)
        self.locations, self.variants, self.start, self.days = locations, variants, start, days
        self.stock: dict[Slot, Decimal] = {}
        self.sales: dict[Slot, list[list]] = {}  # slot -> [[sale entry no., returnable]]
        self.pending: list[tuple[date, int, ItemJournalLineInput]] = []
        self.methods: dict[str, str] = {}
        self.slots: dict[str, list[tuple[str, str]]] = {}
        self.done: Counter = Counter()
        self.skipped: Counter = Counter()
        self.document = 0

    def master_data(self) -> None:
        for n in range(self.items):
            no, method = posted_item_no(n), METHODS[n % len(METHODS)]
            Item.objects.create(
                no=no,
                description=f"Posted bench item {n}",
                costing_method=method,
                unit_cost=10,
                standard_cost=Decimal("12.00") if method == CostingMethod.STANDARD else 0,
            )
            locations = [self.locations[(n + k) % len(self.locations)] for k in range(2 + n % 2)]
            variants = self.variants if n % 3 == 1 else ("",)
            for code in variants:
                if code:
                    ItemVariant.objects.create(item_id=no, code=code)
            self.methods[no] = method
            self.slots[no] = [(loc, var) for loc in locations for var in variants]

    def line(self, kind: str, item: str, quantity, day: date, **kwargs) -> ItemJournalLineInput:
        self.document += 1
        return ItemJournalLineInput(
            line_no=10000,
            posting_date=day,
            entry_type=kind,
            document_no=f"BP{self.document:07d}",
            item_no=item,
            quantity=Decimal(quantity),
            **kwargs,
        )

    def post(self, label: str, line: ItemJournalLineInput) -> list[int] | None:
        try:
            result = item_journal_post(lines=[line])
        except PostingError:
            self.skipped[label] += 1
            return None
        self.done[label] += 1
        return result.item_ledger_entry_nos

    def open_inbound(self, slot: Slot, entry_type: str | None = None) -> ItemLedgerEntry | None:
        """The open inbound entry of the slot with the most left (for fixed applications)."""
        entries = ItemLedgerEntry.objects.filter(
            item_id=slot[0], location_code=slot[1], variant_code=slot[2], positive=True, open=True
        )
        if entry_type:
            entries = entries.filter(entry_type=entry_type)
        return entries.order_by("-remaining_quantity", "entry_no").first()

    def price(self, low: int = 500, high: int = 3000) -> Decimal:
        return Decimal(self.rng.randint(low, high)) / 100

    def due(self, day: date) -> date:
        """When a late invoice comes: 5 to 45 days later, within the two years."""
        last = self.start + timedelta(days=self.days - 1)
        return min(day + timedelta(days=self.rng.randint(5, 45)), last)

    def later(self, invoice: ItemJournalLineInput) -> None:
        assert invoice.posting_date is not None
        self.pending.append((invoice.posting_date, self.document, invoice))

    def step(self, item: str, day: date) -> None:
        """One transaction of ``item`` on ``day``, of a kind drawn by KINDS."""
        location, variant = self.rng.choice(self.slots[item])
        slot = (item, location, variant)
        kind = self.rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
        if self.stock.get(slot, Decimal(0)) < 1 and kind != "sales return":
            kind = "purchase"
        handler = {
            "purchase": self.purchase,
            "sale": self.sale_or_transfer,
            "transfer": self.sale_or_transfer,
            "sales return": self.sales_return,
            "purchase return": self.purchase_return,
        }[kind]
        handler(kind, slot, day)

    def add(self, slot: Slot, quantity: Decimal) -> None:
        self.stock[slot] = self.stock.get(slot, Decimal(0)) + quantity

    def codes(self, slot: Slot) -> dict:
        return {"location_code": slot[1], "variant_code": slot[2]}

    def purchase(self, kind: str, slot: Slot, day: date) -> None:
        item = slot[0]
        quantity = Decimal(self.rng.randint(5, 20))
        late = self.rng.random() < LATE
        unit = self.price()
        receipt = self.line(
            "purchase",
            item,
            quantity,
            day,
            unit_amount=unit,
            invoiced_quantity=Decimal(0) if late else None,
            **self.codes(slot),
        )
        nos = self.post(kind + (" received, invoiced later" if late else ""), receipt)
        if not nos:
            return
        self.add(slot, quantity)
        if late:
            self.later(
                self.line(
                    "invoice",
                    item,
                    quantity,
                    self.due(day),
                    unit_amount=unit + self.price(-100, 100),
                    applies_to_entry=nos[0],
                    **self.codes(slot),
                )
            )

    def sale_or_transfer(self, kind: str, slot: Slot, day: date) -> None:
        item, location, variant = slot
        quantity = Decimal(self.rng.randint(1, int(min(self.stock[slot], Decimal(15)))))
        applies_to = 0
        if self.methods[item] == CostingMethod.SPECIFIC:
            inbound = self.open_inbound(slot)
            if inbound is None:
                return
            applies_to = inbound.entry_no
            quantity = min(quantity, inbound.remaining_quantity)
        if kind == "transfer":
            others = [loc for loc, var in self.slots[item] if loc != location and var == variant]
            destination = self.rng.choice(others)
            line = self.line(
                "transfer",
                item,
                quantity,
                day,
                new_location_code=destination,
                applies_to_entry=applies_to,
                **self.codes(slot),
            )
            if self.post(kind, line):
                self.add(slot, -quantity)
                self.add((item, destination, variant), quantity)
            return
        late = self.rng.random() < LATE
        line = self.line(
            "sale",
            item,
            quantity,
            day,
            unit_amount=self.price(1000, 4000),
            invoiced_quantity=Decimal(0) if late else None,
            applies_to_entry=applies_to,
            **self.codes(slot),
        )
        nos = self.post(kind + (" shipped, invoiced later" if late else ""), line)
        if not nos:
            return
        self.add(slot, -quantity)
        self.sales.setdefault(slot, []).append([nos[0], quantity])
        if late:
            self.later(
                self.line(
                    "invoice",
                    item,
                    quantity,
                    self.due(day),
                    unit_amount=self.price(1000, 4000),
                    applies_to_entry=nos[0],
                    **self.codes(slot),
                )
            )

    def sales_return(self, kind: str, slot: Slot, day: date) -> None:
        sales = [sale for sale in self.sales.get(slot, []) if sale[1] >= 1]
        if not sales:
            return
        sale = self.rng.choice(sales[-10:])
        quantity = Decimal(self.rng.randint(1, int(min(sale[1], Decimal(5)))))
        line = self.line(
            "sale",
            slot[0],
            -quantity,
            day,
            unit_amount=self.price(1000, 4000),
            applies_from_entry=sale[0],
            **self.codes(slot),
        )
        if self.post(kind, line):
            sale[1] -= quantity
            self.add(slot, quantity)

    def purchase_return(self, kind: str, slot: Slot, day: date) -> None:
        inbound = self.open_inbound(slot, "purchase")
        if inbound is None:
            return
        quantity = Decimal(self.rng.randint(1, int(min(inbound.remaining_quantity, Decimal(5)))))
        line = self.line(
            "purchase",
            slot[0],
            -quantity,
            day,
            unit_amount=self.price(),
            applies_to_entry=inbound.entry_no,
            **self.codes(slot),
        )
        if self.post(kind, line):
            self.add(slot, -quantity)

    def invoice_due(self, day: date) -> None:
        """Post the late invoices due on or before ``day``."""
        due = sorted(entry for entry in self.pending if entry[0] <= day)
        self.pending = [entry for entry in self.pending if entry[0] > day]
        for _, _, invoice in due:
            self.post("late invoice", invoice)

    def revalue(self) -> None:
        """Calculate per item (Average items allow nothing finer with the default setup) on the
        last day of the first year and revalue every line by +5 %."""
        options = CalculateOptions(
            posting_date=REVALUED_ON,
            document_no="REVAL2024",
            per="item",
            item_nos=tuple(self.methods),
        )
        adjust_cost_item_entries()
        try:
            calculate_inventory_value(batch_name="BENCH-2024", options=options)
            lines = list(RevaluationLine.objects.filter(batch_id="BENCH-2024"))
            precision = InventorySetup.get().precision
            for line in lines:
                new = precision.ru(line.unit_cost_calculated * Decimal("1.05"))
                apply_edit(line, "unit_cost_revalued", new, precision)
                line.save()
            revaluation_batch_post(batch_name="BENCH-2024")
        except (PostingError, RevaluationError) as error:
            print(f"revaluation refused: {error}")
            self.skipped["revaluation"] += 1
            return
        self.done["revaluation lines"] += len(lines)

    def run(self) -> dict[str, int]:
        self.master_data()
        events = sorted(
            (self.start + timedelta(days=k * self.days // self.steps), n)
            for n in range(self.items)
            for k in range(self.steps)
        )
        revalued = False
        for day, n in events:
            if not revalued and day > REVALUED_ON:
                self.invoice_due(REVALUED_ON)
                self.revalue()
                revalued = True
            self.invoice_due(day)
            self.step(posted_item_no(n), day)
        self.invoice_due(date.max)
        adjust_cost_item_entries()
        print(f"posted: {dict(self.done)}; refused by posting, skipped: {dict(self.skipped)}")
        return dict(self.done)
