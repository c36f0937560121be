"""Bad input gets a clear message next to its field or row, writes nothing, and never a 500 or a
traceback: numbers read one way everywhere, overflowing values, NUL bytes, control characters,
over-long text repeated in messages, and long filter lists."""

from __future__ import annotations

import io
from decimal import Decimal as D
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from inventory.forms import MAX_CODES
from inventory.models import Item, ItemJournalLine, ItemLedgerEntry, Location
from inventory.numbers import NumberError, parse_decimal, parse_whole_number
from revaluation.forms import CalculateForm
from revaluation.models import RevaluationBatch, RevaluationLine
from revaluation.services.spreadsheet import COLUMNS, batch_export
from tests.factories import ItemFactory, ItemJournalBatchFactory, ItemJournalLineFactory
from tests.posting import day

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
NOT_PLAIN = ["1_0", "1e2", "1E+2", "١٢", "٣.٥", "0x10", "NaN", "Infinity", "1,000", " - 1"]
ITEM_HEADER = (
    "no,description,costing_method,standard_cost,unit_cost,base_unit_of_measure,blocked,"
    "inventory_value_zero"
)
JOURNAL_HEADER = (
    "posting_date,entry_type,document_no,item_no,location_code,variant_code,quantity,"
    "invoiced_quantity,unit_amount,applies_to_entry,applies_from_entry,new_location_code"
)


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def write(tmp_path: Path, text: str, name: str = "input.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------------- the number rule


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_only_plain_numbers_are_numbers(text):
    with pytest.raises(NumberError, match="is not a plain number"):
        parse_decimal(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("12", D(12)), ("-3.5", D("-3.5")), (".25", D("0.25")), ("+4", D(4)), (" 7 ", D(7))],
)
def test_plain_numbers_are_read_exactly(text, value):
    assert parse_decimal(text) == value


def test_numbers_must_fit_the_field():
    assert parse_decimal("99999.99", max_digits=7, places=2) == D("99999.99")
    with pytest.raises(NumberError, match=r"123456 is too large \(it must be less than 100,000\)"):
        parse_decimal("123456", max_digits=7, places=2)
    with pytest.raises(NumberError, match="has more than 2 decimals"):
        parse_decimal("1.005", max_digits=7, places=2)
    with pytest.raises(NumberError, match="must be less than 1,000,000,000,000,000"):
        parse_decimal("1" + "0" * 15)


def test_entry_numbers_fit_the_ledger():
    assert parse_whole_number("2147483647") == 2**31 - 1
    for text in ("2147483648", "123456789012", "9" * 5000):
        with pytest.raises(NumberError, match="is too large"):
            parse_whole_number(text)
    for text in ("-1", "1.0", "١", "1_0"):
        with pytest.raises(NumberError, match="is not a whole number"):
            parse_whole_number(text)


@pytest.fixture
def reval_line(scenario_a) -> RevaluationLine:
    """Item A per item on D4: 15 units at 170.00."""
    from revaluation.services.calculate import CalculateOptions, calculate_inventory_value

    [line] = calculate_inventory_value(
        batch_name="REVAL",
        options=CalculateOptions(posting_date=day(4), document_no="REV-1", per="item"),
    )
    return line


# The grid reads what a person types: thousands separators are fine there (tests/test_i18n.py).
@pytest.mark.parametrize("text", [*(t for t in NOT_PLAIN if t != "1,000"), "1,00", "1" + "0" * 15])
def test_the_revaluation_grid_refuses_what_is_not_a_plain_number(
    accountant_client, reval_line, text
):
    url = reverse("revaluation-line-edit", args=["REVAL", reval_line.pk])

    response = accountant_client.post(
        url, {"version": 1, "field": "unit_cost_revalued", "unit_cost_revalued": text}, headers=HTMX
    )

    assert response.status_code == 422
    content = response.content.decode()
    assert "is not a plain number" in content or "is too large" in content
    reval_line.refresh_from_db()
    assert (reval_line.unit_cost_revalued, reval_line.version) == (D("11.33333"), 1)


@pytest.mark.parametrize("text", ["1_0", "1e2", "١٢"])
def test_a_spreadsheet_import_refuses_what_is_not_a_plain_number(reval_line, tmp_path, text):
    workbook = load_workbook(io.BytesIO(batch_export(batch_name="REVAL", format="xlsx")))
    workbook.worksheets[0]["K2"] = text
    path = tmp_path / "edited.xlsx"
    workbook.save(path)

    with pytest.raises(CommandError) as excinfo:
        run("import_revaluation_journal", "--batch", "REVAL", str(path))

    assert f"Row 2, unit_cost_revalued: '{text}' is not a plain number:" in str(excinfo.value)
    assert RevaluationLine.objects.get().version == 1


@pytest.mark.parametrize("text", ["1e2", "1_0", "١٢"])
def test_the_admin_reads_numbers_by_the_same_rule(admin_client, text):
    response = admin_client.post(
        reverse("admin:inventory_item_add"),
        {
            "no": "A",
            "costing_method": "fifo",
            "base_unit_of_measure": "PCS",
            "unit_cost": text,
            "standard_cost": "0",
            "inventory_posting_group": "RESALE",
            "gen_prod_posting_group": "RETAIL",
            "variants-TOTAL_FORMS": "0",
            "variants-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "is not a plain number" in response.content.decode()
    assert not Item.objects.exists()


# --------------------------------------------------------------------------- item journal page


@pytest.fixture
def journal(setup):
    return ItemJournalBatchFactory(name="DEFAULT")


def line_data(**overrides) -> dict[str, str]:
    data = {
        "posting_date": "2025-01-15",
        "entry_type": "purchase",
        "document_no": "P-1",
        "item": "1000",
        "quantity": "10",
        "unit_amount": "10.00",
    }
    return data | overrides


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("applies_to_entry", "2147483648", "2147483648 is too large (at most 2,147,483,647)."),
        ("applies_from_entry", "123456789012", "123456789012 is too large"),
        ("quantity", "1e2", "&#x27;1e2&#x27; is not a plain number:"),
        ("quantity", "1_0", "&#x27;1_0&#x27; is not a plain number:"),
        ("unit_amount", "١٢", "is not a plain number:"),
        ("quantity", "1234567890123456", "is too large"),
    ],
)
def test_the_item_journal_page_refuses_numbers_at_their_field(
    accountant_client, journal, field, text, message
):
    ItemFactory(no="1000")

    response = accountant_client.post(
        reverse("item-journal-line-create", args=[journal.name]),
        line_data(**{field: text}),
        headers=HTMX,
    )

    assert response.status_code == 422
    cell = response.content.decode().split(f'id="new-line-{field}"', 1)[1].split("</td>", 1)[0]
    assert message in cell
    assert not ItemJournalLine.objects.exists()


def test_posting_an_amount_that_overflows_is_refused_at_the_line(accountant_client, journal):
    line = ItemJournalLineFactory(
        batch=journal,
        item=ItemFactory(no="1000"),
        line_no=10000,
        quantity=D("99999999999999"),
        unit_amount=D("99999999999999"),
    )

    response = accountant_client.post(reverse("item-journal-post", args=[journal.name]))

    assert response.status_code == 422
    row = response.content.decode().split(f'id="line-{line.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "Quantity x Unit Amount is too large: the amount must be less than" in row
    assert not ItemLedgerEntry.objects.exists()


def test_the_command_refuses_an_amount_that_overflows(setup, tmp_path):
    ItemFactory(no="1000")
    row = "2025-01-15,purchase,P-1,1000,,,99999999999999,,99999999999999,,,"
    path = write(tmp_path, f"{JOURNAL_HEADER}\n{row}\n")

    with pytest.raises(CommandError, match="Line 1, unit_amount: Quantity x Unit Amount is too"):
        run("post_item_journal", path)

    assert not ItemLedgerEntry.objects.exists()


# --------------------------------------------------------------------------- NUL and control


def test_import_items_refuses_a_nul_byte(setup, tmp_path):
    path = write(tmp_path, f"{ITEM_HEADER}\nA,Desk\x00top,fifo,,,,,\n")

    with pytest.raises(CommandError, match=r"Line 1, description: contains a NUL character"):
        run("import_items", path)

    assert not Item.objects.exists()


def test_post_item_journal_refuses_a_nul_byte(setup, tmp_path):
    ItemFactory(no="1000")
    path = write(tmp_path, f"{JOURNAL_HEADER}\n2025-01-15,purchase,P\x001,1000,,,1,,1,,,\n")

    with pytest.raises(CommandError, match=r"Line 1, document_no: contains a NUL character"):
        run("post_item_journal", path)

    assert not ItemLedgerEntry.objects.exists()


def test_import_revaluation_journal_refuses_a_nul_byte(scenario_a, tmp_path):
    """(An XLSX file cannot hold a NUL: XML forbids it.)"""
    path = write(tmp_path, f"{','.join(COLUMNS)}\n,A,,,1,,REV\x001,,,,13,,\n")

    with pytest.raises(CommandError, match="Row 2, document_no: contains a NUL character"):
        run("import_revaluation_journal", "--batch", "REVAL", path)

    assert not RevaluationBatch.objects.exists()


@pytest.mark.parametrize("no", ["A\x1b[31mRED", "A\x00", "A\u202eB", "A\tB"])
def test_item_numbers_with_control_characters_are_refused(setup, tmp_path, admin_client, no):
    path = write(tmp_path, f"{ITEM_HEADER}\n{no},Desk,fifo,,,,,\n")
    with pytest.raises(CommandError, match=r"Line 1, no: .*control characters|NUL"):
        run("import_items", path)

    response = admin_client.post(
        reverse("admin:inventory_item_add"),
        {"no": no, "costing_method": "fifo", "base_unit_of_measure": "PCS"},
    )

    assert response.status_code == 200
    assert "control characters" in response.content.decode() or "Null characters" in str(
        response.content
    )
    assert not Item.objects.exists()


def test_location_codes_with_control_characters_are_refused(setup, tmp_path):
    path = write(tmp_path, "code,name\nBL\x1bUE,Blue\n")
    with pytest.raises(CommandError, match=r"control characters \(found U\+001B\)"):
        run("import_locations", path)
    assert not Location.objects.exists()


# --------------------------------------------------------------------------- long input


def test_messages_repeat_at_most_fifty_characters_of_the_input(setup, tmp_path):
    path = write(tmp_path, f"{ITEM_HEADER}\nA,{'x' * 100_000},fifo,,,,,\n")

    with pytest.raises(CommandError) as excinfo:
        run("import_items", path)

    assert str(excinfo.value) == (
        f"Line 1, description: '{'x' * 50}…' is longer than 100 characters."
    )


def test_the_grid_repeats_at_most_fifty_characters_of_a_bad_number(accountant_client, reval_line):
    url = reverse("revaluation-line-edit", args=["REVAL", reval_line.pk])
    text = "9" * 40 + "x" * 20

    response = accountant_client.post(
        url, {"version": 1, "field": "unit_cost_revalued", "unit_cost_revalued": text}, headers=HTMX
    )

    assert f"&#x27;{text[:50]}…&#x27; is not a plain number" in response.content.decode()


# --------------------------------------------------------------------------- filter lists


def calculate_form(item_nos: str) -> CalculateForm:
    return CalculateForm({"posting_date": "2025-01-04", "per": "item", "item_nos": item_nos})


def test_the_calculate_form_reads_a_long_list_once():
    nos = [f"I{n:06d}" for n in range(MAX_CODES - 2)]
    Item.objects.bulk_create([Item(no=no) for no in nos])  # unknown items are refused by name
    form = calculate_form(", ".join([*nos, nos[0], nos[-1]]))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["item_nos"] == tuple(nos)


def test_the_calculate_form_refuses_more_codes_than_the_cap():
    form = calculate_form(" ".join(f"I{n:06d}" for n in range(80_000)))

    assert not form.is_valid()
    assert form.errors["item_nos"] == [
        f"Enter at most {MAX_CODES:,} codes (80,000 given); leave the filter blank for all."
    ]
