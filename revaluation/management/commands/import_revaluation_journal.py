"""``manage.py import_revaluation_journal --batch NAME FILE``: apply an edited export.

A batch that does not exist is created (its name must follow the batch name rule), so a file of
manual lines (rows without ``line_key``) can start a batch; a refused file creates no batch.

``FILE`` is ``.csv`` or ``.xlsx`` in the layout of ``export_revaluation_journal``; the rules
(which cells may change, how a changed value is applied, how a row adds a manual line) are those
of ``revaluation.services.spreadsheet``. All or nothing: on any problem every rejected row is
listed ("Row N, column: reason", header = row 1) and nothing is changed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from inventory.csvio import command_error
from revaluation import rights
from revaluation.exceptions import RevaluationError
from revaluation.services.lines import batch_get_or_create
from revaluation.services.spreadsheet import (
    SpreadsheetImportError,
    batch_import,
    format_from_file_name,
)


def _line_nos(nos: list[int]) -> str:
    return f" ({', '.join(str(no) for no in nos)})" if nos else ""


class Command(BaseCommand):
    help = "Import an edited revaluation journal export (.csv or .xlsx) into a batch."

    def add_arguments(self, parser):
        parser.add_argument("--batch", required=True, help="revaluation batch name")
        parser.add_argument("file", help="the edited export, .csv or .xlsx")
        rights.add_user_argument(parser)

    def handle(self, *args, batch: str, file: str, **options) -> None:
        user = rights.command_user(options.get("user"), post=False)
        try:
            file_format = format_from_file_name(file)
            try:
                with open(file, "rb") as handle:
                    data = handle.read()
            except OSError as exc:
                raise CommandError(f"Cannot read {file}: {exc.strerror or exc}") from exc
            with transaction.atomic(), rights.audit_context(user, "import_revaluation_journal"):
                batch_record, created = batch_get_or_create(name=batch)
                batch = batch_record.name
                result = batch_import(batch_name=batch, data=data, format=file_format)
        except SpreadsheetImportError as exc:
            if all(problem.row is None for problem in exc.problems):
                raise CommandError(
                    f"{file}: " + " ".join(problem.message for problem in exc.problems)
                ) from exc
            raise CommandError(
                "\n".join([f"{file}: {exc.message}", *(str(p) for p in exc.problems)])
            ) from exc
        except RevaluationError as exc:
            if exc.field == "name":
                raise CommandError(f"--batch: {exc.message}") from exc
            raise command_error(exc) from exc
        self.stdout.write(
            f"Batch {batch}{' (created)' if created else ''}: {len(result.changed)} line(s) changed{_line_nos(result.changed)}, "
            f"{len(result.added)} added{_line_nos(result.added)}, "
            f"{result.unchanged} unchanged."
        )
