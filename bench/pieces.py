#!/usr/bin/env python
"""Where one interaction page's time goes: CPU milliseconds per request, whole and by piece.

The render benchmark (``bench/render.py``) says what a page costs; this says which part
of it. It serves one page many times through the same signed-in test client and counts
the CPU time (of this process: steady when other jobs share the machine) of each piece:
parsing, the timeline's layout, the story, the key presenters, each rendered fragment
(``{% memoized %}``), the whole template, the review panel's reads and the audit write.
Pieces nest (a fragment is inside the template), so they do not add up to the whole.

    .venv/bin/python bench/pieces.py            # first view of the 120-transfer demo, 60 requests
    .venv/bin/python bench/pieces.py --page small --requests 400   # the 1-segment page, repeat view

``first-view`` empties the render memo before each request (as ``render.py``'s first view
does); ``small`` is the 1-segment generated page, a repeat view.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import render  # noqa: E402 - after the path

spent: Counter[str] = Counter()


def timed(owner: Any, name: str, label: str = "") -> None:
    """Replace ``owner.name`` by a wrapper adding its CPU time to ``spent``."""
    original: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label or name] += time.process_time() - start

    setattr(owner, name, wrapper)


def instrument() -> None:
    from dashboard.interactions import pages, presenters, selectors, views
    from dashboard.interactions.templatetags import dashboard_tags

    timed(selectors, "parse_interaction")
    timed(pages.timeline, "timeline_for")
    timed(pages.story, "story_for")
    timed(presenters, "page", "presenters.page")
    timed(views, "build_page")
    timed(views, "render", "template (views.render)")
    timed(views, "review_context")
    timed(views, "audit")
    timed(views, "index_stamp")
    fragment = dashboard_tags.MemoizedNode.render

    def fragment_timed(node: Any, context: Any) -> Any:
        start = time.process_time()
        try:
            return fragment(node, context)
        finally:
            spent[f"fragment {node.name}"] += time.process_time() - start

    dashboard_tags.MemoizedNode.render = fragment_timed  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", choices=("first-view", "small"), default="first-view")
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args(argv)
    render.setup_django()
    instrument()

    from django.test.utils import override_settings

    from dashboard.interactions import cache as services

    with override_settings(ROOT_URLCONF="bench.urls"):
        client = render.create_client()
        items = render.prepare_interactions((1,), render.SEED)
        item = items[0] if args.page == "small" else items[-1]
        url = f"/tenants/{item['tenant_id']}/interactions/{item['interaction_id']}/"
        for _ in range(5):
            client.get(url)
        spent.clear()
        total = 0.0
        for _ in range(args.requests):
            if args.page == "first-view":
                services.MEMO.clear()
            start = time.process_time()
            response = client.get(url)
            total += time.process_time() - start
            if response.status_code != 200:
                raise SystemExit(f"GET {url} answered {response.status_code}")
    per = 1000 / args.requests
    print(f"{item['label']} ({args.page}): {total * per:.2f} ms of CPU a request")
    for label, seconds in spent.most_common():
        print(f"  {label:<32}{seconds * per:>8.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
