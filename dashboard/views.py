"""Site-wide views: health, readiness and error pages."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

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


def _cache() -> None:
    # Bounded by the Redis client's socket timeouts (settings).
    token = uuid.uuid4().hex
    cache.set(_READY_KEY, token, 10)
    if cache.get(_READY_KEY) != token:
        raise LookupError("the cache did not return what was just stored")


def _probe(name: str, check: Callable[[], None]) -> str:
    try:
        check()
    except Exception as exc:  # any failure means "not ready"; the log says what and why
        log.warning(
            "readiness: %s unreachable: %s: %s",
            name,
            type(exc).__name__,
            str(exc)[:300],
            extra={"dependency": name, "failure": type(exc).__name__},
        )
        # The answer needs no sign-in, so it names only the exception's class.
        return f"unreachable: {type(exc).__name__}"
    return "ok"


@login_not_required
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the cache answer, 503 naming what does not."""
    result = {"database": _probe("database", _database), "cache": _probe("cache", _cache)}
    ready = all(value == "ok" for value in result.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", **result}, status=200 if ready else 503)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = ""
    if exception is not None and exception.args and isinstance(exception.args[0], str):
        message = exception.args[0]
    return render(
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
        status=404,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "error.html",
        {"status": 500, "title": "Something went wrong", "explanation": "The error was logged. Try again."},
        status=500,
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "error.html",
        {"status": 403, "title": "Not allowed", "explanation": "You may not see this page."},
        status=403,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "error.html",
        {"status": 400, "title": "Bad request", "explanation": "The request could not be understood."},
        status=400,
    )
