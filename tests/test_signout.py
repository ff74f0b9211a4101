"""What a viewer keeps once access ends: sign-out clears the browser's copies,
and a revoked tenant grant empties that tenant from "recently viewed" at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dashboard.accounts.models import TenantGrant
from dashboard.demo.api import DEMO_TENANT_ID, catalogue
from dashboard.reviews.models import AuditEvent
from dashboard.reviews.selectors import recently_viewed

OTHER_TENANT = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"
OTHER_IID = "9a8b7c6d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"


@pytest.mark.django_db
def test_sign_out_clears_the_browsers_cache_and_storage(signed_in: Client) -> None:
    response = signed_in.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    # ...and the sign-in really ended.
    assert signed_in.get("/").status_code == 302


@pytest.mark.django_db
def test_sign_out_is_post_only(signed_in: Client) -> None:
    response = signed_in.get(reverse("logout"))
    assert response.status_code == 405
    assert signed_in.get("/").status_code == 200  # still signed in


def _viewed(user: Any, tenant_id: str, interaction_id: str, label: str) -> None:
    AuditEvent.objects.create(
        user=user,
        action=AuditEvent.Action.VIEW,
        tenant_id=tenant_id,
        interaction_id=interaction_id,
        detail=label,
    )


@pytest.mark.django_db
def test_recently_viewed_hides_a_revoked_tenant_at_once(signed_in: Client, demo_user: Any) -> None:
    entry = catalogue()[1]
    assert (
        signed_in.get(
            reverse("interaction", args=[DEMO_TENANT_ID, entry["interaction_id"]])
        ).status_code
        == 200
    )
    grant = TenantGrant.objects.create(user=demo_user, tenant_id=OTHER_TENANT)
    _viewed(demo_user, OTHER_TENANT, OTHER_IID, "Secret customer call")

    listed = {(r["tenant_id"], r["interaction_id"]) for r in recently_viewed(demo_user)}
    assert listed == {(DEMO_TENANT_ID, entry["interaction_id"]), (OTHER_TENANT, OTHER_IID)}
    assert "Secret customer call" in signed_in.get("/").content.decode()

    grant.delete()
    listed = {(r["tenant_id"], r["interaction_id"]) for r in recently_viewed(demo_user)}
    assert listed == {(DEMO_TENANT_ID, entry["interaction_id"])}
    home = signed_in.get("/").content.decode()
    assert "Secret customer call" not in home and OTHER_IID not in home
    assert entry["interaction_id"] in home


@pytest.mark.django_db
def test_revoked_views_do_not_crowd_out_visible_ones(demo_user: Any) -> None:
    _viewed(demo_user, DEMO_TENANT_ID, catalogue()[0]["interaction_id"], "Still visible")
    for n in range(40):  # newer, in a tenant the user no longer has
        _viewed(demo_user, OTHER_TENANT, f"00000000-0000-4000-8000-{n:012d}", f"gone {n}")
    recent = recently_viewed(demo_user, limit=3)
    assert [r["label"] for r in recent] == ["Still visible"]


@pytest.mark.django_db
def test_a_superuser_sees_every_tenant_they_viewed(django_user_model: Any) -> None:
    admin = django_user_model.objects.create_superuser("root", password="pw-root-1")
    _viewed(admin, OTHER_TENANT, OTHER_IID, "Any tenant")
    assert [r["label"] for r in recently_viewed(admin)] == ["Any tenant"]


# -- lifting a sign-in lockout (the operator's counterpart of axes_reset) -------------------


def _sign_in(client: Client, username: str, password: str, ip: str) -> Any:
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


@pytest.mark.django_db
def test_an_operator_can_lift_a_lockout(client: Client, demo_user: Any) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    for _ in range(5):
        _sign_in(client, "supervisor", "wrong", "10.9.0.1")
    assert _sign_in(client, "supervisor", "pw-for-tests-1", "10.9.0.1").status_code == 429
    out = StringIO()
    call_command("unlock_signin", "--user", "Supervisor", "--address", "10.9.0.1", stdout=out)
    assert "Unlocked" in out.getvalue()
    assert _sign_in(client, "supervisor", "pw-for-tests-1", "10.9.0.1").status_code == 302
    with pytest.raises(CommandError):
        call_command("unlock_signin")


@pytest.mark.django_db
def test_unlocking_a_user_name_leaves_the_address_locked(client: Client, demo_user: Any) -> None:
    from dashboard.accounts import throttle

    for _ in range(5):
        _sign_in(client, "supervisor", "wrong", "10.9.1.1")
    assert throttle.unlock(username="supervisor") == 2  # its lock and its count
    assert _sign_in(client, "supervisor", "pw-for-tests-1", "10.9.1.1").status_code == 429
    assert _sign_in(client, "supervisor", "pw-for-tests-1", "10.9.1.2").status_code == 302
