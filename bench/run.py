"""Time the long operations on the benchmark database beside their floors; write
docs/BENCHMARKS-latest.md (docs/BENCHMARKS.md keeps the analysed runs).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/revaluation_bench .venv/bin/python bench/run.py

Run ``bench/generate.py`` first. Every operation runs inside a transaction that is rolled back,
so the database stays as generated and the runs can be repeated; each figure is the median of
``--runs`` runs. Floors: Calculate Inventory Value beside one hand-written SQL statement
(``bench/floor.py``, its totals checked equal to ours); posting the per-item revaluation journal
beside a COPY of the rows it wrote into the same tables. Also: the peak RSS of the calculate,
post and adjust jobs, each in a process of its own, and the server time of the journal pages of
a 20,000-line batch (``bench/web.py``).
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import resource
import statistics
import subprocess
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
from floor import METHODS, floor_lines  # noqa: E402
from web import web_timings  # noqa: E402

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
from revaluation.models import PostedRevaluationLine, RevaluationLine  # noqa: E402
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value  # noqa: E402
from revaluation.services.lines import apply_edit, batch_get_or_create  # noqa: E402
from revaluation.services.posting import revaluation_batch_post  # noqa: E402

ON = date(2025, 12, 31)


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
    options = CalculateOptions(
        posting_date=ON, document_no="B-1", costing_methods=METHODS, **CALCULATIONS[per][1]
    )
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
        with connection.cursor() as cursor:
            # the lines of the rolled-back runs before are dead rows in the table and its
            # indexes (a user's calculation writes into a vacuumed table; the floor's is new)
            cursor.execute(f"VACUUM {RevaluationLine._meta.db_table}")
        started = time.perf_counter()
        floor_totals = floor_lines(ON, per=per)
        floors.append(time.perf_counter() - started)
        seconds, totals = rolled_back(functools.partial(calculated, per))
        ours.append(seconds)
    ratio = statistics.median(o / f for o, f in zip(ours, floors, strict=True))
    return statistics.median(ours), statistics.median(floors), ratio, totals, floor_totals


def calculate_and_revalue(per: str = "item", item_nos: tuple[str, ...] = ()) -> None:
    """Calculate (per item by default; all items or ``item_nos``) and type a unit cost 5%
    higher on every line."""
    calculate_inventory_value(
        batch_name="BENCH",
        options=CalculateOptions(posting_date=ON, document_no="B-1", per=per, item_nos=item_nos),
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


# The tables posting a revaluation batch appends rows to (the floor writes the same rows again),
# with the key the floor shifts past the posted rows.
POSTED_TABLES = (
    (ValueEntry._meta.db_table, "entry_no"),
    (PostedRevaluationLine._meta.db_table, "id"),
)


def copy_again(cursor, table: str, key: str, first: int) -> float:
    """Seconds to COPY the rows of ``table`` from key ``first`` on into the same table again,
    renumbered right after them (same table, same indexes, triggers and foreign keys)."""
    cursor.execute(f"SELECT max({key}) FROM {table}")
    shift = cursor.fetchone()[0] - first + 1
    cursor.execute(
        f"CREATE TEMP TABLE bench_again ON COMMIT DROP AS SELECT * FROM {table} WHERE {key} >= %s",
        [first],
    )
    cursor.execute(f"UPDATE bench_again SET {key} = {key} + %s", [shift])
    with cursor.cursor.copy("COPY bench_again TO STDOUT") as out:
        data = [bytes(block) for block in out]
    started = time.perf_counter()
    with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
        for block in data:
            copy.write(block)
    seconds = time.perf_counter() - started
    cursor.execute("DROP TABLE bench_again")
    return seconds


def next_key(cursor, table: str, key: str) -> int:
    cursor.execute(f"SELECT coalesce(max({key}), 0) + 1 FROM {table}")
    return cursor.fetchone()[0]


def items_for(value_entries: int) -> tuple[str, ...]:
    """The first items (by no.) whose open inbound entries - the value entries a per-item
    revaluation of them writes - reach ``value_entries``."""
    chosen, total = [], 0
    counts = (
        ItemLedgerEntry.objects.filter(positive=True, open=True)
        .values_list("item_id")
        .annotate(n=Count("entry_no"))
        .order_by("item_id")
    )
    for item_no, count in counts:
        if total >= value_entries:
            break
        chosen.append(item_no)
        total += count
    return tuple(chosen)


def posting(item_nos: tuple[str, ...] = ()) -> tuple[float, float, int]:
    """Post the per-item revaluation journal (of all items or ``item_nos``); then COPY the rows
    it wrote into the same tables again: (post seconds, COPY seconds, value entries written)."""
    with transaction.atomic():
        calculate_and_revalue(item_nos=item_nos)
        with connection.cursor() as cursor:
            firsts = [next_key(cursor, table, key) for table, key in POSTED_TABLES]
            started = time.perf_counter()
            revaluation_batch_post(batch_name="BENCH")
            post_seconds = time.perf_counter() - started
            written = ValueEntry.objects.filter(entry_no__gte=firsts[0]).count()
            copy_seconds = sum(
                copy_again(cursor, table, key, first)
                for (table, key), first in zip(POSTED_TABLES, firsts, strict=True)
            )
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


REVALUED_MID_YEAR = date(2025, 6, 30)
PARTLY_SOLD = 10_000


def revalue_partly_sold(count: int = PARTLY_SOLD) -> int:
    """Calculate per entry on ``REVALUED_MID_YEAR``; move the lines of ``count`` inbound entries
    (spread evenly by line) that outbounds posted after that date took quantity from to a batch
    of their own, revalue them +5 % and post that batch; returns the lines posted."""
    calculate_inventory_value(
        batch_name="BENCH",
        options=CalculateOptions(
            posting_date=REVALUED_MID_YEAR, document_no="B-1", costing_methods=METHODS
        ),
    )
    sold_later = ItemApplicationEntry.objects.filter(
        quantity__lt=0, posting_date__gt=REVALUED_MID_YEAR
    ).values("inbound_item_entry_id")
    candidates = sorted(
        RevaluationLine.objects.filter(
            batch_id="BENCH", applies_to_entry__in=sold_later
        ).values_list("id", flat=True)
    )
    chosen = candidates[:: max(len(candidates) // count, 1)][:count]
    batch, _ = batch_get_or_create(name="BENCH-SOLD")
    precision = InventorySetup.get().precision
    lines = list(RevaluationLine.objects.filter(id__in=chosen))
    for line in lines:
        line.batch = batch
        new = precision.ru(line.unit_cost_calculated * Decimal("1.05"))
        apply_edit(line, "unit_cost_revalued", new, precision)
    RevaluationLine.objects.bulk_update(
        lines,
        ["batch", "unit_cost_revalued", "inventory_value_revalued", "amount", "unit_amount"],
        batch_size=5000,
    )
    revaluation_batch_post(batch_name=batch.name)
    return len(lines)


def adjust_after_partly_sold() -> tuple[int, list[tuple[float, AdjustmentSummary]], float]:
    """Revalue entries that were partly sold after the revaluation's date, then time Adjust Cost
    and a second run; then COPY the value entries they wrote into the same table again (the
    floor): (lines posted, [(seconds, summary) of each run], COPY seconds)."""
    posted = revalue_partly_sold()
    table = ValueEntry._meta.db_table
    with connection.cursor() as cursor:
        first = next_key(cursor, table, "entry_no")
        runs: list[tuple[float, AdjustmentSummary]] = []
        for _ in range(2):
            started = time.perf_counter()
            summary = adjust_cost_item_entries()
            runs.append((time.perf_counter() - started, summary))
        copy_seconds = copy_again(cursor, table, "entry_no", first)
    return posted, runs, copy_seconds


def partly_sold_rows(rows: list) -> None:
    _, (posted, runs, copy_seconds) = rolled_back(adjust_after_partly_sold)
    labels = (
        f"Adjust Cost after a revaluation of {posted:,} partly sold entries (1 run)",
        "… the second Adjust Cost run",
    )
    for label, (seconds, summary), floor in zip(labels, runs, (copy_seconds, None), strict=True):
        note = (
            f"{summary.items_total:,} items walked, {summary.entries_created:,} entries created, "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        if floor:
            note += "; floor: COPY of the value entries both runs wrote into the same table"
        rows.append((label, seconds, floor, note))
        print(rows[-1], flush=True)


POST_TARGET_ENTRIES = 100_000  # issue 11: a journal that creates about 100,000 value entries


def post_rows(runs: int, rows: list) -> None:
    some = items_for(POST_TARGET_ENTRIES)
    for label, item_nos in [
        (f"Post the per-item revaluation journal of the first {len(some):,} items", some),
        ("Post the per-item revaluation journal of every item", ()),
    ]:
        timings = [posting(item_nos) for _ in range(runs)]
        post_seconds = statistics.median(t[0] for t in timings)
        copy_seconds = statistics.median(t[1] for t in timings)
        ratio = statistics.median(t[0] / t[1] for t in timings)
        rows.append(
            (
                label,
                post_seconds,
                copy_seconds,
                f"{timings[0][2]:,} value entries; floor: COPY of the same rows (value entries, "
                f"posted lines) into the same tables; median of the per-run ratios {ratio:.2f}",
            )
        )
        print(rows[-1], flush=True)


def job_after_revaluation() -> str:
    """Adjust Cost after the per-item revaluation journal was posted."""
    calculate_and_revalue()
    revaluation_batch_post(batch_name="BENCH")
    summary = adjust_cost_item_entries()
    return (
        f"{summary.items_adjusted:,} of {summary.items_total:,} items adjusted, "
        f"{summary.entries_created:,} entries created, amount {summary.amount:,.2f}"
    )


JOBS: dict[str, Callable[[], object]] = {
    "calculate": functools.partial(calculated, "entry"),
    "post": posting,
    "adjust": job_after_revaluation,
}


def peak_rss_kb() -> int:
    """This process's peak RSS in kB since it started its program (VmHWM). Not ``ru_maxrss``: a child
    started from a large parent keeps the parent's size from before its exec there, so every
    job read as large as the benchmark process (317 MB each in one run)."""
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))


def job_rss(job: str) -> tuple[float, int, str]:
    """Run one job in a process of its own: (wall seconds, its peak RSS in MB, its result)."""
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, __file__, "--job", job], stdout=subprocess.PIPE, check=False
    )
    if child.returncode:
        sys.exit(f"the {job} job failed")
    result, peak_kb = child.stdout.decode().strip().rsplit("\n", 1)
    return time.perf_counter() - started, int(peak_kb) // 1024, result


def rss_rows(rows: list) -> None:
    labels = {
        "calculate": "Calculate Inventory Value per entry",
        "post": "calculate per item, revalue, post the journal",
        "adjust": "calculate per item, revalue, post, Adjust Cost",
    }
    for job, label in labels.items():
        seconds, peak, result = job_rss(job)
        rows.append(
            (
                f"Peak RSS of the job process: {label}",
                seconds,
                None,
                f"**{peak} MB** (1 run; the job's result: {result})",
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
    parser.add_argument(
        "--skip-partly-sold",
        action="store_true",
        help="skip Adjust Cost after a revaluation of partly sold entries",
    )
    parser.add_argument(
        "--skip-calculate", action="store_true", help="skip Calculate Inventory Value"
    )
    parser.add_argument("--skip-rss", action="store_true", help="skip the peak RSS per job")
    parser.add_argument("--skip-web", action="store_true", help="skip the page timings")
    parser.add_argument("--output", default=str(ROOT / "docs" / "BENCHMARKS-latest.md"))
    parser.add_argument("--job", choices=JOBS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:  # one job in a child process of rss_rows, rolled back
        print(rolled_back(JOBS[args.job]))
        print(peak_rss_kb())
        return
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
    for per, (label, _) in [] if args.skip_calculate else CALCULATIONS.items():
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
    if not args.skip_partly_sold:
        partly_sold_rows(rows)
    if not args.skip_rss:
        rss_rows(rows)
    requests = [] if args.skip_web else web_timings(ON, max(args.runs, 5))
    for request in requests:
        print(request, flush=True)
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
    if requests:
        lines += [
            "| Request (Django test client, server side) | ms (median) | Queries | Target |",
            "|---|---:|---:|---|",
            *[
                f"| {label} | {ms:.0f} | {queries} | {note} |"
                for label, ms, queries, note in requests
            ],
            "",
        ]
    Path(args.output).write_text("\n".join(lines))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
