"""Holds as a new user's payloads sent them: out of order, and open in mid-call.

The timeline numbers holds as they happened, whatever order the API sent them in,
and a hold whose end never arrived cannot have lasted past the start of the next one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from dashboard.interactions.parsing import parse_interaction
from dashboard.interactions.timeline import CHAR_WIDTH, CHART_WIDTH, ROW_HEIGHT, TEXT_INSET
from tests.test_timeline import NOW, agent, get, laid, payload, queue, seg, ts


def _hold(start: float, end: float | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {"startTimestamp": ts(start)}
    if end is not None:
        record["endTimestamp"] = ts(end)
        record["holdTime"] = end - start
    return record


def test_holds_sent_out_of_order_are_numbered_in_time_order() -> None:
    data = payload(
        0,
        1500,
        customerHoldTimes=[_hold(1300, 1340), _hold(200, 260), _hold(700, 730), {"holdTime": 9}],
    )
    timeline = laid(data)
    assert [get(timeline, f"hold-{n}").offset for n in (1, 2, 3)] == [200, 700, 1300]
    assert get(timeline, "hold-1").label == "Hold 1"
    # The hold times read in time order too; the one without a start last.
    hold_times = next(
        s for s in parse_interaction(data).statistics if s.name == "customerHoldTimes"
    )
    assert hold_times.value == (60, 30, 40, 9)


def test_visits_and_allocations_sent_out_of_order_are_read_in_time_order() -> None:
    data = payload(
        0,
        1500,
        segments=[seg("s1", 0, 0, 1500)],
        queues=[
            queue("q3", "s1", "Supervisors", 1000, 1050),
            queue("q1", "s1", "Front Desk", 10, 40),
            queue("q0", "s1", "Nowhere", None, None),
            queue("q2", "s1", "Back Office", 500, 540),
        ],
        agents=[
            agent("a3", "s1", "Cai Rui", 1050, 1500),
            agent("a1", "s1", "Noor Ali", 40, 500),
            agent("a2", "s1", "Bo Chen", 540, 1000),
        ],
    )
    i = parse_interaction(data)
    assert [q.queue_name for q in i.queues] == [
        "Front Desk",
        "Back Office",
        "Supervisors",
        "Nowhere",
    ]
    assert [a.agent_name for a in i.agents] == ["Noor Ali", "Bo Chen", "Cai Rui"]


def _six_holds_two_open() -> dict[str, Any]:
    """A 25:00 call whose 2nd and 4th holds (of 6) never had their end reported; the
    hold time sent (3:00) counts the four that ended."""
    return payload(
        0,
        1500,
        segments=[seg("s1", 0, 0, 1500)],
        queues=[queue("q1", "s1", "Support", 20, 48, queueTime=28)],
        agents=[agent("a1", "s1", "Ines Duarte", 48, 1500, queueId="qid-support")],
        customerHoldTimes=[
            _hold(100, 130),
            _hold(200),
            _hold(400, 460),
            _hold(600),
            _hold(900, 960),
            _hold(1200, 1230),
        ],
        customerHolds=6,
        customerHoldTime=180,
        ivrTime=20,
    )


def test_a_hold_with_no_end_is_drawn_open_only_until_the_next_hold_began() -> None:
    timeline = laid(_six_holds_two_open())
    second, fourth, last = get(timeline, "hold-2"), get(timeline, "hold-4"), get(timeline, "hold-6")
    assert (second.offset, second.length, second.open_end) == (200, 200, True)
    assert (fourth.offset, fourth.length) == (600, 300)
    assert second.duration_text == "unknown, at most 3:20"
    assert "lasting unknown, at most 3:20" in second.accessible_name
    assert "+" not in second.accessible_name
    assert not last.open_end


def test_the_last_hold_with_no_end_still_runs_to_the_end() -> None:
    data = payload(0, 600, customerHoldTimes=[_hold(100, 130), _hold(400)])
    last = get(laid(data), "hold-2")
    assert (last.offset, last.length, last.open_end) == (400, 200, True)
    assert last.duration_text == "3:20+"


def test_an_open_hold_at_the_end_keeps_its_label_clear_of_its_badge() -> None:
    """The "!" of a bar that reaches the chart's right end sits inside that end: text
    inside the bar stops short of it ("26:40+" was drawn as "26" under the badge)."""
    for open_from in range(600, 900, 7):
        bar = get(laid(payload(0, 1000, customerHoldTimes=[_hold(open_from)])), "hold-1")
        assert bar.marked and bar.x + bar.width + 21 >= CHART_WIDTH
        if bar.label_side == "inside":
            assert bar.x + TEXT_INSET + len(bar.text) * CHAR_WIDTH <= bar.x + bar.width - 20


def test_a_one_second_call_has_no_overview_buttons_it_cannot_tell_apart() -> None:
    assert laid(payload(0, 1)).overview == ()
    assert laid(payload(0, 7)).overview == ()
    texts = [w.text for w in laid(payload(0, 8)).overview]
    assert len(texts) == len(set(texts)) == 8


def test_overview_buttons_of_a_long_call_say_their_starts_in_one_unit_style() -> None:
    texts = [w.text for w in laid(payload(0, 6 * 3600)).overview]
    assert texts[:3] == ["0 min", "45 min", "1 h 30 min"]
    assert not any(":" in t for t in texts)


def test_two_line_row_labels_on_a_phone_leave_a_gap_between_rows() -> None:
    """At 375 px two-line names ("Sam Lee (agent 1b63b012)") one row above the other
    touched: their two lines must leave a few pixels of the 26 px row free."""
    css = (Path(__file__).resolve().parent.parent / "static/css/timeline.css").read_text()
    narrow = css[css.index("@media (max-width: 40rem)") :]
    rule = re.search(r"\.tl-row-label > span \{([^}]*)\}", narrow)
    assert rule is not None
    size = float(re.search(r"font-size: ([\d.]+)px", rule[1])[1])  # type: ignore[index]
    line = float(re.search(r"line-height: ([\d.]+)", rule[1])[1])  # type: ignore[index]
    assert "line-clamp: 2" in rule[1]
    assert 2 * size * line <= ROW_HEIGHT - 5


def test_a_holds_data_problem_names_it_as_the_timeline_numbers_it() -> None:
    """Holds are numbered in time order; a problem with one says the same number."""
    from dashboard.interactions.timeline import timeline_for

    data = payload(
        0,
        600,
        customerHoldTimes=[
            {"startTimestamp": ts(400), "endTimestamp": "soon"},  # sent first, last in time
            {"startTimestamp": ts(100), "endTimestamp": ts(160)},
        ],
    )
    i = parse_interaction(data)
    assert [h.start for h in i.holds] == sorted(h.start for h in i.holds if h.start)
    (problem,) = [p for p in i.problems if p.where.startswith("Hold")]
    assert problem.where == "Hold 2"
    hold_2 = timeline_for(i, NOW).bar("hold-2")
    assert hold_2 is not None and hold_2.offset == 400


def test_an_allocation_sent_twice_is_drawn_with_a_warning_the_story_counts_it_once() -> None:
    from dashboard.interactions.timeline import SENT_TWICE
    from tests.story.test_story import told

    data = payload(
        0,
        400,
        agents=[
            agent("a1", "s1", "Benoit Leblanc", 20, 300),
            agent("a1", "s1", "Benoit Leblanc", 120, 400),
        ],
    )
    t = laid(data)
    first, second = sorted((b for b in t.bars if b.kind == "agent"), key=lambda b: b.offset)
    assert SENT_TWICE not in first.warnings
    assert SENT_TWICE in second.warnings and second.marked
    assert any("sent twice" in n for n in told(data).notes)
