"""Durations as people read them: 'm:ss' under an hour, units from an hour on, so a
13½-hour wait never reads like a time of day beside one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dashboard.interactions import formatting as fmt


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0:00"),
        (94.2, "1:34"),
        (3599.4, "59:59"),
        (3599.6, "1 h"),
        (5400, "1 h 30 min"),
        (3605, "1 h 0 min 5 s"),
        (48812, "13 h 33 min 32 s"),
        (86399.6, "1 d"),
        (86460, "1 d 0 h 1 min"),
        (90061, "1 d 1 h 1 min 1 s"),
        (260573, "3 d 0 h 22 min 53 s"),
    ],
)
def test_clock_and_hms_say_a_duration_the_same_way(seconds: float, text: str) -> None:
    assert fmt.clock(seconds) == text
    assert fmt.hms(seconds) == text


def test_hms_keeps_the_sign_and_says_a_dash_for_nothing() -> None:
    assert fmt.hms(-5) == "-0:05"
    assert fmt.hms(-4000) == "-1 h 6 min 40 s"
    assert fmt.hms(None) == "—"
    assert fmt.hms(float("nan")) == "—"


def test_no_duration_of_an_hour_or_more_looks_like_a_clock() -> None:
    for seconds in (3600, 3661, 7322, 48812, 86399, 90061):
        assert ":" not in fmt.hms(seconds), seconds


def test_the_spreadsheet_form_stays_h_mm_ss() -> None:
    assert fmt.sheet_hms(48812) == "13:33:32"
    assert fmt.sheet_hms(94.2) == "0:01:34"
    assert fmt.sheet_hms(None) == "—"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90.0),
        ("1:30", 90.0),
        ("1:02:03", 3723.0),
        ("1 h 30 min", 5400.0),
        ("2 h", 7200.0),
        ("13 h 33 min 32 s", 48812.0),
        ("3 d 0 h 22 min 53 s", 260573.0),
        ("1 d", 86400.0),
        ("", None),
        ("soon", None),
        ("-1:00", None),
    ],
)
def test_parse_clock_reads_what_the_page_writes(text: str, seconds: float | None) -> None:
    assert fmt.parse_clock(text) == seconds


def test_the_zoom_form_reads_back_what_the_page_writes() -> None:
    for offset in (0, 75, 3600, 3723, 48812, 86400, 260573):
        assert fmt.parse_clock(fmt.clock(offset)) == offset


def test_an_absurd_figure_is_written_as_the_seconds_sent_not_as_days() -> None:
    """A statistic of 1e30 s is no span two timestamps can make: '1e+30 s', not
    '11574074074074074304220194 d …'; every real span still reads in units."""
    assert fmt.clock(1e30) == "1e+30 s"
    assert fmt.hms(-1e30) == "-1e+30 s"
    assert fmt.clock(float("inf")) == "—"
    # From the first to the last date a timestamp holds: days, hours, minutes, seconds.
    span = (datetime(9999, 12, 31, tzinfo=UTC) - datetime(1, 1, 1, tzinfo=UTC)).total_seconds()
    assert fmt.clock(span) == "3652058 d"


def test_clock_says_each_second_as_written_out_whether_kept_or_not() -> None:
    """``clock`` keeps the text of each whole second it has said: a kept text is the one
    written out, halves rounded as ``round`` rounds them, and the store stays bounded."""
    values = [0.0, 0.4, 0.5, 1.5, 2.5, 59.5, 3599.5, 3600.0, 86399.6, 90061.0, 1e9 - 1, 1e9]
    values += [-0.4, -0.6, -5.0, 1e30, float("inf"), float("-inf"), float("nan"), 7, 0]
    for value in values:
        for _ in range(2):  # written out, then kept
            assert fmt.clock(value) == fmt._clock(value)
    fmt._CLOCKS.clear()
    for whole in range(fmt._CLOCKS_KEPT + 10):
        fmt.clock(whole)
    assert len(fmt._CLOCKS) <= fmt._CLOCKS_KEPT
    assert fmt.clock(12.0) == "0:12"
