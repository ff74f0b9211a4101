"""A bar says its kind once: the IVR bar is "IVR", a hold "Hold 1", not "IVR IVR" or
"Hold Hold 1", in its accessible name, the detail panel's heading and related links."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from dashboard.demo.api import PAYLOADS
from dashboard.interactions import presenters
from dashboard.interactions.parsing import parse_interaction
from dashboard.interactions.timeline import timeline_for

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def _line(name: str):  # type: ignore[no-untyped-def]
    item = parse_interaction(json.loads((PAYLOADS / name).read_text()))
    return timeline_for(item, NOW)


def test_the_ivr_and_hold_bars_say_their_kind_once() -> None:
    line = _line("answered-call-with-holds.json")
    bars = [b for lane in line.lanes for row in lane.rows for b in row.bars]
    ivr = next(b for b in bars if b.kind == "ivr")
    holds = [b for b in bars if b.kind == "hold"]
    assert ivr.named == "IVR" and ivr.accessible_name.startswith("IVR, ")
    assert holds and holds[0].named == "Hold 1"
    assert holds[0].accessible_name.startswith("Hold 1, ")
    for bar in bars:
        assert not bar.accessible_name.startswith(("IVR IVR", "Hold Hold")), bar.id
        detail = presenters.detail(line, bar.id, UTC, "voice")
        assert detail is not None and detail.title == bar.named
        assert "IVR IVR" not in detail.title and "Hold Hold" not in detail.title
        assert all(not r.text.startswith(("IVR IVR", "Hold Hold")) for r in detail.related)


def test_other_bars_keep_their_kind_before_their_label() -> None:
    line = _line("transfer-chain.json")
    bars = [b for lane in line.lanes for row in lane.rows for b in row.bars]
    queue = next(b for b in bars if b.kind == "queue" and not b.direct)
    segment = next(b for b in bars if b.kind == "segment")
    assert queue.named == f"Queue {queue.label}"
    assert segment.named == f"Segment {segment.label}"
