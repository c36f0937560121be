"""factory-boy factories for every model.

Ledger factories insert rows directly (for admin and display tests); tests of posting rules post
through ``inventory.services.posting`` instead, as real entries are only ever written there.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from inventory import models
from revaluation.models import InventoryValuePer, RevaluationBatch, RevaluationLine


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("secret-password")


class AccountantFactory(UserFactory):
    """A user in the Accountant group (may post journals)."""

    @factory.post_generation
    def accountant_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get_or_create(name="Accountant")[0])


class InventorySetupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.InventorySetup
        django_get_or_create = ("id",)

    id = 1


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Location
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"LOC{n}")
    name = factory.LazyAttribute(lambda o: f"Warehouse {o.code}")


class ItemFactory(factory.django.DjangoModelFactory[models.Item]):
    class Meta:
        model = models.Item
        django_get_or_create = ("no",)

    no = factory.Sequence(lambda n: f"ITEM{n:04d}")
    description = factory.LazyAttribute(lambda o: f"Item {o.no}")
    costing_method = models.CostingMethod.FIFO
    unit_cost = Decimal(0)
    standard_cost = Decimal(0)


class ItemVariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ItemVariant

    item = factory.SubFactory(ItemFactory)
    code = factory.Sequence(lambda n: f"V{n}")


class InventoryPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.InventoryPeriod

    ending_date = datetime.date(2025, 1, 31)
    closed = False


class ItemRegisterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ItemRegister

    no = factory.Sequence(lambda n: n + 1)
    source_code = models.SourceCode.ITEM_JOURNAL
    created_at = factory.LazyFunction(timezone.now)


class ItemLedgerEntryFactory(factory.django.DjangoModelFactory):
    """An inbound purchase of 10, completely invoiced, still open."""

    class Meta:
        model = models.ItemLedgerEntry

    entry_no = factory.Sequence(lambda n: n + 1)
    item = factory.SubFactory(ItemFactory)
    posting_date = datetime.date(2025, 1, 1)
    entry_type = models.ItemLedgerEntryType.PURCHASE
    document_no = factory.Sequence(lambda n: f"DOC{n}")
    quantity = Decimal(10)
    remaining_quantity = factory.LazyAttribute(lambda o: o.quantity)
    invoiced_quantity = factory.LazyAttribute(lambda o: o.quantity)
    open = factory.LazyAttribute(lambda o: o.remaining_quantity != 0)
    positive = factory.LazyAttribute(lambda o: o.quantity > 0)
    completely_invoiced = factory.LazyAttribute(lambda o: o.invoiced_quantity == o.quantity)
    last_invoice_date = factory.LazyAttribute(lambda o: o.posting_date)
    source_code = models.SourceCode.ITEM_JOURNAL
    item_register = factory.SubFactory(ItemRegisterFactory)


class ValueEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ValueEntry

    entry_no = factory.Sequence(lambda n: n + 1)
    item_ledger_entry = factory.SubFactory(ItemLedgerEntryFactory)
    item = factory.LazyAttribute(lambda o: o.item_ledger_entry.item)
    location_code = factory.LazyAttribute(lambda o: o.item_ledger_entry.location_code)
    variant_code = factory.LazyAttribute(lambda o: o.item_ledger_entry.variant_code)
    item_ledger_entry_type = factory.LazyAttribute(lambda o: o.item_ledger_entry.entry_type)
    entry_type = models.ValueEntryType.DIRECT_COST
    posting_date = factory.LazyAttribute(lambda o: o.item_ledger_entry.posting_date)
    valuation_date = factory.LazyAttribute(lambda o: o.posting_date)
    document_no = factory.LazyAttribute(lambda o: o.item_ledger_entry.document_no)
    source_code = models.SourceCode.ITEM_JOURNAL
    valued_quantity = factory.LazyAttribute(lambda o: o.item_ledger_entry.quantity)
    invoiced_quantity = factory.LazyAttribute(lambda o: o.item_ledger_entry.invoiced_quantity)
    item_ledger_entry_quantity = factory.LazyAttribute(lambda o: o.item_ledger_entry.quantity)
    cost_amount_actual = Decimal("100.00")
    cost_per_unit = factory.LazyAttribute(lambda o: o.cost_amount_actual / o.valued_quantity)
    item_register = factory.LazyAttribute(lambda o: o.item_ledger_entry.item_register)


class ItemApplicationEntryFactory(factory.django.DjangoModelFactory):
    """The own row of an inbound entry."""

    class Meta:
        model = models.ItemApplicationEntry

    entry_no = factory.Sequence(lambda n: n + 1)
    item_ledger_entry = factory.SubFactory(ItemLedgerEntryFactory)
    inbound_item_entry = factory.LazyAttribute(lambda o: o.item_ledger_entry)
    quantity = factory.LazyAttribute(lambda o: o.item_ledger_entry.quantity)
    posting_date = factory.LazyAttribute(lambda o: o.item_ledger_entry.posting_date)
    cost_application = True
    item_register = factory.LazyAttribute(lambda o: o.item_ledger_entry.item_register)


class AvgCostAdjmtEntryPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AvgCostAdjmtEntryPoint

    item = factory.SubFactory(ItemFactory)
    valuation_date = datetime.date(2025, 1, 1)


class ItemJournalBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ItemJournalBatch
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"BATCH{n}")


class ItemJournalLineFactory(factory.django.DjangoModelFactory):
    """A purchase of 10 @ 10.00."""

    class Meta:
        model = models.ItemJournalLine

    batch = factory.SubFactory(ItemJournalBatchFactory)
    line_no = factory.Sequence(lambda n: (n + 1) * 10000)
    posting_date = datetime.date(2025, 1, 1)
    entry_type = models.ItemJournalEntryType.PURCHASE
    document_no = "P-1"
    item = factory.SubFactory(ItemFactory)
    quantity = Decimal(10)
    unit_amount = Decimal(10)


class RevaluationBatchFactory(factory.django.DjangoModelFactory[RevaluationBatch]):
    class Meta:
        model = RevaluationBatch
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"REVAL{n}")


class RevaluationLineFactory(factory.django.DjangoModelFactory[RevaluationLine]):
    """A sum line per item on 2025-01-04: 10 units worth 100.00, revalued by ``amount`` (0)."""

    class Meta:
        model = RevaluationLine

    batch = factory.SubFactory(RevaluationBatchFactory)
    line_no = factory.Sequence(lambda n: (n + 1) * 10000)
    item = factory.SubFactory(ItemFactory)
    posting_date = datetime.date(2025, 1, 4)
    document_no = "REV-1"
    quantity = Decimal(10)
    invoiced_quantity = factory.LazyAttribute(lambda o: o.quantity)
    inventory_value_calculated = Decimal("100.00")
    unit_cost_calculated = factory.LazyAttribute(
        lambda o: o.inventory_value_calculated / o.quantity
    )
    amount = Decimal(0)
    inventory_value_revalued = factory.LazyAttribute(
        lambda o: o.inventory_value_calculated + o.amount
    )
    unit_cost_revalued = factory.LazyAttribute(lambda o: o.inventory_value_revalued / o.quantity)
    inventory_value_per = InventoryValuePer.ITEM
    partial_revaluation = True
