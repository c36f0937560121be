"""Time the set-based paths on the benchmark database and write docs/BENCHMARKS.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/revaluation_bench .venv/bin/python bench/run.py

Run ``bench/generate.py`` first. The script calculates the inventory value per entry and per
item, posts a revaluation batch of up to 20,000 lines, and runs Adjust Cost over every item with
every inbound entry flagged (the worst case). It changes the benchmark database.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revaluation.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from inventory.models import InventorySetup, Item, ItemLedgerEntry, ValueEntry  # noqa: E402
from inventory.services.adjustment import adjust_cost_item_entries  # noqa: E402
from revaluation.models import RevaluationLine  # noqa: E402
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value  # noqa: E402
from revaluation.services.lines import apply_edit, batch_delete_lines  # noqa: E402
from revaluation.services.posting import revaluation_batch_post  # noqa: E402

ON = date(2024, 12, 31)
MAX_LINES = 20000


def timed(label: str, results: list, fn):
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        value = fn()
        seconds = time.perf_counter() - started
    results.append((label, seconds, queries))
    print(f"{label}: {seconds:.2f} s, {queries} queries", flush=True)
    return value


def revalue_all(batch: str) -> int:
    """Type a unit cost 5% higher on every line: the journal's line rules, saved with one
    pipelined UPDATE per line (the browser saves one line per request)."""
    precision = InventorySetup.get().precision
    lines = list(RevaluationLine.objects.filter(batch_id=batch))
    for line in lines:
        apply_edit(
            line,
            "unit_cost_revalued",
            precision.ru(line.unit_cost_calculated * Decimal("1.05")),
            precision,
        )
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE revaluation_revaluationline SET unit_cost_revalued = %s, inventory_value_revalued = %s,"
            " amount = %s, unit_amount = %s, version = version + 1 WHERE id = %s",
            [
                (
                    line.unit_cost_revalued,
                    line.inventory_value_revalued,
                    line.amount,
                    line.unit_amount,
                    line.pk,
                )
                for line in lines
            ],
        )
    return len(lines)


def main() -> None:
    if not Item.objects.exists():
        sys.exit("Run bench/generate.py first.")
    results: list = []
    entries = ItemLedgerEntry.objects.count()
    values = ValueEntry.objects.count()
    items = Item.objects.count()
    print(
        f"ledger: {items} items, {entries} item ledger entries, {values} value entries", flush=True
    )

    per_entry = timed(
        "Calculate Inventory Value per entry (all items)",
        results,
        lambda: calculate_inventory_value(
            batch_name="BENCH-E",
            options=CalculateOptions(posting_date=ON, document_no="B-1", per="entry"),
        ),
    )
    per_item = timed(
        "Calculate Inventory Value per item (all items)",
        results,
        lambda: calculate_inventory_value(
            batch_name="BENCH-I",
            options=CalculateOptions(posting_date=ON, document_no="B-2", per="item"),
        ),
    )
    extra = (
        RevaluationLine.objects.filter(batch_id="BENCH-E")
        .order_by("line_no")[MAX_LINES:]
        .values("pk")
    )
    RevaluationLine.objects.filter(pk__in=extra).delete()
    batch_delete_lines(batch_name="BENCH-I")
    edited = timed(
        "Type a new unit cost on every line (line rules)", results, lambda: revalue_all("BENCH-E")
    )
    timed(
        f"Post the revaluation batch ({edited} lines)",
        results,
        lambda: revaluation_batch_post(batch_name="BENCH-E"),
    )
    Item.objects.update(cost_is_adjusted=False)
    ItemLedgerEntry.objects.filter(positive=True).update(applied_entry_to_adjust=True)
    summary = timed(
        "Adjust Cost, every item, every inbound flagged", results, adjust_cost_item_entries
    )

    lines = [
        "# Benchmarks",
        "",
        "Written by `bench/run.py` on the data of `bench/generate.py` (PostgreSQL "
        f"{connection.pg_version // 10000}, Python {platform.python_version()}, "  # type: ignore[attr-defined]
        f"{os.cpu_count()} cores; other work may have shared the machine).",
        "",
        f"Ledger: {items} items, {entries} item ledger entries, {values} value entries "
        f"(FIFO purchases and sales over 2024).",
        "",
        "| Operation | Seconds | Queries |",
        "|---|---:|---:|",
        *[f"| {label} | {seconds:.2f} | {queries} |" for label, seconds, queries in results],
        "",
        f"Calculate per entry created {len(per_entry)} lines, per item {len(per_item)} lines. "
        f"Adjust Cost adjusted {summary.items_adjusted} items and created {summary.entries_created} "
        "value entries (the generated ledger is exact, so 0 is the right answer).",
        "",
    ]
    (ROOT / "docs" / "BENCHMARKS.md").write_text("\n".join(lines))
    print("wrote docs/BENCHMARKS.md")


if __name__ == "__main__":
    main()
