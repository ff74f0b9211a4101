"""The project's URLs plus the benchmark's "floor" view (only used by bench/render.py).

The floor answers the same URL shape as the interaction page, through the same
middleware, session and auth, and the same tenant check, but returns the cached
raw JSON with no parsing, no timeline and no template: the cost of "being a
Django request for this interaction" that rendering is compared against.
"""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from dashboard import urls as project_urls
from dashboard.accounts.access import can_view_tenant
from dashboard.interactions import cache as services


@require_GET
def floor_view(request: HttpRequest, tenant_id: str, interaction_id: str) -> HttpResponse:
    if not can_view_tenant(request.user, tenant_id):
        raise Http404("No such interaction.")
    raw = services.fetch_entry(tenant_id, interaction_id).raw
    return HttpResponse(json.dumps(raw), content_type="application/json")


urlpatterns = [
    *project_urls.urlpatterns,
    path(
        "floor/tenants/<str:tenant_id>/interactions/<str:interaction_id>/",
        floor_view,
        name="bench_floor",
    ),
]

handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
