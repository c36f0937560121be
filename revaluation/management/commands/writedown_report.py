"""``manage.py writedown_report --as-of D [--format csv|json]``: the year-end write-down
evidence of one posting date (``revaluation.services.writedown_report``)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from inventory.csvio import RowError, command_error, parse_date
from revaluation.services.writedown_report import report_csv, report_json, writedown_report


class Command(BaseCommand):
    help = "Write-down report: NRV and slow-moving write-downs of a posting date, with totals."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--format", choices=("csv", "json"), default="csv")

    def handle(self, *args, **options) -> None:
        try:
            as_of = parse_date(options["as_of"].strip(), line_no=None, field="--as-of")
        except RowError as exc:
            raise command_error(exc) from exc
        if as_of is None:
            raise CommandError("--as-of: must have a value.")
        report = writedown_report(as_of=as_of)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report_json(report), indent=2))
        else:
            self.stdout.write(report_csv(report).decode(), ending="")
