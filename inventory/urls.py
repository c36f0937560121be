from __future__ import annotations

from django.urls import path

from inventory.views import adjust_cost, gl, item_journal, items, valuation

urlpatterns = [
    path("journal/", item_journal.item_journal_list, name="item-journal-list"),
    path("journal/new/", item_journal.item_journal_batch_create, name="item-journal-batch-create"),
    path(
        "journal/<batch:batch_name>/", item_journal.item_journal_detail, name="item-journal-detail"
    ),
    path(
        "journal/<batch:batch_name>/lines/",
        item_journal.item_journal_line_create,
        name="item-journal-line-create",
    ),
    path(
        "journal/<batch:batch_name>/lines/<int:line_id>/",
        item_journal.item_journal_line,
        name="item-journal-line",
    ),
    path(
        "journal/<batch:batch_name>/lines/<int:line_id>/edit/",
        item_journal.item_journal_line_edit,
        name="item-journal-line-edit",
    ),
    path(
        "journal/<batch:batch_name>/lines/<int:line_id>/delete/",
        item_journal.item_journal_line_delete,
        name="item-journal-line-delete",
    ),
    path(
        "journal/<batch:batch_name>/post/", item_journal.item_journal_post, name="item-journal-post"
    ),
    path("items/", items.item_list, name="inventory-item-list"),
    path("adjust-cost/", adjust_cost.adjust_cost, name="adjust-cost"),
    path("adjust-cost/start/", adjust_cost.adjust_cost_start, name="adjust-cost-start"),
    path(
        "adjust-cost/runs/<int:run_id>/",
        adjust_cost.adjustment_run_detail,
        name="adjustment-run-detail",
    ),
    path("valuation/", valuation.valuation, name="inventory-valuation"),
    path(
        "valuation/entries/", valuation.valuation_entries_list, name="inventory-valuation-entries"
    ),
    path("valuation/export.csv", valuation.valuation_export, name="inventory-valuation-export"),
    path("gl/", gl.gl_post, name="gl-post"),
    path("gl/start/", gl.gl_post_start, name="gl-post-start"),
    path("gl/runs/<int:run_id>/", gl.gl_posting_run_detail, name="gl-posting-run-detail"),
    path("gl/reconciliation/", gl.gl_reconciliation, name="gl-reconciliation"),
    path("gl/reconciliation/entries/", gl.gl_drilldown, name="gl-drilldown"),
    path("gl/entries/", gl.gl_entries, name="gl-entries"),
]
