"""The status pill is never all green beside an end that never arrived: a complete
interaction with an agent's, a queue's or a segment's end missing says so."""

from __future__ import annotations

import json
from typing import Any

from dashboard.demo.api import PAYLOADS
from dashboard.interactions import presenters
from dashboard.interactions.parsing import parse_interaction


def _body(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / name).read_text())


def test_a_complete_interaction_with_an_open_record_is_not_all_green() -> None:
    for name in ("flagged-agent.json", "flagged-queue.json", "flagged-segment.json"):
        status = presenters.status_of(parse_interaction(_body(name)))
        assert status == ("Complete — some ends never arrived", "warn-pill"), name
    assert presenters.status_of(parse_interaction(_body("transfer-chain.json"))) == (
        "Complete",
        "complete",
    )
