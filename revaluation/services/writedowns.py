"""Year-end write-downs (issue 13): net realisable value (IAS 2 par. 28-33) and slow-moving stock.

Calculate Inventory Value computes each line as usual (quantity Q, value V as of D). With a
write-down base it asks ``WriteDownCalculator.propose`` what the line should be revalued to:

* **original cost** O = V - the write-downs posted earlier on the line's entries (revaluation
  value entries with reason code NRV or OBSOLETE, valued on or before D, counted per remaining
  unit like every revaluation, spec §4.4). A write-down is only reversed up to O (IAS 2 par. 33).
* **NRV** per unit = RU(selling price - costs to sell), costs to sell = absolute + selling
  price x percent / 100 (the selling price valid at D, most specific location/variant first).
* **slow-moving**: each inbound entry's age (days from its posting date, or from the item's last
  outbound if later, as Inventory Setup says) falls in a bucket with a write-down percent; the
  line's percent is the quantity-weighted percent of its entries; target = O / Q x (1 - %).

The target unit cost is the lowest of O / Q and the candidates of the chosen bases (the larger
write-down wins, never both); the line's reason code is NRV or OBSOLETE after the rule that
decided (whatever the batch's default), and its rule text names the figures. Only evidence
counts: an earlier NRV write-down is reversed only when a selling price exists, an OBSOLETE one
only when buckets are set up. A line whose value would not change is not proposed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Max
from django.utils.translation import gettext as _

from inventory.amounts import ZERO, Precision
from inventory.display import format_decimal
from inventory.models import (
    InventorySetup,
    Item,
    ItemLedgerEntry,
    ItemLedgerEntryType,
    SlowMovingAgeFrom,
    ValueEntry,
    ValueEntryType,
    parse_slow_moving_buckets,
)
from inventory.valuation import EntryValue, inbound_entry_values
from revaluation.models import InventoryValuePer, RevaluationLine, SellingPrice
from revaluation.services.lines import set_inventory_value_revalued

NRV_CODE = "NRV"
OBSOLETE_CODE = "OBSOLETE"
HUNDRED = Decimal(100)

# What a proposal is bound by (the lowest candidate).
RULE_COST = "cost"
RULE_NRV = "nrv"
RULE_SLOW = "slow"


@dataclass(frozen=True)
class NetRealisableValue:
    selling_price: Decimal
    cost_to_sell: Decimal  # per unit: absolute + percent of the selling price
    nrv: Decimal  # RU(selling price - costs to sell), never below 0


def net_realisable_value(price: SellingPrice, p: Precision) -> NetRealisableValue:
    cost = price.cost_to_sell + price.selling_price * price.cost_to_sell_percent / HUNDRED
    return NetRealisableValue(
        price.selling_price, p.ru(cost), max(p.ru(price.selling_price - cost), ZERO)
    )


def bucket_percent(buckets: list[tuple[int, Decimal]], age_days: int) -> Decimal:
    """The percent of the highest bucket the age reaches (0 below the first)."""
    found = ZERO
    for days, percent in buckets:
        if age_days >= days:
            found = percent
    return found


@dataclass(frozen=True)
class WriteDown:
    """The proposal for one line: its new Inventory Value (Revalued) and the evidence."""

    inventory_value: Decimal
    rule: str
    reason_code: str
    nrv: NetRealisableValue | None
    age_days: int | None


def _unit(value: Decimal) -> str:
    return format_decimal(value, min_places=2, grouping=False)


class WriteDownCalculator:
    """Everything ``propose`` needs, read once per calculation (set-based queries)."""

    def __init__(
        self,
        *,
        nrv: bool,
        slow_moving: bool,
        posting_date: date,
        item_nos: Iterable[str],
        per_item: bool,
        precision: Precision,
        location_codes: Iterable[str] | None = None,
        variant_codes: Iterable[str] | None = None,
    ):
        item_nos = list(item_nos)
        self.use_nrv = nrv
        self.on = posting_date
        self.p = precision
        setup = InventorySetup.get()
        self.buckets = parse_slow_moving_buckets(setup.slow_moving_buckets) if slow_moving else []
        self.entries: dict[str, list[EntryValue]] = defaultdict(list)
        self.entry: dict[int, EntryValue] = {}
        for entry in inbound_entry_values(
            item_nos=item_nos,
            on=posting_date,
            standard_per_item=per_item,
            location_codes=location_codes,
            variant_codes=variant_codes,
        ):
            if entry.remaining:
                self.entries[entry.item_no].append(entry)
                self.entry[entry.entry_no] = entry
        codes = [code for code, on in ((NRV_CODE, nrv), (OBSOLETE_CODE, slow_moving)) if on]
        # entry no -> reason code -> earlier write-down per revalued unit
        self.written_down: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for entry_no, code, actual, valued in ValueEntry.objects.filter(
            item_id__in=item_nos,
            entry_type=ValueEntryType.REVALUATION,
            reason_code__in=codes,
            valuation_date__lte=posting_date,
        ).values_list(
            "item_ledger_entry_id", "reason_code", "cost_amount_actual", "valued_quantity"
        ):
            if valued:
                self.written_down[entry_no][code] += actual / valued
        self.prices: dict[str, list[SellingPrice]] = defaultdict(list)
        if nrv:
            for price in SellingPrice.objects.filter(
                item_id__in=item_nos, valid_from__lte=posting_date
            ).order_by("-valid_from"):
                self.prices[price.item_id].append(price)
        self.last_outbound: dict[str, date] = {}
        if self.buckets and setup.slow_moving_age_from == SlowMovingAgeFrom.LAST_OUTBOUND:
            self.last_outbound = dict(
                ItemLedgerEntry.objects.filter(
                    item_id__in=item_nos, positive=False, posting_date__lte=posting_date
                )
                .exclude(entry_type=ItemLedgerEntryType.TRANSFER)  # moving stock is no sale
                .values("item_id")
                .annotate(last=Max("posting_date"))
                .values_list("item_id", "last")
            )

    # ----------------------------------------------------------------- the evidence

    def price(self, item_no: str, location: str, variant: str) -> SellingPrice | None:
        """The price valid at D, the most specific location/variant match first."""
        for where in ((location, variant), (location, ""), ("", variant), ("", "")):
            for price in self.prices[item_no]:  # newest first
                if (price.location_code, price.variant_code) == where:
                    return price
        return None

    def age_days(self, entry: EntryValue) -> int:
        start = entry.posting_date
        last = self.last_outbound.get(entry.item_no)
        if last is not None and last > start:
            start = last
        return (self.on - start).days

    def _scope(self, item: Item, applies_to: int, location: str, variant: str, per: str):
        """The inbound entries behind a line (as posting splits a sum line, spec §6.4)."""
        if applies_to:
            entry = self.entry.get(applies_to)
            return [entry] if entry else []
        match_loc = bool(location) or per in (
            InventoryValuePer.LOCATION,
            InventoryValuePer.LOCATION_AND_VARIANT,
        )
        match_var = bool(variant) or per in (
            InventoryValuePer.VARIANT,
            InventoryValuePer.LOCATION_AND_VARIANT,
        )
        return [
            e
            for e in self.entries[item.no]
            if (not match_loc or e.location_code == location)
            and (not match_var or e.variant_code == variant)
        ]

    # ----------------------------------------------------------------- the proposal

    def propose(
        self,
        item: Item,
        *,
        applies_to: int,
        location: str,
        variant: str,
        per: str,
        quantity: Decimal,
        value: Decimal,
    ) -> WriteDown | None:
        """The write-down (or its reversal) of one computed line; None: nothing changes."""
        if quantity <= 0 or value <= 0:
            return None  # nothing to write down (a negative value is the user's to correct)
        p = self.p
        entries = self._scope(item, applies_to, location, variant, per)
        price = self.price(item.no, location, variant) if self.use_nrv else None
        nrv = net_realisable_value(price, p) if price else None
        evidence = {NRV_CODE: nrv is not None, OBSOLETE_CODE: bool(self.buckets)}
        earlier: dict[str, Decimal] = defaultdict(Decimal)
        for entry in entries:
            for code, per_unit in self.written_down.get(entry.entry_no, {}).items():
                if evidence[code]:
                    earlier[code] += entry.remaining * per_unit
        original = value - sum(earlier.values(), ZERO)
        original_unit = original / quantity
        candidates = [(original_unit, RULE_COST)]
        if nrv is not None:
            candidates.append((nrv.nrv, RULE_NRV))
        age = None
        if self.buckets and entries:
            ages = [(entry.remaining, self.age_days(entry)) for entry in entries]
            age = max(days for _, days in ages)
            percent = (
                sum((qty * bucket_percent(self.buckets, days) for qty, days in ages), ZERO)
                / quantity
            )
            if percent:
                candidates.append((original_unit * (1 - percent / HUNDRED), RULE_SLOW))
        if len(candidates) == 1 and not evidence[OBSOLETE_CODE]:
            return None  # no selling price, no buckets: nothing to go by
        target, rule = min(candidates, key=lambda candidate: candidate[0])  # ties: the first
        if rule == RULE_COST:
            if not earlier:
                return None  # at cost, nothing written down before
            new_value = p.r(original)  # the full reversal, exactly back to cost
        else:
            new_value = p.r(p.ru(target) * quantity)
        if new_value == value:
            return None
        reversal = new_value > value
        text = self._rule_text(rule, reversal, original_unit, nrv, age, target, value / quantity)
        if rule == RULE_NRV or (rule == RULE_COST and earlier.get(NRV_CODE)):
            code = NRV_CODE
        else:
            code = OBSOLETE_CODE
        return WriteDown(new_value, text[:200], code, nrv, age)

    def _rule_text(self, rule, reversal, original_unit, nrv, age, target, current_unit) -> str:
        cost = _unit(self.p.ru(original_unit))
        if rule == RULE_NRV:
            assert nrv is not None
            values = {
                "nrv": _unit(nrv.nrv),
                "price": _unit(nrv.selling_price),
                "costs": _unit(nrv.cost_to_sell),
                "cost": cost,
            }
            if reversal:
                return (
                    _(
                        "NRV %(nrv)s = selling price %(price)s - costs to sell %(costs)s: NRV "
                        "recovered, earlier write-down partly reversed (IAS 2 par. 33)."
                    )
                    % values
                )
            return (
                _(
                    "NRV %(nrv)s = selling price %(price)s - costs to sell %(costs)s, below cost "
                    "%(cost)s: written down to NRV (IAS 2 par. 28)."
                )
                % values
            )
        if rule == RULE_SLOW:
            percent = (1 - target / original_unit) * HUNDRED
            values = {
                "age": age,
                "percent": format_decimal(percent, min_places=0, grouping=False),
                "cost": cost,
                "nrv": _unit(nrv.nrv) if nrv is not None else "",
            }
            if nrv is not None and reversal:
                text = _(
                    "Slow-moving: %(age)s days without movement, %(percent)s %% of cost %(cost)s "
                    "(NRV %(nrv)s is higher): earlier write-down partly reversed."
                )
            elif nrv is not None:
                text = _(
                    "Slow-moving: %(age)s days without movement, %(percent)s %% of cost %(cost)s "
                    "(NRV %(nrv)s is higher)."
                )
            elif reversal:
                text = _(
                    "Slow-moving: %(age)s days without movement, %(percent)s %% of cost "
                    "%(cost)s: earlier write-down partly reversed."
                )
            else:
                text = _(
                    "Slow-moving: %(age)s days without movement, %(percent)s %% of cost %(cost)s."
                )
            return text % values
        return _(
            "Cost %(cost)s reached again: earlier write-down reversed, limited to cost (IAS 2 par. "
            "33)."
        ) % {"cost": cost}


def apply_write_down(line: RevaluationLine, proposal: WriteDown, p: Precision) -> None:
    """Fill a computed line with the proposal (the unit cost follows, spec §5.5)."""
    set_inventory_value_revalued(line, proposal.inventory_value, p)
    line.reason_code = proposal.reason_code
    line.writedown_rule = proposal.rule
    line.age_days = proposal.age_days
    if proposal.nrv is not None:
        line.nrv = proposal.nrv.nrv
        line.selling_price = proposal.nrv.selling_price
        line.cost_to_sell = proposal.nrv.cost_to_sell
    line.proposed_amount = line.amount
