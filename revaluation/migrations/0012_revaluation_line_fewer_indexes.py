"""Revaluation lines lose the single-column indexes of batch and item (and their LIKE twins):
the (batch, line no.) and (batch, item, location, variant) indexes cover the batch, and every
index costs time when Calculate Inventory Value writes 100,000s of lines in one statement.

Depends on inventory 0015 only so that the SQL functions exist before any later migration."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('inventory', '0015_decimal_sql_functions'),
        ('revaluation', '0011_user_preference_translated_names'),
    ]

    operations = [
        migrations.AlterField(
            model_name='revaluationline',
            name='batch',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='revaluation.revaluationbatch'),
        ),
        migrations.AlterField(
            model_name='revaluationline',
            name='item',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='inventory.item'),
        ),
    ]
