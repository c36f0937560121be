"""A bounded load test on loopback against gunicorn: ``--users`` accountants edit cells in their
own batches over HTTP while, in this process, another user posts a per-item revaluation journal
and Adjust Cost runs. Reports the latency of the edits (median, p95, max), the errors and the
lost edits (every edited cell read back from the database afterwards).

It runs on a copy of the benchmark database (``CREATE DATABASE ... TEMPLATE``), dropped at the
end, because the posting writes ledger rows. gunicorn keeps its database connections
(``CONN_MAX_AGE``, as the deployment's PgBouncer does: docs/DEPLOYMENT.md) unless
``--conn-max-age 0``; ``--no-poster`` leaves the other user idle (the edits alone):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/revaluation_bench \\
        .venv/bin/python bench/load.py --users 20 --edits 40
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE_URL = os.environ["DATABASE_URL"]
COPY_NAME = BASE_URL.rsplit("/", 1)[1] + "_load"
SERVER_URL = BASE_URL.rsplit("/", 1)[0] + "/postgres"
os.environ["DATABASE_URL"] = BASE_URL.rsplit("/", 1)[0] + "/" + COPY_NAME
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revaluation.settings")
sys.path.insert(0, str(ROOT))

ON = date(2025, 12, 31)
PASSWORD = "load-test-password-1"
PORT = 8765


def psql(statement: str) -> None:
    subprocess.run(["psql", SERVER_URL, "-qc", statement], check=True)


def setup_data(users: int, edits: int) -> list[list[int]]:
    """An accountant and a per-entry batch of ``edits`` lines per user (items of their own); a
    per-item batch of the other items for the poster. Returns the line ids per user."""
    from django.contrib.auth.models import Group, User

    from inventory.models import Item
    from revaluation.models import RevaluationLine
    from revaluation.services.calculate import CalculateOptions, calculate_inventory_value

    group = Group.objects.get_or_create(name="Accountant")[0]
    items = list(
        Item.objects.filter(costing_method__in=("fifo", "lifo"))
        .order_by("no")
        .values_list("no", flat=True)
    )
    per_user = max(1, len(items) // (2 * users))
    ids = []
    for n in range(users):
        user = User.objects.create_user(f"load{n}", password=PASSWORD)
        user.groups.add(group)
        name = f"LOAD{n}"
        calculate_inventory_value(
            batch_name=name,
            options=CalculateOptions(
                posting_date=ON,
                document_no=f"L{n}",
                item_nos=tuple(items[n * per_user : (n + 1) * per_user]),
            ),
        )
        lines = RevaluationLine.objects.filter(batch_id=name).order_by("line_no")
        ids.append(list(lines.values_list("id", flat=True)[:edits]))
    calculate_inventory_value(
        batch_name="LOADPOST",
        options=CalculateOptions(
            posting_date=ON, document_no="LP", per="item", item_nos=tuple(items[users * per_user :])
        ),
    )
    return ids


class Editor(threading.Thread):
    """One accountant's browser: log in, then edit each of ``line_ids`` once."""

    def __init__(self, n: int, line_ids: list[int], base: str, think: float):
        super().__init__()
        self.think = think
        self.n, self.line_ids, self.base = n, line_ids, base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.expected: dict[int, Decimal] = {}

    def csrf(self) -> str:
        return next(c.value or "" for c in self.cookies if c.name == "csrftoken")

    def request(self, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        return self.opener.open(request, timeout=60)

    def login(self) -> None:
        page = self.request("/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no CSRF token on the login page"
        self.request(
            "/login/",
            {"username": f"load{self.n}", "password": PASSWORD, "csrfmiddlewaretoken": token[1]},
        ).read()

    def run(self) -> None:
        try:
            self.login()
        except (OSError, AssertionError, StopIteration) as error:
            self.errors.append(f"login: {error}")
            return
        for k, line_id in enumerate(self.line_ids):
            value = Decimal(100 + self.n) + Decimal(k) / 100
            started = time.perf_counter()
            try:
                response = self.request(
                    f"/revaluation/LOAD{self.n}/lines/{line_id}/",
                    {"version": "1", "field": "unit_cost_revalued", "unit_cost_revalued": value},
                    {"HX-Request": "true", "X-CSRFToken": self.csrf()},
                )
                response.read()
                self.latencies.append(time.perf_counter() - started)
                self.expected[line_id] = value
            except OSError as error:  # HTTP errors, refused connections, timeouts
                self.latencies.append(time.perf_counter() - started)
                self.errors.append(f"line {line_id}: {error}")
            time.sleep(self.think)


def post_and_adjust(results: dict) -> None:
    """The other user: revalue the per-item batch by +5 %, post it, then run Adjust Cost."""
    from django.db import connection

    from inventory.models import InventorySetup, Item
    from inventory.services.adjustment import adjust_cost_item_entries
    from revaluation.models import RevaluationLine
    from revaluation.services.lines import apply_edit
    from revaluation.services.posting import revaluation_batch_post

    try:
        precision = InventorySetup.get().precision
        lines = list(RevaluationLine.objects.filter(batch_id="LOADPOST"))
        for line in lines:
            new = precision.ru(line.unit_cost_calculated * Decimal("1.05"))
            apply_edit(line, "unit_cost_revalued", new, precision)
        RevaluationLine.objects.bulk_update(
            lines, ["unit_cost_revalued", "inventory_value_revalued", "amount", "unit_amount"]
        )
        started = time.perf_counter()
        revaluation_batch_post(batch_name="LOADPOST")
        results["post"] = time.perf_counter() - started
        Item.objects.update(cost_is_adjusted=False)
        started = time.perf_counter()
        summary = adjust_cost_item_entries()
        results["adjust"] = time.perf_counter() - started
        results["adjusted entries"] = summary.entries_created
    except Exception as error:  # reported, not raised: the editors' figures still count
        results["error"] = repr(error)
    finally:
        connection.close()


def wait_for(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/login/", timeout=5).read()
            return
        except OSError:
            time.sleep(0.5)
    sys.exit("gunicorn did not answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--edits", type=int, default=40, help="cell edits per user")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--think", type=float, default=1.0, help="seconds between a user's edits")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=60,
        help="gunicorn's CONN_MAX_AGE; 0: a new database connection per request",
    )
    parser.add_argument("--no-poster", action="store_true", help="no posting and Adjust Cost")
    args = parser.parse_args()
    psql(f"DROP DATABASE IF EXISTS {COPY_NAME}")
    psql(f"CREATE DATABASE {COPY_NAME} TEMPLATE {BASE_URL.rsplit('/', 1)[1]}")
    server = None
    try:
        import django

        django.setup()
        from django.db import connection

        from revaluation.models import RevaluationLine

        ids = setup_data(args.users, args.edits)
        connection.close()
        base = f"http://127.0.0.1:{PORT}"
        manage = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
        subprocess.run(manage, cwd=ROOT, check=True, env={**os.environ, "DEBUG": "0"})
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "revaluation.wsgi",
                f"--workers={args.workers}",
                f"--bind=127.0.0.1:{PORT}",
                "--timeout=120",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env={**os.environ, "DEBUG": "0", "CONN_MAX_AGE": str(args.conn_max_age)},
        )
        wait_for(base)
        load_before = os.getloadavg()[0]
        editors = [Editor(n, line_ids, base, args.think) for n, line_ids in enumerate(ids)]
        results: dict = {}
        other = threading.Thread(target=post_and_adjust, args=(results,))
        started = time.perf_counter()
        if not args.no_poster:
            other.start()
        for editor in editors:
            editor.start()
        for editor in editors:
            editor.join()
        edits_seconds = time.perf_counter() - started
        load_during = os.getloadavg()[0]
        if not args.no_poster:
            other.join()
        latencies = sorted(ms * 1000 for e in editors for ms in e.latencies)
        errors = [error for e in editors for error in e.errors]
        expected = {line_id: value for e in editors for line_id, value in e.expected.items()}
        stored = dict(
            RevaluationLine.objects.filter(id__in=expected).values_list("id", "unit_cost_revalued")
        )
        lost = sum(1 for line_id, value in expected.items() if stored.get(line_id) != value)
        p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else 0
        print(
            f"{args.users} users x {args.edits} edits ({args.think} s apart) against gunicorn "
            f"({args.workers} workers, CONN_MAX_AGE={args.conn_max_age}) "
            f"in {edits_seconds:.1f} s: {len(latencies)} edits, median "
            f"{statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms, max {latencies[-1]:.0f} ms;"
            f" errors {len(errors)}; lost edits {lost}; poster and Adjust Cost: "
            f"{'none' if args.no_poster else results}; load average {load_before:.1f} before, "
            f"{load_during:.1f} at the end of the edits"
        )
        for error in errors[:5]:
            print("  ", error)
        connection.close()
    finally:
        if server:
            server.terminate()
            server.wait()
        psql(f"DROP DATABASE IF EXISTS {COPY_NAME}")


if __name__ == "__main__":
    main()
