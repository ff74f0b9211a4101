"""A described statistic the API sent in a form the dashboard cannot read as its kind
("1,115.0" for a number of seconds) is shown as sent, escaped and marked unreadable,
to a viewer who may see it; as unknown to one who may not. A numeric string ("2") is
read as the number it says, as every statistic sent as a string is."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dashboard.demo import api
from dashboard.interactions.parsing import parse_interaction
from tests.conftest import sign_in
from tests.novel import novel_body, serve_body

pytestmark = pytest.mark.django_db

NAME = "offer-withdrawn-then-answered-string-stats"


def _unreadable_statistics() -> dict[str, Any]:
    body = copy.deepcopy(novel_body(NAME))
    body["customerConversationTime"] = "1,115.0"
    body["customerSatisfactionScore"] = "<b>four</b>"  # markup, escaped when shown
    body["customerHolds"] = "2"
    return body


def _fact(text: str, label: str) -> str:
    """``label``'s fact under "Every statistic as the API sent it"."""
    start = text.index(f"<dt>{label}</dt>", text.index('id="stats-title"'))
    return text[start : text.index("</div>", start)]


def test_the_parser_keeps_the_text_of_a_statistic_it_cannot_read() -> None:
    i = parse_interaction(_unreadable_statistics())
    by_name = {s.name: s for s in i.statistics}
    conversation = by_name["customerConversationTime"]
    assert (conversation.value, conversation.unknown) == ("1,115.0", True)
    # A numeric string is read as the number it says, and counts as sent.
    holds = by_name["customerHolds"]
    assert (holds.value, holds.unknown) == (2.0, False)
    assert i.hold_count == 2.0 and "hold_count" not in i.unknown
    assert [p.message for p in i.problems if "customerConversationTime" in p.message] == [
        '“customerConversationTime” was "1,115.0"; shown as sent (not read as a number).'
    ]


def test_a_statistic_that_cannot_be_read_is_shown_as_sent(
    client: Any, django_user_model: Any, monkeypatch: Any
) -> None:
    page = serve_body(monkeypatch, _unreadable_statistics())
    sign_in(client, django_user_model, "viewer", tenants=[api.DEMO_TENANT_ID])
    text = client.get(page).content.decode()
    conversation = _fact(text, "Conversation time")
    assert '<dd class="unknown">' in conversation  # still marked as not read
    assert 'title="As sent by the API: it could not be read as a number."' in conversation
    assert ">1,115.0</span>" in conversation
    score = _fact(text, "Customer satisfaction score")
    assert ">&lt;b&gt;four&lt;/b&gt;</span>" in score and "<b>four" not in text
    assert _fact(text, "Holds").endswith(">2</span></dd>")


def test_a_viewer_without_contact_details_sees_it_as_unknown(
    client: Any, django_user_model: Any, monkeypatch: Any
) -> None:
    page = serve_body(monkeypatch, _unreadable_statistics())
    sign_in(
        client, django_user_model, "masked", tenants=[api.DEMO_TENANT_ID], contact_details=False
    )
    text = client.get(page).content.decode()
    conversation = _fact(text, "Conversation time")
    assert ">unknown</span>" in conversation and "1,115.0" not in text
    assert "four" not in _fact(text, "Customer satisfaction score")
