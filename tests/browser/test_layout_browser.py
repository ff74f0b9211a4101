"""The look of the forms and lists, measured in a real browser: fields in a row of a
form line up (one height, their labels on one line), help sits under its field, a
start time or a duration in a list never breaks over two lines, a list fits its card
at 1400 px, and the reviewer's select and its button share a line."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dashboard.demo.api import DEMO_TENANT_ID, catalogue
from tests.conftest import allow_contact_details
from tests.index_search.rows import index_row, synced

T = DEMO_TENANT_ID
#: The flagged demo interaction whose page opens its QA review (assignment included).
FLAGGED = next(c["interaction_id"] for c in catalogue() if "Stuck" in c["title"])

BOXES = """sel => [...document.querySelectorAll(sel)]
  .filter(e => e.getClientRects().length)
  .map(e => { const r = e.getBoundingClientRect();
              return {name: e.name || e.id || e.textContent.trim().slice(0, 20),
                      top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                      height: r.height}; })"""

ONE_LINE = """sel => [...document.querySelectorAll(sel)].map(e => {
  const lh = parseFloat(getComputedStyle(e).lineHeight) || 20;
  const range = document.createRange(); range.selectNodeContents(e);
  return {text: e.textContent.trim(), lines: Math.round(range.getBoundingClientRect().height / lh)};
})"""


def boxes(page: Any, selector: str) -> list[dict[str, Any]]:
    return page.evaluate(BOXES, selector)


@pytest.mark.browser
@pytest.mark.parametrize("path", [f"/tenants/{T}/search/", f"/tenants/{T}/flagged/"])
def test_filter_fields_share_one_height_and_their_labels_a_line(page: Any, path: str) -> None:
    page.goto(path)
    controls = boxes(page, ".filter-form input, .filter-form select, .filter-form button")
    assert controls
    heights = {round(c["height"]) for c in controls}
    assert max(heights) - min(heights) <= 2, controls
    # Fields on one row (same top) have their labels on one line too.
    labels = boxes(page, ".filter-form label")
    rows: dict[int, list[float]] = {}
    for c in controls:
        if c["name"] in ("Search", "Show"):
            continue
        label = min(
            labels, key=lambda lab: abs(lab["bottom"] - c["top"]) + abs(lab["left"] - c["left"])
        )
        rows.setdefault(round(c["top"]), []).append(label["top"])
    for top, label_tops in rows.items():
        assert max(label_tops) - min(label_tops) <= 1, (path, top, label_tops)


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 1400])
def test_home_help_sits_under_the_link_field_and_search_matches_its_field(
    page: Any, viewer: Any, width: int
) -> None:
    allow_contact_details(viewer)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    field = page.locator("#id_url").bounding_box()
    help_box = page.locator("#url-help").bounding_box()
    assert help_box["y"] >= field["y"] + field["height"], (field, help_box)
    assert abs(help_box["x"] - field["x"]) <= 1
    search = page.locator(".home-search input[type=search]").bounding_box()
    button = page.locator(".home-search button[type=submit]").bounding_box()
    show = page.locator(".lookup button[type=submit]").bounding_box()
    assert abs(button["height"] - search["height"]) <= 1, (button, search)
    assert abs(button["height"] - show["height"]) <= 1, (button, show)
    if width > 500:  # side by side: the same top
        assert abs(button["y"] - search["y"]) <= 1, (button, search)
    else:  # stacked: the interaction ID's label as near the tenant field as any other
        tenant = page.locator("#id_tenant_id").bounding_box()
        label = page.locator("label[for=id_interaction_id]").bounding_box()
        assert 0 < label["y"] - (tenant["y"] + tenant["height"]) <= 24, (tenant, label)


@pytest.mark.browser
def test_list_starts_and_durations_stay_on_one_line_and_the_list_fits_its_card(
    page: Any, viewer: Any
) -> None:
    allow_contact_details(viewer)
    now = timezone.now()
    index_row(
        start=now - timedelta(hours=2),
        minutes=140.9,  # "2 h 20 min 54 s"
        customer="a.rather.long.address@example.net",
        agents=[(f"Agent Number {i}", "Billing", 30.0) for i in range(8)],
        queues=[("Billing", 20.0), ("Technical Support", 30.0), ("Retentions", 10.0)],
        flagged=True,
        flag_type="Stuck",
        disposition="Resolved - Information provided",
    )
    index_row(start=now - timedelta(hours=3), minutes=3.5, customer="+1 506 555 4242")
    synced()
    page.goto(f"/tenants/{T}/search/")
    cells = page.evaluate(
        ONE_LINE, "#search-results td.when-cell, #search-results td.duration-cell"
    )
    assert any("h 20 min" in c["text"] for c in cells), cells
    assert all(c["lines"] == 1 for c in cells), cells
    region = page.locator("#search-results .table-scroll")
    assert region.evaluate("e => e.scrollWidth <= e.clientWidth"), "the list is wider than its card"

    page.goto(f"/tenants/{T}/flagged/")
    page.wait_for_selector(".flagged-table")
    cells = page.evaluate(ONE_LINE, ".flagged-table td.when-cell, .flagged-table td.duration-cell")
    assert cells and all(c["lines"] == 1 for c in cells), cells
    region = page.locator("#flagged-results .table-scroll")
    assert region.evaluate("e => e.scrollWidth <= e.clientWidth"), "the list is wider than its card"


STACKED = """sel => [...document.querySelectorAll(sel + ' tbody td')].map(e => ({
  label: getComputedStyle(e, '::before').content.replace(/^"|"$/g, ''),
  left: e.getBoundingClientRect().left, right: e.getBoundingClientRect().right}))"""


@pytest.mark.browser
def test_on_a_phone_the_lists_are_a_card_per_row_each_value_named(page: Any, viewer: Any) -> None:
    """At 375 px the flagged list and the search results need no sideways scrolling:
    each row is a card, every value beside its column's name; the sortable headers stay."""
    allow_contact_details(viewer)
    index_row(
        start=timezone.now() - timedelta(hours=2),
        minutes=12,
        customer="a.rather.long.address@example.net",
        agents=[("Agent Number 1", "Billing", 30.0)],
        queues=[("Technical Support", 30.0)],
        flagged=True,
        flag_type="Stuck",
    )
    synced()
    page.set_viewport_size({"width": 375, "height": 800})
    for path, table in (
        (f"/tenants/{T}/flagged/", ".flagged-table"),
        (f"/tenants/{T}/search/", ".search-table"),
    ):
        page.goto(path)
        page.wait_for_selector(f"{table} tbody td")
        region = page.locator(f"{table}").locator("xpath=..")
        assert region.evaluate("e => e.scrollWidth <= e.clientWidth"), f"{path}: scrolls sideways"
        cells = page.evaluate(STACKED, table)
        assert cells and all(c["label"] for c in cells), cells
        assert {"Start", "Flag", "Duration", "Review"} <= {c["label"].split()[0] for c in cells}
        assert all(c["right"] <= 375 for c in cells), cells
        sort = page.locator(f"{table} thead th[aria-sort] a").first.bounding_box()
        assert sort["height"] >= 24, sort  # a target, WCAG 2.5.8


@pytest.mark.browser
def test_the_reviewer_select_and_assign_share_a_line(page: Any) -> None:
    page.goto(f"/tenants/{T}/interactions/{FLAGGED}/")
    select = page.locator(".assign-form select").bounding_box()
    assign = page.locator("#assign-submit").bounding_box()
    assert abs(select["y"] - assign["y"]) <= 1, (select, assign)
    assert abs(select["height"] - assign["height"]) <= 1, (select, assign)
    assert assign["x"] > select["x"] + select["width"]


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/", f"/tenants/{T}/flagged/", "/accounts/login/"])
def test_the_demo_banner_sits_in_a_landmark(page: Any, path: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    if path == "/accounts/login/":
        page.context.clear_cookies()
    page.goto(path)
    assert page.locator(".demo-banner").count() == 1
    options = {"runOnly": {"type": "rule", "values": ["region"]}, "resultTypes": ["violations"]}
    violations = Axe().run(page, options=options).response["violations"]
    outside = [v["nodes"] for v in violations if v["id"] == "region"]
    assert not outside, outside


@pytest.mark.browser
def test_an_error_page_gives_each_id_beside_its_name(page: Any) -> None:
    unknown = FLAGGED[:-1] + ("1" if FLAGGED[-1] != "1" else "2")
    page.goto(f"/tenants/{T}/interactions/{unknown}/")
    page.problems[:] = [p for p in page.problems if "status of 404" not in p]
    names = boxes(page, "dl.ids dt")
    values = boxes(page, "dl.ids dd")
    assert len(names) == len(values) == 2
    for name, value in zip(names, values, strict=True):
        assert abs(name["top"] - value["top"]) <= 4, (name, value)
        assert value["left"] > name["right"]


@pytest.mark.browser
def test_the_timeline_zoom_fields_and_buttons_stand_as_tall_as_each_other(page: Any) -> None:
    page.goto(f"/tenants/{T}/interactions/{catalogue()[1]['interaction_id']}/")
    controls = boxes(page, ".zoom .button, .zoom button, .zoom input")
    assert len(controls) >= 3, controls
    assert max(c["height"] for c in controls) - min(c["height"] for c in controls) <= 1, controls


@pytest.mark.browser
def test_on_a_narrow_page_one_link_goes_to_the_qa_review_and_opens_it(page: Any) -> None:
    """Below the side panel's width the review comes after the whole page: a link at the
    top goes there and opens it; beside the page (1400 px) the link is not shown."""
    chain = next(c["interaction_id"] for c in catalogue() if c["file"] == "transfer-chain.json")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/tenants/{T}/interactions/{chain}/")
    link = page.locator(".to-review a")
    assert link.is_visible()
    assert not page.locator("#review details").evaluate("d => d.open")  # not flagged
    link.click()
    page.wait_for_function("() => document.querySelector('#review details').open")
    box = page.locator("#review").bounding_box()
    assert box is not None and 0 <= box["y"] < 800
    assert link.bounding_box()["height"] >= 24
    page.set_viewport_size({"width": 1400, "height": 1000})
    assert not link.is_visible()
