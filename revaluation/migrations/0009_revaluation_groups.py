"""The groups "Revaluation preparer" and "Revaluation approver" (issue 10 §5, revaluation.rights);
the Accountant group (inventory migration 0003) gets both rights."""

from __future__ import annotations

from django.contrib.auth.management import create_permissions
from django.db import migrations

PREPARE, POST = "prepare_revaluation", "post_revaluation"
# group -> codenames of the revaluation app (the model ones serve the admin)
GROUPS = {
    "Revaluation preparer": (
        PREPARE,
        "add_revaluationbatch",
        "change_revaluationbatch",
        "view_revaluationbatch",
        "change_revaluationline",
        "delete_revaluationline",
        "view_revaluationline",
        "view_postedrevaluation",
        "view_postedrevaluationline",
    ),
    "Revaluation approver": (
        POST,
        "view_revaluationbatch",
        "view_revaluationline",
        "view_postedrevaluation",
        "view_postedrevaluationline",
    ),
    "Accountant": (PREPARE, POST),
}


def create_groups(apps, schema_editor):
    app_config = apps.get_app_config("revaluation")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.using(db).get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.using(db).filter(
                content_type__app_label="revaluation", codename__in=codenames
            )
        )


def delete_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    Group.objects.using(db).filter(name__in=["Revaluation preparer", "Revaluation approver"]).delete()
    accountant = Group.objects.using(db).filter(name="Accountant").first()
    if accountant is not None:
        accountant.permissions.remove(
            *Permission.objects.using(db).filter(
                content_type__app_label="revaluation", codename__in=[PREPARE, POST]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("revaluation", "0008_reversal_rights_audit_trail"),
        ("inventory", "0003_accountant_group"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
