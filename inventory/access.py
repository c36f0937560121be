"""Who may change things, checked by a view decorator (everyone signed in may look)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import wraps
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise

from inventory.selectors import can_post_journals

JOURNALS_REFUSED = "Only accountants may change or post journals."

View = Callable[..., HttpResponse]


def right_required(
    has_right: Callable[[User | AnonymousUser], bool],
    refused: str | Promise,
    *,
    methods: Collection[str] | None = None,
) -> Callable[[View], View]:
    """Refuse (403 with ``refused``, a lazy translation if translated) a user without
    ``has_right``; only for ``methods`` if given (e.g. a page that anyone may GET but only some
    may POST). Put it below ``login_required``."""

    def decorator(view: View) -> View:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if (methods is None or request.method in methods) and not has_right(request.user):
                raise PermissionDenied(refused)
            return view(request, *args, **kwargs)

        return checked

    return decorator


def accountant_required(
    view: View | None = None,
    *,
    refused: str | Promise = JOURNALS_REFUSED,
    methods: Collection[str] | None = None,
) -> Any:
    """The journal right (``selectors.can_post_journals``): ``@accountant_required`` or
    ``@accountant_required(refused=..., methods=...)``."""
    decorator = right_required(can_post_journals, refused, methods=methods)
    return decorator(view) if view is not None else decorator
