"""The timeline's bars are drawn as the plain, per-bar code drew them, byte for byte.

``timeline_lanes`` and ``timeline_bars`` write each bar in one pass with what its row
shares written once, and ``Bar.accessible_name`` is written by one f-string for its
usual form: here they are compared with the straightforward code they replace (kept
below as the reference) on every kind of bar the timeline makes, from generated,
novel and hostile interactions, and on bars given odd and hostile values on purpose
(markup, quotes, RTL, emoji in every text; unknown kinds and states; open, backwards,
flagged and warned bars; focus and related sets that hold markup)."""

from __future__ import annotations

import html
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.template import Context, Template

from dashboard.demo.generate import generate_interaction
from dashboard.interactions.domain import LIVE_REASON
from dashboard.interactions.pages import GEOMETRY
from dashboard.interactions.parsing import parse_interaction
from dashboard.interactions.timeline import (
    KIND_LABELS,
    Bar,
    Timeline,
    _hms,
    clock,
    hit_box,
    hit_top,
    timeline_for,
)
from tests.hostile import SMALL_PAYLOADS, hostile_interaction

NOW = datetime(2030, 1, 1, tzinfo=UTC)
NOVEL = Path(__file__).resolve().parent / "fixtures" / "novel"
HOSTILE = "<script>\"&'x</script> \u202egnp.exe 😀"


# -- the reference: the per-bar code as it was --------------------------------------


def _esc(value: object) -> str:
    return html.escape(str(value))


def reference_name(bar: Bar) -> str:
    """``Bar.accessible_name`` as it was written, a part at a time."""
    kind = "Direct transfer to" if bar.direct else KIND_LABELS[bar.kind]
    # The kind said once when the label says it already: "IVR", "Hold 2".
    said_once = bar.label == "Flow" or (not bar.direct and bar.label.startswith(kind))
    text = bar.label if said_once else f"{kind} {bar.label}"
    if bar.kind == "queue" and not bar.direct and not getattr(bar.record, "queue_name", 1):
        text = f"Queue {bar.label.removeprefix('queue ')}"
    if bar.detail:
        text += ", " + bar.detail
    start = clock(bar.offset)
    if bar.open_end and bar.reason != LIVE_REASON:
        text += f", from {start} to no end time, lasting {_hms(bar.shown_length)}+"
    else:
        end = clock(bar.offset + bar.length)
        plus = "+" if bar.open_end else ""
        text += f", from {start} to {end}, lasting {_hms(bar.shown_length)}{plus}"
    for part in bar.states:
        if part:
            text += ", " + part
    if bar.flagged:
        text += ", flagged"
    if bar.reason:
        text += ", " + bar.reason
    for part in bar.warnings:
        if part:
            text += ", " + part
    return text


def _reference_classes(bar: Bar, focus: str, related: Any, marked: bool) -> str:
    classes = f"bar kind-{bar.kind}"
    if bar.open_end:
        classes += " open"
    if marked:
        classes += " marked"
    if bar.direct:
        classes += " direct"
    for s in bar.states:
        classes += " state-" + s.lower().replace(" ", "-")
    if bar.id == focus:
        classes += " focused"
    if bar.id in related:
        classes += " related"
    return classes


def reference_bar(
    bar: Bar, query: str, focus: str, related: Any, bar_height: float, hit: float
) -> str:
    """One bar as the per-bar tag wrote it: each attribute worked out for the bar."""
    link = _esc(f"?{query}focus=") + _esc(bar.id)
    x, width, hit_x, hit_width = hit_box(bar.x, bar.width)
    marked = bar.marked
    hatch = ""
    if bar.open_end:
        hatch = (
            f'<rect class="open-hatch" x="{x}" y="{bar.y}" width="{width}" '
            f'height="{bar_height}" rx="3" fill="url(#hatch)"></rect>'
        )
    text = ""
    if bar.label_side:
        end = ' text-anchor="end"' if bar.label_side == "left" else ""
        text = (
            f'<text class="bar-label {bar.label_side}" x="{bar.text_x}" y="{bar.text_y}"{end}>'
            f"{_esc(bar.text)}</text>"
        )
    bang = ""
    if marked:
        bang = (
            f'<svg class="bar-bang" x="{bar.bang_x}" y="{bar.bang_y}" width="20" height="20" '
            'overflow="visible"><circle cx="10" cy="10" r="8"></circle>'
            '<text x="10" y="14.5" text-anchor="middle">!</text></svg>'
        )
    flag = ' data-marked="1"' if marked else ""
    return (
        f'<a href="{link}#detail" hx-get="{link}" id="bar-{_esc(bar.id)}" '
        f'class="{_esc(_reference_classes(bar, focus, related, marked))}" '
        f'data-kind="{bar.kind}" data-bar="{_esc(bar.id)}" '
        f'data-related="{_esc(" ".join(bar.related))}"'
        f"{flag}><title>{_esc(reference_name(bar))}</title>"
        f'<rect class="hit" x="{hit_x}" y="{hit_top(bar.y)}" width="{hit_width}" '
        f'height="{hit}"></rect>'
        f'<rect class="bar-body" x="{x}" y="{bar.y}" width="{width}" height="{bar_height}" '
        f'rx="3"></rect>{hatch}{text}{bang}</a>'
    )


def reference_lanes(
    line: Timeline, query: str, focus: str, related: Any, bar_height: float, hit: float
) -> str:
    out = []
    for lane in line.lanes:
        y = lane.y
        out.append(
            f'\n        <g class="lane lane-{_esc(lane.key)}" role="group" '
            f'aria-label="{_esc(lane.title)}">\n'
            f'          <line class="lane-rule" x1="0" x2="100%" y1="{y}" y2="{y}" '
            'aria-hidden="true"></line>\n          '
        )
        for row in lane.rows:
            bars = "\n".join(
                reference_bar(b, query, focus, related, bar_height, hit) for b in row.bars
            )
            out.append(f"\n          {bars}\n          ")
        out.append("\n        </g>\n        ")
    return "".join(out)


# -- the timelines compared ---------------------------------------------------------


def _lines() -> list[tuple[str, Timeline]]:
    lines = []
    for n in (1, 5, 120):
        item = parse_interaction(generate_interaction(n, seed=n))
        whole = timeline_for(item, NOW)
        lines.append((f"generated-{n}", whole))
        lines.append((f"generated-{n}-expanded", timeline_for(item, NOW, None, ("agents",))))
        lines.append(
            (f"generated-{n}-zoomed", timeline_for(item, NOW, (whole.total / 3, whole.total / 2)))
        )
    for path in sorted(NOVEL.glob("*.json")):
        item = parse_interaction(json.loads(path.read_text(encoding="utf-8")))
        lines.append((f"novel-{path.stem}", timeline_for(item, NOW)))
    for name, payload in SMALL_PAYLOADS[::4]:
        item = parse_interaction(hostile_interaction(payload))
        lines.append((f"hostile-{name}", timeline_for(item, NOW)))
    return lines


LINES = _lines()


def _odd(bar: Bar, n: int) -> Bar:
    """``bar`` with hostile text in every field drawn, and the odd flags turned over."""
    return replace(
        bar,
        id=f"{bar.id}{HOSTILE}" if n % 3 == 0 else bar.id,
        label=f"{bar.label}{HOSTILE}" if n % 2 else "Flow",
        detail=HOSTILE if n % 4 else "",
        text=f"{bar.text or 'text'}{HOSTILE}",
        label_side=("inside", "right", "left", "")[n % 4],
        states=(HOSTILE, "Odd State", "cancelled", "") if n % 5 == 0 else bar.states,
        warnings=(HOSTILE, "") if n % 6 == 0 else bar.warnings,
        related=(*bar.related, HOSTILE),
        reason=(LIVE_REASON, HOSTILE, "")[n % 3],
        open_end=n % 2 == 0,
        flagged=n % 7 == 0,
        direct=n % 8 == 0,
        kind=("queue", "agent", "segment", "ivr", "hold", "monitor", "interaction")[n % 7],
        record=None,
        length=(0.0, 59.5, 3600.0, 1e12, bar.length)[n % 5],
        x=(0.0, 800.0, 405.5, bar.x)[n % 4],
        width=(3.0, 31.9, 32.0, 810.0, bar.width)[n % 5],
    )


@pytest.mark.parametrize(("name", "line"), LINES, ids=[name for name, _ in LINES])
def test_each_bars_name_is_the_reference_name(name: str, line: Timeline) -> None:
    for n, bar in enumerate(line.every_bar):
        assert bar.accessible_name == reference_name(bar)
        odd = _odd(bar, n)
        assert odd.accessible_name == reference_name(odd)


@pytest.mark.parametrize(("name", "line"), LINES, ids=[name for name, _ in LINES])
@pytest.mark.parametrize(
    ("query", "focus", "related"),
    [
        ("", "", frozenset()),
        ('zoom=1.0-2.0&expand=<i>"&', f"bar-{HOSTILE}", frozenset({HOSTILE})),
        ("expand=agents&", "", ()),
    ],
)
def test_the_lanes_are_drawn_as_the_reference_draws_them(
    name: str, line: Timeline, query: str, focus: str, related: Any
) -> None:
    bars = line.bars
    focus = focus or (bars[len(bars) // 2].id if bars else "")
    related = related or frozenset(b.id for b in bars[::3])
    context = {
        "timeline": line,
        "page": {"timeline_query": query},
        "focus": focus,
        "focus_related": related,
        "geometry": GEOMETRY,
    }
    tag = Template(
        "{% load dashboard_tags %}{% timeline_lanes timeline page.timeline_query focus "
        "focus_related geometry.bar geometry.hit %}"
    ).render(Context(context))
    assert tag == reference_lanes(line, query, focus, related, GEOMETRY["bar"], GEOMETRY["hit"])


@pytest.mark.parametrize(("name", "line"), LINES[:12], ids=[name for name, _ in LINES[:12]])
def test_odd_and_hostile_bars_are_drawn_as_the_reference_draws_them(
    name: str, line: Timeline
) -> None:
    """Every field of a bar hostile or odd, rows whose bars are not on one line, and the
    row tag (``timeline_bars``) as well as the lanes' tag."""
    odd = [_odd(b, n) for n, b in enumerate(line.every_bar)]
    # A row whose bars do not share a y (only the layout keeps them on one line).
    for n in range(0, len(odd), 3):
        odd[n] = replace(odd[n], y=odd[n].y + 26.0)
    focus = odd[0].id if odd else ""
    related = frozenset(b.id for b in odd[::2])
    rows = tuple(replace(lane.rows[0], bars=tuple(odd)) for lane in line.lanes[:1])
    odd_line = replace(line, lanes=tuple(replace(lane, rows=rows) for lane in line.lanes[:1]))
    query = f"q={HOSTILE}&"
    context = {"line": odd_line, "focus": focus, "related": related, "query": query}
    tag = Template(
        "{% load dashboard_tags %}{% timeline_lanes line query focus related 20.0 24.0 %}"
    ).render(Context(context))
    assert tag == reference_lanes(odd_line, query, focus, related, 20.0, 24.0)
    for row in rows:
        context["row"] = row
        tag = Template(
            "{% load dashboard_tags %}{% timeline_bars row query focus related 20 24 %}"
        ).render(Context(context))
        assert tag == "\n".join(reference_bar(b, query, focus, related, 20, 24) for b in row.bars)


def test_a_bar_in_two_rows_is_placed_in_the_first_and_copied_for_the_second() -> None:
    """``layout(own_bars=True)`` places the bars of ``_build`` where they are (each is in
    one row): a bar met a second time (in another row) is a copy placed in that row."""
    from dashboard.interactions.timeline import Lane, Row, build, layout

    line = build(parse_interaction(generate_interaction(5, seed=5)), NOW)
    bar = line.bars[0]
    twice = replace(
        line,
        lanes=(Lane("x", "X", (Row("", (bar,)), Row("", (bar,)))),),
        connectors=(),
    )
    placed = layout(twice, own_bars=True)
    first, second = placed.lanes[0].rows[0].bars[0], placed.lanes[0].rows[1].bars[0]
    assert first is bar and second is not bar
    assert first.id == second.id and first.y < second.y
    assert placed.bars == (first, second)
    # Not its own: every bar is a copy, the one given left as it was.
    fresh = build(parse_interaction(generate_interaction(5, seed=5)), NOW)
    copied = layout(fresh)
    assert all(b.y == 0.0 for b in fresh.bars)
    assert all(b.y > 0.0 for b in copied.bars)
    assert all(a is not b for a, b in zip(fresh.bars, copied.bars, strict=True))


@pytest.mark.parametrize(("name", "line"), LINES, ids=[name for name, _ in LINES])
def test_the_bars_given_by_the_layout_are_the_bars_of_the_lanes(name: str, line: Timeline) -> None:
    """``layout`` hands its timeline the bars it drew (``Timeline.bars``, a cached
    property): the bars of its lanes, lane by lane and row by row."""
    gathered = [bar for lane in line.lanes for row in lane.rows for bar in row.bars]
    assert len(line.bars) == len(gathered)
    assert all(a is b for a, b in zip(line.bars, gathered, strict=True))
