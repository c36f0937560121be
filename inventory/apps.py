from __future__ import annotations

from django.apps import AppConfig
from django.urls import register_converter


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = "Inventory"

    def ready(self) -> None:
        from inventory.text import BatchNameConverter

        # <batch:batch_name> in the journal page addresses of both apps.
        register_converter(BatchNameConverter, "batch")
