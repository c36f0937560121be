"""The items page and the Inventory Valuation page (spec §12.1): numbers, drill-down, CSV."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from inventory.models import CostingMethod, Item, ValueEntry
from inventory.services.adjustment import adjust_cost_item_entries
from tests.factories import ItemFactory, LocationFactory, UserFactory
from tests.markup import cell_texts, page_text
from tests.posting import day, jline, post

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def staff_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


# =========================================================================== items page


def test_items_page_requires_login(client):
    response = client.get(reverse("inventory-item-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_items_page_shows_costs_stock_and_value(accountant_client, scenario_a_adjusted):
    ItemFactory(no="B", description="Pine chair", standard_cost=D("3.5"))
    response = accountant_client.get(reverse("inventory-item-list"))
    assert response.status_code == 200
    html = response.content.decode()
    a = cell_texts(html, "item-A")
    # no., description, method, unit cost, standard cost, last direct cost, qty, value, adjusted
    assert a[:9] == ["A", "Oak table", "FIFO", "14.00", "0.00", "12.00", "7", "98.00", "Yes"]
    b = cell_texts(html, "item-B")
    assert b[:9] == ["B", "Pine chair", "FIFO", "0.00", "3.50", "0.00", "0", "0.00", "Yes"]
    assert 'id="adjust-all-button"' in html
    # 7 units worth 98.00 is what the ledger holds for A
    ledger = ValueEntry.objects.filter(item_id="A").aggregate(v=Sum("cost_amount_actual"))["v"]
    assert ledger == D("98.00")


def test_items_page_sums_values_exactly(accountant_client, setup):
    """0.10 + 0.20 - 0.30 is 0 in decimals; summed through floats (SQLite did) it is
    0.0000000000000000555, and 0.10 + 0.20 is 0.30000000000000004."""
    ItemFactory(no="F", description="Felt pad")
    ItemFactory(no="G", description="Glide")
    post(
        jline("purchase", "F", 1, day(1), unit_amount="0.10"),
        jline("purchase", "F", 1, day(1), unit_amount="0.20"),
        jline("purchase", "G", 1, day(1), unit_amount="0.10"),
        jline("purchase", "G", 1, day(1), unit_amount="0.20"),
    )
    post(jline("sale", "F", 2, day(2)))
    adjust_cost_item_entries()  # the sale's cost becomes -0.30
    html = accountant_client.get(reverse("inventory-item-list")).content.decode()
    assert cell_texts(html, "item-F")[6:8] == ["0", "0.00"]
    assert cell_texts(html, "item-G")[6:8] == ["2", "0.30"]
    ledger = ValueEntry.objects.filter(item_id="F").aggregate(v=Sum("cost_amount_actual"))["v"]
    assert str(ledger) == "0.00000"  # the exact numeric sum, not a float near zero


def test_items_page_filters_and_adjust_buttons(accountant_client, setup):
    ItemFactory(no="C", description="Lamp")
    ItemFactory(no="S", description="Standard lamp", costing_method=CostingMethod.STANDARD)
    post(jline("purchase", "C", 10, day(1), unit_amount=10))
    Item.objects.filter(no="C").update(unit_cost=D(12))
    post(jline("sale", "C", 5, day(3)))
    assert not Item.objects.get(no="C").cost_is_adjusted
    url = reverse("inventory-item-list")

    html = accountant_client.get(url, {"not_adjusted": "on"}).content.decode()
    assert 'id="item-C"' in html and 'id="item-S"' not in html
    assert cell_texts(html, "item-C")[6:9] == ["5", "40.00", "No"]
    assert 'aria-label="Adjust cost of item C"' in html  # a button for the unadjusted item

    html = accountant_client.get(url, {"costing_method": "standard"}).content.decode()
    assert 'id="item-S"' in html and 'id="item-C"' not in html
    html = accountant_client.get(url, {"q": "lamp"}).content.decode()
    assert 'id="item-S"' in html and 'id="item-C"' in html
    html = accountant_client.get(url, {"q": "standard"}).content.decode()
    assert 'id="item-S"' in html and 'id="item-C"' not in html

    response = accountant_client.get(url, {"q": "S"}, headers=HTMX)  # the htmx fragment
    assert response.content.decode().lstrip().startswith('<section id="items-table"')


def test_items_page_pagination(accountant_client, setup):
    for n in range(55):
        ItemFactory(no=f"P{n:03d}")
    html = accountant_client.get(reverse("inventory-item-list")).content.decode()
    assert "Items 1–50 of 55" in html and "Page 1 of 2" in html
    html = accountant_client.get(reverse("inventory-item-list"), {"page": 2}).content.decode()
    assert 'id="item-P054"' in html and 'id="item-P000"' not in html


def test_items_page_read_only_user_sees_no_buttons(viewer_client, setup):
    ItemFactory(no="C")
    post(jline("purchase", "C", 10, day(1), unit_amount=10))
    Item.objects.filter(no="C").update(cost_is_adjusted=False)
    html = viewer_client.get(reverse("inventory-item-list")).content.decode()
    assert 'id="item-C"' in html
    assert "adjust-cost-start" not in html and reverse("adjust-cost-start") not in html
    assert "Only members of the Accountant group" in html


@pytest.mark.parametrize("count", [2, 20])
def test_items_page_query_count_does_not_grow(
    accountant_client, setup, count, django_assert_max_num_queries
):
    for n in range(count):
        ItemFactory(no=f"Q{n:03d}")
        post(jline("purchase", f"Q{n:03d}", 1 + n, day(1), unit_amount=2))
    accountant_client.get(reverse("inventory-item-list"))  # warm the session and user caches
    # session, user, groups, page count, items, one grouped stock query, unadjusted count,
    # active run; the session's renewal (idle timeout: SAVEPOINT, UPDATE, RELEASE)
    with django_assert_max_num_queries(11):
        response = accountant_client.get(reverse("inventory-item-list"))
    assert cell_texts(response.content.decode(), f"item-Q{count - 1:03d}")[6:8] == [
        str(count),
        f"{2 * count:.2f}",
    ]


# =========================================================================== valuation page


@pytest.mark.parametrize(
    ("as_of", "quantity", "value"), [(3, "15", "170.00"), (4, "15", "210.00"), (5, "7", "98.00")]
)
def test_valuation_page_as_of(viewer_client, scenario_a_adjusted, as_of, quantity, value):
    response = viewer_client.get(
        reverse("inventory-valuation"), {"ending_date": day(as_of).isoformat()}
    )
    assert response.status_code == 200
    report = response.context["report"]
    [row] = report.rows
    assert (row.closing.quantity, row.closing.value) == (D(quantity), D(value))
    html = response.content.decode()
    # item, description, increases, decreases, closing: quantity and value each
    assert cell_texts(html, "row-A")[-2:] == [quantity, value]
    assert cell_texts(html, "valuation-totals")[-2:] == [quantity, value]
    # the total equals the ledger's sum of cost as of the date, to the cent
    totals = response.context["total_cells"]
    ledger = ValueEntry.objects.filter(posting_date__lte=day(as_of)).aggregate(
        v=Sum("cost_amount_actual")
    )["v"]
    assert totals[-1].value == ledger == D(value)


def test_valuation_page_defaults_to_today(viewer_client, scenario_a_adjusted):
    response = viewer_client.get(reverse("inventory-valuation"))
    assert response.status_code == 200
    assert response.context["report"].starting_date is None
    [row] = response.context["report"].rows
    assert (row.closing.quantity, row.closing.value) == (7, D("98.00"))
    assert "As of" in page_text(response.content)


def test_valuation_period_with_drill_down(viewer_client, staff_client, scenario_a_adjusted):
    params = {"starting_date": day(4).isoformat(), "ending_date": day(5).isoformat()}
    response = viewer_client.get(reverse("inventory-valuation"), params)
    [row] = response.context["rows"]
    # opening, increases, decreases, closing - quantity and value each
    assert [c.value for c in row.cells] == [
        D(15),
        D("170.00"),
        D(0),
        D("40.00"),
        D(8),
        D("112.00"),
        D(7),
        D("98.00"),
    ]
    # every figure links to its entries; the decreases value is the sum of its entries
    decreases_url = row.cells[5].url
    assert "bucket=decreases" in decreases_url and "item=A" in decreases_url
    assert f'href="{decreases_url.replace("&", "&amp;")}"' in response.content.decode()

    page = viewer_client.get(decreases_url)
    assert page.status_code == 200
    entries = list(page.context["page"])
    assert sum(e.cost_amount_actual for e in entries) == D("-112.00")
    assert {e.posting_date for e in entries} == {day(5)}
    assert page.context["figures"]["value"] == D("112.00")
    assert page.context["figures"]["quantity"] == D(8)
    html = page.content.decode()
    assert "/admin/" not in html  # not staff: numbers without admin links
    for entry in entries:
        assert f'id="ve-{entry.entry_no}"' in html

    increases = viewer_client.get(row.cells[3].url)
    revaluations = list(increases.context["page"])  # the sum line, split per inbound (§6.4)
    assert {e.entry_type for e in revaluations} == {"revaluation"}
    assert sum(e.cost_amount_actual for e in revaluations) == D("40.00")

    closing = viewer_client.get(row.cells[7].url)
    assert sum(e.cost_amount_actual for e in closing.context["page"]) == D("98.00")
    assert closing.context["figures"]["quantity"] == D(7)

    opening = staff_client.get(row.cells[1].url)
    assert sum(e.cost_amount_actual for e in opening.context["page"]) == D("170.00")
    first = opening.context["page"][0]
    html = opening.content.decode()
    assert reverse("admin:inventory_valueentry_change", args=[first.entry_no]) in html
    assert (
        reverse("admin:inventory_itemledgerentry_change", args=[first.item_ledger_entry_id]) in html
    )


def test_valuation_drill_down_paginates(viewer_client, setup):
    ItemFactory(no="M")
    for n in range(1, 56):
        post(jline("purchase", "M", 1, day(1 + n % 28), unit_amount=1))
    url = reverse("inventory-valuation-entries")
    query = {"ending_date": day(28).isoformat(), "item": "M", "bucket": "increases"}
    first = viewer_client.get(url, query)
    assert len(first.context["page"]) == 50 and first.context["page"].paginator.count == 55
    assert first.context["figures"]["value"] == D("55.00")  # the whole figure, not the page
    second = viewer_client.get(url, {**query, "page": 2})
    assert len(second.context["page"]) == 5


def test_valuation_expected_cost_toggle(viewer_client, setup):
    """§14.4: receipt 4 @ 7.50 on 3 March, invoice 3 @ 8.00 on 10 March."""
    ItemFactory(no="B")
    post(
        jline("purchase", "B", 4, day(3).replace(month=3), unit_amount="7.50", invoiced_quantity=0)
    )
    post(jline("invoice", "B", 3, day(10).replace(month=3), unit_amount=8, applies_to_entry=1))
    params = {"ending_date": "2025-03-12"}
    response = viewer_client.get(reverse("inventory-valuation"), params)
    [row] = response.context["rows"]
    assert len(row.cells) == 6  # increases, decreases, closing: quantity and value
    assert [c.value for c in row.cells[-2:]] == [D(3), D("24.00")]
    assert "Show expected cost" in response.content.decode()

    response = viewer_client.get(reverse("inventory-valuation"), {**params, "expected": "on"})
    [row] = response.context["rows"]
    assert len(row.cells) == 12
    assert [c.value for c in row.cells[-4:]] == [D(3), D("24.00"), D(4), D("31.50")]
    assert "Value incl. expected" in response.content.decode()
    expected_url = row.cells[-1].url
    page = viewer_client.get(expected_url)
    assert page.context["figures"]["value_expected"] == D("31.50")


def test_valuation_by_location_with_filters(viewer_client, setup):
    LocationFactory(code="BLUE")
    LocationFactory(code="RED")
    ItemFactory(no="T")
    ItemFactory(no="U")
    post(jline("purchase", "T", 10, day(1), unit_amount="2.50", location_code="BLUE"))
    post(jline("purchase", "U", 3, day(1), unit_amount="1.10", location_code="RED"))
    post(jline("transfer", "T", 4, day(2), location_code="BLUE", new_location_code="RED"))
    post(jline("sale", "T", 1, day(3), location_code="RED"))
    adjust_cost_item_entries()
    params = {"starting_date": day(2).isoformat(), "ending_date": day(3).isoformat()}
    response = viewer_client.get(reverse("inventory-valuation"), {**params, "by_location": "on"})
    rows = {(r.item_no, r.location_code): r for r in response.context["rows"]}
    assert set(rows) == {("T", "BLUE"), ("T", "RED"), ("U", "RED")}
    red = rows["T", "RED"]
    # opening, increases, decreases, closing
    assert [c.value for c in red.cells] == [0, 0, 4, D("10.00"), 1, D("2.50"), 3, D("7.50")]
    page = viewer_client.get(red.cells[3].url)  # the transfer receipt at RED
    [receipt] = page.context["page"]
    assert (receipt.location_code, receipt.cost_amount_actual) == ("RED", D("10.00"))

    # location filter RED without by-location: the transfer in is an increase there
    response = viewer_client.get(
        reverse("inventory-valuation"), {**params, "locations": ["RED"], "items": "T"}
    )
    [row] = response.context["rows"]
    assert (row.location_code, [c.value for c in row.cells[2:4]]) == (None, [4, D("10.00")])
    page = viewer_client.get(row.cells[3].url)
    assert [e.location_code for e in page.context["page"]] == ["RED"]


def test_valuation_invalid_options(viewer_client, setup):
    response = viewer_client.get(
        reverse("inventory-valuation"),
        {"starting_date": day(5).isoformat(), "ending_date": day(3).isoformat()},
    )
    assert response.status_code == 422
    assert "The starting date is after the ending date." in response.content.decode()
    response = viewer_client.get(reverse("inventory-valuation-entries"), {"item": "A"})
    assert response.status_code == 404


def test_valuation_htmx_fragment(viewer_client, scenario_a_adjusted):
    response = viewer_client.get(
        reverse("inventory-valuation"), {"ending_date": day(5).isoformat()}, headers=HTMX
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="valuation-report"')
    assert "<html" not in html


def test_valuation_csv_export_matches_the_command(viewer_client, scenario_a_adjusted, capsys):
    response = viewer_client.get(
        reverse("inventory-valuation-export"),
        {"starting_date": day(4).isoformat(), "ending_date": day(5).isoformat()},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="inventory-valuation-2025-01-05.csv"' in response["Content-Disposition"]
    content = response.content.decode()
    call_command("inventory_valuation", "--from", "2025-01-04", "--as-of", "2025-01-05")
    assert content == capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [r["item_no"] for r in rows] == ["A", "TOTAL"]
    assert (rows[0]["opening_value"], rows[0]["increases_value"]) == ("170", "40")
    assert (rows[0]["decreases_quantity"], rows[0]["decreases_value"]) == ("8", "112")
    assert (rows[1]["closing_quantity"], rows[1]["closing_value"]) == ("7", "98")


def test_valuation_csv_export_by_location(viewer_client, setup, capsys):
    LocationFactory(code="BLUE")
    ItemFactory(no="T")
    post(jline("purchase", "T", 10, day(1), unit_amount="2.50", location_code="BLUE"))
    post(jline("purchase", "T", 2, day(1), unit_amount="2.50"))
    response = viewer_client.get(
        reverse("inventory-valuation-export"),
        {"ending_date": day(3).isoformat(), "by_location": "on"},
    )
    call_command("inventory_valuation", "--as-of", "2025-01-03", "--by-location")
    expected = capsys.readouterr().out
    assert response.content.decode() == expected
    assert expected.splitlines()[0].startswith("item_no,description,location_code,opening_")
