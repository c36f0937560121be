"""The interface language: English or Dutch, chosen per user and remembered.

``UserLanguageMiddleware`` activates the signed-in user's choice (copied into the session at
sign-in, so no query per page); without one, Django's ``LocaleMiddleware`` decides (the
language cookie, then the browser's Accept-Language). ``set_language`` is Django's view of the
same name that also stores the choice for the user.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from revaluation.models import UserPreference

SESSION_KEY = "_language"


def remember_user_language(sender, request: HttpRequest, user, **kwargs) -> None:
    """At sign-in (``user_logged_in``): the user's stored language into the session."""
    stored = UserPreference.objects.filter(user=user).values_list("language", flat=True).first()
    request.session[SESSION_KEY] = stored or ""


def _user_language(request: HttpRequest) -> str:
    """The signed-in user's stored language ("" for none)."""
    if not request.user.is_authenticated:
        return ""
    if SESSION_KEY not in request.session:  # a session from before sign-in copied it
        remember_user_language(None, request, request.user)
    return request.session[SESSION_KEY]


class UserLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, with the user's stored choice first (after authentication)."""

    def process_request(self, request: HttpRequest) -> None:
        language = _user_language(request)
        if language and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        else:
            super().process_request(request)

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        response = super().process_response(request, response)
        # The thread serves other requests next (and tests run on): back to the default.
        translation.deactivate()
        return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the language (cookie, like Django's view) and remember it for the user."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES) and request.user.is_authenticated:
        UserPreference.objects.update_or_create(user=request.user, defaults={"language": language})
        request.session[SESSION_KEY] = language
    return response
