"""Pure formatting of durations and instants for people (no Django, no httpx)."""

from __future__ import annotations

import math
from datetime import datetime, tzinfo


def hms(seconds: float | None) -> str:
    """94.2 -> '0:01:34'; negative -> '-0:00:05'; None -> '—'."""
    if seconds is None or not math.isfinite(seconds):
        return "—"
    sign = "-" if seconds < 0 else ""
    total = round(abs(seconds))
    # Integer arithmetic rather than divmod's tuples: called for every bar of a timeline.
    return f"{sign}{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def clock(seconds: float) -> str:
    """Offset from the start: 'm:ss' under an hour, else 'h:mm:ss'."""
    total = round(max(0.0, seconds))
    hours = total // 3600
    if hours:
        return f"{hours}:{total % 3600 // 60:02d}:{total % 60:02d}"
    return f"{total // 60}:{total % 60:02d}"


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


def local_text(moment: datetime | None, zone: tzinfo, *, date: bool = True) -> str:
    if moment is None:
        return "—"
    try:
        local = moment.astimezone(zone)
    except (OverflowError, ValueError):  # at the very ends of the calendar
        return utc_text(moment)
    fmt = "%Y-%m-%d %H:%M:%S %Z" if date else "%H:%M:%S"
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


def parse_clock(text: str) -> float | None:
    """'90', '1:30', '1:02:03' or '90.5' -> seconds; None when unreadable."""
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
