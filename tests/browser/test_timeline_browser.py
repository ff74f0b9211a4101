"""The timeline in a real browser: bars, keyboard, htmx detail panel, polling, a11y."""

from __future__ import annotations

import copy
import io
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command

from dashboard.accounts.models import TenantGrant
from dashboard.cxengage.factory import reset_client
from dashboard.demo.api import DEMO_TENANT_ID, PAYLOADS, catalogue
from tests.browser.accessibility import in_light_and_dark, serious_accessibility_issues
from tests.conftest import use_standin
from tests.standin import StandInAPI

TRANSFER_CHAIN = "064b25de-d866-11f1-89a5-b6abb79db4df"
FLAGGED_AGENT = "355f35bb-e378-11f1-83e6-7f85978343ab"


def url(interaction_id: str, tenant: str = DEMO_TENANT_ID) -> str:
    return f"/tenants/{tenant}/interactions/{interaction_id}/"


def expected_counts(body: dict[str, Any]) -> dict[str, int]:
    agents = body.get("agents") or (body.get("details") or {}).get("agents") or []
    holds = [
        h
        for h in body.get("customerHoldTimes") or []
        if isinstance(h, dict) and h.get("startTimestamp")
    ]
    return {
        "segment": len(body.get("segments") or []),
        "queue": len(body.get("queues") or []),
        "agent": len(agents),
        "hold": len(holds),
    }


def bars_by_kind_match_the_data(page: Any, body: dict[str, Any]) -> None:
    """Every record of ``body`` has its bar, by kind (checked on every demo's page by
    tests/browser/test_story_browser.py, in the same page load)."""
    for kind, count in expected_counts(body).items():
        assert page.locator(f'#timeline [data-kind="{kind}"]').count() == count, kind
    # The axis is the interaction: no lane for it.
    assert page.locator('#timeline [data-kind="interaction"]').count() == 0


def test_keyboard_moves_across_bars_and_enter_opens_details(page: Any) -> None:
    page.goto(url(TRANSFER_CHAIN))
    bars = page.locator("#timeline a.bar")
    first_id = bars.nth(0).get_attribute("data-bar")
    second_id = bars.nth(1).get_attribute("data-bar")
    # Tab from the chart's scroll region reaches the first bar.
    page.locator("#timeline .timeline-scroll").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('data-bar')") == first_id
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.getAttribute('data-bar')") == second_id
    page.keyboard.press("ArrowDown")
    below = page.evaluate("document.activeElement.getAttribute('data-bar')")
    assert below not in (first_id, second_id)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**focus={below}**")
    assert page.locator("#detail-title").inner_text() != "Details"


def test_detail_panel_loads_through_htmx_and_url_changes(page: Any) -> None:
    page.goto(url(TRANSFER_CHAIN))
    page.evaluate("window.__noReload = true")
    bar = page.locator('#timeline a.bar[data-kind="queue"]').first
    bar_id = bar.get_attribute("data-bar")
    with page.expect_request(lambda r: "focus=" in r.url and r.headers.get("hx-request") == "true"):
        bar.click()
    page.wait_for_url(f"**?focus={bar_id}")
    panel = page.locator("#detail-panel")
    assert "Queue" in panel.locator("h2").inner_text()
    assert panel.get_by_text("Platform queue ID (WFM)").count() == 1
    assert page.evaluate("window.__noReload === true")  # no full page load
    # Related bars: the panel links to the segment and the agent of the same segment.
    related = panel.locator(".related-links a")
    assert related.count() >= 1
    target = related.first.get_attribute("data-focus-bar")
    related.first.click()
    page.wait_for_url(f"**?focus={target}")
    assert page.locator(f"#bar-{target}.focused").count() == 1
    # The same link works as a full page without JavaScript.
    page.goto(url(TRANSFER_CHAIN) + f"?focus={bar_id}")
    assert "Queue" in page.locator("#detail-panel h2").inner_text()
    assert page.locator(f"#bar-{bar_id}.focused").count() == 1


def test_flag_links_to_its_bar_and_screenshot(page: Any, artifacts: Any) -> None:
    page.goto(url(FLAGGED_AGENT))
    flagged = page.locator("#timeline a.bar.marked[data-kind=agent]")
    assert flagged.count() == 1
    assert "never reached reporting" in (flagged.locator("title").text_content() or "")
    page.locator("h1 a.bang").click()
    page.wait_for_url("**focus=agent-**")
    assert "never reached reporting" in page.locator("#detail-panel").inner_text()
    page.locator("#timeline").screenshot(path=str(artifacts / "flagged-agent-timeline.png"))
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=str(artifacts / "flagged-agent-375.png"), full_page=True)


def test_zoom_in_and_back(page: Any) -> None:
    page.goto(url(TRANSFER_CHAIN))
    page.get_by_role("link", name="Zoom in to the middle half of the shown range").click()
    page.wait_for_url("**zoom=**")
    assert "Showing 4:53" in page.locator(".zoom").inner_text()
    page.get_by_role("link", name="Show the whole interaction").click()
    page.wait_for_url(lambda u: "zoom" not in u)
    assert "Showing 0:00" in page.locator(".zoom").inner_text()


def test_no_serious_accessibility_violations(page: Any) -> None:
    for interaction_id in (TRANSFER_CHAIN, FLAGGED_AGENT):
        page.goto(url(interaction_id) + "?focus=ivr")
        bad = serious_accessibility_issues(page)
        assert not bad, json.dumps(bad, indent=1)
    page.goto("/")
    bad = serious_accessibility_issues(page)
    assert not bad, json.dumps(bad, indent=1)


@pytest.fixture
def live_api(settings: Any, viewer: Any) -> Iterator[StandInAPI]:
    tenant = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"
    TenantGrant.objects.create(user=viewer, tenant_id=tenant)
    with StandInAPI() as api:
        settings.TIMELINE_POLL_SECONDS = 1
        settings.CACHE_TTL_IN_PROGRESS = 0.5
        use_standin(settings, api, short_timeouts=False)
        yield api
        reset_client()


def test_live_interaction_polls_then_stops_when_complete(page: Any, live_api: StandInAPI) -> None:
    tenant = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"
    body = json.loads((PAYLOADS / "in-progress.json").read_text())
    iid = body["interactionId"]
    body["tenantId"] = tenant
    live_api.interactions[(tenant, iid)] = body
    key = f"GET /v1/tenants/{tenant}/interactions/{iid}"
    page.goto(url(iid, tenant))
    assert "Live" in page.locator("#live-status").inner_text()
    # The running time ticks in the server's own form ("3 d 0 h 22 min 53 s so far",
    # never a clock-like "72:22:53").
    ticker = page.locator(".ticker")
    first = ticker.inner_text()
    page.wait_for_function(
        "t => document.querySelector('.ticker').textContent !== t", arg=first, timeout=5000
    )
    ticked = ticker.inner_text()
    assert re.fullmatch(r"(\d+:\d\d|\d+ (d|h|min|s)( \d+ (h|min|s))*) so far", ticked), ticked
    # Polls come through htmx and reach the API once per cache lifetime.
    deadline = time.monotonic() + 10
    while live_api.requests[key] < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert live_api.requests[key] >= 2
    from playwright.sync_api import expect

    # A newer copy changes the outcome: the refresh redraws it beside the timeline.
    renamed = copy.deepcopy(body)
    for agent in renamed.get("agents") or renamed["details"].get("agents") or []:
        agent["agentName"] = "Noor Haddad"
    live_api.interactions[(tenant, iid)] = renamed
    expect(page.locator("#live-outcome .outcome")).to_contain_text("Noor Haddad", timeout=10000)
    assert page.locator("#live-outcome").count() == 1 and page.locator(".ticker").count() == 1
    assert "Live" in page.locator("[data-status]").inner_text()
    done = copy.deepcopy(body)
    done["dataComplete"] = True
    done["endTimestamp"] = "2026-11-27T08:30:00.000Z"
    for record in (
        done["segments"]
        + done["queues"]
        + (done.get("agents") or done["details"].get("agents") or [])
    ):
        record.setdefault("endTimestamp", "2026-11-27T08:30:00.000Z")
    live_api.interactions[(tenant, iid)] = done
    expect(page.locator("#live-status")).to_contain_text("Complete · fetched", timeout=10000)
    assert page.locator(".poller").count() == 0
    calls = live_api.requests[key]
    page.wait_for_timeout(2500)
    assert live_api.requests[key] == calls  # polling stopped
    assert page.locator("#timeline a.bar.open").count() == 0
    # The rest of the page is the finished interaction's too: no "Live", no ticking.
    assert page.locator("[data-status]").inner_text() == "Complete"
    assert page.locator(".ticker").count() == 0


# ---------------------------------------------------------------------------
# Readable at any size (issue 11, items 7 and 8)
# ---------------------------------------------------------------------------

BIG = "generated-120-transfers.json"


def _entry(file: str) -> dict[str, Any]:
    return next(e for e in catalogue() if e["file"] == file)


def _labels_inside(page: Any) -> list[str]:
    """Row labels that are clipped or outside the viewport (should be none)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll(
                     '#timeline .tl-row-label, #timeline .tl-lane-title'))
          .filter(el => el.textContent.trim())
          .filter(el => { const r = el.getBoundingClientRect();
                          const inner = el.firstElementChild || el;
                          return r.left < 0 || r.right > window.innerWidth
                                 || inner.scrollWidth > inner.clientWidth + 1 && !el.title; })
          .map(el => el.textContent.trim())"""
    )


@pytest.mark.parametrize("file", ["transfer-chain.json", BIG])
def test_row_labels_stay_readable_at_375_px_after_scrolling(page: Any, file: str) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(url(_entry(file)["interaction_id"]))
    scroller = page.locator("#timeline .timeline-scroll")
    assert page.evaluate("(el) => el.scrollWidth > el.clientWidth", scroller.element_handle())
    before = page.locator("#timeline .tl-labels").bounding_box()
    for where in ("el.scrollWidth", "0"):
        page.evaluate(f"(el) => {{ el.scrollLeft = {where}; }}", scroller.element_handle())
        assert page.locator("#timeline .tl-labels").bounding_box() == before
        assert not _labels_inside(page)
    # Every lane title is fully shown (not cut to "egments").
    for title in page.locator("#timeline .tl-lane-title > span").all():
        box = title.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 375


@pytest.mark.parametrize(
    "file", ["answered-call-with-holds.json", "transfer-chain.json", "sms-transcript-list.json"]
)
def test_every_tick_label_is_whole_inside_the_chart_at_1400_px(page: Any, file: str) -> None:
    """At 1400 px the chart fits its box (no sideways scroll) and no tick label is cut,
    the last one included (it read "12:" when the chart was wider than its box)."""
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(url(_entry(file)["interaction_id"]))
    cut = page.evaluate(
        """() => {
             const box = document.querySelector('#timeline .timeline-scroll');
             const edge = box.getBoundingClientRect();
             const ticks = [...box.querySelectorAll('.ticks text')];
             return {scrolls: box.scrollWidth > box.clientWidth, count: ticks.length,
                     cut: ticks.filter(t => { const r = t.getBoundingClientRect();
                       return r.left < edge.left - 0.5 || r.right > edge.right + 0.5; })
                       .map(t => t.lastChild.textContent)};
           }"""
    )
    assert cut["count"] >= 2
    assert not cut["scrolls"]
    assert cut["cut"] == []


def test_rows_line_up_with_their_labels(page: Any) -> None:
    page.goto(url(TRANSFER_CHAIN))
    labels = page.locator("#timeline .tl-row-label")
    rows = page.evaluate(
        """() => Array.from(document.querySelectorAll('#timeline .lane')).flatMap(lane => {
             const ys = [...new Set(Array.from(lane.querySelectorAll('.bar-body'))
                           .map(r => Math.round(r.getBoundingClientRect().top)))];
             return ys.sort((a, b) => a - b); })"""
    )
    tops = [
        round(b["y"]) for b in (labels.nth(i).bounding_box() for i in range(labels.count())) if b
    ]
    # each bar row's top is inside its label's 26 px band (bars are centred in rows)
    for y in rows:
        assert any(2 <= y - top <= 4 for top in tops), (y, tops)


def test_big_interaction_fits_in_three_screens_and_agent_119_is_reachable(
    page: Any, artifacts: Any
) -> None:
    entry = _entry(BIG)
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(url(entry["interaction_id"]))
    height = page.evaluate("document.documentElement.scrollHeight")
    timeline_height = page.locator("#timeline").bounding_box()["height"]
    print(f"120-transfer page: document {height} px, timeline {timeline_height:.0f} px")
    # The whole page at most three screens of 1,000 px (2,829 px for this viewer, who
    # sees the "contact details hidden" card).
    assert height <= 3000
    # The story stays on the first screen: the outcome, when, and the key figures.
    for part in ("#outcome", "#when", "dl.figures"):
        box = page.locator(part).bounding_box()
        assert box["y"] + box["height"] <= 1000, part
    # The timeline within one screen, each long table folded to one line: its
    # heading, filter and summary side by side.
    assert timeline_height <= 850
    for key in ("segments", "queues", "agents"):
        assert page.locator(f"#{key}").bounding_box()["height"] <= 80, key
    assert page.locator("#raw").bounding_box()["height"] <= 60
    # Tables beyond 20 rows are collapsed, with a count and a filter.
    agents_table = page.locator("#agents")
    assert agents_table.locator("tbody tr").count() == 0  # made when the fold opens
    assert "All 121 rows" in agents_table.inner_text()
    # Agent 119 (the 119th allocation): reachable by keyboard through "N more".
    agents = entry["body"]["agents"]
    target = agents[118]
    more = page.locator("#timeline a.tl-more").last
    more.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**expand=**")
    name = target["agentName"]
    assert page.locator("#timeline .tl-row-label", has_text=name).count() >= 1
    bar = page.locator(f"#bar-agent-{target['interactionAgentId']}")
    assert bar.count() == 1
    bar.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**focus=agent-{target['interactionAgentId']}**")
    assert name in page.locator("#detail-panel").inner_text()
    # and in the table: "show all" lists it, the filter finds it.
    page.goto(url(entry["interaction_id"]) + "?all=agents#agents")
    assert page.locator("#agents tbody tr").count() == 121
    page.locator("#agents input[type=search]").fill(name)
    assert page.locator(f"#agent-{target['interactionAgentId']}").is_visible()
    shown = page.locator("#agents tbody tr:not([hidden])").count()
    assert 1 <= shown < 121
    assert page.locator("#agents-table-shown").inner_text() == f"{shown} of 121 shown"
    # Without JavaScript the same filter is a GET over every row.
    page.goto(url(entry["interaction_id"]) + f"?all=agents&q={name.replace(' ', '+')}#agents")
    assert page.locator("#agents tbody tr").count() == shown


def test_a_folded_table_loads_its_rows_when_opened_or_filtered(page: Any) -> None:
    """A long record table is folded with no row; opening it (keyboard) brings every row,
    and typing in its filter first opens it and filters the rows once they are here."""
    from playwright.sync_api import expect

    entry = _entry(BIG)
    agents = entry["body"]["agents"]
    page.goto(url(entry["interaction_id"]))
    summary = page.locator("#segments .table-fold > summary")
    summary.focus()
    with page.expect_request(lambda r: r.headers.get("hx-target") == "segments-rows"):
        page.keyboard.press("Enter")
    expect(page.locator("#segments tbody tr")).to_have_count(len(entry["body"]["segments"]))
    # The agents' filter, typed into before their rows exist.
    name = agents[118]["agentName"]
    box = page.locator("#agents input[type=search]")
    with page.expect_request(lambda r: r.headers.get("hx-target") == "agents-rows"):
        box.fill(name)
    expect(page.locator("#agents details.table-fold")).to_have_attribute("open", "")
    row = page.locator(f"#agent-{agents[118]['interactionAgentId']}")
    expect(row).to_be_visible()
    shown = page.locator("#agents tbody tr:not([hidden])")
    expect(page.locator("#agents-table-shown")).to_have_text(
        re.compile(rf"^\d+ of {len(agents)} shown$")
    )
    assert 1 <= shown.count() < len(agents)
    assert all(name in text for text in shown.all_inner_texts())
    assert box.evaluate("el => el === document.activeElement")


def test_the_live_table_filter_finds_a_name_however_its_accents_are_encoded(page: Any) -> None:
    """Typed or pasted with combining accents (NFD), "josé" finds the "José" the table
    shows (NFC), as the server's filter does."""
    page.goto(url(_entry(BIG)["interaction_id"]) + "?all=agents#agents")
    first = page.locator("#agents tbody tr").first
    first.evaluate("row => { row.cells[0].textContent = 'Jos\u00e9 N\u00fa\u00f1ez'; }")
    page.locator("#agents input[type=search]").fill("jose\u0301 nu\u0301n\u0303ez")
    assert first.is_visible()
    assert page.locator("#agents tbody tr:not([hidden])").count() == 1
    assert page.locator("#agents-table-shown").inner_text() == "1 of 121 shown"


def _index_with_typical_peers() -> None:
    """The demo data synced, plus enough other interactions in the index (``MIN_COMPARABLE``)
    through each of the 120-transfer interaction's queues and agents: the typical panel
    compares it with the others only, never with itself, and the demo alone has too few."""
    from datetime import timedelta

    from django.utils import timezone

    from dashboard.index.typical import MIN_COMPARABLE
    from tests.index_search.rows import index_row

    call_command("sync_interactions", "--once", "--since", "30d", stdout=io.StringIO())
    body = _entry(BIG)["body"]
    queues = sorted(
        {q["queueName"] for q in body["queues"] if q.get("queueName")}
        - {a.get("agentName") for a in body["agents"]}  # direct-transfer lines
    )
    agents = sorted({a["agentName"] for a in body["agents"] if a.get("agentName")})
    now = timezone.now()
    for n in range(MIN_COMPARABLE):
        index_row(
            start=now - timedelta(hours=2 + n),
            flow_name="Peer flow",  # no total to compare: the panel stays one folded line
            queues=[(q, 20.0 + n) for q in queues],
            agents=[(agents[n % len(agents)], q, 60.0 + n) for q in queues],
        )


def test_big_interaction_stays_three_screens_tall_with_the_index_filled(page: Any) -> None:
    """As ``make run`` shows it, after a sync: the journey link and the typical panel
    join the page; the panel's line per queue visit and agent leg is folded."""
    _index_with_typical_peers()
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(url(_entry(BIG)["interaction_id"]))
    typical = page.locator("#typical")
    assert typical.count() == 1
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"120-transfer page with the index: document {height} px")
    assert height <= 3000  # 2,923 px
    assert typical.bounding_box()["height"] <= 60
    typical.locator("summary").click()
    assert typical.locator("li[data-what]").count() > 100


def test_the_folded_typical_list_filters_live_by_keyboard_and_stays_whole_without_js(
    page: Any,
) -> None:
    """Typing a name in the fold hides the other lines and says how many are left, as
    the long tables' filter does; without JavaScript the box is not there and every
    line is."""
    _index_with_typical_peers()
    page.goto(url(_entry(BIG)["interaction_id"]))
    typical = page.locator("#typical")
    lines = typical.locator("#typical-lines > li")
    texts = lines.all_text_contents()
    total = len(texts)
    assert total > 100
    # By keyboard: open the fold, Tab into the box, type an agent's name.
    assert not typical.locator("#typical-filter").is_visible()  # folded away
    typical.locator("summary").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "typical-filter"
    name = _entry(BIG)["body"]["agents"][118]["agentName"]
    page.keyboard.type(name)
    wanted = [t for t in texts if name.lower() in t.lower()]
    assert 1 <= len(wanted) < total
    shown = typical.locator("#typical-lines > li:not([hidden])")
    assert shown.count() == len(wanted)
    assert all(name in t for t in shown.all_text_contents())
    status = typical.locator("#typical-lines-shown")
    assert status.get_attribute("role") == "status"
    assert status.inner_text() == f"{len(wanted)} of {total} shown"
    # A queue's name finds its waits; emptied, the box shows every line again.
    page.keyboard.press("Control+A")
    page.keyboard.type("in billing")
    queue = [t for t in texts if "in billing" in t.lower()]
    assert 1 <= shown.count() == len(queue) < total
    assert status.inner_text() == f"{len(queue)} of {total} shown"
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    assert shown.count() == total
    assert status.inner_text() == ""
    assert serious_accessibility_issues(page) == []
    # Without JavaScript: no box that would do nothing, and the whole list.
    context = page.context.browser.new_context(java_script_enabled=False)
    context.add_cookies(page.context.cookies())
    still = context.new_page()
    still.goto(page.url)
    still.locator("#typical summary").click()
    assert not still.locator("#typical-filter").is_visible()
    assert still.locator("#typical-lines > li:visible").count() == total
    context.close()


@pytest.mark.parametrize("query", ["", "?all=agents&q=carmen"])
def test_big_interaction_never_scrolls_sideways_at_375_px(page: Any, query: str) -> None:
    """At 375 px only the tables and the chart scroll sideways, inside their own
    regions: the page is exactly as wide as the screen, folded or opened."""
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(url(_entry(BIG)["interaction_id"]) + query)
    assert page.evaluate("document.documentElement.scrollWidth") == 375
    page.locator("#segments .table-fold > summary").click()
    page.locator("#timeline-keys > summary").click()
    assert page.evaluate("document.documentElement.scrollWidth") == 375


def test_the_other_participants_load_when_their_fold_opens_and_are_keyboard_reachable(
    page: Any,
) -> None:
    entry = _entry(BIG)
    agents = entry["body"]["agents"]
    page.goto(url(entry["interaction_id"]))
    section = page.locator("#participants")
    assert section.locator("tbody tr").count() == 5
    last = page.locator(f"#participant-{agents[-1]['interactionAgentId']}")
    assert last.count() == 0  # not made until asked for
    fold = section.locator("details.participants-rest summary")
    fold.focus()
    with page.expect_request(lambda r: r.headers.get("hx-target") == "participants-rest"):
        page.keyboard.press("Enter")
    last.wait_for()
    assert section.locator("tbody tr").count() == len(agents)
    # The loaded rows scroll with the keyboard like the first ones.
    region = section.locator("details [role=region]")
    region.focus()
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
        "The other participants"
    )
    # Closing and opening again asks nothing more.
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    details = section.locator("details.participants-rest")
    fold.focus()
    page.keyboard.press("Enter")
    assert details.get_attribute("open") is None
    page.keyboard.press("Enter")
    assert details.get_attribute("open") is not None
    page.wait_for_timeout(200)
    assert asked == []
    assert section.locator("tbody tr").count() == len(agents)


def test_n_and_p_move_between_marked_bars_only_while_the_timeline_has_focus(page: Any) -> None:
    entry = _entry("flagged-exceed-counter-limit.json")
    page.goto(url(FLAGGED_AGENT))
    marked = page.locator("#timeline a.bar[data-marked]")
    assert marked.count() >= 1
    page.locator("body").press("n")  # outside the timeline: nothing moves
    assert page.evaluate("document.activeElement.closest('#timeline') === null")
    page.locator("#timeline .timeline-scroll").focus()
    page.keyboard.press("n")
    assert page.evaluate("document.activeElement.hasAttribute('data-marked')")
    page.keyboard.press("?")
    assert page.locator("#timeline-keys").get_attribute("open") is not None
    del entry


def test_show_where_scrolls_the_bar_into_view_and_focuses_it(page: Any) -> None:
    page.set_viewport_size({"width": 375, "height": 700})
    page.goto(url(FLAGGED_AGENT))
    link = page.locator("a[data-focus-bar]").first
    target = link.get_attribute("data-focus-bar")
    link.click()
    page.wait_for_url(f"**focus={target}**")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id.startsWith('bar-')"
    )
    assert page.evaluate("document.activeElement.id") == f"bar-{target}"
    box = page.locator(f"#bar-{target} .bar-body").bounding_box()
    assert box is not None
    assert 0 <= box["y"] <= 700


def test_zoom_keeps_the_focus(page: Any) -> None:
    page.goto(url(TRANSFER_CHAIN) + "?focus=ivr")
    page.get_by_role("link", name="Zoom in to the middle half of the shown range").click()
    page.wait_for_url("**zoom=**")
    assert "focus=ivr" in page.url


def test_bars_are_targets_of_at_least_24_px(page: Any) -> None:
    page.goto(url(_entry(BIG)["interaction_id"]))
    small = page.evaluate(
        """() => Array.from(document.querySelectorAll('#timeline a.bar .hit'))
             .map(r => r.getBoundingClientRect())
             .filter(b => b.width < 23.9 || b.height < 23.9).length"""
    )
    assert small == 0


def test_timeline_axe_clean_and_screenshots(page: Any, artifacts: Any) -> None:
    """The timeline of three demos at 1400 and 375 px, light and dark: a screenshot of
    each, and axe on the 375 px timeline in both schemes (the whole pages at 1400 px are
    checked in tests/browser/test_story_browser.py). Each width loads once; the scheme
    changes on the loaded page."""
    for file in ("transfer-chain.json", BIG, "email-inbound.json"):
        entry = _entry(file)
        for width in (1400, 375):
            page.set_viewport_size({"width": width, "height": 1000})
            page.goto(url(entry["interaction_id"]))
            for scheme in ("light", "dark"):
                page.emulate_media(color_scheme=scheme)
                page.locator("#timeline").screenshot(
                    path=str(artifacts / f"timeline-{file[:-5]}-{width}-{scheme}.png")
                )
            page.emulate_media(color_scheme="light")
        failures = in_light_and_dark(page, context="#timeline")
        assert not failures, json.dumps(failures, indent=1)


def test_a_supervisors_listening_in_looks_unlike_time_with_the_customer(
    page: Any, monkeypatch: Any, artifacts: Any
) -> None:
    from tests.novel import serve_novel

    urls = serve_novel(monkeypatch, "voice-supervisor-monitors-then-barges-in")
    page.goto(urls["voice-supervisor-monitors-then-barges-in"])
    monitor = page.locator('#timeline a.bar[data-kind="monitor"] .bar-body')
    agent = page.locator('#timeline a.bar[data-kind="agent"] .bar-body').last
    assert monitor.count() == 1 and monitor.is_visible()

    def style(locator: Any) -> dict[str, str]:
        return locator.evaluate(
            "el => { const s = getComputedStyle(el);"
            " return {fill: s.fill, dash: s.strokeDasharray, stroke: s.stroke}; }"
        )

    mine, theirs = style(monitor), style(agent)
    assert mine["fill"] != theirs["fill"] and mine["dash"] not in ("none", theirs["dash"])
    assert theirs["fill"] == theirs["stroke"] != "none"  # the agent colour, resolved
    # Its text is dark on the faint fill, without the white bars' outline.
    text = page.locator('#timeline a.bar[data-kind="monitor"] .bar-label')
    assert text.evaluate("el => getComputedStyle(el).stroke") == "none"
    # Her two bars share her row.
    assert abs(monitor.bounding_box()["y"] - agent.bounding_box()["y"]) < 1
    assert "not time with the customer" in page.locator(".legend").inner_text()
    page.locator("#timeline").screenshot(path=str(artifacts / "monitoring.png"))
    failures = in_light_and_dark(page)
    assert not failures, json.dumps(failures, indent=1)
