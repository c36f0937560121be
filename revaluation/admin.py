"""Admin of the revaluation app (STYLE §3.2 item 3).

Batches are editable here (name, description, number series, reason code). Journal lines are
view-only: values change only through the journal's line rules (page, spreadsheet import,
Calculate Inventory Value), never by a form that would bypass them; lines are removed by posting
or on the journal page. The posted history is view-only, and a posted revaluation links to its
item register and value entries in the inventory admin.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from inventory.admin import ReadOnlyAdmin, admin_changelist_url, decimal_display
from inventory.models import ValueEntry
from revaluation import rights
from revaluation.models import (
    BatchJob,
    PostedRevaluation,
    PostedRevaluationLine,
    RevaluationBatch,
    RevaluationLine,
    SellingPrice,
)


@admin.register(RevaluationBatch)
class RevaluationBatchAdmin(admin.ModelAdmin):
    list_display = ("name", "description", "last_document_no", "reason_code", "line_count")
    search_fields = ("name", "description")
    fields = ("name", "description", "last_document_no", "reason_code", "lines_link")
    readonly_fields = ("lines_link",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(line_count=Count("lines"))

    # Changing a batch (its number series, reason code) is preparing (revaluation.rights),
    # whatever model permissions a user was given.
    def has_add_permission(self, request):
        return super().has_add_permission(request) and rights.can_prepare(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and rights.can_prepare(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and rights.can_prepare(request.user)

    def get_readonly_fields(self, request, obj=None):
        # The name is the primary key: editing it would insert a second batch.
        return ("name", *self.readonly_fields) if obj is not None else self.readonly_fields

    @admin.display(description="Lines", ordering="line_count")
    def line_count(self, obj: RevaluationBatch) -> int:
        return obj.line_count  # type: ignore[attr-defined]  # annotated by get_queryset

    @admin.display(description="Lines")
    def lines_link(self, obj: RevaluationBatch) -> str:
        if obj.pk is None:
            return "-"
        count = obj.lines.count()
        return format_html(
            '<a href="{}">{} line{}</a>',
            admin_changelist_url(RevaluationLine, batch__name__exact=obj.pk),
            count,
            "" if count == 1 else "s",
        )


class _DecimalColumns:
    """Exact decimal display (no float, no locale rounding) of the money columns."""

    @admin.display(description="Quantity")
    def quantity_display(self, obj) -> str:
        return decimal_display(obj.quantity, 0)

    @admin.display(description="Inventory value (calculated)")
    def inventory_value_calculated_display(self, obj) -> str:
        return decimal_display(obj.inventory_value_calculated)

    @admin.display(description="Inventory value (revalued)")
    def inventory_value_revalued_display(self, obj) -> str:
        return decimal_display(obj.inventory_value_revalued)

    @admin.display(description="Unit cost (revalued)")
    def unit_cost_revalued_display(self, obj) -> str:
        return decimal_display(obj.unit_cost_revalued)

    @admin.display(description="Amount")
    def amount_display(self, obj) -> str:
        return decimal_display(obj.amount)


@admin.register(RevaluationLine)
class RevaluationLineAdmin(_DecimalColumns, ReadOnlyAdmin):
    list_display = (
        "batch",
        "line_no",
        "item",
        "posting_date",
        "document_no",
        "location_code",
        "variant_code",
        "applies_to_entry",
        "inventory_value_per",
        "quantity_display",
        "inventory_value_calculated_display",
        "unit_cost_revalued_display",
        "inventory_value_revalued_display",
        "amount_display",
        "version",
    )
    list_select_related = ("batch", "item")
    list_filter = ("batch", "inventory_value_per", "partial_revaluation", "posting_date")
    search_fields = ("=item__no", "document_no", "batch__name")
    ordering = ("batch", "line_no")
    date_hierarchy = "posting_date"


class PostedRevaluationLineInline(_DecimalColumns, admin.TabularInline):
    model = PostedRevaluationLine
    extra = 0
    can_delete = False
    show_change_link = True
    fields = (
        "line_no",
        "item_no",
        "location_code",
        "variant_code",
        "applies_to_entry",
        "inventory_value_per",
        "quantity_display",
        "inventory_value_calculated_display",
        "unit_cost_revalued_display",
        "inventory_value_revalued_display",
        "amount_display",
        "update_standard_cost",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BatchJob)
class BatchJobAdmin(ReadOnlyAdmin):
    """Background calculations, postings, exports and imports of batches (written by the task
    worker)."""

    exclude = ("file_data",)  # up to megabytes of bytes; the job page offers an export's file
    list_display = ("pk", "kind", "batch_name", "status", "started_by", "started_at", "finished_at")
    list_filter = ("kind", "status")
    search_fields = ("batch_name",)


@admin.register(PostedRevaluation)
class PostedRevaluationAdmin(ReadOnlyAdmin):
    list_display = (
        "document_no",
        "batch_name",
        "posting_date",
        "posted_at",
        "posted_by",
        "item_register_link",
        "total_amount_display",
        "value_entries_link",
    )
    list_select_related = ("posted_by",)
    list_filter = ("batch_name", "posting_date", "posted_at")
    search_fields = ("document_no", "batch_name", "item_register__no__exact")
    date_hierarchy = "posting_date"
    ordering = ("-posted_at",)
    fields = (
        "document_no",
        "batch_name",
        "posting_date",
        "posted_at",
        "posted_by",
        "item_register_link",
        "total_amount_display",
        "value_entries_link",
    )
    readonly_fields = ("item_register_link", "total_amount_display", "value_entries_link")
    inlines = (PostedRevaluationLineInline,)

    @admin.display(description="Item register", ordering="item_register")
    def item_register_link(self, obj: PostedRevaluation) -> str:
        url = reverse("admin:inventory_itemregister_change", args=[obj.item_register_id])
        return format_html('<a href="{}">{}</a>', url, obj.item_register_id)

    @admin.display(description="Total amount")
    def total_amount_display(self, obj: PostedRevaluation) -> str:
        return decimal_display(obj.total_amount)

    @admin.display(description="Value entries")
    def value_entries_link(self, obj: PostedRevaluation) -> str:
        return format_html(
            '<a href="{}">Value entries</a>',
            admin_changelist_url(ValueEntry, item_register__no__exact=obj.item_register_id),
        )


@admin.register(PostedRevaluationLine)
class PostedRevaluationLineAdmin(_DecimalColumns, ReadOnlyAdmin):
    list_display = (
        "posted",
        "line_no",
        "item_no",
        "posting_date",
        "document_no",
        "location_code",
        "variant_code",
        "applies_to_entry",
        "inventory_value_per",
        "quantity_display",
        "inventory_value_calculated_display",
        "unit_cost_revalued_display",
        "inventory_value_revalued_display",
        "amount_display",
        "reason_code",
        "writedown_rule",
    )
    list_select_related = ("posted",)
    list_filter = (
        "posted__batch_name",
        "inventory_value_per",
        "update_standard_cost",
        "posting_date",
    )
    search_fields = ("=item_no", "document_no", "posted__document_no")
    date_hierarchy = "posting_date"
    ordering = ("-posted__posted_at", "line_no")


@admin.register(SellingPrice)
class SellingPriceAdmin(admin.ModelAdmin):
    """Expected selling prices and costs to sell: the basis of the NRV write-downs."""

    list_display = (
        "item",
        "location_code",
        "variant_code",
        "valid_from",
        "selling_price",
        "cost_to_sell",
        "cost_to_sell_percent",
    )
    list_filter = ("valid_from",)
    search_fields = ("=item__no", "item__description")
    autocomplete_fields = ("item",)
    date_hierarchy = "valid_from"
