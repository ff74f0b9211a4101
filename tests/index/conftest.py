"""The stand-in API with a list endpoint that honours start/end (newest first), and helpers
to make interactions that started at a chosen moment."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from dashboard.cxengage import factory
from dashboard.demo.generate import generate_interaction
from dashboard.index.locks import lock_key, tenant_lock
from tests.standin import Behaviour, StandInAPI

LIVE = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"
LIST_KEY = f"GET /v1/tenants/{LIVE}/interactions"
_seeds = itertools.count(1000)


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _iso(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def _shift(value: Any, delta: timedelta) -> Any:
    if isinstance(value, dict):
        return {k: _shift(v, delta) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift(v, delta) for v in value]
    if isinstance(value, str) and len(value) == 24 and value.endswith("Z") and value[10] == "T":
        return _iso(when(value) + delta)
    return value


def body_at(started: datetime, *, segments: int = 2, **changes: Any) -> dict[str, Any]:
    """A generated interaction of the live tenant that started at ``started``."""
    raw = generate_interaction(segments, seed=next(_seeds), tenant_id=LIVE)
    raw = _shift(raw, started - when(raw["startTimestamp"]))
    raw.update(changes)
    return copy.deepcopy(raw)


class WindowedStandIn(StandInAPI):
    """The list endpoint as the API documents it: start <= startTimestamp < end, newest
    first, paged by limit/offset, with the tenant's time zone in the envelope. Can be told
    to fail every list call from the n-th on."""

    def __init__(self) -> None:
        super().__init__()
        self.list_calls = 0
        self.fail_lists_from: int | None = None
        self.failure = Behaviour(status=500)
        #: Replace the list's rows (e.g. strip details); the single endpoint still serves all.
        self.list_row = lambda body: body
        self.extra_rows: list[Any] = []

    def put(self, *bodies: dict[str, Any]) -> None:
        with self.lock:
            for body in bodies:
                self.interactions[(LIVE, str(body["interactionId"]).lower())] = body

    def list_body(self, tenant_id: str, query: dict[str, str]) -> dict[str, Any]:
        start, end = when(query["start"]), when(query["end"])
        with self.lock:
            found = [
                b
                for (t, _), b in self.interactions.items()
                if t == tenant_id and start <= when(b["startTimestamp"]) < end
            ]
        found.sort(key=lambda b: when(b["startTimestamp"]), reverse=True)
        rows = [self.list_row(b) for b in found] + (self.extra_rows if found else [])
        limit, offset = int(query["limit"]), int(query["offset"])
        return {
            "page": offset // limit, "limit": limit, "offset": offset, "total": len(rows),
            "tenantId": tenant_id, "tenantName": "Live", "tenantTimezone": "America/Halifax",
            "results": rows[offset : offset + limit],
        }  # fmt: skip

    def _misbehave(self, handler: BaseHTTPRequestHandler, key: str) -> bool:
        if key == LIST_KEY:
            with self.lock:
                self.list_calls += 1
                if self.fail_lists_from is not None and self.list_calls >= self.fail_lists_from:
                    self.behaviours[key] = [self.failure]
        return super()._misbehave(handler, key)

    def stop_failing(self) -> None:
        with self.lock:
            self.fail_lists_from = None
            self.behaviours.pop(LIST_KEY, None)


@pytest.fixture
def api(settings: Any) -> Iterator[WindowedStandIn]:
    """The stand-in in live mode; the live tenant is the only one to sync."""
    with WindowedStandIn() as server:
        settings.DEMO_MODE = False
        settings.CXENGAGE_API_URL = server.url
        settings.CXENGAGE_CREDENTIALS = {
            "username": "api-user", "password": "pw", "api_key": "", "api_secret": "",
        }  # fmt: skip
        settings.CXENGAGE_TIMEOUTS = {"connect_timeout": 1.0, "read_timeout": 1.0, "deadline": 1.5}
        settings.DASHBOARD_DEFAULT_TENANT = LIVE
        settings.INDEX_SYNC_WINDOW = 3600
        settings.INDEX_SYNC_OVERLAP = 900
        settings.INDEX_SYNC_MAX_CALLS = 1000
        factory.reset_client()
        yield server
        factory.reset_client()


@contextmanager
def lock_held_elsewhere(tenant_id: str) -> Iterator[None]:
    """The tenant's lock, held as another process would hold it."""
    from django.db import connection

    if connection.vendor == "postgresql":
        # Another session: advisory locks are re-entrant within one.
        raw = connection.get_new_connection(connection.get_connection_params())
        cursor = raw.cursor()
        try:
            cursor.execute("SELECT pg_advisory_lock(%s)", [lock_key(tenant_id)])
            yield
        finally:
            # Released at once (a closed session lets go only when the server notices).
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_key(tenant_id)])
            raw.close()
        return
    with tenant_lock(tenant_id) as held:  # another open file: flock treats it as another holder
        assert held
        yield
