"""Year-end write-downs (issue 13): selling prices; the evidence of a proposed write-down on
journal lines and posted lines (adding columns fires no row trigger: the posted history stays
append-only, migration 0005)."""

import django.db.models.deletion
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('inventory', '0009_slow_moving_setup'),
        ('revaluation', '0006_reason_codes'),
    ]

    operations = [
        migrations.AddField(
            model_name='postedrevaluationline',
            name='age_days',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='postedrevaluationline',
            name='nrv',
            field=models.DecimalField(blank=True, decimal_places=10, default=Decimal('0'), max_digits=30, null=True),
        ),
        migrations.AddField(
            model_name='postedrevaluationline',
            name='proposed_amount',
            field=models.DecimalField(blank=True, decimal_places=5, default=Decimal('0'), max_digits=25, null=True),
        ),
        migrations.AddField(
            model_name='postedrevaluationline',
            name='writedown_rule',
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name='revaluationline',
            name='age_days',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='revaluationline',
            name='cost_to_sell',
            field=models.DecimalField(blank=True, decimal_places=10, default=Decimal('0'), max_digits=30, null=True),
        ),
        migrations.AddField(
            model_name='revaluationline',
            name='nrv',
            field=models.DecimalField(blank=True, decimal_places=10, default=Decimal('0'), max_digits=30, null=True),
        ),
        migrations.AddField(
            model_name='revaluationline',
            name='proposed_amount',
            field=models.DecimalField(blank=True, decimal_places=5, default=Decimal('0'), max_digits=25, null=True),
        ),
        migrations.AddField(
            model_name='revaluationline',
            name='selling_price',
            field=models.DecimalField(blank=True, decimal_places=10, default=Decimal('0'), max_digits=30, null=True),
        ),
        migrations.AddField(
            model_name='revaluationline',
            name='writedown_rule',
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.CreateModel(
            name='SellingPrice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('location_code', models.CharField(blank=True, max_length=10)),
                ('variant_code', models.CharField(blank=True, max_length=10)),
                ('valid_from', models.DateField()),
                ('selling_price', models.DecimalField(decimal_places=10, default=Decimal('0'), max_digits=30)),
                ('cost_to_sell', models.DecimalField(decimal_places=10, default=Decimal('0'), help_text='Costs to sell per unit (absolute).', max_digits=30)),
                ('cost_to_sell_percent', models.DecimalField(decimal_places=4, default=Decimal('0'), help_text='Costs to sell as a percent of the selling price (added to the absolute costs).', max_digits=7)),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='inventory.item')),
            ],
            options={
                'ordering': ['item', 'location_code', 'variant_code', 'valid_from'],
                'constraints': [models.UniqueConstraint(fields=('item', 'location_code', 'variant_code', 'valid_from'), name='sellingprice_unique_validity'), models.CheckConstraint(condition=models.Q(('selling_price__gte', 0), ('cost_to_sell__gte', 0), ('cost_to_sell_percent__gte', 0), ('cost_to_sell_percent__lte', 100)), name='sellingprice_amounts_in_range')],
            },
        ),
    ]
