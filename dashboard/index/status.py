"""What the staff page shows about the sync worker, per tenant: a typed read of
``SyncState`` and the index's row counts (no API calls)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.utils import timezone

from .models import ApiSla, IndexedInteraction, SyncState
from .sync import tenants_to_sync


@dataclass(frozen=True)
class TenantStatus:
    tenant_id: str
    rows: int
    synced_until: datetime | None
    #: Seconds between now and the forward cursor; None before the first pass.
    lag_seconds: float | None
    last_pass_started: datetime | None
    last_pass_finished: datetime | None
    last_pass_stored: int
    last_pass_skipped: int
    last_pass_unreadable: int
    last_pass_api_calls: int
    last_error: str
    last_error_at: datetime | None
    errors_total: int
    backfill_from: datetime | None
    backfilled_to: datetime | None
    #: 0..100 while a backfill is under way, else None.
    backfill_percent: int | None
    #: The last read of the API's SLA configuration: its outcome and how many queues it gave.
    slas_outcome: str = ""
    slas_read_at: datetime | None = None
    slas_queues: int = 0

    @property
    def pass_running(self) -> bool:
        """A pass started after the last one finished (under way, or a worker that stopped
        in the middle of one)."""
        started, finished = self.last_pass_started, self.last_pass_finished
        return started is not None and (finished is None or started > finished)

    @property
    def lag_text(self) -> str:
        if self.lag_seconds is None:
            return "not synced yet"
        seconds = max(0, round(self.lag_seconds))
        if seconds < 120:
            return f"{seconds} s"
        if seconds < 2 * 3600:
            return f"{seconds // 60} min"
        if seconds < 2 * 86400:
            return f"{seconds // 3600} h {seconds % 3600 // 60} min"
        return f"{seconds // 86400} days"


def _backfill_percent(state: SyncState) -> int | None:
    top, low, reached = state.synced_until, state.backfill_from, state.backfilled_to
    if top is None or low is None or reached is None or reached <= low or top <= low:
        return None
    done = (top - reached).total_seconds() / (top - low).total_seconds()
    return max(0, min(99, int(done * 100)))


def sync_status(now: datetime | None = None) -> list[TenantStatus]:
    """Every tenant the worker syncs (or has synced), in tenant ID order."""
    now = now or timezone.now()
    states = {s.tenant_id: s for s in SyncState.objects.all()}
    rows = dict(
        IndexedInteraction.objects.values("tenant_id")
        .annotate(n=Count("id"))
        .values_list("tenant_id", "n")
    )
    sla_queues = dict(
        ApiSla.objects.values("tenant_id").annotate(n=Count("id")).values_list("tenant_id", "n")
    )
    result = []
    for tenant_id in sorted(set(tenants_to_sync()) | set(states)):
        state = states.get(tenant_id) or SyncState(tenant_id=tenant_id)
        result.append(
            TenantStatus(
                tenant_id=tenant_id,
                rows=rows.get(tenant_id, 0),
                synced_until=state.synced_until,
                lag_seconds=(now - state.synced_until).total_seconds()
                if state.synced_until
                else None,
                last_pass_started=state.last_pass_started,
                last_pass_finished=state.last_pass_finished,
                last_pass_stored=state.last_pass_stored,
                last_pass_skipped=state.last_pass_skipped,
                last_pass_unreadable=state.last_pass_unreadable,
                last_pass_api_calls=state.last_pass_api_calls,
                last_error=state.last_error,
                last_error_at=state.last_error_at,
                errors_total=state.errors_total,
                backfill_from=state.backfill_from,
                backfilled_to=state.backfilled_to,
                backfill_percent=_backfill_percent(state),
                slas_outcome=state.slas_outcome,
                slas_read_at=state.slas_read_at,
                slas_queues=sla_queues.get(tenant_id, 0),
            )
        )
    return result
