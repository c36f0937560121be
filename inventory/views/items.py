"""The items page: items with their costs, stock and value, filtered and paginated."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from inventory import selectors
from inventory.forms import ItemListFilterForm
from inventory.htmx import HtmxHttpRequest
from inventory.models import Item
from inventory.selectors import ItemStock

ITEMS_TEMPLATE = "inventory/item_list.html"
ITEMS_PER_PAGE = 50


@dataclass
class ItemRow:
    item: Item
    quantity: Decimal
    value: Decimal


@require_GET
@login_required
def item_list(request: HtmxHttpRequest) -> HttpResponse:
    """Items with their costs, quantity on hand and inventory value; Adjust cost buttons.

    A constant number of queries: the page of items, one grouped query for the stock figures
    of that page, the count, and the unadjusted count.
    """
    form = ItemListFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    items = selectors.item_overview_list(
        costing_method=filters.get("costing_method", ""),
        not_adjusted_only=filters.get("not_adjusted", False),
        search=(filters.get("q") or "").strip(),
    )
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    stock = selectors.item_stock_by_item(item_nos=[item.no for item in page])
    no_stock = ItemStock()
    rows = [
        ItemRow(item, stock.get(item.no, no_stock).quantity, stock.get(item.no, no_stock).value)
        for item in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "can_edit": selectors.can_post_journals(request.user),
        "not_adjusted_count": selectors.item_not_adjusted_count(),
        "active_run": selectors.adjustment_run_active(),
    }
    template = f"{ITEMS_TEMPLATE}#items-table" if request.htmx else ITEMS_TEMPLATE
    return render(request, template, context)
