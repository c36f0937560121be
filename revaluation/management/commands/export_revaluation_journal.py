"""``manage.py export_revaluation_journal --batch NAME [--format csv|xlsx] [--output FILE]``.

Writes the batch's lines in the spreadsheet layout of ``revaluation.services.spreadsheet``
(columns ``line_key,item_no,...,amount``). CSV goes to stdout unless ``--output`` is given;
XLSX needs ``--output``. Without ``--format`` the format follows the output file's extension
(``.xlsx``), else CSV.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from inventory.csvio import command_error
from revaluation.exceptions import RevaluationError
from revaluation.models import RevaluationBatch, RevaluationLine
from revaluation.services.spreadsheet import FORMAT_CSV, FORMAT_XLSX, FORMATS, batch_export


class Command(BaseCommand):
    help = "Export a revaluation batch as CSV (default, to stdout) or XLSX (--output needed)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", required=True, help="revaluation batch name")
        parser.add_argument("--format", dest="output_format", choices=FORMATS)
        parser.add_argument("--output", help="file to write (default: stdout, CSV only)")

    def handle(self, *args, batch: str, output_format: str | None, output: str | None, **options):
        if not RevaluationBatch.objects.filter(name=batch).exists():
            raise CommandError(f"The revaluation batch {batch} does not exist.")
        if output_format is None:
            output_format = (
                FORMAT_XLSX if output and output.lower().endswith(".xlsx") else FORMAT_CSV
            )
        if output_format == FORMAT_XLSX and not output:
            raise CommandError("--format xlsx needs --output FILE.xlsx (it is not text).")
        try:
            data = batch_export(batch_name=batch, format=output_format)
        except RevaluationError as exc:
            raise command_error(exc) from exc
        if not output:
            self.stdout.write(data.decode("utf-8"), ending="")
            return
        try:
            with open(output, "wb") as file:
                file.write(data)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror or exc}") from exc
        count = RevaluationLine.objects.filter(batch_id=batch).count()
        self.stdout.write(
            f"Exported {count} line{'' if count == 1 else 's'} of batch {batch} to {output}."
        )
