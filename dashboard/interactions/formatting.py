"""Pure formatting of durations and instants for people (no Django, no httpx)."""

from __future__ import annotations

import math
import re
from datetime import datetime, tzinfo


def hms(seconds: float | None) -> str:
    """A signed duration as people read it, the same form as ``clock``: 94.2 -> '1:34',
    48812 -> '13 h 33 min 32 s'; negative -> '-0:05'; None or not finite -> '—'."""
    if seconds is None or not math.isfinite(seconds):
        return "—"
    return ("-" if round(seconds) < 0 else "") + clock(abs(seconds))


#: Longer than the span between the first and the last date a timestamp can hold.
_BEYOND_DATES = 10_000_000 * 86_400


#: ``clock`` of each whole number of seconds said so far (bounded): the timeline says every
#: bar's start, end and length, the story and the tables every wait and talk, and the
#: same few thousand figures come back on every page.
_CLOCKS: dict[int, str] = {}
_CLOCKS_KEPT = 20_000


def clock(seconds: float) -> str:
    """A duration (or an offset from the start): 'm:ss' under an hour; from an hour on
    in units, '13 h 33 min 32 s', and from a day on with days, '3 d 0 h 22 min 53 s'
    (trailing zero units left out: '2 h', '1 h 30 min', '1 d'), so that it never reads
    like a time of day beside one. A figure past any span two timestamps can make
    (a statistic sent as 1e30) is written as the seconds sent, '1e+30 s'.

    Each whole second is written once per process (it is rounded first)."""
    if not 0.0 <= seconds < 1e9:  # negative, huge or not a number
        return _clock(seconds)
    whole = round(seconds)
    text = _CLOCKS.get(whole)
    if text is None:
        if len(_CLOCKS) >= _CLOCKS_KEPT:
            _CLOCKS.clear()
        text = _CLOCKS[whole] = _clock(whole)
    return text


def _clock(seconds: float) -> str:
    """``clock``, written out."""
    if not math.isfinite(seconds):
        return "—"
    if seconds >= _BEYOND_DATES:
        return f"{seconds:.4g} s"
    total = round(max(0.0, seconds))
    # Integer arithmetic rather than divmod's tuples: called for every bar of a timeline.
    hours = total // 3600
    if not hours:
        return f"{total // 60}:{total % 60:02d}"
    units = [(total % 60, "s"), (total % 3600 // 60, "min"), (hours % 24, "h")]
    if hours >= 24:
        units.append((hours // 24, "d"))
    while not units[0][0]:  # the largest unit is never zero, so this stops
        units.pop(0)
    return " ".join(f"{value} {unit}" for value, unit in reversed(units))


def sheet_hms(seconds: float | None) -> str:
    """'h:mm:ss' for a spreadsheet cell (the CSV export); '—' when there is none."""
    if seconds is None or not math.isfinite(seconds):
        return "—"
    sign = "-" if round(seconds) < 0 else ""
    total = round(abs(seconds))
    return f"{sign}{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def seconds_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds:,.3f} s".replace(".000 s", " s")


def utc_text(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return (
        moment.strftime("%Y-%m-%d %H:%M:%S")
        + (f".{moment.microsecond // 1000:03d}" if moment.microsecond else "")
        + " UTC"
    )


def local_text(
    moment: datetime | None, zone: tzinfo, *, date: bool = True, named: bool = False
) -> str:
    """'2026-11-20 09:31:47 AST' in ``zone``; without ``date`` only '09:31:47' (with
    its zone's abbreviation when ``named``)."""
    if moment is None:
        return "—"
    try:
        local = moment.astimezone(zone)
    except (OverflowError, ValueError):  # at the very ends of the calendar
        return utc_text(moment)
    fmt = "%Y-%m-%d %H:%M:%S %Z" if date else ("%H:%M:%S %Z" if named else "%H:%M:%S")
    return local.strftime(fmt)


def day_text(moment: datetime, zone: tzinfo, *, date: bool = True) -> str:
    """'Mon 30 Nov 2026, 14:02:11' in ``zone`` (only '14:02:11' without ``date``), for a
    sentence that people read rather than compare: the weekday said, the day unpadded."""
    try:
        local = moment.astimezone(zone)
    except (OverflowError, ValueError):  # at the very ends of the calendar
        return utc_text(moment)
    clock_text = local.strftime("%H:%M:%S")
    return f"{local:%a} {local.day} {local:%b %Y}, {clock_text}" if date else clock_text


def iso(moment: datetime | None) -> str:
    return moment.isoformat().replace("+00:00", "Z") if moment else ""


_UNITS = re.compile(
    r"^\s*(?:(?P<d>\d+(?:\.\d+)?)\s*d)?\s*(?:(?P<h>\d+(?:\.\d+)?)\s*h)?"
    r"\s*(?:(?P<m>\d+(?:\.\d+)?)\s*min)?\s*(?:(?P<s>\d+(?:\.\d+)?)\s*s)?\s*$"
)


def parse_clock(text: str) -> float | None:
    """'90', '1:30', '1:02:03', '90.5', '1 h 2 min 3 s' or '1 d 0 h 2 min' -> seconds;
    None when unreadable."""
    units = _UNITS.match(text)
    if units and any(units.groupdict().values()):
        d, h, m, s = (float(units[k] or 0) for k in ("d", "h", "m", "s"))
        return d * 86400 + h * 3600 + m * 60 + s
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3 or any(p.strip() == "" for p in parts):
        return None
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        return None
    if any(n < 0 or not math.isfinite(n) for n in numbers):
        return None
    seconds = 0.0
    for n in numbers:
        seconds = seconds * 60 + n
    return seconds
