"""The item journal pages: permissions, htmx and plain-form flows, validation, posting."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from inventory.models import (
    ItemJournalBatch,
    ItemJournalEntryType,
    ItemJournalLine,
    ItemLedgerEntry,
    ItemRegister,
    ValueEntry,
)
from tests.factories import (
    AccountantFactory,
    ItemFactory,
    ItemJournalBatchFactory,
    ItemJournalLineFactory,
    ItemVariantFactory,
    LocationFactory,
    UserFactory,
)
from tests.markup import by_id, texts_by_class

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def batch():
    return ItemJournalBatchFactory(name="DEFAULT", description="Default journal")


@pytest.fixture
def item():
    return ItemFactory(no="1000", description="Bicycle")


def detail_url(batch):
    return reverse("item-journal-detail", args=[batch.name])


def line_data(item, /, **overrides):
    data = {
        "posting_date": "2025-01-15",
        "entry_type": ItemJournalEntryType.PURCHASE,
        "document_no": "P-1",
        "item": item.no,
        "location_code": "",
        "variant_code": "",
        "quantity": "10",
        "invoiced_quantity": "",
        "unit_amount": "10.00",
        "applies_to_entry": "",
        "applies_from_entry": "",
        "new_location_code": "",
        "description": "",
    }
    data.update(overrides)
    return data


def html_id(content: bytes, element_id: str) -> bool:
    return f'id="{element_id}"' in content.decode()


# --------------------------------------------------------------------------- access


@pytest.mark.parametrize("name", ["item-journal-list", "item-journal-detail"])
def test_pages_require_login(client, batch, name):
    url = reverse(name, args=[batch.name] if name == "item-journal-detail" else [])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_post_requires_login_and_changes_nothing(client, batch, item):
    url = reverse("item-journal-line-create", args=[batch.name])
    response = client.post(url, line_data(item))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not ItemJournalLine.objects.exists()


def test_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b"csrfmiddlewaretoken" in response.content


def test_viewer_sees_lines_but_no_forms(viewer_client, batch):
    line = ItemJournalLineFactory(batch=batch, line_no=10000)
    response = viewer_client.get(detail_url(batch))
    assert response.status_code == 200
    content = response.content.decode()
    assert f'id="line-{line.pk}"' in content
    main = content.split("<main", 1)[1]
    assert 'method="post"' not in main
    assert "hx-post" not in main
    assert 'id="line-add-form"' not in content
    assert "item-journal-post" not in content
    assert reverse("item-journal-post", args=[batch.name]) not in content
    assert reverse("item-journal-line-delete", args=[batch.name, line.pk]) not in content
    assert reverse("item-journal-line-edit", args=[batch.name, line.pk]) not in content
    assert "Only members of the Accountant group" in content

    response = viewer_client.get(reverse("item-journal-list"))
    assert 'id="batch-form"' not in response.content.decode()


def test_viewer_gets_403_on_every_change(viewer_client, batch, item):
    line = ItemJournalLineFactory(batch=batch, line_no=10000, item=item)
    requests = [
        ("post", reverse("item-journal-batch-create"), {"name": "NEW"}),
        ("post", reverse("item-journal-line-create", args=[batch.name]), line_data(item)),
        (
            "post",
            reverse("item-journal-line", args=[batch.name, line.pk]),
            line_data(item, quantity="5"),
        ),
        ("get", reverse("item-journal-line-edit", args=[batch.name, line.pk]), {}),
        ("post", reverse("item-journal-line-delete", args=[batch.name, line.pk]), {}),
        ("post", reverse("item-journal-post", args=[batch.name]), {}),
    ]
    for method, url, data in requests:
        for headers in ({}, HTMX):
            response = getattr(viewer_client, method)(url, data, headers=headers)
            assert response.status_code == 403, (method, url, headers)
    line.refresh_from_db()
    assert line.quantity == 10
    assert ItemJournalLine.objects.count() == 1
    assert not ItemJournalBatch.objects.filter(name="NEW").exists()
    assert not ItemRegister.objects.exists()


def test_migration_creates_the_accountant_group_with_journal_permissions():
    group = Group.objects.get(name="Accountant")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {
        "add_itemjournalline",
        "change_itemjournalline",
        "delete_itemjournalline",
        "add_itemjournalbatch",
        "view_itemledgerentry",
        "view_valueentry",
    } <= codenames


def test_superuser_may_edit(client, batch, item):
    """A superuser outside the Accountant group adds a line like an accountant."""
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.post(reverse("item-journal-line-create", args=[batch.name]), line_data(item))
    assert response.status_code == 302
    [line] = ItemJournalLine.objects.all()
    assert (line.batch, line.item, line.document_no, line.quantity, line.unit_amount) == (
        batch,
        item,
        "P-1",
        Decimal(10),
        Decimal(10),
    )


def test_changes_need_post(accountant_client, batch):
    response = accountant_client.get(reverse("item-journal-post", args=[batch.name]))
    assert response.status_code == 405


def test_csrf_is_enforced(batch, item):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(AccountantFactory())
    response = csrf_client.post(
        reverse("item-journal-line-create", args=[batch.name]), line_data(item)
    )
    assert response.status_code == 403
    assert not ItemJournalLine.objects.exists()


def test_layout_has_htmx_csrf_header_and_422_swap_config(accountant_client, batch):
    content = accountant_client.get(detail_url(batch)).content.decode()
    assert "django_htmx/htmx-2.min.js" in content
    assert """hx-headers='{"x-csrftoken": \"""" in content
    assert '{"code":"422","swap":true}' in content
    assert f'action="{reverse("logout")}"' in content


# --------------------------------------------------------------------------- batches


def test_batch_list_shows_batches_with_line_counts(accountant_client, batch):
    ItemJournalLineFactory.create_batch(2, batch=batch)
    response = accountant_client.get(reverse("item-journal-list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert detail_url(batch) in content
    assert texts_by_class(content, "td", "num") == ["2"]
    assert 'id="batch-form"' in content


def test_create_batch_plain_post_redirects(accountant_client):
    response = accountant_client.post(
        reverse("item-journal-batch-create"), {"name": "week-1", "description": "Week 1"}
    )
    batch = ItemJournalBatch.objects.get()
    assert batch.name == "WEEK-1"
    assert batch.description == "Week 1"
    assert response.status_code == 302
    assert response["Location"] == detail_url(batch)


def test_create_batch_htmx_redirects_client(accountant_client):
    response = accountant_client.post(
        reverse("item-journal-batch-create"), {"name": "B2"}, headers=HTMX
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("item-journal-detail", args=["B2"])


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "This field is required."), ("a b", "Use 1 to 20 capital letters A-Z, digits")],
)
def test_create_batch_invalid_htmx(accountant_client, name, message):
    response = accountant_client.post(
        reverse("item-journal-batch-create"), {"name": name}, headers=HTMX
    )
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#batch-form"
    content = response.content.decode()
    assert content.lstrip().startswith('<form id="batch-form"')
    assert 'id="id_name_error"' in content
    assert message in content
    assert not ItemJournalBatch.objects.exists()


def test_create_batch_duplicate_plain(accountant_client, batch):
    response = accountant_client.post(reverse("item-journal-batch-create"), {"name": "default"})
    assert response.status_code == 422
    assert "A batch named DEFAULT already exists." in response.content.decode()


# --------------------------------------------------------------------------- the journal page


def test_journal_page_shows_lines_and_columns(accountant_client, batch, item):
    line = ItemJournalLineFactory(
        batch=batch,
        line_no=10000,
        item=item,
        quantity=Decimal("2.5"),
        invoiced_quantity=Decimal("0"),
        unit_amount=Decimal("12.3456"),
        applies_to_entry=0,
        description="Frames",
    )
    response = accountant_client.get(detail_url(batch))
    assert response.status_code == 200
    content = response.content.decode()
    for label in (
        "Line No.",
        "Posting Date",
        "Entry Type",
        "Document No.",
        "Item No.",
        "Location Code",
        "Variant Code",
        "Quantity",
        "Invoiced Quantity",
        "Unit Amount",
        "Applies-to Entry",
        "Applies-from Entry",
        "New Location Code",
        "Description",
    ):
        assert f">{label}</th>" in content
    row = content.split(f'id="line-{line.pk}"', 1)[1].split("</tr>", 1)[0]
    assert ">10000" in row.replace(" ", "").replace("\n", "")
    assert "2.5" in row
    assert "12.3456" in row
    assert "Purchase" in row
    assert "Frames" in row
    assert 'id="line-add"' in content
    assert 'id="post-button"' in content


def test_unknown_batch_is_404(accountant_client):
    assert accountant_client.get(reverse("item-journal-detail", args=["NOPE"])).status_code == 404


def test_new_line_defaults_to_previous_line(accountant_client, batch, item):
    ItemJournalLineFactory(
        batch=batch, line_no=20000, posting_date=datetime.date(2025, 3, 4), document_no="D-7"
    )
    ItemJournalLineFactory(
        batch=batch, line_no=10000, posting_date=datetime.date(2025, 1, 1), document_no="D-1"
    )
    content = accountant_client.get(detail_url(batch)).content.decode()
    add_row = content.split('id="line-add"', 1)[1]
    assert 'value="2025-03-04"' in add_row
    assert 'value="D-7"' in add_row
    assert "30000" in add_row


def test_new_line_defaults_to_today_in_empty_batch(accountant_client, batch):
    content = accountant_client.get(detail_url(batch)).content.decode()
    add_row = content.split('id="line-add"', 1)[1]
    assert f'value="{timezone.localdate().isoformat()}"' in add_row
    assert "10000" in add_row
    assert "There are no lines in this batch." in content
    assert "disabled" in by_id(content, "post-button").attrs


def test_journal_page_query_count_does_not_grow_with_lines(
    accountant_client, batch, django_assert_max_num_queries
):
    ItemJournalLineFactory(batch=batch)
    with django_assert_max_num_queries(13):  # 10 and the session's renewal (3)
        assert accountant_client.get(detail_url(batch)).status_code == 200
    for _ in range(30):
        ItemJournalLineFactory(batch=batch, item=ItemFactory())
    with django_assert_max_num_queries(13):  # 10 and the session's renewal (3)
        response = accountant_client.get(detail_url(batch))
    assert response.content.decode().count('<tr id="line-') == 31


# --------------------------------------------------------------------------- add


def test_add_line_plain_post_redirects(accountant_client, batch, item):
    location = LocationFactory(code="BLUE")
    variant = ItemVariantFactory(item=item, code="RED")
    response = accountant_client.post(
        reverse("item-journal-line-create", args=[batch.name]),
        line_data(
            item,
            quantity="0.1",
            invoiced_quantity="0.1",
            unit_amount="3.3333333333",
            location_code="blue",
            variant_code=variant.code,
            applies_to_entry="7",
            description="First",
        ),
    )
    line = ItemJournalLine.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{detail_url(batch)}#line-{line.pk}"
    assert line.line_no == 10000
    assert line.posting_date == datetime.date(2025, 1, 15)
    assert line.item == item
    assert line.location_code == location.code
    assert line.variant_code == "RED"
    assert line.quantity == Decimal("0.1")
    assert line.invoiced_quantity == Decimal("0.1")
    assert line.unit_amount == Decimal("3.3333333333")
    assert line.applies_to_entry == 7
    assert line.applies_from_entry == 0
    assert line.description == "First"


def test_add_line_htmx_returns_the_table(accountant_client, batch, item):
    ItemJournalLineFactory(batch=batch, line_no=10000)
    response = accountant_client.post(
        reverse("item-journal-line-create", args=[batch.name]),
        line_data(item, invoiced_quantity="0"),
        headers=HTMX,
    )
    assert response.status_code == 200
    line = ItemJournalLine.objects.get(line_no=20000)
    assert line.invoiced_quantity == 0
    assert line.unit_amount == Decimal("10.00")
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="journal-table"')
    assert f'id="line-{line.pk}"' in content
    assert 'id="line-add"' in content
    assert "<html" not in content
    assert "30000" in content.split('id="line-add"', 1)[1]
    assert "autofocus" in content.split('id="line-add"', 1)[1]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("item", "", "This field is required."),
        ("item", "NOSUCH", "There is no item NOSUCH."),
        ("posting_date", "", "This field is required."),
        ("posting_date", "2025-02-30", "Enter a valid date."),
        ("document_no", "", "This field is required."),
        ("quantity", "", "This field is required."),
        ("quantity", "abc", "abc&#x27; is not a plain number"),
        ("quantity", "NaN", "NaN&#x27; is not a plain number"),
        ("quantity", "1e30", "1e30&#x27; is not a plain number"),
        ("quantity", "1.123456", "1.123456 has more than 5 decimals."),
        ("quantity", "0", "Enter a quantity other than 0."),
        ("quantity", "1" + "0" * 16, "10000000000000000 is too large"),
        ("unit_amount", "-1", "Ensure this value is greater than or equal to 0."),
        ("unit_amount", "1,5", "1,5&#x27; is not a plain number"),
        ("entry_type", "gift", "Select a valid choice."),
        ("location_code", "MARS", "There is no location MARS."),
        ("variant_code", "XX", "Item 1000 has no variant XX."),
        ("applies_to_entry", "-3", "-3&#x27; is not a whole number of 0 or more."),
    ],
)
def test_add_line_invalid_htmx_shows_message_at_field(
    accountant_client, batch, item, field, value, message
):
    response = accountant_client.post(
        reverse("item-journal-line-create", args=[batch.name]),
        line_data(item, **{field: value}),
        headers=HTMX,
    )
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#line-add"
    assert response["HX-Reswap"] == "outerHTML"
    content = response.content.decode()
    assert content.lstrip().startswith('<tfoot id="line-add"')
    cell = content.split(f'id="new-line-{field}"', 1)[1].split("</td>", 1)[0]
    assert f'id="new-line-{field}_error"' in cell
    assert message in cell
    assert by_id(content, f"new-line-{field}").attrs["aria-invalid"] == "true"
    assert not ItemJournalLine.objects.exists()


def test_add_line_invalid_keeps_typed_text(accountant_client, batch, item):
    response = accountant_client.post(
        reverse("item-journal-line-create", args=[batch.name]),
        line_data(item, quantity="12..5"),
        headers=HTMX,
    )
    assert 'value="12..5"' in response.content.decode()


def test_add_line_zero_quantity_refused_even_with_invoiced_quantity(accountant_client, batch, item):
    response = accountant_client.post(
        reverse("item-journal-line-create", args=[batch.name]),
        line_data(item, quantity="0", invoiced_quantity="5"),
    )
    assert response.status_code == 422
    assert "Enter a quantity other than 0." in response.content.decode()
    assert not ItemJournalLine.objects.exists()


def test_add_line_invalid_plain_renders_page_with_message(accountant_client, batch, item):
    response = accountant_client.post(
        reverse("item-journal-line-create", args=[batch.name]), line_data(item, quantity="x")
    )
    assert response.status_code == 422
    content = response.content.decode()
    assert "<html" in content
    assert 'id="new-line-quantity_error"' in content
    assert "is not a plain number" in content
    assert not ItemJournalLine.objects.exists()


# --------------------------------------------------------------------------- edit


def test_edit_row_htmx_returns_row_form(accountant_client, batch, item):
    line = ItemJournalLineFactory(batch=batch, item=item, quantity=Decimal("10.00000"))
    response = accountant_client.get(
        reverse("item-journal-line-edit", args=[batch.name, line.pk]), headers=HTMX
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith(f'<tr id="line-{line.pk}" class="row-editing"')
    assert f'id="line-{line.pk}-form"' in content
    assert f'form="line-{line.pk}-form"' in content
    assert f'id="line-{line.pk}-quantity"' in content
    assert 'value="10"' in content  # no trailing zeros
    assert "<html" not in content


def test_edit_row_without_htmx_renders_page_in_edit_mode(accountant_client, batch, item):
    line = ItemJournalLineFactory(batch=batch, item=item)
    other = ItemJournalLineFactory(batch=batch, item=item)
    response = accountant_client.get(reverse("item-journal-line-edit", args=[batch.name, line.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" in content
    assert f'id="line-{line.pk}-form"' in content
    assert f'id="line-{other.pk}-form"' not in content


def test_cancel_edit_returns_display_row(accountant_client, batch, item):
    line = ItemJournalLineFactory(batch=batch, item=item)
    url = reverse("item-journal-line", args=[batch.name, line.pk])
    response = accountant_client.get(url, headers=HTMX)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith(f'<tr id="line-{line.pk}">')
    response = accountant_client.get(url)
    assert response.status_code == 302


def test_update_line_htmx_returns_row(accountant_client, batch, item):
    line = ItemJournalLineFactory(batch=batch, item=item, line_no=10000)
    other_item = ItemFactory(no="2000")
    response = accountant_client.post(
        reverse("item-journal-line", args=[batch.name, line.pk]),
        line_data(other_item, quantity="7.25", entry_type="sale", unit_amount=""),
        headers=HTMX,
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith(f'<tr id="line-{line.pk}">')
    assert "row-editing" not in content
    assert "7.25" in content
    line.refresh_from_db()
    assert line.item_id == "2000"
    assert line.quantity == Decimal("7.25")
    assert line.entry_type == "sale"
    assert line.unit_amount is None
    assert line.line_no == 10000


def test_update_line_plain_post_redirects(accountant_client, batch, item):
    line = ItemJournalLineFactory(batch=batch, item=item)
    response = accountant_client.post(
        reverse("item-journal-line", args=[batch.name, line.pk]), line_data(item, quantity="3")
    )
    assert response.status_code == 302
    assert response["Location"] == f"{detail_url(batch)}#line-{line.pk}"
    line.refresh_from_db()
    assert line.quantity == 3


def test_update_line_invalid_htmx_shows_message_at_field(accountant_client, batch, item):
    line = ItemJournalLineFactory(batch=batch, item=item)
    response = accountant_client.post(
        reverse("item-journal-line", args=[batch.name, line.pk]),
        line_data(item, quantity="ten"),
        headers=HTMX,
    )
    assert response.status_code == 422
    content = response.content.decode()
    assert content.lstrip().startswith(f'<tr id="line-{line.pk}" class="row-editing"')
    assert f'id="line-{line.pk}-quantity_error"' in content
    assert "is not a plain number" in content
    assert 'value="ten"' in content
    line.refresh_from_db()
    assert line.quantity == 10


def test_update_line_invalid_plain_renders_page(accountant_client, batch, item):
    line = ItemJournalLineFactory(batch=batch, item=item)
    response = accountant_client.post(
        reverse("item-journal-line", args=[batch.name, line.pk]), line_data(item, item="")
    )
    assert response.status_code == 422
    content = response.content.decode()
    assert "<html" in content
    assert f'id="line-{line.pk}-item_error"' in content


def test_line_of_another_batch_is_404(accountant_client, batch, item):
    line = ItemJournalLineFactory(batch=ItemJournalBatchFactory(name="OTHER"), item=item)
    url = reverse("item-journal-line", args=[batch.name, line.pk])
    assert accountant_client.post(url, line_data(item)).status_code == 404
    url = reverse("item-journal-line-edit", args=[batch.name, line.pk])
    assert accountant_client.get(url).status_code == 404


# --------------------------------------------------------------------------- delete


def test_delete_line_htmx_returns_table(accountant_client, batch, item):
    keep = ItemJournalLineFactory(batch=batch, item=item, line_no=10000)
    line = ItemJournalLineFactory(batch=batch, item=item, line_no=20000)
    response = accountant_client.post(
        reverse("item-journal-line-delete", args=[batch.name, line.pk]), headers=HTMX
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="journal-table"')
    assert f'id="line-{line.pk}"' not in content
    assert f'id="line-{keep.pk}"' in content
    assert list(ItemJournalLine.objects.values_list("pk", flat=True)) == [keep.pk]


def test_delete_line_plain_post_redirects(accountant_client, batch, item):
    line = ItemJournalLineFactory(batch=batch, item=item)
    response = accountant_client.post(
        reverse("item-journal-line-delete", args=[batch.name, line.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(batch)
    assert not ItemJournalLine.objects.exists()


# --------------------------------------------------------------------------- post


def test_post_empty_batch_is_refused(accountant_client, batch):
    response = accountant_client.post(reverse("item-journal-post", args=[batch.name]))
    assert response.status_code == 422
    assert "There is nothing to post." in response.content.decode()


def test_post_purchase_creates_entries_and_deletes_lines(accountant_client, batch, item):
    ItemJournalLineFactory(
        batch=batch,
        item=item,
        line_no=10000,
        entry_type=ItemJournalEntryType.PURCHASE,
        quantity=Decimal(10),
        unit_amount=Decimal("10.00"),
        document_no="P-1",
    )
    response = accountant_client.post(reverse("item-journal-post", args=[batch.name]), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(detail_url(batch), 302)]

    register = ItemRegister.objects.get()
    ile = ItemLedgerEntry.objects.get()
    assert ile.entry_no == 1
    assert ile.item_id == item.no
    assert ile.quantity == 10
    value_entry = ValueEntry.objects.get()
    assert value_entry.item_ledger_entry_id == 1
    assert value_entry.cost_amount_actual == Decimal("100.00")
    assert register.journal_batch_name == "DEFAULT"
    assert not ItemJournalLine.objects.exists()

    content = response.content.decode()
    assert f"item register {register.no}, item ledger entry 1." in content
    changelist = reverse("admin:inventory_itemledgerentry_changelist")
    assert f'href="{changelist}?item_register__exact={register.no}"' in content
    assert "There are no lines in this batch." in content


def test_post_htmx_redirects_the_client(accountant_client, batch, item):
    ItemJournalLineFactory(batch=batch, item=item, line_no=10000)
    response = accountant_client.post(reverse("item-journal-post", args=[batch.name]), headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == detail_url(batch)
    assert ItemLedgerEntry.objects.count() == 1
    assert not ItemJournalLine.objects.exists()


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_post_refused_shows_message_at_line_and_writes_nothing(accountant_client, batch, headers):
    ItemJournalLineFactory(batch=batch, item=ItemFactory(no="1000"), line_no=10000)
    blocked = ItemFactory(no="X", blocked=True)
    line = ItemJournalLineFactory(
        batch=batch,
        item=blocked,
        line_no=20000,
        entry_type=ItemJournalEntryType.SALE,
        quantity=Decimal(1),
        unit_amount=None,
    )
    response = accountant_client.post(
        reverse("item-journal-post", args=[batch.name]), headers=headers
    )
    assert response.status_code == 422
    content = response.content.decode()
    message = "You cannot choose Item X because the Blocked check box is selected on its Item card."
    assert 'id="posting-error"' in content
    assert f"Line 20000: {message}" in content
    row = content.split(f'id="line-{line.pk}"', 1)[1].split("</tr>", 1)[0]
    assert f'id="line-{line.pk}-item-error"' in row
    assert message in row
    assert ItemJournalLine.objects.count() == 2
    assert not ItemRegister.objects.exists()
    assert not ItemLedgerEntry.objects.exists()
    assert not ValueEntry.objects.exists()
    if headers:
        assert content.lstrip().startswith('<section id="journal-table"')
    else:
        assert "<html" in content


@pytest.mark.django_db(transaction=True)
def test_post_commits_through_the_append_only_triggers(client):
    """The same post outside a wrapping test transaction: commit-time checks run for real."""
    client.force_login(AccountantFactory())
    batch = ItemJournalBatchFactory(name="REAL")
    ItemJournalLineFactory(batch=batch, item=ItemFactory(no="1000"), line_no=10000)
    response = client.post(reverse("item-journal-post", args=[batch.name]))
    assert response.status_code == 302
    assert ItemLedgerEntry.objects.get().entry_no == 1
    assert ValueEntry.objects.get().cost_amount_actual == Decimal("100.00")
    assert not ItemJournalLine.objects.filter(batch=batch).exists()
