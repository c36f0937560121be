"""Inventory Setup: the age buckets of slow-moving stock and where the age is counted from."""

import inventory.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('inventory', '0008_reason_codes'),
    ]

    operations = [
        migrations.AddField(
            model_name='inventorysetup',
            name='slow_moving_age_from',
            field=models.CharField(choices=[('posting', 'Posting date of the inbound entry'), ('last_outbound', 'Last outbound of the item')], default='posting', max_length=20),
        ),
        migrations.AddField(
            model_name='inventorysetup',
            name='slow_moving_buckets',
            field=models.CharField(blank=True, help_text='Age buckets "days:percent", e.g. "365:50,730:100": no movement for 365 days or more -> 50 % write-down, 730 days or more -> 100 %.', max_length=200, validators=[inventory.models.validate_slow_moving_buckets]),
        ),
    ]
