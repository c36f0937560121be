"""Inventory – G/L reconciliation as of a date (COSTING-SPEC §10.4).

Per account role (Inventory, Inventory (Interim)), location and inventory posting group, and per
item: the inventory value from the value entries beside the G/L balance, with what is not yet
posted. ``difference`` is what neither the G/L nor the outstanding value entries explain:
``inventory_value - not_yet_posted - gl_balance``; it is zero while ledgers and G/L agree.

Per item, a G/L entry counts for the item of its value entries: per-entry postings always have
one; a per-posting-group entry that sums several items' entries is reported on a row of its own
(item ``*``), as it cannot be split exactly; the item rows of that role are then not exact and
their differences are not reported (the role rows still are).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Max, Min, Sum

from inventory.amounts import ZERO
from inventory.models import GLEntry, GLRole, InventorySetup, ValueEntry

SEVERAL_ITEMS = "*"
COLUMNS = (
    "level",
    "role",
    "location_code",
    "inventory_posting_group",
    "item_no",
    "account_no",
    "inventory_value",
    "gl_balance",
    "not_yet_posted",
    "difference",
)


@dataclass
class ReconciliationRow:
    level: str  # "role" or "item"
    role: str
    location_code: str
    inventory_posting_group: str
    item_no: str
    account_no: str
    inventory_value: Decimal = ZERO
    gl_balance: Decimal = ZERO
    not_yet_posted: Decimal = ZERO
    # False on the item rows of a role whose G/L has entries summing several items: their G/L
    # side is incomplete, so a difference there proves nothing.
    exact: bool = True

    @property
    def difference(self) -> Decimal:
        return self.inventory_value - self.not_yet_posted - self.gl_balance

    @property
    def flagged(self) -> bool:
        return bool(self.difference) and self.exact

    def as_record(self) -> dict:
        return {name: getattr(self, name) for name in COLUMNS}


def _inventory_sums(as_of: date, group_by: tuple[str, ...], expected_posting: bool) -> dict:
    """{(role, *key): (inventory value, not yet posted)} from the value entries up to ``as_of``."""
    rows = (
        ValueEntry.objects.filter(posting_date__lte=as_of)
        .values(*group_by)
        .annotate(
            actual=Sum("cost_amount_actual"),
            posted=Sum("cost_posted_to_gl"),
            expected=Sum("cost_amount_expected"),
            expected_posted=Sum("expected_cost_posted_to_gl"),
        )
        .order_by()
    )
    sums = {}
    for row in rows:
        key = tuple(row[name] for name in group_by)
        sums[(GLRole.INVENTORY.value, *key)] = (row["actual"], row["actual"] - row["posted"])
        if expected_posting:
            sums[(GLRole.INVENTORY_INTERIM.value, *key)] = (
                row["expected"],
                row["expected"] - row["expected_posted"],
            )
    return sums


ROLES = (GLRole.INVENTORY.value, GLRole.INVENTORY_INTERIM.value)


def reconcile(as_of: date) -> list[ReconciliationRow]:
    """The role rows (per location and posting group) followed by the item rows, sorted."""
    expected_posting = InventorySetup.get().expected_cost_posting_to_gl
    gl = GLEntry.objects.filter(posting_date__lte=as_of, role__in=ROLES)
    rows: dict[tuple, ReconciliationRow] = {}

    group_key = ("location_code", "inventory_posting_group")
    for (role, location, group), (value, open_) in _inventory_sums(
        as_of, group_key, expected_posting
    ).items():
        rows[("role", role, location, group, "")] = ReconciliationRow(
            "role", role, location, group, "", "", value, ZERO, open_
        )
    for row in (
        gl.values("role", *group_key)
        .annotate(
            total=Sum("amount"),
            account=Max("account_id"),
            accounts=Count("account_id", distinct=True),
        )
        .order_by()
    ):
        key = ("role", row["role"], row["location_code"], row["inventory_posting_group"], "")
        target = rows.setdefault(key, ReconciliationRow("role", *key[1:4], "", ""))
        target.gl_balance = row["total"]
        target.account_no = row["account"] if row["accounts"] == 1 else SEVERAL_ITEMS

    for (role, item_no), (value, open_) in _inventory_sums(
        as_of, ("item_id",), expected_posting
    ).items():
        rows[("item", role, "", "", item_no)] = ReconciliationRow(
            "item", role, "", "", item_no, "", value, ZERO, open_
        )
    for (role, item_no), total in _gl_per_item(gl).items():
        key = ("item", role, "", "", item_no)
        rows.setdefault(
            key, ReconciliationRow("item", role, "", "", item_no, "")
        ).gl_balance = total
    shared = {role for (level, role, *_, item) in rows if item == SEVERAL_ITEMS}
    for (level, role, *_), row in rows.items():
        row.exact = not (level == "item" and role in shared)
    return [rows[key] for key in sorted(rows)]


def _gl_per_item(gl) -> dict[tuple[str, str], Decimal]:
    """Σ G/L amount per (role, item), an entry counted once for the one item of its value
    entries, or under ``SEVERAL_ITEMS``."""
    per_entry = (
        gl.values("entry_no", "role", "amount")
        .annotate(
            first=Min("relations__value_entry__item_id"),
            last=Max("relations__value_entry__item_id"),
        )
        .order_by()
    )
    totals: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for row in per_entry.iterator(chunk_size=5000):
        item = row["first"] if row["first"] == row["last"] and row["first"] else SEVERAL_ITEMS
        totals[(row["role"], item)] += row["amount"]
    return totals


def differences(rows: list[ReconciliationRow]) -> list[ReconciliationRow]:
    return [row for row in rows if row.flagged]


def account_balances(as_of: date) -> list[dict[str, Any]]:
    """Every account's balance as of ``as_of`` with its role (the trial balance of the page)."""
    rows: Any = (
        GLEntry.objects.filter(posting_date__lte=as_of)
        .values("account_id", "role", name=F("account__name"))
        .annotate(balance=Sum("amount"))
        .order_by("account_id", "role")
    )
    return list(rows)
