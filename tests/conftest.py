"""Shared test set-up: Hypothesis profiles, markers by module, a clean cache per
test, signed-in viewers, a live-mode API (mocked, or the stand-in server)."""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hyp_settings

from dashboard.accounts.models import TenantGrant
from dashboard.cxengage.factory import reset_client
from dashboard.demo.api import DEMO_TENANT_ID
from dashboard.interactions import cache as services
from tests.standin import StandInAPI

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LIVE_API = "https://api.cxengage.test"
#: The reference sample's tenant and interaction (fixtures/reference-sample.json), its
#: page, and where the dashboard asks for it in live mode (``live_mode``).
TENANT = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"
IID = "b2109780-db83-11e7-9709-c2b07aa3bee9"
PAGE = f"/tenants/{TENANT}/interactions/{IID}/"
UPSTREAM = f"{LIVE_API}/v1/tenants/{TENANT}/interactions/{IID}"

# -- Hypothesis ------------------------------------------------------------------
# ``ci`` (the default) keeps every property test to seconds; a nightly run sets
# HYPOTHESIS_PROFILE=thorough for ten times the examples (and the full cross
# products of the whole-view fuzz suite, see ``thorough()``).
_PROFILE_SETTINGS: dict[str, Any] = {
    "deadline": None,
    "database": None,  # no .hypothesis/ directory written into the project
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
hyp_settings.register_profile("ci", max_examples=50, **_PROFILE_SETTINGS)
hyp_settings.register_profile("thorough", max_examples=500, **_PROFILE_SETTINGS)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
hyp_settings.load_profile(HYPOTHESIS_PROFILE)


def thorough() -> bool:
    """True under HYPOTHESIS_PROFILE=thorough: slow suites run their full cross products."""
    return HYPOTHESIS_PROFILE == "thorough"


def fuzz_examples(*, ci: int, thorough_run: int) -> int:
    """Examples for a slow whole-view property test: FUZZ_EXAMPLES if set, else by profile."""
    if os.environ.get("FUZZ_EXAMPLES"):
        return int(os.environ["FUZZ_EXAMPLES"])
    return thorough_run if thorough() else ci


def pairs(first: list[tuple[str, Any]], second: list[tuple[str, Any]]) -> list[Any]:
    """``pytest.param`` pairs of two named lists: every combination under the thorough
    profile; otherwise each item of the longer list once, with the shorter list's items
    taken in turn, so every item of both lists is still used."""
    if thorough():
        chosen = [(a, b) for a in first for b in second]
    elif len(first) >= len(second):
        chosen = [(a, second[n % len(second)]) for n, a in enumerate(first)]
    else:
        chosen = [(first[n % len(first)], b) for n, b in enumerate(second)]
    return [pytest.param(a[1], b[1], id=f"{a[0]}-{b[0]}") for a, b in chosen]


# -- markers by module -------------------------------------------------------------
# Suites that start processes of their own (gunicorn, a stand-in API server),
# and the slow whole-view fuzz suite.
INTEGRATION_MODULES = {"test_replicas.py", "test_faults.py", "test_fuzz_views.py"}
#: Modules whose processes are a module-scoped fixture: under pytest-xdist with
#: ``--dist loadgroup`` each stays on one worker, so its processes start once.
ONE_WORKER_MODULES = {"test_faults.py"}
#: Set when the test process runs on PostgreSQL or Redis instead of the embedded defaults.
_SERVICES = [name for name in ("DATABASE_URL", "REDIS_URL") if os.environ.get(name)]


def pytest_collection_modifyitems(items: list[Any]) -> None:
    for item in items:
        name = Path(str(item.fspath)).name
        if name in INTEGRATION_MODULES:
            item.add_marker(pytest.mark.integration)
        if name in ONE_WORKER_MODULES:
            item.add_marker(pytest.mark.xdist_group(name))
        if _SERVICES and item.get_closest_marker("embedded"):
            item.add_marker(
                pytest.mark.skip(
                    reason=f"checks the embedded defaults; {', '.join(_SERVICES)} is set"
                )
            )


def pytest_collection_finish(session: Any) -> None:
    """What the run holds once its tests are collected (Django, the test modules, their
    parameters) lives to its end: moved out of the garbage collector's reach, and its
    young collections made less frequent, so that the pages the tests render (hundreds of
    thousands of small objects for a big interaction) do not keep walking it."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


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


def sign_in(
    client: Client,
    django_user_model: Any,
    username: str,
    *,
    tenants: Iterable[str],
    contact_details: bool = True,
) -> Client:
    """Make a user granted ``tenants`` (with or without the contact-details permission)
    and sign ``client`` in as that user."""
    user = django_user_model.objects.create_user(username, password="pw-for-tests-1")
    for tenant in tenants:
        TenantGrant.objects.create(user=user, tenant_id=tenant)
    client.force_login(allow_contact_details(user) if contact_details else user)
    return client


@pytest.fixture
def signed_in(client: Any, demo_user: Any) -> Any:
    client.force_login(demo_user)
    return client


@pytest.fixture
def live_user(client: Any, django_user_model: Any, live_mode: str) -> Any:
    """Signed in, against the live (mocked) API, to its tenant, with contact details."""
    user = django_user_model.objects.create_user("live", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=TENANT)
    client.force_login(allow_contact_details(user))
    return client


@pytest.fixture
def live_mode(settings: Any) -> Iterator[str]:
    """Point the dashboard at a (mocked) live API with Basic credentials."""
    settings.DEMO_MODE = False
    settings.CXENGAGE_API_URL = LIVE_API
    settings.CXENGAGE_CREDENTIALS = {
        "username": "api-user",
        "password": "s3cret-pw",
        "api_key": "",
        "api_secret": "",
    }
    settings.CXENGAGE_TIMEOUTS = {"connect_timeout": 1.0, "read_timeout": 2.0, "deadline": 3.0}
    reset_client()
    yield LIVE_API
    reset_client()


def use_standin(
    settings: Any, server: StandInAPI, *, token: bool = False, short_timeouts: bool = True
) -> None:
    """Point the dashboard at the stand-in API server: Basic credentials, or a key
    and secret with ``token``; with ``short_timeouts`` a 1.5 s deadline (fault
    tests), else the configured timeouts (a deliberately slow stand-in)."""
    settings.DEMO_MODE = False
    settings.CXENGAGE_API_URL = server.url
    settings.CXENGAGE_CREDENTIALS = (
        {"username": "", "password": "", "api_key": "key-1", "api_secret": "secret-1"}
        if token
        else {"username": "api-user", "password": "pw", "api_key": "", "api_secret": ""}
    )
    if short_timeouts:
        settings.CXENGAGE_TIMEOUTS = {"connect_timeout": 1.0, "read_timeout": 1.0, "deadline": 1.5}
    reset_client()
