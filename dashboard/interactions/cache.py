"""The shared cache in front of the API, and the per-process render memo.

``fetch_entry`` keeps each interaction's raw JSON in Django's cache (Redis when
configured) with three guarantees: one upstream request per interaction per
cache lifetime (single flight: only one caller at a time asks the API for the
same interaction, the others wait for its answer), a short failure memory (a
failing API is not asked again by every waiting caller), and stale-on-error
(the last good copy is shown, with the reason, while the API fails).

``MEMO`` holds values derived from one copy of the data (parsed objects, page
tables, rendered fragments) so that a process computes each once.
"""

from __future__ import annotations

import logging
import math
import re
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache as shared_cache

from dashboard.cxengage import errors
from dashboard.cxengage.factory import get_client

from .parsing import is_complete, named_ids

log = logging.getLogger("dashboard.interactions")

T = TypeVar("T")

#: Seconds past the API call's deadline (CXENGAGE_DEADLINE, retries included) that a
#: caller waits for another caller's answer, and that the other caller's lock is kept:
#: however long the deadline is configured, the API is asked once at a time.
SINGLE_FLIGHT_MARGIN = 2.0
_LOCK_MARGIN = 5


def _api_deadline() -> float:
    return float(settings.CXENGAGE_TIMEOUTS["deadline"])


@dataclass(frozen=True)
class Entry:
    """One interaction's JSON as the cache gave it, and where it came from."""

    raw: dict[str, Any]
    fetched_at: datetime
    outcome: str  # hit, miss, wait, stale
    #: Set when the API failed and this is the last good copy: what failed.
    stale_reason: str = ""


def interaction_key(tenant_id: str, interaction_id: str) -> str:
    return f"interaction:v1:{tenant_id}:{interaction_id}"


def is_cached(tenant_id: str, interaction_id: str) -> bool:
    return _read(interaction_key(tenant_id, interaction_id)) is not None


def _read(key: str) -> dict[str, Any] | None:
    """What the cache holds under ``key``, if it is an entry this code wrote; anything
    else (another deploy's shape, another program's value) is a miss, and logged."""
    stored = shared_cache.get(key)
    if stored is None or _well_formed(stored):
        return stored
    log.warning(
        "cache entry %s is not in a shape this version reads (%s); asking again",
        key,
        type(stored).__name__,
        extra={"cache_key": key},
    )
    return None


def _well_formed(stored: Any) -> bool:
    if not isinstance(stored, dict):
        return False
    fetched_at = stored.get("fetched_at")
    if not isinstance(fetched_at, int | float) or not math.isfinite(fetched_at):
        return False
    if "failure" in stored:
        failure = stored["failure"]
        return (
            isinstance(failure, dict)
            and isinstance(failure.get("kind"), str)
            and isinstance(failure.get("message"), str)
        )
    if "not_found" in stored:
        return isinstance(stored["not_found"], str)
    return isinstance(stored.get("raw"), dict)


def fetch_entry(tenant_id: str, interaction_id: str) -> Entry:
    """The interaction's JSON from the cache or, once, from the API.

    Raises the project's error when the API failed and no good copy is kept.
    """
    key = interaction_key(tenant_id, interaction_id)
    stored = _read(key)
    outcome = "hit"
    if stored is None:
        lock_key = key + ":lock"
        if shared_cache.add(lock_key, 1, math.ceil(_api_deadline()) + _LOCK_MARGIN):
            try:
                stored = _fetch_and_store(key, tenant_id, interaction_id)
                outcome = "miss"
            finally:
                shared_cache.delete(lock_key)
        else:
            stored = _wait_for(key, lock_key)
            outcome = "wait"
            if stored is None:  # the other caller gave up; ask ourselves
                stored = _fetch_and_store(key, tenant_id, interaction_id)
                outcome = "miss"
    stale_reason = ""
    if "failure" in stored:
        # The API failed just now (for us or for the caller we waited on):
        # show the last good copy if there is one, else say what failed.
        failure = stored["failure"]
        stale = _read(key + ":stale")
        if stale is None or "raw" not in stale:
            _log_outcome(tenant_id, interaction_id, outcome + "+error")
            status, wait = failure.get("status"), failure.get("retry_after")
            raise errors.from_kind(
                failure["kind"],
                failure["message"],
                status=status if isinstance(status, int) else None,
                path=str(failure.get("path") or ""),
                retry_after=wait if isinstance(wait, int | float) and math.isfinite(wait) else None,
            )
        stored, outcome, stale_reason = stale, "stale", failure["message"]
    _log_outcome(tenant_id, interaction_id, outcome)
    if "not_found" in stored:
        raise errors.NotFound(stored["not_found"], status=404)
    return Entry(
        raw=stored["raw"],
        fetched_at=datetime.fromtimestamp(stored["fetched_at"], UTC),
        outcome=outcome,
        stale_reason=stale_reason,
    )


def _log_outcome(tenant_id: str, interaction_id: str, outcome: str) -> None:
    log.info(
        "interaction %s/%s cache %s",
        tenant_id,
        interaction_id,
        outcome,
        extra={"cache_outcome": outcome, "tenant_id": tenant_id, "interaction_id": interaction_id},
    )


def _check_identity(raw: dict[str, Any], tenant_id: str, interaction_id: str) -> None:
    """The API's answer must be for what was asked, where it says what it is for."""
    tenant, interaction = named_ids(raw)
    if (tenant is not None and tenant != tenant_id) or (
        interaction is not None and interaction != interaction_id
    ):
        raise errors.WrongInteraction(
            f"The API answered for tenant {_as_named(tenant)}, interaction "
            f"{_as_named(interaction)} when asked for {tenant_id}/{interaction_id}.",
            status=200,
            path=f"/v1/tenants/{tenant_id}/interactions/{interaction_id}",
        )


_PLAIN_ID = re.compile(r"[0-9a-z-]{1,80}").fullmatch


def _as_named(value: str | None) -> str:
    """An ID the answer named, for the log: on one line (it could forge others) and short."""
    if value is None:
        return "(not named)"
    if _PLAIN_ID(value):
        return value
    return repr(value[:80]) + ("…" if len(value) > 80 else "")


def _fetch_and_store(key: str, tenant_id: str, interaction_id: str) -> dict[str, Any]:
    try:
        raw = get_client().get_interaction(tenant_id, interaction_id)
        _check_identity(raw, tenant_id, interaction_id)
    except errors.NotFound as exc:
        stored: dict[str, Any] = {"not_found": exc.message, "fetched_at": time.time()}
        shared_cache.set(key, stored, settings.CACHE_TTL_NOT_FOUND)
        return stored
    except errors.WrongInteraction as exc:
        # Never kept under the asked key, not even as a failure: the next
        # request asks again.
        log.error(
            "the API answered for another interaction: %s",
            exc.message,
            extra={"failure": exc.kind, "upstream_path": exc.path},
        )
        raise
    except errors.CxEngageError as exc:
        # Remember the failure briefly, so that waiting callers and the next
        # few requests do not each spend the deadline on a failing API.
        stored = {"failure": exc.as_dict(), "fetched_at": time.time()}
        shared_cache.set(key, stored, settings.CACHE_TTL_ERROR)
        return stored
    stored = {"raw": raw, "fetched_at": time.time()}
    ttl = settings.CACHE_TTL_COMPLETE if is_complete(raw) else settings.CACHE_TTL_IN_PROGRESS
    shared_cache.set(key, stored, ttl)
    shared_cache.set(key + ":stale", stored, settings.CACHE_TTL_STALE)
    return stored


def _wait_for(key: str, lock_key: str) -> dict[str, Any] | None:
    waited_until = time.monotonic() + _api_deadline() + SINGLE_FLIGHT_MARGIN
    delay = 0.02
    while time.monotonic() < waited_until:
        time.sleep(delay)
        stored = _read(key)
        if stored is not None:
            return stored
        if shared_cache.get(lock_key) is None:
            return _read(key)
        delay = min(delay * 1.5, 0.2)
    return None


# -- the render memo -----------------------------------------------------------


def _size(value: object) -> int:
    """A cheap estimate of what ``value`` costs to keep, in bytes."""
    if isinstance(value, str):
        return len(value) + 64
    return sys.getsizeof(value) + 4096  # parsed objects: their containers count


class Memo:
    """A per-process LRU of values derived from one copy of the data.

    Parsing, the timeline, the page's tables and the rendered fragments are
    pure functions of the cached JSON; a process computes them once per copy
    instead of per request (every partial and every poll of a page asks for
    the same copy).

    - One computation per key: callers that ask for a key being computed wait
      for it instead of computing it again (a big interaction's first render
      takes a second; it must not run once per concurrent request).
    - Bounded in bytes, and each copy of the data may hold at most
      ``variants`` values of one kind (focus and zoom make endless variants of
      a fragment; they must not push every other interaction out).
    """

    def __init__(self, *, max_bytes: int, variants: int) -> None:
        self._max_bytes = max_bytes
        self._variants = variants
        self._data: OrderedDict[tuple[Hashable, ...], tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._per_group: dict[tuple[Hashable, ...], int] = {}
        self._groups_of: dict[tuple[Hashable, ...], tuple[Hashable, ...]] = {}
        self._lock = threading.Lock()
        self._computing: dict[tuple[Hashable, ...], threading.Event] = {}

    def get(
        self, key: tuple[Hashable, ...], make: Callable[[], T], *, group: tuple[Hashable, ...] = ()
    ) -> T:
        """The value for ``key``; ``group`` names the copy and kind that its variants share."""
        while True:
            with self._lock:
                if key in self._data:
                    self._data.move_to_end(key)
                    value: T = self._data[key][0]
                    return value
                pending = self._computing.get(key)
                if pending is None:
                    pending = self._computing[key] = threading.Event()
                    break
            pending.wait(timeout=30)
        try:
            value = make()
            self._store(key, group, value)
            return value
        finally:
            with self._lock:
                self._computing.pop(key, None)
            pending.set()

    def _store(self, key: tuple[Hashable, ...], group: tuple[Hashable, ...], value: Any) -> None:
        size = _size(value)
        with self._lock:
            if size > self._max_bytes:
                return
            if group and self._per_group.get(group, 0) >= self._variants:
                return  # computed for this request, not kept
            self._data[key] = (value, size)
            self._bytes += size
            if group:
                self._per_group[group] = self._per_group.get(group, 0) + 1
            self._groups_of[key] = group
            while self._bytes > self._max_bytes and self._data:
                old_key, (_, old_size) = self._data.popitem(last=False)
                self._bytes -= old_size
                old_group = self._groups_of.pop(old_key, ())
                if old_group:
                    left = self._per_group.get(old_group, 1) - 1
                    if left:
                        self._per_group[old_group] = left
                    else:
                        self._per_group.pop(old_group, None)

    def __len__(self) -> int:
        return len(self._data)

    @property
    def bytes(self) -> int:
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._per_group.clear()
            self._groups_of.clear()
            self._bytes = 0


MEMO = Memo(max_bytes=64 * 1024 * 1024, variants=16)
