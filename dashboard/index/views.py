"""The index's staff page: HTTP only (the data comes from ``status.py``)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .status import sync_status


@require_GET
def sync_status_page(request: HttpRequest) -> HttpResponse:
    # Not found rather than forbidden: the page's existence is none of a non-staff user's business.
    if not request.user.is_staff:
        raise Http404("No such page.")
    response = render(request, "index/status.html", {"tenants": sync_status()})
    response["Cache-Control"] = "no-store"
    return response
