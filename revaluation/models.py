"""Revaluation journal batches and lines (COSTING-SPEC §2.8, §5) and the posted history."""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from inventory.audit import track_all, track_changes
from inventory.models import (
    ACTIVE_JOB_STATUSES,
    BackgroundJob,
    Item,
    ItemLedgerEntryType,
    ItemRegister,
    JournalBatch,
    amount_field,
    qty_field,
    unit_field,
    validate_reason_code,
)


def next_document_no(number: str) -> str:
    """Increment the last run of digits, keeping its width: REV-0009 -> REV-0010."""
    match = re.search(r"(\d+)(?!.*\d)", number)
    if not match:
        return ""
    digits = match.group(1)
    incremented = str(int(digits) + 1).zfill(len(digits))
    return number[: match.start()] + incremented + number[match.end() :]


@track_all()
class RevaluationBatch(JournalBatch):
    """A revaluation journal batch. ``last_document_no`` drives its number series, if set."""

    description = models.CharField(max_length=100, blank=True, verbose_name=_("description"))
    last_document_no = models.CharField(
        max_length=20,
        blank=True,
        help_text="Number series: the last document number used, e.g. REV-0000. Blank: no series.",
        verbose_name=_("last document no"),
    )
    reason_code = models.CharField(
        max_length=10,
        blank=True,
        validators=[validate_reason_code],
        help_text="The default Reason Code of the lines Calculate Inventory Value creates.",
        verbose_name=_("reason code"),
    )

    class Meta:
        verbose_name = _("revaluation batch")
        verbose_name_plural = _("revaluation batches")
        ordering = ["name"]
        # Issue 10 §5: one person prepares, another approves by posting (revaluation.rights).
        permissions = [
            ("prepare_revaluation", "Can prepare revaluations (calculate, edit, import)"),
            ("post_revaluation", "Can post and reverse revaluations"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_no_series(self) -> bool:
        return bool(self.last_document_no)

    @property
    def next_document_no(self) -> str:
        return next_document_no(self.last_document_no) if self.has_no_series else ""


class InventoryValuePer(models.TextChoices):
    ENTRY = "", _("(per entry)")
    ITEM = "item", _("Item")
    LOCATION = "location", _("Location")
    VARIANT = "variant", _("Variant")
    LOCATION_AND_VARIANT = "location_and_variant", _("Location and Variant")


@track_changes()
class RevaluationLine(models.Model):
    # One index besides the key: (batch, line no.). Every index costs time when Calculate
    # Inventory Value writes 100,000s of lines (a (batch, item, location, variant) index cost
    # 0.5 s of 3.2 s at 276,898 lines, docs/BENCHMARKS.md); the grid's item filter is a LIKE and
    # its item sort a top-N sort of one batch, and deleting an item, which PROTECT checks here,
    # is rare and refused anyway once it has ledger entries.
    batch = models.ForeignKey(
        RevaluationBatch,
        on_delete=models.CASCADE,
        related_name="lines",
        db_index=False,
        verbose_name=_("batch"),
    )
    line_no = models.PositiveBigIntegerField(
        verbose_name=_("line no")
    )  # 10000 apart: more than 214,748 lines fit
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", db_index=False, verbose_name=_("item")
    )
    entry_type = models.CharField(
        max_length=20,
        choices=ItemLedgerEntryType,
        default=ItemLedgerEntryType.POSITIVE_ADJMT,
        verbose_name=_("entry type"),
    )
    posting_date = models.DateField(verbose_name=_("posting date"))
    document_no = models.CharField(max_length=20, blank=True, verbose_name=_("document no"))
    location_code = models.CharField(max_length=10, blank=True, verbose_name=_("location code"))
    variant_code = models.CharField(max_length=10, blank=True, verbose_name=_("variant code"))
    applies_to_entry = models.PositiveIntegerField(default=0, verbose_name=_("applies to entry"))
    quantity = qty_field(verbose_name=_("quantity"))
    invoiced_quantity = qty_field(verbose_name=_("invoiced quantity"))
    inventory_value_calculated = amount_field(verbose_name=_("inventory value calculated"))
    unit_cost_calculated = unit_field(verbose_name=_("unit cost calculated"))
    inventory_value_revalued = amount_field(verbose_name=_("inventory value revalued"))
    unit_cost_revalued = unit_field(verbose_name=_("unit cost revalued"))
    amount = amount_field(verbose_name=_("amount"))
    unit_amount = unit_field(verbose_name=_("unit amount"))
    applied_amount = amount_field(verbose_name=_("applied amount"))
    inventory_value_per = models.CharField(
        max_length=30,
        choices=InventoryValuePer,
        default=InventoryValuePer.ENTRY,
        blank=True,
        verbose_name=_("inventory value per"),
    )
    partial_revaluation = models.BooleanField(default=False, verbose_name=_("partial revaluation"))
    update_standard_cost = models.BooleanField(
        default=False, verbose_name=_("update standard cost")
    )
    reason_code = models.CharField(
        max_length=10, blank=True, validators=[validate_reason_code], verbose_name=_("reason code")
    )
    # Evidence of a proposed write-down (issue 13): empty on other lines.
    writedown_rule = models.CharField(max_length=200, blank=True, verbose_name=_("writedown rule"))
    nrv = unit_field(null=True, blank=True, verbose_name=_("nrv"))  # net realisable value per unit
    selling_price = unit_field(null=True, blank=True, verbose_name=_("selling price"))
    cost_to_sell = unit_field(
        null=True, blank=True, verbose_name=_("cost to sell")
    )  # per unit, absolute and percent together
    age_days = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("age days"))
    proposed_amount = amount_field(
        null=True, blank=True, verbose_name=_("proposed amount")
    )  # the Amount as calculated
    # Optimistic concurrency: every change increments it; an edit based on an older version is
    # refused so that two people cannot silently overwrite each other.
    version = models.PositiveIntegerField(default=1, verbose_name=_("version"))
    # The last item ledger entry number when the line was calculated (shown in the preview).
    calculated_through_entry_no = models.PositiveIntegerField(
        default=0, verbose_name=_("calculated through entry no")
    )

    class Meta:
        verbose_name = _("revaluation journal line")
        verbose_name_plural = _("revaluation journal lines")
        ordering = ["batch", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line_no"], name="revaluationline_unique_no"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} line {self.line_no}"

    @property
    def is_sum_line(self) -> bool:
        return self.inventory_value_per != InventoryValuePer.ENTRY

    @property
    def writes_off_value(self) -> bool:
        """Revalued to 0 while the calculated value is not: posting writes the whole value off
        (a calculation base without a cost proposes exactly this, and BC says nothing)."""
        return self.inventory_value_revalued == 0 and self.inventory_value_calculated != 0

    @property
    def unit_cost(self) -> Decimal:
        """Spec §5.6: the exact Amount / Quantity (never rounded; posting needs it)."""
        return self.amount / self.quantity if self.quantity else Decimal(0)


class PostedRevaluation(models.Model):
    """One posting of a revaluation batch: who, when, and the register holding its entries."""

    batch_name = models.CharField(max_length=20, verbose_name=_("batch name"))
    document_no = models.CharField(max_length=20, verbose_name=_("document no"))
    posting_date = models.DateField(verbose_name=_("posting date"))
    posted_at = models.DateTimeField(verbose_name=_("posted at"))
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("posted by"),
    )
    item_register = models.OneToOneField(
        ItemRegister, on_delete=models.PROTECT, related_name="+", verbose_name=_("item register")
    )
    total_amount = amount_field(verbose_name=_("total amount"))
    # Set on the reversal (the original stays append-only); ``reversed_by`` is the other way.
    # One-to-one: a revaluation is reversed at most once.
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )

    class Meta:
        verbose_name = _("posted revaluation")
        verbose_name_plural = _("posted revaluations")
        ordering = ["-posted_at"]

    def __str__(self) -> str:
        return f"{self.document_no} ({self.batch_name}, {self.posting_date})"


class PostedRevaluationLine(models.Model):
    posted = models.ForeignKey(
        PostedRevaluation, on_delete=models.PROTECT, related_name="lines", verbose_name=_("posted")
    )
    line_no = models.PositiveBigIntegerField(
        verbose_name=_("line no")
    )  # 10000 apart: more than 214,748 lines fit
    item_no = models.CharField(max_length=20, verbose_name=_("item no"))
    posting_date = models.DateField(verbose_name=_("posting date"))
    document_no = models.CharField(max_length=20, verbose_name=_("document no"))
    location_code = models.CharField(max_length=10, blank=True, verbose_name=_("location code"))
    variant_code = models.CharField(max_length=10, blank=True, verbose_name=_("variant code"))
    applies_to_entry = models.PositiveIntegerField(default=0, verbose_name=_("applies to entry"))
    inventory_value_per = models.CharField(
        max_length=30, choices=InventoryValuePer, blank=True, verbose_name=_("inventory value per")
    )
    quantity = qty_field(verbose_name=_("quantity"))
    inventory_value_calculated = amount_field(verbose_name=_("inventory value calculated"))
    inventory_value_revalued = amount_field(verbose_name=_("inventory value revalued"))
    unit_cost_revalued = unit_field(verbose_name=_("unit cost revalued"))
    amount = amount_field(verbose_name=_("amount"))
    update_standard_cost = models.BooleanField(
        default=False, verbose_name=_("update standard cost")
    )
    reason_code = models.CharField(max_length=10, blank=True, verbose_name=_("reason code"))
    writedown_rule = models.CharField(max_length=200, blank=True, verbose_name=_("writedown rule"))
    nrv = unit_field(null=True, blank=True, verbose_name=_("nrv"))
    age_days = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("age days"))
    proposed_amount = amount_field(null=True, blank=True, verbose_name=_("proposed amount"))

    class Meta:
        verbose_name = _("posted revaluation line")
        verbose_name_plural = _("posted revaluation lines")
        ordering = ["posted", "line_no"]

    def __str__(self) -> str:
        return f"{self.posted} line {self.line_no}"


@track_all()
class SellingPrice(models.Model):
    """Expected selling price and costs to sell of an item (issue 13 part 1), optionally per
    location/variant, valid from a date: the basis of its net realisable value."""

    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="+", verbose_name=_("item")
    )
    location_code = models.CharField(max_length=10, blank=True, verbose_name=_("location code"))
    variant_code = models.CharField(max_length=10, blank=True, verbose_name=_("variant code"))
    valid_from = models.DateField(verbose_name=_("valid from"))
    selling_price = unit_field(verbose_name=_("selling price"))
    cost_to_sell = unit_field(
        help_text="Costs to sell per unit (absolute).", verbose_name=_("cost to sell")
    )
    cost_to_sell_percent = models.DecimalField(
        max_digits=7,
        decimal_places=4,
        default=Decimal(0),
        help_text="Costs to sell as a percent of the selling price (added to the absolute costs).",
        verbose_name=_("cost to sell percent"),
    )

    class Meta:
        ordering = ["item", "location_code", "variant_code", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "location_code", "variant_code", "valid_from"],
                name="sellingprice_unique_validity",
            ),
            models.CheckConstraint(
                condition=models.Q(selling_price__gte=0)
                & models.Q(cost_to_sell__gte=0)
                & models.Q(cost_to_sell_percent__gte=0)
                & models.Q(cost_to_sell_percent__lte=100),
                name="sellingprice_amounts_in_range",
            ),
        ]

    def __str__(self) -> str:
        where = "/".join(code for code in (self.location_code, self.variant_code) if code)
        return f"{self.item_id}{' ' + where if where else ''} from {self.valid_from}"


class BatchJobKind(models.TextChoices):
    CALCULATE = "calculate", _("Calculate Inventory Value")
    POST = "post", _("Post")
    EXPORT = "export", _("Export")
    CHECK = "check", _("Import check")
    IMPORT = "import", _("Import")
    PREVIEW = "preview", _("Posting preview")


class BatchJobManager(models.Manager):
    """Leaves the file out until it is read: the job page polls the other fields every second."""

    def get_queryset(self):
        return super().get_queryset().defer("file_data")


class BatchJob(BackgroundJob):
    """Calculate Inventory Value, posting, or a large export or import of one batch, run by a
    task worker (``revaluation.services.jobs``). At most one job per batch is queued or running.

    ``file_name``/``file_data``: the uploaded file of an import (check or apply), or the file an
    export produced. ``result``: an import's summary or rejected rows, as JSON.
    """

    lock_namespace = 5899

    batch_name = models.CharField(max_length=20, verbose_name=_("batch name"))
    kind = models.CharField(max_length=10, choices=BatchJobKind, verbose_name=_("kind"))
    parameters = models.JSONField(
        default=dict, blank=True, verbose_name=_("parameters")
    )  # the calculate options
    message = models.TextField(
        blank=True, verbose_name=_("message")
    )  # the result, or why the job failed
    result_url = models.CharField(max_length=200, blank=True, verbose_name=_("result url"))
    file_name = models.CharField(max_length=255, blank=True, verbose_name=_("file name"))
    file_data = models.BinaryField(null=True, blank=True, verbose_name=_("file"))
    result = models.JSONField(default=dict, blank=True, verbose_name=_("result"))
    # When ``prune_jobs`` deleted the file (JOB_FILES_KEEP_DAYS after the job ended).
    file_deleted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("file deleted at"))
    # Lines done of lines to do, where the work counts them (the preview's dry run); 0 of 0: none.
    progress_done = models.PositiveIntegerField(default=0, verbose_name=_("progress done"))
    progress_total = models.PositiveIntegerField(default=0, verbose_name=_("progress total"))

    objects = BatchJobManager()

    class Meta:
        verbose_name = _("revaluation job")
        verbose_name_plural = _("revaluation jobs")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                "batch_name",
                condition=models.Q(status__in=ACTIVE_JOB_STATUSES),
                name="batchjob_one_active_per_batch",
                violation_error_message="A job is already running for this batch.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of batch {self.batch_name} ({self.status})"

    def failed_fields(self, message: str) -> dict:
        return {"message": message}


class UserPreference(models.Model):
    """A user's own settings: the interface language (``revaluation.language``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="preference",
        verbose_name=_("user"),
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"


# --------------------------------------------------------------------------- stored previews


class BatchVersion(models.Model):
    """The modification stamp of a batch: database triggers (migration 0015) add 1 to it whenever
    a statement inserts, changes or deletes lines of the batch, or its number series moves.

    No application code writes it, so nothing can miss a change; it is not a column of the batch
    itself, which the audit trail tracks and whose saves would write an older value back.
    """

    batch_name = models.CharField(max_length=20, primary_key=True, verbose_name=_("batch name"))
    version = models.BigIntegerField(default=0, verbose_name=_("version"))

    class Meta:
        verbose_name = _("batch version")
        verbose_name_plural = _("batch versions")

    def __str__(self) -> str:
        return f"{self.batch_name} version {self.version}"


class StoredPreview(models.Model):
    """The dry run of posting a batch (spec §12.2), stored so that its pages are cheap reads.

    ``batch_version``, ``last_value_entry_no`` and ``last_gl_entry_no`` are the batch's stamp and
    the ledgers' ends when the dry run read them: when one has moved, the preview is stale.
    ``error``: the batch could not be previewed at all (nothing to post).
    """

    batch = models.OneToOneField(
        RevaluationBatch,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="stored_preview",
        verbose_name=_("batch"),
    )
    batch_version = models.BigIntegerField(verbose_name=_("batch version"))
    last_value_entry_no = models.BigIntegerField(verbose_name=_("last value entry no"))
    last_gl_entry_no = models.BigIntegerField(verbose_name=_("last G/L entry no"))
    computed_at = models.DateTimeField(verbose_name=_("computed at"))
    error = models.TextField(blank=True, verbose_name=_("error"))
    line_count = models.PositiveIntegerField(default=0, verbose_name=_("line count"))
    entry_count = models.PositiveIntegerField(default=0, verbose_name=_("entry count"))
    total_amount = amount_field(verbose_name=_("total amount"))
    adjustment_amount = amount_field(verbose_name=_("adjustment amount"))
    cogs_change = amount_field(verbose_name=_("COGS change"))
    unadjusted_before = models.JSONField(
        default=list, blank=True, verbose_name=_("unadjusted before")
    )  # item nos.
    adjustment_failures = models.JSONField(
        default=list, blank=True, verbose_name=_("adjustment failures")
    )  # [[item_no, message], ...]
    gl_error = models.TextField(blank=True, verbose_name=_("G/L error"))

    class Meta:
        verbose_name = _("stored posting preview")
        verbose_name_plural = _("stored posting previews")

    def __str__(self) -> str:
        return f"Preview of {self.batch_id} (version {self.batch_version})"

    @property
    def inventory_value_change(self) -> Decimal:
        """The revaluation less what moved to sold stock (``RevaluationImpact``)."""
        return self.total_amount + self.adjustment_amount


class StoredPreviewLine(models.Model):
    """One posting line of a stored preview, in the order the page shows them (``position``)."""

    preview = models.ForeignKey(
        StoredPreview, on_delete=models.CASCADE, related_name="lines", db_index=False
    )
    position = models.PositiveIntegerField()
    line_no = models.PositiveBigIntegerField()
    error = models.TextField(blank=True)
    error_field = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["preview", "position"], name="storedpreviewline_pos")
        ]
        indexes = [
            models.Index(
                fields=["preview", "position"],
                condition=~models.Q(error=""),
                name="storedpreviewline_errors",
            )
        ]

    def __str__(self) -> str:
        return f"{self.preview_id} line {self.line_no}"


class StoredPreviewEntry(models.Model):
    """A value entry the dry run wrote for the line at ``position`` (``PREVIEW_FIELDS``)."""

    preview = models.ForeignKey(
        StoredPreview, on_delete=models.CASCADE, related_name="entries", db_index=False
    )
    position = models.PositiveIntegerField()
    entry_no = models.PositiveIntegerField()
    item_ledger_entry_no = models.PositiveIntegerField()
    item_no = models.CharField(max_length=20)
    location_code = models.CharField(max_length=10, blank=True)
    variant_code = models.CharField(max_length=10, blank=True)
    item_ledger_entry_type = models.CharField(max_length=20)
    entry_type = models.CharField(max_length=20)
    posting_date = models.DateField()
    valuation_date = models.DateField()
    valued_quantity = qty_field()
    cost_amount_actual = amount_field()
    cost_amount_expected = amount_field()
    cost_per_unit = unit_field()
    partial_revaluation = models.BooleanField(default=False)
    adjustment = models.BooleanField(default=False)
    document_no = models.CharField(max_length=20)

    class Meta:
        indexes = [models.Index(fields=["preview", "position"], name="storedpreviewentry_pos")]

    def __str__(self) -> str:
        return f"{self.preview_id} value entry {self.entry_no}"


class StoredPreviewAdjusted(models.Model):
    """An item ledger entry whose cost Adjust Cost would change (``AdjustedEntry``)."""

    preview = models.ForeignKey(
        StoredPreview, on_delete=models.CASCADE, related_name="adjusted", db_index=False
    )
    position = models.PositiveIntegerField()
    entry_no = models.PositiveIntegerField()
    item_no = models.CharField(max_length=20)
    entry_type = models.CharField(max_length=20)
    posting_date = models.DateField()
    document_no = models.CharField(max_length=20)
    location_code = models.CharField(max_length=10, blank=True)
    variant_code = models.CharField(max_length=10, blank=True)
    quantity = qty_field()
    cost_change = amount_field()
    cogs_change = amount_field()
    value_entry_nos = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["preview", "position"], name="storedpreviewadjusted_pos"
            )
        ]

    def __str__(self) -> str:
        return f"{self.preview_id} adjusted entry {self.entry_no}"


class StoredPreviewGLEntry(models.Model):
    """A G/L entry of the dry run (``RevaluationImpact.gl_entries``)."""

    preview = models.ForeignKey(
        StoredPreview, on_delete=models.CASCADE, related_name="gl_entries", db_index=False
    )
    position = models.PositiveIntegerField()
    account_no = models.CharField(max_length=20)
    account_name = models.CharField(max_length=100, blank=True)
    role = models.CharField(max_length=30)
    amount = amount_field()
    document_no = models.CharField(max_length=20, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["preview", "position"], name="storedpreviewgl_pos")
        ]

    def __str__(self) -> str:
        return f"{self.preview_id} G/L {self.account_no} {self.amount}"
