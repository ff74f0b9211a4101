"""New payloads on a phone and beside the QA column: nothing wider than the screen,
long texts folded, labels readable, axe clean in light and dark."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.accessibility import in_light_and_dark
from tests.conftest import allow_contact_details
from tests.novel import novel_body, serve_novel

PAGES = ("unknown-codes-same-agent-twice", "email-next-day", "outbound-no-answer")


@pytest.fixture
def novel(monkeypatch: Any, viewer: Any) -> dict[str, str]:
    """The pages, seen by a viewer allowed the notes and contact details."""
    allow_contact_details(viewer)
    return serve_novel(monkeypatch, *PAGES)


def wider_than_the_screen(page: Any) -> list[str]:
    """Elements whose right edge passes the viewport (outside the sideways scrollers)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main *')]
             .filter(el => !el.closest('.table-scroll, .timeline-scroll, details:not([open])'))
             .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
             .slice(0, 5).map(el => el.tagName + '.' + el.className)"""
    )


@pytest.mark.parametrize("name", ["unknown-codes-same-agent-twice", "email-next-day"])
def test_new_payloads_fit_375_px_with_long_texts_folded_and_pass_axe(
    page: Any, novel: dict[str, str], name: str
) -> None:
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(novel[name])
    page.wait_for_selector("#outcome")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, (width, wider_than_the_screen(page))
    failures = in_light_and_dark(page)
    assert not failures, json.dumps(failures, indent=1)


def test_long_notes_and_values_are_folded_until_asked_for(page: Any, novel: dict[str, str]) -> None:
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(novel["unknown-codes-same-agent-twice"])
    page.wait_for_selector(".fold-text")
    notes = novel_body("unknown-codes-same-agent-twice")["notes"]
    fold = page.locator(".fold-text").first
    preview = fold.locator(".fold-preview")
    assert preview.is_visible()
    assert preview.bounding_box()["height"] < 300  # a few lines, not 12 kB of text
    summary = fold.locator("summary")
    assert f"Show all ({len(notes):,} characters)" in summary.inner_text()
    assert not fold.locator("details .notes").is_visible()
    summary.click()
    assert fold.locator("details .notes").is_visible()
    assert not preview.is_visible()  # the preview gives way to the whole text
    # The long disposition is three lines at most in the key figures.
    clamp = page.locator(".figures .clamp")
    line = float(
        page.evaluate("(el) => parseFloat(getComputedStyle(el).lineHeight)", clamp.element_handle())
    )
    assert clamp.bounding_box()["height"] <= 3 * line + 1
    # Long values (a URL, a token) fold too.
    assert page.locator(".fact.long details.show-all").count() >= 3
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375


@pytest.mark.parametrize("width", [1400, 1280])
def test_the_participants_table_fits_beside_the_qa_column(
    page: Any, novel: dict[str, str], width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(novel["unknown-codes-same-agent-twice"])
    page.wait_for_selector("#participants")
    assert page.locator(".layout-side").is_visible()
    scroller = page.locator("#participants .table-scroll")
    fits = page.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1", scroller.element_handle())
    assert fits, page.evaluate(
        "(el) => [el.scrollWidth, el.clientWidth]", scroller.element_handle()
    )


def test_timeline_labels_are_readable_at_375_px(page: Any, novel: dict[str, str]) -> None:
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(novel["outbound-no-answer"])
    page.wait_for_selector("#timeline")
    parts = page.locator(".tl-overview .tl-part-text")
    assert parts.count() > 0
    for i in range(parts.count()):
        assert parts.nth(i).is_visible() and parts.nth(i).inner_text().strip()
    # Every row's name whole: wrapped, not cut.
    cut = page.evaluate(
        """() => [...document.querySelectorAll('#timeline .tl-row-label > span')]
             .filter(el => el.scrollHeight > el.clientHeight + 1
                           || el.scrollWidth > el.clientWidth + 1)
             .map(el => el.textContent)"""
    )
    assert cut == []
    assert page.locator("#timeline .tl-row-label", has_text="Marie-Ève Cormier").count() == 1
