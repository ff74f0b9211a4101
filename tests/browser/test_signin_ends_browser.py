"""A sign-in that ends while a review's comment is typed but not saved: an htmx request
does not take the browser away from it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from dashboard.demo.api import DEMO_TENANT_ID

FLAGGED_AGENT = "355f35bb-e378-11f1-83e6-7f85978343ab"
PAGE = f"/tenants/{DEMO_TENANT_ID}/interactions/{FLAGGED_AGENT}/"


@pytest.mark.browser
@pytest.mark.parametrize("typed", [True, False])
def test_an_ended_sign_in_keeps_unsaved_text_on_the_page(page: Any, typed: bool) -> None:
    page.goto(PAGE)
    if typed:
        page.fill("#id_comment", "Agent end missing: checked the recording, call was fine.")
    page.context.clear_cookies()  # the session ends
    page.locator("#timeline a.bar").first.click()  # an htmx request
    if typed:
        alert = page.locator("#sign-in-ended")
        expect(alert).to_contain_text("Your sign-in has ended")
        assert alert.get_attribute("role") == "alert"
        assert "/accounts/login/" in alert.locator("a").get_attribute("href")
        assert page.url.endswith(PAGE) or PAGE in page.url
        assert "checked the recording" in page.input_value("#id_comment")
    else:
        page.wait_for_url("**/accounts/login/**")  # nothing to lose: off to sign in
