"""The timeline's tags write what the template loops they replace wrote, byte for byte,
escaping included: hostile paths, lanes, pages and focuses are escaped alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone

from dashboard.demo.generate import generate_interaction
from dashboard.interactions.pages import GEOMETRY
from dashboard.interactions.parsing import parse_interaction
from dashboard.interactions.timeline import Timeline, timeline_for

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


#: The row labels as the timeline partial wrote them before ``timeline_labels``.
LABELS_LOOP = (
    "{% for lane in timeline.lanes %}\n"
    '      <div class="tl-lane tl-lane-{{ lane.key }}">\n'
    '        <div class="tl-lane-title"><span aria-hidden="true">{{ lane.title }}</span>'
    "{% if lane.expandable %}{% if lane.expanded %}"
    ' <a class="tl-fewer" data-focus-key="lane-{{ lane.key }}" href="{{ request.path }}?'
    "{% for k, q in page.lane_queries.items %}{% if k == lane.key %}{{ q }}{% endif %}"
    '{% endfor %}#timeline" hx-get="{{ request.path }}?{% for k, q in page.lane_queries.items %}'
    '{% if k == lane.key %}{{ q }}{% endif %}{% endfor %}" hx-target="#timeline" '
    'hx-swap="outerHTML" hx-push-url="true">show fewer<span class="visually-hidden"> '
    "{{ lane.title|lower }}</span></a>{% endif %}{% endif %}</div>\n"
    "        {% for row in lane.rows %}\n"
    '        <div class="tl-row-label{% if row.grouped %} grouped{% endif %}"'
    '{% if row.label and not row.more %} title="{{ row.label }}"{% endif %}>'
    '{% if row.more %}<a class="tl-more" data-focus-key="lane-{{ lane.key }}" '
    'href="{{ request.path }}?{% for k, q in page.lane_queries.items %}'
    '{% if k == lane.key %}{{ q }}{% endif %}{% endfor %}#timeline" '
    'hx-get="{{ request.path }}?{% for k, q in page.lane_queries.items %}'
    '{% if k == lane.key %}{{ q }}{% endif %}{% endfor %}" hx-target="#timeline" '
    'hx-swap="outerHTML" hx-push-url="true" title="Show every row: {{ row.label }}">'
    '+{{ row.more }} more<span class="tl-noun"> {{ lane.title|lower }}</span></a>'
    '{% else %}<span aria-hidden="true">{{ row.label }}</span>{% endif %}</div>\n'
    "        {% endfor %}\n"
    "      </div>\n"
    "      {% endfor %}"
)
LABELS_TAG = "{% load dashboard_tags %}{% timeline_labels timeline %}"

#: The axis as the timeline partial wrote it before ``timeline_ticks``.
TICKS_LOOP = (
    "{% for t in timeline.ticks %}\n"
    '          <line x1="{{ t.x_pct }}" x2="{{ t.x_pct }}" y1="{{ geometry.axis }}" '
    'y2="{{ timeline.height }}"></line>\n'
    '          <text x="{{ t.x_pct }}" y="16" text-anchor="{{ t.anchor }}"><title>'
    '{{ t.at|date:"Y-m-d H:i:s T" }}</title>{{ t.label }}</text>\n'
    "          {% endfor %}"
)
TICKS_TAG = "{% load dashboard_tags %}{% timeline_ticks timeline geometry.axis %}"

#: The chart's lanes as the timeline partial wrote them before ``timeline_lanes``.
LANES_LOOP = (
    "{% load dashboard_tags %}{% for lane in timeline.lanes %}\n"
    '        <g class="lane lane-{{ lane.key }}" role="group" aria-label="{{ lane.title }}">\n'
    '          <line class="lane-rule" x1="0" x2="100%" y1="{{ lane.y }}" y2="{{ lane.y }}" '
    'aria-hidden="true"></line>\n'
    "          {% for row in lane.rows %}\n"
    "          {% timeline_bars row page.timeline_query focus focus_related geometry.bar "
    "geometry.hit %}\n"
    "          {% endfor %}\n"
    "        </g>\n"
    "        {% endfor %}"
)
LANES_TAG = (
    "{% load dashboard_tags %}{% timeline_lanes timeline page.timeline_query focus "
    "focus_related geometry.bar geometry.hit %}"
)

HOSTILE = "<script>\"&'x</script>"


def _hostile(line: Timeline) -> Timeline:
    """``line`` with markup in its lane titles, lane keys and row labels."""
    lanes = tuple(
        replace(
            lane,
            key=lane.key if n % 2 else lane.key + HOSTILE,
            title=f"{lane.title} {HOSTILE}",
            rows=tuple(
                replace(row, label=f"{row.label}{HOSTILE}" if row.label else "")
                for row in lane.rows
            ),
        )
        for n, lane in enumerate(line.lanes)
    )
    return replace(line, lanes=lanes)


@pytest.mark.parametrize("segments", [1, 5, 120])
@pytest.mark.parametrize("expand", [(), ("agents",), ("agents", "queues")])
@pytest.mark.parametrize("hostile", [False, True])
@pytest.mark.parametrize(
    ("path", "queries", "timeline_query", "focus"),
    [
        ("/t/1/interactions/2/", {}, "", ""),
        (
            "/t/\"&<x>'/",
            {"agents": 'expand=<b>"&', "queues": "zoom=1-2&'"},
            'zoom=1.0-2.0&expand=<i>"&',
            'bar-<script>"&',
        ),
        ("/p/", {"agents": "", "queues": "expand=queues"}, "expand=agents&", "segment-1"),
    ],
)
@pytest.mark.parametrize("zone", ["UTC", "America/Puerto_Rico", "Asia/Kolkata"])
def test_the_label_tick_and_lane_tags_write_what_the_loops_wrote(
    segments: int,
    expand: tuple[str, ...],
    hostile: bool,
    path: str,
    queries: dict[str, str],
    timeline_query: str,
    focus: str,
    zone: str,
) -> None:
    item = parse_interaction(generate_interaction(segments))
    line = timeline_for(item, NOW, None, expand)
    if hostile:
        line = _hostile(line)
    related = frozenset(b.id for b in line.bars[::3]) | {HOSTILE}
    page = SimpleNamespace(lane_queries=queries, timeline_query=timeline_query)
    context = {
        "timeline": line,
        "request": SimpleNamespace(path=path),
        "page": page,
        "focus": focus or (line.bars[0].id if line.bars else ""),
        "focus_related": related,
        "geometry": GEOMETRY,
    }
    with timezone.override(ZoneInfo(zone)):
        for loop, tag in (
            (LABELS_LOOP, LABELS_TAG),
            (TICKS_LOOP, TICKS_TAG),
            (LANES_LOOP, LANES_TAG),
        ):
            old = Template(loop).render(Context(context))
            new = Template(tag).render(Context(context))
            assert new == old


def test_the_label_tags_need_no_page() -> None:
    """Without a page (a bare template), the lane links have no query, as in the loop."""
    item = parse_interaction(generate_interaction(120))
    line = timeline_for(item, NOW, None, ("agents",))
    context = {"timeline": line, "request": SimpleNamespace(path="/p/")}
    assert Template(LABELS_TAG).render(Context(context)) == Template(LABELS_LOOP).render(
        Context(context)
    )


@pytest.mark.parametrize(
    "zone", ["UTC", "Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]
)
def test_a_ticks_moment_is_written_as_the_date_filter_writes_it(zone: str) -> None:
    """``_moment`` against ``date:"Y-m-d H:i:s T"``: a year of moments, the hours a
    clock goes back (twice over) or skips, naive and aware."""
    from datetime import timedelta

    from django.template.defaultfilters import date as date_filter
    from django.utils.timezone import template_localtime

    from dashboard.interactions.templatetags.dashboard_tags import _moment

    here = ZoneInfo(zone)
    moments = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=37 * n) for n in range(15000)]
    moments += [
        datetime(2026, 11, 1, 1, 30, fold=fold, tzinfo=tz)
        for fold in (0, 1)
        for tz in (None, here, ZoneInfo("America/New_York"))
    ]
    moments.append(datetime(2026, 3, 8, 2, 30, tzinfo=ZoneInfo("America/New_York")))
    with timezone.override(here):
        for moment in moments:
            for use_tz in (True, False):
                local = template_localtime(moment, use_tz)
                assert _moment(local) == date_filter(local, "Y-m-d H:i:s T")
