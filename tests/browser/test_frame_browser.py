"""A slow API in the browser: the frame first, then the whole page through htmx."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from dashboard.accounts.models import TenantGrant
from dashboard.cxengage.factory import reset_client
from tests.conftest import load_fixture, use_standin
from tests.standin import Behaviour, StandInAPI

TENANT = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"
IID = "b2109780-db83-11e7-9709-c2b07aa3bee9"


@pytest.fixture
def slow_api(settings: Any, viewer: Any) -> Iterator[StandInAPI]:
    TenantGrant.objects.create(user=viewer, tenant_id=TENANT)
    with StandInAPI() as api:
        body = load_fixture("reference-sample.json")
        api.script(
            f"GET /v1/tenants/{TENANT}/interactions/{IID}",
            Behaviour(delay=1.5, body=json.dumps(body).encode(), times=1),
        )
        settings.PAGE_FRAME_AFTER = 0.15
        use_standin(settings, api, short_timeouts=False)
        yield api
        reset_client()


def test_frame_then_page(page: Any, slow_api: StandInAPI) -> None:
    started = time.monotonic()
    page.goto(f"/tenants/{TENANT}/interactions/{IID}/", wait_until="commit")
    expect(page.get_by_text("Asking the CxEngage API")).to_be_visible(timeout=5000)
    expect(page.locator("#timeline")).to_be_visible(timeout=10000)
    assert time.monotonic() - started >= 1.4
    assert page.locator('#timeline [data-kind="queue"]').count() == 1
    assert "Basic Flow" in page.locator("main").inner_text()
    assert slow_api.requests[f"GET /v1/tenants/{TENANT}/interactions/{IID}"] == 1
