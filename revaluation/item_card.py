"""The item card: one page per item with its costs, stock, entries, revaluations and history.

It lives in ``revaluation`` because it shows revaluation journal lines and posted revaluations
next to the ledger (``revaluation`` imports ``inventory``, never the reverse).
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from inventory import item_card
from inventory.audit import change_history
from inventory.charts import Line, step_chart
from inventory.display import amount as show_amount
from inventory.models import Item
from revaluation import selectors

ENTRIES_PER_PAGE = 25


def _date(text: str) -> datetime.date | None:
    """The ``on`` date of the card; a date that does not parse means today."""
    try:
        return forms.DateField(required=False).clean(text)
    except ValidationError:
        return None


def _charts(history: item_card.History):
    if not history.points:
        return []
    start, end = history.points[0].day, history.points[-1].day
    markers = [
        (
            mark.day,
            _("Revaluation %(document)s on %(date)s: %(amount)s")
            % {
                "document": mark.document_no,
                "date": formats.date_format(mark.day, "SHORT_DATE_FORMAT"),
                "amount": ("+" if mark.amount > 0 else "") + show_amount(mark.amount),
            },
        )
        for mark in history.revaluations
    ]
    stock = step_chart(
        title=_("Quantity and value over time"),
        description=_(
            "Quantity (left axis) and value including expected cost (right axis) at "
            "the end of each valuation date; dashed lines mark revaluations."
        ),
        lines=[
            Line(_("Quantity"), "series-quantity", [(p.day, p.quantity) for p in history.points]),
            Line(
                _("Value"),
                "series-value",
                [(p.day, p.value) for p in history.points],
                axis="right",
            ),
        ],
        start=start,
        end=end,
        markers=markers,
    )
    unit_cost = step_chart(
        title=_("Unit cost over time"),
        description=_(
            "Value including expected cost divided by quantity at the end of each "
            "valuation date (no line while nothing is on hand); dashed lines mark revaluations."
        ),
        lines=[
            Line(_("Unit cost"), "series-unit-cost", [(p.day, p.unit_cost) for p in history.points])
        ],
        start=start,
        end=end,
        markers=markers,
    )
    return [stock, unit_cost]


@require_GET
@login_required
def item_card_detail(request: HttpRequest, item_no: str) -> HttpResponse:
    item = get_object_or_404(Item, pk=item_no)
    on = _date(request.GET.get("on", "")) or timezone.localdate()
    overview = item_card.stock_overview(item_no=item.no, on=on)
    history = item_card.item_history(item_no=item.no)
    entries = Paginator(item_card.item_ledger_entry_list(item_no=item.no), ENTRIES_PER_PAGE)
    value_entries = Paginator(item_card.value_entry_list(item_no=item.no), ENTRIES_PER_PAGE)
    journal_lines = selectors.item_revaluation_line_list(item_no=item.no)
    item_journal_lines = item_card.open_item_journal_line_list(item_no=item.no)
    query = request.GET.copy()
    for name in ("page", "ve_page"):
        query.pop(name, None)
    context = {
        "item": item,
        "on": on,
        "overview": overview,
        "charts": _charts(history),
        "history": history,
        "entries": entries.get_page(request.GET.get("page")),
        "value_entries": value_entries.get_page(request.GET.get("ve_page")),
        "query": query.urlencode(),
        "posted_lines": selectors.item_posted_revaluation_line_list(item_no=item.no),
        "journal_lines": journal_lines,
        "item_journal_lines": item_journal_lines,
        "open_line_count": len(journal_lines) + len(item_journal_lines),
        "changes": change_history(item),
    }
    return render(request, "inventory/item_card.html", context)
