"""Links from the pages into the admin."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


def admin_url(request: HttpRequest, name: str, *args) -> str:
    """The admin page ``name`` for staff users; "" for others or when the admin is absent."""
    if not request.user.is_staff:
        return ""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""
