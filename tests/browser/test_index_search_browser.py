"""Search by customer, the journey and the typical panel in a real browser."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dashboard.demo.api import DEMO_TENANT_ID, catalogue
from dashboard.index.models import IndexedInteraction
from tests.conftest import allow_contact_details
from tests.index_search.rows import index_row, synced

DEMO = catalogue()[1]["interaction_id"]


def listed(page: Any, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "rows => rows.map(r => r.dataset.interaction)")


@pytest.mark.browser
def test_search_by_customer_then_journey_then_typical_panel(page: Any, viewer: Any) -> None:
    allow_contact_details(viewer)
    now = timezone.now()
    earlier = index_row(
        start=now - timedelta(days=4),
        customer="+1 506 555 4242",
        channel="email",
        queues=[("Support", 15.0)],
    )
    index_row(
        interaction_id=DEMO,
        start=now - timedelta(hours=1),
        customer="15065554242",
        queues=[("Support", 28.0)],
        agents=[("Ann Agent", "Support", 90.0)],
    )
    index_row(start=now - timedelta(hours=2), customer="+1 506 555 0000")  # someone else
    peers = [
        index_row(
            start=now - timedelta(hours=3 + i),
            customer=f"+1 506 555 01{i:02d}",
            queues=[("Support", float(i + 1))],
            flow_name="Peer flow",
        )
        for i in range(19)
    ]

    page.goto("/")
    page.fill("#home-search-1", "+1 (506) 555-4242")
    page.press("#home-search-1", "Enter")
    page.wait_for_url(f"**/tenants/{DEMO_TENANT_ID}/search/**")
    assert listed(page, "#search-results tr[data-interaction]") == [DEMO, earlier.interaction_id]

    page.click(f'#search-results tr[data-interaction="{DEMO}"] a')
    page.wait_for_url(f"**/interactions/{DEMO}/")
    # 21 waits in Support this week (19 peers, the earlier contact and this one): enough.
    expect(page.locator("#typical")).to_contain_text("0:28 in Support — typical")
    page.click("text=This customer's other interactions (1 in 30 days)")
    page.wait_for_url(f"**/interactions/{DEMO}/journey/")
    assert listed(page, "li.journey-step") == [DEMO, earlier.interaction_id]
    expect(page.locator("li.journey-step.current")).to_contain_text("this interaction")

    # A sync pass (here: a retention purge) leaves 19 waits: too few.
    IndexedInteraction.objects.filter(pk__in=[p.pk for p in peers[:2]]).delete()
    synced()
    page.goto(f"/tenants/{DEMO_TENANT_ID}/interactions/{DEMO}/")
    expect(page.locator("text=Not enough comparable interactions")).to_be_visible()
    expect(page.locator("#typical")).to_have_count(0)
    assert page.problems == []
