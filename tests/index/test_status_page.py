"""The staff page: per tenant lag, last pass, rows, errors and backfill progress; staff only."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dashboard.index.models import SyncState
from dashboard.index.status import sync_status
from tests.index.conftest import LIVE, WindowedStandIn, body_at
from tests.standin import Behaviour

pytestmark = pytest.mark.django_db
URL = "/index/status/"


def row_text(body: str, tenant_id: str) -> str:
    match = re.search(rf'<tr data-tenant="{tenant_id}">(.*?)</tr>', body, re.S)
    assert match, f"no row for {tenant_id}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


@pytest.fixture
def staff(client: Any, django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user("ops", password="pw-for-tests-1", is_staff=True)
    client.force_login(user)
    return client


def test_not_for_users_who_are_not_staff(client: Any, django_user_model: Any) -> None:
    assert client.get(URL).status_code == 302  # signed out: to the sign-in page
    user = django_user_model.objects.create_user("agent", password="pw-for-tests-1")
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 404
    assert "sync status" not in response.content.decode()


def test_shows_lag_last_pass_rows_and_the_error_after_a_failure(
    api: WindowedStandIn, staff: Any
) -> None:
    from dashboard.index import sync

    api.put(*[body_at(datetime.now(UTC) - timedelta(hours=h + 1)) for h in range(4)])
    sync.sync_pass()
    text = row_text(staff.get(URL).content.decode(), LIVE)
    assert re.match(rf"{LIVE} \d+ s complete up to ", text)  # lag in seconds
    assert "4 stored" in text
    assert re.search(r"API calls 4 none now", text)  # rows, then no error

    api.script(f"GET /v1/tenants/{LIVE}/interactions", Behaviour(status=500))
    sync.sync_pass()
    response = staff.get(URL)
    assert response["Cache-Control"] == "no-store"
    text = row_text(response.content.decode(), LIVE)
    assert "server_error 500" in text
    assert "the next pass resumes" in text
    assert "1 in total" in text


def test_a_backfill_under_way_has_a_labelled_progress_bar(staff: Any, settings: Any) -> None:
    settings.DASHBOARD_DEFAULT_TENANT = LIVE
    now = datetime.now(UTC)
    SyncState.objects.create(
        tenant_id=LIVE,
        synced_until=now,
        backfill_from=now - timedelta(days=30),
        backfilled_to=now - timedelta(days=12),
        last_pass_started=now,
    )
    (status,) = sync_status(now)
    assert status.backfill_percent == 40
    body = staff.get(URL).content.decode()
    bar = re.search(r'<progress id="([^"]+)" max="100" value="40">', body)
    assert bar
    assert re.search(rf'<label for="{bar.group(1)}">Backfill to [^<]*: 40 %</label>', body)
    assert "running since" in row_text(body, LIVE)


def test_the_queue_slas_read_from_the_api_are_shown(staff: Any) -> None:
    from dashboard.index.models import ApiSla

    read = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    SyncState.objects.create(tenant_id=LIVE, slas_read_at=read, slas_outcome="read")
    ApiSla.objects.create(
        tenant_id=LIVE, queue_id="q", sla_id="s", threshold_seconds=20, read_at=read
    )
    assert "1 from the API read 2026-11-30 09:00:00" in row_text(
        staff.get(URL).content.decode(), LIVE
    )
    SyncState.objects.filter(tenant_id=LIVE).update(slas_outcome="failed: the API is down")
    text = row_text(staff.get(URL).content.decode(), LIVE)
    assert "API failed: the API is down; 1 kept from the last read" in text


def test_times_are_in_the_viewers_zone_and_the_page_names_it(staff: Any, settings: Any) -> None:
    settings.DASHBOARD_DEFAULT_TENANT = LIVE
    staff.cookies["tz"] = "Asia/Kathmandu"
    finished = datetime(2026, 11, 30, 23, 50, tzinfo=UTC)  # 05:35 the next day in Kathmandu
    SyncState.objects.create(
        tenant_id=LIVE,
        synced_until=finished,
        last_pass_started=finished,
        last_pass_finished=finished,
    )
    body = staff.get(URL).content.decode()
    assert "2026-12-01 05:35:00" in row_text(body, LIVE)
    assert "Times are in Asia/Kathmandu" in html.unescape(re.sub(r"<[^>]+>", "", body))


def test_a_pass_under_way_is_shown_beside_the_last_one_that_finished(
    staff: Any, settings: Any
) -> None:
    settings.DASHBOARD_DEFAULT_TENANT = LIVE
    finished = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    SyncState.objects.create(
        tenant_id=LIVE,
        synced_until=finished,
        last_pass_started=finished + timedelta(minutes=5),
        last_pass_finished=finished,
        last_pass_stored=12,
    )
    text = row_text(staff.get(URL).content.decode(), LIVE)
    assert "2026-11-30 09:00:00 12 stored" in text
    assert "a pass running since 2026-11-30 09:05:00" in text
    SyncState.objects.filter(tenant_id=LIVE).update(
        last_pass_finished=finished + timedelta(minutes=6)
    )
    assert "running since" not in row_text(staff.get(URL).content.decode(), LIVE)
