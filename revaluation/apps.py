from __future__ import annotations

from django.apps import AppConfig


class RevaluationConfig(AppConfig):
    name = "revaluation"
    verbose_name = "Revaluation journal"
