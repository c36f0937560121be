"""Admin of the inventory app (STYLE §3.2 item 3).

Master data, the setup singleton, inventory periods and item journals are editable. The ledgers
(item ledger, value, application entries, item registers) and the bookkeeping tables that posting
maintains (entry points, ledger counters) are view-only: their admins refuse add, change and
delete, never count big tables in full and fetch the relations they show in the list query.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import ClassVar

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import get_last_value_from_parameters
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import DecimalField, QuerySet
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from inventory import selectors
from inventory.forms import PlainDecimalField
from inventory.models import (
    AdjustmentRun,
    AvgCostAdjmtEntryPoint,
    InventoryPeriod,
    InventorySetup,
    Item,
    ItemApplicationEntry,
    ItemJournalBatch,
    ItemJournalLine,
    ItemLedgerEntry,
    ItemRegister,
    ItemVariant,
    LedgerCounter,
    Location,
    ReasonCode,
    ValueEntry,
)
from inventory.services.master_data import (
    AVERAGE_SETUP_FIELDS,
    E63_AVERAGE_SETUP_LOCKED,
    MasterDataError,
    check_average_setup_change,
    check_costing_method_change,
)

# Spec §13 messages (E-41 and E-63 are the master-data services' own, imported above).
E62_PERIOD_BEFORE_CLOSED = (
    "You are not allowed to insert an Inventory Period that ends before {date}."
)


# --------------------------------------------------------------------------- helpers


def decimal_display(value: Decimal | None, min_places: int = 2) -> str:
    """A Decimal as text, exactly: trailing zeros beyond ``min_places`` dropped, never a float."""
    if value is None:
        return "-"
    value = Decimal(value)
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent < min_places:
        value = value.quantize(Decimal(1).scaleb(-min_places))
    else:
        value = value.normalize()
    return f"{value:f}"


_EXACT_DISPLAYS: dict[tuple[type, str], object] = {}


def exact_decimal_display(model, field_name: str):
    """A read-only display callable for a decimal model field: the value exactly, without the
    column's padding zeros (``8.36``, not ``8.3600000000``); quantities may show no decimals.
    One callable per field, so that repeated reads of a fieldset compare equal."""
    key = (model, field_name)
    if key not in _EXACT_DISPLAYS:
        field = model._meta.get_field(field_name)
        min_places = 0 if "quantity" in field_name else 2

        def shown(obj) -> str:
            return decimal_display(getattr(obj, field_name), min_places)

        shown.__name__ = field_name
        _EXACT_DISPLAYS[key] = admin.display(description=field.verbose_name)(shown)
    return _EXACT_DISPLAYS[key]


class ExactDecimalsForm(forms.ModelForm):
    """Decimal inputs start with the stored value without padding zeros (``197.69``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            value = self.initial.get(name)
            decimal = isinstance(field, (forms.DecimalField, PlainDecimalField))
            if decimal and isinstance(value, Decimal):
                self.initial[name] = Decimal(decimal_display(value))


def admin_changelist_url(model, **filters) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def ile_link(entry_no: int | None) -> str:
    """A link to an item ledger entry's page, built from its number alone (no query)."""
    if entry_no is None:
        return "-"
    url = reverse("admin:inventory_itemledgerentry_change", args=[entry_no])
    return format_html('<a href="{}">{}</a>', url, entry_no)


class EstimatedCountPaginator(Paginator):
    """Counts exactly up to ``exact_limit`` rows, beyond that takes PostgreSQL's row estimate.

    The admin shows a count on every list page; ``COUNT(*)`` over millions of ledger rows is slow.
    The exact count is capped with ``LIMIT`` so it never reads more than ``exact_limit + 1`` rows;
    only when the cap is reached is the planner's estimate (``EXPLAIN``, which reads
    ``pg_class.reltuples`` and column statistics) used. ``count_is_estimate`` tells the template.
    """

    exact_limit = 10_000

    count_is_estimate = False

    @cached_property
    def count(self) -> int:
        assert isinstance(self.object_list, QuerySet)  # the admin pages querysets
        queryset = self.object_list.order_by().values("pk")
        capped = queryset[: self.exact_limit + 1].count()
        if capped <= self.exact_limit:
            return capped
        self.count_is_estimate = True
        return max(capped, self._planner_estimate(queryset))

    def _planner_estimate(self, queryset) -> int:
        plan = json.loads(queryset.explain(format="json"))
        return int(plan[0]["Plan"]["Plan Rows"])


class ExactValueFilter(admin.FieldListFilter):
    """A text box for one value (e.g. an item no.), instead of a list of every item."""

    template = "admin/inventory/input_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        if field.is_relation:
            self.lookup_kwarg = f"{field_path}__{field.target_field.name}__exact"
        else:
            self.lookup_kwarg = f"{field_path}__exact"
        self.lookup_val = get_last_value_from_parameters(params, self.lookup_kwarg)
        super().__init__(field, request, params, model, model_admin, field_path)

    def expected_parameters(self):
        return [self.lookup_kwarg]

    def queryset(self, request, queryset):
        if not self.lookup_val:  # an empty text box filters nothing
            return queryset
        return queryset.filter(**{self.lookup_kwarg: self.lookup_val})

    def choices(self, changelist):
        yield {
            "selected": not self.lookup_val,
            "query_string": changelist.get_query_string(remove=[self.lookup_kwarg]),
            "display": _("All"),
            "parameter": self.lookup_kwarg,
            "value": self.lookup_val or "",
            "hidden": [
                (key, value)
                for key, values in changelist.filter_params.items()
                if key != self.lookup_kwarg
                for value in values
            ],
        }


class LocationCodeFilter(admin.FieldListFilter):
    """Location codes from the Location table plus the blank location (not a record)."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.lookup_kwarg = f"{field_path}__exact"
        self.lookup_val = get_last_value_from_parameters(params, self.lookup_kwarg)
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = [("", _("(blank)"))] + [
            (code, code) for code in Location.objects.values_list("code", flat=True)
        ]

    def expected_parameters(self):
        return [self.lookup_kwarg]

    def choices(self, changelist):
        yield {
            "selected": self.lookup_val is None,
            "query_string": changelist.get_query_string(remove=[self.lookup_kwarg]),
            "display": _("All"),
        }
        for code, display in self.lookup_choices:
            yield {
                "selected": self.lookup_val == code,
                "query_string": changelist.get_query_string({self.lookup_kwarg: code}),
                "display": display,
            }


class ExactDecimalsAdmin(admin.ModelAdmin):
    """Read-only decimal fields show through ``exact_decimal_display`` (``8.36``, not the
    column's ``8.3600000000``); editable ones through ``ExactDecimalsForm``."""

    def get_readonly_fields(self, request, obj=None):
        return tuple(self._exact(name) for name in super().get_readonly_fields(request, obj))

    def get_fieldsets(self, request, obj=None):
        # A view-only page shows every field read-only; an editable one its readonly fields.
        everything = obj is not None and not self.has_change_permission(request, obj)
        readonly = set(self.get_readonly_fields(request, obj))
        return [
            (
                name,
                {
                    **options,
                    "fields": [self._shown(f, everything, readonly) for f in options["fields"]],
                },
            )
            for name, options in super().get_fieldsets(request, obj)
        ]

    def _shown(self, name, everything: bool, readonly: set):
        if isinstance(name, (list, tuple)):
            return tuple(self._shown(part, everything, readonly) for part in name)
        exact = self._exact(name)
        return exact if everything or exact in readonly else name

    def _exact(self, name):
        if not isinstance(name, str):
            return name
        try:
            field = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return name
        if isinstance(field, DecimalField):
            return exact_decimal_display(self.model, name)
        return name


class ReadOnlyAdmin(ExactDecimalsAdmin):
    """View-only admin for rows that only posting writes."""

    actions = None
    paginator: ClassVar[type] = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # facet counts would scan the table once per choice
    list_per_page = 50
    list_select_related: ClassVar[bool | tuple[str, ...]] = ()

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --------------------------------------------------------------------------- setup


class InventorySetupForm(ExactDecimalsForm):
    """E-63. The admin builds the form's Meta (model and fields)."""

    def clean(self):
        cleaned_data = super().clean()
        changed = [
            name
            for name in AVERAGE_SETUP_FIELDS
            if name in cleaned_data and cleaned_data[name] != getattr(self.instance, name)
        ]
        try:
            check_average_setup_change(changed)  # the service's check, with its locks
        except MasterDataError:
            for name in changed:  # every locked field the user changed shows the refusal
                self.add_error(
                    name, E63_AVERAGE_SETUP_LOCKED.format(field=AVERAGE_SETUP_FIELDS[name])
                )
        return cleaned_data


@admin.register(InventorySetup)
class InventorySetupAdmin(admin.ModelAdmin):
    """The singleton: the list goes straight to the one row; it can be added once, never deleted."""

    form = InventorySetupForm
    formfield_overrides = {DecimalField: {"form_class": PlainDecimalField}}
    fieldsets = (
        ("Rounding", {"fields": ("amount_rounding_precision", "unit_amount_rounding_precision")}),
        ("Average cost", {"fields": ("average_cost_calc_type", "average_cost_period")}),
        (
            "Posting",
            {
                "fields": (
                    "allow_negative_inventory",
                    "automatic_cost_adjustment",
                    "automatic_cost_posting",
                    "expected_cost_posting_to_gl",
                    ("allow_posting_from", "allow_posting_to"),
                )
            },
        ),
        ("Write-downs", {"fields": ("slow_moving_buckets", "slow_moving_age_from")}),
    )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not InventorySetup.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if self.has_view_or_change_permission(request):
            setup = InventorySetup.objects.first()
            if setup is not None:
                return HttpResponseRedirect(
                    reverse("admin:inventory_inventorysetup_change", args=[setup.pk])
                )
            if self.has_add_permission(request):
                return HttpResponseRedirect(reverse("admin:inventory_inventorysetup_add"))
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        obj.pk = 1  # the singleton's row, whatever the id sequence says
        super().save_model(request, obj, form, change)


# --------------------------------------------------------------------------- master data


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")

    def get_readonly_fields(self, request, obj=None):
        # Ledger rows hold the code: renaming would orphan them (and would insert a new row).
        return ("code",) if obj is not None else ()

    def get_deleted_objects(self, objs, request):
        """A location that ledger entries name is protected (the database refuses it too)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        in_use = selectors.location_codes_in_ledger(codes=[obj.code for obj in objs])
        protected = [*protected, *(f"Item ledger entries at location {code}" for code in in_use)]
        return deleted, counts, perms_needed, protected


@admin.register(ReasonCode)
class ReasonCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "description", "write_down")
    list_filter = ("write_down",)
    search_fields = ("code", "description")

    def get_readonly_fields(self, request, obj=None):
        # Entries and lines hold the code: renaming would insert a second code.
        return ("code",) if obj is not None else ()


class ItemVariantFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """A variant that ledger entries name can be neither deleted nor recoded."""
        super().clean()
        for form in self.initial_forms:
            code = form.initial["code"]  # the stored code, whatever the form now holds
            changing = form in self.deleted_forms or "code" in form.changed_data
            if changing and selectors.variant_in_ledger(item_no=self.instance.pk, code=code):
                raise forms.ValidationError(
                    "Variant %(code)s has item ledger entries: it cannot be deleted or recoded.",
                    code="variant_in_ledger",
                    params={"code": code},
                )


class ItemVariantInline(admin.TabularInline):
    model = ItemVariant
    formset = ItemVariantFormSet
    extra = 0
    fields = ("code", "description")


class ItemForm(ExactDecimalsForm):
    def clean_costing_method(self):
        costing_method = self.cleaned_data["costing_method"]
        if not self.instance._state.adding:
            try:  # the service's check, with its lock on the item
                check_costing_method_change(item_no=self.instance.pk, costing_method=costing_method)
            except MasterDataError as error:
                raise forms.ValidationError(error.message, code="costing_method_locked") from error
        return costing_method


@admin.register(Item)
class ItemAdmin(ExactDecimalsAdmin):
    form = ItemForm
    formfield_overrides = {DecimalField: {"form_class": PlainDecimalField}}
    inlines = (ItemVariantInline,)
    list_display = (
        "no",
        "description",
        "costing_method",
        "unit_cost",
        "standard_cost",
        "blocked",
        "cost_is_adjusted",
        "item_card_link",
    )
    list_filter = ("costing_method", "blocked", "cost_is_adjusted", "inventory_value_zero")
    search_fields = ("no", "description")
    fieldsets = (
        (None, {"fields": ("no", "description", "base_unit_of_measure", "blocked")}),
        (
            "Costs & posting",
            {
                "fields": (
                    "costing_method",
                    ("unit_cost", "standard_cost"),
                    ("last_direct_cost", "last_unit_cost_calc_date"),
                    ("inventory_posting_group", "gen_prod_posting_group"),
                    "inventory_value_zero",
                    "cost_is_adjusted",
                )
            },
        ),
    )
    # Maintained by posting, Adjust Cost and Update Standard Cost.
    maintained_by_posting = ("last_direct_cost", "last_unit_cost_calc_date", "cost_is_adjusted")

    def get_readonly_fields(self, request, obj=None):
        # The number is the primary key: editing it would insert a second item.
        names = (("no",) if obj is not None else ()) + self.maintained_by_posting
        return tuple(self._exact(name) for name in names)

    @admin.display(description="Item card")
    def item_card_link(self, obj: Item) -> str:
        return format_html('<a href="{}">Item card</a>', reverse("item-card", args=[obj.no]))


class InventoryPeriodForm(forms.ModelForm):
    def clean_ending_date(self):
        # Only on add: the ending date is read-only on an existing period.
        ending_date = self.cleaned_data["ending_date"]
        last_closed = (
            InventoryPeriod.objects.filter(closed=True, ending_date__gte=ending_date)
            .order_by("-ending_date")
            .values_list("ending_date", flat=True)
            .first()
        )
        if last_closed is not None:
            raise forms.ValidationError(
                E62_PERIOD_BEFORE_CLOSED.format(date=last_closed.isoformat()),
                code="period_before_closed",
            )
        return ending_date


@admin.register(InventoryPeriod)
class InventoryPeriodAdmin(admin.ModelAdmin):
    """Periods are added and named here; closing and reopening have checks of their own (§11).

    ``closed`` is read-only: closing must check E-60/E-61, close earlier periods and log an
    Inventory Period Entry, which belongs in a service, not in a checkbox.
    """

    form = InventoryPeriodForm
    list_display = ("ending_date", "name", "closed")
    list_filter = ("closed",)

    def get_readonly_fields(self, request, obj=None):
        # A period is never renamed (its ending date is the key) and is closed by a service.
        return ("ending_date", "closed") if obj is not None else ("closed",)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.closed:
            return False
        return super().has_delete_permission(request, obj)


class ItemJournalLineInline(admin.TabularInline):
    model = ItemJournalLine
    extra = 0
    raw_id_fields = ("item",)
    fields = (
        "line_no",
        "posting_date",
        "entry_type",
        "document_no",
        "item",
        "location_code",
        "variant_code",
        "new_location_code",
        "quantity",
        "invoiced_quantity",
        "unit_amount",
        "applies_to_entry",
        "applies_from_entry",
        "description",
    )


@admin.register(ItemJournalBatch)
class ItemJournalBatchAdmin(admin.ModelAdmin):
    inlines = (ItemJournalLineInline,)
    list_display = ("name", "description")
    search_fields = ("name", "description")

    def get_readonly_fields(self, request, obj=None):
        return ("name",) if obj is not None else ()


# --------------------------------------------------------------------------- ledgers


@admin.register(ItemRegister)
class ItemRegisterAdmin(ReadOnlyAdmin):
    list_display = (
        "no",
        "created_at",
        "source_code",
        "user",
        "journal_batch_name",
        "from_entry_no",
        "to_entry_no",
        "from_value_entry_no",
        "to_value_entry_no",
    )
    list_select_related = ("user",)
    list_filter = ("source_code", "created_at")
    search_fields = ("no__exact", "journal_batch_name")
    date_hierarchy = "created_at"
    ordering = ("-no",)
    sortable_by = ("no", "created_at")
    raw_id_fields = ("user",)
    fields = (
        "no",
        "created_at",
        "source_code",
        "user",
        "journal_batch_name",
        ("from_entry_no", "to_entry_no"),
        ("from_value_entry_no", "to_value_entry_no"),
        "entries_links",
    )
    readonly_fields = ("entries_links",)

    @admin.display(description="Entries")
    def entries_links(self, obj: ItemRegister) -> str:
        return format_html(
            '<a href="{}">Item ledger entries</a> · <a href="{}">Value entries</a>',
            admin_changelist_url(ItemLedgerEntry, item_register__no__exact=obj.pk),
            admin_changelist_url(ValueEntry, item_register__no__exact=obj.pk),
        )


@admin.register(ItemLedgerEntry)
class ItemLedgerEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "entry_no",
        "posting_date",
        "entry_type",
        "item",
        "document_no",
        "location_code",
        "variant_code",
        "quantity_display",
        "remaining_quantity_display",
        "invoiced_quantity_display",
        "cost_amount_actual",
        "cost_amount_expected",
        "open",
        "completely_invoiced",
    )
    list_select_related = ("item",)
    list_filter = (
        "entry_type",
        ("item", ExactValueFilter),
        ("location_code", LocationCodeFilter),
        "posting_date",
        "open",
        "positive",
        "completely_invoiced",
        "applied_entry_to_adjust",
        "source_code",
    )
    search_fields = ("entry_no__exact", "=item__no", "document_no", "description")
    date_hierarchy = "posting_date"
    ordering = ("-entry_no",)
    sortable_by = ("entry_no", "posting_date")
    raw_id_fields = ("item", "item_register")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "entry_no",
                    "item",
                    "posting_date",
                    "entry_type",
                    "document_no",
                    "description",
                    ("location_code", "variant_code"),
                    ("source_code", "reason_code"),
                    "item_register",
                )
            },
        ),
        (
            "Quantities",
            {
                "fields": (
                    ("quantity", "positive"),
                    ("remaining_quantity", "open"),
                    ("invoiced_quantity", "completely_invoiced"),
                    "last_invoice_date",
                    "applies_to_entry",
                    "applied_entry_to_adjust",
                )
            },
        ),
        (
            "Cost (sum of the value entries)",
            {
                "fields": (
                    ("cost_amount_actual", "cost_amount_expected"),
                    "value_entries_link",
                    "application_entries_link",
                )
            },
        ),
    )
    readonly_fields = (
        "cost_amount_actual",
        "cost_amount_expected",
        "value_entries_link",
        "application_entries_link",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                cost_actual_sum=selectors.value_entry_sum("cost_amount_actual"),
                cost_expected_sum=selectors.value_entry_sum("cost_amount_expected"),
            )
        )

    @admin.display(description="Quantity")
    def quantity_display(self, obj: ItemLedgerEntry) -> str:
        return decimal_display(obj.quantity, 0)

    @admin.display(description="Remaining qty.")
    def remaining_quantity_display(self, obj: ItemLedgerEntry) -> str:
        return decimal_display(obj.remaining_quantity, 0)

    @admin.display(description="Invoiced qty.")
    def invoiced_quantity_display(self, obj: ItemLedgerEntry) -> str:
        return decimal_display(obj.invoiced_quantity, 0)

    @admin.display(description="Cost amount (actual)")
    def cost_amount_actual(self, obj: ItemLedgerEntry) -> str:
        return decimal_display(obj.cost_actual_sum)  # type: ignore[attr-defined]  # get_queryset

    @admin.display(description="Cost amount (expected)")
    def cost_amount_expected(self, obj: ItemLedgerEntry) -> str:
        return decimal_display(obj.cost_expected_sum)  # type: ignore[attr-defined]  # get_queryset

    @admin.display(description="Value entries")
    def value_entries_link(self, obj: ItemLedgerEntry) -> str:
        count = ValueEntry.objects.filter(item_ledger_entry_id=obj.pk).count()
        return format_html(
            '<a href="{}">{} value entr{}</a>',
            admin_changelist_url(ValueEntry, item_ledger_entry__entry_no__exact=obj.pk),
            count,
            "y" if count == 1 else "ies",
        )

    @admin.display(description="Application entries")
    def application_entries_link(self, obj: ItemLedgerEntry) -> str:
        # An inbound's rows name it as inbound entry, an outbound's as outbound entry.
        side = "inbound_item_entry" if obj.positive else "outbound_item_entry"
        count = ItemApplicationEntry.objects.filter(**{f"{side}_id": obj.pk}).count()
        return format_html(
            '<a href="{}">{} application entr{}</a>',
            admin_changelist_url(ItemApplicationEntry, **{f"{side}__entry_no__exact": obj.pk}),
            count,
            "y" if count == 1 else "ies",
        )


@admin.register(ValueEntry)
class ValueEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "entry_no",
        "item_ledger_entry_link",
        "posting_date",
        "valuation_date",
        "entry_type",
        "item_ledger_entry_type",
        "item",
        "document_no",
        "location_code",
        "valued_quantity_display",
        "invoiced_quantity_display",
        "cost_per_unit_display",
        "cost_amount_actual_display",
        "cost_amount_expected_display",
        "expected_cost",
        "adjustment",
    )
    list_select_related = ("item",)
    list_filter = (
        "entry_type",
        "item_ledger_entry_type",
        ("item", ExactValueFilter),
        ("location_code", LocationCodeFilter),
        "posting_date",
        "valuation_date",
        "expected_cost",
        "adjustment",
        "partial_revaluation",
        "valued_by_average_cost",
        "source_code",
    )
    search_fields = (
        "entry_no__exact",
        "item_ledger_entry__entry_no__exact",
        "=item__no",
        "document_no",
        "description",
    )
    date_hierarchy = "posting_date"
    ordering = ("-entry_no",)
    sortable_by = ("entry_no", "posting_date", "valuation_date")
    raw_id_fields = ("item_ledger_entry", "item", "user", "item_register")

    @admin.display(description="Item ledger entry", ordering="item_ledger_entry")
    def item_ledger_entry_link(self, obj: ValueEntry) -> str:
        return ile_link(obj.item_ledger_entry_id)

    @admin.display(description="Valued qty.")
    def valued_quantity_display(self, obj: ValueEntry) -> str:
        return decimal_display(obj.valued_quantity, 0)

    @admin.display(description="Invoiced qty.")
    def invoiced_quantity_display(self, obj: ValueEntry) -> str:
        return decimal_display(obj.invoiced_quantity, 0)

    @admin.display(description="Cost per unit")
    def cost_per_unit_display(self, obj: ValueEntry) -> str:
        return decimal_display(obj.cost_per_unit)

    @admin.display(description="Cost amount (actual)")
    def cost_amount_actual_display(self, obj: ValueEntry) -> str:
        return decimal_display(obj.cost_amount_actual)

    @admin.display(description="Cost amount (expected)")
    def cost_amount_expected_display(self, obj: ValueEntry) -> str:
        return decimal_display(obj.cost_amount_expected)


@admin.register(ItemApplicationEntry)
class ItemApplicationEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "entry_no",
        "item_ledger_entry_link",
        "inbound_item_entry_link",
        "outbound_item_entry_link",
        "transferred_from_entry_link",
        "quantity_display",
        "posting_date",
        "cost_application",
    )
    list_select_related = ()  # entries are shown by number, read from the row itself
    list_filter = ("posting_date", "cost_application")
    search_fields = (
        "entry_no__exact",
        "item_ledger_entry__entry_no__exact",
        "inbound_item_entry__entry_no__exact",
        "outbound_item_entry__entry_no__exact",
    )
    date_hierarchy = "posting_date"
    ordering = ("-entry_no",)
    sortable_by = ("entry_no", "posting_date")
    raw_id_fields = (
        "item_ledger_entry",
        "inbound_item_entry",
        "outbound_item_entry",
        "transferred_from_entry",
        "item_register",
    )

    @admin.display(description="Item ledger entry", ordering="item_ledger_entry")
    def item_ledger_entry_link(self, obj: ItemApplicationEntry) -> str:
        return ile_link(obj.item_ledger_entry_id)

    @admin.display(description="Inbound entry")
    def inbound_item_entry_link(self, obj: ItemApplicationEntry) -> str:
        return ile_link(obj.inbound_item_entry_id)

    @admin.display(description="Outbound entry")
    def outbound_item_entry_link(self, obj: ItemApplicationEntry) -> str:
        return ile_link(obj.outbound_item_entry_id)

    @admin.display(description="Transferred-from entry")
    def transferred_from_entry_link(self, obj: ItemApplicationEntry) -> str:
        return ile_link(obj.transferred_from_entry_id)

    @admin.display(description="Quantity")
    def quantity_display(self, obj: ItemApplicationEntry) -> str:
        return decimal_display(obj.quantity, 0)


@admin.register(AvgCostAdjmtEntryPoint)
class AvgCostAdjmtEntryPointAdmin(ReadOnlyAdmin):
    list_display = ("item", "location_code", "variant_code", "valuation_date", "cost_is_adjusted")
    list_select_related = ("item",)
    list_filter = (
        "cost_is_adjusted",
        ("item", ExactValueFilter),
        ("location_code", LocationCodeFilter),
        "valuation_date",
    )
    search_fields = ("=item__no",)
    date_hierarchy = "valuation_date"
    ordering = ("item", "location_code", "variant_code", "valuation_date")
    raw_id_fields = ("item",)


@admin.register(LedgerCounter)
class LedgerCounterAdmin(ReadOnlyAdmin):
    list_display = ("name", "last_no")


# --------------------------------------------------------------------------- adjust cost runs


@admin.register(AdjustmentRun)
class AdjustmentRunAdmin(ReadOnlyAdmin):
    """Runs of Adjust Cost started from the pages; written only by their worker."""

    list_display = (
        "id",
        "started_at",
        "finished_at",
        "started_by",
        "status",
        "item_filter",
        "items_done",
        "items_total",
        "entries_created",
        "amount_display",
        "failure_count",
    )
    list_select_related = ("started_by",)
    list_filter = ("status", "started_at")
    ordering = ("-id",)
    sortable_by = ("id", "started_at")
    paginator = Paginator  # a small table: exact counts
    show_full_result_count = True
    readonly_fields = ("register_links",)
    fields = (
        ("started_at", "finished_at"),
        "started_by",
        "status",
        "item_filter",
        ("items_done", "items_total"),
        ("entries_created", "amount"),
        "failures",
        "register_nos",
        "register_links",
    )

    @admin.display(description="Amount")
    def amount_display(self, obj: AdjustmentRun) -> str:
        return decimal_display(obj.amount)

    @admin.display(description="Failures")
    def failure_count(self, obj: AdjustmentRun) -> int:
        return len(obj.failures or [])

    @admin.display(description="Value entries")
    def register_links(self, obj: AdjustmentRun) -> str:
        if not obj.register_nos:
            return "-"
        return format_html_join(
            ", ",
            '<a href="{}">Register {}</a>',
            (
                (admin_changelist_url(ValueEntry, item_register__no__exact=no), no)
                for no in obj.register_nos
            ),
        )


# The general ledger's admin registers itself on import.
from inventory import gl_admin  # noqa: E402, F401
