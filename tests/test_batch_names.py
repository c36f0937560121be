"""One batch name rule for revaluation and item journal batches, wherever a batch is created;
a batch named before the rule existed still lists, opens and deletes."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from inventory.models import ItemJournalBatch
from revaluation.models import RevaluationBatch
from revaluation.services.spreadsheet import COLUMNS
from tests.factories import ItemJournalBatchFactory

pytestmark = pytest.mark.django_db

BAD_NAMES = ["2025/12", ".", "..", "A B", "NEW!", "-X", "ÄB", "A\x1b[31m"]
RULE = "capital letters A-Z, digits, &#x27;-&#x27; or &#x27;_&#x27;"


@pytest.mark.parametrize("name", BAD_NAMES)
def test_the_revaluation_journal_page_refuses_bad_names(accountant_client, name):
    response = accountant_client.post(reverse("revaluation-batch-create"), {"name": name})

    assert response.status_code == 422
    assert RULE in response.content.decode() or "Null characters" in response.content.decode()
    assert not RevaluationBatch.objects.exists()


@pytest.mark.parametrize("name", BAD_NAMES)
def test_the_item_journal_page_refuses_bad_names(accountant_client, name):
    response = accountant_client.post(reverse("item-journal-batch-create"), {"name": name})

    assert response.status_code == 422
    assert RULE in response.content.decode()
    assert not ItemJournalBatch.objects.exists()


@pytest.mark.parametrize("name", ["2025/12", "..", "A B"])
def test_the_commands_refuse_bad_names(setup, tmp_path, name):
    path = tmp_path / "lines.csv"
    path.write_text(",".join(COLUMNS) + "\n")
    with pytest.raises(CommandError, match="--batch: .* is not a valid batch name"):
        call_command(
            "calculate_inventory_value", "--batch", name, "--posting-date", "2025-01-04",
            "--document-no", "R-1", stdout=StringIO(),
        )  # fmt: skip
    with pytest.raises(CommandError, match="--batch: .* is not a valid batch name"):
        call_command("import_revaluation_journal", "--batch", name, str(path), stdout=StringIO())
    assert not RevaluationBatch.objects.exists()


@pytest.mark.parametrize("model", [RevaluationBatch, ItemJournalBatch])
def test_the_admin_refuses_bad_names(admin_client, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")

    response = admin_client.post(url, {"name": "2025/12", "description": ""})

    assert response.status_code == 200  # the form again, with the message
    assert RULE in response.content.decode()
    assert not model.objects.exists()


@pytest.mark.parametrize("model", [RevaluationBatch, ItemJournalBatch])
def test_the_model_refuses_bad_names_whoever_creates_the_batch(model):
    with pytest.raises(ValidationError, match="is not a valid batch name"):
        model.objects.create(name="2025/12")
    assert not model.objects.exists()


def insert_legacy_batch(table: str, name: str) -> None:
    """A batch stored before the rule existed (raw SQL, as an old database holds it)."""
    columns = "name, description, last_document_no, reason_code"
    if table == "inventory_itemjournalbatch":
        columns = "name, description"
    values = ", ".join(["%s"] + ["''"] * columns.count(","))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) VALUES ({values})", [name])


@pytest.mark.parametrize("name", ["2025/12", ".", ".."])
def test_revaluation_batches_with_old_names_still_list_open_and_delete(admin_client, name):
    insert_legacy_batch("revaluation_revaluationbatch", name)

    home = admin_client.get(reverse("home"), follow=True)
    url = reverse("revaluation-journal-detail", args=[name])
    page = admin_client.get(url)
    admin_client.post(
        reverse("admin:revaluation_revaluationbatch_changelist"),
        {"action": "delete_selected", "_selected_action": [name], "post": "yes"},
    )

    assert home.status_code == 200
    assert f'href="{url}"' in home.content.decode()
    assert url == "/revaluation/~" + name.encode().hex() + "/"
    assert page.status_code == 200
    assert page.context["batch"].name == name
    assert not RevaluationBatch.objects.exists()


def test_item_journal_batches_with_old_names_still_list_and_open(admin_client):
    insert_legacy_batch("inventory_itemjournalbatch", "2025/12")
    ItemJournalBatchFactory(name="DEFAULT")

    listing = admin_client.get(reverse("item-journal-list"))
    url = reverse("item-journal-detail", args=["2025/12"])
    page = admin_client.get(url)

    assert listing.status_code == 200
    assert f'href="{url}"' in listing.content.decode()
    assert page.status_code == 200
    assert page.context["batch"].name == "2025/12"


def test_an_address_that_is_not_hex_is_not_found(admin_client):
    assert admin_client.get("/revaluation/~zz/").status_code == 404
    assert admin_client.get("/revaluation/~ff/").status_code == 404  # not UTF-8
