"""An agent allocation sent as starting before the interaction's own start: the
participants say so under the table, and the time with the agent, worked out from the
interaction's start, reads "at most" with why, never a figure that silently adds up
to more than the total."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dashboard.interactions.parsing import parse_interaction
from dashboard.interactions.story import Figure, Story, story_for
from tests.served import page, words
from tests.test_timeline import NOW

DEMO = Path(__file__).resolve().parents[1] / "dashboard" / "demo" / "payloads"

NOTE = (
    "Alice Tremblay's allocation starts 0:42 before the interaction's own start: the figures"
    " from the platform disagree."
)


def demo(name: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((DEMO / name).read_text()))


def early_call() -> dict[str, Any]:
    """The demo's answered call (12:06, IVR 0:39, queue 1:15, Alice Tremblay from 1:53 to
    the end), Alice's allocation sent as starting 0:42 before the interaction."""
    body = demo("answered-call-with-holds.json")
    body["agents"][0]["startTimestamp"] = "2026-11-03T14:11:25.281Z"
    return body


def told(body: dict[str, Any], now: datetime = NOW) -> Story:
    return story_for(parse_interaction(body), now)


def figure(story: Story, label: str) -> Figure:
    (found,) = [f for f in story.figures if f.label.startswith(label)]
    return found


def test_the_participants_say_the_allocation_starts_before_the_interaction() -> None:
    story = told(early_call())
    (note,) = [n for n in story.notes if "allocation starts" in n]
    assert note.startswith(NOTE)
    # Which figure is worked out and how: from when the customer left the queue for
    # Alice (14:14:00), not the interaction's start (the IVR and the queue are not hers).
    assert "at most 10:12" in note
    assert "from when the customer left the queue for them (14:14:00 UTC)" in note
    (leg,) = story.legs
    assert leg.early == pytest.approx(42.0)
    assert leg.seconds is not None and 612 <= leg.seconds < 613


def test_the_time_with_the_agent_is_at_most_never_silently_the_whole_call() -> None:
    story = told(early_call())
    with_alice = figure(story, "With Alice Tremblay")
    assert with_alice.text == "at most 10:12"
    assert with_alice.computed
    assert "starts 0:42 before the interaction's own start" in with_alice.note
    assert "contradict" in with_alice.note
    # The figures the API sent are shown as sent.
    assert figure(story, "Total time").text == "12:06"
    # The API's conversation time, as sent, beside the time bar's (which counts the
    # allocation from the interaction's start): the two disagree, and both are said.
    assert figure(story, "Conversation").text == "10:12 sent; the time bar shows 10:51"


def test_an_allocation_from_the_start_or_after_says_nothing() -> None:
    story = told(demo("answered-call-with-holds.json"))
    assert not [n for n in story.notes if "allocation starts" in n]
    assert figure(story, "With Alice Tremblay").text == "10:12"
    # Within half a second (as the timeline): the platform's own rounding, not a contradiction.
    body = demo("answered-call-with-holds.json")
    body["agents"][0]["startTimestamp"] = "2026-11-03T14:12:06.900Z"
    story = told(body)
    assert not [n for n in story.notes if "allocation starts" in n]
    assert story.legs[0].early is None
    assert not figure(story, "With Alice Tremblay").text.startswith("at most")


def test_with_several_agents_only_the_early_one_is_at_most() -> None:
    body = early_call()
    # Bob Leclerc joins at 8:00 (an added agent) and stays to the end.
    bob = {
        **body["agents"][0],
        "agentName": "Bob Leclerc",
        "agentId": "0b0b0b0b-2f00-43b2-b4be-d86c72f38172",
        "interactionAgentId": "0b0b0b0b-d790-11f1-829c-fe72959575fe",
        "startTimestamp": "2026-11-03T14:20:07.281Z",
    }
    body["agents"].append(bob)
    story = told(body)
    each = figure(story, "Time with each agent")
    assert each.text == "Alice Tremblay at most 10:12 · Bob Leclerc 4:06"
    assert "Alice Tremblay's allocation starts 0:42" in each.note
    assert "Bob Leclerc's allocation" not in each.note
    assert len([n for n in story.notes if "allocation starts" in n]) == 1


def test_an_agent_who_had_it_twice_has_an_at_most_total() -> None:
    body = early_call()
    first = body["agents"][0]
    first["endTimestamp"] = "2026-11-03T14:16:07.281Z"
    second = {
        **first,
        "interactionAgentId": "d1045fef-d790-11f1-829c-fe72959575fe",
        "startTimestamp": "2026-11-03T14:18:07.281Z",
        "endTimestamp": "2026-11-03T14:24:13.018Z",
    }
    body["agents"].append(second)
    (total,) = told(body).totals
    assert total.text == "at most 8:12 in all"


def test_a_live_allocation_before_the_start_is_counted_from_the_start() -> None:
    body = demo("in-progress.json")
    body["agents"][0]["startTimestamp"] = "2026-11-27T07:54:18.000Z"  # 0:42 early
    now = datetime(2026, 11, 27, 8, 5, 0, tzinfo=UTC)
    story = told(body, now)
    assert figure(story, "Total time").text == "10:00 so far"
    # Never 10:42 so far: more than the interaction itself has lasted.
    assert figure(story, "With Mohammed Al-Sayed").text == "at most 10:00 so far"
    (leg,) = story.legs
    assert leg.so_far == pytest.approx(600.0)
    assert any(n.startswith("Mohammed Al-Sayed's allocation starts 0:42") for n in story.notes)


# -- on the page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_says_it_under_the_participants_and_in_the_figures(live_user: Any) -> None:
    text = page(live_user, early_call())
    section = text.split('id="participants"', 1)[1].split("</section>", 1)[0]
    assert f'<p class="hint participants-note">{NOTE}' in section
    row = words(section.split('<tr id="participant-', 1)[1].split("</tr>", 1)[0])
    assert "at most 10:12" in row
    assert "the allocation starts 0:42 before the interaction's own start" in section
    figures = words(text.split('id="outcome"', 1)[1].split("</dl>", 1)[0])
    assert "With Alice Tremblay at most 10:12 ≈ computed" in figures


def test_without_a_queue_before_it_the_time_is_counted_from_the_interactions_start() -> None:
    """No queue visit led to the early allocation (an outbound call, say): nothing but the
    interaction's start bounds it."""
    from tests.test_timeline import agent, payload, seg

    body = payload(
        end=100,
        segments=[seg("s1", 1, 0, 100)],
        agents=[agent("a1", "s1", "Ana Lima", -30, 100)],
    )
    (leg,) = told(body).legs
    assert leg.early == pytest.approx(30.0) and leg.waited_until is None
    assert leg.seconds == pytest.approx(100.0)
    (note,) = [n for n in told(body).notes if "allocation starts" in n]
    assert "from the interaction's start instead of the allocation's" in note
