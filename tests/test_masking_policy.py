"""The masking policy: allowlisted values shown, everything else withheld by name.

Runs the ``tests.leaky`` family through ``selectors.for_masked_viewer`` and checks
that no marker survives in the masked interaction, its raw JSON or its data
problems, while the unmasked path keeps every one of them.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from dashboard.interactions.domain import DataProblem, Interaction, Summary
from dashboard.interactions.masking import (
    HIDDEN,
    WITHHELD,
    kept_digits,
    mask,
    mask_interaction,
    mask_summary,
)
from dashboard.interactions.parsing import mask_raw, parse_interaction
from dashboard.interactions.selectors import for_masked_viewer
from tests.leaky import MARKERS, customer_data_family

FAMILY = customer_data_family()


def everything(interaction: Interaction, raw: dict[str, Any]) -> str:
    """All a viewer could be sent: the domain object, its problems (both ways) and the JSON."""
    problems = " | ".join(
        f"{p.where}: {p.message} {p.text(with_value=True)}" for p in interaction.problems
    )
    return "\n".join((repr(interaction), problems, json.dumps(raw, ensure_ascii=False)))


def test_every_marker_is_planted() -> None:
    planted = json.dumps([body for _, body in FAMILY], ensure_ascii=False)
    assert len(set(MARKERS)) == len(MARKERS) >= 15
    for marker in MARKERS:
        assert marker in planted, marker


@pytest.mark.parametrize(("name", "body"), FAMILY, ids=[n for n, _ in FAMILY])
def test_masked_viewer_gets_no_marker(name: str, body: dict[str, Any]) -> None:
    original = json.dumps(body, sort_keys=True)
    interaction, raw = for_masked_viewer(parse_interaction(body), body)
    seen = everything(interaction, raw)
    for marker in MARKERS:
        assert marker not in seen, f"{marker!r} leaked from {name}"
    assert interaction.redacted
    assert json.dumps(body, sort_keys=True) == original  # the cached copy is left alone


@pytest.mark.parametrize(("name", "body"), FAMILY, ids=[n for n, _ in FAMILY])
def test_unmasked_path_keeps_every_marker(name: str, body: dict[str, Any]) -> None:
    interaction = parse_interaction(body)
    seen = everything(interaction, body)
    planted = [m for m in MARKERS if m in json.dumps(body, ensure_ascii=False)]
    assert planted
    for marker in planted:
        assert marker in seen
    # The domain object itself carries most of them (so masking it is what hides them).
    in_domain = [m for m in planted if m in repr(interaction)]
    assert len(in_domain) >= len(planted) // 2, (name, set(planted) - set(in_domain))


def test_names_stay_values_go() -> None:
    body = dict(FAMILY)["undescribed-fields"]
    interaction, raw = for_masked_viewer(parse_interaction(body), body)
    assert raw["customerName"] == WITHHELD and raw["customerEmail"] == WITHHELD
    assert raw["customerProfile"] == {"tags": [WITHHELD, {"deeper": {"deepest": WITHHELD}}]}
    assert raw["interactionAttributes"] == {
        "accountNumber": WITHHELD,
        "callbackNumber": WITHHELD,
        "verified": WITHHELD,
        "attempts": WITHHELD,
    }
    assert raw["details"]["callerName"] == WITHHELD
    assert raw["details"]["agents"][0] == {
        "agentId": "a1",
        "agentName": "Agent A",
        "personalNote": WITHHELD,
    }
    assert raw["segments"][0]["dialledFor"] == WITHHELD
    assert raw["queues"][0]["callerSaid"] == WITHHELD and raw["queues"][0]["queueName"] == "Support"
    assert raw["agents"][0]["wrapUp"] == {"summary": WITHHELD}
    assert raw["hooks"][0]["requesterPhone"] == WITHHELD and raw["hooks"][0]["hookId"] == "48213"
    assert raw["monitors"] == ["Supervisor One", {"listenedFor": WITHHELD}]
    assert raw["messagingTranscript"] == HIDDEN and raw["notes"] == HIDDEN
    assert (
        raw["outboundIdentifier"]["outboundIdentifierValue"] == "+15065551111"
    )  # the tenant's own
    assert raw["outboundIdentifier"]["lastDialledBy"] == WITHHELD
    assert raw["customerHoldTimes"][0] == {
        "startTimestamp": "2017-12-07T19:21:00.000Z",
        "holdTime": 5,
        "reason": WITHHELD,
    }
    # Allowlisted values are shown as the API sent them.
    for key in (
        "tenantId",
        "interactionId",
        "flowId",
        "flowName",
        "contactPoint",
        "startTimestamp",
        "interactionTime",
        "ivrTime",
        "customerAbandonTime",
        "dataComplete",
        "channelType",
    ):
        assert raw[key] == body[key], key
    assert raw["segments"][0]["segmentEndType"] == "customer-disconnect"
    assert raw["customer"] == mask(body["customer"]) == "•••••••2222"

    # The domain object: the same names, withheld values.
    assert {e.name: e.value for e in interaction.attributes} == dict.fromkeys(
        ("accountNumber", "callbackNumber", "verified", "attempts"), WITHHELD
    )
    assert {e.name: e.value for e in interaction.artifacts_summary} == {
        "email": WITHHELD,
        "count": WITHHELD,
    }
    assert {s.name: s.value for s in interaction.other_statistics}.items() >= {
        "customerName": WITHHELD,
        "callbackReason": WITHHELD,
        "customerProfile": WITHHELD,
    }.items()
    assert [(e.name, e.value) for e in interaction.segments[0].extra] == [("dialledFor", WITHHELD)]
    assert [(e.name, e.value) for e in interaction.queues[0].extra] == [("callerSaid", WITHHELD)]
    assert interaction.queues[0].queue_name == "Support"
    assert interaction.monitors == ("Supervisor One", WITHHELD)
    assert interaction.customer == "•••••••2222"
    assert interaction.transcript is None and interaction.notes is None
    assert interaction.flow_name == "Basic Flow" and interaction.interaction_time == 94.244


def test_wrong_types_are_withheld_in_the_raw_json() -> None:
    body = dict(FAMILY)["wrong-types"]
    raw = mask_raw(body)
    assert raw["customer"] == WITHHELD  # an object where a number or address belongs
    assert raw["flowName"] == WITHHELD and raw["updated"] == WITHHELD and raw["csat"] == WITHHELD
    assert raw["ivrTime"] == WITHHELD and raw["customerHoldTimes"] == [WITHHELD]
    assert (
        raw["hooks"][0]["hookName"] == WITHHELD and raw["hooks"][0]["hookId"] == "5003000000D8cuI"
    )
    assert (
        raw["notes"] == HIDDEN
        and raw["audioRecording"] == HIDDEN
        and raw["messagingTranscript"] == HIDDEN
    )
    assert raw["segments"][0]["segmentStartType"] == WITHHELD
    assert (
        raw["queues"][0]["queueTime"] == WITHHELD and raw["queues"][0]["queueAbandonTime"] == 93.993
    )


# -- data problems -------------------------------------------------------------

_EXPECTED_WITHHELD = {
    # (where, message a masked viewer reads): one per way a parser quotes a value.
    (
        "Interaction",
        "“customer” should be text but was an object (value withheld); shown as unknown.",
    ),
    ("Interaction", "“notes” should be text but was a list (value withheld); shown as unknown."),
    (
        "Interaction",
        "“audioRecording” should be text but was an object (value withheld); shown as unknown.",
    ),
    (
        "Interaction",
        "“flowName” should be text but was an object (value withheld); shown as unknown.",
    ),
    (
        "Interaction",
        "“updated” should be a date and time but was text (value withheld); shown as unknown.",
    ),
    ("Interaction", "“csat” should be text but was an object (value withheld); shown as unknown."),
    (
        "CRM link 1",
        "“hookName” should be text but was an object (value withheld); shown as unknown.",
    ),
    ("Statistics", "“ivrTime” was text (value withheld); shown as unknown."),
    ("Hold 1", "Unreadable hold text (value withheld); skipped."),
    ("Transcript", "Unreadable message a list (value withheld); skipped."),
    (
        "Segment 0",
        "“segmentStartType” should be text but was an object (value withheld); shown as unknown.",
    ),
    (
        "Queue visit 1 (Support)",
        "“queueTime” should be a number but was text (value withheld); shown as unknown.",
    ),
}


def test_problems_say_what_was_wrong_without_the_value() -> None:
    body = dict(FAMILY)["wrong-types"]
    body["csat"] = {"said": "SECRET-CSAT-28"}
    parsed = parse_interaction(body)
    masked = mask_interaction(parsed)
    shown = {(p.where, p.message) for p in masked.problems}
    assert shown >= _EXPECTED_WITHHELD, _EXPECTED_WITHHELD - shown
    assert all(p.quoted == "" for p in masked.problems)
    # The permitted viewer still reads the value.
    full = {p.where + ": " + p.message for p in parsed.problems}
    assert (
        'Interaction: “customer” should be text but was {"name": "SECRET-CUSTOMER-OBJ-19"};'
        " shown as unknown." in full
    )
    assert any("SECRET-HOOKNAME-21" in m for m in full) and any("SECRET-IVR-24" in m for m in full)


def test_details_customer_as_a_list_is_not_quoted() -> None:
    body = dict(FAMILY)["customer-only-in-details"]
    parsed = parse_interaction(body)
    assert any("+15065550199" in p.message for p in parsed.problems)
    masked, raw = for_masked_viewer(parsed, body)
    assert (
        "Interaction details",
        "“customer” should be text but was a list (value withheld); shown as unknown.",
    ) in {(p.where, p.message) for p in masked.problems}
    assert raw["details"]["customer"] == WITHHELD


def test_transcript_and_details_problems_without_value() -> None:
    body = dict(FAMILY)["customer-only-in-details"]
    body.update(messagingTranscript=12345678, details="SECRET-DETAILS-TEXT")
    problems = mask_interaction(parse_interaction(body)).problems
    messages = {p.message for p in problems}
    assert "Unreadable transcript a number (value withheld)." in messages
    assert "“details” is not a record; ignored." in messages
    assert "12345678" not in repr(problems)


def test_problem_text_with_and_without_value() -> None:
    problem = DataProblem(
        "Segment 1", '“x” was "+15065550000".', quoted='"+15065550000"', withheld="“x” was text."
    )
    assert problem.text(with_value=True) == problem.message
    assert problem.text(with_value=False) == "“x” was text."
    assert problem.without_value() == DataProblem("Segment 1", "“x” was text.")
    plain = DataProblem("Recording", "The link is not an http(s) address.")
    assert plain.without_value() is plain


def test_only_the_quoting_helper_quotes_values() -> None:
    """A new problem that quotes a value must keep it apart (else masked viewers read it)."""
    from pathlib import Path

    from dashboard.interactions import parsing

    source = Path(parsing.__file__).read_text(encoding="utf-8")
    uses = [line.strip() for line in source.splitlines() if "_preview(" in line]
    assert uses == ["def _preview(value: Any) -> str:", "quoted = _preview(value)"]


# -- list rows -----------------------------------------------------------------


def test_mask_summary_masks_the_customer_only() -> None:
    row = Summary(
        "b2109780-db83-11e7-9709-c2b07aa3bee9",
        None,
        None,
        "voice",
        "inbound",
        "Basic Flow",
        "+15065552222",
        None,
        94.2,
    )
    masked = mask_summary(row)
    assert masked.customer == "•••••••2222"
    assert (masked.flow_name, masked.channel_type, masked.interaction_time) == (
        "Basic Flow",
        "voice",
        94.2,
    )


# -- the masks -----------------------------------------------------------------

_STYLES = (
    lambda d: d,
    lambda d: "+" + d,
    lambda d: " ".join(d[i : i + 3] for i in range(0, len(d), 3)),
    lambda d: "-".join(d[i : i + 3] for i in range(0, len(d), 3)),
    lambda d: f"({d[:3]}) {d[3:6]}-{d[6:]}" if len(d) > 6 else f"({d})",
    lambda d: f"+{d[:1]} ({d[1:4]}) {d[4:7]} {d[7:]}" if len(d) > 7 else f"+{d[:1]} {d[1:]}",
    lambda d: f"  {d[:2]}.{d[2:]}  ",
)


@pytest.mark.parametrize("length", range(3, 17))
@pytest.mark.parametrize("style", range(len(_STYLES)))
def test_phone_mask_keeps_at_most_the_allowed_digits(length: int, style: int) -> None:
    digits = "".join(str((7 * i + 3) % 10) for i in range(length))
    number = _STYLES[style](digits)
    shown = mask(number) or ""
    kept = [c for c in shown if c.isdigit()]
    allowed = kept_digits(length)
    assert len(kept) <= allowed <= length // 2 and allowed <= 4, (number, shown)
    assert "".join(kept) == (digits[-allowed:] if allowed else "")
    assert shown.count("•") == length - allowed >= 3
    assert digits not in shown and digits[:5] not in shown


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+15065552222", "•••••••2222"),
        ("506-555-1234", "••••••1234"),
        ("911", "•••"),
        ("1234", "••••"),
        ("12345", "••••5"),
        ("jane@example.com", "j•••@example.com"),
        ("J. Doe <jane@example.com>", "J•••@example.com"),
        ("jane@example.com (Jane Doe)", "j•••@example.com"),
        ("jane@15065552222", "j•••@"),
        ("Jane Doe", "J•••"),
        ("   ", "•••"),
    ],
)
def test_masks(value: str, expected: str) -> None:
    assert mask(value) == expected


#: Contact values with an email and more beside it: what follows the domain is no domain.
_EMAIL_AND_MORE = [
    ("jane@example.com (Jane Doe)", "Jane Doe"),
    ("Jane Doe <jane@example.com>, +1 506 555 0123", "555 0123"),
    ("Ticket from jane@example.com: call back +15065550123", "5065550123"),
    ("jane@example.com;15065550123", "5065550123"),
    ("jane@15065550123", "5065550123"),
    ("jane@example.com-506-555-0123", "555-0123"),
    ("Call jane@example.com.15065550123", "5065550123"),
    # A messaging channel's customer known by a handle, alone or beside a name.
    ("@janedoe", "janedoe"),
    ("Jane Doe (@janedoe)", "janedoe"),
]


@pytest.mark.parametrize(("value", "secret"), _EMAIL_AND_MORE)
def test_an_email_keeps_its_domain_and_nothing_after_it(value: str, secret: str) -> None:
    assert secret not in (mask(value) or "")


@pytest.mark.parametrize(("value", "secret"), _EMAIL_AND_MORE)
def test_contact_fields_with_an_email_and_more_are_masked_everywhere(
    value: str, secret: str
) -> None:
    body = dict(customer_data_family())["undescribed-fields"]
    body["customer"] = body["details"]["customer"] = value
    body["hooks"][0]["hookName"] = value
    body["segments"][0]["segmentExtensionValue"] = value
    interaction, raw = for_masked_viewer(parse_interaction(body), body)
    assert secret not in everything(interaction, raw)
    assert interaction.customer == raw["customer"] == mask(value)
