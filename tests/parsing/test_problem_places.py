"""A data problem in a queue visit or an agent allocation names the record by its place
in time order (its row in the table, and how every other problem counts it), whatever
order the API sent the records in."""

from __future__ import annotations

from dashboard.interactions.parsing import parse_interaction
from tests.test_timeline import agent, payload, queue


def _where(data: dict[str, object]) -> list[str]:
    return [p.where for p in parse_interaction(data).problems]


def test_a_queue_visit_sent_second_but_first_in_time_is_queue_visit_1() -> None:
    data = payload(
        queues=[
            queue("q-late", None, "Billing", 50, 60),
            queue("q-early", None, "Support", 10, 20, queueTime="lots"),
        ]
    )
    item = parse_interaction(data)
    assert [q.queue_name for q in item.queues] == ["Support", "Billing"]
    assert _where(data) == ["Queue visit 1 (Support)"]


def test_an_allocation_sent_first_but_last_in_time_is_named_by_its_row() -> None:
    data = payload(
        agents=[
            agent("a-late", None, "Ana Lima", 70, 90, agentName=["not", "a", "name"]),
            agent("a-1", None, "Bo Berg", 10, 30),
            agent("a-2", None, "Cy Diaz", 40, 60),
        ]
    )
    where = _where(data)
    assert where and all(w.startswith("Agent allocation 3") for w in where), where


def test_records_in_time_order_keep_their_numbers_and_others_are_untouched() -> None:
    data = payload(
        queues=[
            queue("q1", None, "Support", 10, 20, queueTime="lots"),
            queue("q2", None, "Billing", 50, 60),
            *[queue(f"q{n}", None, f"Q{n}", 60 + n, 61 + n) for n in range(3, 13)],
        ],
    )
    data["queues"][11]["queueTime"] = "many"  # the 12th sent and in time
    assert _where(data) == ["Queue visit 1 (Support)", "Queue visit 12 (Q12)"]
