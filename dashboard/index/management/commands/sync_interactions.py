"""python manage.py sync_interactions [--once] [--since 30d] [--tenant ID] [--reindex]

Keeps the interaction index fresh (``dashboard/index/sync.py``): a pass over
every tenant with a grant, then a pause of ``INDEX_SYNC_INTERVAL`` seconds (or
what a rate-limiting API asked for), until stopped with SIGTERM or Ctrl+C.
"""

from __future__ import annotations

import re
import signal
import threading
import uuid
from datetime import timedelta
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from dashboard.cxengage.factory import get_client
from dashboard.index.locks import tenant_lock
from dashboard.index.sla_source import read_if_due
from dashboard.index.sync import PassReport, start_reindex, sync_pass, tenants_to_sync

_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.IGNORECASE)
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "": 86400}


def parse_span(value: str) -> timedelta:
    """``30d``, ``12h``, ``90m``, ``3600s``, ``2w``; a bare number is days."""
    match = _SPAN.match(value)
    if not match:
        raise ValueError(f"{value!r} is not a span such as 30d, 12h or 90m")
    amount, unit = match.groups()
    seconds = float(amount) * _UNIT[unit.lower()]
    if not 0 < seconds <= 3660 * 86400:
        raise ValueError(f"{value!r} is not between a second and ten years")
    return timedelta(seconds=seconds)


class Command(BaseCommand):
    help = "Keep the interaction index in step with the API's list endpoint."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument(
            "--since", default="", help="Backfill this far back, e.g. 30d (default: 1 day)."
        )
        parser.add_argument("--tenant", default="", help="Only this tenant.")
        parser.add_argument(
            "--reindex",
            action="store_true",
            help="Read every indexed interaction again and rewrite its rows (after an upgrade "
            "that changes what the index holds), then sync as usual.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            since = parse_span(options["since"]) if options["since"] else None
        except ValueError as exc:
            raise CommandError(f"--since: {exc}") from None
        tenant = options["tenant"].strip().lower() or None
        if tenant is not None:
            try:
                tenant = str(uuid.UUID(tenant))
            except ValueError:
                raise CommandError(
                    "--tenant: a tenant ID is a UUID, e.g. 6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b, "
                    f"not {tenant!r}."
                ) from None
        if options["reindex"]:
            self._reindex(tenant)
        if options["once"]:
            reports = sync_pass(tenant=tenant, since=since)
            self._say(reports)
            self._read_slas(reports)
            if not reports:
                self.stderr.write("No tenant to sync: no grants and no DASHBOARD_DEFAULT_TENANT.")
            if any(r.error for r in reports):
                raise CommandError("The API failed for some tenants; the next pass resumes.")
            return
        stop = threading.Event()

        def ask_to_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, ask_to_stop)
        signal.signal(signal.SIGINT, ask_to_stop)
        while not stop.is_set():
            close_old_connections()
            reports = sync_pass(tenant=tenant, since=since)
            since = None  # the backfill cursor remembers how far back it was asked to go
            self._say(reports)
            self._read_slas(reports)
            pause = max(
                [float(settings.INDEX_SYNC_INTERVAL)] + [r.retry_after or 0.0 for r in reports]
            )
            stop.wait(pause)
        self.stdout.write("Stopped.")

    def _reindex(self, tenant: str | None) -> None:
        for tenant_id in tenants_to_sync(tenant):
            forgotten = start_reindex(tenant_id)
            if forgotten is None:
                raise CommandError(
                    f"{tenant_id}: another process is syncing this tenant (it holds the lock);"
                    " stop it, then ask again."
                )
            self.stdout.write(
                f"{tenant_id}: {forgotten} indexed interactions will be read again and rewritten"
            )

    def _say(self, reports: list[PassReport]) -> None:
        for r in reports:
            if r.locked_out:
                self.stderr.write(
                    f"{r.tenant_id}: another process is syncing this tenant (it holds the lock); "
                    "left to it."
                )
                continue
            line = (
                f"{r.tenant_id}: {r.stored} stored, {r.skipped} unchanged, "
                f"{r.unreadable} unreadable, {r.reread} re-read, {r.api_calls} API calls, "
                f"{r.purged} purged"
            )
            if r.budget_spent:
                line += "; call budget spent, continues next pass"
            if r.error:
                self.stderr.write(f"{line}; stopped by: {r.error}")
            else:
                self.stdout.write(line)

    def _read_slas(self, reports: list[PassReport]) -> None:
        """The queue SLAs from the API's configuration, where due (``sla_source.py``),
        for the tenants this process synced (not those another process holds)."""
        for r in reports:
            if r.locked_out:
                continue
            with tenant_lock(r.tenant_id) as held:
                read = read_if_due(get_client(), r.tenant_id, now=timezone.now()) if held else None
            if read is not None:
                self.stdout.write(
                    f"{r.tenant_id}: SLA configuration {read.outcome}: {read.queues} queues "
                    f"with {read.slas} SLAs, {read.api_calls} API calls"
                )
