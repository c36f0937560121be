"""Fill a benchmark database with a large, consistent FIFO ledger.

Posting a million entries through the journal would take hours, so this script writes the rows
that posting would write (purchases, FIFO sales, their application rows, value entries at their
exact applied cost, entry points) with bulk inserts. It is for benchmarks only and refuses to
run on a database that already has items. The ledger is consistent: Adjust Cost finds nothing
to change, which the benchmark checks.

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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revaluation.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from inventory.bulk import copy_insert  # noqa: E402
from inventory.models import (  # noqa: E402
    AvgCostAdjmtEntryPoint,
    InventorySetup,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ItemRegister,
    LedgerCounter,
    Location,
    ValueEntry,
)

CENT = Decimal("0.01")
START = date(2024, 1, 1)
LOCATIONS = ("BLUE", "RED", "GREEN")
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
        for _, definition in indexes:
            cursor.execute(definition)


def r2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class Generator:
    def __init__(self, items: int, pairs: int, seed: int):
        self.items, self.pairs = items, pairs
        self.rng = random.Random(seed)
        self.ile_no = self.ve_no = self.app_no = 0
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

    def entry(self, item, location, day, entry_type, quantity, remaining, document_no):
        self.ile_no += 1
        return ItemLedgerEntry(
            entry_no=self.ile_no,
            item_id=item,
            posting_date=day,
            entry_type=entry_type,
            document_no=document_no,
            location_code=location,
            quantity=quantity,
            remaining_quantity=remaining,
            invoiced_quantity=quantity,
            open=remaining != 0,
            positive=quantity > 0,
            completely_invoiced=True,
            last_invoice_date=day,
            source_code="ITEMJNL",
            item_register_id=1,
        )

    def value(self, ile, cost, valuation_date):
        self.ve_no += 1
        self.values.append(
            ValueEntry(
                entry_no=self.ve_no,
                item_ledger_entry_id=ile.entry_no,
                item_id=ile.item_id,
                location_code=ile.location_code,
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
                item_register_id=1,
            )
        )
        key = (ile.item_id, ile.location_code, valuation_date)
        self.points[key] = AvgCostAdjmtEntryPoint(
            item_id=ile.item_id,
            location_code=ile.location_code,
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
                item_register_id=1,
            )
        )

    def item(self, no: str) -> None:
        location = self.rng.choice(LOCATIONS)
        open_inbounds: deque = deque()  # [entry, remaining, cost, valuation date]
        purchases = []
        day = START
        for pair in range(self.pairs):
            day = START + timedelta(days=pair * 365 // self.pairs)
            quantity = Decimal(self.rng.randint(5, 20))
            cost = r2(quantity * Decimal(self.rng.randint(500, 3000)) / 100)
            inbound = self.entry(no, location, day, "purchase", quantity, quantity, f"P{pair}")
            purchases.append(inbound)
            self.entries.append(inbound)
            self.value(inbound, cost, day)
            self.row(inbound.entry_no, inbound.entry_no, None, quantity, day)
            open_inbounds.append([inbound, quantity, cost])
            wanted = Decimal(self.rng.randint(1, int(quantity)))
            sale = self.entry(no, location, day, "sale", -wanted, 0, f"S{pair}")
            self.entries.append(sale)
            sale_cost = Decimal(0)
            left = wanted
            while left:
                source = open_inbounds[0]
                take = min(left, source[1])
                sale_cost += r2(source[2] * -take / source[0].quantity)
                self.row(sale.entry_no, source[0].entry_no, sale.entry_no, -take, day)
                source[1] -= take
                left -= take
                if source[1] == 0:
                    open_inbounds.popleft()
            self.value(sale, sale_cost, day)
        remaining = {source[0].entry_no: source[1] for source in open_inbounds}
        for entry in purchases:
            entry.remaining_quantity = remaining.get(entry.entry_no, Decimal(0))
            entry.open = entry.remaining_quantity != 0
        self.flush()

    def master_data(self) -> None:
        InventorySetup.get()
        Location.objects.bulk_create([Location(code=c, name=c.title()) for c in LOCATIONS])
        Item.objects.bulk_create(
            [
                Item(no=f"B{n:06d}", description=f"Bench item {n}", unit_cost=10)
                for n in range(self.items)
            ]
        )

    def run(self) -> None:
        self.master_data()
        ItemRegister.objects.create(no=1, source_code="ITEMJNL", created_at=timezone.now())
        for n in range(self.items):
            self.item(f"B{n:06d}")
        self.flush(final=True)
        AvgCostAdjmtEntryPoint.objects.bulk_create(list(self.points.values()), batch_size=5000)
        for name, last in (
            ("item_ledger_entry", self.ile_no),
            ("value_entry", self.ve_no),
            ("item_application_entry", self.app_no),
            ("item_register", 1),
        ):
            LedgerCounter.objects.update_or_create(name=name, defaults={"last_no": last})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--pairs", type=int, default=250, help="purchase + sale pairs per item")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if Item.objects.exists():
        sys.exit("The benchmark database already has items; use an empty one.")
    started = time.perf_counter()
    with transaction.atomic(), bulk_load():
        Generator(args.items, args.pairs, args.seed).run()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"generated {ItemLedgerEntry.objects.count()} item ledger entries, "
        f"{ValueEntry.objects.count()} value entries in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
