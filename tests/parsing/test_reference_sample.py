"""Parsing the vendor's reference sample (the page's own example)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.interactions.domain import QueueVisit, Segment
from dashboard.interactions.parsing import parse_interaction
from tests.parsing.helpers import assert_utc, assert_well_typed, reference, stats_by_name, utc


def test_reference_fixture_is_the_page_sample() -> None:
    page = Path("/work/shared/reference/get-a-specific-interaction.txt")
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
        "agent_id",
        "to_agent_id",
        "interaction_agent_id",
        "consult_time",
        "transfer",
        "transfer_time",
        "add_participant",
        "add_participant_time",
        "add_participant_handed_off",
        "extension_type",
        "extension_value",
        "third_party",
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
        "Interaction time",
        "duration",
    )
    assert stats["interactionTime"].value == pytest.approx(94.244)
    assert (stats["ivrTime"].label, stats["ivrTime"].kind) == ("IVR time", "duration")
    assert stats["ivrTime"].value == pytest.approx(0.173)
    assert (stats["customerAbandonTime"].label, stats["customerAbandonTime"].kind) == (
        "Customer abandon time",
        "duration",
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
