"""Queue SLA thresholds from the API's configuration, read by the sync worker.

The endpoints are inferred from the vendor's configuration UI (see
``cxengage-api-notes.md``): a queue's active version names its ``slaId``
(``default`` means the tenant's ``defaultSlaId``); an SLA's active version has
``slaThreshold`` (seconds), ``abandonType`` (``count-against-sla`` or
``ignore-abandons``) and ``abandonThreshold``. Answers are read whatever their
envelope (``result``, ``results`` or a bare list) and anything unreadable is left
out: a queue without a readable SLA has no API threshold, and the admin table
(``QueueSla``) decides, or nothing does.

A read replaces the tenant's ``ApiSla`` rows as a whole, in one transaction,
only when it completed. When the API refuses (401/403) or lacks the endpoints
(404), the rows are dropped so that the admin's entries decide; any other
failure keeps the last good read. The outcome is kept in ``SyncState`` for the
staff page. At most ``INDEX_SLA_MAX_CALLS`` calls a read, every
``INDEX_SLA_REFRESH`` seconds.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction

from dashboard.cxengage.errors import AuthenticationFailed, CxEngageError, Forbidden, NotFound

from .models import ApiSla, SyncState

log = logging.getLogger("dashboard.index")

READ, NOT_PERMITTED, NOT_AVAILABLE = "read", "not permitted", "not available"
_ABANDON_TYPES = {"count-against-sla": True, "ignore-abandons": False}


class ConfigClient(Protocol):
    def get_tenant(self, tenant_id: str) -> Any: ...
    def list_slas(self, tenant_id: str) -> Any: ...
    def list_sla_versions(self, tenant_id: str, sla_id: str) -> Any: ...
    def list_queues(self, tenant_id: str) -> Any: ...
    def list_queue_versions(self, tenant_id: str, queue_id: str) -> Any: ...


class _OutOfCalls(Exception):
    pass


@dataclass
class SlaRead:
    tenant_id: str
    outcome: str
    queues: int = 0
    slas: int = 0
    api_calls: int = 0


# -- reading whatever shape the answers come in ------------------------------------


def _items(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        for key in ("result", "results", "data", "items"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def _one(data: Any) -> dict[str, Any]:
    if isinstance(data, dict) and isinstance(data.get("result"), dict):
        return data["result"]
    return data if isinstance(data, dict) else {}


def _text(item: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, int | float) and math.isfinite(value) and value >= 0:
        return float(value)
    return None


def _active(versions: list[dict[str, Any]], active_id: str) -> dict[str, Any] | None:
    """The version the parent names active; the only one when it names none."""
    if active_id:
        for version in versions:
            if active_id in {_text(version, key) for key in ("versionId", "version", "id")}:
                return version
        return None
    return versions[0] if len(versions) == 1 else None


# -- the read ----------------------------------------------------------------------


class _Reader:
    def __init__(self, client: ConfigClient, tenant_id: str) -> None:
        self.client = client
        self.tenant_id = tenant_id
        self.calls = 0

    def call(self, method: str, *args: str) -> Any:
        if self.calls >= settings.INDEX_SLA_MAX_CALLS:
            raise _OutOfCalls
        self.calls += 1
        return getattr(self.client, method)(self.tenant_id, *args)

    def thresholds(self) -> dict[str, tuple[str, float, bool | None, float | None]]:
        """Each SLA's active threshold by SLA ID: (name, seconds, abandons count, early)."""
        found = {}
        for sla in _items(self.call("list_slas")):
            sla_id = _text(sla, "id", "slaId")
            if not sla_id:
                continue
            version = self._active_version("list_sla_versions", sla_id, sla)
            seconds = _seconds(version.get("slaThreshold")) if version else None
            if version is None or seconds is None:
                continue
            abandon = _ABANDON_TYPES.get(_text(version, "abandonType").lower())
            early = _seconds(version.get("abandonThreshold"))
            found[sla_id] = (_text(sla, "name") or _text(version, "name"), seconds, abandon, early)
        return found

    def queue_slas(self, default_sla: str) -> list[tuple[str, str, str]]:
        """(queue ID, queue name, SLA ID) for every queue whose SLA can be read."""
        found = []
        for queue in _items(self.call("list_queues")):
            queue_id = _text(queue, "id", "queueId")
            if not queue_id:
                continue
            sla_id = _text(queue, "slaId")
            if not sla_id:
                version = self._active_version("list_queue_versions", queue_id, queue)
                sla_id = _text(version, "slaId") if version else ""
            if sla_id == "default":
                sla_id = default_sla
            if sla_id:
                found.append((queue_id, _text(queue, "name", "queueName"), sla_id))
        return found

    def _active_version(self, method: str, parent_id: str, parent: dict[str, Any]) -> Any:
        active_id = _text(parent, "activeVersion", "activeVersionId")
        try:
            versions = _items(self.call(method, parent_id))
        except NotFound:
            return None
        return _active(versions, active_id)


def read_slas(client: ConfigClient, tenant_id: str, *, now: datetime) -> SlaRead:
    """Read the tenant's queue SLAs from the API and store them (see the module)."""
    reader = _Reader(client, tenant_id)
    try:
        default_sla = _text(_one(reader.call("get_tenant")), "defaultSlaId")
        by_sla = reader.thresholds()
        queues = reader.queue_slas(default_sla)
    except (Forbidden, AuthenticationFailed, NotFound) as exc:
        outcome = NOT_AVAILABLE if isinstance(exc, NotFound) else NOT_PERMITTED
        with transaction.atomic():
            ApiSla.objects.filter(tenant_id=tenant_id).delete()
            _note(tenant_id, now, outcome)
        log.info(
            "index sync: tenant %s: SLA configuration %s (%s); admin-entered thresholds apply",
            tenant_id,
            outcome,
            exc,
            extra={"tenant_id": tenant_id},
        )
        return SlaRead(tenant_id, outcome, api_calls=reader.calls)
    except (CxEngageError, _OutOfCalls) as exc:
        why = (
            f"stopped after {reader.calls} calls (INDEX_SLA_MAX_CALLS)"
            if isinstance(exc, _OutOfCalls)
            else f"failed: {exc}"
        )
        _note(tenant_id, now, why[:255])
        log.warning(
            "index sync: tenant %s: reading the SLA configuration %s; the last read stays",
            tenant_id,
            why,
            extra={"tenant_id": tenant_id},
        )
        return SlaRead(tenant_id, why, api_calls=reader.calls)
    rows = list(_rows(tenant_id, queues, by_sla, now))
    with transaction.atomic():
        ApiSla.objects.filter(tenant_id=tenant_id).delete()
        ApiSla.objects.bulk_create(rows)
        _note(tenant_id, now, READ)
    return SlaRead(tenant_id, READ, queues=len(rows), slas=len(by_sla), api_calls=reader.calls)


def _rows(
    tenant_id: str,
    queues: Iterable[tuple[str, str, str]],
    by_sla: dict[str, tuple[str, float, bool | None, float | None]],
    now: datetime,
) -> Iterable[ApiSla]:
    seen = set()
    for queue_id, queue_name, sla_id in queues:
        if sla_id not in by_sla or queue_id in seen:
            continue
        seen.add(queue_id)
        name, seconds, abandons, early = by_sla[sla_id]
        yield ApiSla(
            tenant_id=tenant_id,
            queue_id=queue_id[:64],
            queue_name=queue_name[:255],
            sla_id=sla_id[:64],
            sla_name=name[:255],
            threshold_seconds=seconds,
            abandons_count=abandons,
            abandon_threshold=early,
            read_at=now,
        )


def _note(tenant_id: str, now: datetime, outcome: str) -> None:
    SyncState.objects.update_or_create(
        tenant_id=tenant_id, defaults={"slas_read_at": now, "slas_outcome": outcome}
    )


def read_if_due(client: ConfigClient, tenant_id: str, *, now: datetime) -> SlaRead | None:
    """Read the SLAs when the last read is older than ``INDEX_SLA_REFRESH`` seconds."""
    if settings.INDEX_SLA_REFRESH <= 0:
        return None
    last = (
        SyncState.objects.filter(tenant_id=tenant_id).values_list("slas_read_at", flat=True).first()
    )
    if last is not None and now - last < timedelta(seconds=settings.INDEX_SLA_REFRESH):
        return None
    return read_slas(client, tenant_id, now=now)
