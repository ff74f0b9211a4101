"""The record tables and the participants write what they wrote before they were made
faster, byte for byte: time cells as the formatting module writes them, escaping as
autoescape applies it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest

from dashboard.interactions import formatting as fmt
from dashboard.interactions import presenters
from dashboard.interactions.presenters import Cell

ZONES: list[tzinfo] = [
    UTC,
    ZoneInfo("America/Halifax"),
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("Pacific/Kiritimati"),
    ZoneInfo("Pacific/Pago_Pago"),
    timezone(timedelta(hours=-3, minutes=-30)),
    timezone(timedelta(hours=5), "%Z-ish"),
]

#: Instants as parsing makes them (UTC, or the offset sent), with and without milliseconds,
#: around a change of day and of daylight saving time, and at the calendar's ends.
MOMENTS = [
    datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC),
    datetime(2026, 12, 1, 0, 0, 0, 123456, tzinfo=UTC),
    datetime(2026, 3, 8, 6, 30, 1, 999, tzinfo=UTC),
    datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
    datetime(2026, 11, 30, 14, 2, 11, 500000, tzinfo=timezone(timedelta(hours=2))),
    datetime(1, 1, 1, 0, 0, 1, tzinfo=UTC),
    datetime(999, 12, 31, 23, 0, tzinfo=UTC),
    datetime(1000, 1, 1, 2, 0, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5))),
]


def _as_formatted(moment: datetime, zone: tzinfo, ref: datetime | None) -> Cell:
    """The cell ``_time`` made with the formatting module's strftime."""
    return Cell(
        fmt.local_text(moment, zone, date=not presenters.same_day(moment, ref, zone)),
        title=fmt.utc_text(moment),
        when=fmt.iso(moment),
    )


@pytest.mark.parametrize("zone", ZONES, ids=str)
@pytest.mark.parametrize("ref", [None, *MOMENTS[:5], MOMENTS[5], MOMENTS[8]], ids=str)
def test_time_cells_read_as_the_formatting_module_writes_them(
    zone: tzinfo, ref: datetime | None
) -> None:
    for moment in MOMENTS:
        assert presenters._time(moment, zone, ref=ref) == _as_formatted(moment, zone, ref)
