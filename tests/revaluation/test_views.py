"""The revaluation journal pages: permissions, htmx and plain-form flows, validation, posting."""

from __future__ import annotations

import time
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.display import amount, plain_decimal, quantity, unit_cost
from inventory.models import CostingMethod, Item, ItemVariant, LedgerCounter, ValueEntry
from revaluation.models import PostedRevaluation, RevaluationBatch, RevaluationLine
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.lines import line_edit
from tests.factories import (
    ItemFactory,
    LocationFactory,
    RevaluationBatchFactory,
    RevaluationLineFactory,
    UserFactory,
)
from tests.markup import by_id, cell_texts, element, parse, text_of, texts_by_class
from tests.posting import day, jline, post

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
# Measured: session, user, Accountant check, line; SAVEPOINT, line FOR UPDATE, setup,
# UPDATE ... RETURNING version, RELEASE (the service); the totals aggregate: 10 in all; and the
# session's renewal (idle timeout: SAVEPOINT, UPDATE, RELEASE), here on the client's first request
# (then once per hundredth of the idle time): 13.
CELL_EDIT_QUERY_BUDGET = 13
# Measured: session, user, batch, totals, one page of lines, Accountant check, locations, reason
# codes: 8; with the session's renewal (3): 11.
JOURNAL_PAGE_QUERY_BUDGET = 11


@pytest.fixture
def batch(setup):
    return RevaluationBatchFactory(name="REVAL", description="Year end")


@pytest.fixture
def line(scenario_a, batch):
    """The spec line: item A per item on D4 — quantity 15, IV (Calculated) 170.00."""
    [line] = calculate_inventory_value(
        batch_name=batch.name,
        options=CalculateOptions(posting_date=day(4), document_no="REV-1", per="item"),
    )
    return line


def journal_url(batch_name="REVAL", **params):
    url = reverse("revaluation-journal-detail", args=[batch_name])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def edit_url(line):
    return reverse("revaluation-line-edit", args=[line.batch_id, line.pk])


def calculate_data(**overrides):
    data = {
        "posting_date": "2025-01-04",
        "document_no": "REV-1",
        "per": "item",
        "calculation_base": "",
        "item_nos": "",
        "location_codes": "",
        "variant_codes": "",
    }
    data.update(overrides)
    return data


def make_lines(batch, count, *, item=None):
    """``count`` lines with distinct items (bulk, no ledger needed for display tests)."""
    items = [item] if item else []
    if not item:
        items = [ItemFactory(no=f"L{n:05d}") for n in range(min(count, 50))]
    RevaluationLine.objects.bulk_create(
        RevaluationLineFactory.build(
            batch=batch, line_no=(n + 1) * 10000, item=items[n % len(items)]
        )
        for n in range(count)
    )


# --------------------------------------------------------------------------- access


def test_home_redirects_to_the_batch_list(accountant_client):
    response = accountant_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("revaluation-journal-list")


@pytest.mark.parametrize(
    "url_name, args",
    [
        ("revaluation-journal-list", []),
        ("revaluation-journal-detail", ["REVAL"]),
        ("revaluation-preview", ["REVAL"]),
        ("revaluation-posted-list", []),
        ("revaluation-entry-lookup", ["REVAL"]),
    ],
)
def test_pages_require_login(client, batch, url_name, args):
    url = reverse(url_name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def post_urls(line):
    name = line.batch_id
    return [
        (reverse("revaluation-batch-create"), {"name": "NEW"}),
        (reverse("revaluation-calculate", args=[name]), calculate_data()),
        (reverse("revaluation-line-create", args=[name]), {"item": "A", "applies_to_entry": 1}),
        (edit_url(line), {"version": 1, "field": "unit_cost_revalued", "unit_cost_revalued": "14"}),
        (reverse("revaluation-line-delete", args=[name, line.pk]), {}),
        (reverse("revaluation-lines-delete-all", args=[name]), {}),
        (reverse("revaluation-post", args=[name]), {}),
    ]


def test_anonymous_posts_go_to_login_and_change_nothing(client, line):
    for url, data in post_urls(line):
        response = client.post(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))
    line.refresh_from_db()
    assert line.version == 1
    assert RevaluationBatch.objects.count() == 1


def test_read_only_user_gets_403_on_every_post(viewer_client, line):
    for url, data in post_urls(line):
        assert viewer_client.post(url, data).status_code == 403, url
        assert viewer_client.post(url, data, headers=HTMX).status_code == 403, url
    line.refresh_from_db()
    assert (line.version, line.unit_cost_revalued) == (1, D("11.33333"))
    assert RevaluationLine.objects.count() == 1
    assert not PostedRevaluation.objects.exists()
    assert RevaluationBatch.objects.count() == 1


def test_read_only_user_sees_the_journal_without_forms(viewer_client, line):
    response = viewer_client.get(journal_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert f'id="line-{line.pk}"' in content
    assert text_of(content, f"line-{line.pk}-amount") == "0.00"
    main = content.split("<main", 1)[1]
    assert 'method="post"' not in main
    assert "hx-post" not in main
    assert "Only members of the Accountant group" in content


def test_accountant_sees_forms_and_inputs(accountant_client, line):
    response = accountant_client.get(journal_url())
    content = response.content.decode()
    assert 'id="calculate-form"' in content and 'id="manual-line"' in content
    assert 'id="post-button"' in content
    unit_cost_input = element(content, f"line-{line.pk}-unit-cost-revalued")
    assert 'value="11.33333"' in unit_cost_input
    assert f'hx-include="#line-{line.pk}-version"' in unit_cost_input
    assert 'value="170.00"' in element(content, f"line-{line.pk}-inventory-value-revalued")
    # without JavaScript the row's form saves (noscript button); Delete opens a confirm page
    delete_url = reverse("revaluation-line-delete", args=[line.batch_id, line.pk])
    assert f'<a href="{delete_url}" class="button button-small button-danger"' in content
    assert f'<noscript><button type="submit" form="line-{line.pk}-form"' in content


def test_superuser_may_edit(client, line):
    """A superuser outside the Accountant group edits a line like an accountant."""
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    response = client.post(
        edit_url(line),
        {"version": 1, "field": "unit_cost_revalued", "unit_cost_revalued": "14"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert text_of(response.content, f"line-{line.pk}-amount") == "40.00"
    line.refresh_from_db()
    assert (line.unit_cost_revalued, line.inventory_value_revalued, line.amount) == (
        D("14"),
        D("210.00"),
        D("40.00"),
    )
    assert line.version == 2


# --------------------------------------------------------------------------- batches


def test_batch_list_shows_counts_and_totals(accountant_client, line):
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="14")
    RevaluationBatchFactory(name="EMPTY")
    response = accountant_client.get(reverse("revaluation-journal-list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert cell_texts(content, "batch-REVAL") == [
        "REVAL",
        "Year end",
        "—",
        "1",
        "170.00",
        "210.00",
        "40.00",
    ]
    assert 'id="batch-EMPTY"' in content
    assert reverse("revaluation-posted-list") in content


def test_batch_create_plain_post_redirects(accountant_client, setup):
    response = accountant_client.post(
        reverse("revaluation-batch-create"),
        {"name": "ye2025", "description": "Year end 2025", "last_document_no": "REV-0000"},
    )
    assert response.status_code == 302
    assert response["Location"] == journal_url("YE2025")
    batch = RevaluationBatch.objects.get(name="YE2025")
    assert (batch.description, batch.last_document_no) == ("Year end 2025", "REV-0000")
    page = accountant_client.get(response["Location"])
    assert "REV-0001" in page.content.decode()  # next document of the series
    assert 'value="REV-0001"' in element(page.content, "id_document_no")


def test_batch_create_htmx_redirects_and_refuses_duplicates(accountant_client, batch):
    response = accountant_client.post(
        reverse("revaluation-batch-create"), {"name": "OTHER"}, headers=HTMX
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == journal_url("OTHER")

    response = accountant_client.post(
        reverse("revaluation-batch-create"), {"name": "reval"}, headers=HTMX
    )
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#batch-form"
    assert "The batch REVAL already exists." in response.content.decode()
    assert RevaluationBatch.objects.count() == 2


def test_batch_create_requires_a_name(accountant_client, setup):
    response = accountant_client.post(reverse("revaluation-batch-create"), {"name": ""})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not RevaluationBatch.objects.exists()


def test_unknown_batch_is_404(accountant_client, setup):
    assert accountant_client.get(journal_url("NOPE")).status_code == 404
    url = reverse("revaluation-calculate", args=["NOPE"])
    assert accountant_client.post(url, calculate_data()).status_code == 404
    assert not RevaluationBatch.objects.exists()


# --------------------------------------------------------------------------- calculate


def test_calculate_creates_the_spec_line(accountant_client, scenario_a, batch):
    url = reverse("revaluation-calculate", args=[batch.name])
    response = accountant_client.post(url, calculate_data())
    assert response.status_code == 302
    assert response["Location"] == journal_url()
    [line] = RevaluationLine.objects.filter(batch=batch)
    assert (line.item_id, line.quantity, line.posting_date, line.document_no) == (
        "A",
        15,
        day(4),
        "REV-1",
    )
    assert line.inventory_value_calculated == D("170.00")
    assert line.unit_cost_calculated == D("11.33333")
    assert (line.inventory_value_revalued, line.amount) == (D("170.00"), 0)

    page = accountant_client.get(response["Location"]).content.decode()
    assert "Calculate Inventory Value created 1 line." in page
    assert text_of(page, "total-inventory-value-calculated") == "170.00"
    assert text_of(page, "total-amount") == "0.00"
    assert ">11.33333</td>" in page


def test_calculate_names_the_lines_a_base_revalues_to_zero(accountant_client, scenario_a, batch):
    """Beyond BC: item Z has no purchase, so no Last Direct Cost; the base proposes 0 for its
    3 units worth 3 x 4.00 = 12.00, and the page says so. A's 15 units go to 15 x 12.00."""
    ItemFactory(no="Z")
    post(jline("positive_adjmt", "Z", 3, day(1), unit_amount=D("4")))
    url = reverse("revaluation-calculate", args=[batch.name])
    response = accountant_client.post(url, calculate_data(calculation_base="last_direct_cost"))
    assert response.status_code == 302
    a, z = RevaluationLine.objects.filter(batch=batch).order_by("item_id")
    assert (a.inventory_value_revalued, a.amount) == (D("180.00"), D("10.00"))
    assert (z.inventory_value_revalued, z.amount) == (0, D("-12.00"))
    page = accountant_client.get(response["Location"]).content.decode()
    assert (
        "1 line proposed at 0 because the calculation base has no cost for item Z: posting it "
        "writes off 12.00. Enter the revalued cost or delete the line."
    ) in page
    z_amount = text_of(page, f"line-{z.pk}-amount")
    assert z_amount == "-12.00Revalued to 0: writes off the whole value"
    assert text_of(page, f"line-{a.pk}-amount") == "10.00"


def test_calculate_with_htmx_redirects_the_browser(accountant_client, scenario_a, batch):
    url = reverse("revaluation-calculate", args=[batch.name])
    response = accountant_client.post(url, calculate_data(per="entry"), headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == journal_url()
    assert list(
        RevaluationLine.objects.order_by("line_no").values_list(
            "applies_to_entry", "quantity", "inventory_value_calculated"
        )
    ) == [(1, 5, D("50.00")), (2, 10, D("120.00"))]


def test_calculate_passes_every_option(accountant_client, scenario_a, batch, monkeypatch):
    seen = {}

    def fake_calculate(*, batch_name, options, confirm_duplicates):
        seen.update(batch_name=batch_name, options=options, confirm=confirm_duplicates)
        return []

    monkeypatch.setattr("revaluation.views.calculate.calculate_inventory_value", fake_calculate)
    for no in ("B", "C"):
        ItemFactory(no=no)
    for code in ("BLUE", "RED"):
        LocationFactory(code=code)
    ItemVariant.objects.create(item=Item.objects.get(no="A"), code="V1")
    data = calculate_data(
        by_location="on",
        by_variant="on",
        update_standard_cost="on",
        calculation_base="standard_cost",
        item_nos="A, B|C",
        costing_methods=["fifo", "standard"],
        location_codes="BLUE RED",
        variant_codes="V1",
        confirm_duplicates="1",
    )
    response = accountant_client.post(reverse("revaluation-calculate", args=[batch.name]), data)
    assert response.status_code == 302
    assert seen == {
        "batch_name": "REVAL",
        "confirm": True,
        "options": CalculateOptions(
            posting_date=day(4),
            document_no="REV-1",
            per="item",
            by_location=True,
            by_variant=True,
            update_standard_cost=True,
            calculation_base="standard_cost",
            item_nos=("A", "B", "C"),
            costing_methods=("fifo", "standard"),
            location_codes=("BLUE", "RED"),
            variant_codes=("V1",),
        ),
    }


def test_calculate_asks_before_creating_duplicates(accountant_client, line):
    url = reverse("revaluation-calculate", args=[line.batch_id])
    response = accountant_client.post(url, calculate_data(), headers=HTMX)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#calculate-form"
    content = response.content.decode()
    assert "Duplicate Revaluation Journals will be generated. Do you want to continue?" in content
    assert 'name="confirm_duplicates" value="1"' in content
    assert RevaluationLine.objects.count() == 1

    response = accountant_client.post(url, calculate_data(confirm_duplicates="1"), headers=HTMX)
    assert response.status_code == 200
    assert RevaluationLine.objects.count() == 2


def test_calculate_errors_are_shown_next_to_the_form(accountant_client, scenario_a, batch):
    url = reverse("revaluation-calculate", args=[batch.name])
    response = accountant_client.post(url, calculate_data(document_no=""))
    assert response.status_code == 422
    content = response.content.decode()
    assert "You must enter a document number." in content
    assert 'aria-invalid="true"' in element(content, "id_document_no")

    ItemFactory(no="AVG", costing_method=CostingMethod.AVERAGE)
    response = accountant_client.post(url, calculate_data(per="entry"), headers=HTMX)
    assert response.status_code == 422
    assert "You must not revalue items with Costing Method Average" in response.content.decode()
    assert 'id="calculate-error"' in response.content.decode()

    response = accountant_client.post(url, calculate_data(posting_date="not a date"))
    assert response.status_code == 422
    assert "Enter a valid date." in response.content.decode()
    assert not RevaluationLine.objects.exists()


def test_calculation_test_report_lists_problems_and_creates_nothing(
    accountant_client, scenario_a, batch
):
    url = reverse("revaluation-calculate", args=[batch.name])
    response = accountant_client.post(url, {**calculate_data(), "action": "test"}, headers=HTMX)
    assert response.status_code == 200
    assert "no problems found" in response.content.decode()

    ItemFactory(no="AVG", costing_method=CostingMethod.AVERAGE)
    response = accountant_client.post(url, {**calculate_data(per="entry"), "action": "test"})
    assert response.status_code == 200
    assert "You must not revalue items with Costing Method Average" in text_of(
        response.content, "calculation-test"
    )
    assert not RevaluationLine.objects.exists()


# --------------------------------------------------------------------------- cell edits


def test_cell_edit_with_htmx_answers_out_of_band_fragments(accountant_client, line):
    response = accountant_client.post(
        edit_url(line),
        {
            "version": "1",
            "field": "unit_cost_revalued",
            "unit_cost_revalued": "14",
            "inventory_value_revalued": "170.00",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    content = response.content.decode()
    pk = line.pk
    iv_cell = element(content, f"line-{pk}-inventory-value-revalued-cell")
    assert 'hx-swap-oob="true"' in iv_cell
    assert 'value="210.00"' in element(content, f"line-{pk}-inventory-value-revalued")
    assert text_of(content, f"line-{pk}-amount") == "40.00"
    assert 'hx-swap-oob="true"' in element(content, f"line-{pk}-amount")
    assert 'hx-swap-oob="true"' in element(content, "journal-totals")
    assert text_of(content, "total-inventory-value-revalued") == "210.00"
    assert text_of(content, "total-amount") == "40.00"
    assert text_of(content, "total-inventory-value-calculated") == "170.00"
    assert 'value="2"' in element(content, f"line-{pk}-version")
    # the input being edited is not replaced; only its (now empty) message slot is
    assert f'id="line-{pk}-unit-cost-revalued"' not in content
    assert f'id="line-{pk}-unit-cost-revalued-cell"' not in content
    assert text_of(content, f"line-{pk}-unit-cost-revalued-error") == ""

    line.refresh_from_db()
    assert line.unit_cost_revalued == D("14")
    assert line.inventory_value_revalued == D("210.00")
    assert (line.amount, line.unit_amount, line.version) == (D("40.00"), D("2.66667"), 2)


def test_editing_the_inventory_value_updates_the_unit_cost(accountant_client, line):
    response = accountant_client.post(
        edit_url(line),
        {"version": "1", "field": "inventory_value_revalued", "inventory_value_revalued": "180"},
        headers=HTMX,
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="12.00"' in element(content, f"line-{line.pk}-unit-cost-revalued")
    assert text_of(content, f"line-{line.pk}-amount") == "10.00"
    assert f'id="line-{line.pk}-inventory-value-revalued"' not in content
    line.refresh_from_db()
    assert (line.inventory_value_revalued, line.unit_cost_revalued) == (D("180"), D("12"))


def test_cell_edit_without_htmx_redirects_back(accountant_client, line):
    response = accountant_client.post(
        edit_url(line),
        {
            "version": "1",
            "unit_cost_revalued": "14",
            "inventory_value_revalued": "170.00",  # unchanged: the unit cost is the edit
            "return_qs": "sort=-amount&item=A",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == journal_url(sort="-amount", item="A") + f"#line-{line.pk}"
    line.refresh_from_db()
    assert (line.inventory_value_revalued, line.amount) == (D("210.00"), D("40.00"))


def test_plain_post_of_unchanged_values_changes_nothing(accountant_client, line):
    response = accountant_client.post(
        edit_url(line),
        {"version": "1", "unit_cost_revalued": "11.33333", "inventory_value_revalued": "170.00"},
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.version == 1


@pytest.mark.parametrize(
    "value, message",
    [
        ("-1", "The value must be greater than or equal to 0."),
        ("abc", "'abc' is not a plain number"),
        ("1,5", "'1,5' is not a plain number: use digits 0-9, '.' for decimals"),
        ("14.123456", "too many decimals"),
        ("1e20", "'1e20' is not a plain number"),
        ("99999999999999999999", "99999999999999999999 is too large"),
        ("NaN", "'NaN' is not a plain number"),
        ("1" * 80, "The value is too large."),
    ],
)
def test_invalid_values_answer_422_at_the_cell(accountant_client, line, value, message):
    response = accountant_client.post(
        edit_url(line),
        {"version": "1", "field": "unit_cost_revalued", "unit_cost_revalued": value},
        headers=HTMX,
    )
    assert response.status_code == 422
    cell_id = f"line-{line.pk}-unit-cost-revalued-cell"
    assert response["HX-Retarget"] == f"#{cell_id}"
    assert response["HX-Reswap"] == "outerHTML"
    content = response.content.decode()
    assert message in text_of(content, f"line-{line.pk}-unit-cost-revalued-error")
    field_input = element(content, f"line-{line.pk}-unit-cost-revalued")
    assert 'aria-invalid="true"' in field_input
    line.refresh_from_db()
    assert (line.version, line.unit_cost_revalued, line.amount) == (1, D("11.33333"), 0)


def test_a_unit_cost_whose_inventory_value_overflows_is_refused(accountant_client, batch):
    item = ItemFactory(no="SCREW")
    line = RevaluationLineFactory(
        batch=batch,
        line_no=10000,
        item=item,
        document_no="",
        quantity=D(1_000_000),
        inventory_value_calculated=D("10000.00"),
        inventory_value_per="",
        partial_revaluation=False,
    )
    response = accountant_client.post(
        edit_url(line),
        {"version": "1", "field": "unit_cost_revalued", "unit_cost_revalued": "999999999999999"},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert text_of(response.content, f"line-{line.pk}-unit-cost-revalued-error") == (
        "The value is too large."
    )
    line.refresh_from_db()
    assert (line.version, line.unit_cost_revalued) == (1, D("0.01"))


def test_invalid_inventory_value_without_htmx_shows_the_page_with_the_message(
    accountant_client, line
):
    response = accountant_client.post(
        edit_url(line),
        {"version": "1", "unit_cost_revalued": "11.33333", "inventory_value_revalued": "-5"},
    )
    assert response.status_code == 422
    content = response.content.decode()
    assert "The value must be greater than or equal to 0." in text_of(
        content, f"line-{line.pk}-inventory-value-revalued-error"
    )
    assert 'value="-5"' in element(content, f"line-{line.pk}-inventory-value-revalued")
    line.refresh_from_db()
    assert line.inventory_value_revalued == D("170.00")


def test_stale_version_shows_the_current_values(accountant_client, line):
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="13")  # someone else
    response = accountant_client.post(
        edit_url(line),
        {"version": "1", "field": "unit_cost_revalued", "unit_cost_revalued": "14"},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert response["HX-Retarget"] == f"#line-{line.pk}"
    content = response.content.decode()
    assert "Someone else changed this line" in content
    assert 'value="13.00"' in element(content, f"line-{line.pk}-unit-cost-revalued")
    assert 'value="195.00"' in element(content, f"line-{line.pk}-inventory-value-revalued")
    assert 'value="2"' in element(content, f"line-{line.pk}-version")
    assert text_of(content, f"line-{line.pk}-amount") == "25.00"
    assert text_of(content, "total-amount") == "25.00"
    line.refresh_from_db()
    assert (line.unit_cost_revalued, line.version) == (D("13"), 2)

    response = accountant_client.post(
        edit_url(line), {"version": "1", "unit_cost_revalued": "14"}
    )  # the same without JavaScript
    assert response.status_code == 422
    assert "Someone else changed this line" in response.content.decode()


def test_edit_of_a_deleted_line_is_404(accountant_client, line):
    url = edit_url(line)
    line.delete()
    response = accountant_client.post(
        url, {"version": "1", "field": "unit_cost_revalued", "unit_cost_revalued": "1"}
    )
    assert response.status_code == 404


def test_edit_without_version_is_400(accountant_client, line):
    response = accountant_client.post(
        edit_url(line), {"field": "unit_cost_revalued", "unit_cost_revalued": "1"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("line_count", [5, 50])
def test_cell_edit_query_count_is_constant(
    accountant_client, batch, line_count, django_assert_max_num_queries
):
    make_lines(batch, line_count)
    line = RevaluationLine.objects.order_by("line_no")[2]
    with django_assert_max_num_queries(CELL_EDIT_QUERY_BUDGET) as captured:
        response = accountant_client.post(
            edit_url(line),
            {"version": "1", "field": "unit_cost_revalued", "unit_cost_revalued": "12"},
            headers=HTMX,
        )
    assert response.status_code == 200
    assert text_of(response.content, "total-amount") == "20.00"
    print(f"cell edit with {line_count} lines: {len(captured)} queries")


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_journal_page_query_count_does_not_grow_with_lines(accountant_client, setup):
    small = RevaluationBatchFactory(name="SMALL")
    large = RevaluationBatchFactory(name="LARGE")
    make_lines(small, 5)
    make_lines(large, 150)
    accountant_client.get(journal_url("SMALL"))  # warm the session
    few = count_queries(accountant_client, journal_url("SMALL"))
    many = count_queries(accountant_client, journal_url("LARGE"))
    print(f"journal page: {few} queries with 5 lines, {many} with 150 lines")
    assert few == many
    assert many <= JOURNAL_PAGE_QUERY_BUDGET


def test_twenty_thousand_lines_are_paged(accountant_client, batch):
    item = ItemFactory(no="BULK")
    make_lines(batch, 20_000, item=item)
    start = time.perf_counter()
    queries = count_queries(accountant_client, journal_url(page=225))
    elapsed = time.perf_counter() - start
    response = accountant_client.get(journal_url(page=225))
    content = response.content.decode()
    assert content.count('<tr id="line-') == 50  # PAGE_SIZE
    assert 'id="line-no-112010000"' in content and 'id="line-no-112500000"' in content
    assert "Page 225 of 400" in content
    assert texts_by_class(content, "span", "range") == ["11201–11250 of 20000 lines"]
    assert text_of(content, "total-inventory-value-calculated") == "2,000,000.00"
    # A fixed number of queries, whatever the batch size; the time is for bench/, not an assert
    # (it failed on a loaded CI machine at 7-11 s while the page did the same 7 queries).
    assert queries <= JOURNAL_PAGE_QUERY_BUDGET
    print(f"page 225 of 20,000 lines: {queries} queries, {elapsed * 1000:.0f} ms")


# --------------------------------------------------------------------------- sort and filter


@pytest.fixture
def mixed_lines(batch, setup):
    LocationFactory(code="BLUE")
    LocationFactory(code="RED")
    items = {
        "B-FIFO": ItemFactory(no="B-FIFO", costing_method=CostingMethod.FIFO),
        "A-STD": ItemFactory(no="A-STD", costing_method=CostingMethod.STANDARD),
        "C-AVG": ItemFactory(no="C-AVG", costing_method=CostingMethod.AVERAGE),
    }
    specs = [("B-FIFO", "RED", "5.00"), ("A-STD", "", "-3.00"), ("C-AVG", "BLUE", "1.00")]
    for n, (item_no, location, line_amount) in enumerate(specs):
        RevaluationLineFactory(
            batch=batch,
            line_no=(n + 1) * 10000,
            item=items[item_no],
            location_code=location,
            quantity=D(1),
            amount=D(line_amount),
        )


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("", ["B-FIFO", "A-STD", "C-AVG"]),
        ("line", ["B-FIFO", "A-STD", "C-AVG"]),
        ("-line", ["C-AVG", "A-STD", "B-FIFO"]),
        ("item", ["A-STD", "B-FIFO", "C-AVG"]),
        ("location", ["A-STD", "C-AVG", "B-FIFO"]),
        ("costing_method", ["C-AVG", "B-FIFO", "A-STD"]),
        ("amount", ["A-STD", "C-AVG", "B-FIFO"]),
        ("-amount", ["B-FIFO", "C-AVG", "A-STD"]),
        ("bogus", ["B-FIFO", "A-STD", "C-AVG"]),
    ],
)
def test_sort(viewer_client, mixed_lines, sort, expected):
    response = viewer_client.get(journal_url(sort=sort))
    assert texts_by_class(response.content, "td", "col-item") == expected


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"item": "fifo"}, ["B-FIFO"]),
        ({"location": "BLUE"}, ["C-AVG"]),
        ({"location": "-"}, ["A-STD"]),
        ({"costing_method": "standard"}, ["A-STD"]),
        ({"item": "-", "sort": "-item"}, ["C-AVG", "B-FIFO", "A-STD"]),
        ({"item": "zzz"}, []),
    ],
)
def test_filter(viewer_client, mixed_lines, params, expected):
    response = viewer_client.get(journal_url(**params))
    assert texts_by_class(response.content, "td", "col-item") == expected
    # the totals are those of the whole batch, whatever the filter
    assert text_of(response.content, "total-amount") == "3.00"


def test_sort_links_keep_the_filter(viewer_client, mixed_lines):
    content = viewer_client.get(journal_url(item="F", sort="amount")).content.decode()
    assert 'href="/revaluation/REVAL/?sort=-amount&amp;item=F"' in content
    assert 'aria-sort="ascending"' in content


# --------------------------------------------------------------------------- manual lines


def test_entry_lookup_lists_the_eligible_entries(accountant_client, scenario_a, batch):
    post(jline("purchase", "A", 4, day(6), document_no="P-3", invoiced_quantity=0, unit_amount=9))
    url = reverse("revaluation-entry-lookup", args=[batch.name])
    response = accountant_client.get(url, {"item": "A"}, headers=HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    entries = [e.attrs["value"] for e in parse(content).find_all(name="applies_to_entry")]
    assert entries == ["2", "1"]  # inbound and completely invoiced; not the sales or P-3
    assert cell_texts(content, "entry-1") == [
        "",
        "1",
        "2025-01-01",
        "Purchase",
        "P-1",
        "",
        "",
        "10",
        "10",
        "0",
    ]
    response = accountant_client.get(url, {"item": "NOPE"}, headers=HTMX)
    assert "The Item does not exist." in response.content.decode()

    response = accountant_client.get(url, {"item": "A"})  # without JavaScript
    assert response.status_code == 302
    page = accountant_client.get(response["Location"]).content.decode()
    assert 'id="entry-2"' in page


def test_item_suggestions(accountant_client, scenario_a, batch):
    ItemFactory(no="B", description="Chair")
    url = reverse("revaluation-item-suggestions", args=[batch.name])
    content = accountant_client.get(url, {"item": "cha"}, headers=HTMX).content.decode()
    assert [option.attrs["value"] for option in parse(content).find_all("option")] == ["B"]


def test_manual_line_create(accountant_client, scenario_a, batch):
    url = reverse("revaluation-line-create", args=[batch.name])
    response = accountant_client.post(
        url, {"item": "A", "applies_to_entry": "1", "document_no": "REV-9"}, headers=HTMX
    )
    assert response.status_code == 200
    line = RevaluationLine.objects.get(batch=batch)
    # the journal, swapped in at once and scrolled to the new line (no redirect to a #fragment)
    assert response["HX-Retarget"] == "#main"
    assert response["HX-Reswap"] == f"outerHTML show:#line-{line.pk}:top"
    assert response["HX-Push-Url"] == journal_url()
    content = response.content.decode()
    assert f'<tr id="line-{line.pk}" class=" row-new">' in content
    assert "Line 10000 added for item A." in content
    assert (line.applies_to_entry, line.quantity, line.posting_date, line.document_no) == (
        1,
        10,
        day(1),
        "REV-9",
    )
    assert (line.inventory_value_calculated, line.inventory_value_revalued) == (
        D("100.00"),
        D("100.00"),
    )
    assert line.inventory_value_per == "" and not line.partial_revaluation

    response = accountant_client.post(url, {"item": "A", "applies_to_entry": "2"})
    assert response.status_code == 302
    assert RevaluationLine.objects.filter(batch=batch).count() == 2


@pytest.mark.parametrize(
    "data, message, error_id",
    [
        (
            {"item": "A", "applies_to_entry": "3"},
            "Positive must be equal to 'Yes'",
            "manual-entry-error",
        ),
        (
            {"item": "A", "applies_to_entry": "99"},
            "The Item Ledger Entry does not exist.",
            "manual-entry-error",
        ),
        (
            {"item": "A", "applies_to_entry": ""},
            "Choose the item ledger entry to revalue.",
            "manual-entry-error",
        ),
        ({"item": "ZZ", "applies_to_entry": "1"}, "The Item does not exist.", "manual-item-error"),
    ],
)
def test_manual_line_errors_are_shown_at_the_field(
    accountant_client, scenario_a, batch, data, message, error_id
):
    url = reverse("revaluation-line-create", args=[batch.name])
    response = accountant_client.post(url, data, headers=HTMX)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#manual-line"
    assert message in text_of(response.content, error_id)
    response = accountant_client.post(url, data)
    assert response.status_code == 422
    assert message in text_of(response.content, error_id)
    assert not RevaluationLine.objects.exists()


def test_manual_line_show_entries_without_javascript(accountant_client, scenario_a, batch):
    url = reverse("revaluation-line-create", args=[batch.name])
    response = accountant_client.post(url, {"item": "A", "lookup": "1"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="entry-1"' in content and 'id="entry-2"' in content
    assert 'value="A"' in element(content, "manual-item")
    assert not RevaluationLine.objects.exists()


# --------------------------------------------------------------------------- delete


def test_delete_line_with_htmx_updates_the_totals(accountant_client, batch, setup):
    make_lines(batch, 3)
    line = RevaluationLine.objects.order_by("line_no").first()
    url = reverse("revaluation-line-delete", args=[batch.name, line.pk])
    response = accountant_client.post(url, headers=HTMX)
    assert response.status_code == 200
    assert 'hx-swap-oob="true"' in element(response.content, "journal-totals")
    assert text_of(response.content, "total-inventory-value-calculated") == "200.00"
    assert RevaluationLine.objects.count() == 2
    assert accountant_client.post(url, headers=HTMX).status_code == 200  # idempotent


def test_delete_line_without_htmx_redirects(accountant_client, line):
    url = reverse("revaluation-line-delete", args=[line.batch_id, line.pk])
    response = accountant_client.post(url, {"return_qs": "page=1"})
    assert response.status_code == 302
    assert response["Location"] == journal_url(page=1)
    assert not RevaluationLine.objects.exists()


def test_delete_all_lines(accountant_client, batch, setup):
    make_lines(batch, 4)
    other = RevaluationBatchFactory(name="OTHER")
    make_lines(other, 2)
    url = reverse("revaluation-lines-delete-all", args=[batch.name])
    response = accountant_client.post(url, headers=HTMX)
    assert response["HX-Redirect"] == journal_url()
    assert not RevaluationLine.objects.filter(batch=batch).exists()
    assert RevaluationLine.objects.filter(batch=other).count() == 2
    page = accountant_client.get(journal_url()).content.decode()
    assert "4 lines deleted." in page
    assert 'hx-confirm="Delete all 0 lines' in page


# --------------------------------------------------------------------------- preview and post


def test_preview_shows_the_value_entries_and_writes_nothing(accountant_client, line):
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="14")
    entries_before = ValueEntry.objects.count()
    counters_before = list(LedgerCounter.objects.order_by("name").values_list("name", "last_no"))
    response = accountant_client.get(reverse("revaluation-preview", args=[line.batch_id]))
    assert response.status_code == 200
    content = response.content.decode()
    rows = by_id(content, "preview-line-10000").find_all("tr", css_class="preview-entry")
    cells = [row.cells() for row in rows]
    assert [(c[1], c[2], c[6], c[7], c[8]) for c in cells] == [
        ("1", "Purchase", "2025-01-04", "5", "20.00"),
        ("2", "Purchase", "2025-01-04", "10", "20.00"),
    ]
    assert text_of(content, "preview-total-amount") == "40.00"
    assert text_of(content, "preview-entry-count") == "2"
    assert ValueEntry.objects.count() == entries_before
    assert (
        list(LedgerCounter.objects.order_by("name").values_list("name", "last_no"))
        == counters_before
    )
    assert RevaluationLine.objects.count() == 1


def test_preview_lists_refused_lines(accountant_client, line):
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="14")
    post(jline("purchase", "A", 1, day(2), unit_amount=5))  # new posting before D4: E-45
    response = accountant_client.get(reverse("revaluation-preview", args=[line.batch_id]))
    content = response.content.decode()
    assert "Line 10000 (item A): There are new postings made in the period" in text_of(
        content, "preview-errors"
    )
    assert 'id="post-button" disabled' in content


def test_preview_of_an_empty_batch(viewer_client, batch):
    response = viewer_client.get(reverse("revaluation-preview", args=[batch.name]))
    assert response.status_code == 200
    assert text_of(response.content, "preview-error") == "There is nothing to post."


def test_post_creates_the_entries_and_redirects_to_the_history(accountant_client, line):
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="14")
    response = accountant_client.post(reverse("revaluation-post", args=[line.batch_id]))
    posted = PostedRevaluation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("revaluation-posted-detail", args=[posted.pk])
    assert (posted.document_no, posted.total_amount, posted.posted_by.username) == (
        "REV-1",
        D("40.00"),
        "anna",
    )
    revaluations = ValueEntry.objects.filter(entry_type="revaluation").order_by("entry_no")
    assert [(v.item_ledger_entry_id, v.cost_amount_actual) for v in revaluations] == [
        (1, D("20.00")),
        (2, D("20.00")),
    ]
    assert not RevaluationLine.objects.exists()

    detail = accountant_client.get(response["Location"]).content.decode()
    assert "Batch REVAL posted as REV-1" in detail
    [table_body] = by_id(detail, "posted-value-entries").find_all("tbody")
    assert [row.cells()[9] for row in table_body.find_all("tr")] == ["20.00", "20.00"]
    assert text_of(detail, "posted-entries-actual") == "40.00"

    history = accountant_client.get(reverse("revaluation-posted-list")).content.decode()
    assert "REV-1" in history and "40.00" in history and "anna" in history


def test_post_with_htmx_answers_hx_redirect(accountant_client, line):
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="14")
    response = accountant_client.post(
        reverse("revaluation-post", args=[line.batch_id]), headers=HTMX
    )
    assert response.status_code == 200
    posted = PostedRevaluation.objects.get()
    assert response["HX-Redirect"] == reverse("revaluation-posted-detail", args=[posted.pk])


def test_posting_an_empty_batch_gives_the_message(accountant_client, batch):
    response = accountant_client.post(reverse("revaluation-post", args=[batch.name]))
    assert response.status_code == 422
    assert "There is nothing to post." in text_of(response.content, "posting-error")

    response = accountant_client.post(reverse("revaluation-post", args=[batch.name]), headers=HTMX)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#main"
    assert response["HX-Reselect"] == "#main"
    assert "There is nothing to post." in response.content.decode()
    assert not PostedRevaluation.objects.exists()


def test_posting_error_is_shown_at_the_line(accountant_client, scenario_a, setup):
    RevaluationBatchFactory(name="SERIES", last_document_no="REV-0000")
    [line] = calculate_inventory_value(
        batch_name="SERIES",
        options=CalculateOptions(posting_date=day(4), document_no="REV-7", per="item"),
    )
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="14")
    response = accountant_client.post(reverse("revaluation-post", args=["SERIES"]), headers=HTMX)
    assert response.status_code == 422
    content = response.content.decode()
    assert text_of(content, "posting-error").startswith(
        "Nothing was posted. Line 10000: Document No. must be equal to 'REV-0001'"
    )
    assert 'class="row-error"' in element(content, f"line-{line.pk}")
    row = content.split(f'id="line-{line.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "Document No. must be equal to &#x27;REV-0001&#x27;" in row
    assert not ValueEntry.objects.filter(entry_type="revaluation").exists()
    assert RevaluationLine.objects.count() == 1


def test_posted_pages_are_read_only(viewer_client, line):
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="14")
    from revaluation.services.posting import revaluation_batch_post

    posted = revaluation_batch_post(batch_name=line.batch_id)
    detail = viewer_client.get(reverse("revaluation-posted-detail", args=[posted.pk]))
    assert detail.status_code == 200
    main = detail.content.decode().split("<main", 1)[1]
    assert "<form" not in main and "<input" not in main
    assert viewer_client.get(reverse("revaluation-posted-detail", args=[999])).status_code == 404


# --------------------------------------------------------------------------- amounts filter


def test_amount_filters_format_decimals_without_floats():
    assert amount(D("170.00000")) == "170.00"
    assert amount(D("1234567.5")) == "1,234,567.50"
    assert amount(D("-0.00")) == "0.00"
    assert unit_cost(D("11.3333300000")) == "11.33333"
    assert unit_cost(D("14.0000000000")) == "14.00"
    assert quantity(D("15.00000")) == "15"
    assert quantity(D("2.50000")) == "2.5"
    assert plain_decimal(D("1234.5")) == "1234.50"
    assert amount(None) == ""
    with pytest.raises(TypeError):
        amount(1.5)


def test_adjust_cost_button_on_the_journal_page(accountant_client, setup, settings):
    """The journal page starts Adjust Cost - Item Entries for every unadjusted item."""
    RevaluationBatchFactory(name="ADJ")
    ItemFactory(no="C")
    post(jline("purchase", "C", 10, day(1), unit_amount=10))
    Item.objects.filter(no="C").update(unit_cost=D(12))
    post(jline("sale", "C", 5, day(3)))
    page = accountant_client.get(reverse("revaluation-journal-detail", args=["ADJ"]))
    assert b'id="adjust-cost-button"' in page.content
    response = accountant_client.post(reverse("adjust-cost-start"), {"scope": "all"})
    assert response.status_code == 302
    assert Item.objects.get(no="C").cost_is_adjusted
    assert sum(
        v.cost_amount_actual for v in ValueEntry.objects.filter(item_ledger_entry_id=2)
    ) == D("-50.00")
