"""One ``sync_interactions --once`` pass over the demo API is enough for the
search, the journey and the flagged list to answer from the index."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.core.management import call_command

from dashboard.demo.api import bodies
from dashboard.index.indexer import customer_key
from dashboard.index.models import IndexedInteraction

from .rows import TENANT

pytestmark = pytest.mark.django_db


def test_search_and_journey_answer_after_one_sync_pass(open_client: Any) -> None:
    call_command("sync_interactions", "--once", "--since", "30d", "--tenant", TENANT)
    assert IndexedInteraction.objects.filter(tenant_id=TENANT).exists()
    row = (
        IndexedInteraction.objects.filter(tenant_id=TENANT)
        .exclude(customer_key="")
        .order_by("-start")
        .first()
    )
    assert row is not None
    same = set(
        IndexedInteraction.objects.filter(
            tenant_id=TENANT, customer_key=customer_key(row.customer)
        ).values_list("interaction_id", flat=True)
    )
    response = open_client.get(
        f"/tenants/{TENANT}/search/", {"customer": row.customer, "range": "90d"}
    )
    shown = {p.split('"', 1)[0] for p in response.content.decode().split('data-interaction="')[1:]}
    assert row.interaction_id in shown
    assert shown <= same
    journey = open_client.get(f"/tenants/{TENANT}/interactions/{row.interaction_id}/journey/")
    assert row.interaction_id in journey.content.decode()
    flagged = html.unescape(open_client.get(f"/tenants/{TENANT}/flagged/").content.decode())
    assert "Read from the index, synced" in flagged
    assert any(b.get("flagged") for b in bodies())
