"""Parsing tolerates nulls, unknown fields, numbers and booleans as strings, odd
timestamps: the value becomes unknown with a problem noted, never an error.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.interactions import parsing
from dashboard.interactions.domain import Interaction, OutboundIdentifier, Statistic
from dashboard.interactions.parsing import parse_interaction
from tests.parsing.helpers import (
    AGENT_A,
    all_unknown,
    assert_utc,
    assert_well_typed,
    full_payload,
    others_by_name,
    problem_text,
    reference,
    stats_by_name,
    utc,
)


def _null_leaves(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _null_leaves(v) for k, v in value.items()}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return [_null_leaves(v) for v in value]
    return None  # scalars, and lists of scalars (a null inside a list of numbers is unreadable)


def test_nulls_everywhere_at_top_level() -> None:
    data = dict.fromkeys(full_payload())
    i = parse_interaction(data)
    assert i.problems == (), problem_text(i)
    assert all_unknown(i) == set()
    assert i.start is None and i.end is None and i.flag is None and i.transcript is None
    assert i.segments == () and i.queues == () and i.agents == () and i.hooks == ()
    assert i.statistics == () and i.other_statistics == ()
    assert i.outbound_identifier is None


def test_nulls_everywhere_inside_records() -> None:
    data = _null_leaves(full_payload())
    i = parse_interaction(data)
    assert i.problems == (), problem_text(i)
    assert all_unknown(i) == set()
    assert len(i.segments) == 2 and len(i.queues) == 1 and len(i.hooks) == 2
    for record in (*i.segments, *i.queues, *i.agents, *i.hooks):
        values = [
            getattr(record, f.name)
            for f in dataclasses.fields(record)
            if f.name not in ("extra", "unknown")
        ]
        assert all(v is None for v in values), record
        assert getattr(record, "extra", ()) == ()
    assert i.outbound_identifier == OutboundIdentifier(None, None, None, None)
    assert i.other_statistics == ()
    assert_well_typed(i)


def test_empty_object_parses_to_nones() -> None:
    i = parse_interaction({})
    assert isinstance(i, Interaction)
    for f in dataclasses.fields(Interaction):
        value = getattr(i, f.name)
        if f.default is not dataclasses.MISSING:
            assert value == f.default, f.name  # (), frozenset(), None, ...
        else:
            assert value is None, f.name
    assert i.segments == () and i.queues == () and i.agents == () and i.hooks == ()
    assert i.statistics == () and i.other_statistics == () and i.problems == ()
    assert i.unknown == frozenset()
    assert i.flagged is False
    assert i.in_progress is False
    assert i.duration is None


def test_unknown_top_level_fields_become_other_statistics() -> None:
    data = reference()
    data.update(
        {
            "agentWrapUpTime": 12.5,
            "customerWaitCount": 3,
            "mysteryTime": "7.25",
            "tenantName": "Acme",
            "somethingFlag": True,
            "nestedThing": {"a": 1},
            "ignoredNull": None,
        }
    )
    i = parse_interaction(data)
    others = others_by_name(i)
    assert set(others) == {
        "agentWrapUpTime",
        "customerWaitCount",
        "mysteryTime",
        "tenantName",
        "somethingFlag",
        "nestedThing",
    }
    assert others["agentWrapUpTime"] == Statistic(
        "agentWrapUpTime", "agentWrapUpTime", "duration", 12.5
    )
    assert others["customerWaitCount"].kind == "value"
    count = others["customerWaitCount"].value
    assert count == 3.0 and isinstance(count, float)
    assert others["mysteryTime"].kind == "duration" and others["mysteryTime"].value == 7.25
    assert others["tenantName"].value == "Acme"
    assert others["somethingFlag"].kind == "flag" and others["somethingFlag"].value is True
    assert json.loads(str(others["nestedThing"].value)) == {"a": 1}
    # Known statistics are not repeated among the others.
    assert "ivrTime" not in others and "interactionTime" not in others
    assert i.problems == ()


@pytest.mark.parametrize(
    ("key", "attr"),
    [("segments", "segments"), ("queues", "queues"), ("agents", "agents")],
)
def test_unknown_fields_on_records_become_extras(key: str, attr: str) -> None:
    data = full_payload()
    data[key][0]["newVendorField"] = 42
    data[key][0]["anotherOne"] = "text"
    i = parse_interaction(data)
    if key == "segments":
        record = next(s for s in i.segments if s.number == 1)
    else:
        record = getattr(i, attr)[0]
    extras = {e.name: e.value for e in record.extra}
    assert extras.get("newVendorField") == "42"
    assert extras.get("anotherOne") == "text"
    assert "newVendorField" not in others_by_name(i)
    assert i.problems == ()


@pytest.mark.parametrize(
    ("where", "key", "attr", "raw"),
    [
        ("segment", "segmentTime", "segment_time", "94.2"),
        ("segment", "segmentCancelTime", "cancel_time", " 94.2 "),
        ("queue", "queueTime", "queue_time", "94.2"),
        ("queue", "slaTime", "sla_time", "94.2"),
        ("agent", "agentWorkCancelTime", "work_cancel_time", "94.2"),
    ],
)
def test_numbers_as_strings_are_read(where: str, key: str, attr: str, raw: str) -> None:
    data = reference()
    data["agents"] = [{"agentId": AGENT_A}]
    target = {
        "segment": data["segments"][0],
        "queue": data["queues"][0],
        "agent": data["agents"][0],
    }[where]
    target[key] = raw
    i = parse_interaction(data)
    record = {"segment": i.segments, "queue": i.queues, "agent": i.agents}[where][0]
    value = getattr(record, attr)
    assert value == 94.2 and isinstance(value, float)
    assert record.unknown == frozenset()
    assert i.problems == ()


def test_top_level_numbers_as_strings() -> None:
    data = reference()
    data.update({"ivrTime": "0.173", "interactionTime": "94.244", "customerHolds": "2"})
    data["segments"][0]["segmentNumber"] = "0"
    i = parse_interaction(data)
    assert i.ivr_time == pytest.approx(0.173)
    assert i.interaction_time == pytest.approx(94.244)
    assert i.hold_count == 2.0
    assert i.segments[0].number == 0
    assert i.problems == ()


@pytest.mark.parametrize("bad", ["lots", "", "nan", "Infinity", [1], {"v": 1}, True])
@pytest.mark.parametrize(
    ("where", "key", "attr", "where_prefix"),
    [
        ("segment", "segmentTime", "segment_time", "Segment"),
        ("segment", "segmentNumber", "number", "Segment"),
        ("queue", "queueTime", "queue_time", "Queue visit"),
        ("agent", "agentWorkCancelTime", "work_cancel_time", "Agent allocation"),
    ],
)
def test_unreadable_number_becomes_unknown(
    where: str, key: str, attr: str, where_prefix: str, bad: Any
) -> None:
    data = reference()
    data["agents"] = [{"agentId": AGENT_A}]
    target = {
        "segment": data["segments"][0],
        "queue": data["queues"][0],
        "agent": data["agents"][0],
    }[where]
    target[key] = bad
    i = parse_interaction(data)
    record = {"segment": i.segments, "queue": i.queues, "agent": i.agents}[where][0]
    assert getattr(record, attr) is None
    assert attr in record.unknown
    matching = [p for p in i.problems if key in p.message]
    assert len(matching) == 1, problem_text(i)
    assert matching[0].where.startswith(where_prefix)


def test_unreadable_top_level_statistic() -> None:
    data = reference()
    data["ivrTime"] = "lots"
    i = parse_interaction(data)
    assert i.ivr_time is None
    stat = stats_by_name(i)["ivrTime"]
    assert stat.unknown is True and stat.value == "lots"  # shown as sent, marked unread
    assert any("ivrTime" in p.message for p in i.problems)


def test_unreadable_header_text_becomes_unknown() -> None:
    data = reference()
    data["channelType"] = {"weird": True}
    i = parse_interaction(data)
    assert i.channel_type is None
    assert "channel_type" in i.unknown
    assert any("channelType" in p.message for p in i.problems)


def test_segment_number_must_be_whole() -> None:
    data = reference()
    data["segments"][0]["segmentNumber"] = 1.5
    i = parse_interaction(data)
    assert i.segments[0].number is None
    assert "number" in i.segments[0].unknown
    assert any("segmentNumber" in p.message for p in i.problems)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("false", False), ("TRUE", True), (" False ", False), (1, True), (0, False)],
)
def test_booleans_as_strings(raw: Any, expected: bool) -> None:
    data = reference()
    data["dataComplete"] = raw
    data["segments"][0]["segmentCancelled"] = raw
    data["queues"][0]["queueAbandoned"] = raw
    data["queues"][0]["slaAbandoned"] = raw
    i = parse_interaction(data)
    assert i.data_complete is expected
    assert i.segments[0].cancelled is expected
    assert i.queues[0].abandoned is expected
    assert i.queues[0].sla_abandoned is expected
    assert i.problems == ()


def test_unreadable_boolean() -> None:
    data = reference()
    data["dataComplete"] = "maybe"
    data["queues"][0]["queueAbandoned"] = 7
    i = parse_interaction(data)
    assert i.data_complete is None and "data_complete" in i.unknown
    assert i.queues[0].abandoned is None and "abandoned" in i.queues[0].unknown
    assert any("dataComplete" in p.message for p in i.problems)
    assert any("queueAbandoned" in p.message for p in i.problems)


REF_START = utc(2017, 12, 7, 19, 20, 33, 394000)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2017-12-07T19:20:33.394Z", REF_START),
        ("2017-12-07T19:20:33Z", utc(2017, 12, 7, 19, 20, 33)),
        ("2017-12-07T19:20:33.5Z", utc(2017, 12, 7, 19, 20, 33, 500000)),
        ("2017-12-07T19:20:33.394123456Z", utc(2017, 12, 7, 19, 20, 33, 394123)),
        ("2017-12-07T19:20:33.394", REF_START),  # no zone: the API speaks UTC
        ("2017-12-07T20:20:33.394+01:00", REF_START),
        ("2017-12-07T20:20:33.394+0100", REF_START),
        ("2017-12-07T20:20:33+01:00", utc(2017, 12, 7, 19, 20, 33)),
        ("2017-12-07T14:20:33.394-05:00", REF_START),
        ("2017-12-08T01:50:33.394+06:30", REF_START),
        ("2017-12-07T00:20:33.394+01:00", utc(2017, 12, 6, 23, 20, 33, 394000)),  # day rolls back
        ("2017-12-07 19:20:33.394Z", REF_START),
        ("2017-12-07 19:20:33", utc(2017, 12, 7, 19, 20, 33)),
        ("  2017-12-07T19:20:33.394Z  ", REF_START),
        (1512674433394, REF_START),  # epoch milliseconds
        (1512674433, utc(2017, 12, 7, 19, 20, 33)),  # epoch seconds
        # A leap second (ISO 8601 allows second 60): the second after :59.
        ("2016-12-31T23:59:60.000Z", utc(2017, 1, 1)),
        ("2016-12-31T23:59:60.250Z", utc(2017, 1, 1, 0, 0, 0, 250000)),
        ("2017-01-01T00:59:60+01:00", utc(2017, 1, 1)),
        ("2016-12-31T23:59:60Z", utc(2017, 1, 1)),
    ],
)
def test_timestamp_formats(raw: Any, expected: datetime) -> None:
    data = reference()
    data["startTimestamp"] = raw
    data["details"]["startTimestamp"] = None
    data["segments"][0]["startTimestamp"] = raw
    data["queues"][0]["startTimestamp"] = raw
    data["updated"] = raw
    i = parse_interaction(data)
    assert i.problems == (), problem_text(i)
    for moment in (i.start, i.segments[0].start, i.queues[0].start, i.updated):
        assert_utc(moment, expected)


@pytest.mark.parametrize(
    "raw",
    [
        "yesterday",
        "2026-13-45T99:00:00Z",
        "2026-02-30T10:00:00Z",
        "2017-12-07T19:20:33+25:00",
        "2017-12-07T19:20:61Z",  # past a leap second
        "2017-12-07",
        "12/07/2017 19:20",
        "9999-12-31T23:59:59-05:00",  # converts past the last representable moment
        True,
        [2017, 12, 7],
        {"date": "2017-12-07"},
        -5,
        10**400,  # a number json.loads will happily produce
        1e308,
    ],
    ids=lambda raw: repr(raw)[:40],
)
def test_invalid_timestamp_becomes_unknown(raw: Any) -> None:
    data = reference()
    data["startTimestamp"] = raw
    data["segments"][0]["endTimestamp"] = raw
    i = parse_interaction(data)
    assert i.start is None and "start" in i.unknown
    assert i.segments[0].end is None and "end" in i.segments[0].unknown
    assert any("startTimestamp" in p.message and p.where == "Interaction" for p in i.problems), (
        problem_text(i)
    )
    assert any("endTimestamp" in p.message and p.where.startswith("Segment") for p in i.problems), (
        problem_text(i)
    )


def test_empty_timestamp_is_missing_not_unknown() -> None:
    data = reference()
    data["updated"] = ""
    i = parse_interaction(data)
    assert i.updated is None
    assert "updated" not in i.unknown


@st.composite
def _canonical_ish(draw: st.DrawFn) -> str:
    """The API's usual form (``2017-12-07T19:20:33.394Z``), often with one character
    changed: a field out of range (February 30, hour 24, year 1969), a digit that is not
    ASCII, another separator."""
    moment = draw(st.datetimes(datetime(1950, 1, 1), datetime(2250, 12, 31)))
    text = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text) - 1))
        other = draw(st.sampled_from("0123456789٢٣T t X,.:-+Z z\u2003"))
        text = text[:at] + other + text[at + 1 :]
    return text


@settings(max_examples=1000)  # cheap; near misses are rare among the draws
@given(_canonical_ish())
def test_the_usual_timestamp_form_reads_as_the_general_reader_reads_it(value: str) -> None:
    # The fast path (datetime.fromisoformat) must neither accept nor read differently
    # anything the general reader (the documented forms, _TS) reads otherwise.
    fast = parsing._to_datetime(value)
    general = parsing._read_timestamp(value)
    assert fast == general
    assert fast is None or fast.tzinfo is UTC


@pytest.mark.parametrize(
    ("raw", "year"), [("9999-12-31T23:59:59.999Z", 9999), ("0001-01-01T00:00:00Z", 1)]
)
def test_a_date_no_interaction_has_is_said_so_not_called_unreadable(raw: str, year: int) -> None:
    """A timestamp in the API's form but in the year 9999 is a date and time, just one no
    interaction has: its data problem says that, and the time is unknown."""
    data = reference()
    data["segments"][0]["endTimestamp"] = raw
    i = parse_interaction(data)
    assert i.segments[0].end is None and "end" in i.segments[0].unknown
    said = [p.message for p in i.problems if "endTimestamp" in p.message]
    assert said == [
        f'“endTimestamp” is "{raw}", a date in the year {year}, which no interaction has;'
        " shown as unknown."
    ], said
    assert "should be a date and time" not in " ".join(said)


def test_a_record_time_decades_off_is_unknown_and_said_a_small_skew_is_kept() -> None:
    """A queue visit that starts in 1970 on a call of today would stretch the timeline
    and the time bar over decades: its start is unknown, said as a data problem with the
    time as sent; a minute's skew stays (the timeline draws and warns of it)."""
    data = reference()
    start = parse_interaction(data).start
    assert start is not None
    data["queues"][0]["startTimestamp"] = "1970-01-01T00:00:00.000Z"
    skewed = (start - timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    data["segments"][0]["startTimestamp"] = skewed
    i = parse_interaction(data)
    assert i.queues[0].start is None and "start" in i.queues[0].unknown
    assert i.segments[0].start is not None  # a minute early: clock skew, kept
    said = [p for p in i.problems if "1970-01-01" in p.message]
    assert len(said) == 1 and said[0].where.startswith("Queue visit 1")
    assert "more than a day before the interaction's start; shown as unknown" in said[0].message
