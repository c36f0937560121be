"""Posting value entries to the general ledger (COSTING-SPEC §10).

For every value entry, the cost not yet posted (actual, and expected when Expected Cost Posting to
G/L is on) becomes a pair of G/L entries: the account of §10.2 debited, its balancing account
credited (or the reverse for a negative amount). Cost Posted to G/L / Expected Cost Posted to G/L
are brought up to date in the same transaction, so nothing is posted twice.

Two callers: ``post_automatically`` (Automatic Cost Posting, from ``LedgerWriter.finish`` in the
posting transaction: any error rolls the whole posting back) and ``post_inventory_cost_to_gl``
(the batch; value entries it cannot post are skipped and listed, they stay outstanding).

Both take the item ledger counters before the G/L counters, as every posting does, so G/L posting
runs are serialised with each other and with postings (no value entry is posted twice).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.amounts import ZERO
from inventory.bulk import copy_rows
from inventory.exceptions import PostingError
from inventory.gl_accounts import SetupResolver
from inventory.models import (
    GLEntry,
    GLItemLedgerRelation,
    GLRegister,
    GLRole,
    InventorySetup,
    ItemLedgerEntryType,
    LedgerCounter,
    SourceCode,
    ValueEntry,
    ValueEntryType,
)

# A module import: ``ledger`` imports this module for its hook (Automatic Cost Posting).
from inventory.services import ledger

ACTUAL, EXPECTED = "actual", "expected"
PER_ENTRY, PER_POSTING_GROUP = "entry", "posting-group"
GL_COUNTERS = ("gl_entry", "gl_register")


def _account_pairs() -> dict[tuple[str, str, str], tuple[GLRole, GLRole]]:
    """Spec §10.2: (item ledger entry type, value entry type, part) -> (account, balancing)."""
    t, v, r = ItemLedgerEntryType, ValueEntryType, GLRole
    pairs: dict[tuple[str, str, str], tuple[GLRole, GLRole]] = {
        (t.PURCHASE, v.DIRECT_COST, ACTUAL): (r.INVENTORY, r.DIRECT_COST_APPLIED),
        (t.PURCHASE, v.DIRECT_COST, EXPECTED): (r.INVENTORY_INTERIM, r.INVT_ACCRUAL_INTERIM),
        (t.PURCHASE, v.VARIANCE, ACTUAL): (r.INVENTORY, r.PURCHASE_VARIANCE),
        (t.PURCHASE, v.REVALUATION, ACTUAL): (r.INVENTORY, r.INVENTORY_ADJMT),
        (t.PURCHASE, v.REVALUATION, EXPECTED): (r.INVENTORY_INTERIM, r.INVT_ACCRUAL_INTERIM),
        (t.PURCHASE, v.ROUNDING, ACTUAL): (r.INVENTORY, r.INVENTORY_ADJMT),
        (t.SALE, v.DIRECT_COST, ACTUAL): (r.INVENTORY, r.COGS),
        (t.SALE, v.DIRECT_COST, EXPECTED): (r.INVENTORY_INTERIM, r.COGS_INTERIM),
        (t.SALE, v.REVALUATION, ACTUAL): (r.INVENTORY, r.INVENTORY_ADJMT),
        (t.SALE, v.REVALUATION, EXPECTED): (r.INVENTORY_INTERIM, r.COGS_INTERIM),
        (t.SALE, v.ROUNDING, ACTUAL): (r.INVENTORY, r.INVENTORY_ADJMT),
    }
    for entry_type in (t.POSITIVE_ADJMT, t.NEGATIVE_ADJMT, t.TRANSFER):
        for value_type in (v.DIRECT_COST, v.REVALUATION, v.ROUNDING):
            pairs[(entry_type, value_type, ACTUAL)] = (r.INVENTORY, r.INVENTORY_ADJMT)
    return pairs


ACCOUNT_PAIRS = _account_pairs()

_VE_FIELDS = (
    "entry_no",
    "item_id",
    "posting_date",
    "document_no",
    "description",
    "source_code",
    "reason_code",
    "location_code",
    "inventory_posting_group",
    "gen_bus_posting_group",
    "gen_prod_posting_group",
    "item_ledger_entry_type",
    "entry_type",
    "cost_amount_actual",
    "cost_posted_to_gl",
    "cost_amount_expected",
    "expected_cost_posted_to_gl",
)


@dataclass(frozen=True)
class Part:
    """One amount of one value entry to post, with its two accounts once resolved."""

    ve: dict
    part: str
    amount: Decimal
    account_role: GLRole
    balancing_role: GLRole


@dataclass
class GLLine:
    """A G/L entry to write (or, in test mode, that would be written)."""

    account_no: str
    account_name: str
    role: str
    posting_date: date
    document_no: str
    description: str
    amount: Decimal
    location_code: str
    inventory_posting_group: str
    gen_bus_posting_group: str
    gen_prod_posting_group: str
    value_entry_nos: list[int] = field(default_factory=list)
    reason_code: str = ""  # the value entry's, per entry; blank on sums


@dataclass
class Skipped:
    value_entry_no: int
    item_no: str
    reason: str


@dataclass
class GLPostingResult:
    lines: list[GLLine]
    skipped: list[Skipped]
    value_entries_posted: int
    register_no: int | None = None
    test: bool = False

    @property
    def total_debit(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.amount > 0), ZERO)


def entry_nos_q(nos: list[int]) -> Q:
    """``entry_no`` in ``nos``: a range when they are one (a posting's value entries are; an
    ``IN`` of 100,000 numbers cost ~2.5 s of query building and parsing)."""
    if nos and max(nos) - min(nos) + 1 == len(nos) == len(set(nos)):
        return Q(entry_no__gte=min(nos), entry_no__lte=max(nos))
    return Q(entry_no__in=nos)


def outstanding_filter(expected_posting: bool) -> Q:
    """Value entries with cost not yet posted to the G/L (spec §2.9's queue, computed)."""
    condition = ~Q(cost_amount_actual=F("cost_posted_to_gl"))
    if expected_posting:
        condition |= ~Q(cost_amount_expected=F("expected_cost_posted_to_gl"))
    return condition


def _parts(ve: dict, expected_posting: bool) -> tuple[list[Part], str | None]:
    """Spec §10.1: the non-zero amounts of ``ve`` still to post; or the E-52 refusal."""
    amounts = [(ACTUAL, ve["cost_amount_actual"] - ve["cost_posted_to_gl"])]
    if expected_posting:
        amounts.append((EXPECTED, ve["cost_amount_expected"] - ve["expected_cost_posted_to_gl"]))
    parts = []
    for part, amount in amounts:
        if not amount:
            continue
        pair = ACCOUNT_PAIRS.get((ve["item_ledger_entry_type"], ve["entry_type"], part))
        if pair is None:
            return [], _(
                "The combination of %(entry_type)s and %(value_type)s cannot be posted to the "
                "general ledger."
            ) % {
                "entry_type": ItemLedgerEntryType(ve["item_ledger_entry_type"]).label,
                "value_type": ValueEntryType(ve["entry_type"]).label,
            }
        parts.append(Part(ve, part, amount, *pair))
    return parts, None


def _description(ve: dict) -> str:
    return ve["description"] or f"Item {ve['item_id']}"


def _build_lines(parts: list[Part], accounts: dict, *, per: str, document_no: str) -> list[GLLine]:
    """Two G/L lines per part (per entry), or summed per posting group and sign (§10.3)."""
    lines: list[GLLine] = []
    grouped: dict[tuple, GLLine] = {}
    for part in parts:
        ve = part.ve
        for role, amount in ((part.account_role, part.amount), (part.balancing_role, -part.amount)):
            account = accounts[(ve["entry_no"], role)]
            common = {
                "account_no": account.no,
                "account_name": account.name,
                "role": role.value,
                "posting_date": ve["posting_date"],
                "location_code": ve["location_code"],
                "inventory_posting_group": ve["inventory_posting_group"],
                "gen_bus_posting_group": ve["gen_bus_posting_group"],
                "gen_prod_posting_group": ve["gen_prod_posting_group"],
            }
            if per == PER_ENTRY:
                line = GLLine(
                    **common,
                    document_no=ve["document_no"],
                    description=_description(ve),
                    amount=amount,
                    value_entry_nos=[ve["entry_no"]],
                    reason_code=ve["reason_code"],
                )
                lines.append(line)
                continue
            # The pair's roles are part of the key so that each sum keeps its counter-entry.
            key = (*common.values(), part.account_role, part.balancing_role, amount > 0)
            summed = grouped.get(key)
            if summed is None:
                summed = grouped[key] = GLLine(
                    **common,
                    document_no=document_no,
                    description=(
                        f"Inventory posting {ve['inventory_posting_group']} "
                        f"{ve['location_code']}".strip()
                    ),
                    amount=ZERO,
                )
                lines.append(summed)
            summed.amount += amount
            if ve["entry_no"] not in summed.value_entry_nos:
                summed.value_entry_nos.append(ve["entry_no"])
    return lines


def _lock_gl_counters() -> dict[str, int]:
    LedgerCounter.objects.bulk_create(
        [LedgerCounter(name=name) for name in GL_COUNTERS], ignore_conflicts=True
    )
    rows = LedgerCounter.objects.select_for_update().filter(name__in=GL_COUNTERS).order_by("name")
    return {row.name: row.last_no for row in rows}


GL_ENTRY_COLUMNS = (
    "entry_no",
    "account_id",
    "role",
    "posting_date",
    "document_no",
    "description",
    "amount",
    "source_code",
    "reason_code",
    "location_code",
    "inventory_posting_group",
    "gen_bus_posting_group",
    "gen_prod_posting_group",
    "gl_register_id",
)


def _write(
    lines: list[GLLine],
    ve_nos: list[int],
    *,
    expected_posting: bool,
    source_code: str,
    user,
    sources: dict[int, str] | None = None,
) -> int | None:
    """Insert the G/L entries, their register and relations; mark the value entries posted."""
    if not lines:
        return None
    counters = _lock_gl_counters()
    register_no = counters["gl_register"] + 1
    first_no = counters["gl_entry"] + 1
    user = user if getattr(user, "pk", None) else None
    register = GLRegister(
        no=register_no,
        from_entry_no=first_no,
        to_entry_no=first_no + len(lines) - 1,
        source_code=source_code,
        user=user,
        created_at=timezone.now(),
    )
    register.save(force_insert=True)
    # Rows, not models, each table in one COPY: models and bulk_create took ~0.2 ms an entry.
    copy_rows(
        GLEntry,
        GL_ENTRY_COLUMNS,
        (
            (
                first_no + offset,
                line.account_no,
                line.role,
                line.posting_date,
                line.document_no,
                line.description[:100],
                line.amount,
                # Automatic posting keeps each value entry's source code (§2.1).
                (sources or {}).get(line.value_entry_nos[0], source_code),
                line.reason_code,
                line.location_code,
                line.inventory_posting_group,
                line.gen_bus_posting_group,
                line.gen_prod_posting_group,
                register_no,
            )
            for offset, line in enumerate(lines)
        ),
    )
    copy_rows(
        GLItemLedgerRelation,
        ("gl_entry_id", "value_entry_id", "gl_register_id"),
        (
            (first_no + offset, no, register_no)
            for offset, line in enumerate(lines)
            for no in line.value_entry_nos
        ),
    )
    posted = {"cost_posted_to_gl": F("cost_amount_actual")}
    if expected_posting:
        posted["expected_cost_posted_to_gl"] = F("cost_amount_expected")
    ValueEntry.objects.filter(entry_nos_q(ve_nos)).update(**posted)
    for name, last_no in (("gl_entry", first_no + len(lines) - 1), ("gl_register", register_no)):
        LedgerCounter.objects.filter(name=name).update(last_no=last_no)
    return register_no


def gl_lines_for(
    value_entry_nos: Iterable[int], *, expected_posting: bool, create_missing: bool = False
) -> tuple[list[GLLine], list[dict]]:
    """The G/L entries (per entry) that would post ``value_entry_nos``' outstanding cost, and
    those value entries. Raises ``PostingError`` (E-05/E-51/E-52). Writes nothing unless
    ``create_missing`` (setup rows from the defaults). A preview can call it for the entries it
    wrote in its rolled-back transaction."""
    ves = list(
        ValueEntry.objects.filter(
            outstanding_filter(expected_posting), entry_nos_q(list(value_entry_nos))
        )
        .order_by("entry_no")
        .values(*_VE_FIELDS)
    )
    parts: list[Part] = []
    for ve in ves:
        ve_parts, error = _parts(ve, expected_posting)
        if error:
            raise PostingError(error)
        parts.extend(ve_parts)
    if not parts:
        return [], ves
    resolver = SetupResolver(create_missing=create_missing)
    accounts = {}
    for part in parts:
        for role in (part.account_role, part.balancing_role):
            account, error = resolver.account(part.ve, role)
            if error:
                raise PostingError(error)
            accounts[(part.ve["entry_no"], role)] = account
    return _build_lines(parts, accounts, per=PER_ENTRY, document_no=""), ves


def post_automatically(setup: InventorySetup, value_entry_nos: Iterable[int], *, user=None) -> None:
    """Automatic Cost Posting (§10.3): post the value entries a posting run has just written,
    in its transaction. A missing/blocked account or an impossible combination raises
    ``PostingError`` (E-05/E-51/E-52), which rolls the whole posting back."""
    nos = list(value_entry_nos)
    if not setup.automatic_cost_posting or not nos:
        return
    expected_posting = setup.expected_cost_posting_to_gl
    lines, ves = gl_lines_for(nos, expected_posting=expected_posting, create_missing=True)
    _write(
        lines,
        [ve["entry_no"] for ve in ves],
        expected_posting=expected_posting,
        source_code=SourceCode.INVENTORY_TO_GL,
        user=user,
        sources={ve["entry_no"]: ve["source_code"] for ve in ves},
    )


def post_inventory_cost_to_gl(
    *, per: str = PER_ENTRY, document_no: str = "", test: bool = False, user=None
) -> GLPostingResult:
    """Post Inventory Cost to G/L (§10.3): every outstanding value entry, ordered by item and
    entry no.; entries dated in a closed period or outside the allowed range, or whose accounts
    are missing or blocked, are skipped and listed. ``test``: nothing is written."""
    document_no = document_no.strip()
    if per not in (PER_ENTRY, PER_POSTING_GROUP):
        raise PostingError(f"Posting method must be {PER_ENTRY} or {PER_POSTING_GROUP}.")
    if per == PER_POSTING_GROUP and not document_no:
        raise PostingError(_("Please enter a Document No."), field="document_no")  # E-53
    if len(document_no) > 20:
        raise PostingError(_("Document No. can have at most 20 characters."), field="document_no")
    with transaction.atomic():
        if not test:
            ledger.Counters.lock()  # serialise with postings and other runs (module docstring)
        setup = InventorySetup.get()
        expected_posting = setup.expected_cost_posting_to_gl
        closed_until = ledger.last_closed_period_end()
        resolver = SetupResolver(create_missing=not test)
        ves = (
            ValueEntry.objects.filter(outstanding_filter(expected_posting))
            .order_by("item_id", "entry_no")
            .values(*_VE_FIELDS)
        )
        parts: list[Part] = []
        accounts: dict = {}
        skipped: list[Skipped] = []
        posted_nos: list[int] = []
        for ve in ves.iterator(chunk_size=2000):
            ve_parts, error = _parts(ve, expected_posting)
            if error is None:
                try:
                    ledger.check_posting_date(setup, ve["posting_date"], closed_until=closed_until)
                except PostingError as refused:
                    error = refused.message
            ve_accounts = {}
            for part in ve_parts:
                for role in (part.account_role, part.balancing_role):
                    if error is None:
                        ve_accounts[(ve["entry_no"], role)], error = resolver.account(ve, role)
            if error is not None:
                skipped.append(Skipped(ve["entry_no"], ve["item_id"], error))
                continue
            if ve_parts:
                parts.extend(ve_parts)
                accounts.update(ve_accounts)
                posted_nos.append(ve["entry_no"])
        lines = _build_lines(parts, accounts, per=per, document_no=document_no)
        if per == PER_POSTING_GROUP:
            lines = [line for line in lines if line.amount]
        result = GLPostingResult(lines, skipped, len(posted_nos), test=test)
        if not test:
            result.register_no = _write(
                lines,
                posted_nos,
                expected_posting=expected_posting,
                source_code=SourceCode.INVENTORY_TO_GL,
                user=user,
            )
        return result


def gl_balances_by_role() -> dict[str, Decimal]:
    """Σ amount of the G/L entries per role."""
    rows = GLEntry.objects.values("role").annotate(total=Sum("amount")).order_by()
    return {row["role"]: row["total"] for row in rows}
