"""An interaction whose end the API sent before its start: both times shown as sent,
the end marked "!" with its reason on the first screen, and the contradiction listed
among the data problems (for every viewer)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dashboard.demo import api
from dashboard.interactions.parsing import parse_interaction
from tests.conftest import sign_in
from tests.novel import novel_body, serve_body

pytestmark = pytest.mark.django_db

START = "2026-11-27T16:00:00.000Z"
END = "2026-11-27T15:00:00.000Z"  # an hour before the start


def _ends_before_it_starts() -> dict[str, Any]:
    body = copy.deepcopy(novel_body("offer-withdrawn-then-answered-string-stats"))
    body["startTimestamp"] = body["details"]["startTimestamp"] = START
    body["endTimestamp"] = body["details"]["endTimestamp"] = END
    return body


def _when_line(text: str) -> str:
    start = text.index('id="when"')
    return text[start : text.index("</p>", start)]


def test_the_parser_lists_an_interaction_that_ends_before_it_starts() -> None:
    i = parse_interaction(_ends_before_it_starts())
    assert i.end is not None and i.start is not None and i.end < i.start  # as sent
    found = [p for p in i.problems if p.where == "Interaction"]
    assert [p.message for p in found] == [
        "It ends before it starts: its end, 2026-11-27 15:00:00 UTC, is earlier than its"
        " start, 2026-11-27 16:00:00 UTC. Both are shown as sent."
    ]


def test_an_interaction_in_order_has_no_such_problem() -> None:
    i = parse_interaction(novel_body("offer-withdrawn-then-answered-string-stats"))
    assert not any("ends before it starts" in p.message for p in i.problems)


@pytest.mark.parametrize("contact_details", [True, False])
def test_the_when_line_marks_the_end_and_the_problems_list_it(
    client: Any, django_user_model: Any, monkeypatch: Any, contact_details: bool
) -> None:
    page = serve_body(monkeypatch, _ends_before_it_starts())
    sign_in(
        client,
        django_user_model,
        "viewer",
        tenants=[api.DEMO_TENANT_ID],
        contact_details=contact_details,
    )
    response = client.get(page)
    assert response.status_code == 200
    text = response.content.decode()
    when = _when_line(text)
    # The end as sent, not a corrected one, marked the way the records' tables mark theirs.
    assert '<span class="when-end warn">' in when
    assert '<time datetime="2026-11-27T15:00:00Z"' in when
    assert '<span class="bang" aria-hidden="true">!</span>' in when
    assert '<span class="warning-text">Ends before it starts.</span>' in when
    problems = text[text.index('id="problems-title"') :]
    problems = problems[: problems.index("</section>")]
    assert "It ends before it starts: its end, 2026-11-27 15:00:00 UTC" in problems


def test_an_end_in_order_is_not_marked(signed_in: Any, monkeypatch: Any) -> None:
    page = serve_body(monkeypatch, novel_body("offer-withdrawn-then-answered-string-stats"))
    when = _when_line(signed_in.get(page).content.decode())
    assert "warn" not in when and "bang" not in when
