"""What each failure to get an answer from the API means for the person looking.

One table, used by every app: the page's status, title and explanation follow
from the error's class alone. The operator's log says which upstream call
failed, with its status.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dashboard.accounts.budget import BudgetExceeded
from dashboard.cxengage import errors

log = logging.getLogger("dashboard.failures")


@dataclass(frozen=True)
class Failure:
    status: int
    title: str
    explanation: str
    retry: bool


#: Most specific classes first: the first match wins.
FAILURES: tuple[tuple[type[errors.CxEngageError], Failure], ...] = (
    (
        errors.NotFound,
        Failure(
            404,
            "No such interaction in this tenant",
            "The CxEngage API has no interaction with this ID in this tenant. Check the ID and "
            "the tenant: a link copied from another tenant's ticket will not work here.",
            False,
        ),
    ),
    (
        errors.Forbidden,
        Failure(
            403,
            "The dashboard may not read this interaction",
            "The CxEngage API refused: the dashboard's API user lacks the "
            "INTERACTIONS_API_READ_ALL permission or access to this tenant. Ask the dashboard's "
            "operator to grant it.",
            False,
        ),
    ),
    (
        errors.AuthenticationFailed,
        Failure(
            502,
            "The dashboard's API credentials are wrong",
            "The CxEngage API rejected the dashboard's credentials. This is for the dashboard's "
            "operator to fix: check CXENGAGE_USERNAME/CXENGAGE_PASSWORD or CXENGAGE_API_KEY/"
            "CXENGAGE_API_SECRET.",
            False,
        ),
    ),
    (
        errors.RateLimited,
        Failure(503, "The CxEngage API is busy", "The API asked the dashboard to slow down.", True),
    ),
    (
        errors.ServerError,
        Failure(
            502,
            "The CxEngage API is unavailable",
            "The API answered with an error. This is usually brief: try again.",
            True,
        ),
    ),
    (
        errors.ConnectionFailed,
        Failure(
            503,
            "The CxEngage API is unavailable",
            "The API could not be reached. This is usually brief: try again.",
            True,
        ),
    ),
    (
        errors.Timeout,
        Failure(
            504,
            "The CxEngage API did not answer in time",
            "The API took too long to answer. Try again; if it keeps happening the API is "
            "struggling.",
            True,
        ),
    ),
    (
        errors.WrongInteraction,
        Failure(
            502,
            "The API answered for another interaction",
            "The CxEngage API's answer names another tenant or interaction than the one asked "
            "for, so it is not shown. Tell the dashboard's operator; trying again may help.",
            True,
        ),
    ),
    (
        errors.BadResponse,
        Failure(
            502,
            "The CxEngage API sent something unreadable",
            "The API's answer could not be read (not JSON, not an interaction, or too large). "
            "Trying again may help; if not, tell the dashboard's operator.",
            True,
        ),
    ),
)

_FALLBACK = Failure(502, "The CxEngage API failed", "The API could not be asked. Try again.", True)


def failure_for(exc: errors.CxEngageError) -> Failure:
    return next((spec for cls, spec in FAILURES if isinstance(exc, cls)), _FALLBACK)


def retry_after(exc: errors.CxEngageError) -> int | None:
    """Seconds the person should wait before trying again, when the API said so."""
    if isinstance(exc, errors.RateLimited):
        return math.ceil(exc.retry_after) if exc.retry_after is not None else 5
    return math.ceil(exc.retry_after) if exc.retry_after is not None else None


def log_failure(what: str, exc: errors.CxEngageError) -> None:
    log.warning(
        "%s failed: %s (upstream status %s, path %s)",
        what,
        exc.kind,
        exc.status,
        exc.path,
        extra={"failure": exc.kind, "upstream_status": exc.status, "upstream_path": exc.path},
    )


def failure_page(
    request: HttpRequest,
    exc: errors.CxEngageError,
    *,
    tenant_id: str = "",
    interaction_id: str = "",
    template: str = "error.html",
) -> HttpResponse:
    """The page for a failed upstream call, with its status (and Retry-After when known)."""
    failure = failure_for(exc)
    wait = retry_after(exc)
    explanation = failure.explanation
    if isinstance(exc, errors.RateLimited):
        explanation += f" Try again in {wait} s."
    log_failure("interaction page", exc)
    response = render(
        request,
        template,
        {
            "tenant_id": tenant_id,
            "interaction_id": interaction_id,
            "status": failure.status,
            "title": failure.title,
            "explanation": explanation,
            "retry": failure.retry,
            # The other tenant's IDs stay in the operator's log.
            "detail": "" if isinstance(exc, errors.WrongInteraction) else exc.message,
            "retry_after": wait,
        },
        status=failure.status,
    )
    if wait is not None:
        response["Retry-After"] = str(wait)
    return response


def budget_page(request: HttpRequest, exc: BudgetExceeded) -> HttpResponse:
    """429: this viewer asked the API for too many list pages this minute."""
    response = render(
        request,
        "error.html",
        {
            "status": 429,
            "title": "Too many list look-ups this minute",
            "explanation": "Lists, searches and ticket look-ups ask the CxEngage API for pages, "
            "and each person has a budget of them a minute so that nobody uses up the tenant's "
            f"API rate limit. Try again in {exc.retry_after} s; pages already loaded stay "
            "quick to reopen.",
            "retry": True,
            "retry_after": exc.retry_after,
        },
        status=429,
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


class BudgetMiddleware:
    """Any view that runs out of the viewer's API budget answers the 429 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, BudgetExceeded):
            return budget_page(request, exception)
        return None
