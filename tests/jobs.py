"""A real task worker for the tests of background jobs: `manage.py db_worker` in its own process
on the test database (the rest of the suite runs tasks inline, see tests/settings.py)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@contextlib.contextmanager
def task_worker(settings) -> Iterator[subprocess.Popen]:
    """Enqueue into the database queue and run one worker process on it; stop it afterwards."""
    settings.TASKS = DATABASE_BACKEND
    db = connection.settings_dict
    host = quote(db["HOST"], safe="")  # the embedded server's host is a socket folder
    url = f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{host}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "revaluation.settings"}
    command = ["manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload"]
    worker = subprocess.Popen([sys.executable, *command, "-v0"], cwd=BASE_DIR, env=env)
    try:
        yield worker
    finally:
        worker.kill()
        worker.wait(10)


def wait_for[T](check: Callable[[], T], seconds: float = 30) -> T:
    """Poll ``check`` until it returns something true."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s")
