"""Sign-in throttling against password guessing.

After ``LOGIN_FAILURE_LIMIT`` failed sign-ins for one user name, or from one
client address, within ``LOGIN_LOCKOUT_SECONDS``, further sign-ins for that
user name or from that address are refused for ``LOGIN_LOCKOUT_SECONDS``.

Counters and locks live in Django's cache, so replicas sharing Redis share
them; with the local-memory cache each process counts on its own. Keys hold a
hash of the user name or address, never the name itself. Nothing here ever
sees a password.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

log = logging.getLogger("dashboard.accounts")


@dataclass(frozen=True)
class Lockout:
    until: float  # epoch seconds

    @property
    def seconds_left(self) -> int:
        return max(1, math.ceil(self.until - time.time()))

    @property
    def minutes_left(self) -> int:
        return max(1, math.ceil(self.seconds_left / 60))


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or as seen by the outermost trusted proxy.

    ``X-Forwarded-For`` is only believed for the ``TRUSTED_PROXY_COUNT`` hops
    our own proxies appended; entries further left are the client's to forge.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops][:64]
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _subjects(request: HttpRequest, username: str | None) -> list[tuple[str, str]]:
    subjects = [("ip", client_ip(request))]
    if username:
        subjects.append(("user", username.strip().casefold()))
    return subjects


def _key(kind: str, subject: str, what: str) -> str:
    digest = hashlib.sha256(subject.encode("utf-8", "replace")).hexdigest()[:32]
    return f"signin:v1:{what}:{kind}:{digest}"


def _cache_down(exc: Exception, action: str) -> None:
    # Sign-in keeps working without the cache; the operator sees why throttling paused.
    log.error(
        "sign-in throttle unavailable (%s): %s: %s",
        action,
        type(exc).__name__,
        exc,
        extra={"signin": "throttle-unavailable"},
    )


def check(request: HttpRequest, username: str | None) -> Lockout | None:
    """The lockout in force for this user name or this address, if any (logged)."""
    keys = [_key(kind, subject, "lock") for kind, subject in _subjects(request, username)]
    try:
        found = cache.get_many(keys)
    except Exception as exc:
        _cache_down(exc, "check")
        return None
    untils = [v for v in found.values() if isinstance(v, (int, float))]
    now = time.time()
    if not untils or max(untils) <= now:
        return None
    lockout = Lockout(max(untils))
    log.warning(
        "sign-in refused: locked out for %d s more",
        lockout.seconds_left,
        extra={"username": username or "", "client_ip": client_ip(request), "signin": "refused"},
    )
    return lockout


def record_failure(request: HttpRequest, username: str | None) -> None:
    """Count a failed sign-in against the user name and the address; lock at the limit."""
    try:
        _record_failure(request, username)
    except Exception as exc:
        _cache_down(exc, "count")


def _record_failure(request: HttpRequest, username: str | None) -> None:
    limit = settings.LOGIN_FAILURE_LIMIT
    period = settings.LOGIN_LOCKOUT_SECONDS
    counts: dict[str, int] = {}
    for kind, subject in _subjects(request, username):
        key = _key(kind, subject, "failures")
        cache.add(key, 0, period)  # the window opens at the first failure
        try:
            counts[kind] = cache.incr(key)
        except ValueError:  # the window closed between add and incr
            cache.set(key, 1, period)
            counts[kind] = 1
        # add, not set: attempts during a lockout do not extend it.
        if counts[kind] >= limit and cache.add(
            _key(kind, subject, "lock"), time.time() + period, period
        ):
            log.warning(
                "sign-in locked for %d s after %d failures by %s",
                period,
                counts[kind],
                "user name" if kind == "user" else "address",
                extra={
                    "username": username or "",
                    "client_ip": client_ip(request),
                    "signin": "locked",
                },
            )
    log.warning(
        "sign-in failed (%d for this user name, %d from this address)",
        counts.get("user", 0),
        counts["ip"],
        extra={"username": username or "", "client_ip": client_ip(request), "signin": "failed"},
    )


def record_success(request: HttpRequest, username: str) -> None:
    """Forget the user name's failures.

    The address's count is kept: otherwise anyone with one valid account could
    reset it between guesses at other people's passwords.
    """
    try:
        cache.delete(_key("user", username.strip().casefold(), "failures"))
    except Exception as exc:
        _cache_down(exc, "reset")


def unlock(*, username: str | None = None, address: str | None = None) -> int:
    """Lift the lockout of a user name and/or an address and forget their failures.

    For the operator (``manage.py unlock_signin``) when a real person is locked
    out; returns how many counters and locks were removed.
    """
    subjects = []
    if username:
        subjects.append(("user", username.strip().casefold()))
    if address:
        subjects.append(("ip", address.strip()))
    keys = [
        _key(kind, subject, what) for kind, subject in subjects for what in ("lock", "failures")
    ]
    removed = sum(1 for key in keys if cache.delete(key))
    log.warning(
        "sign-in unlocked by an operator (%d entries removed)",
        removed,
        extra={"username": username or "", "client_ip": address or "", "signin": "unlocked"},
    )
    return removed
