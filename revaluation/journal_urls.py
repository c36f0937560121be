"""URLs of the revaluation journal pages, included under ``revaluation/``."""

from __future__ import annotations

from django.urls import path

from revaluation import spreadsheet_views, views, writedown_views

urlpatterns = [
    path("", views.revaluation_batch_list, name="revaluation-journal-list"),
    path("new/", views.revaluation_batch_create, name="revaluation-batch-create"),
    path("posted/", views.posted_revaluation_list, name="revaluation-posted-list"),
    path("posted/<int:pk>/", views.posted_revaluation_detail, name="revaluation-posted-detail"),
    path(
        "posted/<int:pk>/reverse/",
        views.posted_revaluation_reverse_view,
        name="revaluation-posted-reverse",
    ),
    path("jobs/<int:job_id>/", views.revaluation_job_detail, name="revaluation-job-detail"),
    path(
        "jobs/<int:job_id>/file/",
        spreadsheet_views.revaluation_job_file,
        name="revaluation-job-file",
    ),
    path(
        "writedowns/",
        writedown_views.writedown_report_view,
        name="revaluation-writedown-report",
    ),
    path(
        "selling-prices/",
        writedown_views.selling_price_list,
        name="revaluation-selling-prices",
    ),
    path(
        "<batch:batch_name>/", views.revaluation_journal_detail, name="revaluation-journal-detail"
    ),
    path(
        "<batch:batch_name>/calculate/",
        views.revaluation_calculate,
        name="revaluation-calculate",
    ),
    path(
        "<batch:batch_name>/lines/", views.revaluation_line_create, name="revaluation-line-create"
    ),
    path(
        "<batch:batch_name>/lines/delete-all/",
        views.revaluation_batch_delete_lines,
        name="revaluation-lines-delete-all",
    ),
    path(
        "<batch:batch_name>/lines/<int:line_id>/",
        views.revaluation_line_edit,
        name="revaluation-line-edit",
    ),
    path(
        "<batch:batch_name>/lines/<int:line_id>/reason/",
        views.revaluation_line_reason,
        name="revaluation-line-reason",
    ),
    path(
        "<batch:batch_name>/lines/<int:line_id>/delete/",
        views.revaluation_line_delete,
        name="revaluation-line-delete",
    ),
    path(
        "<batch:batch_name>/entries/",
        views.revaluation_entry_lookup,
        name="revaluation-entry-lookup",
    ),
    path(
        "<batch:batch_name>/items/",
        views.revaluation_item_suggestions,
        name="revaluation-item-suggestions",
    ),
    path(
        "<batch:batch_name>/lines/<int:line_id>/explain/",
        views.revaluation_line_explain,
        name="revaluation-line-explain",
    ),
    path(
        "<batch:batch_name>/export.<str:format>",
        spreadsheet_views.revaluation_export,
        name="revaluation-export",
    ),
    path(
        "<batch:batch_name>/import/",
        spreadsheet_views.revaluation_import,
        name="revaluation-import",
    ),
    path(
        "<batch:batch_name>/import/apply/",
        spreadsheet_views.revaluation_import_apply,
        name="revaluation-import-apply",
    ),
    path("<batch:batch_name>/preview/", views.revaluation_preview, name="revaluation-preview"),
    path("<batch:batch_name>/post/", views.revaluation_post, name="revaluation-post"),
]
