"""Settings from the environment: production refuses a missing secret and passes --deploy; the
database is PostgreSQL, embedded when DATABASE_URL is not set."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment |= {
        "DJANGO_SETTINGS_MODULE": "revaluation.settings",
        # `check` does not connect: any PostgreSQL URL will do
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/not_connected",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_ENV="production")
    assert result.returncode != 0
    assert "DJANGO_ENV=production needs SECRET_KEY of at least 50 characters" in result.stderr


@pytest.mark.parametrize("value", ["Production", "prod"])
def test_an_unknown_environment_is_refused(value):
    result = manage("check", DJANGO_ENV=value, SECRET_KEY="k" * 20 + "-production-secret-key-01")
    assert result.returncode != 0
    assert f"DJANGO_ENV must be development or production (lower case), not '{value}'" in (
        result.stderr
    )


def test_production_refuses_a_key_of_few_different_characters():
    result = manage("check", DJANGO_ENV="production", SECRET_KEY="a" * 50)
    assert result.returncode != 0
    assert (
        "DJANGO_ENV=production needs SECRET_KEY of at least 50 characters with at least 5 "
        "different ones" in result.stderr
    )


def test_idle_timeout_and_limits_come_from_the_environment():
    assert (settings.SESSION_COOKIE_AGE, settings.SESSION_SAVE_EVERY_REQUEST) == (8 * 3600, False)
    assert "revaluation.middleware.SessionRenewalMiddleware" in settings.MIDDLEWARE
    assert settings.REQUEST_MAX_BYTES == 10 * 1024 * 1024
    assert (5, timedelta(minutes=15)) == (settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME)
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_AGE, s.REQUEST_MAX_BYTES, s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME)",
        SESSION_IDLE_MINUTES="30",
        REQUEST_MAX_MB="2",
        LOGIN_FAILURE_LIMIT="3",
        LOGIN_LOCKOUT_MINUTES="60",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1800", "2097152", "3", "1:00:00"]
    result = manage("check", SESSION_IDLE_MINUTES="8h")
    assert result.returncode != 0
    assert "SESSION_IDLE_MINUTES must be a whole number above 0, not '8h'" in result.stderr


def test_production_passes_the_deployment_checks():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY="k" * 20 + "-production-secret-key-0123456789abcdef",
        ALLOWED_HOSTS="inventory.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_development_defaults_to_debug_on_an_embedded_postgresql():
    """No DATABASE_URL: the command starts the embedded server on a fresh folder, migrates it
    (with the ledgers' append-only triggers) and stops the server when it exits, even when a
    process that used it died without saying so."""
    # Not in tmp_path: run as root, the server runs as another user, and pytest keeps its
    # temporary root private to us.
    with tempfile.TemporaryDirectory(prefix="embedded-postgres-test-") as folder:
        data = Path(folder) / "postgres"
        embedded = {"DATABASE_URL": "", "EMBEDDED_POSTGRES_DIR": str(data)}
        result = manage("migrate", "-v0", **embedded)
        assert result.returncode == 0, result.stderr
        # a process that held the server and was killed (no exit handler ran) holds it no more
        killed = subprocess.Popen(["true"])
        killed.wait()
        (data / ".handle_pids.json").write_text(f"[{killed.pid}]")
        result = manage(
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings; from django.db import connection;"
            "cursor = connection.cursor();"
            "cursor.execute(\"SELECT current_setting('server_version_num')::int / 10000,"
            " count(*) FROM pg_trigger WHERE tgname = 'inventory_valueentry_append_only'\");"
            "print(settings.DEBUG, settings.DATABASES['default']['HOST'], *cursor.fetchone())",
            **embedded,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["True", str(data), "18", "1"]
        assert (data / "PG_VERSION").exists()
        assert not (data / "postmaster.pid").exists()  # stopped


def test_only_postgresql_is_accepted():
    result = manage("check", DATABASE_URL="sqlite:///db.sqlite3")
    assert result.returncode != 0
    assert "DATABASE_URL must name a PostgreSQL server (postgres://...)" in result.stderr


def test_production_needs_a_database_url():
    result = manage(
        "check",
        DJANGO_ENV="production",
        SECRET_KEY="k" * 20 + "-production-secret-key-0123456789abcdef",
        DATABASE_URL="",
    )
    assert result.returncode != 0
    assert "DJANGO_ENV=production needs DATABASE_URL (a PostgreSQL server)" in result.stderr
