"""Values every page's template gets: demo mode, the staff-only cache banner, the
address of the page itself for "Try again" links, and the flagged list a page was
opened from."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpRequest, UnreadablePostError
from django.http.multipartparser import MultiPartParserError

from dashboard.cache_backend import cache_is_down
from dashboard.middleware import this_page


def dashboard(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "demo_mode": settings.DEMO_MODE,
        # Staff can tell the operator; others need not know how pages are made.
        "cache_down_banner": bool(getattr(user, "is_staff", False)) and cache_is_down(),
        "this_page": this_page(request),
        # The flagged list's query (``?from=``) a page was opened from, or a form sent back:
        # the review forms return it, so previous / next survive a save.
        "list_from": list_from(request),
    }


def list_from(request: HttpRequest) -> str:
    """The flagged list's query a page was opened from: a form's posted ``from``, else the
    address's; "" when there is none or the posted body cannot be read."""
    posted = ""
    if request.method == "POST":
        try:
            posted = request.POST.get("from", "")
        except (SuspiciousOperation, BadRequest, MultiPartParserError, UnreadablePostError):
            posted = ""  # the view answers the unreadable body; the page needs no list
    return (posted or request.GET.get("from", ""))[:2000]
