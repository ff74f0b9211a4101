"""Log records as one JSON object per line, each stamped with the request ID.

Stdlib only. ``DJANGO_LOG_FORMAT`` picks ``json`` (this formatter) or
``plain``; see the README's Operations section.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from dashboard.request_context import current_request_id

#: Query parameters that carry a customer's value (a search by phone or email; the home
#: page's look-up, whose pasted link may be a CRM address with the customer's email in it):
#: the access log keeps only that one was given, as the audit log does.
CUSTOMER_PARAMETERS = frozenset({"customer", "url"})

#: Attributes every LogRecord has; anything else on a record came from ``extra``.
_STANDARD = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
) | {"message", "asctime", "taskName"}


class RequestIDFilter(logging.Filter):
    """Adds ``request_id`` (``-`` outside a request) to every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, request_id, then every ``extra`` field."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id() or "-",
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in entry:
                entry[name] = _loggable(value)
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        # Values json cannot write (a request object, a path) are written as str().
        return json.dumps(entry, default=str, ensure_ascii=False)


def _loggable(value: Any) -> Any:
    """An ``extra`` value as written: a request (Django attaches the one that failed) is its
    method and address, without a customer searched for; str() would print the query."""
    full_path = getattr(value, "get_full_path", None)
    if callable(full_path) and isinstance(getattr(value, "method", None), str):
        return f"{value.method} {_url_without_customer(full_path())}"
    return value


def without_customer(query: str) -> str:
    """``query`` (a URL's query string) with each customer value replaced by "(given)"."""
    if not query:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [(n, _value_without_customer(n, v)) for n, v in pairs]
    if kept == pairs:
        return query
    return urlencode(kept, safe="()/")


def _value_without_customer(name: str, value: str) -> str:
    if name in CUSTOMER_PARAMETERS and value:
        return "(given)"
    # A link inside the query (sign-in's ``next=``, back to a search by customer).
    return str(_url_without_customer(value)) if "?" in value else value


def _url_without_customer(url: Any) -> Any:
    if not isinstance(url, str) or "?" not in url:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=without_customer(parts.query)))


class AccessJsonFormatter(logging.Formatter):
    """gunicorn's access lines (``gunicorn.conf.py``) as JSON, with the request's ID.

    gunicorn logs each request with its "atoms" dict as the only argument; the
    ID is read from the response's ``X-Request-ID`` header.
    """

    def format(self, record: logging.LogRecord) -> str:
        atoms: Any = record.args if isinstance(record.args, Mapping) else {}

        def atom(name: str) -> Any:
            value = atoms.get(name, "-") if atoms else "-"
            return None if value in ("-", "") else value

        status = atom("s")
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": f"{atom('m')} {atom('U')} {status}",
            "request_id": atom("{x-request-id}o") or "-",
            "remote_addr": atom("h"),
            "method": atom("m"),
            "path": atom("U"),
            "query": without_customer(atom("q") or "") or None,
            "status": int(status) if str(status).isdigit() else status,
            "bytes": atom("B"),
            "duration_ms": atom("M"),
            "user_agent": atom("a"),
            "referer": _url_without_customer(atom("f")),
        }
        return json.dumps(entry, default=str, ensure_ascii=False)
