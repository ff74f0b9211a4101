"""Typed, immutable values for one CxEngage interaction.

Built only by ``parsing.py``; everything downstream (timeline, services,
templates) reads these, never the API's JSON. A value the API left out or sent
as null is ``None``; a value that was present but unreadable is also ``None``
and its attribute name is in the record's ``unknown`` set, with a matching
``DataProblem`` on the interaction.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cached_property, lru_cache
from operator import attrgetter
from typing import Literal

from . import wording

StatKind = Literal["duration", "count", "flag", "score", "durations", "value"]

# Plain-language reasons for each documented flagType, with what may be wrong
# because of it. Keys are compared case-insensitively.
FLAG_REASONS: dict[str, tuple[str, str]] = {
    "forced - no reason provided": (
        "Someone flagged this interaction by hand, without giving a reason.",
        "Nothing specific is known to be missing; check the figures against the recording.",
    ),
    "agent": (
        "An agent's end time never reached reporting.",
        "The agent's handle time, and any time after the agent's last known event, may be wrong.",
    ),
    "exceed-counter-limit-terminated": (
        "The interaction exceeded the platform's counter limit and was ended.",
        "Events after the limit were dropped, so late segments and totals may be missing.",
    ),
    "queue": (
        "A queue's exit time never reached reporting.",
        "Queue time, abandon figures and service-level figures may be wrong.",
    ),
    "stuck": (
        "The interaction's end time never reached reporting.",
        "Its duration and every figure measured to its end may be wrong.",
    ),
    "error-uncaught-flow-error": (
        "The flow hit an error it did not handle.",
        "The interaction may have ended early or skipped steps; "
        "IVR and routing figures may be off.",
    ),
    "segment": (
        "A segment's end time never reached reporting.",
        "Transfer and add-participant figures for that segment may be wrong.",
    ),
    "safeguard-terminated": (
        "The interaction reached the platform's safeguard limit and was ended.",
        "It was cut off by the platform, so its end and the last segment's figures may be wrong.",
    ),
}

GENERIC_FLAG_REASON = (
    "The platform flagged this interaction for a reason this dashboard does not know.",
    "Some of its data may be missing or inaccurate.",
)
#: Why an interaction flagged without a flag type was flagged: one wording on its page,
#: in the flagged list, its export and the customer's journey.
NO_FLAG_TYPE_REASON = (
    "The API gave no flag type, so why is not known.",
    "Some of its data may be missing or inaccurate.",
)


def flag_key(flag_type: str | None) -> str:
    """The flag type as it is compared: "Agent", "AGENT" and " agent " are one type."""
    return (flag_type or "").strip().lower()


_FLAG_SEPARATORS = re.compile(r"[\s_-]+")


def _reason_key(flag_type: str | None) -> str:
    """The flag type as its reason is looked up: runs of spaces, "-" and "_" are one "-",
    so "Safeguard Terminated" is the documented "safeguard-terminated" and
    "FORCED_NO_REASON_PROVIDED" the documented "forced - no reason provided" (the
    heading's words, in ``wording``, read it so too)."""
    return _FLAG_SEPARATORS.sub("-", flag_key(flag_type))


_REASONS_BY_KEY = {_reason_key(code): reason for code, reason in FLAG_REASONS.items()}


def flag_reason(flag_type: str | None) -> tuple[str, str]:
    """(why it was flagged, what may be wrong), in words, for any flag type or none."""
    if not flag_key(flag_type):
        return NO_FLAG_TYPE_REASON
    return _REASONS_BY_KEY.get(_reason_key(flag_type), GENERIC_FLAG_REASON)


#: Why a record has no end time, by the kind of record (one wording everywhere).
OPEN_REASONS: dict[str, str] = {
    "agent": "This agent's end time never reached reporting; times after this point may be wrong.",
    "queue": "This queue's exit time never reached reporting; queue and abandon figures may be "
    "wrong.",
    "segment": "This segment's end time never reached reporting; transfer figures may be wrong.",
    "interaction": "The interaction's end time never reached reporting; its length may be wrong.",
    "hold": "This hold's end time never reached reporting.",
    "monitor": "This monitoring's end time never reached reporting.",
}
LIVE_REASON = "Still going: this part had not ended when the data was fetched."
#: A queue visit with no exit that an agent took the call from: drawn (open) to there.
TAKEN_REASON = (
    "This queue's exit time never reached reporting; {agent} took the call from it at {at},"
    " so the bar stops there. Queue and abandon figures may be wrong."
)


#: Which part of an interaction each flag type concerns.
FLAG_CONCERNS: dict[str, str] = {
    "agent": "agent",
    "queue": "queue",
    "segment": "segment",
    "stuck": "interaction",
}


@dataclass(frozen=True)
class DataProblem:
    """What could not be read, and where.

    ``message`` is the full text, which may quote up to 40 characters of the raw
    value (``quoted``); ``withheld`` says the same without any value, for viewers
    who may not see customer data.
    """

    where: str
    message: str
    #: The part of the raw value that ``message`` quotes, or "" when it quotes none.
    quoted: str = ""
    #: ``message`` with the quoted value replaced by what kind of value it was.
    withheld: str = ""

    def text(self, *, with_value: bool) -> str:
        """The message with its quoted value, or without any value at all."""
        if with_value or not self.quoted:
            return self.message
        return self.withheld or "A value could not be read (value withheld)."

    def without_value(self) -> DataProblem:
        """The same problem, quoting nothing (``message`` becomes the withheld text)."""
        if not self.quoted:
            return self
        return DataProblem(self.where, self.text(with_value=False))


@dataclass(frozen=True)
class Flag:
    flagged: bool
    flag_type: str | None
    timestamp: datetime | None

    @property
    def known(self) -> bool:
        return _reason_key(self.flag_type) in _REASONS_BY_KEY

    @property
    def reason(self) -> str:
        return flag_reason(self.flag_type)[0]

    @property
    def consequence(self) -> str:
        return flag_reason(self.flag_type)[1]

    @property
    def concerns(self) -> str:
        """``agent``, ``queue``, ``segment``, ``interaction`` or ``header``."""
        return FLAG_CONCERNS.get(_reason_key(self.flag_type), "header")


@dataclass(frozen=True)
class Extra:
    """A field the reference does not describe, kept by name."""

    name: str
    value: str


@dataclass(frozen=True)
class Statistic:
    name: str
    label: str
    kind: StatKind
    value: float | bool | str | tuple[float, ...] | None
    unknown: bool = False


@dataclass(frozen=True)
class Segment:
    segment_id: str | None
    number: int | None
    start_type: str | None
    end_type: str | None
    start: datetime | None
    end: datetime | None
    cancelled: bool | None
    cancel_time: float | None
    segment_time: float | None
    agent_id: str | None  # segmentAgentId: who started the segment
    to_agent_id: str | None
    interaction_agent_id: str | None
    consult_time: float | None
    transfer: bool | None
    transfer_time: float | None
    add_participant: bool | None
    add_participant_time: float | None
    add_participant_handed_off: bool | None
    extension_type: str | None
    extension_value: str | None
    third_party: bool | None
    #: The segment's own ``agentId``, when the API sends one beside segmentAgentId.
    handling_agent_id: str | None = None
    extra: tuple[Extra, ...] = ()
    unknown: frozenset[str] = frozenset()

    # The derived values below are read a thousand times per page of a big interaction:
    # each is worked out once per record (the parser stores them as it reads one).

    @cached_property
    def outside(self) -> bool:
        """With a party outside the platform: a third party, or a number dialled out."""
        return with_outside_party(self.third_party, self.extension_type)

    @cached_property
    def customer_hung_up(self) -> bool:
        """Marked cancelled because the customer disconnected during it: the API sets
        ``segmentCancelled`` then too, not only when the agent cancelled the transfer
        or the add ("cancelled")."""
        return hung_up(self.cancelled, self.end_type)


@dataclass(frozen=True)
class QueueVisit:
    queue_visit_id: str | None
    segment_id: str | None
    queue_id: str | None
    queue_name: str | None
    platform_queue_id: str | None
    queue_type: str | None
    entry_type: str | None
    exit_type: str | None
    start: datetime | None
    end: datetime | None
    queue_time: float | None
    abandoned: bool | None
    abandon_time: float | None
    sla_abandoned: bool | None
    sla_time: float | None
    entry_length: float | None
    agent_id: str | None
    extra: tuple[Extra, ...] = ()
    unknown: frozenset[str] = frozenset()

    @cached_property  # once per record, as ``Segment.outside``
    def direct(self) -> bool:
        """A visit to an agent's own line (queue type "resource"): a direct transfer,
        which the API names after the agent, not a queue the customer waited in."""
        return to_own_line(self.queue_type)


@dataclass(frozen=True)
class AgentAllocation:
    interaction_agent_id: str | None
    agent_id: str | None
    agent_name: str | None
    platform_agent_id: str | None
    tenant_agent_id: str | None
    session_id: str | None
    segment_id: str | None
    queue_id: str | None
    start: datetime | None
    end: datetime | None
    work_cancel_time: float | None
    extra: tuple[Extra, ...] = ()
    unknown: frozenset[str] = frozenset()


@lru_cache(maxsize=512)  # a few codes, read for every record
def _lowered(code: str | None) -> str:
    return (code or "").strip().lower()


@lru_cache(maxsize=512)
def _dashed(code: str | None) -> str:
    return (code or "").strip().lower().replace("_", "-").replace(" ", "-")


def with_outside_party(third_party: bool | None, extension_type: str | None) -> bool:
    """``Segment.outside`` of a segment with these fields."""
    return bool(third_party) or _lowered(extension_type) == "pstn"


def hung_up(cancelled: bool | None, end_type: str | None) -> bool:
    """``Segment.customer_hung_up`` of a segment with these fields."""
    return bool(cancelled) and _dashed(end_type) == "customer-disconnect"


def to_own_line(queue_type: str | None) -> bool:
    """``QueueVisit.direct`` of a visit of this queue type."""
    return _lowered(queue_type) == "resource"


def told_apart(agents: tuple[AgentAllocation, ...]) -> tuple[AgentAllocation, ...]:
    """The allocations with each name that two or more agents (different IDs) share made
    one of its own: "Alex Kim (agent 2f0a11b2)", the ID's start as an agent sent without a
    name is called. An agent is who the ID says; the page, its timeline rows, its totals
    and the index all go by name, so two people sent as "Alex Kim" must not read as one
    who had the interaction twice. One agent sent twice under one name keeps it alone."""
    ids: dict[str, set[str]] = {}
    for a in agents:
        if a.agent_id and a.agent_name and a.agent_name.strip():
            ids.setdefault(a.agent_name.strip().casefold(), set()).add(a.agent_id.lower())
    shared = {name for name, held in ids.items() if len(held) > 1}
    if not shared:
        return agents
    return tuple(
        replace(a, agent_name=f"{a.agent_name.strip()} ({wording.unnamed_agent(a.agent_id)})")
        if a.agent_id and a.agent_name and a.agent_name.strip().casefold() in shared
        else a
        for a in agents
    )


@dataclass(frozen=True)
class HoldInterval:
    start: datetime | None
    end: datetime | None
    duration: float | None


@dataclass(frozen=True)
class Monitor:
    """Someone listening in (a supervisor monitoring): an entry of ``monitors`` sent as a
    record with a name and a start. Not time with the customer: nobody spoke to them.
    Its other fields stay in the raw JSON (masked there by the one policy)."""

    name: str
    agent_id: str | None
    start: datetime | None
    end: datetime | None
    monitor_type: str | None
    unknown: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Hook:
    interaction_hook_id: str | None
    hook_type: str | None
    hook_sub_type: str | None
    hook_id: str | None
    hook_name: str | None
    hooked_by: str | None
    agent_id: str | None
    timestamp: datetime | None
    unknown: frozenset[str] = frozenset()


@dataclass(frozen=True)
class OutboundIdentifier:
    interaction_outbound_identifier_id: str | None
    outbound_identifier_id: str | None
    value: str | None
    name: str | None
    unknown: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TranscriptMessage:
    timestamp: datetime | None
    sender: str  # customer, agent, system, or what the API said
    sender_name: str | None
    text: str


@dataclass(frozen=True)
class Transcript:
    messages: tuple[TranscriptMessage, ...] = ()
    #: Set when the API sent the transcript as one block of text.
    text: str | None = None


@dataclass(frozen=True)
class Interaction:
    tenant_id: str | None
    interaction_id: str | None
    flow_id: str | None
    flow_name: str | None
    channel_type: str | None
    direction: str | None
    customer: str | None
    contact_point: str | None
    contact_id: str | None
    start: datetime | None
    end: datetime | None
    data_complete: bool | None
    flag: Flag | None
    segments: tuple[Segment, ...] = ()
    queues: tuple[QueueVisit, ...] = ()
    agents: tuple[AgentAllocation, ...] = ()
    holds: tuple[HoldInterval, ...] = ()
    hooks: tuple[Hook, ...] = ()
    outbound_identifier: OutboundIdentifier | None = None
    transcript: Transcript | None = None
    notes: str | None = None
    disposition_id: str | None = None
    disposition_name: str | None = None
    #: Every disposition of a list sent as ``dispositions`` (several picked over the
    #: interaction), in the order sent; ``disposition_name`` then says them all.
    dispositions: tuple[str, ...] = ()
    audio_recording: str | None = None
    csat: str | None = None
    campaign_id: str | None = None
    lead_id: str | None = None
    updated: datetime | None = None
    ivr_time: float | None = None
    interaction_time: float | None = None
    hold_count: float | None = None
    hold_time: float | None = None
    monitors: tuple[str, ...] = ()
    #: Positions in ``monitors`` of entries of a shape the reference does not describe
    #: (shown as their JSON, so they may hold anything).
    monitors_undescribed: frozenset[int] = frozenset()
    #: The monitors sent with times (listening in), in the order sent.
    monitorings: tuple[Monitor, ...] = ()
    attributes: tuple[Extra, ...] = ()
    artifacts_summary: tuple[Extra, ...] = ()
    statistics: tuple[Statistic, ...] = ()
    other_statistics: tuple[Statistic, ...] = ()
    problems: tuple[DataProblem, ...] = field(default=())
    unknown: frozenset[str] = frozenset()
    #: True when contact details and conversations were masked for this viewer.
    redacted: bool = False

    @property
    def flagged(self) -> bool:
        return bool(self.flag and self.flag.flagged)

    @property
    def in_progress(self) -> bool:
        """Still going: the data is not complete, and the platform has not flagged it
        Stuck (its end never reached reporting: it is over, its end unknown)."""
        if self.data_complete is not False:
            return False
        return not (
            self.flag is not None and self.flag.flagged and self.flag.concerns == "interaction"
        )

    @property
    def placed(self) -> bool:
        """The agent placed the contact (``placed_by_agent``): for templates."""
        return placed_by_agent(self)

    @property
    def duration(self) -> float | None:
        if self.start and self.end:
            return (self.end - self.start).total_seconds()
        return None


@dataclass(frozen=True)
class Summary:
    """One row of a list of interactions: what the flagged list shows."""

    interaction_id: str
    start: datetime | None
    end: datetime | None
    channel_type: str | None
    direction: str | None
    flow_name: str | None
    customer: str | None
    flag: Flag | None
    interaction_time: float | None = None
    #: Agents who handled it and queues it waited in, by name, in the order the API lists them.
    agent_names: tuple[str, ...] = ()
    queue_names: tuple[str, ...] = ()

    @property
    def flagged(self) -> bool:
        return bool(self.flag and self.flag.flagged)

    @property
    def duration(self) -> float | None:
        """From start to end; the API's own figure where either is unknown or the end comes
        before the start (a length that cannot be worked out, as on the interaction's page)."""
        if self.start and self.end and self.end >= self.start:
            return (self.end - self.start).total_seconds()
        return self.interaction_time


@dataclass(frozen=True)
class ListPage:
    """One page of the list endpoint."""

    #: Interactions in the whole list, as the API says; None when it does not.
    total: int | None
    offset: int
    limit: int
    results: tuple[Summary, ...]
    skipped: int = 0  # results that were not readable interactions


def statistic_number(i: Interaction, name: str) -> float | None:
    """The statistic ``name`` as a number, when the API sent one that could be read."""
    for s in i.statistics:
        if s.name == name and not s.unknown:
            value = s.value
            if isinstance(value, bool) or not isinstance(value, int | float):
                return None
            return float(value)
    return None


def _code(value: str | None) -> str:
    return (value or "").strip().lower()


def placed_by_agent(i: Interaction) -> bool:
    """Whether the agent placed the contact: an outbound call, or a contact an agent
    began ("agent-initiated"), in any case or spacing. The one rule the story, the
    timeline and the facts ask."""
    return wording.placed_direction(i.direction)


#: Seconds a text channel's flow must hold the customer to be drawn or counted: the API
#: says "ivr" for their queue entry and sends a second or two of "IVR time".
FLOW_SHOWN = 10.0


def ivr_handed_over(i: Interaction) -> datetime | None:
    """When the IVR first put the customer in a queue (the earliest visit entered from
    it), None when none was: with no IVR time sent, the time before it is the IVR's (the
    timeline draws it, the time bar counts it)."""
    entered = [q.start for q in i.queues if q.start and _code(q.entry_type) == "ivr"]
    return min(entered) if entered else None


def never_answered(i: Interaction) -> bool:
    """A call the agent placed (outbound or agent-initiated), or a callback, the customer
    never picked up: the API says the customer spent no time with an agent (conversation
    time 0, or no talk and no holds). A callback counts when no agent took the customer
    from any other queue visit: the agents only ever called them."""
    placed = placed_by_agent(i) and not i.queues
    called_back = any(_code(q.entry_type) == "callback" for q in i.queues) and not any(
        q.agent_id for q in i.queues if _code(q.entry_type) != "callback"
    )
    if not (placed or called_back) or not i.agents:
        return False
    conversation = statistic_number(i, "customerConversationTime")
    if conversation is not None:
        return conversation == 0
    talk = statistic_number(i, "customerTalkTime")
    holds = i.hold_count if "hold_count" not in i.unknown else None
    return talk == 0 and not holds


#: The last few interactions' ``unaccepted_offers``, by identity: the story, the timeline,
#: the index and the lists each ask for it, several times per page of a big interaction.
_OFFERS: dict[int, tuple[Interaction, frozenset[int]]] = {}


def unaccepted_offers(i: Interaction) -> frozenset[int]:
    """See ``_unaccepted_offers``; remembered for the same interaction object."""
    known = _OFFERS.get(id(i))
    if known is not None and known[0] is i:
        return known[1]
    found = _unaccepted_offers(i)
    if len(_OFFERS) >= 8:
        _OFFERS.clear()
    _OFFERS[id(i)] = (i, found)
    return found


#: Visits to one queue (or of one segment): their starts in order, and the latest exit
#: of any of them up to each.
_Waits = tuple[list[datetime], list[datetime]]


def _note_wait(waits: dict[str, _Waits], key: str, start: datetime, end: datetime) -> None:
    found = waits.get(key)
    if found is None:
        waits[key] = ([start], [end])
        return
    starts, latest = found
    starts.append(start)
    last = latest[-1]
    latest.append(last if last > end else end)


def _unaccepted_offers(i: Interaction) -> frozenset[int]:
    """The allocations (by ``id()``) that were offers the agent never accepted: those the
    API says were withdrawn (``agentWorkCancelTime``), and those that began and ended
    while the customer was still waiting in the queue visit they came from (the visit of
    the allocation's queue, or else of its segment, that started by the allocation's
    start and exited after its end). The API sends an offer the agent rejected or let
    time out as an ordinary allocation; the customer never had that agent."""
    out = {id(a) for a in i.agents if a.work_cancel_time is not None}
    by_queue: dict[str, _Waits] = {}
    by_segment: dict[str, _Waits] = {}
    for q in sorted([q for q in i.queues if q.start and q.end], key=attrgetter("start")):
        start, end = q.start, q.end
        if start is None or end is None:  # never: for the checker
            continue
        if q.queue_id:
            _note_wait(by_queue, q.queue_id, start, end)
        if q.segment_id:
            _note_wait(by_segment, q.segment_id, start, end)
    if not by_queue and not by_segment:
        return frozenset(out)
    for a in i.agents:
        begin, finish = a.start, a.end
        if begin is None or finish is None or finish < begin or id(a) in out:
            continue
        found = by_queue.get(a.queue_id) if a.queue_id else by_segment.get(a.segment_id or "")
        if found is None:
            continue
        starts, latest = found
        k = bisect_right(starts, begin)
        if k and latest[k - 1] > finish:
            out.add(id(a))
    return frozenset(out)


def _queue_key(q: QueueVisit) -> str | None:
    return f"id:{q.queue_id}" if q.queue_id else (f"name:{q.queue_name}" if q.queue_name else None)


def taken_from(i: Interaction) -> dict[int, AgentAllocation]:
    """For each queue visit whose exit never arrived (by ``id()``), the allocation by
    which an agent took the call from it, if the data shows one: the first allocation
    (not an offer never accepted) from that queue, or to the agent the visit names, that
    began at or after the visit's start and before the next visit to the same queue.

    The customer left the queue there at the latest; the exit time itself stays
    unknown.
    """
    open_visits = [(q, q.start) for q in i.queues if q.end is None and q.start is not None]
    if not open_visits:
        return {}
    visits: dict[str, list[datetime]] = {}
    for v in i.queues:
        key = _queue_key(v)
        if key is not None and v.start is not None:
            visits.setdefault(key, []).append(v.start)
    for starts in visits.values():
        starts.sort()
    takers: dict[str, list[tuple[datetime, int]]] = {}
    refused = unaccepted_offers(i)
    for n, a in enumerate(i.agents):
        if id(a) in refused or a.start is None:
            continue
        if a.queue_id:
            takers.setdefault(f"queue:{a.queue_id}", []).append((a.start, n))
        elif a.agent_id:  # no queue named: only the agent the visit names
            takers.setdefault(f"agent:{a.agent_id}", []).append((a.start, n))
    for found in takers.values():
        found.sort()
    out: dict[int, AgentAllocation] = {}
    for q, start in open_visits:
        key = _queue_key(q)
        starts = visits.get(key, []) if key is not None else []
        k = bisect_right(starts, start)
        bound = starts[k] if k < len(starts) else None
        best: tuple[datetime, int] | None = None
        for look in (
            f"queue:{q.queue_id}" if q.queue_id else "",
            f"agent:{q.agent_id}" if q.agent_id else "",
        ):
            found = takers.get(look, []) if look else []
            j = bisect_left(found, (start, -1))
            if (
                j < len(found)
                and (bound is None or found[j][0] < bound)
                and (best is None or found[j] < best)
            ):
                best = found[j]
        if best is not None:
            out[id(q)] = i.agents[best[1]]
    return out


#: A queue exit after which the customer is no longer in the flow's hands: an answer,
#: a hang-up, a callback (off the line), the end, or a cancelled consult (with the agent).
_EXITS_NOT_TO_THE_FLOW = frozenset(
    ("", "success", "abandon", "callback", "interaction-end", "add-participant-cancel")
)
_CLOCK_SLACK = timedelta(seconds=2)


def ivr_returns(i: Interaction) -> list[tuple[QueueVisit, QueueVisit | None, datetime, datetime]]:
    """Stints back in the IVR (or flow) after a queue visit left unanswered: (the visit
    left, the visit the flow put the customer in next or None, from, to).

    Between two visits: the first left unanswered and taken by nobody, the next entered
    from the IVR. After the last visit: it timed out back to the flow, nobody had the
    customer after it, the interaction ended later, and the IVR time sent counts that
    stretch too (a voicemail, a message played before the flow hangs up)."""
    timed = sorted(
        (q for q in i.queues if q.start is not None), key=lambda q: q.start or datetime.min
    )
    out: list[tuple[QueueVisit, QueueVisit | None, datetime, datetime]] = []
    for n, q in enumerate(timed):
        nxt = timed[n + 1] if n + 1 < len(timed) else None
        if q.end is None or q.agent_id or _code(q.exit_type or "success") == "success":
            continue
        if nxt is not None:
            if _code(nxt.entry_type) == "ivr" and nxt.start is not None and q.end < nxt.start:
                out.append((q, nxt, q.end, nxt.start))
            continue
        if i.end is None or i.end - q.end < _CLOCK_SLACK:
            continue
        if _code(q.exit_type) in _EXITS_NOT_TO_THE_FLOW or _code(q.entry_type) == "callback":
            continue
        if any(
            a.start is None or a.start >= q.end or a.end is None or a.end > q.end + _CLOCK_SLACK
            for a in i.agents
        ):
            continue  # an agent still had (or later took) the customer
        first = timed[0].start if _code(timed[0].entry_type) == "ivr" else None
        before = (first - i.start).total_seconds() if first and i.start else 0.0
        after = (i.end - q.end).total_seconds()
        if i.ivr_time is not None and i.ivr_time >= before + after - 2 * _CLOCK_SLACK.seconds:
            out.append((q, None, q.end, i.end))
    return out


def hung_up_on_offer(i: Interaction) -> frozenset[int]:
    """The offers (allocations by ``id()``) the API says ended before the agent accepted
    (``agentWorkCancelTime``) because the customer hung up: the offer ended as a queue
    visit was abandoned or a segment ended by the customer's disconnect. Nobody withdrew
    them; the customer hung up while the work was offered (the call rang at the agent).
    The reference gives that time two causes (the agent's disconnect, the customer's);
    only the customer's shows in the records."""
    offers = [a for a in i.agents if a.work_cancel_time is not None]
    if not offers:
        return frozenset()
    hang_ups = [
        q.end
        for q in i.queues
        if q.end is not None and (q.abandoned or _dashed(q.exit_type) == "abandon")
    ]
    hang_ups += [
        s.end
        for s in i.segments
        if s.end is not None and _dashed(s.end_type) == "customer-disconnect"
    ]
    out = set()
    for a in offers:
        ended = offer_end(a)
        if ended is not None and any(abs(ended - at) <= _CLOCK_SLACK for at in hang_ups):
            out.add(id(a))
    return frozenset(out)


def next_hold(i: Interaction, n: int) -> datetime | None:
    """When the first hold after the hold at ``n`` (in time order) began, if one did: a
    hold with no end had ended by then (the timeline draws it open to there, the time
    bar counts it unknown to there)."""
    begun = i.holds[n].start
    for later in i.holds[n + 1 :]:
        if later.start is not None and begun is not None and later.start > begun:
            return later.start
    return None


def offer_end(a: AgentAllocation) -> datetime | None:
    """When an offer ended: its end, or else its start and agentWorkCancelTime."""
    if a.end is not None or a.start is None or a.work_cancel_time is None:
        return a.end
    return a.start + timedelta(seconds=a.work_cancel_time)


def inside_own(i: Interaction) -> frozenset[int]:
    """The allocations (by ``id()``) that lie wholly within an earlier, longer one of the
    same agent that was not an offer never accepted: the agent already had the work, so
    their time is counted once, in the one around them (as the interaction's page counts
    it). An allocation that ends before it starts lies within nothing."""
    refused = unaccepted_offers(i)
    spans = sorted(
        (a.start, -(a.end - a.start).total_seconds(), n, a)
        for n, a in enumerate(i.agents)
        if id(a) not in refused
        and a.agent_id
        and a.start is not None
        and a.end is not None
        and a.end >= a.start
    )
    out: set[int] = set()
    outer: dict[str, datetime] = {}
    for *_, a in spans:  # the longer first at one start
        if a.agent_id is None or a.end is None:
            continue
        until = outer.get(a.agent_id)
        if until is not None and a.end <= until:
            out.add(id(a))
        else:
            outer[a.agent_id] = a.end
    return frozenset(out)
