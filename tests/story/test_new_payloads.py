"""Defects found by rendering new payloads: an agent-initiated contact, a conference of
three agents, and a live interaction's departures and time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dashboard.interactions.domain import never_answered, placed_by_agent
from dashboard.interactions.parsing import parse_interaction
from dashboard.interactions.presenters import email_facts, status_of
from dashboard.interactions.story import LEFT_LIVE
from dashboard.interactions.timeline import timeline_for
from tests.story.test_novel import rows, split
from tests.story.test_story import figure, told
from tests.test_timeline import BASE, NOW, agent, payload, queue, seg

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


# -- one agent adds two others, and all three stay to the end ---------------------------


def _conference(chen_leaves: float = 100) -> dict[str, object]:
    def add(seg_id: str, number: int, start: float, to: str) -> dict[str, object]:
        return seg(
            seg_id,
            number,
            start,
            100,
            segmentStartType="addParticant",
            segmentAgentId="aid-ana",
            segmentToAgentId=to,
            addParticipant=True,
        )

    return payload(
        end=100,
        segments=[seg("s1", 0, 0, 100), add("s2", 1, 30, "aid-ben"), add("s3", 2, 60, "aid-chen")],
        queues=[
            queue("q1", "s1", "Sales", 5, 20, agentId="aid-ana"),
            queue(
                "q2", "s2", "Tier 2", 30, 40, queueEntryType="add-participant", agentId="aid-ben"
            ),
            queue(
                "q3", "s3", "Legal", 60, 70, queueEntryType="add-participant", agentId="aid-chen"
            ),
        ],
        agents=[
            agent("a1", "s1", "Ana Lima", 20, 100),
            agent("a2", "s2", "Ben Okoro", 40, 100),
            agent("a3", "s3", "Chen Wu", 70, chen_leaves),
        ],
    )


def test_three_agents_who_all_stay_to_the_end_are_all_three_not_both() -> None:
    story = told(_conference())
    assert story.outcome == (
        "Answered by Ana Lima after 0:15 in Sales; Ben Okoro added; Chen Wu added;"
        " all three stayed to the end"
    )
    assert "both" not in story.outcome
    # Ana gave it to both agents she added, not only the last.
    assert rows(story)[0][2] == "Ben Okoro (added), Chen Wu (added)"
    # Chen leaves before the end: told after he was added, and Ana and Ben stayed.
    story = told(_conference(chen_leaves=90))
    assert story.outcome.endswith(
        "; Ben Okoro added; Chen Wu added; Chen Wu left; Ana Lima and Ben Okoro stayed to the end"
    )


# -- a live interaction: the agent left, the interaction has not ended ------------------


@pytest.mark.parametrize("flag", [{}, {"flagged": True, "flagType": "Agent"}])
def test_a_live_interaction_never_says_the_agent_ended_it_and_its_time_runs_to_now(
    flag: dict[str, object],
) -> None:
    data = payload(
        end=None,
        dataComplete=False,
        segments=[seg("s1", 0, 0, None)],
        queues=[queue("q1", "s1", "Support", 20, 80)],
        agents=[agent("a1", "s1", "Noah Fischer", 80, 600)],
        **flag,
    )
    story = told(data, now=BASE + timedelta(hours=3))
    assert story.outcome.endswith("; still going")
    ((_, _, _, ended),) = rows(story)
    assert ended == LEFT_LIVE
    assert "Ended" not in ended
    # The time bar's total is the time so far, to now, as the total figure says; no end
    # is missing from an interaction that has not ended.
    assert not story.end_missing
    assert story.live_since is not None
    assert story.split_total == 3 * 3600
    assert figure(story, "Total time").text == f"{story.split_total_text} so far"


# -- a supervisor joins after an agent was added, and leaves before the end --------------


def _added_then_joined(sam_start: float, sam_end: float) -> dict[str, object]:
    return payload(
        end=100,
        segments=[
            seg("s1", 0, 0, 100),
            seg(
                "s2",
                1,
                30,
                100,
                segmentStartType="addParticant",
                segmentAgentId="aid-ana",
                segmentToAgentId="aid-ben",
                addParticipant=True,
            ),
        ],
        queues=[
            queue("q1", "s1", "Sales", 5, 20, agentId="aid-ana"),
            queue(
                "q2", "s2", "Tier 2", 30, 40, queueEntryType="add-participant", agentId="aid-ben"
            ),
        ],
        agents=[
            agent("a1", "s1", "Ana Lima", 20, 100),
            agent("a2", "s2", "Ben Okoro", 40, 100),
            agent("a3", None, "Sam Reyes", sam_start, sam_end),
        ],
    )


@pytest.mark.parametrize(("sam_start", "sam_end"), [(60, 90), (50, 70)])
def test_a_supervisor_who_joins_after_an_add_and_leaves_is_told_in_order(
    sam_start: float, sam_end: float
) -> None:
    """Who stayed to the end is told after the last one came: never "Sam left" and
    "stayed to the end" before "Sam joined"."""
    story = told(_added_then_joined(sam_start, sam_end))
    assert story.outcome == (
        "Answered by Ana Lima after 0:15 in Sales; Ben Okoro added; Sam Reyes joined;"
        " Sam Reyes left; Ana Lima and Ben Okoro stayed to the end"
    )


def test_a_supervisor_who_joins_after_an_add_and_stays_makes_three() -> None:
    story = told(_added_then_joined(60, 100))
    assert story.outcome.endswith(
        "; Ben Okoro added; Sam Reyes joined; all three stayed to the end"
    )


# -- flagged Stuck while its data is not complete: over, its end unknown, not live --------


def test_a_stuck_interaction_whose_data_is_not_complete_is_over_not_live() -> None:
    """The platform flags an interaction Stuck when its end never reached reporting: it is
    not still going, four days later, whatever ``dataComplete`` says."""
    data = payload(
        end=None,
        dataComplete=False,
        flagged=True,
        flagType="Stuck",
        segments=[seg("s1", 0, 0, None)],
        queues=[queue("q1", "s1", "Support", 10, 70)],
        agents=[agent("a1", "s1", "Ugo Bianchi", 70, 800)],
    )
    i = parse_interaction(data)
    assert not i.in_progress
    assert status_of(i) == ("Incomplete — end never arrived", "warn-pill")
    story = told(data, now=BASE + timedelta(days=4))
    assert (
        story.outcome == "Answered by Ugo Bianchi after 1:00 in Support; the end time never arrived"
    )
    assert story.live_since is None
    assert story.end_missing
    total = figure(story, "Total time")
    assert total.unknown and "so far" not in total.text
    assert "still going" not in " ".join(r[3] for r in rows(story)).lower()
    assert not timeline_for(i, BASE + timedelta(days=4)).live


# -- one agent works an email in several sittings: no transfer to herself -----------------


def test_an_agent_who_takes_it_up_again_with_nothing_between_is_not_transferred() -> None:
    data = payload(
        0,
        3 * 86400,
        channelType="email",
        direction="outbound",
        segments=[seg("s1", 0, 0, 3 * 86400, segmentAgentId="aid-carmen")],
        agents=[
            agent("a1", "s1", "Carmen Diaz", 0, 600),
            agent("a2", "s1", "Carmen Diaz", 86400, 87000),
            agent("a3", "s1", "Carmen Diaz", 2 * 86400, 3 * 86400),
        ],
    )
    story = told(data)
    assert story.outcome == "Placed by Carmen Diaz; Carmen Diaz again; Carmen Diaz again"
    assert "transferred" not in story.outcome


# -- sent from the IVR straight to an agent's own line: no transfer -----------------------


def test_a_call_sent_from_the_ivr_to_an_agents_own_line_is_no_transfer() -> None:
    from dashboard.interactions.story import DIRECT_LINE

    data = payload(
        end=400,
        segments=[seg("s1", 0, 0, 400)],
        queues=[
            queue(
                "q1",
                "s1",
                "Alice Tremblay",
                30,
                45,
                queueType="resource",
                queueEntryType="ivr",
                agentId="aid-alice",
            )
        ],
        agents=[agent("a1", "s1", "Alice Tremblay", 45, 400, queueId="qid-alice tremblay")],
    )
    story = told(data)
    assert story.outcome == "Answered by Alice Tremblay after 0:15 on their own line (no queue)"
    assert story.legs[0].queue == DIRECT_LINE
    assert "transfer" not in story.outcome + story.legs[0].queue
