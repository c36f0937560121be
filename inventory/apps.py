from __future__ import annotations

from django.apps import AppConfig
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from inventory.text import BatchNameConverter

        # <batch:batch_name> in the journal page addresses of both apps.
        register_converter(BatchNameConverter, "batch")
