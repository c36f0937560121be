"""Validators of the batch name rule and the code rule (inventory.text); no schema change."""


import inventory.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('revaluation', '0003_background_jobs'),
    ]

    operations = [
        migrations.AlterField(
            model_name='revaluationbatch',
            name='name',
            field=models.CharField(max_length=20, primary_key=True, serialize=False, validators=[inventory.text.validate_batch_name]),
        ),
    ]
