"""Deleting the lines of a large journal (what posting and "Delete all lines" do) beside its
floor: the same DELETE with the triggers switched off (``session_replication_role = replica``,
which needs a superuser). Each run inserts the lines, deletes them inside a request-like audit
context (``pghistory.context``) and is rolled back.

    DATABASE_URL=... .venv/bin/python bench/delete_lines.py [--lines 40000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revaluation.settings")
    import django

    django.setup()

import pghistory
from django.db import connection, transaction

from inventory.models import Item
from revaluation.models import RevaluationBatch, RevaluationLine

BATCH = "BENCH-DELETE"


def timed_delete(lines: int, *, triggers: bool) -> float:
    """Seconds of deleting ``lines`` lines of one batch (rolled back)."""
    with transaction.atomic():
        item = Item.objects.create(no="BENCH-DEL-ITEM", costing_method="fifo")
        batch = RevaluationBatch.objects.create(name=BATCH)
        RevaluationLine.objects.bulk_create(
            (
                RevaluationLine(
                    batch=batch,
                    line_no=(no + 1) * 10000,
                    item=item,
                    posting_date=date(2025, 12, 31),
                    document_no="D",
                    applies_to_entry=no + 1,
                    quantity=Decimal(1),
                )
                for no in range(lines)
            ),
            batch_size=5000,
        )
        with connection.cursor() as cursor, pghistory.context(user=None, url="/bench"):
            if not triggers:
                cursor.execute("SET LOCAL session_replication_role = replica")
            started = time.perf_counter()
            cursor.execute("DELETE FROM revaluation_revaluationline WHERE batch_id = %s", [BATCH])
            seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def delete_timings(lines: int, runs: int) -> tuple[float, float]:
    """(median seconds with the audit trail's triggers, median seconds without: the floor)."""
    ours = statistics.median(timed_delete(lines, triggers=True) for _ in range(runs))
    floor = statistics.median(timed_delete(lines, triggers=False) for _ in range(runs))
    return ours, floor


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=40_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ours, floor = delete_timings(args.lines, args.runs)
    print(
        f"delete {args.lines:,} journal lines: {ours:.2f} s, floor (no triggers) {floor:.2f} s, "
        f"{ours / floor:.1f}x; load average {os.getloadavg()[0]:.1f}"
    )
