"""The htmx answers both apps' views repeat: go to a URL, swap a fragment somewhere else than the
element that asked, and show a service's refusal at the form field it names.

A plain form post gets a redirect, an htmx request the ``HX-Redirect`` header (htmx would
otherwise swap the redirected page into the element that asked).
"""

from __future__ import annotations

from typing import Protocol

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect, reselect, reswap, retarget
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class FieldError(Protocol):
    """A service's refusal: a message, and the field it is about (None: the whole input)."""

    message: str
    field: str | None


def redirect_to(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """Redirect a plain request; tell htmx to load ``url`` as a whole page (``HX-Redirect``)."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def swap_into(
    response: HttpResponse, target: str, swap: str = "outerHTML", *, select: str | None = None
) -> HttpResponse:
    """Have htmx put ``response`` in place of ``target`` (a CSS selector) with ``swap``, taking
    only the ``select`` part of it if given (an answer that is a whole page)."""
    # django-htmx types the swap without modifiers such as "show:#line-1:top"
    response = reswap(retarget(response, target), swap)  # type: ignore[arg-type]
    if select is not None:
        response = reselect(response, select)
    return response


def add_field_error(form: forms.Form, error: FieldError) -> None:
    """Show ``error`` at the form field it names, or above the form if it has no such field."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
