"""Which items and entries a journal may use: the one check that the item journal, the
revaluation journal, the revaluation lines and Calculate Inventory Value share.

Each function answers with the refusal's text (None: no objection); the caller raises it as its
own error on its own field.
"""

from __future__ import annotations

from inventory.models import Item


def item_refusal(item_no: str, item: Item | None, *, revaluation: bool) -> str | None:
    """E-01 the item exists, E-02 it is not blocked and, for a revaluation, E-31 its
    Inventory Value Zero is off (an item without inventory value cannot be revalued)."""
    if item is None:
        return missing_item(item_no)
    if item.blocked:
        return (
            f"You cannot choose Item {item.no} because the Blocked check box is selected on its "
            "Item card."
        )
    if revaluation:
        return inventory_value_zero_refusal(item)
    return None


def inventory_value_zero_refusal(item: Item) -> str | None:
    """E-31: an item with Inventory Value Zero cannot be revalued."""
    if item.inventory_value_zero:
        return (
            f"Inventory Value Zero must be equal to 'No' in Item: No.={item.no}. "
            "Current value is 'Yes'."
        )
    return None


def missing_item(item_no: str) -> str:
    return f"The Item does not exist. No.='{item_no}'."


def missing_entry(entry_no: int) -> str:
    return f"The Item Ledger Entry does not exist. Entry No.='{entry_no}'."
