"""``manage.py inventory_setup [options]``: show or change Inventory Setup (spec §2.1).

Without options it prints the setup. With options it changes those fields (all or nothing) and
prints the result. ``--allow-posting-from ""`` clears a date.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from inventory.csvio import RowError, format_decimal, parse_date, parse_decimal
from inventory.models import AverageCostCalcType, InventorySetup, SlowMovingAgeFrom
from inventory.services.master_data import MasterDataError, inventory_setup_update

# Command-line spelling <-> stored value.
CALC_TYPES = {
    "item": AverageCostCalcType.ITEM,
    "item-location-variant": AverageCostCalcType.ITEM_LOCATION_VARIANT,
}
PERIODS = ("day", "week", "month", "quarter", "year")
YES_NO = {"yes": True, "no": False}
AGE_FROM = {"posting": SlowMovingAgeFrom.POSTING, "last-outbound": SlowMovingAgeFrom.LAST_OUTBOUND}

# Setup field -> option name, in display order.
OPTIONS = {
    "amount_rounding_precision": "amount-rounding-precision",
    "unit_amount_rounding_precision": "unit-amount-rounding-precision",
    "average_cost_calc_type": "average-cost-calc-type",
    "average_cost_period": "average-cost-period",
    "allow_negative_inventory": "allow-negative-inventory",
    "automatic_cost_adjustment": "automatic-cost-adjustment",
    "allow_posting_from": "allow-posting-from",
    "allow_posting_to": "allow-posting-to",
    "slow_moving_buckets": "slow-moving-buckets",
    "slow_moving_age_from": "slow-moving-age-from",
    "automatic_cost_posting": "automatic-cost-posting",
    "expected_cost_posting_to_gl": "expected-cost-posting-to-gl",
}


def setup_lines(setup: InventorySetup) -> list[str]:
    """``option: value`` lines, values spelt as the options take them."""
    calc_type_names = {value: name for name, value in CALC_TYPES.items()}
    lines = []
    for field, option in OPTIONS.items():
        value = getattr(setup, field)
        if field == "average_cost_calc_type":
            text = calc_type_names[value]
        elif field == "slow_moving_age_from":
            text = {v: k for k, v in AGE_FROM.items()}[value]
        elif isinstance(value, bool):
            text = "yes" if value else "no"
        elif value is None:
            text = ""
        elif field.endswith("_precision"):
            text = format_decimal(value)
        else:
            text = str(value)
        lines.append(f"{option}: {text}".rstrip())
    return lines


class Command(BaseCommand):
    help = "Show Inventory Setup, or change the fields given as options (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--amount-rounding-precision", metavar="POWER_OF_TEN")
        parser.add_argument("--unit-amount-rounding-precision", metavar="POWER_OF_TEN")
        parser.add_argument("--average-cost-calc-type", choices=list(CALC_TYPES))
        parser.add_argument("--average-cost-period", choices=PERIODS)
        parser.add_argument("--allow-negative-inventory", choices=list(YES_NO))
        parser.add_argument("--automatic-cost-adjustment", choices=list(YES_NO))
        parser.add_argument("--automatic-cost-posting", choices=list(YES_NO))
        parser.add_argument("--expected-cost-posting-to-gl", choices=list(YES_NO))
        parser.add_argument("--allow-posting-from", metavar="YYYY-MM-DD", help='"" clears the date')
        parser.add_argument("--allow-posting-to", metavar="YYYY-MM-DD", help='"" clears the date')
        parser.add_argument(
            "--slow-moving-buckets",
            metavar='"DAYS:PERCENT,..."',
            help='age buckets of slow-moving stock, e.g. "365:50,730:100"; "" clears them',
        )
        parser.add_argument("--slow-moving-age-from", choices=list(AGE_FROM))

    def handle(self, *args, **options) -> None:
        changes = {}
        try:
            for field in ("amount_rounding_precision", "unit_amount_rounding_precision"):
                if options[field] is not None:
                    value = parse_decimal(options[field], line_no=None, field=f"--{OPTIONS[field]}")
                    if value is None:
                        raise RowError("must have a value.", field=f"--{OPTIONS[field]}")
                    changes[field] = value
            for field in ("allow_posting_from", "allow_posting_to"):
                if options[field] is not None:
                    changes[field] = parse_date(
                        options[field].strip(), line_no=None, field=f"--{OPTIONS[field]}"
                    )
        except RowError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from exc
        if options["average_cost_calc_type"] is not None:
            changes["average_cost_calc_type"] = CALC_TYPES[options["average_cost_calc_type"]]
        if options["average_cost_period"] is not None:
            changes["average_cost_period"] = options["average_cost_period"]
        if options["slow_moving_buckets"] is not None:
            changes["slow_moving_buckets"] = options["slow_moving_buckets"]
        if options["slow_moving_age_from"] is not None:
            changes["slow_moving_age_from"] = AGE_FROM[options["slow_moving_age_from"]]
        for field in (
            "allow_negative_inventory",
            "automatic_cost_adjustment",
            "automatic_cost_posting",
            "expected_cost_posting_to_gl",
        ):
            if options[field] is not None:
                changes[field] = YES_NO[options[field]]

        if changes:
            try:
                setup, changed = inventory_setup_update(**changes)
            except MasterDataError as exc:
                option = OPTIONS.get(exc.field or "")
                raise CommandError(f"--{option}: {exc.message}" if option else exc.message) from exc
            names = ", ".join(OPTIONS[field] for field in changed)
            self.stdout.write(f"Changed: {names}." if changed else "Nothing changed.")
        else:
            setup = InventorySetup.get()
        self.stdout.write("\n".join(setup_lines(setup)))
