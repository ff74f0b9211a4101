"""Interaction -> timeline: lanes, rows and bars on one time axis.

Pure functions, no Django and no httpx: everything here is computed from the
domain objects and an explicit ``now``, so it can be unit-tested directly.
Positions are fractions of the axis (0..1) plus a laid-out SVG geometry.
"""

from __future__ import annotations

import math
from functools import cached_property
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal

from .domain import LIVE_REASON, OPEN_REASONS, Interaction
from .formatting import clock, hms

Kind = Literal["interaction", "ivr", "segment", "queue", "agent", "hold"]

# SVG geometry, in user units (the SVG scales to its container).
LABEL_WIDTH = 190.0
CHART_WIDTH = 810.0
WIDTH = LABEL_WIDTH + CHART_WIDTH
ROW_HEIGHT = 26.0
BAR_HEIGHT = 18.0
LANE_GAP = 30.0
AXIS_HEIGHT = 28.0
MIN_BAR_WIDTH = 3.0
CHAR_WIDTH = 6.6  # average glyph width at the bar label size

NICE_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)



@dataclass(frozen=True)
class Bar:
    id: str
    kind: Kind
    label: str
    detail: str  # e.g. "transfer → success"
    start: datetime | None
    end: datetime | None
    #: Seconds from the axis start, and length in seconds, as drawn.
    offset: float
    length: float
    open_end: bool = False
    flagged: bool = False
    states: tuple[str, ...] = ()  # cancelled, abandoned, sla-abandoned, work-offer-cancelled
    warnings: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    reason: str = ""  # why the end is open
    #: The domain record the bar stands for (a Segment, QueueVisit, …).
    record: object = field(default=None, compare=False, repr=False)
    # Layout, filled in by ``layout``.
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    show_label: bool = False

    @property
    def marked(self) -> bool:
        """Carries a "!" marker: flagged, open-ended after the fact, or inconsistent."""
        return self.flagged or bool(self.warnings) or (self.open_end and self.reason != LIVE_REASON)

    @property
    def duration_text(self) -> str:
        return hms(self.length) + ("+" if self.open_end else "")

    @cached_property
    def accessible_name(self) -> str:
        start = clock(self.offset)
        end = "no end time" if self.open_end and self.reason != LIVE_REASON else clock(self.offset + self.length)
        parts = [f"{self.kind_label} {self.label}", self.detail, f"from {start} to {end}", f"lasting {self.duration_text}"]
        parts += list(self.states)
        if self.flagged:
            parts.append("flagged")
        if self.reason:
            parts.append(self.reason)
        parts += list(self.warnings)
        return ", ".join(p for p in parts if p)

    @property
    def display_label(self) -> str:
        """The label drawn on the bar; marks states in text, not only colour."""
        marks = ""
        if "abandoned" in self.states or "SLA abandoned" in self.states:
            marks += " ✕"
        if "cancelled" in self.states or "work offer cancelled" in self.states:
            marks += " (cancelled)"
        return self.label + marks

    @property
    def text_x(self) -> float:
        return round(self.x + 4, 2)

    @property
    def text_y(self) -> float:
        return round(self.y + 13, 2)

    @property
    def bang_x(self) -> float:
        """Centre of the "!" badge: just after the bar, or inside its right end."""
        after = self.x + self.width + 10
        return round(after if after + 8 < WIDTH else self.x + self.width - 10, 2)

    @property
    def bang_y(self) -> float:
        return round(self.y + BAR_HEIGHT / 2, 2)

    @property
    def kind_label(self) -> str:
        return {"ivr": "IVR", "segment": "Segment", "queue": "Queue", "agent": "Agent",
                "hold": "Hold", "interaction": "Interaction"}[self.kind]


@dataclass(frozen=True)
class Row:
    label: str
    bars: tuple[Bar, ...]
    y: float = 0.0

    @property
    def label_y(self) -> float:
        return round(self.y + 17, 2)


@dataclass(frozen=True)
class Lane:
    key: str
    title: str
    rows: tuple[Row, ...]
    y: float = 0.0
    note: str = ""

    @property
    def title_y(self) -> float:
        return round(self.y + 14, 2)


@dataclass(frozen=True)
class Tick:
    offset: float
    label: str
    at: datetime
    x: float = 0.0


@dataclass(frozen=True)
class Timeline:
    start: datetime
    end: datetime
    #: Seconds shown: the zoom window, or the whole interaction.
    window_start: float
    window_end: float
    total: float
    live: bool
    lanes: tuple[Lane, ...]
    ticks: tuple[Tick, ...]
    flag_target: str | None
    height: float = 0.0
    zoomed: bool = False
    warnings: tuple[str, ...] = field(default=())

    @property
    def bars(self) -> tuple[Bar, ...]:
        return tuple(bar for lane in self.lanes for row in lane.rows for bar in row.bars)

    def bar(self, bar_id: str) -> Bar | None:
        return next((b for b in self.bars if b.id == bar_id), None)

    def count(self, kind: str) -> int:
        return sum(1 for b in self.bars if b.kind == kind)

    @property
    def window_length(self) -> float:
        return self.window_end - self.window_start


def _seconds(later: datetime | None, earlier: datetime) -> float | None:
    return None if later is None else (later - earlier).total_seconds()


def _axis(interaction: Interaction, now: datetime) -> tuple[datetime, datetime, list[str]]:
    """The axis: interaction start to its end, or to now while live."""
    warnings: list[str] = []
    starts = [r.start for r in (*interaction.segments, *interaction.queues, *interaction.agents) if r.start]
    ends = [r.end for r in (*interaction.segments, *interaction.queues, *interaction.agents) if r.end]
    start = interaction.start or (min(starts) if starts else None)
    if interaction.start is None:
        warnings.append("The interaction's start time is missing; the axis starts at its first record.")
    if start is None:
        start = now
    if interaction.end is not None:
        end = interaction.end
    elif interaction.in_progress:
        end = max(now, *(ends or [start]), *(starts or [start]))
    else:
        known = [t for t in (*ends, *starts) if t]
        end = max(known) if known else start
    if end < start:
        warnings.append("The interaction ends before it starts; its records are drawn from its start.")
        end = start
    return start, end, warnings


def _bar(
    kind: Kind,
    bar_id: str,
    label: str,
    detail: str,
    start: datetime | None,
    end: datetime | None,
    axis_start: datetime,
    total: float,
    *,
    live: bool,
    states: Iterable[str] = (),
    related: Iterable[str] = (),
    record: object = None,
) -> Bar:
    warnings: list[str] = []
    begin = _seconds(start, axis_start)
    finish = _seconds(end, axis_start)
    if begin is None:
        warnings.append("Its start time is missing; drawn from the interaction's start.")
        begin = 0.0
    open_end = finish is None
    reason = ""
    if open_end:
        reason = LIVE_REASON if live else OPEN_REASONS.get(kind, OPEN_REASONS["interaction"])
        finish = total
    assert finish is not None
    if finish < begin:
        warnings.append(f"It ends {hms(begin - finish)} before it starts; drawn with no length.")
        finish = begin
    if begin < -0.5:
        warnings.append(f"It starts {hms(-begin)} before the interaction (clock skew?); drawn from the start.")
    if finish > total + 0.5 and not open_end:
        warnings.append(f"It ends {hms(finish - total)} after the interaction; drawn to its end.")
    begin = min(max(begin, 0.0), total)
    finish = min(max(finish, begin), total)
    return Bar(
        id=bar_id, kind=kind, label=label, detail=detail, start=start, end=end,
        offset=begin, length=finish - begin, open_end=open_end, states=tuple(states),
        warnings=tuple(warnings), related=tuple(related), reason=reason, record=record,
    )


def _slug(value: str | None, fallback: str) -> str:
    text = "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in (value or "").lower())[:64]
    return text or fallback


def _pack(bars: Sequence[Bar]) -> list[list[Bar]]:
    """Greedy first-fit into rows where bars do not overlap."""
    rows: list[list[Bar]] = []
    for bar in sorted(bars, key=lambda b: (b.offset, b.length)):
        for row in rows:
            last = row[-1]
            if bar.offset >= last.offset + last.length:
                row.append(bar)
                break
        else:
            rows.append([bar])
    return rows


def _overlaps(bars: Sequence[Bar]) -> set[str]:
    """Ids of bars that overlap any other (by more than half a second)."""
    ordered = sorted(bars, key=lambda b: b.offset)
    bad: set[str] = set()
    reach: Bar | None = None  # the bar reaching furthest so far
    for bar in ordered:
        if reach is not None and bar.offset < reach.offset + reach.length - 0.5:
            bad.update((reach.id, bar.id))
        if reach is None or bar.offset + bar.length > reach.offset + reach.length:
            reach = bar
    return bad


def _unique(ids: list[str]) -> list[str]:
    """Make DOM ids unique: records may share or lack their API id."""
    seen: dict[str, int] = {}
    out = []
    for value in ids:
        count = seen.get(value, 0) + 1
        seen[value] = count
        out.append(value if count == 1 else f"{value}-{count}")
    return out


def build(interaction: Interaction, now: datetime) -> Timeline:
    """Lanes and bars for the whole interaction (no zoom, no layout)."""
    i = interaction
    live = i.in_progress
    start, end, warnings = _axis(i, now)
    total = max((end - start).total_seconds(), 0.0)

    seg_bar_ids = _unique([f"segment-{_slug(s.segment_id, str(n))}" for n, s in enumerate(i.segments)])
    seg_ids: dict[str | None, str] = {}
    for s, bar_id in zip(i.segments, seg_bar_ids, strict=True):
        if s.segment_id is not None:
            seg_ids.setdefault(s.segment_id, bar_id)
    queue_ids = dict(zip((id(q) for q in i.queues), _unique(
        [f"queue-{_slug(q.queue_visit_id, str(n))}" for n, q in enumerate(i.queues)]), strict=True))
    agent_ids = dict(zip((id(a) for a in i.agents), _unique(
        [f"agent-{_slug(a.interaction_agent_id, str(n))}" for n, a in enumerate(i.agents)]), strict=True))
    by_segment: dict[str | None, list[str]] = {}
    for q in i.queues:
        by_segment.setdefault(q.segment_id, []).append(queue_ids[id(q)])
    for a in i.agents:
        by_segment.setdefault(a.segment_id, []).append(agent_ids[id(a)])
    agent_names = {a.agent_id: a.agent_name for a in i.agents if a.agent_id and a.agent_name}
    queue_names = {q.queue_id: q.queue_name for q in i.queues if q.queue_id and q.queue_name}

    def related_to(segment_id: str | None, own: str) -> tuple[str, ...]:
        if segment_id is None:
            return ()
        ids = [seg_ids[segment_id]] if segment_id in seg_ids else []
        ids += by_segment.get(segment_id, [])
        return tuple(x for x in ids if x != own)

    lanes: list[Lane] = []
    overall = _bar("interaction", "interaction", "whole interaction", (i.channel_type or ""),
                   i.start or start, i.end, start, total, live=live, record=i)

    ivr_bars: list[Bar] = []
    first_queue = min((q.start for q in i.queues if q.start), default=None)
    ivr_end = first_queue
    if ivr_end is None and i.ivr_time is not None and 0 <= i.ivr_time <= max(total, 1.0):
        ivr_end = start + timedelta(seconds=i.ivr_time)
    if ivr_end is not None and (i.ivr_time or (ivr_end - start).total_seconds() > 0):
        ivr_bars.append(_bar("ivr", "ivr", "IVR", "start → first queue" if first_queue else "IVR time",
                             start, ivr_end, start, total, live=False))

    seg_bars = []
    for s, bar_id in zip(i.segments, seg_bar_ids, strict=True):
        states = ["cancelled"] if s.cancelled else []
        label = f"#{s.number if s.number is not None else '?'}"
        seg_bars.append(_bar("segment", bar_id, label, f"{s.start_type or '?'} → {s.end_type or '?'}",
                             s.start, s.end, start, total, live=live, states=states,
                             related=related_to(s.segment_id, bar_id), record=s))

    queue_bars: dict[str, list[Bar]] = {}
    for q in i.queues:
        bar_id = queue_ids[id(q)]
        states = []
        if q.abandoned:
            states.append("abandoned")
        if q.sla_abandoned:
            states.append("SLA abandoned")
        name = q.queue_name or q.queue_id or "unknown queue"
        queue_bars.setdefault(name, []).append(
            _bar("queue", bar_id, name, f"{q.entry_type or '?'} → {q.exit_type or '?'}", q.start, q.end,
                 start, total, live=live, states=states, related=related_to(q.segment_id, bar_id),
                 record=q))

    agent_bars: dict[str, list[Bar]] = {}
    for a in i.agents:
        bar_id = agent_ids[id(a)]
        states = ["work offer cancelled"] if a.work_cancel_time is not None else []
        name = a.agent_name or agent_names.get(a.agent_id) or a.agent_id or "unknown agent"
        queue = queue_names.get(a.queue_id, "") if a.queue_id else ""
        agent_bars.setdefault(name, []).append(
            _bar("agent", bar_id, name, f"from {queue}" if queue else "", a.start, a.end, start, total,
                 live=live, states=states, related=related_to(a.segment_id, bar_id), record=a))
    for name, bars in agent_bars.items():
        clash = _overlaps(bars)
        agent_bars[name] = [
            replace(b, warnings=(*b.warnings, "Overlaps another allocation of the same agent."))
            if b.id in clash else b
            for b in bars
        ]

    hold_bars = [
        _bar("hold", f"hold-{n + 1}", f"Hold {n + 1}", "customer on hold", h.start, h.end, start, total,
             live=live, record=h)
        for n, h in enumerate(i.holds)
        if h.start is not None
    ]

    # Tie the interaction's flag to the bars it concerns.
    flag_target: str | None = None
    concerns = i.flag.concerns if i.flagged and i.flag else None

    def flag(bars: list[Bar], kind: str) -> list[Bar]:
        nonlocal flag_target
        if concerns != kind:
            return bars
        marked = [replace(b, flagged=True) if b.open_end else b for b in bars]
        firsts = [b.id for b in marked if b.flagged]
        if firsts and flag_target is None:
            flag_target = firsts[0]
        return marked

    overall = flag([overall], "interaction")[0]
    seg_bars = flag(seg_bars, "segment")
    for name in queue_bars:
        queue_bars[name] = flag(queue_bars[name], "queue")
    for name in agent_bars:
        agent_bars[name] = flag(agent_bars[name], "agent")
    if concerns == "interaction" and flag_target is None:
        overall = replace(overall, flagged=True)
        flag_target = overall.id

    lanes.append(Lane("interaction", "Interaction", (Row("Whole interaction", (overall,)),)))
    if ivr_bars:
        lanes.append(Lane("ivr", "IVR", (Row("IVR", tuple(ivr_bars)),)))
    if seg_bars:
        rows = _pack(seg_bars)
        lanes.append(Lane("segments", "Segments", tuple(
            Row(f"Segment {r[0].label}" if len(r) == 1 else f"Segments, row {n + 1}", tuple(r))
            for n, r in enumerate(rows))))
    if queue_bars:
        lanes.append(Lane("queues", "Queues", tuple(
            Row(name, tuple(r)) for name, bars in queue_bars.items() for r in _pack(bars))))
    if agent_bars:
        lanes.append(Lane("agents", "Agents", tuple(
            Row(name, tuple(r)) for name, bars in agent_bars.items() for r in _pack(bars))))
    if hold_bars:
        lanes.append(Lane("holds", "Holds", (Row("Customer holds", tuple(hold_bars)),)))

    return Timeline(
        start=start, end=end, window_start=0.0, window_end=total, total=total, live=live,
        lanes=tuple(lanes), ticks=(), flag_target=flag_target, warnings=tuple(warnings),
    )


def nice_step(span: float, max_ticks: int = 10) -> int:
    for step in NICE_STEPS:
        if span / step <= max_ticks:
            return step
    return int(math.ceil(span / max_ticks / 86400)) * 86400


def zoom(timeline: Timeline, window: tuple[float, float] | None) -> Timeline:
    """Limit the view to ``window`` (seconds from the start), clamped to the axis."""
    if window is None:
        return timeline
    if any(math.isnan(v) for v in window):
        return timeline
    lo, hi = sorted(window)
    lo = min(max(lo, 0.0), timeline.total)
    hi = min(max(hi, 0.0), timeline.total)
    if hi - lo < 1.0:
        hi = min(timeline.total, lo + 1.0)
        lo = max(0.0, hi - 1.0)
    if lo <= 0.0 and hi >= timeline.total:
        return timeline
    return replace(timeline, window_start=lo, window_end=hi, zoomed=True)


def layout(timeline: Timeline) -> Timeline:
    """Place ticks, lanes, rows and bars in SVG user units."""
    span = max(timeline.window_length, 1e-9)
    scale = CHART_WIDTH / span

    def x_of(seconds: float) -> float:
        return LABEL_WIDTH + (seconds - timeline.window_start) * scale

    step = nice_step(span)
    first = math.ceil(timeline.window_start / step) * step
    ticks = []
    t = float(first)
    while t <= timeline.window_end + 1e-6:
        ticks.append(Tick(t, clock(t), timeline.start + timedelta(seconds=t), x=x_of(t)))
        t += step

    y = AXIS_HEIGHT
    lanes = []
    for lane in timeline.lanes:
        lane_y = y
        y += 18.0  # lane title
        rows = []
        for row in lane.rows:
            bars = []
            for bar in row.bars:
                lo = max(bar.offset, timeline.window_start)
                hi = min(bar.offset + bar.length, timeline.window_end)
                if hi < lo or (bar.offset > timeline.window_end) or (bar.offset + bar.length < timeline.window_start):
                    continue  # outside the zoom window
                x = x_of(lo)
                width = max((hi - lo) * scale, MIN_BAR_WIDTH)
                if x + width > WIDTH:
                    x = WIDTH - width
                shown = len(bar.display_label) * CHAR_WIDTH + 8 < width
                bars.append(replace(bar, x=round(x, 2), y=round(y + (ROW_HEIGHT - BAR_HEIGHT) / 2, 2),
                                    width=round(width, 2), show_label=shown))
            rows.append(replace(row, bars=tuple(bars), y=y))
            y += ROW_HEIGHT
        lanes.append(replace(lane, rows=tuple(rows), y=lane_y))
        y += LANE_GAP - 18.0
    return replace(timeline, lanes=tuple(lanes), ticks=tuple(ticks), height=round(y + 4, 2))


def timeline_for(interaction: Interaction, now: datetime, window: tuple[float, float] | None = None) -> Timeline:
    return layout(zoom(build(interaction, now), window))
