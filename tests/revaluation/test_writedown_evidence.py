"""Write-down evidence (issue 13 part 3-4): selling price import, the write-down report (service,
command, page and exports) whose totals equal the posted value entries."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from inventory.models import ValueEntry
from revaluation.models import SellingPrice, UserPreference
from revaluation.services.calculate import (
    CalculateOptions,
    CalculationBase,
    calculate_inventory_value,
)
from revaluation.services.posting import revaluation_batch_post
from revaluation.services.selling_prices import selling_prices_import
from revaluation.services.spreadsheet import SpreadsheetImportError
from revaluation.services.writedown_report import writedown_report
from tests.factories import ItemFactory, ItemVariantFactory, LocationFactory
from tests.posting import jline, post

pytestmark = pytest.mark.django_db

YEAR_END = datetime.date(2025, 12, 31)
HEADER = (
    "item_no,location_code,variant_code,valid_from,selling_price,cost_to_sell,cost_to_sell_percent"
)


@pytest.fixture
def items(setup):
    """A (RESALE) 10 at 12.00, F (FINISHED) 4 at 50.00, both FIFO, bought 2025-01-01."""
    LocationFactory(code="RED")
    ItemFactory(no="A", description="Chair")
    ItemFactory(no="F", description="Desk", inventory_posting_group="FINISHED")
    ItemVariantFactory(item_id="F", code="OAK")
    post(
        jline("purchase", "A", 10, datetime.date(2025, 1, 1), unit_amount="12"),
        jline("purchase", "F", 4, datetime.date(2025, 1, 1), unit_amount="50"),
    )


def import_csv(text: str):
    return selling_prices_import(data=text.encode(), format="csv")


class TestSellingPriceImport:
    def test_creates_then_replaces(self, items):
        result = import_csv(f"{HEADER}\nA,,,2025-01-01,10,0.50,5\nF,RED,OAK,2025-06-01,40,,\n")
        assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
        result = import_csv(f"{HEADER}\nA,,,2025-01-01,10,0.50,5\nF,RED,OAK,2025-06-01,41,,\n")
        assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
        assert list(
            SellingPrice.objects.order_by("item_id").values_list(
                "item_id", "location_code", "variant_code", "selling_price", "cost_to_sell"
            )
        ) == [("A", "", "", D("10"), D("0.5")), ("F", "RED", "OAK", D("41"), D("0"))]

    def test_every_rejected_row_is_listed_and_nothing_changes(self, items):
        with pytest.raises(SpreadsheetImportError) as caught:
            import_csv(
                f"{HEADER}\n"
                "A,,,2025-01-01,10,,\n"
                "X,BLUE,,2025-01-01,10,,\n"
                "F,,PINE,,-1,,101\n"
                "A,,,2025-01-01,11,,\n"
            )
        assert [str(p) for p in caught.value.problems] == [
            "Row 3, item_no: There is no item X.",
            "Row 3, location_code: There is no location BLUE.",
            "Row 4, variant_code: Item F has no variant PINE.",
            "Row 4, valid_from: must have a value.",
            "Row 4, selling_price: must not be negative.",
            "Row 4, cost_to_sell_percent: must be at most 100.",
            "Row 5, valid_from: The same price is also in row 2.",
        ]
        assert not SellingPrice.objects.exists()

    def test_command(self, items, tmp_path):
        path = tmp_path / "prices.csv"
        path.write_text(f"{HEADER}\nA,,,2025-01-01,10,1,\n")
        out = io.StringIO()
        call_command("import_selling_prices", str(path), stdout=out)
        assert out.getvalue() == "Selling prices: 1 created, 0 updated, 0 unchanged.\n"
        path.write_text("item_no,price\nA,1\n")
        with pytest.raises(CommandError, match="Missing column"):
            call_command("import_selling_prices", str(path))

    def test_upload_page_xlsx(self, items, accountant_client):
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(HEADER.split(","))
        sheet.append(["A", None, None, datetime.date(2025, 1, 1), 10, 0.5, 5])
        buffer = io.BytesIO()
        workbook.save(buffer)
        url = reverse("revaluation-selling-prices")
        response = accountant_client.post(
            url, {"file": SimpleUploadedFile("p.xlsx", buffer.getvalue())}
        )
        assert response.status_code == 302
        price = SellingPrice.objects.get()
        assert (price.selling_price, price.cost_to_sell, price.cost_to_sell_percent) == (
            D("10"),
            D("0.5"),
            D("5"),
        )
        bad = accountant_client.post(
            url, {"file": SimpleUploadedFile("p.csv", f"{HEADER}\nZ,,,2025-01-01,1,,\n".encode())}
        )
        assert bad.status_code == 422
        assert "There is no item Z." in bad.text

    def test_upload_page_in_dutch(self, items, accountant_client, accountant):
        UserPreference.objects.create(user=accountant, language="nl")
        accountant_client.force_login(accountant)  # the preference is read at sign-in
        bad = accountant_client.post(
            reverse("revaluation-selling-prices"),
            {"file": SimpleUploadedFile("p.csv", f"{HEADER}\nZ,,,2025-01-01,-1,,\n".encode())},
        )
        assert bad.status_code == 422
        assert "<h1>Verkoopprijzen</h1>" in bad.text
        assert "2 problemen: er is niets geïmporteerd." in bad.text
        assert "Er is geen artikel Z." in bad.text and "mag niet negatief zijn." in bad.text
        assert not SellingPrice.objects.exists()


@pytest.fixture
def written_down(items):
    """Posted on 2025-12-31: A to NRV 9.00 (10 x -3.00 = -30.00), F to NRV 50.00 - 10 % = 45.00
    (4 x -5.00 = -20.00). Still in journal YE2: G, 2 at 30.00 to NRV 20.00 (-20.00)."""
    SellingPrice.objects.create(
        item_id="A", valid_from=datetime.date(2025, 1, 1), selling_price=D("9")
    )
    SellingPrice.objects.create(
        item_id="F",
        valid_from=datetime.date(2025, 1, 1),
        selling_price=D("50"),
        cost_to_sell_percent=D("10"),
    )
    calculate_inventory_value(
        batch_name="YE",
        options=CalculateOptions(
            posting_date=YEAR_END, document_no="WD-1", calculation_base=CalculationBase.NRV
        ),
    )
    revaluation_batch_post(batch_name="YE")
    # a proposal still in a journal: G, 2 at 30.00 -> NRV 20.00
    ItemFactory(no="G")
    post(jline("purchase", "G", 2, datetime.date(2025, 3, 1), unit_amount="30"))
    SellingPrice.objects.create(
        item_id="G", valid_from=datetime.date(2025, 1, 1), selling_price=D("20")
    )
    calculate_inventory_value(
        batch_name="YE2",
        options=CalculateOptions(
            posting_date=YEAR_END,
            document_no="WD-2",
            calculation_base=CalculationBase.NRV,
            item_nos=("G",),
        ),
    )


class TestWriteDownReport:
    def test_totals_equal_the_posted_value_entries(self, written_down):
        report = writedown_report(as_of=YEAR_END)
        assert [
            (r.status, r.item_no, r.inventory_posting_group, r.quantity, r.cost, r.nrv)
            for r in report.rows
        ] == [
            ("posted", "F", "FINISHED", 4, D("200.00"), D("45")),
            ("posted", "A", "RESALE", 10, D("120.00"), D("9")),
            ("proposed", "G", "RESALE", 2, D("60.00"), D("20")),
        ]
        assert [
            (t.inventory_posting_group, t.cost, t.proposed_writedown, t.posted_writedown)
            for t in report.totals
        ] == [
            ("FINISHED", D("200.00"), D("-20.00"), D("-20.00")),
            ("RESALE", D("180.00"), D("-50.00"), D("-30.00")),
        ]
        posted = ValueEntry.objects.filter(
            entry_type="revaluation", posting_date=YEAR_END, reason_code__in=["NRV", "OBSOLETE"]
        ).aggregate(total=Sum("cost_amount_actual"))["total"]
        assert report.total.posted_writedown == posted == D("-50.00")
        assert report.total.proposed_writedown == D("-70.00")

    def test_command_csv_and_json(self, written_down):
        out = io.StringIO()
        call_command("writedown_report", "--as-of", "2025-12-31", stdout=out)
        lines = out.getvalue().splitlines()
        assert lines[0].startswith("status,document_no,item_no,description,inventory_posting_group")
        assert lines[2] == (
            'posted,WD-1,A,Chair,RESALE,,,1,10,120,9,,-30,-30,"'
            "NRV 9.00 = selling price 9.00 - costs to sell 0.00, below cost 12.00: written down "
            'to NRV (IAS 2 par. 28).",NRV'
        )
        out = io.StringIO()
        call_command("writedown_report", "--as-of", "2025-12-31", "--format", "json", stdout=out)
        data = json.loads(out.getvalue())
        assert data["total"] == {
            "cost": "380",
            "proposed_writedown": "-70",
            "posted_writedown": "-50",
        }
        assert data["rows"][0]["applies_to_entry"] == 2
        with pytest.raises(CommandError, match="--as-of"):
            call_command("writedown_report", "--as-of", "31-12-2025")

    def test_page_and_exports(self, written_down, accountant_client):
        url = reverse("revaluation-writedown-report")
        response = accountant_client.get(url, {"as_of": "2025-12-31"})
        assert response.status_code == 200
        assert 'id="writedown-total-posted">-50.00<' in response.text
        assert 'id="writedown-total-proposed">-70.00<' in response.text
        csv_response = accountant_client.get(url, {"as_of": "2025-12-31", "format": "csv"})
        assert (
            csv_response["Content-Disposition"]
            == 'attachment; filename="writedowns-2025-12-31.csv"'
        )
        assert len(csv_response.content.decode().splitlines()) == 4
        xlsx = accountant_client.get(url, {"as_of": "2025-12-31", "format": "xlsx"})
        sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
        assert sheet["N2"].value == -20  # posted write-down of F
