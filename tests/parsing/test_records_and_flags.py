"""Parsing agents, transcripts, record lists, recording links, flags, ``is_complete``
and bodies that are not objects.
"""

from __future__ import annotations

from typing import Any

import pytest

from dashboard.cxengage.errors import BadResponse
from dashboard.interactions.domain import (
    FLAG_REASONS,
    GENERIC_FLAG_REASON,
    NO_FLAG_TYPE_REASON,
    Flag,
    Transcript,
    TranscriptMessage,
)
from dashboard.interactions.parsing import is_complete, parse_interaction
from tests.parsing.helpers import AGENT_A, AGENT_B, SEG0, assert_utc, problem_text, reference, utc

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
                    "from": "customer",
                    "fromName": "Dana",
                    "text": "Hi",
                    "timestamp": "2017-12-07T19:20:40Z",
                },
                {
                    "sender": "Agent",
                    "senderName": "Sam",
                    "body": "Hello",
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
        'https://x.example/a"onmouseover="alert(1)',
        "https://x.example/<script>",
        "https://user:s3cret@recordings.example.com/r/1.wav",
        "https://recordings.example.com@evil.example/r/1.wav",
        "https://recordings.example.com\\@evil.example/r/1.wav",
        "https://recordings.example.com/r/\x01.wav",
        "https://recordings.example.com/r/1.wav\x7f",
        "https:///r/1.wav",
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
        "https://recordings.example.com/r/123.wav?by=jane@example.com",
        "https://recordings.example.com:8443/r/123.wav#t=30",
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
    # No type: said so, as the flagged list and the journey say it.
    assert i.flag.reason == NO_FLAG_TYPE_REASON[0]


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
        "forced - no reason provided",
        "agent",
        "exceed-counter-limit-terminated",
        "queue",
        "stuck",
        "error-uncaught-flow-error",
        "segment",
        "safeguard-terminated",
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


# ---- records built without their dataclass __init__ --------------------------


def test_segments_queues_and_agents_have_every_field_and_compare_as_dataclasses() -> None:
    """``parsing`` sets a record's fields directly: each record has every field of its
    class (``extra`` and ``unknown`` left empty are the class defaults), equals the
    same record built through the class, and the derived values it stores are what
    the class works out."""
    from dataclasses import MISSING, fields, replace

    from dashboard.demo.generate import generate_interaction

    derived = {"outside", "customer_hung_up", "direct"}
    payload = generate_interaction(5, seed=3)
    payload["segments"][1]["segmentUnknownField"] = 1  # read by its reader, kept as extra
    i = parse_interaction(payload)
    for record in (*i.segments, *i.queues, *i.agents):
        stored = set(vars(record))
        names = {f.name for f in fields(record)}
        assert {f.name for f in fields(record) if f.default is MISSING} <= stored
        assert stored - names <= derived
        rebuilt = replace(record)  # through ``__init__``, nothing derived yet
        assert rebuilt == record
        assert hash(rebuilt) == hash(record)
        for name in stored & derived:
            assert vars(record)[name] == getattr(rebuilt, name), name
    assert sum(1 for s in i.segments if s.extra) == 1


def test_a_link_with_credentials_says_why_without_repeating_them() -> None:
    i = parse_interaction({"audioRecording": "https://jane:s3cret@rec.example.com/r/1.wav"})
    said = " ".join(p.message for p in i.problems if p.where == "Recording")
    assert "names a user or password before its host" in said
    assert "s3cret" not in said
