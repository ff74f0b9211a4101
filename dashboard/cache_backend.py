"""A Redis cache that fails open: when Redis is unreachable or slow, it is a miss.

The cache is an optimisation. ``FailOpenRedisCache`` is Django's ``RedisCache``
whose every operation, when Redis refuses the connection or does not answer
within the socket timeouts, behaves as an empty cache that accepts writes and
keeps nothing:

- reads (``get``, ``get_many``, ``has_key``) miss;
- writes and deletes (``set``, ``set_many``, ``delete``, ``delete_many``,
  ``touch``, ``clear``) do nothing;
- ``add`` answers True, so a single-flight caller proceeds as if it held the
  lock and asks the API itself instead of waiting on a lock nobody can hold;
- ``incr``/``decr`` answer ``delta`` (a counter that was just added at 0), so
  counters built on ``add`` + ``incr`` (the sign-in throttle, the API budget)
  never reach their limits: they fail open.

After a failure a circuit breaker skips Redis entirely for ``retry_seconds``
(no timeout paid per call), then lets one call try again; the first success
closes it, so caching resumes without a restart. The fallback is logged once
per interval (WARNING, naming the server and the error), the recovery once
(INFO). ``cache_is_down()`` tells the staff banner and /readyz.

A server that answers but refuses to serve (full: "OOM command not allowed";
read-only: a replica, or a primary demoted during a failover) fails open the same
way: the dashboard keeps serving from the API, and the log names the error. An
entry this process cannot read back (another version's pickled classes, bytes
another program wrote) is a miss, logged, and never trips the breaker. Any other
Redis error (a bad command) is a bug to see, and is raised as before.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import redis.exceptions
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisSerializer

log = logging.getLogger("dashboard.cache")

T = TypeVar("T")

#: What "Redis is unreachable or slow" looks like from redis-py (refused,
#: reset, DNS, authentication and busy-loading errors are ConnectionErrors).
UNREACHABLE: tuple[type[Exception], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    # It answers, but will not serve: as good as unreachable for a cache.
    redis.exceptions.OutOfMemoryError,  # type: ignore[attr-defined]  # not in the stubs
    redis.exceptions.ReadOnlyError,
)


class UnreadableEntry(Exception):
    """A cached value that does not load in this process (see ``TolerantSerializer``)."""


class TolerantSerializer(RedisSerializer):
    """Django's serializer, but a value that fails to load raises ``UnreadableEntry``
    (the backend makes it a miss) instead of whatever unpickling it raised."""

    def loads(self, data: Any) -> Any:
        try:
            return super().loads(data)
        except Exception as exc:  # any failure to load is an unreadable entry
            raise UnreadableEntry(f"{type(exc).__name__}: {str(exc)[:120]}") from exc


DEFAULT_RETRY_SECONDS = 5.0


class Breaker:
    """One server's state, shared by every thread of the process.

    Django makes a cache backend per thread; the breaker must be per process,
    or each of gunicorn's threads would pay the timeout on its own.
    """

    def __init__(self, name: str, retry_seconds: float) -> None:
        self.name = name
        self.retry_seconds = retry_seconds
        self._lock = threading.Lock()
        self._failed_at: float | None = None  # monotonic; None while Redis answers
        self._down_since: float | None = None
        self._logged_at: float | None = None
        #: The last failure's exception class and message, while down.
        self.last_failure: tuple[str, str] | None = None

    def allow(self) -> bool:
        """Whether to try Redis now: yes while it answers, once per interval while not."""
        with self._lock:
            if self._failed_at is None:
                return True
            now = time.monotonic()
            if now - self._failed_at < self.retry_seconds:
                return False
            # Half-open: this caller tries; the others keep skipping until it knows.
            self._failed_at = now
            return True

    def failed(self, exc: Exception, action: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._failed_at = now
            if self._down_since is None:
                self._down_since = now
            self.last_failure = (type(exc).__name__, str(exc)[:200])
            if self._logged_at is not None and now - self._logged_at < self.retry_seconds:
                return
            self._logged_at = now
        log.warning(
            "cache %s unreachable (%s): %s: %s; serving without it, next try in %g s",
            self.name,
            action,
            type(exc).__name__,
            str(exc)[:200],
            self.retry_seconds,
            extra={"cache": self.name, "failure": type(exc).__name__, "cache_action": action},
        )

    def succeeded(self) -> None:
        if self._failed_at is None:  # the common case: no lock taken
            return
        with self._lock:
            if self._down_since is None:
                return
            down_for = time.monotonic() - self._down_since
            self._failed_at = self._down_since = self._logged_at = None
            self.last_failure = None
        log.info(
            "cache %s reachable again after %.1f s", self.name, down_for, extra={"cache": self.name}
        )

    def is_down(self) -> bool:
        """True from a failure until the next successful call."""
        return self._down_since is not None


_breakers: dict[str, Breaker] = {}
_breakers_lock = threading.Lock()


def _breaker(name: str, retry_seconds: float) -> Breaker:
    with _breakers_lock:
        breaker = _breakers.get(name)
        if breaker is None:
            breaker = _breakers[name] = Breaker(name, retry_seconds)
        breaker.retry_seconds = retry_seconds
        return breaker


def _display(location: str) -> str:
    """The server's URL without its password, fit for a log line."""
    parts = urlsplit(location)
    if parts.password is None and parts.username is None:
        return location
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class FailOpenRedisCache(RedisCache):
    """``RedisCache`` that treats an unreachable Redis as an empty cache (see the module).

    ``OPTIONS["retry_seconds"]`` (default 5) is how long the breaker skips
    Redis after a failure; every other option goes to redis-py as usual (set
    ``socket_connect_timeout`` and ``socket_timeout`` short, so a slow Redis
    is a timeout, not a hang).
    """

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        retry_seconds = float(options.pop("retry_seconds", DEFAULT_RETRY_SECONDS))
        options.setdefault("serializer", TolerantSerializer)
        super().__init__(server, {**params, "OPTIONS": options})
        servers = re.split("[;,]", server) if isinstance(server, str) else server
        name = ",".join(_display(s) for s in servers)
        self.breaker = _breaker(name, retry_seconds)

    def _guard(self, action: str, fallback: T, call: Callable[..., T], *args: Any) -> T:
        if not self.breaker.allow():
            return fallback
        try:
            result = call(*args)
        except UNREACHABLE as exc:
            self.breaker.failed(exc, action)
            return fallback
        except UnreadableEntry as exc:
            log.warning(
                "cache %s: an entry did not load (%s); treated as a miss",
                self.breaker.name,
                exc,
                extra={"cache": self.breaker.name, "cache_action": action},
            )
            return fallback
        self.breaker.succeeded()
        return result

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._guard("add", True, super().add, key, value, timeout, version)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guard("get", default, super().get, key, default, version)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._guard("set", None, super().set, key, value, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard("touch", False, super().touch, key, timeout, version)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guard("delete", False, super().delete, key, version)

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        return self._guard("get_many", {}, super().get_many, list(keys), version)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guard("has_key", False, super().has_key, key, version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        # As if the key had just been added at 0 (add answers True while down),
        # so add-then-incr counters count 1 each time and never reach a limit.
        return self._guard("incr", delta, super().incr, key, delta, version)

    # decr, get_or_set, incr_version and decr_version are BaseCache's, built on
    # the methods above, and so fail open with them; so do the async a* methods.

    def set_many(
        self, data: Mapping[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        # Django's contract: the keys that were not stored.
        return self._guard("set_many", list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        self._guard("delete_many", None, super().delete_many, list(keys), version)

    def clear(self) -> bool:  # type: ignore[override]  # RedisCache's answers FLUSHDB's result
        flush: Callable[[], object] = super().clear
        fallback: object = False
        return bool(self._guard("clear", fallback, flush))


def cache_is_down(alias: str = "default") -> bool:
    """Whether the cache ``alias`` is a fail-open Redis that is failing now."""
    backend = caches[alias]
    return isinstance(backend, FailOpenRedisCache) and backend.breaker.is_down()


def cache_failure(alias: str = "default") -> tuple[str, str] | None:
    """A failing fail-open cache's last error (class name, message); None when it answers."""
    backend = caches[alias]
    if isinstance(backend, FailOpenRedisCache) and backend.breaker.is_down():
        return backend.breaker.last_failure
    return None
