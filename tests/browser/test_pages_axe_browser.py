"""Every page besides the interaction page (tested on its own) passes axe with no
serious or critical finding, in light and dark: look-up, sign-in, search with
results, journey, flagged list, ticket links, the review page and error pages."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dashboard.demo.api import DEMO_TENANT_ID, catalogue
from tests.browser.accessibility import in_light_and_dark
from tests.conftest import allow_contact_details
from tests.index_search.rows import index_row, synced

DEMO = catalogue()[1]["interaction_id"]
T = DEMO_TENANT_ID


@pytest.mark.browser
def test_list_search_and_error_pages_pass_axe(page: Any, viewer: Any) -> None:
    allow_contact_details(viewer)
    now = timezone.now()
    index_row(
        interaction_id=DEMO,
        start=now - timedelta(hours=2),
        customer="+1 506 555 4242",
        queues=[("Support", 28.0)],
        agents=[("Ann Agent", "Support", 90.0)],
        hooks=[("zendesk", "4242")],
    )
    index_row(
        start=now - timedelta(hours=3),
        customer="+1 506 555 4242",
        channel="email",
        flagged=True,
        flag_type="Agent",
        queues=[("Billing", 15.0)],
        hooks=[("zendesk", "4242")],
    )
    synced()
    paths = (
        "/",
        f"/tenants/{T}/search/?customer=%2B15065554242",
        f"/tenants/{T}/search/?agent=nobody-at-all",
        f"/tenants/{T}/interactions/{DEMO}/journey/",
        f"/tenants/{T}/flagged/",
        "/tickets/zendesk/4242/",
        "/tickets/zendesk/9999/",
        f"/tenants/{T}/interactions/{DEMO[:-1]}0/",  # unknown interaction
        f"/tenants/{T}/interactions/not-an-id/",
    )
    found = {}
    for path in paths:
        page.goto(path)
        bad = in_light_and_dark(page)
        if bad:
            found[path] = bad
    # The two error pages answer 404, which the console reports: nothing else may.
    page.problems[:] = [p for p in page.problems if "status of 404" not in p]
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    if bad := in_light_and_dark(page):
        found["/accounts/login/"] = bad
    assert not found, json.dumps(found, indent=1)
