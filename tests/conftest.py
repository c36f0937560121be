from __future__ import annotations

import os

import pytest
from hypothesis import settings as hypothesis_settings

from inventory.models import ReasonCode
from tests import scenarios
from tests.factories import AccountantFactory, InventorySetupFactory, UserFactory

# CI runs the same property-test examples every time (no flaky landing); developers explore new ones.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture
def setup(db):
    # The reason codes inventory migration 0008 seeds: the flush after a ``transaction=True``
    # (browser) test empties every table, seeded rows included.
    for code in ("NRV", "OBSOLETE"):
        ReasonCode.objects.get_or_create(code=code, defaults={"write_down": True})
    return InventorySetupFactory()


@pytest.fixture
def posted_ledger(setup):
    """Item A (FIFO): purchase 10 @ 10.00 on D1, sale 5 on D3."""
    return scenarios.purchase_and_sale()


# --------------------------------------------------------------------------- revaluation pages


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """pytest-playwright: drive Debian's chromium (Playwright's own download is unavailable)."""
    return {
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def scenario_a(setup):
    """Spec §14.1 steps 1-4 (``tests.scenarios.scenario_a``): returns item A."""
    return scenarios.scenario_a()


@pytest.fixture
def accountant(db):
    """Anna, a member of the Accountant group (may change and post)."""
    return AccountantFactory(username="anna")


@pytest.fixture
def accountant_client(client, accountant):
    """Signed in as ``accountant``."""
    client.force_login(accountant)
    return client


@pytest.fixture
def viewer_client(client):
    """Signed in as Victor, who is not in the Accountant group (may only look)."""
    client.force_login(UserFactory(username="victor"))
    return client


@pytest.fixture
def scenario_a_adjusted(setup):
    """Spec §14.1 revalued to 14.00 a unit and adjusted (``tests.scenarios``)."""
    scenarios.scenario_a_revalued_and_adjusted()


@pytest.fixture(autouse=True, scope="session")
def _flush_in_replica_mode():
    """The teardown of ``transaction=True`` tests empties every table with TRUNCATE, which the
    ledgers refuse (inventory migration 0007) except in replica mode, where ordinary triggers do
    not fire; the test database user is a superuser and may set it for the flush's transaction.
    The audit trail's event tables (django-pghistory) are ordinary model tables: the flush
    empties them too, and their row triggers do not fire on TRUNCATE (nor in replica mode)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    flush = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        return flush(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "execute_sql_flush", execute_sql_flush)
        yield
