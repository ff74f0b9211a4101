"""The pages added with the index, across tenants: a ticket's matches in a tenant whose grant
was revoked, a journey through a CRM contact ID that two tenants share, the typical panel,
and the live refresh of an interaction in a tenant no longer granted."""

from __future__ import annotations

from typing import Any

import pytest

from dashboard.accounts.models import TenantGrant
from tests.conftest import allow_contact_details
from tests.index_search.rows import OTHER, TENANT, index_row, synced

pytestmark = pytest.mark.django_db

OTHER_CUSTOMER = "+1 902 555 0177"


@pytest.fixture
def viewer(client: Any, django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user("two-tenants", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=TENANT, label="Ours")
    TenantGrant.objects.create(user=user, tenant_id=OTHER, label="Theirs")
    client.force_login(allow_contact_details(user))
    return client


def _revoke_other() -> None:
    TenantGrant.objects.filter(tenant_id=OTHER).delete()


def test_a_ticket_lists_no_match_in_a_tenant_no_longer_granted(viewer: Any) -> None:
    ours = index_row(tenant=TENANT, hooks=[("zendesk", "660001")])
    theirs = index_row(tenant=OTHER, customer=OTHER_CUSTOMER, hooks=[("zendesk", "660001")])
    synced(TENANT)
    synced(OTHER)
    both = viewer.get("/tickets/zendesk/660001/").content.decode()
    assert theirs.interaction_id in both and "Theirs" in both  # the control
    _revoke_other()
    response = viewer.get("/tickets/zendesk/660001/")
    page = response.content.decode() if response.status_code == 200 else response["Location"]
    assert ours.interaction_id in page
    assert theirs.interaction_id not in page and "Theirs" not in page
    assert "0177" not in page
    journey = viewer.get(f"/tenants/{OTHER}/tickets/zendesk/660001/journey/")
    assert journey.status_code == 404 and theirs.interaction_id not in journey.content.decode()


def test_a_journey_stays_in_its_tenant_when_a_contact_id_is_shared(viewer: Any) -> None:
    ours = index_row(tenant=TENANT, customer="", contact_id="crm-contact-7")
    theirs = index_row(tenant=OTHER, customer=OTHER_CUSTOMER, contact_id="crm-contact-7")
    synced(TENANT)
    synced(OTHER)
    page = viewer.get(f"/tenants/{TENANT}/interactions/{ours.interaction_id}/journey/")
    assert page.status_code == 200
    text = page.content.decode()
    assert ours.interaction_id in text
    assert theirs.interaction_id not in text and "0177" not in text


def test_the_live_refresh_of_a_tenant_no_longer_granted_answers_like_a_missing_one(
    viewer: Any,
) -> None:
    row = index_row(tenant=OTHER, customer=OTHER_CUSTOMER)
    _revoke_other()
    hx = {"HX-Request": "true", "HX-Target": "timeline"}
    url = f"/tenants/{OTHER}/interactions/{row.interaction_id}/?failures=1"
    missing = f"/tenants/{OTHER}/interactions/00000000-0000-4000-8000-000000000000/?failures=1"
    refreshed, absent = viewer.get(url, headers=hx), viewer.get(missing, headers=hx)
    assert refreshed.status_code == absent.status_code == 404
    assert "0177" not in refreshed.content.decode()
