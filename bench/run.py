"""Time the long operations on the benchmark database beside their floors; write
docs/BENCHMARKS.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/revaluation_bench .venv/bin/python bench/run.py

Run ``bench/generate.py`` first. Every operation runs inside a transaction that is rolled back,
so the database stays as generated and the runs can be repeated; each figure is the median of
``--runs`` runs. Floors: Calculate Inventory Value beside one hand-written SQL statement
(``bench/floor.py``, its totals checked equal to ours); posting beside a COPY of the same value
entries into a copy of the value entry table with its indexes.
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revaluation.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Sum  # noqa: E402
from floor import floor_lines  # noqa: E402

from inventory.ledger_checks import ledger_problems  # noqa: E402
from inventory.models import (  # noqa: E402
    InventorySetup,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ValueEntry,
)
from inventory.services.adjustment import (  # noqa: E402
    AdjustmentSummary,
    adjust_cost_item_entries,
)
from revaluation.models import RevaluationLine  # noqa: E402
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value  # noqa: E402
from revaluation.services.lines import apply_edit  # noqa: E402
from revaluation.services.posting import revaluation_batch_post  # noqa: E402

ON = date(2024, 12, 31)


def rolled_back[T](fn: Callable[[], T]) -> tuple[float, T]:
    """Run ``fn`` in a transaction that is rolled back; return (seconds, its result)."""
    with transaction.atomic():
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds, result


def median[T](runs: int, fn: Callable[[], T]) -> tuple[float, T]:
    timings: list[float] = []
    for _ in range(runs):
        seconds, result = rolled_back(fn)
        timings.append(seconds)
    return statistics.median(timings), result


CALCULATIONS: dict[str, tuple[str, dict]] = {
    "entry": ("per entry", {}),
    "item": ("per item", {"per": "item"}),
    "item_location_variant": (
        "per item by location and variant",
        {"per": "item", "by_location": True, "by_variant": True},
    ),
}


def calculated(per: str) -> tuple[int, Decimal, Decimal]:
    options = CalculateOptions(posting_date=ON, document_no="B-1", **CALCULATIONS[per][1])
    calculate_inventory_value(batch_name="BENCH", options=options)
    totals = RevaluationLine.objects.filter(batch_id="BENCH").aggregate(
        n=Count("id"), q=Sum("quantity"), v=Sum("inventory_value_calculated")
    )
    return totals["n"], totals["q"], totals["v"]


def beside_floor(runs: int, per: str) -> tuple[float, float, float, tuple, tuple]:
    """Each run times the floor and then ours, one after the other (the machine's load changes
    by the minute); returns the medians of ours, the floor and of the per-run ratios."""
    ours: list[float] = []
    floors: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        floor_totals = floor_lines(ON, per=per)
        floors.append(time.perf_counter() - started)
        seconds, totals = rolled_back(functools.partial(calculated, per))
        ours.append(seconds)
    ratio = statistics.median(o / f for o, f in zip(ours, floors, strict=True))
    return statistics.median(ours), statistics.median(floors), ratio, totals, floor_totals


def calculate_and_revalue() -> None:
    """Calculate per entry and type a unit cost 5% higher on every line (the line rules)."""
    calculate_inventory_value(
        batch_name="BENCH", options=CalculateOptions(posting_date=ON, document_no="B-1")
    )
    precision = InventorySetup.get().precision
    lines = list(RevaluationLine.objects.filter(batch_id="BENCH"))
    for line in lines:
        new = precision.ru(line.unit_cost_calculated * Decimal("1.05"))
        apply_edit(line, "unit_cost_revalued", new, precision)
    RevaluationLine.objects.bulk_update(
        lines,
        ["unit_cost_revalued", "inventory_value_revalued", "amount", "unit_amount"],
        batch_size=5000,
    )


def posting() -> tuple[float, float, int]:
    """(post seconds, COPY seconds of the same value entries, value entries written)."""
    with transaction.atomic():
        calculate_and_revalue()
        last = ValueEntry.objects.order_by("-entry_no").values_list("entry_no", flat=True)[:1]
        first_new = (last[0] if last else 0) + 1
        started = time.perf_counter()
        revaluation_batch_post(batch_name="BENCH")
        post_seconds = time.perf_counter() - started
        written = ValueEntry.objects.filter(entry_no__gte=first_new).count()
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_copy (LIKE inventory_valueentry INCLUDING ALL)"
                " ON COMMIT DROP"
            )
            with cursor.cursor.copy(
                f"COPY (SELECT * FROM inventory_valueentry WHERE entry_no >= {first_new}) TO STDOUT"
            ) as out:
                data = [bytes(block) for block in out]
            started = time.perf_counter()
            with cursor.cursor.copy("COPY bench_copy FROM STDIN") as copy:
                for block in data:
                    copy.write(block)
            copy_seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return post_seconds, copy_seconds, written


def adjust_nothing_flagged() -> AdjustmentSummary:
    """The nightly case: every item marked not adjusted, no entry or entry point left flagged."""
    Item.objects.update(cost_is_adjusted=False)
    return adjust_cost_item_entries()


def adjust_everything_flagged() -> AdjustmentSummary:
    Item.objects.update(cost_is_adjusted=False)
    ItemLedgerEntry.objects.filter(positive=True).update(applied_entry_to_adjust=True)
    return adjust_cost_item_entries()


def post_rows(runs: int, rows: list) -> None:
    timings = [posting() for _ in range(runs)]
    post_seconds = statistics.median(t[0] for t in timings)
    copy_seconds = statistics.median(t[1] for t in timings)
    rows.append(
        (
            "Post the per-entry revaluation journal",
            post_seconds,
            copy_seconds,
            f"{timings[0][2]:,} value entries; floor: the same rows copied into a copy of the "
            "table with its indexes",
        )
    )
    print(rows[-1], flush=True)


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        int(line.split()[1]) // 1024 // 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} cores ({model}), {memory} GB RAM, PostgreSQL "
        f"{connection.pg_version // 10000}, Python"  # type: ignore[attr-defined]
        f" {platform.python_version()}; "
        f"load average {load:.1f} at the start (other work shared the machine)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    parser.add_argument(
        "--skip-adjust", action="store_true", help="skip the every-entry-flagged Adjust Cost run"
    )
    parser.add_argument("--skip-posting", action="store_true", help="skip the posting runs")
    args = parser.parse_args()
    if not Item.objects.exists():
        sys.exit("Run bench/generate.py first.")
    started = time.perf_counter()
    problems = ledger_problems()
    check_seconds = time.perf_counter() - started
    if problems:
        sys.exit(f"The ledger breaks its invariants: {problems}")
    size = (
        f"{Item.objects.count():,} items, {ItemLedgerEntry.objects.count():,} item ledger "
        f"entries, {ValueEntry.objects.count():,} value entries, "
        f"{ItemApplicationEntry.objects.count():,} application entries"
    )
    print(size, flush=True)
    rows: list[tuple[str, float, float | None, str]] = [
        ("Ledger invariants (`manage.py check_ledger`)", check_seconds, None, "")
    ]
    for per, (label, _) in CALCULATIONS.items():
        ours, floor, ratio, totals, floor_totals = beside_floor(args.runs, per)
        equal = "equal" if tuple(totals) == tuple(floor_totals) else f"DIFFER {floor_totals}"
        note = (
            f"{totals[0]:,} lines, value {totals[2]:,.2f}; floor totals {equal}; "
            f"median of the per-run ratios {ratio:.2f}"
        )
        rows.append((f"Calculate Inventory Value {label}", ours, floor, note))
        print(rows[-1], flush=True)
    if not args.skip_posting:
        post_rows(args.runs, rows)
    seconds, summary = median(args.runs, adjust_nothing_flagged)
    rows.append(
        (
            "Adjust Cost, nightly: every item marked not adjusted, nothing flagged",
            seconds,
            None,
            f"{summary.items_total:,} items walked, {summary.entries_created} entries created",
        )
    )
    print(rows[-1], flush=True)
    if not args.skip_adjust:
        seconds, summary = rolled_back(adjust_everything_flagged)
        rows.append(
            (
                "Adjust Cost, worst case: every item and inbound flagged, nothing to adjust (1 run)",
                seconds,
                None,
                f"{summary.items_total:,} items walked, {summary.entries_created} entries created",
            )
        )
        print(rows[-1], flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    lines = [
        "# Benchmarks",
        "",
        f"Written by `bench/run.py` (median of {args.runs} runs; each run rolled back) on the data "
        "of `bench/generate.py`.",
        "",
        f"- Data: {size}.",
        f"- Machine: {machine()}.",
        f"- Peak RSS of the benchmark process: {peak} MB.",
        "",
        "| Operation | Seconds | Floor (s) | × floor | Notes |",
        "|---|---:|---:|---:|---|",
        *[
            f"| {label} | {seconds:.2f} | {f'{floor:.2f}' if floor else '—'} | "
            f"{f'{seconds / floor:.1f}' if floor else '—'} | {note} |"
            for label, seconds, floor, note in rows
        ],
        "",
    ]
    (ROOT / "docs" / "BENCHMARKS.md").write_text("\n".join(lines))
    print("wrote docs/BENCHMARKS.md")


if __name__ == "__main__":
    main()
