"""Interaction -> timeline: lanes, rows and bars on one time axis.

Pure functions, no Django and no httpx: everything here is computed from the
domain objects and an explicit ``now``, so it can be unit-tested directly.

Geometry: the chart is laid out in pixels at a nominal width (``CHART_WIDTH``)
and drawn with percentages of the SVG's width, so the SVG can stretch to its
box while rows keep a fixed pixel height; the row labels live in HTML beside
the scrolled SVG and line up with its rows because both use the same heights.
The SVG is never narrower than ``CHART_WIDTH``, so a label that fits at the
nominal width fits on screen.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from functools import cached_property
from itertools import accumulate
from operator import attrgetter
from typing import Literal

from . import wording
from .domain import (
    FLOW_SHOWN,
    LIVE_REASON,
    OPEN_REASONS,
    TAKEN_REASON,
    AgentAllocation,
    Interaction,
    QueueVisit,
    Segment,
    hung_up_on_offer,
    ivr_handed_over,
    ivr_returns,
    never_answered,
    next_hold,
    taken_from,
    unaccepted_offers,
)
from .formatting import clock, hms

Kind = Literal["interaction", "ivr", "segment", "queue", "agent", "hold", "monitor"]
#: Where a bar's text is drawn: inside it, beside it, or nowhere.
Side = Literal["inside", "right", "left", ""]

# Geometry, in pixels at the nominal chart width.
LABEL_WIDTH = 0.0  # row labels are HTML, outside the SVG
CHART_WIDTH = 810.0
WIDTH = LABEL_WIDTH + CHART_WIDTH
ROW_HEIGHT = 26.0
BAR_HEIGHT = 20.0
LANE_TITLE = 20.0
LANE_GAP = 8.0
AXIS_HEIGHT = 26.0
MIN_BAR_WIDTH = 3.0
HIT_SIZE = 24.0  # WCAG 2.5.8: every bar is a target at least 24 x 24 px
#: The narrowest the chart is drawn (its CSS min-width in static/css/timeline.css):
#: widths are nominal, so a target is made wide enough for 24 px at this width.
CHART_MIN_WIDTH = 760.0
HIT_WIDTH = math.ceil(HIT_SIZE * CHART_WIDTH / CHART_MIN_WIDTH)
CHAR_WIDTH = 6.6  # average glyph width at the bar label size
#: Text inside a bar starts this far from its left end.
TEXT_INSET = 4.0
#: Lanes with more names than this show the busiest few and group the rest.
MAX_NAMED_ROWS = 5
SHOWN_WHEN_GROUPED = 4
#: The most rows the grouped rest of a lane takes, however many of them overlap.
MAX_GROUPED_ROWS = 3
#: Transfer arrows are drawn when at most this many fall in the window.
MAX_CONNECTORS = 12
#: Overview strip: the whole interaction in this many zoom windows.
OVERVIEW_PARTS = 8
#: The shortest overview part, in seconds: the least its label (``clock``) tells apart.
OVERVIEW_LEAST = 1.0

#: Channels without an IVR, whatever their queue entry type says.
TEXT_CHANNELS = frozenset({"email", "messaging", "sms", "chat", "work-item"})

NICE_STEPS = (
    1,
    2,
    5,
    10,
    15,
    30,
    60,
    120,
    300,
    600,
    900,
    1800,
    3600,
    7200,
    10800,
    21600,
    43200,
    86400,
)


KIND_LABELS = {
    "ivr": "IVR",
    "segment": "Segment",
    "queue": "Queue",
    "agent": "Agent",
    "hold": "Hold",
    "interaction": "Interaction",
    "monitor": "Listening in:",
}


def pct(px: float) -> str:
    """Pixels at the nominal width -> a percentage of the chart, for SVG attributes."""
    return f"{px * 100 / CHART_WIDTH:.3f}%"


#: A narrow bar's target width, as drawn.
_HIT_WIDTH_PCT = pct(HIT_WIDTH)
#: The narrowest bar's width, as drawn: most bars of a dense timeline.
_MIN_WIDTH_PCT = pct(MIN_BAR_WIDTH)


def hit_box(x: float, width: float) -> tuple[str, str, str, str]:
    """A bar's ``x`` and ``width`` and its target's, as percentages: the target is
    ``HIT_WIDTH`` wide at least, centred on a narrower bar and kept in the chart.

    Called for every bar drawn: ``pct`` is written out (as ``%`` formatting, which
    writes the same digits a little sooner than an f-string), and the target kept in
    the chart by comparisons rather than ``min(max(…))``."""
    x_pct = "%.3f%%" % (x * 100 / CHART_WIDTH)
    if width >= HIT_WIDTH:  # the target is the bar (kept in the chart)
        hit_x = x
        if hit_x < 0.0:
            hit_x = 0.0
        if hit_x > CHART_WIDTH - width:
            hit_x = CHART_WIDTH - width
        width_pct = "%.3f%%" % (width * 100 / CHART_WIDTH)
        return x_pct, width_pct, x_pct if hit_x is x else pct(hit_x), width_pct
    left = x - (HIT_WIDTH - width) / 2
    if left < 0.0:
        left = 0.0
    if left > CHART_WIDTH - HIT_WIDTH:
        left = CHART_WIDTH - HIT_WIDTH
    width_pct = _MIN_WIDTH_PCT if width == MIN_BAR_WIDTH else "%.3f%%" % (width * 100 / CHART_WIDTH)
    return x_pct, width_pct, "%.3f%%" % (left * 100 / CHART_WIDTH), _HIT_WIDTH_PCT


def hit_top(y: float) -> float:
    """The top of the targets of the bars at ``y`` (24 px, around the 20 px bar)."""
    return round(y - (HIT_SIZE - BAR_HEIGHT) / 2, 2)


def _hms(seconds: float) -> str:
    """``hms(seconds)``: a length in range (nearly every one) goes straight to ``clock``."""
    if 0.0 <= seconds < 1e9:
        return clock(seconds)
    return hms(seconds)


@dataclass(slots=True)
class Bar:
    """One record drawn on the axis.

    Slotted and not frozen: a big timeline keeps thousands, each one object rather than
    an object and its dict (half the objects for the garbage collector to walk), and
    ``build`` and ``layout`` set their fields on the bars they have just made.
    """

    id: str
    kind: Kind
    label: str
    detail: str  # how it began and ended, in words: "Transfer → Handed over"
    start: datetime | None
    end: datetime | None
    #: Seconds from the axis start, and length in seconds, as drawn.
    offset: float
    length: float
    open_end: bool = False
    flagged: bool = False
    # cancelled, abandoned, SLA abandoned, work offer cancelled, offer not accepted
    states: tuple[str, ...] = ()
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
    #: Text drawn on the bar (fits inside) or beside it (``label_side``).
    text: str = ""
    label_side: Side = ""
    #: A queue visit of type "resource": the customer was sent straight to an agent.
    direct: bool = False
    #: Drawn in a grouped row, so the text names the record as well.
    grouped: bool = False
    #: Its end comes before its start: drawn with no length, its length unknown.
    backwards: bool = False
    #: A queue visit with no exit, drawn (open) only to where an agent took the call.
    taken: bool = False
    #: Where its warnings are (seconds from the axis start, as drawn) when each is at
    #: one end (a start before the interaction, an end after it); None: the whole bar.
    warned_at: tuple[float, float] | None = None
    #: A hold with no end, drawn (open) only to where the next hold began: it had ended
    #: by then, so its length is unknown but at most as drawn.
    at_most: bool = False

    @property
    def mark_span(self) -> tuple[float, float]:
        """The part of the axis its "!" concerns: a skewed end marks that end, not the
        whole length of a long bar."""
        if self.warned_at is not None and not (self.open_end and self.reason != LIVE_REASON):
            return self.warned_at
        return (self.offset, self.offset + self.length)

    @property
    def marked(self) -> bool:
        """Carries a "!" marker: flagged, open-ended after the fact, or inconsistent."""
        return self.flagged or bool(self.warnings) or (self.open_end and self.reason != LIVE_REASON)

    @property
    def shown_length(self) -> float:
        """Its length as written beside its start and end: the difference of the two
        as written (each rounded to the second), so that a bar from 3:45.2 to 5:10.6 says
        "from 3:45 to 5:11, lasting 1:26", not "lasting 1:25". Within a second of
        ``length``; a length out of any clock's range is written as it is."""
        offset, length = self.offset, self.length
        if 0.0 <= offset < 1e9 and 0.0 <= length < 1e9:
            return float(round(offset + length) - round(offset))
        return length

    @property
    def duration_text(self) -> str:
        if self.backwards:
            return "unknown (it ends before it starts)"
        if self.at_most:
            return f"unknown, at most {_hms(self.shown_length)}"
        return _hms(self.shown_length) + ("+" if self.open_end else "")

    @property
    def accessible_name(self) -> str:
        """What a screen reader says of the bar (its ``<title>``): what it is, how it began
        and ended, when, for how long, and anything wrong with it.

        Every bar of a big timeline says this (thousands): its usual form is written
        by one f-string, the states, flag, reason and warnings (few bars have any)
        appended after it."""
        label = self.label
        if self.direct:
            text = f"Direct transfer to {label}" if label != "Flow" else "Flow"
        else:
            kind = KIND_LABELS[self.kind]
            if self.kind == "queue" and not getattr(self.record, "queue_name", 1):
                text = f"Queue {label.removeprefix('queue ')}"  # sent by ID: "queue 9a8b7c6d"
            elif label == "Flow" or label.startswith(kind):  # "IVR", "Hold 2": said once
                text = label
            else:
                text = f"{kind} {label}"
        if self.detail:
            text = f"{text}, {self.detail}"
        offset, length = self.offset, self.length
        lasting = _hms(self.shown_length)
        if not self.open_end:
            text = f"{text}, from {clock(offset)} to {clock(offset + length)}, lasting {lasting}"
        elif self.at_most:
            text = (
                f"{text}, from {clock(offset)} to no end time (the next hold began at"
                f" {clock(offset + length)}), lasting unknown, at most {lasting}"
            )
        elif self.reason != LIVE_REASON:
            text = f"{text}, from {clock(offset)} to no end time, lasting {lasting}+"
        else:
            text = f"{text}, from {clock(offset)} to {clock(offset + length)}, lasting {lasting}+"
        if self.states or self.flagged or self.reason or self.warnings:
            for part in self.states:
                if part:
                    text += ", " + part
            if self.flagged:
                text += ", flagged"
            if self.reason:
                text += ", " + self.reason
            for part in self.warnings:
                if part:
                    text += ", " + part
        return text

    @property
    def display_label(self) -> str:
        """The label drawn on the bar; marks states in text, not only colour."""
        marks = ""
        if "abandoned" in self.states or "SLA abandoned" in self.states:
            marks += " ✕"
        if "work offer cancelled" in self.states and "customer hung up" in self.states:
            marks += " (customer hung up)"  # while it rang: nobody withdrew it
        elif "work offer cancelled" in self.states:
            marks += " (offer withdrawn)"  # as its own row says it: nothing was cancelled
        elif "cancelled" in self.states and "customer hung up" in self.states:
            marks += " (cancelled: customer hung up)"
        elif "cancelled" in self.states:
            marks += " (cancelled)"
        if "offer not accepted" in self.states:
            marks += " (not accepted)"
        return self.label + marks

    @property
    def text_x(self) -> str:
        """Where the text starts (inside, right) or ends (left), as a percentage."""
        if self.label_side == "right":
            return pct(self.x + self.width + (22 if self.marked else 4))
        if self.label_side == "left":
            return pct(self.x - 4)
        return pct(self.x + TEXT_INSET)

    @property
    def text_y(self) -> float:
        return round(self.y + 14, 2)

    @property
    def bang_x(self) -> str:
        """Left of the "!" badge's 20 px box: after the bar, or inside its right end."""
        after = self.x + self.width + 1
        inside = self.at_most or after + 20 >= CHART_WIDTH  # the next hold, or the edge
        return pct(self.x + self.width - 20 if inside else after)

    @property
    def bang_y(self) -> float:
        return round(self.y, 2)

    @property
    def x_pct(self) -> str:
        return pct(self.x)

    @property
    def width_pct(self) -> str:
        return pct(self.width)

    def box(self) -> tuple[str, str, str, str, float]:
        """``x_pct``, ``width_pct``, ``hit_x``, ``hit_width`` and ``hit_y`` in one call:
        the markup of every bar needs them all (thousands on a big timeline).

        The target is 24 px, centred on the bar when the bar is narrower.
        """
        return (*hit_box(self.x, self.width), hit_top(self.y))

    @property
    def hit_x(self) -> str:
        return self.box()[2]

    @property
    def hit_width(self) -> str:
        return self.box()[3]

    @property
    def hit_y(self) -> float:
        return self.box()[4]

    @property
    def kind_label(self) -> str:
        if self.direct:
            return "Direct transfer to"
        return KIND_LABELS[self.kind]

    @property
    def named(self) -> str:
        """What it is and its label ("Queue Billing", "Segment #3"), the kind said once
        when the label already says it ("IVR", "Hold 2", not "IVR IVR", "Hold Hold 2")."""
        kind, label = self.kind_label, self.label
        return label if label.startswith(kind) else f"{kind} {label}"


@dataclass(slots=True)
class Row:
    label: str
    bars: tuple[Bar, ...]
    y: float = 0.0
    #: A row holding several names' bars; ``more`` of them are not shown by name.
    grouped: bool = False
    more: int = 0

    @property
    def label_y(self) -> float:
        return round(self.y + 18, 2)


@dataclass(slots=True)
class Lane:
    key: str
    title: str
    rows: tuple[Row, ...]
    y: float = 0.0
    note: str = ""
    #: How many names are grouped behind "N more" (0: every name has a row).
    hidden: int = 0
    #: The lane was asked to show every name (``?expand=<key>``).
    expanded: bool = False
    #: Names in the lane; grouping applies when there are more than MAX_NAMED_ROWS.
    names: int = 0

    @property
    def title_y(self) -> float:
        return round(self.y + 14, 2)

    @property
    def expandable(self) -> bool:
        return self.names > MAX_NAMED_ROWS


@dataclass(frozen=True)
class Tick:
    offset: float
    label: str
    at: datetime
    x: float = 0.0
    #: start, middle or end: the first and last labels stay inside the chart.
    anchor: str = "middle"

    @property
    def x_pct(self) -> str:
        return pct(self.x)


#: The legend's words for each kind of arrow (``Connector.label``), in this order.
ARROW_WORDS = {
    "transferred": "arrow: transfer from one agent to the next",
    "added": "arrow: an agent adding someone to the call",
    "transfer cancelled": "arrow to a faded bar: a transfer the agent cancelled",
    "add cancelled": "arrow to a faded bar: a try to add someone, cancelled",
}


@dataclass(frozen=True)
class Connector:
    """A transfer: from the agent who sent the customer to the bar that received them."""

    from_id: str
    to_id: str
    at: float  # seconds from the start
    label: str
    x1: float = 0.0
    y1: float = 0.0
    x2: float = 0.0
    y2: float = 0.0

    @property
    def x1_pct(self) -> str:
        return pct(self.x1)

    @property
    def x2_pct(self) -> str:
        return pct(self.x2)


@dataclass(frozen=True)
class Window:
    """One part of the overview strip: a zoom window over the whole interaction."""

    start: float
    end: float
    label: str
    query: str
    current: bool
    bars: int
    marked: bool
    #: 0..3: how busy this part is compared with the busiest part (shading).
    level: int = 0
    #: What its button says: the range when short, else where it starts (``label``
    #: on hover), so that eight buttons side by side never wrap.
    text: str = ""


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
    connectors: tuple[Connector, ...] = ()
    overview: tuple[Window, ...] = ()
    #: The interaction is over but its own end never arrived (the axis ends at the
    #: last record that did).
    end_missing: bool = False
    #: Zoomed: every bar, those outside the window too (a focus or a related link may
    #: name one, and the overview counts them); () when every bar is drawn.
    outside: tuple[Bar, ...] = field(default=(), compare=False, repr=False)

    @cached_property
    def _by_id(self) -> dict[str, Bar]:
        drawn = {b.id: b for b in self.bars}
        return {**{b.id: b for b in self.outside}, **drawn} if self.outside else drawn

    @property
    def every_bar(self) -> tuple[Bar, ...]:
        """Every bar of the interaction, drawn in the zoom window or not."""
        return self.outside or self.bars

    def drawn(self, bar_id: str) -> bool:
        """The bar is drawn in the window (not only known by id)."""
        return any(b.id == bar_id for b in self.bars) if self.outside else True

    @property
    def arrow_legend(self) -> tuple[str, ...]:
        """What each kind of arrow drawn stands for, in the legend's words."""
        drawn = {c.label for c in self.connectors}
        return tuple(words for label, words in ARROW_WORDS.items() if label in drawn)

    @property
    def marked_ids(self) -> tuple[str, ...]:
        """Bars that `n`/`p` step through: flagged, open after the fact or inconsistent."""
        return tuple(b.id for b in self.bars if b.marked)

    @cached_property
    def bars(self) -> tuple[Bar, ...]:
        return tuple(bar for lane in self.lanes for row in lane.rows for bar in row.bars)

    def bar(self, bar_id: str) -> Bar | None:
        return self._by_id.get(bar_id)

    def count(self, kind: str) -> int:
        return sum(1 for b in self.bars if b.kind == kind)

    @property
    def monitoring(self) -> bool:
        """Draws someone listening in (the legend says it is not time with the customer)."""
        return any(b.kind == "monitor" for b in self.bars)

    @property
    def ringing(self) -> bool:
        """Draws an outbound call nobody answered (the legend names its colour)."""
        return any("not answered" in b.states for b in self.bars)

    @property
    def window_length(self) -> float:
        return self.window_end - self.window_start


def _seconds(later: datetime | None, earlier: datetime) -> float | None:
    return None if later is None else (later - earlier).total_seconds()


def _axis(interaction: Interaction, now: datetime) -> tuple[datetime, datetime, list[str]]:
    """The axis: interaction start to its end, or to now while live."""
    warnings: list[str] = []
    records: tuple[Segment | QueueVisit | AgentAllocation, ...] = (
        *interaction.segments,
        *interaction.queues,
        *interaction.agents,
    )
    starts = [r.start for r in records if r.start]
    ends = [r.end for r in records if r.end]
    start = interaction.start or (min(starts) if starts else None)
    if interaction.start is None:
        warnings.append(
            "The interaction's start time is missing; the axis starts at its first record."
        )
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
        warnings.append(
            "The interaction ends before it starts; its records are drawn from its start."
        )
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
    open_until: datetime | None = None,
) -> Bar:
    begin = finish = -1.0
    if start is not None and end is not None:
        begin = (start - axis_start).total_seconds()
        finish = (end - axis_start).total_seconds()
    if start is not None and end is not None and -0.5 <= begin <= finish <= total + 0.5:
        # Nearly every record: nothing to warn of. min(max(begin, 0.0), total) and
        # min(max(finish, begin), total), inline.
        begin = 0.0 if begin < 0.0 else begin
        begin = total if begin > total else begin
        finish = begin if finish < begin else finish
        finish = total if finish > total else finish
        warned = None
    else:
        begin, finish, warned = _warned_span(
            kind, start, end, axis_start, total, live=live, open_until=open_until
        )
    # ``Bar(...)`` with its fields given by position (keywords cost half as much again,
    # for every bar): id, kind, label, detail, start, end, offset, length, open_end,
    # flagged, states, warnings, related, reason, record; the rest as ``Bar`` has them.
    bar = Bar(
        bar_id,
        kind,
        label,
        detail,
        start,
        end,
        begin,
        finish - begin,
        False,
        False,
        states if type(states) is tuple else tuple(states),
        (),
        related if type(related) is tuple else tuple(related),
        "",
        record,
    )
    if warned is not None:
        bar.open_end, bar.warnings, bar.reason, bar.backwards, bar.warned_at = warned
    return bar


def _warned_span(
    kind: Kind,
    start: datetime | None,
    end: datetime | None,
    axis_start: datetime,
    total: float,
    *,
    live: bool,
    open_until: datetime | None,
) -> tuple[float, float, tuple[bool, tuple[str, ...], str, bool, tuple[float, float] | None]]:
    """Where a record with a missing, backwards or out-of-range end is drawn, and what
    its bar says of it: (open end, warnings, reason, backwards, where the "!" goes)."""
    warnings: list[str] = []
    sent_begin = _seconds(start, axis_start)
    sent_finish = _seconds(end, axis_start)
    if sent_begin is None:
        warnings.append("Its start time is missing; drawn from the interaction's start.")
    begin = 0.0 if sent_begin is None else sent_begin
    open_end = sent_finish is None
    reason = ""
    if sent_finish is None:
        reason = LIVE_REASON if live else OPEN_REASONS.get(kind, OPEN_REASONS["interaction"])
        until = _seconds(open_until, axis_start)
        finish = total if until is None else min(max(until, begin), total)
    else:
        finish = sent_finish
    backwards = finish < begin
    if backwards:
        warnings.append(f"It ends {hms(begin - finish)} before it starts; drawn with no length.")
        finish = begin
    at_start = bool(warnings) or begin < -0.5  # a missing start, no length, too early
    if begin < -0.5:
        warnings.append(
            f"It starts {hms(-begin)} before the interaction (clock skew?); drawn from the start."
        )
    at_end = finish > total + 0.5 and not open_end
    if at_end:
        warnings.append(f"It ends {hms(finish - total)} after the interaction; drawn to its end.")
    begin = min(max(begin, 0.0), total)
    finish = min(max(finish, begin), total)
    # Each warning above is about one end, drawn where it is: the "!" marks that end.
    spots = [begin] * at_start + [finish] * at_end
    warned_at = (min(spots), max(spots)) if warnings else None
    return begin, finish, (open_end, tuple(warnings), reason, backwards, warned_at)


_NOT_SLUG = re.compile(r"[^\w-]|_")


def _ids(prefix: str, values: Iterable[str | None]) -> list[str]:
    """DOM ids for records: ``prefix`` and each record's API id made a slug (its
    position when it has none), made unique by ``_unique`` only when two are alike.

    Nearly always every id is letters, digits and hyphens (a UUID): checked for all
    at once (as bytes: ``bytes.isalnum`` reads a long ASCII text several times faster
    than ``str.isalnum``), each then needs only lowering."""
    texts = [value or "" for value in values]
    joined = "".join(texts)
    if joined.isascii() and joined.encode().replace(b"-", b"").isalnum() and all(texts):
        out = [prefix + text[:64].lower() for text in texts]
        return out if len(set(out)) == len(out) else _unique(out)
    out = []
    for n, value in enumerate(texts):
        text = (value or "")[:64].lower()
        if not (text.isascii() and text.replace("-", "").isalnum()):  # a UUID needs nothing
            text = _NOT_SLUG.sub("-", text) or str(n)
        out.append(prefix + text)
    return out if len(set(out)) == len(out) else _unique(out)


#: Every field of a bar, in the order ``Bar(...)`` takes them.
_BAR_FIELDS = attrgetter(*(f.name for f in fields(Bar)))


def _with(bar: Bar, **changes: object) -> Bar:
    """``dataclasses.replace`` for bars, without its per-call overhead: a copy of
    ``bar`` (for ``layout`` to place when the bars are not its own) with ``changes``."""
    new = Bar(*_BAR_FIELDS(bar))
    for name, value in changes.items():
        setattr(new, name, value)
    return new


#: The warning on an allocation sent again with the same interactionAgentId.
SENT_TWICE = (
    "Sent twice: another allocation has the same interactionAgentId; the participants"
    " and the figures count it once."
)


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


def _ivr_bar(i: Interaction, start: datetime, total: float) -> Bar | None:
    """The IVR, only when the data shows one: IVR time, or a queue entered from the IVR.

    Email, chat and SMS reach a queue through the flow, not an IVR: the API still
    says "ivr" for their queue entry and sends a second of "IVR time", and
    drawing that as an IVR lane would invent one (a sliver nobody can read).
    """
    channel = (i.channel_type or "").lower()
    # A channel not known as voice runs a flow, as the key figures say: drawn (as the
    # flow) only when it held the customer long enough to be more than a sliver.
    voice = channel in ("", "voice")
    ivr_end = ivr_handed_over(i)
    detail = "start → first queue"
    if ivr_end is None and i.ivr_time and 0 < i.ivr_time <= max(total, 1.0):
        ivr_end = start + timedelta(seconds=i.ivr_time)
        detail = "IVR time" if voice else "flow time"
    if ivr_end is None or (ivr_end - start).total_seconds() <= (0 if voice else FLOW_SHOWN):
        return None
    label = "IVR" if voice else "Flow"
    return _bar("ivr", "ivr", label, detail, start, ivr_end, start, total, live=False)


def _ivr_returns(i: Interaction, start: datetime, total: float) -> list[Bar]:
    """Stints back in the IVR between queue visits: from a visit's exit to the next
    visit, when the first was left unanswered and the IVR put the customer in the next
    (its entry is "ivr")."""
    channel = (i.channel_type or "").lower()
    if channel not in ("", "voice"):
        return []
    bars: list[Bar] = []
    for q, nxt, lo, hi in ivr_returns(i):
        after = nxt.queue_name or "a queue" if nxt is not None else "the end"
        detail = f"back from {q.queue_name or 'a queue'} → {after}"
        bar_id = f"ivr-{len(bars) + 2}"
        bars.append(_bar("ivr", bar_id, "IVR", detail, lo, hi, start, total, live=False))
    return bars


def _monitor_bars(
    i: Interaction,
    agent_names: dict[str, str],
    start: datetime,
    total: float,
    *,
    live: bool,
) -> dict[str, list[Bar]]:
    """Each stretch someone listened in (``monitors`` sent with times), by their name."""
    out: dict[str, list[Bar]] = {}
    for n, m in enumerate(i.monitorings):
        name = agent_names.get(m.agent_id or "") or m.name
        kind = wording.monitor_type(m.monitor_type)
        out.setdefault(name, []).append(
            _bar(
                "monitor",
                f"monitor-{n + 1}",
                name,
                f"{kind.text}, not with the customer",
                m.start,
                m.end,
                start,
                total,
                live=live,
                record=m,
            )
        )
    return out


#: An agent's bar in these states is an offer, not time with the customer.
_OFFER_STATES = frozenset(("work offer cancelled", "offer not accepted"))


def _had_customer(bar: Bar) -> bool:
    return bar.kind == "agent" and not _OFFER_STATES.intersection(bar.states)


def _rows(
    by_name: dict[str, list[Bar]], *, expanded: bool, noun: str
) -> tuple[tuple[Row, ...], int]:
    """One row per name (overlaps packed), or the busiest few and the rest grouped.

    Returns the rows and how many names are grouped behind "N more".
    """
    if expanded or len(by_name) <= MAX_NAMED_ROWS:
        return tuple(Row(name, tuple(r)) for name, bars in by_name.items() for r in _pack(bars)), 0

    def weight(name: str) -> tuple[bool, bool, float]:
        bars = by_name[name]
        return (had[name], any(b.marked for b in bars), sum(b.length for b in bars))

    # Agents who had the customer come first: an offer withdrawn as long as the wait
    # (300 offered at once) never takes a named row ahead of the agent who answered.
    had = {name: any(_had_customer(b) for b in bars) for name, bars in by_name.items()}
    shown = set(sorted(by_name, key=weight, reverse=True)[:SHOWN_WHEN_GROUPED])
    rows = [
        Row(name, tuple(r))
        for name in sorted(by_name, key=lambda name: not had[name])
        if name in shown
        for r in _pack(by_name[name])
    ]
    rest = [b for name, bars in by_name.items() if name not in shown for b in bars]
    for b in rest:
        b.grouped = True
    hidden = len(by_name) - len(shown)
    packed_rest = _pack(rest)
    if len(packed_rest) > MAX_GROUPED_ROWS:
        # Hundreds at once (a call offered to every agent): the rest are drawn over one
        # another in the last row, without text; "N more" opens them one row each.
        pile = [b for r in packed_rest[MAX_GROUPED_ROWS - 1 :] for b in r]
        pile.sort(key=lambda b: (b.offset, b.length))
        packed_rest = [*packed_rest[: MAX_GROUPED_ROWS - 1], pile]
    for n, packed in enumerate(packed_rest):
        label = f"{hidden} more {noun}" if n == 0 else ""
        rows.append(Row(label, tuple(packed), grouped=True, more=hidden if n == 0 else 0))
    return tuple(rows), hidden


class _Running:
    """One agent's bars, to find the first (in their own order) running at a moment.

    ``first_at(at)`` is ``next(b for b in bars if b.offset - 0.5 <= at <= b.offset +
    b.length + 0.5)``, found by bisection instead of a scan per transfer (a long
    interaction has a thousand transfers between a handful of agents).
    """

    def __init__(self, bars: Sequence[Bar]) -> None:
        order = sorted(range(len(bars)), key=lambda n: bars[n].offset)
        self._bars = bars
        self._order = order
        self._lows = [bars[n].offset - 0.5 for n in order]
        self._highs = [bars[n].offset + bars[n].length + 0.5 for n in order]
        # The furthest any bar up to each position reaches: where a backward walk stops.
        self._reach = list(accumulate(self._highs, max))

    def first_at(self, at: float) -> Bar | None:
        best: int | None = None
        k = bisect_right(self._lows, at) - 1
        while k >= 0 and self._reach[k] >= at:
            if self._highs[k] >= at and (best is None or self._order[k] < best):
                best = self._order[k]
            k -= 1
        return None if best is None else self._bars[best]


def _connectors(
    i: Interaction, agent_bars: Sequence[Bar], queue_bars: Sequence[Bar], start: datetime
) -> Iterator[Connector]:
    """Transfers: the sending agent's bar at the moment of transfer -> the receiving bar.

    The receiving bar is the agent allocation of the transfer's segment or, for a
    transfer through a queue or straight to an agent, the queue visit it entered.

    One at a time, in the segments' order: ``layout`` stops when there are more in
    view than it draws (the whole of a long call), before most are worked out.
    """
    if not agent_bars:
        return
    # The receiver: the segment's first agent; without one, the queue it entered. The
    # first is the earliest (the first sent of those that start together), found in
    # one pass rather than by sorting.
    by_agent_bars: dict[str, list[Bar]] = {}
    firsts: dict[str | None, Bar] = {}
    for bar in agent_bars:
        record = bar.record
        agent_id = getattr(record, "agent_id", None)
        if agent_id:
            by_agent_bars.setdefault(agent_id, []).append(bar)
        segment_id = getattr(record, "segment_id", None)
        first = firsts.get(segment_id)
        if first is None or bar.offset < first.offset:
            firsts[segment_id] = bar
    queue_firsts: dict[str | None, Bar] = {}
    for bar in queue_bars:
        segment_id = getattr(bar.record, "segment_id", None)
        first = queue_firsts.get(segment_id)
        if first is None or bar.offset < first.offset:
            queue_firsts[segment_id] = bar
    for segment_id, bar in queue_firsts.items():
        firsts.setdefault(segment_id, bar)
    #: Per agent with more than ``_SCANNED`` bars: who was running when (a walk through
    #: the bars of one with fewer costs less than making it).
    by_agent: dict[str, _Running] = {}
    for s in i.segments:
        kind = (s.start_type or "").lower()
        sent_by = s.agent_id
        if (
            not (s.transfer or kind == "transfer" or kind == "addparticant")
            or not sent_by
            or s.start is None
            or s.segment_id is None
        ):
            continue
        at = (s.start - start).total_seconds()
        # The sender's allocation that was running when the transfer began.
        sender: Bar | None = None
        senders = by_agent.get(sent_by)
        if senders is not None:
            sender = senders.first_at(at)
        else:
            bars = by_agent_bars.get(sent_by)
            if bars is None:
                continue
            if len(bars) > _SCANNED:
                senders = by_agent[sent_by] = _Running(bars)
                sender = senders.first_at(at)
            else:  # ``_Running.first_at`` by a walk through a few bars
                for bar in bars:
                    offset = bar.offset
                    if offset - 0.5 <= at <= offset + bar.length + 0.5:
                        sender = bar
                        break
        receiver = firsts.get(s.segment_id)
        if receiver is not None and getattr(receiver.record, "agent_id", None) == sent_by:
            # The work came back to the agent who sent it: the arrow goes where they sent it.
            receiver = queue_firsts.get(s.segment_id)
        if sender is None or receiver is None or receiver.id == sender.id:
            continue
        adding = kind == "addparticant"
        if s.cancelled and not s.customer_hung_up:  # the agent cancelled it
            label = "add cancelled" if adding else "transfer cancelled"
        else:
            label = "added" if adding else "transferred"
        offset = sender.offset
        new = object.__new__(Connector)  # not the frozen ``__init__``: one per transfer
        object.__setattr__(
            new,
            "__dict__",
            {
                "from_id": sender.id,
                "to_id": receiver.id,
                "at": offset if offset > at else at,  # max(at, offset)
                "label": label,
                "x1": 0.0,
                "y1": 0.0,
                "x2": 0.0,
                "y2": 0.0,
            },
        )
        yield new


#: The most bars of one agent walked through to find the one running at a transfer.
_SCANNED = 24


def _segment_states(s: Segment) -> tuple[str, ...]:
    """The API marks a segment cancelled when the agent cancelled the transfer or add
    and when the customer hung up during it: only the first is a cancelled action
    (``story._agent_cancelled`` reads it the same way)."""
    if not s.cancelled:
        return ()
    return ("customer hung up",) if s.customer_hung_up else ("cancelled",)


def build(interaction: Interaction, now: datetime, expand: Iterable[str] = ()) -> Timeline:
    """Lanes and bars for the whole interaction (no zoom, no layout).

    ``expand`` names lanes ("queues", "agents") that show one row per name even
    when they have many.
    """
    timeline, transfers = _build(interaction, now, expand)
    return replace(timeline, connectors=tuple(transfers))


def _build(
    interaction: Interaction, now: datetime, expand: Iterable[str]
) -> tuple[Timeline, Iterator[Connector]]:
    """``build``, its transfers not yet worked out: the timeline without them and
    the transfers one at a time (``_connectors``)."""
    i = interaction
    expanded = frozenset(expand)
    live = i.in_progress
    start, end, warnings = _axis(i, now)
    total = max((end - start).total_seconds(), 0.0)

    seg_bar_ids = _ids("segment-", (s.segment_id for s in i.segments))
    seg_ids: dict[str | None, str] = {}
    for s, bar_id in zip(i.segments, seg_bar_ids, strict=True):
        if s.segment_id is not None:
            seg_ids.setdefault(s.segment_id, bar_id)
    queue_ids = dict(
        zip(
            (id(q) for q in i.queues),
            _ids("queue-", (q.queue_visit_id for q in i.queues)),
            strict=True,
        )
    )
    agent_ids = dict(
        zip(
            (id(a) for a in i.agents),
            _ids("agent-", (a.interaction_agent_id for a in i.agents)),
            strict=True,
        )
    )
    by_segment: dict[str | None, list[str]] = {}
    for q in i.queues:
        by_segment.setdefault(q.segment_id, []).append(queue_ids[id(q)])
    for a in i.agents:
        by_segment.setdefault(a.segment_id, []).append(agent_ids[id(a)])
    agent_names = {a.agent_id: a.agent_name for a in i.agents if a.agent_id and a.agent_name}
    queue_names = {q.queue_id: q.queue_name for q in i.queues if q.queue_id and q.queue_name}
    #: Queues of type "resource": an agent's own line, named after the agent.
    direct_queues = {q.queue_id for q in i.queues if q.queue_id and q.direct}

    # Each segment's bars, made once per segment rather than once per record in it.
    groups: dict[str, tuple[str, ...]] = {}

    def related_to(segment_id: str | None, own: str) -> tuple[str, ...]:
        if segment_id is None:
            return ()
        ids = groups.get(segment_id)
        if ids is None:
            ids = groups[segment_id] = (
                *([seg_ids[segment_id]] if segment_id in seg_ids else []),
                *by_segment.get(segment_id, []),
            )
        found = ids.count(own)
        if found == 0:
            return ids
        if found == 1:
            n = ids.index(own)
            return ids[:n] + ids[n + 1 :]
        return tuple(x for x in ids if x != own)

    ivr = _ivr_bar(i, start, total)

    # How a record began and ended, in words: once per pair of codes (a long call has a
    # few pairs, many times over).
    said: dict[tuple[str, str | None, str | None], str] = {}
    seg_bars = []
    for s, bar_id in zip(i.segments, seg_bar_ids, strict=True):
        # Cancelled either way (faded, dashed, "cancelled"), saying when the customer
        # hung up; only an agent's cancelling is an arrow's "transfer cancelled".
        states: tuple[str, ...] = (
            ("cancelled", *_segment_states(s))
            if s.cancelled and s.customer_hung_up
            else _segment_states(s)
        )
        label = f"#{s.number if s.number is not None else '?'}"
        codes = ("segment", s.start_type, s.end_type)
        detail = said.get(codes)
        if detail is None:
            detail = said[codes] = wording.pair(
                wording.segment_start(s.start_type), wording.segment_end(s.end_type)
            )
        seg_bars.append(
            _bar(
                "segment",
                bar_id,
                label,
                detail,
                s.start,
                s.end,
                start,
                total,
                live=live,
                states=states,
                related=related_to(s.segment_id, bar_id),
                record=s,
            )
        )

    queue_bars: dict[str, list[Bar]] = {}
    #: Direct transfers, drawn in the receiving agent's row.
    direct_bars: dict[str, list[Bar]] = {}
    takers = taken_from(i)
    for q in sorted(i.queues, key=lambda q: (q.start is None, q.start or start)):
        bar_id = queue_ids[id(q)]
        states = ()
        if q.abandoned:
            states = ("abandoned",)
        if q.sla_abandoned:
            states = (*states, "SLA abandoned")
        direct = q.direct
        name = q.queue_name or (wording.unnamed_queue(q.queue_id) if q.queue_id else "a queue")
        # How the visit began and ended in words (the codes are in the detail panel).
        codes = ("queue", q.entry_type, q.exit_type)
        detail = said.get(codes)
        if detail is None:
            detail = said[codes] = wording.pair(
                wording.queue_entry_on(q.entry_type, i.channel_type),
                wording.queue_exit(q.exit_type),
            )
        if direct:
            by_id = agent_names.get(q.agent_id or "")
            name = (
                by_id
                or q.queue_name
                or (wording.unnamed_agent(q.agent_id) if q.agent_id else "an agent")
            )
            detail = "sent straight to the agent, ringing · " + detail
        taker = takers.get(id(q))
        took = ""
        if taker is not None and taker.start is not None:
            who = taker.agent_name or agent_names.get(taker.agent_id or "") or "an agent"
            at = clock((taker.start - start).total_seconds())
            took = TAKEN_REASON.format(agent=who, at=at)
            detail += f" · no exit sent; taken by {who} at {at}"
        bar = _bar(
            "queue",
            bar_id,
            name,
            detail,
            q.start,
            q.end,
            start,
            total,
            live=live,
            states=states,
            related=related_to(q.segment_id, bar_id),
            record=q,
            open_until=taker.start if taker is not None else None,
        )
        if took:
            bar.taken = True
            bar.reason = LIVE_REASON if live else took
        if direct:
            bar.direct = True
            direct_bars.setdefault(name, []).append(bar)
        else:
            queue_bars.setdefault(name, []).append(bar)

    agent_bars: dict[str, list[Bar]] = {}
    #: An outbound call nobody picked up: the agent's time was spent ringing.
    ringing = never_answered(i)
    refused = unaccepted_offers(i)
    rang = hung_up_on_offer(i)
    # Rows in the order the agents had the work, whatever order the API sent them in.
    for a in sorted(i.agents, key=lambda a: (a.start is None, a.start or start)):
        bar_id = agent_ids[id(a)]
        states = (
            ("work offer cancelled", "customer hung up")
            if id(a) in rang
            else ("work offer cancelled",)
            if a.work_cancel_time is not None
            else ("offer not accepted",)
            if id(a) in refused
            else ()
        )
        if ringing and not states:
            states = ("not answered",)
        name = (
            a.agent_name
            or agent_names.get(a.agent_id or "")
            or (wording.unnamed_agent(a.agent_id) if a.agent_id else "unknown agent")
        )
        queue = queue_names.get(a.queue_id, "") if a.queue_id else ""
        if a.queue_id in direct_queues:
            queue = "a direct transfer"  # not "from <the agent's own name>"
        agent_bars.setdefault(name, []).append(
            _bar(
                "agent",
                bar_id,
                name,
                "ringing" if states == ("not answered",) else f"from {queue}" if queue else "",
                a.start,
                a.end,
                start,
                total,
                live=live,
                states=states,
                related=related_to(a.segment_id, bar_id),
                record=a,
            )
        )
    sent: set[str] = set()  # interactionAgentIds drawn already
    for bars in agent_bars.values():
        clash = _overlaps(bars)
        for b in bars:
            if b.id in clash:
                b.warnings = (*b.warnings, "Overlaps another allocation of the same agent.")
                b.warned_at = None
            key = getattr(b.record, "interaction_agent_id", None)
            if key and key in sent:
                # Drawn as sent; the participants and figures count it once (``story``).
                b.warnings = (*b.warnings, SENT_TWICE)
                b.warned_at = None
            elif key:
                sent.add(key)

    # Numbered as they happened (the parser puts the holds in time order).
    hold_bars = []
    for n, h in enumerate(i.holds):
        if h.start is None:
            continue
        # A hold with no end had ended by the time the next one began.
        until = next_hold(i, n) if h.end is None else None
        bar = _bar(
            "hold",
            f"hold-{n + 1}",
            f"Hold {n + 1}",
            "customer on hold",
            h.start,
            h.end,
            start,
            total,
            live=live,
            record=h,
            open_until=until,
        )
        if until is not None and bar.offset + bar.length < total:
            bar.at_most = True
        hold_bars.append(bar)

    # Tie the interaction's flag to the bars it concerns.
    flag_target: str | None = None
    concerns = i.flag.concerns if i.flagged and i.flag else None

    def flag(bars: list[Bar], kind: str) -> None:
        """Flags the bars that never ended, when the flag concerns their kind."""
        nonlocal flag_target
        # A flag on the whole interaction (stuck) concerns whatever never ended.
        if concerns != kind and not (concerns == "interaction" and kind != "hold"):
            return
        for b in bars:
            if b.open_end:
                b.flagged = True
                flag_target = flag_target or b.id

    flag(seg_bars, "segment")
    for bars in queue_bars.values():
        flag(bars, "queue")
    for bars in direct_bars.values():
        flag(bars, "queue")
    for bars in agent_bars.values():
        flag(bars, "agent")
    if concerns in ("segment", "queue", "agent") and flag_target is None:
        # Every record of that kind has an end: the flag concerns the inconsistent ones
        # (an end before the start, times outside the interaction).
        by_row: dict[str, list[Bar]] = {
            "segment": {"": seg_bars},
            "queue": queue_bars,
            "agent": agent_bars,
        }[concerns]
        for row_bars in by_row.values():
            for b in row_bars:
                if b.warnings:
                    b.flagged = True
                    flag_target = flag_target or b.id
    if concerns == "interaction" and flag_target is None:
        # Stuck, with every record closed: the flag belongs where the records stop.
        last = max(
            (*seg_bars, *(b for bars in agent_bars.values() for b in bars)),
            key=lambda b: (b.offset + b.length, b.kind == "segment"),
            default=None,
        )
        if last is not None:
            flag_target = last.id
            last.flagged = True
    # A direct transfer shares the receiving agent's row: it is that agent ringing.
    people: dict[str, list[Bar]] = {name: list(bars) for name, bars in agent_bars.items()}
    for name, bars in direct_bars.items():
        people.setdefault(name, []).extend(bars)
    # Listening in shares the row of the agent who listened (a supervisor who later
    # joined): the same person, drawn as monitoring, not as time with the customer.
    for name, bars in _monitor_bars(i, agent_names, start, total, live=live).items():
        people.setdefault(name, []).extend(bars)

    lanes: list[Lane] = []
    ivr_bars = ([ivr] if ivr is not None else []) + _ivr_returns(i, start, total)
    if ivr_bars:
        lanes.append(Lane("ivr", ivr_bars[0].label, (Row("", tuple(ivr_bars)),)))
    if seg_bars:
        lanes.append(
            Lane("segments", "Segments", tuple(Row("", tuple(r)) for r in _pack(seg_bars)))
        )
    if queue_bars:
        rows, hidden = _rows(queue_bars, expanded="queues" in expanded, noun="queues")
        lanes.append(
            Lane(
                "queues",
                "Queues",
                rows,
                hidden=hidden,
                expanded="queues" in expanded,
                names=len(queue_bars),
            )
        )
    if people:
        rows, hidden = _rows(people, expanded="agents" in expanded, noun="agents")
        lanes.append(
            Lane(
                "agents",
                "Agents",
                rows,
                hidden=hidden,
                expanded="agents" in expanded,
                names=len(people),
            )
        )
    if hold_bars:
        lanes.append(Lane("holds", "Holds", (Row("Customer holds", tuple(hold_bars)),)))

    all_agents = [b for bars in agent_bars.values() for b in bars]
    all_queues = [b for bars in (*queue_bars.values(), *direct_bars.values()) for b in bars]
    timeline = Timeline(
        start=start,
        end=end,
        window_start=0.0,
        window_end=total,
        total=total,
        live=live,
        lanes=tuple(lanes),
        ticks=(),
        flag_target=flag_target,
        warnings=tuple(warnings),
        end_missing=i.end is None and not live,
    )
    return timeline, _connectors(i, all_agents, all_queues, start)


def nice_step(span: float, max_ticks: int = 10) -> int:
    for step in NICE_STEPS:
        if span / step <= max_ticks:
            return step
    return math.ceil(span / max_ticks / 86400) * 86400


def zoom(timeline: Timeline, window: tuple[float, float] | None) -> Timeline:
    """Limit the view to ``window`` (seconds from the start), clamped to the axis."""
    if window is None:
        return timeline
    if any(math.isnan(v) for v in window):
        return timeline
    lo, hi = sorted(window)
    # Within half a second of an end is that end: the zoom form shows its range to the
    # second and zoom links to a tenth, and a range sent back must still reach the end.
    lo = 0.0 if lo < 0.5 else min(lo, timeline.total)
    hi = timeline.total if hi > timeline.total - 0.5 else max(hi, 0.0)
    if hi - lo < 1.0:
        hi = min(timeline.total, lo + 1.0)
        lo = max(0.0, hi - 1.0)
    if lo <= 0.0 and hi >= timeline.total:
        return timeline
    return replace(timeline, window_start=lo, window_end=hi, zoomed=True)


#: The fewest characters of an option of ``_text`` that holds neither the bar's
#: duration nor its label ("direct").
_SHORTEST_OPTION = 6
#: The fewest characters a bar's duration is written in (``clock``: "1 h", "0:05"…).
_SHORTEST_DURATION = 3


def _text(
    bar: Bar, width: float, free_right: float, free_left: float, named_row: bool, marked: bool
) -> tuple[str, Side]:
    """What to write for a bar ``width`` px wide and where: inside if it fits, else
    beside it, else nothing.

    In a row named after the record only the duration is new; in a grouped row
    the name comes first.

    Every option is at least as long as the shortest of the bar's label, its duration
    and "direct": most bars of a dense row have no room even for that, and are
    answered before any option is written.
    """
    length = bar.shown_length
    duration = (
        "unknown"
        if bar.backwards
        else f"≤ {clock(length)}"
        if bar.at_most
        else clock(length) + ("+" if bar.open_end else "")
    )
    room = 22 if marked else 4
    # The tests below, for the shortest length any option can have.
    least = min(len(bar.label), len(duration), _SHORTEST_OPTION) * CHAR_WIDTH
    if least + 8 > width and least + room + 6 > free_right and least + room + 6 > free_left:
        return "", ""
    options: tuple[str, ...]
    if bar.direct:  # its row is named after the agent: say how they were reached
        options = (f"direct · {duration}", "direct")
    elif bar.kind == "segment":
        name = bar.display_label
        short = f"{bar.label} (cancelled) · {duration}" if "cancelled" in bar.states else name
        options = (f"{name} · {duration}", short, duration if bar.states else name)
    elif bar.taken and named_row:
        options = (
            f"{duration} · no exit sent; an agent took it",
            f"{duration} · no exit",
            duration,
        )
    elif bar.at_most:
        at_most = f"unknown, at most {clock(length)}"
        options = (f"{bar.label} · {at_most}", at_most, f"{bar.label} · {duration}", duration)
    elif bar.kind == "monitor":
        name = "" if named_row else f"{bar.label} · "
        options = (f"{name}listening in · {duration}", f"{name}listening", duration)
    elif named_row and "work offer cancelled" in bar.states and "customer hung up" in bar.states:
        options = (f"customer hung up · {duration}", "hung up", duration)
    elif named_row and "work offer cancelled" in bar.states:
        options = (f"offer withdrawn · {duration}", "withdrawn", duration)
    elif named_row and "offer not accepted" in bar.states:
        options = (f"offer not accepted · {duration}", "not accepted", duration)
    elif "not answered" in bar.states:
        name = "" if named_row else f"{bar.label} · "
        options = (f"{name}ringing, not answered · {duration}", f"{name}not answered", duration)
    elif named_row:
        # The row names the record; its state is still said in text (✕, cancelled).
        marks = bar.display_label[len(bar.label) :]
        options = (f"{duration}{marks}", duration) if marks else (duration,)
    else:
        options = (f"{bar.display_label} · {duration}", duration)
    for text in options:
        if len(text) * CHAR_WIDTH + 8 <= width:
            return text, "inside"
    for text in options:
        need = len(text) * CHAR_WIDTH + room + 6
        if need <= free_right:
            return text, "right"
        if need <= free_left:
            return text, "left"
    return "", ""


def _overview(timeline: Timeline, bars: Sequence[Bar]) -> tuple[Window, ...]:
    """The whole interaction in equal parts, each a link that zooms there: ``bars`` are
    every bar of ``timeline``, drawn in its window or not.

    Every part's figures are worked out first, then each window made once (not made
    and then copied with its shading and its text)."""
    total = timeline.total
    parts = OVERVIEW_PARTS
    if total < parts * OVERVIEW_LEAST:
        # Parts shorter than a second would read "0:00–0:00", "0:01–0:01": buttons no
        # label tells apart, on an interaction short enough to read whole.
        return ()
    step = total / parts
    # A bar is in a part unless it starts at or after the part's end or ends before its
    # start (never both): counted by bisection, not by a pass over every bar per part.
    starts = sorted([b.offset for b in bars])
    ends = sorted([b.offset + b.length for b in bars])
    spans = [b.mark_span for b in bars if b.marked]
    zoomed, window_start, window_end = timeline.zoomed, timeline.window_start, timeline.window_end
    # Parts past an hour are said in units ("1 h 30 min"): those before it too ("45 min",
    # not "45:00", which beside them reads like a time of day).
    in_units = (parts - 1) * step >= 3600

    def said(seconds: float) -> str:
        return f"{round(seconds / 60)} min" if in_units and seconds < 3600 else clock(seconds)

    figures = []
    for n in range(parts):
        last = n == parts - 1
        lo, hi = n * step, (n + 1) * step if not last else total
        figures.append(
            (
                lo,
                hi,
                f"{said(lo)}–{said(hi)}",
                bisect_left(starts, hi) - bisect_left(ends, lo),
                zoomed and lo < window_end and hi > window_start,
                any((a < hi or (last and a <= hi)) and b >= lo for a, b in spans),
            )
        )
    busiest = max(f[3] for f in figures) or 1
    ranges = all(len(f[2]) <= OVERVIEW_TEXT for f in figures)
    return tuple(
        Window(
            lo,
            hi,
            label,
            f"zoom={lo:.1f}-{hi:.1f}",
            current,
            inside,
            marked,
            math.ceil(3 * inside / busiest),
            label if ranges else _rounded(lo, step, in_units=in_units),
        )
        for lo, hi, label, inside, current, marked in figures
    )


#: The most characters an overview button's range may have before it says its start only.
OVERVIEW_TEXT = 11


def _rounded(seconds: float, step: float, *, in_units: bool = False) -> str:
    """An offset as the axis says it, to the minute from an hour on (to the hour from a
    day on) when the parts are that long: "1 h 6 min", not "1 h 6 min 15 s". ``in_units``:
    under an hour too, in minutes ("0 min", "45 min"), beside starts written in units."""
    unit = 3600 if seconds >= 86400 and step >= 3600 else 60 if seconds >= 3600 else 1
    unit = unit if step >= unit else 1
    if in_units and seconds < 3600:
        return f"{round(seconds / 60)} min"
    return clock(round(seconds / unit) * unit)


#: Half the width kept clear around an arrow's vertical line (its head is ~8 px wide).
ARROW_CLEAR = 5.0
#: Room an arrow needs across a row before the bar (or label) it points to: its head.
ARROW_HEAD = 12.0

#: A stretch of a row an arrow covers: (from x, to x, the bar it points to, the bar it
#: leaves; None for a stretch of another arrow's line).
_Block = tuple[float, float, str | None, str | None]


def _arrow_blocks(
    arrows: Iterable[Connector], row_ys: Iterable[float]
) -> dict[float, list[_Block]]:
    """Per row (keyed by its bars' y), the stretches the arrows cover: the vertical line
    in every row from the sender's to the receiver's, and the run across the receiver's
    row to its bar."""
    ys = sorted(set(row_ys))
    out: dict[float, list[_Block]] = {}
    for c in arrows:
        sender_y, receiver_y = c.y1 - BAR_HEIGHT / 2, c.y2 - BAR_HEIGHT / 2
        top, bottom = sorted((sender_y, receiver_y))
        line = (c.x1 - ARROW_CLEAR, c.x1 + ARROW_CLEAR)
        for y in ys[bisect_left(ys, top - 0.01) : bisect_right(ys, bottom + 0.01)]:
            # The line leaves the sender's bar and lands on the receiver's: it is not in
            # the way of their own labels, which sit beyond their ends.
            owner = c.from_id if abs(y - sender_y) < 0.01 else None
            owner = c.to_id if abs(y - receiver_y) < 0.01 and c.x2 - c.x1 < 2 else owner
            out.setdefault(y, []).append((*line, None, owner))
            if abs(y - receiver_y) < 0.01 and c.x2 - c.x1 >= 2:
                out[y].append((line[0], c.x2 + 1, c.to_id, None))
    return out


def _room_beside(
    bar_id: str,
    x: float,
    width: float,
    free_right: float,
    free_left: float,
    blocks: Iterable[_Block],
) -> tuple[float, float]:
    """``free_right`` and ``free_left`` (px), cut short by the arrows in the row."""
    right = x + width
    for a, b, points_to, leaves in blocks:
        if leaves == bar_id:
            continue
        if points_to == bar_id:
            # Its own incoming arrow stops short of a label on its left: room for the
            # label between where the arrow comes down and the bar, after the head.
            free_left = min(free_left, x - a - 2 * ARROW_CLEAR - ARROW_HEAD)
            continue
        if b <= x:
            free_left = min(free_left, x - b)
        elif a >= right:
            free_right = min(free_right, a - right)
        else:  # across one of the bar's ends (or over it)
            if a < x:
                free_left = 0.0
            if b > right:
                free_right = 0.0
    return max(free_right, 0.0), max(free_left, 0.0)


def layout(
    timeline: Timeline,
    *,
    own_bars: bool = False,
    transfers: Iterable[Connector] | None = None,
) -> Timeline:
    """Place ticks, lanes, rows, bars and connectors, in pixels at the nominal width.

    ``own_bars``: the bars are this call's to place where they are rather than copy
    (``timeline_for``'s, just built and held by nothing else): a big timeline has
    thousands, and a copy of each is as much work again, and as much for the
    garbage collector.

    ``transfers``: the timeline's transfers when they are not in its ``connectors``
    (``timeline_for``'s, from ``_build``), read only until there are too many in view
    to draw.
    """
    span = max(timeline.window_length, 1e-9)
    scale = CHART_WIDTH / span
    lo_w, hi_w = timeline.window_start, timeline.window_end

    def x_of(seconds: float) -> float:
        return (seconds - lo_w) * scale

    step = nice_step(span)
    first = math.ceil(lo_w / step) * step
    ticks = []
    t = float(first)
    while t <= hi_w + 1e-6:
        x = x_of(t)
        # The first and last labels are anchored inside the chart, never clipped.
        anchor = "start" if x < 20 else ("end" if x > CHART_WIDTH - 20 else "middle")
        ticks.append(
            Tick(t, clock(t), timeline.start + timedelta(seconds=t), x=round(x, 2), anchor=anchor)
        )
        t += step

    # Where every bar goes first, then the arrows between them, then what text fits
    # beside each bar: a label must never sit under an arrow or its head. Each bar is
    # placed (its x, y and width set) as it is met, and read back from there.
    y = AXIS_HEIGHT
    frames: list[tuple[Lane, float, list[tuple[Row, float, list[Bar]]]]] = []
    spots: dict[str, Bar] = {}  # bar id -> the bar as placed
    for lane in timeline.lanes:
        lane_y = y
        y += LANE_TITLE
        framed = []
        for row in lane.rows:
            shown: list[Bar] = []
            bar_y = round(y + (ROW_HEIGHT - BAR_HEIGHT) / 2, 2)
            for bar in row.bars:
                offset = bar.offset
                end = offset + bar.length
                if offset > hi_w or end < lo_w:
                    continue  # outside the zoom window
                lo = lo_w if lo_w > offset else offset  # max and min, inline: once per bar
                hi = hi_w if hi_w < end else end
                x = (lo - lo_w) * scale  # x_of, inline
                width = (hi - lo) * scale
                if width < MIN_BAR_WIDTH:
                    width = MIN_BAR_WIDTH
                if x + width > CHART_WIDTH:
                    x = CHART_WIDTH - width
                # A bar of ``_build`` is at y 0 until it is placed (below the axis): each
                # is in one row, and one placed already (in a second row) is copied.
                if not own_bars or bar.y != 0.0:
                    bar = _with(bar)
                bar.x = round(x, 2)
                bar.y = bar_y
                bar.width = round(width, 2)
                shown.append(bar)
                spots[bar.id] = bar
            framed.append((row, y, shown))
            y += ROW_HEIGHT
        frames.append((lane, lane_y, framed))
        y += LANE_GAP

    # Past a dozen transfers in view the arrows are noise: zoom in to see them.
    shown_transfers = []
    for c in timeline.connectors if transfers is None else transfers:
        if lo_w <= c.at <= hi_w:
            shown_transfers.append(c)
            if len(shown_transfers) > MAX_CONNECTORS:
                break
    arrows = []
    for c in shown_transfers if len(shown_transfers) <= MAX_CONNECTORS else ():
        sender, receiver = spots.get(c.from_id), spots.get(c.to_id)
        if sender is None or receiver is None:
            continue
        x1 = round(x_of(c.at), 2)
        arrows.append(
            replace(
                c,
                x1=x1,
                y1=round(sender.y + BAR_HEIGHT / 2, 2),
                x2=round(max(receiver.x, x1), 2),
                y2=round(receiver.y + BAR_HEIGHT / 2, 2),
            )
        )
    blocked = _arrow_blocks(arrows, (bar.y for bar in spots.values())) if arrows else {}

    lanes = []
    drawn: list[Bar] = []  # every bar drawn, in the order of ``Timeline.bars``
    for lane, lane_y, framed in frames:
        rows = []
        for row, row_y, shown in framed:
            drawn += shown
            named = not row.grouped and lane.key in ("queues", "agents", "holds", "ivr")
            taken = 0.0  # right end of what is drawn so far in this row (bars and text)
            in_row = blocked.get(round(row_y + (ROW_HEIGHT - BAR_HEIGHT) / 2, 2))
            reach = 0.0  # right end of the bars drawn so far in this row
            last = len(shown) - 1
            for n, bar in enumerate(shown):
                x, width = bar.x, bar.width
                right_edge = shown[n + 1].x if n < last else CHART_WIDTH
                marked = bar.marked
                free_right, free_left = right_edge - x - width, x - taken
                if in_row:
                    free_right, free_left = _room_beside(
                        bar.id, x, width, free_right, free_left, in_row
                    )
                else:  # no arrow in the row: ``_room_beside`` with nothing in the way
                    free_right = 0.0 if free_right < 0.0 else free_right
                    free_left = 0.0 if free_left < 0.0 else free_left
                text = ""
                side: Side = ""
                # A bar drawn over another has no text to pile on it. Nor has one without
                # room for the shortest any of its texts can be: its label, or the three
                # characters of the shortest duration ("1 h"); most bars of a dense row,
                # answered here before ``_text`` writes their duration.
                chars = len(bar.label)
                least = (chars if chars < _SHORTEST_DURATION else _SHORTEST_DURATION) * CHAR_WIDTH
                beside = least + (28 if marked else 10)  # least + room + 6, as ``_text`` has it
                # A bar starting under the end of the one before (a ringing sliver drawn
                # 3 px wide) may still have text inside it when that end is within the
                # text's inset: the text starts past it.
                under = x < reach - 0.5
                if under and x + TEXT_INSET >= reach:
                    under, free_left = False, 0.0
                if not under and (
                    least + 8 <= width or beside <= free_right or beside <= free_left
                ):
                    # Text inside stops short of a "!" drawn inside the bar's right end
                    # (``bang_x``): the badge would cover its last characters.
                    inner = width
                    if marked and (bar.at_most or x + width + 21 >= CHART_WIDTH):
                        inner = width - 22
                    text, side = _text(
                        bar,
                        inner,
                        free_right,
                        free_left,
                        named and bar.kind != "hold",
                        marked,
                    )
                right = x + width
                if right > reach:
                    reach = right
                end = right + 22 if marked else right
                if side == "right":
                    end += len(text) * CHAR_WIDTH + 10
                if end > taken:
                    taken = end
                bar.text = text
                bar.label_side = side
                bar.show_label = bool(side)
            rows.append(Row(row.label, tuple(shown), row_y, row.grouped, row.more))
        lane = Lane(
            lane.key,
            lane.title,
            tuple(rows),
            lane_y,
            lane.note,
            lane.hidden,
            lane.expanded,
            lane.names,
        )
        lanes.append(lane)

    connectors = []
    for c in arrows:
        into = spots[c.to_id]
        if into.label_side == "left" and c.x2 - c.x1 >= 2:
            # The arrow into a bar labelled on its left stops short of the label.
            c = replace(c, x2=round(into.x - 6 - len(into.text) * CHAR_WIDTH, 2))
        connectors.append(c)
    # Every bar, for the overview: those drawn, or when zoomed those outside too.
    bars = tuple(drawn)
    every = timeline.bars if timeline.zoomed else bars
    placed = replace(
        timeline,
        outside=timeline.bars if timeline.zoomed else (),
        lanes=tuple(lanes),
        ticks=tuple(ticks),
        height=round(y, 2),
        connectors=tuple(connectors),
        overview=_overview(timeline, every),
    )
    # ``placed.bars`` (a cached property) is the bars just gathered, lane by lane and row
    # by row: given it rather than gathered again by the first view to ask.
    placed.__dict__["bars"] = bars
    return placed


def timeline_for(
    interaction: Interaction,
    now: datetime,
    window: tuple[float, float] | None = None,
    expand: Iterable[str] = (),
) -> Timeline:
    built, transfers = _build(interaction, now, expand)
    return layout(zoom(built, window), own_bars=True, transfers=transfers)
