"""The Holds figure when the API sent how many holds there were but not their total
(or a total it could not read): the count is said as sent, never "not sent" or "the API
did not send it"."""

from __future__ import annotations

import pytest

from tests.story.test_story import figure, told
from tests.test_timeline import agent, payload, seg


def _call(**stats: object) -> dict[str, object]:
    return payload(
        end=100,
        segments=[seg("s1", 0, 0, 100, segmentAgentId="aid-ana")],
        agents=[agent("a1", "s1", "Ana Lima", 5, 100)],
        customerConversationTime=90,
        **stats,
    )


@pytest.mark.parametrize(
    ("stats", "why"),
    [
        ({"customerHolds": 2}, "its hold time was not sent"),
        ({"customerHolds": 2, "customerHoldTime": "lots"}, "its hold time could not be read"),
    ],
)
def test_a_hold_count_sent_without_its_total_is_said_as_sent(
    stats: dict[str, object], why: str
) -> None:
    holds = figure(told(_call(**stats)), "Holds")
    assert holds.text == "2, total unknown"
    assert holds.note.startswith("The number of holds as the API sent it")
    assert why in holds.note
    assert "did not send" not in holds.note


def test_no_hold_figures_at_all_are_not_sent() -> None:
    holds = figure(told(_call()), "Holds")
    assert holds.text == "not sent"
