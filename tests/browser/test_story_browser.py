"""The story at the top of every demo interaction, in a real browser.

At 1400×1000 the first screen holds the outcome sentence, when it happened and the
key figures;
the status pill, the flag and the ends never contradict each other; axe finds
no serious or critical issue in light or dark.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from dashboard.demo.api import DEMO_TENANT_ID, catalogue
from tests.browser.accessibility import in_light_and_dark

ENTRIES = catalogue()


def url(interaction_id: str) -> str:
    return f"/tenants/{DEMO_TENANT_ID}/interactions/{interaction_id}/"


@pytest.fixture
def screen(browser: Any, live_server: Any, viewer: Any) -> Iterator[Any]:
    """A signed-in 1400×1000 tab; ``screen(scheme)`` opens one in that colour scheme."""
    client = Client()
    client.force_login(viewer)
    contexts: list[Any] = []

    def open_tab(scheme: str = "light") -> Any:
        context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, base_url=live_server.url, color_scheme=scheme
        )
        context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


def on_first_screen(page: Any, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 1000


def first_screen_says_what_happened(page: Any) -> None:
    outcome = page.locator("#outcome").inner_text().strip()
    assert len(outcome) > 10
    assert on_first_screen(page, "#outcome")
    assert on_first_screen(page, ".figures")
    # When it happened, in the viewer's zone (named), with its date.
    assert on_first_screen(page, "#when")
    when = page.locator("#when").inner_text()
    assert " – " in when and when.rstrip().endswith(")"), when
    assert page.locator("#when time").first.get_attribute("datetime"), when
    labels = page.locator(".figures dt").all_inner_texts()
    assert any(label.lower().startswith("total time") for label in labels), labels
    assert any(label.lower().startswith("channel") for label in labels), labels


def _open_records(body: dict[str, Any]) -> bool:
    """Some segment, queue visit or allocation was sent with a start and no end."""
    agents = body.get("agents") or (body.get("details") or {}).get("agents") or []
    records = [*(body.get("segments") or []), *(body.get("queues") or []), *agents]
    return any(r.get("startTimestamp") and not r.get("endTimestamp") for r in records)


def status_flag_and_ends_agree(page: Any, body: dict[str, Any]) -> None:
    status = page.locator("[data-status]").inner_text().strip()
    flag = str(body.get("flagType") or "").lower() if body.get("flagged") else ""
    if body.get("dataComplete") is False:
        assert status.startswith("Live"), status
        assert page.locator("[data-since]").count() == 1
    elif flag == "stuck" or not body.get("endTimestamp"):
        assert status == "Complete — end never arrived", status
        total = page.locator(".figure", has_text="Total time").locator("dd").inner_text()
        assert total.startswith("unknown"), total
        # The time bar covers what is known and does not pass it off as the total.
        split = page.locator("#split-title")
        if split.count():
            assert "its total is unknown" in split.inner_text()
        assert "its end never arrived" in page.locator("#live-status").inner_text()
    elif _open_records(body):
        # Over, but an agent's, a queue's or a segment's end never came: not all green.
        assert status == "Complete — some ends never arrived", status
    else:
        assert status == "Complete", status
    if body.get("flagged"):
        assert page.locator("#flag").count() == 1
        assert page.locator(".review-details[open]").count() == 1  # open for flagged ones
    else:
        assert page.locator(".review-details[open]").count() == 0
    # The detail panel stays out of the way until a bar is chosen.
    assert not page.locator("#detail-panel").is_visible()


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["file"])
def test_every_demo_says_what_happened_without_contradiction_in_light_and_dark(
    screen: Any, entry: dict[str, Any]
) -> None:
    """One page load a demo: the first screen, the status, its bars by kind, then axe in
    light (every rule) and in dark (the colour rules: nothing else changes with the
    scheme)."""
    from tests.browser.test_timeline_browser import bars_by_kind_match_the_data

    page = screen()
    page.goto(url(entry["interaction_id"]))
    first_screen_says_what_happened(page)
    status_flag_and_ends_agree(page, entry["body"])
    bars_by_kind_match_the_data(page, entry["body"])
    failures = in_light_and_dark(page)
    assert not failures, json.dumps(failures, indent=1)
