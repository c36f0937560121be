"""The G/L pages: Post Inventory Cost to G/L (test listing and run), reconciliation with its
drill-down, G/L entries and their CSV / XLSX export."""

from __future__ import annotations

from decimal import Decimal as D
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from inventory.models import GLEntry, GLPostingRun, InventorySetup
from revaluation.models import UserPreference
from tests import scenarios

pytestmark = pytest.mark.django_db


@pytest.fixture
def unposted(setup):
    """Item A: purchase 10 @ 10.00 (D1), sale 5 (D3); Automatic Cost Posting off."""
    scenarios.purchase_and_sale()


@pytest.fixture
def posted(setup):
    InventorySetup.get()
    InventorySetup.objects.filter(pk=1).update(automatic_cost_posting=True)
    scenarios.purchase_and_sale()


def test_navigation_links_the_gl_pages(viewer_client, setup):
    page = viewer_client.get(reverse("gl-post")).content.decode()
    for name in ("gl-post", "gl-reconciliation", "gl-entries"):
        assert f'href="{reverse(name)}"' in page


def test_test_mode_lists_and_writes_nothing(accountant_client, unposted):
    response = accountant_client.get(reverse("gl-post"), {"test": "1", "per": "entry"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 value entries would post as 4 G/L entries (debit 150.00)" in page
    assert not GLEntry.objects.exists()


def test_per_posting_group_needs_a_document_no(accountant_client, unposted):
    response = accountant_client.post(reverse("gl-post-start"), {"per": "posting-group"})
    assert response.status_code == 422
    assert "Please enter a Document No." in response.content.decode()
    assert not GLPostingRun.objects.exists()


def test_post_runs_as_a_task_and_shows_the_result(accountant_client, unposted):
    response = accountant_client.post(reverse("gl-post-start"), {"per": "entry"})
    run = GLPostingRun.objects.get()
    assert response.status_code == 302
    assert (run.status, run.value_entries_posted, run.entries_created, run.register_no) == (
        "finished",
        2,
        4,
        1,
    )
    assert GLEntry.objects.count() == 4
    card = accountant_client.get(reverse("gl-posting-run-detail", args=[run.pk])).content.decode()
    assert "Value entries posted" in card


def test_a_viewer_cannot_post(viewer_client, unposted):
    assert viewer_client.post(reverse("gl-post-start"), {"per": "entry"}).status_code == 403
    assert not GLEntry.objects.exists()


def test_reconciliation_page_and_drilldown(viewer_client, posted):
    page = viewer_client.get(reverse("gl-reconciliation"), {"as_of": "2025-01-31"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "is-difference" not in text
    assert "50.00" in text
    drill = viewer_client.get(
        reverse("gl-drilldown"), {"as_of": "2025-01-31", "role": "inventory", "item": "A"}
    ).content.decode()
    assert "Value entries (2)" in drill and "G/L entries (2)" in drill


def test_gl_entries_page_and_exports(viewer_client, posted):
    dates = {"date_from": "2025-01-01", "date_to": "2025-01-31"}
    page = viewer_client.get(reverse("gl-entries"), dates).content.decode()
    assert "Direct Cost Applied" in page
    csv_text = viewer_client.get(reverse("gl-entries"), {**dates, "format": "csv"}).content
    assert csv_text.decode().splitlines() == [
        "entry_no,posting_date,document_no,account_no,account_name,role,debit,credit,amount,"
        "description,source_code,reason_code",
        "1,2025-01-01,DOC,2130,Inventory,inventory,100,0,100,Item A,ITEMJNL,",
        "2,2025-01-01,DOC,7190,Direct Cost Applied,direct_cost_applied,0,100,-100,Item A,ITEMJNL,",
        "3,2025-01-03,DOC,2130,Inventory,inventory,0,50,-50,Item A,ITEMJNL,",
        "4,2025-01-03,DOC,7290,Cost of Goods Sold,cogs,50,0,50,Item A,ITEMJNL,",
    ]
    xlsx = viewer_client.get(reverse("gl-entries"), {**dates, "format": "xlsx"})
    sheet = load_workbook(BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("entry_no", "posting_date", "document_no")
    assert [row[8] for row in rows[1:]] == [100, -100, -50, 50]
    assert sum(D(str(row[8])) for row in rows[1:]) == 0
    bad = viewer_client.get(reverse("gl-entries"), {"date_from": "x", "format": "csv"})
    assert bad.status_code == 400


@pytest.mark.parametrize("model", ["glentry", "glregister", "glitemledgerrelation"])
def test_gl_ledgers_are_read_only_in_the_admin(admin_client, posted, model):
    changelist = admin_client.get(reverse(f"admin:inventory_{model}_changelist"))
    assert changelist.status_code == 200
    assert admin_client.get(reverse(f"admin:inventory_{model}_add")).status_code == 403


def test_gl_entry_admin_page(admin_client, posted):
    page = admin_client.get(reverse("admin:inventory_glentry_change", args=[2])).content.decode()
    assert "Value entries of G/L entry 2" in page


def test_setups_are_editable_in_the_admin(admin_client, posted):
    from inventory.models import GLAccount, InventoryPostingSetup

    row = InventoryPostingSetup.objects.get(location_code="", inventory_posting_group="RESALE")
    GLAccount.objects.create(no="2199", name="Other inventory")
    url = reverse("admin:inventory_inventorypostingsetup_change", args=[row.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {
            "location_code": "",
            "inventory_posting_group": "RESALE",
            "inventory": "2199",
            "inventory_interim": "2131",
            "wip": "2140",
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.inventory_id == "2199"
    for name in ("generalpostingsetup", "glaccount", "defaultpostingaccounts"):
        assert admin_client.get(reverse(f"admin:inventory_{name}_changelist")).status_code == 200


def test_the_gl_pages_in_dutch(accountant_client, accountant, unposted):
    """Business Central's Dutch terms: Voorraadkosten naar grootboek boeken, Afstemming voorraad -
    grootboek, Grootboekposten; the test listing's numbers the Dutch way."""
    UserPreference.objects.create(user=accountant, language="nl")
    accountant_client.force_login(accountant)  # the preference is read at sign-in
    page = accountant_client.get(reverse("gl-post"), {"test": "1", "per": "entry"}).content
    text = page.decode()
    assert "<h1>Voorraadkosten naar grootboek boeken</h1>" in text
    assert "2 waardeposten zouden worden geboekt als 4 grootboekposten (debet 150,00)" in text
    text = accountant_client.get(reverse("gl-reconciliation"), {"as_of": "2025-01-31"})
    text = text.content.decode()
    assert "<h1>Afstemming voorraad - grootboek</h1>" in text
    assert "Grootboeksaldo" in text and "Afstemmen" in text
    drill = accountant_client.get(
        reverse("gl-drilldown"), {"as_of": "2025-01-31", "role": "inventory", "item": "A"}
    ).content.decode()
    assert "Waardeposten (2)" in drill and "Grootboekposten (0)" in drill
