"""Full impact preview and reversal of a posted revaluation (issue 10 §2, §3).

Scenario A (tests.scenarios): P-1 10 @ 10.00 (entry 1, D1), P-2 10 @ 12.00 (entry 2, D2),
S-1 5 (entry 3, D3, from P-1), S-2 8 (entry 4, D5: 5 from P-1, 3 from P-2). Revalued per item
on D4 to 14.00 a unit: 15 units, 170.00 -> 210.00, +40.00 split +20.00 on P-1 (5 left:
5 x 14 - 50) and +20.00 on P-2 (10 x 14 - 120).

Inventory value before: 220.00 bought - 50.00 (S-1) - 86.00 (S-2: 5 x 10 + 3 x 12) = 84.00;
COGS 136.00. S-2 is dated D5, after the revaluation's D4, so Adjust Cost forwards it
(§7.4 case C): 5 x 4.00 + 3 x 2.00 = 26.00 more cost on S-2 (adjustment -26.00). After:
inventory 84 + 40 - 26 = 98.00 (7 units of P-2 at 14.00), COGS 162.00. The reversal takes
both back: inventory 84.00, COGS 136.00.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.urls import reverse

from inventory.models import (
    CostingMethod,
    GLEntry,
    InventoryPeriod,
    InventorySetup,
    ItemLedgerEntryType,
    ValueEntry,
)
from inventory.services.adjustment import adjust_cost_item_entries
from revaluation.exceptions import RevaluationError
from revaluation.models import PostedRevaluation, PostedRevaluationLine, UserPreference
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from revaluation.services.lines import line_edit
from revaluation.services.posting import revaluation_batch_post, revaluation_batch_preview
from revaluation.services.reversal import posted_revaluation_reverse
from revaluation.views import posting as views
from tests.factories import ItemFactory
from tests.markup import text_of
from tests.posting import day, jline, post

COMPARED = (
    "entry_no",
    "item_ledger_entry_id",
    "entry_type",
    "posting_date",
    "valuation_date",
    "valued_quantity",
    "cost_amount_actual",
    "cost_amount_expected",
    "cost_per_unit",
    "partial_revaluation",
    "adjustment",
    "document_no",
)


def inventory_value() -> D:
    return ValueEntry.objects.aggregate(v=Sum("cost_amount_actual"))["v"]


def cogs() -> D:
    sales = ValueEntry.objects.filter(item_ledger_entry_type=ItemLedgerEntryType.SALE)
    return -sales.aggregate(v=Sum("cost_amount_actual"))["v"]


def prepare(batch="R", on=4, unit_cost="14", document_no="REV-1") -> None:
    [line] = calculate_inventory_value(
        batch_name=batch,
        options=CalculateOptions(posting_date=day(on), document_no=document_no, per="item"),
    )
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value=unit_cost)


@pytest.fixture
def adjusted_a(scenario_a):
    adjust_cost_item_entries()
    assert (inventory_value(), cogs()) == (D("84.00"), D("136.00"))
    return scenario_a


@pytest.fixture
def revalued(adjusted_a) -> PostedRevaluation:
    prepare()
    posted = revaluation_batch_post(batch_name="R")
    adjust_cost_item_entries()
    assert (inventory_value(), cogs()) == (D("98.00"), D("162.00"))
    return posted


def rows(entries) -> list[tuple]:
    return [tuple(entry[name] for name in COMPARED) for entry in entries]


def test_preview_shows_the_value_entries_and_the_cogs_change(adjusted_a):
    prepare()
    impact = revaluation_batch_preview(batch_name="R").impact
    [line] = impact.lines
    assert [(e["item_ledger_entry_id"], e["cost_amount_actual"]) for e in line.value_entries] == [
        (1, D("20.00")),
        (2, D("20.00")),
    ]
    [s2] = impact.adjusted
    assert (s2.entry_no, s2.entry_type, s2.cost_change, s2.cogs_change) == (
        4,
        ItemLedgerEntryType.SALE,
        D("-26.00"),
        D("26.00"),
    )
    assert (impact.revaluation_amount, impact.cogs_change, impact.inventory_value_change) == (
        D("40.00"),
        D("26.00"),
        D("14.00"),
    )
    # Automatic Cost Posting is off: what Post Inventory Cost to G/L would then write (§10.2):
    # the revaluation of the two purchases against Inventory Adjmt., S-2's cost against COGS.
    assert sorted((e["role"], e["amount"]) for e in impact.gl_entries) == [
        ("cogs", D("26.00")),
        ("inventory", D("-26.00")),
        ("inventory", D("20.00")),
        ("inventory", D("20.00")),
        ("inventory_adjmt", D("-20.00")),
        ("inventory_adjmt", D("-20.00")),
    ]
    assert (inventory_value(), cogs()) == (D("84.00"), D("136.00"))  # nothing written
    assert not GLEntry.objects.exists()


def test_preview_equals_what_posting_and_adjust_cost_write(adjusted_a):
    prepare()
    impact = revaluation_batch_preview(batch_name="R").impact
    posted = revaluation_batch_post(batch_name="R")
    last_posted = posted.item_register.to_value_entry_no
    adjust_cost_item_entries()
    posted_entries = ValueEntry.objects.filter(item_register=posted.item_register).order_by(
        "entry_no"
    )
    adjustments = ValueEntry.objects.filter(entry_no__gt=last_posted).order_by("entry_no")
    assert rows(impact.lines[0].value_entries) == rows(posted_entries.values(*COMPARED))
    assert rows(impact.adjustment_entries) == rows(adjustments.values(*COMPARED))
    assert len(impact.adjustment_entries) == 1


def test_preview_shows_the_gl_entries_automatic_cost_posting_writes(adjusted_a):
    InventorySetup.objects.filter(pk=1).update(automatic_cost_posting=True)
    prepare()
    impact = revaluation_batch_preview(batch_name="R").impact
    assert not GLEntry.objects.exists()  # the dry run's G/L entries were rolled back
    revaluation_batch_post(batch_name="R")
    adjust_cost_item_entries()
    posted = GLEntry.objects.order_by("entry_no").values_list("account_id", "role", "amount")
    previewed = [(e["account_no"], e["role"], e["amount"]) for e in impact.gl_entries]
    assert previewed == list(posted)
    assert sum(amount for _, _, amount in previewed) == 0
    assert len(previewed) == 6


def test_reversal_brings_inventory_value_and_cogs_back(revalued):
    reversal = posted_revaluation_reverse(posted_id=revalued.pk, posting_date=day(6))
    assert (reversal.document_no, reversal.total_amount, reversal.reverses) == (
        "RREV-1",
        D("-40.00"),
        revalued,
    )
    assert revalued.reversed_by == reversal
    mirrored = ValueEntry.objects.filter(item_register=reversal.item_register).order_by("entry_no")
    originals = ValueEntry.objects.filter(item_register=revalued.item_register).order_by("entry_no")
    assert [
        (v.item_ledger_entry_id, v.cost_amount_actual, v.valued_quantity, v.valuation_date)
        for v in mirrored
    ] == [
        (v.item_ledger_entry_id, -v.cost_amount_actual, v.valued_quantity, v.valuation_date)
        for v in originals
    ]
    assert {v.posting_date for v in mirrored} == {day(6)}
    assert (inventory_value(), cogs()) == (D("58.00"), D("162.00"))  # 98 - 40, before adjusting
    adjust_cost_item_entries()
    assert (inventory_value(), cogs()) == (D("84.00"), D("136.00"))
    [line] = PostedRevaluationLine.objects.filter(posted=reversal)
    assert (line.amount, line.inventory_value_calculated, line.inventory_value_revalued) == (
        D("-40.00"),
        D("210.00"),
        D("170.00"),
    )


def assert_refused(posted, message, on=6):
    counts = (ValueEntry.objects.count(), PostedRevaluation.objects.count())
    with pytest.raises(RevaluationError) as refused:
        posted_revaluation_reverse(posted_id=posted.pk, posting_date=day(on))
    assert refused.value.message == message
    assert (ValueEntry.objects.count(), PostedRevaluation.objects.count()) == counts


def test_second_reversal_is_refused(revalued):
    reversal = posted_revaluation_reverse(posted_id=revalued.pk, posting_date=day(6))
    assert_refused(
        revalued, "Posted revaluation REV-1 was already reversed by RREV-1 on 2025-01-06."
    )
    assert_refused(
        reversal,
        "Posted revaluation RREV-1 is itself a reversal (of REV-1); post it again instead.",
    )


def test_reversal_refused_after_a_new_revaluation(revalued):
    prepare(on=6, unit_cost="15", document_no="REV-2")  # 7 units of P-2 at 14 -> 15: +7.00
    second = revaluation_batch_post(batch_name="R")
    new_entry = second.item_register.from_value_entry_no
    assert_refused(
        revalued,
        "REV-1: The revaluation cannot be reversed exactly: item ledger entry 2 was revalued "
        f"again since (value entry {new_entry}, document REV-2).",
        on=7,
    )


def test_reversal_refused_after_a_back_dated_sale(revalued):
    post(jline("sale", "A", 1, day(4)))  # entry 5, from P-2, dated on the revaluation date
    assert_refused(
        revalued,
        "REV-1: The revaluation cannot be reversed exactly: item ledger entry 2 was applied to "
        "outbound entry 5, posted after the revaluation and dated 2025-01-04, on or before its "
        "valuation date 2025-01-04: the revaluation reached that outbound, a reversal would not.",
    )


def test_a_later_dated_sale_does_not_prevent_an_exact_reversal(revalued):
    post(jline("sale", "A", 1, day(5)))  # entry 5, from P-2 at 14.00 (after adjusting)
    adjust_cost_item_entries()
    assert (inventory_value(), cogs()) == (D("84.00"), D("176.00"))
    posted_revaluation_reverse(posted_id=revalued.pk, posting_date=day(6))
    adjust_cost_item_entries()
    # as if never revalued: 6 units of P-2 at 12.00; COGS 136 + 12
    assert (inventory_value(), cogs()) == (D("72.00"), D("148.00"))


def test_reversal_in_a_closed_range_is_refused(revalued):
    setup = InventorySetup.get()
    setup.allow_posting_from = day(10)
    setup.save()
    assert_refused(
        revalued,
        "REV-1: Posting Date is not within your range of allowed posting dates.",
    )


def test_reverse_command(revalued, capsys):
    call_command(
        "reverse_revaluation", "--posted", str(revalued.pk), "--posting-date", "2025-01-06"
    )
    out = capsys.readouterr().out
    assert "Reversed posted revaluation" in out and "document RREV-1" in out
    assert "total amount -40" in out
    with pytest.raises(CommandError, match="already reversed by RREV-1"):
        call_command("reverse_revaluation", "--posted", str(revalued.pk))


def test_reverse_page_and_refusal(accountant_client, revalued):
    url = reverse("revaluation-posted-detail", args=[revalued.pk])
    page = accountant_client.get(url).content.decode()
    assert 'id="reverse-button"' in page
    response = accountant_client.post(
        reverse("revaluation-posted-reverse", args=[revalued.pk]), {"posting_date": "2025-01-06"}
    )
    reversal = PostedRevaluation.objects.get(reverses=revalued)
    assert response.status_code == 302
    assert response["Location"] == reverse("revaluation-posted-detail", args=[reversal.pk])
    page = accountant_client.get(url).content.decode()
    assert text_of(page, "posted-reversed-by") == "RREV-1 (2025-01-06)"
    assert 'id="reverse-button"' not in page
    response = accountant_client.post(
        reverse("revaluation-posted-reverse", args=[revalued.pk]), {"posting_date": "2025-01-07"}
    )
    assert response.status_code == 422
    assert "already reversed by RREV-1" in text_of(response.content.decode(), "reverse-error")
    assert PostedRevaluation.objects.count() == 2


def test_the_reverse_section_in_dutch(accountant_client, accountant, revalued):
    UserPreference.objects.create(user=accountant, language="nl")
    accountant_client.force_login(accountant)  # the preference is read at sign-in
    url = reverse("revaluation-posted-detail", args=[revalued.pk])
    page = accountant_client.get(url).content.decode()
    assert '<h2 id="reverse-heading">Terugboeken</h2>' in page
    assert text_of(page, "reverse-button") == "Terugboeken"
    assert "REV-1 terugboeken? Waardeposten die deze spiegelen" in page
    accountant_client.post(
        reverse("revaluation-posted-reverse", args=[revalued.pk]), {"posting_date": "06-01-2025"}
    )
    page = accountant_client.get(url).content.decode()
    assert text_of(page, "reverse-refusal") == (
        "Deze herwaardering kan niet worden teruggeboekt: REV-1 is al teruggeboekt door RREV-1 "
        "op 2025-01-06."
    )


def test_preview_page_shows_the_sold_stock(accountant_client, adjusted_a):
    prepare()
    page = accountant_client.get(reverse("revaluation-preview", args=["R"])).content.decode()
    assert text_of(page, "preview-cogs-change") == "26.00"
    assert text_of(page, "preview-inventory-change") == "14.00"
    assert text_of(page, "preview-adjusted-total") == "-26.00"
    assert 'id="preview-adjusted-4"' in page
    assert 'id="preview-gl"' in page


def test_the_preview_page_is_paginated_and_totals_cover_every_line(
    accountant_client, adjusted_a, monkeypatch
):
    """Per entry on D4: P-1 (5 left at 10.00) and P-2 (10 at 12.00) both to 14.00: +20.00 each."""
    lines = calculate_inventory_value(
        batch_name="R", options=CalculateOptions(posting_date=day(4), document_no="REV-1")
    )
    for line in lines:
        line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="14")
    monkeypatch.setattr(views, "PREVIEW_PAGE_SIZE", 1)
    url = reverse("revaluation-preview", args=["R"])
    first = accountant_client.get(url).content.decode()
    second = accountant_client.get(url, {"page": 2}).content.decode()
    assert 'id="preview-line-10000"' in first and 'id="preview-line-20000"' not in first
    assert 'id="preview-line-20000"' in second and 'id="preview-line-10000"' not in second
    for page in (first, second):
        assert text_of(page, "preview-line-count") == "2"
        assert text_of(page, "preview-total-amount") == "40.00"
        assert text_of(page, "preview-cogs-change") == "26.00"
    assert 'rel="next"' in first and 'rel="prev"' in second


def test_reversal_of_an_average_item(setup):
    """AV (Average, daily periods): 10 @ 10.00 (D1), 10 @ 20.00 (D2), sale 5 (D3): average
    15.00, 15 units worth 225.00 on D4, revalued to 18.00 a unit (+45.00); sale 3 (D5) costs
    54.00. Without the revaluation it would cost 45.00: inventory 180.00, COGS 120.00, where
    the reversal brings it back."""
    ItemFactory.create(no="AV", costing_method=CostingMethod.AVERAGE)
    post(jline("purchase", "AV", 10, day(1), unit_amount=10))
    post(jline("purchase", "AV", 10, day(2), unit_amount=20))
    post(jline("sale", "AV", 5, day(3)))
    adjust_cost_item_entries()
    prepare(unit_cost="18")
    posted = revaluation_batch_post(batch_name="R")
    post(jline("sale", "AV", 3, day(5)))
    adjust_cost_item_entries()
    assert (inventory_value(), cogs()) == (D("216.00"), D("129.00"))
    posted_revaluation_reverse(posted_id=posted.pk, posting_date=day(6))
    adjust_cost_item_entries()
    assert (inventory_value(), cogs()) == (D("180.00"), D("120.00"))


def test_reversal_in_a_closed_inventory_period_is_refused(revalued):
    InventoryPeriod.objects.create(ending_date=day(6), closed=True)
    assert_refused(
        revalued,
        "REV-1: You cannot post before 2025-01-07 because the Inventory Period is already "
        "closed. You must re-open the period first.",
    )
    posted_revaluation_reverse(posted_id=revalued.pk, posting_date=day(7))  # the next day may


def test_reversal_of_an_update_of_the_standard_cost_is_refused(adjusted_a):
    [line] = calculate_inventory_value(
        batch_name="R",
        options=CalculateOptions(
            posting_date=day(4), document_no="REV-1", per="item", update_standard_cost=True
        ),
    )
    line_edit(line_id=line.pk, version=1, field="unit_cost_revalued", value="14")
    posted = revaluation_batch_post(batch_name="R")
    assert_refused(
        posted,
        "Posted revaluation REV-1 updated the standard cost of item A; a reversal cannot "
        "restore the previous standard cost.",
    )


def test_reversal_of_an_interim_revaluation_of_an_uninvoiced_receipt_is_refused(setup):
    """Standard item S at 10.00: 10 received, not invoiced (D1), revalued per item to 12.00 on
    D4: the whole +20.00 is interim (expected) cost, which the invoice would balance (§9.4)."""
    ItemFactory.create(no="S", costing_method=CostingMethod.STANDARD, standard_cost=D("10"))
    post(jline("purchase", "S", 10, day(1), unit_amount=10, invoiced_quantity=0))
    prepare(unit_cost="12")
    posted = revaluation_batch_post(batch_name="R")
    [v] = ValueEntry.objects.filter(item_register=posted.item_register)
    assert (v.cost_amount_actual, v.cost_amount_expected) == (D("0.00"), D("20.00"))
    assert_refused(
        posted,
        "REV-1: The revaluation cannot be reversed exactly: value entry "
        f"{v.entry_no} has an interim part on item ledger entry 1, which is not completely "
        "invoiced.",
    )
