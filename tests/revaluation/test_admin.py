"""The revaluation admin: editable batches, view-only lines and posted history."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from inventory.models import ValueEntry
from revaluation.models import (
    PostedRevaluation,
    PostedRevaluationLine,
    RevaluationBatch,
    RevaluationLine,
)
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.lines import line_edit
from revaluation.services.posting import revaluation_batch_post
from tests.factories import RevaluationBatchFactory
from tests.posting import day

pytestmark = pytest.mark.django_db


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:revaluation_{model._meta.model_name}_{view}", args=args)


def calculate(per: str = "item", batch: str = "REVAL") -> list[RevaluationLine]:
    return list(
        calculate_inventory_value(
            batch_name=batch,
            options=CalculateOptions(posting_date=day(4), document_no="REV-1", per=per),
        )
    )


@pytest.fixture
def lines(scenario_a) -> list[RevaluationLine]:
    return calculate(per="entry")


@pytest.fixture
def posted(scenario_a) -> PostedRevaluation:
    """The spec's per-item line revalued to 14 and posted: value entries 5 and 6."""
    [line] = calculate()
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="14")
    calculate(per="entry", batch="OTHER")  # lines of another batch stay
    return revaluation_batch_post(batch_name="REVAL")


# --------------------------------------------------------------------------- batches


def test_batch_list_shows_the_line_count(admin_client, lines):
    RevaluationBatchFactory(name="EMPTY")

    response = admin_client.get(admin_url(RevaluationBatch, "changelist"))

    assert response.status_code == 200
    counts = {batch.name: batch.line_count for batch in response.context["cl"].result_list}
    assert counts == {"EMPTY": 0, "REVAL": 2}


def test_batch_can_be_added_and_edited_but_not_renamed(admin_client, setup):
    response = admin_client.post(
        admin_url(RevaluationBatch, "add"),
        {
            "name": "YEAR-END",
            "description": "Year-end revaluation",
            "last_document_no": "REV-0000",
            "reason_code": "NRV",
        },
    )
    assert response.status_code == 302
    batch = RevaluationBatch.objects.get()
    assert (batch.description, batch.next_document_no, batch.reason_code) == (
        "Year-end revaluation",
        "REV-0001",
        "NRV",
    )

    response = admin_client.post(
        admin_url(RevaluationBatch, "change", "YEAR-END"),
        {"name": "OTHER", "description": "Changed", "last_document_no": "", "reason_code": ""},
    )
    assert response.status_code == 302
    assert list(RevaluationBatch.objects.values_list("name", "description")) == [
        ("YEAR-END", "Changed")
    ]


def test_batch_page_links_to_its_lines(admin_client, lines):
    response = admin_client.get(admin_url(RevaluationBatch, "change", "REVAL"))

    lines_url = admin_url(RevaluationLine, "changelist") + "?batch__name__exact=REVAL"
    assert f'<a href="{lines_url}">2 lines</a>' in response.content.decode()
    listed = admin_client.get(lines_url)
    assert [line.line_no for line in listed.context["cl"].result_list] == [10000, 20000]


# --------------------------------------------------------------------------- journal lines


def test_lines_are_visible(admin_client, lines):
    response = admin_client.get(admin_url(RevaluationLine, "changelist"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 2

    response = admin_client.get(admin_url(RevaluationLine, "change", lines[0].pk))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False


def test_lines_cannot_be_added_changed_or_deleted(admin_client, lines):
    line = lines[0]

    assert admin_client.get(admin_url(RevaluationLine, "add")).status_code == 403
    assert admin_client.post(admin_url(RevaluationLine, "delete", line.pk)).status_code == 403
    response = admin_client.post(
        admin_url(RevaluationLine, "change", line.pk),
        {"unit_cost_revalued": "99", "inventory_value_revalued": "1", "amount": "5"},
    )
    assert response.status_code == 403
    line.refresh_from_db()
    assert (line.unit_cost_revalued, line.amount, line.version) == (D("10"), 0, 1)
    assert RevaluationLine.objects.count() == 2


def test_line_changelist_has_no_bulk_delete(admin_client, lines):
    response = admin_client.get(admin_url(RevaluationLine, "changelist"))

    assert response.context["cl"].model_admin.get_actions(response.wsgi_request) == {}


def test_line_filters_and_search(admin_client, lines):
    calculate(per="item", batch="OTHER")
    url = admin_url(RevaluationLine, "changelist")

    by_batch = admin_client.get(url, {"batch__name__exact": "OTHER"})
    per_item = admin_client.get(url, {"inventory_value_per__exact": "item"})
    search = admin_client.get(url, {"q": "A"})

    assert [line.batch_id for line in by_batch.context["cl"].result_list] == ["OTHER"]
    assert [line.batch_id for line in per_item.context["cl"].result_list] == ["OTHER"]
    assert len(search.context["cl"].result_list) == 3


# --------------------------------------------------------------------------- posted history


@pytest.mark.parametrize("model", [PostedRevaluation, PostedRevaluationLine])
def test_posted_history_is_view_only(admin_client, posted, model):
    row = posted if model is PostedRevaluation else posted.lines.get()

    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    page = admin_client.get(admin_url(model, "change", row.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert admin_client.get(admin_url(model, "add")).status_code == 403
    assert admin_client.post(admin_url(model, "delete", row.pk)).status_code == 403
    assert admin_client.post(admin_url(model, "change", row.pk), {}).status_code == 403
    assert model.objects.count() == 1


def test_posted_revaluation_links_to_its_register_and_value_entries(admin_client, posted):
    response = admin_client.get(admin_url(PostedRevaluation, "change", posted.pk))
    html = response.content.decode()

    register_url = reverse("admin:inventory_itemregister_change", args=[posted.item_register_id])
    entries_url = (
        reverse("admin:inventory_valueentry_changelist")
        + f"?item_register__no__exact={posted.item_register_id}"
    )
    assert f'<a href="{register_url}">{posted.item_register_id}</a>' in html
    assert f'<a href="{entries_url}">Value entries</a>' in html
    assert "40.00" in html  # the total amount, exactly
    # the inline shows the posted line, read-only
    assert response.context["inline_admin_formsets"][0].formset.queryset.get().amount == D("40.00")

    entries = admin_client.get(entries_url)
    assert entries.status_code == 200
    assert sorted(entry.pk for entry in entries.context["cl"].result_list) == [5, 6]
    assert all(entry.entry_type == "revaluation" for entry in entries.context["cl"].result_list)
    assert ValueEntry.objects.count() == 6  # the link does filter


def test_posted_revaluation_filters_search_and_date_hierarchy(admin_client, posted):
    url = admin_url(PostedRevaluation, "changelist")

    assert len(admin_client.get(url, {"q": "REV-1"}).context["cl"].result_list) == 1
    assert len(admin_client.get(url, {"q": "NOPE"}).context["cl"].result_list) == 0
    assert len(admin_client.get(url, {"batch_name": "REVAL"}).context["cl"].result_list) == 1
    by_year = admin_client.get(url, {"posting_date__year": "2025"})
    assert len(by_year.context["cl"].result_list) == 1

    lines_url = admin_url(PostedRevaluationLine, "changelist")
    by_batch = admin_client.get(lines_url, {"posted__batch_name": "REVAL"})
    assert [line.item_no for line in by_batch.context["cl"].result_list] == ["A"]
    assert len(admin_client.get(lines_url, {"q": "A"}).context["cl"].result_list) == 1
