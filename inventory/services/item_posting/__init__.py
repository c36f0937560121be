"""Posting one checked item journal line through the ledger writer (spec §3.3 - §3.9).

``post_line`` sends a line to the posting of its kind: an inbound (``inbound.py``), an outbound
or a transfer (``outbound.py``), an invoice of an earlier receipt or shipment (``invoice.py``).
They share the line's values (``values.py``), the application of entries (``applying.py``) and
the item's unit cost (``unit_cost.py``).
"""

from __future__ import annotations

from inventory.models import ItemJournalEntryType
from inventory.services.item_posting.inbound import post_inbound
from inventory.services.item_posting.invoice import post_invoice
from inventory.services.item_posting.line import ItemJournalLineInput
from inventory.services.item_posting.outbound import post_outbound, post_transfer
from inventory.services.ledger import LedgerWriter


def post_line(writer: LedgerWriter, line: ItemJournalLineInput) -> None:
    """Post one line that ``check_line`` accepted."""
    item = writer.items[line.item_no]
    if line.entry_type == ItemJournalEntryType.INVOICE:
        post_invoice(writer, line, item)
    elif line.entry_type == ItemJournalEntryType.TRANSFER:
        post_transfer(writer, line, item)
    elif line.ile_quantity > 0:
        post_inbound(writer, line, item)
    else:
        post_outbound(writer, line, item)
