"""``manage.py seed_demo``: deterministic, consistent and idempotent (on a few weeks of data)."""

from __future__ import annotations

import hashlib
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Sum

from inventory.models import (
    CostingMethod,
    InventorySetup,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ItemLedgerEntryType,
    ItemVariant,
    Location,
    ValueEntry,
)
from inventory.services import demo
from inventory.services.last_direct_cost import refresh_last_direct_cost

pytestmark = pytest.mark.django_db

DAYS = 45  # to mid-February 2025: every kind of transaction occurs


def ledger_digest() -> str:
    """Every column of the three ledgers and of the items, in entry order."""
    digest = hashlib.sha256()
    for model, order in (
        (ItemLedgerEntry, "entry_no"),
        (ValueEntry, "entry_no"),
        (ItemApplicationEntry, "entry_no"),
        (Item, "no"),
    ):
        for row in model.objects.order_by(order).values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def load_and_roll_back(days: int) -> tuple[list, str]:
    with transaction.atomic():
        summary = demo.load_demo(days=days)
        result = (summary.journals, ledger_digest())
        transaction.set_rollback(True)
    return result


def test_two_runs_post_the_same_lines_and_ledgers():
    journals, digest = load_and_roll_back(days=20)
    assert not Item.objects.exists()  # the first run was rolled back
    assert load_and_roll_back(days=20) == (journals, digest)
    lines = [line for day in journals for line in day]
    assert len(lines) > 200
    for line in lines:  # Decimal only: whole quantities, prices in cents
        assert isinstance(line.quantity, Decimal) and line.quantity == int(line.quantity)
        if line.unit_amount is not None:
            assert isinstance(line.unit_amount, Decimal)
            assert line.unit_amount == line.unit_amount.quantize(Decimal("0.01"))
    dates = [day[0].posting_date for day in journals]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)  # one posting per day


def test_seed_demo_loads_a_consistent_company_once():
    out = StringIO()
    call_command("seed_demo", user="demo", password="demo-pass", days=DAYS, stdout=out)
    seeded = out.getvalue()
    assert "Demo data loaded" in seeded and "Demo login: demo / demo-pass" in seeded
    assert Location.objects.count() == 3
    assert Item.objects.count() == len(demo.CATALOGUE) >= 40
    assert ItemVariant.objects.exists()
    assert set(Item.objects.values_list("costing_method", flat=True)) == set(CostingMethod.values)
    assert not Item.objects.filter(costing_method=CostingMethod.STANDARD, standard_cost=0).exists()
    setup = InventorySetup.get()
    assert not setup.allow_negative_inventory

    ile = ItemLedgerEntry.objects
    types = Counter(ile.values_list("entry_type", flat=True))
    assert all(types[t] > 0 for t in ItemLedgerEntryType.values), types
    # every costing method has entries, and so do variants and all locations
    methods = set(ile.values_list("item__costing_method", flat=True).distinct())
    assert methods == set(CostingMethod.values)
    assert ile.exclude(variant_code="").exists()
    assert set(ile.values_list("location_code", flat=True).distinct()) == {"BLUE", "RED", "GREEN"}

    # returns: purchase returns with Applies-to, sales returns with Applies-from
    purchase_returns = ile.filter(entry_type="purchase", positive=False)
    assert purchase_returns.exists()
    assert not purchase_returns.filter(applies_to_entry=0).exists()
    sales_returns = ile.filter(entry_type="sale", positive=True)
    assert sales_returns.exists()
    assert (
        ItemApplicationEntry.objects.filter(
            item_ledger_entry__in=sales_returns,
            inbound_item_entry_id=F("item_ledger_entry_id"),
            outbound_item_entry__isnull=False,
        ).count()
        == sales_returns.count()
    )

    # receipts without invoice, some of them invoiced later by invoice lines
    receipts = ValueEntry.objects.filter(
        item_ledger_entry_type="purchase", expected_cost=True, valued_quantity__gt=0
    ).values_list("item_ledger_entry_id", flat=True)
    assert receipts
    invoiced_later = ValueEntry.objects.filter(
        item_ledger_entry_id__in=receipts, expected_cost=False, invoiced_quantity__gt=0
    )
    assert invoiced_later.exists()
    assert invoiced_later.exclude(posting_date=F("item_ledger_entry__posting_date")).exists()

    # Last Direct Cost is what the last purchase invoice paid, Standard items included (§3.8)
    assert refresh_last_direct_cost(dry_run=True) == []
    invoiced_standard = ValueEntry.objects.filter(
        item__costing_method=CostingMethod.STANDARD,
        item_ledger_entry_type="purchase",
        invoiced_quantity__gt=0,
    ).values_list("item_id", flat=True)
    assert invoiced_standard
    assert not Item.objects.filter(no__in=invoiced_standard, last_direct_cost=0).exists()

    # Specific items: every outbound names its inbound
    specific_out = ile.filter(item__costing_method=CostingMethod.SPECIFIC, positive=False)
    assert specific_out.exists() and not specific_out.filter(applies_to_entry=0).exists()

    # entry numbers ascend with posting dates
    dates = list(ile.order_by("entry_no").values_list("posting_date", flat=True))
    assert dates == sorted(dates)
    assert dates[0].isoformat() == "2025-01-01"

    # no negative inventory, and stock per item/location/variant = open remaining quantities
    assert not ile.filter(positive=False, open=True).exists()
    totals = {
        (r["item_id"], r["location_code"], r["variant_code"]): r["total"]
        for r in ile.values("item_id", "location_code", "variant_code").annotate(
            total=Sum("quantity")
        )
    }
    remaining = {
        (r["item_id"], r["location_code"], r["variant_code"]): r["total"]
        for r in ile.filter(open=True)
        .values("item_id", "location_code", "variant_code")
        .annotate(total=Sum("remaining_quantity"))
    }
    assert {k: v for k, v in totals.items() if v} == remaining
    assert all(v >= 0 for v in totals.values())

    # the demo user may use the admin and post journals
    user = get_user_model().objects.get(username="demo")
    assert user.is_staff and user.is_superuser and user.check_password("demo-pass")
    assert user.groups.filter(name="Accountant").exists()
    assert ValueEntry.objects.exclude(user=user).count() == 0

    # idempotent: a second run posts nothing but still sets the login
    counts = (ItemLedgerEntry.objects.count(), ValueEntry.objects.count(), Item.objects.count())
    out = StringIO()
    call_command("seed_demo", user="demo", password="new-pass", days=DAYS, stdout=out)
    assert "Demo data not loaded" in out.getvalue()
    assert (ItemLedgerEntry.objects.count(), ValueEntry.objects.count(), Item.objects.count()) == (
        counts
    )
    assert get_user_model().objects.get(username="demo").check_password("new-pass")
    # a second user can be added to an existing demo
    call_command("seed_demo", user="other", password="pw-other", stdout=StringIO())
    assert get_user_model().objects.get(username="other").groups.filter(name="Accountant").exists()


def test_loads_without_a_user_and_refuses_half_a_login():
    call_command("seed_demo", days=1, stdout=StringIO())
    assert ItemLedgerEntry.objects.aggregate(n=Count("entry_no"))["n"] > 0
    assert not ValueEntry.objects.filter(user__isnull=False).exists()
    with pytest.raises(CommandError):
        call_command("seed_demo", user="demo", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("seed_demo", days=0, stdout=StringIO())
