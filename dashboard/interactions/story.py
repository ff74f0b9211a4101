"""What happened to one interaction, in words and figures (pure: no Django, no httpx).

Interaction -> ``Story``: the outcome as one sentence, the key figures, where
the customer's time went, and one row per agent allocation. Figures the API
sent are used as sent; figures worked out here from start and end times are
marked ``computed``; a figure that needs an end that never arrived is
``unknown``, never invented.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from . import wording
from .domain import AgentAllocation, HoldInterval, Interaction, QueueVisit, Segment
from .formatting import clock

COMPUTED_NOTE = "Worked out by the dashboard from start and end times; the API did not send it."
UNKNOWN_NOTE = "Unknown: an end time never reached reporting."
#: Longest outcome sentence before later transfers are summed up.
MAX_STEPS = 4


@dataclass(frozen=True)
class Figure:
    label: str
    text: str
    #: True when the dashboard worked the figure out rather than the API sending it.
    computed: bool = False
    unknown: bool = False
    #: Hover text: what the figure means, or how it was worked out.
    note: str = ""
    #: The API field it came from, when it came from one.
    source: str = ""
    #: A list of values (per visit, per agent) that wants more room.
    wide: bool = False


@dataclass(frozen=True)
class SplitPart:
    key: str  # ivr, queue, agent, hold, unknown
    label: str
    seconds: float
    share: float  # 0..1 of the whole
    offset: float = 0.0  # 0..1: where it starts on the bar

    @property
    def x(self) -> str:
        return f"{self.offset * 1000:.1f}"

    @property
    def width(self) -> str:
        return f"{self.share * 1000:.1f}"

    @property
    def text(self) -> str:
        return clock(self.seconds)

    @property
    def percent(self) -> int:
        return round(self.share * 100)


@dataclass(frozen=True)
class Leg:
    """One agent allocation: a row of the participants table."""

    anchor: str
    agent: str
    queue: str
    start: datetime | None
    end: datetime | None
    #: Seconds with the customer (computed from start and end), None when unknown.
    seconds: float | None
    open: bool
    hold_count: int
    hold_seconds: float
    took_from: str
    gave_to: str
    ended: str
    offered_only: bool


@dataclass(frozen=True)
class AgentTotal:
    agent: str
    legs: int
    seconds: float | None

    @property
    def text(self) -> str:
        return "total unknown" if self.seconds is None else f"{clock(self.seconds)} in all"


@dataclass(frozen=True)
class Story:
    outcome: str
    #: answered, abandoned-queue, ivr, live, outbound, unanswered, unknown
    kind: str
    figures: tuple[Figure, ...]
    split: tuple[SplitPart, ...]
    split_total: float
    legs: tuple[Leg, ...]
    totals: tuple[AgentTotal, ...]
    #: The start of the running clock of a live interaction, else None.
    live_since: datetime | None
    #: True when the interaction is over but its end never arrived.
    end_missing: bool

    @property
    def split_total_text(self) -> str:
        return clock(self.split_total)


# -- helpers ---------------------------------------------------------------------------


def _span(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    seconds = (end - start).total_seconds()
    return seconds if seconds >= 0 else None


def _stat(i: Interaction, name: str) -> float | bool | str | tuple[float, ...] | None:
    for s in i.statistics:
        if s.name == name and not s.unknown:
            return s.value
    return None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


class _Names:
    def __init__(self, i: Interaction) -> None:
        self.agents = {a.agent_id: a.agent_name for a in i.agents if a.agent_id and a.agent_name}
        self.queues = {q.queue_id: q.queue_name for q in i.queues if q.queue_id and q.queue_name}

    def agent(self, agent_id: str | None) -> str:
        if not agent_id:
            return "an agent"
        return self.agents.get(agent_id) or f"agent {agent_id[:8]}"

    def queue(self, queue_id: str | None) -> str:
        if not queue_id:
            return ""
        return self.queues.get(queue_id) or f"queue {queue_id[:8]}"


def _queue_label(q: QueueVisit) -> str:
    return q.queue_name or (f"queue {q.queue_id[:8]}" if q.queue_id else "a queue")


def _is_add(s: Segment) -> bool:
    return wording.segment_start(s.start_type).text == "Participant added" or bool(
        s.add_participant
    )


def _answered(agents: Iterable[AgentAllocation]) -> list[AgentAllocation]:
    """Allocations where the agent took the work (not offers the agent never accepted)."""
    return [a for a in agents if a.work_cancel_time is None]


def _by_start(records: Iterable[AgentAllocation]) -> list[AgentAllocation]:
    return sorted(
        records, key=lambda a: (a.start is None, a.start or datetime.max.replace(tzinfo=None))
    )


class _Records:
    """Look-ups over one interaction's records, built once: with 1,000 agent
    allocations, scanning every queue visit and segment per allocation took most
    of a second."""

    def __init__(self, i: Interaction) -> None:
        # A queue visit by the segment (or visit) ID an allocation names; else the
        # visit of the same agent that ended as the allocation began. The first
        # visit in the API's order wins, as a scan would find it.
        self.queue_by_id: dict[str, QueueVisit] = {}
        self.queue_by_handover: dict[tuple[str, datetime], QueueVisit] = {}
        for q in i.queues:
            for key in (q.segment_id, q.queue_visit_id):
                if key is not None:
                    self.queue_by_id.setdefault(key, q)
            if q.agent_id and q.end is not None:
                self.queue_by_handover.setdefault((q.agent_id, q.end), q)
        # Per receiving agent: the first segment from another agent, and the first
        # "add participant" segment.
        self.took: dict[str, Segment] = {}
        self.added: dict[str | None, Segment] = {}
        # Per sending agent: (start, position) of its segments, by start.
        sent: dict[str, list[tuple[datetime, int]]] = {}
        for n, s in enumerate(i.segments):
            if s.to_agent_id and s.agent_id and s.agent_id != s.to_agent_id:
                self.took.setdefault(s.to_agent_id, s)
            if _is_add(s):
                self.added.setdefault(s.to_agent_id, s)
            if s.agent_id and s.start:
                sent.setdefault(s.agent_id, []).append((s.start, n))
        for starts in sent.values():
            starts.sort()
        self.sent = sent
        self.segments = i.segments
        # Holds by start, with their position in the API's order.
        self.holds = sorted((h.start, n) for n, h in enumerate(i.holds) if h.start)
        self.hold_starts = [start for start, _ in self.holds]
        self.all_holds = i.holds

    def queue_for(self, a: AgentAllocation) -> QueueVisit | None:
        if a.segment_id and a.segment_id in self.queue_by_id:
            return self.queue_by_id[a.segment_id]
        if a.agent_id and a.start is not None:
            return self.queue_by_handover.get((a.agent_id, a.start))
        return None

    def holds_in(self, start: datetime | None, end: datetime | None) -> list[HoldInterval]:
        """Holds that began within [start, end] (end None: any time after), in the API's order."""
        if start is None:
            return []
        lo = bisect_left(self.hold_starts, start)
        hi = len(self.holds) if end is None else bisect_right(self.hold_starts, end)
        return [self.all_holds[n] for n in sorted(n for _, n in self.holds[lo:hi])]

    def last_sent(
        self, agent_id: str | None, start: datetime | None, end: datetime | None
    ) -> Segment | None:
        """The last segment (in the API's order) sent by ``agent_id`` within [start, end]."""
        if not agent_id or start is None:
            return None
        starts = self.sent.get(agent_id, [])
        lo = bisect_left(starts, (start, -1))
        hi = len(starts) if end is None else bisect_right(starts, (end, len(self.segments)))
        last = max((n for _, n in starts[lo:hi]), default=None)
        return None if last is None else self.segments[last]


def _wait(q: QueueVisit) -> tuple[float | None, bool]:
    """(seconds in the queue, computed?); None when its exit never arrived."""
    if q.queue_time is not None and "queue_time" not in q.unknown:
        return q.queue_time, False
    return _span(q.start, q.end), True


# -- outcome ---------------------------------------------------------------------------


def _outcome(i: Interaction, names: _Names, records: _Records, now: datetime) -> tuple[str, str]:
    answered = _by_start(_answered(i.agents))
    if i.in_progress:
        return _live_outcome(i, names, records, answered, now), "live"
    outbound = (i.direction or "").lower() == "outbound" and not i.queues
    if answered:
        text = _answered_outcome(i, names, records, answered, outbound=outbound)
        return text + _ending(i), "outbound" if outbound else "answered"
    waiting = list(i.queues)
    if waiting:
        q = waiting[-1]
        seconds, _ = _wait(q)
        gave_up = q.abandoned or wording.queue_exit(q.exit_type).code.lower() == "abandon"
        after = f" after {clock(seconds)}" if seconds is not None else " after an unknown wait"
        if gave_up:
            return f"Abandoned in queue {_queue_label(q)}{after}", "abandoned-queue"
        if q.end is None:
            return (
                f"Left queue {_queue_label(q)} unanswered; how long it waited is unknown "
                "(its exit time never arrived)",
                "abandoned-queue",
            )
        how = wording.queue_exit(q.exit_type).text.lower()
        return f"Left queue {_queue_label(q)} unanswered{after} ({how})", "unanswered"
    ivr = i.ivr_time if i.ivr_time is not None else i.interaction_time
    if ivr is None:
        ivr = _span(i.start, i.end)
    where = "the IVR" if (i.channel_type or "voice").lower() == "voice" else "the flow"
    after = f" after {clock(ivr)}" if ivr is not None else ""
    if i.end is None:
        return f"Ended in {where}; the end time never arrived", "ivr"
    return f"Ended in {where}{after}", "ivr"


def _answered_outcome(
    i: Interaction,
    names: _Names,
    records: _Records,
    answered: list[AgentAllocation],
    *,
    outbound: bool,
) -> str:
    first = answered[0]
    fq = records.queue_for(first)
    if outbound:
        text = f"Placed by {names.agent(first.agent_id)}"
    else:
        text = f"Answered by {names.agent(first.agent_id)}"
        if fq is not None:
            seconds, _ = _wait(fq)
            if seconds is not None:
                text += f" after {clock(seconds)}"
            text += f" in {_queue_label(fq)}"
    steps: list[str] = []
    for a in answered[1:]:
        q = records.queue_for(a)
        who = names.agent(a.agent_id)
        added = q is not None and "participant" in wording.queue_entry(q.entry_type).text.lower()
        if added or a.agent_id in records.added:
            steps.append(f"{who} added")
        elif q is not None and q.queue_name and q.queue_name != who:
            steps.append(f"transferred to {who} in {q.queue_name}")
        else:
            steps.append(f"transferred to {who}")
    if len(steps) > MAX_STEPS:
        last = steps[-1]
        steps = [
            *steps[:1],
            f"{len(steps) - 2} more handovers",
            last.replace("transferred to", "last to"),
        ]
    if steps:
        text += "; " + "; ".join(steps)
    for s in i.segments:
        if _is_add(s) and s.cancelled and s.to_agent_id is None:
            text += "; adding a participant was cancelled"
            break
    if any(s.third_party or (s.extension_type or "").lower() == "pstn" for s in i.segments):
        text += "; an outside number was added"
    return text


def _ending(i: Interaction) -> str:
    if _stat(i, "customerHoldAbandoned") is True:
        return "; the customer hung up while on hold"
    if i.end is None:
        return "; the end time never arrived"
    return ""


def _live_outcome(
    i: Interaction,
    names: _Names,
    records: _Records,
    answered: list[AgentAllocation],
    now: datetime,
) -> str:
    open_queues = [q for q in i.queues if q.end is None]
    if open_queues:
        q = open_queues[-1]
        so_far = f" — {clock(_span(q.start, now) or 0)} so far" if q.start else ""
        return f"Still waiting in {_queue_label(q)}{so_far}"
    if answered:
        outbound = (i.direction or "").lower() == "outbound" and not i.queues
        return _answered_outcome(i, names, records, answered, outbound=outbound) + "; still going"
    so_far = f" — {clock(_span(i.start, now) or 0)} so far" if i.start else ""
    return f"In progress{so_far}"


# -- figures ---------------------------------------------------------------------------


def _duration_figure(
    label: str, sent: float | None, field: str, computed: float | None, *, note: str = ""
) -> Figure:
    if sent is not None:
        return Figure(label, clock(sent), note=note or wording.statistic(field).text, source=field)
    if computed is not None:
        return Figure(label, clock(computed), computed=True, note=COMPUTED_NOTE)
    return Figure(label, "unknown", unknown=True, note=UNKNOWN_NOTE)


def _figures(i: Interaction, names: _Names, legs: tuple[Leg, ...], now: datetime) -> list[Figure]:
    figures: list[Figure] = []
    total_sent = i.interaction_time if "interaction_time" not in i.unknown else None
    if i.in_progress and i.start is not None:
        figures.append(
            Figure(
                "Total time",
                f"{clock(_span(i.start, now) or 0)} so far",
                computed=True,
                note="Still going: counted from the start to now.",
            )
        )
    else:
        figures.append(
            _duration_figure("Total time", total_sent, "interactionTime", _span(i.start, i.end))
        )
    if i.ivr_time is not None:
        voice = (i.channel_type or "voice").lower() == "voice"
        figures.append(_duration_figure("IVR" if voice else "Flow", i.ivr_time, "ivrTime", None))
    figures += _queue_figures(i)
    figures += _agent_figures(i, names, legs)
    figures.append(_hold_figure(i))
    transfers = _number(_stat(i, "customerTransfers"))
    if transfers is not None:
        figures.append(
            Figure(
                "Transfers",
                str(int(transfers)),
                note=wording.statistic("customerTransfers").text,
                source="customerTransfers",
            )
        )
    else:
        counted = sum(1 for s in i.segments if (s.start_type or "").lower() == "transfer")
        figures.append(Figure("Transfers", str(counted), computed=True, note=COMPUTED_NOTE))
    if i.disposition_name or i.disposition_id:
        figures.append(
            Figure(
                "Disposition",
                i.disposition_name or i.disposition_id or "",
                source="dispositionName",
            )
        )
    csat = i.csat if i.csat else _stat(i, "customerSatisfactionScore")
    if csat is not None and csat != "":
        value = _number(csat)
        text = (
            (str(int(value)) if value.is_integer() else f"{value:g}")
            if value is not None
            else str(csat)
        )
        figures.append(Figure("CSAT", text, note="Customer satisfaction score", source="csat"))
    channel = wording.channel(i.channel_type)
    direction = wording.direction(i.direction)
    figures.append(
        Figure(
            "Channel",
            " · ".join(w.text for w in (channel, direction) if w.text),
            note=" · ".join(w.code for w in (channel, direction) if w.code),
        )
    )
    return figures


def _queue_figures(i: Interaction) -> list[Figure]:
    if not i.queues:
        return []
    total = 0.0
    computed = False
    unknown = False
    visits: list[str] = []
    for q in i.queues:
        seconds, was_computed = _wait(q)
        computed = computed or was_computed
        if seconds is None:
            unknown = True
            visits.append(f"{_queue_label(q)} unknown")
            continue
        total += seconds
        visits.append(f"{_queue_label(q)} {clock(seconds)}")
    shown = visits if len(visits) <= MAX_STEPS else [*visits[:2], f"… {len(visits) - 2} more"]
    label = "Queue wait" if len(i.queues) == 1 else f"Queue wait ({len(i.queues)} visits)"
    if unknown:
        text = f"unknown (known part {clock(total)})" if total else "unknown"
        return [Figure(label, text, unknown=True, note="; ".join(visits) + ". " + UNKNOWN_NOTE)]
    figure = Figure(
        label,
        clock(total),
        computed=computed,
        note=("; ".join(visits) + (". " + COMPUTED_NOTE if computed else "")),
        source="" if computed else "queueTime",
    )
    if len(i.queues) > 1:
        return [
            figure,
            Figure(
                "Per visit", " · ".join(shown), computed=computed, note="; ".join(visits), wide=True
            ),
        ]
    return [figure]


def _agent_figures(i: Interaction, names: _Names, legs: tuple[Leg, ...]) -> list[Figure]:
    figures: list[Figure] = []
    conversation = _number(_stat(i, "customerConversationTime"))
    if conversation is not None:
        figures.append(
            _duration_figure("With agents", conversation, "customerConversationTime", None)
        )
    per_agent: dict[str, list[Leg]] = {}
    for leg in legs:
        if not leg.offered_only:
            per_agent.setdefault(leg.agent, []).append(leg)
    if len(per_agent) > MAX_STEPS:
        figures.append(
            Figure(
                "Agents",
                f"{len(per_agent)} agents (see Participants)",
                note="Time with each agent is in the Participants table.",
                wide=True,
            )
        )
        return figures
    parts: list[tuple[str, str]] = []
    unknown = False
    for agent, group in per_agent.items():
        if any(leg.seconds is None for leg in group):
            live = any(leg.open and i.in_progress for leg in group)
            known_part = sum(leg.seconds or 0.0 for leg in group)
            text = "so far" if live else "unknown"
            parts.append((agent, text + (f" ({clock(known_part)} known)" if known_part else "")))
            unknown = True
        else:
            parts.append((agent, clock(sum(leg.seconds or 0 for leg in group))))
    note = UNKNOWN_NOTE if unknown else COMPUTED_NOTE
    if len(parts) == 1:
        agent, value = parts[0]
        figures.append(
            Figure(f"With {agent}", value, computed=not unknown, unknown=unknown, note=note)
        )
    elif parts:
        figures.append(
            Figure(
                "Time with each agent",
                " · ".join(f"{agent} {value}" for agent, value in parts),
                computed=not unknown,
                unknown=unknown,
                note=note,
                wide=True,
            )
        )
    return figures


def _hold_figure(i: Interaction) -> Figure:
    count = i.hold_count if "hold_count" not in i.unknown else None
    total = i.hold_time if "hold_time" not in i.unknown else None
    if count is not None and (total is not None or count == 0):
        text = "none" if count == 0 else f"{int(count)}, {clock(total or 0)} in all"
        return Figure(
            "Holds", text, note="Number of holds and total time on hold", source="customerHolds"
        )
    if i.holds:
        spans = [h.duration if h.duration is not None else _span(h.start, h.end) for h in i.holds]
        if any(s is None for s in spans):
            return Figure(
                "Holds", f"{len(i.holds)}, total unknown", unknown=True, note=UNKNOWN_NOTE
            )
        return Figure(
            "Holds",
            f"{len(i.holds)}, {clock(sum(s or 0 for s in spans))} in all",
            computed=True,
            note=COMPUTED_NOTE,
        )
    return Figure("Holds", "not sent", unknown=True, note="The API sent no hold figures.")


# -- participants ----------------------------------------------------------------------


def _legs(i: Interaction, names: _Names, records: _Records) -> tuple[Leg, ...]:
    ordered = _by_start(i.agents)
    taken = [a for a in ordered if a.work_cancel_time is None]
    final = taken[-1] if taken else None
    legs: list[Leg] = []
    for n, a in enumerate(ordered):
        q = records.queue_for(a)
        end = a.end
        seconds = _span(a.start, end)
        holds = records.holds_in(a.start, end)
        hold_seconds = (
            sum(
                (h.duration if h.duration is not None else (_span(h.start, h.end) or 0))
                for h in holds
            )
            if holds
            else 0
        )
        took = records.took.get(a.agent_id) if a.agent_id else None
        took_from = names.agent(took.agent_id) if took else ""
        if not took_from and q is not None:
            entry = wording.queue_entry(q.entry_type)
            took_from = f"queue {_queue_label(q)}" + (f", {entry.text}" if entry.code else "")
        target = records.last_sent(a.agent_id, a.start, end)
        gave_to = ""
        if target is not None:
            gave_to = names.agent(target.to_agent_id) if target.to_agent_id else "a queue"
            if target.cancelled:
                gave_to += " (cancelled)"
        offered_only = a.work_cancel_time is not None
        legs.append(
            _leg(
                anchor=f"participant-{a.interaction_agent_id or n}",
                agent=a.agent_name or names.agent(a.agent_id),
                queue=names.queue(a.queue_id) or (_queue_label(q) if q else ""),
                start=a.start,
                end=end,
                seconds=seconds,
                open=end is None,
                hold_count=len(holds),
                hold_seconds=hold_seconds,
                took_from=took_from,
                gave_to=gave_to,
                ended=_leg_end(i, a, gave_to, last=a is final),
                offered_only=offered_only,
            )
        )
    return tuple(legs)


def _leg(**values: object) -> Leg:
    """``Leg(**values)`` without the frozen dataclass's ``__init__``, which sets each
    field with ``object.__setattr__``: a big interaction has a thousand legs. Every
    field is given (the story tests check it)."""
    new = object.__new__(Leg)
    new.__dict__.update(values)
    return new


def _leg_end(i: Interaction, a: AgentAllocation, gave_to: str, *, last: bool) -> str:
    if a.work_cancel_time is not None:
        return f"Offered, never accepted (withdrawn after {clock(a.work_cancel_time)})"
    if a.end is None:
        return "Still with the customer" if i.in_progress else "End never arrived"
    if a.start is not None and a.end < a.start:
        return "Ends before it starts (bad data)"
    if gave_to and not gave_to.endswith("(cancelled)") and not last:
        return f"Handed over to {gave_to}"
    if last:
        if _stat(i, "customerHoldAbandoned") is True:
            return "Customer hung up while on hold"
        ends = [s for s in i.segments if s.end_type]
        if ends and (ends[-1].end_type or "").lower() == "customer-disconnect":
            return "Customer hung up"
        return "Ended the interaction"
    return "Left the interaction"


def _totals(legs: tuple[Leg, ...]) -> tuple[AgentTotal, ...]:
    groups: dict[str, list[Leg]] = {}
    for leg in legs:
        groups.setdefault(leg.agent, []).append(leg)
    out = []
    for agent, group in groups.items():
        if len(group) < 2:
            continue
        unknown = any(leg.seconds is None for leg in group if not leg.offered_only)
        seconds = (
            None if unknown else sum(leg.seconds or 0 for leg in group if not leg.offered_only)
        )
        out.append(AgentTotal(agent, len(group), seconds))
    return tuple(out)


# -- where the time went ---------------------------------------------------------------

# Which activity a moment counts as when records overlap: a customer on hold is on
# hold; a customer waiting in a transfer queue waits, even though the transferring
# agent is still allocated; while a participant is being added the customer is
# still with the agent.
_PRIORITY = {"hold": 5, "queue": 4, "agent": 3, "consult": 2, "ivr": 1, "unknown": 0}
_BY_PRIORITY = sorted(_PRIORITY, key=lambda k: _PRIORITY[k], reverse=True)
_SPLIT_LABELS = {
    "ivr": "IVR",
    "queue": "Queue",
    "agent": "With an agent",
    "hold": "On hold",
    "unknown": "Unknown (open records)",
}


def _split(i: Interaction, now: datetime) -> tuple[tuple[SplitPart, ...], float]:
    if i.start is None:
        return (), 0.0
    finish = i.end or (now if i.in_progress else None)
    if finish is None:
        records: list[Segment | QueueVisit | AgentAllocation] = [*i.segments, *i.queues, *i.agents]
        ends = [r.end for r in records if r.end is not None]
        finish = max(ends) if ends else None
    if finish is None or finish <= i.start:
        return (), 0.0
    origin = i.start
    total = (finish - origin).total_seconds()
    pieces: list[tuple[float, float, str]] = []

    def add(start: datetime | None, end: datetime | None, key: str) -> None:
        if start is None:
            return
        lo = max(0.0, (start - origin).total_seconds())
        if end is None:
            pieces.append((lo, total, key if i.in_progress else "unknown"))
            return
        hi = min(total, (end - origin).total_seconds())
        if hi > lo:
            pieces.append((lo, hi, key))

    if i.ivr_time:
        pieces.append((0.0, min(total, i.ivr_time), "ivr"))
    for q in i.queues:
        consult = "participant" in wording.queue_entry(q.entry_type).text
        add(q.start, q.end, "consult" if consult else "queue")
    for a in _answered(i.agents):
        add(a.start, a.end, "agent")
    for h in i.holds:
        add(h.start, h.end, "hold")
    cuts = sorted({0.0, total, *(p[0] for p in pieces), *(p[1] for p in pieces)})
    # A sweep over the cuts: which kinds of record cover each stretch between two
    # cuts (a record covers the stretches from its start's cut to its end's).
    at = {cut: n for n, cut in enumerate(cuts)}
    opening: list[list[str]] = [[] for _ in cuts]
    closing: list[list[str]] = [[] for _ in cuts]
    for lo, hi, key in pieces:
        if lo < hi:
            opening[at[lo]].append(key)
            closing[at[hi]].append(key)
    covering = dict.fromkeys(_PRIORITY, 0)
    sums = dict.fromkeys(_PRIORITY, 0.0)
    for n, (lo, hi) in enumerate(pairwise(cuts)):
        for key in closing[n]:
            covering[key] -= 1
        for key in opening[n]:
            covering[key] += 1
        # The kind that counts is the covering one of highest priority; an open
        # record's "unknown" yields to any record known to cover the moment.
        for key in _BY_PRIORITY:
            if covering[key]:
                sums["queue" if key == "consult" else key] += hi - lo
                break
        else:
            if hi - lo >= 1.0:
                sums["unknown"] += hi - lo
    parts: list[SplitPart] = []
    offset = 0.0
    voice = (i.channel_type or "voice").lower() == "voice"
    for k in ("ivr", "queue", "agent", "hold", "unknown"):
        if sums[k] >= 0.5:
            label = _SPLIT_LABELS[k] if voice or k != "ivr" else "Flow"
            parts.append(SplitPart(k, label, sums[k], sums[k] / total, offset))
            offset += sums[k] / total
    return tuple(parts), total


# -- the story -------------------------------------------------------------------------


def story_for(i: Interaction, now: datetime) -> Story:
    """The story of ``i`` as of ``now`` (``now`` only matters while it is live)."""
    names = _Names(i)
    records = _Records(i)
    legs = _legs(i, names, records)
    outcome, kind = _outcome(i, names, records, now)
    split, split_total = _split(i, now)
    return Story(
        outcome=outcome,
        kind=kind,
        figures=tuple(_figures(i, names, legs, now)),
        split=split,
        split_total=split_total,
        legs=legs,
        totals=_totals(legs),
        live_since=i.start if i.in_progress else None,
        end_missing=(i.end is None and not i.in_progress)
        or bool(i.flag and i.flag.flagged and (i.flag.flag_type or "").lower() == "stuck"),
    )
