"""Which items and entries a journal may use: the one check that the item journal, the
revaluation journal, the revaluation lines and Calculate Inventory Value share.

Each function answers with the refusal's text (None: no objection), in the active language; the
caller raises it as its own error on its own field.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from inventory.models import Item


def item_refusal(item_no: str, item: Item | None, *, revaluation: bool) -> str | None:
    """E-01 the item exists, E-02 it is not blocked and, for a revaluation, E-31 its
    Inventory Value Zero is off (an item without inventory value cannot be revalued)."""
    if item is None:
        return missing_item(item_no)
    if item.blocked:
        return _(
            "You cannot choose Item %(no)s because the Blocked check box is selected on its"
            " Item card."
        ) % {"no": item.no}
    if revaluation:
        return inventory_value_zero_refusal(item)
    return None


def inventory_value_zero_refusal(item: Item) -> str | None:
    """E-31: an item with Inventory Value Zero cannot be revalued."""
    if item.inventory_value_zero:
        return _(
            "Inventory Value Zero must be equal to 'No' in Item: No.=%(no)s."
            " Current value is 'Yes'."
        ) % {"no": item.no}
    return None


def missing_item(item_no: str) -> str:
    return _("The Item does not exist. No.='%(no)s'.") % {"no": item_no}


def missing_entry(entry_no: int) -> str:
    return _("The Item Ledger Entry does not exist. Entry No.='%(no)s'.") % {"no": entry_no}
