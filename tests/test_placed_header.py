"""The header's contact line of a contact the agent placed (outbound or agent-initiated,
in any spelling) names the contact point the call came from before the customer; an
inbound one names the customer first."""

from __future__ import annotations

import copy
import html
import re
from typing import Any

import pytest

from dashboard.demo import api
from tests.conftest import sign_in
from tests.novel import novel_body, serve_body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("direction", "placed"),
    [
        ("outbound", True),
        (" OutBound ", True),
        ("agent-initiated", True),
        ("Agent Initiated", True),
        ("inbound", False),
    ],
)
def test_the_contact_line_follows_who_placed_the_contact(
    client: Any, django_user_model: Any, monkeypatch: Any, direction: str, placed: bool
) -> None:
    body = copy.deepcopy(novel_body("offer-withdrawn-then-answered-string-stats"))
    body["direction"] = direction
    body["customer"], body["contactPoint"] = "+15065550101", "+15065559999"
    page = serve_body(monkeypatch, body)
    sign_in(client, django_user_model, "viewer", tenants=[api.DEMO_TENANT_ID])
    text = html.unescape(client.get(page).content.decode())
    line = re.search(r'<p class="ids">(.*?)</p>', text, re.S)
    assert line
    first, second = ("+15065559999", "+15065550101") if placed else ("+15065550101", "+15065559999")
    assert f"{first} → {second}" in line.group(1)
