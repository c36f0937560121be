"""General ledger: chart of accounts, posting setups and the append-only G/L ledgers (COSTING-SPEC
§2.9, §10). Imported by ``inventory.models``, so Django sees these as models of ``inventory``.

Only ``inventory.services.gl_posting`` writes G/L entries, registers and relations; the triggers
of the G/L migration refuse any change or delete, and TRUNCATE.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from inventory.audit import track_all
from inventory.models import (
    ACTIVE_JOB_STATUSES,
    AppendOnlyModel,
    BackgroundJob,
    SourceCode,
    amount_field,
)
from inventory.text import validate_code

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # django-stubs' helper: a dev dependency only


class GLAccountType(models.TextChoices):
    INCOME_STATEMENT = "income_statement", "Income Statement"
    BALANCE_SHEET = "balance_sheet", "Balance Sheet"


@track_all()
class GLAccount(models.Model):
    no = models.CharField(_("No."), max_length=20, primary_key=True, validators=[validate_code])
    name = models.CharField(max_length=100, verbose_name=_("name"))
    account_type = models.CharField(
        max_length=20,
        choices=GLAccountType,
        default=GLAccountType.BALANCE_SHEET,
        verbose_name=_("account type"),
    )
    blocked = models.BooleanField(default=False, verbose_name=_("blocked"))

    class Meta:
        verbose_name = "G/L account"
        ordering = ["no"]

    def __str__(self) -> str:
        return f"{self.no} {self.name}"


class GLRole(models.TextChoices):
    """The posting-setup field an account is chosen by (stable names: exports use them)."""

    INVENTORY = "inventory", "Inventory"
    INVENTORY_INTERIM = "inventory_interim", "Inventory (Interim)"
    WIP = "wip", "WIP"
    INVENTORY_ADJMT = "inventory_adjmt", "Inventory Adjmt."
    COGS = "cogs", "COGS"
    COGS_INTERIM = "cogs_interim", "COGS (Interim)"
    DIRECT_COST_APPLIED = "direct_cost_applied", "Direct Cost Applied"
    OVERHEAD_APPLIED = "overhead_applied", "Overhead Applied"
    PURCHASE_VARIANCE = "purchase_variance", "Purchase Variance"
    INVT_ACCRUAL_INTERIM = "invt_accrual_interim", "Invt. Accrual Acc. (Interim)"


INVENTORY_SETUP_ROLES = (GLRole.INVENTORY, GLRole.INVENTORY_INTERIM, GLRole.WIP)
GENERAL_SETUP_ROLES = tuple(role for role in GLRole if role not in INVENTORY_SETUP_ROLES)


def account_field(verbose_name: StrOrPromise) -> models.ForeignKey:
    return models.ForeignKey(
        GLAccount,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )


@track_all()
class DefaultPostingAccounts(models.Model):
    """Singleton (pk 1): the accounts a new Inventory / General Posting Setup row starts with
    (a location or posting group that has no setup row yet gets one from here when it posts)."""

    inventory = account_field(_("Inventory Account"))
    inventory_interim = account_field(_("Inventory Account (Interim)"))
    wip = account_field(_("WIP Account"))
    inventory_adjmt = account_field(_("Inventory Adjmt. Account"))
    cogs = account_field(_("COGS Account"))
    cogs_interim = account_field(_("COGS Account (Interim)"))
    direct_cost_applied = account_field(_("Direct Cost Applied Account"))
    overhead_applied = account_field(_("Overhead Applied Account"))
    purchase_variance = account_field(_("Purchase Variance Account"))
    invt_accrual_interim = account_field(_("Invt. Accrual Acc. (Interim)"))

    class Meta:
        verbose_name = "default posting accounts"
        verbose_name_plural = "default posting accounts"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="defaultpostingaccounts_single")
        ]

    def __str__(self) -> str:
        return "Default posting accounts"


@track_all()
class InventoryPostingSetup(models.Model):
    location_code = models.CharField(max_length=10, blank=True, verbose_name=_("location code"))
    inventory_posting_group = models.CharField(
        max_length=20, verbose_name=_("inventory posting group")
    )
    inventory = account_field(_("Inventory Account"))
    inventory_interim = account_field(_("Inventory Account (Interim)"))
    wip = account_field(_("WIP Account"))

    class Meta:
        ordering = ["location_code", "inventory_posting_group"]
        constraints = [
            models.UniqueConstraint(
                fields=["location_code", "inventory_posting_group"],
                name="inventorypostingsetup_unique",
            )
        ]

    def __str__(self) -> str:
        return (
            f"Inventory Posting Setup: Location Code='{self.location_code}', "
            f"Inventory Posting Group='{self.inventory_posting_group}'"
        )


@track_all()
class GeneralPostingSetup(models.Model):
    gen_bus_posting_group = models.CharField(
        max_length=20, blank=True, verbose_name=_("gen bus posting group")
    )
    gen_prod_posting_group = models.CharField(
        max_length=20, verbose_name=_("gen prod posting group")
    )
    inventory_adjmt = account_field(_("Inventory Adjmt. Account"))
    cogs = account_field(_("COGS Account"))
    cogs_interim = account_field(_("COGS Account (Interim)"))
    direct_cost_applied = account_field(_("Direct Cost Applied Account"))
    overhead_applied = account_field(_("Overhead Applied Account"))
    purchase_variance = account_field(_("Purchase Variance Account"))
    invt_accrual_interim = account_field(_("Invt. Accrual Acc. (Interim)"))
    blocked = models.BooleanField(default=False, verbose_name=_("blocked"))

    class Meta:
        ordering = ["gen_bus_posting_group", "gen_prod_posting_group"]
        constraints = [
            models.UniqueConstraint(
                fields=["gen_bus_posting_group", "gen_prod_posting_group"],
                name="generalpostingsetup_unique",
            )
        ]

    def __str__(self) -> str:
        return (
            f"General Posting Setup: Gen. Bus. Posting Group='{self.gen_bus_posting_group}', "
            f"Gen. Prod. Posting Group='{self.gen_prod_posting_group}'"
        )


# --------------------------------------------------------------------------- G/L ledgers


class GLRegister(AppendOnlyModel):
    no = models.PositiveIntegerField(primary_key=True, verbose_name=_("no"))
    from_entry_no = models.PositiveIntegerField(default=0, verbose_name=_("from entry no"))
    to_entry_no = models.PositiveIntegerField(default=0, verbose_name=_("to entry no"))
    source_code = models.CharField(max_length=10, choices=SourceCode, verbose_name=_("source code"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))

    class Meta:
        verbose_name = "G/L register"
        ordering = ["-no"]

    def __str__(self) -> str:
        return f"G/L register {self.no}"


class GLEntry(AppendOnlyModel):
    """Amount: debit > 0, credit < 0. The posting groups and location say where it came from
    (reconciliation per location and posting group, spec §10.4)."""

    entry_no = models.PositiveIntegerField(_("Entry No."), primary_key=True)
    account = models.ForeignKey(
        GLAccount, on_delete=models.PROTECT, related_name="entries", verbose_name=_("account")
    )
    role = models.CharField(max_length=30, choices=GLRole, verbose_name=_("role"))
    posting_date = models.DateField(verbose_name=_("posting date"))
    document_no = models.CharField(max_length=20, verbose_name=_("document no"))
    description = models.CharField(max_length=100, blank=True, verbose_name=_("description"))
    amount = amount_field(verbose_name=_("amount"))
    source_code = models.CharField(max_length=10, choices=SourceCode, verbose_name=_("source code"))
    reason_code = models.CharField(max_length=10, blank=True, verbose_name=_("reason code"))
    location_code = models.CharField(max_length=10, blank=True, verbose_name=_("location code"))
    inventory_posting_group = models.CharField(
        max_length=20, blank=True, verbose_name=_("inventory posting group")
    )
    gen_bus_posting_group = models.CharField(
        max_length=20, blank=True, verbose_name=_("gen bus posting group")
    )
    gen_prod_posting_group = models.CharField(
        max_length=20, blank=True, verbose_name=_("gen prod posting group")
    )
    gl_register = models.ForeignKey(
        GLRegister, on_delete=models.PROTECT, related_name="+", verbose_name=_("gl register")
    )

    class Meta:
        verbose_name = "G/L entry"
        verbose_name_plural = "G/L entries"
        ordering = ["entry_no"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(entry_no__gte=1), name="gle_entry_no_positive"
            ),
            models.CheckConstraint(condition=~models.Q(amount=0), name="gle_amount_not_zero"),
        ]
        indexes = [
            models.Index(fields=["posting_date"], name="gle_posting_date"),
            models.Index(fields=["account", "posting_date"], name="gle_account_date"),
        ]

    def __str__(self) -> str:
        return f"G/L entry {self.entry_no}"


class GLItemLedgerRelation(AppendOnlyModel):
    """G/L – Item Ledger Relation: which value entries a G/L entry posted."""

    gl_entry = models.ForeignKey(
        GLEntry, on_delete=models.PROTECT, related_name="relations", verbose_name=_("gl entry")
    )
    value_entry = models.ForeignKey(
        "inventory.ValueEntry",
        on_delete=models.PROTECT,
        related_name="gl_relations",
        verbose_name=_("value entry"),
    )
    gl_register = models.ForeignKey(
        GLRegister, on_delete=models.PROTECT, related_name="+", verbose_name=_("gl register")
    )

    class Meta:
        verbose_name = "G/L – item ledger relation"
        ordering = ["gl_entry", "value_entry"]
        constraints = [
            models.UniqueConstraint(fields=["gl_entry", "value_entry"], name="glrelation_unique")
        ]

    def __str__(self) -> str:
        return f"G/L entry {self.gl_entry_id} - VE {self.value_entry_id}"


class GLPostingRun(BackgroundJob):
    """One Post Inventory Cost to G/L run started from the page (``services.gl_posting_runs``).
    One run at a time (the partial unique index, as for Adjust Cost)."""

    lock_namespace = 5802
    noun = "run"

    per = models.CharField(max_length=20, default="entry", verbose_name=_("per"))
    document_no = models.CharField(max_length=20, blank=True, verbose_name=_("document no"))
    value_entries_outstanding = models.PositiveIntegerField(
        default=0, verbose_name=_("value entries outstanding")
    )
    value_entries_posted = models.PositiveIntegerField(
        default=0, verbose_name=_("value entries posted")
    )
    entries_created = models.PositiveIntegerField(default=0, verbose_name=_("entries created"))
    register_no = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("register no"))
    skipped = models.JSONField(
        default=list, blank=True, verbose_name=_("skipped")
    )  # [[value entry no., item no., reason]]
    message = models.TextField(blank=True, verbose_name=_("message"))

    class Meta:
        verbose_name = "Post Inventory Cost to G/L run"
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                models.Value(1),
                condition=models.Q(status__in=ACTIVE_JOB_STATUSES),
                name="glpostingrun_one_active",
                violation_error_message="Post Inventory Cost to G/L is already running.",
            ),
        ]

    def __str__(self) -> str:
        return f"Post Inventory Cost to G/L run {self.pk} ({self.status})"

    def failed_fields(self, message: str) -> dict:
        return {"message": message}
