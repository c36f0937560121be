"""Admin of the general ledger: chart of accounts and posting setups editable, G/L entries,
registers and the G/L – item ledger relation read-only (imported by ``inventory.admin``)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html

from inventory.admin import ReadOnlyAdmin, admin_changelist_url, decimal_display
from inventory.models import (
    DefaultPostingAccounts,
    GeneralPostingSetup,
    GLAccount,
    GLEntry,
    GLItemLedgerRelation,
    GLRegister,
    InventoryPostingSetup,
)


@admin.register(GLAccount)
class GLAccountAdmin(admin.ModelAdmin):
    list_display = ("no", "name", "account_type", "blocked")
    list_filter = ("account_type", "blocked")
    search_fields = ("no", "name")


@admin.register(InventoryPostingSetup)
class InventoryPostingSetupAdmin(admin.ModelAdmin):
    list_display = (
        "location_code",
        "inventory_posting_group",
        "inventory",
        "inventory_interim",
        "wip",
    )
    list_filter = ("inventory_posting_group",)
    search_fields = ("location_code", "inventory_posting_group")


@admin.register(GeneralPostingSetup)
class GeneralPostingSetupAdmin(admin.ModelAdmin):
    list_display = (
        "gen_bus_posting_group",
        "gen_prod_posting_group",
        "inventory_adjmt",
        "cogs",
        "cogs_interim",
        "direct_cost_applied",
        "purchase_variance",
        "invt_accrual_interim",
        "blocked",
    )
    list_filter = ("blocked",)
    search_fields = ("gen_bus_posting_group", "gen_prod_posting_group")


@admin.register(DefaultPostingAccounts)
class DefaultPostingAccountsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not DefaultPostingAccounts.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GLRegister)
class GLRegisterAdmin(ReadOnlyAdmin):
    list_display = ("no", "from_entry_no", "to_entry_no", "source_code", "user", "created_at")
    list_filter = ("source_code",)
    ordering = ("-no",)
    readonly_fields = ("entries_link",)

    @admin.display(description="G/L entries")
    def entries_link(self, obj: GLRegister) -> str:
        url = admin_changelist_url(GLEntry, gl_register__no__exact=obj.pk)
        return format_html(
            '<a href="{}">G/L entries {}-{}</a>', url, obj.from_entry_no, obj.to_entry_no
        )


@admin.register(GLEntry)
class GLEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "entry_no",
        "posting_date",
        "document_no",
        "account",
        "role",
        "debit",
        "credit",
        "description",
        "location_code",
        "inventory_posting_group",
        "source_code",
    )
    list_select_related = ("account",)
    list_filter = ("role", "account", "source_code", "posting_date", "inventory_posting_group")
    search_fields = ("entry_no__exact", "document_no", "description")
    date_hierarchy = "posting_date"
    ordering = ("-entry_no",)
    sortable_by = ("entry_no", "posting_date")
    raw_id_fields = ("account", "gl_register")
    readonly_fields = ("value_entries_link",)

    @admin.display(description="Debit")
    def debit(self, obj: GLEntry) -> str:
        return decimal_display(obj.amount) if obj.amount > 0 else ""

    @admin.display(description="Credit")
    def credit(self, obj: GLEntry) -> str:
        return decimal_display(-obj.amount) if obj.amount < 0 else ""

    @admin.display(description="Value entries")
    def value_entries_link(self, obj: GLEntry) -> str:
        url = admin_changelist_url(GLItemLedgerRelation, gl_entry__entry_no__exact=obj.pk)
        return format_html('<a href="{}">Value entries of G/L entry {}</a>', url, obj.pk)


@admin.register(GLItemLedgerRelation)
class GLItemLedgerRelationAdmin(ReadOnlyAdmin):
    list_display = ("gl_entry", "value_entry", "gl_register")
    search_fields = ("gl_entry__entry_no__exact", "value_entry__entry_no__exact")
    ordering = ("-gl_entry",)
    raw_id_fields = ("gl_entry", "value_entry", "gl_register")
