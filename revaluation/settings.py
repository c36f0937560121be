"""Settings, read from the environment.

The database is PostgreSQL: the server at ``DATABASE_URL``, or, with none set, the embedded server
of ``revaluation.embedded_database`` (data in ``var/postgres``). With nothing set the app runs
with DEBUG on. ``DJANGO_ENV=production`` turns DEBUG off, requires a real ``SECRET_KEY`` and a
``DATABASE_URL``, and enables the secure-cookie/HSTS settings that ``manage.py check --deploy``
asks for. A value the app does not know (``DJANGO_ENV=prod``, ``DEBUG=maybe``) stops it with an
error instead of falling back to a default.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.checks.security.base import (
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from revaluation.embedded_database import embedded_database

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (yes/no), not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return [v.strip() for v in value.split(",") if v.strip()] if value else default


def env_positive_int(name: str, default: int) -> int:
    value = os.environ.get(name) or str(default)
    if not value.isascii() or not value.isdigit() or int(value) == 0:
        raise ImproperlyConfigured(f"{name} must be a whole number above 0, not {value!r}")
    return int(value)


ENVIRONMENTS = ("development", "production")
DJANGO_ENV = os.environ.get("DJANGO_ENV") or "development"
if DJANGO_ENV not in ENVIRONMENTS:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be {' or '.join(ENVIRONMENTS)} (lower case), not {DJANGO_ENV!r}"
    )
PRODUCTION = DJANGO_ENV == "production"
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else DEV_SECRET_KEY)
if PRODUCTION and (
    len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH
    or len(set(SECRET_KEY)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
    or SECRET_KEY == DEV_SECRET_KEY
):
    # the thresholds of `manage.py check --deploy`, enforced instead of warned about
    raise ImproperlyConfigured(
        f"DJANGO_ENV=production needs SECRET_KEY of at least {SECRET_KEY_MIN_LENGTH} characters"
        f" with at least {SECRET_KEY_MIN_UNIQUE_CHARACTERS} different ones; make one with"
        " python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # before the admin: its object tools template adds an "Events" button (the audit trail) to
    # the change page of every tracked model
    "pghistory.admin",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "pgtrigger",
    "pghistory",
    "inventory",
    "revaluation",
]

MIDDLEWARE = [
    "revaluation.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "revaluation.language.UserLanguageMiddleware",  # the user's language; needs the user
    "django_htmx.middleware.HtmxMiddleware",
    # the audit trail's context: who (the signed-in user) and where (the URL) of every change
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

# Requests whose body (form fields and files alike) is larger are refused with 413.
REQUEST_MAX_BYTES = env_positive_int("REQUEST_MAX_MB", 10) * 1024 * 1024

# Scripts and styles only from the app's own files (and nonce'd tags, e.g. the admin's).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

ROOT_URLCONF = "revaluation.urls"
WSGI_APPLICATION = "revaluation.wsgi.application"
ASGI_APPLICATION = "revaluation.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
DATABASES: dict[str, Any]  # dj-database-url's config, or the embedded server's
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0"))
        )
    }
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must name a PostgreSQL server (postgres://...)")
elif PRODUCTION:
    raise ImproperlyConfigured("DJANGO_ENV=production needs DATABASE_URL (a PostgreSQL server)")
else:
    DATABASES = {
        "default": embedded_database(
            Path(os.environ.get("EMBEDDED_POSTGRES_DIR", BASE_DIR / "var" / "postgres"))
        )
    }

# JIT compilation costs 5-17 s on the large set-based statements of this data and saves nothing
# on them (docs/BENCHMARKS.md): off for every connection of the app.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

# Long work (Adjust Cost, large calculations and postings) runs as django.tasks in the database
# queue; `manage.py db_worker` processes run them (`make run` starts one beside the server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Above these sizes Calculate Inventory Value and posting run as background tasks.
BACKGROUND_CALCULATE_ITEMS = int(os.environ.get("BACKGROUND_CALCULATE_ITEMS", "300"))
BACKGROUND_POST_LINES = int(os.environ.get("BACKGROUND_POST_LINES", "2000"))
# Above these sizes the journal's CSV/XLSX export (lines) and import (data rows) run as tasks.
BACKGROUND_EXPORT_LINES = int(os.environ.get("BACKGROUND_EXPORT_LINES", "2000"))
BACKGROUND_IMPORT_ROWS = int(os.environ.get("BACKGROUND_IMPORT_ROWS", "2000"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling (django-axes, on /login/ and /admin/login/): after LOGIN_FAILURE_LIMIT wrong
# passwords for one user name from one address, that pair is locked out for LOGIN_LOCKOUT_MINUTES.
# An administrator lifts a lockout sooner in the admin (Axes > Access attempts: delete it) or
# with `manage.py axes_reset_username NAME`.
AXES_FAILURE_LIMIT = env_positive_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_positive_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Idle timeout: a session ends after SESSION_IDLE_MINUTES without a request (default a working
# day); every request saves the session and so renews it.
SESSION_COOKIE_AGE = env_positive_int("SESSION_IDLE_MINUTES", 8 * 60) * 60
SESSION_SAVE_EVERY_REQUEST = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# English and Dutch (docs/I18N.md); each user chooses (revaluation.language).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("nl", "Nederlands")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as 2026-01-31 in English and 31-01-2026 in Dutch (the other formats are Django's).
FORMAT_MODULE_PATH = ["revaluation.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # the embedded server's start and stop commands, logged in full at INFO
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
