"""Template loops against the project's tags (markup built as escaped strings),
for the cells and bars of a 1,000-segment interaction.

Run: .venv/bin/python bench/tags.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

LOOPS = (
    "{% for t in page.tables %}{% for row in t.rows %}"
    '<tr id="{{ row.anchor }}"{% if row.css %} class="{{ row.css }}"{% endif %}>'
    '{% for c in row.cells %}<td{% if c.css %} class="{{ c.css }}"{% endif %}>'
    '{% if c.when %}<time datetime="{{ c.when }}"'
    '{% if c.title %} title="{{ c.title }}"{% endif %}>{{ c.text }}</time>'
    '{% elif c.title %}<span title="{{ c.title }}">{{ c.text }}</span>'
    "{% else %}{{ c.text }}{% endif %}"
    '{% if c.warning %} <span class="bang" aria-hidden="true">!</span>'
    '<span class="warning-text">{{ c.warning }}</span>{% endif %}</td>{% endfor %}</tr>\n'
    "{% endfor %}{% endfor %}"
    "{% for lane in line.lanes %}{% for row in lane.rows %}{% for bar in row.bars %}"
    '<a href="?focus={{ bar.id }}#detail" hx-get="?focus={{ bar.id }}" id="bar-{{ bar.id }}" '
    'class="bar kind-{{ bar.kind }}{% if bar.open_end %} open{% endif %}'
    "{% if bar.marked %} marked{% endif %}{% for s in bar.states %} state-{{ s|slugify }}"
    '{% endfor %}" data-kind="{{ bar.kind }}" data-bar="{{ bar.id }}" '
    "data-related=\"{{ bar.related|join:' ' }}\"><title>{{ bar.accessible_name }}</title>"
    '<rect class="bar-body" x="{{ bar.x }}" y="{{ bar.y }}" width="{{ bar.width }}" '
    'height="22" rx="3"></rect></a>\n'
    "{% endfor %}{% endfor %}{% endfor %}"
)
TAGS = (
    "{% load dashboard_tags %}{% for t in page.tables %}{% table_rows t %}{% endfor %}"
    "{% for lane in line.lanes %}{% for row in lane.rows %}"
    "{% timeline_bars row '' '' related 22 %}{% endfor %}{% endfor %}"
)


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from datetime import UTC

    from django.template import engines
    from django.utils import timezone

    from dashboard.demo.generate import generate_interaction
    from dashboard.interactions import presenters, timeline
    from dashboard.interactions.parsing import parse_interaction

    item = parse_interaction(generate_interaction(1000))
    page = presenters.page(item, UTC, "UTC")
    line = timeline.timeline_for(item, timezone.now(), None)
    engine = engines["django"]
    context = {"page": page, "line": line, "related": set()}
    cells = sum(len(r.cells) for t in page.tables for r in t.rows)
    bars = sum(len(r.bars) for lane in line.lanes for r in lane.rows)
    for name, source in (("template loops", LOOPS), ("dashboard_tags", TAGS)):
        compiled = engine.from_string(source)
        compiled.render(context)
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            compiled.render(context)
            runs.append(time.perf_counter() - started)
        print(f"{name}: {min(runs) * 1000:.0f} ms (best of 5) for {cells} cells and {bars} bars")


if __name__ == "__main__":
    main()
