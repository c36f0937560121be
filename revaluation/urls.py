from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from revaluation import item_card, language

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="revaluation-journal-list"), name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", language.set_language, name="set-language"),
    path("admin/", admin.site.urls),
    path("inventory/items/<str:item_no>/", item_card.item_card_detail, name="item-card"),
    path("inventory/", include("inventory.urls")),
    path("revaluation/", include("revaluation.journal_urls")),
]
