"""The Conversation figure beside the time bar: the API's customerConversationTime as
sent, and, when it differs from the bar's time with agents and on hold, what the
difference is: the time from the first answer to the end (a transfer chain's waits
between agents), or a plain disagreement with both figures said."""

from __future__ import annotations

from typing import Any

import pytest

from tests.story.test_story import figure, told
from tests.test_timeline import agent, payload, queue, seg


def _transfer(conversation: float, **extra: Any) -> dict[str, Any]:
    """IVR 0-10, Billing 10-20, Ana 20-60, transferred: Support 60-75, Bo 75-120."""
    return payload(
        end=120,
        ivrTime=10,
        segments=[seg("s1", 1, 0, 60), seg("s2", 2, 60, 120, segmentStartType="transfer")],
        queues=[queue("q1", "s1", "Billing", 10, 20), queue("q2", "s2", "Support", 60, 75)],
        agents=[agent("a1", "s1", "Ana Lima", 20, 60), agent("a2", "s2", "Bo Berg", 75, 120)],
        customerConversationTime=conversation,
        **extra,
    )


def test_a_conversation_time_from_the_first_answer_says_so() -> None:
    conversation = figure(told(_transfer(100)), "Conversation")
    assert conversation.text == "1:40 from the first answer"
    assert conversation.source == "customerConversationTime"
    assert not conversation.computed
    assert "has 1:25 with an agent or on hold" in conversation.note
    assert "from when an agent first answered to the end" in conversation.note


@pytest.mark.parametrize("sent", [30, 101.5 + 2, 200])
def test_a_conversation_time_that_matches_nothing_is_said_beside_the_bar(sent: float) -> None:
    conversation = figure(told(_transfer(sent)), "Conversation")
    assert conversation.text.endswith("sent; the time bar shows 1:25")
    assert "the two disagree by" in conversation.note
    assert "first answered" not in conversation.note


@pytest.mark.parametrize("sent", [85, 86.5, 83.2])
def test_a_conversation_time_the_bar_agrees_with_is_shown_as_sent(sent: float) -> None:
    conversation = figure(told(_transfer(sent)), "Conversation")
    assert "sent;" not in conversation.text and "first answer" not in conversation.text
    assert "disagree" not in conversation.note


def test_a_bar_with_an_unknown_stretch_is_not_compared() -> None:
    """Bo's allocation never ended: the bar's time with agents is open to reading."""
    data = _transfer(30)
    data["agents"][1].pop("endTimestamp")
    conversation = figure(told(data), "Conversation")
    assert conversation.text == "0:30"
    assert "disagree" not in conversation.note and "first answer" not in conversation.note


def test_agents_who_stay_allocated_through_the_next_queue_wait_say_why_they_add_up_more() -> None:
    """Ana stays allocated (60-75) while the customer waits in Support for Bo: the agents'
    times (0:55 + 0:45) add up to 1:40, the time bar has 1:25 with an agent, and the
    figure's hover says why."""
    data = _transfer(100)
    data["agents"][0]["endTimestamp"] = data["queues"][1]["endTimestamp"]
    agents = figure(told(data), "Time with each agent")
    assert agents.text.startswith("Ana Lima 0:55")
    assert "Together these come to 1:40, more than the 1:25" in agents.note
    assert "counts that wait too" in agents.note
    plain = figure(told(_transfer(100)), "Time with each agent")
    assert "Together" not in plain.note
