"""What an interaction page shows from the index beside the API's data: the
typical-vs-this panel and the customer's count of recent interactions.

Both change only when the sync stores a pass, so they are read once per pass
(the ``index_stamp``) and kept in the shared cache: a big interaction's panel
compares every queue visit and agent leg, hundreds of aggregate queries that
no repeat view should pay again. The "last 7 days" they compare against moves
by at most ``PAGE_EXTRAS_TTL`` while kept.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache

from .journey import recent_count_of
from .models import IndexedInteraction
from .typical import Panel, panel_of

#: Seconds a page's figures from the index are kept, at most (a new pass replaces them sooner).
PAGE_EXTRAS_TTL = 300


@dataclass(frozen=True)
class FromIndex:
    """The index's part of one interaction's page; both None when it is not indexed."""

    typical: Panel | None = None
    journey_count: int | None = None


def for_page(tenant_id: str, interaction_id: str, *, now: datetime, stamp: str) -> FromIndex:
    """The panel and the journey count for the index as of ``stamp`` (``index_stamp``)."""
    digest = hashlib.sha256(repr((tenant_id, interaction_id, stamp)).encode()).hexdigest()[:32]
    key = f"index-page:{digest}"
    found = cache.get(key)
    if isinstance(found, FromIndex):
        return found
    row = IndexedInteraction.objects.filter(
        tenant_id=tenant_id, interaction_id=interaction_id
    ).first()
    got = (
        FromIndex()
        if row is None
        else FromIndex(panel_of(row, now=now), recent_count_of(row, now=now))
    )
    cache.set(key, got, PAGE_EXTRAS_TTL)
    return got
