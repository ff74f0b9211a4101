"""The timeline's tags write what the template loops they replace wrote, byte for byte,
escaping included: hostile paths, lanes, pages and focuses are escaped alike."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template

from dashboard.demo.generate import generate_interaction
from dashboard.interactions.parsing import parse_interaction
from dashboard.interactions.timeline import timeline_for

#: The overview strip as the timeline partial wrote it before ``timeline_overview``.
OVERVIEW_LOOP = (
    "{% for w in timeline.overview %}\n"
    '    <a class="tl-part level-{{ w.level }}{% if w.current %} current{% endif %}'
    '{% if w.marked %} marked{% endif %}"\n'
    '       href="{{ request.path }}?{{ w.query }}{% if page.expand %}&amp;expand='
    "{{ page.expand }}{% endif %}{% if page.came_from %}&amp;"
    '{{ page.from_query|slice:":-1" }}{% endif %}{% if focus %}&amp;focus={{ focus }}'
    '{% endif %}#timeline"\n'
    '       hx-get="{{ request.path }}?{{ w.query }}{% if page.expand %}&amp;expand='
    "{{ page.expand }}{% endif %}{% if page.came_from %}&amp;"
    '{{ page.from_query|slice:":-1" }}{% endif %}{% if focus %}&amp;focus={{ focus }}'
    '{% endif %}"\n'
    '       hx-target="#timeline" hx-swap="outerHTML" hx-push-url="true"\n'
    '       {% if w.current %}aria-current="true"{% endif %}{% if w.text != w.label %}'
    ' title="{{ w.label }}"{% endif %}\n'
    '       aria-label="Show {{ w.label }}: {{ w.bars }} record{{ w.bars|pluralize }}'
    '{% if w.marked %}, some flagged or inconsistent{% endif %}">'
    '<span class="tl-part-text" aria-hidden="true">{{ w.text }}</span>'
    '{% if w.marked %}<span class="bang" aria-hidden="true">!</span>{% endif %}</a>\n'
    "    {% endfor %}"
)
OVERVIEW_TAG = "{% load dashboard_tags %}{% timeline_overview timeline %}"

NOW = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("segments", [1, 5, 120])
@pytest.mark.parametrize("zoomed", [False, True])
@pytest.mark.parametrize(
    ("path", "expand", "came_from", "focus"),
    [
        ("/t/1/interactions/2/", "", "", ""),
        ("/t/\"&<x>'/", "agents,queues", 'list?q="<b>"&x=1', 'bar-<script>"&'),
        ("/p/", "<i>", "'", "segment-1"),
    ],
)
def test_the_overview_tag_writes_what_the_loop_wrote(
    segments: int, zoomed: bool, path: str, expand: str, came_from: str, focus: str
) -> None:
    line = timeline_for(parse_interaction(generate_interaction(segments)), NOW)
    if zoomed:
        line = timeline_for(
            parse_interaction(generate_interaction(segments)),
            NOW,
            (line.total / 3, line.total / 2),
        )
    assert line.overview  # the strip is drawn for every interaction with a length
    page = SimpleNamespace(
        expand=expand,
        came_from=came_from,
        from_query=f"from={came_from}&" if came_from else "",
    )
    context = {
        "timeline": line,
        "request": SimpleNamespace(path=path),
        "page": page,
        "focus": focus,
    }
    old = Template(OVERVIEW_LOOP).render(Context(context))
    new = Template(OVERVIEW_TAG).render(Context(context))
    assert new == old
