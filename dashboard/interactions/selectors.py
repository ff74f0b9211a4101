"""Reads that views call: interactions and lists, fetched, parsed and masked for the viewer.

Every read of customer data goes through here, so the masking policy is applied
in one place: a viewer without the contact-details permission never gets an
unmasked object from this module. Nothing here writes.
"""

from __future__ import annotations

import contextvars
import copy
import logging
import os
import re
import threading
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.utils.timezone import now as django_now

from dashboard.accounts.access import can_see_contact_details, granted_tenants
from dashboard.accounts.budget import spend_list_scan
from dashboard.cxengage import errors
from dashboard.index import flagged as index_flagged
from dashboard.index import selectors as index

from . import listing, masking
from .cache import MEMO, Entry, fetch_entry, is_cached
from .domain import Interaction, Summary, unaccepted_offers
from .parsing import mask_raw, parse_interaction

log = logging.getLogger("dashboard.interactions")

T = TypeVar("T")


@dataclass(frozen=True)
class Fetched:
    """An interaction as one viewer may see it, with where it came from."""

    interaction: Interaction
    fetched_at: datetime
    cache_outcome: str  # hit, miss, wait, stale
    #: Set when the API failed and this is the last good copy: what failed.
    stale_reason: str
    #: Names this copy of the data and its masking, for the render memo.
    version: tuple[Hashable, ...]
    #: The JSON as this viewer may see it, made on first use: the page never reads
    #: it, and masking a big body costs more than drawing the page.
    raw_for_viewer: Callable[[], dict[str, Any]] = field(repr=False, compare=False)

    @property
    def raw(self) -> dict[str, Any]:
        return self.raw_for_viewer()

    @property
    def masked(self) -> bool:
        return self.interaction.redacted


def derived(fetched: Fetched, what: str, *args: Hashable, make: Callable[[], T]) -> T:
    """A value derived from ``fetched`` (and ``args``), computed once per copy and process."""
    return MEMO.get((what, *fetched.version, *args), make, group=(what, *fetched.version))


def for_masked_viewer(
    interaction: Interaction, raw: dict[str, Any]
) -> tuple[Interaction, dict[str, Any]]:
    """The one masking policy, for a viewer without the contact-details permission:
    the allowlist of fields (``parsing.mask_raw``) and the masks (``masking``).

    ``get_interaction`` applies its two halves, ``masked_interaction`` and
    ``masked_raw``, one at a time: the page reads only the first."""
    return masked_interaction(interaction), masked_raw(raw)


def masked_interaction(interaction: Interaction) -> Interaction:
    """The parsed half of ``for_masked_viewer``."""
    return masking.mask_interaction(interaction)


def masked_raw(raw: dict[str, Any]) -> dict[str, Any]:
    """The JSON half of ``for_masked_viewer`` (raw view, download, dossier)."""
    return mask_raw(raw)


# What the API said, quoted by the client at the end of its message: "The API has no such
# record (…)." The quote is the API's free text, which may name the customer.
_API_WORDS = re.compile(r" \(.*\)(?=\.?$)", re.S)


def masked_error(exc: errors.CxEngageError) -> errors.CxEngageError:
    """``exc`` as a viewer without the contact-details permission may read it: what went
    wrong, with the API's own words withheld (they may quote a customer's email)."""
    said = _API_WORDS.sub(f" ({masking.WITHHELD})", exc.message, count=1)
    if said == exc.message:
        return exc
    masked = copy.copy(exc)
    masked.message = said
    masked.args = (said,)
    return masked


def _error_for(exc: errors.CxEngageError, viewer: Any) -> errors.CxEngageError:
    return exc if can_see_contact_details(viewer) else masked_error(exc)


def _fetch_entry(tenant_id: str, interaction_id: str, viewer: Any) -> Entry:
    try:
        return fetch_entry(tenant_id, interaction_id)
    except errors.CxEngageError as exc:
        masked = _error_for(exc, viewer)
        if masked is exc:
            raise
        raise masked from None


def _parsed(copy: tuple[str, str, float], entry: Entry) -> Interaction:
    """The parsed copy of ``entry``, once per copy and process (the render memo)."""
    return MEMO.get(("parsed", *copy), lambda: parse_interaction(entry.raw))


def get_interaction(*, tenant_id: str, interaction_id: str, viewer: Any) -> Fetched:
    """The interaction through the shared cache, parsed, and masked unless ``viewer`` may see it."""
    entry = _fetch_entry(tenant_id, interaction_id, viewer)
    copy = (tenant_id, interaction_id, entry.fetched_at.timestamp())
    parsed = _parsed(copy, entry)
    raw_for_viewer: Callable[[], dict[str, Any]]
    if can_see_contact_details(viewer):
        interaction, version = parsed, (*copy, "open")

        def raw_for_viewer() -> dict[str, Any]:
            return entry.raw
    else:
        interaction = MEMO.get(("masked", *copy), lambda: masked_interaction(parsed))
        version = (*copy, "masked")

        def raw_for_viewer() -> dict[str, Any]:
            return MEMO.get(("masked-raw", *copy), lambda: masked_raw(entry.raw))

    return Fetched(
        interaction=interaction,
        fetched_at=entry.fetched_at,
        cache_outcome=entry.outcome,
        stale_reason=(
            entry.stale_reason
            if can_see_contact_details(viewer) or not entry.stale_reason
            else masked_error(errors.CxEngageError(entry.stale_reason)).message
        ),
        version=version,
        raw_for_viewer=raw_for_viewer,
    )


_pool_lock = threading.Lock()
_pool: tuple[int, ThreadPoolExecutor, threading.BoundedSemaphore] | None = None
#: Background fetches a process runs or holds queued at most: past it (an API so slow
#: that fetches pile up), a page waits for its answer instead of queueing another.
PREFETCH_BACKLOG = 64


def _prefetch_pool() -> tuple[ThreadPoolExecutor, threading.BoundedSemaphore]:
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():  # a pool does not survive a fork
            _pool = (
                os.getpid(),
                ThreadPoolExecutor(max_workers=8, thread_name_prefix="prefetch"),
                threading.BoundedSemaphore(PREFETCH_BACKLOG),
            )
        return _pool[1], _pool[2]


def get_interaction_within(
    *, tenant_id: str, interaction_id: str, viewer: Any, wait: float
) -> Fetched | None:
    """The interaction if it can be had within ``wait`` seconds, else None.

    The fetch goes on in the background and fills the cache, so the page can
    show its frame at once and load the rest with the next request (which joins
    the same single-flight fetch). When ``PREFETCH_BACKLOG`` fetches are already
    running or queued, this one is not queued: the caller waits for it.
    """
    if is_cached(tenant_id, interaction_id):
        return get_interaction(tenant_id=tenant_id, interaction_id=interaction_id, viewer=viewer)
    pool, slots = _prefetch_pool()
    if not slots.acquire(blocking=False):
        log.warning("background fetches are backed up: this page waits for the API")
        return get_interaction(tenant_id=tenant_id, interaction_id=interaction_id, viewer=viewer)
    # The request's context (its request ID, for logs and the upstream header) goes along.
    future = pool.submit(contextvars.copy_context().run, fetch_entry, tenant_id, interaction_id)
    future.add_done_callback(lambda _: slots.release())
    try:
        future.result(timeout=wait)
    except FutureTimeout:
        return None
    except errors.CxEngageError as exc:
        masked = _error_for(exc, viewer)
        if masked is exc:
            raise
        raise masked from None
    return get_interaction(tenant_id=tenant_id, interaction_id=interaction_id, viewer=viewer)


# -- lists ---------------------------------------------------------------------


def _masked_scan(found: listing.Scan, viewer: Any) -> listing.Scan:
    if can_see_contact_details(viewer):
        return found
    error = masked_error(found.error) if found.error else found.error
    return replace(found, rows=[masking.mask_summary(row) for row in found.rows], error=error)


def flagged_scan(
    *, tenant_id: str, window: listing.Range, viewer: Any, budget: float | None = None
) -> listing.Scan:
    """Flagged interactions in ``window``: from the index where it covers the range,
    else (and for the rest) live, as far as ``budget`` seconds of loading get.

    Each page asked of the API (not the cached ones) counts against the
    viewer's API budget; past it ``BudgetExceeded`` leaves this call.
    """
    found = index.flagged(
        tenant_id,
        window,
        now=django_now(),
        budget=budget,
        on_upstream_page=lambda: spend_list_scan(viewer),
    )
    return _masked_scan(found, viewer)


def flagged_page(
    *,
    tenant_id: str,
    window: listing.Range,
    viewer: Any,
    refinement: listing.Refinement,
    offset: int,
    limit: int,
) -> listing.Paged | None:
    """One page of the flagged list, filtered, ordered and counted by the index's SQL;
    None when the index does not cover ``window`` (``flagged_scan`` reads it then)."""
    found = index_flagged.page(
        tenant_id, window, refinement, offset=offset, limit=limit, now=django_now()
    )
    if found is None or can_see_contact_details(viewer):
        return found
    return replace(found, rows=[masking.mask_summary(row) for row in found.rows])


def flagged_export(
    *, tenant_id: str, window: listing.Range, viewer: Any, refinement: listing.Refinement
) -> tuple[int, Iterator[Summary]] | None:
    """How many flagged interactions pass the filters, and every one of them read from the
    index as they are consumed (for the CSV); None when the index does not cover ``window``."""
    found = index_flagged.every_row(tenant_id, window, refinement, now=django_now())
    if found is None or can_see_contact_details(viewer):
        return found
    count, rows = found
    return count, (masking.mask_summary(row) for row in rows)


def flagged_order(
    *, tenant_id: str, window: listing.Range, refinement: listing.Refinement, always: str
) -> list[tuple[str, bool, bool]] | None:
    """The flagged list's IDs in order, each with whether it passes the filters and whether
    the list holds it (``always`` kept where it would sit, whatever they say); None when the
    index does not cover ``window``. IDs only: nothing to mask."""
    return index_flagged.order(tenant_id, window, refinement, always=always, now=django_now())


def list_row(*, tenant_id: str, interaction_id: str) -> Summary | None:
    """One interaction as a list row, to find where it would sit in a list that no longer
    holds it: from the index, else from the cached copy of the interaction (never the API);
    None when neither has it. Unmasked: for its place in the order only, never shown."""
    found = index.one_summary(tenant_id, interaction_id)
    if found is not None or not is_cached(tenant_id, interaction_id):
        return found
    try:
        entry = fetch_entry(tenant_id, interaction_id)
    except errors.CxEngageError:  # a failure remembered in place of a copy
        return None
    item = _parsed((tenant_id, interaction_id, entry.fetched_at.timestamp()), entry)
    refused = unaccepted_offers(item)  # offered, never accepted: not among who handled it
    return Summary(
        interaction_id=interaction_id,
        start=item.start,
        end=item.end,
        channel_type=item.channel_type,
        direction=item.direction,
        flow_name=item.flow_name,
        customer=item.customer,
        flag=item.flag,
        interaction_time=item.interaction_time,
        agent_names=_distinct(a.agent_name for a in item.agents if id(a) not in refused),
        queue_names=_distinct(q.queue_name for q in item.queues if not q.direct),
    )


def _distinct(names: Iterator[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n.strip() for n in names if n and n.strip()))


def ticket_scan(
    *, tenant_id: str, hook_type: str, hook_id: str, now: datetime, viewer: Any
) -> listing.Scan:
    """Interactions linked to one CRM record (a Zendesk ticket, a Salesforce case), index
    first; live pages count against the viewer's API budget."""
    found = index.by_hook(
        tenant_id, hook_type, hook_id, now=now, on_upstream_page=lambda: spend_list_scan(viewer)
    )
    return _masked_scan(found, viewer)


@dataclass(frozen=True)
class TicketMatches:
    """Interactions linked to one CRM record, across every tenant the viewer may see."""

    tenants: list[str]
    #: Newest first whatever tenant each is in; a start not known last.
    matches: list[tuple[str, Summary]]
    failures: list[errors.CxEngageError]
    #: Where the rows came from: the index (and how fresh), or the API live.
    sources: list[str]
    #: Each tenant as the viewer's grant names it (its label), else its ID.
    labels: dict[str, str] = field(default_factory=dict)


def ticket_matches(*, viewer: Any, hook_type: str, hook_id: str, now: datetime) -> TicketMatches:
    grants = granted_tenants(viewer)
    labels = {g.tenant_id: g.label.strip() or g.tenant_id for g in grants}
    tenants = [g.tenant_id for g in grants]
    default = settings.DASHBOARD_DEFAULT_TENANT
    if viewer.is_superuser and default and default not in tenants:
        tenants.insert(0, default)
    matches: list[tuple[str, Summary]] = []
    failures: list[errors.CxEngageError] = []
    sources: set[str] = set()
    for tenant in tenants:
        found = ticket_scan(
            tenant_id=tenant, hook_type=hook_type, hook_id=hook_id, now=now, viewer=viewer
        )
        matches += [(tenant, row) for row in found.rows]
        sources.add(found.source)
        if found.error:
            failures.append(found.error)
    # Stable, and descending: ties keep each tenant's own order.
    matches.sort(key=lambda m: (m[1].start is not None, m[1].start or now), reverse=True)
    labels = {tenant: labels.get(tenant, tenant) for tenant in tenants}
    return TicketMatches(tenants, matches, failures, sorted(sources - {""}), labels)
