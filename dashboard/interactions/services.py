"""What views call: fetch an interaction (through the cache), parse it, build it.

One upstream request per interaction per cache lifetime, however many partials
or polls ask: every caller goes through ``fetch_interaction``, which keeps the
raw JSON in Django's cache (Redis when configured) and lets only one caller at a
time ask the API for the same interaction (single flight).
"""

from __future__ import annotations

import logging
import contextvars
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from collections import OrderedDict
from collections.abc import Callable
import time
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache

from dashboard.cxengage import errors, factory
from dashboard.cxengage.client import ClientConfig, CxEngageClient

from .domain import Interaction
from .parsing import is_complete, parse_interaction

log = logging.getLogger("dashboard.interactions")

#: How long a caller waits for another caller's in-flight upstream request.
SINGLE_FLIGHT_WAIT = 12.0
_LOCK_TTL = 15


def get_client() -> CxEngageClient:
    """The process's one client (see ``dashboard.cxengage.factory``)."""
    return factory.get_client()


def reset_client() -> None:
    """Forget the client (tests that change settings call this)."""
    factory.reset_client()


def client_config() -> ClientConfig:
    """The client configuration the settings ask for."""
    return ClientConfig.from_settings()


def normalise_uuid(value: str) -> str | None:
    """The canonical lower-case form of a UUID, or None when it is not one."""
    try:
        parsed = uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return None
    canonical = str(parsed)
    # uuid.UUID accepts braces, "urn:uuid:" and no hyphens; links use one form.
    return canonical if value.lower() == canonical else None


@dataclass(frozen=True)
class Fetched:
    """An interaction as the page needs it, with where it came from."""

    interaction: Interaction
    raw: dict[str, Any]
    fetched_at: datetime
    cache_outcome: str  # hit, miss, wait, stale
    #: Set when the API failed and this is the last good copy: what failed.
    stale_reason: str = ""
    #: Names this copy of the data (and its masking) for the render memo.
    version: tuple[Any, ...] = ()


def _key(tenant_id: str, interaction_id: str) -> str:
    return f"interaction:v1:{tenant_id}:{interaction_id}"


def fetch_raw(tenant_id: str, interaction_id: str) -> tuple[dict[str, Any], datetime, str]:
    """The interaction's JSON from the cache or, once, from the API."""
    fetched = _fetch_entry(tenant_id, interaction_id)
    return fetched.raw, fetched.fetched_at, fetched.cache_outcome


def _fetch_entry(tenant_id: str, interaction_id: str) -> Fetched:
    """Cache, single flight, and stale-on-error around one upstream request."""
    key = _key(tenant_id, interaction_id)
    entry = cache.get(key)
    outcome = "hit"
    if entry is None:
        lock_key = key + ":lock"
        if cache.add(lock_key, 1, _LOCK_TTL):
            try:
                entry = _fetch_and_store(key, tenant_id, interaction_id)
                outcome = "miss"
            finally:
                cache.delete(lock_key)
        else:
            entry = _wait_for(key, lock_key)
            outcome = "wait"
            if entry is None:  # the other caller gave up; ask ourselves
                entry = _fetch_and_store(key, tenant_id, interaction_id)
                outcome = "miss"
    stale_reason = ""
    if "failure" in entry:
        # The API failed just now (for us or for the caller we waited on):
        # show the last good copy if there is one, else say what failed.
        failure = entry["failure"]
        stale = cache.get(key + ":stale")
        if stale is None:
            _log_outcome(tenant_id, interaction_id, outcome + "+error")
            raise errors.from_kind(**failure)
        entry, outcome, stale_reason = stale, "stale", failure["message"]
    _log_outcome(tenant_id, interaction_id, outcome)
    if "not_found" in entry:
        raise errors.NotFound(entry["not_found"], status=404)
    return Fetched(
        interaction=None,  # type: ignore[arg-type]  # parsed by the caller that needs it
        raw=entry["raw"],
        fetched_at=datetime.fromtimestamp(entry["fetched_at"], UTC),
        cache_outcome=outcome,
        stale_reason=stale_reason,
    )


def _log_outcome(tenant_id: str, interaction_id: str, outcome: str) -> None:
    log.info(
        "interaction %s/%s cache %s", tenant_id, interaction_id, outcome,
        extra={"cache_outcome": outcome, "tenant_id": tenant_id, "interaction_id": interaction_id},
    )


def _fetch_and_store(key: str, tenant_id: str, interaction_id: str) -> dict[str, Any]:
    try:
        raw = get_client().get_interaction(tenant_id, interaction_id)
    except errors.NotFound as exc:
        entry: dict[str, Any] = {"not_found": exc.message, "fetched_at": time.time()}
        cache.set(key, entry, settings.CACHE_TTL_NOT_FOUND)
        return entry
    except errors.CxEngageError as exc:
        # Remember the failure briefly, so that waiting callers and the next
        # few requests do not each spend the deadline on a failing API.
        entry = {"failure": exc.as_dict(), "fetched_at": time.time()}
        cache.set(key, entry, settings.CACHE_TTL_ERROR)
        return entry
    entry = {"raw": raw, "fetched_at": time.time()}
    ttl = settings.CACHE_TTL_COMPLETE if is_complete(raw) else settings.CACHE_TTL_IN_PROGRESS
    cache.set(key, entry, ttl)
    cache.set(key + ":stale", entry, settings.CACHE_TTL_STALE)
    return entry


def _wait_for(key: str, lock_key: str) -> dict[str, Any] | None:
    waited_until = time.monotonic() + SINGLE_FLIGHT_WAIT
    delay = 0.02
    while time.monotonic() < waited_until:
        time.sleep(delay)
        entry = cache.get(key)
        if entry is not None:
            return entry
        if cache.get(lock_key) is None:
            return cache.get(key)
        delay = min(delay * 1.5, 0.2)
    return None


class _Memo:
    """A small per-process LRU of values derived from one copy of the data.

    Parsing, the timeline and the page's tables are pure functions of the
    cached JSON; a process computes them once per copy instead of per request
    (every partial and every poll of a page asks for the same copy).
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._data: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = make()
        with self._lock:
            self._data[key] = value
            while len(self._data) > self._size:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


MEMO = _Memo(64)


def get_interaction(tenant_id: str, interaction_id: str) -> Fetched:
    fetched = _fetch_entry(tenant_id, interaction_id)
    version = (tenant_id, interaction_id, fetched.fetched_at.timestamp())
    interaction = MEMO.get(("parsed", *version), lambda: parse_interaction(fetched.raw))
    return replace(fetched, interaction=interaction, version=version)


_pool: tuple[int, ThreadPoolExecutor] | None = None


def _prefetch_pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None or _pool[0] != os.getpid():  # a pool does not survive a fork
        _pool = (os.getpid(), ThreadPoolExecutor(max_workers=8, thread_name_prefix="prefetch"))
    return _pool[1]


def get_interaction_within(tenant_id: str, interaction_id: str, wait: float) -> Fetched | None:
    """The interaction if it can be had within ``wait`` seconds, else None.

    The fetch goes on in the background and fills the cache, so the page can
    show its frame at once and load the rest with the next request (which joins
    the same single-flight fetch).
    """
    if cache.get(_key(tenant_id, interaction_id)) is not None:
        return get_interaction(tenant_id, interaction_id)
    # The request's context (its request ID, for logs and the upstream header) goes along.
    future = _prefetch_pool().submit(contextvars.copy_context().run, get_interaction, tenant_id, interaction_id)
    try:
        return future.result(timeout=wait)
    except FutureTimeout:
        return None


def memo(fetched: Fetched, what: str, *args: Any, make: Callable[[], Any]) -> Any:
    """A value derived from ``fetched`` (and ``args``), computed once per copy and process."""
    if not fetched.version:
        return make()
    return MEMO.get((what, *fetched.version, fetched.interaction.redacted, *args), make)


def for_viewer(fetched: Fetched, user: Any) -> Fetched:
    """The same interaction with contact details masked unless ``user`` may see them."""
    from dashboard.accounts.access import can_see_contact_details

    from .masking import HIDDEN, mask, mask_interaction
    from .parsing import mask_raw

    if can_see_contact_details(user):
        return fetched
    return Fetched(
        memo(fetched, "masked", make=lambda: mask_interaction(fetched.interaction)),
        memo(fetched, "masked-raw", make=lambda: mask_raw(fetched.raw, mask, HIDDEN)),
        fetched.fetched_at, fetched.cache_outcome, fetched.stale_reason, fetched.version,
    )
