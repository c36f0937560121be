"""Step 1 of an item's adjustment: read its ledger once into an immutable snapshot.

The snapshot holds the item's ledger entries, value entries and application entries as frozen
records, indexed the ways the passes walk them (§7.3: which entries take their cost from which).
Nothing in it changes during the run: cost changes go to the buffer (``changes.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Field, Model

from inventory.amounts import Precision
from inventory.models import (
    AverageCostCalcType,
    AvgCostAdjmtEntryPoint,
    CostingMethod,
    InventorySetup,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ValueEntry,
)
from inventory.periods import average_cost_period

Pool = tuple[str, str]  # (location code, variant code) of an average-cost pool; ("", "") per item


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """An item ledger entry as the adjustment reads it."""

    entry_no: int
    entry_type: str
    posting_date: date
    location_code: str
    variant_code: str
    quantity: Decimal
    invoiced_quantity: Decimal
    positive: bool
    open: bool
    completely_invoiced: bool  # as read; the run may set it (``ItemAdjustment.newly_invoiced``)
    applies_to_entry: int
    applied_entry_to_adjust: bool


@dataclass(frozen=True, slots=True)
class CostEntry:
    """A value entry as the adjustment reads it (amounts as posted, before this run)."""

    entry_no: int
    item_ledger_entry_no: int
    entry_type: str
    variance_type: str
    adjustment: bool
    applies_to_entry: int
    posting_date: date
    valuation_date: date
    document_no: str
    description: str
    location_code: str
    variant_code: str
    valued_quantity: Decimal
    invoiced_quantity: Decimal
    item_ledger_entry_quantity: Decimal
    cost_per_unit: Decimal
    cost_amount_actual: Decimal
    cost_amount_expected: Decimal
    expected_cost: bool
    partial_revaluation: bool
    valued_by_average_cost: bool
    inventory_posting_group: str
    gen_bus_posting_group: str
    gen_prod_posting_group: str


@dataclass(frozen=True, slots=True)
class Application:
    """An item application entry: ``item_ledger_entry_no`` took ``quantity`` from a partner."""

    entry_no: int
    item_ledger_entry_no: int
    inbound_entry_no: int
    outbound_entry_no: int | None
    transferred_from_entry_no: int | None
    quantity: Decimal
    cost_application: bool


@dataclass(frozen=True, slots=True)
class EntryPoint:
    """An Avg. Cost Adjmt. Entry Point of the item (§2.6)."""

    id: int
    location_code: str
    variant_code: str
    valuation_date: date
    cost_is_adjusted: bool


@dataclass(frozen=True)
class ItemLedger:
    """One item's ledger, read once at the start of its adjustment, and the setup it runs under."""

    item: Item
    setup: InventorySetup
    precision: Precision
    average: bool  # Costing Method Average: §8 runs, §7.7 does not
    entries: dict[int, LedgerEntry]
    cost_entries: dict[int, CostEntry]  # by value-entry no., in entry-no. order
    cost_entries_of: dict[int, list[CostEntry]]  # per item ledger entry, in entry-no. order
    applications_of_outbound: dict[int, list[Application]]  # rows an outbound wrote (qty < 0)
    outbounds_costed_from: dict[int, list[Application]]  # §7.3: outbounds applied to an inbound
    transfers_from: dict[int, list[Application]]  # transfer receipts of an entry
    inbounds_costed_from: dict[int, list[Application]]  # inbounds taking cost from an outbound
    transfer_source: dict[int, int]  # transfer receipt -> the entry it was transferred from
    cost_receivers: frozenset[int]  # entries that take their cost from an outbound
    entry_points: tuple[EntryPoint, ...]

    def cost_entries_of_entry(self, entry_no: int) -> list[CostEntry]:
        return self.cost_entries_of.get(entry_no, [])

    def outbound_applications(self, entry_no: int) -> list[Application]:
        """The rows the outbound ``entry_no`` wrote: the inbounds it took its quantity from."""
        return self.applications_of_outbound.get(entry_no, [])

    def outbounds_applied_to(self, entry_no: int) -> list[Application]:
        """§7.3: the cost-application rows of the outbounds applied to the inbound ``entry_no``."""
        return self.outbounds_costed_from.get(entry_no, [])

    def transfer_receipts_of(self, entry_no: int) -> list[Application]:
        """The rows of the transfer receipts transferred from ``entry_no``."""
        return self.transfers_from.get(entry_no, [])

    def inbounds_applied_from(self, entry_no: int) -> list[Application]:
        """The rows of the inbounds (returns) that take their cost from the outbound."""
        return self.inbounds_costed_from.get(entry_no, [])

    def first_quantity_entry(self, entry_no: int) -> CostEntry:
        """The value entry that carries the item ledger entry's quantity (else its first)."""
        own = self.cost_entries_of_entry(entry_no)
        return next((ce for ce in own if ce.item_ledger_entry_quantity != 0), own[0])

    def pool_of(self, location_code: str, variant_code: str) -> Pool:
        if self.setup.average_cost_calc_type == AverageCostCalcType.ITEM:
            return ("", "")
        return (location_code, variant_code)

    def period(self, day: date) -> tuple[date, date]:
        """The average-cost period (first and last day) that ``day`` falls in (§8.2)."""
        return average_cost_period(day, self.setup.average_cost_period)


def _columns(model: type[Model], record: type, alias: str, **renamed: str) -> str:
    """The columns of ``model`` (as ``alias``) in the order of ``record``'s fields; ``renamed``
    maps a field of the record to the model field it is read from."""
    names = [renamed.get(field.name, field.name) for field in fields(record)]
    return ", ".join(
        f"{alias}.{cast('Field[Any, Any]', model._meta.get_field(name)).column}" for name in names
    )


ENTRIES_SQL = (
    f"SELECT {_columns(ItemLedgerEntry, LedgerEntry, 'e')} "
    f"FROM {ItemLedgerEntry._meta.db_table} e WHERE e.item_id = %(item)s ORDER BY e.entry_no"
)
COST_ENTRIES_SQL = (
    f"SELECT {_columns(ValueEntry, CostEntry, 'v', item_ledger_entry_no='item_ledger_entry')} "
    f"FROM {ValueEntry._meta.db_table} v WHERE v.item_id = %(item)s ORDER BY v.entry_no"
)
APPLICATIONS_SQL = (
    "SELECT "
    + _columns(
        ItemApplicationEntry,
        Application,
        "a",
        item_ledger_entry_no="item_ledger_entry",
        inbound_entry_no="inbound_item_entry",
        outbound_entry_no="outbound_item_entry",
        transferred_from_entry_no="transferred_from_entry",
    )
    + f" FROM {ItemApplicationEntry._meta.db_table} a"
    f" JOIN {ItemLedgerEntry._meta.db_table} e ON e.entry_no = a.item_ledger_entry_id"
    " WHERE e.item_id = %(item)s ORDER BY a.entry_no"
)
ENTRY_POINTS_SQL = (
    f"SELECT {_columns(AvgCostAdjmtEntryPoint, EntryPoint, 'p')} "
    f"FROM {AvgCostAdjmtEntryPoint._meta.db_table} p WHERE p.item_id = %(item)s"
)


def _records[R](cursor: CursorWrapper, record: Callable[..., R], sql: str, item: Item) -> list[R]:
    """The rows of ``sql`` for ``item``, each built as ``record`` from its columns in order.

    One statement per execute: pghistory's context wrapper (requests, tasks) runs its own
    statement first and moves the cursor to the last result."""
    cursor.execute(sql, {"item": item.no})
    return [record(*row) for row in cursor.fetchall()]


def read_item_ledger(item: Item, setup: InventorySetup) -> ItemLedger:
    """Read ``item``'s ledger (four queries, each row straight into its record) into an
    ``ItemLedger``."""
    with connection.cursor() as cursor:
        entries = {
            entry.entry_no: entry for entry in _records(cursor, LedgerEntry, ENTRIES_SQL, item)
        }
        cost_entry_rows = _records(cursor, CostEntry, COST_ENTRIES_SQL, item)
        application_rows = _records(cursor, Application, APPLICATIONS_SQL, item)
        points = tuple(_records(cursor, EntryPoint, ENTRY_POINTS_SQL, item))
    cost_entries: dict[int, CostEntry] = {}
    cost_entries_of: dict[int, list[CostEntry]] = defaultdict(list)
    for cost_entry in cost_entry_rows:
        cost_entries[cost_entry.entry_no] = cost_entry
        cost_entries_of[cost_entry.item_ledger_entry_no].append(cost_entry)

    applications_of_outbound: dict[int, list[Application]] = defaultdict(list)
    outbounds_costed_from: dict[int, list[Application]] = defaultdict(list)
    transfers_from: dict[int, list[Application]] = defaultdict(list)
    inbounds_costed_from: dict[int, list[Application]] = defaultdict(list)
    for application in application_rows:
        _index_application(
            application,
            applications_of_outbound,
            outbounds_costed_from,
            transfers_from,
            inbounds_costed_from,
        )
    transfer_source = {
        row.item_ledger_entry_no: source for source, rows in transfers_from.items() for row in rows
    }
    cost_receivers = frozenset(
        row.item_ledger_entry_no
        for rows in (*inbounds_costed_from.values(), *transfers_from.values())
        for row in rows
    )
    return ItemLedger(
        item=item,
        setup=setup,
        precision=setup.precision,
        average=item.costing_method == CostingMethod.AVERAGE,
        entries=entries,
        cost_entries=cost_entries,
        cost_entries_of=dict(cost_entries_of),
        applications_of_outbound=dict(applications_of_outbound),
        outbounds_costed_from=dict(outbounds_costed_from),
        transfers_from=dict(transfers_from),
        inbounds_costed_from=dict(inbounds_costed_from),
        transfer_source=transfer_source,
        cost_receivers=cost_receivers,
        entry_points=points,
    )


def _index_application(
    application: Application,
    applications_of_outbound: dict[int, list[Application]],
    outbounds_costed_from: dict[int, list[Application]],
    transfers_from: dict[int, list[Application]],
    inbounds_costed_from: dict[int, list[Application]],
) -> None:
    """File one application row under the indexes the passes walk."""
    own_entry = application.item_ledger_entry_no
    outbound = application.outbound_entry_no
    if application.quantity < 0:
        applications_of_outbound[own_entry].append(application)
    if not application.cost_application:
        return
    if outbound and own_entry != application.inbound_entry_no:
        outbounds_costed_from[application.inbound_entry_no].append(application)
    if application.transferred_from_entry_no:
        transfers_from[application.transferred_from_entry_no].append(application)
    elif outbound and own_entry != outbound and application.quantity > 0:
        inbounds_costed_from[outbound].append(application)
