"""Drill-downs: how a journal line's Quantity and Inventory Value (Calculated) come about, and
how each valuation report figure is made (issue 12 part 4)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from revaluation.explain import line_explanation
from revaluation.models import RevaluationBatch
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from tests.posting import day

pytestmark = pytest.mark.django_db


def calculate(on, per="item", batch="EXPLAIN"):
    RevaluationBatch.objects.get_or_create(name=batch)
    return calculate_inventory_value(
        batch_name=batch,
        options=CalculateOptions(posting_date=on, document_no="X-1", per=per),
        confirm_duplicates=True,
    )


def test_per_item_line_is_the_sum_of_its_entries(scenario_a):
    [line] = calculate(day(4))
    explanation = line_explanation(line=line)
    assert explanation.matches
    # P-1: 10 received, 5 sold on D3 (the sale of D5 is after the date); P-2: 10 untouched
    assert [(e.entry.entry_no, e.entry.remaining, e.entry.value) for e in explanation.entries] == [
        (1, 5, 50),
        (2, 10, 120),
    ]
    first = explanation.entries[0]
    assert [(a.posting_date, a.quantity) for a in first.applications] == [
        (day(1), 10),
        (day(3), -5),
    ]
    assert first.terms == ["5 / 10 × 100"]
    assert (explanation.quantity, explanation.inventory_value) == (15, D("170.00"))


def test_revaluations_are_terms_of_the_entry_value(scenario_a_adjusted):
    # after the revaluation to 14.00 on D4 (+20.00 on each entry) and the sale of 8 on D5
    [line] = calculate(day(5))
    explanation = line_explanation(line=line)
    [entry] = explanation.entries
    assert entry.entry.entry_no == 2
    assert entry.terms == ["7 / 10 × 120", "7 / 10 × 20"]
    assert (explanation.quantity, explanation.inventory_value) == (7, D("98.00"))
    assert explanation.matches


def test_explain_page_fills_in_the_formula(viewer_client, scenario_a):
    [line] = calculate(day(4))
    url = reverse("revaluation-line-explain", args=["EXPLAIN", line.pk])
    page = " ".join(viewer_client.get(url).content.decode().split())
    assert "= 5 + 10 = <strong>15</strong>" in page
    assert "= R(50.00 + 120.00) = <strong>170.00</strong>" in page
    assert "Value = 5 / 10 × 100 = <strong>50.00</strong>" in page
    assert "The ledger has changed" not in page


def test_explain_says_when_the_ledger_changed(viewer_client, scenario_a):
    [line] = calculate(day(6))  # after both sales: 7 left of P-2
    line.quantity = D("8")
    line.save(update_fields=["quantity"])
    url = reverse("revaluation-line-explain", args=["EXPLAIN", line.pk])
    page = " ".join(viewer_client.get(url).content.decode().split())
    assert "recalculated now, Quantity is 7 and Inventory Value (Calculated) 84.00" in page


def test_grid_links_the_calculated_cells_to_the_drill_down(viewer_client, scenario_a):
    [line] = calculate(day(4))
    url = reverse("revaluation-line-explain", args=["EXPLAIN", line.pk])
    page = viewer_client.get(reverse("revaluation-journal-detail", args=["EXPLAIN"]))
    assert page.content.decode().count(f'href="{url}"') == 2


def test_valuation_drill_down_shows_the_formulas(viewer_client, scenario_a):
    url = reverse("inventory-valuation-entries")
    params = {"ending_date": "2025-01-31", "item": "A", "bucket": "decreases"}
    page = " ".join(viewer_client.get(url, params).content.decode().split())
    # the two sales: 5 x 10.00 and 8 x (5 x 10.00 + 3 x 12.00) / 8 before adjustment
    assert "<strong>Quantity</strong> = −Σ Invoiced Qty. = −(-13) = <strong>13</strong>" in page
