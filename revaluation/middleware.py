"""A limit on the size of every request body."""

from __future__ import annotations

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
