"""The dashboard by keyboard only, as a screen reader hears it: focus survives every
htmx swap, Escape closes what it opened, and results are announced once."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from dashboard.demo.api import DEMO_TENANT_ID, catalogue

TRANSFER_CHAIN = f"/tenants/{DEMO_TENANT_ID}/interactions/064b25de-d866-11f1-89a5-b6abb79db4df/"
FLAGGED_AGENT = f"/tenants/{DEMO_TENANT_ID}/interactions/355f35bb-e378-11f1-83e6-7f85978343ab/"
FLAGGED_URL = f"/tenants/{DEMO_TENANT_ID}/flagged/"

FOCUSED = """() => { const e = document.activeElement;
  return e ? (e.id || e.getAttribute('aria-label') || e.textContent.trim()) : null; }"""


def focused(page: Any) -> str | None:
    value: str | None = page.evaluate(FOCUSED)
    return value


def assert_focused(page: Any, expected: str | None, seconds: float = 5.0) -> None:
    """The focus reaches ``expected`` (an htmx swap, then the page's own focus handling,
    may take a moment on a busy machine): waited for, not slept for."""
    deadline = time.monotonic() + seconds
    while focused(page) != expected and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert focused(page) == expected


def settled(page: Any) -> None:
    """Let htmx settle and the page's own focus handling run."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')",
        timeout=10000,
    )
    page.wait_for_timeout(150)


def big_page() -> str:
    entry = next(e for e in catalogue() if e["file"] == "generated-120-transfers.json")
    return f"/tenants/{DEMO_TENANT_ID}/interactions/{entry['interaction_id']}/"


def test_space_on_a_bar_opens_its_details_like_enter(page: Any) -> None:
    page.goto(TRANSFER_CHAIN)
    bar = page.locator("#timeline a.bar").nth(1)
    bar_id = bar.get_attribute("data-bar")
    bar.focus()
    page.keyboard.press(" ")
    page.wait_for_url(f"**focus={bar_id}**")
    expect(page.locator("#detail-panel")).to_be_visible()
    assert_focused(page, f"bar-{bar_id}")


def test_escape_and_close_hide_the_details_and_give_focus_back_to_the_bar(page: Any) -> None:
    page.goto(TRANSFER_CHAIN)
    bar = page.locator("#timeline a.bar").nth(2)
    bar_id = bar.get_attribute("data-bar")
    bar.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**focus={bar_id}**")
    expect(page.locator("#detail-panel")).to_be_visible()
    settled(page)  # the panel read, as a person would before pressing Escape
    # Escape on the bar closes what Enter opened.
    page.keyboard.press("Escape")
    expect(page.locator("#detail-panel")).to_be_hidden()
    settled(page)
    assert "focus=" not in page.url
    assert_focused(page, f"bar-{bar_id}")
    # The panel's own Close link, by keyboard: focus goes back to the bar, not to <body>.
    page.keyboard.press("Enter")
    page.wait_for_url(f"**focus={bar_id}**")
    page.locator("#detail-panel a.close").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#detail-panel")).to_be_hidden()
    settled(page)
    assert_focused(page, f"bar-{bar_id}")
    # Escape from inside the panel closes it too.
    page.keyboard.press("Enter")
    page.wait_for_url(f"**focus={bar_id}**")
    page.locator("#detail-panel h3").first.wait_for()
    page.locator("#detail-panel").focus()
    page.keyboard.press("Escape")
    expect(page.locator("#detail-panel")).to_be_hidden()
    settled(page)
    assert_focused(page, f"bar-{bar_id}")


def test_escape_closes_the_list_of_keys_that_question_mark_opened(page: Any) -> None:
    """Escape, or ? again, closes the list and gives the focus back to the bar it was
    opened from; opened from its own summary, the focus stays there."""
    page.goto(TRANSFER_CHAIN)
    bar = page.locator("#timeline a.bar").first
    bar_id = bar.get_attribute("id")
    bar.focus()
    page.keyboard.press("?")
    keys = page.locator("#timeline-keys")
    assert keys.evaluate("d => d.open")
    page.wait_for_function("() => document.activeElement.tagName === 'SUMMARY'", timeout=5000)
    page.keyboard.press("Escape")
    assert not keys.evaluate("d => d.open")
    assert_focused(page, bar_id)
    page.keyboard.press("?")
    assert keys.evaluate("d => d.open")
    page.keyboard.press("?")
    assert not keys.evaluate("d => d.open")
    assert_focused(page, bar_id)
    page.locator("#timeline-keys summary").focus()
    page.keyboard.press("Enter")
    assert keys.evaluate("d => d.open")
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.activeElement.tagName === 'SUMMARY'", timeout=5000)


def test_zoom_buttons_and_overview_keep_the_keyboard_focus(page: Any) -> None:
    page.goto(TRANSFER_CHAIN)
    zoom_in = page.locator(".zoom a.button").first
    label = zoom_in.get_attribute("aria-label")
    zoom_in.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**zoom=**")
    settled(page)
    assert_focused(page, label)
    part = page.locator(".tl-overview a.tl-part").nth(2)
    label = part.get_attribute("aria-label")
    part.focus()
    page.keyboard.press("Enter")
    settled(page)
    assert_focused(page, label)


def test_more_rows_then_fewer_keep_the_keyboard_focus(page: Any) -> None:
    page.goto(big_page())
    page.locator("#timeline a.tl-more").last.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**expand=**")
    settled(page)
    page.wait_for_function(
        "() => document.activeElement.classList.contains('tl-fewer')", timeout=5000
    )
    page.keyboard.press("Enter")
    page.wait_for_url(lambda u: "expand=" not in u)
    settled(page)
    page.wait_for_function(
        "() => document.activeElement.classList.contains('tl-more')", timeout=5000
    )


def test_sorting_the_flagged_list_keeps_the_focus_on_the_header(page: Any) -> None:
    page.goto(FLAGGED_URL)
    page.locator("#flagged-results thead a", has_text="Duration").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**sort=-duration**")
    settled(page)
    assert_focused(page, "Duration")
    expect(page.locator("th[aria-sort=descending] a")).to_be_focused()


def test_assign_to_me_leaves_the_focus_in_the_assignment(page: Any) -> None:
    page.goto(FLAGGED_AGENT)
    page.locator("#assignment button", has_text="Assign to me").focus()
    with page.expect_response(lambda r: r.url.endswith("/assign/")):
        page.keyboard.press("Enter")
    page.wait_for_selector("#assignment .ok")
    settled(page)
    page.wait_for_function(
        "() => document.getElementById('assignment').contains(document.activeElement)",
        timeout=5000,
    )


def test_a_filter_change_announces_the_new_count_once(page: Any) -> None:
    page.goto(FLAGGED_URL)
    announcer = page.locator("#announce")
    assert announcer.get_attribute("role") == "status"
    # The swapped-in results are no live region of their own (a new region is not read).
    assert page.locator("#flagged-results [role=status], #flagged-results[aria-live]").count() == 0
    page.locator("#f-flag").focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_url("**flag=**")
    settled(page)
    assert_focused(page, "f-flag")
    count = page.locator("#flagged-results .results-head p").first.inner_text()
    expect(announcer).to_have_text(count)


def test_search_results_are_announced_not_read_whole(page: Any) -> None:
    page.goto(f"/tenants/{DEMO_TENANT_ID}/search/")
    assert page.locator("#search-results[aria-live]").count() == 0
    page.locator("#s-reviewed").focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_url("**reviewed=**")
    settled(page)
    assert_focused(page, "s-reviewed")
    said = page.locator("#search-results .results-head p").first.inner_text()
    expect(page.locator("#announce")).to_have_text(said)


def test_saving_a_review_is_announced_and_a_live_timeline_is_not_read_on_every_poll(
    page: Any, viewer: Any
) -> None:
    page.goto(FLAGGED_AGENT)
    page.select_option("#id_status", "in_review")
    page.locator("#review-save").focus()
    with page.expect_response(lambda r: r.url.endswith("/review/")):
        page.keyboard.press("Enter")
    expect(page.locator("#announce")).to_have_text("Saved.")
    # A live interaction's timeline is swapped whole by each poll: nothing in it is a
    # live region, so "updated 12:00:03" is not read out every ten seconds.
    entry = next(e for e in catalogue() if e["file"] == "in-progress.json")
    page.goto(f"/tenants/{DEMO_TENANT_ID}/interactions/{entry['interaction_id']}/")
    assert page.locator("#timeline .poller").count() == 1
    assert page.locator("#timeline [aria-live], #timeline [role=status]").count() == 0


def test_copying_the_link_twice_is_announced_twice(page: Any) -> None:
    page.goto(TRANSFER_CHAIN)
    page.evaluate(
        """() => { window.__said = [];
        const out = document.querySelector('.share .copy-result');
        new MutationObserver(() => { window.__said.push(out.textContent); })
          .observe(out, {childList: true, characterData: true, subtree: true}); }"""
    )
    page.locator("button[data-copy]").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.__said.filter(Boolean).length === 1")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.__said.filter(Boolean).length === 2")
    # Emptied in between: a screen reader reads the same words again only after a change.
    said = page.evaluate("window.__said")
    first = said.index(next(t for t in said if t))
    assert said[-1] and "" in said[first:]
    assert page.locator(".share .copy-result").get_attribute("role") == "status"


def test_a_live_timelines_refresh_keeps_the_keyboard_focus(page: Any, settings: Any) -> None:
    settings.TIMELINE_POLL_SECONDS = 1
    entry = next(e for e in catalogue() if e["file"] == "in-progress.json")
    page.goto(f"/tenants/{DEMO_TENANT_ID}/interactions/{entry['interaction_id']}/")
    for selector in (".zoom a.button", "#timeline .timeline-scroll"):
        page.locator(selector).first.focus()
        with page.expect_response(lambda r: "failures=" in r.url, timeout=10000):
            pass
        settled(page)
        page.wait_for_function(
            "s => document.activeElement === document.querySelector(s)",
            arg=selector,
            timeout=5000,
        )


CONTRAST = """el => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  let back = el.parentElement, bg = null;
  while (back) { const c = rgb(getComputedStyle(back).backgroundColor);
    if (c.length < 4 || c[3] > 0) { bg = c; break; } back = back.parentElement; }
  bg = bg || [255, 255, 255];
  const style = getComputedStyle(el);
  const ring = style.outlineStyle !== 'none' ? style.outlineColor
    : getComputedStyle(el.querySelector('.bar-body')).stroke;
  const [a, b] = [lum(rgb(ring)), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_focus_ring_stands_out_from_what_it_sits_on(page: Any, scheme: str) -> None:
    """WCAG 1.4.11: a focus indicator has at least 3:1 against the colours beside it."""
    page.emulate_media(color_scheme=scheme)
    page.goto(FLAGGED_AGENT)
    low = {}
    for selector in (
        ".site-header a.brand",
        "#share-link",
        ".zoom a.button",
        ".tl-overview a.tl-part",
        "#id_status",
        "#review-save",
        "summary",
    ):
        element = page.locator(selector).first
        element.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        ratio = element.evaluate(CONTRAST)
        if ratio < 3:
            low[selector] = round(ratio, 2)
    assert not low, low


def test_the_charts_bars_are_one_tab_stop_and_the_arrows_move_between_them(page: Any) -> None:
    """Hundreds of bars are not hundreds of Tab presses: Tab reaches one bar (the first,
    or the one last chosen) and the next Tab leaves the chart; the arrows move inside."""
    page.goto(TRANSFER_CHAIN)
    page.locator("#timeline .timeline-scroll").focus()
    page.keyboard.press("Tab")
    first = focused(page)
    assert first and first.startswith("bar-")
    page.keyboard.press("ArrowRight")
    second = focused(page)
    assert second and second.startswith("bar-") and second != first
    page.keyboard.press("Tab")
    after = focused(page)
    assert after is None or not after.startswith("bar-"), after
    page.keyboard.press("Shift+Tab")
    assert focused(page) == second  # back to the bar last moved to, not the first
    stops = page.evaluate(
        "() => [...document.querySelectorAll('#timeline a.bar')]"
        ".filter(b => b.getAttribute('tabindex') !== '-1').length"
    )
    assert stops == 1
