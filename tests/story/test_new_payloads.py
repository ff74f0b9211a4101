"""Defects found by rendering new payloads: an agent-initiated contact, a conference of
three agents, and a live interaction's departures and time."""

from __future__ import annotations

import pytest

from dashboard.interactions.domain import never_answered, placed_by_agent
from dashboard.interactions.parsing import parse_interaction
from dashboard.interactions.presenters import email_facts
from dashboard.interactions.timeline import timeline_for
from tests.story.test_novel import rows, split
from tests.story.test_story import figure, told
from tests.test_timeline import NOW, agent, payload, seg

# -- an agent-initiated contact is placed by the agent, as an outbound one is -------------


def _placed_no_answer(direction: str) -> dict[str, object]:
    return payload(
        end=35,
        direction=direction,
        segments=[seg("s1", 0, 0, 35, segmentAgentId="aid-dee")],
        agents=[agent("a1", "s1", "Dee Cole", 0, 35)],
        customerConversationTime=0,
    )


@pytest.mark.parametrize(
    "direction", ["agent-initiated", "Agent Initiated", " AGENT_INITIATED ", "outbound"]
)
def test_an_agent_initiated_call_nobody_answered_is_placed_not_answered(direction: str) -> None:
    data = _placed_no_answer(direction)
    i = parse_interaction(data)
    assert placed_by_agent(i)
    assert never_answered(i)
    story = told(data)
    assert story.outcome == "Placed by Dee Cole; not answered, ended after 0:35"
    assert story.kind == "unanswered"
    assert not [f for f in story.figures if f.label.startswith("With Dee Cole")]
    assert figure(story, "Calling, not answered").text == "0:35"
    assert split(story) == {"ringing": "0:35"}
    assert rows(story) == [("Dee Cole", "", "", "Not answered")]
    assert timeline_for(i, NOW).ringing


def test_an_agent_initiated_contact_that_was_answered_is_placed_not_from_the_flow() -> None:
    data = {**_placed_no_answer("agent-initiated"), "customerConversationTime": 30}
    story = told(data)
    assert story.outcome == "Placed by Dee Cole"
    assert story.kind == "outbound"
    assert rows(story)[0][1] == ""  # took it from nobody: she placed it
    # An email an agent began goes from the contact point to the customer.
    email = parse_interaction(
        {**data, "channelType": "email", "customer": "c@example.com", "contactPoint": "us@x.io"}
    )
    facts = {f.label: f.cell.text for f in email_facts(email)}
    assert (facts["From"], facts["To"]) == ("us@x.io", "c@example.com")
    assert not placed_by_agent(parse_interaction(payload(direction="inbound")))
