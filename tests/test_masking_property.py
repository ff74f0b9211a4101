"""Property: text put in any undescribed field, at any depth, never reaches a masked viewer."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dashboard.interactions.parsing import parse_interaction
from dashboard.interactions.selectors import for_masked_viewer
from tests.leaky import customer_data_family


def _base() -> dict[str, Any]:
    body = dict(customer_data_family())["undescribed-fields"]
    # Only the structure: the family's own markers are not this test's business.
    for key in [
        k
        for k in body
        if k.startswith(
            ("customerName", "callerLabel", "customerEmail", "customerProfile", "callbackReason")
        )
    ]:
        del body[key]
    body["interactionAttributes"] = {"menuChoice": "2"}
    body["artifactsSummary"] = {"files": 1}
    return body


BASE = _base()

# Where an undescribed field can sit: a function from the body to the record that gets it.
PLACES: dict[str, Any] = {
    "top level": lambda b: b,
    "details": lambda b: b["details"],
    "segment": lambda b: b["segments"][0],
    "queue": lambda b: b["queues"][0],
    "agent": lambda b: b["agents"][0],
    "agent in details": lambda b: b["details"]["agents"][0],
    "hook": lambda b: b["hooks"][0],
    "outbound identifier": lambda b: b["outboundIdentifier"],
    "hold": lambda b: b["customerHoldTimes"][0],
    "interactionAttributes": lambda b: b["interactionAttributes"],
    "artifactsSummary": lambda b: b["artifactsSummary"],
    "monitor": lambda b: b["monitors"][1],
}

# No allowlisted field name starts with "zz": every generated key is undescribed.
unknown_keys = st.from_regex(r"zz[A-Za-z]{1,10}", fullmatch=True)
# Printable text without quotes or backslashes, so that repr() and JSON show it as it is.
secrets_text = st.text(min_size=6, max_size=40).filter(
    lambda s: s.isprintable() and not set(s) & set("\"'\\") and s.strip() == s
)


@st.composite
def wrapped(draw: st.DrawFn, value: str) -> Any:
    """``value`` inside up to four levels of records and lists."""
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.booleans()):
            value = {draw(unknown_keys): value}
        else:
            value = [draw(st.sampled_from([None, 1, True])), value][draw(st.integers(0, 1)) :]
    return value


def _masked_outputs(body: dict[str, Any]) -> str:
    interaction, raw = for_masked_viewer(parse_interaction(body), body)
    problems = " | ".join(f"{p.where}: {p.message}" for p in interaction.problems)
    return "\n".join((repr(interaction), problems, json.dumps(raw, ensure_ascii=False)))


# Some seeds draw many secrets that assume() turns down (text the masks would show
# anyway); that is the filter working, not a finding.
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(place=st.sampled_from(sorted(PLACES)), key=unknown_keys, secret=secrets_text, data=st.data())
def test_undescribed_text_never_reaches_a_masked_viewer(
    place: str, key: str, secret: str, data: Any
) -> None:
    body = copy.deepcopy(BASE)
    PLACES[place](body)[key] = "PLACEHOLDER"
    # Text that the masked outputs show anyway (a field name, a queue's name) proves nothing.
    assume(secret not in _masked_outputs(body))
    PLACES[place](body)[key] = data.draw(wrapped(secret))
    assert secret in json.dumps(body, ensure_ascii=False) or secret in repr(body)
    assert secret not in _masked_outputs(body), place
