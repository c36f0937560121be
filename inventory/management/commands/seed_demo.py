"""``manage.py seed_demo [--user NAME --password PW] [--days N]``: load the demo company.

Creates three locations, forty items (all five costing methods, some with variants) and posts a
year (2025) of purchases, sales, returns, transfers and adjustments through the item journal
posting service. Deterministic: every run on an empty database gives the same ledgers. If items
already exist nothing is loaded. ``--user``/``--password`` create (or reset) a superuser in the
Accountant group, so the demo can be used on the pages and in the admin.
"""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from inventory.models import Item, ItemLedgerEntry
from inventory.services import demo
from inventory.services.adjustment import adjust_cost_item_entries

ACCOUNTANT_GROUP = "Accountant"


class Command(BaseCommand):
    help = "Load the deterministic demo company (skipped if items exist) and the demo login."

    def add_arguments(self, parser):
        parser.add_argument("--user", help="username of the demo superuser (Accountant group)")
        parser.add_argument("--password", help="password of the demo user (set on every run)")
        parser.add_argument(
            "--days",
            type=int,
            default=demo.FULL_YEAR_DAYS,
            help="days of 2025 to post, from 1 January (default: the whole year)",
        )

    def handle(self, *args, user=None, password=None, days=demo.FULL_YEAR_DAYS, **options):
        if bool(user) != bool(password):
            raise CommandError("--user and --password go together.")
        if not 1 <= days <= demo.FULL_YEAR_DAYS:
            raise CommandError(f"--days must be between 1 and {demo.FULL_YEAR_DAYS}.")
        with transaction.atomic():
            account = self.ensure_user(user, password) if user else None
            if demo.demo_data_exists():
                self.stdout.write(
                    f"Demo data not loaded: the database already has {Item.objects.count()} "
                    f"items and {ItemLedgerEntry.objects.count()} item ledger entries."
                )
            else:
                self.load(days, account)
        if user:
            self.stdout.write(self.style.SUCCESS(f"Demo login: {user} / {password}"))

    def ensure_user(self, username: str, password: str):
        model = get_user_model()
        account, created = model.objects.get_or_create(username=username)
        account.set_password(password)
        account.is_staff = account.is_superuser = account.is_active = True
        account.save()
        account.groups.add(Group.objects.get_or_create(name=ACCOUNTANT_GROUP)[0])
        self.stdout.write(f"{'Created' if created else 'Updated'} user {username}.")
        return account

    def load(self, days: int, account) -> None:
        started = time.monotonic()
        summary = demo.load_demo(days=days, user=account)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded in {time.monotonic() - started:.1f} s: "
                f"{summary.locations} locations, {summary.items} items "
                f"({summary.variants} variants), {summary.postings} postings "
                f"({summary.first_date} to {summary.last_date}) of {summary.lines} journal lines "
                f"-> {summary.item_ledger_entries} item ledger entries, "
                f"{summary.value_entries} value entries."
            )
        )
        adjusted = adjust_cost_item_entries(user=account)
        if adjusted.failures:
            raise CommandError(f"Adjust Cost failed for the demo: {adjusted.failures}")
        self.stdout.write(
            f"Adjust Cost - Item Entries: {adjusted.items_adjusted} items, "
            f"{adjusted.entries_created} adjustment entries, amount {adjusted.amount}."
        )
