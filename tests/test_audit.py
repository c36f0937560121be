"""The audit trail (issue 10 §5): who, when, old -> new, for grid edits and admin changes."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse

from inventory.audit import change_history
from inventory.models import AverageCostPeriod, InventorySetup
from revaluation.models import RevaluationLine
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from tests.factories import AccountantFactory
from tests.inventory.test_admin import setup_form_data
from tests.markup import text_of
from tests.posting import day
from tests.revaluation.test_commands import calculate, edited_export, run

HTMX = {"HX-Request": "true"}


@pytest.fixture
def line(scenario_a):
    [line] = calculate_inventory_value(
        batch_name="R",
        options=CalculateOptions(posting_date=day(4), document_no="REV-1", per="item"),
    )
    return line


def test_a_grid_edit_is_recorded_with_user_and_old_and_new_values(accountant_client, line):
    assert change_history(line) == []  # calculating (inserting) is no change
    response = accountant_client.post(
        reverse("revaluation-line-edit", args=["R", line.pk]),
        {"version": line.version, "field": "unit_cost_revalued", "unit_cost_revalued": "14"},
        headers=HTMX,
    )
    assert response.status_code == 200
    [entry] = change_history(line)
    assert (entry.action, entry.user, entry.url) == (
        "changed",
        "anna",
        reverse("revaluation-line-edit", args=["R", line.pk]),
    )
    changes = {c.field: (c.old, c.new) for c in entry.changes}
    # 15 units worth 170.00 revalued at 14.00 a unit: 210.00, amount +40.00
    assert changes["unit_cost_revalued"] == (D("11.33333"), D("14"))
    assert changes["inventory_value_revalued"] == (D("170"), D("210"))
    assert changes["amount"] == (D("0"), D("40"))
    assert changes["version"] == (1, 2)
    page = accountant_client.get(reverse("revaluation-line-explain", args=["R", line.pk]))
    history = text_of(page.content.decode(), "change-history-table")
    assert "anna" in history and "unit_cost_revalued" in history and "11.33333" in history


def test_deleting_a_line_is_recorded(accountant_client, line):
    accountant_client.post(reverse("revaluation-line-delete", args=["R", line.pk]))
    assert not RevaluationLine.objects.exists()
    [entry] = change_history(line)
    assert (entry.action, entry.user) == ("deleted", "anna")


def test_a_setup_change_in_the_admin_is_recorded(admin_client, admin_user, setup):
    url = reverse("admin:inventory_inventorysetup_change", args=[quote(setup.pk)])
    data = setup_form_data(setup, average_cost_period=AverageCostPeriod.MONTH)
    assert admin_client.post(url, data).status_code == 302
    assert InventorySetup.get().average_cost_period == AverageCostPeriod.MONTH
    entry = change_history(setup)[-1]
    assert (entry.action, entry.user, entry.url) == ("changed", admin_user.username, url)
    assert [(c.field, c.old, c.new) for c in entry.changes] == [
        ("average_cost_period", setup.average_cost_period, AverageCostPeriod.MONTH)
    ]


def test_the_admin_lists_the_events_read_only(admin_client, admin_user, setup):
    url = reverse("admin:inventory_inventorysetup_change", args=[quote(setup.pk)])
    admin_client.post(url, setup_form_data(setup, average_cost_period=AverageCostPeriod.MONTH))
    events = admin_client.get(reverse("admin:pghistory_events_changelist"))
    assert events.status_code == 200
    assert "inventory.InventorySetupEvent" in events.content.decode()
    assert admin_client.get(reverse("admin:pghistory_events_add")).status_code == 403
    assert 'class="events-admin"' in admin_client.get(url).content.decode()  # the Events button
    for_setup = admin_client.get(
        reverse("admin:pghistory_events_changelist"),
        {"method": "tracks", "obj": f"inventory.InventorySetup:{setup.pk}"},
    )
    assert for_setup.status_code == 200 and "average_cost_period" in for_setup.content.decode()


def test_posting_writes_no_item_history(scenario_a):
    """Posting maintains Unit Cost and Cost is Adjusted: not master-data changes."""
    assert [e.action for e in change_history(scenario_a)] == ["created"]


def test_an_import_for_a_user_is_recorded_with_the_user(scenario_a, tmp_path):
    AccountantFactory(username="anna")
    calculate("--per", "item")
    path = edited_export(tmp_path, unit_cost_revalued="14")
    run("import_revaluation_journal", "--batch", "REVAL", path, "--user", "anna")
    [entry] = change_history(RevaluationLine.objects.get())
    assert (entry.action, entry.user) == ("changed", "anna")
    assert ("unit_cost_revalued", D("11.33333"), D("14")) in [
        (c.field, c.old, c.new) for c in entry.changes
    ]
