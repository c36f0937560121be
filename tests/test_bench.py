"""The benchmark scripts as tests: the bulk generator writes a ledger that keeps the invariants
and equals the one posting the same transactions line by line gives; the floor statement and
Calculate Inventory Value agree; a 10,000-entry run of the benchmark so that it never rots."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.db import transaction
from django.db.models import Count, F, Max, Min, Sum

from inventory.ledger_checks import ledger_problems
from inventory.models import Item, ItemApplicationEntry, ItemLedgerEntry, ValueEntry
from inventory.services.adjustment import adjust_cost_item_entries
from revaluation.services.calculate import CalculateOptions, calculate_inventory_value
from tests.posting import jline, post

BENCH = Path(__file__).resolve().parent.parent / "bench"


def bench_module(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate = bench_module("generate")
floor = bench_module("floor")
sys.path.insert(0, str(BENCH))
run = bench_module("run")
web = bench_module("web")
delete_lines = bench_module("delete_lines")


def ledger() -> dict:
    """The ledger as posting defines it: entries, their cost, and the applications."""
    costs = dict(
        ValueEntry.objects.values("item_ledger_entry_id")
        .annotate(total=Sum("cost_amount_actual"))
        .values_list("item_ledger_entry_id", "total")
    )
    return {
        "entries": [
            (*row, costs[row[0]])
            for row in ItemLedgerEntry.objects.order_by("entry_no").values_list(
                "entry_no",
                "item_id",
                "location_code",
                "variant_code",
                "posting_date",
                "entry_type",
                "quantity",
                "remaining_quantity",
                "open",
                "completely_invoiced",
            )
        ],
        "applications": list(
            ItemApplicationEntry.objects.order_by("entry_no").values_list(
                "item_ledger_entry_id",
                "inbound_item_entry_id",
                "outbound_item_entry_id",
                "quantity",
            )
        ),
    }


@pytest.mark.django_db
def test_generated_ledger_equals_posting_line_by_line(setup):
    """Five bulk items: FIFO and LIFO, one to three locations, two with two variants, purchases
    and sales over two years."""
    with transaction.atomic():
        generate.Generator(items=5, pairs=12, seed=7).run()
        assert ledger_problems() == []
        generated = ledger()
        transaction.set_rollback(True)
    assert not ItemLedgerEntry.objects.exists()
    kinds = {
        (generate.Generator.bulk_item(n)[1], len(generate.Generator.bulk_item(n)[2]))
        for n in range(5)
    }
    assert ("lifo", 2) in kinds and ("fifo", 2) in kinds and ("fifo", 3) in kinds
    assert {e[3] for e in generated["entries"]} == {"", "V1", "V2"}
    assert len({e[2] for e in generated["entries"]}) == 4
    assert {e[4].year for e in generated["entries"]} == {2024, 2025}

    generate.Generator(items=5, pairs=12, seed=7).master_data()
    for entry_no, item, location, variant, day, kind, quantity, *_, cost in generated["entries"]:
        if kind == "purchase":
            line = jline(kind, item, quantity, day, unit_amount=cost / quantity)
        else:
            line = jline(kind, item, -quantity, day)
        post(
            jline(
                **{
                    **line.__dict__,
                    "location_code": location,
                    "variant_code": variant,
                    "document_no": f"D{entry_no}",
                }
            )
        )
    adjust_cost_item_entries()
    assert ledger_problems() == []
    posted = ledger()
    assert posted["applications"] == generated["applications"]
    assert len(posted["entries"]) == len(generated["entries"]) == 120
    assert posted["entries"] == generated["entries"]


@pytest.mark.django_db
def test_posted_share_has_every_kind_and_keeps_the_invariants(setup):
    """The kinds posted through the services (bench/posted.py): every costing method, late
    invoices, transfers, returns and a revaluation; the ledger keeps its invariants, Adjust Cost
    finds nothing left, and the bulk part is numbered after it."""
    generator = generate.Generator(items=2, pairs=20, seed=3, posted=5)
    generator.run()
    assert ledger_problems() == []
    methods = set(
        ItemLedgerEntry.objects.filter(item__no__startswith="P").values_list(
            "item__costing_method", flat=True
        )
    )
    assert methods == {"fifo", "lifo", "average", "standard", "specific"}
    assert ItemLedgerEntry.objects.filter(entry_type="transfer").exists()
    assert ItemLedgerEntry.objects.filter(entry_type="sale", quantity__gt=0).exists()
    assert ItemLedgerEntry.objects.filter(entry_type="purchase", quantity__lt=0).exists()
    late = ValueEntry.objects.filter(
        item_ledger_entry__posting_date__lt=F("posting_date"), entry_type="direct_cost"
    )
    assert late.filter(item_ledger_entry_type="purchase").exists()
    assert late.filter(item_ledger_entry_type="sale").exists()
    assert ValueEntry.objects.filter(entry_type="revaluation", posting_date=date(2024, 12, 31))
    assert ValueEntry.objects.filter(entry_type="variance").exists()
    bulk = ItemLedgerEntry.objects.filter(item__no__startswith="B")
    assert bulk.count() == 2 * 20 * 2
    posted_last = ItemLedgerEntry.objects.filter(item__no__startswith="P").aggregate(
        m=Max("entry_no")
    )
    assert bulk.aggregate(m=Min("entry_no"))["m"] == posted_last["m"] + 1
    Item.objects.update(cost_is_adjusted=False)
    assert adjust_cost_item_entries().entries_created == 0


@pytest.mark.django_db
def test_smoke_ten_thousand_entries_floor_equals_calculate(setup):
    """The benchmark in small: 10,000 entries load, keep the invariants, and the hand-written
    floor statement gives the lines Calculate Inventory Value gives (count, quantity, value)."""
    generate.Generator(items=20, pairs=250, seed=1).run()
    assert ItemLedgerEntry.objects.count() == 10_000
    assert ledger_problems() == []
    on = date(2025, 12, 31)
    for per in ("entry", "item"):
        lines = calculate_inventory_value(
            batch_name=f"SMOKE-{per}",
            options=CalculateOptions(posting_date=on, document_no="S-1", per=per),
        )
        assert lines
        ours = lines[0].batch.lines.aggregate(
            n=Count("id"), q=Sum("quantity"), v=Sum("inventory_value_calculated")
        )
        count, quantity, value = floor.floor_lines(on, per=per)
        assert (ours["n"], ours["q"], ours["v"]) == (count, quantity, value)
        assert value > D(0)
    # the posting benchmark and its floor, and the page timings (each answers 200), so that
    # bench/run.py never rots
    post_seconds, copy_seconds, written = run.posting()
    assert written == ItemLedgerEntry.objects.filter(open=True, positive=True).count()
    assert post_seconds > copy_seconds > 0
    # the journal of the first items that reach a number of value entries (issue 11's ~100,000)
    some = run.items_for(written // 2)
    assert 0 < len(some) < Item.objects.count()
    _, _, written_some = run.posting(some)
    open_inbound = ItemLedgerEntry.objects.filter(open=True, positive=True)
    assert written_some == open_inbound.filter(item_id__in=some).count() >= written // 2
    assert open_inbound.filter(item_id__in=some[:-1]).count() < written // 2
    assert not ValueEntry.objects.filter(entry_type="revaluation").exists()
    assert 30 < run.peak_rss_kb() // 1024 < 2000  # this process with Django and the data, in MB
    timings = web.web_timings(on, 1)
    assert [label.split(" of ")[0] for label, *_ in timings] == [
        "sign-in page (floor: the request cycle, a small template)",
        "journal page 1",
        "journal page 28 (of 55)",
        "cell edit in the 2,744-line batch",
        "preview dry run (stored)",
        "preview page 1",
        "preview page 2",
        "preview last page",
    ]


@pytest.mark.django_db(transaction=True)
def test_delete_lines_benchmark_runs_and_leaves_nothing():
    """bench/delete_lines.py on 200 lines: both timings taken, every run rolled back."""
    from revaluation.models import RevaluationBatch

    ours, floor_seconds = delete_lines.delete_timings(200, 1)
    assert ours > 0 and floor_seconds > 0
    assert not RevaluationBatch.objects.filter(name=delete_lines.BATCH).exists()
    assert not Item.objects.filter(no="BENCH-DEL-ITEM").exists()
