"""Raw CxEngage JSON -> domain objects: the only module that knows field names.

Tolerant by design, because the API is: nulls, missing and unknown fields,
numbers sent as strings, timestamps with or without milliseconds or offsets,
``agents`` at the top level or inside ``details``, a transcript as messages or
as text. A value that is present but unreadable becomes ``None``, its name goes
into the record's ``unknown`` set, and a ``DataProblem`` says what was wrong.
Only a body that is not a JSON object is refused (``BadResponse``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, TypeVar

from dashboard.cxengage.errors import BadResponse

from . import formatting as fmt
from . import masking  # the masks are the policy's; the field names are ours
from .domain import (
    AgentAllocation,
    DataProblem,
    Extra,
    Flag,
    HoldInterval,
    Hook,
    Interaction,
    ListPage,
    Monitor,
    OutboundIdentifier,
    QueueVisit,
    Segment,
    Statistic,
    StatKind,
    Summary,
    Transcript,
    TranscriptMessage,
    hung_up,
    to_own_line,
    told_apart,
    with_outside_party,
)

T = TypeVar("T")

_TS = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)
_MAX_TEXT = 100_000  # notes and transcripts
_MAX_VALUE = 1_000  # names, types, IDs and other one-line values
#: What the page may say of a value it shows: longer ones were cut to these lengths.
MAX_TEXT, MAX_VALUE = _MAX_TEXT, _MAX_VALUE


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` characters, with an ellipsis where it was cut; no NUL bytes."""
    if "\x00" in text:  # never shown, and PostgreSQL refuses them (audit labels)
        text = text.replace("\x00", "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Top-level fields the page shows in their own places (not as statistics).
_INTERACTION_FIELDS = frozenset(
    {
        "tenantId",
        "interactionId",
        "flowId",
        "flowName",
        "channelType",
        "direction",
        "customer",
        "contactPoint",
        "contactId",
        "startTimestamp",
        "endTimestamp",
        "start",
        "end",
        "dataComplete",
        "flagged",
        "flagType",
        "flagTimestamp",
        "segments",
        "queues",
        "agents",
        "details",
        "hooks",
        "outboundIdentifier",
        "messagingTranscript",
        "notes",
        "dispositionId",
        "dispositionName",
        "dispositions",
        "audioRecording",
        "csat",
        "campaignId",
        "leadId",
        "updated",
        "monitors",
        "interactionAttributes",
        "artifactsSummary",
        "customerHoldTimes",
    }
)

# Statistics described by the reference or our notes: name, label, kind.
_KNOWN_STATISTICS: tuple[tuple[str, str, StatKind], ...] = (
    ("interactionTime", "Interaction time", "duration"),
    ("ivrTime", "IVR time", "duration"),
    ("ivrAbandoned", "Abandoned in IVR", "flag"),
    ("ivrAbandonTime", "IVR abandon time", "duration"),
    ("customerAbandonTime", "Customer abandon time", "duration"),
    ("customerConversationTime", "Conversation time", "duration"),
    ("customerTalkTime", "Talk time", "duration"),
    ("customerTalkTimes", "Talk times", "durations"),
    ("customerHolds", "Holds", "count"),
    ("customerHoldTime", "Hold time", "duration"),
    ("customerHoldAbandoned", "Abandoned on hold", "flag"),
    ("customerTransfers", "Transfers", "count"),
    ("customerResponseTimes", "Response times", "durations"),
    ("thirdPartyTime", "Third-party time", "duration"),
    ("customerSatisfactionScore", "Customer satisfaction score", "score"),
)
_KNOWN_STAT_NAMES = frozenset(name for name, _, _ in _KNOWN_STATISTICS)


class _Reader:
    """Reads one JSON object's fields, noting what could not be read."""

    __slots__ = ("data", "problems", "unknown", "used", "where")  # one per record read

    def __init__(self, data: dict[str, Any], where: str, problems: list[DataProblem]):
        self.data = data
        self.where = where
        self.problems = problems
        self.unknown: set[str] = set()
        self.used: set[str] = set()

    def _bad(self, attr: str, key: str, value: Any, expected: str) -> None:
        self.unknown.add(attr)
        self.problems.append(
            _quoting(
                self.where,
                f"“{key}” should be {expected} but was {{value}}; shown as unknown.",
                value,
            )
        )

    # The readers below look the key up themselves rather than through raw(): a parse
    # makes about a hundred of these calls per interaction (the index reads thousands a second).

    def raw(self, key: str) -> Any:
        self.used.add(key)
        return self.data.get(key)

    def text(self, key: str, attr: str | None = None, *, limit: int = _MAX_VALUE) -> str | None:
        # The most called reader (a big interaction has tens of thousands of text
        # fields): ``raw`` inlined, and a short clean text returned as it is.
        self.used.add(key)
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            if len(value) <= limit and "\x00" not in value:
                return value
            return _cut(value, limit)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return _number_text(value)
        self._bad(attr or key, key, value, "text")
        return None

    def number(self, key: str, attr: str | None = None) -> float | None:
        self.used.add(key)
        value = self.data.get(key)
        if value is None:
            return None
        parsed = _to_number(value)
        if parsed is None:
            self._bad(attr or key, key, value, "a number")
        return parsed

    def integer(self, key: str, attr: str | None = None) -> int | None:
        value = self.number(key, attr)
        if value is None:
            return None
        if value != int(value):
            self._bad(attr or key, key, value, "a whole number")
            return None
        return int(value)

    def boolean(self, key: str, attr: str | None = None) -> bool | None:
        self.used.add(key)
        value = self.data.get(key)
        if value is None:
            return None
        parsed = _to_bool(value)
        if parsed is None:
            self._bad(attr or key, key, value, "true or false")
        return parsed

    def timestamp(self, key: str, attr: str | None = None) -> datetime | None:
        self.used.add(key)
        value = self.data.get(key)
        if value is None or value == "":
            return None
        parsed = _to_datetime(value)
        if parsed is None:
            year = _impossible_year(value)
            if year is None:
                self._bad(attr or key, key, value, "a date and time")
            else:  # a date and time, but of no contact center's: said as such
                self.unknown.add(attr or key)
                self.problems.append(
                    _quoting(
                        self.where,
                        f"“{key}” is {{value}}, a date in the year {year}, which no"
                        " interaction has; shown as unknown.",
                        value,
                    )
                )
        return parsed

    def fields(self, spec: _Spec) -> dict[str, Any]:
        """Several fields at once, attribute -> value, each read by its reader in the
        spec's order (the order in which their problems are listed). A record whose
        values are all plain is read by ``_plain`` instead, without a reader."""
        return {attr: getattr(self, kind)(key, attr) for key, attr, kind in spec.readers}

    def objects(self, key: str, value: Any = None) -> list[dict[str, Any]]:
        value = self.raw(key) if value is None else value
        if value is None:
            return []
        if not isinstance(value, list):
            self._bad(key, key, value, "a list")
            return []
        good = [item for item in value if isinstance(item, dict)]
        if value and not good:
            self.unknown.add(key)  # records were sent, and none could be read
        if len(good) != len(value):
            self.problems.append(
                DataProblem(
                    self.where,
                    f"“{key}” had {len(value) - len(good)} entries that are not records; skipped.",
                )
            )
        return good

    def extras(self) -> tuple[Extra, ...]:
        if self.data.keys() <= self.used:
            return ()  # the usual case, without a look at each key
        return tuple(
            Extra(key, _display(value))
            for key, value in self.data.items()
            if key not in self.used and isinstance(key, str)
        )


def _preview(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _kind_of(value: Any) -> str:
    """What sort of JSON value ``value`` is, in words, without any of it."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "empty text" if not value else "text"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return "null" if value is None else "a value of another kind"


def _quoting(where: str, template: str, value: Any) -> DataProblem:
    """A problem whose ``template`` quotes ``value`` at ``{value}``, and a version without it."""
    quoted = _preview(value)
    return DataProblem(
        where,
        template.replace("{value}", quoted),
        quoted=quoted,
        withheld=template.replace("{value}", f"{_kind_of(value)} (value withheld)"),
    )


def _number_text(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _display(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return _cut(value, _MAX_VALUE)
    if isinstance(value, (int, float)):
        return _number_text(value)
    try:
        return _cut(json.dumps(value, ensure_ascii=False), _MAX_VALUE)
    except (TypeError, ValueError):
        return "unknown"


def _to_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        result = float(value) if abs(value) < 1e300 else math.inf
    elif isinstance(value, str):
        try:
            result = float(value.strip())
        except (ValueError, OverflowError):
            return None
    else:
        return None
    return result if math.isfinite(result) else None


def _to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.strip().lower() in ("true", "1", "yes")
    return None


#: The separators of the API's usual timestamp form, ``2017-12-07T19:20:33.394Z``, from
#: its first dash to its dot: they are three characters apart, so one slice has them all.
_CANONICAL_SEPARATORS = frozenset({"--T::.", "-- ::."})


def _moment(value: Any, moments: dict[str, datetime]) -> datetime | None:
    """A plain record's timestamp: a text read once per interaction (``moments`` holds
    those read already); None when it is not a text or not readable, for the reader
    to deal with."""
    if value.__class__ is not str:
        return None
    moment = moments.get(value)
    if moment is None:
        moment = _to_datetime(value)
        if moment is not None:
            moments[value] = moment
    return moment


def _to_datetime(value: Any) -> datetime | None:
    if (
        value.__class__ is str
        and len(value) == 24
        and value[4:20:3] in _CANONICAL_SEPARATORS
        and value[23] == "Z"
        and value.isascii()
    ):
        # The API's usual form (ASCII, 24 characters, the separators in place; the digits
        # between them are checked by the C parser): what ``datetime.fromisoformat``
        # accepts here ``_read_timestamp`` reads alike, at a sixth of the cost.
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            # 30 February, hour 24, but also ".39 Z", which the general reader takes.
            return _read_timestamp(value)
        return moment if 1970 <= moment.year <= 2200 else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # Epoch seconds or milliseconds; anything outside 1990..2200 is noise.
        if not -1e15 < value < 1e15:
            return None
        seconds = value / 1000 if value > 1e11 else value
        if not (631_152_000 <= seconds <= 7_258_118_400):
            return None
        return datetime.fromtimestamp(seconds, UTC)
    if not isinstance(value, str):
        return None
    return _read_timestamp(value)


def _impossible_year(value: Any) -> int | None:
    """The year of a timestamp written in a form the API uses but outside 1970–2200
    (``_read_timestamp`` reads no other), else None."""
    match = _TS.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None
    year = int(match.group(1))
    return None if 1970 <= year <= 2200 else year


def _read_timestamp(value: str) -> datetime | None:
    """Any timestamp form the API has been seen to send (``_TS``), in UTC."""
    match = _TS.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if not 1970 <= int(year) <= 2200:
        return (
            None  # not a contact-center timestamp; and year 1 or 9999 breaks time-zone arithmetic
        )
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    # A leap second (":60", which ISO 8601 allows and Python's datetime does not) is
    # read as the second after :59, so the record keeps its end rather than lose it.
    leap = int(second or 0) == 60
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            59 if leap else int(second or 0),
            micro,
            tzinfo=UTC,
        ) + timedelta(seconds=1 if leap else 0)
    except (ValueError, OverflowError):
        return None
    if zone and zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        if hours > 23 or minutes > 59:
            return None
        try:
            moment -= sign * timedelta(hours=hours, minutes=minutes)
        except OverflowError:
            return None
    return moment


def _each(
    reader: _Reader, key: str, build: Callable[[dict[str, Any], int], T], value: Any = None
) -> tuple[T, ...]:
    return tuple(build(item, i) for i, item in enumerate(reader.objects(key, value)))


def _data_text(data: dict[str, Any], key: str) -> str | None:
    """A text field read without noting problems (its reader notes them)."""
    value = data.get(key)
    return _cut(value, _MAX_VALUE) if isinstance(value, str) else None


def _record(cls: type[T], values: dict[str, Any], r: _Reader) -> T:
    """``cls(**values, extra=…, unknown=…)`` for the records a big interaction has
    thousands of, without the frozen dataclass's ``__init__`` (one ``object.__setattr__``
    per field: a third of the cost of reading a record). ``values`` has every other
    field (the parsing tests check it); ``extra`` and ``unknown`` are left to their
    class defaults when there is nothing in them (see ``_new``)."""
    extra = r.extras()
    if extra:
        values["extra"] = extra
    if r.unknown:
        values["unknown"] = frozenset(r.unknown)
    return _new(cls, values)


def _new(cls: type[T], values: dict[str, Any]) -> T:
    """``cls(**values)`` without the frozen dataclass's ``__init__``.

    A plain record (``_plain``) leaves out ``extra`` and ``unknown``: their class
    defaults, (), and an empty set, say the same. Its values are then only texts,
    numbers and times, which the garbage collector need not walk: a big interaction
    has hundreds of records, kept for the whole page (and the collector's full passes
    over the whole process come that much less often)."""
    new: T = object.__new__(cls)
    new.__dict__.update(values)
    return new


class _Spec(NamedTuple):
    """How a record is read: (key, attribute, reader) per field, in the order the
    fields are read (the order in which their problems are listed); every attribute,
    unread, in the readers' order; and for ``_plain``, key -> attribute of the texts,
    the timestamps, the numbers and the flags, and every key the record may have
    (with those read apart)."""

    readers: tuple[tuple[str, str, str], ...]
    blank: dict[str, Any]
    texts: dict[str, str]
    timestamps: dict[str, str]
    numbers: dict[str, str]
    booleans: dict[str, str]
    keys: frozenset[str]


def _spec(*readers: tuple[str, str, str], also: tuple[str, ...] = ()) -> _Spec:
    """The spec of a record read by ``readers``, which may also have the keys ``also``
    (read apart)."""

    def of(kind: str) -> dict[str, str]:
        return {key: attr for key, attr, read_as in readers if read_as == kind}

    return _Spec(
        readers,
        dict.fromkeys(attr for _, attr, _ in readers),
        of("text"),
        of("timestamp"),
        of("number"),
        of("boolean"),
        frozenset(key for key, _, _ in readers).union(also),
    )


def _plain(
    data: dict[str, Any], spec: _Spec, moments: dict[str, datetime]
) -> dict[str, Any] | None:
    """A record's fields, attribute -> value, when each is missing or plain (a short clean
    text, an ID sent as a whole number, true or false, an ordinary number, a readable
    timestamp) and the record has no other keys: what the readers would make of them,
    with nothing to note. None otherwise: the record is then read by its readers.

    A big interaction has hundreds of records, nearly all of them plain: only the keys
    sent are looked at, each in the table of its kind (texts, the most sent, first).
    ``moments`` holds the timestamps already read in this interaction (a queue visit
    ends when its agent's allocation starts, and so on)."""
    texts, timestamps, numbers = spec.texts, spec.timestamps, spec.numbers
    out = spec.blank.copy()
    for key, value in data.items():
        if value is None:
            if key not in spec.keys:
                return None  # a key the record should not have: its reader keeps it
            continue
        attr = texts.get(key)
        if attr is not None:
            if value.__class__ is str:
                if len(value) > _MAX_VALUE or "\x00" in value:
                    return None
                out[attr] = value
            elif value.__class__ is int:
                out[attr] = str(value)  # as ``_number_text`` writes it
            else:
                return None
            continue
        attr = timestamps.get(key)
        if attr is not None:
            moment = _moment(value, moments)
            if moment is None:
                return None
            out[attr] = moment
            continue
        attr = numbers.get(key)
        if attr is not None:
            if not (
                (value.__class__ is float or value.__class__ is int) and -1e300 < value < 1e300
            ):
                return None
            out[attr] = float(value)
            continue
        attr = spec.booleans.get(key)
        if attr is not None:
            if value.__class__ is not bool:
                return None
            out[attr] = value
        elif key not in spec.keys:
            return None  # as above
    return out


_SEGMENT_FIELDS = _spec(
    ("interactionSegmentId", "segment_id", "text"),
    ("segmentStartType", "start_type", "text"),
    ("segmentEndType", "end_type", "text"),
    ("startTimestamp", "start", "timestamp"),
    ("endTimestamp", "end", "timestamp"),
    ("segmentCancelled", "cancelled", "boolean"),
    ("segmentCancelTime", "cancel_time", "number"),
    ("segmentTime", "segment_time", "number"),
    ("segmentAgentId", "agent_id", "text"),
    ("agentId", "handling_agent_id", "text"),
    ("segmentToAgentId", "to_agent_id", "text"),
    ("interactionAgentId", "interaction_agent_id", "text"),
    ("segmentConsultTime", "consult_time", "number"),
    ("transfer", "transfer", "boolean"),
    ("transferTime", "transfer_time", "number"),
    ("addParticipant", "add_participant", "boolean"),
    ("addParticipantTime", "add_participant_time", "number"),
    ("addParticipantHandedOff", "add_participant_handed_off", "boolean"),
    ("segmentExtensionType", "extension_type", "text"),
    ("segmentExtensionValue", "extension_value", "text"),
    ("segmentThirdParty", "third_party", "boolean"),
    also=("segmentNumber",),
)

_QUEUE_FIELDS = _spec(
    ("interactionQueueId", "queue_visit_id", "text"),
    ("interactionSegmentId", "segment_id", "text"),
    ("queueId", "queue_id", "text"),
    ("queueName", "queue_name", "text"),
    ("platformQueueId", "platform_queue_id", "text"),
    ("queueType", "queue_type", "text"),
    ("queueEntryType", "entry_type", "text"),
    ("queueExitType", "exit_type", "text"),
    ("startTimestamp", "start", "timestamp"),
    ("endTimestamp", "end", "timestamp"),
    ("queueTime", "queue_time", "number"),
    ("queueAbandoned", "abandoned", "boolean"),
    ("queueAbandonTime", "abandon_time", "number"),
    ("slaAbandoned", "sla_abandoned", "boolean"),
    ("slaTime", "sla_time", "number"),
    ("queueEntryLength", "entry_length", "number"),
    ("agentId", "agent_id", "text"),
)

_AGENT_FIELDS = _spec(
    ("interactionAgentId", "interaction_agent_id", "text"),
    ("agentId", "agent_id", "text"),
    ("agentName", "agent_name", "text"),
    ("platformAgentId", "platform_agent_id", "text"),
    ("tenantAgentId", "tenant_agent_id", "text"),
    ("sessionId", "session_id", "text"),
    ("interactionSegmentId", "segment_id", "text"),
    ("queueId", "queue_id", "text"),
    ("startTimestamp", "start", "timestamp"),
    ("endTimestamp", "end", "timestamp"),
    ("agentWorkCancelTime", "work_cancel_time", "number"),
)

#: Each record's attributes by the API field each is read from. A hold's length
#: (``holdTime`` or ``duration``) and a monitor's name (one of several keys) have no
#: one field, so none is named.
_SENT_AS: dict[type, dict[str, str]] = {
    Segment: {attr: key for key, attr, _ in _SEGMENT_FIELDS.readers} | {"number": "segmentNumber"},
    QueueVisit: {attr: key for key, attr, _ in _QUEUE_FIELDS.readers},
    AgentAllocation: {attr: key for key, attr, _ in _AGENT_FIELDS.readers},
    HoldInterval: {"start": "startTimestamp", "end": "endTimestamp"},
    Monitor: {
        "agent_id": "agentId",
        "start": "startTimestamp",
        "end": "endTimestamp",
        "monitor_type": "monitorType",
    },
}


def sent_as(record: object, attribute: str) -> str:
    """The API field ``record``'s ``attribute`` is read from ("segmentAgentId"), or ""
    when it has no one field."""
    return _SENT_AS.get(type(record), {}).get(attribute, "")


def _segments(
    items: list[dict[str, Any]], problems: list[DataProblem], moments: dict[str, datetime]
) -> tuple[Segment, ...]:
    """Each record read as ``_segment`` reads it; a plain one without a reader."""
    segments = []
    for index, data in enumerate(items):
        number = data.get("segmentNumber")
        values = (
            _plain(data, _SEGMENT_FIELDS, moments)
            if number is None or (number.__class__ is int and -1e300 < number < 1e300)
            else None
        )
        if values is None:
            segments.append(_segment(data, index, problems))
            continue
        if not values["agent_id"]:
            values["agent_id"] = _data_text(data, "agentId")
        values["number"] = None if number is None else int(float(number))
        values["outside"] = with_outside_party(values["third_party"], values["extension_type"])
        values["customer_hung_up"] = hung_up(values["cancelled"], values["end_type"])
        segments.append(_new(Segment, values))
    return tuple(segments)


def _visit_derived(values: dict[str, Any]) -> None:
    values["direct"] = to_own_line(values["queue_type"])


def _records(
    items: list[dict[str, Any]],
    spec: _Spec,
    cls: type[T],
    read: Callable[[dict[str, Any], int, list[DataProblem]], T],
    problems: list[DataProblem],
    moments: dict[str, datetime],
    derive: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[T, ...]:
    """Each record read by ``read``; a plain one without a reader, with what ``derive``
    adds to its values (its class's derived properties, worked out once)."""
    records = []
    for index, data in enumerate(items):
        values = _plain(data, spec, moments)
        if values is None:
            records.append(read(data, index, problems))
            continue
        if derive is not None:
            derive(values)
        records.append(_new(cls, values))
    return tuple(records)


def _read_in_time_order(
    items: list[dict[str, Any]],
    spec: _Spec,
    cls: type[T],
    read: Callable[[dict[str, Any], int, list[DataProblem]], T],
    problems: list[DataProblem],
    moments: dict[str, datetime],
    label: str,
    derive: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[T, ...]:
    """``_records`` in time order (``_in_time_order``), each problem a reader noted of
    one of them named by its place in that order ("Queue visit 3" is the third row of
    its table, as the other problems and the page count), not by where it was sent."""
    spans: list[tuple[int, int, int]] = []  # (sent index, its problems' first, end)

    def noted(data: dict[str, Any], index: int, problems: list[DataProblem]) -> T:
        before = len(problems)
        record = read(data, index, problems)
        if len(problems) > before:
            spans.append((index, before, len(problems)))
        return record

    sent = _records(items, spec, cls, noted, problems, moments, derive)
    ordered = _in_time_order(sent)
    if spans:
        place = {id(record): n for n, record in enumerate(ordered)}
        for index, lo, hi in spans:
            was, now = f"{label} {index + 1}", f"{label} {place[id(sent[index])] + 1}"
            if was == now:
                continue
            for k in range(lo, hi):
                where = problems[k].where
                if where == was or where.startswith(was + " "):
                    problems[k] = replace(problems[k], where=now + where[len(was) :])
    return ordered


def _segment(data: dict[str, Any], index: int, problems: list[DataProblem]) -> Segment:
    r = _Reader(data, f"Segment {index}", problems)
    number = r.integer("segmentNumber", "number")
    if number is not None:
        r.where = f"Segment {number}"
    values = r.fields(_SEGMENT_FIELDS)
    if not values["agent_id"]:  # older records carry only "agentId"; newer ones both
        values["agent_id"] = _data_text(data, "agentId")
    values["number"] = number
    return _record(Segment, values, r)


def _queue(data: dict[str, Any], index: int, problems: list[DataProblem]) -> QueueVisit:
    name = data.get("queueName")
    r = _Reader(
        data, f"Queue visit {index + 1}" + (f" ({name})" if isinstance(name, str) else ""), problems
    )
    values = r.fields(_QUEUE_FIELDS)
    return _record(QueueVisit, values, r)


def _agent(data: dict[str, Any], index: int, problems: list[DataProblem]) -> AgentAllocation:
    name = data.get("agentName")
    r = _Reader(
        data,
        f"Agent allocation {index + 1}" + (f" ({name})" if isinstance(name, str) else ""),
        problems,
    )
    values = r.fields(_AGENT_FIELDS)
    return _record(AgentAllocation, values, r)


def _hook(data: dict[str, Any], index: int, problems: list[DataProblem]) -> Hook:
    r = _Reader(data, f"CRM link {index + 1}", problems)
    return Hook(
        interaction_hook_id=r.text("interactionHookId", "interaction_hook_id"),
        hook_type=r.text("hookType", "hook_type"),
        hook_sub_type=r.text("hookSubType", "hook_sub_type")
        or r.text("hookSubtype", "hook_sub_type"),
        hook_id=r.text("hookId", "hook_id"),
        hook_name=r.text("hookName", "hook_name"),
        hooked_by=r.text("hookedBy", "hooked_by"),
        agent_id=r.text("agentId", "agent_id"),
        timestamp=r.timestamp("timestamp"),
        unknown=frozenset(r.unknown),
    )


#: Sorts records without a start after every record with one.
_NO_START = datetime.max.replace(tzinfo=UTC)


def _in_time_order(records: Iterable[T]) -> tuple[T, ...]:
    """``records`` (holds, queue visits, allocations) by their start, those without one
    last; records with the same start, and those without, in the order sent. The API
    may send them in any order, and every list on the page (numbered holds, visits,
    allocations, hold times) is read as what happened first, then next."""
    return tuple(
        sorted(records, key=lambda r: getattr(r, "start", None) or _NO_START)  # stable
    )


def _sent_start(value: Any) -> datetime:
    """A hold record's start as sent, to order the records by (those without a readable
    one last, in the order sent: the sort is stable)."""
    start = _to_datetime(value.get("startTimestamp")) if isinstance(value, dict) else None
    return start or _NO_START


def _hold(
    value: Any, index: int, problems: list[DataProblem], moments: dict[str, datetime]
) -> HoldInterval | None:
    if isinstance(value, dict):
        plain = _plain_hold(value, moments)
        if plain is not None:
            return plain
        r = _Reader(value, f"Hold {index + 1}", problems)
        return HoldInterval(
            start=r.timestamp("startTimestamp", "start"),
            end=r.timestamp("endTimestamp", "end"),
            duration=r.number("holdTime", "duration")
            if "holdTime" in value
            else r.number("duration"),
        )
    duration = _to_number(value)
    if duration is None:
        problems.append(_quoting(f"Hold {index + 1}", "Unreadable hold {value}; skipped.", value))
        return None
    return HoldInterval(start=None, end=None, duration=duration)


def _plain_hold(data: dict[str, Any], moments: dict[str, datetime]) -> HoldInterval | None:
    """A hold record as its reader reads it, when its times are missing or readable
    timestamps and its length (``holdTime``, else ``duration``) is missing or an ordinary
    number: nothing to note, so no reader. None otherwise (its reader says what is wrong)."""
    duration = data.get("holdTime") if "holdTime" in data else data.get("duration")
    if duration is not None:
        if not (
            (duration.__class__ is float or duration.__class__ is int) and -1e300 < duration < 1e300
        ):
            return None
        duration = float(duration)
    times: list[datetime | None] = []
    for text in (data.get("startTimestamp"), data.get("endTimestamp")):
        if text is None:
            times.append(None)
            continue
        moment = _moment(text, moments)
        if moment is None:
            return None
        times.append(moment)
    return _new(HoldInterval, {"start": times[0], "end": times[1], "duration": duration})


_SENDER_KEYS = ("from", "sender", "type", "role", "author")
_NAME_KEYS = ("fromName", "senderName", "name", "displayName")
_TEXT_KEYS = ("text", "body", "message", "content")
_TIME_KEYS = ("timestamp", "time", "created", "createdAt", "sentAt")


def _first(data: dict[str, Any], keys: Iterable[str]) -> Any:
    for key in keys:
        if data.get(key) is not None:
            return data[key]
    return None


def _transcript(value: Any, problems: list[DataProblem]) -> Transcript | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Transcript(text=_cut(value, _MAX_TEXT))
    if isinstance(value, dict) and isinstance(value.get("messages"), list):
        value = value["messages"]
    if not isinstance(value, list):
        problems.append(_quoting("Transcript", "Unreadable transcript {value}.", value))
        return None
    messages = []
    for item in value:
        if isinstance(item, str):
            messages.append(TranscriptMessage(None, "unknown", None, _cut(item, _MAX_TEXT)))
            continue
        if not isinstance(item, dict):
            problems.append(_quoting("Transcript", "Unreadable message {value}; skipped.", item))
            continue
        text = _first(item, _TEXT_KEYS)
        sender = _first(item, _SENDER_KEYS)
        name = _first(item, _NAME_KEYS)
        when = _first(item, _TIME_KEYS)
        messages.append(
            TranscriptMessage(
                timestamp=_to_datetime(when) if when is not None else None,
                sender=str(sender).lower()[:40] if isinstance(sender, (str, int)) else "unknown",
                sender_name=_cut(name, 200) if isinstance(name, str) else None,
                text=_cut(text, _MAX_TEXT) if isinstance(text, str) else _display(text),
            )
        )
    return Transcript(messages=tuple(messages))


_MONITOR_NAME_KEYS = ("agentName", "name", "agentId", "id")


def _monitor(value: Any) -> tuple[str, bool]:
    """A monitor's name, and whether it came from a described shape (a name or an ID)."""
    if isinstance(value, str):
        return _cut(value, _MAX_VALUE), True
    if isinstance(value, dict):
        name = _first(value, _MONITOR_NAME_KEYS)
        if isinstance(name, str) and name:
            return _cut(name, _MAX_VALUE), True
        if isinstance(name, (int, float)) and not isinstance(name, bool):
            return _number_text(name), True
    return _display(value), False


def _monitoring(
    data: dict[str, Any], name: str, index: int, problems: list[DataProblem]
) -> Monitor:
    """A monitor sent with times: who listened in, from when to when, and how."""
    r = _Reader(data, f"Monitor {index + 1} ({name})", problems)
    return Monitor(
        name=name,
        agent_id=r.text("agentId", "agent_id"),
        start=r.timestamp("startTimestamp", "start"),
        end=r.timestamp("endTimestamp", "end"),
        monitor_type=r.text("monitorType", "monitor_type"),
        unknown=frozenset(r.unknown),
    )


def _statistic(name: str, label: str, kind: StatKind, value: Any) -> Statistic:
    """A described statistic read as its kind; one that cannot be read so is ``unknown``
    and keeps the text sent (a figure the API sent is shown as sent, marked unreadable)."""
    if value is None:
        return Statistic(name, label, kind, None)
    if kind == "flag":
        flag = _to_bool(value)
        if flag is None:
            return Statistic(name, label, kind, _display(value), unknown=True)
        return Statistic(name, label, kind, flag)
    if kind == "durations":
        items = value if isinstance(value, list) else None
        numbers = [_to_number(v) for v in items] if items is not None else [None]
        if any(n is None for n in numbers):
            return Statistic(name, label, kind, _display(value), unknown=True)
        return Statistic(name, label, kind, tuple(n for n in numbers if n is not None))
    number = _to_number(value)
    if number is None:
        return Statistic(name, label, kind, _display(value), unknown=True)
    return Statistic(name, label, kind, number)


def _unreadable_statistic(stat: Statistic, value: Any) -> DataProblem:
    """A described statistic the API sent as something its kind cannot be read from:
    shown as sent to a viewer who may see it, as unknown to one who may not."""
    what = {"flag": "yes or no", "durations": "a list of numbers"}.get(stat.kind, "a number")
    said = _quoting("Statistics", f"“{stat.name}” was {{value}}", value)
    return DataProblem(
        said.where,
        f"{said.message}; shown as sent (not read as {what}).",
        quoted=said.quoted,
        withheld=f"{said.withheld}; shown as unknown.",
    )


def _other_statistic(name: str, value: Any) -> Statistic:
    number = _to_number(value)
    if number is not None:
        kind: StatKind = "duration" if name.endswith("Time") else "value"
        return Statistic(name, name, kind, number)
    if isinstance(value, bool):
        return Statistic(name, name, "flag", value)
    return Statistic(name, name, "value", _display(value))


def _safe_link(url: str | None, where: str, problems: list[DataProblem]) -> str | None:
    """``url`` when it is a plain http(s) address, else None with a problem saying why.

    Not a link: another scheme, spaces, quotes or control characters, and an address
    with a user name or password before its host ("https://user:secret@host/…" shows
    a secret; "https://rec.example.com@evil.example/…" hides the host it goes to)."""
    if url is None:
        return None
    cleaned = url.strip()
    authority = re.match(r"^https?://([^/?#]*)", cleaned, re.IGNORECASE)
    if (
        authority
        and authority.group(1)
        and not re.search(r"[\s<>\"'\\\x00-\x1f\x7f]", cleaned)
        and "@" not in authority.group(1)
    ):
        return cleaned
    why = (
        "it names a user or password before its host"
        if authority and "@" in authority.group(1)
        else "it is not a plain http(s) address"
    )
    problems.append(DataProblem(where, f"The link is not shown as a link: {why}."))
    return None


def is_complete(data: Any) -> bool:
    """Whether the API says the interaction's data is final (decides cache lifetime)."""
    return isinstance(data, dict) and _to_bool(data.get("dataComplete")) is True


def _ends_before_it_starts(start: datetime | None, end: datetime | None) -> tuple[DataProblem, ...]:
    """The interaction's end before its start, as a problem: both times are shown as
    sent (the page marks the end), none is corrected."""
    if start is None or end is None or end >= start:
        return ()
    return (
        DataProblem(
            "Interaction",
            f"It ends before it starts: its end, {fmt.utc_text(end)}, is earlier than its"
            f" start, {fmt.utc_text(start)}. Both are shown as sent.",
        ),
    )


#: How far before the interaction's start, or after its end, a record's time may be
#: before it is no clock skew but a date the record cannot have (1970, a year off).
FAR_OUTSIDE = timedelta(days=1)

R = TypeVar("R", Segment, QueueVisit, AgentAllocation, HoldInterval)


def _far_outside(
    records: Iterable[R],
    start: datetime | None,
    end: datetime | None,
    problems: list[DataProblem],
    where: Callable[[int, R], str],
) -> tuple[R, ...]:
    """``records`` with any start or end more than ``FAR_OUTSIDE`` before the
    interaction's start or after its end made unknown, each said as a data problem with
    the time as sent: such a time would stretch the timeline and the time bar over days
    or decades. A small skew is drawn where it is, with its warning (``timeline``)."""
    out = tuple(records)
    if start is None or not out:
        return out
    lo = start - FAR_OUTSIDE
    hi = None if end is None or end < start else end + FAR_OUTSIDE
    kept = []
    for n, record in enumerate(out):
        far = {
            attr: moment
            for attr, moment in (("start", record.start), ("end", record.end))
            if moment is not None and (moment < lo or (hi is not None and moment > hi))
        }
        if far:
            for attr, moment in far.items():
                side = "before the interaction's start" if moment < lo else "after its end"
                problems.append(
                    DataProblem(
                        where(n, record),
                        f"Its {attr} time, {fmt.utc_text(moment)}, is more than a day {side};"
                        " shown as unknown.",
                    )
                )
            changes: dict[str, Any] = dict.fromkeys(far)
            if not isinstance(record, HoldInterval):
                changes["unknown"] = record.unknown | set(far)
            record = replace(record, **changes)
        kept.append(record)
    return tuple(kept)


def parse_interaction(data: Any) -> Interaction:
    """Build an ``Interaction`` from the API's JSON body (already decoded)."""
    if not isinstance(data, dict):
        raise BadResponse("The API's answer is not a JSON object.", status=200)
    problems: list[DataProblem] = []
    r = _Reader(data, "Interaction", problems)
    details_raw = data.get("details")
    details = details_raw if isinstance(details_raw, dict) else {}
    if details_raw is not None and not isinstance(details_raw, dict):
        problems.append(DataProblem("Interaction", "“details” is not a record; ignored."))
    d = _Reader(details, "Interaction details", problems)

    def pick_text(key: str, attr: str) -> str | None:
        return r.text(key, attr) if data.get(key) is not None else d.text(key, attr)

    def pick_time(keys: tuple[str, ...], attr: str) -> datetime | None:
        for source, reader in ((data, r), (details, d)):
            for key in keys:
                if source.get(key) not in (None, ""):
                    return reader.timestamp(key, attr)
        return None

    top_agents, detail_agents = data.get("agents"), details.get("agents")
    agents_value = top_agents if isinstance(top_agents, list) and top_agents else detail_agents
    if agents_value is None:
        agents_value = top_agents
    r.used.add("agents")

    flagged = r.boolean("flagged")
    flag_type = r.text("flagType", "flag_type")
    flag = None
    if flagged or flag_type:
        flag = Flag(
            flagged=True,
            flag_type=flag_type,
            timestamp=r.timestamp("flagTimestamp", "flag_timestamp"),
        )
    elif flagged is False:
        flag = Flag(flagged=False, flag_type=None, timestamp=None)

    moments: dict[str, datetime] = {}  # timestamp text -> time, for the records below
    holds_raw = r.raw("customerHoldTimes")
    holds: list[HoldInterval] = []
    hold_durations: Statistic | None = None
    if isinstance(holds_raw, list):
        # Read in time order, as the page numbers them: a problem with "Hold 3" is about
        # the timeline's Hold 3, not the third one sent.
        for i, item in enumerate(sorted(holds_raw, key=_sent_start)):
            hold = _hold(item, i, problems, moments)
            if hold is not None:
                holds.append(hold)
        hold_durations = Statistic(
            "customerHoldTimes",
            "Hold times",
            "durations",
            tuple(h.duration for h in holds if h.duration is not None),
        )
    elif holds_raw is not None:
        r._bad("holds", "customerHoldTimes", holds_raw, "a list")

    outbound_raw = r.raw("outboundIdentifier")
    outbound = None
    if isinstance(outbound_raw, dict):
        o = _Reader(outbound_raw, "Outbound identifier", problems)
        outbound = OutboundIdentifier(
            interaction_outbound_identifier_id=o.text(
                "interactionOutboundIdentifierID", "interaction_outbound_identifier_id"
            )
            or o.text("interactionOutboundIdentifierId", "interaction_outbound_identifier_id"),
            outbound_identifier_id=o.text("outboundIdentifierId", "outbound_identifier_id"),
            value=o.text("outboundIdentifierValue", "value"),
            name=o.text("outboundIdentitiferName", "name")
            or o.text("outboundIdentifierName", "name"),
            unknown=frozenset(o.unknown),
        )
    elif outbound_raw is not None:
        r._bad("outbound_identifier", "outboundIdentifier", outbound_raw, "a record")

    monitors_raw = r.raw("monitors")
    monitors: tuple[str, ...] = ()
    monitors_undescribed: set[int] = set()
    monitorings: list[Monitor] = []
    if isinstance(monitors_raw, list):
        for n, m in enumerate(monitors_raw):
            name, described = _monitor(m)
            monitors += (name,)
            if not described:
                monitors_undescribed.add(n)
            elif isinstance(m, dict) and m.get("startTimestamp") is not None:
                monitorings.append(_monitoring(m, name, n, problems))
    elif monitors_raw is not None:
        r._bad("monitors", "monitors", monitors_raw, "a list")

    dispositions = _dispositions(r.raw("dispositions"))
    if r.raw("dispositions") is not None and not isinstance(r.raw("dispositions"), list):
        r._bad("dispositions", "dispositions", r.raw("dispositions"), "a list of dispositions")
    disposition_name = r.text("dispositionName", "disposition_name")
    if len(dispositions) > 1 or (dispositions and disposition_name is None):
        # Several picked over the call: every one, in the order sent.
        disposition_name = " · ".join(dispositions)

    def mapping(key: str) -> tuple[Extra, ...]:
        value = r.raw(key)
        if value is None:
            return ()
        if isinstance(value, dict):
            return tuple(Extra(str(k), _display(v)) for k, v in value.items())
        if isinstance(value, list):
            return tuple(Extra(str(i + 1), _display(v)) for i, v in enumerate(value))
        r._bad(key, key, value, "a record")
        return ()

    statistics = [
        _statistic(name, label, kind, data.get(name))
        for name, label, kind in _KNOWN_STATISTICS
        if data.get(name) is not None
    ]
    if hold_durations is not None:
        statistics.append(hold_durations)
    for stat in statistics:
        if stat.unknown:
            problems.append(_unreadable_statistic(stat, data.get(stat.name)))
    by_name = {s.name: s for s in statistics}

    def stat_number(name: str) -> float | None:
        value = by_name[name].value if name in by_name else None
        return value if isinstance(value, float) else None

    other = tuple(
        _other_statistic(name, value)
        for name, value in data.items()
        if isinstance(name, str)
        and name not in _INTERACTION_FIELDS
        and name not in _KNOWN_STAT_NAMES
        and value is not None
    )

    segments = _segments(r.objects("segments"), problems, moments)
    queues = _read_in_time_order(
        r.objects("queues"),
        _QUEUE_FIELDS,
        QueueVisit,
        _queue,
        problems,
        moments,
        "Queue visit",
        _visit_derived,
    )
    agents = told_apart(
        _read_in_time_order(
            r.objects("agents", agents_value),
            _AGENT_FIELDS,
            AgentAllocation,
            _agent,
            problems,
            moments,
            "Agent allocation",
        )
    )
    hooks = _each(r, "hooks", lambda item, i: _hook(item, i, problems))
    start = pick_time(("startTimestamp", "start"), "start")
    end = pick_time(("endTimestamp", "end"), "end")
    segments = _far_outside(
        sorted(segments, key=lambda s: (s.number is None, s.number or 0)),
        start,
        end,
        problems,
        lambda n, s: f"Segment {s.number if s.number is not None else n}",
    )
    queues = _far_outside(
        queues, start, end, problems, lambda n, q: f"Queue visit {n + 1} ({q.queue_name or '?'})"
    )
    agents = _far_outside(
        agents,
        start,
        end,
        problems,
        lambda n, a: f"Agent allocation {n + 1} ({a.agent_name or '?'})",
    )
    holds = list(_far_outside(holds, start, end, problems, lambda n, h: f"Hold {n + 1}"))

    return Interaction(
        tenant_id=r.text("tenantId", "tenant_id"),
        interaction_id=pick_text("interactionId", "interaction_id"),
        flow_id=r.text("flowId", "flow_id"),
        flow_name=r.text("flowName", "flow_name"),
        channel_type=pick_text("channelType", "channel_type"),
        direction=pick_text("direction", "direction"),
        customer=pick_text("customer", "customer"),
        contact_point=pick_text("contactPoint", "contact_point"),
        contact_id=pick_text("contactId", "contact_id"),
        start=start,
        end=end,
        data_complete=r.boolean("dataComplete", "data_complete"),
        flag=flag,
        segments=segments,
        queues=queues,
        agents=agents,
        holds=tuple(holds),
        hooks=hooks,
        outbound_identifier=outbound,
        transcript=_transcript(r.raw("messagingTranscript"), problems),
        notes=r.text("notes", limit=_MAX_TEXT),
        disposition_id=r.text("dispositionId", "disposition_id"),
        disposition_name=disposition_name,
        dispositions=dispositions,
        audio_recording=_safe_link(
            r.text("audioRecording", "audio_recording"), "Recording", problems
        ),
        csat=pick_text("csat", "csat"),
        campaign_id=r.text("campaignId", "campaign_id"),
        lead_id=r.text("leadId", "lead_id"),
        updated=r.timestamp("updated"),
        ivr_time=stat_number("ivrTime"),
        interaction_time=stat_number("interactionTime"),
        hold_count=stat_number("customerHolds"),
        hold_time=stat_number("customerHoldTime"),
        monitors=monitors,
        monitors_undescribed=frozenset(monitors_undescribed),
        monitorings=tuple(monitorings),
        attributes=mapping("interactionAttributes"),
        artifacts_summary=mapping("artifactsSummary"),
        statistics=tuple(statistics),
        other_statistics=other,
        problems=(*problems, *_ends_before_it_starts(start, end)),
        unknown=frozenset(
            r.unknown
            | d.unknown
            | {
                attr
                for name, attr in (
                    ("ivrTime", "ivr_time"),
                    ("interactionTime", "interaction_time"),
                    ("customerHolds", "hold_count"),
                    ("customerHoldTime", "hold_time"),
                )
                if name in by_name and by_name[name].unknown
            }
        ),
    )


# -- what a viewer without the contact-details permission may see ---------------
#
# An allowlist, level by level: a field not named here is withheld whatever it
# holds. A named field's value is shown only when it has the kind of value the
# field should have (a record where text is expected may be anything).
# "text": IDs, names, types (text or a number); "number", "flag", "time": what
# the parser reads as such; "contact": masked; "conversation": hidden.

_Shown = str  # one of the kinds above


@dataclass(frozen=True)
class _Record:
    fields: dict[str, Any]  # name -> _Shown | _Record | _ListOf | _Either


@dataclass(frozen=True)
class _ListOf:
    item: Any


@dataclass(frozen=True)
class _Either:
    """A scalar of one kind, or a record (e.g. a hold as seconds or as a record)."""

    scalar: _Shown
    record: _Record


def _fields(kind: _Shown, *names: str) -> dict[str, _Shown]:
    return dict.fromkeys(names, kind)


_ALLOWED_AGENT = _Record(
    {
        **_fields(
            "text",
            "interactionAgentId",
            "agentId",
            "agentName",
            "platformAgentId",
            "tenantAgentId",
            "sessionId",
            "interactionSegmentId",
            "queueId",
        ),
        **_fields("time", "startTimestamp", "endTimestamp"),
        **_fields("number", "agentWorkCancelTime"),
    }
)
_ALLOWED_SEGMENT = _Record(
    {
        **_fields(
            "text",
            "interactionSegmentId",
            "segmentStartType",
            "segmentEndType",
            "segmentAgentId",
            "agentId",
            "segmentToAgentId",
            "interactionAgentId",
            "segmentExtensionType",
        ),
        **_fields("time", "startTimestamp", "endTimestamp"),
        **_fields(
            "number",
            "segmentNumber",
            "segmentCancelTime",
            "segmentTime",
            "segmentConsultTime",
            "transferTime",
            "addParticipantTime",
        ),
        **_fields(
            "flag",
            "segmentCancelled",
            "transfer",
            "addParticipant",
            "addParticipantHandedOff",
            "segmentThirdParty",
        ),
        # The number a transfer to the phone network dialled: someone's phone number.
        "segmentExtensionValue": "contact",
    }
)
_ALLOWED_QUEUE = _Record(
    {
        **_fields(
            "text",
            "interactionQueueId",
            "interactionSegmentId",
            "queueId",
            "queueName",
            "platformQueueId",
            "queueType",
            "queueEntryType",
            "queueExitType",
            "agentId",
        ),
        **_fields("time", "startTimestamp", "endTimestamp"),
        **_fields("number", "queueTime", "queueAbandonTime", "slaTime", "queueEntryLength"),
        **_fields("flag", "queueAbandoned", "slaAbandoned"),
    }
)
#: One disposition of a list sent as ``dispositions``: its name is shown as
#: ``dispositionName`` is, so the raw JSON shows it too.
_ALLOWED_DISPOSITION = _Record(
    {**_fields("text", "dispositionId", "dispositionName"), "timestamp": "time"}
)
_ALLOWED_HOOK = _Record(
    {
        **_fields(
            "text",
            "interactionHookId",
            "hookType",
            "hookSubType",
            "hookSubtype",
            "hookId",
            "hookedBy",
            "agentId",
        ),
        "timestamp": "time",
        # A CRM record's title: often the customer's name.
        "hookName": "contact",
    }
)
_ALLOWED_OUTBOUND = _Record(
    _fields(
        # The tenant's own number or address, as the customer sees it.
        "text",
        "interactionOutboundIdentifierID",
        "interactionOutboundIdentifierId",
        "outboundIdentifierId",
        "outboundIdentifierValue",
        "outboundIdentitiferName",
        "outboundIdentifierName",
    )
)
_ALLOWED_HOLD = _Record(
    {
        **_fields("time", "startTimestamp", "endTimestamp"),
        **_fields("number", "holdTime", "duration"),
    }
)
_ALLOWED_MONITOR = _Record(
    {
        **_fields("text", *_MONITOR_NAME_KEYS, "monitorType"),
        **_fields("time", "startTimestamp", "endTimestamp"),
    }
)
_ALLOWED_DETAILS = _Record(
    {
        **_fields(
            "text",
            "interactionId",
            "tenantId",
            "contactPoint",
            "contactId",
            "channelType",
            "direction",
        ),
        **_fields("time", "startTimestamp", "endTimestamp", "start", "end"),
        "csat": "number",
        "customer": "contact",
        "agents": _ListOf(_ALLOWED_AGENT),
    }
)
_ALLOWED_STATISTICS: dict[str, Any] = {
    name: {"flag": "flag", "durations": _ListOf("number")}.get(kind, "number")
    for name, _, kind in _KNOWN_STATISTICS
}
_ALLOWED_INTERACTION = _Record(
    {
        **_fields(
            "text",
            "tenantId",
            "interactionId",
            "flowId",
            "flowName",
            "channelType",
            "direction",
            "contactPoint",
            "contactId",
            "flagType",
            "dispositionId",
            "dispositionName",
            "campaignId",
            "leadId",
        ),
        **_fields(
            "time", "startTimestamp", "endTimestamp", "start", "end", "flagTimestamp", "updated"
        ),
        **_fields("flag", "dataComplete", "flagged"),
        **_fields("conversation", "messagingTranscript", "notes", "audioRecording"),
        "csat": "number",
        "customer": "contact",
        **_ALLOWED_STATISTICS,
        "customerHoldTimes": _ListOf(_Either("number", _ALLOWED_HOLD)),
        "segments": _ListOf(_ALLOWED_SEGMENT),
        "queues": _ListOf(_ALLOWED_QUEUE),
        "agents": _ListOf(_ALLOWED_AGENT),
        "hooks": _ListOf(_ALLOWED_HOOK),
        "dispositions": _ListOf(_Either("text", _ALLOWED_DISPOSITION)),
        "monitors": _ListOf(_Either("text", _ALLOWED_MONITOR)),
        "outboundIdentifier": _ALLOWED_OUTBOUND,
        "details": _ALLOWED_DETAILS,
        # Not here, so withheld by name: interactionAttributes (flows store what the
        # caller typed there), artifactsSummary, and every field the reference does
        # not describe.
    }
)
#: Deeper than this, a whole branch is withheld (hostile nesting must not exhaust the stack).
_MASK_DEPTH = 40


def mask_raw(data: dict[str, Any], *_former_masks: object) -> dict[str, Any]:
    """A copy of the API's JSON for a viewer without the contact-details permission.

    Walks the body by the allowlist above. Structure is kept (records keep their
    keys, lists their length, nulls stay null); every value not allowed is
    replaced by ``masking.WITHHELD``, conversations by ``masking.HIDDEN``, and
    contact fields are masked with ``masking.mask``. The original is not changed.
    (Callers used to pass the mask and the marker: whatever they pass is ignored,
    the policy is ``masking``'s.)
    """
    result = _mask_value(data, _ALLOWED_INTERACTION, 0)
    return result if isinstance(result, dict) else {}


def _mask_value(value: Any, spec: Any, depth: int) -> Any:
    if value is None or value == "":
        return value
    if depth > _MASK_DEPTH:
        return masking.WITHHELD
    if isinstance(spec, _Either):
        spec = spec.record if isinstance(value, dict) else spec.scalar
    if isinstance(spec, _Record):
        if not isinstance(value, dict):
            return masking.WITHHELD
        fields = spec.fields
        return {key: _mask_value(item, fields.get(key), depth + 1) for key, item in value.items()}
    if isinstance(spec, _ListOf):
        if not isinstance(value, list):
            return masking.WITHHELD
        return [_mask_value(item, spec.item, depth + 1) for item in value]
    if spec is None:  # not on the allowlist: keep the shape, withhold every value
        if isinstance(value, dict):
            return {key: _mask_value(item, None, depth + 1) for key, item in value.items()}
        if isinstance(value, list):
            return [_mask_value(item, None, depth + 1) for item in value]
        return masking.WITHHELD
    if spec == "conversation":
        return masking.HIDDEN
    if spec == "contact":
        if isinstance(value, str):
            return masking.mask(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return masking.mask(_number_text(value))
        return masking.WITHHELD
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    shown = {
        "text": isinstance(value, str) or is_number,
        "number": _to_number(value) is not None,
        "flag": _to_bool(value) is not None,
        "time": _to_datetime(value) is not None,
    }.get(spec, False)
    return value if shown else masking.WITHHELD


def _summary(data: dict[str, Any]) -> Summary | None:
    problems: list[DataProblem] = []
    r = _Reader(data, "Interaction", problems)
    raw_details = data.get("details")
    details: dict[str, Any] = raw_details if isinstance(raw_details, dict) else {}
    d = _Reader(details, "Interaction details", problems)
    interaction_id = r.text("interactionId") or d.text("interactionId")
    if not interaction_id:
        return None
    flagged = r.boolean("flagged")
    flag_type = r.text("flagType")
    flag = Flag(True, flag_type, r.timestamp("flagTimestamp")) if (flagged or flag_type) else None
    return Summary(
        interaction_id=interaction_id.lower(),
        start=r.timestamp("startTimestamp") or d.timestamp("startTimestamp"),
        end=r.timestamp("endTimestamp") or d.timestamp("endTimestamp"),
        channel_type=r.text("channelType") or d.text("channelType"),
        direction=r.text("direction") or d.text("direction"),
        flow_name=r.text("flowName"),
        customer=r.text("customer") or d.text("customer"),
        flag=flag,
        interaction_time=r.number("interactionTime"),
        agent_names=_names(data.get("agents"), details.get("agents"), "agentName"),
        queue_names=_names(
            [q for q in data.get("queues") or () if not _direct_line(q)]
            if isinstance(data.get("queues"), list)
            else None,
            None,
            "queueName",
        ),
    )


def _direct_line(record: Any) -> bool:
    """A list row's queue record of type "resource": a direct transfer's line, named after
    its agent, not a queue (``QueueVisit.direct``)."""
    kind = record.get("queueType") if isinstance(record, dict) else None
    return isinstance(kind, str) and kind.strip().lower() == "resource"


def _names(top: Any, nested: Any, key: str) -> tuple[str, ...]:
    """Distinct names from a list of records (the top-level list, else the one in details)."""
    records = top if isinstance(top, list) and top else nested
    names: dict[str, None] = {}
    for record in records if isinstance(records, list) else []:
        value = record.get(key) if isinstance(record, dict) else None
        if isinstance(value, str) and value.strip():
            names.setdefault(_cut(value.strip(), _MAX_VALUE), None)
    return tuple(names)


def parse_list_page(data: Any) -> ListPage:
    """One page of ``GET /v1/tenants/{id}/interactions``; rows it cannot read are counted."""
    if not isinstance(data, dict):
        raise BadResponse("The API's list answer is not a JSON object.", status=200)
    results = data.get("results")
    if not isinstance(results, list):
        raise BadResponse("The API's list answer has no list of results.", status=200)
    total, offset, limit = (_to_number(data.get(k)) for k in ("total", "offset", "limit"))
    rows = [_summary(item) if isinstance(item, dict) else None for item in results]
    kept = tuple(row for row in rows if row is not None)
    return ListPage(
        total=int(total) if total is not None and total >= 0 else None,
        offset=int(offset) if offset is not None and offset >= 0 else 0,
        limit=int(limit) if limit is not None and limit > 0 else len(results),
        results=kept,
        skipped=len(rows) - len(kept),
    )


def named_ids(data: Any) -> tuple[str | None, str | None]:
    """The tenant and interaction an answer says it is for (lower case), where it says so."""
    if not isinstance(data, dict):
        return None, None

    def text(name: str) -> str | None:
        value = data.get(name)
        return value.strip().lower() if isinstance(value, str) and value.strip() else None

    return text("tenantId"), text("interactionId")


def _dispositions(value: Any) -> tuple[str, ...]:
    """The names in a list of dispositions (records with ``dispositionName`` or, without
    one, ``dispositionId``; or bare names), in the order sent; () for anything else."""
    if not isinstance(value, list):
        return ()
    names: list[str] = []
    for item in value:
        if isinstance(item, dict):
            item = item.get("dispositionName") or item.get("dispositionId")
        if isinstance(item, str) and item.strip():
            names.append(_cut(item.strip(), _MAX_VALUE))
    return tuple(names)


def list_results(data: Any) -> tuple[list[Any], int | None, str | None]:
    """A list answer's rows as sent, its total (None when it does not say) and the tenant's
    time zone (for the index).

    The rows are left raw (each one is read with ``parse_interaction``, which
    copes with a bad one alone).
    """
    if not isinstance(data, dict):
        raise BadResponse("The API's list answer is not a JSON object.", status=200)
    results = data.get("results")
    if not isinstance(results, list):
        raise BadResponse("The API's list answer has no list of results.", status=200)
    total = _to_number(data.get("total"))
    zone = data.get("tenantTimezone")
    return (
        results,
        int(total) if total is not None and total >= 0 else None,
        _cut(zone, 64) if isinstance(zone, str) and zone.strip() else None,
    )
