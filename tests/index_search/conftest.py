"""Users for the index's pages: one allowed to see contact details, one masked."""

from __future__ import annotations

from typing import Any

import pytest

from dashboard.accounts.models import TenantGrant
from tests.conftest import allow_contact_details

from .rows import TENANT


@pytest.fixture
def open_client(client: Any, django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user("open-viewer", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=TENANT)
    client.force_login(allow_contact_details(user))
    return client


@pytest.fixture
def masked_client(client: Any, django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user("masked-viewer", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=TENANT)
    client.force_login(user)
    return client
