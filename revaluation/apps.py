from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RevaluationConfig(AppConfig):
    name = "revaluation"
    verbose_name = _("Revaluation journal")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from revaluation.language import remember_user_language

        user_logged_in.connect(remember_user_language, dispatch_uid="remember_user_language")
