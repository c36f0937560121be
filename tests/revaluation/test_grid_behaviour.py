"""Issue 12 §3: the grid and the pages around it say what happens, keep what was typed and
refuse what would be half done."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from revaluation.models import RevaluationBatch, RevaluationLine
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.lines import line_edit
from tests.factories import ItemFactory
from tests.posting import day, jline, post

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def batch(setup):
    return RevaluationBatch.objects.create(name="REVAL", last_document_no="REV-0000")


@pytest.fixture
def line(scenario_a, batch):
    """Item A per item on D4: quantity 15, IV (Calculated) 170.00."""
    [line] = calculate_inventory_value(
        batch_name=batch.name,
        options=CalculateOptions(posting_date=day(4), document_no="REV-0001", per="item"),
    )
    return line


def journal(client, batch_name="REVAL") -> str:
    url = reverse("revaluation-journal-detail", args=[batch_name])
    return " ".join(client.get(url).content.decode().split())


def test_saved_cell_value_comes_back_formatted_like_the_column(accountant_client, line):
    url = reverse("revaluation-line-edit", args=[line.batch_id, line.pk])
    data = {"version": 1, "field": "inventory_value_revalued", "inventory_value_revalued": "200"}
    response = accountant_client.post(url, data, headers=HTMX)
    assert response.status_code == 200
    assert response["X-Saved-Value"] == "200.00"
    data = {"version": 2, "field": "unit_cost_revalued", "unit_cost_revalued": "14"}
    assert accountant_client.post(url, data, headers=HTMX)["X-Saved-Value"] == "14.00"


def test_both_cells_changed_without_javascript_are_refused(accountant_client, line):
    url = reverse("revaluation-line-edit", args=[line.batch_id, line.pk])
    data = {"version": 1, "unit_cost_revalued": "14", "inventory_value_revalued": "999"}
    response = accountant_client.post(url, data)
    assert response.status_code == 422
    assert "not both: each is calculated from the other. Nothing was saved." in (
        response.content.decode()
    )
    line.refresh_from_db()
    assert (line.unit_cost_revalued, line.inventory_value_revalued, line.version) == (
        D("11.33333"),
        D("170.00"),
        1,
    )


def test_delete_without_javascript_asks_on_a_page_first(accountant_client, line):
    url = reverse("revaluation-line-delete", args=[line.batch_id, line.pk])
    response = accountant_client.get(url, {"return_qs": "sort=item"})
    assert response.status_code == 200
    page = " ".join(response.content.decode().split())
    assert "Delete line 10000?" in page
    assert '<input type="hidden" name="return_qs" value="sort=item">' in page
    assert RevaluationLine.objects.filter(pk=line.pk).exists()  # asking deletes nothing
    response = accountant_client.post(url, {"return_qs": "sort=item"})
    assert response["Location"] == reverse("revaluation-journal-detail", args=["REVAL"]) + (
        "?sort=item"
    )
    assert not RevaluationLine.objects.exists()


def test_calculate_form_keeps_its_values_and_the_series_number(accountant_client, line):
    url = reverse("revaluation-calculate", args=["REVAL"])
    data = {
        "posting_date": "2025-01-04",
        "document_no": "REV-0001",
        "per": "entry",
        "item_nos": "A",
        "confirm_duplicates": "1",
    }
    assert accountant_client.post(url, data).status_code == 302
    page = journal(accountant_client)
    form = page.split('id="calculate-form"', 1)[1].split("</form>", 1)[0]
    assert 'name="posting_date" value="2025-01-04"' in form
    # the batch has lines: the document no. still comes from its number series
    assert 'name="document_no" value="REV-0001"' in form
    assert 'value="entry" id="id_per_1" required checked' in form
    assert 'name="item_nos" value="A"' in form


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("item_nos", "A, 9999", "There is no item 9999."),
        ("location_codes", "PURPLE", "There is no location PURPLE."),
        ("variant_codes", "X1, X2", "There is no variant X1, X2."),
    ],
)
def test_unknown_filter_values_are_refused_by_name(
    accountant_client, scenario_a, batch, field, value, message
):
    url = reverse("revaluation-calculate", args=["REVAL"])
    data = {"posting_date": "2025-01-04", "document_no": "REV-0001", "per": "item", field: value}
    response = accountant_client.post(url, data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not RevaluationLine.objects.exists()


def test_preview_names_the_lines_posting_skips(accountant_client, line):
    ItemFactory(no="B")
    post(jline("purchase", "B", 2, day(1), unit_amount=5))
    [zero] = calculate_inventory_value(
        batch_name="REVAL",
        options=CalculateOptions(
            posting_date=day(4), document_no="REV-0001", per="item", item_nos=("B",)
        ),
    )
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="14")
    response = accountant_client.get(reverse("revaluation-preview", args=["REVAL"]))
    page = " ".join(response.content.decode().split())
    assert (
        f"<strong>1 line will be skipped</strong> (Amount 0 or nothing invoiced: nothing to revalue), and deleted "
        f"with the posted lines: line {zero.line_no} (item B)." in page
    )


def test_posting_message_shows_a_formatted_amount(accountant_client, scenario_a, batch):
    [line] = calculate_inventory_value(
        batch_name="REVAL",
        options=CalculateOptions(posting_date=day(4), document_no="REV-0001", per="item"),
    )
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="100")
    response = accountant_client.post(reverse("revaluation-post", args=["REVAL"]), follow=True)
    # 15 x 100.00 - 170.00
    assert "Batch REVAL posted as REV-0001: amount 1,330.00." in response.content.decode()


def test_forbidden_is_a_styled_page(viewer_client, line):
    url = reverse("revaluation-line-delete", args=[line.batch_id, line.pk])
    response = viewer_client.post(url)
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>Not allowed</h1>" in page and 'class="site-header"' in page
    assert "Only users allowed to prepare revaluations may calculate, edit or import lines." in page


def test_first_grid_cell_has_the_focus_and_a_skip_link(accountant_client, line):
    page = journal(accountant_client)
    assert '<a class="skip-link" href="#journal-lines">Skip to the lines</a>' in page
    cell = page.split(f'id="line-{line.pk}-unit-cost-revalued"', 1)[1].split(">", 1)[0]
    assert "autofocus" in cell


def test_manual_line_lookup_explains_the_quantity_and_date(accountant_client, line):
    url = reverse("revaluation-entry-lookup", args=["REVAL"])
    page = " ".join(
        accountant_client.get(url, {"item": "A"}, headers=HTMX).content.decode().split()
    )
    assert "takes the chosen entry's <strong>posting date</strong> and its whole" in page
    assert '<th scope="col" class="num">Remaining Quantity</th>' in page
