"""``manage.py ensure_demo_user``: what ``make run`` prints and signs in with."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from dashboard.accounts.models import TenantGrant
from dashboard.demo.api import DEMO_TENANT_ID

pytestmark = pytest.mark.django_db


def ensure(monkeypatch: pytest.MonkeyPatch, password: str | None = None) -> str:
    if password is None:
        monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("DEMO_PASSWORD", password)
    out = io.StringIO()
    call_command("ensure_demo_user", stdout=out)
    return out.getvalue()


def test_creates_both_demo_users_with_the_demo_tenant(
    monkeypatch: pytest.MonkeyPatch, client: Any
) -> None:
    said = ensure(monkeypatch)
    assert "user name: demo   password: demo-supervisor" in said
    assert "demo-masked" in said
    for name in ("demo", "demo-masked"):
        assert TenantGrant.objects.filter(user__username=name, tenant_id=DEMO_TENANT_ID).exists()
    assert client.login(username="demo-masked", password="demo-supervisor")


def test_running_it_again_keeps_the_demo_users_signed_in(
    monkeypatch: pytest.MonkeyPatch, client: Any
) -> None:
    """Each ``make run`` runs it: a browser signed in before a restart stays signed in."""
    ensure(monkeypatch)
    client.post("/accounts/login/", {"username": "demo", "password": "demo-supervisor"})
    assert client.get("/").status_code == 200
    ensure(monkeypatch)
    assert client.get("/").status_code == 200


def test_another_password_takes_effect(monkeypatch: pytest.MonkeyPatch, client: Any) -> None:
    ensure(monkeypatch)
    assert "password: s3cret-demo" in ensure(monkeypatch, "s3cret-demo")
    assert client.login(username="demo", password="s3cret-demo")
    assert not client.login(username="demo", password="demo-supervisor")


def test_only_in_demo_mode(settings: Any) -> None:
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="only for demo mode"):
        call_command("ensure_demo_user")
