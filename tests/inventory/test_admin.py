"""The inventory admin: editable master data and setup, view-only ledgers."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.admin.utils import quote
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.admin import EstimatedCountPaginator, decimal_display
from inventory.models import (
    AverageCostPeriod,
    AvgCostAdjmtEntryPoint,
    CostingMethod,
    InventoryPeriod,
    InventorySetup,
    Item,
    ItemApplicationEntry,
    ItemJournalBatch,
    ItemLedgerEntry,
    ItemLedgerEntryType,
    ItemRegister,
    LedgerCounter,
    ValueEntry,
    ValueEntryType,
)
from inventory.services.master_data import E41_COSTING_METHOD_LOCKED
from tests.factories import (
    AvgCostAdjmtEntryPointFactory,
    InventoryPeriodFactory,
    InventorySetupFactory,
    ItemApplicationEntryFactory,
    ItemFactory,
    ItemLedgerEntryFactory,
    LocationFactory,
    ValueEntryFactory,
)

pytestmark = pytest.mark.django_db

LEDGER_MODELS = [
    ItemLedgerEntry,
    ValueEntry,
    ItemApplicationEntry,
    ItemRegister,
    AvgCostAdjmtEntryPoint,
    LedgerCounter,
]


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:inventory_{model._meta.model_name}_{view}", args=args)


def change_url(obj) -> str:
    return admin_url(type(obj), "change", quote(obj.pk))


def result_pks(response) -> list:
    return [obj.pk for obj in response.context["cl"].result_list]


@pytest.fixture
def ledger():
    """A purchase of 10 at BLUE (two value entries), a sale of 4 applied to it, an entry point."""
    LocationFactory(code="BLUE")
    item = ItemFactory(no="ITEM-A")
    other_item = ItemFactory(no="ITEM-B")
    purchase = ItemLedgerEntryFactory(item=item, location_code="BLUE", document_no="P-1")
    purchase_ves = [
        ValueEntryFactory(item_ledger_entry=purchase, cost_amount_actual=Decimal("0.10")),
        ValueEntryFactory(
            item_ledger_entry=purchase,
            cost_amount_actual=Decimal("0.20"),
            cost_amount_expected=Decimal("5.5"),
            item_ledger_entry_quantity=Decimal(0),
        ),
    ]
    sale = ItemLedgerEntryFactory(
        item=item,
        entry_type=ItemLedgerEntryType.SALE,
        quantity=Decimal(-4),
        document_no="S-1",
    )
    sale_ve = ValueEntryFactory(item_ledger_entry=sale, cost_amount_actual=Decimal("-0.04"))
    purchase_row = ItemApplicationEntryFactory(item_ledger_entry=purchase)
    sale_row = ItemApplicationEntryFactory(
        item_ledger_entry=sale,
        inbound_item_entry=purchase,
        outbound_item_entry=sale,
        quantity=Decimal(-4),
    )
    other = ItemLedgerEntryFactory(item=other_item, document_no="P-2")
    entry_point = AvgCostAdjmtEntryPointFactory(item=item)
    counter = LedgerCounter.objects.create(name="item_ledger_entry", last_no=other.pk)
    return {
        "item": item,
        "purchase": purchase,
        "purchase_ves": purchase_ves,
        "sale": sale,
        "sale_ve": sale_ve,
        "purchase_row": purchase_row,
        "sale_row": sale_row,
        "other": other,
        "entry_point": entry_point,
        "counter": counter,
        "register": purchase.item_register,
    }


def ledger_row(ledger, model):
    return {
        ItemLedgerEntry: ledger["purchase"],
        ValueEntry: ledger["sale_ve"],
        ItemApplicationEntry: ledger["sale_row"],
        ItemRegister: ledger["register"],
        AvgCostAdjmtEntryPoint: ledger["entry_point"],
        LedgerCounter: ledger["counter"],
    }[model]


# --------------------------------------------------------------------------- ledgers: read-only


@pytest.mark.parametrize("model", LEDGER_MODELS, ids=lambda m: m.__name__)
def test_ledger_changelist_and_view_page_open_for_superuser(admin_client, ledger, model):
    row = ledger_row(ledger, model)

    listing = admin_client.get(admin_url(model, "changelist"))
    page = admin_client.get(change_url(row))

    assert listing.status_code == 200
    assert row.pk in result_pks(listing)
    assert page.status_code == 200
    assert page.context["original"] == row
    content = page.content.decode()
    assert 'name="_save"' not in content  # view only: no save buttons
    assert "deletelink" not in content


def test_admin_index_offers_no_add_for_ledgers(admin_client, ledger):
    content = admin_client.get(reverse("admin:app_list", args=["inventory"])).content.decode()

    for model in LEDGER_MODELS:
        assert admin_url(model, "changelist") in content
        assert admin_url(model, "add") not in content
    assert admin_url(Item, "add") in content


@pytest.mark.parametrize("model", LEDGER_MODELS, ids=lambda m: m.__name__)
def test_ledger_add_is_forbidden(admin_client, ledger, model):
    listing = admin_client.get(admin_url(model, "changelist"))

    assert admin_client.get(admin_url(model, "add")).status_code == 403
    assert admin_client.post(admin_url(model, "add"), {}).status_code == 403
    assert admin_url(model, "add") not in listing.content.decode()


@pytest.mark.parametrize("model", LEDGER_MODELS, ids=lambda m: m.__name__)
def test_ledger_delete_is_forbidden(admin_client, ledger, model):
    row = ledger_row(ledger, model)
    url = admin_url(model, "delete", quote(row.pk))

    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model", LEDGER_MODELS, ids=lambda m: m.__name__)
def test_ledger_changelist_has_no_bulk_actions(admin_client, ledger, model):
    row = ledger_row(ledger, model)

    response = admin_client.post(
        admin_url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )

    assert 'name="action"' not in admin_client.get(admin_url(model, "changelist")).content.decode()
    assert response.status_code in (200, 302)
    assert model.objects.filter(pk=row.pk).exists()


def test_post_to_ledger_change_page_changes_nothing(admin_client, ledger):
    purchase = ledger["purchase"]
    ve = ledger["sale_ve"]

    ile_response = admin_client.post(
        change_url(purchase), {"document_no": "HACKED", "description": "changed"}
    )
    ve_response = admin_client.post(
        change_url(ve), {"cost_amount_actual": "999", "document_no": "HACKED"}
    )

    assert ile_response.status_code == 403
    assert ve_response.status_code == 403
    purchase.refresh_from_db()
    ve.refresh_from_db()
    assert purchase.document_no == "P-1"
    assert ve.cost_amount_actual == Decimal("-0.04")
    assert ve.document_no == "S-1"


# --------------------------------------------------------------------------- filters and search


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"entry_type__exact": "sale"}, ["sale"]),
        ({"item__no__exact": "ITEM-A"}, ["sale", "purchase"]),
        ({"item__no__exact": "ITEM-B"}, ["other"]),
        ({"item__no__exact": ""}, ["other", "sale", "purchase"]),
        ({"location_code__exact": "BLUE"}, ["purchase"]),
        ({"location_code__exact": ""}, ["other", "sale"]),
        ({"positive__exact": "0"}, ["sale"]),
        ({"open__exact": "1", "positive__exact": "1"}, ["other", "purchase"]),
        ({"posting_date__gte": "2025-01-01", "posting_date__lt": "2025-01-02"}, None),
        ({"q": "S-1"}, ["sale"]),
        ({"q": "ITEM-B"}, ["other"]),
    ],
)
def test_item_ledger_entry_filters(admin_client, ledger, query, expected):
    response = admin_client.get(admin_url(ItemLedgerEntry, "changelist"), query)

    assert response.status_code == 200
    if expected is None:
        expected = ["other", "sale", "purchase"]
    assert result_pks(response) == [ledger[name].pk for name in expected]


def test_item_ledger_entry_search_by_entry_no_ignores_non_numbers(admin_client, ledger):
    url = admin_url(ItemLedgerEntry, "changelist")

    by_number = admin_client.get(url, {"q": str(ledger["sale"].pk)})
    huge_number = admin_client.get(url, {"q": "99999999999999999999"})

    assert result_pks(by_number) == [ledger["sale"].pk]
    assert huge_number.status_code == 200
    assert result_pks(huge_number) == []


def test_item_filter_is_a_text_box_not_a_list_of_items(admin_client, ledger):
    response = admin_client.get(
        admin_url(ItemLedgerEntry, "changelist"), {"item__no__exact": "ITEM-A", "q": "1"}
    )

    content = response.content.decode()
    assert 'name="item__no__exact" value="ITEM-A"' in content
    assert '<input type="hidden" name="q" value="1">' in content
    assert "ITEM-B" not in content  # the other item is neither listed nor offered


def test_value_entry_filters(admin_client, ledger):
    url = admin_url(ValueEntry, "changelist")
    purchase = ledger["purchase"]

    by_entry = admin_client.get(url, {"item_ledger_entry__entry_no__exact": purchase.pk})
    by_type = admin_client.get(url, {"item_ledger_entry_type__exact": "sale"})
    by_item = admin_client.get(
        url, {"item__no__exact": "ITEM-A", "entry_type__exact": "revaluation"}
    )

    assert sorted(result_pks(by_entry)) == sorted(ve.pk for ve in ledger["purchase_ves"])
    assert result_pks(by_type) == [ledger["sale_ve"].pk]
    assert result_pks(by_item) == []


def test_application_entry_filters(admin_client, ledger):
    url = admin_url(ItemApplicationEntry, "changelist")
    purchase = ledger["purchase"]

    inbound = admin_client.get(url, {"inbound_item_entry__entry_no__exact": purchase.pk})
    outbound = admin_client.get(url, {"outbound_item_entry__entry_no__exact": ledger["sale"].pk})

    assert result_pks(inbound) == [ledger["sale_row"].pk, ledger["purchase_row"].pk]
    assert result_pks(outbound) == [ledger["sale_row"].pk]


def test_item_register_links_to_its_entries(admin_client, ledger):
    register = ledger["register"]

    page = admin_client.get(change_url(register)).content.decode()
    ile_url = admin_url(ItemLedgerEntry, "changelist") + f"?item_register__no__exact={register.pk}"
    ve_url = admin_url(ValueEntry, "changelist") + f"?item_register__no__exact={register.pk}"

    assert f'href="{ile_url}"' in page
    assert f'href="{ve_url}"' in page
    assert result_pks(admin_client.get(ile_url)) == [ledger["purchase"].pk]
    assert sorted(result_pks(admin_client.get(ve_url))) == sorted(
        ve.pk for ve in ledger["purchase_ves"]
    )


# --------------------------------------------------------------------------- links and amounts


def test_item_ledger_entry_page_links_to_its_value_and_application_entries(admin_client, ledger):
    purchase = ledger["purchase"]

    page = admin_client.get(change_url(purchase)).content.decode()
    ve_url = (
        admin_url(ValueEntry, "changelist") + f"?item_ledger_entry__entry_no__exact={purchase.pk}"
    )
    iae_url = (
        admin_url(ItemApplicationEntry, "changelist")
        + f"?inbound_item_entry__entry_no__exact={purchase.pk}"
    )

    assert f'<a href="{ve_url}">2 value entries</a>' in page
    assert f'<a href="{iae_url}">2 application entries</a>' in page
    assert sorted(result_pks(admin_client.get(ve_url))) == sorted(
        ve.pk for ve in ledger["purchase_ves"]
    )


def test_outbound_entry_links_to_the_rows_naming_it_as_outbound(admin_client, ledger):
    sale = ledger["sale"]

    page = admin_client.get(change_url(sale)).content.decode()
    iae_url = (
        admin_url(ItemApplicationEntry, "changelist")
        + f"?outbound_item_entry__entry_no__exact={sale.pk}"
    )

    assert f'<a href="{iae_url}">1 application entry</a>' in page
    assert result_pks(admin_client.get(iae_url)) == [ledger["sale_row"].pk]


@pytest.mark.parametrize("model", [ValueEntry, ItemApplicationEntry], ids=lambda m: m.__name__)
def test_value_and_application_entries_link_back_to_the_item_ledger_entry(
    admin_client, ledger, model
):
    row = ledger_row(ledger, model)  # both belong to the sale
    link = f'href="{change_url(ledger["sale"])}"'

    page = admin_client.get(change_url(row)).content.decode()
    listing = admin_client.get(admin_url(model, "changelist")).content.decode()

    assert link in page
    assert link in listing


def test_item_ledger_entry_shows_cost_as_sum_of_its_value_entries(admin_client, ledger):
    response = admin_client.get(admin_url(ItemLedgerEntry, "changelist"))
    rows = {obj.pk: obj for obj in response.context["cl"].result_list}
    content = response.content.decode()

    purchase = rows[ledger["purchase"].pk]
    assert purchase.cost_actual_sum == Decimal("0.30")
    assert purchase.cost_expected_sum == Decimal("5.50")
    assert rows[ledger["sale"].pk].cost_actual_sum == Decimal("-0.04")
    assert rows[ledger["other"].pk].cost_actual_sum == Decimal(0)  # no value entries
    assert '<td class="field-cost_amount_actual">0.30</td>' in content
    assert '<td class="field-cost_amount_expected">5.50</td>' in content
    assert '<td class="field-cost_amount_actual">-0.04</td>' in content
    assert '<td class="field-cost_amount_actual">0.00</td>' in content
    assert '<td class="field-quantity_display">-4</td>' in content

    page = admin_client.get(change_url(ledger["purchase"])).content.decode()
    assert '<div class="readonly">0.30</div>' in page
    assert '<div class="readonly">5.50</div>' in page


def test_value_entry_amounts_are_shown_exactly(admin_client):
    ile = ItemLedgerEntryFactory(quantity=Decimal(3))
    ValueEntryFactory(item_ledger_entry=ile, cost_amount_actual=Decimal("10.00"))

    content = admin_client.get(admin_url(ValueEntry, "changelist")).content.decode()

    assert '<td class="field-cost_amount_actual_display">10.00</td>' in content
    # 10 / 3 at the unit cost column's 10 decimals, not a float's 3.3333333333333335
    assert '<td class="field-cost_per_unit_display">3.3333333333</td>' in content


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (Decimal("100.00000"), 2, "100.00"),
        (Decimal("0.1") + Decimal("0.2"), 2, "0.30"),
        (Decimal("3.3333333333"), 2, "3.3333333333"),
        (Decimal("-4.00000"), 0, "-4"),
        (Decimal("2.50000"), 0, "2.5"),
        (Decimal("1E+3"), 2, "1000.00"),
        (Decimal(0), 2, "0.00"),
        (None, 2, "-"),
    ],
)
def test_decimal_display(value, places, text):
    assert decimal_display(value, places) == text


# --------------------------------------------------------------------------- query counts and paging


def make_entries(count: int) -> None:
    location = LocationFactory()
    for _ in range(count):
        ile = ItemLedgerEntryFactory(item=ItemFactory(), location_code=location.code)
        ValueEntryFactory(item_ledger_entry=ile)
        ValueEntryFactory(item_ledger_entry=ile, cost_amount_actual=Decimal("1.25"))
        ItemApplicationEntryFactory(item_ledger_entry=ile)
        AvgCostAdjmtEntryPointFactory(item=ile.item)


@pytest.mark.parametrize(
    "model",
    [ItemLedgerEntry, ValueEntry, ItemApplicationEntry, ItemRegister, AvgCostAdjmtEntryPoint],
    ids=lambda m: m.__name__,
)
def test_ledger_changelist_queries_do_not_grow_with_rows(
    admin_client, django_assert_max_num_queries, model
):
    url = admin_url(model, "changelist")
    make_entries(2)
    admin_client.get(url)  # warm up the session and content types
    with django_assert_max_num_queries(15) as few:
        assert admin_client.get(url).status_code == 200

    make_entries(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get(url)

    assert len(response.context["cl"].result_list) >= 20


def test_ledger_changelist_never_counts_the_whole_table(admin_client, ledger):
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(admin_url(ItemLedgerEntry, "changelist"))

    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts  # the page does count ...
    assert all("LIMIT" in sql.upper() for sql in counts)  # ... but never more than a capped number


class TinyLimitPaginator(EstimatedCountPaginator):
    exact_limit = 3


def test_paginator_counts_exactly_below_the_limit(ledger):
    paginator = TinyLimitPaginator(ItemLedgerEntry.objects.all(), 2)

    assert paginator.count == 3
    assert paginator.count_is_estimate is False
    assert paginator.num_pages == 2


def test_paginator_estimates_above_the_limit(ledger):
    make_entries(3)
    paginator = TinyLimitPaginator(ItemLedgerEntry.objects.order_by("entry_no"), 2)

    with CaptureQueriesContext(connection) as queries:
        count = paginator.count

    assert paginator.count_is_estimate is True
    assert count >= 4  # at least the capped count, never less than what exists up to the cap
    assert any(q["sql"].upper().startswith("EXPLAIN") for q in queries.captured_queries)
    assert list(paginator.page(1).object_list) == list(
        ItemLedgerEntry.objects.order_by("entry_no")[:2]
    )


# --------------------------------------------------------------------------- item


def item_form_data(item: Item, **changes) -> dict:
    data = {
        "description": item.description,
        "base_unit_of_measure": item.base_unit_of_measure,
        "costing_method": item.costing_method,
        "unit_cost": str(item.unit_cost),
        "standard_cost": str(item.standard_cost),
        "inventory_posting_group": item.inventory_posting_group,
        "gen_prod_posting_group": item.gen_prod_posting_group,
        "variants-TOTAL_FORMS": "0",
        "variants-INITIAL_FORMS": "0",
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_costing_method_cannot_change_once_the_item_has_ledger_entries(admin_client):
    item = ItemFactory(costing_method=CostingMethod.FIFO, description="Before")
    ItemLedgerEntryFactory(item=item)

    response = admin_client.post(
        change_url(item),
        item_form_data(item, costing_method=CostingMethod.AVERAGE, description="After"),
    )

    assert response.status_code == 200
    assert E41_COSTING_METHOD_LOCKED in response.content.decode()
    assert response.context["adminform"].form.errors["costing_method"] == [
        E41_COSTING_METHOD_LOCKED
    ]
    item.refresh_from_db()
    assert item.costing_method == CostingMethod.FIFO
    assert item.description == "Before"


def test_other_fields_of_an_item_with_ledger_entries_can_change(admin_client):
    item = ItemFactory(costing_method=CostingMethod.FIFO)
    ItemLedgerEntryFactory(item=item)

    response = admin_client.post(change_url(item), item_form_data(item, description="Renamed"))

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.description == "Renamed"


def test_costing_method_of_an_item_without_entries_can_change(admin_client):
    item = ItemFactory(costing_method=CostingMethod.FIFO)
    ItemLedgerEntryFactory(item=ItemFactory())  # another item's entry does not lock it

    response = admin_client.post(
        change_url(item), item_form_data(item, costing_method=CostingMethod.STANDARD)
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.costing_method == CostingMethod.STANDARD


def test_item_number_is_read_only_once_created(admin_client):
    item = ItemFactory(no="KEEP")

    response = admin_client.post(change_url(item), item_form_data(item, no="NEWNO"))

    assert response.status_code == 302
    assert list(Item.objects.values_list("no", flat=True)) == ["KEEP"]


def test_item_can_be_added_with_variants(admin_client):
    data = item_form_data(
        Item(description="New"),
        no="NEW-1",
        **{
            "variants-TOTAL_FORMS": "1",
            "variants-0-code": "RED",
            "variants-0-description": "Red one",
        },
    )

    response = admin_client.post(admin_url(Item, "add"), data)

    assert response.status_code == 302
    item = Item.objects.get(no="NEW-1")
    assert list(item.variants.values_list("code", flat=True)) == ["RED"]


def test_item_list_filters_and_search(admin_client):
    ItemFactory(no="AVG-1", description="Bolt", costing_method=CostingMethod.AVERAGE)
    ItemFactory(no="FIFO-1", description="Nut", blocked=True)
    url = admin_url(Item, "changelist")

    assert result_pks(admin_client.get(url, {"costing_method__exact": "average"})) == ["AVG-1"]
    assert result_pks(admin_client.get(url, {"blocked__exact": "1"})) == ["FIFO-1"]
    assert result_pks(admin_client.get(url, {"q": "bolt"})) == ["AVG-1"]
    assert result_pks(admin_client.get(url, {"q": "fifo"})) == ["FIFO-1"]


# --------------------------------------------------------------------------- setup singleton


def setup_form_data(setup: InventorySetup, **changes) -> dict:
    data = {
        "amount_rounding_precision": str(setup.amount_rounding_precision),
        "unit_amount_rounding_precision": str(setup.unit_amount_rounding_precision),
        "average_cost_calc_type": setup.average_cost_calc_type,
        "average_cost_period": setup.average_cost_period,
        "allow_negative_inventory": "on",
        "slow_moving_buckets": setup.slow_moving_buckets,
        "slow_moving_age_from": setup.slow_moving_age_from,
    }
    data.update(changes)
    return data


def test_setup_changelist_goes_to_the_single_row(admin_client):
    setup = InventorySetupFactory()

    response = admin_client.get(admin_url(InventorySetup, "changelist"))

    assert response.status_code == 302
    assert response.url == change_url(setup)


def test_setup_cannot_be_added_twice_nor_deleted(admin_client):
    setup = InventorySetupFactory()

    assert admin_client.get(admin_url(InventorySetup, "add")).status_code == 403
    assert (
        admin_client.post(admin_url(InventorySetup, "add"), setup_form_data(setup)).status_code
        == 403
    )
    delete_url = admin_url(InventorySetup, "delete", setup.pk)
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert InventorySetup.objects.count() == 1
    assert "deletelink" not in admin_client.get(change_url(setup)).content.decode()


def test_setup_slow_moving_buckets_are_checked(admin_client, setup):
    url = admin_url(InventorySetup, "change", 1)
    response = admin_client.post(url, setup_form_data(setup, slow_moving_buckets="730:100,365:50"))
    assert response.status_code == 200
    assert "Buckets must be in ascending days" in response.text
    response = admin_client.post(url, setup_form_data(setup, slow_moving_buckets="365:50,730:100"))
    assert response.status_code == 302
    assert InventorySetup.get().slow_moving_buckets == "365:50,730:100"


def test_setup_is_added_as_the_singleton_row_when_missing(admin_client):
    assert admin_client.get(admin_url(InventorySetup, "changelist")).url == admin_url(
        InventorySetup, "add"
    )

    response = admin_client.post(
        admin_url(InventorySetup, "add"),
        setup_form_data(InventorySetup(), average_cost_period=AverageCostPeriod.MONTH),
    )

    assert response.status_code == 302
    assert InventorySetup.get().average_cost_period == AverageCostPeriod.MONTH
    assert list(InventorySetup.objects.values_list("pk", flat=True)) == [1]
    assert admin_client.get(admin_url(InventorySetup, "add")).status_code == 403


@pytest.mark.parametrize(
    ("field", "value", "caption"),
    [
        ("average_cost_period", AverageCostPeriod.MONTH, "Average Cost Period"),
        ("average_cost_calc_type", "item_location_variant", "Average Cost Calc. Type"),
    ],
)
def test_average_cost_settings_are_locked_by_average_value_entries(
    admin_client, field, value, caption
):
    setup = InventorySetupFactory()
    ValueEntryFactory(
        item_ledger_entry=ItemLedgerEntryFactory(
            item=ItemFactory(costing_method=CostingMethod.AVERAGE)
        )
    )

    response = admin_client.post(change_url(setup), setup_form_data(setup, **{field: value}))

    message = (
        f"You cannot change {caption} because value entries exist for items with Costing Method "
        "Average."
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [message]
    setup.refresh_from_db()
    assert getattr(setup, field) == InventorySetup._meta.get_field(field).default


def test_average_cost_settings_can_change_without_average_value_entries(admin_client):
    setup = InventorySetupFactory()
    ValueEntryFactory()  # a FIFO item's entry does not lock the average settings

    response = admin_client.post(
        change_url(setup), setup_form_data(setup, average_cost_period=AverageCostPeriod.WEEK)
    )

    assert response.status_code == 302
    setup.refresh_from_db()
    assert setup.average_cost_period == AverageCostPeriod.WEEK


def test_other_setup_fields_can_change_while_average_entries_exist(admin_client):
    setup = InventorySetupFactory()
    ValueEntryFactory(
        item_ledger_entry=ItemLedgerEntryFactory(
            item=ItemFactory(costing_method=CostingMethod.AVERAGE)
        )
    )

    response = admin_client.post(
        change_url(setup), setup_form_data(setup, amount_rounding_precision="0.05")
    )

    assert response.status_code == 302
    setup.refresh_from_db()
    assert setup.amount_rounding_precision == Decimal("0.05")


# --------------------------------------------------------------------------- periods and journals


def test_inventory_period_cannot_be_inserted_before_a_closed_one(admin_client):
    InventoryPeriodFactory(ending_date=datetime.date(2025, 2, 28), closed=True)

    refused = admin_client.post(
        admin_url(InventoryPeriod, "add"), {"ending_date": "2025-01-31", "name": "Jan"}
    )
    accepted = admin_client.post(
        admin_url(InventoryPeriod, "add"), {"ending_date": "2025-03-31", "name": "Mar"}
    )

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["ending_date"] == [
        "You are not allowed to insert an Inventory Period that ends before 2025-02-28."
    ]
    assert accepted.status_code == 302
    assert list(InventoryPeriod.objects.values_list("ending_date", flat=True)) == [
        datetime.date(2025, 2, 28),
        datetime.date(2025, 3, 31),
    ]


def test_inventory_period_close_flag_and_date_are_not_editable(admin_client):
    period = InventoryPeriodFactory(ending_date=datetime.date(2025, 1, 31), name="Jan")

    response = admin_client.post(
        change_url(period), {"ending_date": "2025-12-31", "name": "January", "closed": "on"}
    )

    assert response.status_code == 302
    period.refresh_from_db()
    assert (period.name, period.closed) == ("January", False)
    assert InventoryPeriod.objects.count() == 1


def test_closed_inventory_period_cannot_be_deleted(admin_client):
    closed = InventoryPeriodFactory(ending_date=datetime.date(2025, 1, 31), closed=True)
    open_period = InventoryPeriodFactory(ending_date=datetime.date(2025, 2, 28))

    assert (
        admin_client.post(
            admin_url(InventoryPeriod, "delete", quote(closed.pk)), {"post": "yes"}
        ).status_code
        == 403
    )
    assert (
        admin_client.post(
            admin_url(InventoryPeriod, "delete", quote(open_period.pk)), {"post": "yes"}
        ).status_code
        == 302
    )
    assert list(InventoryPeriod.objects.all()) == [closed]


def test_item_journal_batch_is_edited_with_its_lines(admin_client):
    item = ItemFactory()

    response = admin_client.post(
        admin_url(ItemJournalBatch, "add"),
        {
            "name": "DEFAULT",
            "description": "Default batch",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-line_no": "10000",
            "lines-0-posting_date": "2025-01-15",
            "lines-0-entry_type": "purchase",
            "lines-0-document_no": "P-9",
            "lines-0-item": item.no,
            "lines-0-quantity": "7.5",
            "lines-0-unit_amount": "1.1",
            "lines-0-applies_to_entry": "0",
            "lines-0-applies_from_entry": "0",
        },
    )

    assert response.status_code == 302
    batch = ItemJournalBatch.objects.get(name="DEFAULT")
    line = batch.lines.get()
    assert (line.item_id, line.quantity, line.unit_amount) == (
        item.no,
        Decimal("7.5"),
        Decimal("1.1"),
    )
    page = admin_client.get(change_url(batch)).content.decode()
    assert 'name="lines-0-quantity"' in page
    assert 'class="vForeignKeyRawIdAdminField"' in page  # no select of every item


def test_revaluation_value_entry_kind_is_filterable(admin_client, ledger):
    revaluation = ValueEntryFactory(
        item_ledger_entry=ledger["purchase"],
        entry_type=ValueEntryType.REVALUATION,
        cost_amount_actual=Decimal("3"),
        valued_quantity=Decimal(10),
    )

    response = admin_client.get(
        admin_url(ValueEntry, "changelist"), {"entry_type__exact": "revaluation"}
    )

    assert result_pks(response) == [revaluation.pk]
