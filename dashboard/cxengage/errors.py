"""The project's own errors for everything that can go wrong talking to CxEngage.

Every httpx exception and every unwanted status is turned into one of these in
``client.py``; nothing above the client ever sees an httpx type.
"""

from __future__ import annotations


class CxEngageError(Exception):
    """Base class: something went wrong fetching from the CxEngage API."""

    #: A short machine-readable name, used in logs and templates.
    kind = "error"

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

    def as_dict(self) -> dict[str, object]:
        """A plain form that survives a trip through the cache."""
        return {"kind": self.kind, "message": self.message, "status": self.status,
                "path": self.path, "retry_after": self.retry_after}


class NotFound(CxEngageError):
    kind = "not_found"


class Forbidden(CxEngageError):
    kind = "forbidden"


class AuthenticationFailed(CxEngageError):
    kind = "auth_failed"


class Unavailable(CxEngageError):
    """5xx answers, refused or reset connections."""

    kind = "unavailable"


class RateLimited(Unavailable):
    """429 that outlasted our retries; ``retry_after`` says how long to wait."""

    kind = "rate_limited"


class Timeout(CxEngageError):
    """The overall deadline for a call passed."""

    kind = "timeout"


class BadResponse(CxEngageError):
    """The answer could not be read: not JSON, not an object, or too large."""

    kind = "bad_response"


def from_kind(
    kind: str, message: str, status: int | None = None, path: str = "", retry_after: float | None = None
) -> CxEngageError:
    """Rebuild an error from ``CxEngageError.as_dict()``."""
    classes = {cls.kind: cls for cls in (NotFound, Forbidden, AuthenticationFailed, Unavailable,
                                         RateLimited, Timeout, BadResponse)}
    return classes.get(kind, CxEngageError)(message, status=status, path=path, retry_after=retry_after)


class WrongInteraction(BadResponse):
    """The answer names another tenant or interaction than the one asked for."""

    kind = "wrong_interaction"


# -- provisional names of the two branches (the client branch defines them fully)
class APIStatusError(CxEngageError):
    kind = "status"


class APIConnectionError(CxEngageError):
    kind = "connection"


class ServerError(Unavailable):
    kind = "server_error"


class ConnectionFailed(Unavailable):
    kind = "connection_failed"
