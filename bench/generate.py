"""Fill a benchmark database with a large, consistent ledger that looks like a distributor's.

Posting a million entries through the journal would take hours, so the bulk of the ledger is
written with COPY: the rows that posting would write for FIFO and LIFO items (purchases and
sales over two years at one to three of four locations, a third of the items in two variants;
application rows, value entries at their exact applied cost, entry points).
``tests/test_bench.py`` proves that posting the same transactions line by line gives the same
ledger.

The kinds whose exact cost figures depend on Adjust Cost (Average and Standard items, Specific
items applied to chosen entries, purchases received and invoiced later, sales shipped and
invoiced later, transfers, purchase and sales returns, a revaluation at the end of the first
year) are posted through the real services for a small share of the items (``--posted-items``,
1 % by default, see bench/posted.py), before the bulk part, then adjusted.

It is for benchmarks only and refuses to run on a database that already has items. The ledger
is consistent: ``manage.py check_ledger`` passes and Adjust Cost finds nothing to change.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/revaluation_bench \
        .venv/bin/python bench/generate.py --items 2000 --pairs 250
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sys
import time
from collections import deque
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revaluation.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from posted import PostedShare  # noqa: E402

from inventory.bulk import copy_insert  # noqa: E402
from inventory.models import (  # noqa: E402
    AvgCostAdjmtEntryPoint,
    CostingMethod,
    InventorySetup,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ItemRegister,
    ItemVariant,
    LedgerCounter,
    Location,
    ValueEntry,
)

CENT = Decimal("0.01")
START = date(2024, 1, 1)
DAYS = 730  # two years
LOCATIONS = ("BLUE", "RED", "GREEN", "WHITE")
VARIANTS = ("V1", "V2")
BATCH = 20000


LEDGER_TABLES = (
    ItemLedgerEntry._meta.db_table,
    ValueEntry._meta.db_table,
    ItemApplicationEntry._meta.db_table,
)


@contextlib.contextmanager
def bulk_load() -> Iterator[None]:
    """Load the way PostgreSQL loads fastest: the ledgers' secondary indexes are dropped and
    built once at the end, and the foreign-key triggers are skipped (the rows are consistent by
    construction; ``manage.py check_ledger`` proves it afterwards)."""
    with connection.cursor() as cursor:
        # rows posted before in this transaction: run their deferred checks now (an index
        # cannot be rebuilt while trigger events are pending)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [list(LEDGER_TABLES)],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET session_replication_role = replica")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = DEFAULT")
        # back to Django's deferred foreign keys (posting inserts entries before their register)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for _, definition in indexes:
            cursor.execute(definition)


def r2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def counter(name: str) -> int:
    found = LedgerCounter.objects.filter(name=name).values_list("last_no", flat=True).first()
    return found or 0


class Generator:
    """``items`` items written in bulk, ``pairs`` purchase + sale pairs each, and ``posted``
    more items whose transactions are posted through the services (bench/posted.py)."""

    def __init__(self, items: int, pairs: int, seed: int, posted: int = 0):
        self.items, self.pairs, self.posted = items, pairs, posted
        self.rng = random.Random(seed)
        self.seed = seed
        self.ile_no = self.ve_no = self.app_no = 0
        self.register = 1
        self.entries: list = []
        self.values: list = []
        self.rows: list = []
        self.points: dict = {}

    def flush(self, final: bool = False) -> None:
        if len(self.entries) < BATCH and not final:
            return
        for model, objects in (
            (ItemLedgerEntry, self.entries),
            (ValueEntry, self.values),
            (ItemApplicationEntry, self.rows),
        ):
            copy_insert(model, objects)
        self.entries, self.values, self.rows = [], [], []

    def entry(self, item, slot, day, entry_type, quantity, remaining, document_no):
        self.ile_no += 1
        return ItemLedgerEntry(
            entry_no=self.ile_no,
            item_id=item,
            posting_date=day,
            entry_type=entry_type,
            document_no=document_no,
            location_code=slot[0],
            variant_code=slot[1],
            quantity=quantity,
            remaining_quantity=remaining,
            invoiced_quantity=quantity,
            open=remaining != 0,
            positive=quantity > 0,
            completely_invoiced=True,
            last_invoice_date=day,
            source_code="ITEMJNL",
            item_register_id=self.register,
        )

    def value(self, ile, cost, valuation_date):
        self.ve_no += 1
        self.values.append(
            ValueEntry(
                entry_no=self.ve_no,
                item_ledger_entry_id=ile.entry_no,
                item_id=ile.item_id,
                location_code=ile.location_code,
                variant_code=ile.variant_code,
                item_ledger_entry_type=ile.entry_type,
                entry_type="direct_cost",
                posting_date=ile.posting_date,
                valuation_date=valuation_date,
                document_no=ile.document_no,
                source_code="ITEMJNL",
                valued_quantity=ile.quantity,
                invoiced_quantity=ile.quantity,
                item_ledger_entry_quantity=ile.quantity,
                cost_per_unit=(cost / ile.quantity).quantize(
                    Decimal("0.00001"), rounding=ROUND_HALF_UP
                ),
                cost_amount_actual=cost,
                purchase_amount_actual=cost if ile.entry_type == "purchase" else 0,
                item_register_id=self.register,
            )
        )
        key = (ile.item_id, ile.location_code, ile.variant_code, valuation_date)
        self.points[key] = AvgCostAdjmtEntryPoint(
            item_id=ile.item_id,
            location_code=ile.location_code,
            variant_code=ile.variant_code,
            valuation_date=valuation_date,
            cost_is_adjusted=True,
        )

    def row(self, ile_no, inbound, outbound, quantity, day):
        self.app_no += 1
        self.rows.append(
            ItemApplicationEntry(
                entry_no=self.app_no,
                item_ledger_entry_id=ile_no,
                inbound_item_entry_id=inbound,
                outbound_item_entry_id=outbound,
                quantity=quantity,
                posting_date=day,
                cost_application=True,
                item_register_id=self.register,
            )
        )

    @staticmethod
    def bulk_item(n: int) -> tuple[str, str, list[tuple[str, str]]]:
        """Item no. n of the bulk part: its costing method (one in five LIFO, the rest FIFO)
        and its (location, variant) slots: one to three locations, every third item in two
        variants."""
        method = CostingMethod.LIFO if n % 5 == 4 else CostingMethod.FIFO
        locations = [LOCATIONS[(n + k) % len(LOCATIONS)] for k in range(1 + n % 3)]
        variants = VARIANTS if n % 3 == 0 else ("",)
        return f"B{n:06d}", method, [(loc, var) for loc in locations for var in variants]

    def item(self, n: int) -> None:
        no, method, slots = self.bulk_item(n)
        # per slot, the open inbounds in application order: [entry, remaining, cost]
        open_inbounds: dict[tuple[str, str], deque] = {slot: deque() for slot in slots}
        purchases = []
        for pair in range(self.pairs):
            day = START + timedelta(days=pair * DAYS // self.pairs)
            slot = self.rng.choice(slots)
            quantity = Decimal(self.rng.randint(5, 20))
            cost = r2(quantity * Decimal(self.rng.randint(500, 3000)) / 100)
            inbound = self.entry(no, slot, day, "purchase", quantity, quantity, f"P{pair}")
            purchases.append(inbound)
            self.entries.append(inbound)
            self.value(inbound, cost, day)
            self.row(inbound.entry_no, inbound.entry_no, None, quantity, day)
            queue = open_inbounds[slot]
            queue.append([inbound, quantity, cost])
            wanted = Decimal(self.rng.randint(1, int(quantity)))
            sale = self.entry(no, slot, day, "sale", -wanted, 0, f"S{pair}")
            self.entries.append(sale)
            sale_cost = Decimal(0)
            left = wanted
            lifo = method == CostingMethod.LIFO
            while left:
                source = queue[-1] if lifo else queue[0]
                take = min(left, source[1])
                sale_cost += r2(source[2] * -take / source[0].quantity)
                self.row(sale.entry_no, source[0].entry_no, sale.entry_no, -take, day)
                source[1] -= take
                left -= take
                if source[1] == 0:
                    queue.pop() if lifo else queue.popleft()
            self.value(sale, sale_cost, day)
        remaining = {
            source[0].entry_no: source[1] for queue in open_inbounds.values() for source in queue
        }
        for entry in purchases:
            entry.remaining_quantity = remaining.get(entry.entry_no, Decimal(0))
            entry.open = entry.remaining_quantity != 0
        self.flush()

    def master_data(self) -> None:
        InventorySetup.get()
        Location.objects.bulk_create([Location(code=c, name=c.title()) for c in LOCATIONS])
        items = [self.bulk_item(n) for n in range(self.items)]
        Item.objects.bulk_create(
            [
                Item(no=no, description=f"Bench item {no}", unit_cost=10, costing_method=method)
                for no, method, _ in items
            ]
        )
        ItemVariant.objects.bulk_create(
            [
                ItemVariant(item_id=no, code=code)
                for no, _, slots in items
                for code in sorted({variant for _, variant in slots} - {""})
            ]
        )

    def bulk(self) -> None:
        """The bulk part, numbered after whatever was posted before."""
        self.ile_no = counter("item_ledger_entry")
        self.ve_no = counter("value_entry")
        self.app_no = counter("item_application_entry")
        self.register = counter("item_register") + 1
        ItemRegister.objects.create(
            no=self.register, source_code="ITEMJNL", created_at=timezone.now()
        )
        with bulk_load():
            for n in range(self.items):
                self.item(n)
            self.flush(final=True)
            AvgCostAdjmtEntryPoint.objects.bulk_create(list(self.points.values()), batch_size=5000)
        for name, last in (
            ("item_ledger_entry", self.ile_no),
            ("value_entry", self.ve_no),
            ("item_application_entry", self.app_no),
            ("item_register", self.register),
        ):
            LedgerCounter.objects.update_or_create(name=name, defaults={"last_no": last})

    def run(self) -> None:
        """Master data, the posted share (with every index and trigger in place), the bulk."""
        self.master_data()
        if self.posted:
            PostedShare(self.posted, self.pairs, self.seed, LOCATIONS, VARIANTS, START, DAYS).run()
        self.bulk()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--pairs", type=int, default=250, help="purchase + sale pairs per item")
    parser.add_argument(
        "--posted-items",
        type=int,
        default=None,
        help="items posted through the services (all kinds, see bench/posted.py); "
        "default 1 %% of --items",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    posted = args.items // 100 if args.posted_items is None else args.posted_items
    if Item.objects.exists():
        sys.exit("The benchmark database already has items; use an empty one.")
    started = time.perf_counter()
    with transaction.atomic():
        Generator(args.items, args.pairs, args.seed, posted).run()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"generated {ItemLedgerEntry.objects.count()} item ledger entries, "
        f"{ValueEntry.objects.count()} value entries in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
