"""URLs of the revaluation journal pages, included under ``revaluation/``."""

from __future__ import annotations

from django.urls import path

from revaluation.views import (
    batches,
    calculate,
    cells,
    jobs,
    journal,
    lines,
    posted,
    posting,
    spreadsheet,
    writedowns,
)

urlpatterns = [
    path("", batches.revaluation_batch_list, name="revaluation-journal-list"),
    path("new/", batches.revaluation_batch_create, name="revaluation-batch-create"),
    path("posted/", posted.posted_revaluation_list, name="revaluation-posted-list"),
    path("posted/<int:pk>/", posted.posted_revaluation_detail, name="revaluation-posted-detail"),
    path(
        "posted/<int:pk>/reverse/",
        posted.posted_revaluation_reverse_view,
        name="revaluation-posted-reverse",
    ),
    path("jobs/<int:job_id>/", jobs.revaluation_job_detail, name="revaluation-job-detail"),
    path(
        "jobs/<int:job_id>/file/",
        spreadsheet.revaluation_job_file,
        name="revaluation-job-file",
    ),
    path(
        "writedowns/",
        writedowns.writedown_report_view,
        name="revaluation-writedown-report",
    ),
    path(
        "selling-prices/",
        writedowns.selling_price_list,
        name="revaluation-selling-prices",
    ),
    path(
        "<batch:batch_name>/", journal.revaluation_journal_detail, name="revaluation-journal-detail"
    ),
    path(
        "<batch:batch_name>/calculate/",
        calculate.revaluation_calculate,
        name="revaluation-calculate",
    ),
    path(
        "<batch:batch_name>/lines/", lines.revaluation_line_create, name="revaluation-line-create"
    ),
    path(
        "<batch:batch_name>/lines/delete-all/",
        lines.revaluation_batch_delete_lines,
        name="revaluation-lines-delete-all",
    ),
    path(
        "<batch:batch_name>/lines/<int:line_id>/",
        cells.revaluation_line_edit,
        name="revaluation-line-edit",
    ),
    path(
        "<batch:batch_name>/lines/<int:line_id>/reason/",
        cells.revaluation_line_reason,
        name="revaluation-line-reason",
    ),
    path(
        "<batch:batch_name>/lines/<int:line_id>/delete/",
        lines.revaluation_line_delete,
        name="revaluation-line-delete",
    ),
    path(
        "<batch:batch_name>/entries/",
        lines.revaluation_entry_lookup,
        name="revaluation-entry-lookup",
    ),
    path(
        "<batch:batch_name>/items/",
        lines.revaluation_item_suggestions,
        name="revaluation-item-suggestions",
    ),
    path(
        "<batch:batch_name>/lines/<int:line_id>/explain/",
        lines.revaluation_line_explain,
        name="revaluation-line-explain",
    ),
    path(
        "<batch:batch_name>/export.<str:format>",
        spreadsheet.revaluation_export,
        name="revaluation-export",
    ),
    path(
        "<batch:batch_name>/import/",
        spreadsheet.revaluation_import,
        name="revaluation-import",
    ),
    path(
        "<batch:batch_name>/import/apply/",
        spreadsheet.revaluation_import_apply,
        name="revaluation-import-apply",
    ),
    path("<batch:batch_name>/preview/", posting.revaluation_preview, name="revaluation-preview"),
    path(
        "<batch:batch_name>/preview/run/",
        posting.revaluation_preview_run,
        name="revaluation-preview-run",
    ),
    path("<batch:batch_name>/post/", posting.revaluation_post, name="revaluation-post"),
]
