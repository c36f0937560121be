"""Revaluation management commands: calculate, export, import, preview and post."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from openpyxl import load_workbook

from inventory.models import ValueEntry
from inventory.services.adjustment import adjust_cost_item_entries
from revaluation.models import PostedRevaluation, RevaluationBatch, RevaluationLine
from revaluation.services.lines import line_edit
from revaluation.services.spreadsheet import COLUMNS
from tests.factories import ItemFactory, LocationFactory
from tests.posting import day, jline, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_locations(setup):
    """Item C: 10 @ 10 at BLUE, 4 @ 5 at RED, 2 @ 3 without location."""
    LocationFactory(code="RED")
    LocationFactory(code="BLUE")
    ItemFactory(no="C")
    post(jline("purchase", "C", 10, day(1), unit_amount=10, location_code="BLUE"))
    post(jline("purchase", "C", 4, day(1), unit_amount=5, location_code="RED"))
    post(jline("purchase", "C", 2, day(1), unit_amount=3))


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def calculate(*extra: str) -> str:
    return run(
        "calculate_inventory_value",
        "--batch",
        "REVAL",
        "--posting-date",
        "2025-01-04",
        "--document-no",
        "REV-1",
        *extra,
    )


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def edited_export(tmp_path: Path, **changes: str) -> str:
    """Export REVAL as CSV, change cells of its first row, write the file."""
    rows = list(csv.DictReader(StringIO(run("export_revaluation_journal", "--batch", "REVAL"))))
    rows[0].update(changes)
    out = StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return write(tmp_path, "edited.csv", out.getvalue().encode())


def set_unit_cost(line_no: int, value: str) -> None:
    line = RevaluationLine.objects.get(line_no=line_no)
    line_edit(line_id=line.pk, version=line.version, field="unit_cost_revalued", value=value)


# --------------------------------------------------------------------------- calculate


def test_calculate_per_entry_creates_the_batch_and_prints_lines_and_totals(scenario_a):
    out = calculate("--per", "entry")

    assert out == (
        "Batch REVAL (created): 2 lines created.\n"
        "line_no  item_no  location  variant  entry  quantity  iv_calculated  uc_calculated  "
        "iv_revalued  uc_revalued  amount\n"
        "10000    A                           1      5         50             10             "
        "50           10           0\n"
        "20000    A                           2      10        120            12             "
        "120          12           0\n"
        "Totals: quantity 15, inventory value (calculated) 170, inventory value (revalued) 170, "
        "amount 0.\n"
    )
    assert RevaluationBatch.objects.filter(name="REVAL").exists()
    assert list(RevaluationLine.objects.values_list("applies_to_entry", "quantity")) == [
        (1, 5),
        (2, 10),
    ]


def test_calculate_per_item_by_location(two_locations):
    out = calculate("--per", "item", "--by-location")

    assert out.splitlines()[0] == "Batch REVAL (created): 3 lines created."
    assert out.splitlines()[-1] == (
        "Totals: quantity 16, inventory value (calculated) 126, inventory value (revalued) 126, "
        "amount 0."
    )
    assert list(
        RevaluationLine.objects.order_by("line_no").values_list(
            "line_no",
            "location_code",
            "quantity",
            "inventory_value_calculated",
            "inventory_value_per",
            "applies_to_entry",
        )
    ) == [
        (10000, "BLUE", 10, D("100.00"), "location", 0),
        (20000, "RED", 4, D("20.00"), "location", 0),
        (30000, "", 2, D("6.00"), "location", 0),
    ]


def test_calculate_per_item_with_filters_and_base(two_locations):
    item = ItemFactory(no="C")
    item.last_direct_cost = D("7")
    item.save(update_fields=["last_direct_cost"])

    calculate("--per", "item", "--location", "RED", "--item", "C", "--base", "last-direct-cost")

    [line] = RevaluationLine.objects.all()
    assert (line.location_code, line.quantity, line.inventory_value_calculated) == (
        "RED",
        4,
        D("20.00"),
    )
    assert (line.unit_cost_revalued, line.inventory_value_revalued, line.amount) == (
        D("7"),
        D("28.00"),
        D("8.00"),
    )


def test_duplicates_need_confirmation(scenario_a):
    calculate("--per", "entry")

    with pytest.raises(CommandError) as excinfo:
        calculate("--per", "entry")
    assert str(excinfo.value) == (
        "Duplicate Revaluation Journals will be generated. Do you want to continue? "
        "Pass --confirm-duplicates to create the lines anyway."
    )
    assert RevaluationLine.objects.count() == 2

    out = calculate("--per", "entry", "--confirm-duplicates")
    assert out.startswith("Batch REVAL: 2 lines created.")
    assert RevaluationLine.objects.count() == 4


def test_refused_calculation_creates_no_batch(scenario_a):
    with pytest.raises(CommandError, match=r"^--document-no: You must enter a document number\.$"):
        run("calculate_inventory_value", "--batch", "NEW", "--posting-date", "2025-01-04")

    assert not RevaluationBatch.objects.exists()


def test_open_outbound_entry_refuses_the_calculation(setup):
    ItemFactory(no="N")
    post(jline("sale", "N", 1, day(1)))  # negative inventory: an open outbound

    with pytest.raises(CommandError) as excinfo:
        calculate()

    assert str(excinfo.value) == (
        "The Item N cannot be revalued because there is at least one open outbound item "
        "ledger entry."
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--batch", "R", "--posting-date", "04/01/2025"],
            "--posting-date: '04/01/2025' is not a date (use YYYY-MM-DD).",
        ),
        (
            ["--batch", "X" * 21, "--posting-date", "2025-01-04"],
            "--batch: 'XXXXXXXXXXXXXXXXXXXXX' is not a valid batch name. Use 1 to 20 capital",
        ),
        (["--batch", "R", "--posting-date", "2025-01-04", "--per", "month"], "invalid choice"),
    ],
)
def test_calculate_bad_arguments(setup, args, message):
    with pytest.raises(CommandError) as excinfo:
        run("calculate_inventory_value", *args)

    assert message in str(excinfo.value)


# --------------------------------------------------------------------------- export / import


def test_export_csv_to_stdout(scenario_a):
    calculate("--per", "item")
    line = RevaluationLine.objects.get()

    assert run("export_revaluation_journal", "--batch", "REVAL") == (
        ",".join(COLUMNS) + "\n"
        f"{line.pk}v1,A,,,0,2025-01-04,REV-1,15,11.33333,170.00,11.33333,170.00,0.00,\n"
    )


def test_export_xlsx_to_a_file(scenario_a, tmp_path):
    calculate("--per", "item")
    output = tmp_path / "reval.xlsx"

    out = run("export_revaluation_journal", "--batch", "REVAL", "--output", str(output))

    assert out == f"Exported 1 line of batch REVAL to {output}.\n"
    sheet = load_workbook(output).worksheets[0]
    assert [cell.value for cell in sheet[2]][7:] == [15, 11.33333, 170, 11.33333, 170, 0, None]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--batch", "REVAL", "--format", "xlsx"], "--format xlsx needs --output FILE.xlsx"),
        (["--batch", "NOPE"], "The revaluation batch NOPE does not exist."),
        (["--batch", "REVAL", "--output", "/no/such/dir/x.csv"], "Cannot write /no/such/dir/x.csv"),
    ],
)
def test_export_errors(scenario_a, args, message):
    calculate("--per", "item")

    with pytest.raises(CommandError) as excinfo:
        run("export_revaluation_journal", *args)

    assert message in str(excinfo.value)


def test_import_applies_the_edit(scenario_a, tmp_path):
    calculate("--per", "item")
    path = edited_export(tmp_path, unit_cost_revalued="14")

    out = run("import_revaluation_journal", "--batch", "REVAL", path)

    assert out == "Batch REVAL: 1 line(s) changed (10000), 0 added, 0 unchanged.\n"
    line = RevaluationLine.objects.get()
    assert (line.inventory_value_revalued, line.amount, line.version) == (
        D("210.00"),
        D("40.00"),
        2,
    )


def test_import_xlsx_adds_a_manual_line(scenario_a, tmp_path):
    calculate("--per", "item")
    output = tmp_path / "reval.xlsx"
    run("export_revaluation_journal", "--batch", "REVAL", "--output", str(output))
    workbook = load_workbook(output)
    workbook.worksheets[0].append(["", "A", "", "", "2"])
    workbook.save(output)

    out = run("import_revaluation_journal", "--batch", "REVAL", str(output))

    assert out == "Batch REVAL: 0 line(s) changed, 1 added (20000), 1 unchanged.\n"


def test_import_lists_every_rejected_row_and_changes_nothing(scenario_a, tmp_path):
    calculate("--per", "entry")
    rows = list(csv.DictReader(StringIO(run("export_revaluation_journal", "--batch", "REVAL"))))
    rows[0]["unit_cost_revalued"] = "-3"
    rows[1]["quantity"] = "11"
    out = StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = write(tmp_path, "bad.csv", out.getvalue().encode())

    with pytest.raises(CommandError) as excinfo:
        run("import_revaluation_journal", "--batch", "REVAL", path)

    assert str(excinfo.value) == (
        f"{path}: 2 rows rejected; nothing was imported.\n"
        "Row 2, unit_cost_revalued: The value must be greater than or equal to 0.\n"
        "Row 3, quantity: quantity is read-only (the line has '10')."
    )
    assert set(RevaluationLine.objects.values_list("amount", "version")) == {(0, 1)}


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.txt", b"", "x.txt: The file must be a .csv or .xlsx file."),
        ("x.csv", b"line_key\n", "x.csv: Missing column(s): item_no,"),
    ],
)
def test_import_file_errors(scenario_a, tmp_path, name, data, message):
    calculate("--per", "item")
    path = write(tmp_path, name, data)

    with pytest.raises(CommandError) as excinfo:
        run("import_revaluation_journal", "--batch", "REVAL", path)

    assert str(excinfo.value).startswith(str(tmp_path / message))


def test_import_of_a_missing_file(scenario_a, tmp_path):
    calculate("--per", "item")
    with pytest.raises(CommandError, match="Cannot read .*missing.csv"):
        run("import_revaluation_journal", "--batch", "REVAL", str(tmp_path / "missing.csv"))


def test_import_into_a_new_batch_creates_it_with_the_manual_lines(scenario_a, tmp_path):
    """Like calculate_inventory_value: a file of manual lines can start a batch."""
    header = ",".join(COLUMNS)
    path = write(tmp_path, "new.csv", f"{header}\n,A,,,2,,REV-7,,,,13,,\n".encode())

    out = run("import_revaluation_journal", "--batch", "new", path)

    assert out == "Batch NEW (created): 0 line(s) changed, 1 added (10000), 0 unchanged.\n"
    [line] = RevaluationLine.objects.filter(batch__name="NEW")
    # The whole entry 2 (P-2: 10 @ 12.00 on D2) revalued to 13.00 a unit.
    assert (line.item_id, line.applies_to_entry, line.document_no, line.posting_date) == (
        "A",
        2,
        "REV-7",
        day(2),
    )
    assert (line.quantity, line.inventory_value_calculated) == (10, D("120.00"))
    assert (line.inventory_value_revalued, line.amount) == (D("130.00"), D("10.00"))


def test_a_refused_import_creates_no_batch(scenario_a, tmp_path):
    header = ",".join(COLUMNS)
    path = write(tmp_path, "bad.csv", f"{header}\n,A,,,99,,REV-7,,,,13,,\n".encode())

    with pytest.raises(CommandError, match="1 row rejected"):
        run("import_revaluation_journal", "--batch", "NEW", path)

    assert not RevaluationBatch.objects.filter(name="NEW").exists()


# --------------------------------------------------------------------------- preview and post


def test_preview_prints_the_value_entries_and_writes_nothing(scenario_a):
    """Adjust Cost would forward the revaluation to S-2 (D5, after D4): 5 units of entry 1 at
    +4.00 and 3 of entry 2 at +2.00 (tests/revaluation/test_reversal.py)."""
    adjust_cost_item_entries()
    calculate("--per", "item")
    set_unit_cost(10000, "14")

    out = run("post_revaluation_journal", "--batch", "REVAL", "--preview")

    assert out == (
        "Preview of batch REVAL (nothing is posted):\n"
        "Line 10000: 2 value entries\n"
        "  item ledger entry 1: quantity 5, amount 20, valuation date 2025-01-04\n"
        "  item ledger entry 2: quantity 10, amount 20, valuation date 2025-01-04\n"
        "Total amount 40; 0 lines refused.\n"
        "Adjust Cost: item ledger entry 4 (A, sale S-2): cost -26\n"
        "Adjust Cost would change 1 entry: COGS change 26, inventory value change 14.\n"
    )
    assert not ValueEntry.objects.filter(entry_type="revaluation").exists()
    assert RevaluationLine.objects.count() == 1


def test_preview_lists_refused_lines_and_exits_non_zero(scenario_a):
    """Line 10000 alone: 5 units of entry 1 at +1.00, forwarded to S-2 (5 of them, D5)."""
    adjust_cost_item_entries()
    calculate("--per", "entry")
    set_unit_cost(10000, "11")
    set_unit_cost(20000, "13")
    post(jline("sale", "A", 1, day(4)))  # takes one unit of entry 2 (entry 1 is used up)
    out = StringIO()

    with pytest.raises(CommandError) as excinfo:
        call_command("post_revaluation_journal", "--batch", "REVAL", "--preview", stdout=out)

    assert out.getvalue() == (
        "Preview of batch REVAL (nothing is posted):\n"
        "Line 10000: 1 value entry\n"
        "  item ledger entry 1: quantity 5, amount 5, valuation date 2025-01-04\n"
        "Line 20000: refused: There are new postings made in the period you want to revalue "
        "item no. A. You must calculate the inventory value again.\n"
        "Total amount 5; 1 line refused.\n"
        "Not adjusted before: A (the changes below include their pending adjustment).\n"
        "Adjust Cost: item ledger entry 4 (A, sale S-2): cost -5\n"
        "Adjust Cost would change 1 entry: COGS change 5, inventory value change 0.\n"
    )
    assert str(excinfo.value) == "1 line of batch REVAL would be refused; nothing was posted."
    assert not ValueEntry.objects.filter(entry_type="revaluation").exists()


def test_post_prints_register_value_entries_and_document(scenario_a):
    calculate("--per", "item")
    set_unit_cost(10000, "14")

    out = run("post_revaluation_journal", "--batch", "REVAL")

    posted = PostedRevaluation.objects.get()
    assert out == (
        "Posted batch REVAL: document REV-1, posting date 2025-01-04, total amount 40 "
        f"(posted revaluation {posted.pk}).\n"
        f"Item register {posted.item_register_id}\n"
        "Value entries: 5, 6\n"
    )
    assert list(
        ValueEntry.objects.filter(entry_type="revaluation")
        .order_by("entry_no")
        .values_list("entry_no", "item_ledger_entry_id", "cost_amount_actual")
    ) == [(5, 1, D("20.00")), (6, 2, D("20.00"))]
    assert not RevaluationLine.objects.exists()


def test_post_refusals(scenario_a):
    calculate("--per", "item")  # amount 0: nothing to post

    with pytest.raises(CommandError, match=r"^There is nothing to post\.$"):
        run("post_revaluation_journal", "--batch", "REVAL")
    with pytest.raises(CommandError, match=r"^The revaluation batch NOPE does not exist\.$"):
        run("post_revaluation_journal", "--batch", "NOPE")
    assert not PostedRevaluation.objects.exists()


def test_post_refusal_names_the_line(scenario_a):
    calculate("--per", "item")
    set_unit_cost(10000, "14")
    post(jline("sale", "A", 1, day(4)))

    with pytest.raises(CommandError) as excinfo:
        run("post_revaluation_journal", "--batch", "REVAL")

    assert str(excinfo.value) == (
        "Line 10000: There are new postings made in the period you want to revalue item no. A. "
        "You must calculate the inventory value again."
    )
    assert RevaluationLine.objects.count() == 1


def test_bad_input_exits_with_status_1_and_a_readable_message(setup, capsys):
    with pytest.raises(SystemExit) as excinfo:
        execute_from_command_line(
            ["manage.py", "post_revaluation_journal", "--batch", "NOPE", "--preview"]
        )

    assert excinfo.value.code == 1
    assert capsys.readouterr().err == ("CommandError: The revaluation batch NOPE does not exist.\n")


def test_round_trip_through_the_commands(scenario_a, tmp_path):
    """Calculate, export to XLSX, edit in the sheet, import, post."""
    calculate("--per", "item")
    output = tmp_path / "reval.xlsx"
    run("export_revaluation_journal", "--batch", "REVAL", "--output", str(output))
    workbook = load_workbook(output)
    workbook.worksheets[0]["K2"] = "14"
    buffer = io.BytesIO()
    workbook.save(buffer)
    output.write_bytes(buffer.getvalue())

    run("import_revaluation_journal", "--batch", "REVAL", str(output))
    out = run("post_revaluation_journal", "--batch", "REVAL")

    assert "Value entries: 5, 6" in out
    assert PostedRevaluation.objects.get().total_amount == D("40.00")


def test_calculate_warns_about_lines_a_base_revalues_to_zero(setup):
    ItemFactory(no="Z")  # no purchase, so no Last Direct Cost
    post(jline("positive_adjmt", "Z", 3, day(1), unit_amount=4))
    err = StringIO()
    call_command(
        *("calculate_inventory_value", "--batch", "REVAL", "--posting-date", "2025-01-04"),
        *("--document-no", "REV-1", "--per", "item", "--base", "last-direct-cost"),
        stdout=StringIO(),
        stderr=err,
    )
    assert err.getvalue() == (
        "Warning: 1 line proposed at 0 because the calculation base has no cost for item Z: "
        "posting it writes off 12.00. Enter the revalued cost or delete the line.\n"
    )
