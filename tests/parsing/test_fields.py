"""Parsing every field on the reference page and in the notes."""

from __future__ import annotations

from typing import Any

from dashboard.interactions.domain import (
    AgentAllocation,
    Extra,
    HoldInterval,
    Hook,
    OutboundIdentifier,
    Segment,
)
from dashboard.interactions.parsing import parse_interaction
from tests.parsing.helpers import (
    AGENT_A,
    AGENT_B,
    QUEUE_ID,
    SEG0,
    SEG1,
    all_unknown,
    assert_utc,
    assert_well_typed,
    full_payload,
    problem_text,
    stats_by_name,
    utc,
)


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


def test_a_monitor_sent_with_times_is_a_stretch_of_listening_in() -> None:
    body = {
        "startTimestamp": "2026-11-25T15:20:00.000Z",
        "monitors": [
            "Name Only",
            {
                "agentName": "Ingrid Halvorsen",
                "agentId": "m1",
                "startTimestamp": "2026-11-25T15:24:00.000Z",
                "endTimestamp": "2026-11-25T15:29:30.000Z",
                "monitorType": "silent",
            },
            {"agentName": "No Times"},
        ],
    }
    i = parse_interaction(body)
    assert i.monitors == ("Name Only", "Ingrid Halvorsen", "No Times")
    (m,) = i.monitorings
    assert (m.name, m.agent_id, m.monitor_type) == ("Ingrid Halvorsen", "m1", "silent")
    assert_utc(m.start, utc(2026, 11, 25, 15, 24))
    assert_utc(m.end, utc(2026, 11, 25, 15, 29, 30))
    assert not i.problems
