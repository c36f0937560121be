"""Calculate Inventory Value (BC report 5899, COSTING-SPEC §4): propose revaluation lines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, models, transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from inventory.amounts import ZERO
from inventory.display import amount as show_amount
from inventory.eligibility import inventory_value_zero_refusal
from inventory.models import (
    AverageCostCalcType,
    CostingMethod,
    InventorySetup,
    Item,
    ItemLedgerEntry,
)
from inventory.periods import average_cost_period
from inventory.valuation import items_with_unadjusted_entry_points, open_outbound_entries
from inventory.valuation_sql import LedgerFilter
from revaluation.exceptions import DuplicateLinesError, RevaluationError
from revaluation.models import RevaluationBatch, RevaluationLine
from revaluation.services.calculate_sql import (
    Grouping,
    LineTarget,
    per_entry_insert,
    per_item_insert,
    unit_cost_base_update,
)
from revaluation.services.lines import LINE_NO_STEP, batch_get_or_create, next_line_no
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
                _(
                    "You cannot revalue by Calculate Per Item for item %(no)s using posting date "
                    "%(date)s. You can only use the posting date %(period_end)s for this period."
                )
                % {
                    "no": item.no,
                    "date": options.posting_date.isoformat(),
                    "period_end": period_end.isoformat(),
                }
            ):
                return problems
    return problems


def _average_option_problem(options: CalculateOptions, setup: InventorySetup, found) -> bool:
    """E-22, E-23a-e. Returns True when the caller should stop."""
    if options.per == CalculatePer.ENTRY:
        return found(
            _(
                "You must not revalue items with Costing Method Average, if Calculate Per is Item "
                "Ledger Entry."
            )
        )
    if setup.average_cost_calc_type == AverageCostCalcType.ITEM:
        for present, message in (
            (
                options.location_codes,
                _(
                    "You must not enter a Location Filter if you revalue items with Costing "
                    "Method Average and if Average Cost Calc. Type is Item in Inventory Setup."
                ),
            ),
            (
                options.variant_codes,
                _(
                    "You must not enter a Variant Filter if you revalue items with Costing "
                    "Method Average and if Average Cost Calc. Type is Item in Inventory Setup."
                ),
            ),
            (
                options.by_location,
                _(
                    "The By Location field must not be filled in if you revalue items with "
                    "Costing Method Average and if Average Cost Calc. Type is Item in Inventory "
                    "Setup."
                ),
            ),
            (
                options.by_variant,
                _(
                    "The By Variant field must not be filled in if you revalue items with "
                    "Costing Method Average and if Average Cost Calc. Type is Item in Inventory "
                    "Setup."
                ),
            ),
        ):
            if present and found(message):
                return True
        return False
    if not (
        (options.location_codes or options.by_location)
        and (options.variant_codes or options.by_variant)
    ):
        return found(
            _(
                "You must fill in a Location filter and a Variant filter or select the By "
                "Location field and the By Variant field, if you revalue items with Costing "
                "Method Average, and if Average Cost Calc. Type is Item & Location & Variant in "
                "Inventory Setup."
            )
        )
    return False


def calculation_test(options: CalculateOptions) -> list[str]:
    """The Calc. Inventory Value - Test report (§12.3): every problem, nothing created."""
    options = options.normalized()
    return check_preconditions(options, _items(options), first_only=False)


@transaction.atomic
def calculate_inventory_value(
    *, batch_name: str, options: CalculateOptions, confirm_duplicates: bool = False
) -> QuerySet[RevaluationLine]:
    """Create the batch (if new) and its proposed lines (set-based: one INSERT ... SELECT, then
    the calculation base). Returns the new lines, in line order, unevaluated. Raises
    RevaluationError; then nothing is created."""
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
    setup = InventorySetup.get()
    target = LineTarget(
        batch_name=batch.name,
        first_line_no=next_line_no(batch.name) - LINE_NO_STEP,
        posting_date=options.posting_date,
        document_no=document_no,
        reason_code=batch.reason_code,
        watermark=ItemLedgerEntry.objects.aggregate(last=Max("entry_no"))["last"] or 0,
        precision=setup.precision,
        refuse_negative=options.calculation_base == CalculationBase.BLANK,
    )
    new_lines = batch.lines.filter(line_no__gt=target.first_line_no).order_by("line_no")
    if items:
        with connection.cursor() as cursor:
            cursor.execute(*_line_statement(options, items, target, setup.average_cost_calc_type))
            first_refused = cursor.fetchone()[0]
        _check_lines(target, new_lines, first_refused)
        apply_calculation_base(target, options.calculation_base)
        if options.calculation_base in WRITE_DOWN_BASES:
            apply_write_downs(target, options, items, new_lines)
        _check_duplicates(batch, target, confirm_duplicates)
    return new_lines


def _run(sql: str, params: dict) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _line_statement(
    options: CalculateOptions, items: list[Item], target: LineTarget, average_calc_type: str
) -> tuple[str, dict]:
    ledger = LedgerFilter(
        on=options.posting_date,
        # a costing method filter stays a condition on the item (a list of every FIFO item would
        # read the ledgers entry by entry as if it were a few items)
        item_nos=tuple(item.no for item in items) if options.item_nos else (),
        costing_methods=options.costing_methods,
        location_codes=options.location_codes,
        variant_codes=options.variant_codes,
    )
    if options.per == CalculatePer.ENTRY:
        return per_entry_insert(ledger, target)
    grouping = Grouping(
        by_location=bool(options.location_codes) or options.by_location,
        by_variant=bool(options.variant_codes) or options.by_variant,
        by_variant_option=options.by_variant,
        update_standard_cost=options.update_standard_cost,
    )
    return per_item_insert(ledger, target, grouping, average_calc_type)


def apply_calculation_base(target: LineTarget, base: str) -> None:
    """The calculation base (spec §4.7) of the lines just created: a step of its own after the
    lines exist (blank: IV (Revalued) stays IV (Calculated))."""
    column: dict[str, str] = {
        CalculationBase.LAST_DIRECT_COST: "last_direct_cost",
        CalculationBase.STANDARD_COST: "standard_cost",
    }
    if base in column:
        _run(*unit_cost_base_update(target, column[base]))


def apply_write_downs(
    target: LineTarget,
    options: CalculateOptions,
    items: list[Item],
    new_lines: QuerySet[RevaluationLine],
) -> None:
    """A write-down base (issue 13) on the lines just created: each line gets its proposal, a
    line whose value would not change is removed, and the rest are numbered on without gaps."""
    calculator = WriteDownCalculator(
        nrv=options.calculation_base != CalculationBase.SLOW_MOVING,
        slow_moving=options.calculation_base != CalculationBase.NRV,
        posting_date=options.posting_date,
        item_nos=[item.no for item in items],
        per_item=options.per == CalculatePer.ITEM,
        precision=target.precision,
        location_codes=options.location_codes or None,
        variant_codes=options.variant_codes or None,
    )
    proposed, dropped = [], []
    for line in new_lines.select_related("item").iterator(chunk_size=2000):
        proposal = calculator.propose(
            line.item,
            applies_to=line.applies_to_entry,
            location=line.location_code,
            variant=line.variant_code,
            per=line.inventory_value_per,
            quantity=line.quantity,
            value=line.inventory_value_calculated,
        )
        if proposal is None:
            dropped.append(line.pk)
        else:
            apply_write_down(line, proposal, target.precision)
            proposed.append(line)
    RevaluationLine.objects.filter(pk__in=dropped).delete()
    RevaluationLine.objects.bulk_update(proposed, WRITE_DOWN_FIELDS, batch_size=2000)
    if dropped:
        _run(RENUMBER_AWAY, target.params())
        _run(RENUMBER, target.params())


WRITE_DOWN_FIELDS = [
    "inventory_value_revalued",
    "unit_cost_revalued",
    "amount",
    "unit_amount",
    "reason_code",
    "writedown_rule",
    "age_days",
    "nrv",
    "selling_price",
    "cost_to_sell",
    "proposed_amount",
]

# Two steps: the (batch, line no.) constraint must hold after each statement.
RENUMBER_AWAY = """
UPDATE revaluation_revaluationline SET line_no = line_no + 1000000000000
WHERE batch_id = %(batch)s AND line_no > %(start)s
"""
RENUMBER = """
UPDATE revaluation_revaluationline l SET line_no = n.line_no
FROM (SELECT id, %(start)s + 10000 * row_number() OVER (ORDER BY line_no) AS line_no
      FROM revaluation_revaluationline
      WHERE batch_id = %(batch)s AND line_no > %(start)s) n
WHERE l.id = n.id
"""


def _check_lines(
    target: LineTarget, new_lines: QuerySet[RevaluationLine], first: int | None
) -> None:
    """The first line BC would refuse, in line order (``first``, found by the statement that
    wrote the lines): an item with Inventory Value Zero, or (blank base) a negative value, E-33.
    The transaction then rolls the lines back."""
    if first is None:
        return
    line = new_lines.select_related("item").get(line_no=first)
    refusal = inventory_value_zero_refusal(line.item)
    if refusal:
        raise RevaluationError(refusal)
    value = target.precision.r(line.inventory_value_calculated)
    raise RevaluationError(
        _(
            "The value must be greater than or equal to 0: Inventory Value (Revalued) %(value)s "
            "of item %(item)s, %(whose)s."
        )
        % {"value": value, "item": line.item_id, "whose": _whose(line)}
    )


def _check_duplicates(batch: RevaluationBatch, target: LineTarget, confirmed: bool) -> None:
    """Q-01: a new line for the same item, variant, location and entry as an existing line."""
    older = batch.lines.filter(line_no__lte=target.first_line_no)
    if confirmed or not older.exists():
        return
    with connection.cursor() as cursor:
        cursor.execute(DUPLICATES, target.params())
        duplicated = cursor.fetchone()[0]
    if duplicated:
        raise DuplicateLinesError(
            _("Duplicate Revaluation Journals will be generated. Do you want to continue?")
        )


DUPLICATES = """
SELECT EXISTS (
    SELECT FROM revaluation_revaluationline n
    JOIN revaluation_revaluationline o USING (batch_id, item_id, location_code, variant_code,
                                              applies_to_entry)
    WHERE n.batch_id = %(batch)s AND n.line_no > %(start)s AND o.line_no <= %(start)s
)"""


def _whose(line: RevaluationLine) -> str:
    if line.applies_to_entry:
        return _("item ledger entry %(no)s") % {"no": line.applies_to_entry}
    where = []
    if line.location_code:
        where.append(_("location %(code)s") % {"code": line.location_code})
    if line.variant_code:
        where.append(_("variant %(code)s") % {"code": line.variant_code})
    return ", ".join(where) or _("all locations and variants")


def zero_proposal_warning(lines: Iterable[RevaluationLine]) -> str:
    """Beyond BC: name the lines a calculation base revalued to 0 (the item has no Last Direct
    Cost or Standard Cost), since posting them writes their whole value off. Empty if none."""
    if isinstance(lines, QuerySet):  # read only those lines
        lines = lines.filter(inventory_value_revalued=0).exclude(inventory_value_calculated=0)
    # a write-down to 0 (100 % obsolete, NRV 0) is explained by its rule instead
    zero = [line for line in lines if line.writes_off_value and not line.writedown_rule]
    if not zero:
        return ""
    items = sorted({line.item_id for line in zero})
    value = sum((line.inventory_value_calculated for line in zero), ZERO)
    which = ngettext("item %(nos)s", "items %(nos)s", len(items)) % {"nos": ", ".join(items)}
    return ngettext(
        "%(count)s line proposed at 0 because the calculation base has no cost for %(items)s: "
        "posting it writes off %(value)s. Enter the revalued cost or delete the line.",
        "%(count)s lines proposed at 0 because the calculation base has no cost for %(items)s: "
        "posting them writes off %(value)s. Enter the revalued cost or delete the line.",
        len(zero),
    ) % {"count": len(zero), "items": which, "value": show_amount(value)}
