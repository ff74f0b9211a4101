"""Shared fixtures: a clean cache per test, signed-in users, a live-mode API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from dashboard.accounts.models import TenantGrant
from dashboard.demo.api import DEMO_TENANT_ID
from dashboard.interactions import cache as services
from dashboard.cxengage.factory import reset_client

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LIVE_API = "https://api.cxengage.test"


# Suites that start processes of their own (gunicorn, a stand-in API server),
# and the slow whole-view fuzz suite: CI runs them once, in the Postgres pass.
INTEGRATION_MODULES = {"test_replicas.py", "test_faults.py", "test_fuzz_views.py"}


def pytest_collection_modifyitems(items: list[Any]) -> None:
    for item in items:
        if Path(str(item.fspath)).name in INTEGRATION_MODULES:
            item.add_marker(pytest.mark.integration)


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _isolated(settings: Any) -> Iterator[None]:
    cache.clear()
    services.MEMO.clear()
    reset_client()
    yield
    reset_client()
    cache.clear()


def allow_contact_details(user: Any) -> Any:
    """Give ``user`` the permission to see unmasked contact details and conversations."""
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="view_contact_details"))
    return type(user).objects.get(pk=user.pk)  # fresh object: no stale permission cache


@pytest.fixture
def demo_user(django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user("supervisor", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=DEMO_TENANT_ID)
    return allow_contact_details(user)


@pytest.fixture
def signed_in(client: Any, demo_user: Any) -> Any:
    client.force_login(demo_user)
    return client


@pytest.fixture
def live_mode(settings: Any) -> Iterator[str]:
    """Point the dashboard at a (mocked) live API with Basic credentials."""
    settings.DEMO_MODE = False
    settings.CXENGAGE_API_URL = LIVE_API
    settings.CXENGAGE_CREDENTIALS = {
        "username": "api-user", "password": "s3cret-pw", "api_key": "", "api_secret": "",
    }
    settings.CXENGAGE_TIMEOUTS = {"connect_timeout": 1.0, "read_timeout": 2.0, "deadline": 3.0}
    reset_client()
    yield LIVE_API
    reset_client()
