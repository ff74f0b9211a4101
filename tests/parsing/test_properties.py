"""Property-based parsing tests: nothing but BadResponse ever escapes, and types hold."""

from __future__ import annotations

import copy
import json
import math
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.cxengage.errors import BadResponse
from dashboard.interactions.domain import DataProblem, Interaction, Segment
from dashboard.interactions.parsing import is_complete, parse_interaction
from tests.parsing.helpers import assert_well_typed

TOP_FIELDS = [
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
    "audioRecording",
    "csat",
    "campaignId",
    "leadId",
    "updated",
    "monitors",
    "interactionAttributes",
    "artifactsSummary",
    "customerHoldTimes",
    "interactionTime",
    "ivrTime",
    "ivrAbandoned",
    "ivrAbandonTime",
    "customerAbandonTime",
    "customerConversationTime",
    "customerTalkTime",
    "customerTalkTimes",
    "customerHolds",
    "customerHoldTime",
    "customerHoldAbandoned",
    "customerTransfers",
    "customerResponseTimes",
    "thirdPartyTime",
    "customerSatisfactionScore",
    "someVendorTime",
    "tenantName",
]
SEGMENT_FIELDS = [
    "segmentNumber",
    "segmentCancelled",
    "interactionSegmentId",
    "segmentStartType",
    "endTimestamp",
    "segmentEndType",
    "segmentCancelTime",
    "startTimestamp",
    "segmentTime",
    "segmentAgentId",
    "segmentToAgentId",
    "segmentConsultTime",
    "agentId",
    "interactionAgentId",
    "transfer",
    "transferTime",
    "addParticipant",
    "addParticipantTime",
    "addParticipantHandedOff",
    "segmentExtensionType",
    "segmentExtensionValue",
    "segmentThirdParty",
]
QUEUE_FIELDS = [
    "queueEntryLength",
    "interactionSegmentId",
    "queueAbandonTime",
    "platformQueueId",
    "queueAbandoned",
    "endTimestamp",
    "slaAbandoned",
    "queueExitType",
    "queueEntryType",
    "interactionQueueId",
    "queueType",
    "startTimestamp",
    "queueName",
    "queueTime",
    "slaTime",
    "queueId",
    "agentId",
]
AGENT_FIELDS = [
    "platformAgentId",
    "agentName",
    "sessionId",
    "interactionSegmentId",
    "agentId",
    "interactionAgentId",
    "endTimestamp",
    "agentWorkCancelTime",
    "startTimestamp",
    "tenantAgentId",
    "queueId",
]
HOOK_FIELDS = [
    "interactionHookId",
    "hookSubType",
    "hookSubtype",
    "agentId",
    "hookType",
    "hookName",
    "hookedBy",
    "hookId",
    "timestamp",
]
OUTBOUND_FIELDS = [
    "interactionOutboundIdentifierID",
    "interactionOutboundIdentifierId",
    "outboundIdentifierId",
    "outboundIdentifierValue",
    "outboundIdentitiferName",
    "outboundIdentifierName",
]
MESSAGE_FIELDS = [
    "from",
    "sender",
    "type",
    "role",
    "author",
    "fromName",
    "senderName",
    "name",
    "displayName",
    "text",
    "body",
    "message",
    "content",
    "timestamp",
    "time",
    "created",
    "createdAt",
    "sentAt",
]
HOLD_FIELDS = ["startTimestamp", "endTimestamp", "holdTime", "duration"]
DETAILS_FIELDS = [
    "endTimestamp",
    "interactionId",
    "contactPoint",
    "customer",
    "csat",
    "startTimestamp",
    "agents",
    "direction",
    "contactId",
    "channelType",
]
ALL_NAMES = sorted(
    set(
        TOP_FIELDS
        + SEGMENT_FIELDS
        + QUEUE_FIELDS
        + AGENT_FIELDS
        + HOOK_FIELDS
        + OUTBOUND_FIELDS
        + MESSAGE_FIELDS
        + HOLD_FIELDS
        + ["messages"]
    )
)

HUGE = [
    10**400,
    -(10**400),
    2**64,
    -(2**63),
    10**20,
    1e308,
    -1e308,
    5e-324,
    1e15 + 0.5,
    1512674433394,
    1512674433,
    7_258_118_400_000,
    631_152_000,
    1e11,
    math.nan,
    math.inf,
    -math.inf,
    0,
    1,
    -1,
    0.0,
    -0.0,
]
TIMESTAMPISH = st.from_regex(
    r"\A\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}([.,]\d{1,9})?)?\s?(Z|z|[+-]\d{2}(:?\d{2})?)?\Z"
)
STRINGY = st.sampled_from(
    [
        "",
        " ",
        "true",
        "false",
        "yes",
        "0",
        "1",
        "94.2",
        " 94.2 ",
        "lots",
        "nan",
        "inf",
        "-inf",
        "1e400",
        "1_000",
        "javascript:alert(1)",
        "https://x.example/r.wav",
        "Agent",
        "Stuck",
        "2017-12-07T19:20:33.394Z",
        "9999-12-31T23:59:59-23:59",
        "0001-01-01T00:00:00+01:00",
        "2017-12-07T19:20:33+24:00",
        "２０１７-１２-０７T19:20:33Z",
    ]
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
        **dict.fromkeys(TOP_FIELDS, JSON),
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
            optional={**dict.fromkeys(DETAILS_FIELDS, JSON), "agents": records(AGENT_FIELDS)},
        )
        | JSON,
    },
)

# Examples, deadline and health checks: the Hypothesis profile (tests/conftest.py).


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


@given(JSON)
def test_property_arbitrary_json_body(data: Any) -> None:
    _check_result(data)


@given(st.dictionaries(KEYS, JSON, max_size=8))
def test_property_arbitrary_json_object(data: dict[str, Any]) -> None:
    _check_result(data)


@given(STRUCTURED)
def test_property_real_field_names_arbitrary_values(data: dict[str, Any]) -> None:
    _check_result(data)


@given(st.sampled_from(["startTimestamp", "endTimestamp", "updated", "flagTimestamp"]), LEAVES)
def test_property_any_timestamp_value(key: str, value: Any) -> None:
    _check_result(
        {"flagged": True, key: value, "segments": [{key: value}], "queues": [{key: value}]}
    )
