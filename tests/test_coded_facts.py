"""Codes in the page's facts read in words with the code beside them: the channel and
direction among the contact facts, a queue's type and a segment's extension type in
the detail panel; a code the dashboard does not know is shown as sent."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from dashboard.demo.api import PAYLOADS
from dashboard.interactions import presenters
from dashboard.interactions.parsing import parse_interaction
from dashboard.interactions.timeline import timeline_for

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def _body(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / name).read_text())


def _fact(facts: Any, label: str) -> Any:
    return next(f.cell for f in facts if f.label == label)


def test_the_contact_facts_say_channel_and_direction_in_words() -> None:
    item = parse_interaction(_body("transfer-chain.json"))
    facts = presenters.page(item, UTC, "UTC").header.facts
    assert _fact(facts, "Channel").text == "Call (voice)"
    assert _fact(facts, "Direction").text == "Inbound (inbound)"
    assert _fact(facts, "Channel").title == "API code: voice"


def test_an_unknown_channel_is_shown_as_sent() -> None:
    body = _body("transfer-chain.json")
    body["channelType"], body["direction"] = "fax", "sideways"
    facts = presenters.page(parse_interaction(body), UTC, "UTC").header.facts
    assert _fact(facts, "Channel").text == "fax"
    assert _fact(facts, "Direction").text == "sideways"


def _detail_facts(body: dict[str, Any], kind: str, match: Any) -> Any:
    line = timeline_for(parse_interaction(body), NOW)
    bar = next(
        b
        for lane in line.lanes
        for row in lane.rows
        for b in row.bars
        if b.kind == kind and match(b)
    )
    detail = presenters.detail(line, bar.id, UTC, "voice")
    assert detail is not None
    return detail.facts


def test_a_queue_type_and_an_extension_type_read_in_words() -> None:
    body = copy.deepcopy(_body("transfer-chain.json"))
    queues = body.get("queues") or body["details"]["queues"]
    queues[0]["queueType"] = "resource"
    segments = body["segments"]
    segments[0]["segmentExtensionType"] = "pstn"
    segments[1]["segmentExtensionType"] = "carrier-pigeon"
    queue_facts = _detail_facts(
        body, "queue", lambda b: b.record.queue_visit_id == queues[0]["interactionQueueId"]
    )
    assert _fact(queue_facts, "Queue type").text == "An agent's own line (resource)"
    first = _detail_facts(
        body, "segment", lambda b: b.record.segment_id == segments[0]["interactionSegmentId"]
    )
    assert _fact(first, "Extension type").text == "A phone number (pstn)"
    second = _detail_facts(
        body, "segment", lambda b: b.record.segment_id == segments[1]["interactionSegmentId"]
    )
    assert _fact(second, "Extension type").text == "carrier-pigeon"


def test_an_agent_sent_by_id_in_the_detail_panel_is_named_beside_the_id() -> None:
    """A segment's and a queue visit's agent IDs read "Hannah Richard (<id>)", the name
    the allocations give that ID; an ID no allocation names stays as sent."""
    body = copy.deepcopy(_body("transfer-chain.json"))
    agents = body.get("agents") or body["details"]["agents"]
    names = {a["agentId"]: a["agentName"] for a in agents if a.get("agentName")}
    segments = body["segments"]
    segments[0]["segmentAgentId"] = agents[0]["agentId"]
    segments[1]["segmentAgentId"] = "not-an-agent-we-know"
    first = _detail_facts(
        body, "segment", lambda b: b.record.segment_id == segments[0]["interactionSegmentId"]
    )
    started = _fact(first, "Agent who started the segment (ID)")
    assert started.text == f"{names[agents[0]['agentId']]} ({agents[0]['agentId']})"
    second = _detail_facts(
        body, "segment", lambda b: b.record.segment_id == segments[1]["interactionSegmentId"]
    )
    assert _fact(second, "Agent who started the segment (ID)").text == "not-an-agent-we-know"
