"""Spreadsheet export and import of a revaluation batch (COSTING-SPEC §5, spreadsheet service)."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal as D

import pytest
from openpyxl import Workbook, load_workbook

from revaluation.exceptions import RevaluationError
from revaluation.models import RevaluationLine
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.lines import line_delete, line_edit
from revaluation.services.spreadsheet import (
    COLUMNS,
    RowProblem,
    SpreadsheetImportError,
    batch_export,
    batch_import,
    line_key,
)
from tests.factories import ItemFactory
from tests.posting import day, jline, post

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)


@pytest.fixture
def item_line(scenario_a) -> RevaluationLine:
    """The spec's per-item line at D4: 15 units worth 170.00."""
    [line] = calculate(per="item")
    return line


@pytest.fixture
def six_units(setup) -> RevaluationLine:
    """Spec §5.10: a per-entry line of quantity 6 worth 50.00 (6 x 8.33333 = 49.99998 -> 50.00)."""
    ItemFactory(no="B")
    post(jline("purchase", "B", 6, day(1), unit_amount="8.33333", document_no="P-1"))
    [line] = calculate(per="entry", on=day(2))
    assert (line.quantity, line.inventory_value_calculated) == (6, D("50.00"))
    assert line.unit_cost_calculated == D("8.33333")
    return line


@pytest.fixture
def five_lines(setup) -> list[RevaluationLine]:
    """Item M: five purchases of 2 @ 10 -> five per-entry lines of 2 units worth 20.00."""
    ItemFactory(no="M")
    for n in range(1, 6):
        post(jline("purchase", "M", 2, day(n), unit_amount=10, document_no=f"P-{n}"))
    return calculate(per="entry", on=day(6))


def calculate(per: str, on=None, batch: str = "REVAL"):
    return calculate_inventory_value(
        batch_name=batch,
        options=CalculateOptions(posting_date=on or day(4), document_no="REV-1", per=per),
    )


def export_csv(batch: str = "REVAL") -> list[dict[str, str]]:
    text = batch_export(batch_name=batch, format="csv").decode()
    return list(csv.DictReader(io.StringIO(text)))


def to_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def import_csv(rows: list[dict[str, str]], batch: str = "REVAL"):
    return batch_import(batch_name=batch, file_name="edited.csv", data=to_csv(rows))


def line_state() -> list[tuple]:
    return list(
        RevaluationLine.objects.order_by("pk").values_list(
            "pk",
            "unit_cost_revalued",
            "inventory_value_revalued",
            "amount",
            "unit_amount",
            "version",
        )
    )


def problems_of(excinfo) -> list[str]:
    return [str(problem) for problem in excinfo.value.problems]


# --------------------------------------------------------------------------- export


def test_csv_export_of_the_spec_line_is_exact_text(item_line):
    data = batch_export(batch_name="REVAL", format="csv")

    assert data.decode() == (
        f"{HEADER}\n"
        f"{item_line.pk}v1,A,,,0,2025-01-04,REV-1,15,11.33333,170.00,11.33333,170.00,0.00,\n"
    )
    assert line_key(item_line) == f"{item_line.pk}v1"


def test_csv_export_per_entry_lines_in_line_order(scenario_a):
    first, second = calculate(per="entry")

    assert batch_export(batch_name="REVAL", format="csv").decode().splitlines()[1:] == [
        f"{first.pk}v1,A,,,1,2025-01-04,REV-1,5,10.00000,50.00,10.00000,50.00,0.00,",
        f"{second.pk}v1,A,,,2,2025-01-04,REV-1,10,12.00000,120.00,12.00000,120.00,0.00,",
    ]


def test_xlsx_export_holds_numbers_dates_and_text(item_line):
    workbook = load_workbook(io.BytesIO(batch_export(batch_name="REVAL", format="xlsx")))
    sheet = workbook.worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]

    assert rows == [
        list(COLUMNS),
        [
            f"{item_line.pk}v1",
            "A",
            None,  # an empty text cell reads back as None
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
        ],
    ]
    assert [cell.data_type for cell in sheet[2] if cell.value is not None] == [
        "s",
        "s",
        "n",
        "d",
        "s",
        *["n"] * 6,
    ]
    assert sheet.title == "REVAL"


def test_export_of_an_unknown_batch_or_format_is_refused(setup):
    with pytest.raises(RevaluationError, match="The revaluation batch NOPE does not exist."):
        batch_export(batch_name="NOPE", format="csv")
    with pytest.raises(RevaluationError, match="Unknown format 'ods'"):
        batch_export(batch_name="NOPE", format="ods")


# --------------------------------------------------------------------------- round trip


def test_csv_round_trip_unit_cost_edit(item_line):
    rows = export_csv()
    rows[0]["unit_cost_revalued"] = "14"

    result = import_csv(rows)

    assert (result.changed, result.added, result.unchanged) == ([10000], [], 0)
    line = RevaluationLine.objects.get()
    assert line.unit_cost_revalued == D("14")  # kept as typed
    assert line.inventory_value_revalued == D("210.00")
    assert (line.amount, line.unit_amount) == (D("40.00"), D("2.66667"))
    assert line.version == 2
    assert batch_export(batch_name="REVAL", format="csv").decode().splitlines()[1] == (
        f"{line.pk}v2,A,,,0,2025-01-04,REV-1,15,11.33333,170.00,14.00000,210.00,40.00,"
    )


def test_xlsx_round_trip_unit_cost_typed_as_a_number(item_line):
    workbook = load_workbook(io.BytesIO(batch_export(batch_name="REVAL", format="xlsx")))
    sheet = workbook.worksheets[0]
    sheet["K2"] = 14  # Excel stores a typed number as a number cell
    sheet["M2"] = 40.0  # the user may also fill in the new amount
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = batch_import(batch_name="REVAL", file_name="EDITED.XLSX", data=buffer.getvalue())

    assert result.changed == [10000]
    line = RevaluationLine.objects.get()
    assert (line.unit_cost_revalued, line.inventory_value_revalued, line.amount) == (
        D("14"),
        D("210.00"),
        D("40.00"),
    )
    assert line.version == 2


def test_inventory_value_edit_recomputes_the_unit_cost_spec_5_10(six_units):
    rows = export_csv()
    rows[0]["unit_cost_revalued"] = "9.15"
    import_csv(rows)
    line = RevaluationLine.objects.get()
    assert (line.unit_cost_revalued, line.inventory_value_revalued) == (D("9.15"), D("54.90"))
    assert (line.amount, line.unit_amount) == (D("4.90"), D("0.81667"))

    rows = export_csv()
    rows[0]["inventory_value_revalued"] = "55.01"
    import_csv(rows)

    line = RevaluationLine.objects.get()
    assert (line.inventory_value_revalued, line.unit_cost_revalued) == (D("55.01"), D("9.16833"))
    assert (line.amount, line.unit_amount) == (D("5.01"), D("0.83500"))
    assert line.version == 3


def test_xlsx_inventory_value_typed_as_a_number(six_units):
    workbook = load_workbook(io.BytesIO(batch_export(batch_name="REVAL", format="xlsx")))
    workbook.worksheets[0]["L2"] = 55.01
    buffer = io.BytesIO()
    workbook.save(buffer)

    batch_import(batch_name="REVAL", format="xlsx", data=buffer.getvalue())

    line = RevaluationLine.objects.get()
    assert (line.inventory_value_revalued, line.unit_cost_revalued) == (D("55.01"), D("9.16833"))


def test_unchanged_rows_change_nothing(scenario_a):
    calculate(per="entry")
    before = line_state()
    rows = export_csv()
    rows[0]["unit_cost_revalued"] = "10.000"  # the same number, other spelling
    rows[1]["inventory_value_revalued"] = ""  # blank: not changed

    result = import_csv(rows)

    assert (result.changed, result.added, result.unchanged) == ([], [], 2)
    assert line_state() == before


def test_both_changed_agreeing_through_the_unit_cost(item_line):
    """Unit cost 14 typed and the value R(14 x 15) = 210.00 (and the amount) filled in."""
    rows = export_csv()
    rows[0].update(unit_cost_revalued="14", inventory_value_revalued="210.00", amount="40.00")

    import_csv(rows)

    line = RevaluationLine.objects.get()
    assert (line.unit_cost_revalued, line.inventory_value_revalued) == (D("14"), D("210.00"))


def test_both_changed_agreeing_through_the_value(six_units):
    """IV 55.01 typed and its unit cost RU(55.01 / 6) = 9.16833 filled in by a formula."""
    rows = export_csv()
    rows[0].update(unit_cost_revalued="9.16833", inventory_value_revalued="55.01")

    import_csv(rows)

    line = RevaluationLine.objects.get()
    assert (line.inventory_value_revalued, line.unit_cost_revalued) == (D("55.01"), D("9.16833"))
    assert line.amount == D("5.01")


def test_both_changed_inconsistently_is_a_row_error(item_line):
    before = line_state()
    rows = export_csv()
    rows[0].update(unit_cost_revalued="14", inventory_value_revalued="200.00")

    with pytest.raises(SpreadsheetImportError) as excinfo:
        import_csv(rows)

    assert problems_of(excinfo) == [
        "Row 2, inventory_value_revalued: unit_cost_revalued and inventory_value_revalued were "
        "both changed and do not agree: 14 x 15 gives 210, not 200. Change only one of them."
    ]
    assert excinfo.value.message == "1 row rejected; nothing was imported."
    assert line_state() == before


def test_every_rejected_row_is_reported_and_nothing_changes(five_lines):
    before = line_state()
    rows = export_csv()
    rows[0]["unit_cost_revalued"] = "12"  # a good edit: not applied either
    rows[1]["unit_cost_revalued"] = "-1"
    rows[2]["inventory_value_revalued"] = "20.001"
    rows[3]["unit_cost_revalued"] = "1,5"
    rows[4]["quantity"] = "3"
    rows.append({**rows[0], "line_key": "999999v1", "unit_cost_revalued": "10.00000"})

    with pytest.raises(SpreadsheetImportError) as excinfo:
        import_csv(rows)

    assert problems_of(excinfo) == [
        "Row 3, unit_cost_revalued: The value must be greater than or equal to 0.",
        "Row 4, inventory_value_revalued: The value can have at most the precision 0.01 "
        "(too many decimals).",
        "Row 5, unit_cost_revalued: '1,5' is not a plain number: use digits 0-9 and a point for decimals only.",
        "Row 6, quantity: quantity is read-only (the line has '2').",
        "Row 7, line_key: The line no longer exists (posted or deleted after the export).",
    ]
    assert excinfo.value.message == "5 rows rejected; nothing was imported."
    assert line_state() == before


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("item_no", "B", "item_no is read-only (the line has 'A')."),
        ("location_code", "BLUE", "location_code is read-only (the line has '')."),
        ("applies_to_entry", "2", "applies_to_entry is read-only (the line has '0')."),
        ("posting_date", "2025-01-05", "posting_date is read-only (the line has '2025-01-04')."),
        ("posting_date", "4/1/2025", "'4/1/2025' is not a date (use YYYY-MM-DD)."),
        ("document_no", "REV-2", "document_no is read-only (the line has 'REV-1')."),
        (
            "inventory_value_calculated",
            "171",
            "inventory_value_calculated is read-only (the line has '170').",
        ),
        (
            "amount",
            "5",
            "amount is read-only: it is inventory_value_revalued - inventory_value_calculated (0).",
        ),
        ("line_key", "17", "'17' is not a line key of this journal (export the journal again)."),
    ],
)
def test_read_only_cells_must_keep_their_value(item_line, column, value, message):
    rows = export_csv()
    rows[0][column] = value

    with pytest.raises(SpreadsheetImportError) as excinfo:
        import_csv(rows)

    assert [(p.row, p.column, p.message) for p in excinfo.value.problems] == [(2, column, message)]


def test_a_line_changed_after_the_export_is_refused(item_line):
    rows = export_csv()
    line_edit(line_id=item_line.pk, version=1, field="unit_cost_revalued", value="12")
    rows[0]["inventory_value_revalued"] = "180.00"

    with pytest.raises(SpreadsheetImportError) as excinfo:
        import_csv(rows)

    assert problems_of(excinfo) == [
        "Row 2, line_key: Someone changed the line after the export (version 1, now 2); "
        "export the journal again and redo the change."
    ]
    assert RevaluationLine.objects.get().inventory_value_revalued == D("180.00")  # 12 x 15


def test_an_outdated_row_that_matches_the_line_is_accepted(item_line):
    rows = export_csv()
    line_edit(line_id=item_line.pk, version=1, field="unit_cost_revalued", value="14")
    rows[0].update(unit_cost_revalued="14", inventory_value_revalued="210.00", amount="40.00")

    assert import_csv(rows).unchanged == 1


def test_deleted_line_and_line_of_another_batch_are_reported(scenario_a):
    first, second = calculate(per="entry")
    [other] = calculate(per="item", batch="OTHER")
    rows = export_csv()
    line_delete(line_id=first.pk)
    rows.append({**rows[1], "line_key": line_key(other)})

    with pytest.raises(SpreadsheetImportError) as excinfo:
        import_csv(rows)

    assert problems_of(excinfo) == [
        "Row 2, line_key: The line no longer exists (posted or deleted after the export).",
        "Row 4, line_key: The line belongs to batch OTHER, not REVAL.",
    ]


def test_the_same_line_twice_is_refused(item_line):
    rows = export_csv()
    rows.append(dict(rows[0]))

    with pytest.raises(SpreadsheetImportError) as excinfo:
        import_csv(rows)

    assert problems_of(excinfo) == ["Row 3, line_key: The same line is also in row 2."]


# --------------------------------------------------------------------------- new manual lines


def new_row(**cells) -> dict[str, str]:
    return dict.fromkeys(COLUMNS, "") | cells


def test_a_row_without_line_key_adds_a_manual_line(item_line):
    rows = export_csv()
    rows.append(new_row(item_no="A", applies_to_entry="2", inventory_value_revalued="130.00"))

    result = import_csv(rows)

    assert (result.changed, result.added, result.unchanged) == ([], [20000], 1)
    line = RevaluationLine.objects.get(line_no=20000)
    # §5.7: the whole entry (10 invoiced units, cost 120.00) at its own posting date
    assert (line.applies_to_entry, line.posting_date, line.document_no) == (2, day(2), "REV-1")
    assert (line.quantity, line.inventory_value_calculated) == (10, D("120.00"))
    assert (line.inventory_value_revalued, line.unit_cost_revalued, line.amount) == (
        D("130.00"),
        D("13"),
        D("10.00"),
    )
    assert (line.partial_revaluation, line.inventory_value_per, line.version) == (False, "", 1)
    assert export_csv()[1] == {
        "line_key": f"{line.pk}v1",
        "item_no": "A",
        "variant_code": "",
        "location_code": "",
        "applies_to_entry": "2",
        "posting_date": "2025-01-02",
        "document_no": "REV-1",
        "quantity": "10",
        "unit_cost_calculated": "12.00000",
        "inventory_value_calculated": "120.00",
        "unit_cost_revalued": "13.00000",
        "inventory_value_revalued": "130.00",
        "amount": "10.00",
        "reason_code": "",
    }


def test_manual_line_without_revalued_value_and_with_its_document_no(item_line):
    import_csv([new_row(item_no="A", applies_to_entry="1", document_no="MAN-1")])

    line = RevaluationLine.objects.get(line_no=20000)
    assert (line.document_no, line.quantity, line.inventory_value_revalued, line.amount) == (
        "MAN-1",
        10,
        D("100.00"),
        0,
    )


def test_manual_line_errors_are_listed_and_nothing_is_added(item_line):
    rows = export_csv()
    rows[0]["unit_cost_revalued"] = "14"
    rows += [
        new_row(item_no="A", applies_to_entry="2"),  # fine, but the file is refused
        new_row(item_no="A", applies_to_entry="99"),
        new_row(item_no="NOPE", applies_to_entry="1"),
        new_row(item_no="A", applies_to_entry="3"),  # a sale
        new_row(item_no="A"),
        new_row(item_no="A", applies_to_entry="1", quantity="5"),
        new_row(item_no="A", applies_to_entry="2"),  # twice in the file
    ]

    with pytest.raises(SpreadsheetImportError) as excinfo:
        import_csv(rows)

    assert problems_of(excinfo) == [
        "Row 4, applies_to_entry: The Item Ledger Entry does not exist. Entry No.='99'.",
        "Row 5, item_no: The Item does not exist. No.='NOPE'.",
        "Row 6, applies_to_entry: Positive must be equal to 'Yes' in Item Ledger Entry: "
        "Entry No.=3. Current value is 'No'.",
        "Row 7, line_key: A row without line_key adds a line: it needs item_no and "
        "applies_to_entry.",
        "Row 8, quantity: quantity is read-only (the line has '10'; leave the cell blank).",
        "Row 9, applies_to_entry: The batch already has a line for item A, entry 2 (row 3); "
        "edit that line instead.",
    ]
    assert RevaluationLine.objects.count() == 1
    assert RevaluationLine.objects.get().unit_cost_revalued == D("11.33333")


def test_importing_a_manual_line_twice_is_refused(item_line):
    rows = [new_row(item_no="A", applies_to_entry="2")]
    import_csv(rows)

    with pytest.raises(SpreadsheetImportError) as excinfo:
        import_csv(rows)

    assert problems_of(excinfo) == [
        "Row 2, applies_to_entry: The batch already has a line for item A, entry 2 "
        "(line 20000); edit that line instead."
    ]


# --------------------------------------------------------------------------- file problems


def test_missing_and_unknown_columns_reject_the_file(item_line):
    data = b"line_key,item_no,colour\n1v1,A,red\n"

    with pytest.raises(SpreadsheetImportError) as excinfo:
        batch_import(batch_name="REVAL", file_name="x.csv", data=data)

    [missing, unknown] = excinfo.value.problems
    assert missing.row is None and missing.message.startswith(
        "Missing column(s): variant_code, location_code, applies_to_entry,"
    )
    assert unknown.message.startswith("Unknown column(s): colour (expected line_key,item_no,")


@pytest.mark.parametrize(
    ("file_name", "data", "message"),
    [
        ("x.csv", b"", "The file is empty: the first row must be the header"),
        ("x.xlsx", b"not a zip", "The file is not a readable .xlsx workbook"),
        ("x.ods", b"", "The file must be a .csv or .xlsx file."),
        ("x.csv", "é".encode("latin-1"), "The file is not UTF-8 text"),
        ("x.csv", HEADER.replace(",", ";").encode(), "separated by commas, not semicolons"),
    ],
)
def test_unreadable_files_are_refused(setup, file_name, data, message):
    with pytest.raises(SpreadsheetImportError) as excinfo:
        batch_import(batch_name="REVAL", file_name=file_name, data=data)

    assert message in " ".join(str(p) for p in excinfo.value.problems)
    assert all(isinstance(p, RowProblem) and p.row is None for p in excinfo.value.problems)


def test_excel_style_csv_is_read(item_line):
    """Byte-order mark, CRLF line ends, columns in another order and in capitals, blank rows."""
    columns = list(reversed(COLUMNS))
    row = export_csv()[0] | {"unit_cost_revalued": "14"}
    text = (
        ",".join(c.upper() for c in columns)
        + "\r\n,,,,,,,,,,,,\r\n"
        + ",".join(row[c] for c in columns)
        + "\r\n"
    )

    result = batch_import(
        batch_name="REVAL", file_name="x.csv", data=b"\xef\xbb\xbf" + text.encode()
    )

    assert result.changed == [10000]


def test_xlsx_written_by_hand_with_date_and_number_cells(item_line):
    row = export_csv()[0] | {"unit_cost_revalued": "14"}
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    values = [row[c] for c in COLUMNS]
    values[COLUMNS.index("posting_date")] = day(4)
    values[COLUMNS.index("applies_to_entry")] = 0
    values[COLUMNS.index("quantity")] = 15.0
    values[COLUMNS.index("inventory_value_calculated")] = 170
    sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)

    assert batch_import(batch_name="REVAL", format="xlsx", data=buffer.getvalue()).changed == [
        10000
    ]


def test_unknown_batch_is_refused(setup):
    with pytest.raises(RevaluationError, match="The revaluation batch NOPE does not exist."):
        batch_import(batch_name="NOPE", format="csv", data=HEADER.encode() + b"\n")
