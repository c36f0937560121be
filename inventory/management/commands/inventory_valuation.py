"""``manage.py inventory_valuation --as-of DATE [--from DATE] [--by-location] [--format csv|json]``.

The Inventory Valuation report (spec §12.1): per item (and location) the opening balance, the
increases and decreases of the period and the closing balance, invoiced and with expected cost.
"""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from inventory.reports import inventory_valuation, valuation_records, write_valuation_csv
from inventory.text import shorten


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"'{shorten(value)}' is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = "Print the Inventory Valuation report as CSV or JSON."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, help="ending date YYYY-MM-DD")
        parser.add_argument("--from", dest="starting", help="starting date YYYY-MM-DD (optional)")
        parser.add_argument("--by-location", action="store_true")
        # Repeatable options accumulate; an item no. that begins with "-" is given as --item=-X.
        parser.add_argument("--item", nargs="+", action="extend", dest="items", metavar="NO")
        parser.add_argument(
            "--location", nargs="+", action="extend", dest="locations", metavar="CODE"
        )
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args, **options):
        ending = parse_date(options["as_of"])
        starting = parse_date(options["starting"]) if options["starting"] else None
        if starting and starting > ending:
            raise CommandError("The starting date is after the ending date.")
        report = inventory_valuation(
            ending_date=ending,
            starting_date=starting,
            by_location=options["by_location"],
            item_nos=options["items"],
            location_codes=options["locations"],
        )
        records = valuation_records(report)
        if options["format"] == "json":
            json.dump(records, self.stdout, indent=1)
            self.stdout.write("")
            return
        write_valuation_csv(self.stdout, records)
