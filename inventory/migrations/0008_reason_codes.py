"""Reason codes (issue 10 part 5, issue 13 part 3), seeded with the two year-end write-down codes."""

import inventory.text
from django.db import migrations, models


SEED = [
    ("NRV", "Write-down to net realisable value (IAS 2 par. 28-33)"),
    ("OBSOLETE", "Write-down of slow-moving and obsolete stock"),
]


def seed(apps, schema_editor):
    ReasonCode = apps.get_model("inventory", "ReasonCode")
    for code, description in SEED:
        ReasonCode.objects.get_or_create(
            code=code, defaults={"description": description, "write_down": True}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0007_ledger_protection"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReasonCode",
            fields=[
                (
                    "code",
                    models.CharField(
                        max_length=10,
                        primary_key=True,
                        serialize=False,
                        validators=[inventory.text.validate_code],
                    ),
                ),
                ("description", models.CharField(blank=True, max_length=100)),
                (
                    "write_down",
                    models.BooleanField(
                        default=False,
                        help_text="Revaluations with this code are write-downs (IAS 2).",
                    ),
                ),
            ],
            options={
                "ordering": ["code"],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
