"""Request-wide middleware: the request ID, times in the viewer's zone, a lost database.

``RequestIDMiddleware`` gives every request an ID (the caller's sane
``X-Request-ID`` or a new one), binds it for logs and upstream calls, and
returns it in the response. ``ViewerTimezoneMiddleware`` renders times in the
zone the browser reports in a cookie. ``DatabaseUnavailableMiddleware`` answers
a styled 503 when the database cannot be reached.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import unquote

from django.core.signals import request_finished
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from dashboard.request_context import bind_request_id, clear_request_id, sane_request_id

log = logging.getLogger("dashboard.database")

TZ_COOKIE = "tz"
REQUEST_ID_HEADER = "X-Request-ID"


class RequestIDMiddleware:
    """First in the chain, so every log line and response (redirects too) carries it.

    The ID stays bound until the response is closed (``request_finished``), so
    Django's own "Not Found: …" lines, logged after the middleware returns,
    carry it too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = sane_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        bind_request_id(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _forget_request_id(**kwargs: object) -> None:
    clear_request_id()


request_finished.connect(_forget_request_id, dispatch_uid="dashboard.request_id")


@lru_cache(maxsize=512)
def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    if not name or len(name) > 64 or ".." in name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class ViewerTimezoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = _zone(unquote(request.COOKIES.get(TZ_COOKIE, "")))
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class DatabaseUnavailableMiddleware:
    """First in the chain: a database that does not answer is a 503 page, never a 500.

    The database error can come from any layer: the session or the user loaded
    by a middleware, the view, the session saved on the way out. A view's error
    comes to ``process_exception``; one raised elsewhere reaches the 500
    handler, which hands it to ``database_unavailable`` too (dashboard/views.py),
    and whatever still escapes is caught here. The page needs neither the
    database nor ``request.user``. Django opens a new connection on the next
    request (``CONN_HEALTH_CHECKS`` drops a dead kept one), so the dashboard
    recovers by itself when the database returns.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except DATABASE_ERRORS as exc:
            return database_unavailable(request, exc)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable(request, exception)
        return None


#: What an unreachable (or lost) database raises through Django.
DATABASE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)

#: Seconds a client is asked to wait before trying again.
DATABASE_RETRY_AFTER = 10


def database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The 503 page for an unreachable database, logged with the error."""
    log.error(
        "database unreachable: %s: %s",
        type(exc).__name__,
        str(exc).strip()[:300],
        extra={"dependency": "database", "failure": type(exc).__name__, "path": request.path},
    )
    body = render_to_string(  # no request: no context processors, no user, no session
        "503.html",
        {
            "status": 503,
            "title": "The database is unreachable",
            "explanation": "The dashboard cannot reach its database just now. "
            "Try again in a few seconds; the error was logged for the operator.",
            "path": request.get_full_path(),
        },
    )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    request_id = getattr(request, "request_id", None)
    if request_id:
        response[REQUEST_ID_HEADER] = request_id
    return response
