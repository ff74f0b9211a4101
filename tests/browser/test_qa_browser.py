"""The QA workflow in a real browser: the flagged list (htmx filters and sorting) and reviews."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from dashboard.accounts.models import TenantGrant
from dashboard.demo.api import DEMO_TENANT_ID, bodies
from dashboard.reviews import services
from dashboard.reviews.models import Review

FLAGGED_URL = f"/tenants/{DEMO_TENANT_ID}/flagged/"
FLAGGED_AGENT = "355f35bb-e378-11f1-83e6-7f85978343ab"
AGENT_PAGE = f"/tenants/{DEMO_TENANT_ID}/interactions/{FLAGGED_AGENT}/"


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def flagged_today() -> dict[str, dict[str, Any]]:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    return {
        str(b["interactionId"]).lower(): b
        for b in bodies()
        if b.get("flagged") is True and now - timedelta(hours=24) <= when(b["startTimestamp"]) < now
    }


def duration(body: dict[str, Any]) -> float | None:
    if body.get("startTimestamp") and body.get("endTimestamp"):
        return (when(body["endTimestamp"]) - when(body["startTimestamp"])).total_seconds()
    return body.get("interactionTime")


def shown_ids(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "#flagged-results tbody tr[data-interaction]",
        "rows => rows.map(r => r.dataset.interaction)",
    )


def test_flagged_list_filters_through_htmx(page: Any, artifacts: Path) -> None:
    expected = flagged_today()
    page.goto(FLAGGED_URL)
    assert sorted(shown_ids(page)) == sorted(expected)
    page.screenshot(path=str(artifacts / "flagged-list.png"), full_page=True)
    page.evaluate("window.__noReload = true")
    # A documented type with a flagged interaction in the last 24 hours (which of the
    # demo's fall inside depends on the time of day the test runs).
    types = sorted({b["flagType"] for b in expected.values()} & {"Queue", "Agent", "Segment"})
    assert types
    flag_type = types[0]
    wanted = sorted(i for i, b in expected.items() if b["flagType"] == flag_type)
    assert wanted
    value = flag_type.lower()  # the filter's value: one per type, whatever its case
    with page.expect_response(
        lambda r: "flag=" + value in r.url and r.request.headers.get("hx-request") == "true"
    ):
        page.select_option("#f-flag", value)
    page.wait_for_url(f"**flag={value}**")
    expect(page.locator("#flagged-results tbody tr")).to_have_count(len(wanted))
    assert sorted(shown_ids(page)) == wanted
    assert page.locator("#f-flag").input_value() == value
    assert (
        f"({len(expected)} before filters)"
        in page.locator("#flagged-results .results-head").inner_text()
    )
    assert page.evaluate("window.__noReload === true")  # swapped in place, no full load
    # The pushed URL is a real state: loading it gives the same table.
    page.goto(page.url)
    assert sorted(shown_ids(page)) == wanted


def test_flagged_list_sorts_by_clicking_the_header(page: Any) -> None:
    expected = flagged_today()
    page.goto(FLAGGED_URL)
    before = shown_ids(page)
    page.evaluate("window.__noReload = true")
    header = page.locator("#flagged-results thead a", has_text="Duration")
    with page.expect_response(lambda r: "sort=-duration" in r.url):
        header.click()
    page.wait_for_url("**sort=-duration**")
    expect(page.locator("th[aria-sort=descending] a")).to_contain_text("Duration")
    down = shown_ids(page)
    known = [i for i in down if duration(expected[i]) is not None]
    assert known == sorted(known, key=lambda i: duration(expected[i]), reverse=True)
    assert down != before
    # Clicking again sorts the other way.
    page.locator("#flagged-results thead a", has_text="Duration").click()
    page.wait_for_url("**sort=duration**")
    expect(page.locator("th[aria-sort=ascending] a")).to_have_count(1)
    up = shown_ids(page)
    assert [i for i in up if duration(expected[i]) is not None] == list(reversed(known))
    assert page.evaluate("window.__noReload === true")


def test_review_form_saves_in_place_and_shows_in_the_list(page: Any, viewer: Any) -> None:
    page.goto(AGENT_PAGE)
    page.evaluate("window.__noReload = true")
    review = page.locator("#review")
    assert "not reviewed yet" in review.inner_text()
    page.select_option("#id_status", "done")
    page.fill("#id_comment", "Agent end confirmed from the recording.")
    with page.expect_response(
        lambda r: r.url.endswith("/review/") and r.request.method == "POST"
    ) as info:
        review.get_by_role("button", name="Save review").click()
    assert info.value.status == 200
    page.wait_for_selector("#review .ok")
    assert page.locator("#review .ok").inner_text() == "Saved."
    assert page.locator("#review .review-state .status-pill").inner_text() == "Done"
    assert "last saved by you" in page.locator("#review .review-state").inner_text()
    assert page.evaluate("window.__noReload === true")
    saved = Review.objects.get(tenant_id=DEMO_TENANT_ID, interaction_id=FLAGGED_AGENT)
    assert (saved.status, saved.comment, saved.updated_by) == (
        "done",
        "Agent end confirmed from the recording.",
        viewer,
    )
    page.goto(FLAGGED_URL)
    row = page.locator(f'#flagged-results tr[data-interaction="{FLAGGED_AGENT}"]')
    assert row.locator(".status-pill").inner_text() == "Done"
    others = page.locator("#flagged-results tbody .status-pill", has_text="Done")
    assert others.count() == 1


def test_conflict_keeps_what_was_typed(page: Any, django_user_model: Any) -> None:
    colleague = django_user_model.objects.create_user("colleague")
    TenantGrant.objects.create(user=colleague, tenant_id=DEMO_TENANT_ID)
    page.goto(AGENT_PAGE)
    page.evaluate("window.__noReload = true")
    page.select_option("#id_status", "in_review")
    page.fill("#id_comment", "My notes, typed in the browser.")
    # Meanwhile a colleague saves (version 0 -> 1).
    saved = services.save_review(
        colleague,
        DEMO_TENANT_ID,
        FLAGGED_AGENT,
        status="done",
        comment="Colleague says all fine.",
        version=0,
    )
    assert isinstance(saved, Review)
    with page.expect_response(lambda r: r.url.endswith("/review/")) as info:
        page.locator("#review").get_by_role("button", name="Save review").click()
    assert info.value.status == 409
    conflict = page.locator("#review .conflict")
    conflict.wait_for()
    said = conflict.inner_text()
    assert "Someone else saved this review" in said
    assert "Colleague says all fine." in said and "My notes, typed in the browser." in said
    assert "colleague (version 1)" in said
    assert page.locator("#id_comment").input_value() == "My notes, typed in the browser."
    assert page.locator("#id_status").input_value() == "in_review"
    assert page.locator('#review input[name="version"]').input_value() == "1"
    assert page.evaluate("window.__noReload === true")
    assert Review.objects.get().comment == "Colleague says all fine."
    # The browser reports the expected 409 as a failed resource; nothing else may be logged.
    page.problems[:] = [
        p for p in page.problems if "409" not in p and "htmx:responseError" not in p
    ]
    # Saving again now wins.
    with page.expect_response(lambda r: r.url.endswith("/review/")) as again:
        page.locator("#review").get_by_role("button", name="Save review").click()
    assert again.value.status == 200
    page.wait_for_selector("#review .ok")
    assert page.locator("#review .conflict").count() == 0
    assert Review.objects.get().comment == "My notes, typed in the browser."


def test_keyboard_focus_stays_on_the_button_after_saving(page: Any, viewer: Any) -> None:
    """A keyboard user saves with the button focused: the swapped-in review box and
    assignment control keep the focus on the same button instead of dropping it to the
    page's start."""
    page.goto(AGENT_PAGE)
    page.select_option("#id_status", "in_review")
    save = page.locator("#review").get_by_role("button", name="Save review")
    save.focus()
    with page.expect_response(lambda r: r.url.endswith("/review/")):
        page.keyboard.press("Enter")
    page.wait_for_selector("#review .ok")
    assert page.evaluate("document.activeElement.textContent") == "Save review"
    assign = page.locator("#assignment").get_by_role("button", name="Assign", exact=True)
    assign.focus()
    with page.expect_response(lambda r: r.url.endswith("/assign/")):
        page.keyboard.press("Enter")
    page.wait_for_selector("#assignment .ok")
    assert page.evaluate("document.activeElement.textContent") == "Assign"
