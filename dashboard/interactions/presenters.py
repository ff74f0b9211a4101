"""Domain objects -> what templates show: labelled, formatted cells and rows.

Templates loop over these and never compute durations or walk records.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from . import formatting as fmt
from . import parsing, wording
from .domain import LIVE_REASON, OPEN_REASONS, Interaction, Statistic, placed_by_agent
from .parsing import MAX_TEXT, MAX_VALUE
from .story import COMPUTED_MARK, at_least_on_hold

UNKNOWN = "unknown"
ENDS_BEFORE_START = "Ends before it starts."


# Cells and rows are frozen, yet made with their fields written into the instance's
# ``__dict__`` at once: a frozen dataclass's own ``__init__`` writes each field through
# ``object.__setattr__``, which made a cell cost three times as much, and a record
# table's first rows make hundreds of them. Equality, hashing, ``repr`` and ``replace``
# are the dataclass's own.


@dataclass(frozen=True, init=False)
class Cell:
    text: str
    title: str = ""
    css: str = ""
    #: ISO instant for a <time datetime=…> element.
    when: str = ""
    #: Shown with a "!" marker and this reason.
    warning: str = ""
    #: Said beside the value, quieter (the time on the tenant's clock).
    aside: str = ""

    def __init__(
        self,
        text: str,
        title: str = "",
        css: str = "",
        when: str = "",
        warning: str = "",
        aside: str = "",
    ) -> None:
        self.__dict__.update(
            text=text, title=title, css=css, when=when, warning=warning, aside=aside
        )


@dataclass(frozen=True, init=False)
class Row:
    cells: tuple[Cell, ...]
    anchor: str = ""
    css: str = ""

    def __init__(self, cells: tuple[Cell, ...], anchor: str = "", css: str = "") -> None:
        self.__dict__.update(cells=cells, anchor=anchor, css=css)


@dataclass(frozen=True)
class Table:
    """One record table; its rows are made when asked for, so that a long table
    folded to its first rows costs those rows only."""

    key: str
    caption: str
    columns: tuple[str, ...]
    records: Sequence[Any]
    #: One record -> its row.
    row_of: Callable[[Any], Row] = field(repr=False, compare=False)
    empty: str = ""

    @property
    def total(self) -> int:
        return len(self.records)

    @cached_property
    def rows(self) -> tuple[Row, ...]:
        return tuple(self.row_of(r) for r in self.records)

    def head(self, count: int) -> tuple[Row, ...]:
        """The first ``count`` rows."""
        if "rows" in self.__dict__:
            return self.rows[:count]
        return tuple(self.row_of(r) for r in self.records[:count])


@dataclass(frozen=True)
class Folded:
    """A long text shown as its first lines, the whole of it behind "Show all"."""

    text: str
    #: The first lines, cut at a word and ended with "…"; '' when the text is short
    #: enough to show whole.
    preview: str = ""

    @property
    def count(self) -> str:
        return f"{len(self.text):,}"

    @property
    def cut(self) -> bool:
        """The parser kept only the first characters of a longer value (it ends them
        with "…" at its limit): "Show all" would claim too much."""
        return self.text.endswith("…") and len(self.text) in (MAX_VALUE, MAX_TEXT)


#: Texts longer than this (characters or lines) are folded to their first lines.
FOLD_CHARS, FOLD_LINES = 600, 8
PREVIEW_CHARS, PREVIEW_LINES = 320, 5
#: A fact's value longer than this is folded to its first characters.
FACT_FOLD_CHARS, FACT_PREVIEW_CHARS = 160, 100


def fold(
    text: str,
    *,
    most: int = FOLD_CHARS,
    lines: int = FOLD_LINES,
    preview: int = PREVIEW_CHARS,
    preview_lines: int = PREVIEW_LINES,
) -> Folded:
    """``text`` whole when it has at most ``most`` characters and ``lines`` lines, else
    with a preview of its first ``preview_lines`` lines and ``preview`` characters."""
    rows = text.splitlines()
    if len(text) <= most and len(rows) <= lines:
        return Folded(text)
    head = "\n".join(rows[:preview_lines]).rstrip()
    if len(head) > preview:
        cut = head[:preview]
        space = max(cut.rfind(" "), cut.rfind("\n"))
        head = (cut[:space] if space > preview // 2 else cut).rstrip()
    return Folded(text, head + "…")


@dataclass(frozen=True)
class Fact:
    label: str
    cell: Cell
    #: The name the API sent, when the label is not one of the dashboard's own words: said
    #: on hover, and the label shown as code (its case kept) when it is that name as sent.
    name: str = ""

    @property
    def as_sent(self) -> bool:
        return bool(self.name) and self.label == self.name

    @cached_property
    def folded(self) -> Folded:
        """The value folded when long (a URL, a token): its first characters, then all."""
        return fold(
            self.cell.text,
            most=FACT_FOLD_CHARS,
            lines=3,
            preview=FACT_PREVIEW_CHARS,
            preview_lines=2,
        )


@dataclass(frozen=True)
class When:
    """When the interaction happened, said on the first screen: its start and end in
    the viewer's zone, named, and the start on the tenant's clock when that differs."""

    start: Cell
    #: The end's time (dated when on another day than the start), "still going" or
    #: "end unknown": never one made up.
    end: Cell
    zone_name: str
    #: "13:02:11 in the tenant's zone (America/Chicago)", or ''.
    theirs: str = ""

    @property
    def end_time(self) -> Cell:
        """The end without its warning: the line marks the end with "!" and says the
        reason after the zone's name, not inside the time."""
        return replace(self.end, warning="") if self.end.warning else self.end


@dataclass(frozen=True)
class Header:
    title: str
    facts: tuple[Fact, ...]
    status: str
    status_css: str
    when: When | None = None


@dataclass(frozen=True)
class Page:
    header: Header
    statistics: tuple[Fact, ...]
    other_statistics: tuple[Fact, ...]
    tables: tuple[Table, ...]
    extras: tuple[Fact, ...] = field(default=())
    bubbles: tuple[Bubble, ...] = ()
    attributes: tuple[Fact, ...] = ()
    email: tuple[Fact, ...] = ()
    artifacts: tuple[Fact, ...] = ()
    #: The agent's notes and a transcript or message shown as plain text, folded when long.
    notes: Folded | None = None
    message: Folded | None = None


#: The cells of a value not sent and of one that could not be read: shared, as cells are
#: frozen, and a table has many of them.
_MISSING = Cell("—", css="missing")
_UNREADABLE = Cell(UNKNOWN, css="unknown", title="The API sent a value that could not be read.")
#: Said on hover beside a statistic shown as sent because it could not be read as its kind.
_NOT_READ = {
    "flag": "As sent by the API: it could not be read as yes or no.",
    "durations": "As sent by the API: it could not be read as a list of numbers.",
}
_NOT_READ_DEFAULT = "As sent by the API: it could not be read as a number."


def _text(value: Any, unknown: bool = False) -> Cell:
    if unknown:
        return _UNREADABLE
    if value is None or value == "":
        return _MISSING
    if isinstance(value, bool):
        return Cell("yes" if value else "no")
    return Cell(str(value))


def _time(
    moment: datetime | None,
    zone: tzinfo,
    unknown: bool = False,
    *,
    missing: str = "",
    ref: datetime | None = None,
) -> Cell:
    """A time of day in ``zone``, with its date when its day differs from ``ref``'s."""
    if unknown:
        return _text(None, True)
    if moment is None:
        if missing:
            return Cell("never arrived", css="missing warn", warning=missing)
        return _MISSING
    try:
        local = moment.astimezone(zone)
        dated = ref is not None and local.date() != ref.astimezone(zone).date()
    except (OverflowError, ValueError):  # at the very ends of the calendar
        local = None
    if local is None or local.year < 1000 or moment.year < 1000:
        # strftime writes a year before 1000 with fewer digits than isoformat.
        return Cell(
            fmt.local_text(moment, zone, date=not same_day(moment, ref, zone)),
            title=fmt.utc_text(moment),
            when=fmt.iso(moment),
        )
    # The texts ``fmt.local_text`` and ``fmt.utc_text`` write, cut from the ISO forms:
    # strftime costs more than the rest of the cell, and a table has hundreds of times.
    ours, sent = local.isoformat(), moment.isoformat()
    text = f"{ours[:10]} {ours[11:19]} {local.tzname() or ''}" if dated else ours[11:19]
    milli = f".{moment.microsecond // 1000:03d}" if moment.microsecond else ""
    return Cell(
        text, title=f"{sent[:10]} {sent[11:19]}{milli} UTC", when=sent.replace("+00:00", "Z")
    )


class _Times:
    """Time cells of one interaction in one zone: the reference day worked out once,
    each instant converted and formatted once (a segment's end is often the next
    one's start, and the queue visit's and the allocation's too)."""

    def __init__(self, zone: tzinfo, ref: datetime | None) -> None:
        self.zone = zone
        self.ref = ref
        #: By instant and offset: two equal instants written with other offsets read differently.
        self.cells: dict[tuple[datetime, tzinfo | None], Cell] = {}

    def cell(self, moment: datetime | None, unknown: bool = False, *, missing: str = "") -> Cell:
        if unknown or moment is None:
            return _time(moment, self.zone, unknown, missing=missing)
        key = (moment, moment.tzinfo)
        found = self.cells.get(key)
        if found is None:
            found = self.cells[key] = _time(moment, self.zone, ref=self.ref)
        return found


def same_day(moment: datetime, ref: datetime | None, zone: tzinfo) -> bool:
    """True when ``moment`` falls on ``ref``'s day in ``zone`` (or there is no ``ref``)."""
    if ref is None:
        return True
    try:
        return moment.astimezone(zone).date() == ref.astimezone(zone).date()
    except (OverflowError, ValueError):
        return False


def _duration(start: datetime | None, end: datetime | None) -> Cell:
    if start is None or end is None:
        return _MISSING
    seconds = (end - start).total_seconds()
    if seconds < 0:
        return Cell(fmt.hms(seconds), css="warn", warning=ENDS_BEFORE_START)
    return Cell(fmt.hms(seconds), title=fmt.seconds_text(seconds))


def _seconds(value: float | None, unknown: bool = False) -> Cell:
    if unknown:
        return _text(None, True)
    if value is None:
        return _MISSING
    return Cell(fmt.hms(value), title=fmt.seconds_text(value))


def _words(a: wording.Word, b: wording.Word) -> Cell:
    """Two coded values in words, the codes the API sent on hover."""
    text = wording.pair(a, b)
    return Cell(text, title=f"API codes: {a.code or '(none)'} → {b.code or '(none)'}")


def stat_cell(stat: Statistic) -> Cell:
    """A described statistic in its unit; one the API sent in a form that could not be
    read is shown as sent, marked as unreadable (as unknown to a viewer who may not see
    it: masking takes its text away)."""
    if stat.unknown:
        if not isinstance(stat.value, str):
            return _text(None, True)
        return Cell(
            stat.value or "empty text",
            css="unknown",
            title=_NOT_READ.get(stat.kind, _NOT_READ_DEFAULT),
        )
    value = stat.value
    if value is None:
        return _MISSING
    if stat.kind in ("duration",) and isinstance(value, float):
        return Cell(fmt.hms(value), title=fmt.seconds_text(value))
    if stat.kind == "durations" and isinstance(value, tuple):
        return Cell(", ".join(fmt.hms(v) for v in value) or "none")
    if stat.kind == "count" and isinstance(value, float):
        return Cell(
            fmt.seconds_text(value).removesuffix(" s")
            if not value.is_integer()
            else str(int(value))
        )
    if stat.kind == "flag":
        return Cell("yes" if value else "no")
    if isinstance(value, float):
        return Cell(str(int(value)) if value.is_integer() else f"{value:g}")
    return Cell(str(value))


def missing_end_reason(kind: str, interaction: Interaction) -> str:
    """Why a record has no end time, in words, or '' when it needs none."""
    if interaction.in_progress:
        return ""
    return OPEN_REASONS[kind]


def header(
    interaction: Interaction, zone: tzinfo, zone_name: str, tenant_zone: ZoneInfo | None = None
) -> Header:
    """The title, status and exact facts; with ``tenant_zone``, the start and end in
    the viewer's zone also say the time in the tenant's own zone beside it."""
    i = interaction
    u = i.unknown
    kind = wording.channel(i.channel_type)
    channel = kind.text.lower() if kind.known else kind.text  # an unknown code as sent
    direction = wording.direction(i.direction).text
    title = f"{direction} {channel}".strip() if direction else wording.sentence_case(kind)
    # A heading begins with a capital, an unknown code's too ("Internal work item"),
    # unless the code has capitals of its own ("whatsApp"): the codes as sent are in
    # the facts below it.
    first = title.split(" ", 1)[0]
    if first.islower():
        title = title[:1].upper() + title[1:]
    status, css = status_of(i)
    end_missing = missing_end_reason("interaction", i) if i.end is None else ""
    local = zone_name not in ("UTC", "Etc/UTC")
    start_utc, end_utc = _utc(i.start, "start" in u), _utc(i.end, "end" in u, missing=end_missing)
    start_local = _local(i.start, zone, "start" in u)
    end_local = _local(i.end, zone, "end" in u, missing=end_missing)
    if tenant_zone is not None:
        # Beside the viewer's own time: the local one, or UTC for a viewer in UTC.
        viewer = zone if local else UTC
        start_shown, end_shown = (start_local, end_local) if local else (start_utc, end_utc)
        start_shown = _beside(start_shown, i.start, viewer, tenant_zone)
        end_shown = _beside(end_shown, i.end, viewer, tenant_zone)
        start_local, end_local = (start_shown, end_shown) if local else (start_local, end_local)
        start_utc, end_utc = (start_utc, end_utc) if local else (start_shown, end_shown)
    facts = [
        Fact(
            "Channel", _coded(i.channel_type, wording.channel(i.channel_type), "channel_type" in u)
        ),
        Fact("Direction", _coded(i.direction, wording.direction(i.direction), "direction" in u)),
        Fact("Customer", _text(i.customer, "customer" in u)),
        Fact("Contact point", _text(i.contact_point, "contact_point" in u)),
        Fact("Flow", _text(i.flow_name or i.flow_id, "flow_name" in u)),
        Fact("Start (UTC)", start_utc),
        *([Fact(f"Start ({zone_name})", start_local)] if local else []),
        Fact("End (UTC)", end_utc),
        *([Fact(f"End ({zone_name})", end_local)] if local else []),
        Fact(
            "Duration",
            _duration(i.start, i.end)
            if i.end
            else _seconds(i.interaction_time, "interaction_time" in u),
        ),
    ]
    return Header(
        title=title,
        facts=tuple(facts),
        status=status,
        status_css=css,
        when=when(i, zone, zone_name, tenant_zone),
    )


def when(
    interaction: Interaction, zone: tzinfo, zone_name: str, tenant_zone: ZoneInfo | None = None
) -> When:
    """The start and end in the viewer's ``zone`` for the summary ("Mon 30 Nov 2026,
    14:02:11 – 14:14:17"); the end says what the status pill says when there is none
    to show: "still going" while live, "end unknown" when it never arrived."""
    i = interaction
    start = i.start if "start" not in i.unknown else None
    if start is None:
        start_cell = Cell("start unknown", css="missing", title="The API sent no readable start.")
    else:
        start_cell = Cell(fmt.day_text(start, zone), title=fmt.utc_text(start), when=fmt.iso(start))
    if i.in_progress:
        end_cell = Cell("still going", css="missing", title=LIVE_REASON)
    elif i.end is None or "end" in i.unknown or _stuck(i):
        end_cell = Cell("end unknown", css="missing", title=OPEN_REASONS["interaction"])
    else:
        dated = start is None or not same_day(i.end, start, zone)
        end_cell = Cell(
            fmt.day_text(i.end, zone, date=dated), title=fmt.utc_text(i.end), when=fmt.iso(i.end)
        )
        if start is not None and i.end < start:
            # Shown as sent, marked as the records' tables mark theirs: never corrected.
            end_cell = replace(end_cell, css="warn", warning=ENDS_BEFORE_START)
        elif start is not None and _offset(start, zone) != _offset(i.end, zone):
            # The clocks changed in between (summer time began or ended): each time says
            # which it is on, or "01:50 – 01:20" would read as ending before it started.
            start_cell = replace(start_cell, text=f"{start_cell.text} {_zone_abbr(start, zone)}")
            end_cell = replace(end_cell, text=f"{end_cell.text} {_zone_abbr(i.end, zone)}")
    theirs = in_tenant_zone(start, zone, tenant_zone) if tenant_zone is not None else ""
    return When(start=start_cell, end=end_cell, zone_name=zone_name, theirs=theirs)


def _offset(moment: datetime, zone: tzinfo) -> timedelta | None:
    return moment.astimezone(zone).utcoffset()


def _zone_abbr(moment: datetime, zone: tzinfo) -> str:
    """The zone's name for ``moment`` ("EDT", "EST"), or its offset ("UTC-04:00")."""
    local = moment.astimezone(zone)
    name = local.tzname() or ""
    if name and name[0] not in "+-":
        return name
    offset = local.utcoffset() or timedelta(0)
    sign, seconds = (
        ("-", -offset.total_seconds()) if offset < timedelta(0) else ("+", offset.total_seconds())
    )
    return f"UTC{sign}{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}"


def _stuck(i: Interaction) -> bool:
    return bool(i.flag and i.flag.flagged and (i.flag.flag_type or "").strip().lower() == "stuck")


def status_of(i: Interaction) -> tuple[str, str]:
    """The status pill: never a plain "Complete" beside an end that never arrived."""
    if i.in_progress:
        return "Live", "live"
    if i.end is None or _stuck(i):
        if i.data_complete:
            return "Complete — end never arrived", "warn-pill"
        if i.data_complete is False:  # flagged Stuck: over, not live (``in_progress``)
            return "Incomplete — end never arrived", "warn-pill"
    if i.data_complete:
        if _open_records(i):
            # Over and complete as the API says, but an agent's, a queue's or a segment's
            # end never came (what an Agent, Queue or Segment flag says): not all green.
            return "Complete — some ends never arrived", "warn-pill"
        return "Complete", "complete"
    return "Completeness unknown", "unknown"


def _open_records(i: Interaction) -> bool:
    """Some segment, queue visit or allocation began and has no end."""
    for records in (i.segments, i.queues, i.agents):
        for r in records:
            if r.end is None and r.start is not None:
                return True
    return False


def _utc(moment: datetime | None, unknown: bool, *, missing: str = "") -> Cell:
    if unknown or moment is None:
        return _time(moment, UTC, unknown, missing=missing)
    return Cell(fmt.utc_text(moment), when=fmt.iso(moment))


def _local(moment: datetime | None, zone: tzinfo, unknown: bool, *, missing: str = "") -> Cell:
    if unknown or moment is None:
        return _time(moment, zone, unknown, missing=missing)
    return Cell(fmt.local_text(moment, zone), title=fmt.utc_text(moment), when=fmt.iso(moment))


def in_tenant_zone(moment: datetime | None, zone: tzinfo, tenant_zone: ZoneInfo) -> str:
    """``moment`` on the tenant's clock, its zone named ("08:02:11 in the tenant's zone
    (America/New_York)", with the date when it is another day there), or '' when the
    tenant's clock reads the same as the viewer's in ``zone``."""
    if moment is None:
        return ""
    try:
        theirs, ours = moment.astimezone(tenant_zone), moment.astimezone(zone)
    except (OverflowError, ValueError):
        return ""
    if theirs.replace(tzinfo=None) == ours.replace(tzinfo=None):
        return ""
    shown = theirs.strftime("%H:%M:%S" if theirs.date() == ours.date() else "%Y-%m-%d %H:%M:%S")
    return f"{shown} in the tenant's zone ({tenant_zone.key})"


def _beside(cell: Cell, moment: datetime | None, zone: tzinfo, tenant_zone: ZoneInfo) -> Cell:
    theirs = in_tenant_zone(moment, zone, tenant_zone) if not cell.css else ""
    return replace(cell, aside=theirs) if theirs else cell


def _queue(
    queue_id: str | None, name: str | None, *, direct: bool = False, unknown: bool = False
) -> Cell:
    """A queue by name, marked when it is an agent's own line (a direct transfer,
    which the API names after the agent); sent by ID only, as the rest of the page
    calls it, with the ID on hover."""
    if unknown:
        return _text(None, unknown)
    if name:
        return Cell(f"{name} (direct)" if direct else name)
    if not queue_id:
        return _text(None)
    text = wording.unnamed_queue(queue_id) + (" (direct)" if direct else "")
    return Cell(text, title=f"Queue ID {queue_id}: the API sent no name")


def _names(interaction: Interaction) -> tuple[dict[str, str], dict[str, str], dict[str, int]]:
    agents = {a.agent_id: a.agent_name for a in interaction.agents if a.agent_id and a.agent_name}
    queues: dict[str, str] = {}
    for q in interaction.queues:
        if q.queue_id and q.queue_name:
            queues[q.queue_id] = f"{q.queue_name} (direct)" if q.direct else q.queue_name
    numbers = {
        s.segment_id: s.number
        for s in interaction.segments
        if s.segment_id and s.number is not None
    }
    return agents, queues, numbers


def _agent(agent_id: str | None, agents: dict[str, str], name: str | None = None) -> Cell:
    """An agent by name: the record's own, another record's for the same agent, or
    (sent by ID only) as the rest of the page calls them, with the ID on hover."""
    name = name or agents.get(agent_id or "")
    if name:
        return Cell(name)
    if not agent_id:
        return _text(None)
    return Cell(wording.unnamed_agent(agent_id), title=f"Agent ID {agent_id}: the API sent no name")


class _Shared:
    """What the record tables of one interaction share, worked out once and only when
    rows are made: the names of its agents, queues and segments, its time cells, and
    the cells many rows repeat (an agent, a queue, how a record began and ended)."""

    def __init__(self, interaction: Interaction, zone: tzinfo) -> None:
        self.interaction = interaction
        self.times = _Times(zone, interaction.start)
        self.cells: dict[tuple[str | None, ...], Cell] = {}

    @cached_property
    def names(self) -> tuple[dict[str, str], dict[str, str], dict[str, int]]:
        return _names(self.interaction)

    def agent(self, agent_id: str | None, name: str | None = None) -> Cell:
        """``_agent``'s cell, made once per agent."""
        key = ("agent", agent_id, name)
        cell = self.cells.get(key)
        if cell is None:
            cell = self.cells[key] = _agent(agent_id, self.names[0], name)
        return cell

    def queue(self, queue_id: str | None, name: str | None, direct: bool = False) -> Cell:
        """``_queue``'s cell, made once per queue."""
        key = ("queue", queue_id, name, "direct" if direct else "")
        cell = self.cells.get(key)
        if cell is None:
            cell = self.cells[key] = _queue(queue_id, name, direct=direct)
        return cell

    def segment_words(self, start: str | None, end: str | None) -> Cell:
        """How a segment began and ended, in words, made once per pair of codes."""
        key = ("segment", start, end)
        cell = self.cells.get(key)
        if cell is None:
            words = wording.segment_start(start), wording.segment_end(end)
            cell = self.cells[key] = _words(*words)
        return cell

    def queue_words(self, entry: str | None, exit: str | None) -> Cell:
        """How a queue visit began and ended, in words, made once per pair of codes."""
        key = ("queue visit", entry, exit)
        cell = self.cells.get(key)
        if cell is None:
            channel = self.interaction.channel_type
            words = wording.queue_entry_on(entry, channel), wording.queue_exit(exit)
            cell = self.cells[key] = _words(*words)
        return cell


def segments_table(i: Interaction, zone: tzinfo, shared: _Shared | None = None) -> Table:
    shared = shared or _Shared(i, zone)
    open_reason = missing_end_reason("segment", i)
    times = shared.times

    def row_of(s: Any) -> Row:
        return Row(
            cells=(
                _text(s.number, "number" in s.unknown),
                shared.segment_words(s.start_type, s.end_type),
                times.cell(s.start, "start" in s.unknown),
                times.cell(s.end, "end" in s.unknown, missing=open_reason),
                _duration(s.start, s.end),
                _text(
                    ("customer hung up" if s.customer_hung_up else "cancelled")
                    if s.cancelled
                    else ("no" if s.cancelled is False else None)
                ),
                shared.agent(s.agent_id),
                shared.agent(s.to_agent_id)
                if s.to_agent_id or not s.outside
                else _text(" ".join(("an outside number", s.extension_value or ""))),
            ),
            anchor=f"segment-{s.segment_id or s.number}",
            css="cancelled" if s.cancelled else "",
        )

    return Table(
        "segments",
        "Segments",
        (
            "#",
            "Started by → ended by",
            "Start",
            "End",
            "Length",
            "Cancelled",
            "From agent",
            "To agent",
        ),
        i.segments,
        row_of,
        "The API sent no segments.",
    )


def queues_table(i: Interaction, zone: tzinfo, shared: _Shared | None = None) -> Table:
    shared = shared or _Shared(i, zone)
    open_reason = missing_end_reason("queue", i)
    times = shared.times

    def row_of(q: Any) -> Row:
        numbers = shared.names[2]
        abandoned = "abandoned" if q.abandoned else ("no" if q.abandoned is False else None)
        if q.sla_abandoned:
            abandoned = f"{abandoned or 'yes'} (SLA)"
        return Row(
            cells=(
                _UNREADABLE
                if "queue_name" in q.unknown
                else shared.queue(q.queue_id, q.queue_name, q.direct),
                _text(numbers.get(q.segment_id or "")),
                shared.queue_words(q.entry_type, q.exit_type),
                times.cell(q.start, "start" in q.unknown),
                _left(times.cell(q.end, "end" in q.unknown, missing=open_reason), q),
                _seconds(q.queue_time, "queue_time" in q.unknown),
                _text(abandoned),
                shared.agent(q.agent_id),
            ),
            anchor=f"queue-{q.queue_visit_id or ''}",
            css="abandoned" if q.abandoned else "",
        )

    return Table(
        "queues",
        "Queue visits",
        (
            "Queue",
            "Segment",
            "Entered by → left by",
            "Entered",
            "Left",
            "Queue time",
            "Abandoned",
            "Answered by",
        ),
        i.queues,
        row_of,
        "The API sent no queue visits.",
    )


def _left(cell: Cell, q: Any) -> Cell:
    """The time a visit left its queue, marked when it comes before the entry."""
    if q.start is None or q.end is None or q.end >= q.start:
        return cell
    early = fmt.hms((q.start - q.end).total_seconds())
    return replace(cell, css="warn", warning=f"It leaves {early} before it enters.")


def agents_table(i: Interaction, zone: tzinfo, shared: _Shared | None = None) -> Table:
    shared = shared or _Shared(i, zone)
    open_reason = missing_end_reason("agent", i)
    times = shared.times

    def row_of(a: Any) -> Row:
        _, queues, numbers = shared.names
        return Row(
            cells=(
                _UNREADABLE
                if "agent_name" in a.unknown
                else shared.agent(a.agent_id, a.agent_name),
                shared.queue(a.queue_id, queues.get(a.queue_id or "")),
                _text(numbers.get(a.segment_id or "")),
                times.cell(a.start, "start" in a.unknown),
                times.cell(a.end, "end" in a.unknown, missing=open_reason),
                _duration(a.start, a.end),
                _seconds(a.work_cancel_time, "work_cancel_time" in a.unknown),
                *((_sent_as_is(a.extra),) if other else ()),
            ),
            anchor=f"agent-{a.interaction_agent_id or ''}",
        )

    # Fields the reference does not describe (a supervisor's "participantType", a
    # "joinType"): a column of their own when any allocation has one, shown as sent.
    other = any(a.extra for a in i.agents)
    return Table(
        "agents",
        "Agent allocations",
        (
            "Agent",
            "Queue",
            "Segment",
            "Allocated",
            "Deallocated",
            "Length",
            "Work offer cancelled after",
            *(("Other fields, as sent",) if other else ()),
        ),
        i.agents,
        row_of,
        "The API sent no agent allocations.",
    )


def _sent_as_is(extra: tuple[Any, ...]) -> Cell:
    """Fields the reference does not describe, by their names and values as sent
    ("participantType: supervisor · joinType: barge-in"), never read into words."""
    if not extra:
        return _text(None)
    return Cell(
        " · ".join(f"{e.name}: {e.value}" for e in extra),
        title="Sent by the API but not described in its reference: shown as sent.",
    )


def page(
    interaction: Interaction, zone: tzinfo, zone_name: str, tenant_zone: ZoneInfo | None = None
) -> Page:
    i = interaction
    shared = _Shared(i, zone)
    return Page(
        header=header(i, zone, zone_name, tenant_zone),
        statistics=tuple(_stat_fact(s, label=s.label) for s in i.statistics),
        other_statistics=tuple(other_stat_fact(s) for s in i.other_statistics),
        attributes=attribute_facts(i.attributes),
        tables=(
            segments_table(i, zone, shared),
            queues_table(i, zone, shared),
            agents_table(i, zone, shared),
        ),
        bubbles=chat_bubbles(
            i.transcript.text if i.transcript else None, start=i.start, end=i.end, zone=zone
        ),
        email=email_facts(i) if (i.channel_type or "").lower() == "email" else (),
        artifacts=artifact_facts(i.artifacts_summary, zone, i.start),
        notes=fold(i.notes) if i.notes else None,
        message=fold(i.transcript.text) if i.transcript and i.transcript.text else None,
        extras=extra_facts(i, zone),
    )


def extra_facts(i: Interaction, zone: tzinfo) -> tuple[Fact, ...]:
    """Disposition, CSAT, IDs and when the record was last updated (in ``zone``)."""
    facts = [
        Fact(label, _text(value))
        for label, value in (
            ("Disposition", i.disposition_name or i.disposition_id),
            ("Customer satisfaction (csat)", i.csat),
            ("Contact ID", i.contact_id),
            ("Flow ID", i.flow_id),
            ("Campaign", i.campaign_id),
            ("Lead", i.lead_id),
            ("Monitors", ", ".join(i.monitors) if i.monitors else None),
        )
        if value
    ]
    if i.updated:
        facts.append(Fact("Last updated", _moment(i.updated, zone, i.start)))
    return tuple(facts)


# -- timeline detail panel -----------------------------------------------------

#: The detail panel's label of each record field: what it is, in words, each once per
#: panel (the API's own name of the field is said on hover). An ID says whose it is: a
#: segment names two or three agents, and an allocation three IDs of one agent.
_LABELS = {
    "segment_id": "Segment ID",
    "start": "Start",
    "end": "End",
    "queue_id": "Queue ID",
}
_KIND_LABELS: dict[str, dict[str, str]] = {
    "segment": {
        "number": "Segment number",
        "start_type": "Started by",
        "end_type": "Ended by",
        "cancelled": "Cancelled",
        "cancel_time": "Cancel time",
        "segment_time": "Segment time",
        "agent_id": "Agent who started the segment (ID)",
        "handling_agent_id": "Agent on the segment (ID)",
        "to_agent_id": "Agent the segment went to (ID)",
        "interaction_agent_id": "Agent allocation of the segment (ID)",
        "consult_time": "Consult time",
        "transfer": "Transfer",
        "transfer_time": "Transfer time",
        "add_participant": "Add participant",
        "add_participant_time": "Add-participant time",
        "add_participant_handed_off": "Add participant handed off",
        "extension_type": "Extension type",
        "extension_value": "Extension value",
        "third_party": "Third party",
    },
    "queue": {
        "queue_visit_id": "Queue visit ID",
        "queue_name": "Queue",
        "platform_queue_id": "Platform queue ID (WFM)",
        "queue_type": "Queue type",
        "entry_type": "Entered by",
        "exit_type": "Left by",
        "queue_time": "Queue time",
        "abandoned": "Abandoned",
        "abandon_time": "Abandon time",
        "sla_abandoned": "SLA abandoned",
        "sla_time": "SLA time",
        "entry_length": "Queue entry length",
        "agent_id": "Agent who answered (ID)",
    },
    "agent": {
        "interaction_agent_id": "Allocation ID",
        "agent_id": "Agent's ID",
        "agent_name": "Agent's name",
        "platform_agent_id": "Agent's platform ID",
        "tenant_agent_id": "Agent's tenant ID",
        "session_id": "Agent's session ID",
        "queue_id": "Queue it came from (ID)",
        "work_cancel_time": "Work offer cancelled after",
    },
    "hold": {"duration": "Hold length, as sent"},
    "monitor": {
        "name": "Who listened in",
        "agent_id": "Listener's agent ID",
        "monitor_type": "How",
    },
}
_DURATIONS = {
    "cancel_time",
    "segment_time",
    "consult_time",
    "transfer_time",
    "add_participant_time",
    "queue_time",
    "abandon_time",
    "sla_time",
    "work_cancel_time",
    "duration",
}
_SKIP = {"extra", "unknown"}


@dataclass(frozen=True)
class Link:
    bar_id: str
    text: str


@dataclass(frozen=True)
class Detail:
    bar_id: str
    title: str
    summary: str
    facts: tuple[Fact, ...]
    notes: tuple[str, ...]
    related: tuple[Link, ...]
    #: The bar is outside the zoom window: the timeline does not draw it.
    outside: bool = False

    @property
    def related_ids(self) -> tuple[str, ...]:
        return tuple(link.bar_id for link in self.related)


def _field_cell(
    name: str,
    value: Any,
    unknown: bool,
    zone: tzinfo,
    open_reason: str = "",
    channel: str | None = None,
) -> Cell:
    if name == "end" and value is None and not unknown and open_reason:
        if open_reason == LIVE_REASON:
            return Cell("not yet", css="missing")
        return Cell("never arrived", css="missing warn")
    if isinstance(value, datetime) or (value is None and name in ("start", "end")):
        return _local(value, zone, unknown) if value else _text(None, unknown)
    if name in _DURATIONS:
        return _seconds(value, unknown)
    if name in _CODED and isinstance(value, str) and value and not unknown:
        # A queue entered "ivr" on a chat, SMS or email came from the flow, as the
        # tables and the participants call it.
        word = (
            wording.queue_entry_on(value, channel) if name == "entry_type" else _CODED[name](value)
        )
        text = wording.sentence_case(word)
        # The raw code stays visible here: this panel is where people check the data.
        return Cell(text if not word.known else f"{text} ({value})", title=f"API code: {value}")
    if isinstance(value, float) and value.is_integer() and not unknown:
        return Cell(str(int(value)))  # a count sent as 4 reads 4, not "4.0"
    return _text(value, unknown)


_CODED: dict[str, Callable[[str | None], wording.Word]] = {
    "start_type": wording.segment_start,
    "end_type": wording.segment_end,
    "entry_type": wording.queue_entry,
    "exit_type": wording.queue_exit,
    "monitor_type": wording.monitor_type,
    "queue_type": wording.queue_type,
    "extension_type": wording.extension_type,
}


def _coded(value: str | None, word: wording.Word, unknown: bool) -> Cell:
    """A code the API sent, in words with the code beside them (as the detail panel
    writes them), or as sent when no word is known for it."""
    if unknown or not value:
        return _text(value, unknown)
    if not word.known:
        return Cell(value, title=f"API code: {value}")
    return Cell(f"{wording.sentence_case(word)} ({value})", title=f"API code: {value}")


def _stat_fact(stat: Statistic, *, label: str) -> Fact:
    cell = stat_cell(stat)
    meaning = wording.statistic(stat.name)
    note = f"{meaning.text} (API field {stat.name})" if meaning.known else f"API field {stat.name}"
    return Fact(label, Cell(cell.text, title=cell.title or note, css=cell.css, when=cell.when))


def other_stat_fact(stat: Statistic) -> Fact:
    """A statistic outside the API's reference: labelled in words where the dashboard
    knows it or its name is camelCase (else by its name as sent); its value converted
    only where its unit is known, otherwise shown as sent (45.2, never "0:45")."""
    if wording.statistic_known(stat.name):
        return replace(_stat_fact(stat, label=wording.statistic(stat.name).text), name=stat.name)
    label = wording.name_words(stat.name).text
    cell = sent_cell(stat)
    note = f"API field {stat.name}"
    if isinstance(stat.value, (float, tuple)) and not isinstance(stat.value, bool):
        note += ": its unit is not known, so its value is shown as sent."
    return Fact(label, replace(cell, title=cell.title or note), name=stat.name)


def _number(value: float) -> str:
    """A number as the API wrote it: 45.2, 62, -0.42 (never rounded, no exponent for
    ordinary sizes)."""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def sent_cell(stat: Statistic) -> Cell:
    """A statistic's value as the API sent it, no unit guessed."""
    if stat.unknown:
        return _text(None, True)
    value = stat.value
    if value is None:
        return _MISSING
    if isinstance(value, bool):
        return Cell("yes" if value else "no", title=f"API value: {str(value).lower()}")
    if isinstance(value, float):
        return Cell(_number(value))
    if isinstance(value, tuple):
        return Cell(", ".join(_number(v) for v in value) or "none")
    return Cell(str(value))


def attribute_facts(attributes: tuple[Any, ...]) -> tuple[Fact, ...]:
    """Interaction attributes with plain labels where the name is known or camelCase
    (else the name as sent); the name on hover."""
    out = []
    for extra in attributes:
        word = wording.attribute(extra.name)
        out.append(Fact(word.text, Cell(str(extra.value)), name=extra.name))
    return tuple(out)


def detail(timeline: Any, bar_id: str, zone: tzinfo, channel: str | None = None) -> Detail | None:
    """Every field of the record behind ``bar_id``, and links to related bars
    (``channel``: the interaction's channelType, for the words of its codes)."""
    import dataclasses

    bar = timeline.bar(bar_id)
    if bar is None:
        return None
    facts: list[Fact] = [
        Fact("Time from the interaction's start", Cell(fmt.clock(bar.offset))),
        Fact("Length on the timeline", Cell(bar.duration_text)),
    ]
    record = bar.record
    if bar.kind in _KIND_LABELS and record is not None:
        labels = _KIND_LABELS[bar.kind]
        unknown: frozenset[str] = getattr(record, "unknown", frozenset())
        names = _agent_names(timeline) if bar.kind != "agent" else {}
        for f in dataclasses.fields(record):
            if f.name in _SKIP:
                continue
            label = labels.get(f.name) or _LABELS.get(f.name) or _words_of(f.name)
            value = getattr(record, f.name)
            cell = _field_cell(f.name, value, f.name in unknown, zone, bar.reason, channel)
            if f.name in _AGENT_ID_FIELDS and isinstance(value, str) and value in names:
                # An agent sent by ID: named as the rest of the page names them.
                cell = replace(cell, text=f"{names[value]} ({value})")
            facts.append(Fact(label, cell, parsing.sent_as(record, f.name)))
        for extra in getattr(record, "extra", ()):
            facts.append(Fact(wording.name_words(extra.name).text, Cell(extra.value), extra.name))
    else:
        facts += [
            Fact("Start", _local(bar.start, zone, False)),
            Fact("End", _local(bar.end, zone, False)),
        ]
    related = tuple(
        Link(rid, other.named) for rid in bar.related if (other := timeline.bar(rid)) is not None
    )
    notes = tuple(n for n in (bar.reason, *bar.warnings) if n)
    return Detail(
        bar_id=bar.id,
        title=bar.named,
        summary=bar.accessible_name,
        facts=_told_apart(facts),
        notes=notes,
        related=related,
        outside=not timeline.drawn(bar.id),
    )


#: A record's fields that hold an agent's ID (``agentId`` and the like).
_AGENT_ID_FIELDS = frozenset({"agent_id", "handling_agent_id", "to_agent_id"})


def _agent_names(timeline: Any) -> dict[str, str]:
    """Agent ID -> name, from the allocations the timeline draws."""
    names: dict[str, str] = {}
    for bar in timeline.every_bar:
        if bar.kind == "agent":
            agent_id = getattr(bar.record, "agent_id", None)
            name = getattr(bar.record, "agent_name", None)
            if agent_id and name:
                names.setdefault(agent_id, name)
    return names


def _words_of(attribute: str) -> str:
    """A field the panel has no label for, in words: "work_cancel_time" -> "Work cancel time"."""
    return attribute.replace("_", " ").capitalize()


def _reads_as(label: str) -> str:
    """How a label reads, for telling two apart: its words without case, punctuation or
    what is said in brackets ("Agent ID (agentId)" reads as "Agent ID")."""
    plain = re.sub(r"\([^)]*\)", " ", label.casefold())
    return " ".join(re.sub(r"[^\w]+", " ", plain).replace("_", " ").split())


def _told_apart(facts: list[Fact]) -> tuple[Fact, ...]:
    """``facts`` with a field the API sent beyond the reference ("queueName" on an
    allocation) whose label reads as another fact's labelled by its name as sent: no two
    rows of the panel read the same."""
    seen: set[str] = set()
    out = []
    for fact in facts:
        key = _reads_as(fact.label)
        if key in seen and fact.name and fact.label != fact.name:
            fact = replace(fact, label=fact.name)
            key = _reads_as(fact.name)
        seen.add(key)
        out.append(fact)
    return tuple(out)


@dataclass(frozen=True)
class ZoomLink:
    text: str
    query: str
    label: str


def zoom_links(timeline: Any) -> tuple[ZoomLink, ...]:
    """Zoom in (middle half), out (double) and back to the whole interaction."""
    lo, hi, total = timeline.window_start, timeline.window_end, timeline.total
    span = hi - lo
    mid = (lo + hi) / 2
    links = []
    if span > 2:
        links.append(
            ZoomLink(
                "Zoom in",
                f"zoom={mid - span / 4:.1f}-{mid + span / 4:.1f}",
                "Zoom in to the middle half of the shown range",
            )
        )
    if timeline.zoomed:
        out_lo, out_hi = max(0.0, mid - span), min(total, mid + span)
        links.append(
            ZoomLink(
                "Zoom out", f"zoom={out_lo:.1f}-{out_hi:.1f}", "Zoom out to twice the shown range"
            )
        )
        links.append(ZoomLink("Whole interaction", "", "Show the whole interaction"))
    return tuple(links)


def crm_link(
    hook_type: str | None, hook_id: str | None, sub_type: str | None, templates: dict[str, str]
) -> str:
    """The CRM record's own URL from the configured template, or '' (http(s) only): the
    template for the hook's sub type of record ("zendesk__user") before its type's."""
    from urllib.parse import quote

    kind = (hook_type or "").lower()
    template = templates.get(f"{kind}__{(sub_type or '').lower()}") if sub_type else None
    template = template or templates.get(kind)
    if not template or not hook_id or ("{hookSubType}" in template and not sub_type):
        return ""  # a link to another kind of record, or with a hole in it, is no link
    url = template.replace("{hookId}", quote(hook_id, safe="")).replace(
        "{hookSubType}", quote(sub_type or "", safe="")
    )
    return url if url.lower().startswith(("https://", "http://")) else ""


# -- the story at the top of the page --------------------------------------------------


@dataclass(frozen=True)
class LegRow:
    leg: Any  # story.Leg
    allocated: Cell
    ended_at: Cell
    time_with: Cell
    holds: str


#: A participants table longer than this shows its first ``PARTICIPANTS_SHOWN`` rows;
#: the others are made when asked for (htmx on opening the fold, or ``?all=participants``).
PARTICIPANTS_FOLD = 20
PARTICIPANTS_SHOWN = 5


@dataclass(frozen=True)
class StoryView:
    story: Any  # story.Story
    zone_name: str
    flag_word: wording.Word
    interaction: Interaction = field(repr=False, compare=False)
    zone: tzinfo = field(repr=False, compare=False)
    #: Every participant row is wanted, not only the first few of a long table.
    all_participants: bool = False

    @property
    def count(self) -> int:
        return len(self.story.legs)

    @cached_property
    def flag_when(self) -> str:
        """Where in the interaction its flag was raised, worked out (each figure followed
        by COMPUTED_MARK): "23:00 after the start, 2:04 before the end", "8:02 after the
        end", "12:00 after the start, at the end" (within a second of it); '' without a
        flag time or a start."""
        i = self.interaction
        at = i.flag.timestamp if i.flag else None
        if at is None or i.start is None:
            return ""
        since = (at - i.start).total_seconds()
        if since < 0:
            return f"{fmt.clock(-since)}{COMPUTED_MARK} before the start"
        if i.end is not None and at > i.end:
            return f"{fmt.clock((at - i.end).total_seconds())}{COMPUTED_MARK} after the end"
        if since < 1:
            return "at the start"
        text = f"{fmt.clock(since)}{COMPUTED_MARK} after the start"
        if i.end is not None and not i.in_progress:
            left = (i.end - at).total_seconds()
            text += (
                ", at the end" if left < 1 else f", {fmt.clock(left)}{COMPUTED_MARK} before the end"
            )
        return text

    @property
    def folded(self) -> bool:
        return self.count > PARTICIPANTS_FOLD

    @property
    def offers(self) -> bool:
        """Some allocations were offers the agent never accepted (shown after the others)."""
        return any(leg.offered_only for leg in self.story.legs)

    @cached_property
    def legs(self) -> tuple[LegRow, ...]:
        """Every participant row."""
        return tuple(self._row(leg) for leg in self.story.legs)

    @cached_property
    def _first_few(self) -> tuple[int, ...]:
        """Positions of the rows a long table shows at once: the first few the agents
        took, then offers never accepted, in time order (a call offered to 300 agents
        shows who answered it, not five of the 299 who did not)."""
        legs = self.story.legs
        took = [n for n, leg in enumerate(legs) if not leg.offered_only]
        offered = [n for n, leg in enumerate(legs) if leg.offered_only]
        return tuple(sorted([*took, *offered][:PARTICIPANTS_SHOWN]))

    @property
    def shown(self) -> tuple[LegRow, ...]:
        """The rows shown at once: all of a short table, the first few of a long one."""
        if not self.folded:
            return self.legs
        return tuple(self._row(self.story.legs[n]) for n in self._first_few)

    @property
    def rest(self) -> tuple[LegRow, ...]:
        """The rows not shown at once, for the fold of a long table."""
        first = set(self._first_few)
        return tuple(row for n, row in enumerate(self.legs) if n not in first)

    def _row(self, leg: Any) -> LegRow:
        i, zone = self.interaction, self.zone
        if leg.with_text:
            with_cell = Cell(
                leg.with_text, title=leg.with_note, css="unknown" if leg.seconds is None else ""
            )
        elif leg.seconds is not None and leg.early is not None:
            # The allocation starts before the interaction: counted from the interaction's
            # start, an upper bound (the note under the table says why).
            with_cell = Cell(
                f"at most {fmt.clock(leg.seconds)}",
                title=(
                    "Worked out from when the customer left the queue and the end time"
                    if leg.waited_until is not None
                    else "Worked out from the interaction's start and the end time"
                )
                + f": the allocation starts {fmt.clock(leg.early)} before the interaction's"
                " own start.",
                css="computed",
            )
        elif leg.seconds is not None:
            with_cell = Cell(
                fmt.clock(leg.seconds),
                title="Worked out from allocation and end times.",
                css="computed",
            )
        elif leg.open and i.in_progress:
            with_cell = (
                Cell(
                    f"at most {fmt.clock(leg.so_far)} so far",
                    title="Still going: counted from the interaction's start to now; the"
                    f" allocation starts {fmt.clock(leg.early)} before it.",
                    css="computed",
                )
                if leg.so_far is not None and leg.early is not None
                else Cell(
                    f"{fmt.clock(leg.so_far)} so far",
                    title="Still going: counted from the allocation to now.",
                    css="computed",
                )
                if leg.so_far is not None
                else Cell("so far", css="missing")
            )
        else:
            with_cell = Cell(UNKNOWN, css="unknown", title=OPEN_REASONS["agent"])
        return LegRow(
            leg=leg,
            allocated=_time(leg.start, zone, ref=i.start),
            ended_at=_time(leg.end, zone, missing=missing_end_reason("agent", i), ref=i.start),
            time_with=with_cell,
            holds=(
                "none"
                if not leg.hold_count
                else f"{leg.hold_count} · on hold now"
                if leg.hold_seconds is None and leg.open and i.in_progress
                else at_least_on_hold(leg.hold_count, leg.hold_known, leg.holds_open, sep=" · ")
                if leg.hold_seconds is None
                else f"{leg.hold_count} · {fmt.clock(leg.hold_seconds)}"
            ),
        )


def story_view(
    story: Any,
    interaction: Interaction,
    zone: tzinfo,
    zone_name: str,
    *,
    all_participants: bool = False,
) -> StoryView:
    """The story's participants with their times in the viewer's zone (rows made when read)."""
    i = interaction
    flag = wording.flag_type(i.flag.flag_type if i.flag else None)
    return StoryView(
        story=story,
        zone_name=zone_name,
        flag_word=flag,
        interaction=i,
        zone=zone,
        all_participants=all_participants,
    )


@dataclass(frozen=True)
class Bubble:
    sender: str  # customer, agent, system
    name: str
    #: The time shown: in the viewer's zone when ``when`` is set, else as written.
    at: str
    text: str
    #: ISO instant for <time datetime=…>, and the stamp as the transcript wrote it.
    when: str = ""
    written: str = ""


_CHAT_LINE = re.compile(r"^\[(?P<at>[0-9:]{4,8})\]\s*(?P<name>[^:\n]{1,60}):\s?(?P<text>.*)$")
_CHAT_TIME = re.compile(r"^(?P<h>[0-9]{1,2}):(?P<m>[0-9]{2})(?::(?P<s>[0-9]{2}))?$")
#: How far outside the interaction's start and end a chat line's stamp may fall (its
#: minute is cut, and the last line may be written as the interaction closes).
_CHAT_SLACK = timedelta(minutes=2)


def chat_bubbles(
    text: str | None,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    zone: tzinfo = UTC,
) -> tuple[Bubble, ...]:
    """A plain-text chat transcript ("[14:03] Name: text" lines) as bubbles; () when
    the text does not have that shape, so the page shows it as sent.

    The platform writes each line's time of day without a zone. When every stamp,
    read as UTC on the interaction's day, falls between its ``start`` and ``end``,
    the stamps are shown in ``zone``; otherwise as written (``Bubble.when`` is '').
    """
    if not text:
        return ()
    bubbles: list[Bubble] = []
    for line in text.splitlines():
        match = _CHAT_LINE.match(line)
        if match:
            name = match["name"].strip()
            kind = {"customer": "customer", "system": "system", "bot": "system"}.get(
                name.lower(), "agent"
            )
            bubbles.append(Bubble(kind, name, match["at"], match["text"]))
        elif bubbles:
            last = bubbles[-1]
            bubbles[-1] = replace(last, text=f"{last.text}\n{line}")
        elif line.strip():
            return ()
    instants = _chat_instants([b.at for b in bubbles], start, end)
    if instants is None:
        return tuple(bubbles)
    return tuple(
        replace(
            b,
            at=_chat_time(moment, zone, start, seconds=b.at.count(":") == 2),
            when=fmt.iso(moment),
            written=f"{b.at} UTC in the transcript",
        )
        for b, moment in zip(bubbles, instants, strict=True)
    )


def _chat_time(moment: datetime, zone: tzinfo, start: datetime | None, *, seconds: bool) -> str:
    """A chat line's time in ``zone`` to the stamp's precision, dated when its day
    there is not the start's."""
    shown = "%H:%M:%S" if seconds else "%H:%M"
    if not same_day(moment, start, zone):
        shown = "%Y-%m-%d " + shown
    return moment.astimezone(zone).strftime(shown)


def _chat_instants(
    stamps: list[str], start: datetime | None, end: datetime | None
) -> list[datetime] | None:
    """The stamps as instants, read as UTC from ``start``'s day on (a stamp earlier
    than the one before is the next day); None unless all of them fall within the
    interaction, so a transcript written on another clock is never shifted."""
    if start is None or not stamps:
        return None
    day = start.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    last_seen = end if end is not None else start + timedelta(days=1)
    instants: list[datetime] = []
    for stamp in stamps:
        match = _CHAT_TIME.match(stamp)
        if not match:
            return None
        h, m, sec = int(match["h"]), int(match["m"]), int(match["s"] or 0)
        if h > 23 or m > 59 or sec > 59:
            return None
        moment = day + timedelta(hours=h, minutes=m, seconds=sec)
        if instants and moment < instants[-1] - timedelta(hours=1):
            day += timedelta(days=1)
            moment += timedelta(days=1)
        if not start - _CHAT_SLACK <= moment <= last_seen + _CHAT_SLACK:
            return None
        instants.append(moment)
    return instants


def artifact_facts(
    artifacts: tuple[Any, ...], zone: tzinfo = UTC, ref: datetime | None = None
) -> tuple[Fact, ...]:
    """Artifacts in words (type, and when created in ``zone``, dated when its day is not
    ``ref``'s, then its subject or title when it has one, and its ID) rather than their
    JSON; the type's code and the UTC time on hover."""
    facts = []
    for extra in artifacts:
        try:
            data = json.loads(extra.value)
        except ValueError:
            data = None
        if isinstance(data, dict):
            code = str(data.get("artifactType") or "")
            kind = wording.artifact_type(code)
            ident = str(data.get("artifactId") or "")
            cell = _instant(data.get("created"), zone, ref)
            label = f"{kind.text} artifact" if kind.known or not code else f"Artifact {code}"
            # What the artifact says of itself (an email's subject) before its ID.
            subject = data.get("subject") or data.get("title") or data.get("name")
            aside = " · ".join(
                part
                for part in (
                    f"“{str(subject)[:200]}”"
                    if isinstance(subject, str) and subject.strip()
                    else "",
                    f"ID {ident}" if ident else "",
                )
                if part
            )
            facts.append(Fact(label, replace(cell, aside=aside)))
        else:
            facts.append(Fact(f"Artifact {extra.name}", Cell(str(extra.value))))
    return tuple(facts)


def _instant(value: Any, zone: tzinfo, ref: datetime | None) -> Cell:
    """A time the API sent as text, in ``zone`` with its zone named (dated when its day is
    not ``ref``'s), the UTC value on hover; shown as sent when it cannot be read."""
    text = str(value or "").strip()
    if not text:
        return _MISSING
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return Cell(text, title="Shown as sent: not a time the dashboard could read.")
    if moment.tzinfo is None:
        return Cell(text, title="Shown as sent: the API gave no time zone.")
    return _moment(moment, zone, ref)


def _moment(moment: datetime, zone: tzinfo, ref: datetime | None) -> Cell:
    """``moment`` in ``zone``, its zone named, dated when its day is not ``ref``'s."""
    return Cell(
        fmt.local_text(moment, zone, date=not same_day(moment, ref, zone), named=True),
        title=fmt.utc_text(moment),
        when=fmt.iso(moment),
    )


def email_facts(i: Interaction) -> tuple[Fact, ...]:
    """What the data says about an email: subject, from and to, when it has them."""
    attrs = {a.name.lower(): a.value for a in i.attributes}
    subject = attrs.get("emailsubject") or attrs.get("subject")
    inbound = not placed_by_agent(i)
    sender, recipient = (i.customer, i.contact_point) if inbound else (i.contact_point, i.customer)
    return tuple(
        Fact(label, _text(value))
        for label, value in (("Subject", subject), ("From", sender), ("To", recipient))
        if value
    )
