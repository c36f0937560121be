"""Inventory master data, setup and the append-only ledgers (COSTING-SPEC §2).

Location and variant are stored on ledger rows as codes: the blank location/variant is valid and
is not a record (spec §2.2). Ledger rows use their entry number as primary key, so foreign keys
between ledgers hold entry numbers exactly as Business Central's fields do.

Only ``inventory.services`` write ledger rows. The model and queryset guards below give a readable
error early; the PostgreSQL triggers of migration 0002 are the guarantee.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.amounts import (
    AMOUNT_DIGITS,
    AMOUNT_PLACES,
    QTY_DIGITS,
    QTY_PLACES,
    UNIT_DIGITS,
    UNIT_PLACES,
    Precision,
)
from inventory.audit import track_all, track_changes
from inventory.text import BATCH_NAME_MAX_LENGTH, validate_batch_name, validate_code


def amount_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(
        max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES, default=Decimal(0), **kwargs
    )


def unit_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(
        max_digits=UNIT_DIGITS, decimal_places=UNIT_PLACES, default=Decimal(0), **kwargs
    )


def qty_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(
        max_digits=QTY_DIGITS, decimal_places=QTY_PLACES, default=Decimal(0), **kwargs
    )


# --------------------------------------------------------------------------- setup


class AverageCostCalcType(models.TextChoices):
    ITEM = "item", "Item"
    ITEM_LOCATION_VARIANT = "item_location_variant", "Item & Location & Variant"


class AverageCostPeriod(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    YEAR = "year", "Year"


class SlowMovingAgeFrom(models.TextChoices):
    POSTING = "posting", "Posting date of the inbound entry"
    LAST_OUTBOUND = "last_outbound", "Last outbound of the item"


def parse_slow_moving_buckets(text: str) -> list[tuple[int, Decimal]]:
    """``"365:50,730:100"`` -> [(365, 50), (730, 100)]: ascending days, percents 0-100 that
    do not fall. Raises ValueError with a message naming the fault."""
    buckets: list[tuple[int, Decimal]] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        days_text, sep, percent_text = part.partition(":")
        try:
            days, percent = int(days_text), Decimal(percent_text.strip())
        except (ValueError, ArithmeticError):
            raise ValueError(f"'{part}' is not days:percent (e.g. 365:50).") from None
        if not sep or days <= 0 or not percent.is_finite() or not 0 < percent <= 100:
            raise ValueError(f"'{part}': days must be above 0 and the percent from 0 to 100.")
        if buckets and (days <= buckets[-1][0] or percent < buckets[-1][1]):
            raise ValueError("Buckets must be in ascending days with percents that do not fall.")
        buckets.append((days, percent))
    return buckets


def validate_slow_moving_buckets(value: str) -> None:
    try:
        parse_slow_moving_buckets(value)
    except ValueError as exc:
        raise ValidationError(str(exc), code="slow_moving_buckets") from None


@track_all()
class InventorySetup(models.Model):
    """Singleton (pk 1). Read it with ``InventorySetup.get()``."""

    amount_rounding_precision = models.DecimalField(
        max_digits=10,
        decimal_places=AMOUNT_PLACES,
        default=Decimal("0.01"),
        validators=[MinValueValidator(Decimal("0.00001"))],
        verbose_name=_("amount rounding precision"),
    )
    unit_amount_rounding_precision = models.DecimalField(
        max_digits=15,
        decimal_places=UNIT_PLACES,
        default=Decimal("0.00001"),
        validators=[MinValueValidator(Decimal("0.0000000001"))],
        verbose_name=_("unit amount rounding precision"),
    )
    average_cost_calc_type = models.CharField(
        max_length=30,
        choices=AverageCostCalcType,
        default=AverageCostCalcType.ITEM,
        verbose_name=_("average cost calc type"),
    )
    average_cost_period = models.CharField(
        max_length=10,
        choices=AverageCostPeriod,
        default=AverageCostPeriod.DAY,
        verbose_name=_("average cost period"),
    )
    allow_negative_inventory = models.BooleanField(
        default=True, verbose_name=_("allow negative inventory")
    )
    automatic_cost_adjustment = models.BooleanField(
        default=False, verbose_name=_("automatic cost adjustment")
    )
    automatic_cost_posting = models.BooleanField(
        default=False, verbose_name=_("automatic cost posting")
    )
    expected_cost_posting_to_gl = models.BooleanField(
        default=False, verbose_name=_("expected cost posting to gl")
    )
    allow_posting_from = models.DateField(
        null=True, blank=True, verbose_name=_("allow posting from")
    )
    allow_posting_to = models.DateField(null=True, blank=True, verbose_name=_("allow posting to"))
    # Year-end write-downs of slow-moving stock (issue 13 part 2): "days:percent" pairs.
    slow_moving_buckets = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_slow_moving_buckets],
        help_text='Age buckets "days:percent", e.g. "365:50,730:100": no movement for 365 days '
        "or more -> 50 % write-down, 730 days or more -> 100 %.",
        verbose_name=_("slow moving buckets"),
    )
    slow_moving_age_from = models.CharField(
        max_length=20,
        choices=SlowMovingAgeFrom,
        default=SlowMovingAgeFrom.POSTING,
        verbose_name=_("slow moving age from"),
    )

    class Meta:
        verbose_name = _("inventory setup")
        verbose_name_plural = _("inventory setup")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="inventorysetup_singleton"),
            models.CheckConstraint(
                condition=models.Q(amount_rounding_precision__gt=0)
                & models.Q(unit_amount_rounding_precision__gt=0),
                name="inventorysetup_precisions_positive",
            ),
        ]

    def __str__(self) -> str:
        return "Inventory setup"

    @classmethod
    def get(cls) -> InventorySetup:
        setup, _ = cls.objects.get_or_create(pk=1)
        return setup

    @property
    def precision(self) -> Precision:
        return Precision(
            amount=self.amount_rounding_precision.normalize(),
            unit_amount=self.unit_amount_rounding_precision.normalize(),
        )


class SourceCode(models.TextChoices):
    ITEM_JOURNAL = "ITEMJNL", "Item journal"
    RECLASS_JOURNAL = "RECLASSJNL", "Reclassification (transfer)"
    REVALUATION_JOURNAL = "REVALJNL", "Revaluation journal"
    COST_ADJUSTMENT = "INVTADJMT", "Adjust Cost - Item Entries"
    INVENTORY_TO_GL = "INVTTOGL", "Post Inventory Cost to G/L"


# --------------------------------------------------------------------------- master data


@track_all()
class ReasonCode(models.Model):
    """Why an entry was posted (BC table 231), carried from journal lines to the ledgers.

    ``write_down`` marks the codes of year-end write-downs (NRV, OBSOLETE, a company's own):
    revaluations posted with them are what a later write-down calculation may reverse.
    """

    code = models.CharField(
        max_length=10, primary_key=True, validators=[validate_code], verbose_name=_("code")
    )
    description = models.CharField(max_length=100, blank=True, verbose_name=_("description"))
    write_down = models.BooleanField(
        default=False,
        help_text="Revaluations with this code are write-downs (IAS 2).",
        verbose_name=_("write down"),
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


def validate_reason_code(value: str) -> None:
    """Blank, or the code of a ReasonCode."""
    if value and not ReasonCode.objects.filter(code=value).exists():
        raise ValidationError(f"There is no Reason Code {value}.", code="unknown_reason_code")


@track_all()
class Location(models.Model):
    code = models.CharField(
        max_length=10, primary_key=True, validators=[validate_code], verbose_name=_("code")
    )
    name = models.CharField(max_length=100, blank=True, verbose_name=_("name"))

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class CostingMethod(models.TextChoices):
    FIFO = "fifo", "FIFO"
    LIFO = "lifo", "LIFO"
    SPECIFIC = "specific", _("Specific")
    AVERAGE = "average", _("Average")
    STANDARD = "standard", _("Standard")


# Unit Cost, Last Direct Cost, Last Unit Cost Calc. Date and Cost is Adjusted are maintained by
# posting and Adjust Cost (the ledger holds their history), so they are not tracked.
@track_all(
    exclude=["unit_cost", "last_direct_cost", "last_unit_cost_calc_date", "cost_is_adjusted"]
)
class Item(models.Model):
    no = models.CharField(_("No."), max_length=20, primary_key=True, validators=[validate_code])
    description = models.CharField(max_length=100, blank=True, verbose_name=_("description"))
    base_unit_of_measure = models.CharField(
        max_length=10, default="PCS", verbose_name=_("base unit of measure")
    )
    costing_method = models.CharField(
        max_length=10,
        choices=CostingMethod,
        default=CostingMethod.FIFO,
        verbose_name=_("costing method"),
    )
    unit_cost = unit_field(validators=[MinValueValidator(Decimal(0))], verbose_name=_("unit cost"))
    standard_cost = unit_field(
        validators=[MinValueValidator(Decimal(0))], verbose_name=_("standard cost")
    )
    last_direct_cost = unit_field(
        validators=[MinValueValidator(Decimal(0))], verbose_name=_("last direct cost")
    )
    last_unit_cost_calc_date = models.DateField(
        null=True, blank=True, verbose_name=_("last unit cost calc date")
    )
    inventory_posting_group = models.CharField(
        max_length=20, default="RESALE", verbose_name=_("inventory posting group")
    )
    gen_prod_posting_group = models.CharField(
        max_length=20, default="RETAIL", verbose_name=_("gen prod posting group")
    )
    inventory_value_zero = models.BooleanField(
        default=False, verbose_name=_("inventory value zero")
    )
    blocked = models.BooleanField(default=False, verbose_name=_("blocked"))
    cost_is_adjusted = models.BooleanField(default=True, verbose_name=_("cost is adjusted"))

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["no"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit_cost__gte=0)
                & models.Q(standard_cost__gte=0)
                & models.Q(last_direct_cost__gte=0),
                name="item_costs_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.no} {self.description}".strip()


@track_all()
class ItemVariant(models.Model):
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="variants", verbose_name=_("item")
    )
    code = models.CharField(max_length=10, validators=[validate_code], verbose_name=_("code"))
    description = models.CharField(max_length=100, blank=True, verbose_name=_("description"))

    class Meta:
        verbose_name = _("item variant")
        verbose_name_plural = _("item variants")
        ordering = ["item", "code"]
        constraints = [
            models.UniqueConstraint(fields=["item", "code"], name="itemvariant_item_code_unique"),
            models.CheckConstraint(condition=~models.Q(code=""), name="itemvariant_code_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} / {self.code}"


@track_all()
class InventoryPeriod(models.Model):
    """A period is closed for postings on or before its ending date (spec §11)."""

    ending_date = models.DateField(primary_key=True, verbose_name=_("ending date"))
    name = models.CharField(max_length=50, blank=True, verbose_name=_("name"))
    closed = models.BooleanField(default=False, verbose_name=_("closed"))

    class Meta:
        verbose_name = _("inventory period")
        verbose_name_plural = _("inventory periods")
        ordering = ["ending_date"]

    def __str__(self) -> str:
        return f"{self.name or 'Period'} ending {self.ending_date}"


# --------------------------------------------------------------------------- ledgers


class LedgerImmutableError(Exception):
    """Raised by the Python guards when code tries to change or delete a ledger row."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        forbidden = set(kwargs) - set(self.model.MUTABLE_FIELDS)  # type: ignore[attr-defined]  # every model of this queryset is an AppendOnlyModel
        if forbidden:
            raise LedgerImmutableError(
                f"{self.model._meta.verbose_name} is append-only; cannot change {sorted(forbidden)}"
            )
        return super().update(**kwargs)

    def delete(self):
        raise LedgerImmutableError(f"{self.model._meta.verbose_name} rows cannot be deleted")

    delete.queryset_only = True  # type: ignore[attr-defined]  # Django's flag on manager methods


class AppendOnlyModel(models.Model):
    """Rows are inserted once; only ``MUTABLE_FIELDS`` may change afterwards."""

    MUTABLE_FIELDS: tuple[str, ...] = ()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            update_fields = kwargs.get("update_fields")
            if update_fields is None or set(update_fields) - set(self.MUTABLE_FIELDS):
                raise LedgerImmutableError(
                    f"{self._meta.verbose_name} {self.pk} is append-only; "
                    f"only {list(self.MUTABLE_FIELDS)} may change"
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutableError(f"{self._meta.verbose_name} {self.pk} cannot be deleted")


class ItemLedgerEntryType(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    SALE = "sale", _("Sale")
    POSITIVE_ADJMT = "positive_adjmt", _("Positive Adjmt.")
    NEGATIVE_ADJMT = "negative_adjmt", _("Negative Adjmt.")
    TRANSFER = "transfer", _("Transfer")


class ItemRegister(AppendOnlyModel):
    """One row per posting run; written last, when the entry ranges are known."""

    no = models.PositiveIntegerField(primary_key=True, verbose_name=_("no"))
    from_entry_no = models.PositiveIntegerField(default=0, verbose_name=_("from entry no"))
    to_entry_no = models.PositiveIntegerField(default=0, verbose_name=_("to entry no"))
    from_value_entry_no = models.PositiveIntegerField(
        default=0, verbose_name=_("from value entry no")
    )
    to_value_entry_no = models.PositiveIntegerField(default=0, verbose_name=_("to value entry no"))
    source_code = models.CharField(max_length=10, choices=SourceCode, verbose_name=_("source code"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    journal_batch_name = models.CharField(
        max_length=20, blank=True, verbose_name=_("journal batch name")
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        verbose_name = _("item register")
        verbose_name_plural = _("item registers")
        ordering = ["-no"]
        constraints = [
            models.CheckConstraint(condition=models.Q(no__gte=1), name="itemregister_no_positive")
        ]

    def __str__(self) -> str:
        return f"Register {self.no}"


class ItemLedgerEntry(AppendOnlyModel):
    MUTABLE_FIELDS = (
        "remaining_quantity",
        "open",
        "invoiced_quantity",
        "completely_invoiced",
        "last_invoice_date",
        "applied_entry_to_adjust",
    )

    entry_no = models.PositiveIntegerField(_("Entry No."), primary_key=True)
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("item")
    )
    posting_date = models.DateField(verbose_name=_("posting date"))
    entry_type = models.CharField(
        max_length=20, choices=ItemLedgerEntryType, verbose_name=_("entry type")
    )
    document_no = models.CharField(max_length=20, verbose_name=_("document no"))
    description = models.CharField(max_length=100, blank=True, verbose_name=_("description"))
    location_code = models.CharField(max_length=10, blank=True, verbose_name=_("location code"))
    variant_code = models.CharField(max_length=10, blank=True, verbose_name=_("variant code"))
    quantity = qty_field(verbose_name=_("quantity"))
    remaining_quantity = qty_field(verbose_name=_("remaining quantity"))
    invoiced_quantity = qty_field(verbose_name=_("invoiced quantity"))
    open = models.BooleanField(verbose_name=_("open"))
    positive = models.BooleanField(verbose_name=_("positive"))
    completely_invoiced = models.BooleanField(verbose_name=_("completely invoiced"))
    last_invoice_date = models.DateField(null=True, blank=True, verbose_name=_("last invoice date"))
    applies_to_entry = models.PositiveIntegerField(default=0, verbose_name=_("applies to entry"))
    applied_entry_to_adjust = models.BooleanField(
        default=False, verbose_name=_("applied entry to adjust")
    )
    source_code = models.CharField(max_length=10, choices=SourceCode, verbose_name=_("source code"))
    reason_code = models.CharField(max_length=10, blank=True, verbose_name=_("reason code"))
    item_register = models.ForeignKey(
        ItemRegister, on_delete=models.PROTECT, related_name="+", verbose_name=_("item register")
    )

    class Meta:
        verbose_name = _("item ledger entry")
        verbose_name_plural = _("item ledger entries")
        ordering = ["entry_no"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(entry_no__gte=1), name="ile_entry_no_positive"
            ),
            models.CheckConstraint(condition=~models.Q(quantity=0), name="ile_quantity_not_zero"),
            models.CheckConstraint(
                condition=models.Q(positive=True, quantity__gt=0, remaining_quantity__gte=0)
                | models.Q(positive=False, quantity__lt=0, remaining_quantity__lte=0),
                name="ile_sign_consistent",
            ),
            models.CheckConstraint(
                condition=models.Q(open=True) & ~models.Q(remaining_quantity=0)
                | models.Q(open=False, remaining_quantity=0),
                name="ile_open_iff_remaining",
            ),
            # Posting maintains these two: never more than the entry's quantity, same sign.
            models.CheckConstraint(
                condition=models.Q(positive=True, remaining_quantity__lte=models.F("quantity"))
                | models.Q(positive=False, remaining_quantity__gte=models.F("quantity")),
                name="ile_remaining_within_quantity",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    positive=True,
                    invoiced_quantity__gte=0,
                    invoiced_quantity__lte=models.F("quantity"),
                )
                | models.Q(
                    positive=False,
                    invoiced_quantity__lte=0,
                    invoiced_quantity__gte=models.F("quantity"),
                ),
                name="ile_invoiced_within_quantity",
            ),
        ]
        indexes = [
            models.Index(
                fields=[
                    "item",
                    "location_code",
                    "variant_code",
                    "positive",
                    "open",
                    "posting_date",
                ],
                name="ile_item_loc_var_open",
            ),
            models.Index(fields=["item", "positive", "entry_no"], name="ile_item_positive"),
            models.Index(fields=["item", "applied_entry_to_adjust"], name="ile_item_adjust"),
            models.Index(fields=["posting_date"], name="ile_posting_date"),
            # open outbound entries are few: Calculate's E-24 check reads them for every item
            models.Index(
                fields=["item", "entry_no"],
                condition=models.Q(open=True, positive=False),
                name="ile_open_outbound",
            ),
        ]

    def __str__(self) -> str:
        return f"ILE {self.entry_no}"


class ValueEntryType(models.TextChoices):
    DIRECT_COST = "direct_cost", _("Direct Cost")
    REVALUATION = "revaluation", _("Revaluation")
    ROUNDING = "rounding", _("Rounding")
    VARIANCE = "variance", _("Variance")


class ValueEntry(AppendOnlyModel):
    # The valuation date moves when an inbound closes negative inventory (spec §3.7); the G/L
    # tracking fields are maintained by G/L posting (spec §2.4).
    MUTABLE_FIELDS = ("valuation_date", "cost_posted_to_gl", "expected_cost_posted_to_gl")

    entry_no = models.PositiveIntegerField(_("Entry No."), primary_key=True)
    item_ledger_entry = models.ForeignKey(
        ItemLedgerEntry,
        on_delete=models.PROTECT,
        related_name="value_entries",
        verbose_name=_("item ledger entry"),
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="value_entries", verbose_name=_("item")
    )
    location_code = models.CharField(max_length=10, blank=True, verbose_name=_("location code"))
    variant_code = models.CharField(max_length=10, blank=True, verbose_name=_("variant code"))
    item_ledger_entry_type = models.CharField(
        max_length=20, choices=ItemLedgerEntryType, verbose_name=_("item ledger entry type")
    )
    entry_type = models.CharField(
        max_length=20, choices=ValueEntryType, verbose_name=_("entry type")
    )
    variance_type = models.CharField(max_length=20, blank=True, verbose_name=_("variance type"))
    posting_date = models.DateField(verbose_name=_("posting date"))
    valuation_date = models.DateField(verbose_name=_("valuation date"))
    document_no = models.CharField(max_length=20, verbose_name=_("document no"))
    description = models.CharField(max_length=100, blank=True, verbose_name=_("description"))
    source_code = models.CharField(max_length=10, choices=SourceCode, verbose_name=_("source code"))
    reason_code = models.CharField(max_length=10, blank=True, verbose_name=_("reason code"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    journal_batch_name = models.CharField(
        max_length=20, blank=True, verbose_name=_("journal batch name")
    )
    inventory_posting_group = models.CharField(
        max_length=20, blank=True, verbose_name=_("inventory posting group")
    )
    gen_bus_posting_group = models.CharField(
        max_length=20, blank=True, verbose_name=_("gen bus posting group")
    )
    gen_prod_posting_group = models.CharField(
        max_length=20, blank=True, verbose_name=_("gen prod posting group")
    )
    valued_quantity = qty_field(verbose_name=_("valued quantity"))
    invoiced_quantity = qty_field(verbose_name=_("invoiced quantity"))
    item_ledger_entry_quantity = qty_field(verbose_name=_("item ledger entry quantity"))
    cost_per_unit = unit_field(verbose_name=_("cost per unit"))
    cost_amount_expected = amount_field(verbose_name=_("cost amount expected"))
    cost_amount_actual = amount_field(verbose_name=_("cost amount actual"))
    expected_cost = models.BooleanField(default=False, verbose_name=_("expected cost"))
    sales_amount_expected = amount_field(verbose_name=_("sales amount expected"))
    sales_amount_actual = amount_field(verbose_name=_("sales amount actual"))
    purchase_amount_expected = amount_field(verbose_name=_("purchase amount expected"))
    purchase_amount_actual = amount_field(verbose_name=_("purchase amount actual"))
    cost_posted_to_gl = amount_field(verbose_name=_("cost posted to gl"))
    expected_cost_posted_to_gl = amount_field(verbose_name=_("expected cost posted to gl"))
    adjustment = models.BooleanField(default=False, verbose_name=_("adjustment"))
    applies_to_entry = models.PositiveIntegerField(default=0, verbose_name=_("applies to entry"))
    partial_revaluation = models.BooleanField(default=False, verbose_name=_("partial revaluation"))
    valued_by_average_cost = models.BooleanField(
        default=False, verbose_name=_("valued by average cost")
    )
    inventoriable = models.BooleanField(default=True, verbose_name=_("inventoriable"))
    item_register = models.ForeignKey(
        ItemRegister, on_delete=models.PROTECT, related_name="+", verbose_name=_("item register")
    )

    class Meta:
        verbose_name = _("value entry")
        verbose_name_plural = _("value entries")
        ordering = ["entry_no"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(entry_no__gte=1), name="ve_entry_no_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(entry_type="revaluation") | models.Q(expected_cost=False),
                name="ve_revaluation_not_expected",
            ),
        ]
        indexes = [
            models.Index(fields=["item_ledger_entry", "entry_no"], name="ve_ile_entry"),
            models.Index(fields=["item", "valuation_date"], name="ve_item_valuation_date"),
            models.Index(fields=["item", "posting_date"], name="ve_item_posting_date"),
            models.Index(fields=["posting_date"], name="ve_posting_date"),
        ]

    def __str__(self) -> str:
        return f"VE {self.entry_no}"


class ItemApplicationEntry(AppendOnlyModel):
    entry_no = models.PositiveIntegerField(_("Entry No."), primary_key=True)
    item_ledger_entry = models.ForeignKey(
        ItemLedgerEntry,
        on_delete=models.PROTECT,
        related_name="application_entries",
        verbose_name=_("item ledger entry"),
    )
    inbound_item_entry = models.ForeignKey(
        ItemLedgerEntry,
        on_delete=models.PROTECT,
        related_name="inbound_applications",
        verbose_name=_("inbound item entry"),
    )
    # 0 in Business Central; NULL here.
    outbound_item_entry = models.ForeignKey(
        ItemLedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbound_applications",
        verbose_name=_("outbound item entry"),
    )
    transferred_from_entry = models.ForeignKey(
        ItemLedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transferred_applications",
        verbose_name=_("transferred from entry"),
    )
    quantity = qty_field(verbose_name=_("quantity"))
    posting_date = models.DateField(verbose_name=_("posting date"))
    cost_application = models.BooleanField(default=False, verbose_name=_("cost application"))
    item_register = models.ForeignKey(
        ItemRegister, on_delete=models.PROTECT, related_name="+", verbose_name=_("item register")
    )

    class Meta:
        verbose_name = _("item application entry")
        verbose_name_plural = _("item application entries")
        ordering = ["entry_no"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(entry_no__gte=1), name="iae_entry_no_positive"
            ),
            models.CheckConstraint(condition=~models.Q(quantity=0), name="iae_quantity_not_zero"),
        ]
        indexes = [
            models.Index(fields=["inbound_item_entry", "posting_date"], name="iae_inbound_date"),
            models.Index(fields=["outbound_item_entry"], name="iae_outbound"),
        ]

    def __str__(self) -> str:
        return f"Application {self.entry_no}"


class AvgCostAdjmtEntryPoint(models.Model):
    """Spec §2.6: which (item, location, variant, valuation date) still needs Adjust Cost."""

    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="entry_points", verbose_name=_("item")
    )
    location_code = models.CharField(max_length=10, blank=True, verbose_name=_("location code"))
    variant_code = models.CharField(max_length=10, blank=True, verbose_name=_("variant code"))
    valuation_date = models.DateField(verbose_name=_("valuation date"))
    cost_is_adjusted = models.BooleanField(default=False, verbose_name=_("cost is adjusted"))

    class Meta:
        verbose_name = _("avg. cost adjmt. entry point")
        verbose_name_plural = _("avg. cost adjmt. entry points")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "location_code", "variant_code", "valuation_date"],
                name="entrypoint_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.location_code}/{self.variant_code} {self.valuation_date}"


class LedgerCounter(models.Model):
    """Last entry number used per ledger; locked during posting so numbers are gap-free."""

    name = models.CharField(max_length=30, primary_key=True, verbose_name=_("name"))
    last_no = models.PositiveIntegerField(default=0, verbose_name=_("last no"))

    def __str__(self) -> str:
        return f"{self.name}: {self.last_no}"


# --------------------------------------------------------------------------- item journal


class JournalBatch(models.Model):
    """A journal batch (item or revaluation journal). Its name is the primary key and part of
    page addresses, so a new batch must follow the batch name rule of ``inventory.text``."""

    name = models.CharField(
        max_length=BATCH_NAME_MAX_LENGTH,
        primary_key=True,
        validators=[validate_batch_name],
        verbose_name=_("name"),
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding:
            validate_batch_name(self.name)
        super().save(*args, **kwargs)


@track_all()
class ItemJournalBatch(JournalBatch):
    description = models.CharField(max_length=100, blank=True, verbose_name=_("description"))

    class Meta:
        verbose_name = _("item journal batch")
        verbose_name_plural = _("item journal batches")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ItemJournalEntryType(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    SALE = "sale", _("Sale")
    POSITIVE_ADJMT = "positive_adjmt", _("Positive Adjmt.")
    NEGATIVE_ADJMT = "negative_adjmt", _("Negative Adjmt.")
    TRANSFER = "transfer", _("Transfer")
    INVOICE = "invoice", _("Invoice")


@track_changes()
class ItemJournalLine(models.Model):
    """A line of the item journal page, posted through ``inventory.services.posting``."""

    batch = models.ForeignKey(
        ItemJournalBatch, on_delete=models.CASCADE, related_name="lines", verbose_name=_("batch")
    )
    line_no = models.PositiveIntegerField(verbose_name=_("line no"))
    posting_date = models.DateField(verbose_name=_("posting date"))
    entry_type = models.CharField(
        max_length=20, choices=ItemJournalEntryType, verbose_name=_("entry type")
    )
    document_no = models.CharField(max_length=20, verbose_name=_("document no"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, verbose_name=_("item"))
    location_code = models.CharField(max_length=10, blank=True, verbose_name=_("location code"))
    variant_code = models.CharField(max_length=10, blank=True, verbose_name=_("variant code"))
    new_location_code = models.CharField(
        max_length=10, blank=True, verbose_name=_("new location code")
    )
    quantity = models.DecimalField(
        max_digits=QTY_DIGITS, decimal_places=QTY_PLACES, verbose_name=_("quantity")
    )
    invoiced_quantity = models.DecimalField(
        max_digits=QTY_DIGITS,
        decimal_places=QTY_PLACES,
        null=True,
        blank=True,
        verbose_name=_("invoiced quantity"),
    )
    unit_amount = models.DecimalField(
        max_digits=UNIT_DIGITS,
        decimal_places=UNIT_PLACES,
        null=True,
        blank=True,
        verbose_name=_("unit amount"),
    )
    applies_to_entry = models.PositiveIntegerField(default=0, verbose_name=_("applies to entry"))
    applies_from_entry = models.PositiveIntegerField(
        default=0, verbose_name=_("applies from entry")
    )
    description = models.CharField(max_length=100, blank=True, verbose_name=_("description"))

    class Meta:
        verbose_name = _("item journal line")
        verbose_name_plural = _("item journal lines")
        ordering = ["batch", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line_no"], name="itemjournalline_unique_no")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} line {self.line_no}"


# --------------------------------------------------------------------------- background jobs


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")


ACTIVE_JOB_STATUSES: tuple[JobStatus, ...] = (JobStatus.QUEUED, JobStatus.RUNNING)
# The Adjust Cost runs were the first jobs; their names stay.
AdjustmentRunStatus = JobStatus
ACTIVE_ADJUSTMENT_RUN_STATUSES = ACTIVE_JOB_STATUSES


class BackgroundJob(models.Model):
    """A piece of long work run by a task worker, as the pages see it (``inventory.services.jobs``).

    ``lock_namespace`` tells the jobs of one model apart in the worker's advisory lock.
    """

    lock_namespace: int
    noun = "job"

    started_at = models.DateTimeField(default=timezone.now, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    status = models.CharField(
        max_length=10, choices=JobStatus, default=JobStatus.QUEUED, verbose_name=_("status")
    )
    task_id = models.CharField(
        max_length=64, blank=True, verbose_name=_("task id")
    )  # the django.tasks result id

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_JOB_STATUSES

    @property
    def started_by_name(self) -> str:
        return self.started_by.get_username() if self.started_by else "the system"

    def failed_fields(self, message: str) -> dict:
        """The fields that record ``message`` as the reason the job failed."""
        raise NotImplementedError


class AdjustmentRun(BackgroundJob):
    """One Adjust Cost - Item Entries run, with its progress and summary.

    Written only by ``inventory.services.adjustment_runs``. At most one run is queued or running
    at a time: the partial unique index ``adjustmentrun_one_active`` holds the constant 1 for
    every active row, so a second insert fails even when two requests check at the same moment.
    """

    lock_namespace = 5895
    noun = "run"

    # Blank: every item whose cost is not adjusted; else the item nos. separated by "|".
    item_filter = models.TextField(blank=True, verbose_name=_("item filter"))
    items_total = models.PositiveIntegerField(default=0, verbose_name=_("items total"))
    items_done = models.PositiveIntegerField(default=0, verbose_name=_("items done"))
    entries_created = models.PositiveIntegerField(default=0, verbose_name=_("entries created"))
    amount = amount_field(verbose_name=_("amount"))
    failures = models.JSONField(
        default=list, blank=True, verbose_name=_("failures")
    )  # [[item_no, message], ...]
    register_nos = models.JSONField(default=list, blank=True, verbose_name=_("register nos"))
    # Items posted (Automatic Cost Adjustment) while this run was active: the next run's items.
    pending_item_nos = models.JSONField(
        default=list, blank=True, verbose_name=_("pending item nos")
    )

    class Meta:
        verbose_name = _("adjust cost run")
        verbose_name_plural = _("adjust cost runs")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                models.Value(1),
                condition=models.Q(status__in=ACTIVE_ADJUSTMENT_RUN_STATUSES),
                name="adjustmentrun_one_active",
                violation_error_message="Adjust Cost is already running.",
            ),
        ]

    def __str__(self) -> str:
        return f"Adjust Cost run {self.pk} ({self.status})"

    def failed_fields(self, message: str) -> dict:
        return {"failures": [*self.failures, ["", message]]}

    @property
    def item_nos(self) -> list[str] | None:
        """The item filter as a list, or None for all items whose cost is not adjusted."""
        return self.item_filter.split("|") if self.item_filter else None

    @property
    def register_ranges(self) -> list[tuple[int, int]]:
        """``register_nos`` as runs of consecutive numbers: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
        ranges: list[tuple[int, int]] = []
        for no in sorted(self.register_nos or []):
            if ranges and no == ranges[-1][1] + 1:
                ranges[-1] = (ranges[-1][0], no)
            else:
                ranges.append((no, no))
        return ranges

    @property
    def percent_done(self) -> int:
        if not self.items_total:
            return 100 if self.status == AdjustmentRunStatus.FINISHED else 0
        return min(100, self.items_done * 100 // self.items_total)


# --------------------------------------------------------------------------- general ledger
# The G/L models live in their own module; imported here so that they belong to this app.
from inventory.gl_models import (  # noqa: E402, F401
    DefaultPostingAccounts,
    GeneralPostingSetup,
    GLAccount,
    GLAccountType,
    GLEntry,
    GLItemLedgerRelation,
    GLPostingRun,
    GLRegister,
    GLRole,
    InventoryPostingSetup,
)
