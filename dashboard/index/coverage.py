"""Which span of time the index holds completely, per tenant (from the sync cursors).

Readers that may answer from the index (the flagged list, ticket look-ups)
ask this first and fall back to the live API outside it. No API calls.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from .models import SyncState


def covered_range(tenant_id: str) -> tuple[datetime, datetime] | None:
    """``(since, until)``: every interaction of the tenant that started in
    ``since <= start < until`` is in the index, as of the last stored window.

    ``until`` is the forward cursor minus ``INDEX_SYNC_OVERLAP``: data reported
    late may still arrive for the overlap, so it is not promised as complete.
    None before the first window is stored.
    """
    state = SyncState.objects.filter(tenant_id=tenant_id.strip().lower()).first()
    if state is None or state.synced_until is None or state.backfilled_to is None:
        return None
    until = state.synced_until - timedelta(seconds=settings.INDEX_SYNC_OVERLAP)
    since = state.backfilled_to
    return (since, until) if since < until else None
