"""The sync worker's passes: keep the index fresh from the API's list endpoint.

One pass, per tenant that has a grant (plus ``DASHBOARD_DEFAULT_TENANT``), while
holding that tenant's lock (``locks.py``):

1. forward: from where the last pass stopped, minus ``INDEX_SYNC_OVERLAP`` (late
   data), up to now, in windows of ``INDEX_SYNC_WINDOW``;
2. re-read, one by one, interactions still in progress until the API says they
   are complete;
3. backfill: from how far back it has got down to ``backfill_from``, newest
   window first (``--since`` asks for more);
4. purge what is older than ``INDEX_RETENTION_DAYS``.

The cursors in ``SyncState`` move only after a window is stored, so an API
failure loses nothing: the error is recorded for the staff page and the next
pass resumes where this one stopped. Every API call counts against
``INDEX_SYNC_MAX_CALLS`` per tenant and pass. Rows the parser cannot read are
counted and logged with their IDs; the others are stored.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from dashboard.accounts.models import TenantGrant
from dashboard.cxengage.errors import CxEngageError, NotFound
from dashboard.cxengage.factory import get_client
from dashboard.interactions.domain import Interaction
from dashboard.interactions.parsing import list_results, named_ids, parse_interaction

from .indexer import IndexResult, index_interactions, source_hash
from .locks import tenant_lock
from .models import IndexedInteraction, SyncState

log = logging.getLogger("dashboard.index")

#: The list endpoint's largest page.
PAGE_SIZE = 1000
#: In-progress interactions older than this are no longer re-read: the platform
#: gave up on them (they stay flagged as incomplete in the index).
REREAD_FOR = timedelta(days=3)
#: Backfill windows are this many forward windows long (a day at the default hour):
#: old data changes little, and each empty window still costs a call.
BACKFILL_WINDOWS = 24


class BudgetSpent(Exception):
    """This pass has made all the API calls it may for this tenant."""


@dataclass
class PassReport:
    """What one pass did for one tenant (also logged, and kept in ``SyncState``)."""

    tenant_id: str
    #: Another process holds the tenant's lock: this one did nothing.
    locked_out: bool = False
    stored: int = 0
    skipped: int = 0
    unreadable: int = 0
    #: Interactions fetched one by one: list rows without their details, in-progress re-reads.
    fetched_singly: int = 0
    reread: int = 0
    api_calls: int = 0
    windows: int = 0
    purged: int = 0
    budget_spent: bool = False
    error: str = ""
    #: Seconds the API asked to be left alone (a 429 that outlasted the client's retries).
    retry_after: float | None = None
    unreadable_ids: list[str] = field(default_factory=list)

    def add(self, result: IndexResult) -> None:
        self.stored += result.stored
        self.skipped += result.skipped
        self.unreadable += len(result.rejected)
        self.unreadable_ids += list(result.rejected)


def tenants_to_sync(only: str | None = None) -> list[str]:
    """Every tenant someone may see (a grant), plus the default tenant; or just ``only``."""
    if only:
        return [only.strip().lower()]
    tenants = {t.strip().lower() for t in TenantGrant.objects.values_list("tenant_id", flat=True)}
    if settings.DASHBOARD_DEFAULT_TENANT:
        tenants.add(settings.DASHBOARD_DEFAULT_TENANT.strip().lower())
    return sorted(tenants)


def sync_pass(
    *, tenant: str | None = None, since: timedelta | None = None, now: datetime | None = None
) -> list[PassReport]:
    """One pass over every tenant (or ``tenant``); ``since`` asks for a backfill that far."""
    return [sync_tenant(t, since=since, now=now) for t in tenants_to_sync(tenant)]


def sync_tenant(
    tenant_id: str, *, since: timedelta | None = None, now: datetime | None = None
) -> PassReport:
    """One pass for one tenant, if no other process is syncing it."""
    tenant_id = tenant_id.strip().lower()
    with tenant_lock(tenant_id) as held:
        if not held:
            log.warning(
                "index sync: tenant %s is being synced by another process (its lock is held); "
                "this one leaves it alone",
                tenant_id,
                extra={"tenant_id": tenant_id},
            )
            return PassReport(tenant_id, locked_out=True)
        return _Pass(tenant_id, now or timezone.now(), since).run()


class _Pass:
    def __init__(self, tenant_id: str, now: datetime, since: timedelta | None) -> None:
        self.tenant_id = tenant_id
        self.now = now
        self.since = since
        self.report = PassReport(tenant_id)
        self.client = get_client()
        self.calls_left: int = settings.INDEX_SYNC_MAX_CALLS
        self.window = timedelta(seconds=settings.INDEX_SYNC_WINDOW)
        self.floor = now - timedelta(days=settings.INDEX_RETENTION_DAYS)
        #: Interactions this pass has read (from a list page or singly): not re-read again.
        self.seen: set[str] = set()
        self.state = SyncState.objects.get_or_create(tenant_id=tenant_id)[0]

    # -- the pass ---------------------------------------------------------------

    def run(self) -> PassReport:
        state = self.state
        state.last_pass_started = self.now
        self._plan()
        state.save()
        try:
            self._forward()
            self._reread()
            self._backfill()
        except BudgetSpent:
            self.report.budget_spent = True
            log.warning(
                "index sync: tenant %s used its %d API calls for this pass; "
                "the rest waits for the next one",
                self.tenant_id,
                settings.INDEX_SYNC_MAX_CALLS,
            )
        except CxEngageError as exc:
            self._failed(exc)
        self.report.purged = self._purge()
        self._finish()
        return self.report

    def _plan(self) -> None:
        """Where this pass starts: a first pass reaches back a day, ``since`` further."""
        state = self.state
        lookback = self.since or timedelta(days=settings.INDEX_SYNC_FIRST_DAYS)
        wanted_from = max(self.now - lookback, self.floor)
        if state.synced_until is None:
            # Nothing covered yet: the backfill walks down from now.
            state.synced_until = state.backfilled_to = self.now
            state.backfill_from = wanted_from
        elif self.since is not None and (
            state.backfill_from is None or wanted_from < state.backfill_from
        ):
            state.backfill_from = wanted_from
            if state.backfilled_to is None:
                state.backfilled_to = state.synced_until
        if state.backfill_from is not None and state.backfill_from < self.floor:
            state.backfill_from = self.floor  # older rows would be purged anyway
        if state.backfilled_to is not None and state.backfill_from is not None:
            state.backfilled_to = max(state.backfilled_to, state.backfill_from)

    def _forward(self) -> None:
        state = self.state
        if state.synced_until is None:  # set by _plan; kept for the type checker
            return
        overlap = timedelta(seconds=settings.INDEX_SYNC_OVERLAP)
        start = max(state.synced_until - overlap, self.floor)
        if state.backfilled_to is not None:
            start = max(start, min(state.backfilled_to, state.synced_until))  # backfill reads it
        while start < self.now:
            end = min(start + self.window, self.now)
            self._window(start, end)
            state.synced_until = max(state.synced_until, end)
            state.save(update_fields=["synced_until"])
            start = end

    def _backfill(self) -> None:
        state = self.state
        if state.backfill_from is None or state.backfilled_to is None:
            return
        while state.backfilled_to > state.backfill_from:
            start = max(state.backfilled_to - self.window * BACKFILL_WINDOWS, state.backfill_from)
            self._window(start, state.backfilled_to)
            state.backfilled_to = start
            state.save(update_fields=["backfilled_to"])

    # -- reading ------------------------------------------------------------------

    def _spend(self) -> None:
        if self.calls_left <= 0:
            raise BudgetSpent
        self.calls_left -= 1
        self.report.api_calls += 1

    def _window(self, start: datetime, end: datetime) -> None:
        """Read and store every page of one window; raises on an API failure.

        The next page is asked for while this one is parsed and stored (one
        thread waiting on the API, which releases the GIL), so the API's time
        and the worker's overlap.
        """
        self.report.windows += 1

        def fetch(offset: int) -> dict[str, Any]:
            return self.client.list_interactions(
                self.tenant_id, start=start, end=end, limit=PAGE_SIZE, offset=offset
            )

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-prefetch") as pool:
            offset = 0
            self._spend()
            pending: Future[dict[str, Any]] | None = pool.submit(fetch, offset)
            while pending is not None:
                rows, total, zone = list_results(pending.result())
                pending = None
                following = offset + len(rows)
                out_of_calls = False
                if rows and following < total:
                    try:
                        self._spend()
                    except BudgetSpent:
                        out_of_calls = True  # this page is stored first
                    else:
                        pending = pool.submit(fetch, following)
                if zone and zone != self.state.tenant_timezone:
                    self.state.tenant_timezone = zone
                    self.state.save(update_fields=["tenant_timezone"])
                try:
                    self._store_page(rows, where=f"{start:%Y-%m-%d %H:%M}+{offset}")
                except BaseException:
                    if pending is not None:
                        pending.cancel()
                    raise
                if out_of_calls:
                    raise BudgetSpent
                offset = following

    def _store_page(self, rows: list[Any], *, where: str) -> None:
        hashed: list[tuple[Any, str, str | None]] = []
        for raw in rows:
            interaction_id = named_ids(raw)[1]
            hashed.append((raw, source_hash(raw), interaction_id))
        known = dict(
            IndexedInteraction.objects.filter(
                tenant_id=self.tenant_id,
                interaction_id__in=[iid for _, _, iid in hashed if iid],
            ).values_list("interaction_id", "source_hash")
        )
        batch: list[tuple[Interaction, str]] = []
        thin: list[tuple[str, str]] = []
        for position, (raw, digest, interaction_id) in enumerate(hashed):
            if interaction_id:
                self.seen.add(interaction_id)
                if known.get(interaction_id) == digest:
                    self.report.skipped += 1  # unchanged: not even parsed again
                    continue
            item = self._parse(raw, label=interaction_id or f"row {position} of page {where}")
            if item is None:
                continue
            if interaction_id and not (item.segments or item.queues or item.agents):
                thin.append((interaction_id, digest))
                continue
            batch.append((item, digest))
        batch += self._fetch_thin(thin)
        self.report.add(index_interactions(self.tenant_id, batch))

    def _parse(self, raw: Any, *, label: str) -> Interaction | None:
        try:
            return parse_interaction(raw)
        except Exception:  # one unreadable row must not stop the pass: count it, name it
            self.report.unreadable += 1
            self.report.unreadable_ids.append(label)
            log.warning(
                "index sync: tenant %s: unreadable interaction %s; skipped",
                self.tenant_id,
                label,
                exc_info=True,
            )
            return None

    def _fetch_thin(self, thin: list[tuple[str, str]]) -> list[tuple[Interaction, str]]:
        """List rows without segments, queues or agents: the whole record, fetched singly."""
        if not thin:
            return []
        log.info(
            "index sync: tenant %s: the list answer lacks segments, queues and agents for %d "
            "interactions; fetching them one by one",
            self.tenant_id,
            len(thin),
        )
        fetched: list[tuple[Interaction, str]] = []
        for interaction_id, list_digest in thin:
            self._spend()
            self.report.fetched_singly += 1
            try:
                raw = self.client.get_interaction(self.tenant_id, interaction_id)
            except NotFound:
                continue
            item = self._parse(raw, label=interaction_id)
            if item is not None:
                # Keyed by the list row's hash: an unchanged row is not fetched again.
                fetched.append((item, list_digest))
        return fetched

    def _reread(self) -> None:
        """Interactions still in progress, fetched singly until the API says they are done."""
        limit: int = settings.INDEX_SYNC_REREAD_MAX
        if limit <= 0:
            return
        candidates = (
            IndexedInteraction.objects.filter(tenant_id=self.tenant_id)
            .filter(Q(data_complete=False) | Q(data_complete__isnull=True))
            .filter(Q(start__gte=self.now - REREAD_FOR) | Q(start__isnull=True))
            .order_by(F("start").desc(nulls_last=True))
            .values_list("interaction_id", flat=True)
        )
        todo = [iid for iid in candidates[: limit + len(self.seen)] if iid not in self.seen][:limit]
        batch: list[tuple[Interaction, str]] = []
        try:
            for interaction_id in todo:
                self._spend()
                self.report.fetched_singly += 1
                self.report.reread += 1
                try:
                    raw = self.client.get_interaction(self.tenant_id, interaction_id)
                except NotFound:
                    log.info("index sync: in-progress %s is no longer found", interaction_id)
                    continue
                self.seen.add(interaction_id)
                item = self._parse(raw, label=interaction_id)
                if item is not None:
                    batch.append((item, source_hash(raw)))
        finally:
            # What was read before a failure is kept.
            self.report.add(index_interactions(self.tenant_id, batch))

    # -- bookkeeping --------------------------------------------------------------

    def _failed(self, exc: CxEngageError) -> None:
        report, state = self.report, self.state
        status = f" {exc.status}" if exc.status else ""
        report.error = f"{exc.kind}{status}: {exc.message}" + (f" ({exc.path})" if exc.path else "")
        report.retry_after = exc.retry_after
        state.last_error = report.error
        state.last_error_at = timezone.now()
        state.errors_total += 1
        log.warning(
            "index sync: tenant %s stopped by an API failure, kept its cursor: %s",
            self.tenant_id,
            report.error,
            extra={"tenant_id": self.tenant_id, "upstream_status": exc.status},
        )

    def _purge(self) -> int:
        old = IndexedInteraction.objects.filter(tenant_id=self.tenant_id).filter(
            Q(start__lt=self.floor) | Q(start__isnull=True, indexed_at__lt=self.floor)
        )
        purged = 0
        while ids := list(old.values_list("pk", flat=True)[:5000]):
            purged += (
                IndexedInteraction.objects.filter(pk__in=ids)
                .delete()[1]
                .get(IndexedInteraction._meta.label, 0)
            )
        if purged:
            log.info("index sync: tenant %s: purged %d interactions", self.tenant_id, purged)
        return purged

    def _finish(self) -> None:
        report, state = self.report, self.state
        state.last_pass_finished = timezone.now()
        state.last_pass_stored = report.stored
        state.last_pass_skipped = report.skipped
        state.last_pass_api_calls = report.api_calls
        state.last_pass_unreadable = report.unreadable
        state.last_pass_reread = report.reread
        if not report.error:
            state.last_error = ""  # recovered; last_error_at and errors_total keep the history
        state.save()
        if report.unreadable:
            log.warning(
                "index sync: tenant %s: %d unreadable interactions skipped: %s",
                self.tenant_id,
                report.unreadable,
                ", ".join(report.unreadable_ids[:50]),
            )
        log.info(
            "index sync: tenant %s: %d stored, %d unchanged, %d unreadable, %d re-read, "
            "%d API calls, %d windows, %d purged%s",
            self.tenant_id,
            report.stored,
            report.skipped,
            report.unreadable,
            report.reread,
            report.api_calls,
            report.windows,
            report.purged,
            f"; error: {report.error}" if report.error else "",
        )
