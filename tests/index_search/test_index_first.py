"""The flagged list and ticket look-ups read the index first, fall back to the
live list endpoint for what the index has not covered, and say which they used."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx
from django.utils import timezone

from dashboard.accounts.models import TenantGrant
from dashboard.index.models import SyncState
from tests.conftest import LIVE_API, allow_contact_details

from .rows import OTHER, index_row, synced

pytestmark = pytest.mark.django_db

LIVE = OTHER
LIST = f"{LIVE_API}/v1/tenants/{LIVE}/interactions"
FLAGGED = f"/tenants/{LIVE}/flagged/"


def z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def body(n: int, start: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "tenantId": LIVE,
        "interactionId": f"00000000-0000-4000-8000-{n:012d}",
        "startTimestamp": z(start),
        "endTimestamp": z(start + timedelta(minutes=5)),
        "channelType": "voice",
        "direction": "inbound",
        "flowName": "Live flow",
        "customer": "+15065550199",
        "flagged": True,
        "flagType": "live-flag",
        **extra,
    }


def envelope(results: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "page": 0,
        "limit": 1000,
        "offset": 0,
        "total": len(results),
        "tenantId": LIVE,
        "results": results,
    }


@pytest.fixture
def viewer(client: Any, django_user_model: Any, live_mode: str) -> Any:
    user = django_user_model.objects.create_user("lister", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=LIVE)
    client.force_login(allow_contact_details(user))
    return client


@pytest.fixture
def api() -> Iterator[respx.Route]:
    now = timezone.now()
    with respx.mock(assert_all_called=False) as mock:
        yield mock.get(LIST).mock(
            return_value=httpx.Response(200, json=envelope([body(1, now - timedelta(days=5))]))
        )


def page_text(response: Any) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def test_without_sync_state_the_list_is_live_and_says_so(viewer: Any, api: respx.Route) -> None:
    response = viewer.get(FLAGGED, {"range": "7d"})
    assert api.called
    assert "Read live from the API." in page_text(response)
    assert "00000000-0000-4000-8000-000000000001" in response.content.decode()


def test_a_covered_range_is_read_from_the_index_without_asking_the_api(
    viewer: Any, api: respx.Route
) -> None:
    now = timezone.now()
    synced(LIVE, ago=timedelta(minutes=2))
    flagged = index_row(
        tenant=LIVE, start=now - timedelta(hours=3), flagged=True, flag_type="idx-flag"
    )
    calm = index_row(tenant=LIVE, start=now - timedelta(hours=2))
    response = viewer.get(FLAGGED, {"range": "24h"})
    assert not api.called
    body_text = response.content.decode()
    assert flagged.interaction_id in body_text
    assert calm.interaction_id not in body_text
    assert "idx-flag" in body_text
    assert "Read from the index, synced 2 minutes ago." in page_text(response)


def test_the_part_the_index_has_not_covered_is_scanned_live(viewer: Any, api: respx.Route) -> None:
    now = timezone.now()
    synced(LIVE, back=timedelta(days=3))
    from_index = index_row(
        tenant=LIVE, start=now - timedelta(days=1), flagged=True, flag_type="idx-flag"
    )
    response = viewer.get(FLAGGED, {"range": "7d"})
    assert api.call_count == 1
    asked = api.calls.last.request.url.params
    # Only the uncovered part is asked for: from the range's start to where the backfill got.
    assert datetime.fromisoformat(asked["end"].replace("Z", "+00:00")) <= now - timedelta(
        days=3
    ) + timedelta(seconds=1)
    content = response.content.decode()
    assert from_index.interaction_id in content
    assert "00000000-0000-4000-8000-000000000001" in content
    assert "live from the API for the part it has not covered yet" in page_text(response)


def test_a_stale_index_is_topped_up_live(viewer: Any, api: respx.Route) -> None:
    synced(LIVE, ago=timedelta(hours=3))
    viewer.get(FLAGGED, {"range": "24h"})
    assert api.call_count == 1
    asked = api.calls.last.request.url.params
    start = datetime.fromisoformat(asked["start"].replace("Z", "+00:00"))
    assert abs((start - (timezone.now() - timedelta(hours=3))).total_seconds()) < 120


def test_index_rows_are_masked_for_a_masked_viewer(
    client: Any, django_user_model: Any, live_mode: str
) -> None:
    user = django_user_model.objects.create_user("masked-lister", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=LIVE)
    client.force_login(user)
    synced(LIVE)
    index_row(tenant=LIVE, customer="+1 506 555 3131", flagged=True, flag_type="x")
    content = html.unescape(client.get(FLAGGED).content.decode())
    assert "555 3131" not in content
    assert "5065553131" not in content
    assert "3131" in content


def test_a_ticket_look_up_reads_the_index_and_links_the_journey(
    viewer: Any, api: respx.Route
) -> None:
    now = timezone.now()
    synced(LIVE, back=timedelta(days=400))
    one = index_row(tenant=LIVE, start=now - timedelta(days=30), hooks=[("zendesk", "777")])
    two = index_row(tenant=LIVE, start=now - timedelta(days=2), hooks=[("zendesk", "777")])
    response = viewer.get("/tickets/zendesk/777/")
    assert not api.called
    content = response.content.decode()
    assert one.interaction_id in content
    assert two.interaction_id in content
    assert "Read from the index, synced" in page_text(response)
    assert f"/tenants/{LIVE}/tickets/zendesk/777/journey/" in content


def test_a_ticket_look_up_past_the_index_falls_back_to_the_api(
    viewer: Any, api: respx.Route
) -> None:
    SyncState.objects.all().delete()
    viewer.get("/tickets/zendesk/777/")
    assert api.called
    assert api.calls.last.request.url.params["hookId"] == "777"


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("America/Halifax", "America/Halifax"),
        ("", None),  # the list endpoint has not said
        ("Mars/Olympus_Mons", None),  # names no zone this server knows
        ("../../etc/passwd", None),
    ],
)
def test_the_tenants_zone_is_the_one_the_sync_read_when_it_is_a_real_zone(
    stored: str, expected: str | None
) -> None:
    from dashboard.index.selectors import tenant_zone

    assert tenant_zone(LIVE) is None  # no pass yet
    SyncState.objects.create(tenant_id=LIVE, tenant_timezone=stored)
    zone = tenant_zone(LIVE)
    assert (zone.key if zone else None) == expected
