"""Helpers shared by the parsing tests: the reference sample, a payload with every
documented field, and a check of a whole parse result against the declared types.
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import dashboard.demo
from dashboard.interactions import domain
from dashboard.interactions.domain import Interaction, Statistic

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
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
        pairs = enumerate(zip(value, args, strict=True))
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
                    "from": "Customer",
                    "fromName": "Dana",
                    "text": "Hello?",
                    "timestamp": "2017-12-07T19:20:40.100Z",
                },
                {
                    "sender": "agent",
                    "name": "Sam Agent",
                    "body": "Hi Dana",
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
