"""The dashboard by keyboard only, as a screen reader hears it: focus survives every
htmx swap, Escape closes what it opened, and results are announced once."""

from __future__ import annotations

from typing import Any

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


def settled(page: Any) -> None:
    """Let htmx settle and the page's own focus handling run."""
    page.wait_for_load_state("networkidle")
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
    assert focused(page) == f"bar-{bar_id}"
