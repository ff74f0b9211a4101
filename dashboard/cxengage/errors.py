"""The project's own errors for everything that can go wrong talking to CxEngage.

Every httpx exception and every unwanted status is turned into one of these in
``client.py``; nothing above the client ever sees an httpx type.

Two branches, as in httpx and openai-python:

- ``APIStatusError``: the API answered, with a status that says no
  (``NotFound``, ``Forbidden``, ``AuthenticationFailed``, ``ServerError``,
  ``RateLimited``);
- ``APIConnectionError``: there is no usable answer (``ConnectionFailed``,
  ``Timeout``, ``BadResponse`` and its ``WrongInteraction``).

Each concrete class means one thing, so a caller picks what to show from the
class alone and never needs to look at ``status``. Each has its own ``kind``,
which is how a failure survives a trip through the cache (``as_dict`` /
``from_kind``).
"""

from __future__ import annotations

from typing import ClassVar


class CxEngageError(Exception):
    """Base class: something went wrong fetching from the CxEngage API."""

    #: A short machine-readable name, used in logs, templates and the cache.
    kind: ClassVar[str] = "error"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        path: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.path = path
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status={self.status!r}, path={self.path!r})"
        )

    def as_dict(self) -> dict[str, object]:
        """A plain form that survives a trip through the cache."""
        return {
            "kind": self.kind,
            "message": self.message,
            "status": self.status,
            "path": self.path,
            "retry_after": self.retry_after,
        }


# -- the API answered with a status ------------------------------------------------


class APIStatusError(CxEngageError):
    """The API answered, with a status that is not a success; ``status`` holds it."""

    kind = "api_status"


class NotFound(APIStatusError):
    """404: the API has no such record (in this tenant)."""

    kind = "not_found"


class Forbidden(APIStatusError):
    """403: the dashboard's API user may not read this."""

    kind = "forbidden"


class AuthenticationFailed(APIStatusError):
    """401 even after the one token renewal, or the token endpoint refused the key."""

    kind = "auth_failed"


class ServerError(APIStatusError):
    """A 5xx answer: a 500 at once, a gateway error after the retries ran out."""

    kind = "server_error"


class RateLimited(APIStatusError):
    """429 that outlasted our retries; ``retry_after`` says how long to wait."""

    kind = "rate_limited"


# -- no usable answer ----------------------------------------------------------------


class APIConnectionError(CxEngageError):
    """There is no answer the dashboard can use."""

    kind = "api_connection"


class ConnectionFailed(APIConnectionError):
    """Refused, reset or broken connections, and names that do not resolve."""

    kind = "connection_failed"


class Timeout(APIConnectionError):
    """The overall deadline for a call passed (connecting, waiting or reading)."""

    kind = "timeout"


class BadResponse(APIConnectionError):
    """The answer could not be used: not JSON, not an object, too large, cut short.

    Also a status no other class stands for (a redirect, an unexpected 4xx);
    ``status`` then holds it.
    """

    kind = "bad_response"


class WrongInteraction(BadResponse):
    """The answer names another tenant or interaction than the one asked for."""

    kind = "wrong_interaction"


#: Every class by its kind, for ``from_kind``.
CLASSES: dict[str, type[CxEngageError]] = {
    cls.kind: cls
    for cls in (
        CxEngageError,
        APIStatusError,
        NotFound,
        Forbidden,
        AuthenticationFailed,
        ServerError,
        RateLimited,
        APIConnectionError,
        ConnectionFailed,
        Timeout,
        BadResponse,
        WrongInteraction,
    )
}


def from_kind(
    kind: str,
    message: str,
    status: int | None = None,
    path: str = "",
    retry_after: float | None = None,
) -> CxEngageError:
    """Rebuild an error from ``CxEngageError.as_dict()``.

    A kind this code does not know (one written by an older deploy, still in
    the cache for a few seconds) becomes the closest class it can be sure of.
    """
    cls = CLASSES.get(kind)
    if cls is None:
        if kind == "unavailable":  # the one older kind: a 5xx answer or a broken connection
            cls = ServerError if status is not None and status >= 500 else ConnectionFailed
        elif status is not None:
            cls = APIStatusError
        else:
            cls = APIConnectionError
    return cls(message, status=status, path=path, retry_after=retry_after)
