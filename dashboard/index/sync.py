"""The sync worker's passes: keep the index fresh from the API's list endpoint.

One pass, per tenant that has a grant (plus ``DASHBOARD_DEFAULT_TENANT``), while
holding that tenant's lock (``locks.py``):

1. forward: from where the last pass stopped, minus ``INDEX_SYNC_OVERLAP`` (late
   data), up to now, in windows of ``INDEX_SYNC_WINDOW``;
2. re-read, one by one, interactions still in progress until the API says they
   are complete, and every ``INDEX_SYNC_LATE_EVERY`` list the last
   ``INDEX_SYNC_LATE_HOURS`` again (a flag or a late end arrives hours later);
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

import gc
import logging
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
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

from .indexer import (
    IndexResult,
    PreparedBatch,
    index_interactions,
    prepare_batch,
    source_hash,
    stored_hashes,
    write_batch,
)
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
#: How often (seconds) the sync's threads take turns at the interpreter (``_tuned_for_pages``).
SWITCH_INTERVAL = 0.0005


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


#: A window of start times: start <= startTimestamp < end.
_Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class _Page:
    """One list page as fetched: each row with its source hash and the ID it names."""

    #: Which of the pass's windows (an index into them), and where in it.
    window: int
    offset: int
    rows: list[tuple[Any, str, str | None]]
    #: The window's last page: once it is stored, the window is.
    last: bool
    zone: str | None
    #: For the log: the window's start and the offset.
    where: str
    #: The window's span of start times (what the page's rows were listed for).
    span: _Span | None = None


@dataclass(frozen=True)
class _Parsed:
    """A page parsed beside the storing thread: its rows built, and what to tell."""

    page: _Page
    batch: PreparedBatch
    #: List rows without their details (ID, the row's hash): fetched singly when stored.
    thin: list[tuple[str, str]]
    #: Labels of rows the parser could not read (already logged).
    unreadable: list[str]
    #: Rows whose stored hash is their own: not parsed.
    skipped: int


@contextmanager
def _tuned_for_pages() -> Iterator[None]:
    """The interpreter set for reading pages in three threads, and set back after.

    The cycle collector is paused: a page decodes into a few hundred thousand dicts and
    lists, which set it off again and again (a full collection walks every object of the
    process, with every thread stopped), while reference counting frees them all; a pass
    leaves next to no cycles behind (a few thousand objects for the bench's 20,000).

    Threads take turns at the interpreter every 0.5 ms instead of 5: the storing thread
    waits for PostgreSQL a dozen times a page, and after each answer it waits for the
    parsing thread to let go of the interpreter, up to that long.
    """
    enabled = gc.isenabled()
    interval = sys.getswitchinterval()
    gc.disable()
    sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        if enabled:
            gc.enable()


def _parse(tenant_id: str, raw: Any, label: str, unreadable: list[str]) -> Interaction | None:
    """``parse_interaction``, or None with ``label`` noted and logged: one unreadable row
    must not stop the pass."""
    try:
        return parse_interaction(raw)
    except Exception:
        unreadable.append(label)
        log.warning(
            "index sync: tenant %s: unreadable interaction %s; skipped",
            tenant_id,
            label,
            exc_info=True,
        )
        return None


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


def start_reindex(tenant_id: str, *, now: datetime | None = None) -> int | None:
    """Have the sync read every indexed interaction of ``tenant_id`` again and rewrite its
    rows with what this version of the dashboard makes of them (after a change in how
    the index reads an interaction): every stored hash is forgotten, and the backfill
    starts again from the newest covered instant down to the oldest indexed start.

    Until that backfill is done the index covers only what it has re-read, so the
    flagged list reads the rest live, as for a new tenant. Returns how many
    interactions will be rewritten; None when another process is syncing the tenant.
    """
    tenant_id = tenant_id.strip().lower()
    now = now or timezone.now()
    floor = now - timedelta(days=settings.INDEX_RETENTION_DAYS)
    with tenant_lock(tenant_id) as held:
        if not held:
            return None
        rows = IndexedInteraction.objects.filter(tenant_id=tenant_id)
        forgotten = rows.exclude(source_hash="").update(source_hash="")
        state = SyncState.objects.filter(tenant_id=tenant_id).first()
        if state is not None and state.synced_until is not None:
            starts = [
                moment
                for moment in (
                    state.backfill_from,
                    rows.order_by("start").values_list("start", flat=True).first(),
                )
                if moment is not None
            ]
            state.backfill_from = max(min(starts, default=floor), floor)
            state.backfilled_to = state.synced_until
            state.save(update_fields=["backfill_from", "backfilled_to"])
        return forgotten


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
            self._late()
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
        windows: list[_Span] = []
        while start < self.now:
            end = min(start + self.window, self.now)
            windows.append((start, end))
            start = end

        def stored(window: _Span) -> None:
            state.synced_until = max(state.synced_until or window[1], window[1])
            state.save(update_fields=["synced_until"])

        self._read(windows, stored)

    def _late(self) -> None:
        """Every ``INDEX_SYNC_LATE_EVERY`` seconds, the last ``INDEX_SYNC_LATE_HOURS`` listed
        again, below what the forward pass read: the platform flags an interaction, or
        sends an agent's or a queue's end, hours after the interaction was stored
        complete, and only a list row (its hash changed) says so. Rows that did not
        change are neither fetched nor written. The part the backfill has still to read
        is left to it; a first pass only starts the clock."""
        state = self.state
        hours = float(settings.INDEX_SYNC_LATE_HOURS)
        if hours <= 0 or state.synced_until is None:
            return
        if state.late_swept_at is not None and (
            (self.now - state.late_swept_at).total_seconds() < settings.INDEX_SYNC_LATE_EVERY
        ):
            return
        overlap = timedelta(seconds=settings.INDEX_SYNC_OVERLAP)
        end = state.synced_until - overlap  # the forward pass read from there on
        start = max(self.now - timedelta(hours=hours), self.floor)
        if state.backfilled_to is not None:
            start = max(start, state.backfilled_to)  # below it: the backfill's to read
        windows: list[_Span] = []
        while start < end:
            windows.append((start, min(start + self.window, end)))
            start = windows[-1][1]
        self._read(windows, lambda window: None)
        state.late_swept_at = self.now  # only once every window was read
        state.save(update_fields=["late_swept_at"])

    def _backfill(self) -> None:
        state = self.state
        if state.backfill_from is None or state.backfilled_to is None:
            return
        windows: list[_Span] = []
        end = state.backfilled_to
        while end > state.backfill_from:  # newest first
            start = max(end - self.window * BACKFILL_WINDOWS, state.backfill_from)
            windows.append((start, end))
            end = start

        def stored(window: _Span) -> None:
            state.backfilled_to = window[0]
            state.save(update_fields=["backfilled_to"])

        self._read(windows, stored)

    # -- reading ------------------------------------------------------------------

    def _spend(self) -> None:
        if self.calls_left <= 0:
            raise BudgetSpent
        self.calls_left -= 1
        self.report.api_calls += 1

    def _read(self, windows: list[_Span], stored: Callable[[_Span], None]) -> None:
        """Read and store every page of ``windows``, in order, calling ``stored`` for a
        window once its last page is stored (the caller moves its cursor there); raises
        on an API failure.

        Three steps overlap, each page moving through them in order: a thread
        fetches the next page (and hashes its rows), the next window's first one
        included, while another parses this one, while this thread stores the
        one before (PostgreSQL's time and the API's are spent while Python works
        on another page). Each page is stored in a transaction of its own; what
        was read before a failure is stored, and a window whose last page was
        among it counts as stored.
        """
        if not windows:
            return

        def fetch(window: int, offset: int) -> _Page:
            start, end = windows[window]
            answer = self.client.list_interactions(
                self.tenant_id, start=start, end=end, limit=PAGE_SIZE, offset=offset
            )
            rows, total, zone = list_results(answer)
            hashed = [(raw, source_hash(raw), named_ids(raw)[1]) for raw in rows]
            # Without a total, a page shorter than asked for is the last.
            last = not rows or (
                offset + len(rows) >= total if total is not None else len(rows) < PAGE_SIZE
            )
            where = f"{start:%Y-%m-%d %H:%M}+{offset}"
            return _Page(window, offset, hashed, last, zone, where, (start, end))

        def store(parsed: _Parsed) -> None:
            self._store(parsed)
            if parsed.page.last:
                stored(windows[parsed.page.window])

        with (
            _tuned_for_pages(),
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-fetch") as fetcher,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-parse") as parser,
        ):
            self._spend()
            self.report.windows += 1
            fetching: Future[_Page] | None = fetcher.submit(fetch, 0, 0)
            parsing: Future[_Parsed] | None = None  # the page before, to be stored
            out_of_calls = False
            try:
                while fetching is not None:
                    try:
                        page = fetching.result()
                    except BaseException:
                        if parsing is not None:
                            store(parsing.result())  # what was read is kept
                        raise
                    fetching = None
                    if page.last:
                        following = (page.window + 1, 0)  # the next window's first page
                    else:
                        following = (page.window, page.offset + len(page.rows))
                    if following[0] < len(windows):
                        try:
                            self._spend()
                        except BudgetSpent:
                            out_of_calls = True  # this page is stored first
                        else:
                            if following[1] == 0:
                                self.report.windows += 1
                            fetching = fetcher.submit(fetch, *following)
                    if page.zone and page.zone != self.state.tenant_timezone:
                        self.state.tenant_timezone = page.zone
                        self.state.save(update_fields=["tenant_timezone"])
                    before = parsing.result() if parsing is not None else None
                    known = self._known(page, before)
                    parsing = parser.submit(self._parse_page, page, known)
                    if before is not None:
                        store(before)  # while this page is parsed
                if parsing is not None:
                    store(parsing.result())
            finally:
                if fetching is not None:
                    fetching.cancel()
            if out_of_calls:
                raise BudgetSpent

    def _known(self, page: _Page, before: _Parsed | None) -> dict[str, str | None]:
        """The stored hash of each ID on ``page``, counting the page before as stored
        (it is, before this one is)."""
        ids = [iid for _, _, iid in page.rows if iid]
        self.seen.update(ids)
        known = stored_hashes(self.tenant_id, ids)
        if before is not None:
            for iid, rows in before.batch.rows.items():
                if iid in known:
                    known[iid] = rows.digest
        return known

    def _parse_page(self, page: _Page, known: dict[str, str | None]) -> _Parsed:
        """Parse a page's new and changed rows and build their index rows (no database,
        no API: it runs beside the thread that stores the page before)."""
        items: list[tuple[Interaction, str]] = []
        thin: list[tuple[str, str]] = []
        unreadable: list[str] = []
        skipped = 0
        for position, (raw, digest, interaction_id) in enumerate(page.rows):
            if interaction_id and known.get(interaction_id) == digest:
                skipped += 1  # unchanged: not even parsed again
                continue
            label = interaction_id or f"row {position} of page {page.where}"
            item = _parse(self.tenant_id, raw, label, unreadable)
            if item is None:
                continue
            if interaction_id and not (item.segments or item.queues or item.agents):
                thin.append((interaction_id, digest))
                continue
            items.append((item, digest))
        batch = prepare_batch(self.tenant_id, items, known, listed=page.span)
        return _Parsed(page, batch, thin, unreadable, skipped)

    def _store(self, parsed: _Parsed) -> None:
        """Store a parsed page (and its thin rows, fetched singly) in one transaction."""
        self.report.skipped += parsed.skipped
        self._unreadable(parsed.unreadable)
        batch = parsed.batch
        if parsed.thin:
            fetched = self._fetch_thin(parsed.thin)
            batch += prepare_batch(self.tenant_id, fetched, batch.known, listed=parsed.page.span)
        self.report.add(write_batch(batch))

    def _unreadable(self, labels: list[str]) -> None:
        self.report.unreadable += len(labels)
        self.report.unreadable_ids += labels

    def _parse(self, raw: Any, *, label: str) -> Interaction | None:
        unreadable: list[str] = []
        item = _parse(self.tenant_id, raw, label, unreadable)
        self._unreadable(unreadable)
        return item

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
            .values_list("interaction_id", "listed_from", "listed_to")
        )
        todo: list[str] = []
        listed: dict[str, tuple[datetime, datetime]] = {}
        for iid, listed_from, listed_to in candidates[: limit + len(self.seen)]:
            if iid not in self.seen and len(todo) < limit:
                todo.append(iid)
                if listed_from and listed_to:  # a single read keeps where the list had it
                    listed[iid] = (listed_from, listed_to)
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
            self.report.add(index_interactions(self.tenant_id, batch, listed=listed))

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
