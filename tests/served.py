"""A payload served as the interaction page through the live client (respx as the
upstream), and the page's text as read: for tests that look at what the page says."""

from __future__ import annotations

import copy
import html
import re
from typing import Any

import respx

from tests.conftest import IID, PAGE, TENANT, UPSTREAM

TAG = re.compile(r"<[^>]+>")


def page(client: Any, body: dict[str, Any]) -> str:
    """``body`` as the API's answer for the test interaction: its page, entities undone."""
    body = copy.deepcopy(body)
    body["tenantId"], body["interactionId"] = TENANT, IID
    if isinstance(body.get("details"), dict):
        body["details"]["interactionId"] = IID
    with respx.mock(assert_all_called=False) as mock:
        mock.get(UPSTREAM).respond(json=body)
        mock.get(url__startswith=UPSTREAM + "/").respond(json={"results": []})
        response = client.get(PAGE)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def words(markup: str) -> str:
    """Markup as read: tags out, spaces made one."""
    return " ".join(TAG.sub(" ", markup).split())
