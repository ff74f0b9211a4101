"""Dates at the ends of the calendar in a list's range never become a 500: year 1 or
9999 moved into UTC or into the viewer's zone is a range that cannot be read."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from dashboard.demo.api import DEMO_TENANT_ID

pytestmark = pytest.mark.django_db

T = DEMO_TENANT_ID

RANGES = [
    "start=0001-01-01T00:00:00%2B14:00&end=0001-01-02T00:00:00%2B14:00",
    "start=9999-12-31T23:59:59-14:00&end=9999-12-31T23:59:59-14:00",
    "start=0001-01-01T00:00:00Z&end=9999-12-31T23:59:59Z",
    "range=custom&from=9999-12-31T00:00&to=9999-12-31T23:59",
    "range=custom&from=0001-01-01T00:00&to=0001-01-02T00:00",
]

PAGES = [
    f"/tenants/{T}/flagged/",
    f"/tenants/{T}/flagged/export.csv",
    f"/tenants/{T}/search/",
    f"/tenants/{T}/search/export.csv",
]


@pytest.mark.parametrize("zone", ["America/Toronto", "Asia/Tokyo", "Pacific/Kiritimati"])
@pytest.mark.parametrize("query", RANGES)
def test_a_range_at_the_ends_of_the_calendar_is_answered(
    client: Any, demo_user: Any, zone: str, query: str
) -> None:
    client.force_login(demo_user)
    client.cookies["tz"] = zone
    for page in PAGES:
        response = client.get(f"{page}?{query}")
        assert response.status_code in (200, 400), (page, query, response.status_code)
    # The flagged list's previous / next, for an interaction opened from such a list.
    came_from = quote(query, safe="")
    for step in (f"nav/?at=x&from={came_from}", f"step/?dir=next&at=x&from={came_from}"):
        response = client.get(f"/tenants/{T}/flagged/{step}")
        assert response.status_code < 500, (step, response.status_code)
