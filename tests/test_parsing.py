"""Tests for ``dashboard.interactions.parsing``: raw CxEngage JSON -> ``Interaction``.

The parser is pure; these tests need no database. (The autouse fixture in
``conftest.py`` uses Django's ``settings`` fixture, which is harmless here.)
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import types
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

import dashboard.demo
from dashboard.cxengage.errors import BadResponse
from dashboard.interactions import domain
from dashboard.interactions.domain import (
    FLAG_REASONS,
    GENERIC_FLAG_REASON,
    AgentAllocation,
    DataProblem,
    Extra,
    Flag,
    HoldInterval,
    Hook,
    Interaction,
    OutboundIdentifier,
    QueueVisit,
    Segment,
    Statistic,
    Transcript,
    TranscriptMessage,
)
from dashboard.interactions.parsing import is_complete, parse_interaction

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PAYLOADS = Path(dashboard.demo.__file__).resolve().parent / "payloads"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def reference() -> dict[str, Any]:
    return json.loads((FIXTURES / "reference-sample.json").read_text(encoding="utf-8"))


def problem_text(interaction: Interaction) -> str:
    return " | ".join(f"{p.where}: {p.message}" for p in interaction.problems)


def stats_by_name(interaction: Interaction) -> dict[str, Statistic]:
    return {s.name: s for s in interaction.statistics}


def others_by_name(interaction: Interaction) -> dict[str, Statistic]:
    return {s.name: s for s in interaction.other_statistics}


def assert_utc(moment: datetime | None, expected: datetime) -> None:
    assert isinstance(moment, datetime)
    assert moment.tzinfo is not None
    assert moment.utcoffset() == timedelta(0)
    assert moment == expected


# ---------------------------------------------------------------------------
# Type checking of the whole result against the dataclasses' declared types
# ---------------------------------------------------------------------------

_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls, vars(domain))
    return _HINTS[cls]


def type_errors(value: Any, tp: Any, path: str = "interaction") -> list[str]:
    """Every place where ``value`` does not match the declared type ``tp``."""
    origin = get_origin(tp)
    if tp is Any:
        return []
    if origin in (Union, types.UnionType):
        options = [type_errors(value, arg, path) for arg in get_args(tp)]
        if any(not errs for errs in options):
            return []
        return [f"{path}: {value!r:.80} is not {tp}"]
    if origin is Literal:
        return [] if value in get_args(tp) else [f"{path}: {value!r} not in {tp}"]
    if tp is type(None):
        return [] if value is None else [f"{path}: {value!r:.80} is not None"]
    if origin is tuple:
        if not isinstance(value, tuple):
            return [f"{path}: {type(value).__name__} is not a tuple"]
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return [e for i, v in enumerate(value) for e in type_errors(v, args[0], f"{path}[{i}]")]
        if len(args) != len(value):
            return [f"{path}: wrong tuple length"]
        pairs = enumerate(zip(value, args))
        return [e for i, (v, a) in pairs for e in type_errors(v, a, f"{path}[{i}]")]
    if origin is frozenset:
        if not isinstance(value, frozenset):
            return [f"{path}: {type(value).__name__} is not a frozenset"]
        (arg,) = get_args(tp)
        return [e for v in value for e in type_errors(v, arg, f"{path}{{}}")]
    if tp is bool:
        return [] if isinstance(value, bool) else [f"{path}: {value!r:.80} is not a bool"]
    if tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path}: {value!r:.80} is not an int"]
    if tp is float:
        if not isinstance(value, float):
            return [f"{path}: {value!r:.80} is not a float"]
        return [] if math.isfinite(value) else [f"{path}: {value!r} is not finite"]
    if tp is str:
        return [] if isinstance(value, str) else [f"{path}: {value!r:.80} is not a str"]
    if tp is datetime:
        if not isinstance(value, datetime):
            return [f"{path}: {value!r:.80} is not a datetime"]
        if value.tzinfo is None or value.utcoffset() != timedelta(0):
            return [f"{path}: {value!r} is not an aware UTC datetime"]
        return []
    if dataclasses.is_dataclass(tp):
        if type(value) is not tp:
            return [f"{path}: {type(value).__name__} is not {tp.__name__}"]
        return [
            e
            for f in dataclasses.fields(tp)
            for e in type_errors(getattr(value, f.name), _hints(tp)[f.name], f"{path}.{f.name}")
        ]
    raise AssertionError(f"type checker does not handle {tp!r} at {path}")


def assert_well_typed(interaction: Any) -> None:
    errors = type_errors(interaction, Interaction)
    assert not errors, "\n".join(errors[:20])


def all_unknown(interaction: Interaction) -> set[str]:
    found = {f"interaction.{n}" for n in interaction.unknown}
    for kind, records in (
        ("segment", interaction.segments),
        ("queue", interaction.queues),
        ("agent", interaction.agents),
        ("hook", interaction.hooks),
    ):
        for record in records:
            found |= {f"{kind}.{n}" for n in record.unknown}
    if interaction.outbound_identifier:
        found |= {f"outbound.{n}" for n in interaction.outbound_identifier.unknown}
    found |= {f"statistic.{s.name}" for s in interaction.statistics if s.unknown}
    return found


# ---------------------------------------------------------------------------
# The vendor's reference sample
# ---------------------------------------------------------------------------


def test_reference_fixture_is_the_page_sample() -> None:
    page = (Path("/work/shared/reference/get-a-specific-interaction.txt"))
    if not page.exists():
        pytest.skip("reference page not available")
    text = page.read_text(encoding="utf-8")
    start = text.index("{", text.index("Sample Response"))
    end = text.index("}\t", start) + 1
    assert json.loads(text[start:end]) == reference()


def test_reference_sample_header_fields() -> None:
    i = parse_interaction(reference())
    assert i.tenant_id == "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"
    assert i.interaction_id == "b2109780-db83-11e7-9709-c2b07aa3bee9"
    assert i.flow_id == "28219e00-82b6-11e7-b08f-6e56a766befb"
    assert i.flow_name == "Basic Flow"
    assert i.channel_type == "voice"
    assert i.direction == "inbound"
    assert i.customer == "+15065552222"
    assert i.contact_point == "+15065551111"
    assert i.contact_id is None
    assert i.csat is None
    assert_utc(i.start, utc(2017, 12, 7, 19, 20, 33, 394000))
    assert_utc(i.end, utc(2017, 12, 7, 19, 22, 7, 638000))
    assert i.data_complete is True
    assert i.in_progress is False
    assert i.duration == pytest.approx(94.244)
    assert i.flag is None
    assert i.flagged is False
    assert i.transcript is None
    assert i.outbound_identifier is None
    assert i.hooks == ()
    assert i.holds == ()
    assert i.monitors == ()
    assert i.attributes == ()
    assert i.artifacts_summary == ()
    assert i.audio_recording is None
    assert i.notes is None
    assert i.disposition_id is None and i.disposition_name is None
    assert i.campaign_id is None and i.lead_id is None and i.updated is None


def test_reference_sample_segment() -> None:
    i = parse_interaction(reference())
    assert len(i.segments) == 1
    s = i.segments[0]
    assert isinstance(s, Segment)
    assert s.number == 0 and isinstance(s.number, int) and not isinstance(s.number, bool)
    assert s.segment_id == "b2233520-db83-11e7-b86d-6aa612aefe9d"
    assert s.start_type == "interaction"
    assert s.end_type == "customer-disconnect"
    assert s.cancelled is True
    assert s.cancel_time == pytest.approx(94.166) and isinstance(s.cancel_time, float)
    assert s.segment_time == pytest.approx(94.166) and isinstance(s.segment_time, float)
    assert_utc(s.start, utc(2017, 12, 7, 19, 20, 33, 394000))
    assert_utc(s.end, utc(2017, 12, 7, 19, 22, 7, 560000))
    for attr in (
        "agent_id", "to_agent_id", "interaction_agent_id", "consult_time", "transfer",
        "transfer_time", "add_participant", "add_participant_time",
        "add_participant_handed_off", "extension_type", "extension_value", "third_party",
    ):
        assert getattr(s, attr) is None, attr
    assert s.extra == ()
    assert s.unknown == frozenset()


def test_reference_sample_queue_visit() -> None:
    i = parse_interaction(reference())
    assert len(i.queues) == 1
    q = i.queues[0]
    assert isinstance(q, QueueVisit)
    assert q.queue_visit_id == "b23cb090-db83-11e7-95f3-204e8fcfa723"
    assert q.segment_id == "b2233520-db83-11e7-b86d-6aa612aefe9d"
    assert q.queue_id == "3703e470-834a-11e7-b08f-6e56a766befb"
    assert q.queue_name == "Support"
    assert q.platform_queue_id == "743"  # an integer in the JSON, an id here
    assert q.queue_type == "queue"
    assert q.entry_type == "ivr"
    assert q.exit_type == "abandon"
    assert_utc(q.start, utc(2017, 12, 7, 19, 20, 33, 567000))
    assert_utc(q.end, utc(2017, 12, 7, 19, 22, 7, 560000))
    assert q.queue_time == pytest.approx(93.993) and isinstance(q.queue_time, float)
    assert q.abandoned is True
    assert q.abandon_time == pytest.approx(93.993)
    assert q.sla_abandoned is True
    assert q.sla_time == pytest.approx(93.993)
    assert q.entry_length == 1.0 and isinstance(q.entry_length, float)
    assert q.agent_id is None
    assert q.extra == ()
    assert q.unknown == frozenset()


def test_reference_sample_statistics_and_rest() -> None:
    i = parse_interaction(reference())
    assert i.ivr_time == pytest.approx(0.173)
    assert i.interaction_time == pytest.approx(94.244)
    assert i.hold_count == 0.0
    assert i.hold_time is None
    stats = stats_by_name(i)
    assert set(stats) == {"interactionTime", "ivrTime", "customerAbandonTime", "customerHolds"}
    assert (stats["interactionTime"].label, stats["interactionTime"].kind) == (
        "Interaction time", "duration",
    )
    assert stats["interactionTime"].value == pytest.approx(94.244)
    assert (stats["ivrTime"].label, stats["ivrTime"].kind) == ("IVR time", "duration")
    assert stats["ivrTime"].value == pytest.approx(0.173)
    assert (stats["customerAbandonTime"].label, stats["customerAbandonTime"].kind) == (
        "Customer abandon time", "duration",
    )
    assert stats["customerAbandonTime"].value == pytest.approx(94.166)
    assert (stats["customerHolds"].label, stats["customerHolds"].kind) == ("Holds", "count")
    assert stats["customerHolds"].value == 0.0
    assert not any(s.unknown for s in i.statistics)
    assert i.other_statistics == ()
    assert i.problems == ()
    assert i.agents == ()  # "agents": [] inside "details"
    assert i.unknown == frozenset()
    assert_well_typed(i)


# ---------------------------------------------------------------------------
# Every field on the reference page and in the notes
# ---------------------------------------------------------------------------

SEG0 = "b2233520-db83-11e7-b86d-6aa612aefe9d"
SEG1 = "c1111111-db83-11e7-b86d-6aa612aefe9d"
AGENT_A = "aaaaaaaa-0000-4000-8000-000000000001"
AGENT_B = "bbbbbbbb-0000-4000-8000-000000000002"
QUEUE_ID = "3703e470-834a-11e7-b08f-6e56a766befb"


def full_payload() -> dict[str, Any]:
    data = reference()
    data.update(
        {
            "flagged": True,
            "flagType": "Agent",
            "flagTimestamp": "2017-12-07T19:25:00.001Z",
            "messagingTranscript": [
                {
                    "from": "Customer", "fromName": "Dana", "text": "Hello?",
                    "timestamp": "2017-12-07T19:20:40.100Z",
                },
                {
                    "sender": "agent", "name": "Sam Agent", "body": "Hi Dana",
                    "timestamp": "2017-12-07T19:20:45Z",
                },
            ],
            "notes": "Customer asked about billing.",
            "audioRecording": "https://recordings.example.com/r/123.wav",
            "dispositionName": "Resolved",
            "dispositionId": "d1d1d1d1-0000-4000-8000-00000000000d",
            "contactId": "c0c0c0c0-0000-4000-8000-00000000000c",
            "outboundIdentifier": {
                "interactionOutboundIdentifierID": "01010101-0000-4000-8000-000000000001",
                "outboundIdentifierId": "02020202-0000-4000-8000-000000000002",
                "outboundIdentifierValue": "+15065550100",
                "outboundIdentitiferName": "Main line",
            },
            "hooks": [
                {
                    "interactionHookId": "h0000000-0000-4000-8000-000000000001",
                    "hookSubType": "ticket",
                    "agentId": AGENT_A,
                    "hookType": "zendesk",
                    "hookName": "Ticket #48213",
                    "hookedBy": "zd-user-77",
                    "hookId": "48213",
                    "timestamp": "2017-12-07T19:21:00.250Z",
                },
                {
                    "interactionHookId": "h0000000-0000-4000-8000-000000000002",
                    "hookSubtype": "case",  # the page spells it both ways
                    "agentId": AGENT_B,
                    "hookType": "salesforce",
                    "hookName": "Case 00012",
                    "hookedBy": "sf-user-9",
                    "hookId": 12,
                    "timestamp": "2017-12-07T19:21:30Z",
                },
            ],
            "segments": [
                {
                    "segmentNumber": 1,
                    "segmentCancelled": False,
                    "interactionSegmentId": SEG1,
                    "segmentStartType": "transfer",
                    "endTimestamp": "2017-12-07T19:22:07.600Z",
                    "segmentEndType": "success",
                    "segmentCancelTime": None,
                    "startTimestamp": "2017-12-07T19:21:10.000Z",
                    "segmentTime": 90.5,
                    "segmentAgentId": AGENT_A,
                    "segmentToAgentId": AGENT_B,
                    "segmentConsultTime": 12.25,
                    "interactionAgentId": "ia000000-0000-4000-8000-000000000001",
                    "transfer": True,
                    "transferTime": 15.5,
                    "addParticipant": False,
                    "addParticipantTime": 3.75,
                    "addParticipantHandedOff": True,
                    "segmentExtensionType": "pstn",
                    "segmentExtensionValue": "+15065559999",
                    "segmentThirdParty": True,
                },
                {
                    "segmentNumber": 0,
                    "segmentCancelled": True,
                    "interactionSegmentId": SEG0,
                    "segmentStartType": "interaction",
                    "endTimestamp": "2017-12-07T19:22:07.560Z",
                    "segmentEndType": "customer-disconnect",
                    "segmentCancelTime": 94.166,
                    "startTimestamp": "2017-12-07T19:20:33.394Z",
                    "segmentTime": 94.166,
                    "agentId": AGENT_B,  # only the notes' spelling
                },
            ],
            "agents": [
                {
                    "platformAgentId": "pa-1",
                    "agentName": "Sam Agent",
                    "sessionId": "5e55e55e-0000-4000-8000-000000000005",
                    "interactionSegmentId": SEG0,
                    "agentId": AGENT_A,
                    "interactionAgentId": "ia000000-0000-4000-8000-000000000001",
                    "endTimestamp": "2017-12-07T19:22:00.000Z",
                    "agentWorkCancelTime": 4.5,
                    "startTimestamp": "2017-12-07T19:20:50.000Z",
                    "tenantAgentId": "ta-1",
                    "queueId": QUEUE_ID,
                }
            ],
            "ivrAbandoned": False,
            "ivrAbandonTime": 1.5,
            "thirdPartyTime": 6.5,
            "customerHoldTime": 20.5,
            "customerHoldTimes": [12.5, 8],
            "customerHoldAbandoned": True,
            "customerTransfers": 1,
            "customerConversationTime": 70.5,
            "customerTalkTime": 50.25,
            "customerTalkTimes": [30, 20.25],
            "customerResponseTimes": [4.5, 10],
            "customerSatisfactionScore": 4.5,
            "monitors": ["Super Visor", {"agentName": "Other Monitor", "agentId": "x"}],
            "interactionAttributes": {"language": "fr", "vip": True, "score": 3},
            "artifactsSummary": {"recordings": 1, "transcripts": 0},
            "updated": "2017-12-07T19:30:00.123Z",
            "campaignId": "ca000000-0000-4000-8000-00000000000c",
            "leadId": "le000000-0000-4000-8000-00000000000e",
        }
    )
    data["queues"][0]["agentId"] = AGENT_A
    data["details"]["csat"] = "5"
    return data


def test_full_payload_header_and_extras() -> None:
    i = parse_interaction(full_payload())
    assert i.problems == (), problem_text(i)
    assert all_unknown(i) == set()
    assert i.contact_id == "c0c0c0c0-0000-4000-8000-00000000000c"
    assert i.notes == "Customer asked about billing."
    assert i.audio_recording == "https://recordings.example.com/r/123.wav"
    assert i.disposition_name == "Resolved"
    assert i.disposition_id == "d1d1d1d1-0000-4000-8000-00000000000d"
    assert i.csat == "5"
    assert i.campaign_id == "ca000000-0000-4000-8000-00000000000c"
    assert i.lead_id == "le000000-0000-4000-8000-00000000000e"
    assert_utc(i.updated, utc(2017, 12, 7, 19, 30, 0, 123000))
    assert i.monitors == ("Super Visor", "Other Monitor")
    assert set(i.attributes) == {Extra("language", "fr"), Extra("vip", "yes"), Extra("score", "3")}
    assert set(i.artifacts_summary) == {Extra("recordings", "1"), Extra("transcripts", "0")}
    assert i.other_statistics == ()
    assert_well_typed(i)


def test_full_payload_flag() -> None:
    i = parse_interaction(full_payload())
    assert i.flag is not None
    assert i.flag.flagged is True
    assert i.flagged is True
    assert i.flag.flag_type == "Agent"
    assert_utc(i.flag.timestamp, utc(2017, 12, 7, 19, 25, 0, 1000))
    assert i.flag.concerns == "agent"


def test_full_payload_transcript() -> None:
    i = parse_interaction(full_payload())
    assert i.transcript is not None
    assert i.transcript.text is None
    first, second = i.transcript.messages
    assert first.sender == "customer"
    assert first.sender_name == "Dana"
    assert first.text == "Hello?"
    assert_utc(first.timestamp, utc(2017, 12, 7, 19, 20, 40, 100000))
    assert second.sender == "agent"
    assert second.sender_name == "Sam Agent"
    assert second.text == "Hi Dana"
    assert_utc(second.timestamp, utc(2017, 12, 7, 19, 20, 45))


def test_full_payload_outbound_identifier_with_vendor_spelling() -> None:
    o = parse_interaction(full_payload()).outbound_identifier
    assert o == OutboundIdentifier(
        interaction_outbound_identifier_id="01010101-0000-4000-8000-000000000001",
        outbound_identifier_id="02020202-0000-4000-8000-000000000002",
        value="+15065550100",
        name="Main line",
    )


def test_outbound_identifier_with_corrected_spelling() -> None:
    data = {
        "outboundIdentifier": {
            "interactionOutboundIdentifierId": "iod",
            "outboundIdentifierName": "Sales line",
        }
    }
    o = parse_interaction(data).outbound_identifier
    assert o is not None
    assert o.interaction_outbound_identifier_id == "iod"
    assert o.name == "Sales line"


def test_full_payload_hooks() -> None:
    i = parse_interaction(full_payload())
    zendesk, salesforce = i.hooks
    assert zendesk == Hook(
        interaction_hook_id="h0000000-0000-4000-8000-000000000001",
        hook_type="zendesk",
        hook_sub_type="ticket",
        hook_id="48213",
        hook_name="Ticket #48213",
        hooked_by="zd-user-77",
        agent_id=AGENT_A,
        timestamp=utc(2017, 12, 7, 19, 21, 0, 250000),
    )
    assert salesforce.hook_sub_type == "case"
    assert salesforce.hook_id == "12"
    assert salesforce.hook_type == "salesforce"
    assert salesforce.agent_id == AGENT_B
    assert_utc(salesforce.timestamp, utc(2017, 12, 7, 19, 21, 30))


def test_full_payload_segments() -> None:
    i = parse_interaction(full_payload())
    assert [s.number for s in i.segments] == [0, 1]  # sorted, though sent 1 then 0
    zero, one = i.segments
    assert zero.agent_id == AGENT_B  # only "agentId" was sent: it stands in for segmentAgentId
    assert zero.handling_agent_id == AGENT_B
    assert zero.extra == ()
    assert zero.segment_id == SEG0
    assert one == Segment(
        segment_id=SEG1,
        number=1,
        start_type="transfer",
        end_type="success",
        start=utc(2017, 12, 7, 19, 21, 10),
        end=utc(2017, 12, 7, 19, 22, 7, 600000),
        cancelled=False,
        cancel_time=None,
        segment_time=90.5,
        agent_id=AGENT_A,
        to_agent_id=AGENT_B,
        interaction_agent_id="ia000000-0000-4000-8000-000000000001",
        consult_time=12.25,
        transfer=True,
        transfer_time=15.5,
        add_participant=False,
        add_participant_time=3.75,
        add_participant_handed_off=True,
        extension_type="pstn",
        extension_value="+15065559999",
        third_party=True,
    )


def test_full_payload_queue_with_agent() -> None:
    q = parse_interaction(full_payload()).queues[0]
    assert q.agent_id == AGENT_A
    assert q.platform_queue_id == "743"
    assert q.extra == ()


def test_full_payload_agents_at_top_level() -> None:
    i = parse_interaction(full_payload())
    assert i.agents == (
        AgentAllocation(
            interaction_agent_id="ia000000-0000-4000-8000-000000000001",
            agent_id=AGENT_A,
            agent_name="Sam Agent",
            platform_agent_id="pa-1",
            tenant_agent_id="ta-1",
            session_id="5e55e55e-0000-4000-8000-000000000005",
            segment_id=SEG0,
            queue_id=QUEUE_ID,
            start=utc(2017, 12, 7, 19, 20, 50),
            end=utc(2017, 12, 7, 19, 22),
            work_cancel_time=4.5,
        ),
    )


def test_full_payload_statistics() -> None:
    i = parse_interaction(full_payload())
    stats = stats_by_name(i)
    expected: dict[str, tuple[str, Any]] = {
        "interactionTime": ("duration", 94.244),
        "ivrTime": ("duration", 0.173),
        "ivrAbandoned": ("flag", False),
        "ivrAbandonTime": ("duration", 1.5),
        "customerAbandonTime": ("duration", 94.166),
        "customerConversationTime": ("duration", 70.5),
        "customerTalkTime": ("duration", 50.25),
        "customerTalkTimes": ("durations", (30.0, 20.25)),
        "customerHolds": ("count", 0.0),
        "customerHoldTime": ("duration", 20.5),
        "customerHoldTimes": ("durations", (12.5, 8.0)),
        "customerHoldAbandoned": ("flag", True),
        "customerTransfers": ("count", 1.0),
        "customerResponseTimes": ("durations", (4.5, 10.0)),
        "thirdPartyTime": ("duration", 6.5),
        "customerSatisfactionScore": ("score", 4.5),
    }
    assert set(stats) == set(expected)
    for name, (kind, value) in expected.items():
        stat = stats[name]
        assert stat.kind == kind, name
        assert stat.value == value, name
        assert type(stat.value) is type(value), name
        assert stat.label and stat.label != name, name  # a human label
        assert stat.unknown is False, name
    assert i.hold_time == 20.5
    assert i.hold_count == 0.0
    assert i.holds == (HoldInterval(None, None, 12.5), HoldInterval(None, None, 8.0))


def test_full_payload_documented_segment_fields_are_not_extras() -> None:
    """A segment may carry both ``segmentAgentId`` and the notes' ``agentId``.

    Both are documented, so neither should be listed as an undescribed field.
    """
    data = full_payload()
    data["segments"][0]["agentId"] = AGENT_B
    i = parse_interaction(data)
    one = next(s for s in i.segments if s.number == 1)
    assert one.agent_id == AGENT_A  # segmentAgentId: who started the segment
    assert one.handling_agent_id == AGENT_B  # the segment's own agentId
    assert one.extra == (), f"documented fields shown as extras: {one.extra}"
    assert i.problems == ()


def test_start_and_end_field_names_from_the_page() -> None:
    i = parse_interaction({"start": "2017-12-07T19:20:33.394Z", "end": "2017-12-07T19:22:07.638Z"})
    assert_utc(i.start, utc(2017, 12, 7, 19, 20, 33, 394000))
    assert_utc(i.end, utc(2017, 12, 7, 19, 22, 7, 638000))
    assert i.other_statistics == ()


def test_header_fields_fall_back_to_details() -> None:
    data = {
        "details": {
            "interactionId": "abc",
            "channelType": "sms",
            "direction": "outbound",
            "customer": "+1",
            "contactPoint": "+2",
            "contactId": "cid",
            "csat": 4,
            "startTimestamp": "2017-12-07T19:20:33.394Z",
            "endTimestamp": "2017-12-07T19:22:07.638Z",
        }
    }
    i = parse_interaction(data)
    got = (i.interaction_id, i.channel_type, i.direction, i.customer, i.contact_point, i.contact_id)
    assert got == ("abc", "sms", "outbound", "+1", "+2", "cid")
    assert i.csat == "4"
    assert_utc(i.start, utc(2017, 12, 7, 19, 20, 33, 394000))
    assert_utc(i.end, utc(2017, 12, 7, 19, 22, 7, 638000))
    assert i.problems == ()


def test_holds_as_records() -> None:
    data = {
        "customerHoldTimes": [
            {
                "startTimestamp": "2017-12-07T19:21:00Z",
                "endTimestamp": "2017-12-07T19:21:30Z",
                "holdTime": 30,
            },
            {"duration": "12.5"},
        ]
    }
    i = parse_interaction(data)
    assert i.holds == (
        HoldInterval(utc(2017, 12, 7, 19, 21), utc(2017, 12, 7, 19, 21, 30), 30.0),
        HoldInterval(None, None, 12.5),
    )
    assert stats_by_name(i)["customerHoldTimes"].value == (30.0, 12.5)
    assert i.problems == ()


# ---------------------------------------------------------------------------
# Tolerance
# ---------------------------------------------------------------------------


def _null_leaves(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _null_leaves(v) for k, v in value.items()}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return [_null_leaves(v) for v in value]
    return None  # scalars, and lists of scalars (a null inside a list of numbers is unreadable)


def test_nulls_everywhere_at_top_level() -> None:
    data = {key: None for key in full_payload()}
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
        "agentWrapUpTime", "customerWaitCount", "mysteryTime", "tenantName", "somethingFlag",
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
        "segment": data["segments"][0], "queue": data["queues"][0], "agent": data["agents"][0],
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
        "segment": data["segments"][0], "queue": data["queues"][0], "agent": data["agents"][0],
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
    assert stat.unknown is True and stat.value is None
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
    assert any(
        "startTimestamp" in p.message and p.where == "Interaction" for p in i.problems
    ), problem_text(i)
    assert any(
        "endTimestamp" in p.message and p.where.startswith("Segment") for p in i.problems
    ), problem_text(i)


def test_empty_timestamp_is_missing_not_unknown() -> None:
    data = reference()
    data["updated"] = ""
    i = parse_interaction(data)
    assert i.updated is None
    assert "updated" not in i.unknown


# ---- agents -----------------------------------------------------------------


def test_agents_at_top_level() -> None:
    i = parse_interaction({"agents": [{"agentId": AGENT_A, "agentName": "Top"}]})
    assert [a.agent_name for a in i.agents] == ["Top"]


def test_agents_in_details() -> None:
    i = parse_interaction({"details": {"agents": [{"agentId": AGENT_B, "agentName": "Detail"}]}})
    assert [a.agent_name for a in i.agents] == ["Detail"]
    assert i.problems == ()


def test_agents_in_both_top_level_non_empty_wins() -> None:
    i = parse_interaction(
        {
            "agents": [{"agentName": "Top"}],
            "details": {"agents": [{"agentName": "Detail 1"}, {"agentName": "Detail 2"}]},
        }
    )
    assert [a.agent_name for a in i.agents] == ["Top"]


def test_agents_empty_at_top_level_falls_back_to_details() -> None:
    i = parse_interaction({"agents": [], "details": {"agents": [{"agentName": "Detail"}]}})
    assert [a.agent_name for a in i.agents] == ["Detail"]


def test_agents_not_a_list_is_a_problem() -> None:
    i = parse_interaction({"agents": "Sam"})
    assert i.agents == ()
    assert any("agents" in p.message for p in i.problems)


def test_details_not_a_record_is_a_problem() -> None:
    i = parse_interaction({"details": ["x"], "interactionId": "abc"})
    assert i.interaction_id == "abc"
    assert any("details" in p.message for p in i.problems)


# ---- transcript -----------------------------------------------------------


def test_transcript_as_messages() -> None:
    i = parse_interaction(
        {
            "messagingTranscript": [
                {
                    "from": "customer", "fromName": "Dana", "text": "Hi",
                    "timestamp": "2017-12-07T19:20:40Z",
                },
                {
                    "sender": "Agent", "senderName": "Sam", "body": "Hello",
                    "timestamp": 1512674445000,
                },
                "just a line",
            ]
        }
    )
    assert i.transcript is not None
    assert i.transcript.text is None
    assert i.transcript.messages == (
        TranscriptMessage(utc(2017, 12, 7, 19, 20, 40), "customer", "Dana", "Hi"),
        TranscriptMessage(utc(2017, 12, 7, 19, 20, 45), "agent", "Sam", "Hello"),
        TranscriptMessage(None, "unknown", None, "just a line"),
    )
    assert i.problems == ()


def test_transcript_wrapped_in_messages_key() -> None:
    i = parse_interaction(
        {"messagingTranscript": {"messages": [{"from": "system", "text": "Started"}]}}
    )
    expected = TranscriptMessage(None, "system", None, "Started")
    assert i.transcript == Transcript(messages=(expected,))


def test_transcript_as_plain_text() -> None:
    i = parse_interaction({"messagingTranscript": "Customer: hi\nAgent: hello"})
    assert i.transcript == Transcript(messages=(), text="Customer: hi\nAgent: hello")
    assert i.problems == ()


@pytest.mark.parametrize("garbage", [42, True, {"no": "messages"}, 3.5])
def test_transcript_garbage(garbage: Any) -> None:
    i = parse_interaction({"messagingTranscript": garbage})
    assert i.transcript is None
    assert any(p.where == "Transcript" for p in i.problems)


def test_transcript_skips_unreadable_messages() -> None:
    i = parse_interaction({"messagingTranscript": [{"text": "ok"}, 5, None]})
    assert i.transcript is not None
    assert [m.text for m in i.transcript.messages] == ["ok"]
    assert sum(p.where == "Transcript" for p in i.problems) == 2


# ---- record lists ---------------------------------------------------------


@pytest.mark.parametrize("key", ["segments", "queues", "agents", "hooks"])
@pytest.mark.parametrize("value", ["oops", {"segmentNumber": 0}, 5, True])
def test_record_list_not_a_list(key: str, value: Any) -> None:
    i = parse_interaction({key: value})
    assert getattr(i, key) == ()
    assert any(key in p.message for p in i.problems), problem_text(i)


def test_segments_list_with_non_records() -> None:
    data = reference()
    data["segments"] = [data["segments"][0], 3, "x", None, ["nested"]]
    i = parse_interaction(data)
    assert len(i.segments) == 1
    assert i.segments[0].segment_id == SEG0
    skipped = [p for p in i.problems if "segments" in p.message]
    assert len(skipped) == 1
    assert "4" in skipped[0].message and "skipped" in skipped[0].message


def test_segments_sorted_by_number() -> None:
    i = parse_interaction(
        {
            "segments": [
                {"segmentNumber": 2, "interactionSegmentId": "two"},
                {"interactionSegmentId": "none"},
                {"segmentNumber": 0, "interactionSegmentId": "zero"},
                {"segmentNumber": "1", "interactionSegmentId": "one"},
                {"segmentNumber": 10, "interactionSegmentId": "ten"},
            ]
        }
    )
    assert [s.segment_id for s in i.segments] == ["zero", "one", "two", "ten", "none"]


# ---- links ----------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "  javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "data:audio/wav;base64,AAAA",
        "vbscript:msgbox(1)",
        "//evil.example/r.wav",
        "ftp://files.example/r.wav",
        "https://x.example/a\"onmouseover=\"alert(1)",
        "https://x.example/<script>",
    ],
)
def test_unsafe_recording_link_is_dropped(link: str) -> None:
    i = parse_interaction({"audioRecording": link})
    assert i.audio_recording is None
    assert any(p.where == "Recording" for p in i.problems)


@pytest.mark.parametrize(
    "link",
    [
        "https://recordings.example.com/r/123.wav?sig=abc&exp=1",
        "http://recordings.example.com/r/123.wav",
        "HTTPS://recordings.example.com/r/123.wav",
    ],
)
def test_http_recording_link_is_kept(link: str) -> None:
    i = parse_interaction({"audioRecording": link})
    assert i.audio_recording == link
    assert i.problems == ()


# ---- flags ----------------------------------------------------------------


def test_flag_type_without_flagged_still_flags() -> None:
    i = parse_interaction({"flagType": "Queue", "flagTimestamp": "2017-12-07T19:25:00Z"})
    assert i.flag is not None
    assert i.flag.flagged is True
    assert i.flagged is True
    assert i.flag.flag_type == "Queue"
    assert_utc(i.flag.timestamp, utc(2017, 12, 7, 19, 25))


def test_flagged_false_is_an_explicit_no() -> None:
    i = parse_interaction({"flagged": False, "flagType": None})
    assert i.flag == Flag(flagged=False, flag_type=None, timestamp=None)
    assert i.flagged is False


def test_flagged_as_string() -> None:
    i = parse_interaction({"flagged": "true"})
    assert i.flagged is True
    assert i.flag is not None and i.flag.flag_type is None
    assert i.flag.reason == GENERIC_FLAG_REASON[0]


@pytest.mark.parametrize(
    ("flag_type", "concerns", "keyword"),
    [
        ("forced - no reason provided", "header", "by hand"),
        ("Agent", "agent", "agent"),
        ("exceed-counter-limit-terminated", "header", "counter limit"),
        ("Queue", "queue", "queue"),
        ("Stuck", "interaction", "interaction's end time"),
        ("error-uncaught-flow-error", "header", "flow"),
        ("Segment", "segment", "segment"),
        ("Safeguard-terminated", "header", "safeguard"),
        ("agent", "agent", "agent"),  # case-insensitive
        (" QUEUE ", "queue", "queue"),
    ],
)
def test_documented_flag_types(flag_type: str, concerns: str, keyword: str) -> None:
    i = parse_interaction({"flagged": True, "flagType": flag_type})
    flag = i.flag
    assert flag is not None
    assert flag.flag_type == flag_type
    assert flag.known is True
    assert flag.concerns == concerns
    assert flag.reason != GENERIC_FLAG_REASON[0]
    assert flag.consequence != GENERIC_FLAG_REASON[1]
    assert keyword in flag.reason.lower()
    assert flag.consequence


def test_every_documented_flag_type_has_a_reason() -> None:
    documented = {
        "forced - no reason provided", "agent", "exceed-counter-limit-terminated", "queue",
        "stuck", "error-uncaught-flow-error", "segment", "safeguard-terminated",
    }
    assert documented <= set(FLAG_REASONS)


@pytest.mark.parametrize("flag_type", ["mystery-new-type", "Agentish", "42"])
def test_unknown_flag_type_gets_generic_reason(flag_type: str) -> None:
    i = parse_interaction({"flagged": True, "flagType": flag_type})
    assert i.flag is not None
    assert i.flag.known is False
    assert i.flag.reason == GENERIC_FLAG_REASON[0]
    assert i.flag.consequence == GENERIC_FLAG_REASON[1]
    assert i.flag.concerns == "header"


# ---- is_complete ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"dataComplete": True}, True),
        ({"dataComplete": "true"}, True),
        ({"dataComplete": "TRUE"}, True),
        ({"dataComplete": False}, False),
        ({"dataComplete": "false"}, False),
        ({"dataComplete": None}, False),
        ({"dataComplete": "sure"}, False),
        ({}, False),
        ([], False),
        (None, False),
        ("dataComplete", False),
    ],
)
def test_is_complete(data: Any, expected: bool) -> None:
    assert is_complete(data) is expected


def test_is_complete_reference() -> None:
    assert is_complete(reference()) is True


# ---- non-objects --------------------------------------------------------------


@pytest.mark.parametrize("body", [[], [{}], "x", "", None, 3, 3.5, True, b"{}"])
def test_non_objects_raise_bad_response(body: Any) -> None:
    with pytest.raises(BadResponse):
        parse_interaction(body)


# ---------------------------------------------------------------------------
# Bundled demo payloads
# ---------------------------------------------------------------------------

_MESSY_WORDS = ("messy", "toleran")


def _payload_files() -> list[Path]:
    return sorted(p for p in PAYLOADS.glob("*.json") if p.name != "index.json")


def _messy_files() -> set[str]:
    names = {p.name for p in _payload_files() if "messy" in p.name.lower()}
    index_file = PAYLOADS / "index.json"
    if index_file.exists():
        try:
            index = json.loads(index_file.read_text(encoding="utf-8"))
        except ValueError:
            index = []
        for entry in index if isinstance(index, list) else []:
            if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
                continue
            texts = [v for k, v in entry.items() if k != "file" and isinstance(v, str)]
            if any(word in text.lower() for text in texts for word in _MESSY_WORDS):
                names.add(Path(entry["file"]).name)
    return names


_MESSY = _messy_files()
_CLEAN = [p for p in _payload_files() if p.name not in _MESSY]
_MESSY_PATHS = [p for p in _payload_files() if p.name in _MESSY]


def test_demo_payloads_present() -> None:
    assert _payload_files(), f"no demo payloads in {PAYLOADS}"


@pytest.mark.parametrize("path", _CLEAN, ids=lambda p: p.name)
def test_demo_payload_parses_cleanly(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    i = parse_interaction(data)
    assert i.problems == (), problem_text(i)
    assert all_unknown(i) == set()
    assert i.interaction_id
    assert i.start is not None
    assert_well_typed(i)


@pytest.mark.parametrize(
    "path",
    _MESSY_PATHS
    or [pytest.param(None, marks=pytest.mark.skip(reason="no messy demo payload present"))],
    ids=lambda p: p.name if p else "none",
)
def test_messy_demo_payload_reports_problems(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    i = parse_interaction(data)
    assert i.problems, f"{path.name} is meant to be messy but parsed without problems"
    assert_well_typed(i)


# ---------------------------------------------------------------------------
# Property-based: nothing but BadResponse ever escapes, and types hold
# ---------------------------------------------------------------------------

TOP_FIELDS = [
    "tenantId", "interactionId", "flowId", "flowName", "channelType", "direction", "customer",
    "contactPoint", "contactId", "startTimestamp", "endTimestamp", "start", "end", "dataComplete",
    "flagged", "flagType", "flagTimestamp", "segments", "queues", "agents", "details", "hooks",
    "outboundIdentifier", "messagingTranscript", "notes", "dispositionId", "dispositionName",
    "audioRecording", "csat", "campaignId", "leadId", "updated", "monitors",
    "interactionAttributes", "artifactsSummary", "customerHoldTimes", "interactionTime",
    "ivrTime", "ivrAbandoned", "ivrAbandonTime", "customerAbandonTime",
    "customerConversationTime", "customerTalkTime", "customerTalkTimes", "customerHolds",
    "customerHoldTime", "customerHoldAbandoned", "customerTransfers", "customerResponseTimes",
    "thirdPartyTime", "customerSatisfactionScore", "someVendorTime", "tenantName",
]
SEGMENT_FIELDS = [
    "segmentNumber", "segmentCancelled", "interactionSegmentId", "segmentStartType",
    "endTimestamp", "segmentEndType", "segmentCancelTime", "startTimestamp", "segmentTime",
    "segmentAgentId", "segmentToAgentId", "segmentConsultTime", "agentId", "interactionAgentId",
    "transfer", "transferTime", "addParticipant", "addParticipantTime",
    "addParticipantHandedOff", "segmentExtensionType", "segmentExtensionValue", "segmentThirdParty",
]
QUEUE_FIELDS = [
    "queueEntryLength", "interactionSegmentId", "queueAbandonTime", "platformQueueId",
    "queueAbandoned", "endTimestamp", "slaAbandoned", "queueExitType", "queueEntryType",
    "interactionQueueId", "queueType", "startTimestamp", "queueName", "queueTime", "slaTime",
    "queueId", "agentId",
]
AGENT_FIELDS = [
    "platformAgentId", "agentName", "sessionId", "interactionSegmentId", "agentId",
    "interactionAgentId", "endTimestamp", "agentWorkCancelTime", "startTimestamp",
    "tenantAgentId", "queueId",
]
HOOK_FIELDS = [
    "interactionHookId", "hookSubType", "hookSubtype", "agentId", "hookType", "hookName",
    "hookedBy", "hookId", "timestamp",
]
OUTBOUND_FIELDS = [
    "interactionOutboundIdentifierID", "interactionOutboundIdentifierId", "outboundIdentifierId",
    "outboundIdentifierValue", "outboundIdentitiferName", "outboundIdentifierName",
]
MESSAGE_FIELDS = [
    "from", "sender", "type", "role", "author", "fromName", "senderName", "name", "displayName",
    "text", "body", "message", "content", "timestamp", "time", "created", "createdAt", "sentAt",
]
HOLD_FIELDS = ["startTimestamp", "endTimestamp", "holdTime", "duration"]
DETAILS_FIELDS = [
    "endTimestamp", "interactionId", "contactPoint", "customer", "csat", "startTimestamp",
    "agents", "direction", "contactId", "channelType",
]
ALL_NAMES = sorted(
    set(TOP_FIELDS + SEGMENT_FIELDS + QUEUE_FIELDS + AGENT_FIELDS + HOOK_FIELDS + OUTBOUND_FIELDS
        + MESSAGE_FIELDS + HOLD_FIELDS + ["messages"])
)

HUGE = [
    10**400, -(10**400), 2**64, -(2**63), 10**20, 1e308, -1e308, 5e-324, 1e15 + 0.5,
    1512674433394, 1512674433, 7_258_118_400_000, 631_152_000, 1e11,
    math.nan, math.inf, -math.inf, 0, 1, -1, 0.0, -0.0,
]
TIMESTAMPISH = st.from_regex(
    r"\A\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}([.,]\d{1,9})?)?\s?(Z|z|[+-]\d{2}(:?\d{2})?)?\Z"
)
STRINGY = st.sampled_from(
    ["", " ", "true", "false", "yes", "0", "1", "94.2", " 94.2 ", "lots", "nan", "inf", "-inf",
     "1e400", "1_000", "javascript:alert(1)", "https://x.example/r.wav", "Agent", "Stuck",
     "2017-12-07T19:20:33.394Z", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+01:00",
     "2017-12-07T19:20:33+24:00", "２０１７-１２-０７T19:20:33Z"]
)
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from(HUGE)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | STRINGY
    | TIMESTAMPISH
)
KEYS = st.sampled_from(ALL_NAMES) | st.text(max_size=10)
JSON = st.recursive(
    LEAVES,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=25,
)


def record(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    keys = st.sampled_from(fields) | st.text(max_size=8)
    return st.dictionaries(keys, JSON, max_size=len(fields))


def records(fields: list[str]) -> st.SearchStrategy[Any]:
    return st.lists(record(fields) | JSON, max_size=4) | JSON


STRUCTURED = st.fixed_dictionaries(
    {},
    optional={
        **{name: JSON for name in TOP_FIELDS},
        "segments": records(SEGMENT_FIELDS),
        "queues": records(QUEUE_FIELDS),
        "agents": records(AGENT_FIELDS),
        "hooks": records(HOOK_FIELDS),
        "customerHoldTimes": records(HOLD_FIELDS),
        "messagingTranscript": records(MESSAGE_FIELDS)
        | st.fixed_dictionaries({"messages": records(MESSAGE_FIELDS)}),
        "outboundIdentifier": record(OUTBOUND_FIELDS) | JSON,
        "details": st.fixed_dictionaries(
            {},
            optional={**{name: JSON for name in DETAILS_FIELDS}, "agents": records(AGENT_FIELDS)},
        )
        | JSON,
    },
)

PROPERTY_SETTINGS = hyp_settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _check_result(data: Any) -> None:
    if not isinstance(data, dict):
        with pytest.raises(BadResponse):
            parse_interaction(data)
        return
    i = parse_interaction(data)  # a JSON object is never refused
    assert isinstance(i, Interaction)
    assert isinstance(i.segments, tuple) and all(isinstance(s, Segment) for s in i.segments)
    assert i.start is None or (i.start.tzinfo is not None and i.start.utcoffset() == timedelta(0))
    assert_well_typed(i)
    assert all(isinstance(p, DataProblem) for p in i.problems)
    numbers = [s.number for s in i.segments if s.number is not None]
    assert numbers == sorted(numbers)
    # The derived properties work on anything the parser returns.
    _ = (i.flagged, i.in_progress, i.duration)
    if i.flag is not None:
        _ = (i.flag.known, i.flag.reason, i.flag.consequence, i.flag.concerns)
    assert isinstance(is_complete(data), bool)
    # Parsing is deterministic and does not modify its input.
    before = copy.deepcopy(data)
    parse_interaction(data)
    def dump(value: Any) -> str:
        return json.dumps(value, sort_keys=True, default=repr)

    assert dump(data) == dump(before)


@PROPERTY_SETTINGS
@given(JSON)
def test_property_arbitrary_json_body(data: Any) -> None:
    _check_result(data)


@PROPERTY_SETTINGS
@given(st.dictionaries(KEYS, JSON, max_size=8))
def test_property_arbitrary_json_object(data: dict[str, Any]) -> None:
    _check_result(data)


@PROPERTY_SETTINGS
@given(STRUCTURED)
def test_property_real_field_names_arbitrary_values(data: dict[str, Any]) -> None:
    _check_result(data)


@PROPERTY_SETTINGS
@given(st.sampled_from(["startTimestamp", "endTimestamp", "updated", "flagTimestamp"]), LEAVES)
def test_property_any_timestamp_value(key: str, value: Any) -> None:
    _check_result(
        {"flagged": True, key: value, "segments": [{key: value}], "queues": [{key: value}]}
    )
