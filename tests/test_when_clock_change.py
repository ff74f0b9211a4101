"""The first screen's start and end when the viewer's clocks changed in between: each
time names its offset, so that an end at 01:20 after a start at 01:50 (the hour
repeated when summer time ends) does not read as ending before it started."""

from __future__ import annotations

import copy
from zoneinfo import ZoneInfo

import pytest

from dashboard.interactions.domain import Interaction
from dashboard.interactions.parsing import parse_interaction
from dashboard.interactions.presenters import when
from tests.novel import novel_body

NEW_YORK = ZoneInfo("America/New_York")


def _call(start: str, end: str) -> Interaction:
    body = copy.deepcopy(novel_body("offer-withdrawn-then-answered-string-stats"))
    body["startTimestamp"] = body["details"]["startTimestamp"] = start
    body["endTimestamp"] = body["details"]["endTimestamp"] = end
    return parse_interaction(body)


def test_a_call_across_the_end_of_summer_time_names_both_offsets() -> None:
    # 05:50 UTC is 01:50 EDT; 06:20 UTC is 01:20 EST, half an hour later.
    shown = when(
        _call("2026-11-01T05:50:00.000Z", "2026-11-01T06:20:00.000Z"), NEW_YORK, "America/New_York"
    )
    assert shown.start.text.endswith("01:50:00 EDT")
    assert shown.end.text.endswith("01:20:00 EST")
    assert not shown.end.warning


@pytest.mark.parametrize(
    ("zone", "name"), [(ZoneInfo("UTC"), "UTC"), (NEW_YORK, "America/New_York")]
)
def test_a_call_on_one_clock_names_no_offset(zone: ZoneInfo, name: str) -> None:
    shown = when(_call("2026-11-01T07:50:00.000Z", "2026-11-01T08:20:00.000Z"), zone, name)
    assert shown.start.text.endswith(":50:00") and shown.end.text.endswith(":20:00")
