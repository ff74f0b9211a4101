"""Small print of the summary and the participants: a part of the time bar too small to
round to 1 % reads "<1%", never "0%" beside a time; the folded participants say offers
come last only when there were offers never accepted."""

from __future__ import annotations

from typing import Any

from dashboard.interactions import presenters
from dashboard.interactions.parsing import parse_interaction
from dashboard.interactions.story import SplitPart
from tests.story.test_story import NOW, told
from tests.test_timeline import agent, payload, queue, seg


def test_a_part_too_small_for_one_percent_says_so() -> None:
    assert SplitPart("ivr", "IVR", 3.0, 0.004).percent_text == "<1%"
    assert SplitPart("ivr", "IVR", 0.0, 0.0).percent_text == "0%"
    assert SplitPart("queue", "Queue", 60.0, 0.25).percent_text == "25%"


def _many(offers: bool) -> dict[str, Any]:
    """24 agents one after the other; with ``offers``, the second one never took it."""
    agents = [agent(f"a{n}", "s1", f"Agent{n} Kim", 10 + 3 * n, 13 + 3 * n) for n in range(24)]
    if offers:
        agents[1]["agentWorkCancelTime"] = 3
    return payload(
        end=100,
        segments=[seg("s1", 1, 0, 100)],
        queues=[queue("q1", "s1", "Billing", 0, 10)],
        agents=agents,
    )


def test_the_participants_fold_speaks_of_offers_only_when_there_were_some() -> None:
    for offers in (False, True):
        data = _many(offers)
        item = parse_interaction(data)
        view = presenters.story_view(told(data), item, NOW.tzinfo, "UTC")  # type: ignore[arg-type]
        assert view.folded
        assert view.offers is offers
