"""``manage.py check_ledger``: check the ledger invariants; exit non-zero when one fails."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from inventory.ledger_checks import CHECKS, ledger_problems


class Command(BaseCommand):
    help = "Check the ledger invariants (numbering, quantities, remaining quantities, cost sums)."

    def handle(self, *args, **options):
        problems = ledger_problems()
        for problem in problems:
            self.stderr.write(f"FAILED {problem.check}: {problem.rows}")
        if problems:
            raise CommandError(f"{len(problems)} of {len(CHECKS)} ledger checks failed.")
        self.stdout.write(f"All {len(CHECKS)} ledger checks passed.")
