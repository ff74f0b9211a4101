"""Site-wide views: health, readiness and error pages."""

from __future__ import annotations

import logging
import os
import socket
import sys
import uuid
from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from dashboard.cache_backend import cache_failure
from dashboard.middleware import DATABASE_ERRORS, database_unavailable

log = logging.getLogger("dashboard.health")

#: One key per process, overwritten by each probe, so probes leave no litter.
_READY_KEY = f"readyz:{socket.gethostname()}:{os.getpid()}"


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain")


def _database() -> None:
    # Bounded by the driver: connect_timeout for PostgreSQL (settings), and
    # SELECT 1 waits on no lock.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


class CacheFailingOpen(Exception):
    """The fail-open cache cannot reach Redis: pages are served without it."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind  # the underlying error's class, e.g. ConnectionError


def _cache() -> None:
    # Bounded by the Redis client's socket timeouts (settings).
    token = uuid.uuid4().hex
    cache.set(_READY_KEY, token, 10)
    failure = cache_failure()
    if failure is not None:
        raise CacheFailingOpen(*failure)
    if cache.get(_READY_KEY) != token:
        raise LookupError("the cache did not return what was just stored")


def _probe(name: str, check: Callable[[], None]) -> tuple[str, bool]:
    """What to say about ``name``, and whether the dashboard can serve with it as it is."""
    try:
        check()
    except Exception as exc:  # any failure means "not ready"; the log says what and why
        kind = getattr(exc, "kind", type(exc).__name__)
        log.warning(
            "readiness: %s unreachable: %s: %s",
            name,
            kind,
            str(exc)[:300],
            extra={"dependency": name, "failure": kind},
        )
        # The answer needs no sign-in, so it names only the exception's class.
        return f"unreachable: {kind}", isinstance(exc, CacheFailingOpen)
    return "ok", True


@login_not_required
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the cache answer, 503 naming what does not.

    A Redis that fails open (dashboard/cache_backend.py) is named but is no
    reason to take the replica out of service: every replica shares it, and
    pages are served without it. That answer is 200 with "degraded".
    """
    database, database_serves = _probe("database", _database)
    cache_state, cache_serves = _probe("cache", _cache)
    result = {"database": database, "cache": cache_state}
    if database_serves and cache_serves:
        status = "ok" if cache_state == "ok" else "degraded"
        return JsonResponse({"status": status, **result}, status=200)
    return JsonResponse({"status": "unavailable", **result}, status=503)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = ""
    if exception is not None and exception.args and isinstance(exception.args[0], str):
        message = exception.args[0]
    return _problem(
        request,
        "error.html",
        {
            "status": 404,
            "title": "Not found",
            "explanation": message
            or "There is nothing at this address. Interaction links look like "
            "/tenants/<tenant ID>/interactions/<interaction ID>/, where both IDs are UUIDs "
            "(like 3fa85f64-5717-4562-b3fc-2c963f66afa6).",
        },
    )


def _problem(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    """An error page; for htmx, an alert put just before the part that asked, which stays
    as it was (a form keeps what was typed) rather than being replaced by a whole page."""
    status = int(str(context["status"]))
    if request.headers.get("HX-Request") != "true":
        return render(request, template, context, status=status)
    response = render(request, "error.html#htmx-error", context, status=status)
    response["HX-Reswap"] = "beforebegin"
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent with an expired or missing CSRF token (``CSRF_FAILURE_VIEW``)."""
    explanation = (
        "The page was open too long, or you signed in elsewhere in the meantime, so the form "
        "could not be trusted. Copy what you typed, reload the page and send it again."
    )
    context = {"status": 403, "title": "This form has expired", "explanation": explanation}
    return _problem(request, "403_csrf.html", context)


def server_error(request: HttpRequest) -> HttpResponse:
    failure = sys.exc_info()[1]
    if isinstance(failure, DATABASE_ERRORS):
        # A database error outside the view (loading the session, say): the
        # usual page would need the database again for the signed-in user.
        return database_unavailable(request, failure)
    return render(
        request,
        "error.html",
        {
            "status": 500,
            "title": "Something went wrong",
            "explanation": "The error was logged. Try again.",
        },
        status=500,
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _problem(
        request,
        "error.html",
        {"status": 403, "title": "Not allowed", "explanation": "You may not see this page."},
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "error.html",
        {
            "status": 400,
            "title": "Bad request",
            "explanation": "The request could not be understood.",
        },
        status=400,
    )
