"""Reversing a posted revaluation (issue 10 §3): a new posted revaluation, linked both ways.

The ledger side (the mirrored value entries and when a mirror is exact) is
``inventory.services.reversal``; this module adds the document: the checks on the posted
revaluation, the posted history row (``reverses`` -> the original, ``reversed_by`` back) and
its lines. Cost adjustment follows as after any revaluation posting.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.bulk import copy_insert
from inventory.exceptions import PostingError
from inventory.models import InventorySetup
from inventory.services.reversal import revaluation_reverse
from revaluation.exceptions import RevaluationError
from revaluation.models import PostedRevaluation, PostedRevaluationLine


def reversal_document_no(posted: PostedRevaluation) -> str:
    """R + the original document no. (20 characters at most)."""
    return f"R{posted.document_no}"[:20]


def reversal_refusal(posted: PostedRevaluation) -> str | None:
    """Why ``posted`` cannot be reversed at all (whatever the date), or None."""
    name = posted.document_no
    if (original := posted.reverses) is not None:
        return _("%(name)s is itself a reversal (of %(original)s); post it again instead.") % {
            "name": name,
            "original": original.document_no,
        }
    reversal = PostedRevaluation.objects.filter(reverses=posted).first()
    if reversal is not None:
        return _("%(name)s was already reversed by %(reversal)s on %(date)s.") % {
            "name": name,
            "reversal": reversal.document_no,
            "date": reversal.posting_date,
        }
    standard = posted.lines.filter(update_standard_cost=True).values_list("item_no", flat=True)
    if item_no := next(iter(standard), None):
        # the previous standard cost is not recorded, so a reversal could not restore it
        return _(
            "%(name)s updated the standard cost of item %(item_no)s; a reversal cannot restore "
            "the previous standard cost."
        ) % {"name": name, "item_no": item_no}
    return None


@transaction.atomic
def posted_revaluation_reverse(
    *, posted_id: int, posting_date: date, user: User | None = None
) -> PostedRevaluation:
    """Reverse posted revaluation ``posted_id`` on ``posting_date``; all or nothing.

    Raises RevaluationError with the reason when it cannot be reversed exactly.
    """
    try:
        # the row lock makes a second, concurrent reversal wait and then find the first
        posted = PostedRevaluation.objects.select_for_update().get(pk=posted_id)
    except PostedRevaluation.DoesNotExist:
        raise RevaluationError(
            _("There is no posted revaluation %(id)s.") % {"id": posted_id}
        ) from None
    if refusal := reversal_refusal(posted):
        raise RevaluationError(_("Posted revaluation %(refusal)s") % {"refusal": refusal})
    document_no = reversal_document_no(posted)
    try:
        result = revaluation_reverse(
            register=posted.item_register,
            posting_date=posting_date,
            document_no=document_no,
            user=user,
            batch_name=posted.batch_name,
        )
    except PostingError as error:
        raise RevaluationError(
            f"{posted.document_no}: {error.message}", field=error.field
        ) from error
    lines = list(posted.lines.order_by("line_no"))
    precision = InventorySetup.get().precision
    reversal = PostedRevaluation.objects.create(
        batch_name=posted.batch_name,
        document_no=document_no,
        posting_date=posting_date,
        posted_at=timezone.now(),
        posted_by=user if getattr(user, "pk", None) else None,
        item_register=result.register,
        total_amount=-posted.total_amount,
        reverses=posted,
    )
    copy_insert(
        PostedRevaluationLine,
        [
            PostedRevaluationLine(
                posted=reversal,
                line_no=line.line_no,
                item_no=line.item_no,
                posting_date=posting_date,
                document_no=document_no,
                location_code=line.location_code,
                variant_code=line.variant_code,
                applies_to_entry=line.applies_to_entry,
                inventory_value_per=line.inventory_value_per,
                quantity=line.quantity,
                # the reversal takes the value from the revalued back to the calculated one
                inventory_value_calculated=line.inventory_value_revalued,
                inventory_value_revalued=line.inventory_value_calculated,
                unit_cost_revalued=precision.cost_per_unit(
                    line.inventory_value_calculated, line.quantity
                ),
                amount=-line.amount,
                update_standard_cost=False,
            )
            for line in lines
        ],
    )
    return reversal
