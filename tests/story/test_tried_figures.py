"""Key figures and the time bar for a new user's payloads: records sent out of order,
open holds in mid-call, sent figures that contradict the timestamps."""

from __future__ import annotations

from typing import Any

from tests.story.test_novel import split
from tests.story.test_story import figure, told
from tests.test_timeline import agent, payload, queue, seg, ts
from tests.test_tried_holds import _six_holds_two_open


def test_per_visit_waits_read_in_time_order() -> None:
    data = payload(
        0,
        1500,
        segments=[seg("s1", 0, 0, 1500)],
        queues=[
            queue("q3", "s1", "Supervisors", 1000, 1050, queueTime=50),
            queue("q1", "s1", "Front Desk", 10, 40, queueTime=30),
            queue("q2", "s1", "Back Office", 500, 540, queueTime=40),
        ],
        agents=[
            agent("a3", "s1", "Cai Rui", 1050, 1500),
            agent("a1", "s1", "Noor Ali", 40, 500),
            agent("a2", "s1", "Bo Chen", 540, 1000),
        ],
    )
    assert figure(told(data), "Per visit").text == (
        "Front Desk 0:30 · Back Office 0:40 · Supervisors 0:50"
    )


def test_holds_with_no_end_say_at_least_alike_in_figures_and_row_and_time_bar() -> None:
    story = told(_six_holds_two_open())
    holds = figure(story, "Holds")
    assert holds.text == "6, at least 3:00; 2 with no end"
    assert "at least" in holds.note
    (leg,) = story.legs
    assert (leg.hold_count, leg.holds_open, leg.hold_known) == (6, 2, 180)
    # Unknown only from each open hold's start to the next hold's: 3:20 + 5:00.
    assert split(story) == {
        "ivr": "0:20",
        "queue": "0:28",
        "agent": "12:52",
        "hold": "3:00",
        "unknown": "8:20",
    }


def _contradicting() -> dict[str, Any]:
    """A 10:00 call whose sent statistics contradict its timestamps."""
    return payload(
        0,
        600,
        segments=[seg("s1", 0, 0, 600)],
        queues=[queue("q1", "s1", "Support", 15, 45, queueTime=30)],
        agents=[agent("a1", "s1", "Ada Byron", 45, 600, queueId="qid-support")],
        interactionTime=60,
        ivrTime=-3.2,
        customerHolds=1,
        customerHoldTime=9999,
        customerConversationTime=555,
    )


def test_sent_figures_that_contradict_the_timestamps_say_so() -> None:
    story = told(_contradicting())
    total = figure(story, "Total time")
    assert (total.text, total.source) == ("1:00 sent; start and end show 10:00", "interactionTime")
    ivr = figure(story, "IVR")
    assert ivr.text == "-0:03 sent; a length cannot be negative"
    assert "-3.2" in ivr.note
    holds = figure(story, "Holds")
    assert holds.text == "1, 2 h 46 min 39 s sent; longer than the whole interaction (10:00)"


def test_the_time_bar_adds_up_to_the_total_each_part_where_it_happened() -> None:
    story = told(_contradicting())
    assert split(story) == {"queue": "0:30", "agent": "9:15", "unknown": "0:15"}
    assert sum(p.seconds for p in story.split) == story.split_total == 600
    rects = {p.key: [(float(x), float(w)) for x, w in p.rects] for p in story.split}
    assert rects == {"unknown": [(0.0, 25.0)], "queue": [(25.0, 50.0)], "agent": [(75.0, 925.0)]}
    assert all(x >= 0 and x + w <= 1000 for spans in rects.values() for x, w in spans)


def test_a_part_that_happened_twice_is_drawn_twice() -> None:
    data = payload(
        0,
        600,
        segments=[seg("s1", 0, 0, 600)],
        agents=[agent("a1", "s1", "Ada Byron", 0, 600)],
        customerHoldTimes=[{"startTimestamp": ts(100), "endTimestamp": ts(160), "holdTime": 60}],
    )
    (with_agent,) = [p for p in told(data).split if p.key == "agent"]
    assert [(float(x), float(w)) for x, w in with_agent.rects] == [(0.0, 166.7), (266.7, 733.3)]


def test_a_call_that_changed_hands_many_times_has_one_block_per_part() -> None:
    """Past a few dozen stretches the bar would be a barcode: each part is one block, in the
    legend's order, their widths still adding up to the whole."""
    from dashboard.interactions.story import SPLIT_STRETCHES_DRAWN

    n = SPLIT_STRETCHES_DRAWN  # n queue visits and n agents: 2n stretches
    queues = [queue(f"q{k}", "s1", "Billing", k * 60, k * 60 + 10) for k in range(n)]
    agents = [agent(f"a{k}", "s1", "Ada Byron", k * 60 + 10, k * 60 + 60) for k in range(n)]
    story = told(payload(0, n * 60, queues=queues, agents=agents))
    rects = {p.key: [(float(x), float(w)) for x, w in p.rects] for p in story.split}
    assert [len(r) for r in rects.values()] == [1] * len(rects)
    assert abs(sum(w for r in rects.values() for _, w in r) - 1000) < 0.5
    few = told(payload(0, 600, queues=queues[:3], agents=agents[:3]))
    assert max(len(p.rects) for p in few.split) == 3  # few stretches: where they happened
