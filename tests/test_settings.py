"""Settings from the environment: production refuses a missing secret and passes --deploy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment |= {
        "DJANGO_SETTINGS_MODULE": "revaluation.settings",
        "DATABASE_URL": "sqlite:///:memory:",
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


def test_development_defaults_to_debug_on_sqlite():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG, settings.DATABASES['default']['ENGINE'])",
        DATABASE_URL="",
    )
    assert result.stdout.split()[-2:] == ["True", "django.db.backends.sqlite3"]
