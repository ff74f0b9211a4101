"""Values every page's template gets: demo mode, the staff-only cache banner, and the
address of the page itself for "Try again" links."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from dashboard.cache_backend import cache_is_down
from dashboard.middleware import this_page


def dashboard(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "demo_mode": settings.DEMO_MODE,
        # Staff can tell the operator; others need not know how pages are made.
        "cache_down_banner": bool(getattr(user, "is_staff", False)) and cache_is_down(),
        "this_page": this_page(request),
    }
