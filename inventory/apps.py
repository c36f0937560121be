from __future__ import annotations

from django.apps import AppConfig
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from inventory.models import Location
        from inventory.text import BatchNameConverter

        post_save.connect(_location_saved, sender=Location, dispatch_uid="location_gl_setup")

        # <batch:batch_name> in the journal page addresses of both apps.
        register_converter(BatchNameConverter, "batch")


def _location_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A new location gets its Inventory Posting Setup rows from the default accounts."""
    if created and not raw:
        from inventory.gl_accounts import create_location_setup_rows

        create_location_setup_rows(instance.code)
