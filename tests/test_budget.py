"""The per-user API budget for list-endpoint pages (dashboard/accounts/budget.py)."""

from __future__ import annotations

import logging
from typing import Any
from unittest import mock

import pytest
from django.test import override_settings

from dashboard.accounts import budget
from dashboard.accounts.budget import BudgetExceeded, spend_list_scan
from tests.servers import free_port

START = 1_800_000_000.0  # a minute boundary (divisible by 60)


@pytest.fixture
def clock() -> Any:
    with mock.patch.object(budget.time, "time", return_value=START + 15) as fake:
        yield fake


@pytest.mark.django_db
def test_the_limit_is_generous_by_default(settings: Any) -> None:
    assert settings.API_BUDGET_LIST_PAGES_PER_MINUTE >= 60


@pytest.mark.django_db
def test_past_the_limit_the_user_waits_for_the_next_minute(
    django_user_model: Any, settings: Any, clock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.API_BUDGET_LIST_PAGES_PER_MINUTE = 5
    alice = django_user_model.objects.create_user("alice")
    bob = django_user_model.objects.create_user("bob")
    caplog.set_level(logging.WARNING, logger="dashboard.accounts")
    for _ in range(5):
        spend_list_scan(alice)
    with pytest.raises(BudgetExceeded) as refused:
        spend_list_scan(alice)
    assert refused.value.retry_after == 45  # 15 s into the minute
    clock.return_value = START + 50
    with pytest.raises(BudgetExceeded) as again:
        spend_list_scan(alice)
    assert again.value.retry_after == 10
    spend_list_scan(bob)  # each user has a budget of their own

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # once a minute per user, not per refusal
    assert "alice" in warnings[0].getMessage()
    assert warnings[0].username == "alice"  # type: ignore[attr-defined]

    clock.return_value = START + 61  # a new minute: a new budget
    for _ in range(5):
        spend_list_scan(alice)
    with pytest.raises(BudgetExceeded):
        spend_list_scan(alice)


@pytest.mark.django_db
def test_the_budget_fails_open_when_the_cache_is_down(
    django_user_model: Any, settings: Any
) -> None:
    settings.API_BUDGET_LIST_PAGES_PER_MINUTE = 2
    alice = django_user_model.objects.create_user("alice")
    down = {
        "default": {
            "BACKEND": "dashboard.cache_backend.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    with override_settings(CACHES=down):
        for _ in range(20):
            spend_list_scan(alice)  # never refused: nobody can count
