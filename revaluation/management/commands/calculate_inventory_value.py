"""``manage.py calculate_inventory_value --batch NAME --posting-date YYYY-MM-DD ...``.

Calculate Inventory Value (COSTING-SPEC §4): proposes revaluation lines in the batch, creating the
batch when it does not exist. All or nothing: a refused calculation creates neither the batch nor
any line. Prints one row per line created and the totals.

* ``--per entry`` (default) or ``item``; ``--by-location``, ``--by-variant``,
  ``--update-standard-cost`` and ``--base`` only count per item (§4.1).
* ``--item``, ``--location``, ``--variant``, ``--costing-method`` filter (several values each).
* ``--document-no``: blank takes the batch's next number (if it has a number series and no lines).
* ``--confirm-duplicates`` answers Q-01 with yes.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from inventory.csvio import RowError, command_error, format_decimal, parse_date
from inventory.models import CostingMethod
from revaluation import rights
from revaluation.exceptions import DuplicateLinesError, RevaluationError
from revaluation.models import RevaluationLine
from revaluation.services.calculate import (
    CalculateOptions,
    CalculatePer,
    CalculationBase,
    calculate_inventory_value,
    zero_proposal_warning,
)
from revaluation.services.lines import batch_get_or_create

BASES = {
    "none": CalculationBase.BLANK,
    "last-direct-cost": CalculationBase.LAST_DIRECT_COST,
    "standard-cost": CalculationBase.STANDARD_COST,
    "nrv": CalculationBase.NRV,
    "slow-moving": CalculationBase.SLOW_MOVING,
    "nrv+slow-moving": CalculationBase.NRV_SLOW_MOVING,
}
# Line field named in a RevaluationError -> the option that sets it.
OPTION_OF_FIELD = {
    "document_no": "--document-no",
    "posting_date": "--posting-date",
    "name": "--batch",
}


def line_rows(lines: list[RevaluationLine]) -> list[str]:
    """A small table of the lines created and a totals row."""
    header = (
        "line_no",
        "item_no",
        "location",
        "variant",
        "entry",
        "quantity",
        "iv_calculated",
        "uc_calculated",
        "iv_revalued",
        "uc_revalued",
        "amount",
    )
    rows = [header]
    for line in lines:
        rows.append(
            (
                str(line.line_no),
                line.item_id,
                line.location_code,
                line.variant_code,
                str(line.applies_to_entry or ""),
                format_decimal(line.quantity),
                format_decimal(line.inventory_value_calculated),
                format_decimal(line.unit_cost_calculated),
                format_decimal(line.inventory_value_revalued),
                format_decimal(line.unit_cost_revalued),
                format_decimal(line.amount),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


class Command(BaseCommand):
    help = "Calculate Inventory Value: propose revaluation lines in a batch (created if new)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", required=True, help="revaluation batch name")
        parser.add_argument("--posting-date", required=True, metavar="YYYY-MM-DD")
        rights.add_user_argument(parser)
        parser.add_argument(
            "--document-no", default="", help="blank: the batch's next number, if it has a series"
        )
        parser.add_argument(
            "--per",
            choices=(CalculatePer.ENTRY.value, CalculatePer.ITEM.value),
            default=CalculatePer.ENTRY.value,
        )
        parser.add_argument("--by-location", action="store_true")
        parser.add_argument("--by-variant", action="store_true")
        parser.add_argument("--update-standard-cost", action="store_true")
        parser.add_argument("--base", choices=list(BASES), default="none")
        parser.add_argument("--item", nargs="+", action="extend", default=[], metavar="NO")
        parser.add_argument("--location", nargs="+", action="extend", default=[], metavar="CODE")
        parser.add_argument("--variant", nargs="+", action="extend", default=[], metavar="CODE")
        parser.add_argument(
            "--costing-method",
            nargs="+",
            action="extend",
            default=[],
            choices=CostingMethod.values,
            metavar="METHOD",
            help=f"one or more of {', '.join(CostingMethod.values)}",
        )
        parser.add_argument(
            "--confirm-duplicates",
            action="store_true",
            help="create the lines even if the batch has lines for the same entries (Q-01)",
        )

    def handle(self, *args, **options) -> None:
        rights.command_user(options.get("user"), post=False)
        try:
            posting_date = parse_date(
                options["posting_date"].strip(), line_no=None, field="--posting-date"
            )
        except RowError as exc:
            raise command_error(exc) from exc
        if posting_date is None:
            raise CommandError("--posting-date: must have a value.")
        calculate_options = CalculateOptions(
            posting_date=posting_date,
            document_no=options["document_no"].strip(),
            per=options["per"],
            by_location=options["by_location"],
            by_variant=options["by_variant"],
            update_standard_cost=options["update_standard_cost"],
            calculation_base=BASES[options["base"]],
            item_nos=tuple(options["item"]),
            costing_methods=tuple(options["costing_method"]),
            location_codes=tuple(options["location"]),
            variant_codes=tuple(options["variant"]),
        )
        try:
            with transaction.atomic():
                batch, created = batch_get_or_create(name=options["batch"])
                name = batch.name
                lines = calculate_inventory_value(
                    batch_name=name,
                    options=calculate_options,
                    confirm_duplicates=options["confirm_duplicates"],
                )
        except DuplicateLinesError as exc:
            raise CommandError(
                f"{exc.message} Pass --confirm-duplicates to create the lines anyway."
            ) from exc
        except RevaluationError as exc:
            option = OPTION_OF_FIELD.get(exc.field or "")
            raise CommandError(f"{option}: {exc.message}" if option else exc.message) from exc

        self.stdout.write(
            f"Batch {name}{' (created)' if created else ''}: {len(lines)} line"
            f"{'' if len(lines) == 1 else 's'} created."
        )
        if not lines:
            return
        self.stdout.write("\n".join(line_rows(lines)))
        for line in lines:
            if line.writedown_rule:
                self.stdout.write(
                    f"Line {line.line_no} [{line.reason_code}]: {line.writedown_rule}"
                )

        def total(field: str) -> str:
            return format_decimal(sum((getattr(line, field) for line in lines), Decimal(0)))

        self.stdout.write(
            f"Totals: quantity {total('quantity')}, inventory value (calculated) "
            f"{total('inventory_value_calculated')}, inventory value (revalued) "
            f"{total('inventory_value_revalued')}, amount {total('amount')}."
        )
        if warning := zero_proposal_warning(lines):
            self.stderr.write(f"Warning: {warning}")
