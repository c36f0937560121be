"""The Excel round trip in the browser's pages: export, upload, summary, apply (issue 12 part 2)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from revaluation.models import RevaluationBatch, RevaluationLine
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.spreadsheet import batch_import
from tests.posting import day

pytestmark = pytest.mark.django_db


@pytest.fixture
def item_line(scenario_a):
    """Item A per item on D4: 15 units, 170.00 (unit cost 11.33333)."""
    RevaluationBatch.objects.create(name="REVAL")
    [line] = calculate_inventory_value(
        batch_name="REVAL",
        options=CalculateOptions(posting_date=day(4), document_no="REV-1", per="item"),
    )
    return line


def export_xlsx(client):
    response = client.get(reverse("revaluation-export", args=["REVAL", "xlsx"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="revaluation-REVAL.xlsx"'
    return load_workbook(io.BytesIO(response.content))


def upload(client, workbook, name="edited.xlsx"):
    buffer = io.BytesIO()
    workbook.save(buffer)
    file = SimpleUploadedFile(name, buffer.getvalue())
    return client.post(reverse("revaluation-import", args=["REVAL"]), {"file": file})


def test_xlsx_cells_are_numbers_dates_and_text(accountant_client, item_line):
    sheet = export_xlsx(accountant_client).worksheets[0]
    first = [cell.value for cell in sheet[2]]
    assert first[1:] == [
        "A",
        None,
        None,
        0,
        datetime.datetime(2025, 1, 4),
        "REV-1",
        15,
        11.33333,
        170,
        11.33333,
        170,
        0,
        None,  # reason_code
    ]
    assert first[0] == f"{item_line.pk}v1"  # the key column, as text
    formats = {sheet.cell(1, n).value: sheet.cell(2, n).number_format for n in range(1, 14)}
    assert formats["posting_date"] == "yyyy-mm-dd"
    assert formats["unit_cost_revalued"] == "#,##0.00###"
    assert formats["inventory_value_revalued"] == "#,##0.00"
    assert formats["item_no"] == "@"
    # read-only columns shaded, the editable ones not
    assert sheet["J2"].fill.fgColor.rgb == "00EEEEEE"
    assert sheet["K2"].fill.fill_type is None


def test_xlsx_read_only_cells_are_locked(accountant_client, item_line):
    """Sheet protection (no password): only the two revalued columns and the reason code of a
    line and the empty rows below (manual lines) take typing; sorting and filtering stay allowed."""
    sheet = export_xlsx(accountant_client).worksheets[0]
    assert sheet.protection.sheet
    assert not sheet.protection.password
    assert (sheet.protection.sort, sheet.protection.autoFilter) == (False, False)
    header = [cell.value for cell in sheet[1]]
    unlocked = [
        name for name, cell in zip(header, sheet[2], strict=True) if not cell.protection.locked
    ]
    assert unlocked == ["unit_cost_revalued", "inventory_value_revalued", "reason_code"]
    assert all(cell.protection.locked for cell in sheet[1])
    # the empty rows below take the columns' style: unlocked
    assert not any(sheet.column_dimensions[letter].protection.locked for letter in "ABCDEFGHIJKLM")
    assert sheet.max_row == 2


def test_xlsx_dates_follow_the_exporting_user_s_language(accountant_client, accountant, item_line):
    accountant_client.post(reverse("set-language"), {"language": "nl", "next": "/"})
    sheet = export_xlsx(accountant_client).worksheets[0]
    assert sheet["F2"].number_format == "dd-mm-yyyy"
    assert sheet["F2"].value == datetime.datetime(2025, 1, 4)


def test_unchanged_round_trip_changes_nothing(accountant_client, item_line):
    workbook = export_xlsx(accountant_client)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = batch_import(batch_name="REVAL", format="xlsx", data=buffer.getvalue())
    assert (result.changed, result.added, result.unchanged) == ([], [], 1)


def test_rejected_row_then_good_file(accountant_client, item_line):
    workbook = export_xlsx(accountant_client)
    sheet = workbook.worksheets[0]
    sheet["K2"] = -3  # refused
    sheet.append(["", "ZZ", "", "", 1])  # no such item
    response = upload(accountant_client, workbook)
    assert response.status_code == 422
    page = " ".join(response.content.decode().split())
    assert "edited.xlsx: 2 rows rejected; nothing was imported." in page
    assert '<td class="num">2</td><td>unit_cost_revalued</td>' in page
    assert '<td class="num">3</td><td>item_no</td><td>The Item does not exist.' in page
    assert list(RevaluationLine.objects.values_list("version", flat=True)) == [1]

    workbook = export_xlsx(accountant_client)
    sheet = workbook.worksheets[0]
    sheet["K2"] = 12  # 15 x 12.00 = 180.00: amount 10.00
    sheet.append(["", "A", "", "", 2])  # a manual line for entry 2 (whole invoiced qty 10)
    response = upload(accountant_client, workbook)
    assert response.status_code == 200
    page = " ".join(response.content.decode().split())
    assert "edited.xlsx would change 1 line and add 1; 0 unchanged." in page
    assert "11.33333 → <strong>12.00</strong>" in page and "0.00 → <strong>10.00</strong>" in page
    # checking saved nothing
    assert RevaluationLine.objects.count() == 1
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]

    response = accountant_client.post(
        reverse("revaluation-import-apply", args=["REVAL"]), {"token": token}, follow=True
    )
    assert "Imported edited.xlsx: 1 line changed, 1 added, 0 unchanged." in (
        response.content.decode()
    )
    line = RevaluationLine.objects.get(pk=item_line.pk)
    assert (line.unit_cost_revalued, line.amount, line.version) == (D("12"), D("10.00"), 2)
    added = RevaluationLine.objects.get(applies_to_entry=2)
    assert (added.quantity, added.inventory_value_calculated) == (10, D("120.00"))
    # a second Apply of the same check is refused (the file is used up)
    response = accountant_client.post(
        reverse("revaluation-import-apply", args=["REVAL"]), {"token": token}, follow=True
    )
    assert "Upload the file again" in response.content.decode()
    assert RevaluationLine.objects.count() == 2


def test_viewer_may_export_but_not_import(viewer_client, item_line):
    assert (
        viewer_client.get(reverse("revaluation-export", args=["REVAL", "csv"])).status_code == 200
    )
    assert viewer_client.get(reverse("revaluation-import", args=["REVAL"])).status_code == 403
