"""Validators of the batch name rule and the code rule (inventory.text); no schema change."""


import inventory.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('inventory', '0005_background_jobs'),
    ]

    operations = [
        migrations.AlterField(
            model_name='item',
            name='no',
            field=models.CharField(max_length=20, primary_key=True, serialize=False, validators=[inventory.text.validate_code], verbose_name='No.'),
        ),
        migrations.AlterField(
            model_name='itemjournalbatch',
            name='name',
            field=models.CharField(max_length=20, primary_key=True, serialize=False, validators=[inventory.text.validate_batch_name]),
        ),
        migrations.AlterField(
            model_name='itemvariant',
            name='code',
            field=models.CharField(max_length=10, validators=[inventory.text.validate_code]),
        ),
        migrations.AlterField(
            model_name='location',
            name='code',
            field=models.CharField(max_length=10, primary_key=True, serialize=False, validators=[inventory.text.validate_code]),
        ),
    ]
