"""The current request's ID, readable anywhere in the request's thread.

Kept free of Django imports so that the API client (which must not know about
Django) can send the ID upstream, and the log filter can stamp every record.
"""

from __future__ import annotations

import contextvars
import re
import uuid

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

#: What we accept from a caller's ``X-Request-ID``: a short token, nothing that
#: could break a log line or a header.
_SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")


def current_request_id() -> str | None:
    """The ID of the request being served in this context, or None outside one."""
    return _request_id.get()


def sane_request_id(supplied: str | None) -> str:
    """The caller's ID when it is a sane token, else a new uuid4 hex."""
    if supplied and _SANE.fullmatch(supplied):
        return supplied
    return uuid.uuid4().hex


def bind_request_id(value: str) -> None:
    _request_id.set(value)


def clear_request_id() -> None:
    _request_id.set(None)
