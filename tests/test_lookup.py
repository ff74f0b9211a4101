"""The home page's look-up: links and text pasted from tickets, emails and other tools."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from dashboard.interactions.forms import ids_in
from tests.conftest import IID, PAGE, TENANT

T = "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"
I = "b2109780-db83-11e7-9709-c2b07aa3bee9"  # noqa: E741


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        (f"https://dash.example.com/tenants/{T}/interactions/{I}/?focus=seg-1#detail", (T, I)),
        (f"https://api.cxengage.net/v1/tenants/{T.upper()}/interactions/{I.upper()}", (T, I)),
        # a dashboard link inside a sign-in page's link, once and twice encoded
        (
            "https://sso.example.com/login?next="
            + quote(f"https://d/tenants/{T}/interactions/{I}/", safe=""),
            (T, I),
        ),
        (
            f"https://x/?u={quote(quote(f'/tenants/{T}/interactions/{I}/', safe=''), safe='')}",
            (T, I),
        ),
        # names in a query string or in JSON, in either order, with or without hyphens
        (f"https://reports.example.com/#/interaction?interactionId={I}&tenantId={T}", (T, I)),
        (f'{{"tenantId": "{T}", "interactionId": "{I}"}}', (T, I)),
        (f"https://x/?tenant={T.replace('-', '')}&interaction={I.replace('-', '')}", (T, I)),
        # the dashboard's short link and a bare ID name only the interaction
        (f"https://dash.example.com/i/{I}/", (None, I)),
        (f"  {I.upper()}\n", (None, I)),
        (f"{{{I}}}", (None, I)),
        # nothing that is an interaction
        ("https://acme.zendesk.com/agent/tickets/12345", (None, None)),
        (f"https://x/?tenantId={T}", (T, None)),
        # two unnamed IDs: which is which is not known
        (f"{T} {I}", (None, None)),
        # a longer run of hex digits is not a UUID
        (f"deadbeef{I}", (None, None)),
    ],
)
def test_ids_in_pasted_text(pasted: str, expected: tuple[str | None, str | None]) -> None:
    assert ids_in(pasted) == expected


def test_a_tenant_id_pasted_beside_the_interactions_is_told_by_the_tenant_field() -> None:
    assert ids_in(f"{T} {I}", T) == (T, I)
    assert ids_in(f"{I}\t{T}", T) == (T, I)


def test_a_link_inside_a_link_opens_the_interaction(signed_in: Any) -> None:
    inner = quote(f"https://dash.example.com/tenants/{TENANT}/interactions/{IID}/", safe="")
    response = signed_in.get("/", {"url": f"https://sso.example.com/login?next={inner}"})
    assert response.status_code == 302
    assert response["Location"] == PAGE


def test_an_interaction_id_alone_takes_the_tenant_from_its_field(signed_in: Any) -> None:
    response = signed_in.get("/", {"url": f"https://dash/i/{IID}/", "tenant_id": TENANT.upper()})
    assert response["Location"] == PAGE
    response = signed_in.get("/", {"url": IID, "tenant_id": f" {TENANT} "})
    assert response["Location"] == PAGE


def test_an_interaction_id_alone_without_a_tenant_asks_for_it(
    signed_in: Any, settings: Any
) -> None:
    settings.DASHBOARD_DEFAULT_TENANT = ""  # no default tenant either
    response = signed_in.get("/", {"url": IID, "tenant_id": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert "names the interaction but not its tenant: enter the tenant ID" in body
    assert 'aria-invalid="true"' in body


def test_a_link_naming_no_interaction_says_what_to_paste(signed_in: Any) -> None:
    response = signed_in.get("/", {"url": "https://acme.zendesk.com/agent/tickets/12345"})
    assert response.status_code == 200
    assert "That link names no interaction" in response.content.decode()


def test_an_interaction_id_alone_takes_the_default_tenant_as_short_links_do(
    signed_in: Any, settings: Any
) -> None:
    settings.DASHBOARD_DEFAULT_TENANT = TENANT
    response = signed_in.get("/", {"url": f"https://dash/i/{IID}/", "tenant_id": ""})
    assert response["Location"] == PAGE
