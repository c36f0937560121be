"""URLs of the revaluation journal pages, included under ``revaluation/``."""

from __future__ import annotations

from django.urls import path

from revaluation import views

urlpatterns = [
    path("", views.revaluation_batch_list, name="revaluation-journal-list"),
    path("new/", views.revaluation_batch_create, name="revaluation-batch-create"),
    path("posted/", views.posted_revaluation_list, name="revaluation-posted-list"),
    path("posted/<int:pk>/", views.posted_revaluation_detail, name="revaluation-posted-detail"),
    path("jobs/<int:job_id>/", views.revaluation_job_detail, name="revaluation-job-detail"),
    path("<str:batch_name>/", views.revaluation_journal_detail, name="revaluation-journal-detail"),
    path(
        "<str:batch_name>/calculate/",
        views.revaluation_calculate,
        name="revaluation-calculate",
    ),
    path("<str:batch_name>/lines/", views.revaluation_line_create, name="revaluation-line-create"),
    path(
        "<str:batch_name>/lines/delete-all/",
        views.revaluation_batch_delete_lines,
        name="revaluation-lines-delete-all",
    ),
    path(
        "<str:batch_name>/lines/<int:line_id>/",
        views.revaluation_line_edit,
        name="revaluation-line-edit",
    ),
    path(
        "<str:batch_name>/lines/<int:line_id>/delete/",
        views.revaluation_line_delete,
        name="revaluation-line-delete",
    ),
    path(
        "<str:batch_name>/entries/",
        views.revaluation_entry_lookup,
        name="revaluation-entry-lookup",
    ),
    path(
        "<str:batch_name>/items/",
        views.revaluation_item_suggestions,
        name="revaluation-item-suggestions",
    ),
    path("<str:batch_name>/preview/", views.revaluation_preview, name="revaluation-preview"),
    path("<str:batch_name>/post/", views.revaluation_post, name="revaluation-post"),
]
