"""Defects a new user found by trying new payloads: outcomes made up from records that
could not be read, figures that contradict the sentence, and hang-ups told as something
else."""

from __future__ import annotations

from typing import Any

import pytest

from tests.story.test_story import told
from tests.test_timeline import payload, queue

# -- records that could not be read say nothing about where the customer went -----------


def _unreadable(**extra: Any) -> dict[str, Any]:
    data = payload(end=100, interactionTime=100, ivrTime=True, customerTransfers=1.5)
    data.update(extra)
    return data


def test_unreadable_queue_and_agent_records_are_said_not_an_ivr_ending() -> None:
    story = told(_unreadable(queues={"queueName": "Weird"}, agents="none"))
    assert story.outcome == "Ended after 1:40; the queue and agent records could not be read"
    assert story.kind == "unknown"
    assert "IVR" not in story.outcome


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        ({"agents": {"agentName": "Ana"}}, "agent"),
        ({"queues": "Support"}, "queue"),
        ({"queues": [1, "two"]}, "queue"),
        ({"segments": {"segmentNumber": 0}}, "segment"),
        ({"segments": 7, "queues": 8, "agents": 9}, "segment, queue and agent"),
    ],
)
def test_each_kind_of_unreadable_record_is_named(extra: dict[str, Any], said: str) -> None:
    story = told(_unreadable(**extra))
    assert story.outcome == f"Ended after 1:40; the {said} records could not be read"


def test_a_queue_left_with_unreadable_agents_is_not_said_unanswered() -> None:
    data = payload(
        end=100,
        queues=[queue("q1", "s1", "Support", 10, 70)],
        agents="none",
    )
    story = told(data)
    assert story.outcome == (
        "Left queue Support after 1:00 (answered); the agent records could not be read"
    )
    assert "unanswered" not in story.outcome


def test_readable_records_still_end_in_the_ivr() -> None:
    story = told(payload(end=30, ivrTime=30))
    assert story.outcome == "Ended in the IVR after 0:30"
