"""axe in a real browser: the serious and critical findings on a page, in light and dark."""

from __future__ import annotations

from typing import Any

#: The axe rules a colour scheme can change: a page's structure, names and roles are the
#: same in light and dark, only its colours differ.
COLOUR_RULES = ("color-contrast", "link-in-text-block")


def serious_accessibility_issues(
    page: Any, rules: tuple[str, ...] | None = None, context: str | None = None
) -> list[dict[str, Any]]:
    """axe's serious and critical findings on the page (or within ``context``, a
    selector); ``rules``: only those rules."""
    from axe_playwright_python.sync_playwright import Axe

    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": list(rules)}
    violations = Axe().run(page, context=context, options=options).response["violations"]
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def in_light_and_dark(page: Any, context: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """The findings on the loaded page by colour scheme: every rule in light, the colour
    rules in dark. The page is left in light."""
    found = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert page.evaluate(f"matchMedia('(prefers-color-scheme: {scheme})').matches")
        rules = COLOUR_RULES if scheme == "dark" else None
        if bad := serious_accessibility_issues(page, rules, context):
            found[scheme] = bad
    page.emulate_media(color_scheme="light")
    return found
