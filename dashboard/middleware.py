"""Request-wide middleware: the request ID, and times in the viewer's zone.

``RequestIDMiddleware`` gives every request an ID (the caller's sane
``X-Request-ID`` or a new one), binds it for logs and upstream calls, and
returns it in the response. ``ViewerTimezoneMiddleware`` renders times in the
zone the browser reports in a cookie.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import unquote

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from dashboard.request_context import bind_request_id, clear_request_id, sane_request_id

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
