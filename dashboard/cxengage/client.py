"""The CxEngage API client: the only module that imports httpx.

It owns URLs, authentication, timeouts, the per-call deadline, bounded retries
and the response size cap, and turns every transport or status failure into one
of the errors in ``errors.py``. It returns plain JSON values; it never parses
interaction fields and never sees a Django request.
"""

from __future__ import annotations

import base64
import email.utils
import json
import logging
import math
import os
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, overload
from urllib.parse import quote

import httpx

from dashboard.request_context import current_request_id

from . import errors

log = logging.getLogger("dashboard.cxengage")

#: Statuses worth another attempt: the API or a proxy in front of it stumbled.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: The longest wait a Retry-After is taken to ask for: an hour; past it the number says
#: "later", not a time anyone keeps to (and it reaches pages and the index sync's sleep).
MAX_RETRY_AFTER = 3600.0
#: The list endpoint answers at most this many interactions a page.
MAX_LIST_LIMIT = 1000

#: Far deeper than any answer's shape (an interaction nests about five levels, its custom
#: attributes a few more; a list page two more). Python can decode deeper, but whatever
#: walks the answer next (the cache's pickling, masking, the raw view) would run out of
#: stack: an answer past this is unreadable (a list page too, for the one row in it).
MAX_JSON_DEPTH = 100

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST = re.compile(r"\[\]|\{\}")
#: A JSON escape of half a surrogate pair (a whole pair decodes to one character).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class ApiRequest:
    """What an in-process upstream (the demo API) is asked."""

    method: str
    path: str
    params: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class ApiResponse:
    """What an in-process upstream answers."""

    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)


Upstream = Callable[[ApiRequest], ApiResponse]

#: Where the demo API pretends to live (never resolved: it is served in process).
DEMO_BASE_URL = "https://demo.cxengage.invalid"


@dataclass(frozen=True)
class ClientConfig:
    base_url: str
    username: str = ""
    password: str = ""
    api_key: str = ""
    api_secret: str = ""
    connect_timeout: float = 3.0
    read_timeout: float = 8.0
    deadline: float = 10.0
    max_attempts: int = 3
    max_retry_after: float = 5.0
    max_body_bytes: int = 10 * 1024 * 1024
    #: Serve requests from this in-process function instead of the network.
    upstream: Upstream | None = None

    @classmethod
    def from_settings(cls, *, demo_upstream: Upstream | None = None) -> ClientConfig:
        """The configuration Django's settings ask for.

        ``DEMO_MODE`` serves ``demo_upstream`` (the built-in demo API) in
        process; otherwise ``CXENGAGE_API_URL``, ``CXENGAGE_CREDENTIALS`` and
        ``CXENGAGE_TIMEOUTS``.
        """
        # Imported here: the client works without Django (bench, scripts, tests).
        from django.conf import settings

        if settings.DEMO_MODE:
            if demo_upstream is None:
                raise ValueError("DEMO_MODE needs the demo API as demo_upstream.")
            return cls(base_url=DEMO_BASE_URL, upstream=demo_upstream)
        base_url = settings.CXENGAGE_API_URL
        if base_url is None:  # settings derive DEMO_MODE from it; only an override splits them
            raise ValueError("CXENGAGE_API_URL is unset while DEMO_MODE is off.")
        credentials: dict[str, Any] = settings.CXENGAGE_CREDENTIALS
        timeouts: dict[str, Any] = settings.CXENGAGE_TIMEOUTS
        return cls(base_url=base_url, **credentials, **timeouts)

    def __repr__(self) -> str:  # never show secrets, not even in a traceback
        return f"ClientConfig(base_url={self.base_url!r}, auth={self.auth_mode!r})"

    @property
    def auth_mode(self) -> str:
        if self.api_key:
            return "token"
        if self.username:
            return "basic"
        return "none"


def _iso_utc(moment: datetime, name: str) -> str:
    """The list endpoint's time format: UTC, milliseconds, a Z."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, not {moment!r}")
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _bounded(value: int, name: str, *, low: int, high: int | None = None) -> int:
    # bool is an int to Python, never a page size to the API.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, not {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"{low}..{high}" if high is not None else f"at least {low}"
        raise ValueError(f"{name} must be {bounds}, not {value}")
    return value


def _mock_transport(upstream: Upstream) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        answer = upstream(
            ApiRequest(
                method=request.method,
                path=request.url.path,
                params=dict(request.url.params),
                headers=dict(request.headers),
                body=request.content,
            )
        )
        return httpx.Response(answer.status, headers=dict(answer.headers), content=answer.body)

    return httpx.MockTransport(handler)


def _retry_after_seconds(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for: 0 to ``MAX_RETRY_AFTER``, or None
    when it says nothing usable (not a number or date, NaN, infinite)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, OverflowError):
            return None
        seconds = when.timestamp() - time.time()
    if math.isnan(seconds) or seconds == math.inf:
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER)


def _error_message(body: bytes) -> str:
    """Pull a human message out of an error body of any shape, or ''."""
    try:
        data: Any = json.loads(body[:65536])
    except (ValueError, RecursionError):
        text = body[:200].decode("utf-8", "replace").strip()
        return text if text and "<" not in text else ""
    if isinstance(data, str):
        return data[:200]
    if isinstance(data, dict):
        for key in ("message", "error", "title"):
            if isinstance(data.get(key), str):
                return str(data[key])[:200]
            if isinstance(data.get(key), dict):
                return _error_message(json.dumps(data[key]).encode())
        errs = data.get("errors")
        if isinstance(errs, list) and errs and isinstance(errs[0], dict):
            return str(errs[0].get("message") or errs[0].get("title") or "")[:200]
    return ""


def _nesting_exceeds(text: str, limit: int) -> bool:
    """Whether the valid JSON ``text`` nests arrays and objects deeper than ``limit``.

    Regular expressions only (no recursion, no Python loop over the body): strings
    are dropped, then the innermost empty pairs, one level a pass.
    """
    brackets = _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text))
    for _ in range(limit):
        if not brackets:
            return False
        brackets = _INNERMOST.sub("", brackets)
    return bool(brackets)


def _without_lone_surrogates(value: Any) -> Any:
    """``value`` with each half surrogate pair replaced by U+FFFD: no page, log, cache
    or database can encode one. Recursive, after the nesting is known to be shallow."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    return value


class _Watchdog:
    """Cuts a response's connection when the call's deadline passes.

    A body trickled slowly never trips httpx's per-read timeout; shutting the
    socket down wakes the blocked read, which the client reports as a timeout.
    """

    def __init__(self, response: httpx.Response, deadline_at: float) -> None:
        self.fired = False
        self._fd: int | None = None
        stream = response.extensions.get("network_stream")
        raw = stream.get_extra_info("socket") if stream is not None else None
        if raw is not None:
            try:
                self._fd = raw.fileno()
            except (OSError, ValueError):
                self._fd = None
        delay = max(0.0, deadline_at - time.monotonic())
        self._timer = threading.Timer(delay, self._cut) if self._fd is not None else None

    def _cut(self) -> None:
        self.fired = True
        if self._fd is None:
            return
        try:
            # A duplicate of the descriptor: shutdown() acts on the connection,
            # and the TLS object in the reading thread is left alone.
            with socket.socket(fileno=os.dup(self._fd)) as dup:
                dup.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def __enter__(self) -> _Watchdog:
        if self._timer is not None:
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()


class CxEngageClient:
    """One pooled HTTP client per process (re-created after a fork)."""

    def __init__(self, config: ClientConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._http: httpx.Client | None = None
        self._pid = 0
        self._token: str | None = None
        self._token_lock = threading.Lock()

    # -- public API ---------------------------------------------------------

    def get_interaction(self, tenant_id: str, interaction_id: str) -> dict[str, Any]:
        path = (
            f"/v1/tenants/{quote(tenant_id, safe='')}/interactions/{quote(interaction_id, safe='')}"
        )
        data = self._get_json(path)
        if not isinstance(data, dict):
            raise errors.BadResponse(
                "The API answered with JSON that is not an object.", path=path, status=200
            )
        return data

    def list_interactions(
        self,
        tenant_id: str,
        *,
        start: datetime,
        end: datetime,
        limit: int,
        offset: int,
        hook_type: str | None = None,
        hook_sub_type: str | None = None,
        hook_id: str | None = None,
        contact_id: str | None = None,
    ) -> dict[str, Any]:
        """One page of ``GET /v1/tenants/{id}/interactions``, as the API sent it.

        ``start`` and ``end`` must be timezone-aware; ``limit`` is 1..1000 (the
        API's own bounds) and ``offset`` at least 0, else ``ValueError`` before
        anything is sent. Filters left as None (or empty) are not sent.
        """
        params = {
            "start": _iso_utc(start, "start"),
            "end": _iso_utc(end, "end"),
            "limit": str(_bounded(limit, "limit", low=1, high=MAX_LIST_LIMIT)),
            "offset": str(_bounded(offset, "offset", low=0)),
        }
        filters = {
            "hookType": hook_type,
            "hookSubType": hook_sub_type,
            "hookId": hook_id,
            "contactId": contact_id,
        }
        params.update({name: value for name, value in filters.items() if value})
        path = f"/v1/tenants/{quote(tenant_id, safe='')}/interactions"
        data = self._get_json(path, params)
        if not isinstance(data, dict):
            raise errors.BadResponse(
                "The API answered with JSON that is not an object.", path=path, status=200
            )
        return data

    # Configuration reads (inferred from the vendor's configuration UI, see
    # cxengage-api-notes.md): answered as sent, for ``index/sla_source.py`` to read
    # whatever shape they come in.

    def get_tenant(self, tenant_id: str) -> Any:
        """``GET /v1/tenants/{id}``: the tenant, with its ``defaultSlaId``."""
        return self._tenant_get(tenant_id)

    def list_slas(self, tenant_id: str) -> Any:
        """``GET /v1/tenants/{id}/slas``."""
        return self._tenant_get(tenant_id, "slas")

    def list_sla_versions(self, tenant_id: str, sla_id: str) -> Any:
        """``GET /v1/tenants/{id}/slas/{slaId}/versions``: thresholds per version."""
        return self._tenant_get(tenant_id, "slas", sla_id, "versions")

    def list_queues(self, tenant_id: str) -> Any:
        """``GET /v1/tenants/{id}/queues``."""
        return self._tenant_get(tenant_id, "queues")

    def list_queue_versions(self, tenant_id: str, queue_id: str) -> Any:
        """``GET /v1/tenants/{id}/queues/{queueId}/versions``: each names its ``slaId``."""
        return self._tenant_get(tenant_id, "queues", queue_id, "versions")

    def close(self) -> None:
        with self._lock:
            if self._http is not None and self._pid == os.getpid():
                self._http.close()
            self._http = None

    # -- plumbing -----------------------------------------------------------

    def _client(self) -> httpx.Client:
        # A client made before gunicorn forked shares sockets with the parent;
        # each process builds its own the first time it needs one.
        pid = os.getpid()
        if self._http is None or self._pid != pid:
            with self._lock:
                if self._http is None or self._pid != pid:
                    cfg = self.config
                    self._http = httpx.Client(
                        base_url=cfg.base_url,
                        follow_redirects=False,
                        timeout=httpx.Timeout(
                            connect=cfg.connect_timeout,
                            read=cfg.read_timeout,
                            write=cfg.read_timeout,
                            pool=cfg.connect_timeout,
                        ),
                        limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
                        transport=_mock_transport(cfg.upstream) if cfg.upstream else None,
                        headers={"Accept": "application/json", "User-Agent": "cxengage-dashboard"},
                    )
                    self._pid = pid
                    self._token = None
        return self._http

    def _auth_headers(self, deadline_at: float, *, rejected: str = "") -> dict[str, str]:
        """The Authorization header; ``rejected`` is one the API just answered 401 to.

        One token for every thread, fetched once and renewed once per rejection: a
        caller fetching a token of its own could end the one the others are using.
        """
        cfg = self.config
        if cfg.auth_mode == "basic":
            pair = f"{cfg.username}:{cfg.password}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
        if cfg.auth_mode == "token":
            with self._token_lock:
                if self._token is None or f"Token {self._token}" == rejected:
                    self._token = self._fetch_token(deadline_at)
                return {"Authorization": f"Token {self._token}"}
        return {}

    def _fetch_token(self, deadline_at: float) -> str:
        path = "/v1/tokens"
        body = {"username": self.config.api_key, "password": self.config.api_secret}
        response, content = self._send("POST", path, None, {}, deadline_at, json_body=body)
        if response.status_code in (400, 401, 403):
            raise errors.AuthenticationFailed(
                "The API refused the dashboard's API key and secret.",
                status=response.status_code,
                path=path,
            )
        self._raise_for_status(response, content, path)
        data = self._decode(content, path)
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise errors.BadResponse("The token answer carried no token.", path=path, status=200)
        return token

    def _tenant_get(self, tenant_id: str, *parts: str) -> Any:
        path = "/".join(
            [f"/v1/tenants/{quote(tenant_id, safe='')}", *(quote(p, safe="") for p in parts)]
        )
        return self._get_json(path)

    def _get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        deadline_at = time.monotonic() + self.config.deadline
        headers = self._auth_headers(deadline_at)
        response, content = self._send("GET", path, params, headers, deadline_at)
        if response.status_code == 401 and self.config.auth_mode == "token":
            log.info("upstream token rejected, renewing once", extra={"upstream_path": path})
            headers = self._auth_headers(deadline_at, rejected=headers["Authorization"])
            response, content = self._send("GET", path, params, headers, deadline_at)
        self._raise_for_status(response, content, path)
        return self._decode(content, path)

    def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str],
        deadline_at: float,
        json_body: Any = None,
    ) -> tuple[httpx.Response, bytes]:
        """One logical request: up to ``max_attempts`` tries within the deadline."""
        cfg = self.config
        attempt = 0
        while True:
            attempt += 1
            remaining = deadline_at - time.monotonic()
            if remaining <= 0:
                raise errors.Timeout("The API did not answer in time.", path=path)
            started = time.monotonic()
            try:
                response, content = self._attempt(
                    method, path, params, headers, json_body, deadline_at, remaining
                )
            except errors.CxEngageError as exc:
                # Raised by _attempt itself: the deadline, the size cap, a body cut short.
                self._log(method, path, None, started, attempt, exc.kind)
                raise
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                # Nothing reached the API: safe to try again.
                self._log(method, path, None, started, attempt, type(exc).__name__)
                if attempt < cfg.max_attempts and self._sleep_before_retry(
                    attempt, None, deadline_at
                ):
                    continue
                if isinstance(exc, httpx.ConnectTimeout):
                    raise errors.Timeout(
                        "The API did not accept a connection in time.", path=path
                    ) from None
                raise errors.ConnectionFailed(
                    "The API could not be reached (connection refused or name not found).",
                    path=path,
                ) from None
            except httpx.TimeoutException:
                # Read, write and pool time-outs.
                self._log(method, path, None, started, attempt, "timeout")
                raise errors.Timeout("The API did not answer in time.", path=path) from None
            except httpx.DecodingError:
                self._log(method, path, None, started, attempt, "undecodable")
                raise errors.BadResponse(
                    "The API's answer could not be decoded.", path=path
                ) from None
            except httpx.TransportError as exc:
                # Reset or broken connection before a whole answer came, a proxy
                # failure, an unusable URL: never retried, since the request may
                # have reached the API.
                self._log(method, path, None, started, attempt, type(exc).__name__)
                raise errors.ConnectionFailed(
                    "The connection to the API broke off.", path=path
                ) from None
            self._log(method, path, response.status_code, started, attempt, "")
            if response.status_code in RETRY_STATUSES and attempt < cfg.max_attempts:
                wait = _retry_after_seconds(response.headers.get("Retry-After"))
                if self._sleep_before_retry(attempt, wait, deadline_at):
                    continue
            return response, content

    def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str],
        json_body: Any,
        deadline_at: float,
        remaining: float,
    ) -> tuple[httpx.Response, bytes]:
        cfg = self.config
        timeout = httpx.Timeout(
            connect=min(cfg.connect_timeout, remaining),
            read=min(cfg.read_timeout, remaining),
            write=min(cfg.read_timeout, remaining),
            pool=min(cfg.connect_timeout, remaining),
        )
        request_id = current_request_id()
        if request_id:  # lets the API's operators find the dashboard request that asked
            headers = {**headers, "X-Request-ID": request_id}
        request = self._client().build_request(
            method, path, params=params, headers=headers, json=json_body, timeout=timeout
        )
        response = self._client().send(request, stream=True)
        try:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > cfg.max_body_bytes:
                raise errors.BadResponse(
                    f"The API's answer is larger than {cfg.max_body_bytes} bytes.",
                    path=path,
                    status=response.status_code,
                )
            chunks: list[bytes] = []
            size = 0
            with _Watchdog(response, deadline_at) as watchdog:
                try:
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > cfg.max_body_bytes:
                            raise errors.BadResponse(
                                f"The API's answer is larger than {cfg.max_body_bytes} bytes.",
                                path=path,
                                status=response.status_code,
                            )
                        chunks.append(chunk)
                except httpx.TransportError as exc:
                    if watchdog.fired:
                        raise errors.Timeout(
                            "The API did not finish its answer in time.", path=path
                        ) from None
                    if isinstance(exc, httpx.RemoteProtocolError):
                        # The connection ended short of the declared length.
                        raise errors.BadResponse(
                            "The API's answer was cut short.",
                            path=path,
                            status=response.status_code,
                        ) from None
                    raise
            if time.monotonic() > deadline_at:
                raise errors.Timeout("The API did not finish its answer in time.", path=path)
        finally:
            response.close()
        return response, b"".join(chunks)

    def _sleep_before_retry(self, attempt: int, wait: float | None, deadline_at: float) -> bool:
        """Sleep before the next attempt; False when that would pass the deadline."""
        if wait is None:
            # Jitter only spreads retries out; nothing here needs to be unpredictable.
            wait = 0.2 * (2 ** (attempt - 1)) * (0.5 + random.random())  # noqa: S311
        wait = min(wait, self.config.max_retry_after)
        if time.monotonic() + wait >= deadline_at:
            return False
        time.sleep(wait)
        return True

    def _raise_for_status(self, response: httpx.Response, content: bytes, path: str) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        detail = self._redacted(_error_message(self._redacted(content)))
        suffix = f" ({detail})" if detail else ""
        if status == 404:
            raise errors.NotFound(f"The API has no such record{suffix}.", status=status, path=path)
        if status == 410:  # Gone: the record was there and is no longer
            raise errors.NotFound(
                f"The API says this record no longer exists{suffix}.", status=status, path=path
            )
        if status == 403:
            raise errors.Forbidden(
                f"The API user may not read this{suffix}.", status=status, path=path
            )
        if status == 401:
            raise errors.AuthenticationFailed(
                f"The API rejected the dashboard's credentials{suffix}.", status=status, path=path
            )
        if status == 429:
            raise errors.RateLimited(
                "The API is rate limiting the dashboard.",
                status=status,
                path=path,
                retry_after=_retry_after_seconds(response.headers.get("Retry-After")),
            )
        if status >= 500:
            raise errors.ServerError(
                f"The API answered {status}{suffix}.", status=status, path=path
            )
        if 300 <= status < 400:
            raise errors.BadResponse(
                f"The API answered with a redirect ({status}), which is not followed.",
                status=status,
                path=path,
            )
        raise errors.BadResponse(f"The API answered {status}{suffix}.", status=status, path=path)

    @overload
    def _redacted(self, said: bytes) -> bytes: ...
    @overload
    def _redacted(self, said: str) -> str: ...
    def _redacted(self, said: bytes | str) -> bytes | str:
        """What the API said, without the dashboard's own secrets should it echo them
        (a proxy's error page quoting the request's headers): it reaches the error page."""
        cfg = self.config
        secrets = [cfg.password, cfg.api_secret, cfg.api_key, self._token or ""]
        if cfg.auth_mode == "basic":
            secrets.append(self._auth_headers(0.0)["Authorization"].removeprefix("Basic "))
        for secret in sorted(filter(None, secrets), key=len, reverse=True):
            if isinstance(said, bytes):
                said = said.replace(secret.encode(), b"[redacted]")
            else:
                said = said.replace(secret, "[redacted]")
        return said

    @staticmethod
    def _decode(content: bytes, path: str) -> Any:
        try:
            text = content.decode(json.detect_encoding(content))
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise errors.BadResponse(
                "The API's answer is not JSON.", status=200, path=path
            ) from None
        if _nesting_exceeds(text, MAX_JSON_DEPTH):
            raise errors.BadResponse(
                f"The API's answer is nested deeper than {MAX_JSON_DEPTH} levels.",
                status=200,
                path=path,
            )
        if _SURROGATE_ESCAPE.search(text):
            data = _without_lone_surrogates(data)
        return data

    def _log(
        self, method: str, path: str, status: int | None, started: float, attempt: int, failure: str
    ) -> None:
        elapsed_ms = round((time.monotonic() - started) * 1000, 1)
        level = (
            logging.WARNING if failure or (status or 0) >= 500 or status == 429 else logging.INFO
        )
        log.log(
            level,
            "upstream %s %s -> %s in %.1f ms (attempt %d)%s",
            method,
            path,
            status if status is not None else failure,
            elapsed_ms,
            attempt,
            f" {failure}" if failure and status is not None else "",
            extra={
                "upstream_method": method,
                "upstream_path": path,
                "upstream_status": status,
                "upstream_elapsed_ms": elapsed_ms,
                "upstream_attempt": attempt,
                "upstream_failure": failure or None,
            },
        )
