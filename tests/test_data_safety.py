"""Data that must never be lost or turned against its reader: every row of an XLSX import, the
40-digit precision in every thread, CSV exports a spreadsheet cannot run, master data that the
ledgers name."""

from __future__ import annotations

import csv
import io
import re
import threading
import zipfile
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from inventory.amounts import round_to
from inventory.models import ItemVariant, Location
from inventory.text import csv_safe, csv_unsafe
from revaluation.models import RevaluationLine
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.lines import line_edit
from revaluation.services.spreadsheet import batch_export, batch_import
from tests.factories import ItemFactory, ItemVariantFactory, LocationFactory
from tests.posting import day, jline, post

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


# --------------------------------------------------------------------------- XLSX rows


def with_dimension(xlsx: bytes, ref: str) -> bytes:
    """The workbook with its sheet's declared size set to ``ref`` (as some editors leave it)."""
    source, target = zipfile.ZipFile(io.BytesIO(xlsx)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), data)
            out.writestr(info, data)
    return target.getvalue()


def test_an_xlsx_import_reads_rows_below_the_declared_size(scenario_a):
    """Per entry on D4: entry 1 (5 left of 10 @ 10) and entry 2 (10 @ 12); row 3 is edited."""
    calculate_inventory_value(
        batch_name="REVAL",
        options=CalculateOptions(posting_date=day(4), document_no="REV-1", per="entry"),
    )
    workbook = load_workbook(io.BytesIO(batch_export(batch_name="REVAL", format="xlsx")))
    workbook.worksheets[0]["K3"] = "13"
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = batch_import(
        batch_name="REVAL", data=with_dimension(buffer.getvalue(), "A1:M2"), format="xlsx"
    )

    assert (result.changed, result.unchanged) == ([20000], 1)
    line = RevaluationLine.objects.get(line_no=20000)
    assert (line.inventory_value_revalued, line.amount) == (D("130.00"), D("10.00"))


# --------------------------------------------------------------------------- Decimal precision


def test_a_new_thread_computes_with_the_same_forty_digits():
    """10^25 / 3 to 5 decimals needs 31 digits: 28 (Python's default) cannot hold it."""
    computation = lambda: round_to(D(10) ** 25 / 3, D("0.00001"))  # noqa: E731
    results: list = []

    def in_thread() -> None:
        try:
            results.append(computation())
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results.append(exc)

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join()

    assert results == [computation()] == [D("3333333333333333333333333.33333")]


# --------------------------------------------------------------------------- CSV exports


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+1", "'+1"),
        ("-X", "'-X"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tA", "'\tA"),
        ("\rA", "'\rA"),
        ("'=A", "''=A"),
        ("A=1", "A=1"),
        ("'A", "''A"),
    ],
)
def test_csv_safe_text_and_back(text, cell):
    assert csv_safe(text) == cell
    assert csv_unsafe(cell) == text


@pytest.fixture
def formula_ledger(setup):
    """Item "=CMD" ("+1" in its description) sold 5 without stock at 2.00: values -5 / -10."""
    ItemFactory(no="=CMD", description="+1", unit_cost=D(2))
    post(jline("sale", "=CMD", 5, day(1), document_no="@SUM(A1)"))


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(StringIO(text)))


def test_the_ledger_export_neutralises_text_and_keeps_numbers(formula_ledger):
    [entry] = rows_of(run("export_ledger", "item-ledger"))

    assert (entry["item_no"], entry["document_no"]) == ("'=CMD", "'@SUM(A1)")
    assert (entry["quantity"], entry["cost_amount_actual"]) == ("-5", "-10")


def test_the_valuation_exports_neutralise_text_and_keep_numbers(formula_ledger, accountant_client):
    command = rows_of(run("inventory_valuation", "--as-of", "2025-01-01"))
    page = accountant_client.get(
        reverse("inventory-valuation-export"), {"ending_date": "2025-01-01"}
    )

    for row, total in (command, rows_of(page.content.decode())):
        assert (row["item_no"], row["description"]) == ("'=CMD", "'+1")
        assert (row["closing_quantity"], row["closing_value"]) == ("-5", "-10")
        assert total["closing_value"] == "-10"


def test_a_journal_export_neutralises_text_and_imports_back_unchanged(setup):
    ItemFactory(no="-X")
    post(jline("purchase", "-X", 10, day(1), unit_amount=10, document_no="=P-1"))
    post(jline("sale", "-X", 4, day(2)))
    calculate_inventory_value(
        batch_name="REVAL",
        options=CalculateOptions(posting_date=day(3), document_no="-R1", per="entry"),
    )
    line = RevaluationLine.objects.get()  # entry 1: 6 units left, 60.00
    line_edit(line_id=line.pk, version=1, field="inventory_value_revalued", value="54")
    data = batch_export(batch_name="REVAL", format="csv")

    [row] = rows_of(data.decode())
    result = batch_import(batch_name="REVAL", data=data, format="csv")

    assert (row["item_no"], row["document_no"]) == ("'-X", "'-R1")
    assert row["amount"] == "-6.00"  # 54.00 - 60.00, a number
    assert (result.changed, result.added, result.unchanged) == ([], [], 1)
    assert RevaluationLine.objects.get().version == 2  # the edit; the import changed nothing


# --------------------------------------------------------------------------- admin


@pytest.fixture
def blue_ledger(setup):
    """Item V with variant RED: 3 units received at location BLUE."""
    LocationFactory(code="BLUE")
    item = ItemFactory(no="V")
    ItemVariantFactory(item=item, code="RED")
    post(jline("purchase", "V", 3, day(1), unit_amount=2, location_code="BLUE", variant_code="RED"))
    return item


def test_the_admin_refuses_to_delete_a_location_the_ledger_names(admin_client, blue_ledger):
    url = reverse("admin:inventory_location_delete", args=["BLUE"])

    page = admin_client.get(url)
    post_response = admin_client.post(url, {"post": "yes"})
    action = admin_client.post(
        reverse("admin:inventory_location_changelist"),
        {"action": "delete_selected", "_selected_action": ["BLUE"], "post": "yes"},
    )

    assert page.status_code == post_response.status_code == action.status_code == 200
    for response in (page, post_response, action):
        content = response.content.decode()
        assert "Cannot delete location" in content
        assert "Item ledger entries at location BLUE" in content
    assert Location.objects.filter(code="BLUE").exists()


def test_the_admin_refuses_to_delete_or_recode_a_variant_the_ledger_names(
    admin_client, blue_ledger
):
    variant = ItemVariant.objects.get()
    url = reverse("admin:inventory_item_change", args=["V"])
    data = {
        "description": "",
        "base_unit_of_measure": "PCS",
        "costing_method": "fifo",
        "unit_cost": "0",
        "standard_cost": "0",
        "inventory_posting_group": "RESALE",
        "gen_prod_posting_group": "RETAIL",
        "variants-TOTAL_FORMS": "1",
        "variants-INITIAL_FORMS": "1",
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000",
        "variants-0-id": str(variant.pk),
        "variants-0-item": "V",
        "variants-0-code": "RED",
        "variants-0-description": "",
    }

    deleting = admin_client.post(url, {**data, "variants-0-DELETE": "on"})
    recoding = admin_client.post(url, {**data, "variants-0-code": "BLACK"})

    for response in (deleting, recoding):
        assert response.status_code == 200
        assert "Variant RED has item ledger entries: it cannot be deleted or recoded." in (
            response.content.decode()
        )
    assert list(ItemVariant.objects.values_list("code", flat=True)) == ["RED"]
