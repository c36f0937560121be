"""Calculate Inventory Value (BC report 5899, COSTING-SPEC §4): propose revaluation lines."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inventory.amounts import ZERO, Precision
from inventory.bulk import copy_insert
from inventory.display import amount as show_amount
from inventory.eligibility import inventory_value_zero_refusal
from inventory.models import (
    AverageCostCalcType,
    CostingMethod,
    InventorySetup,
    Item,
    ItemLedgerEntry,
    ItemLedgerEntryType,
    ItemVariant,
    Location,
)
from inventory.periods import average_cost_period
from inventory.valuation import (
    EntryValue,
    average_unit_cost,
    inbound_entry_values,
    items_with_unadjusted_entry_points,
    open_outbound_entries,
)
from revaluation.exceptions import DuplicateLinesError, RevaluationError
from revaluation.models import InventoryValuePer, RevaluationBatch, RevaluationLine
from revaluation.services.lines import (
    batch_get_or_create,
    next_line_no,
    set_inventory_value_calculated,
    set_inventory_value_revalued,
    set_unit_cost_revalued,
)
from revaluation.services.writedowns import WriteDownCalculator, apply_write_down


class CalculatePer(models.TextChoices):
    """Calculate Inventory Value's "Calculate Per" option (§4.1)."""

    ITEM = "item", gettext_lazy("Item")
    ENTRY = "entry", gettext_lazy("Item Ledger Entry")


class CalculationBase(models.TextChoices):
    """Calculate Inventory Value's "Calculation Base" option (§4.1), with the year-end
    write-down bases (issue 13, ``revaluation.services.writedowns``), which also apply per entry."""

    BLANK = "", gettext_lazy("(blank)")
    LAST_DIRECT_COST = "last_direct_cost", gettext_lazy("Last Direct Unit Cost")
    STANDARD_COST = "standard_cost", gettext_lazy("Standard Cost")
    NRV = "nrv", gettext_lazy("Net realisable value")
    SLOW_MOVING = "slow_moving", gettext_lazy("Slow-moving stock")
    NRV_SLOW_MOVING = "nrv_slow_moving", gettext_lazy("Net realisable value and slow-moving stock")


WRITE_DOWN_BASES = (
    CalculationBase.NRV,
    CalculationBase.SLOW_MOVING,
    CalculationBase.NRV_SLOW_MOVING,
)


@dataclass(frozen=True)
class CalculateOptions:
    """The request options of spec §4.1. Empty filters mean "all"."""

    posting_date: date
    document_no: str = ""
    per: str = CalculatePer.ENTRY
    by_location: bool = False
    by_variant: bool = False
    update_standard_cost: bool = False
    calculation_base: str = CalculationBase.BLANK
    item_nos: tuple[str, ...] = ()
    costing_methods: tuple[str, ...] = ()
    location_codes: tuple[str, ...] = ()
    variant_codes: tuple[str, ...] = ()

    def normalized(self) -> CalculateOptions:
        """Per entry forces By Location/Variant, Update Standard Cost and the base off (§4.1),
        except a write-down base (slow-moving stock is measured per entry)."""
        if self.per == CalculatePer.ENTRY:
            return CalculateOptions(
                posting_date=self.posting_date,
                document_no=self.document_no,
                calculation_base=(
                    self.calculation_base if self.calculation_base in WRITE_DOWN_BASES else ""
                ),
                item_nos=self.item_nos,
                costing_methods=self.costing_methods,
                location_codes=self.location_codes,
                variant_codes=self.variant_codes,
            )
        return self


@dataclass
class CalculationProblems:
    """What the Calc. Inventory Value - Test report lists (§12.3)."""

    messages: list[str] = field(default_factory=list)


def _items(options: CalculateOptions) -> list[Item]:
    items = Item.objects.all()
    if options.item_nos:
        items = items.filter(no__in=options.item_nos)
    if options.costing_methods:
        items = items.filter(costing_method__in=options.costing_methods)
    return list(items.order_by("no"))


def check_preconditions(
    options: CalculateOptions, items: list[Item], *, first_only: bool
) -> list[str]:
    """Spec §4.2 items 3-5; all problems, or only the first when ``first_only``."""
    problems: list[str] = []

    def found(message: str) -> bool:
        problems.append(message)
        return first_only

    setup = InventorySetup.get()
    averages = [item for item in items if item.costing_method == CostingMethod.AVERAGE]
    if averages and _average_option_problem(options, setup, found):
        return problems
    item_nos = [item.no for item in items]
    open_outbounds = open_outbound_entries(
        item_nos=item_nos,
        on=options.posting_date,
        location_codes=options.location_codes or None,
        variant_codes=options.variant_codes or None,
    )
    unadjusted = items_with_unadjusted_entry_points(
        item_nos=[i.no for i in averages], on=options.posting_date
    )
    for item in items:
        if item.no in open_outbounds:
            if first_only:
                return [
                    _(
                        "The Item %(no)s cannot be revalued because there is at least one open"
                        " outbound item ledger entry."
                    )
                    % {"no": item.no}
                ]
            problems += [
                _("Open Outbound Entry %(no)s found.") % {"no": n} for n in open_outbounds[item.no]
            ]
        if item.no in unadjusted and found(
            _(
                "You have to run the Adjust Cost - Item Entries batch job, before you can revalue"
                " item %(no)s."
            )
            % {"no": item.no}
        ):
            return problems
        if item.costing_method == CostingMethod.AVERAGE and options.per == CalculatePer.ITEM:
            period_end = average_cost_period(options.posting_date, setup.average_cost_period)[1]
            if period_end != options.posting_date and found(
                f"You cannot revalue by Calculate Per Item for item {item.no} using posting date "
                f"{options.posting_date.isoformat()}. You can only use the posting date "
                f"{period_end.isoformat()} for this period."
            ):
                return problems
    return problems


def _average_option_problem(options: CalculateOptions, setup: InventorySetup, found) -> bool:
    """E-22, E-23a-e. Returns True when the caller should stop."""
    if options.per == CalculatePer.ENTRY:
        return found(
            "You must not revalue items with Costing Method Average, if Calculate Per is Item "
            "Ledger Entry."
        )
    if setup.average_cost_calc_type == AverageCostCalcType.ITEM:
        suffix = (
            "if you revalue items with Costing Method Average and if Average Cost Calc. Type is "
            "Item in Inventory Setup."
        )
        for present, message in (
            (options.location_codes, f"You must not enter a Location Filter {suffix}"),
            (options.variant_codes, f"You must not enter a Variant Filter {suffix}"),
            (options.by_location, f"The By Location field must not be filled in {suffix}"),
            (options.by_variant, f"The By Variant field must not be filled in {suffix}"),
        ):
            if present and found(message):
                return True
        return False
    if not (
        (options.location_codes or options.by_location)
        and (options.variant_codes or options.by_variant)
    ):
        return found(
            "You must fill in a Location filter and a Variant filter or select the By Location "
            "field and the By Variant field, if you revalue items with Costing Method Average, "
            "and if Average Cost Calc. Type is Item & Location & Variant in Inventory Setup."
        )
    return False


def calculation_test(options: CalculateOptions) -> list[str]:
    """The Calc. Inventory Value - Test report (§12.3): every problem, nothing created."""
    options = options.normalized()
    return check_preconditions(options, _items(options), first_only=False)


@transaction.atomic
def calculate_inventory_value(
    *, batch_name: str, options: CalculateOptions, confirm_duplicates: bool = False
) -> list[RevaluationLine]:
    """Create the batch (if new) and its proposed lines. Raises RevaluationError; then nothing
    is created."""
    batch, _created = batch_get_or_create(name=batch_name)
    batch = RevaluationBatch.objects.select_for_update().get(pk=batch.pk)
    options = options.normalized()
    document_no = options.document_no
    if not document_no and not batch.lines.exists():
        document_no = batch.next_document_no
    if not document_no:
        raise RevaluationError(_("You must enter a document number."), field="document_no")
    items = _items(options)
    problems = check_preconditions(options, items, first_only=True)
    if problems:
        raise RevaluationError(problems[0])
    builder = _LineBuilder(batch, options, document_no, InventorySetup.get().precision)
    if options.calculation_base in WRITE_DOWN_BASES:
        builder.writedowns = WriteDownCalculator(
            nrv=options.calculation_base != CalculationBase.SLOW_MOVING,
            slow_moving=options.calculation_base != CalculationBase.NRV,
            posting_date=options.posting_date,
            item_nos=[item.no for item in items],
            per_item=options.per == CalculatePer.ITEM,
            precision=builder.p,
            location_codes=options.location_codes or None,
            variant_codes=options.variant_codes or None,
        )
    entries = inbound_entry_values(
        item_nos=[item.no for item in items],
        on=options.posting_date,
        standard_per_item=options.per == CalculatePer.ITEM,
        location_codes=options.location_codes or None,
        variant_codes=options.variant_codes or None,
    )
    by_item = defaultdict(list)
    for entry in entries:
        by_item[entry.item_no].append(entry)
    for item in items:
        if options.per == CalculatePer.ENTRY:
            builder.per_entry(item, by_item[item.no])
        else:
            builder.per_item(item, by_item[item.no])
    _check_duplicates(batch, builder.lines, confirm_duplicates)
    _insert(batch, builder.lines)
    return builder.lines


def _insert(batch: RevaluationBatch, lines: list[RevaluationLine]) -> None:
    """COPY the lines in, then give the objects their ids (the callers edit them)."""
    if not lines:
        return
    copy_insert(RevaluationLine, lines)
    ids = dict(
        RevaluationLine.objects.filter(batch=batch, line_no__gte=lines[0].line_no).values_list(
            "line_no", "id"
        )
    )
    for line in lines:
        line.pk = ids[line.line_no]
        line._state.adding = False
        line._state.db = "default"


def _check_duplicates(
    batch: RevaluationBatch, lines: list[RevaluationLine], confirmed: bool
) -> None:
    """Q-01."""
    if confirmed or not lines:
        return
    keys = {
        (line.item_id, line.variant_code, line.location_code, line.applies_to_entry)
        for line in lines
    }
    existing = batch.lines.filter(item_id__in={key[0] for key in keys}).values_list(
        "item_id", "variant_code", "location_code", "applies_to_entry"
    )
    if any(tuple(row) in keys for row in existing.iterator()):
        raise DuplicateLinesError(
            _("Duplicate Revaluation Journals will be generated. Do you want to continue?")
        )


class _LineBuilder:
    writedowns: WriteDownCalculator | None = None

    def __init__(
        self, batch: RevaluationBatch, options: CalculateOptions, document_no: str, p: Precision
    ):
        self.batch = batch
        self.options = options
        self.document_no = document_no
        self.p = p
        self.lines: list[RevaluationLine] = []
        self.line_no = next_line_no(batch.name) - 10000
        self.watermark = ItemLedgerEntry.objects.aggregate(last=Max("entry_no"))["last"] or 0
        self.locations = list(self._filtered(Location.objects.all(), options.location_codes))
        # the variants of every item, read once (only a split by variant needs them)
        self.variants: dict[str, list[str]] = defaultdict(list)
        if options.by_variant or options.variant_codes:
            variants = ItemVariant.objects.order_by("item_id", "code")
            if options.variant_codes:
                variants = variants.filter(code__in=options.variant_codes)
            for item_no, code in variants.values_list("item_id", "code"):
                self.variants[item_no].append(code)

    @staticmethod
    def _filtered(queryset, codes):
        if codes:
            queryset = queryset.filter(code__in=codes)
        return queryset.order_by("code").values_list("code", flat=True)

    def per_entry(self, item: Item, entries) -> None:
        for entry in entries:
            if entry.remaining == 0:
                continue
            self._make_line(
                item,
                entry_type=entry.entry_type,
                location=entry.location_code,
                variant=entry.variant_code,
                quantity=entry.remaining,
                value=self.p.r(entry.value),
                applies_to=entry.entry_no,
                per=InventoryValuePer.ENTRY,
            )

    def per_item(self, item: Item, entries) -> None:
        options = self.options
        buffer = _sum_by_location_and_variant(entries)
        by_loc = bool(options.location_codes) or options.by_location
        by_var = bool(options.variant_codes) or options.by_variant
        per = {
            (False, False): InventoryValuePer.ITEM,
            (True, False): InventoryValuePer.LOCATION,
            (False, True): InventoryValuePer.VARIANT,
            (True, True): InventoryValuePer.LOCATION_AND_VARIANT,
        }[(by_loc, by_var)]
        variants = self.variants[item.no]

        def emit(loc: str, var: str, match_loc: bool, match_var: bool) -> None:
            rows = [
                values
                for (l_code, v_code), values in buffer.items()
                if (not match_loc or l_code == loc) and (not match_var or v_code == var)
            ]
            quantity = sum((r[0] for r in rows), ZERO)
            value = sum((r[1] for r in rows), ZERO)
            if quantity == 0:
                return
            applied = ZERO
            if item.costing_method == CostingMethod.AVERAGE:
                applied = value
                value = quantity * average_unit_cost(
                    item_no=item.no, on=options.posting_date, location_code=loc, variant_code=var
                )
            self._make_line(
                item,
                entry_type=ItemLedgerEntryType.POSITIVE_ADJMT,
                location=loc,
                variant=var,
                quantity=quantity,
                value=self.p.r(value),
                applies_to=0,
                per=per,
                applied_amount=self.p.r(applied),
            )

        if by_loc:
            for loc in self.locations:
                if by_var:
                    for var in variants:
                        emit(loc, var, True, True)
                    emit(loc, "", True, True)
                else:
                    emit(loc, "", True, False)
            if options.by_variant:
                for var in variants:
                    emit("", var, True, True)
                emit("", "", True, True)
            elif by_var:
                emit("", "", True, True)
            else:
                emit("", "", True, False)
        elif by_var:
            for var in variants:
                emit("", var, False, True)
            emit("", "", False, True)
        else:
            emit("", "", False, False)

    def _make_line(
        self,
        item: Item,
        *,
        entry_type,
        location,
        variant,
        quantity,
        value,
        applies_to,
        per,
        applied_amount=ZERO,
    ) -> None:
        refusal = inventory_value_zero_refusal(item)
        if refusal:
            raise RevaluationError(refusal)
        line = RevaluationLine(
            batch=self.batch,
            line_no=self.line_no + 10000,
            item=item,
            entry_type=entry_type,
            posting_date=self.options.posting_date,
            document_no=self.document_no,
            location_code=location,
            variant_code=variant,
            applies_to_entry=applies_to,
            quantity=quantity,
            invoiced_quantity=quantity,
            inventory_value_per=per,
            partial_revaluation=True,
            update_standard_cost=self.options.update_standard_cost if per else False,
            applied_amount=applied_amount,
            reason_code=self.batch.reason_code,
            calculated_through_entry_no=self.watermark,
        )
        set_inventory_value_calculated(line, value, self.p)
        base = self.options.calculation_base
        if base == CalculationBase.LAST_DIRECT_COST:
            set_unit_cost_revalued(line, item.last_direct_cost, self.p, typed=False)
        elif base == CalculationBase.STANDARD_COST:
            set_unit_cost_revalued(line, item.standard_cost, self.p, typed=False)
        elif self.writedowns is not None:
            proposal = self.writedowns.propose(
                item,
                applies_to=applies_to,
                location=location,
                variant=variant,
                per=per,
                quantity=quantity,
                value=value,
            )
            if proposal is None:
                return  # issue 13: a line where nothing changes is not proposed
            apply_write_down(line, proposal, self.p)
        else:
            if value < 0:
                # E-33: BC validates IV (Revalued) := IV (Calculated), a field that must be >= 0
                raise RevaluationError(
                    "The value must be greater than or equal to 0: Inventory Value (Revalued) "
                    f"{value} of item {item.no}, {_whose(line)}."
                )
            set_inventory_value_revalued(line, value, self.p)
        self.line_no += 10000
        self.lines.append(line)


def _sum_by_location_and_variant(
    entries: Iterable[EntryValue],
) -> dict[tuple[str, str], list[Decimal]]:
    """(location, variant) -> [remaining quantity, value] of the entries; a pair starts with an
    entry that has a remaining quantity."""
    buffer: dict[tuple[str, str], list[Decimal]] = {}
    for entry in entries:
        key = (entry.location_code, entry.variant_code)
        if key in buffer:
            buffer[key][0] += entry.remaining
            buffer[key][1] += entry.value
        elif entry.remaining != 0:
            buffer[key] = [entry.remaining, entry.value]
    return buffer


def _whose(line: RevaluationLine) -> str:
    if line.applies_to_entry:
        return f"item ledger entry {line.applies_to_entry}"
    where = [
        f"{label} {code}"
        for label, code in (("location", line.location_code), ("variant", line.variant_code))
        if code
    ]
    return ", ".join(where) or "all locations and variants"


def zero_proposal_warning(lines: list[RevaluationLine]) -> str:
    """Beyond BC: name the lines a calculation base revalued to 0 (the item has no Last Direct
    Cost or Standard Cost), since posting them writes their whole value off. Empty if none."""
    # a write-down to 0 (100 % obsolete, NRV 0) is explained by its rule instead
    zero = [line for line in lines if line.writes_off_value and not line.writedown_rule]
    if not zero:
        return ""
    items = sorted({line.item_id for line in zero})
    value = sum((line.inventory_value_calculated for line in zero), ZERO)
    return (
        f"{len(zero)} line{'' if len(zero) == 1 else 's'} proposed at 0 because the calculation "
        f"base has no cost for item{'' if len(items) == 1 else 's'} {', '.join(items)}: posting "
        f"{'it' if len(zero) == 1 else 'them'} writes off {show_amount(value)}. Enter the revalued cost or "
        "delete the line."
    )
