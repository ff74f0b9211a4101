"""What happened to one interaction, in words and figures (pure: no Django, no httpx).

Interaction -> ``Story``: the outcome as one sentence, the key figures, where
the customer's time went, and one row per agent allocation. Figures the API
sent are used as sent; figures worked out here from start and end times are
marked ``computed``; a figure that needs an end that never arrived is
``unknown``, never invented.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import pairwise
from operator import attrgetter, itemgetter
from typing import NamedTuple, cast

from . import wording
from .domain import (
    FLOW_SHOWN,
    AgentAllocation,
    HoldInterval,
    Interaction,
    Monitor,
    QueueVisit,
    Segment,
    hung_up_on_offer,
    ivr_handed_over,
    ivr_returns,
    never_answered,
    next_hold,
    offer_end,
    placed_by_agent,
    taken_from,
    unaccepted_offers,
)
from .formatting import clock

COMPUTED_NOTE = "Worked out by the dashboard from start and end times; the API did not send it."
UNKNOWN_NOTE = "Unknown: an end time never reached reporting."
#: An allocation starting more than this many seconds before the interaction's own start
#: is said to (the timeline warns of the same).
EARLY_SECONDS = 0.5
#: How the part of the last agent to leave a live interaction ended: it has not.
LEFT_LIVE = "Left; the interaction is still going"
#: Follows a figure of the outcome the dashboard worked out (not sent by the API): the
#: page marks it there as it marks the figures (≈, with COMPUTED_NOTE); the plain
#: sentence (``Story.outcome``) leaves it out.
COMPUTED_MARK = "\x1e"
BACKWARDS_NOTE = "Unknown: an end time the API sent comes before its start."
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
    offset: float = 0.0  # 0..1: where it starts in the legend's order
    #: Where it happened: (start, length) of each of its stretches, 0..1 of the whole.
    spans: tuple[tuple[float, float], ...] = ()

    @property
    def x(self) -> str:
        return f"{self.offset * 1000:.1f}"

    @property
    def width(self) -> str:
        return f"{self.share * 1000:.1f}"

    @property
    def rects(self) -> tuple[tuple[str, str], ...]:
        """(x, width) of each stretch on the 1000-wide bar: each part drawn where it
        happened (the first 0:15 unknown at the start, not at the end)."""
        if not self.spans:
            return ((self.x, self.width),)
        return tuple((f"{lo * 1000:.1f}", f"{length * 1000:.1f}") for lo, length in self.spans)

    @property
    def text(self) -> str:
        return clock(self.seconds)

    @property
    def percent(self) -> int:
        return round(self.share * 100)

    @property
    def percent_text(self) -> str:
        """Its share as the legend writes it: "<1%" for a part too small to round to 1 %
        but there (never "0%" beside a time that is not 0:00)."""
        percent = self.percent
        return "<1%" if percent == 0 and self.seconds > 0 else f"{percent}%"


@dataclass(frozen=True)
class Leg:
    """One agent allocation: a row of the participants table.

    A story's legs have their times and figures from the start (the totals need them
    all), but the words of a row (its queue, who it came from and went to, how it
    ended) and its holds are made when first read: a long table shows its first few
    rows, and the others only when its fold is opened.
    """

    # Where a story's leg has the rest of its row made (``_Words``) and its place there,
    # until it is made; both None once it is, or for a leg made whole.
    __slots__ = ("__dict__", "_place", "_words")

    anchor: str
    agent: str
    queue: str
    start: datetime | None
    end: datetime | None
    #: Seconds with the customer (computed from start and end), None when unknown.
    seconds: float | None
    open: bool
    hold_count: int
    #: Seconds on hold, None when a hold in this leg has no length (its end never came).
    hold_seconds: float | None
    #: How many of its holds have no length (their end never came), and the seconds of
    #: those that have: the time on hold was at least that.
    holds_open: int
    hold_known: float
    took_from: str
    gave_to: str
    ended: str
    offered_only: bool
    #: Said instead of the computed time with the customer (e.g. a call never answered).
    with_text: str = ""
    with_note: str = ""
    #: Lies within another allocation of the same agent: its time is counted once.
    inside: bool = False
    #: Still with the customer in a live interaction: seconds from the allocation to now.
    so_far: float | None = None
    #: When they listened in before taking this part (a supervisor monitoring), or "".
    listened: str = ""
    #: Seconds the allocation starts before the interaction's own start (more than
    #: ``EARLY_SECONDS``, as the timeline warns of it), else None: the platform's figures
    #: disagree, and the time with the customer, counted from the interaction's start,
    #: is at most ``seconds``.
    early: float | None = None
    #: For an ``early`` allocation, when the customer left the queue visit that led to it,
    #: where its time is counted from (later than the interaction's start), else None.
    waited_until: datetime | None = None

    def __getattr__(self, name: str) -> object:
        # Asked only for what the leg does not have yet: a row of the story not made.
        # Another thread may be making it (the story is kept per process): ``make`` fills
        # the row in one step before it clears its two marks, so with either mark cleared
        # the row is there.
        if name not in _MADE_LATER:
            raise AttributeError(name)
        words: _Words | None = object.__getattribute__(self, "_words")
        place: int | None = object.__getattribute__(self, "_place")
        if words is not None and place is not None:
            words.make(self, place)
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getstate__(self) -> dict[str, object]:
        """Every field, the row made first (for ``copy``)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)


#: The fields of a story's leg made when first read (``_Words.make``).
_MADE_LATER = frozenset(
    {
        "queue",
        "hold_count",
        "hold_seconds",
        "holds_open",
        "hold_known",
        "took_from",
        "gave_to",
        "ended",
    }
)
#: Set a leg's two marks (``object.__setattr__`` on its slots, without looking them up).
_set_words = Leg._words.__set__  # type: ignore[attr-defined]
_set_place = Leg._place.__set__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class AgentTotal:
    agent: str
    legs: int
    seconds: float | None
    #: An allocation of theirs starts before the interaction's own start: counted from
    #: that start, the total is at most ``seconds`` (``Leg.early``).
    at_most: bool = False

    @property
    def text(self) -> str:
        if self.seconds is None:
            return "total unknown"
        return f"{'at most ' if self.at_most else ''}{clock(self.seconds)} in all"


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
    #: What the participants table needs said about the records (duplicates ignored,
    #: impossible times).
    notes: tuple[str, ...] = ()
    #: Hold time sent without start and end times: it cannot be placed on the bar.
    unplaced_hold: float = 0.0
    #: ``outcome`` with COMPUTED_MARK after each figure the dashboard worked out.
    marked_outcome: str = ""

    @property
    def split_total_text(self) -> str:
        return clock(self.split_total)

    @property
    def split_note(self) -> str:
        """What the time bar cannot show, in words ('' when it shows everything)."""
        if self.unplaced_hold < 0.5:
            return ""
        return (
            f"hold time of {clock(self.unplaced_hold)} was sent without start and end times,"
            " so it is counted in the time around it"
        )


# -- helpers ---------------------------------------------------------------------------


def _span(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    seconds = (end - start).total_seconds()
    return seconds if seconds >= 0 else None


def _latest(moment: datetime | None, bound: datetime | None) -> datetime | None:
    return max(moment, bound) if moment is not None and bound is not None else moment


def _earliest(moment: datetime | None, bound: datetime | None) -> datetime | None:
    return min(moment, bound) if moment is not None and bound is not None else moment


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
        #: Queues of type "resource": an agent's own line, reached by a direct transfer.
        self.direct = {q.queue_id for q in i.queues if q.queue_id and q.direct}
        self.said: dict[str, str] = {}  # agent ID -> as ``agent`` says it
        self.queue_said: dict[str, str] = {}  # queue ID -> as ``queue`` says it

    def agent(self, agent_id: str | None) -> str:
        if not agent_id:
            return "an agent"
        said = self.said.get(agent_id)
        if said is None:
            name = self.agents.get(agent_id) or wording.unnamed_agent(agent_id)
            said = self.said[agent_id] = wording.isolated(name)
        return said

    def queue(self, queue_id: str | None) -> str:
        if not queue_id:
            return ""
        said = self.queue_said.get(queue_id)
        if said is None:
            name = self.queues.get(queue_id) or wording.unnamed_queue(queue_id)
            said = self.queue_said[queue_id] = wording.isolated(name)
        return said


#: How the part of an allocation lying within another of the same agent ended.
INSIDE_OWN = "Within another allocation of theirs (counted once)"

#: The participants' queue for an allocation reached by a direct transfer.
DIRECT_QUEUE = "direct transfer (no queue)"
#: … and for one sent straight to the agent's own line with no transfer (from the IVR).
DIRECT_LINE = "their own line (no queue)"


def _entered_by_transfer(q: QueueVisit | None) -> bool:
    """Whether the visit was entered by a transfer (its entry type says so)."""
    return q is not None and "transfer" in _code(q.entry_type)


#: Took it from: an agent who joined a call in hand with no queue, transfer or add.
JOINED = "joined the call (no queue, transfer or add)"
#: How the flow gave the call to an agent without any queue.
STRAIGHT = "no queue"


def _queue_label(q: QueueVisit) -> str:
    return _label(q.queue_name, q.queue_id, q.direct)


@lru_cache(maxsize=1024)  # a few queues, named a thousand times in a big interaction
def _label(queue_name: str | None, queue_id: str | None, direct: bool) -> str:
    """How ``_queue_label`` names a visit with these fields."""
    name = wording.isolated(
        queue_name or (wording.unnamed_queue(queue_id) if queue_id else "a queue")
    )
    return f"{name} (direct)" if direct else name


def _queue_named(q: QueueVisit) -> str:
    """The visit as "queue Support"; one sent without a name is already "queue 9a8b7c6d"
    (or "a queue"), never "queue queue 9a8b7c6d"."""
    return f"queue {_queue_label(q)}" if q.queue_name else _queue_label(q)


@lru_cache(maxsize=512)  # a few codes, asked for thousands of times in a big interaction
def _code(code: str | None) -> str:
    return (code or "").strip().lower().replace("_", "-").replace(" ", "-")


def _is_add(s: Segment) -> bool:
    return _adds_participant(s.start_type) or bool(s.add_participant)


@lru_cache(maxsize=512)
def _adds_participant(start_type: str | None) -> bool:
    """Whether a segment's start type says a participant was added."""
    return wording.segment_start(start_type).text == wording.ADDING_A_PARTICIPANT


def _is_start(s: Segment) -> bool:
    """The segment the interaction began with: nobody handed anything over in it (an
    outbound call names its agent in segmentAgentId, as the one who placed it)."""
    return _code(s.start_type) == "interaction" or (s.start_type is None and s.number == 0)


def _outside(s: Segment) -> bool:
    return s.outside


def _agent_cancelled(s: Segment) -> bool:
    """Cancelled by the agent. The API also marks a segment cancelled when the
    customer disconnected during it: that is not a cancelled add or transfer."""
    return bool(s.cancelled) and not s.customer_hung_up


def _is_consult(q: QueueVisit) -> bool:
    """A visit made while adding a participant: the customer stays with the agent."""
    return _consult_entry(q.entry_type)


@lru_cache(maxsize=512)
def _consult_entry(entry_type: str | None) -> bool:
    """Whether a visit's entry type says it was made while adding a participant."""
    return "participant" in wording.queue_entry(entry_type).text.lower()


def _entered_untransferred(q: QueueVisit) -> bool:
    """A visit the API says was entered some other way than by a transfer."""
    return bool(_code(q.entry_type)) and _code(q.entry_type) != "transfer"


def _is_callback(q: QueueVisit) -> bool:
    """A visit that holds a callback: the customer is off the line, waiting to be called."""
    return _code(q.entry_type) == "callback"


def _moved(q: QueueVisit, nxt: QueueVisit) -> str:
    """How the customer went from visit ``q`` to the next one, in words."""
    if "overflow" in _code(q.exit_type) or "overflow" in _code(nxt.entry_type):
        return "overflowed to"
    if _code(q.exit_type) == "callback":
        return "became a callback in"
    if _code(q.exit_type) == "timeout":
        return "timed out to"
    how = wording.queue_exit(q.exit_type)
    return f"moved on ({how.text.lower() if how.known else how.text}) to"


def _answered(
    i: Interaction, agents: Iterable[AgentAllocation] | None = None
) -> list[AgentAllocation]:
    """Allocations (of ``i``, or those of its ``agents`` given) where the agent took the
    work: not offers the agent never accepted."""
    refused = unaccepted_offers(i)
    return [a for a in (i.agents if agents is None else agents) if id(a) not in refused]


def _bad(a: AgentAllocation) -> bool:
    """An allocation that ends before it starts: its length is unknown."""
    return a.start is not None and a.end is not None and a.end < a.start


def _inside_own(answered: Sequence[AgentAllocation]) -> dict[int, AgentAllocation]:
    """Taken allocations (of ``answered``, the allocations agents took, by start) lying
    within an earlier one of the same agent (by ``id``), each with the one it lies in:
    the agent already had the work, so it is neither a second time nor a handover. Of
    two with the same start, the longer lies around the other (of two the same, the
    first)."""
    out: dict[int, AgentAllocation] = {}
    outer: dict[str, AgentAllocation] = {}
    spans = [
        a
        for a in answered
        if a.agent_id and a.start is not None and a.end is not None and not _bad(a)
    ]
    if any(a.start == b.start for a, b in pairwise(spans)):
        # Some begin together: the longer first (most calls have no two at once).
        spans = [
            a
            for *_, a in sorted(
                (a.start, -(a.end - a.start).total_seconds(), n, a)  # type: ignore[operator]
                for n, a in enumerate(spans)
            )
        ]
    for a in spans:
        if not a.agent_id or a.end is None:
            continue
        around = outer.get(a.agent_id)
        if around is not None and around.end is not None and a.end <= around.end:
            out[id(a)] = around
        else:
            outer[a.agent_id] = a
    return out


def _by_start(records: Sequence[AgentAllocation]) -> list[AgentAllocation]:
    """By start, those without one last; those with one start in the order given."""
    timed = [a for a in records if a.start is not None]
    timed.sort(key=_start)
    timed += [a for a in records if a.start is None]
    return timed


_start = attrgetter("start")


def _dedupe(i: Interaction) -> tuple[Interaction, list[str]]:
    """One allocation per interactionAgentId: a record sent twice is one allocation."""
    seen: dict[str, AgentAllocation] = {}
    kept: list[AgentAllocation] = []
    notes: list[str] = []
    for a in i.agents:
        key = a.interaction_agent_id
        if key and key in seen:
            who = a.agent_name or (wording.unnamed_agent(a.agent_id) if a.agent_id else "An agent")
            differs = "" if seen[key] == a else ", with different values"
            notes.append(
                f"{who}'s allocation {key[:8]}… was sent twice (same interactionAgentId"
                f"{differs}): the second copy was ignored."
            )
            continue
        if key:
            seen[key] = a
        kept.append(a)
    if not notes:
        return i, []
    return replace(i, agents=tuple(kept)), notes


_SLACK = timedelta(seconds=2)


def _merged(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1]:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


class _Records:
    """Look-ups over one interaction's records, built once: with 1,000 agent
    allocations, scanning every queue visit and segment per allocation took most
    of a second."""

    def __init__(self, i: Interaction, now: datetime | None = None) -> None:
        # Queue visits by the segment (or visit) ID they belong to (``visits_of``): the
        # only one of an ID as it is, those of an ID with more in a list, by start (a
        # list per ID would be hundreds more objects for the garbage collector to walk
        # while the story is kept); else the visit of the same agent that ended as the
        # allocation began (``_handovers``).
        self.visit: dict[str, QueueVisit] = {}
        self.visits: dict[str, list[QueueVisit]] = {}
        self.queues = i.queues
        #: The visits (by ``id``) made while adding a participant (``_is_consult``), and
        #: those that hold a callback (``_is_callback``): the bar, the queue wait and the
        #: outcome each ask of every visit.
        self.consults: set[int] = set()
        self.callbacks: set[int] = set()
        visit, visits = self.visit, self.visits
        for q in i.queues:
            if _is_consult(q):
                self.consults.add(id(q))
            if _is_callback(q):
                self.callbacks.add(id(q))
            for key in (q.segment_id, q.queue_visit_id):
                if key is None:
                    continue
                if key not in visit and key not in visits:
                    visit[key] = q  # the first (most IDs have one visit)
                elif key in visits:
                    visits[key].append(q)
                else:
                    visits[key] = [visit.pop(key), q]
        for group in self.visits.values():
            group.sort(key=lambda q: (q.start is None, q.start or datetime.min.replace(tzinfo=UTC)))
        self.segment_by_id: dict[str, Segment] = {}
        for s in i.segments:
            if s.segment_id:
                self.segment_by_id.setdefault(s.segment_id, s)
        self.segments = i.segments
        # The look-ups for allocations whose segment ID finds no visit or no segment
        # (``_handovers``, ``_handed_to``): made the first time one is asked for, as
        # most interactions have none.
        self.queue_by_handover: dict[tuple[str, datetime], QueueVisit] | None = None
        self.to: dict[str, list[tuple[datetime, int]]] | None = None
        # Visits with no exit that an agent took the call from (the timeline draws the
        # same): the customer had left them by then, however long they waited.
        self.taken = taken_from(i)
        self.now = now if i.in_progress else None
        # Holds by start, with their position in the API's order.
        self.holds = sorted((h.start, n) for n, h in enumerate(i.holds) if h.start)
        self.hold_starts = [start for start, _ in self.holds]
        self.all_holds = i.holds
        #: Every allocation by start (those without one last).
        self.ordered = _by_start(i.agents)
        #: The allocations the agents took (``_answered``), by start.
        self.answered = answered = _answered(i, self.ordered)
        #: The same, per agent (by ``agent_id``, None for those sent without one).
        self.of_agent: dict[str | None, list[AgentAllocation]] = {}
        # In one pass over them: who was with the customer when (``busy``, merged); the
        # ends of those that do not end before they start, with their places in
        # ``answered``, and the places of those whose end never came (who was still with
        # the customer after a moment); and their starts (those without one come last).
        live_end = now if i.in_progress else None
        spans: list[tuple[datetime, datetime]] = []
        closed: list[tuple[datetime, int]] = []
        self.open_places: list[int] = []
        self.starts: list[datetime] = []
        for n, a in enumerate(answered):
            theirs = self.of_agent.get(a.agent_id)
            if theirs is None:
                self.of_agent[a.agent_id] = [a]
            else:
                theirs.append(a)
            start, end = a.start, a.end
            until = end or live_end
            if start is not None:
                self.starts.append(start)
                if until is not None and until >= start:
                    spans.append((start, until))
            if end is None:
                self.open_places.append(n)
            elif start is None or end >= start:  # not one that ends before it starts
                closed.append((end, n))
        self.busy = _merged(spans)
        self.busy_starts = [lo for lo, _ in self.busy]
        #: Taken allocations lying within an earlier one of the same agent (``_inside_own``).
        self.inside = _inside_own(answered)
        closed.sort()
        #: The ends of the taken allocations that do not end before they start, and the
        #: last of them (``_last_end``).
        self.ends = self.closed_ends = [end for end, _ in closed]
        self.last_end = _last_end(i, self.ends)
        self.closed_places = [n for _, n in closed]

    def visits_of(self, key: str) -> Sequence[QueueVisit]:
        """The queue visits of a segment (or visit) ID, by start."""
        one = self.visit.get(key)
        if one is not None:
            return (one,)
        return self.visits.get(key) or ()

    def queue_for(self, a: AgentAllocation) -> QueueVisit | None:
        """The queue visit that gave ``a`` the work: among the visits of the
        allocation's segment, the one the agent answered, in the allocation's queue,
        that began last before the allocation."""
        one = self.visit.get(a.segment_id or "")
        if one is not None and _could_give(one, a):
            return one  # the segment's only visit (most are): what the ranking picks of one
        return self._queue_for(a)

    def _queue_for(self, a: AgentAllocation) -> QueueVisit | None:
        # A visit another agent answered gave the work to them, not to ``a``, unless
        # ``a`` was offered it from that queue too (an allocation naming it): a
        # supervisor who barges in, with no queue of their own, came from no queue.
        group = [q for q in self.visits_of(a.segment_id or "") if _could_give(q, a)]
        if len(group) == 1:
            return group[0]  # what the ranking below picks from one
        if group:
            before = [
                q for q in group if a.start is None or q.start is None or q.start <= a.start
            ] or group
            ranked = [
                (
                    bool(a.agent_id) and q.agent_id == a.agent_id,
                    bool(a.queue_id) and q.queue_id == a.queue_id,
                    n,
                )
                for n, q in enumerate(before)
            ]
            return before[max(ranked)[2]]
        if a.agent_id and a.start is not None:
            return self._handovers().get((a.agent_id, a.start))
        return None

    def _handovers(self) -> dict[tuple[str, datetime], QueueVisit]:
        """The first visit answered by each agent at each exit time: the visit of the same
        agent that ended as an allocation began gave it the work."""
        found = self.queue_by_handover
        if found is None:
            found = {}
            for q in self.queues:
                if q.agent_id and q.end is not None:
                    found.setdefault((q.agent_id, q.end), q)
            # Made whole before it is kept: another thread reading the story at once
            # finds none (and makes its own, the same) or this one.
            self.queue_by_handover = found
        return found

    def still_on(
        self, begun: datetime, moment: datetime, *, open_too: bool
    ) -> list[AgentAllocation]:
        """The taken allocations begun by ``begun`` and ending after ``moment`` (with
        ``open_too``, also those whose end never came), by start; none without a start,
        none that ends before it starts."""
        limit = bisect_right(self.starts, begun)
        places = [
            n for n in self.closed_places[bisect_right(self.closed_ends, moment) :] if n < limit
        ]
        if open_too:
            places += [n for n in self.open_places if n < limit]
        return [self.answered[n] for n in sorted(places)]

    def path_to(self, q: QueueVisit) -> list[QueueVisit]:
        """The visits the customer went through to reach ``q`` within its segment
        (an overflow or a callback makes more than one), ``q`` last."""
        key = q.segment_id or q.queue_visit_id or ""
        if self.visit.get(key) is q:
            return [q]  # the only visit of its segment (most are)
        group = self.visits_of(key)
        path: list[QueueVisit] = []
        for v in group:
            if v is q:
                break
            if v.agent_id and v.agent_id != q.agent_id:
                path = []  # answered by someone else: not on this way
            else:
                path.append(v)
        return [*path, q]

    def delivered_by(self, a: AgentAllocation) -> Segment | None:
        """The transfer or add-participant segment that gave ``a`` the work, if any."""
        s = self.segment_by_id.get(a.segment_id or "")
        if s is not None:
            return None if _is_start(s) else s
        if not a.agent_id or a.start is None:
            return None
        starts = self._handed_to().get(a.agent_id, [])
        hi = bisect_right(starts, (a.start, len(self.segments)))
        return self.segments[starts[hi - 1][1]] if hi else None

    def _handed_to(self) -> dict[str, list[tuple[datetime, int]]]:
        """Per receiving agent: (start, position) of the segments handed to them, by start."""
        to = self.to
        if to is None:
            to = {}
            for n, s in enumerate(self.segments):
                if s.to_agent_id and s.start and not _is_start(s):
                    to.setdefault(s.to_agent_id, []).append((s.start, n))
            for starts in to.values():
                starts.sort()
            self.to = to  # made whole before it is kept, as ``_handovers``
        return to

    def customer_busy(self, start: datetime, end: datetime) -> float:
        """Seconds of [start, end] when an agent was with the customer."""
        if end <= start:
            return 0.0
        total = 0.0
        for lo, hi in self.busy[max(0, bisect_right(self.busy_starts, start) - 1) :]:
            if lo >= end:
                break
            overlap = (min(hi, end) - max(lo, start)).total_seconds()
            total += max(0.0, overlap)
        return total

    def holds_in(self, start: datetime | None, end: datetime | None) -> list[HoldInterval]:
        """Holds that began within [start, end] (end None: any time after), in the API's order."""
        if start is None:
            return []
        lo = bisect_left(self.hold_starts, start)
        hi = len(self.holds) if end is None else bisect_right(self.hold_starts, end)
        if lo >= hi:
            return []  # most allocations: no hold
        return [self.all_holds[n] for n in sorted(n for _, n in self.holds[lo:hi])]


def _could_give(q: QueueVisit, a: AgentAllocation) -> bool:
    """Whether visit ``q`` of the allocation's segment could have given ``a`` the work: a
    visit another agent answered gave it to them, unless ``a`` was offered it from that
    queue too (an allocation naming it)."""
    return not (q.agent_id and a.agent_id and q.agent_id != a.agent_id) or bool(
        a.queue_id and q.queue_id == a.queue_id
    )


def _wait(q: QueueVisit) -> tuple[float | None, bool]:
    """(seconds in the queue, computed?); None when its exit never arrived."""
    if q.queue_time is not None and "queue_time" not in q.unknown:
        return q.queue_time, False
    return _span(q.start, q.end), True


def _wait_text(q: QueueVisit) -> str | None:
    """The wait in ``q`` as the outcome says it, marked when worked out; None: unknown."""
    seconds, computed = _wait(q)
    if seconds is None:
        return None
    return clock(seconds) + (COMPUTED_MARK if computed else "")


# -- outcome ---------------------------------------------------------------------------


def _outcome(
    i: Interaction, names: _Names, records: _Records, now: datetime, *, never_answered: bool
) -> tuple[str, str]:
    answered = records.answered
    if i.in_progress:
        return _live_outcome(i, names, records, answered, now), "live"
    outbound = _placed(i, records, answered)
    if answered and never_answered and not outbound:
        # A callback the customer did not pick up.
        return _first_answer(i, names, records, answered[0]) + "; not answered", "unanswered"
    if answered and never_answered:
        first = names.agent(answered[0].agent_id)
        total = _total_text(i)
        after = f", ended after {total}" if total is not None else ""
        return f"Placed by {first}; not answered{after}", "unanswered"
    if answered:
        text = _answered_outcome(i, names, records, answered, outbound=outbound)
        return text + _ending(i), "outbound" if outbound else "answered"
    waiting = list(i.queues)
    asked = next((q for q in waiting if _code(q.exit_type) == "callback"), None)
    if asked is not None and not answered:
        return (
            f"Callback requested{_after(asked)} in {_queue_label(asked)}; never called back",
            "unanswered",
        )
    if waiting:
        q = waiting[-1]
        gave_up = q.abandoned or wording.queue_exit(q.exit_type).code.lower() == "abandon"
        after = _after(q)
        # Reached through other queues (an overflow chain): the wait in the last one is
        # not the whole wait, so the way there is said too.
        path = records.path_to(q)
        first = f" (first {_journey(path, _flow(i))})" if len(path) > 1 else ""
        if gave_up:
            ringing = _ringing_at(i, q, names)
            return f"Abandoned in {_queue_named(q)}{after}{first}{ringing}", "abandoned-queue"
        if "agents" in i.unknown:
            # Whether an agent took it is in the records that could not be read.
            how = wording.queue_exit(q.exit_type).text.lower()
            said = f"Left {_queue_named(q)}{after} ({how}); the agent records could not be read"
            return said, "unknown"
        if q.end is None:
            return (
                f"Left {_queue_named(q)} unanswered; how long it waited is unknown "
                f"(its exit time never arrived){first}",
                "abandoned-queue",
            )
        how = wording.queue_exit(q.exit_type).text.lower()
        back = _back_to_the_end(i, q)
        return f"Left {_queue_named(q)} unanswered{after} ({how}){first}{back}", "unanswered"
    seconds = i.interaction_time if "interaction_time" not in i.unknown else None
    if seconds is None:
        seconds = _span(i.start, i.end)
    unread = _unread(i)
    if unread:
        # Records were sent but could not be read: nothing says where the customer went
        # (a queue, an agent), so neither the IVR nor anything else is made up.
        ended = f"Ended after {_total_text(i)}" if seconds is not None else "Ended"
        if i.end is None:
            ended = "The end time never arrived"
        return f"{ended}; the {unread} records could not be read", "unknown"
    if not i.segments and not i.agents and not _only_ivr(i, seconds):
        # No record at all: nothing shows an IVR (or anything else) happened, or the
        # figures sent say more than an IVR did (a conversation, time after it).
        ended = f"Ended after {_total_text(i)}" if seconds is not None else "Ended"
        if i.end is None:
            ended = "The end time never arrived"
        return (
            f"{ended}; the API sent no segments, queue visits or agents to say what happened",
            "unknown",
        )
    ivr = i.ivr_time if i.ivr_time is not None else i.interaction_time
    where = "the IVR" if (i.channel_type or "voice").lower() == "voice" else "the flow"
    after = f" after {clock(ivr)}" if ivr is not None else ""
    if ivr is None and (worked_out := _total_text(i)) is not None:
        after = f" after {worked_out}"
    # Who ended it, when the data says the customer did; else only that it ended (a
    # flow error ends a call in the IVR too).
    ended = "Ended"
    if _hung_up_in_flow(i):
        ended = "Hung up" if where == "the IVR" else "Abandoned"
    if i.end is None:
        return f"{ended} in {where}; the end time never arrived", "ivr"
    return f"{ended} in {where}{after}", "ivr"


def _hung_up_in_flow(i: Interaction) -> bool:
    """Whether the data says the customer hung up (or left) while the flow had them: the
    API's ivrAbandoned when sent, else a last segment ended by the customer's disconnect
    (an ivrAbandoned of false beside such a segment: the two disagree, and who ended it
    is not said)."""
    abandoned = _stat(i, "ivrAbandoned")
    if isinstance(abandoned, bool):
        return abandoned
    ends = [s for s in i.segments if s.end_type]
    return bool(ends) and _code(ends[-1].end_type) == "customer-disconnect"


#: The lists of records an interaction is told from, as the outcome names them.
_RECORDS = (("segments", "segment"), ("queues", "queue"), ("agents", "agent"))


def _unread(i: Interaction) -> str:
    """The kinds of record sent but unreadable (a list sent as something else): "queue
    and agent"; empty when every list could be read."""
    kinds = [kind for key, kind in _RECORDS if key in i.unknown]
    return " and ".join([", ".join(kinds[:-1]), kinds[-1]] if len(kinds) > 1 else kinds)


def _total_text(i: Interaction) -> str | None:
    """The interaction's length as the outcome says it: as sent, or worked out from
    its start and end and marked so; None: unknown."""
    if i.interaction_time is not None and "interaction_time" not in i.unknown:
        return clock(i.interaction_time)
    total = _span(i.start, i.end)
    return None if total is None else clock(total) + COMPUTED_MARK


def _only_ivr(i: Interaction, total: float | None) -> bool:
    """Whether the figures sent say the whole interaction was spent in the IVR: an IVR
    time that is (nearly) all of it, and no conversation."""
    if i.ivr_time is None:
        return False
    if (_number(_stat(i, "customerConversationTime")) or 0.0) > 0:
        return False
    return total is None or total - i.ivr_time <= _SLACK.total_seconds()


def _placed(i: Interaction, records: _Records, answered: list[AgentAllocation]) -> bool:
    """An outbound call the first agent placed: no queue visit gave it to them (a
    visit later on, after a transfer, does not make them its answerer)."""
    if not placed_by_agent(i):
        return False
    return not i.queues or (bool(answered) and records.queue_for(answered[0]) is None)


def _left_unanswered(
    i: Interaction, names: _Names, records: _Records, answered: list[AgentAllocation]
) -> str:
    """Where the customer was sent after the last agent and nobody answered: the
    last queue visit begun after every allocation began, taken by no agent ("; transferred
    to Payment Plans; abandoned there after 2:32"). Empty when there is none."""
    last_began = max((a.start for a in answered if a.start is not None), default=None)
    if last_began is None:
        return ""
    visits = [
        q
        for q in i.queues
        if q.start is not None
        and q.start >= last_began
        and not q.agent_id
        and id(q) not in records.taken
        and not _is_consult(q)
        and not _is_callback(q)
    ]
    if not visits:
        return ""
    q = max(visits, key=lambda v: v.start or datetime.min.replace(tzinfo=UTC))
    path = [v for v in records.path_to(q) if v in visits]
    moved = "transferred to" if _code(path[0].entry_type) in ("transfer", "") else "sent to"
    text = f"; {moved} {'queue ' if path[0].queue_name else ''}{_journey(path, _flow(i))}"
    after = _after(q)
    if q.abandoned or _code(q.exit_type) == "abandon":
        return text + f"; abandoned there{after}{_ringing_at(i, q, names)}"
    if q.end is None:
        return text + "; how long it waited there is unknown (its exit time never arrived)"
    how = wording.queue_exit(q.exit_type).text.lower()
    return text + f"; left unanswered there{after} ({how})" + _back_to_the_end(i, q)


def _ringing_at(i: Interaction, q: QueueVisit, names: _Names) -> str:
    """ ", while ringing at Olu Adebayo" when the customer hung up in visit ``q`` while
    the work was offered to an agent (``hung_up_on_offer``): the last seconds of the
    wait were not spent waiting for one. Empty when nobody was offered it then."""
    rang = hung_up_on_offer(i)
    if not rang or q.end is None:
        return ""
    who = list(
        dict.fromkeys(
            a.agent_id or ""
            for a in i.agents
            if id(a) in rang and (end := offer_end(a)) is not None and abs(end - q.end) <= _SLACK
        )
    )
    if not who:
        return ""
    said = _and(names, who) if len(who) <= MAX_STEPS else f"{len(who)} agents"
    return f", while ringing at {said}" if _flow(i) == "the IVR" else f", while offered to {said}"


def _back_to_the_end(i: Interaction, q: QueueVisit) -> str:
    """ "; back in the IVR for 1:42 until the end" when the flow had the customer from
    visit ``q``'s exit to the end."""
    for left, nxt, lo, hi in ivr_returns(i):
        if left is q and nxt is None:
            return f"; back in {_flow(i)} for {clock((hi - lo).total_seconds())} until the end"
    return ""


def _came_back(q: QueueVisit, a: AgentAllocation) -> bool:
    """Visit ``q`` of a transfer ``a``'s own agent began ended with nobody taking it
    there (no agent, an exit other than an answer): the work came back to them."""
    return not q.agent_id and _code(q.exit_type) not in ("", "success")


def _exit_words(q: QueueVisit) -> str:
    return "timed out" if _code(q.exit_type) == "timeout" else wording.queue_exit(q.exit_type).text


def _taken_wait(q: QueueVisit, records: _Records) -> float | None:
    """The wait in visit ``q`` whose exit never arrived, up to when the agent who took
    the call from it got it (``taken_from``): the customer had left the queue by then.
    None when its exit arrived or no agent took the call from it."""
    taker = records.taken.get(id(q)) if q.end is None else None
    return None if taker is None else _span(q.start, taker.start)


def _answered_after(q: QueueVisit, records: _Records) -> str:
    """``_after`` for a visit an agent took the call from: a wait whose exit never
    arrived is said up to when they got it, worked out and marked ("after about 1:03")."""
    if _wait(q)[0] is None and (bound := _taken_wait(q, records)) is not None:
        return f" after about {clock(bound)}{COMPUTED_MARK}"
    return _after(q)


def _after(q: QueueVisit) -> str:
    wait = _wait_text(q)
    return f" after {wait}" if wait is not None else " after an unknown wait"


def _flow(i: Interaction) -> str:
    return "the IVR" if (i.channel_type or "voice").lower() == "voice" else "the flow"


def _journey(path: list[QueueVisit], flow: str) -> str:
    """How the customer went through the visits before the last one of ``path``:
    "Tier 2 Escalations, which overflowed to General Support after 2:00". A visit the
    flow put the customer in (entered from the IVR) after another was reached through
    the IVR (``flow``), not straight from the one before."""
    text = _queue_label(path[0])
    for q, nxt in pairwise(path):
        if _code(nxt.entry_type) == "ivr" and _code(q.exit_type or "success") != "success":
            how = wording.queue_exit(q.exit_type)
            left = "timed out" if _code(q.exit_type) == "timeout" else how.text.lower()
            back = _span(q.end, nxt.start)
            stay = f" for {clock(back)}" if back is not None and back >= 1 else ""
            text += f", which {left}{_after(q)}; back in {flow}{stay}, then {_queue_label(nxt)}"
            continue
        text += f", which {_moved(q, nxt)} {_queue_label(nxt)}{_after(q)}"
    return text


def _first_answer(i: Interaction, names: _Names, records: _Records, first: AgentAllocation) -> str:
    who = names.agent(first.agent_id)
    fq = records.queue_for(first)
    if fq is None and _straight_from_flow(i, records, first):
        since = _span(i.start, first.start)
        after = f", {clock(since)}{COMPUTED_MARK} after the start" if since is not None else ""
        return f"Answered by {who} straight from {_flow(i)} ({STRAIGHT}){after}"
    if fq is None:
        return f"Answered by {who}"
    path = records.path_to(fq)
    asked = next((q for q in path if _code(q.exit_type) == "callback"), None)
    if asked is not None:
        text = f"Callback requested{_after(asked)} in {_queue_label(asked)}; called back by {who}"
        later = _wait_text(fq) if _is_callback(fq) else None
        if later is not None:
            text += f" {later} later"
        since = _span(i.start, first.start)
        if since is not None:
            text += f" ({clock(since)} after the start)"
        return text
    where = (
        "on their own line (no queue)"
        if fq.direct and not _entered_by_transfer(fq) and fq.queue_name in (who, None)
        else f"in {_queue_label(fq)}"
    )
    answered = f"Answered by {who}{_answered_after(fq, records)} {where}"
    if len(path) > 1:
        return f"{answered} (first {_journey(path, _flow(i))})"
    return answered


def _straight_from_flow(i: Interaction, records: _Records, a: AgentAllocation) -> bool:
    """Whether the flow sent an inbound interaction straight to ``a``, its first agent: no
    queue visit gave it to them nor came before them, and no agent handed it over."""
    if placed_by_agent(i) or a.start is None or _bad(a):
        return False
    if records.queue_for(a) is not None:
        return False
    d = records.delivered_by(a)
    if d is not None and d.agent_id:
        return False
    start = a.start
    return all(q.start is not None and q.start >= start for q in i.queues)


def _last_end(i: Interaction, ends: Iterable[datetime | None]) -> datetime | None:
    """The last of ``ends``, but no later than the interaction's end: an end sent a few
    seconds after it (the clocks of two services) is at the end, as is one sent at it."""
    last = max((e for e in ends if e is not None), default=None)
    if last is not None and i.end is not None and not i.in_progress:
        return min(last, i.end)
    return last


def _joined(
    answered: list[AgentAllocation], a: AgentAllocation, inside: dict[int, AgentAllocation]
) -> list[AgentAllocation]:
    """The other agents with the customer when ``a`` began, for an allocation no queue
    and no transfer or add-participant segment gave them (a supervisor barging in):
    they joined a call already in hand. Empty when nobody was there (then it is told
    as the handover it was)."""
    if a.start is None or _bad(a) or id(a) in inside:
        return []
    return [
        b
        for b in answered
        if b is not a
        and b.agent_id != a.agent_id
        and not _bad(b)
        and b.start is not None
        and b.start < a.start
        and (b.end is None or b.end > a.start + _SLACK)
    ]


def _how_joined(
    records: _Records,
    a: AgentAllocation,
    there: list[AgentAllocation],
    names: _Names,
) -> str:
    """ " and took over from Carlos Mendes" when everyone there left and ``a`` stayed to
    the end; "; both stayed to the end" when they did; else nothing more."""
    last = records.last_end
    if last is None or a.end is None:
        return ""
    if a.end < last - _SLACK:
        # Joined and left: when two or more stayed to the end (an agent and the one
        # they added, whose step left it to this one) and nobody came after, say so.
        if _came_later(records, a, last) or _joiner_left(records, a, last):
            return ""
        stayers = [
            b.agent_id for b in there if b.agent_id and b.end is not None and b.end >= last - _SLACK
        ]
        stayers = list(dict.fromkeys(stayers))
        if len(stayers) < 2:
            return ""
        return f"; {names.agent(a.agent_id)} left; {_and(names, stayers)} stayed to the end"
    stayed = [b for b in there if b.end is None or b.end >= last - _SLACK]
    if not stayed:
        who = list(dict.fromkeys(names.agent(b.agent_id) for b in there))
        return " and took over from " + (
            ", ".join(who[:-1]) + " and " + who[-1] if len(who) > 1 else who[0]
        )
    if len(stayed) < len(there) or _came_later(records, a, last):
        return ""
    return _all_stayed(len({b.agent_id for b in there} | {a.agent_id}))


#: How many stayed to the end together, in words ("both", "all three").
_HOW_MANY = {2: "both", 3: "all three", 4: "all four", 5: "all five", 6: "all six"}


def _all_stayed(count: int) -> str:
    """ "; both stayed to the end", "; all three stayed to the end" (``count`` agents)."""
    return f"; {_HOW_MANY.get(count, f'all {count}')} stayed to the end"


def _added(records: _Records, b: AgentAllocation) -> bool:
    """Whether an agent added ``b`` (an add-participant segment gave it to them)."""
    d = records.delivered_by(b)
    return d is not None and bool(d.agent_id) and _is_add(d) and not _agent_cancelled(d)


def _came_later(records: _Records, a: AgentAllocation, last: datetime) -> bool:
    """Whether another agent came after ``a`` and stayed to the end, or was added (that
    step tells who stayed): who stayed to the end is told once, after the last of them
    came (not "both" after each)."""
    return any(
        b.agent_id != a.agent_id
        and id(b) not in records.inside
        and not _bad(b)
        and b.start is not None
        and a.start is not None
        and b.start > a.start
        and ((b.end is not None and b.end >= last - _SLACK) or _added(records, b))
        for b in records.answered
    )


def _joiner_left(records: _Records, a: AgentAllocation, last: datetime) -> bool:
    """Whether an agent joined the call after ``a`` (no queue, transfer or add gave it to
    them: a supervisor barging in) and left before the end: the step telling they joined
    tells who stayed, after it (not "stayed to the end" before they came)."""
    return a.start is not None and any(
        b.agent_id != a.agent_id
        and id(b) not in records.inside
        and not _bad(b)
        and b.start is not None
        and b.start > a.start
        and b.end is not None
        and b.end < last - _SLACK
        and records.queue_for(b) is None
        and records.delivered_by(b) is None
        and _joined(records.answered, b, records.inside)
        for b in records.answered
    )


def _stayers(records: _Records, last: datetime, *, first: str) -> list[str]:
    """The agents (by ID) with the customer at the end, ``first`` first, then by start."""
    stayers = [first]
    for b in records.answered:
        if (
            b.agent_id
            and b.agent_id not in stayers
            and not _bad(b)
            and b.end is not None
            and b.end >= last - _SLACK
        ):
            stayers.append(b.agent_id)
    return stayers


def _and(names: _Names, agents: list[str]) -> str:
    """ "Ana Lima and Ben Okoro"; "Ana Lima, Ben Okoro and Chen Wu"."""
    who = [names.agent(agent) for agent in agents]
    return ", ".join(who[:-1]) + " and " + who[-1] if len(who) > 1 else who[0]


def _how_added(
    records: _Records,
    a: AgentAllocation,
    d: Segment | None,
    names: _Names,
) -> str:
    """Whether the agent who added ``a`` left it to them or both stayed to the end."""
    if d is None or not d.agent_id or d.start is None or a.end is None or _bad(a):
        return ""
    answered = records.answered
    adder = [
        b
        for b in records.of_agent.get(d.agent_id, ())
        if b.start is not None
        and b.start <= d.start
        and b.end is not None
        and not _bad(b)
        and b.end >= d.start
    ]
    if not adder:
        return ""
    last = records.last_end or max(records.ends)
    left = adder[-1].end or last
    if left >= last - _SLACK and a.end >= last - _SLACK:
        if _came_later(records, a, last) or _joiner_left(records, a, last):
            return ""  # who stayed to the end is told after the last of them came
        # Others on the call when this one joined, gone before the end: said as leaving
        # (in the order they left), so "both" is not read as the only two there were.
        gone: dict[str, datetime] = {}
        for b in answered:
            if b.agent_id in (d.agent_id, a.agent_id) or b.end is None or _bad(b):
                continue
            if b.agent_id and b.end > (a.start or b.end) and b.end < last - _SLACK:
                gone[b.agent_id] = max(b.end, gone.get(b.agent_id, b.end))
        stayers = _stayers(records, last, first=d.agent_id)
        if not gone:
            return _all_stayed(len(stayers))
        left_them = "".join(
            f"; {names.agent(agent)} left" for agent in sorted(gone, key=lambda x: gone[x])
        )
        return f"{left_them}; {_and(names, stayers)} stayed to the end"
    if left >= last - _SLACK and a.start is not None and not _came_later(records, a, last):
        # The last one added left before the end, and the agents added before them stayed
        # with the adder (their steps left it to this one to tell).
        stayers = _stayers(records, last, first=d.agent_id)
        earlier = [
            b
            for b in answered
            if b.agent_id in stayers[1:]
            and b.start is not None
            and b.start < a.start
            and _added(records, b)
        ]
        if earlier and a.agent_id not in stayers:
            return f"; {names.agent(a.agent_id)} left; {_and(names, stayers)} stayed to the end"
    if left < a.end - _SLACK:
        # Everyone else still with the customer when the adder left: with more than
        # one, none of them took over alone; it is said once, after the last of them.
        stayed = [
            b
            for b in records.still_on(left, left + _SLACK, open_too=False)
            if b.agent_id != d.agent_id
        ]
        if len(stayed) < 2:
            return f" and took over from {names.agent(d.agent_id)}"
        if any(b.start is not None and a.start is not None and b.start > a.start for b in stayed):
            return ""
        who = list(dict.fromkeys(names.agent(b.agent_id) for b in stayed))
        together = ", ".join(who[:-1]) + " and " + who[-1] if len(who) > 1 else who[0]
        to_end = all(b.end is not None and b.end >= last - _SLACK for b in stayed)
        return f"; {names.agent(d.agent_id)} left" + (
            f"; {together} stayed to the end" if to_end else f", leaving {together}"
        )
    return ""


class _Handover(NamedTuple):
    """A handover the outcome tells."""

    #: The allocation that got the work.
    allocation: AgentAllocation
    #: The queue visit and the segment that gave it to them (None when none did).
    visit: QueueVisit | None
    segment: Segment | None
    #: The visits the customer went through to reach it (``_Records.path_to``).
    path: list[QueueVisit]
    #: Who it was, in words.
    who: str
    #: The way it got the work (``_handover_kind``).
    kind: str


#: The steps of the outcome each way of getting the work takes (one unless said here).
_STEPS = {"came-back": 3, "sent-back": 2, "through": 2}


def _handover_kind(
    records: _Records,
    a: AgentAllocation,
    q: QueueVisit | None,
    d: Segment | None,
    path: list[QueueVisit],
    who: str,
) -> str:
    """The way allocation ``a`` got the work from visit ``q`` and segment ``d``, as the
    outcome tells it (``_handover_steps``): worked out without a word put together, so a
    long chain of transfers is counted without telling the handovers it only counts."""
    if d is not None and d.agent_id and d.agent_id == a.agent_id:
        # Handed back to themselves (an overflow that came back): not a transfer.
        if q is not None and _came_back(q, a):
            return "came-back"  # nobody took it where they sent it
        return "sent-back" if path else "again"
    if (q is not None and id(q) in records.consults) or (d is not None and _is_add(d)):
        return "added"
    if d is None and q is not None and len(path) == 1 and _entered_untransferred(q):
        # No transfer segment gave it to them and the visit was not entered by a
        # transfer (a re-route, say): saying "transferred" would contradict both.
        return "rerouted"
    if d is None and q is None:
        if a.agent_id and a.start is not None and not _joined(records.answered, a, records.inside):
            # Nothing gave it to them and nobody else had it: the same agent taking it up
            # again (an email worked in several sittings), not a transfer to themselves.
            earlier = records.of_agent.get(a.agent_id, ())
            if any(b is not a and b.end is not None and b.end <= a.start for b in earlier):
                return "again"
        return "joined"  # unless nobody was there: then transferred (``_joined``)
    if q is not None and len(path) > 1:
        return "through"
    if q is not None and q.queue_name and q.queue_name != who:
        return "picked-up"
    return "transferred"


def _handover_steps(
    i: Interaction,
    names: _Names,
    records: _Records,
    answered: list[AgentAllocation],
    handover: _Handover,
) -> list[str]:
    """The steps of the outcome that tell ``handover`` (as many as ``_STEPS`` says)."""
    a, q, d, path, who, kind = handover
    if kind == "came-back" and q is not None and d is not None:
        moved = "transferred to" if _code(d.start_type) == "transfer" else "sent to"
        where = _queue_named(q) if len(path) == 1 else _journey(path, _flow(i))
        return [
            f"{moved} {where}",
            f"left unanswered there{_after(q)} ({_exit_words(q)})",
            f"back to {who}",
        ]
    if kind == "sent-back":
        back = f"answered again by {who}{_answered_after(path[-1], records)}"
        return [f"sent to {_journey(path, _flow(i))}", back]
    if kind == "again":
        return [f"{who} again"]
    if kind == "added":
        # An agent who had left and is added back.
        again = any(
            b.end is not None and a.start and b.end <= a.start
            for b in records.of_agent[a.agent_id]
            if b is not a
        )
        how = _how_added(records, a, d, names)
        return [f"{who} added" + (" again" if again else "") + how]
    if kind == "rerouted" and q is not None:
        entry = wording.queue_entry_on(q.entry_type, i.channel_type).text
        return [
            f"then answered by {who}{_answered_after(q, records)} in {_queue_label(q)} ({entry})"
        ]
    if kind == "joined" and (there := _joined(answered, a, records.inside)):
        return [f"{who} joined" + _how_joined(records, a, there, names)]
    if kind == "through" and q is not None:
        answered_there = f"answered there by {who}{_answered_after(q, records)}"
        return [f"transferred to {_journey(path, _flow(i))}", answered_there]
    if kind == "picked-up" and q is not None:
        wait = _long_wait(i, q)
        if wait is not None:
            return [
                f"transferred to {_queue_named(q)}, where {who} picked it up"
                f" {clock(wait)}{COMPUTED_MARK if _wait(q)[1] else ''} later"
            ]
        return [f"transferred to {who} in {q.queue_name}"]
    return [f"transferred to {who}"]


def _answered_outcome(
    i: Interaction,
    names: _Names,
    records: _Records,
    answered: list[AgentAllocation],
    *,
    outbound: bool,
) -> str:
    first = answered[0]
    if outbound:
        text = f"Placed by {names.agent(first.agent_id)}"
    else:
        text = _first_answer(i, names, records, first)
    inside = records.inside
    handovers: list[_Handover] = []
    count = 0  # the steps they take
    for a in answered[1:]:
        if id(a) in inside:
            continue  # the agent already had it: no step of its own
        q = records.queue_for(a)
        d = records.delivered_by(a)
        who = names.agent(a.agent_id)
        path = records.path_to(q) if q is not None else []
        kind = _handover_kind(records, a, q, d, path, who)
        handovers.append(_Handover(a, q, d, path, who, kind))
        count += _STEPS.get(kind, 1)
    # More steps than the sentence tells are summed up between the first and the last:
    # only the first and the last handover are put in words.
    told = handovers if count <= MAX_STEPS else [handovers[0], handovers[-1]]
    steps: list[str] = []
    #: When the allocation behind each step began (for where a cancelled add is told).
    began: list[datetime | None] = []
    for handover in told:
        steps += _handover_steps(i, names, records, answered, handover)
        began += [handover.allocation.start] * (len(steps) - len(began))
    tries = [
        s
        for s in i.segments
        if _is_add(s) and _agent_cancelled(s) and s.to_agent_id is None and not _outside(s)
    ]
    cancelled = tries[0] if tries else None
    said = "adding a participant was cancelled" + (f" {len(tries)} times" if len(tries) > 1 else "")
    if cancelled is not None and count <= MAX_STEPS:
        # Told among the steps where it (first) happened, not after later transfers.
        at = cancelled.start
        n = len(steps) if at is None else sum(1 for b in began if b is None or b <= at)
        steps.insert(n, said)
        cancelled = None
        count += 1
    if count > MAX_STEPS:
        last = steps[-1]
        steps = [
            *steps[:1],
            f"{count - 2} more handovers",
            last.replace("transferred to", "last to"),
        ]
    if steps:
        text += "; " + "; ".join(steps)
    text += _left_unanswered(i, names, records, answered)
    outside = [s for s in i.segments if _outside(s)]
    if cancelled is not None:
        text += "; " + said
    if outside:
        third = _number(_stat(i, "thirdPartyTime"))
        for_how_long = f" for {clock(third)}" if third is not None and third > 0 else ""
        handed = [s for s in outside if not _is_add(s) and not _agent_cancelled(s)]
        if all(_agent_cancelled(s) for s in outside):
            text += "; adding an outside number was cancelled"
        elif handed:
            # A transfer out: the agent left the customer with the outside number.
            named = _outside_named(handed[0]) if len(handed) == 1 else "an outside number"
            text += f"; transferred to {named}" + (
                f", which had the customer{for_how_long}" if for_how_long else ""
            )
        else:
            text += "; an outside number joined" + for_how_long
    return text


#: A wait after a transfer is said in the outcome once it is at least this share of the
#: whole interaction ...
LONG_WAIT_SHARE = 0.2
#: ... and at least this long (seconds): a few seconds in a short call are a handover.
LONG_WAIT_FLOOR = 60.0


def _long_wait(i: Interaction, q: QueueVisit) -> float | None:
    """The wait in visit ``q`` (after a transfer) when it is long compared with the rest
    of the interaction, else None.

    An ordinary handover waits a little, and the per-visit figure has it; but when the
    customer sat in the queue for a fifth or more of the whole interaction (two days of
    a four-day text conversation, 16 hours of three days) the wait is part of what
    happened to them, and the outcome says it: "transferred to queue Text Care, where
    Jamal Reed picked it up 2 d 0 h 36 min 30 s later". Unknown waits are never said.
    """
    wait, _ = _wait(q)
    total = i.interaction_time if "interaction_time" not in i.unknown else None
    if total is None:
        total = _span(i.start, i.end)
    if wait is None or total is None or total <= 0:
        return None
    if wait < LONG_WAIT_FLOOR or wait < LONG_WAIT_SHARE * total:
        return None
    return wait


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
    open_queues = [q for q in i.queues if q.end is None and id(q) not in records.taken]
    if open_queues:
        q = open_queues[-1]
        so_far = f" — {clock(_span(q.start, now) or 0)} so far" if q.start else ""
        return f"Still waiting in {_queue_label(q)}{so_far}"
    if answered:
        outbound = _placed(i, records, answered)
        held = _on_hold_now(i, now)
        on_hold = f", on hold now ({clock(held)} so far)" if held is not None else ""
        return (
            _answered_outcome(i, names, records, answered, outbound=outbound)
            + "; still going"
            + on_hold
        )
    so_far = f" — {clock(_span(i.start, now) or 0)} so far" if i.start else ""
    return f"In progress{so_far}"


# -- figures ---------------------------------------------------------------------------


def _duration_figure(
    label: str,
    sent: float | None,
    field: str,
    computed: float | None,
    *,
    note: str = "",
    unknown_note: str = UNKNOWN_NOTE,
) -> Figure:
    if sent is not None and sent <= -0.5:
        # Impossible as sent: said as sent and as impossible, never rounded up to 0:00.
        return Figure(
            label,
            f"-{clock(-sent)} sent; a length cannot be negative",
            note=f"The API's {field} is {sent:g} seconds: no time can last less than nothing.",
            source=field,
        )
    if sent is not None:
        return Figure(label, clock(sent), note=note or wording.statistic(field).text, source=field)
    if computed is not None:
        return Figure(label, clock(computed), computed=True, note=COMPUTED_NOTE)
    return Figure(label, "unknown", unknown=True, note=unknown_note)


#: Seconds a sent length may differ from its timestamps before the two are said to
#: disagree: the API rounds its statistics, and timestamps carry milliseconds.
_SENT_SLACK = 1.5


def _total_figure(total_sent: float | None, span: float | None) -> Figure:
    """The total time as sent, and beside it what the start and end show when the two
    disagree (as transfers are said): neither silently picked."""
    if (
        total_sent is not None
        and span is not None
        and total_sent > -0.5
        and abs(total_sent - span) > _SENT_SLACK
    ):
        return Figure(
            "Total time",
            f"{clock(total_sent)} sent; start and end show {clock(span)}",
            note=f"The API's interactionTime is {clock(total_sent)}, but the interaction's"
            f" start and end are {clock(span)} apart.",
            source="interactionTime",
        )
    return _duration_figure("Total time", total_sent, "interactionTime", span)


def _backwards(q: QueueVisit) -> bool:
    """A visit whose exit the API sent before its entry: its length is unknown."""
    return q.start is not None and q.end is not None and q.end < q.start


def _figures(
    i: Interaction,
    names: _Names,
    records: _Records,
    legs: tuple[Leg, ...],
    now: datetime,
    *,
    never_answered: bool,
) -> list[Figure]:
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
        figures.append(_total_figure(total_sent, _span(i.start, i.end)))
    if i.ivr_time is not None:
        voice = (i.channel_type or "voice").lower() == "voice"
        figures.append(_duration_figure("IVR" if voice else "Flow", i.ivr_time, "ivrTime", None))
    figures += _queue_figures(i, names, records)
    figures += _agent_figures(i, names, legs, now, never_answered=never_answered)
    figures.append(_hold_figure(i, now, never_answered=never_answered))
    transfers = _number(_stat(i, "customerTransfers"))
    transfer_segments = [s for s in i.segments if _hands_over(s)]
    counted = len(transfer_segments)
    done = sum(1 for s in transfer_segments if not _agent_cancelled(s))
    also = _also_counted(transfer_segments)
    if transfers is not None and i.segments and transfers not in (counted, done):
        counted = done
        # The statistic and the records disagree: both are said, neither picked.
        records_say = f"{counted} transfer segment" + ("" if counted == 1 else "s")
        sent = _as_sent(transfers)
        figures.append(
            Figure(
                "Transfers",
                f"{sent} sent; the segments show {counted}",
                note=f"The API's customerTransfers is {sent}, but it sent {records_say}"
                + (f", {also}." if also else "."),
                source="customerTransfers",
            )
        )
    elif transfers is not None:
        figures.append(
            Figure(
                "Transfers",
                _as_sent(transfers),
                note=wording.statistic("customerTransfers").text
                + (f". The segments show as many, {also}." if also else ""),
                source="customerTransfers",
            )
        )
    elif not i.segments:
        # Nothing to count them from: 0 would be invented.
        figures.append(
            Figure(
                "Transfers",
                "not sent",
                unknown=True,
                note="The API sent neither customerTransfers nor any segments to count.",
            )
        )
    else:
        figures.append(
            Figure(
                "Transfers",
                str(counted),
                computed=True,
                note="Counted from the segments that began with a transfer"
                + (f", {also}" if also else "")
                + "; the API did not send customerTransfers.",
            )
        )
    if i.disposition_name or i.disposition_id:
        figures.append(
            Figure(
                "Disposition",
                i.disposition_name or i.disposition_id or "",
                source="dispositions" if len(i.dispositions) > 1 else "dispositionName",
                note=f"{len(i.dispositions)} dispositions sent, in the order sent."
                if len(i.dispositions) > 1
                else "",
            )
        )
    csat = i.csat if i.csat else _stat(i, "customerSatisfactionScore")
    if csat is not None and csat != "":
        value = _number(csat)
        text = _as_sent(value) if value is not None else str(csat)
        figures.append(Figure("CSAT", text, note="Customer satisfaction score", source="csat"))
    channel = wording.channel(i.channel_type)
    direction = wording.direction(i.direction)
    if i.channel_type or i.direction:
        figures.append(
            Figure(
                "Channel",
                " · ".join(w.text for w in (channel, direction) if w.text),
                note=" · ".join(w.code for w in (channel, direction) if w.code),
            )
        )
    else:
        figures.append(
            Figure(
                "Channel",
                "not sent",
                unknown=True,
                note="The API sent neither channelType nor direction.",
            )
        )
    return figures


def _hands_over(s: Segment) -> bool:
    """A segment the outcome and the participants tell as a transfer: begun by neither
    the interaction's start nor an add, whatever its start type says ("transfer", or a
    code the API does not describe, such as "consult-transfer")."""
    return not _is_start(s) and not _is_add(s)


def _also_counted(segments: Sequence[Segment]) -> str:
    """What the transfer count holds besides segments begun by "transfer", in words
    ("counting 1 segment begun by “consult-transfer” as a transfer, as the page tells
    it"), or "": the figure says what it counted."""
    others: dict[str, int] = {}
    for s in segments:
        if _code(s.start_type) != "transfer":
            code = f"by “{s.start_type}”" if s.start_type else "with no start type sent"
            others[code] = others.get(code, 0) + 1
    if not others:
        return ""
    said = " and ".join(
        f"{n} segment{'' if n == 1 else 's'} begun {code}" for code, n in others.items()
    )
    if sum(others.values()) == 1:
        return f"counting {said} as a transfer, as the page tells it"
    return f"counting {said} as transfers, as the page tells them"


def _as_sent(value: float) -> str:
    """A number as the API sent it: 2 for 2.0, 1.5 for 1.5 (never cut to a whole one)."""
    return str(int(value)) if value.is_integer() else f"{value:g}"


def _waiting_now(i: Interaction, q: QueueVisit, records: _Records) -> bool:
    """A live interaction's visit with an entry, no exit and nobody who took it from the
    queue: the customer is waiting there now."""
    return (
        i.in_progress
        and q.start is not None
        and q.end is None
        and records.taken.get(id(q)) is None
        and records.now is not None
        and q.start <= records.now
    )


def _customer_wait(q: QueueVisit, records: _Records) -> tuple[float | None, bool]:
    """(seconds the customer waited in ``q``, computed?). A visit made while adding
    a participant counts only where no agent was with the customer; as the bar
    counts it."""
    if id(q) not in records.consults:
        return _wait(q)
    if q.start is None or q.end is None:
        return _wait(q)
    busy = records.customer_busy(q.start, q.end)
    if busy <= 0:
        return _wait(q)
    return max(0.0, (q.end - q.start).total_seconds() - busy), True


def _queue_figures(i: Interaction, names: _Names, records: _Records) -> list[Figure]:
    if not i.queues:
        return []
    figures: list[Figure] = []
    total = 0.0
    computed = False
    unknown = False
    visits: list[str] = []
    counted = 0
    consults: list[str] = []
    consult_notes: list[str] = []
    consult_waits: list[tuple[str, float | None]] = []
    callbacks: list[tuple[QueueVisit, float | None, bool]] = []
    backwards = False
    waiting = False  # a live visit the customer is still waiting in
    #: Why a wait whose exit never arrived is counted up to when an agent got the call.
    bounded: list[str] = []
    for q in i.queues:
        if id(q) in records.callbacks:
            callbacks.append((q, *_wait(q)))
            continue
        consult = id(q) in records.consults
        seconds, was_computed = _customer_wait(q, records) if consult else _wait(q)
        if consult and seconds is not None and seconds < 0.5:
            # The customer was with an agent all along: the queue took this long to
            # answer the agent's request, not the customer.
            took, _ = _wait(q)
            s = records.segment_by_id.get(q.segment_id or "")
            asker = names.agent(s.agent_id) if s is not None and s.agent_id else "the agent"
            took_text = clock(took) if took is not None else "an unknown time"
            where = _queue_label(q)
            consults.append(f"{where} {took_text}")
            consult_waits.append((where, took))
            consult_notes.append(
                f"{where} took {took_text} to answer {asker}'s request to add a"
                f" participant; the customer was with {asker} meanwhile"
            )
            continue
        counted += 1
        if seconds is None and _waiting_now(i, q, records):
            # Live and still in the queue: its exit is not late, it has not come yet.
            seconds, was_computed = _span(q.start, records.now), True
            waiting = True
        if seconds is None and (took := _taken_wait(q, records)) is not None:
            # Its exit never arrived, but an agent took the call from it: the customer
            # waited there until then, about (as the outcome says it).
            computed = True
            total += took
            visits.append(f"{_queue_label(q)} about {clock(took)} ≈")
            bounded.append(
                f"The exit time from {_queue_label(q)} never arrived: its wait is counted"
                f" up to when {names.agent(records.taken[id(q)].agent_id)} got the call."
            )
            continue
        computed = computed or was_computed
        if seconds is None:
            unknown = True
            taker = records.taken.get(id(q))
            took = _span(q.start, taker.start) if taker is not None else None
            backwards = backwards or _backwards(q)
            visits.append(
                f"{_queue_label(q)} unknown"
                + (" (its exit is before its entry)" if _backwards(q) else "")
                + (
                    f" (its exit time was not sent; {names.agent(taker.agent_id)} took the call"
                    f" from it {clock(took)} after it began)"
                    if taker is not None and took is not None
                    else ""
                )
            )
            continue
        total += seconds
        so_far = " so far" if q.end is None else ""
        visits.append(
            f"{_queue_label(q)} {clock(seconds)}{so_far}" + (" ≈" if was_computed else "")
        )
    if counted:
        listed = visits
        if all(v.endswith(" ≈") for v in visits):
            # Every wait worked out: the figure's own mark says so, once.
            listed = [v.removesuffix(" ≈") for v in visits]
        shown = listed if len(listed) <= MAX_STEPS else [*listed[:2], f"… {len(listed) - 2} more"]
        sent = len(i.queues)
        # Beside the queue-visit table's count: how many of its rows the wait is made of.
        of = f" of {sent}" if counted < sent else ""
        label = "Queue wait" if counted == sent == 1 else f"Queue wait ({counted}{of} visits)"
        each = "; ".join(visits)  # every visit's wait, on hover
        why = (
            " Time in a queue while an agent was already with the customer is not counted."
            if consults or records.consults
            else ""
        )
        left = []
        if consults:
            left.append(f"{len(consults)} answered an agent's request to add a participant")
        if callbacks:
            were = "was a callback" if len(callbacks) == 1 else "were callbacks"
            left.append(f"{len(callbacks)} {were} (below)")
        left_out = (
            f" Not counted, of the {sent} queue visits: {' and '.join(left)}." if left else ""
        )
        if unknown:
            text = f"unknown (known part {clock(total)})" if total else "unknown"
            why = BACKWARDS_NOTE if backwards else UNKNOWN_NOTE
            figures.append(Figure(label, text, unknown=True, note=each + ". " + why + left_out))
        else:
            about = "about " if bounded else ""
            figures.append(
                Figure(
                    label,
                    about + clock(total) + (" so far" if waiting else ""),
                    computed=computed,
                    note=each
                    + (". " + COMPUTED_NOTE if computed else ".")
                    + "".join(" " + b for b in bounded)
                    + why
                    + left_out,
                    source="" if computed else "queueTime",
                )
            )
            if counted > 1:
                figures.append(
                    Figure(
                        "Per visit",
                        " · ".join(shown),
                        computed=computed,
                        note=each,
                        wide=True,
                    )
                )
    for q, seconds, was_computed in callbacks:
        figures.append(
            _duration_figure(
                "Waiting for the callback",
                None if was_computed else seconds,
                "queueTime",
                seconds if was_computed else None,
                note=f"Time in {_queue_label(q)} between the callback request and the agent"
                " taking it; the customer was off the line, waiting to be called.",
                unknown_note=(
                    f"Unknown: the API sent this wait's exit ({q.end:%H:%M:%S} UTC) before its"
                    f" entry ({q.start:%H:%M:%S} UTC)."
                    if _backwards(q) and q.start is not None and q.end is not None
                    else UNKNOWN_NOTE
                ),
            )
        )
    if consults:
        figures.append(
            Figure(
                "Adding a participant" if len(consults) == 1 else "Adding participants",
                " · ".join(consults if len(consults) <= MAX_STEPS else _by_queue(consult_waits)),
                note="; ".join(consult_notes)
                + ". Not part of the customer's queue wait (API field queueTime).",
                wide=len(consults) > 1,
            )
        )
    return figures


def _by_queue(waits: list[tuple[str, float | None]]) -> list[str]:
    """Many waits said per queue ("Tier 3 Hardware 12 times, 3:18 in all"), the first
    few queues named and the rest counted, so a long list stays one readable line."""
    groups: dict[str, list[float | None]] = {}
    for label, took in waits:
        groups.setdefault(label, []).append(took)
    said = []
    for label, tooks in groups.items():
        known = [t for t in tooks if t is not None]
        total = clock(sum(known)) if len(known) == len(tooks) else None
        if len(tooks) == 1:
            said.append(f"{label} {total or 'an unknown time'}")
        else:
            said.append(
                f"{label} {len(tooks)} times, " + (f"{total} in all" if total else "total unknown")
            )
    if len(said) > MAX_STEPS:
        said = [*said[:2], f"… {len(said) - 2} more queues"]
    return said


def _agent_figures(
    i: Interaction,
    names: _Names,
    legs: tuple[Leg, ...],
    now: datetime,
    *,
    never_answered: bool = False,
) -> list[Figure]:
    figures: list[Figure] = []
    conversation = _number(_stat(i, "customerConversationTime"))
    if conversation is not None:
        figures.append(
            _duration_figure("Conversation", conversation, "customerConversationTime", None)
        )
    if never_answered:
        # The agent's allocation was spent calling: none of it was with the customer.
        spans = [leg.seconds for leg in legs if not leg.offered_only]
        if spans and all(x is not None for x in spans):
            figures.append(
                Figure(
                    "Calling, not answered",
                    clock(sum(x or 0.0 for x in spans)),
                    computed=True,
                    note="The agent's allocation, from placing the call to its end; the"
                    " customer never answered. " + COMPUTED_NOTE,
                )
            )
        return figures
    per_agent: dict[str, list[Leg]] = {}
    for leg in legs:
        if not leg.offered_only and not leg.inside:
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
    unknown = live_parts = False
    #: Why an agent's time is "at most" (an allocation before the interaction's start).
    early_notes: list[str] = []
    for agent, group in per_agent.items():
        early = max((leg.early for leg in group if leg.early is not None), default=None)
        at_most = ""
        if early is not None:
            at_most = "at most "
            queued = any(leg.waited_until is not None for leg in group)
            early_notes.append(
                f"{agent}'s allocation starts {clock(early)} before the interaction's own"
                " start, which the platform's figures contradict: counted from "
                + ("when the customer left the queue" if queued else "the interaction's start")
                + " instead, so at most this."
            )
        if any(leg.seconds is None for leg in group):
            live = any(leg.open and i.in_progress for leg in group)
            if live and all(
                leg.seconds is not None or (leg.open and leg.start is not None) for leg in group
            ):
                # Still with the customer: the time up to now, as the total time says it.
                so_far = sum(
                    leg.seconds
                    if leg.seconds is not None
                    else leg.so_far
                    if leg.so_far is not None
                    else (_span(leg.start, now) or 0.0)
                    for leg in group
                )
                parts.append((agent, f"{at_most}{clock(so_far)} so far"))
                live_parts = True
                continue
            known_part = sum(leg.seconds or 0.0 for leg in group)
            text = "so far" if live else "unknown"
            parts.append((agent, text + (f" ({clock(known_part)} known)" if known_part else "")))
            unknown = True
        else:
            parts.append((agent, at_most + clock(sum(leg.seconds or 0 for leg in group))))
    note = (
        UNKNOWN_NOTE
        if unknown
        else "Still going: counted from each allocation to now."
        if live_parts
        else COMPUTED_NOTE
    )
    if early_notes:
        note = " ".join((note, *early_notes))
    if len(parts) == 1:
        agent, value = parts[0]
        figures.append(
            Figure(
                f"With {wording.isolated(agent)}",
                value,
                computed=not unknown,
                unknown=unknown,
                note=note,
            )
        )
    elif parts:
        figures.append(
            Figure(
                "Time with each agent",
                " · ".join(f"{wording.isolated(agent)} {value}" for agent, value in parts),
                computed=not unknown,
                unknown=unknown,
                note=note,
                wide=True,
            )
        )
    return figures


def _on_hold_now(i: Interaction, now: datetime) -> float | None:
    """Seconds the customer has been on hold so far, when a live interaction's last hold
    has begun and not ended: the customer is on hold right now."""
    if not i.in_progress:
        return None
    started = [h.start for h in i.holds if h.start is not None and h.end is None]
    return _span(max(started), now) if started else None


def _hold_lengths(holds: Iterable[HoldInterval]) -> tuple[int, float]:
    """(how many of ``holds`` have no length, their end never having come; the seconds
    of those that have one): the time on hold was at least those seconds."""
    open_holds = 0
    known = 0.0
    for h in holds:
        seconds = h.duration if h.duration is not None else _span(h.start, h.end)
        if seconds is None:
            open_holds += 1
        else:
            known += seconds
    return open_holds, known


def at_least_on_hold(count: int, known: float, open_holds: int, *, sep: str = ", ") -> str:
    """ "6, at least 3:00; 2 with no end": holds some of which never ended, said alike in
    the figures and a participant's row (there "6 · at least 3:00; …")."""
    least = f"at least {clock(known)}" if known >= 0.5 else "total unknown"
    return f"{count}{sep}{least}; {open_holds} with no end"


def _hold_figure(i: Interaction, now: datetime, *, never_answered: bool = False) -> Figure:
    count = i.hold_count if "hold_count" not in i.unknown else None
    total = i.hold_time if "hold_time" not in i.unknown else None
    so_far = _on_hold_now(i, now)
    if so_far is not None:
        # A total sent while a hold goes on cannot be "in all": said beside the hold now.
        held = int(count) if count is not None else len(i.holds)
        sent = f"; hold time sent {clock(total)}" if total is not None else ""
        return Figure(
            "Holds",
            f"{held}, on hold now ({clock(so_far)} so far){sent}",
            computed=True,
            note="Still going: the hold now is counted from its start to now"
            + ("; the hold time is as the API sent it while the call is live." if sent else "."),
            source="customerHolds" if count is not None else "",
        )
    open_holds, known = _hold_lengths(i.holds)
    whole = _span(i.start, i.end)
    if count is not None and (total is not None or count == 0):
        text = "none" if count == 0 else f"{int(count)}, {clock(total or 0)} in all"
        note = "Number of holds and total time on hold"
        if count and total is not None and whole is not None and total > whole + _SENT_SLACK:
            # More time on hold than the whole interaction: said as sent, and said.
            return Figure(
                "Holds",
                f"{int(count)}, {clock(total)} sent; longer than the whole interaction"
                f" ({clock(whole)})",
                note=f"The API's customerHoldTime is {clock(total)}, but the interaction's"
                f" start and end are {clock(whole)} apart"
                + ("; it sent no times for its holds." if not i.holds else "."),
                source="customerHolds",
            )
        if count and open_holds and not never_answered:
            # The sent total counts only the holds that ended: never "in all".
            text = at_least_on_hold(int(count), max(total or 0.0, known), open_holds)
            note = (
                f"The API's hold time is {clock(total or 0)}, but {open_holds} of the holds it"
                " sent never had their end reach reporting: the customer was on hold at least"
                " that long, how much longer is unknown."
            )
        if count and never_answered:
            # Nobody can hold a customer who never answered: said, not picked.
            text = f"{int(count)} sent ({clock(total or 0)} in all); the call was never answered"
            note = (
                "The API sent these holds, but its conversation time says the customer never"
                " answered, and it sent no times for them."
                if not i.holds
                else "The API sent these holds, but its conversation time says the customer"
                " never answered."
            )
        return Figure("Holds", text, note=note, source="customerHolds")
    # The number of holds was sent without their total: never "the API did not send it".
    sent = (
        "The number of holds as the API sent it; its hold time "
        + ("could not be read" if "hold_time" in i.unknown else "was not sent")
        if count is not None and count == len(i.holds)
        else ""
    )
    if i.holds:
        if open_holds:
            return Figure(
                "Holds",
                at_least_on_hold(len(i.holds), known, open_holds),
                unknown=known < 0.5,
                computed=known >= 0.5,
                note=(
                    f"{sent}, and a hold's end never arrived"
                    if sent
                    else "A hold's end never arrived"
                )
                + (
                    ": at least the holds that ended, worked out by the dashboard from their"
                    " own times."
                    if known >= 0.5
                    else "."
                ),
                source="customerHolds" if sent else "",
            )
        return Figure(
            "Holds",
            f"{len(i.holds)}, {clock(known)} in all",
            computed=True,
            note=f"{sent}: the total is worked out by the dashboard from the holds' own times."
            if sent
            else COMPUTED_NOTE,
            source="customerHolds" if sent else "",
        )
    if count is not None:  # holds counted, none sent with times, their total not sent
        return Figure(
            "Holds",
            f"{int(count)}, total unknown",
            unknown=True,
            note="The number of holds as the API sent it; its hold time "
            + ("could not be read." if "hold_time" in i.unknown else "was not sent."),
            source="customerHolds",
        )
    return Figure("Holds", "not sent", unknown=True, note="The API sent no hold figures.")


# -- participants ----------------------------------------------------------------------


def _waited_until(i: Interaction, a: AgentAllocation, first: datetime) -> datetime:
    """Where an allocation sent as starting before the interaction's own start can have
    had the customer from, at the earliest: the interaction's start, or later the exit
    of a queue visit that led to it (its segment's, or one its agent answered) and
    ended by its end: until then the customer was waiting in that queue."""
    lo = first
    if a.end is None:
        return lo
    for q in i.queues:
        exit_at = q.end
        if (
            exit_at is not None
            and lo < exit_at <= a.end
            and (
                (a.segment_id is not None and q.segment_id == a.segment_id)
                or (a.agent_id is not None and q.agent_id == a.agent_id)
            )
        ):
            lo = exit_at
    return lo


def _legs(
    i: Interaction, names: _Names, records: _Records, *, never_answered: bool = False
) -> tuple[Leg, ...]:
    """One leg per allocation, by start, with its times and figures; the rest of each
    row is made when first read (``_Words``)."""
    ordered = records.ordered
    refused = unaccepted_offers(i)
    inside = records.inside
    listened, _ = _listened(i, ordered, refused, records.now)
    rang = hung_up_on_offer(i)
    words = _Words(i, names, records, ordered, refused, never_answered=never_answered)
    legs: list[Leg] = []
    # Read once rather than per row: a big interaction has a thousand rows.
    first, last, now = i.start, i.end, records.now
    new, given = object.__new__, object.__setattr__
    for n, a in enumerate(ordered):
        key = id(a)
        start, end = a.start, a.end
        bad = start is not None and end is not None and end < start
        offered_only = key in refused
        # With the customer only while there was one: not before the interaction's start
        # nor after its end, whatever another service's clock sent.
        seconds = early = None
        lo = start
        if start is not None and first is not None and start < first:
            lo = _waited_until(i, a, first)
            before = (first - start).total_seconds()
            early = before if before > EARLY_SECONDS else None
        if lo is not None and end is not None and not bad:
            hi = end if last is None or end <= last else last
            span = (hi - lo).total_seconds()
            seconds = span if span >= 0 else None
        with_text = with_note = ""
        if offered_only:
            with_text = "none: never accepted"
            with_note = (
                "The work was offered to this agent; the customer hung up before they"
                " accepted it (the API's agentWorkCancelTime)."
                if key in rang
                else "The work was offered to this agent and withdrawn before they accepted it"
                " (the API's agentWorkCancelTime)."
                if a.work_cancel_time is not None
                else "The work was offered to this agent, who never took it: the customer"
                " was still waiting in the queue when the offer ended."
            )
        elif bad:
            with_text = "unknown"
            with_note = "This allocation ends before it starts: its length is unknown."
        elif never_answered:
            with_text = "none: not answered"
            with_note = "The customer never answered this call (the API's conversation time is 0)."
        # ``Leg(...)`` without setting each field in turn: its fields given as one dict.
        leg = new(Leg)
        given(
            leg,
            "__dict__",
            {
                "anchor": f"participant-{a.interaction_agent_id or n}",
                "agent": a.agent_name or names.agent(a.agent_id),
                "start": start,
                "end": end,
                "seconds": seconds,
                "open": end is None,
                "offered_only": offered_only,
                "with_text": with_text,
                "with_note": with_note,
                "inside": key in inside,
                # Counted from the interaction's start, as ``seconds`` is.
                "so_far": _span(lo, now) if end is None and not offered_only else None,
                "listened": listened.get(key, "") if listened else "",
                "early": early,
                "waited_until": lo if early is not None and lo is not first else None,
            },
        )
        _set_words(leg, words)
        _set_place(leg, n)
        legs.append(leg)
    return tuple(legs)


class _Words:
    """What the rows of one story's participants table are put in words from: the
    story's look-ups, what every row's end needs (found when the first row is made),
    and what each agent's allocations handed on (found when a row of theirs is)."""

    def __init__(
        self,
        i: Interaction,
        names: _Names,
        records: _Records,
        ordered: list[AgentAllocation],
        refused: frozenset[int],
        *,
        never_answered: bool,
    ) -> None:
        self.i = i
        self.names = names
        self.records = records
        self.ordered = ordered
        self.refused = refused
        self.never_answered = never_answered
        #: The offers the customer hung up on (``hung_up_on_offer``).
        self.rang = hung_up_on_offer(i)
        #: Whether each allocation asked about joined a call in hand (``joiner``).
        self.joiners: dict[int, bool] = {}
        #: What each agent's allocations handed on (``handed_on``), per agent asked about.
        self.sent: dict[str, tuple[dict[int, int], dict[int, list[Segment]]]] = {}
        self.started: dict[str, list[int]] | None = None
        self.prepared = False

    def prepare(self) -> None:
        """What every row's end needs from the others: which allocations lasted to the
        end, and whether the flow sent the call straight to the first agent."""
        records = self.records
        answered = records.answered
        # Those that lasted to the end (not ending before they start): the last of the
        # taken allocations' ends, as the look-ups have them by end.
        last_end = records.last_end
        last: list[int] = []  # their places in ``answered``
        if last_end is not None:
            last = sorted(
                records.closed_places[bisect_left(records.closed_ends, last_end - _SLACK) :]
            )
        self.at_end = {id(answered[k]) for k in last}
        #: The same, by start.
        self.last_ones = [answered[k] for k in last]
        #: The outside numbers on the call at its end: no allocation says when one left,
        #: so its segment does (one not cancelled, lasting to the last agent's end).
        self.outside_at_end = [
            s
            for s in self.i.segments
            if s.outside
            and not _agent_cancelled(s)
            and last_end is not None
            and s.end is not None
            and s.end >= last_end - _SLACK
        ]
        self.accepted = answered
        self.straight = (
            answered[0] if answered and _straight_from_flow(self.i, records, answered[0]) else None
        )
        self.prepared = True

    def handed_on(self, agent_id: str) -> tuple[dict[int, int], dict[int, list[Segment]]]:
        """What the allocations of one agent (by ``id``) handed on: the transfer and
        add-participant segments the agent started while each lasted (an end before the
        start counts as unknown), kept as the place of the last of them, and the
        participants each added (most added nobody). Worked out for an agent when one of
        their rows is first made: a long table shows a few rows."""
        found = self.sent.get(agent_id)
        if found is not None:
            return found
        records, inside, segments = self.records, self.records.inside, self.i.segments
        # The allocations they took, by start (one lying within another of theirs hands
        # nothing on: the one around it does): a segment they started is handed on by
        # the last of them begun by then.
        theirs: list[AgentAllocation] = []
        starts: list[datetime] = []
        for a in records.of_agent.get(agent_id, ()):
            if a.start is not None and id(a) not in inside:
                theirs.append(a)
                starts.append(a.start)
        last_sent: dict[int, int] = {}
        added: dict[int, list[Segment]] = {}
        for pos in self._started_by().get(agent_id, ()):
            s = segments[pos]
            if s.start is None or _is_start(s):
                continue
            k = bisect_right(starts, s.start)
            if not k:
                continue
            a = theirs[k - 1]
            # Ends sent without milliseconds fall up to a second before the segment they
            # started: within the slack, the allocation still handed it on.
            if a.end is None or _bad(a) or a.end >= s.start - _SLACK:
                last_sent[id(a)] = pos
                if _is_add(s) and not _agent_cancelled(s):
                    added.setdefault(id(a), []).append(s)
        # Made whole before it is kept: another thread making a row of the same agent at
        # once finds none (and makes its own, the same) or this one.
        found = self.sent[agent_id] = (last_sent, added)
        return found

    def _started_by(self) -> dict[str, list[int]]:
        """The places of the segments each agent started (with a start), in the API's order."""
        started = self.started
        if started is None:
            started = {}
            for pos, s in enumerate(self.i.segments):
                if s.agent_id and s.start is not None:
                    started.setdefault(s.agent_id, []).append(pos)
            self.started = started  # made whole before it is kept, as ``handed_on``
        return started

    def joiner(self, b: AgentAllocation) -> bool:
        """Whether ``b`` joined a call already in hand (no queue, transfer or add gave it
        to them): an agent who leaves them with the customer handed it over to them.
        Asked of the few agents still on the call when a row's agent left, and kept."""
        key = id(b)
        found = self.joiners.get(key)
        if found is None:
            records = self.records
            inside = records.inside
            found = self.joiners[key] = bool(
                key not in self.refused
                and key not in inside
                and records.delivered_by(b) is None
                and records.queue_for(b) is None
                and _joined(records.answered, b, inside)
            )
        return found

    def make(self, leg: Leg, n: int) -> None:
        """Sets the rest of ``leg``, the row of the allocation at ``n`` (by start)."""
        if not self.prepared:
            self.prepare()
        i, names, records = self.i, self.names, self.records
        a = self.ordered[n]
        q = records.queue_for(a)
        d = records.delivered_by(a)
        start, end = a.start, a.end
        bad = start is not None and end is not None and end < start
        inside = records.inside
        within = id(a) in inside
        offered_only = id(a) in self.refused
        hold_count = holds_open = 0
        hold_seconds: float | None = 0  # as ``sum`` says no holds
        hold_known = 0.0
        if records.holds:
            holds = records.holds_in(start, None if bad else end)
            if holds:
                hold_count = len(holds)
                holds_open, hold_known = _hold_lengths(holds)
                hold_seconds = None if holds_open else hold_known
        took_from = ""
        if within:
            pass  # nothing gave it to them: they had it already
        elif d is not None and d.agent_id == a.agent_id and q is not None and _came_back(q, a):
            took_from = f"back from {_queue_named(q)}, unanswered{_after(q)} ({_exit_words(q)})"
        elif d is not None and d.agent_id and d.agent_id != a.agent_id:
            took_from = names.agent(d.agent_id)
        elif q is not None:
            took_from = _took_from_queue(q, records, i.channel_type)
        elif a is self.straight:
            took_from = f"{_flow(i)}, directly ({STRAIGHT})"
        elif d is None and not offered_only and _joined(self.accepted, a, inside):
            took_from = JOINED
        sent, added = self.handed_on(a.agent_id) if a.agent_id else ({}, {})
        last_sent = sent.get(id(a))
        target = None if last_sent is None else i.segments[last_sent]
        gave_to = "" if target is None else _gave_to(target, a, names, records)
        # An agent who added others and left handed the customer to whoever was on the
        # call then, whoever had added them; "(added)" only for the ones they added.
        adds = added.get(id(a), [])
        at_the_end = id(a) in self.at_end
        handed: list[AgentAllocation] = []
        if not (at_the_end or (not adds and target is not None)):  # else nobody to hand to
            handed = _on_the_call(a, records, inside)
            if not adds:
                handed = [b for b in handed if self.joiner(b)]
        if handed:
            gave_to = ", ".join(
                names.agent(b.agent_id)
                + (
                    " (added)"
                    if any(records.delivered_by(b) is s for s in adds)
                    else " (joined)"
                    if self.joiner(b)
                    else ""
                )
                for b in handed
            )
        if within:
            ended = INSIDE_OWN
        else:
            partners = (
                [
                    names.agent(b.agent_id)
                    for b in self.last_ones
                    if b is not a and b.agent_id != a.agent_id and _began_by(b, end)
                ]
                if at_the_end
                else []
            )
            ended = _leg_end(
                i,
                a,
                target,
                names,
                last=at_the_end,
                partners=list(dict.fromkeys(partners)),
                outside=[s for s in self.outside_at_end if _began_by(s, end)] if at_the_end else (),
                never_answered=self.never_answered,
                gave_to=gave_to,
                handed=tuple(names.agent(b.agent_id) for b in handed),
                refused=offered_only,
                hung_up=id(a) in self.rang,
            )
        leg.__dict__.update(
            queue=(
                (DIRECT_QUEUE if d is not None or _entered_by_transfer(q) else DIRECT_LINE)
                if (a.queue_id in names.direct or (q is not None and q.direct))
                else names.queue(a.queue_id) or (_queue_label(q) if q else "")
            ),
            hold_count=hold_count,
            hold_seconds=hold_seconds,
            holds_open=holds_open,
            hold_known=hold_known,
            took_from=took_from,
            gave_to=_all_given(gave_to, target, adds, handed, a, names, records),
            ended=ended,
        )
        object.__setattr__(leg, "_words", None)
        object.__setattr__(leg, "_place", None)


def _listening(i: Interaction, m: Monitor, now: datetime | None) -> str:
    """ "listened in from 4:00 to 9:30 (5:30, silent monitoring)": when, from the start;
    on a live interaction whose monitor has no end yet, "listening in from 4:00 (3:10 so
    far, silent monitoring)": the supervisor is listening now."""
    since = _span(i.start, m.start)
    when = f" from {clock(since)}" if since is not None and since >= 0 else ""
    how = wording.monitor_type(m.monitor_type).text
    if m.end is None and i.in_progress:
        so_far = _span(m.start, now)
        length = f"{clock(so_far)} so far, " if so_far is not None and so_far >= 0 else ""
        return f"listening in{when} ({length}{how})"
    until = _span(i.start, m.end)
    lasted = _span(m.start, m.end)
    if m.end is None:
        when += ", its end not sent"
    elif until is not None and until >= 0:
        when += f" to {clock(until)}"
    length = f"{clock(lasted)}, " if lasted is not None and lasted >= 0 else ""
    return f"listened in{when} ({length}{how})"


def _listened(
    i: Interaction,
    ordered: list[AgentAllocation],
    refused: frozenset[int],
    now: datetime | None,
) -> tuple[dict[int, str], list[Monitor]]:
    """For the allocation an agent took after listening in (``monitors`` with times),
    when and how they listened: "listened in from 4:00 to 9:30 (5:30, silent
    monitoring)"; and those who listened in and never took part. Listening is not time
    with the customer: it is said, not counted."""
    out: dict[int, str] = {}
    apart: list[Monitor] = []
    for m in i.monitorings:
        theirs = [
            a
            for a in ordered
            if id(a) not in refused
            and a.start is not None
            and (m.start is None or a.start >= m.start - _SLACK)
            and ((m.agent_id and a.agent_id == m.agent_id) or (a.agent_name == m.name))
        ]
        if not theirs:
            apart.append(m)
            continue
        text = _listening(i, m, now)
        key = id(theirs[0])
        out[key] = f"{out[key]}; {text}" if key in out else text
    return out, apart


def _listened_apart(i: Interaction, m: Monitor, now: datetime) -> str:
    """The note for someone who listened in and never took part: "Mariam Saleh listened
    in … and never joined the call", or, still listening on a live interaction, "… is
    listening in … and has not joined the call"."""
    text = _listening(i, m, now)
    if text.startswith("listening"):
        return f"{m.name} is {text} and has not joined the call: no time with the customer."
    return f"{m.name} {text} and never joined the call: no time with the customer."


def _on_the_call(
    a: AgentAllocation, records: _Records, inside: dict[int, AgentAllocation]
) -> list[AgentAllocation]:
    """The other agents' allocations with the customer when ``a`` ended, one per agent,
    by start: those begun by then and still going a moment after."""
    if a.end is None or _bad(a):
        return []
    on: dict[str, AgentAllocation] = {}
    for b in records.still_on(a.end, a.end + _SLACK, open_too=True):
        if b.agent_id and b.agent_id != a.agent_id and id(b) not in inside:
            on.setdefault(b.agent_id, b)
    return list(on.values())


def _began_by(a: AgentAllocation | Segment, moment: datetime | None) -> bool:
    return a.start is None or moment is None or a.start <= moment


def _took_from_queue(q: QueueVisit, records: _Records, channel: str | None) -> str:
    entry = wording.queue_entry_on(q.entry_type, channel)
    text = _queue_named(q) + (f", {entry.text}" if entry.code else "")
    before = records.path_to(q)[:-1]
    asked = next((v for v in before if _code(v.exit_type) == "callback"), None)
    if asked is not None:
        return text + f" (requested{_after(asked)} in {_queue_label(asked)})"
    if before:
        return text + " (from " + ", ".join(_queue_label(v) for v in before) + ")"
    return text


def _all_given(
    gave_to: str,
    target: Segment | None,
    adds: list[Segment],
    handed: list[AgentAllocation],
    a: AgentAllocation,
    names: _Names,
    records: _Records,
) -> str:
    """Whom the row gives it to: everyone the agent added (each once, in the order added),
    then the last segment they started when it was no add, not only the last of them.
    Those still on the call when the agent left say it already (``handed``)."""
    if handed or len(adds) < 2:
        return gave_to
    given = [_gave_to(s, a, names, records) for s in adds]
    if target is not None and not any(s is target for s in adds):
        given.append(gave_to)
    return ", ".join(dict.fromkeys(g for g in given if g))


def _gave_to(target: Segment | None, a: AgentAllocation, names: _Names, records: _Records) -> str:
    if target is None:
        return ""
    if target.to_agent_id and target.to_agent_id != a.agent_id:
        text = names.agent(target.to_agent_id) + (" (added)" if _is_add(target) else "")
    elif _outside(target):
        joined = _is_add(target) and not _agent_cancelled(target)
        text = _outside_named(target) + (" (added)" if joined else "")
    else:
        visits = records.visits_of(target.segment_id or "")
        text = _queue_named(visits[0]) if visits else "a queue"
    return text + (" (cancelled)" if _agent_cancelled(target) else "")


def _leg_end(
    i: Interaction,
    a: AgentAllocation,
    target: Segment | None,
    names: _Names,
    *,
    last: bool,
    partners: list[str],
    outside: Sequence[Segment] = (),
    never_answered: bool,
    gave_to: str,
    handed: tuple[str, ...] = (),
    refused: bool = False,
    hung_up: bool = False,
) -> str:
    if a.work_cancel_time is not None and hung_up:
        # Nobody withdrew the offer: the customer hung up while it rang.
        left = "hung up while it rang" if _flow(i) == "the IVR" else "left while it was offered"
        return f"Offered; the customer {left} ({clock(a.work_cancel_time)})"
    if a.work_cancel_time is not None:
        return f"Offered, never accepted (withdrawn after {clock(a.work_cancel_time)})"
    if refused:
        offered = _span(a.start, a.end)
        lasted = f" after {clock(offered)}" if offered is not None else ""
        return f"Offered, never accepted (the offer ended{lasted}; the customer kept waiting)"
    if a.end is None:
        return "Still with the customer" if i.in_progress else "End never arrived"
    if _bad(a):
        return "Ends before it starts (bad data)"
    if never_answered:
        return "Not answered"
    if (
        target is not None
        and _outside(target)
        and not _is_add(target)
        and not _agent_cancelled(target)
        and not (target.to_agent_id and target.to_agent_id != a.agent_id)
    ):
        # Transferred out: the customer stayed on with the outside number.
        return "Transferred to an outside number"
    if (
        last
        and target is not None
        and not _is_add(target)
        and not _agent_cancelled(target)
        and not target.to_agent_id
        and i.end is not None
        and a.end < i.end - _SLACK
    ):
        # Transferred to a queue nobody answered: the agent left with the transfer;
        # whatever became of the customer there was not their part's end.
        return f"Transferred to {gave_to}"
    if last and partners:
        # Joined, not replaced: decided from the times, not from the order of legs. An
        # outside number still on the call stayed too: it is said after the agents (a
        # lone agent's row says so too, unless the customer's hanging up ended the call).
        return (
            "Stayed to the end with "
            + ", ".join(partners)
            + (f" and {_numbers(outside)}" if outside else "")
        )
    if len(handed) > 1 and not last:
        return "Handed over to " + ", ".join(handed[:-1]) + " and " + handed[-1]
    if handed and not last:
        return f"Handed over to {handed[0]}"
    if target is not None and not _agent_cancelled(target) and not last:
        if target.to_agent_id and target.to_agent_id != a.agent_id:
            return f"Handed over to {names.agent(target.to_agent_id)}"
        if _outside(target):
            return "Left the customer with an outside number"
        return f"Transferred to {gave_to}"
    if last:
        if outside and i.end is not None and a.end < i.end - _SLACK:
            # The last agent left while an outside number they were with (added, or a
            # transfer out the API sent by no agent) stayed on with the customer: the
            # agent did not end the call, whoever was left did.
            return (
                "Transferred to an outside number"
                if any(not _is_add(s) for s in outside)
                else "Left the customer with " + _numbers(outside)
            )
        if _stat(i, "customerHoldAbandoned") is True:
            return "Customer hung up while on hold"
        ends = [s for s in i.segments if s.end_type]
        if ends and (ends[-1].end_type or "").lower() == "customer-disconnect":
            return "Customer hung up"
        if i.in_progress:
            # Live: the agent left, the interaction goes on (it has not ended).
            return LEFT_LIVE
        if outside:
            # A lone agent with an outside number on the call to its end: they stayed
            # together, the agent did not end it alone (as agents who stay together).
            return "Stayed to the end with " + _numbers(outside)
        return "Ended the interaction"
    return "Left the interaction"


def _outside_named(s: Segment) -> str:
    """ "an outside number (+18005550199)": the number the segment dialled, as sent (or
    masked, for a viewer who may not see contact details), when it was sent."""
    value = (s.extension_value or "").strip()
    return f"an outside number ({value})" if value else "an outside number"


def _numbers(outside: Sequence[Segment]) -> str:
    """ "an outside number", "2 outside numbers": the outside numbers on the call."""
    return "an outside number" if len(outside) == 1 else f"{len(outside)} outside numbers"


def _early_note(leg: Leg) -> str:
    """What the participants say of an allocation sent as starting before the
    interaction's own start: the contradiction, and how its time with the customer is
    counted (from the interaction's start: at most that)."""
    said = (
        f"{leg.agent}'s allocation starts {clock(leg.early or 0.0)} before the interaction's"
        " own start: the figures from the platform disagree."
    )
    if leg.offered_only:
        return said + " The offer was never accepted: no time with the customer."
    if leg.seconds is not None and leg.waited_until is not None:
        return (
            f"{said} {leg.agent}'s time with the customer, at most {clock(leg.seconds)}, is"
            " worked out by the dashboard from when the customer left the queue for them"
            f" ({leg.waited_until:%H:%M:%S} UTC) instead of the allocation's start."
        )
    if leg.seconds is not None:
        return (
            f"{said} {leg.agent}'s time with the customer, at most {clock(leg.seconds)}, is"
            " worked out by the dashboard from the interaction's start instead of the"
            " allocation's: it may take in time before the customer reached the agent, so beside"
            " the IVR and queue figures it can come to more than the total time."
        )
    return (
        f"{said} {leg.agent}'s time with the customer is counted from the interaction's start,"
        " not the allocation's."
    )


def _totals(legs: tuple[Leg, ...]) -> tuple[AgentTotal, ...]:
    # Per agent, in the order of their first leg: the times with the customer of the
    # legs they had (an offer the agent never accepted is not a time they had the
    # customer, nor one lying within another of theirs).
    groups: dict[str, list[float | None]] = {}
    early: set[str] = set()  # agents with an allocation before the interaction's start
    for leg in legs:
        had = groups.get(leg.agent)
        if had is None:
            had = groups[leg.agent] = []
        if not leg.offered_only and not leg.inside:
            had.append(leg.seconds)
            if leg.early is not None:
                early.add(leg.agent)
    out = []
    for agent, spans in groups.items():
        if len(spans) < 2:
            continue
        # Known when every leg's is (then ``spans`` holds floats alone).
        seconds = None if None in spans else sum(cast("list[float]", spans))
        out.append(AgentTotal(agent, len(spans), seconds, at_most=agent in early))
    return tuple(out)


# -- where the time went ---------------------------------------------------------------

# Which activity a moment counts as when records overlap: a customer on hold is on
# hold; a customer waiting in a transfer queue waits, even though the transferring
# agent is still allocated; a customer waiting for a callback is off the line; while
# a participant is being added the customer is still with the agent.
_PRIORITY = {
    "hold": 7,
    "queue": 6,
    "open-hold": 5,
    "callback": 5,
    "agent": 4,
    "outside": 3,
    "ringing": 3,
    "consult": 2,
    "ivr": 1,
    "unknown": 0,
}
#: Kinds counted in another part of the bar.
_COUNTED_AS = {"consult": "queue", "open-hold": "unknown"}
_BY_PRIORITY = sorted(_PRIORITY, key=lambda k: _PRIORITY[k], reverse=True)
#: Each kind's place in that order, and the part of the bar each place counts in.
_RANK = {key: n for n, key in enumerate(_BY_PRIORITY)}
_RANKED_AS = [_COUNTED_AS.get(key, key) for key in _BY_PRIORITY]
#: The parts of the bar, in the order drawn, and the part each place counts in.
_PARTS = ("ivr", "queue", "callback", "agent", "outside", "ringing", "hold", "unknown")
_RANKED_PART = [_PARTS.index(part) for part in _RANKED_AS]
_UNKNOWN_PART = _PARTS.index("unknown")
#: A piece of the time bar's end (its pieces are (from, to, kind's place)).
_piece_end = itemgetter(1)
#: A piece past every cut, which ends the sweep's lists.
_BEYOND = (math.inf, math.inf, 0)
_SPLIT_LABELS = {
    "ivr": "IVR",
    "queue": "Queue",
    "callback": "Waiting for the callback",
    "agent": "With an agent",
    "ringing": "Calling, not answered",
    "outside": "With an outside number",
    "hold": "On hold",
    "unknown": "Unknown (no complete record covers it)",
}


#: The most stretches "Where the customer's time went" draws where they happened.
SPLIT_STRETCHES_DRAWN = 24


#: The time bar's parts that are time with agents, holds included, and those the bar
#: may have for it to be compared with the API's conversation time.
_CONVERSATION_PARTS = frozenset({"agent", "hold"})
_COMPARABLE_PARTS = frozenset({"ivr", "queue", "agent", "hold"})


def _conversation_against_split(
    i: Interaction, records: _Records, figures: list[Figure], split: tuple[SplitPart, ...]
) -> list[Figure]:
    """``figures``, the conversation time's hover saying how it stands against the time
    bar when the two differ by 2 s or more. The API does not say what its figure counts:
    when it is the time from the first answer to the end (as a transfer chain's
    usually is) that is said; otherwise both figures are said, neither picked.
    Compared only when every part of the bar is IVR, queue, agent or hold (an unknown
    stretch, an outside number, a ringing or a callback leave the bar's own figure
    open to reading)."""
    if not split or any(p.key not in _COMPARABLE_PARTS for p in split):
        return figures
    sent = _number(_stat(i, "customerConversationTime"))
    if sent is None or sent < 0:
        return figures
    shown = sum(p.seconds for p in split if p.key in _CONVERSATION_PARTS)
    if abs(sent - shown) < 2.0:
        return figures
    answers = [a.start for a in records.answered if a.start is not None]
    since = _span(min(answers), i.end) if answers and i.end is not None else None
    note = (
        f"As the API sent it (customerConversationTime). The time bar below, worked out from"
        f" start and end times, has {clock(shown)} with an agent or on hold"
    )
    if since is not None and abs(sent - since) < 2.0:
        text = f"{clock(sent)} from the first answer"
        note += (
            f"; the API's {clock(sent)} is the time from when an agent first answered to the end."
        )
    else:
        text = f"{clock(sent)} sent; the time bar shows {clock(shown)}"
        note += f": the two disagree by {clock(abs(sent - shown))}."
    return [
        replace(f, text=text, note=note) if f.source == "customerConversationTime" else f
        for f in figures
    ]


def _agents_against_split(
    legs: tuple[Leg, ...], figures: list[Figure], split: tuple[SplitPart, ...]
) -> list[Figure]:
    """``figures``, the time with each agent's hover saying why the agents' times add up
    to more than the time bar's time with an agent or on hold, when they do by 2 s or
    more: an allocation that lasts while the customer waits in the next queue (a
    transfer that keeps the first agent until the next one answers) counts that wait,
    which the time bar counts once, as queue."""
    if not split or any(p.key not in _COMPARABLE_PARTS for p in split):
        return figures
    counted = [leg.seconds for leg in legs if not leg.offered_only and not leg.inside]
    if not counted or any(x is None for x in counted):
        return figures
    total = sum(x or 0.0 for x in counted)
    shown = sum(p.seconds for p in split if p.key in _CONVERSATION_PARTS)
    if total - shown < 2.0:
        return figures
    said = (
        f" Together these come to {clock(total)}, more than the {clock(shown)} with an agent"
        " or on hold in the time bar: an agent still allocated while the customer waited in"
        " the next queue counts that wait too, which the time bar counts once, as queue."
    )
    return [
        replace(f, note=f.note + said)
        if f.computed and (f.label == "Time with each agent" or f.label.startswith("With "))
        else f
        for f in figures
    ]


def _split(
    i: Interaction, records: _Records, now: datetime, *, never_answered: bool = False
) -> tuple[tuple[SplitPart, ...], float]:
    if i.start is None:
        return (), 0.0
    finish = i.end or (now if i.in_progress else None)
    if finish is None:
        every: list[Segment | QueueVisit | AgentAllocation] = [*i.segments, *i.queues, *i.agents]
        ends = [r.end for r in every if r.end is not None]
        finish = max(ends) if ends else None
    if finish is None or finish <= i.start:
        return (), 0.0
    origin = i.start
    total = (finish - origin).total_seconds()
    live = i.in_progress
    unknown = _RANK["unknown"]
    # (from, to, kind's place in _BY_PRIORITY), in seconds from the start.
    pieces: list[tuple[float, float, int]] = []

    def add(start: datetime | None, end: datetime | None, rank: int) -> None:
        if start is None:
            return
        lo = (start - origin).total_seconds()
        if lo < 0.0:
            lo = 0.0
        if end is None:
            pieces.append((lo, total, rank if live else unknown))
            return
        hi = (end - origin).total_seconds()
        if hi > total:
            hi = total
        if hi > lo:
            pieces.append((lo, hi, rank))

    if i.ivr_time is not None and i.ivr_time < 0:
        pass  # impossible as sent (the IVR figure says so): that time stays unknown
    elif i.ivr_time:
        pieces.append((0.0, min(total, i.ivr_time), _RANK["ivr"]))
        # Back in the flow after a visit left unanswered (before the next visit, or to
        # the end); the API's IVR time counts it.
        for _, _, back_from, back_to in ivr_returns(i):
            add(back_from, back_to, _RANK["ivr"])
    elif (handed := ivr_handed_over(i)) is not None and (
        (i.channel_type or "").lower() in ("", "voice")
        or (handed - origin).total_seconds() > FLOW_SHOWN
    ):
        # No IVR time sent: from the start to the first visit the IVR put the customer
        # in, as the timeline draws it (the time bar is worked out from times anyway).
        add(origin, handed, _RANK["ivr"])
    taken = records.taken
    consult, callback, queue = _RANK["consult"], _RANK["callback"], _RANK["queue"]
    consults, callbacks = records.consults, records.callbacks
    for q in i.queues:
        key = id(q)
        rank = consult if key in consults else callback if key in callbacks else queue
        taker = taken.get(key) if taken else None
        if taker is not None and q.start is not None and taker.start is not None:
            # No exit, but an agent took the call from it: the customer waited there
            # until then and no longer (as the timeline draws it, and the queue wait
            # counts it).
            lo = max(0.0, (q.start - origin).total_seconds())
            hi = min(total, (taker.start - origin).total_seconds())
            if hi > lo:
                pieces.append((lo, hi, rank))
            continue
        add(q.start, q.end, rank)
    with_agent = _RANK["ringing" if never_answered else "agent"]
    for a in records.answered:  # by start: the order of the pieces does not count
        add(a.start, a.end, with_agent)
    holds = i.holds  # in time order, those without a start last
    for n, h in enumerate(holds):
        if h.end is None and h.start is not None and not live:
            # A hold whose end never came: the customer may have been on hold until the
            # next hold began (it had ended by then; as the timeline draws it) or, for
            # the last, until the end, so the time is unknown, not time with the agent.
            add(h.start, next_hold(i, n) or i.end or finish, _RANK["open-hold"])
            continue
        add(h.start, h.end, _RANK["hold"])
    for s in i.segments:
        # Transferred (or added) to an outside number: with it, unless an agent was too.
        if s.outside and not _agent_cancelled(s):
            add(s.start, s.end, _RANK["outside"])
    # A sweep over the cuts: which kinds of record cover each stretch between two
    # cuts (a record covers the stretches from its start's cut to its end's). The
    # pieces are taken in order of their starts, and of their ends, as the sweep
    # reaches those cuts. Kinds by their place in _BY_PRIORITY. Only pieces with a
    # length inside the interaction cut it: the parts add up to its total, no more.
    by_start = sorted(p for p in pieces if 0.0 <= p[0] < p[1] <= total)
    cuts = sorted({0.0, total, *(p[0] for p in by_start), *(p[1] for p in by_start)})
    by_end = sorted(by_start, key=_piece_end)
    # Each ends with a piece beyond every cut (the cuts are finite: no record ends past
    # the end), where the sweep stops without asking how many pieces there are.
    by_start.append(_BEYOND)
    by_end.append(_BEYOND)
    opened = closed = 0  # how many pieces the sweep has opened, and closed
    covering = [0] * len(_BY_PRIORITY)
    none = len(covering)
    top = none  # the covering kind of highest priority (every kind before it covers nothing)
    # Seconds per part of the bar (by its place in _PARTS), each added up stretch by
    # stretch in the order of the cuts.
    counted = [0.0] * len(_PARTS)
    # Where each part is on the bar, in time order: [from, to, part], a stretch run on
    # into the next when the same part covers both.
    drawn: list[list[float]] = [[0.0, 0.0, -1.0]]
    slack = _SLACK.total_seconds()
    ranked_part = _RANKED_PART
    for lo, hi in pairwise(cuts):
        while by_end[closed][1] <= lo:
            covering[by_end[closed][2]] -= 1
            closed += 1
        while by_start[opened][0] <= lo:
            rank = by_start[opened][2]
            covering[rank] += 1
            if rank < top:
                top = rank
            opened += 1
        while top < none and not covering[top]:
            top += 1
        # The kind that counts is the covering one of highest priority; an open
        # record's "unknown" yields to any record known to cover the moment.
        if top < none:
            part = ranked_part[top]
        elif hi - lo >= slack:
            part = _UNKNOWN_PART
        else:
            # A second or two between one record's end and the next one's start is the
            # platform's own delay (or a timestamp without milliseconds), not a gap.
            continue
        counted[part] += hi - lo
        last = drawn[-1]
        if last[2] == part and last[1] == lo:
            last[1] = hi
        else:
            drawn.append([lo, hi, part])
    sums = dict(zip(_PARTS, counted, strict=True))
    parts: list[SplitPart] = []
    offset = 0.0
    voice = (i.channel_type or "voice").lower() == "voice"
    # A call that changed hands a hundred times would be a barcode: past a few dozen
    # stretches each part is one block, in the legend's order (the timeline shows when).
    in_time_order = len(drawn) <= SPLIT_STRETCHES_DRAWN + 1
    for n, k in enumerate(_PARTS):
        if sums[k] >= 0.5:
            label = _SPLIT_LABELS[k] if voice or k != "ivr" else "Flow"
            where = (
                tuple((lo / total, (hi - lo) / total) for lo, hi, part in drawn if part == n)
                if in_time_order
                else ()
            )
            parts.append(SplitPart(k, label, sums[k], sums[k] / total, offset, where))
            offset += sums[k] / total
    if all(p.key == "unknown" for p in parts):
        return (), 0.0  # no record says where any of the time went: nothing to draw
    return tuple(parts), total


# -- the story -------------------------------------------------------------------------


def story_for(i: Interaction, now: datetime) -> Story:
    """The story of ``i`` as of ``now`` (``now`` only matters while it is live)."""
    i, notes = _dedupe(i)
    names = _Names(i)
    records = _Records(i, now)
    unanswered = never_answered(i)
    legs = _legs(i, names, records, never_answered=unanswered)
    inside = records.inside
    for a in i.agents:
        around = inside.get(id(a)) if inside else None
        if around is not None:
            who = a.agent_name or names.agent(a.agent_id)
            notes.append(
                f"{who}'s allocation {(a.interaction_agent_id or '')[:8]}… lies within"
                f" {who}'s allocation {(around.interaction_agent_id or '')[:8]}…"
                + (
                    ""
                    if records.segment_by_id.get(a.segment_id or "")
                    else " and belongs to no segment the API sent"
                )
                + ": the time is counted once and nothing was handed over."
            )
        if _bad(a):
            who = a.agent_name or names.agent(a.agent_id)
            notes.append(
                f"{who}'s allocation ends ({a.end:%H:%M:%S} UTC) before it starts"
                f" ({a.start:%H:%M:%S} UTC): the time with the customer is unknown."
            )
    notes.extend(_early_note(leg) for leg in legs if leg.early is not None)
    if i.monitorings:
        _, apart = _listened(i, records.ordered, unaccepted_offers(i), now)
        notes.extend(_listened_apart(i, m, now) for m in apart)
    outcome, kind = _outcome(i, names, records, now, never_answered=unanswered)
    split, split_total = _split(i, records, now, never_answered=unanswered)
    figures = _figures(i, names, records, legs, now, never_answered=unanswered)
    return Story(
        outcome=outcome.replace(COMPUTED_MARK, ""),
        marked_outcome=outcome,
        kind=kind,
        figures=tuple(
            _agents_against_split(
                legs, _conversation_against_split(i, records, figures, split), split
            )
        ),
        split=split,
        split_total=split_total,
        unplaced_hold=sum(
            h.duration for h in i.holds if h.start is None and h.duration is not None
        ),
        legs=legs,
        totals=_totals(legs),
        live_since=i.start if i.in_progress else None,
        # A live interaction has no end yet, none missing: its time so far runs to now.
        end_missing=not i.in_progress
        and (
            i.end is None
            or bool(i.flag and i.flag.flagged and (i.flag.flag_type or "").lower() == "stuck")
        ),
        notes=tuple(notes),
    )
