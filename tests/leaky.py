"""Interaction bodies with customer data in places the reference does not describe.

Each marker in ``MARKERS`` sits in one undescribed place (an unknown field at
some depth, a free-text record, or a known field with the wrong type). A viewer
without the contact-details permission must receive none of them, in any output;
a viewer with it receives the body as the API sent it.

``customer_data_family()`` gives the bodies by name; the interaction IDs are all
different, so the family can be served by a stand-in API at once.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

_SAMPLE = Path(__file__).resolve().parent / "fixtures" / "reference-sample.json"

#: Every secret in the family, each a distinct string that appears nowhere else.
MARKERS: tuple[str, ...] = (
    "SECRET-TOP-1",
    "SECRET-TOP-NAME-2",
    "secret.caller@example.org",  # an email address in an unknown top-level field
    "+15065550177",  # a phone number in interactionAttributes
    "SECRET-NESTED-3",
    "SECRET-NESTED-DEEP-4",
    "SECRET-DETAILS-5",
    "SECRET-ATTR-6",
    "SECRET-ARTIFACT-7",
    "SECRET-SEGMENT-8",
    "SECRET-QUEUE-9",
    "SECRET-AGENT-10",
    "SECRET-DETAILS-AGENT-11",
    "SECRET-HOOK-12",
    "SECRET-STAT-13",
    "SECRET-OUTBOUND-14",
    "SECRET-HOLD-15",
    "SECRET-MONITOR-16",
    "SECRET-TRANSCRIPT-17",
    "SECRET-NOTES-18",
    "SECRET-CUSTOMER-OBJ-19",
    "SECRET-NOTES-LIST-20",
    "+15065550199",  # details.customer sent as a list
    "SECRET-HOOKNAME-21",
    "SECRET-AUDIO-22",
    "SECRET-SEGTYPE-23",
    "SECRET-IVR-24",
    "SECRET-HOLD-TEXT-25",
    "SECRET-MESSAGE-ITEM-26",
    "SECRET-QUEUE-TIME-27",
    "SECRET-CSAT-28",
    "SECRET-FLOWNAME-OBJ-29",
    "SECRET-TIMESTAMP-30",
)

_TENANT = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"


def _base(n: int) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(_SAMPLE.read_text(encoding="utf-8"))
    body["interactionId"] = body["details"]["interactionId"] = (
        f"b2109780-db83-11e7-9709-c2b07aa3be{n:02x}"
    )
    body["tenantId"] = _TENANT
    return body


def _undescribed_fields() -> dict[str, Any]:
    """Unknown fields at every level, holding text, numbers, records and lists."""
    body = _base(1)
    body.update(
        {
            "customerName": "SECRET-TOP-1",
            "callerLabel": "SECRET-TOP-NAME-2",
            "customerEmail": "secret.caller@example.org",
            "customerProfile": {
                "tags": ["SECRET-NESTED-3", {"deeper": {"deepest": "SECRET-NESTED-DEEP-4"}}]
            },
            "interactionAttributes": {
                "accountNumber": "SECRET-ATTR-6",
                "callbackNumber": "+15065550177",
                "verified": True,
                "attempts": 3,
            },
            "artifactsSummary": {"email": "SECRET-ARTIFACT-7", "count": 2},
            # An undescribed statistic that holds text.
            "callbackReason": "SECRET-STAT-13",
            "outboundIdentifier": {
                "outboundIdentifierId": "9f0c6a1e-0b4a-4c53-8d53-5f9a4e8d2a11",
                "outboundIdentifierValue": "+15065551111",
                "outboundIdentitiferName": "Support line",
                "lastDialledBy": "SECRET-OUTBOUND-14",
            },
            "customerHoldTimes": [
                {
                    "startTimestamp": "2017-12-07T19:21:00.000Z",
                    "holdTime": 5,
                    "reason": "SECRET-HOLD-15",
                }
            ],
            "monitors": ["Supervisor One", {"listenedFor": "SECRET-MONITOR-16"}],
            "messagingTranscript": [
                {"from": "customer", "text": "SECRET-TRANSCRIPT-17", "timestamp": None}
            ],
            "notes": "Customer said SECRET-NOTES-18",
            "hooks": [
                {
                    "interactionHookId": "d77ad4ce-dc6b-11f1-b149-706bae075810",
                    "hookType": "zendesk",
                    "hookSubType": "ticket",
                    "hookId": "48213",
                    "hookName": "#48213",
                    "timestamp": "2017-12-07T19:21:00.000Z",
                    "requesterPhone": "SECRET-HOOK-12",
                }
            ],
        }
    )
    body["details"]["callerName"] = "SECRET-DETAILS-5"
    body["details"]["agents"] = [
        {"agentId": "a1", "agentName": "Agent A", "personalNote": "SECRET-DETAILS-AGENT-11"}
    ]
    body["segments"][0]["dialledFor"] = "SECRET-SEGMENT-8"
    body["queues"][0]["callerSaid"] = "SECRET-QUEUE-9"
    body["agents"] = [
        {
            "agentId": "a2",
            "agentName": "Agent B",
            "wrapUp": {"summary": "SECRET-AGENT-10"},
            "startTimestamp": "2017-12-07T19:21:00.000Z",
        }
    ]
    return body


def _wrong_types() -> dict[str, Any]:
    """Known fields holding customer data in a type the field should not have."""
    body = _base(2)
    body.update(
        {
            "customer": {"name": "SECRET-CUSTOMER-OBJ-19"},
            "notes": ["SECRET-NOTES-LIST-20"],
            "audioRecording": {"url": "SECRET-AUDIO-22"},
            "hooks": [
                {
                    "hookType": "salesforce",
                    "hookId": "5003000000D8cuI",
                    "hookName": {"title": "SECRET-HOOKNAME-21"},
                }
            ],
            "ivrTime": "SECRET-IVR-24",
            "customerHoldTimes": ["SECRET-HOLD-TEXT-25"],
            "messagingTranscript": [["SECRET-MESSAGE-ITEM-26"]],
            "csat": "SECRET-CSAT-28",
            "flowName": {"name": "SECRET-FLOWNAME-OBJ-29"},
            "updated": "SECRET-TIMESTAMP-30",
        }
    )
    body["segments"][0]["segmentStartType"] = {"typed": "SECRET-SEGTYPE-23"}
    body["queues"][0]["queueTime"] = "SECRET-QUEUE-TIME-27"
    return body


def _customer_only_in_details() -> dict[str, Any]:
    """The top-level customer missing, and details.customer a list: the parser reads it."""
    body = _base(3)
    body["customer"] = None
    body["details"]["customer"] = ["+15065550199"]
    return body


def customer_data_family() -> list[tuple[str, dict[str, Any]]]:
    """(name, body) pairs; fresh copies on every call."""
    return [
        ("undescribed-fields", copy.deepcopy(_undescribed_fields())),
        ("wrong-types", copy.deepcopy(_wrong_types())),
        ("customer-only-in-details", copy.deepcopy(_customer_only_in_details())),
    ]
