"""Reason codes (issue 10 part 5): the seeded list, on batches and lines, through the grid and the
spreadsheet, to the value entries and the posted history."""

from __future__ import annotations

import importlib
import re
from decimal import Decimal as D

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import IntegrityError
from django.urls import reverse

from inventory.models import ReasonCode, ValueEntry
from revaluation.exceptions import RevaluationError, StaleLineError
from revaluation.models import PostedRevaluationLine, RevaluationBatch
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.lines import line_edit, line_set_reason_code
from revaluation.services.posting import revaluation_batch_post
from revaluation.services.spreadsheet import (
    SpreadsheetImportError,
    batch_export,
    batch_import,
)
from tests.factories import ItemFactory, RevaluationBatchFactory
from tests.posting import day, jline, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(setup):
    """Item A (FIFO): 10 bought at 10.00; one per-entry line of 100.00 at D5."""
    ItemFactory(no="A")
    post(jline("purchase", "A", 10, day(1), unit_amount="10"))
    [line] = calculate_inventory_value(
        batch_name="REVAL",
        options=CalculateOptions(posting_date=day(5), document_no="REV-1"),
    )
    return line


def test_the_migration_seeds_the_write_down_codes():
    seed = importlib.import_module("inventory.migrations.0008_reason_codes").seed
    ReasonCode.objects.all().delete()
    seed(django_apps, None)
    seed(django_apps, None)  # idempotent
    assert list(ReasonCode.objects.values_list("code", "write_down")) == [
        ("NRV", True),
        ("OBSOLETE", True),
    ]


def test_a_batch_reason_code_must_exist(setup):
    batch = RevaluationBatch(name="YE", reason_code="NOPE")
    with pytest.raises(ValidationError, match="There is no Reason Code NOPE"):
        batch.full_clean()


def test_batch_code_is_the_lines_default_and_reaches_entries_and_history(setup):
    ItemFactory(no="A")
    post(jline("purchase", "A", 10, day(1), unit_amount="10"))
    RevaluationBatchFactory(name="REVAL", reason_code="NRV")
    [line] = calculate_inventory_value(
        batch_name="REVAL", options=CalculateOptions(posting_date=day(5), document_no="REV-1")
    )
    assert line.reason_code == "NRV"
    line_edit(line_id=line.pk, version=line.version, field="unit_cost_revalued", value="8")
    revaluation_batch_post(batch_name="REVAL")
    [entry] = ValueEntry.objects.filter(entry_type="revaluation")
    assert (entry.cost_amount_actual, entry.reason_code) == (D("-20.00"), "NRV")
    [posted] = PostedRevaluationLine.objects.all()
    assert (posted.amount, posted.reason_code) == (D("-20.00"), "NRV")
    # the database refuses a change of the code as of any other column (triggers)
    for table, key, pk in (
        ("inventory_valueentry", "entry_no", entry.pk),
        ("revaluation_postedrevaluationline", "id", posted.pk),
    ):
        with (
            pytest.raises(IntegrityError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"UPDATE {table} SET reason_code = 'OBSOLETE' WHERE {key} = %s", [pk])


def test_set_line_reason_code_checks_code_and_version(line):
    changed = line_set_reason_code(line_id=line.pk, version=line.version, code=" obsolete ")
    assert (changed.reason_code, changed.version) == ("OBSOLETE", 2)
    with pytest.raises(StaleLineError):
        line_set_reason_code(line_id=line.pk, version=1, code="NRV")
    with pytest.raises(RevaluationError, match="There is no Reason Code XX"):
        line_set_reason_code(line_id=line.pk, version=2, code="XX")


def test_grid_select_saves_the_code(line, accountant_client):
    url = reverse("revaluation-line-reason", args=["REVAL", line.pk])
    response = accountant_client.post(
        url, {"version": 1, "reason_code": "NRV"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'value="NRV" title=' in response.text and "selected" in response.text
    line.refresh_from_db()
    assert (line.reason_code, line.version) == ("NRV", 2)
    refused = accountant_client.post(
        url, {"version": 2, "reason_code": "BAD"}, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 422
    assert "There is no Reason Code BAD" in refused.text
    stale = accountant_client.post(
        url, {"version": 1, "reason_code": "OBSOLETE"}, headers={"HX-Request": "true"}
    )
    assert stale.status_code == 422
    assert "Someone else changed this line" in stale.text
    assert re.search(r'value="NRV" title="[^"]*" selected>', stale.text)  # the current code


def test_spreadsheet_exports_and_imports_the_reason_code(line):
    text = batch_export(batch_name="REVAL", format="csv").decode()
    header, row = text.splitlines()
    assert header.endswith(",amount,reason_code")
    assert row.endswith(",0.00,")
    result = batch_import(
        batch_name="REVAL", data=f"{header}\n{row}OBSOLETE\n".encode(), format="csv"
    )
    assert result.changed == [line.line_no]
    line.refresh_from_db()
    assert (line.reason_code, line.version) == ("OBSOLETE", 2)


def test_spreadsheet_refuses_an_unknown_code_and_accepts_a_file_without_the_column(line):
    header, row = batch_export(batch_name="REVAL", format="csv").decode().splitlines()
    with pytest.raises(SpreadsheetImportError) as caught:
        batch_import(batch_name="REVAL", data=f"{header}\n{row}ZZZ\n".encode(), format="csv")
    assert [str(p) for p in caught.value.problems] == [
        "Row 2, reason_code: There is no Reason Code ZZZ."
    ]
    old_header = header.removesuffix(",reason_code")
    old_row = row.removesuffix(",")
    result = batch_import(
        batch_name="REVAL", data=f"{old_header}\n{old_row}\n".encode(), format="csv"
    )
    assert (result.changed, result.unchanged) == ([], 1)
