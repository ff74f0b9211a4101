"""A lone agent whose part ends with an outside number on the call: the participants
table says what happened (stayed to the end with it, left the customer with it, or
transferred the customer to it), never that the agent ended the interaction."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from dashboard.interactions.parsing import parse_interaction
from dashboard.interactions.story import Story, story_for
from tests.served import page, words
from tests.test_timeline import NOW

DEMO = Path(__file__).resolve().parents[1] / "dashboard" / "demo" / "payloads"
NOVEL = Path(__file__).resolve().parent / "fixtures" / "novel"


def demo(name: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((DEMO / name).read_text()))


def conference() -> dict[str, Any]:
    """The demo call where Isaac Cormier adds a field technician's number (segment 1:
    ``addParticant``, ``segmentThirdParty``, ``pstn``, +15065550142) and both stay on
    with the customer to the end."""
    return demo("crm-hooks-zendesk-salesforce.json")


def told(body: dict[str, Any]) -> Story:
    return story_for(parse_interaction(body), NOW)


def endings(story: Story) -> list[tuple[str, str]]:
    return [(leg.agent, leg.ended) for leg in story.legs]


def test_a_lone_agent_who_added_an_outside_number_stayed_to_the_end_with_it() -> None:
    story = told(conference())
    assert endings(story) == [("Isaac Cormier", "Stayed to the end with an outside number")]
    assert story.legs[0].gave_to == "an outside number (+15065550142) (added)"
    # The outcome says the same: the outside number joined.
    assert "an outside number joined" in story.outcome


def test_a_lone_agent_who_left_an_added_outside_number_with_the_customer() -> None:
    body = conference()
    # Isaac leaves at 7:48; the technician's number stays on to the end (12:19).
    body["agents"][0]["endTimestamp"] = "2026-11-09T18:38:00.000Z"
    story = told(body)
    assert endings(story) == [("Isaac Cormier", "Left the customer with an outside number")]


def test_two_outside_numbers_on_the_call_to_the_end() -> None:
    body = conference()
    second = {
        **body["segments"][1],
        "segmentNumber": 2,
        "interactionSegmentId": "7dcfb097-dc6c-11f1-9c96-c1928cc3743f",
        "startTimestamp": "2026-11-09T18:38:35.053Z",
        "segmentExtensionValue": "+15065550199",
    }
    body["segments"].append(second)
    assert endings(told(body)) == [("Isaac Cormier", "Stayed to the end with 2 outside numbers")]


def test_a_transfer_out_the_api_sent_without_its_agent_is_still_a_transfer_out() -> None:
    body = json.loads((NOVEL / "blind-transfer-outside-number.json").read_text())
    body["segments"][1]["segmentAgentId"] = None  # who transferred it was not sent
    assert endings(told(body)) == [("Rahul Mehta", "Transferred to an outside number")]


def test_a_lone_agent_with_no_outside_number_still_ended_the_interaction() -> None:
    body = conference()
    body["segments"] = body["segments"][:1]
    assert endings(told(body)) == [("Isaac Cormier", "Ended the interaction")]


def test_a_cancelled_outside_number_is_not_on_the_call_at_the_end() -> None:
    body = conference()
    body["segments"][1].update(
        segmentCancelled=True,
        segmentEndType="cancelled",
        endTimestamp="2026-11-09T18:37:00.000Z",
    )
    assert endings(told(body)) == [("Isaac Cormier", "Ended the interaction")]


def test_the_customer_hanging_up_is_still_how_the_call_ended() -> None:
    body = conference()
    body["segments"][1]["segmentEndType"] = "customer-disconnect"
    assert endings(told(body)) == [("Isaac Cormier", "Customer hung up")]


# -- on the page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_says_it_in_the_participants_as_the_segments_table_does(live_user: Any) -> None:
    text = page(live_user, conference())
    participants = words(text.split('id="participants"', 1)[1].split("</section>", 1)[0])
    assert "Ended the interaction" not in participants
    assert (
        "an outside number (+15065550142) (added) Stayed to the end with an outside number"
        in participants
    )
    # The segments table names the number that was added; the timeline the add.
    assert "an outside number +15065550142" in words(text)
    assert "Adding a participant → Interaction ended" in text


def test_the_outside_number_is_masked_for_a_viewer_who_may_not_see_contact_details() -> None:
    """The number named beside "an outside number" is the masked interaction's: a viewer
    without the permission never reads it in the participants."""
    from dashboard.interactions.masking import mask_interaction

    masked = story_for(mask_interaction(parse_interaction(conference())), NOW)
    gave_to = masked.legs[0].gave_to
    assert gave_to.startswith("an outside number (•") and "+15065550142" not in gave_to
