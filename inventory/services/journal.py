"""Item journal services: batches, lines, and posting a batch (COSTING-SPEC §2.8, §3, §3.10).

Lines are a scratch pad: they are written here and consumed by ``item_journal_batch_post``, which
hands them to ``inventory.services.posting.item_journal_post`` and deletes them once posted.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from inventory.exceptions import PostingError
from inventory.models import Item, ItemJournalBatch, ItemJournalLine
from inventory.selectors import LINE_NO_STEP
from inventory.services.posting import ItemJournalLineInput, PostingResult, item_journal_post
from inventory.text import normalize_batch_name

# The fields a user edits on a line (everything but batch and line no.).
LINE_FIELDS = (
    "posting_date",
    "entry_type",
    "document_no",
    "item",
    "location_code",
    "variant_code",
    "quantity",
    "invoiced_quantity",
    "unit_amount",
    "applies_to_entry",
    "applies_from_entry",
    "new_location_code",
    "description",
)


def item_journal_batch_create(*, name: str, description: str = "") -> ItemJournalBatch:
    """A new batch; a name that breaks the batch name rule raises ValidationError (model)."""
    return ItemJournalBatch.objects.create(name=normalize_batch_name(name), description=description)


@transaction.atomic
def item_journal_line_create(
    *,
    batch: ItemJournalBatch,
    posting_date: datetime.date,
    entry_type: str,
    document_no: str,
    item: Item,
    quantity: Decimal,
    invoiced_quantity: Decimal | None = None,
    unit_amount: Decimal | None = None,
    location_code: str = "",
    variant_code: str = "",
    new_location_code: str = "",
    applies_to_entry: int = 0,
    applies_from_entry: int = 0,
    description: str = "",
) -> ItemJournalLine:
    """Append a line to ``batch``; its line no. is the last one + 10000.

    The batch row is locked so that two users adding lines at once get different numbers.
    """
    ItemJournalBatch.objects.select_for_update().filter(pk=batch.pk).first()
    last_no = ItemJournalLine.objects.filter(batch=batch).aggregate(last=Max("line_no"))["last"]
    return ItemJournalLine.objects.create(
        batch=batch,
        line_no=(last_no or 0) + LINE_NO_STEP,
        posting_date=posting_date,
        entry_type=entry_type,
        document_no=document_no,
        item=item,
        quantity=quantity,
        invoiced_quantity=invoiced_quantity,
        unit_amount=unit_amount,
        location_code=location_code,
        variant_code=variant_code,
        new_location_code=new_location_code,
        applies_to_entry=applies_to_entry,
        applies_from_entry=applies_from_entry,
        description=description,
    )


def item_journal_line_update(
    *,
    line: ItemJournalLine,
    posting_date: datetime.date,
    entry_type: str,
    document_no: str,
    item: Item,
    quantity: Decimal,
    invoiced_quantity: Decimal | None = None,
    unit_amount: Decimal | None = None,
    location_code: str = "",
    variant_code: str = "",
    new_location_code: str = "",
    applies_to_entry: int = 0,
    applies_from_entry: int = 0,
    description: str = "",
) -> ItemJournalLine:
    """Replace the editable fields of ``line``. Raises ``Model.NotUpdated`` if it was deleted."""
    line.posting_date = posting_date
    line.entry_type = entry_type
    line.document_no = document_no
    line.item = item
    line.quantity = quantity
    line.invoiced_quantity = invoiced_quantity
    line.unit_amount = unit_amount
    line.location_code = location_code
    line.variant_code = variant_code
    line.new_location_code = new_location_code
    line.applies_to_entry = applies_to_entry
    line.applies_from_entry = applies_from_entry
    line.description = description
    line.save(update_fields=LINE_FIELDS)
    return line


def item_journal_line_delete(*, line: ItemJournalLine) -> None:
    line.delete()


def item_journal_line_to_input(line: ItemJournalLine) -> ItemJournalLineInput:
    return ItemJournalLineInput(
        line_no=line.line_no,
        posting_date=line.posting_date,
        entry_type=line.entry_type,
        document_no=line.document_no,
        item_no=line.item_id,
        quantity=line.quantity,
        invoiced_quantity=line.invoiced_quantity,
        unit_amount=line.unit_amount,
        location_code=line.location_code,
        variant_code=line.variant_code,
        new_location_code=line.new_location_code,
        applies_to_entry=line.applies_to_entry,
        applies_from_entry=line.applies_from_entry,
        description=line.description,
    )


@transaction.atomic
def item_journal_batch_post(*, batch: ItemJournalBatch, user: User | None) -> PostingResult:
    """Post all lines of ``batch`` and delete them, in one transaction: all or nothing.

    The batch row stays locked until commit, so the same lines cannot be posted twice by two
    requests at once. Raises ``PostingError`` (lines kept, nothing written) when posting refuses
    a line, or when the batch has no lines.
    """
    ItemJournalBatch.objects.select_for_update().filter(pk=batch.pk).first()
    lines = list(ItemJournalLine.objects.filter(batch=batch).order_by("line_no"))
    if not lines:
        raise PostingError(_("There is nothing to post."))
    result = item_journal_post(
        lines=[item_journal_line_to_input(line) for line in lines],
        user=user,
        batch_name=batch.name,
    )
    ItemJournalLine.objects.filter(pk__in=[line.pk for line in lines]).delete()
    return result
