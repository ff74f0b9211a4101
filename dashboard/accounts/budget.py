"""Each user's budget of API list-endpoint pages per minute.

A flagged list or a ticket search reads the list endpoint a page at a time;
one person scripting the dashboard (or holding down reload) could spend the
whole tenant's API rate limit. ``spend_list_scan(user)`` counts one page
request against the user and raises ``BudgetExceeded`` past
``API_BUDGET_LIST_PAGES_PER_MINUTE`` (generous for a reviewer at a normal
pace); the caller answers 429 with ``Retry-After``.

Counts live in Django's cache under fixed one-minute windows, so replicas
sharing Redis share them. The budget fails open: with Redis unreachable the
cache (dashboard/cache_backend.py) remembers nothing and every count is 1, so
nobody is refused while the cache is down. Keys hold the user's primary key,
never the name; the name goes to the log when a budget runs out.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger("dashboard.accounts")

WINDOW_SECONDS = 60


class BudgetExceeded(Exception):
    """The user spent this minute's list pages; ``retry_after`` seconds until the next."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"API budget spent; try again in {retry_after} s")
        self.retry_after = retry_after


def _key(user: Any, window: int) -> str:
    return f"budget:v1:list-pages:{user.pk}:{window}"


def spend_list_scan(user: Any) -> None:
    """Count one list-endpoint page request for ``user``.

    Raises ``BudgetExceeded`` past the limit.
    """
    limit: int = settings.API_BUDGET_LIST_PAGES_PER_MINUTE
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = _key(user, window)
    # Kept a little past its minute so a slow clock between replicas does not reopen it.
    cache.add(key, 0, WINDOW_SECONDS + 30)
    try:
        spent = cache.incr(key)
    except ValueError:  # evicted (or expired) between add and incr
        cache.set(key, 1, WINDOW_SECONDS + 30)
        spent = 1
    if spent <= limit:
        return
    retry_after = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
    if spent == limit + 1:  # once a window per user: the log says who, not every refusal
        log.warning(
            "API budget spent: %s asked for more than %d list pages this minute; refused for %d s",
            user.get_username(),
            limit,
            retry_after,
            extra={"username": user.get_username(), "budget": "list-pages", "limit": limit},
        )
    raise BudgetExceeded(retry_after)
