"""Every form field and button is a target of at least 24×24 px (WCAG 2.5.8) and
reads at the page's own text size, on every page with a form, at 375 px and 1400 px."""

from __future__ import annotations

from typing import Any

import pytest

from dashboard.demo.api import DEMO_TENANT_ID, catalogue

PAGES = (
    "/",
    f"/tenants/{DEMO_TENANT_ID}/search/",
    f"/tenants/{DEMO_TENANT_ID}/flagged/",
    f"/tenants/{DEMO_TENANT_ID}/interactions/{catalogue()[1]['interaction_id']}/",
)

MEASURE = """() => {
  const body = parseFloat(getComputedStyle(document.body).fontSize);
  return [...document.querySelectorAll(
      'input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea, button')]
    .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
    .map(e => {
      const r = e.getBoundingClientRect();
      return {name: e.name || e.id || e.textContent.trim().slice(0, 30), type: e.type || e.tagName,
              width: r.width, height: r.height,
              small: parseFloat(getComputedStyle(e).fontSize) < 0.85 * body};
    });
}"""


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 1400])
def test_form_fields_are_targets_of_24_px_in_the_page_text(page: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    for path in PAGES:
        page.goto(path)
        fields = page.evaluate(MEASURE)
        assert fields, f"{path}: no form fields found"
        too_small = [f for f in fields if f["height"] < 24 or f["width"] < 24]
        assert not too_small, f"{path} at {width} px: {too_small}"
        tiny_text = [f for f in fields if f["small"]]
        assert not tiny_text, f"{path} at {width} px: text smaller than the page's: {tiny_text}"
