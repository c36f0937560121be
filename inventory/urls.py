from __future__ import annotations

from django.urls import path

from inventory import views

urlpatterns = [
    path("journal/", views.item_journal_list, name="item-journal-list"),
    path("journal/new/", views.item_journal_batch_create, name="item-journal-batch-create"),
    path("journal/<str:batch_name>/", views.item_journal_detail, name="item-journal-detail"),
    path(
        "journal/<str:batch_name>/lines/",
        views.item_journal_line_create,
        name="item-journal-line-create",
    ),
    path(
        "journal/<str:batch_name>/lines/<int:line_id>/",
        views.item_journal_line,
        name="item-journal-line",
    ),
    path(
        "journal/<str:batch_name>/lines/<int:line_id>/edit/",
        views.item_journal_line_edit,
        name="item-journal-line-edit",
    ),
    path(
        "journal/<str:batch_name>/lines/<int:line_id>/delete/",
        views.item_journal_line_delete,
        name="item-journal-line-delete",
    ),
    path("journal/<str:batch_name>/post/", views.item_journal_post, name="item-journal-post"),
]
