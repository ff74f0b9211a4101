"""Shared set-up for the in-process benchmarks (``bench/flagged.py``, ``bench/cache.py``):
Django on an in-memory database, a signed-in user granted one tenant, and the
dashboard pointed at a stand-in API."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TENANT = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"


def start(username: str) -> Any:
    """Set Django up and return a test ``Client`` signed in as a user granted ``TENANT``."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
    import django

    django.setup()
    logging.getLogger("dashboard").setLevel(logging.ERROR)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from dashboard.accounts.models import TenantGrant

    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = ["*"]
    user = get_user_model().objects.create_user(username)
    TenantGrant.objects.create(user=user, tenant_id=TENANT)
    client = Client()
    client.force_login(user)
    return client


def point_at(api_url: str) -> None:
    """Serve live data from the stand-in API at ``api_url`` (Basic credentials)."""
    from django.conf import settings

    from dashboard.cxengage.factory import reset_client

    settings.DEMO_MODE = False
    settings.CXENGAGE_API_URL = api_url
    settings.CXENGAGE_CREDENTIALS = {
        "username": "u",
        "password": "p",
        "api_key": "",
        "api_secret": "",
    }
    reset_client()
