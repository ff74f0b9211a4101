"""Holds as a new user's payloads sent them: out of order, and open in mid-call.

The timeline numbers holds as they happened, whatever order the API sent them in,
and a hold whose end never arrived cannot have lasted past the start of the next one.
"""

from __future__ import annotations

from typing import Any

from dashboard.interactions.parsing import parse_interaction
from tests.test_timeline import agent, get, laid, payload, queue, seg, ts


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
