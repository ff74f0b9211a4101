"""Request-wide middleware: the request ID, sign-in, times in the viewer's zone, a lost
database.

``RequestIDMiddleware`` gives every request an ID (the caller's sane
``X-Request-ID`` or a new one), binds it for logs and upstream calls, and
returns it in the response. ``PrivatePagesMiddleware`` keeps pages out of shared
caches. ``SignInRequiredMiddleware`` sends a signed-out
visitor to sign in, htmx requests included. ``ViewerTimezoneMiddleware`` renders
times in the zone the browser reports in a cookie. ``DatabaseUnavailableMiddleware``
answers a styled 503 when the database cannot be reached.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.core.signals import request_finished
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render, resolve_url
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import escape_leading_slashes, url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

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


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    """Django's sign-in requirement, which also knows htmx.

    A redirect to the sign-in page answers an htmx request with the sign-in page
    itself, swapped into the part that asked. Instead: a GET sends the browser to
    sign in (``HX-Redirect``), back to the page it was showing afterwards; a form
    gets an alert before it, which keeps what was typed, with a link to sign in.
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        refused = super().process_view(request, view_func, view_args, view_kwargs)
        if refused is None or request.headers.get("HX-Request") != "true":
            return refused
        login_url = resolve_url(self.get_login_url(view_func))
        shown = _page_shown(request)
        if request.method in ("GET", "HEAD"):
            back = shown or request.get_full_path()
            return HttpResponseClientRedirect(redirect_to_login(back, login_url)["Location"])
        sign_in = redirect_to_login(shown, login_url)["Location"] if shown else login_url
        response = render(
            request,
            "error.html#htmx-error",
            {
                "status": 401,
                "title": "Your sign-in has ended",
                "explanation": "The page was open longer than a sign-in lasts.",
                "sign_in_url": sign_in,
            },
            status=401,
        )
        response["HX-Reswap"] = "beforebegin"
        return response


def _page_shown(request: HttpRequest) -> str:
    """The path and query of the page an htmx request came from, when it is this site's."""
    current = request.headers.get("HX-Current-URL", "")
    if not url_has_allowed_host_and_scheme(
        current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(current)
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.path else ""


class PrivatePagesMiddleware:
    """Every page that says nothing of caching is ``private, no-cache``.

    Pages hold customers, lists and what a user looked up: a shared cache must
    never keep them, and the browser must ask again before showing one (Back
    after signing out). Pages that choose (the interaction's ETag, ``no-store``
    exports, the probes) keep their own; static files never come this far
    (WhiteNoise answers them first).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_cache=True)
        return response


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


def this_page(request: HttpRequest) -> str:
    """The request's path and query, for a link back to it ("Try again").

    Written as the browser sent it, "//evil.example/x" would be a link to another
    site; a leading run of slashes keeps one.
    """
    return escape_leading_slashes(request.get_full_path())


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
            "path": this_page(request),
        },
    )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    request_id = getattr(request, "request_id", None)
    if request_id:
        response[REQUEST_ID_HEADER] = request_id
    return response
