"""A flag (or a late end) that arrives hours after an interaction was stored complete:
every INDEX_SYNC_LATE_EVERY a pass lists the last INDEX_SYNC_LATE_HOURS again, so the
index, and the flagged list it answers, learn of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dashboard.index import sync
from dashboard.index.models import IndexedInteraction, SyncState
from tests.index.conftest import LIVE, WindowedStandIn, body_at

pytestmark = pytest.mark.django_db


def _row(raw: dict[str, Any]) -> IndexedInteraction:
    return IndexedInteraction.objects.get(interaction_id=str(raw["interactionId"]).lower())


def _flag_later(api: WindowedStandIn, raw: dict[str, Any]) -> None:
    api.put({**raw, "flagged": True, "flagType": "agent"})


def test_a_flag_that_arrives_hours_later_reaches_the_index(api: WindowedStandIn) -> None:
    start = datetime.now(UTC)
    done = body_at(start - timedelta(hours=3), flagged=False)
    done.pop("flagType", None)
    api.put(done)
    sync.sync_pass(now=start)
    assert _row(done).flagged is False
    swept = SyncState.objects.get(tenant_id=LIVE).late_swept_at
    assert swept is not None  # the first pass starts the clock; its backfill read it all

    _flag_later(api, done)
    sync.sync_pass(now=start + timedelta(minutes=5))  # not due yet: the overlap only
    assert _row(done).flagged is False

    before = api.list_calls
    (report,) = sync.sync_pass(now=start + timedelta(hours=2))
    assert report.error == ""
    assert _row(done).flagged is True
    # The last 24 h below the forward pass's part, in windows of INDEX_SYNC_WINDOW: a
    # bounded number of list pages, not the whole index.
    assert api.list_calls - before <= 24 + 3
    assert SyncState.objects.get(tenant_id=LIVE).late_swept_at == start + timedelta(hours=2)


def test_no_sweep_when_turned_off_and_nothing_older_than_its_hours(
    api: WindowedStandIn, settings: Any
) -> None:
    start = datetime.now(UTC)
    old = body_at(start - timedelta(hours=30), flagged=False)
    recent = body_at(start - timedelta(hours=3), flagged=False)
    api.put(old, recent)
    sync.sync_pass(now=start, since=timedelta(days=2))
    _flag_later(api, old)
    _flag_later(api, recent)
    settings.INDEX_SYNC_LATE_HOURS = 0
    sync.sync_pass(now=start + timedelta(hours=2))
    assert _row(recent).flagged is False and _row(old).flagged is False
    settings.INDEX_SYNC_LATE_HOURS = 24
    sync.sync_pass(now=start + timedelta(hours=3))
    assert _row(recent).flagged is True
    assert _row(old).flagged is False  # 33 h before the pass: outside the 24 h swept
