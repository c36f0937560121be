"""Server time of the journal pages on a 20,000-line batch, through Django's test client (the
whole request: middleware, session, views, templates; no network), inside a transaction that
is rolled back; beside it a floor: the sign-in page (the same request cycle, a small template).

Used by bench/run.py; the batch is a per-entry calculation on the benchmark ledger cut to its
first 20,000 lines (or fewer on a small ledger). The posting preview is timed as it runs: its
dry run once (what the preview job does, stored), then its pages, which read the stored rows.
By default the lines the cell edits changed post and the rest are skipped (amount 0);
``--all-lines`` gives every line an amount, so the dry run posts the whole batch.

    DATABASE_URL=... .venv/bin/python bench/web.py [--all-lines] [--skip-preview] [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revaluation.settings")
    import django

    django.setup()

from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import Item
from revaluation.models import RevaluationLine, StoredPreviewEntry, StoredPreviewLine
from revaluation.selectors import PAGE_SIZE
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.stored_preview import stored_preview_run

BATCH = "BENCHWEB"
LINES = 20_000
HTMX = {"HX-Request": "true"}


def timed(runs: int, request) -> tuple[float, int]:
    """(median milliseconds, queries of the last run) of ``request()``, which must answer 200."""
    timings = []
    queries = 0
    for _ in range(runs):
        connection.queries_log.clear()  # a full log (9,000 queries: the dry run) counts nothing
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = request()
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (response.status_code, response.content[:500])
        queries = len(captured)
    return statistics.median(timings), queries


def build_batch(on: date) -> None:
    """A per-entry calculation of the first items (10 at a time, each run appending to the batch)
    up to LINES lines, the surplus of the last run deleted: deleting most of a whole-ledger
    calculation instead left ~100,000 dead rows in the batch's index for the rest of the
    transaction, which every batch query (the totals of each cell edit) then walked."""
    items = list(
        Item.objects.filter(costing_method__in=("fifo", "lifo"))
        .order_by("no")
        .values_list("no", flat=True)
    )
    lines = RevaluationLine.objects.filter(batch_id=BATCH)
    for start in range(0, len(items), 10):
        calculate_inventory_value(
            batch_name=BATCH,
            options=CalculateOptions(
                posting_date=on, document_no="W-1", item_nos=tuple(items[start : start + 10])
            ),
        )
        if lines.count() >= LINES:
            break
    lines.filter(line_no__gt=LINES * 10000).delete()


def web_timings(
    on: date, runs: int, *, all_lines: bool = False, preview: bool = True
) -> list[tuple[str, float, int, str]]:
    """[(label, median ms, queries, note)]."""
    results = []
    with transaction.atomic():
        build_batch(on)
        count = RevaluationLine.objects.filter(batch_id=BATCH).count()
        user = User.objects.create_user("bench-web", password="x")
        user.groups.add(Group.objects.get_or_create(name="Accountant")[0])
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(user)
        journal = reverse("revaluation-journal-detail", args=[BATCH])
        client.get(journal)  # the session's first renewal
        ms, queries = timed(runs, lambda: Client(SERVER_NAME="127.0.0.1").get(reverse("login")))
        results.append(
            ("sign-in page (floor: the request cycle, a small template)", ms, queries, "")
        )
        results += _journal_timings(client, journal, count, runs)
        if all_lines:
            revalue_every_line()
        if preview:
            results += _preview_timings(client, count, runs)
        transaction.set_rollback(True)
    return results


def _journal_timings(client: Client, journal: str, count: int, runs: int) -> list:
    results = []
    pages = -(-count // PAGE_SIZE)
    middle = (pages + 1) // 2
    for label, url in (
        ("journal page 1", journal),
        (f"journal page {middle} (of {pages})", f"{journal}?page={middle}"),
    ):
        ms, queries = timed(runs, lambda url=url: client.get(url))
        results.append((f"{label} of a {count:,}-line batch", ms, queries, "target 200 ms"))
    lines = list(
        RevaluationLine.objects.filter(batch_id=BATCH).order_by("line_no")[100 : 100 + runs]
    )
    edits = iter(lines)

    def edit():
        line = next(edits)
        return client.post(
            reverse("revaluation-line-edit", args=[BATCH, line.pk]),
            {
                "version": str(line.version),
                "field": "unit_cost_revalued",
                "unit_cost_revalued": str(line.unit_cost_calculated + 1),
            },
            headers=HTMX,
        )

    ms, queries = timed(len(lines), edit)
    results.append((f"cell edit in the {count:,}-line batch", ms, queries, "target 50 ms"))
    return results


def revalue_every_line() -> None:
    """Every line revalued by 1.00 (Amount 1.00): the preview posts all of them."""
    RevaluationLine.objects.filter(batch_id=BATCH).update(
        inventory_value_revalued=F("inventory_value_calculated") + 1,
        amount=1,
        unit_cost_revalued=(F("inventory_value_calculated") + 1) / F("quantity"),
    )


def _preview_timings(client: Client, count: int, runs: int) -> list:
    """The dry run once (the preview job's work), then pages of the stored preview beside a
    floor: one SQL statement reading the same page of stored rows."""
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        stored = stored_preview_run(batch_name=BATCH)
        ms = (time.perf_counter() - started) * 1000
    note = f"{stored.line_count:,} lines posted, {stored.entry_count:,} value entries; once"
    results = [(f"preview dry run (stored) of the {count:,}-line batch", ms, len(captured), note)]
    preview = reverse("revaluation-preview", args=[BATCH])
    for label, url, page in (
        ("preview page 1", preview, 1),
        ("preview page 2", f"{preview}?page=2", 2),
        ("preview last page", f"{preview}?page=last", None),
    ):
        ms, queries = timed(runs, lambda url=url: client.get(url))
        floor = _preview_floor(stored, page, runs)
        note = f"target 500 ms; floor (SQL of the page's stored rows) {floor:.1f} ms"
        results.append((f"{label} of the {count:,}-line batch", ms, queries, note))
    return results


def _preview_floor(stored, page: int | None, runs: int) -> float:
    lines = StoredPreviewLine.objects.filter(preview=stored).order_by("position")
    first = ((page or 1) - 1) * 100 if page else max(0, (lines.count() - 1) // 100 * 100)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        positions = list(lines.values_list("position", flat=True)[first : first + 100])
        list(StoredPreviewEntry.objects.filter(preview=stored, position__in=positions).values())
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--all-lines", action="store_true")
    parser.add_argument("--skip-preview", action="store_true")
    parser.add_argument("--on", default="2025-12-31", help="the batch's posting date")
    args = parser.parse_args()
    started = os.getloadavg()
    for label, ms, queries, note in web_timings(
        date.fromisoformat(args.on),
        args.runs,
        all_lines=args.all_lines,
        preview=not args.skip_preview,
    ):
        print(f"{label}: {ms:.0f} ms, {queries} queries {note}", flush=True)
    print(f"load average before {started[0]:.1f}, after {os.getloadavg()[0]:.1f}")
