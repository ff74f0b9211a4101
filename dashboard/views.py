"""Site-wide views: health and error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain")


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
            "/tenants/<tenant ID>/interactions/<interaction ID>/.",
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
