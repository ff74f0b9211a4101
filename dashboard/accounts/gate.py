"""The one gate for URLs that name a tenant (and maybe an interaction).

- ``UUIDConverter`` (registered as ``<uuid_any:...>``) matches a UUID in either
  letter case; anything else never reaches a view (404).
- ``tenant_url`` runs before the view: upper case is redirected to the
  canonical lower-case URL (a GET; any other method gets a 404, never a silent
  rewrite), and a user without a grant for the tenant gets the same 404 as a
  missing interaction. All of it before any upstream request.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.http import Http404, HttpRequest, HttpResponsePermanentRedirect
from django.http.response import HttpResponseBase

from .access import can_view_tenant

P = ParamSpec("P")
R = TypeVar("R", bound=HttpRequest)
#: A page, or a streamed file (the flagged list's CSV).
Response = TypeVar("Response", bound=HttpResponseBase)

UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


class UUIDConverter:
    """A UUID in its hyphenated form, either case; kept as written (the gate canonicalises)."""

    regex = UUID_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value).lower()


#: Names of URL parameters that hold IDs the gate canonicalises.
ID_PARAMETERS = ("tenant_id", "interaction_id")


def tenant_url(
    view: Callable[Concatenate[R, P], Response],
) -> Callable[Concatenate[R, P], Response | HttpResponsePermanentRedirect]:
    """Canonical IDs, the tenant grant checked, before the view runs."""

    @wraps(view)
    def gated(
        request: R, /, *args: P.args, **kwargs: P.kwargs
    ) -> Response | HttpResponsePermanentRedirect:
        given: dict[str, Any] = {k: kwargs[k] for k in ID_PARAMETERS if k in kwargs}
        canonical = {k: str(v).lower() for k, v in given.items()}
        if canonical != given:
            if request.method not in ("GET", "HEAD"):
                raise Http404("IDs in addresses are written in lower case.")
            return HttpResponsePermanentRedirect(_canonical_url(request, given, canonical))
        if not can_view_tenant(request.user, canonical["tenant_id"]):
            # The same answer as a missing interaction: no hint that the tenant exists.
            raise Http404("No such interaction.")
        return view(request, *args, **kwargs)

    return gated


def _canonical_url(request: HttpRequest, given: dict[str, Any], canonical: dict[str, str]) -> str:
    path = request.path
    for name, value in given.items():
        path = path.replace(value, canonical[name])
    query = request.META.get("QUERY_STRING")
    return path + (f"?{query}" if query else "")


def canonical_uuid(value: str) -> str | None:
    """The canonical lower-case form of a UUID, or None when it is not one.

    ``uuid.UUID`` accepts braces, "urn:uuid:" and no hyphens; links use one form.
    """
    try:
        parsed = uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return None
    canonical = str(parsed)
    return canonical if value.lower() == canonical else None
