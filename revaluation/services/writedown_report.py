"""The write-down report (issue 13 part 3): the evidence an auditor asks for at year end.

For one posting date: every revaluation line with a write-down reason code (``ReasonCode.
write_down``: NRV, OBSOLETE, the company's own), posted or still in a journal, with its quantity,
cost, NRV, age, proposed and posted amount, rule and reason code; totals per inventory posting
group. Amounts are signed as posted (a write-down is negative), so the posted total equals the
sum of the revaluation value entries those postings wrote.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from inventory.amounts import ZERO
from inventory.csvio import format_decimal
from inventory.models import Item, ReasonCode
from inventory.text import csv_safe
from revaluation.models import PostedRevaluationLine, RevaluationLine
from revaluation.services.writedowns import NRV_CODE, OBSOLETE_CODE

POSTED = "posted"
PROPOSED = "proposed"
COLUMNS = (
    "status",
    "document_no",
    "item_no",
    "description",
    "inventory_posting_group",
    "location_code",
    "variant_code",
    "applies_to_entry",
    "quantity",
    "cost",
    "nrv",
    "age_days",
    "proposed_writedown",
    "posted_writedown",
    "rule",
    "reason_code",
)
_TEXT = ("document_no", "item_no", "description", "location_code", "variant_code", "rule")


@dataclass(frozen=True)
class WriteDownRow:
    status: str
    document_no: str
    item_no: str
    description: str
    inventory_posting_group: str
    location_code: str
    variant_code: str
    applies_to_entry: int
    quantity: Decimal
    cost: Decimal  # Inventory Value (Calculated): the value before this revaluation
    nrv: Decimal | None  # per unit
    age_days: int | None
    proposed_writedown: Decimal  # the Amount Calculate Inventory Value proposed
    posted_writedown: Decimal  # the Amount posted (0 while in a journal)
    rule: str
    reason_code: str

    def values(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in COLUMNS}


@dataclass
class GroupTotal:
    inventory_posting_group: str
    cost: Decimal = ZERO
    proposed_writedown: Decimal = ZERO
    posted_writedown: Decimal = ZERO


@dataclass
class WriteDownReport:
    as_of: date
    rows: list[WriteDownRow] = field(default_factory=list)
    totals: list[GroupTotal] = field(default_factory=list)
    total: GroupTotal = field(default_factory=lambda: GroupTotal(""))


def writedown_report(*, as_of: date) -> WriteDownReport:
    codes = {NRV_CODE, OBSOLETE_CODE}
    codes.update(ReasonCode.objects.filter(write_down=True).values_list("code", flat=True))
    posted = PostedRevaluationLine.objects.filter(posting_date=as_of, reason_code__in=codes)
    proposed = RevaluationLine.objects.filter(posting_date=as_of, reason_code__in=codes)
    item_nos = {
        *posted.values_list("item_no", flat=True),
        *proposed.values_list("item_id", flat=True),
    }
    items = {item.no: item for item in Item.objects.filter(no__in=item_nos)}
    rows: list[WriteDownRow] = []
    lines: list[tuple[str, str, PostedRevaluationLine | RevaluationLine]] = [
        *((POSTED, line.item_no, line) for line in posted.order_by("posted_id", "line_no")),
        *((PROPOSED, line.item_id, line) for line in proposed.order_by("batch_id", "line_no")),
    ]
    for status, item_no, line in lines:
        item = items[item_no]
        rows.append(
            WriteDownRow(
                status=status,
                document_no=line.document_no,
                item_no=item_no,
                description=item.description,
                inventory_posting_group=item.inventory_posting_group,
                location_code=line.location_code,
                variant_code=line.variant_code,
                applies_to_entry=line.applies_to_entry,
                quantity=line.quantity,
                cost=line.inventory_value_calculated,
                nrv=line.nrv,
                age_days=line.age_days,
                proposed_writedown=(
                    line.amount if line.proposed_amount is None else line.proposed_amount
                ),
                posted_writedown=line.amount if status == POSTED else ZERO,
                rule=line.writedown_rule,
                reason_code=line.reason_code,
            )
        )
    rows.sort(key=lambda r: (r.inventory_posting_group, r.item_no, r.location_code, r.variant_code))
    groups: dict[str, GroupTotal] = defaultdict(lambda: GroupTotal(""))
    report = WriteDownReport(as_of, rows)
    for row in rows:
        for total in (groups[row.inventory_posting_group], report.total):
            total.cost += row.cost
            total.proposed_writedown += row.proposed_writedown
            total.posted_writedown += row.posted_writedown
    for group in sorted(groups):
        groups[group].inventory_posting_group = group
        report.totals.append(groups[group])
    return report


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_decimal(value)
    return str(value)


def report_csv(report: WriteDownReport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in report.rows:
        values = row.values()
        writer.writerow(
            csv_safe(_text(values[c])) if c in _TEXT else _text(values[c]) for c in COLUMNS
        )
    return out.getvalue().encode("utf-8")


def _total_json(total: GroupTotal) -> dict[str, str]:
    return {
        "inventory_posting_group": total.inventory_posting_group,
        "cost": _text(total.cost),
        "proposed_writedown": _text(total.proposed_writedown),
        "posted_writedown": _text(total.posted_writedown),
    }


def report_json(report: WriteDownReport) -> dict[str, object]:
    """Decimals as strings (no float rounding in JSON readers), numbers of days as integers."""
    rows = []
    for row in report.rows:
        values = row.values()
        rows.append(
            {
                name: value if isinstance(value, int) or value is None else _text(value)
                for name, value in values.items()
            }
        )
    total = _total_json(report.total)
    del total["inventory_posting_group"]
    return {
        "as_of": report.as_of.isoformat(),
        "rows": rows,
        "totals": [_total_json(group) for group in report.totals],
        "total": total,
    }


def report_xlsx(report: WriteDownReport) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"Write-downs {report.as_of.isoformat()}"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in report.rows:
        sheet.append([row.values()[name] for name in COLUMNS])  # Decimals as numbers
    sheet.append([])
    sheet.append(["Totals per inventory posting group"])
    for total in [*report.totals, report.total]:
        sheet.append(
            [
                total.inventory_posting_group or "Total",
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                total.cost,
                None,
                None,
                total.proposed_writedown,
                total.posted_writedown,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
