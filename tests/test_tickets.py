"""Links from CRM records (tickets) and short links to interactions; CRM link templates."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
import respx
from django.core.exceptions import ImproperlyConfigured

from dashboard import config
from dashboard.accounts.models import TenantGrant
from dashboard.demo.api import DEMO_TENANT_ID, bodies, catalogue
from dashboard.reviews.models import AuditEvent
from tests.conftest import LIVE_API, allow_contact_details

pytestmark = pytest.mark.django_db

LIVE = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"
LIST = f"{LIVE_API}/v1/tenants/{LIVE}/interactions"


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def interaction_url(tenant: str, iid: str) -> str:
    return f"/tenants/{tenant}/interactions/{iid}/"


def demo_with_hook(hook_type: str, hook_id: str) -> list[str]:
    return [
        str(b["interactionId"]).lower()
        for b in bodies()
        if any(
            h.get("hookType") == hook_type and str(h.get("hookId")) == hook_id
            for h in b.get("hooks") or []
        )
    ]


CRM_DEMO = demo_with_hook("zendesk", "48213")[0]


def live_body(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "tenantId": LIVE,
        "interactionId": f"00000000-0000-4000-8000-{n:012d}",
        "startTimestamp": f"2026-01-0{n}T10:00:00Z",
        "endTimestamp": f"2026-01-0{n}T10:05:00Z",
        "channelType": "voice",
        "direction": "inbound",
        "flowName": f"Flow number {n}",
        "customer": f"+150655500{n:02d}",
        "hooks": [{"hookType": "zendesk", "hookId": "777", "hookName": "Ticket 777"}],
        **extra,
    }


@pytest.fixture
def live_viewer(client: Any, django_user_model: Any, live_mode: str) -> Any:
    user = django_user_model.objects.create_user("live", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=LIVE)
    client.force_login(allow_contact_details(user))
    return client


# -- /tickets/<hookType>/<hookId>/ -------------------------------------------


def test_demo_ticket_redirects_to_its_interaction(signed_in: Any) -> None:
    assert demo_with_hook("zendesk", "48213") == [CRM_DEMO]
    response = signed_in.get("/tickets/zendesk/48213/")
    assert response.status_code == 302
    assert response["Location"] == interaction_url(DEMO_TENANT_ID, CRM_DEMO)
    page = signed_in.get(response["Location"])
    assert page.status_code == 200
    assert "48213" in text(page)


def test_other_hooks_of_the_same_interaction_find_it_too(signed_in: Any) -> None:
    body = next(b for b in bodies() if str(b["interactionId"]).lower() == CRM_DEMO)
    for hook in body["hooks"]:
        response = signed_in.get(f"/tickets/{hook['hookType']}/{hook['hookId']}/")
        assert response.status_code == 302, hook
        assert response["Location"] == interaction_url(DEMO_TENANT_ID, CRM_DEMO)


def test_ticket_link_is_audited(signed_in: Any, demo_user: Any) -> None:
    signed_in.get("/tickets/zendesk/48213/")
    event = AuditEvent.objects.get(action="ticket")
    assert event.user == demo_user
    assert "zendesk/48213" in event.detail and "1 found" in event.detail


def test_ticket_without_a_match_is_404_and_says_so(signed_in: Any) -> None:
    response = signed_in.get("/tickets/zendesk/99999999/")
    body = text(response)
    assert response.status_code == 404
    assert "No interaction in your tenant is linked to this Zendesk record" in body
    assert "99999999" in body
    assert "/tenants/" not in body.split("ticket-title", 1)[1].split("</section>", 1)[0]


def test_ticket_hook_type_must_match_too(signed_in: Any) -> None:
    # 48213 is a Zendesk ticket: as a Salesforce record it links to nothing.
    assert signed_in.get("/tickets/salesforce/48213/").status_code == 404


def test_several_matches_are_listed(live_viewer: Any) -> None:
    first, second = live_body(1), live_body(2, customer="jane@example.com")
    with respx.mock() as mock:
        route = mock.get(LIST).respond(
            json={"total": 2, "offset": 0, "limit": 1000, "results": [first, second]}
        )
        response = live_viewer.get("/tickets/zendesk/777/")
    body = text(response)
    assert response.status_code == 200
    assert "2 interactions are linked to this record" in body
    for b in (first, second):
        assert f'href="{interaction_url(LIVE, b["interactionId"])}"' in body
        assert b["flowName"] in body
    assert "+15065550001" in body and "jane@example.com" in body
    params = dict(route.calls[0].request.url.params)
    assert params["hookType"] == "zendesk" and params["hookId"] == "777"
    assert params["start"] < params["end"]


SECOND = "9a1f6f4e-0c1b-4d55-8d8e-2f0a6f3b7c11"


def test_matches_in_several_tenants_are_newest_first_and_name_their_tenant(
    live_mode: str, client: Any, django_user_model: Any
) -> None:
    """One record linked in two tenants: one list, newest first whatever tenant each is in,
    each row and each tenant's journey link saying which tenant (by its grant's label)."""
    user = django_user_model.objects.create_user("two-tenants", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=LIVE, label="Support EU")
    TenantGrant.objects.create(user=user, tenant_id=SECOND)
    client.force_login(allow_contact_details(user))
    oldest, newest = live_body(1), live_body(3)
    middle = {
        **live_body(2),
        "tenantId": SECOND,
        "interactionId": "00000000-0000-4000-8000-00000000002b",
    }
    with respx.mock() as mock:
        mock.get(LIST).respond(json={"total": 2, "results": [newest, oldest]})
        mock.get(f"{LIVE_API}/v1/tenants/{SECOND}/interactions").respond(
            json={"total": 1, "results": [middle]}
        )
        response = client.get("/tickets/zendesk/777/")
    body = text(response)
    assert response.status_code == 200
    links = [
        interaction_url(LIVE, newest["interactionId"]),
        interaction_url(SECOND, middle["interactionId"]),
        interaction_url(LIVE, oldest["interactionId"]),
    ]
    assert [body.index(f'href="{link}"') for link in links] == sorted(
        body.index(f'href="{link}"') for link in links
    )
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)[1:]
    assert ["Support EU" in r for r in rows] == [True, False, True]
    assert [SECOND in r for r in rows] == [False, True, False]
    words = re.sub(r"<[^>]+>", "", body)
    assert "See them on one time axis in Support EU" in words
    assert f"See them on one time axis in {SECOND}" in words
    assert "3 interactions are linked to this record, in 2 tenants, newest first" in words


def test_one_match_beside_a_failing_tenant_is_said_in_the_singular(
    live_mode: str, client: Any, django_user_model: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr("dashboard.cxengage.client.time.sleep", lambda s: None)
    user = django_user_model.objects.create_user("one-fails", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=LIVE)
    TenantGrant.objects.create(user=user, tenant_id=SECOND)
    client.force_login(allow_contact_details(user))
    with respx.mock() as mock:
        mock.get(LIST).respond(json={"total": 1, "results": [live_body(1)]})
        mock.get(f"{LIVE_API}/v1/tenants/{SECOND}/interactions").respond(500)
        body = text(client.get("/tickets/zendesk/777/"))
    assert "The search could not finish" in body
    assert "1 interaction is linked to this record" in body


def test_several_matches_mask_customers_without_permission(
    live_mode: str, client: Any, django_user_model: Any
) -> None:
    user = django_user_model.objects.create_user("masked", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=LIVE)
    client.force_login(user)
    first, second = live_body(1), live_body(2, customer="jane@example.com")
    with respx.mock() as mock:
        mock.get(LIST).respond(json={"total": 2, "results": [first, second]})
        body = text(client.get("/tickets/zendesk/777/"))
    assert "+15065550001" not in body and "jane@example.com" not in body
    assert "•••••••0001" in body and "j•••@example.com" in body


def test_ticket_search_failure_is_reported(live_viewer: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("dashboard.cxengage.client.time.sleep", lambda s: None)
    with respx.mock() as mock:
        mock.get(LIST).respond(500, json={"message": "boom"})
        response = live_viewer.get("/tickets/zendesk/777/")
    assert response.status_code == 502
    assert "The search could not finish" in text(response)


@pytest.mark.parametrize(
    "path",
    [
        "/tickets/zendesk/%3Cscript%3E/",
        "/tickets/%3Cscript%3E/48213/",
        "/tickets/zendesk/a%20b/",
        "/tickets/zendesk/" + "9" * 101 + "/",
    ],
    ids=["script-id", "script-type", "space", "too-long"],
)
def test_malformed_ticket_links_are_404_without_upstream_call(live_viewer: Any, path: str) -> None:
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route().respond(json={"total": 0, "results": []})
        response = live_viewer.get(path)
    assert response.status_code == 404
    assert "<script>" not in response.content.decode()
    assert not route.called


def test_ticket_searches_only_granted_tenants(
    live_mode: str, client: Any, django_user_model: Any
) -> None:
    user = django_user_model.objects.create_user("nogrant", password="pw-for-tests-1")
    client.force_login(user)
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route().respond(json={"total": 1, "results": [live_body(1)]})
        response = client.get("/tickets/zendesk/777/")
    assert response.status_code == 404
    assert not route.called


# -- /i/<interactionId>/ -----------------------------------------------------


def test_short_link_redirects_to_the_default_tenant(signed_in: Any, settings: Any) -> None:
    assert settings.DASHBOARD_DEFAULT_TENANT == DEMO_TENANT_ID  # demo mode
    response = signed_in.get(f"/i/{CRM_DEMO}/")
    assert response.status_code == 302
    assert response["Location"] == interaction_url(DEMO_TENANT_ID, CRM_DEMO)
    assert signed_in.get(response["Location"]).status_code == 200


def test_short_link_normalises_the_id(signed_in: Any) -> None:
    response = signed_in.get(f"/i/{CRM_DEMO.upper()}/")
    assert response.status_code == 302
    assert response["Location"] == interaction_url(DEMO_TENANT_ID, CRM_DEMO)


def test_short_link_with_a_bad_id_is_404(signed_in: Any) -> None:
    response = signed_in.get("/i/not-an-id/")
    assert response.status_code == 404
    assert "UUID" in text(response)


def test_short_link_without_a_default_tenant_is_404(signed_in: Any, settings: Any) -> None:
    settings.DASHBOARD_DEFAULT_TENANT = ""
    response = signed_in.get(f"/i/{CRM_DEMO}/")
    assert response.status_code == 404
    assert "DASHBOARD_DEFAULT_TENANT" in text(response)


def test_short_link_target_is_404_without_a_grant(client: Any, django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("elsewhere", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=LIVE)
    client.force_login(allow_contact_details(user))
    response = client.get(f"/i/{CRM_DEMO}/")
    assert response.status_code == 302
    target = client.get(response["Location"])
    assert target.status_code == 404
    body = target.content.decode()
    assert "+15065554620" not in body and "Internet drops" not in body


# -- CRM hook links on the interaction page ----------------------------------


def test_hook_links_use_the_demo_templates(signed_in: Any) -> None:
    body = signed_in.get(interaction_url(DEMO_TENANT_ID, CRM_DEMO)).content.decode()
    assert 'href="https://example.zendesk.com/agent/tickets/48213"' in body
    assert 'href="https://example.lightning.force.com/lightning/r/Case/00012345/view"' in body
    assert 'rel="noopener noreferrer nofollow"' in body


def test_hook_links_follow_configured_templates(signed_in: Any, settings: Any) -> None:
    settings.CRM_LINK_TEMPLATES = {"zendesk": "https://acme.zendesk.com/agent/tickets/{hookId}"}
    body = signed_in.get(interaction_url(DEMO_TENANT_ID, CRM_DEMO)).content.decode()
    assert 'href="https://acme.zendesk.com/agent/tickets/48213"' in body
    assert "example.zendesk.com" not in body
    assert "lightning.force.com" not in body  # no template: the ID is shown without a link
    assert "<code>00012345</code>" in body


def test_a_hook_id_is_escaped_into_the_link(
    signed_in: Any, settings: Any, live_mode: str, client: Any, django_user_model: Any
) -> None:
    user = django_user_model.objects.create_user("live2", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=LIVE)
    client.force_login(allow_contact_details(user))
    settings.CRM_LINK_TEMPLATES = {"zendesk": "https://acme.zendesk.com/agent/tickets/{hookId}"}
    body = live_body(
        1,
        hooks=[{"hookType": "zendesk", "hookId": '1" onclick="x/../../evil?a=b', "hookName": "t"}],
    )
    with respx.mock() as mock:
        mock.get(f"{LIST}/{body['interactionId']}").respond(json=body)
        page = client.get(interaction_url(LIVE, body["interactionId"])).content.decode()
    assert (
        "https://acme.zendesk.com/agent/tickets/1%22%20onclick%3D%22x%2F..%2F..%2Fevil%3Fa%3Db"
        in page
    )
    assert 'onclick="x' not in page


@pytest.mark.parametrize(
    "template",
    [
        "javascript:alert(1)//{hookId}",
        "data:text/html,{hookId}",
        "ftp://example.com/{hookId}",
        "https:///{hookId}",
        "https://example.com/tickets/",
    ],
    ids=["javascript", "data", "ftp", "no-host", "no-placeholder"],
)
def test_unsafe_link_templates_are_refused_at_start_up(template: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="CRM_LINK_X"):
        config.crm_link_templates({"CRM_LINK_X": template}, demo=False)


def test_link_templates_from_the_environment() -> None:
    templates = config.crm_link_templates(
        {
            "CRM_LINK_ZENDESK": " https://acme.zendesk.com/agent/tickets/{hookId} ",
            "CRM_LINK_EMPTY": " ",
            "OTHER": "javascript:x",
        },
        demo=False,
    )
    assert templates == {"zendesk": "https://acme.zendesk.com/agent/tickets/{hookId}"}
    demo = config.crm_link_templates({}, demo=True)
    assert demo["zendesk"] == "https://example.zendesk.com/agent/tickets/{hookId}"


def test_a_hook_links_with_its_sub_types_template_before_its_types() -> None:
    """A Zendesk user is no ticket: ``CRM_LINK_ZENDESK__USER`` links users, the type's
    own template the rest; a template needing a sub type the hook lacks makes no link."""
    from dashboard.interactions.presenters import crm_link

    templates = config.crm_link_templates(
        {
            "CRM_LINK_ZENDESK": "https://acme.zendesk.com/agent/tickets/{hookId}",
            "CRM_LINK_ZENDESK__USER": "https://acme.zendesk.com/agent/users/{hookId}",
            "CRM_LINK_ACME": "https://crm.acme.example/{hookSubType}/{hookId}",
        },
        demo=False,
    )
    assert templates["zendesk__user"] == "https://acme.zendesk.com/agent/users/{hookId}"
    assert crm_link("zendesk", "38", "user", templates).endswith("/agent/users/38")
    assert crm_link("Zendesk", "48213", "Ticket", templates).endswith("/agent/tickets/48213")
    assert crm_link("zendesk", "48213", None, templates).endswith("/agent/tickets/48213")
    assert crm_link("acme", "7", "case", templates) == "https://crm.acme.example/case/7"
    assert crm_link("acme", "7", None, templates) == ""


def test_the_demo_zendesk_user_links_to_the_user_not_a_ticket(signed_in: Any) -> None:
    page = signed_in.get(interaction_url(DEMO_TENANT_ID, CRM_DEMO)).content.decode()
    assert 'href="https://example.zendesk.com/agent/users/381766502117"' in page
    assert "agent/tickets/381766502117" not in page


def test_demo_catalogue_has_the_crm_interaction() -> None:
    assert any(e["interaction_id"] == CRM_DEMO and "Zendesk" in e["title"] for e in catalogue())


def test_ticket_page_names_known_applications_in_their_spelling_and_unknown_as_sent(
    signed_in: Any,
) -> None:
    body = text(signed_in.get("/tickets/ZenDesk/99999999/"))
    assert "Interactions linked to Zendesk record" in body
    assert "linked to this Zendesk record" in body
    body = text(signed_in.get("/tickets/acme_crm/99999999/"))
    assert "Interactions linked to acme_crm record" in body


def test_interaction_page_names_hook_applications_with_the_code_on_hover(signed_in: Any) -> None:
    page = signed_in.get(interaction_url(DEMO_TENANT_ID, CRM_DEMO)).content.decode()
    assert '<td title="API code: zendesk">Zendesk</td>' in page
    assert "(opens Zendesk in a new tab)" in page
