"""Tests for ``dashboard.interactions.timeline``: Interaction -> lanes, rows and bars.

The builder is pure: every test builds a small API-shaped dict, passes it
through ``parse_interaction`` and calls ``build``/``zoom``/``layout`` with a
fixed, timezone-aware ``now``. No database, no HTTP. (The autouse fixture in
``conftest.py`` uses Django's ``settings`` fixture, which is harmless here.)
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import dashboard.demo
from dashboard.demo.generate import generate_interaction
from dashboard.interactions import timeline as tl_mod
from dashboard.interactions.parsing import parse_interaction
from dashboard.interactions.timeline import (
    CHART_WIDTH,
    LABEL_WIDTH,
    LIVE_REASON,
    MIN_BAR_WIDTH,
    WIDTH,
    Bar,
    Timeline,
    build,
    layout,
    nice_step,
    timeline_for,
    zoom,
)

PROJECT = Path(__file__).resolve().parent.parent
# The interpreter running the tests: the project's .venv under `make test`, any venv elsewhere.
VENV_PYTHON = Path(sys.executable)
PAYLOADS = Path(dashboard.demo.__file__).resolve().parent / "payloads"

#: The interaction start used by the hand-built payloads.
BASE = datetime(2026, 11, 20, 10, 0, 0, tzinfo=UTC)
#: A fixed "now", after every demo payload (the in-progress one starts 2026-11-27 07:55).
NOW = datetime(2026, 11, 28, 0, 0, 0, tzinfo=UTC)


# ---------------------------------------------------------------------------
# Building API-shaped payloads
# ---------------------------------------------------------------------------


def ts(seconds: float) -> str:
    """Seconds after BASE -> an API timestamp (``2026-11-20T10:00:10.000Z``)."""
    moment = BASE + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _timed(record: dict[str, Any], start: float | None, end: float | None) -> dict[str, Any]:
    if start is not None:
        record["startTimestamp"] = ts(start)
    if end is not None:
        record["endTimestamp"] = ts(end)
    return record


def seg(
    seg_id: str | None, number: int, start: float | None, end: float | None, **extra: Any
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "segmentNumber": number,
        "segmentStartType": "interaction",
        "segmentEndType": "interaction-end",
    }
    if seg_id is not None:
        record["interactionSegmentId"] = seg_id
    record.update(extra)
    return _timed(record, start, end)


def queue(
    visit_id: str,
    seg_id: str | None,
    name: str,
    start: float | None,
    end: float | None,
    **extra: Any,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "interactionQueueId": visit_id,
        "queueName": name,
        "queueId": f"qid-{name.lower()}",
        "queueEntryType": "ivr",
        "queueExitType": "success",
    }
    if seg_id is not None:
        record["interactionSegmentId"] = seg_id
    record.update(extra)
    return _timed(record, start, end)


def agent(
    alloc_id: str,
    seg_id: str | None,
    name: str | None,
    start: float | None,
    end: float | None,
    **extra: Any,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "interactionAgentId": alloc_id,
        "agentId": f"aid-{(name or 'x').split()[0].lower()}",
    }
    if name is not None:
        record["agentName"] = name
    if seg_id is not None:
        record["interactionSegmentId"] = seg_id
    record.update(extra)
    return _timed(record, start, end)


def payload(
    start: float | None = 0,
    end: float | None = 100,
    *,
    segments: list[dict[str, Any]] | None = None,
    queues: list[dict[str, Any]] | None = None,
    agents: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "tenantId": "tenant-1",
        "interactionId": "interaction-1",
        "channelType": "voice",
        "direction": "inbound",
        "dataComplete": True,
        "flagged": False,
        "segments": segments if segments is not None else [seg("s1", 0, start, end)],
        "queues": queues or [],
        "agents": agents or [],
    }
    data.update(extra)
    return _timed(data, start, end)


def built(data: dict[str, Any], now: datetime = NOW) -> Timeline:
    return build(parse_interaction(data), now)


def laid(
    data: dict[str, Any], now: datetime = NOW, window: tuple[float, float] | None = None
) -> Timeline:
    return timeline_for(parse_interaction(data), now, window)


def get(timeline: Timeline, bar_id: str) -> Bar:
    bar = timeline.bar(bar_id)
    assert bar is not None, f"no bar {bar_id!r}; have {[b.id for b in timeline.bars]}"
    return bar


def lane(timeline: Timeline, key: str) -> tl_mod.Lane:
    found = [ln for ln in timeline.lanes if ln.key == key]
    assert len(found) == 1, f"lane {key!r}: {[ln.key for ln in timeline.lanes]}"
    return found[0]


def x_of(seconds: float, total: float) -> float:
    return LABEL_WIDTH + seconds / total * CHART_WIDTH


# ---------------------------------------------------------------------------
# Purity
# ---------------------------------------------------------------------------


def test_timeline_module_imports_without_django_or_httpx() -> None:
    code = (
        "import sys; import dashboard.interactions.timeline; "
        "bad = sorted(m for m in sys.modules if m.startswith(('django', 'httpx'))); "
        "assert not bad, bad"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------------------
# Offsets, widths, IVR
# ---------------------------------------------------------------------------


def test_queue_visit_offset_and_length_in_seconds() -> None:
    t = built(payload(queues=[queue("q1", "s1", "Billing", 10, 30)]))
    bar = get(t, "queue-q1")
    assert t.total == pytest.approx(100)
    assert bar.offset == pytest.approx(10)
    assert bar.length == pytest.approx(20)
    assert not bar.open_end
    assert not bar.warnings


def test_queue_visit_x_and_width_after_layout() -> None:
    t = laid(payload(queues=[queue("q1", "s1", "Billing", 10, 30)]))
    bar = get(t, "queue-q1")
    assert bar.x == pytest.approx(LABEL_WIDTH + 0.1 * CHART_WIDTH, abs=0.01)
    assert bar.width == pytest.approx(0.2 * CHART_WIDTH, abs=0.01)
    assert bar.x_pct == "10.000%"
    assert bar.width_pct == "20.000%"


def test_ivr_bar_runs_from_start_to_first_queue_entry() -> None:
    t = built(
        payload(
            ivrTime=3,
            queues=[queue("q2", "s1", "Sales", 40, 50), queue("q1", "s1", "Billing", 25, 35)],
        )
    )
    bars = [b for b in t.bars if b.kind == "ivr"]
    assert len(bars) == 1
    assert bars[0].offset == pytest.approx(0)
    assert bars[0].length == pytest.approx(25)  # the first queue entry wins over ivrTime


def test_ivr_bar_spans_ivr_time_without_queues() -> None:
    t = built(payload(ivrTime=12.5))
    bars = [b for b in t.bars if b.kind == "ivr"]
    assert len(bars) == 1
    assert bars[0].offset == pytest.approx(0)
    assert bars[0].length == pytest.approx(12.5)


def test_no_ivr_bar_without_queue_or_ivr_time() -> None:
    t = built(payload())
    assert t.count("ivr") == 0
    assert "ivr" not in [ln.key for ln in t.lanes]


# ---------------------------------------------------------------------------
# Open ends
# ---------------------------------------------------------------------------


def test_open_agent_on_complete_interaction_is_drawn_to_the_end_and_marked() -> None:
    data = payload(agents=[agent("a1", "s1", "Alice Tremblay", 30, None)])
    t = laid(data)
    bar = get(t, "agent-a1")
    assert bar.open_end
    assert bar.offset + bar.length == pytest.approx(t.total)
    assert bar.x + bar.width == pytest.approx(WIDTH, abs=0.02)
    assert "never reached reporting" in bar.reason
    assert bar.reason != LIVE_REASON
    assert bar.marked
    assert bar.duration_text.endswith("+")
    assert "no end time" in bar.accessible_name


def test_in_progress_axis_runs_to_now_and_open_bars_are_live() -> None:
    now = BASE + timedelta(seconds=300)
    data = payload(
        end=None,
        dataComplete=False,
        segments=[seg("s1", 0, 0, None)],
        queues=[queue("q1", "s1", "Billing", 10, 30)],
        agents=[agent("a1", "s1", "Alice Tremblay", 30, None)],
    )
    t = built(data, now)
    assert t.live
    assert t.end == now
    assert t.total == pytest.approx(300)
    bar = get(t, "agent-a1")
    assert bar.open_end
    assert bar.reason == LIVE_REASON
    assert bar.offset + bar.length == pytest.approx(300)
    assert not bar.marked
    assert not get(t, "segment-s1").marked


def test_in_progress_open_bar_is_marked_when_flagged() -> None:
    now = BASE + timedelta(seconds=300)
    data = payload(
        end=None,
        dataComplete=False,
        flagged=True,
        flagType="Agent",
        segments=[seg("s1", 0, 0, None)],
        agents=[agent("a1", "s1", "Alice Tremblay", 30, None)],
    )
    bar = get(built(data, now), "agent-a1")
    assert bar.reason == LIVE_REASON
    assert bar.flagged
    assert bar.marked


# ---------------------------------------------------------------------------
# Flags
# ---------------------------------------------------------------------------


def flag_payload(flag_type: str | None, *, interaction_end: float | None = 100) -> dict[str, Any]:
    """A complete interaction with closed and open segments, queues and agents."""
    extra: dict[str, Any] = {"flagged": flag_type is not None}
    if flag_type is not None:
        extra["flagType"] = flag_type
    return payload(
        end=interaction_end,
        segments=[seg("s1", 0, 0, 100), seg("s2", 1, 50, None)],
        queues=[queue("q1", "s1", "Billing", 10, 20), queue("q2", "s2", "Sales", 55, None)],
        agents=[
            agent("a1", "s1", "Alice Tremblay", 20, 50),
            agent("a2", "s2", "Benoit Leblanc", 60, None),
            agent("a3", "s2", "Carmen Diaz", 70, None),
        ],
        **extra,
    )


@pytest.mark.parametrize(
    ("flag_type", "expected", "target"),
    [
        ("Agent", {"agent-a2", "agent-a3"}, "agent-a2"),
        ("Queue", {"queue-q2"}, "queue-q2"),
        ("Segment", {"segment-s2"}, "segment-s2"),
        # Stuck concerns the whole interaction: whatever never ended.
        ("Stuck", {"segment-s2", "queue-q2", "agent-a2", "agent-a3"}, "segment-s2"),
    ],
)
def test_flag_marks_only_the_open_bars_it_concerns(
    flag_type: str, expected: set[str], target: str
) -> None:
    t = built(flag_payload(flag_type))
    assert {b.id for b in t.bars if b.flagged} == expected
    assert t.flag_target == target
    assert get(t, target).flagged
    assert get(t, target).marked


def test_stuck_flag_with_every_record_closed_targets_where_the_records_stop() -> None:
    data = payload(
        end=None,
        segments=[seg("s1", 0, 0, 80)],
        agents=[agent("a1", "s1", "Alice Tremblay", 20, 80)],
        flagged=True,
        flagType="Stuck",
    )
    t = built(data)
    assert t.flag_target == "segment-s1"
    assert {b.id for b in t.bars if b.flagged} == {"segment-s1"}
    assert get(t, "segment-s1").marked


@pytest.mark.parametrize(
    "flag_type", ["Mystery-new-flag", "Safeguard-terminated", "forced - no reason provided", None]
)
def test_flags_that_concern_no_bar_flag_nothing(flag_type: str | None) -> None:
    t = built(flag_payload(flag_type))
    assert not any(b.flagged for b in t.bars)
    assert t.flag_target is None


# ---------------------------------------------------------------------------
# Zero length and clock skew
# ---------------------------------------------------------------------------


def test_zero_length_bar_keeps_length_zero_but_is_drawn_visibly() -> None:
    data = payload(queues=[queue("q1", "s1", "Billing", 40, 40)])
    bar = get(built(data), "queue-q1")
    assert bar.length == 0
    assert not bar.warnings
    drawn = get(laid(data), "queue-q1")
    assert drawn.width >= MIN_BAR_WIDTH
    assert drawn.x == pytest.approx(x_of(40, 100), abs=0.01)


def test_zero_length_bar_at_the_very_end_stays_inside_the_chart() -> None:
    drawn = get(laid(payload(queues=[queue("q1", "s1", "Billing", 100, 100)])), "queue-q1")
    assert drawn.width >= MIN_BAR_WIDTH
    assert drawn.x + drawn.width <= WIDTH + 0.01


def test_bar_starting_before_the_interaction_is_clipped_with_a_warning() -> None:
    bar = get(built(payload(queues=[queue("q1", "s1", "Billing", -5, 10)])), "queue-q1")
    assert bar.offset == 0
    assert bar.length == pytest.approx(10)
    assert any("before the interaction" in w for w in bar.warnings)
    assert bar.marked


def test_bar_ending_after_the_interaction_is_clipped_with_a_warning() -> None:
    bar = get(built(payload(agents=[agent("a1", "s1", "Alice Tremblay", 80, 130)])), "agent-a1")
    assert bar.offset == pytest.approx(80)
    assert bar.length == pytest.approx(20)
    assert any("after the interaction" in w for w in bar.warnings)
    assert bar.marked


def test_bar_ending_before_it_starts_has_no_length_and_a_warning() -> None:
    data = payload(agents=[agent("a1", "s1", "Alice Tremblay", 60, 50)])
    bar = get(built(data), "agent-a1")
    assert bar.offset == pytest.approx(60)
    assert bar.length == 0
    assert any("before it starts" in w for w in bar.warnings)
    drawn = get(laid(data), "agent-a1")
    assert drawn.width >= MIN_BAR_WIDTH


# ---------------------------------------------------------------------------
# Overlaps, rows and lanes
# ---------------------------------------------------------------------------

OVERLAPS = "Overlaps"


def test_overlapping_allocations_of_one_agent_are_warned_and_get_separate_rows() -> None:
    t = built(
        payload(
            agents=[
                agent("a1", "s1", "Alice Tremblay", 10, 50),
                agent("a2", "s1", "Alice Tremblay", 40, 80),
            ]
        )
    )
    for bar_id in ("agent-a1", "agent-a2"):
        assert any(OVERLAPS in w for w in get(t, bar_id).warnings), bar_id
    rows = [r for r in lane(t, "agents").rows if r.label == "Alice Tremblay"]
    assert len(rows) == 2
    assert sorted(len(r.bars) for r in rows) == [1, 1]


def test_non_overlapping_allocations_of_one_agent_share_a_row() -> None:
    t = built(
        payload(
            agents=[
                agent("a1", "s1", "Alice Tremblay", 10, 30),
                agent("a2", "s1", "Alice Tremblay", 40, 80),
            ]
        )
    )
    assert not any(OVERLAPS in w for b in t.bars for w in b.warnings)
    rows = lane(t, "agents").rows
    assert [r.label for r in rows] == ["Alice Tremblay"]
    assert [b.id for b in rows[0].bars] == ["agent-a1", "agent-a2"]


def test_every_allocation_overlapping_another_of_the_same_agent_is_warned() -> None:
    # a1 covers both a2 and a3; a2 and a3 do not touch each other.
    t = built(
        payload(
            agents=[
                agent("a1", "s1", "Alice Tremblay", 0, 90),
                agent("a2", "s1", "Alice Tremblay", 10, 20),
                agent("a3", "s1", "Alice Tremblay", 40, 50),
            ]
        )
    )
    warned = {b.id for b in t.bars if any(OVERLAPS in w for w in b.warnings)}
    assert warned == {"agent-a1", "agent-a2", "agent-a3"}


def test_queue_lane_groups_visits_by_queue_name() -> None:
    t = built(
        payload(
            queues=[
                queue("q1", "s1", "Billing", 10, 20),
                queue("q2", "s1", "Sales", 25, 35),
                queue("q3", "s1", "Billing", 40, 50),
            ]
        )
    )
    rows = lane(t, "queues").rows
    assert [r.label for r in rows] == ["Billing", "Sales"]
    assert [b.id for b in rows[0].bars] == ["queue-q1", "queue-q3"]


def test_agent_lane_groups_allocations_by_agent_name() -> None:
    t = built(
        payload(
            agents=[
                agent("a1", "s1", "Alice Tremblay", 10, 20),
                agent("a2", "s1", "Benoit Leblanc", 20, 40),
                agent("a3", "s1", "Alice Tremblay", 40, 60),
                # same agentId, name left out: grouped with her named allocations
                agent("a4", "s1", None, 70, 80, agentId="aid-alice"),
            ]
        )
    )
    rows = lane(t, "agents").rows
    assert [r.label for r in rows] == ["Alice Tremblay", "Benoit Leblanc"]
    assert [b.id for b in rows[0].bars] == ["agent-a1", "agent-a3", "agent-a4"]


# ---------------------------------------------------------------------------
# Related ids and bar identity
# ---------------------------------------------------------------------------


def test_related_ids_link_segment_queue_and_agent_bars() -> None:
    t = built(
        payload(
            segments=[seg("s1", 0, 0, 60), seg("s2", 1, 50, 100)],
            queues=[queue("q1", "s1", "Billing", 10, 20), queue("q2", "s2", "Sales", 55, 60)],
            agents=[
                agent("a1", "s1", "Alice Tremblay", 20, 60),
                agent("a2", "s2", "Benoit Leblanc", 60, 100),
            ],
        )
    )
    assert {"queue-q1", "agent-a1"} <= set(get(t, "segment-s1").related)
    assert {"segment-s1", "agent-a1"} <= set(get(t, "queue-q1").related)
    assert {"segment-s1", "queue-q1"} <= set(get(t, "agent-a1").related)
    for bar_id in ("segment-s1", "queue-q1", "agent-a1"):
        related = get(t, bar_id).related
        assert bar_id not in related
        assert not {"segment-s2", "queue-q2", "agent-a2"} & set(related)


def test_bar_ids_are_unique_when_segment_ids_are_missing() -> None:
    t = built(payload(segments=[seg(None, 0, 0, 50), seg(None, 1, 50, 100)]))
    ids = [b.id for b in t.bars]
    assert t.count("segment") == 2
    assert len(ids) == len(set(ids)), ids


# ---------------------------------------------------------------------------
# States and text
# ---------------------------------------------------------------------------


def test_cancelled_segment_is_labelled_cancelled() -> None:
    t = built(payload(segments=[seg("s1", 0, 0, 100), seg("s2", 1, 40, 60, segmentCancelled=True)]))
    bar = get(t, "segment-s2")
    assert "cancelled" in bar.states
    assert "(cancelled)" in bar.display_label
    assert "(cancelled)" not in get(t, "segment-s1").display_label


@pytest.mark.parametrize(
    ("end_type", "states"),
    [
        ("cancelled", ("cancelled",)),
        (None, ("cancelled",)),
        ("customer-disconnect", ("cancelled", "customer hung up")),
        ("Customer_Disconnect", ("cancelled", "customer hung up")),
        ("interaction-end", ("cancelled",)),
    ],
)
def test_a_cancelled_segment_says_who_ended_it(end_type: str | None, states: tuple) -> None:
    """The API sets segmentCancelled when the agent cancelled the action and when the
    customer hung up during it: both are drawn and named cancelled (faded, dashed), the
    second saying the customer hung up."""
    extra = {"segmentEndType": end_type} if end_type else {}
    t = built(
        payload(
            segments=[seg("s1", 0, 0, 100), seg("s2", 1, 40, 60, segmentCancelled=True, **extra)]
        )
    )
    bar = get(t, "segment-s2")
    assert bar.states == states
    assert "(cancelled" in bar.display_label
    assert ("customer hung up" in bar.display_label) is ("customer hung up" in states)
    assert "✕" not in bar.display_label  # the queue visit says whether it was abandoned
    assert all(state in bar.accessible_name for state in states)


def test_a_record_that_ends_before_it_starts_has_an_unknown_length() -> None:
    t = built(payload(agents=[agent("a1", "s1", "Hugo", 50, 20)]))
    bar = get(t, "agent-a1")
    assert bar.backwards and bar.length == 0
    assert bar.duration_text.startswith("unknown")
    assert "0:00" not in bar.text
    assert any("before it starts" in w for w in bar.warnings)


def test_abandoned_queue_is_marked_with_a_cross() -> None:
    t = built(payload(queues=[queue("q1", "s1", "Billing", 10, 30, queueAbandoned=True)]))
    bar = get(t, "queue-q1")
    assert "abandoned" in bar.states
    assert "✕" in bar.display_label
    assert bar.display_label.startswith("Billing")
    # Drawn in the row named Billing, the bar's text is its length, and the cross too:
    # its state is said in text, not only by its outline.
    data = payload(queues=[queue("q1", "s1", "Billing", 10, 30, queueAbandoned=True)])
    assert get(laid(data), "queue-q1").text == "0:20 ✕"


def test_accessible_name_says_label_start_end_and_duration() -> None:
    bar = get(built(payload(queues=[queue("q1", "s1", "Billing", 10, 30)])), "queue-q1")
    name = bar.accessible_name
    assert "Billing" in name
    assert "0:10" in name
    assert "0:30" in name
    assert "lasting 0:20" in name  # a duration in the same form as every other


def test_accessible_names_say_how_a_record_began_and_ended_in_words() -> None:
    """The bar's name (its hover and what a screen reader says) reads the codes in the
    words of the tables; a code the dashboard does not know is said as sent."""
    data = payload(
        segments=[
            seg("s1", 0, 0, 40, segmentStartType="transfer", segmentEndType="success"),
            seg("s2", 1, 40, 100, segmentStartType="warpDrive", segmentEndType=None),
        ],
        queues=[queue("q1", "s1", "Billing", 10, 30, queueExitType="abandon")],
    )
    t = built(data)
    assert "Transfer → Handed over" in get(t, "segment-s1").accessible_name
    assert "transfer → success" not in get(t, "segment-s1").accessible_name
    assert "warpDrive → end not sent" in get(t, "segment-s2").accessible_name
    assert "From the IVR → Customer gave up" in get(t, "queue-q1").accessible_name
    chat = built({**data, "channelType": "messaging"})
    assert "From the flow → Customer gave up" in get(chat, "queue-q1").accessible_name


# ---------------------------------------------------------------------------
# Holds
# ---------------------------------------------------------------------------


def test_holds_with_times_become_hold_bars() -> None:
    t = built(
        payload(
            customerHoldTimes=[
                {"startTimestamp": ts(40), "endTimestamp": ts(55), "holdTime": 15},
                {"startTimestamp": ts(70), "endTimestamp": ts(72), "holdTime": 2},
            ]
        )
    )
    holds = [b for b in t.bars if b.kind == "hold"]
    assert [(b.offset, b.length) for b in holds] == [
        (pytest.approx(40), pytest.approx(15)),
        (pytest.approx(70), pytest.approx(2)),
    ]
    assert lane(t, "holds").rows[0].bars == tuple(holds)


def test_hold_durations_without_times_make_no_bars() -> None:
    data = payload(customerHoldTimes=[12.0, "30", {"holdTime": 5}])
    assert len(parse_interaction(data).holds) == 3
    t = built(data)
    assert t.count("hold") == 0
    assert "holds" not in [ln.key for ln in t.lanes]


# ---------------------------------------------------------------------------
# Ticks
# ---------------------------------------------------------------------------

SPANS = [5, 94, 19 * 60, 3 * 3600, 2 * 86400]


@pytest.mark.parametrize("span", SPANS)
def test_nice_step_gives_at_most_ten_intervals(span: int) -> None:
    step = nice_step(span)
    assert step in tl_mod.NICE_STEPS
    assert span / step <= 10


@pytest.mark.parametrize("span", SPANS)
def test_laid_out_axis_has_at_most_ten_ticks(span: int) -> None:
    t = laid(payload(end=span))
    assert 2 <= len(t.ticks) <= 10
    assert t.ticks[0].offset == 0
    assert all(
        b.offset - a.offset == nice_step(span) for a, b in zip(t.ticks, t.ticks[1:], strict=False)
    )
    assert all(LABEL_WIDTH - 0.01 <= tick.x <= WIDTH + 0.01 for tick in t.ticks)


def test_tick_labels_are_minutes_and_seconds_under_an_hour() -> None:
    t = laid(payload(end=94))
    labels = [tick.label for tick in t.ticks]
    assert labels[:3] == ["0:00", "0:10", "0:20"]
    assert labels[-1] == "1:30"
    assert all(re.fullmatch(r"\d{1,2}:\d{2}", label) for label in labels)


def test_tick_labels_are_in_hours_and_minutes_from_an_hour() -> None:
    """Past an hour an offset says its units ("1 h 30 min"), never a clock-like "1:30:00"."""
    t = laid(payload(end=3 * 3600))
    assert t.ticks[-1].label == "3 h"
    assert tick_at(t, 5400).label == "1 h 30 min"
    for tick in t.ticks:
        pattern = r"\d+ h( \d+ min)?( \d+ s)?" if tick.offset >= 3600 else r"\d{1,2}:\d{2}"
        assert re.fullmatch(pattern, tick.label), (tick.offset, tick.label)
    assert tick_at(t, 5400).at == BASE + timedelta(seconds=5400)


def tick_at(t: Timeline, offset: float) -> tl_mod.Tick:
    return next(tick for tick in t.ticks if tick.offset == offset)


# ---------------------------------------------------------------------------
# Zoom
# ---------------------------------------------------------------------------


def zoom_payload() -> dict[str, Any]:
    return payload(
        queues=[
            queue("early", "s1", "Billing", 0, 5),
            queue("edge", "s1", "Sales", 5, 15),
            queue("inside", "s1", "Retentions", 20, 25),
            queue("late", "s1", "Tier 2", 40, 60),
            queue("right", "s1", "General", 25, 50),
        ]
    )


def test_zoom_sets_the_window() -> None:
    z = zoom(built(zoom_payload()), (10, 30))
    assert z.zoomed
    assert (z.window_start, z.window_end) == (10, 30)
    assert z.total == pytest.approx(100)


def test_zoom_omits_bars_outside_the_window() -> None:
    t = laid(zoom_payload(), window=(10, 30))
    ids = {b.id for b in t.bars}
    assert "queue-early" not in ids
    assert "queue-late" not in ids
    assert {"queue-edge", "queue-inside", "queue-right"} <= ids
    inside = get(t, "queue-inside")
    assert inside.x == pytest.approx(LABEL_WIDTH + 0.5 * CHART_WIDTH, abs=0.01)
    assert inside.width == pytest.approx(0.25 * CHART_WIDTH, abs=0.01)


def test_zoom_clips_bars_crossing_the_window_edges() -> None:
    t = laid(zoom_payload(), window=(10, 30))
    edge = get(t, "queue-edge")  # 5..15 -> 10..15
    assert edge.x == pytest.approx(LABEL_WIDTH, abs=0.01)
    assert edge.width == pytest.approx(0.25 * CHART_WIDTH, abs=0.01)
    right = get(t, "queue-right")  # 25..50 -> 25..30
    assert right.x == pytest.approx(LABEL_WIDTH + 0.75 * CHART_WIDTH, abs=0.01)
    assert right.x + right.width == pytest.approx(WIDTH, abs=0.02)
    # clipping is a drawing matter: the bar's own times are unchanged
    assert (edge.offset, edge.length) == (pytest.approx(5), pytest.approx(10))
    assert all(10 <= tick.offset <= 30 for tick in t.ticks)


@pytest.mark.parametrize("window", [(0, 100), (-10, 500), (0, float("inf")), (100, 0)])
def test_zoom_covering_everything_returns_the_unzoomed_timeline(
    window: tuple[float, float],
) -> None:
    t = built(zoom_payload())
    z = zoom(t, window)
    assert z is t or z == t
    assert not z.zoomed
    assert zoom(t, None) is t


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ((30, 10), (10, 30)),
        ((-50, 20), (0, 20)),
        ((80, 1e9), (80, 100)),
        ((40, float("inf")), (40, 100)),
        ((150, 400), (99, 100)),
        ((-20, -10), (0, 1)),
        ((50, 50), (50, 51)),
    ],
)
def test_reversed_or_out_of_range_window_is_clamped(
    window: tuple[float, float], expected: tuple[float, float]
) -> None:
    z = zoom(built(zoom_payload()), window)
    assert z.zoomed
    assert z.window_start == pytest.approx(expected[0])
    assert z.window_end == pytest.approx(expected[1])
    drawn = layout(z)
    assert drawn.ticks
    for bar in drawn.bars:
        assert LABEL_WIDTH - 0.01 <= bar.x <= WIDTH
        assert bar.x + bar.width <= WIDTH + 0.01


# ---------------------------------------------------------------------------
# Axis problems
# ---------------------------------------------------------------------------


def test_missing_interaction_start_uses_the_first_record_with_a_warning() -> None:
    data = payload(
        start=None,
        end=100,
        segments=[seg("s1", 0, 5, 100)],
        queues=[queue("q1", "s1", "Billing", 8, 20)],
    )
    t = laid(data)
    assert t.start == BASE + timedelta(seconds=5)
    assert t.total == pytest.approx(95)
    assert any("start time is missing" in w for w in t.warnings)
    assert get(t, "queue-q1").offset == pytest.approx(3)
    assert get(t, "segment-s1").offset == 0


def test_interaction_ending_before_it_starts_warns_and_does_not_raise() -> None:
    data = payload(
        start=100,
        end=50,
        segments=[seg("s1", 0, 100, 120)],
        queues=[queue("q1", "s1", "Billing", 105, 110)],
    )
    t = laid(data)
    assert any("ends before it starts" in w for w in t.warnings)
    assert t.total == 0
    assert t.end == t.start
    for bar in t.bars:
        assert bar.length == 0
        assert LABEL_WIDTH - 0.01 <= bar.x <= WIDTH
    assert laid(data, window=(10, 30)).total == 0


def test_missing_start_with_an_end_before_the_first_record_warns() -> None:
    # No start; the end comes before the first record: the axis says so and the
    # record is drawn with no length instead of raising.
    data = payload(start=None, end=0, segments=[seg("s1", 0, 5, 100)])
    t = built(data)
    assert any("ends before it starts" in w for w in t.warnings)
    assert any("after the interaction" in w for w in get(t, "segment-s1").warnings)


def test_record_without_start_is_drawn_from_the_axis_start_with_a_warning() -> None:
    bar = get(built(payload(queues=[queue("q1", "s1", "Billing", None, 30)])), "queue-q1")
    assert bar.offset == 0
    assert bar.length == pytest.approx(30)
    assert any("start time is missing" in w for w in bar.warnings)


# ---------------------------------------------------------------------------
# Scale
# ---------------------------------------------------------------------------


def test_generated_interaction_counts_by_kind() -> None:
    data = generate_interaction(120)
    t = built(data)
    assert t.count("segment") == 120
    assert t.count("queue") == len(data["queues"])
    assert t.count("agent") == len(data["agents"])
    assert t.count("interaction") == 0  # the axis is the interaction: no lane for it


def test_generated_interaction_queue_rows_follow_queue_names() -> None:
    data = generate_interaction(120)
    t = build(parse_interaction(data), NOW, expand=("queues",))
    rows = lane(t, "queues").rows
    # direct transfers (queue type "resource") are drawn in the agents' rows
    names = {q["queueName"] for q in data["queues"] if q.get("queueType") != "resource"}
    assert len(rows) <= len(data["queues"])
    # the generator's visits never overlap, so each queue name fits on one row
    assert len(rows) == len(names)
    assert {r.label for r in rows} == names
    # and no agent is allocated twice at once
    assert not any(OVERLAPS in w for b in t.bars for w in b.warnings)


def test_thousand_segments_build_and_lay_out_quickly_inside_the_chart() -> None:
    interaction = parse_interaction(generate_interaction(1000))
    started = time.perf_counter()
    t = layout(build(interaction, NOW))
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"{elapsed:.2f} s"
    assert t.count("segment") == 1000
    for bar in t.bars:
        assert LABEL_WIDTH - 0.01 <= bar.x <= WIDTH, (bar.id, bar.x)
        assert bar.x + bar.width <= WIDTH + 0.01, (bar.id, bar.x, bar.width)


# ---------------------------------------------------------------------------
# Demo payloads
# ---------------------------------------------------------------------------

DEMO_FILES = sorted(p for p in PAYLOADS.glob("*.json") if p.name != "index.json")


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def test_there_are_demo_payloads() -> None:
    assert len(DEMO_FILES) >= 10


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda p: p.stem)
def test_demo_payload_builds_and_lays_out(path: Path) -> None:
    interaction = parse_interaction(load(path))
    t = timeline_for(interaction, NOW)
    assert t.bars
    assert t.height > 0
    for bar in t.bars:
        assert LABEL_WIDTH - 0.01 <= bar.x <= WIDTH
        assert bar.x + bar.width <= WIDTH + 0.01
    middle = (t.total * 0.25, t.total * 0.75)
    assert timeline_for(interaction, NOW, middle).ticks


FLAGGED_WITH_TARGET = [
    p
    for p in DEMO_FILES
    if str(load(p).get("flagType") or "").strip().lower() in ("agent", "queue", "segment", "stuck")
]


def test_every_bar_concerning_flag_type_has_a_demo() -> None:
    kinds = {str(load(p)["flagType"]).lower() for p in FLAGGED_WITH_TARGET}
    assert kinds == {"agent", "queue", "segment", "stuck"}


@pytest.mark.parametrize("path", FLAGGED_WITH_TARGET, ids=lambda p: p.stem)
def test_flagged_demo_payload_has_a_flag_target(path: Path) -> None:
    t = timeline_for(parse_interaction(load(path)), NOW)
    assert t.flag_target is not None
    target = get(t, t.flag_target)
    assert target.flagged
    assert target.marked


# ---------------------------------------------------------------------------
# Readable at any size (issue 11, item 7): one test per rule
# ---------------------------------------------------------------------------


def test_no_whole_interaction_lane_the_axis_is_the_interaction() -> None:
    t = laid(payload(queues=[queue("q1", "s1", "Billing", 10, 30)]))
    assert "interaction" not in {ln.key for ln in t.lanes}
    assert t.count("interaction") == 0
    assert all("whole" not in r.label.lower() for ln in t.lanes for r in ln.rows)


def test_ivr_lane_only_when_the_data_shows_an_ivr() -> None:
    # no IVR time, queue entered by transfer: no IVR lane
    no_ivr = built(
        payload(queues=[queue("q1", "s1", "Billing", 10, 30, queueEntryType="transfer")])
    )
    assert "ivr" not in {ln.key for ln in no_ivr.lanes}
    # IVR time alone is enough
    timed = built(
        payload(
            ivrTime=12, queues=[queue("q1", "s1", "Billing", 20, 30, queueEntryType="transfer")]
        )
    )
    assert get(timed, "ivr").length == pytest.approx(12)
    # a queue entered from the IVR is enough
    entered = built(payload(queues=[queue("q1", "s1", "Billing", 8, 30)]))
    assert get(entered, "ivr").length == pytest.approx(8)


@pytest.mark.parametrize("channel", ["email", "messaging", "sms"])
def test_text_channels_get_no_ivr_sliver(channel: str) -> None:
    # The API says "ivr" for their queue entry and a second of IVR time.
    t = built(
        payload(channelType=channel, ivrTime=0.9, queues=[queue("q1", "s1", "Billing", 1, 30)])
    )
    assert "ivr" not in {ln.key for ln in t.lanes}


def test_direct_transfer_is_drawn_in_the_agents_row_not_as_a_queue() -> None:
    t = laid(
        payload(
            segments=[
                seg("s1", 0, 0, 50),
                seg(
                    "s2",
                    1,
                    50,
                    100,
                    segmentStartType="transfer",
                    transfer=True,
                    segmentAgentId="aid-alice",
                ),
            ],
            queues=[
                queue("q1", "s1", "Billing", 5, 10),
                queue(
                    "q2",
                    "s2",
                    "Bob Lindqvist",
                    50,
                    58,
                    queueType="resource",
                    queueEntryType="transfer",
                    agentId="aid-bob",
                ),
            ],
            agents=[
                agent("a1", "s1", "Alice Okafor", 10, 50),
                agent("a2", "s2", "Bob Lindqvist", 58, 100),
            ],
        )
    )
    queue_rows = {r.label for r in lane(t, "queues").rows}
    assert queue_rows == {"Billing"}  # no queue named after the agent
    bob = next(r for r in lane(t, "agents").rows if r.label == "Bob Lindqvist")
    direct = get(t, "queue-q2")
    assert direct in bob.bars
    assert direct.direct
    assert direct.kind_label == "Direct transfer to"
    assert direct.accessible_name.startswith("Direct transfer to Bob Lindqvist")
    assert "direct" in direct.text


@pytest.mark.parametrize("ringing", [0, 1, 20])
def test_an_agent_bar_right_after_a_ringing_sliver_still_says_its_length(ringing: int) -> None:
    """A direct transfer that rang for seconds of a two-hour call is drawn 3 px wide, over
    the start of the agent's bar that follows it in the same row: that bar keeps its text,
    written inside it past the sliver's end, never over it."""
    t = laid(
        payload(
            0,
            7200,
            segments=[
                seg("s1", 0, 0, 3600),
                seg("s2", 1, 3600, 7200, segmentStartType="transfer", transfer=True),
            ],
            queues=[
                queue("q1", "s1", "Billing", 5, 10),
                queue(
                    "q2",
                    "s2",
                    "Bob Lindqvist",
                    3600,
                    3600 + ringing,
                    queueType="resource",
                    queueEntryType="transfer",
                    agentId="aid-bob",
                ),
            ],
            agents=[
                agent("a1", "s1", "Alice Okafor", 10, 3600),
                agent("a2", "s2", "Bob Lindqvist", 3600 + ringing, 7200),
            ],
        )
    )
    sliver, bob = get(t, "queue-q2"), get(t, "agent-a2")
    assert sliver.width == tl_mod.MIN_BAR_WIDTH and bob.x < sliver.x + sliver.width
    assert bob.label_side == "inside"
    assert bob.text == tl_mod.clock(3600 - ringing)
    assert bob.x + tl_mod.TEXT_INSET >= sliver.x + sliver.width  # the text starts past it
    assert sliver.label_side == "left"  # its own text is before it, not on Bob's bar


def test_many_agents_grouped_behind_n_more_and_expandable() -> None:
    names = [f"Agent {n:03d}" for n in range(12)]
    agents = [agent(f"a{n}", "s1", name, n * 8, n * 8 + 6) for n, name in enumerate(names)]
    t = laid(payload(agents=agents))
    rows = lane(t, "agents").rows
    named = [r for r in rows if not r.grouped]
    grouped = [r for r in rows if r.grouped]
    assert len(named) == tl_mod.SHOWN_WHEN_GROUPED
    assert grouped
    assert grouped[0].more == 12 - tl_mod.SHOWN_WHEN_GROUPED
    assert grouped[0].label == f"{12 - tl_mod.SHOWN_WHEN_GROUPED} more agents"
    assert lane(t, "agents").hidden == 8
    assert lane(t, "agents").expandable
    # every allocation is still drawn (reachable), the grouped ones named in their text
    assert t.count("agent") == 12
    assert all(b.grouped for r in grouped for b in r.bars)
    # the busiest names get their own rows: a long allocation is never hidden
    long = laid(payload(agents=[*agents, agent("a99", "s1", "Zed Long", 0, 95)]))
    assert "Zed Long" in {r.label for r in lane(long, "agents").rows if not r.grouped}
    # ?expand=agents: one row per name
    full = timeline_for(parse_interaction(payload(agents=agents)), NOW, expand=("agents",))
    assert [r.label for r in lane(full, "agents").rows] == names
    assert lane(full, "agents").expanded
    assert lane(full, "agents").hidden == 0


def test_a_grouped_lane_names_the_agents_who_had_the_customer_first() -> None:
    """Offers withdrawn as long as the agent's whole part (a call offered to many at
    once) never take the named rows ahead of the agent who answered, nor come before
    them."""
    offers = [
        agent(f"o{n}", "s1", f"Offered {n:02d}", 5, 90, agentWorkCancelTime=85) for n in range(8)
    ]
    answered = agent("a1", "s1", "Rosa Gallo", 14, 40)
    t = laid(payload(agents=[*offers, answered]))
    named = [r.label for r in lane(t, "agents").rows if not r.grouped]
    assert named[0] == "Rosa Gallo"
    assert len(named) == tl_mod.SHOWN_WHEN_GROUPED
    # Ungrouped, the rows keep the order the agents had the work in.
    few = laid(payload(agents=[*offers[:2], answered]))
    assert [r.label for r in lane(few, "agents").rows] == ["Offered 00", "Offered 01", "Rosa Gallo"]


def test_the_broadcast_offer_names_the_agent_who_answered_first() -> None:
    body = json.loads(
        (_NOVEL / "broadcast-offered-to-300-agents-one-accepts.json").read_text(encoding="utf-8")
    )
    rows = lane(timeline_for(parse_interaction(body), NOW), "agents").rows
    assert next(r.label for r in rows if not r.grouped) == "Rosa Gallo"


def test_few_agents_are_not_grouped() -> None:
    agents = [agent(f"a{n}", "s1", f"Agent {n}", n * 10, n * 10 + 5) for n in range(5)]
    t = laid(payload(agents=agents))
    assert not any(r.grouped for r in lane(t, "agents").rows)
    assert not lane(t, "agents").expandable


def test_tick_labels_are_never_clipped() -> None:
    for total in (100, 94, 3600, 43_201):
        t = laid(payload(0, total))
        assert t.ticks[0].anchor == "start"  # 0:00 at the left edge starts there
        for tick in t.ticks:
            width = len(tick.label) * tl_mod.CHAR_WIDTH
            left = {"start": tick.x, "middle": tick.x - width / 2, "end": tick.x - width}[
                tick.anchor
            ]
            assert left >= -0.01, (total, tick)
            assert left + width <= CHART_WIDTH + 0.01, (total, tick)
    # a tick at the very end is right-aligned, inside the chart
    end = laid(payload(0, 100))
    assert end.ticks[-1].x == pytest.approx(CHART_WIDTH)
    assert end.ticks[-1].anchor == "end"


def test_transfer_connector_from_sending_agent_to_receiving_agent() -> None:
    t = laid(
        payload(
            segments=[
                seg("s1", 0, 0, 60),
                seg(
                    "s2",
                    1,
                    40,
                    100,
                    segmentStartType="transfer",
                    transfer=True,
                    segmentAgentId="aid-alice",
                ),
            ],
            queues=[
                queue("q1", "s1", "Support", 2, 10),
                queue("q2", "s2", "Billing", 40, 50, queueEntryType="transfer"),
            ],
            agents=[
                agent("a1", "s1", "Alice Okafor", 10, 60),
                agent("a2", "s2", "Bob Lindqvist", 50, 100),
            ],
        )
    )
    assert len(t.connectors) == 1
    c = t.connectors[0]
    assert (c.from_id, c.to_id, c.label) == ("agent-a1", "agent-a2", "transferred")
    alice, bob = get(t, "agent-a1"), get(t, "agent-a2")
    assert c.x1 == pytest.approx(0.4 * CHART_WIDTH, abs=0.01)  # the moment of transfer
    assert c.y1 == pytest.approx(alice.y + tl_mod.BAR_HEIGHT / 2)
    assert (c.x2, c.y2) == (pytest.approx(bob.x), pytest.approx(bob.y + tl_mod.BAR_HEIGHT / 2))


def test_no_connector_without_a_sending_agent_and_none_when_too_many() -> None:
    first = laid(
        payload(
            queues=[queue("q1", "s1", "Support", 2, 10)],
            agents=[agent("a1", "s1", "Alice Okafor", 10, 60)],
        )
    )
    assert first.connectors == ()
    big = timeline_for(parse_interaction(generate_interaction(120)), NOW)
    assert big.connectors == ()  # 120 arrows are noise: zoom in to see them
    assert len(build(parse_interaction(generate_interaction(120)), NOW).connectors) > 100


def test_the_sender_is_found_alike_by_a_walk_and_by_bisection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An agent with few bars is walked through; one with many is looked up by ``_Running``.
    interaction = parse_interaction(generate_interaction(400, seed=7))
    monkeypatch.setattr(tl_mod, "_SCANNED", 10**9)
    walked = build(interaction, NOW).connectors
    monkeypatch.setattr(tl_mod, "_SCANNED", 0)
    bisected = build(interaction, NOW).connectors
    assert len(walked) > 300
    assert walked == bisected


def test_bars_carry_durations_inside_or_labels_beside() -> None:
    t = laid(
        payload(
            0,
            600,
            queues=[queue("q1", "s1", "Billing", 10, 20)],
            agents=[agent("a1", "s1", "Alice Okafor", 20, 500)],
        )
    )
    long, short = get(t, "agent-a1"), get(t, "queue-q1")
    assert (long.text, long.label_side) == ("8:00", "inside")
    assert (short.text, short.label_side) == ("0:10", "right")
    assert short.width < len(short.text) * tl_mod.CHAR_WIDTH


def test_row_labels_say_no_row_numbers() -> None:
    t = laid(payload(segments=[seg("s1", 0, 0, 60), seg("s2", 1, 30, 100)]))
    assert len(lane(t, "segments").rows) == 2
    assert not any("row" in r.label.lower() for ln in t.lanes for r in ln.rows)


def test_every_bar_is_a_24_px_target() -> None:
    t = laid(generate_interaction(120))
    for bar in t.bars:
        width = float(bar.hit_width.rstrip("%")) * CHART_WIDTH / 100
        left = float(bar.hit_x.rstrip("%")) * CHART_WIDTH / 100
        # 24 px wide even where the chart is drawn at its narrowest.
        assert width * tl_mod.CHART_MIN_WIDTH / CHART_WIDTH >= tl_mod.HIT_SIZE - 0.01
        assert left >= -0.01
        assert left + width <= CHART_WIDTH + 0.01
    assert tl_mod.ROW_HEIGHT >= tl_mod.HIT_SIZE


def test_the_narrowest_chart_is_the_css_min_width() -> None:
    css = (Path(__file__).resolve().parents[1] / "static/css/timeline.css").read_text()
    assert f"min-width: {tl_mod.CHART_MIN_WIDTH:g}px;" in css


def test_overview_splits_the_whole_interaction_into_zoom_windows() -> None:
    t = laid(payload(0, 800, queues=[queue("q1", "s1", "Billing", 10, 20)]))
    parts = t.overview
    assert len(parts) == tl_mod.OVERVIEW_PARTS
    assert parts[0].start == 0
    assert parts[-1].end == pytest.approx(800)
    assert parts[0].query == "zoom=0.0-100.0"
    assert not any(p.current for p in parts)
    zoomed = laid(payload(0, 800), window=(150, 250))
    assert [p.current for p in zoomed.overview] == [
        False,
        True,
        True,
        False,
        False,
        False,
        False,
        False,
    ]


def test_marked_ids_are_the_bars_n_and_p_step_through() -> None:
    t = laid(flag_payload("Agent"))
    # flagged, or open after the fact (not live): every bar with a "!"
    assert set(t.marked_ids) == {"agent-a2", "agent-a3", "queue-q2", "segment-s2"}
    assert set(t.marked_ids) == {b.id for b in t.bars if b.marked}
    assert not set(laid(flag_payload(None, interaction_end=100)).marked_ids) & {
        "agent-a1",
        "queue-q1",
    }


def test_an_end_that_never_arrived_is_named_not_called_complete() -> None:
    body = payload(segments=[seg("s1", 0, 0, 60)])
    assert laid(body).end_missing is False
    body.pop("endTimestamp", None)
    assert laid(body).end_missing is True


def _values(bar: Bar) -> dict[str, object]:
    """Every field of ``bar`` (slotted: no ``vars``)."""
    return {f.name: getattr(bar, f.name) for f in dataclasses.fields(bar)}


def test_layout_leaves_a_given_timeline_alone_and_timeline_for_draws_the_same() -> None:
    """``timeline_for`` places its own freshly built bars where they are; ``layout``
    of a timeline it is given copies them, leaving the given one as it was."""
    item = parse_interaction(generate_interaction(40, seed=4, flagged=True))
    built = build(item, NOW, ("agents",))
    before = [_values(bar) for bar in built.bars]
    laid = layout(built)
    assert [_values(bar) for bar in built.bars] == before
    assert timeline_for(item, NOW, None, ("agents",)) == laid
    assert timeline_for(item, NOW, (30.0, 400.0)) == layout(zoom(build(item, NOW), (30.0, 400.0)))


def test_an_agent_flag_with_every_end_present_points_at_the_inconsistent_record() -> None:
    """Flagged Agent, but the agent's end came before its start: that bar is the target."""
    data = payload(
        agents=[agent("a1", "s1", "Zoe", 10, 40), agent("a2", "s1", "Hugo", 50, 20)],
        flagged=True,
        flagType="Agent",
    )
    t = built(data)
    assert t.flag_target == "agent-a2"
    assert get(t, "agent-a2").flagged
    assert not get(t, "agent-a1").flagged


def test_a_zoomed_timeline_still_knows_the_bars_outside_its_window() -> None:
    """Drawn: only the bars in the window; found by id (a focus, a related link) and
    counted by the overview strip: every bar of the interaction."""
    t = laid(zoom_payload(), window=(10, 30))
    assert "queue-late" not in {b.id for b in t.bars}
    assert get(t, "queue-late").offset == pytest.approx(40)
    whole = laid(zoom_payload())
    assert [w.bars for w in t.overview] == [w.bars for w in whole.overview]
    assert [w.marked for w in t.overview] == [w.marked for w in whole.overview]


def test_a_bar_outside_the_zoom_window_has_its_details_and_related_links() -> None:
    from dashboard.interactions.presenters import detail

    data = payload(
        segments=[seg("s1", 1, 0, 100)],
        queues=[queue("q1", "s1", "Billing", 0, 20)],
        agents=[agent("a1", "s1", "Ann Lee", 60, 100)],
    )
    t = laid(data, window=(0, 30))
    panel = detail(t, "agent-a1", UTC)
    assert panel is not None
    assert {link.bar_id for link in panel.related} == {"segment-s1", "queue-q1"}
    assert panel.outside
    shown = detail(t, "queue-q1", UTC)
    assert shown is not None and not shown.outside
    assert "agent-a1" in shown.related_ids


@pytest.mark.parametrize(
    ("window", "expected"),
    [((0.3, 99.6), None), ((40, 99.96), (40, 100)), ((0.2, 30), (0, 30))],
)
def test_a_window_within_half_a_second_of_an_end_reaches_that_end(
    window: tuple[float, float], expected: tuple[float, float] | None
) -> None:
    """The zoom form shows its range to the second ("0:00" to "3 d 0 h 22 min 53 s")
    and zoom links to a tenth: sent back unchanged, the range still reaches the ends,
    and a record starting in the interaction's last moments is still drawn."""
    data = zoom_payload()
    data["queues"].append(queue("last", "s1", "Billing", 99.95, 100))
    z = zoom(built(data), window)
    if expected is None:
        assert not z.zoomed
    else:
        assert (z.window_start, z.window_end) == pytest.approx(expected)
    drawn = {b.id for b in layout(z).bars}
    assert ("queue-last" in drawn) == (z.window_end == 100)


def test_an_allocation_that_ends_while_its_queue_visit_goes_on_is_an_offer_not_accepted() -> None:
    # Alice is offered the call at 20 and the offer ends at 30; the customer waits on
    # in Support until Bob takes it at 60. No agentWorkCancelTime is sent.
    data = payload(
        queues=[queue("q1", "s1", "Support", 5, 60, agentId="aid-bob")],
        agents=[
            agent("a1", "s1", "Alice Okafor", 20, 30, queueId="qid-support"),
            agent("a2", "s1", "Bob Lindqvist", 60, 100, queueId="qid-support"),
        ],
    )
    t = laid(data)
    (alice,) = [b for b in t.bars if b.kind == "agent" and b.label == "Alice Okafor"]
    (bob,) = [b for b in t.bars if b.kind == "agent" and b.label == "Bob Lindqvist"]
    assert alice.states == ("offer not accepted",) and bob.states == ()
    assert alice.display_label == "Alice Okafor (not accepted)"
    # Named by its segment when the allocation names no queue.
    data["agents"][0].pop("queueId")
    (alice,) = [b for b in laid(data).bars if b.kind == "agent" and b.label == "Alice Okafor"]
    assert alice.states == ("offer not accepted",)
    # An agent who took the call as the visit ended is no offer.
    data["agents"][0].update(startTimestamp=ts(60), endTimestamp=ts(80))
    (alice,) = [b for b in laid(data).bars if b.kind == "agent" and b.label == "Alice Okafor"]
    assert alice.states == ()


def test_an_end_a_few_seconds_past_the_interaction_marks_the_end_not_the_whole_bar() -> None:
    """Clock skew on a long allocation: the "!" is where the inconsistency is."""
    data = payload(
        0,
        800,
        segments=[seg("s0", 0, 0, 800, segmentToAgentId="aid-ann")],
        agents=[agent("a1", "s0", "Ann Lee", 20, 802.9)],
    )
    t = laid(data)
    assert get(t, "agent-a1").marked
    assert [w.marked for w in t.overview] == [False] * (len(t.overview) - 1) + [True]


def test_an_allocation_overlapping_another_is_marked_over_its_whole_length() -> None:
    data = payload(
        0,
        800,
        segments=[seg("s0", 0, 0, 800, segmentToAgentId="aid-ann")],
        agents=[
            agent("a1", "s0", "Ann Lee", 20, 790, agentId="aid-ann"),
            agent("a2", "s0", "Ann Lee", 400, 802.9, agentId="aid-ann"),
        ],
    )
    t = laid(data)
    assert sum(w.marked for w in t.overview) >= len(t.overview) - 1


def test_the_legend_explains_each_kind_of_arrow_drawn() -> None:
    """An arrow to a cancelled try to add someone is not a transfer: the legend says what
    every arrow drawn stands for, and nothing about arrows when none is drawn."""
    t = laid(
        payload(
            0,
            300,
            segments=[
                seg("s0", 0, 0, 300, segmentToAgentId="aid-ann"),
                seg(
                    "s1",
                    1,
                    100,
                    115,
                    segmentStartType="addParticant",
                    segmentEndType="cancelled",
                    segmentCancelled=True,
                    segmentAgentId="aid-ann",
                ),
            ],
            queues=[
                queue("q0", "s0", "Support", 5, 20, agentId="aid-ann"),
                queue("q1", "s1", "Tier 3", 100, 115, queueExitType="add-participant-cancel"),
            ],
            agents=[agent("a1", "s0", "Ann Lee", 20, 300, agentId="aid-ann")],
        )
    )
    assert [c.label for c in t.connectors] == ["add cancelled"]
    assert t.arrow_legend == ("arrow to a faded bar: a try to add someone, cancelled",)
    assert laid(payload(0, 300)).arrow_legend == ()


def test_overview_parts_of_a_long_interaction_have_short_texts_and_their_range_on_hover() -> None:
    """ "1 h 22 min 49 s–1 h 39 min 22 s" wraps on a button an eighth of the chart wide: a
    long interaction's parts read where they start, as the axis does, the range on hover."""
    long = laid(payload(0, 7950)).overview
    # One unit style across the strip: "16:34" beside "1 h 6 min" reads like a time of day.
    assert [w.text for w in long] == [
        "0 min",
        "17 min",
        "33 min",
        "50 min",
        "1 h 6 min",
        "1 h 23 min",
        "1 h 39 min",
        "1 h 56 min",
    ]
    assert long[4].label == "1 h 6 min 15 s–1 h 22 min 49 s"
    days = laid(payload(0, 3 * 86400 + 1000)).overview
    assert max(len(w.text) for w in days) <= 10, [w.text for w in days]
    short = laid(payload(0, 800)).overview
    assert [w.text for w in short][:2] == ["0:00–1:40", "1:40–3:20"]


def test_a_transfer_that_came_back_points_at_the_queue_not_at_the_same_agent() -> None:
    """The arrow of a transfer nobody took goes to the queue it was sent to, not from the
    agent to their own next bar (which would read as a transfer to themselves)."""
    t = laid(
        payload(
            0,
            600,
            segments=[
                seg("s0", 0, 0, 200, segmentToAgentId="aid-ann", segmentEndType="success"),
                seg(
                    "s1",
                    1,
                    200,
                    600,
                    segmentStartType="transfer",
                    segmentEndType="transfer-failure",
                    transfer=True,
                    segmentAgentId="aid-ann",
                ),
            ],
            queues=[
                queue("q0", "s0", "Support", 5, 20, agentId="aid-ann"),
                queue("q1", "s1", "Visa Desk", 200, 290, queueExitType="failure"),
            ],
            agents=[
                agent("a1", "s0", "Ann Lee", 20, 200, agentId="aid-ann"),
                agent("a2", "s1", "Ann Lee", 292, 600, agentId="aid-ann"),
            ],
        )
    )
    assert [(c.from_id, c.to_id) for c in t.connectors] == [("agent-a1", "queue-q1")]


def test_a_long_conversation_with_a_chat_flow_is_drawn_as_the_flow() -> None:
    """A bot talking with the customer for 3:20 before the queue: the key figures say
    "Flow 3:20", so the timeline draws it, named as a flow (never an IVR)."""
    t = built(
        payload(
            0,
            750,
            channelType="messaging",
            ivrTime=200.0,
            queues=[queue("q1", "s1", "Chat Returns", 200, 245)],
        )
    )
    (flow_lane,) = [ln for ln in t.lanes if ln.key == "ivr"]
    assert flow_lane.title == "Flow"
    bar = get(t, "ivr")
    assert (bar.label, bar.offset, bar.length) == ("Flow", 0, pytest.approx(200))
    assert bar.accessible_name.startswith("Flow, start → first queue")
    assert "IVR" not in bar.accessible_name


# -- labels and arrows ---------------------------------------------------------------------

_NOVEL = Path(__file__).resolve().parent / "fixtures" / "novel"
_DEMO = Path(dashboard.demo.__file__).resolve().parent / "payloads"


def labels_under_arrows(timeline: Timeline) -> list[str]:
    """Labels beside a bar that an arrow's line or head crosses, as "bar: label"."""
    hits = []
    for bar in timeline.bars:
        if bar.label_side not in ("left", "right"):
            continue
        width = len(bar.text) * tl_mod.CHAR_WIDTH
        if bar.label_side == "right":
            lo = bar.x + bar.width + (22 if bar.marked else 4)
            hi = lo + width
        else:
            hi = bar.x - 4
            lo = hi - width
        middle = bar.y + tl_mod.BAR_HEIGHT / 2
        for c in timeline.connectors:
            top, bottom = sorted((c.y1, c.y2))
            down = top - 1 <= middle <= bottom + 1 and lo - 4 < c.x1 < hi + 4
            if c.y1 == middle and c.x1 <= bar.x + bar.width + 0.5:
                down = False  # the line leaves this bar: its label is beyond its end
            if c.y2 == middle and c.x2 - c.x1 < 2 and abs(c.x1 - bar.x) < 2:
                down = False  # lands on this bar's left end
            across = c.x2 - c.x1 >= 2 and c.y2 == middle and lo < c.x2 + 1 and hi > c.x1 - 1
            if down or across:
                hits.append(f"{bar.id}: {bar.text}")
    return hits


def test_a_label_beside_a_bar_never_sits_under_a_transfer_arrow() -> None:
    # Sofia's "39:40" would sit left of her bar, where the arrow from Jamal runs.
    data = json.loads((_NOVEL / "sms-four-days-three-agents-pick-it-up-again.json").read_text())
    timeline = laid(data)
    assert not labels_under_arrows(timeline)
    sofia = [b for b in timeline.bars if b.kind == "agent" and b.text == "39:40"]
    assert sofia and sofia[0].label_side == "left"
    # The arrow into her bar stops short of her label, its head before the text.
    (into,) = [c for c in timeline.connectors if c.to_id == sofia[0].id]
    assert into.x2 <= sofia[0].x - 4 - len("39:40") * tl_mod.CHAR_WIDTH


@pytest.mark.parametrize(
    "path", sorted([*_NOVEL.glob("*.json"), *_DEMO.glob("*.json")]), ids=lambda p: p.stem
)
def test_no_payload_has_a_label_under_an_arrow(path: Path) -> None:
    data = json.loads(path.read_text())
    if "interactionId" not in data:
        pytest.skip("not an interaction")
    assert not labels_under_arrows(laid(data))


def test_a_call_offered_to_hundreds_of_agents_keeps_its_agents_lane_a_few_rows_high() -> None:
    data = json.loads((_NOVEL / "broadcast-offered-to-300-agents-one-accepts.json").read_text())
    timeline = laid(data)
    (agents,) = [lane for lane in timeline.lanes if lane.key == "agents"]
    named = [row for row in agents.rows if not row.grouped]
    grouped = [row for row in agents.rows if row.grouped]
    assert len(named) == tl_mod.SHOWN_WHEN_GROUPED
    assert "Rosa Gallo" in [row.label for row in named]
    assert 1 <= len(grouped) <= tl_mod.MAX_GROUPED_ROWS
    assert grouped[0].label == "296 more agents"
    assert sum(len(row.bars) for row in grouped) == 296  # every offer still drawn
    assert timeline.height < 600
    # The offers piled in the last row carry no text on one another.
    for row in grouped:
        texts = [b for b in row.bars if b.text]
        assert len(texts) <= 1, [b.text for b in texts]


def test_a_withdrawn_offer_in_a_grouped_row_says_withdrawn_as_its_own_row_does() -> None:
    data = json.loads((_NOVEL / "broadcast-offered-to-300-agents-one-accepts.json").read_text())
    (agents,) = [lane for lane in laid(data).lanes if lane.key == "agents"]
    grouped = [b for row in agents.rows if row.grouped for b in row.bars]
    named = [b for row in agents.rows if not row.grouped for b in row.bars]
    assert all(b.display_label.endswith(" (offer withdrawn)") for b in grouped if b.text)
    assert any(b.text.startswith("offer withdrawn") for b in named)
    assert not [b.text for b in [*grouped, *named] if "(cancelled)" in b.text]


def test_a_target_is_placed_as_min_and_max_placed_it() -> None:
    """``hit_box`` keeps a target in the chart by comparisons: the same text as
    ``min(max(…))`` for bars at and past both edges, narrow, at the least width and wide."""
    from dashboard.interactions.timeline import HIT_WIDTH, hit_box, pct

    def by_min_and_max(x: float, width: float) -> tuple[str, str, str, str]:
        if width >= HIT_WIDTH:
            hit_x = min(max(x, 0.0), CHART_WIDTH - width)
            return pct(x), pct(width), pct(x) if hit_x is x else pct(hit_x), pct(width)
        left = min(max(x - (HIT_WIDTH - width) / 2, 0.0), CHART_WIDTH - HIT_WIDTH)
        return pct(x), pct(width), pct(left), pct(HIT_WIDTH)

    xs = [-5.0, -0.0, 0.0, 0.01, 3.33, 12.5, 400.0, 790.0, 807.0, 810.0, 815.0]
    widths = [MIN_BAR_WIDTH, 3.01, 12.0, HIT_WIDTH - 0.01, HIT_WIDTH, 40.0, 810.0]
    for x in xs:
        for width in widths:
            assert hit_box(x, width) == by_min_and_max(x, width), (x, width)
    # Written with ``%`` formatting: the digits ``pct`` writes, at every x layout gives.
    for hundredths in range(0, 81_000, 7):
        x = hundredths / 100
        assert hit_box(x, 3.24) == by_min_and_max(x, 3.24), x
        assert hit_box(x, 31.17) == by_min_and_max(x, 31.17), x


@pytest.mark.parametrize(
    "path", sorted([*_NOVEL.glob("*.json"), *_DEMO.glob("*.json")]), ids=lambda p: p.stem
)
def test_a_bar_answered_before_its_duration_is_written_has_the_text_it_had(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``layout`` answers a bar with no room for three characters (or its label) before
    ``_text`` writes its duration: every bar's text and side as when ``_text`` was
    asked for every bar, over the whole interaction and zoomed into each tenth."""
    data = json.loads(path.read_text())
    if "interactionId" not in data:
        pytest.skip("not an interaction")
    interaction = parse_interaction(data)
    total = timeline_for(interaction, NOW).total
    windows = [None, *((total * n / 10, total * (n + 1) / 10) for n in range(10))]

    def texts() -> list[list[tuple[str, str, str]]]:
        return [
            [(b.id, b.text, b.label_side) for b in timeline_for(interaction, NOW, w).bars]
            for w in windows
        ]

    early = texts()
    monkeypatch.setattr(tl_mod, "_SHORTEST_DURATION", -1000)  # every bar asks ``_text``
    assert early == texts()


def test_ids_checked_all_at_once_are_the_ids_made_one_by_one() -> None:
    """``_ids`` checks a whole list of plain ids at once: the same ids as each made a
    slug on its own (upper case, past 64 characters, only hyphens, missing, alike)."""
    import re as regex

    def one_by_one(prefix: str, values: list[str | None]) -> list[str]:
        out = []
        for n, value in enumerate(values):
            text = regex.sub(r"[^\w-]|_", "-", (value or "")[:64].lower()) or str(n)
            out.append(prefix + text)
        return tl_mod._unique(out)

    uuid = "9A8B7C6D-1111-2222-3333-444455556666"
    cases: list[list[str | None]] = [
        [],
        [uuid, uuid.lower()],
        [uuid, "x" * 70 + "-1", "y" * 64],
        ["---", "-", "a"],
        ["a", None, "b", ""],
        ["a_b", "a b", "a-b"],
        ["é1", "Ⅻ", "a"],
        ["<script>", "a"],
        ["a", "a", "a-2"],
        # ASCII that is not a letter or a digit, read as bytes by the check at once
        ["a\x00b", "c"],
        ["a.b", "a\tb", "a~b"],
        ["\x7f", "z"],
        ["١٢", "x"],  # digits, not ASCII
    ]
    for values in cases:
        assert tl_mod._ids("agent-", values) == one_by_one("agent-", values), values


#: A time or length as ``clock`` writes it: "4:19", or "1 h 5 min 10 s", "3 d 2 h".
_CLOCK = r"(?=\d)(?:\d+:\d\d|(?:\d+ d ?)?(?:\d+ h ?)?(?:\d+ min ?)?(?:\d+ s)?)"
_SPAN = re.compile(
    rf"from ({_CLOCK}) to ({_CLOCK})(?: \(the next hold began at ({_CLOCK})\))?,"
    rf" lasting (?:unknown, at most )?({_CLOCK})\b"
)
_UNITS = {"d": 86400, "h": 3600, "min": 60, "s": 1}


def _seconds(text: str) -> int:
    """A ``clock`` text back in seconds."""
    if ":" in text:
        minutes, seconds = text.split(":")
        return int(minutes) * 60 + int(seconds)
    parts = text.split()
    return sum(int(n) * _UNITS[unit] for n, unit in zip(parts[::2], parts[1::2], strict=True))


@pytest.mark.parametrize(
    "path",
    sorted((Path(__file__).parent / "fixtures" / "novel").glob("*.json"))
    + sorted((Path(dashboard.demo.__file__).parent / "payloads").glob("*.json")),
    ids=lambda p: p.stem,
)
def test_a_bars_length_is_what_its_start_and_end_as_written_make(path: Path) -> None:
    """Each bar says "from 4:19 to 5:15, lasting 0:56", never 0:57 because its start and
    end were rounded to the second apart from its length; and the bar's own label says
    the same length as its name."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "interactionId" not in data:
        pytest.skip("not an interaction")
    timeline = laid(data)
    checked = 0
    for bar in timeline.every_bar:
        found = _SPAN.search(bar.accessible_name)
        if found is None or bar.backwards:
            continue
        start, end, next_hold, lasting = found.groups()
        said = _seconds(lasting)
        assert _seconds(next_hold or end) - _seconds(start) == said, bar.accessible_name
        assert bar.duration_text.removeprefix("unknown, at most ").rstrip("+") == lasting, (
            bar.duration_text,
            bar.accessible_name,
        )
        checked += 1
    assert checked or not timeline.every_bar
