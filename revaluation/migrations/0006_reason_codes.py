"""Reason codes on batches and lines are validated; posted lines keep theirs. Adding a column
fires no row trigger, so the posted history stays append-only (migration 0005)."""

import inventory.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("revaluation", "0005_posted_history_append_only"),
        ("inventory", "0008_reason_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="postedrevaluationline",
            name="reason_code",
            field=models.CharField(blank=True, max_length=10),
        ),
        migrations.AlterField(
            model_name="revaluationbatch",
            name="reason_code",
            field=models.CharField(
                blank=True,
                help_text="The default Reason Code of the lines Calculate Inventory Value creates.",
                max_length=10,
                validators=[inventory.models.validate_reason_code],
            ),
        ),
        migrations.AlterField(
            model_name="revaluationline",
            name="reason_code",
            field=models.CharField(
                blank=True, max_length=10, validators=[inventory.models.validate_reason_code]
            ),
        ),
    ]
