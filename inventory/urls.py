from __future__ import annotations

from django.urls import path

from inventory import gl_views, views

urlpatterns = [
    path("journal/", views.item_journal_list, name="item-journal-list"),
    path("journal/new/", views.item_journal_batch_create, name="item-journal-batch-create"),
    path("journal/<batch:batch_name>/", views.item_journal_detail, name="item-journal-detail"),
    path(
        "journal/<batch:batch_name>/lines/",
        views.item_journal_line_create,
        name="item-journal-line-create",
    ),
    path(
        "journal/<batch:batch_name>/lines/<int:line_id>/",
        views.item_journal_line,
        name="item-journal-line",
    ),
    path(
        "journal/<batch:batch_name>/lines/<int:line_id>/edit/",
        views.item_journal_line_edit,
        name="item-journal-line-edit",
    ),
    path(
        "journal/<batch:batch_name>/lines/<int:line_id>/delete/",
        views.item_journal_line_delete,
        name="item-journal-line-delete",
    ),
    path("journal/<batch:batch_name>/post/", views.item_journal_post, name="item-journal-post"),
    path("items/", views.item_list, name="inventory-item-list"),
    path("adjust-cost/", views.adjust_cost, name="adjust-cost"),
    path("adjust-cost/start/", views.adjust_cost_start, name="adjust-cost-start"),
    path(
        "adjust-cost/runs/<int:run_id>/",
        views.adjustment_run_detail,
        name="adjustment-run-detail",
    ),
    path("valuation/", views.valuation, name="inventory-valuation"),
    path("valuation/entries/", views.valuation_entries_list, name="inventory-valuation-entries"),
    path("valuation/export.csv", views.valuation_export, name="inventory-valuation-export"),
    path("gl/", gl_views.gl_post, name="gl-post"),
    path("gl/start/", gl_views.gl_post_start, name="gl-post-start"),
    path("gl/runs/<int:run_id>/", gl_views.gl_posting_run_detail, name="gl-posting-run-detail"),
    path("gl/reconciliation/", gl_views.gl_reconciliation, name="gl-reconciliation"),
    path("gl/reconciliation/entries/", gl_views.gl_drilldown, name="gl-drilldown"),
    path("gl/entries/", gl_views.gl_entries, name="gl-entries"),
]
