"""Lines of a batch: a manual line (with the Applies-to Entry lookup), the drill-down of a line,
deleting one line or all lines."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import push_url

from inventory.audit import change_history
from inventory.htmx import HtmxHttpRequest, add_field_error, redirect_to, swap_into
from revaluation import selectors
from revaluation.exceptions import RevaluationError
from revaluation.explain import line_explanation
from revaluation.forms import ManualLineForm
from revaluation.models import RevaluationBatch
from revaluation.rights import prepare_required
from revaluation.services.lines import batch_delete_lines, line_create_manual, line_delete
from revaluation.views.journal import (
    DETAIL_TEMPLATE,
    entry_lookup_context,
    journal_url,
    render_journal,
    return_params,
)

DELETE_TEMPLATE = "revaluation/line_delete.html"
EXPLAIN_TEMPLATE = "revaluation/line_explain.html"


# --------------------------------------------------------------------------- explain


@require_GET
@login_required
def revaluation_line_explain(request: HtmxHttpRequest, batch_name: str, line_id: int):
    """The drill-down of a line's Quantity and Inventory Value (Calculated)."""
    line = selectors.journal_line_get(batch_name=batch_name, line_id=line_id)
    if line is None:
        raise Http404("No such line in this batch.")
    context = {
        "line": line,
        "explanation": line_explanation(line=line),
        "changes": change_history(line),
    }
    return render(request, EXPLAIN_TEMPLATE, context)


# --------------------------------------------------------------------------- delete


@require_http_methods(["GET", "POST"])
@login_required
@prepare_required
def revaluation_line_delete(request: HtmxHttpRequest, batch_name: str, line_id: int):
    """POST deletes; GET (the Delete link without JavaScript) asks first, on a page of its own."""
    batch = get_object_or_404(RevaluationBatch, pk=batch_name)
    line = selectors.journal_line_get(batch_name=batch.name, line_id=line_id)
    if request.method == "GET":
        if line is None:
            raise Http404("No such line in this batch.")
        context = {
            "batch": batch,
            "line": line,
            "return_qs": request.GET.get("return_qs", "")[:500],
            "cancel_url": journal_url(
                batch.name, QueryDict(request.GET.get("return_qs", "")[:500]), f"line-{line.pk}"
            ),
        }
        return render(request, DELETE_TEMPLATE, context)
    if line is not None:  # already gone: deleting is idempotent
        line_delete(line_id=line.pk)
    if request.htmx:  # the row goes (hx-swap="delete"); the totals follow out of band
        context = {
            "totals": selectors.journal_totals_get(batch_name=batch.name),
            "can_edit": True,
            "oob": True,
        }
        return render(request, f"{DETAIL_TEMPLATE}#totals-response", context)
    return redirect(journal_url(batch.name, return_params(request)))


@require_POST
@login_required
@prepare_required
def revaluation_batch_delete_lines(request: HtmxHttpRequest, batch_name: str):
    batch = get_object_or_404(RevaluationBatch, pk=batch_name)
    deleted = batch_delete_lines(batch_name=batch.name)
    messages.success(
        request,
        ngettext("%(count)s line deleted.", "%(count)s lines deleted.", deleted)
        % {"count": deleted},
    )
    url = journal_url(batch.name)
    return redirect_to(request, url)


# --------------------------------------------------------------------------- manual lines


@require_GET
@login_required
def revaluation_entry_lookup(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    """The Applies-to Entry lookup of an item (read only)."""
    item_no = request.GET.get("item", "").strip()[:20]
    if not request.htmx:
        url = journal_url(batch_name, {"manual_item": item_no}, "manual-line")
        return redirect(url)
    context = entry_lookup_context(item_no)
    return render(request, f"{DETAIL_TEMPLATE}#entry-lookup", context)


@require_GET
@login_required
def revaluation_item_suggestions(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    """``<option>``s for the item input's datalist, as the user types."""
    items = selectors.item_suggestion_list(text=request.GET.get("item", "").strip()[:20])
    return render(request, f"{DETAIL_TEMPLATE}#item-suggestions", {"suggestions": items})


@require_POST
@login_required
@prepare_required
def revaluation_line_create(request: HtmxHttpRequest, batch_name: str) -> HttpResponse:
    batch = get_object_or_404(RevaluationBatch, pk=batch_name)
    if "lookup" in request.POST:  # "Show entries" without JavaScript: nothing is saved
        item_no = request.POST.get("item", "").strip()[:20]
        form = ManualLineForm(initial={"item": item_no})
        return render_journal(request, batch, manual_form=form, manual_item_no=item_no)
    form = ManualLineForm(request.POST)
    if form.is_valid():
        try:
            line = line_create_manual(
                batch_name=batch.name,
                item_no=form.cleaned_data["item"],
                applies_to_entry=form.cleaned_data["applies_to_entry"],
                document_no=form.cleaned_data["document_no"].strip(),
            )
        except RevaluationError as error:
            add_field_error(form, error)
        else:
            messages.success(
                request,
                _("Line %(no)s added for item %(item)s.")
                % {"no": line.line_no, "item": line.item_id},
            )
            page = selectors.journal_line_page_number(batch_name=batch.name, line_no=line.line_no)
            params = {"page": page} if page > 1 else None
            if not request.htmx:
                return redirect(journal_url(batch.name, params, f"line-{line.pk}"))
            # The page the line is on, swapped in at once (a redirect to the same URL with
            # only a new #fragment would not reload it), scrolled to the new line.
            response = render_journal(
                request,
                batch,
                params=QueryDict(urlencode(params or {})),
                page=page,
                new_line_id=line.pk,
            )
            response = swap_into(
                response, "#main", f"outerHTML show:#line-{line.pk}:top", select="#main"
            )
            return push_url(response, journal_url(batch.name, params))
    item_no = request.POST.get("item", "").strip()[:20]
    if not request.htmx:
        return render_journal(request, batch, status=422, manual_form=form, manual_item_no=item_no)
    context = {
        "batch": batch,
        "manual_form": form,
        "can_edit": True,
        **entry_lookup_context(item_no),
    }
    selected = form.data.get("applies_to_entry", "")
    context["selected_entry"] = selected
    response = render(request, f"{DETAIL_TEMPLATE}#manual-line", context, status=422)
    return swap_into(response, "#manual-line")
