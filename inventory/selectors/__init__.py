"""Read queries of the inventory app (HackSoft "selectors": no writes, keyword-only arguments).

Views, forms and commands read through these functions so that the queries (and their count) are
defined in one place. Add functions freely; keep them free of request/response details. One module
per subject (``rights``, ``journal``, ``master_data``, ``items``, ``adjustment``, ``ledger``,
``gl``); this package re-exports them all, so ``from inventory import selectors`` reads them.
"""

from __future__ import annotations

from inventory.selectors.adjustment import (
    NOT_ADJUSTED_SHOWN,
    adjustment_run_active,
    adjustment_run_get,
    adjustment_run_list,
    not_adjusted_reasons,
)
from inventory.selectors.gl import (
    gl_drilldown_entries,
    gl_entry_list,
    gl_posting_run_get,
    gl_posting_run_list,
)
from inventory.selectors.items import (
    ItemStock,
    item_nos_missing,
    item_not_adjusted_count,
    item_overview_list,
    item_stock_by_item,
)
from inventory.selectors.journal import (
    LINE_NO_STEP,
    ItemJournalLineDefaults,
    item_journal_batch_list,
    item_journal_line_defaults,
    item_journal_line_get,
    item_journal_line_list,
)
from inventory.selectors.ledger import valuation_entry_totals, value_entry_sum
from inventory.selectors.master_data import (
    item_list,
    item_variant_code_list,
    location_codes_in_ledger,
    location_list,
    variant_in_ledger,
)
from inventory.selectors.rights import ACCOUNTANT_GROUP, can_post_journals

__all__ = [
    "gl_drilldown_entries",
    "gl_entry_list",
    "gl_posting_run_get",
    "gl_posting_run_list",
    "ACCOUNTANT_GROUP",
    "ItemJournalLineDefaults",
    "ItemStock",
    "LINE_NO_STEP",
    "NOT_ADJUSTED_SHOWN",
    "adjustment_run_active",
    "adjustment_run_get",
    "adjustment_run_list",
    "can_post_journals",
    "item_journal_batch_list",
    "item_journal_line_defaults",
    "item_journal_line_get",
    "item_journal_line_list",
    "item_list",
    "item_nos_missing",
    "item_not_adjusted_count",
    "item_overview_list",
    "item_stock_by_item",
    "item_variant_code_list",
    "location_codes_in_ledger",
    "location_list",
    "not_adjusted_reasons",
    "valuation_entry_totals",
    "value_entry_sum",
    "variant_in_ledger",
]
