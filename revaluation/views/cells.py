"""Editing the grid: the two revalued cells and the Reason Code of a line."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DataError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from inventory.htmx import HtmxHttpRequest, swap_into
from revaluation import selectors
from revaluation.exceptions import RevaluationError, StaleLineError
from revaluation.forms import LineEditForm
from revaluation.models import RevaluationBatch, RevaluationLine
from revaluation.presentation import CellProblem, GridRows, revalued_cell
from revaluation.rights import prepare_required
from revaluation.services.lines import (
    EDITABLE_FIELDS,
    INVENTORY_VALUE_REVALUED,
    UNIT_COST_REVALUED,
    line_edit,
    line_set_reason_code,
)
from revaluation.views.journal import DETAIL_TEMPLATE, journal_url, render_journal, return_params

STALE_MESSAGE = gettext_lazy(
    "Someone else changed this line in the meantime; the current values are shown."
)
BOTH_CELLS = gettext_lazy(
    "Change Unit Cost (Revalued) or Inventory Value (Revalued), not both: each is calculated "
    "from the other. Nothing was saved."
)

SAVED_VALUE_HEADER = "X-Saved-Value"


@require_POST
@login_required
@prepare_required
def revaluation_line_edit(request: HtmxHttpRequest, batch_name: str, line_id: int):
    """Save one typed cell; answer htmx with the dependent cells and totals out of band."""
    line = selectors.journal_line_get(batch_name=batch_name, line_id=line_id)
    if line is None:
        raise Http404("No such line in this batch.")
    form = LineEditForm(request.POST)
    if not form.is_valid():
        if "version" in form.errors:
            return HttpResponseBadRequest("The line version is missing.")
        name = form.cleaned_data.get("field") or next(iter(form.errors))
        if name not in EDITABLE_FIELDS:
            return HttpResponseBadRequest("Unknown field.")
        problem = CellProblem(name, _("The value is too large."), request.POST.get(name, "")[:60])
        return _cell_refused(request, line, problem)
    edited = form.edited_fields(line)
    if not edited:  # nothing changed (a plain form post of unchanged values)
        if request.htmx:
            return HttpResponse(status=204)
        return redirect(journal_url(batch_name, return_params(request), f"line-{line.pk}"))
    if len(edited) > 1:
        name = edited[-1]
        return _cell_refused(request, line, CellProblem(name, BOTH_CELLS, form.cleaned_data[name]))
    [name] = edited
    raw = form.cleaned_data[name]
    try:
        line = line_edit(
            line_id=line.pk,
            version=form.cleaned_data["version"],
            field=name,
            value=raw,
            localized=True,
        )
    except StaleLineError:
        return _line_stale(request, batch_name, line.pk, name)
    except RevaluationError as error:
        return _cell_refused(request, line, CellProblem(name, error.message, raw))
    except DataError:
        # The service bounds the typed value but not the derived Inventory Value (Revalued)
        # = unit cost x quantity, which can overflow its column; the edit was rolled back.
        return _cell_refused(request, line, CellProblem(name, _("The value is too large."), raw))
    except RevaluationLine.DoesNotExist as exc:
        raise Http404("The line was deleted meanwhile.") from exc
    if not request.htmx:
        return redirect(journal_url(batch_name, return_params(request), f"line-{line.pk}"))
    other = INVENTORY_VALUE_REVALUED if name == UNIT_COST_REVALUED else UNIT_COST_REVALUED
    row = GridRows(batch_name).row(line)
    edited_cell = revalued_cell(line, name, None)
    context = {
        "row": row,
        "edited_cell": edited_cell,
        "cell": revalued_cell(line, other, None),
        "totals": selectors.journal_totals_get(batch_name=batch_name),
        "can_edit": True,
        "oob": True,
    }
    response = render(request, f"{DETAIL_TEMPLATE}#line-update-response", context)
    # The typed cell is not replaced (focus may still be in it); app.js shows the saved value
    # formatted like the column (200 -> 200.00) from this header.
    response[SAVED_VALUE_HEADER] = edited_cell.value
    return response


@require_POST
@login_required
@prepare_required
def revaluation_line_reason(request: HtmxHttpRequest, batch_name: str, line_id: int):
    """Save a line's Reason Code; answer htmx with the cell and the line's new version."""
    line = selectors.journal_line_get(batch_name=batch_name, line_id=line_id)
    if line is None:
        raise Http404("No such line in this batch.")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return HttpResponseBadRequest("The line version is missing.")
    message, status = "", 200
    try:
        line_set_reason_code(
            line_id=line.pk, version=version, code=request.POST.get("reason_code", "")[:20]
        )
    except StaleLineError:
        message, status = str(STALE_MESSAGE), 422
    except RevaluationError as error:
        message, status = error.message, 422
    if not request.htmx:
        if status != 200:
            messages.error(request, message)
        return redirect(journal_url(batch_name, return_params(request), f"line-{line.pk}"))
    line = selectors.journal_line_get(batch_name=batch_name, line_id=line.pk)
    if line is None:
        raise Http404("The line was deleted meanwhile.")
    context = {
        "row": GridRows(batch_name, selectors.reason_code_list()).row(line),
        "can_edit": True,
        "oob": status == 200,
        "reason_message": message,
    }
    return render(request, f"{DETAIL_TEMPLATE}#reason-update-response", context, status=status)


def _cell_refused(request: HtmxHttpRequest, line: RevaluationLine, problem: CellProblem):
    """422: the refused value stays in its cell with the message; nothing was saved."""
    if not request.htmx:
        batch = get_object_or_404(RevaluationBatch, pk=line.batch_id)
        params = return_params(request)
        return render_journal(
            request, batch, status=422, params=params, problems={line.pk: problem}
        )
    row = GridRows(line.batch_id).row(line, problem=problem)
    cell = row.unit_cost if problem.field == UNIT_COST_REVALUED else row.inventory_value
    context = {"row": row, "cell": cell, "can_edit": True}
    response = render(request, f"{DETAIL_TEMPLATE}#revalued-cell", context, status=422)
    return swap_into(response, f"#{cell.dom_id}-cell")


def _line_stale(request: HtmxHttpRequest, batch_name: str, line_id: int, name: str):
    """422: someone else changed the line; show its current values and say so."""
    line = selectors.journal_line_get(batch_name=batch_name, line_id=line_id)
    if line is None:
        raise Http404("The line was deleted meanwhile.")
    problem = CellProblem(name, STALE_MESSAGE)
    if not request.htmx:
        batch = get_object_or_404(RevaluationBatch, pk=batch_name)
        params = return_params(request)
        return render_journal(
            request, batch, status=422, params=params, problems={line.pk: problem}
        )
    grid = GridRows(batch_name, selectors.reason_code_list())
    context = {
        "row": grid.row(line, problem=problem),
        "totals": selectors.journal_totals_get(batch_name=batch_name),
        "can_edit": True,
        "oob": True,
    }
    response = render(request, f"{DETAIL_TEMPLATE}#line-stale-response", context, status=422)
    return swap_into(response, f"#line-{line.pk}")
