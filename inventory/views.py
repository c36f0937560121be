from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def item_journal_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Item journal")
