"""A limit on the size of every request body; the idle timeout's session renewal."""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class RequestSizeLimitMiddleware:
    """Refuse with 413 a request whose body is larger than ``settings.REQUEST_MAX_BYTES``,
    before anything reads it.

    Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` counts only a form's non-file parts: file parts
    are streamed to temporary files whatever their size. Under WSGI Django reads at most
    ``CONTENT_LENGTH`` bytes of a body (none without it), so checking that header bounds
    every part.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body then either
        limit = settings.REQUEST_MAX_BYTES
        if length > limit:
            return HttpResponse(
                f"The request is too large: {length:,} bytes, the limit is {limit:,} bytes "
                f"({limit / 1024 / 1024:g} MB).",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class SessionRenewalMiddleware:
    """Renew the signed-in session (the idle timeout, ``SESSION_COOKIE_AGE``) once a hundredth of
    that time has passed since its last renewal, instead of writing the session on every request
    (``SESSION_SAVE_EVERY_REQUEST``: an UPDATE of the session row per request, 3 of the cell
    edit's queries). A session then ends between 99 % and 100 % of the idle time after the last
    request: 8 h idle, renewed at most every 4.8 min.

    Listed after ``SessionMiddleware``: it marks the session modified before that one saves it.
    """

    RENEWED = "_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            if now - request.session.get(self.RENEWED, 0) >= settings.SESSION_COOKIE_AGE / 100:
                request.session[self.RENEWED] = now
        return response
