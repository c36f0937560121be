"""The "Accountant" group: the users who may change and post journals.

The journal views let a user write only if ``inventory.selectors.can_post_journals`` says so:
superusers and members of this group (by name). The model permissions given here make the same
users able to work with journals in the admin and to read the ledgers there; they are not what
the journal views check. Other apps add their permissions to the group in their own migrations.
"""

from __future__ import annotations

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Accountant"

# (model, actions) of the inventory app
PERMISSIONS = {
    "itemjournalbatch": ("add", "change", "delete", "view"),
    "itemjournalline": ("add", "change", "delete", "view"),
    "item": ("view",),
    "itemvariant": ("view",),
    "location": ("view",),
    "inventorysetup": ("view",),
    "inventoryperiod": ("view",),
    "itemregister": ("view",),
    "itemledgerentry": ("view",),
    "valueentry": ("view",),
    "itemapplicationentry": ("view",),
    "avgcostadjmtentrypoint": ("view",),
}


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); make sure the
    # inventory ones exist now, on a fresh database.
    app_config = apps.get_app_config("inventory")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    group, _ = Group.objects.using(db).get_or_create(name=GROUP)
    codenames = [
        f"{action}_{model}" for model, actions in PERMISSIONS.items() for action in actions
    ]
    permissions = Permission.objects.using(db).filter(
        content_type__app_label="inventory", codename__in=codenames
    )
    group.permissions.add(*permissions)


def delete_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("inventory", "0002_append_only_triggers"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
