"""A reviewer's round in a real browser: filter the flagged list, open one, step to the next with
the list's filters kept, go back to the list as it was, assign one to themselves."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from dashboard.demo.api import DEMO_TENANT_ID
from dashboard.reviews.models import Review

FLAGGED_URL = f"/tenants/{DEMO_TENANT_ID}/flagged/"


def shown_ids(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "#flagged-results tbody tr[data-interaction]",
        "rows => rows.map(r => r.dataset.interaction)",
    )


def test_previous_and_next_keep_the_lists_filters(page: Any, viewer: Any) -> None:
    page.goto(FLAGGED_URL)
    page.evaluate("window.__noReload = true")
    with page.expect_response(lambda r: "channel=voice" in r.url):
        page.select_option("#f-channel", "voice")
    page.wait_for_url("**channel=voice**")
    with page.expect_response(lambda r: "sort=-duration" in r.url):
        page.locator("#flagged-results thead a", has_text="Duration").click()
    page.wait_for_url("**sort=-duration**")
    order = shown_ids(page)
    assert len(order) >= 2
    assert page.evaluate("window.__noReload === true")  # every filter applied in place

    page.locator(f'#flagged-results tr[data-interaction="{order[0]}"] a').first.click()
    page.wait_for_url(f"**/interactions/{order[0]}/?from=**")
    nav = page.locator("#flagged-nav")
    expect(nav).to_contain_text(f"1 of {len(order)}")
    nav.get_by_role("link", name="Next flagged ›").click()
    page.wait_for_url(f"**/interactions/{order[1]}/?from=**")
    expect(page.locator("#flagged-nav")).to_contain_text(f"2 of {len(order)}")
    expect(
        page.locator("#flagged-nav").get_by_role("link", name="‹ Previous flagged")
    ).to_have_attribute("href", re.compile(f"/interactions/{order[0]}/"))

    # Assign it to myself from the review panel, in place.
    page.evaluate("window.__noReload = true")
    with page.expect_response(lambda r: r.url.endswith("/assign/")) as info:
        page.locator("#assignment").get_by_role("button", name="Assign to me").click()
    assert info.value.status == 200
    expect(page.locator("#assignment .assignment-state")).to_contain_text("Assigned to you")
    assert page.evaluate("window.__noReload === true")
    assert Review.objects.get(interaction_id=order[1]).assignee == viewer

    page.locator("#flagged-nav").get_by_role("link", name="Back to the flagged list").click()
    page.wait_for_url("**/flagged/?**")
    assert "channel=voice" in page.url
    assert "sort=-duration" in page.url
    assert page.locator("#f-channel").input_value() == "voice"
    assert shown_ids(page) == order
    row = page.locator(f'#flagged-results tr[data-interaction="{order[1]}"]')
    expect(row).to_contain_text("browser-viewer")
    with page.expect_response(lambda r: "assigned=me" in r.url):
        page.select_option("#f-assigned", "me")
    page.wait_for_url("**assigned=me**")
    assert shown_ids(page) == [order[1]]


def test_the_time_range_applies_without_a_button(page: Any) -> None:
    page.goto(FLAGGED_URL)
    page.evaluate("window.__noReload = true")
    assert page.locator("#flagged-results form button[type=submit]").is_hidden()
    with page.expect_response(lambda r: "range=7d" in r.url):
        page.select_option("#range", "7d")
    page.wait_for_url("**range=7d**")
    expect(page.locator("#flagged-results")).to_contain_text("Last 7 days:")
    assert page.locator("#range").input_value() == "7d"
    assert page.evaluate("window.__noReload === true")


def test_typing_a_date_applies_it_once_after_a_pause_not_at_each_keystroke(page: Any) -> None:
    """A date field holds a whole value after each key typed into it: applying the
    change 0.3 s after each would reload the list mid-typing. The range applies once
    the typing pauses; other filters still apply at once."""
    page.goto(FLAGGED_URL)
    asked: list[str] = []
    page.on(
        "request",
        lambda r: (
            asked.append(r.url) if "/flagged/" in r.url and r.headers.get("hx-request") else None
        ),
    )
    page.locator("#from").focus()  # on its first part, the month
    for key in "112820261030":  # month, day, year, hour, minute
        page.keyboard.press(key)
        page.wait_for_timeout(400)  # an ordinary pace, slower than 0.3 s a key
    assert asked == []  # nothing yet: still typing
    page.wait_for_timeout(2000)
    assert len(asked) == 1, asked
    expect(page.locator("#flagged-results")).to_contain_text("Custom range")
    with page.expect_response(lambda r: "range=7d" in r.url):
        page.select_option("#range", "7d")  # a choice in a list still applies at once


def test_saving_a_review_that_takes_it_out_of_the_list_says_so_at_once(page: Any) -> None:
    """Under "to review", marking one done moves it out of the list: the place shown beside
    previous / next says so without a reload, and "next" is still the one after it."""
    page.goto(FLAGGED_URL + "?status=to_review")
    order = shown_ids(page)
    assert len(order) >= 3
    page.locator(f'#flagged-results tr[data-interaction="{order[1]}"] a').first.click()
    page.wait_for_url(f"**/interactions/{order[1]}/?from=**")
    nav = page.locator("#flagged-nav")
    expect(nav).to_contain_text(f"2 of {len(order)}")
    page.evaluate("window.__noReload = true")
    page.select_option("#id_status", "done")
    page.locator("#review-save").click()
    expect(page.locator("#review")).to_contain_text("Saved.")
    expect(nav).to_contain_text(f"Not in the list with its filters ({len(order) - 1} shown)")
    assert page.evaluate("window.__noReload === true")
    expect(nav.locator('a[rel="next"]')).to_have_attribute(
        "href", re.compile(f"/interactions/{order[2]}/")
    )
