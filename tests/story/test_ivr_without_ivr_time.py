"""With no IVR time sent, the time before the IVR first put the customer in a queue is
the IVR's in the time bar too, as the timeline draws it: never "unknown" beside an IVR
bar. A text channel's flow of a few seconds is neither drawn nor counted."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from dashboard.interactions.parsing import parse_interaction
from dashboard.interactions.story import story_for
from dashboard.interactions.timeline import timeline_for
from tests.novel import novel_body

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _call(channel: str, entered_after: int) -> dict[str, Any]:
    body = copy.deepcopy(novel_body("offer-withdrawn-then-answered-string-stats"))
    body.pop("ivrTime", None)
    body["channelType"] = channel
    start = datetime.fromisoformat(body["startTimestamp"].replace("Z", "+00:00"))
    first = min(
        body["queues"],
        key=lambda q: datetime.fromisoformat(q["startTimestamp"].replace("Z", "+00:00")),
    )
    first["queueEntryType"] = "ivr"
    moved = start.timestamp() + entered_after
    entered = datetime.fromtimestamp(moved, UTC).isoformat(timespec="milliseconds")
    first["startTimestamp"] = entered.replace("+00:00", "Z")
    return body


def _split(body: dict[str, Any]) -> dict[str, float]:
    story = story_for(parse_interaction(body), NOW)
    return {part.key: part.seconds for part in story.split}


def test_a_call_with_no_ivr_time_counts_the_ivr_the_timeline_draws() -> None:
    body = _call("voice", 25)
    i = parse_interaction(body)
    assert i.ivr_time is None
    assert _split(body).get("ivr") == pytest.approx(25.0)
    assert any(bar.kind == "ivr" for bar in timeline_for(i, NOW).bars)


def test_an_email_flow_of_two_seconds_is_neither_drawn_nor_counted() -> None:
    body = _call("email", 2)
    assert "ivr" not in _split(body)
    assert not any(bar.kind == "ivr" for bar in timeline_for(parse_interaction(body), NOW).bars)
