"""Reversing a posted revaluation: value entries that mirror the original exactly.

The reversal writes, for every Revaluation value entry of the original item register, one value
entry on the same item ledger entry with the opposite amounts and the same Valued Quantity,
Valuation Date and Partial Revaluation flag; only the Posting Date and Document No. are the
reversal's. Keeping the valuation date keeps the mirror in the same average-cost period and
makes Adjust Cost's inclusion rule (COSTING-SPEC §7.4) judge it like the original for almost
every outbound; ``reversal_problem`` names the cases where it would not, and the reversal is
refused then (all checks run before the first write).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from inventory.exceptions import PostingError
from inventory.models import (
    ItemApplicationEntry,
    ItemRegister,
    SourceCode,
    ValueEntry,
    ValueEntryType,
)
from inventory.services.adjustment_runs import schedule_automatic_adjustment
from inventory.services.ledger import LedgerWriter, check_posting_date, lock_items
from inventory.services.posting import PostingResult


def revaluation_entries(register: ItemRegister) -> list[ValueEntry]:
    """The Revaluation value entries a revaluation posting wrote (its item register)."""
    return list(
        ValueEntry.objects.filter(item_register=register, entry_type=ValueEntryType.REVALUATION)
        .select_related("item_ledger_entry")
        .order_by("entry_no")
    )


def reversal_problem(entries: Sequence[ValueEntry]) -> str | None:
    """Why mirroring ``entries`` would not undo them exactly, or None.

    * The entry was revalued again since (a later revaluation, a §9.4 balancing entry or an
      adjustment of the revaluation itself): those were worked out from the value this
      revaluation gave, so taking it back alone would not restore the earlier state.
    * A partial revaluation (§7.4) reaches an outbound applied to the entry when the outbound
      was posted after it, or is dated after its valuation date. The mirror, posted later,
      reaches the first kind only when dated after that valuation date; so an outbound posted
      since the revaluation but dated on or before its valuation date would keep the
      revaluation's cost. (A change of remaining quantity by outbounds dated later is exact:
      both entries reach them. A per-entry, non-partial revaluation reaches every outbound.)
    * An interim (expected) part on an entry not completely invoiced: its invoices write
      balancing entries for the original (§9.4) that the mirror would not get.
    """
    if not entries:
        return _("it has no revaluation value entries.")
    last_no = max(v.entry_no for v in entries)
    ile_nos = {v.item_ledger_entry_id for v in entries}
    later = (
        ValueEntry.objects.filter(
            item_ledger_entry_id__in=ile_nos,
            entry_type=ValueEntryType.REVALUATION,
            entry_no__gt=last_no,
        )
        .order_by("entry_no")
        .first()
    )
    if later is not None:
        return _(
            "item ledger entry %(entry)s was revalued again since (value entry %(value_entry)s, "
            "document %(document_no)s)."
        ) % {
            "entry": later.item_ledger_entry_id,
            "value_entry": later.entry_no,
            "document_no": later.document_no,
        }
    for v in entries:
        entry = v.item_ledger_entry
        if v.cost_amount_expected and not entry.completely_invoiced:
            return _(
                "value entry %(value_entry)s has an interim part on item ledger entry "
                "%(entry)s, which is not completely invoiced."
            ) % {"value_entry": v.entry_no, "entry": entry.entry_no}
    partial = [v for v in entries if v.partial_revaluation]
    if not partial:
        return None
    applied = ItemApplicationEntry.objects.filter(
        inbound_item_entry_id__in={v.item_ledger_entry_id for v in partial},
        outbound_item_entry__isnull=False,
        quantity__lt=0,
    ).values_list("inbound_item_entry_id", "outbound_item_entry_id")
    outbounds_of: dict[int, set[int]] = {}
    for inbound, outbound in applied:
        outbounds_of.setdefault(inbound, set()).add(outbound)
    first_ves: dict[int, ValueEntry] = {}  # the first quantity-bearing VE of each outbound
    for ve in (
        ValueEntry.objects.filter(
            item_ledger_entry_id__in={o for nos in outbounds_of.values() for o in nos}
        )
        .exclude(item_ledger_entry_quantity=0)
        .order_by("entry_no")
    ):
        first_ves.setdefault(ve.item_ledger_entry_id, ve)
    for v in partial:
        for outbound in sorted(outbounds_of.get(v.item_ledger_entry_id, ())):
            first = first_ves[outbound]
            dated = max(first.valuation_date, first.posting_date)
            if first.entry_no > v.entry_no and dated <= v.valuation_date:
                return _(
                    "item ledger entry %(entry)s was applied to outbound entry %(outbound)s, "
                    "posted after the revaluation and dated %(dated)s, on or before its "
                    "valuation date %(valuation_date)s: the revaluation reached that outbound, "
                    "a reversal would not."
                ) % {
                    "entry": v.item_ledger_entry_id,
                    "outbound": outbound,
                    "dated": dated.isoformat(),
                    "valuation_date": v.valuation_date.isoformat(),
                }
    return None


@transaction.atomic
def revaluation_reverse(
    *,
    register: ItemRegister,
    posting_date: date,
    document_no: str,
    user=None,
    batch_name: str = "",
) -> PostingResult:
    """Post the mirror of the revaluation written in ``register``; all or nothing.

    Raises PostingError when the date is not open or the mirror would not be exact.
    """
    entries = revaluation_entries(register)
    items = lock_items(v.item_id for v in entries)
    writer = LedgerWriter(
        items=items,
        source_code=SourceCode.REVALUATION_JOURNAL,
        user=user,
        batch_name=batch_name,
    )
    check_posting_date(writer.setup, posting_date, closed_until=writer.closed_until)
    entries = revaluation_entries(register)  # read again under the locks
    if problem := reversal_problem(entries):
        raise PostingError(
            _("The revaluation cannot be reversed exactly: %(problem)s") % {"problem": problem}
        )
    for item in items.values():
        if item.blocked:
            raise PostingError(
                _(
                    "You cannot choose Item %(no)s because the Blocked check box is selected on "
                    "its Item card."
                )
                % {"no": item.no},
                field="item_no",
            )
    for v in entries:
        writer.defer_value_entry(
            v.item_ledger_entry,
            first=False,
            entry_type=ValueEntryType.REVALUATION,
            posting_date=posting_date,
            valuation_date=v.valuation_date,
            document_no=document_no,
            description=f"Reversal of {v.document_no}",
            reason_code=v.reason_code,
            inventory_posting_group=v.inventory_posting_group,
            gen_bus_posting_group=v.gen_bus_posting_group,
            gen_prod_posting_group=v.gen_prod_posting_group,
            valued_quantity=v.valued_quantity,
            invoiced_quantity=v.invoiced_quantity,
            cost_amount_actual=-v.cost_amount_actual,
            cost_amount_expected=-v.cost_amount_expected,
            cost_per_unit=-v.cost_per_unit,
            partial_revaluation=v.partial_revaluation,
        )
    register_out = writer.finish()
    schedule_automatic_adjustment(items)
    return PostingResult(register_out, writer.ile_nos, writer.ve_nos)
