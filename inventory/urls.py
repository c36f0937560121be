from __future__ import annotations

from django.urls import path

from inventory import views

urlpatterns = [
    path("journal/", views.item_journal_list, name="item-journal-list"),
]
