"""The Python Calculate Inventory Value that the set-based SQL path replaced (entry by entry
through ``inventory.valuation``), kept as the oracle of ``test_calculate_sql_equality``.

It builds the same unsaved RevaluationLine objects the old code inserted.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Max

from inventory.amounts import ZERO, Precision
from inventory.models import (
    CostingMethod,
    InventorySetup,
    Item,
    ItemLedgerEntry,
    ItemLedgerEntryType,
    ItemVariant,
    Location,
)
from inventory.valuation import average_unit_cost, inbound_entry_values
from revaluation.exceptions import RevaluationError
from revaluation.models import InventoryValuePer, RevaluationBatch, RevaluationLine
from revaluation.services.calculate import (
    CalculateOptions,
    CalculatePer,
    CalculationBase,
    _items,
    _whose,
)
from revaluation.services.lines import (
    next_line_no,
    set_inventory_value_calculated,
    set_inventory_value_revalued,
    set_unit_cost_revalued,
)


def reference_lines(batch: RevaluationBatch, options: CalculateOptions) -> list[RevaluationLine]:
    """The lines the Python code proposed for ``options`` (document no. "R")."""
    options = options.normalized()
    items = _items(options)
    builder = _LineBuilder(batch, options, options.document_no, InventorySetup.get().precision)
    entries = inbound_entry_values(
        item_nos=[item.no for item in items],
        on=options.posting_date,
        standard_per_item=options.per != CalculatePer.ENTRY,
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
    return builder.lines


class _LineBuilder:
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
        buffer: dict[tuple[str, str], list[Decimal]] = {}
        for entry in entries:
            key = (entry.location_code, entry.variant_code)
            if key in buffer:
                buffer[key][0] += entry.remaining
                buffer[key][1] += entry.value
            elif entry.remaining != 0:
                buffer[key] = [entry.remaining, entry.value]
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
        if item.inventory_value_zero:
            raise RevaluationError(
                f"Inventory Value Zero must be equal to 'No' in Item: No.={item.no}. Current value is 'Yes'."
            )
        self.line_no += 10000
        line = RevaluationLine(
            batch=self.batch,
            line_no=self.line_no,
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
        else:
            if value < 0:
                # E-33: BC validates IV (Revalued) := IV (Calculated), a field that must be >= 0
                raise RevaluationError(
                    "The value must be greater than or equal to 0: Inventory Value (Revalued) "
                    f"{value} of item {item.no}, {_whose(line)}."
                )
            set_inventory_value_revalued(line, value, self.p)
        self.lines.append(line)
