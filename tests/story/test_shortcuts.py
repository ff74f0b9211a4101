"""The story's shortcuts say what the long way says: work skipped because the page does
not show it (the handovers a long outcome only counts), or done once instead of per
question, never changes a word."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test.utils import override_settings
from django.utils.formats import localize

from dashboard.demo.generate import generate_interaction
from dashboard.interactions.domain import Interaction
from dashboard.interactions.parsing import parse_interaction
from dashboard.interactions.story import (
    _MADE_LATER,
    _STEPS,
    _handover_kind,
    _handover_steps,
    _Names,
    _Records,
    story_for,
)
from dashboard.interactions.templatetags.dashboard_tags import _count, _html
from tests.test_timeline import NOW, agent, payload, seg

ROOT = Path(__file__).resolve().parents[2]
PAYLOADS = ROOT / "dashboard" / "demo" / "payloads"
NOVEL = ROOT / "tests" / "fixtures" / "novel"


def _bodies() -> list[tuple[str, dict[str, Any]]]:
    out = [(p.stem, json.loads(p.read_text())) for p in sorted(PAYLOADS.glob("*.json"))]
    out = [(name, body) for name, body in out if name != "index"]
    out += [(p.stem, json.loads(p.read_text())) for p in sorted(NOVEL.glob("*.json"))]
    out += [(f"generated-{n}", generate_interaction(n, seed=n)) for n in (1, 3, 12, 120)]
    return out


BODIES = _bodies()


def _interaction(body: dict[str, Any]) -> Interaction:
    return parse_interaction(json.loads(json.dumps(body)))


@pytest.mark.parametrize(("name", "body"), BODIES, ids=[name for name, _ in BODIES])
def test_each_way_of_getting_the_work_takes_the_steps_it_is_counted_as(
    name: str, body: dict[str, Any]
) -> None:
    # A long outcome counts its handovers by their way (``_STEPS``) and puts only the
    # first and the last in words: the count must be what the words would have been.
    i = _interaction(body)
    names, records = _Names(i), _Records(i, NOW)
    answered = records.answered
    for a in answered[1:]:
        if id(a) in records.inside:
            continue
        q, d = records.queue_for(a), records.delivered_by(a)
        who = names.agent(a.agent_id)
        path = records.path_to(q) if q is not None else []
        kind = _handover_kind(records, a, q, d, path, who)
        steps = _handover_steps(i, names, records, answered, (a, q, d, path, who, kind))
        assert len(steps) == _STEPS.get(kind, 1), (name, kind, steps)


@pytest.mark.parametrize("grouped", [False, True])
@pytest.mark.parametrize("number", [0, 2, 17, 999, 1000, 1234567, -4, 10**20, True, 2.5])
def test_a_count_of_times_is_written_as_localize_writes_it(number: Any, grouped: bool) -> None:
    # ``agent_totals`` writes the digits itself unless thousands are grouped.
    with override_settings(USE_THOUSAND_SEPARATOR=grouped):
        assert _count(number) == _html(localize(number))


def test_the_bar_of_a_call_whose_end_never_arrived_runs_to_the_last_end_sent() -> None:
    # Over, but its end never came: the bar ends where the last record sent ends.
    body = generate_interaction(3, seed=3)
    body["endTimestamp"] = body["details"]["endTimestamp"] = None
    body["dataComplete"] = True
    i = _interaction(body)
    assert i.end is None
    assert not i.in_progress
    story = story_for(i, NOW)
    last = max(r.end for r in (*i.segments, *i.queues, *i.agents) if r.end is not None)
    assert i.start is not None
    assert story.split
    assert story.split_total == (last - i.start).total_seconds()


def test_rows_made_by_several_threads_at_once_are_the_rows_made_one_by_one() -> None:
    # What each agent's allocations handed on is found when a row of theirs is first
    # made, by whichever thread makes it: the others get the same words.
    import sys
    import threading

    body = generate_interaction(120, seed=4)
    alone = [
        tuple(getattr(leg, name) for name in _MADE_LATER)
        for leg in story_for(_interaction(body), NOW).legs
    ]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as they can
    try:
        for _ in range(3):
            legs = story_for(_interaction(body), NOW).legs
            seen: list[list[tuple[object, ...]]] = []

            def read(order: list[int], legs: Any = legs, seen: Any = seen) -> None:
                rows = {n: tuple(getattr(legs[n], name) for name in _MADE_LATER) for n in order}
                seen.append([rows[n] for n in range(len(legs))])

            forwards = list(range(len(legs)))
            threads = [
                threading.Thread(target=read, args=(o,))
                for o in (forwards, forwards[::-1], forwards[1::2] + forwards[::2])
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert seen == [alone] * len(threads)
    finally:
        sys.setswitchinterval(switch)


@pytest.mark.parametrize("longer_first", [True, False])
def test_of_two_allocations_begun_together_the_longer_holds_the_shorter(
    longer_first: bool,
) -> None:
    # Allocations by start are taken as they are unless two begin together: then the
    # longer lies around the shorter, whichever the API sent first.
    long, short = (
        agent("a-long", "s1", "Ana Lima", 10, 90),
        agent("a-short", "s1", "Ana Lima", 10, 40),
    )
    pair = [long, short] if longer_first else [short, long]
    body = payload(
        segments=[seg("s1", 0, 0, 100)], agents=[agent("a-0", "s1", "Bo Chen", 5, 95), *pair]
    )
    i = _interaction(body)
    inside = _Records(i, NOW).inside
    around = {
        a.interaction_agent_id: inside[id(a)].interaction_agent_id
        for a in i.agents
        if id(a) in inside
    }
    assert around == {"a-short": "a-long"}
    # Two the same: the first sent lies around the second.
    twin = agent("a-twin", "s1", "Ana Lima", 10, 90)
    i = _interaction(payload(segments=[seg("s1", 0, 0, 100)], agents=[long, twin]))
    inside = _Records(i, NOW).inside
    assert [inside[id(a)].interaction_agent_id for a in i.agents if id(a) in inside] == ["a-long"]
