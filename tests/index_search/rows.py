"""Index rows for tests, written with the models directly (no sync worker needed)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from dashboard.index.customer import customer_key, customer_tail
from dashboard.index.models import AgentLeg, Hook, IndexedInteraction, QueueVisit, SyncState

TENANT = "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"  # the demo tenant: pages render from the demo API
OTHER = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"


def new_id() -> str:
    return str(uuid.uuid1())


def index_row(
    *,
    tenant: str = TENANT,
    interaction_id: str | None = None,
    start: datetime | None = None,
    minutes: float | None = 5.0,
    queues: list[tuple[str, float]] = (),  # type: ignore[assignment]
    agents: list[tuple[str, str, float]] = (),  # type: ignore[assignment]
    hooks: list[tuple[str, str]] = (),  # type: ignore[assignment]
    **fields: Any,
) -> IndexedInteraction:
    """One indexed interaction with its queue visits (queue, wait s), agent legs
    (agent, queue, seconds) and hooks (type, id)."""
    start = start or timezone.now() - timedelta(hours=1)
    end = start + timedelta(minutes=minutes) if minutes is not None else None
    customer = fields.pop("customer", "+1 506 555 0100")
    values: dict[str, Any] = {
        "channel": "voice",
        "direction": "inbound",
        "flow_name": "Support flow",
        "total_seconds": minutes * 60 if minutes is not None else None,
        "data_complete": end is not None,
        "agent_names": ", ".join(a for a, _, _ in agents),
        **fields,
    }
    row = IndexedInteraction.objects.create(
        tenant_id=tenant,
        interaction_id=interaction_id or new_id(),
        start=start,
        end=end,
        customer=customer,
        customer_key=customer_key(customer),
        customer_tail=customer_tail(customer_key(customer)),
        source_hash="test",
        **values,
    )
    at = start
    for name, wait in queues:
        QueueVisit.objects.create(
            interaction=row,
            tenant_id=tenant,
            queue_name=name,
            entered_at=at,
            exited_at=at + timedelta(seconds=wait),
            wait_seconds=wait,
            sla_time=wait,
            abandoned=False,
            sla_abandoned=False,
        )
        at += timedelta(seconds=wait)
    for agent, queue, seconds in agents:
        AgentLeg.objects.create(
            interaction=row,
            tenant_id=tenant,
            agent_name=agent,
            queue_name=queue,
            started_at=at,
            ended_at=at + timedelta(seconds=seconds),
            seconds_computed=seconds,
        )
        at += timedelta(seconds=seconds)
    for hook_type, hook_id in hooks:
        Hook.objects.create(interaction=row, tenant_id=tenant, hook_type=hook_type, hook_id=hook_id)
    return row


def synced(
    tenant: str = TENANT,
    *,
    back: timedelta = timedelta(days=90),
    ago: timedelta = timedelta(minutes=2),
) -> None:
    """Say the index covers the last ``back`` for ``tenant``, synced ``ago``."""
    now = timezone.now()
    SyncState.objects.update_or_create(
        tenant_id=tenant,
        defaults={
            "synced_until": now - ago,
            "backfill_from": now - back,
            "backfilled_to": now - back,
            "last_pass_finished": now - ago,
        },
    )
