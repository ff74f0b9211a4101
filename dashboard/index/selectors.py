"""Index-first list reads: the flagged list and ticket look-ups answered from the
index for the range it covers, and from a live scan of the list endpoint for
any part it has not covered yet, saying which was used.

Rows come back as ``listing.Scan`` of ``Summary`` (unmasked: the interactions
app's selectors mask them for the viewer, as for a live scan).
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Trim
from django.db.models.lookups import Exact
from django.utils.timesince import timesince

from dashboard.interactions import listing
from dashboard.interactions.domain import Flag, Summary

from .models import AgentLeg, Hook, IndexedInteraction, QueueVisit, SyncState
from .text import Folded

LIVE = "live from the API"
SUMMARY_COLUMNS = (
    "interaction_id",
    "start",
    "end",
    "channel",
    "direction",
    "flow_name",
    "customer",
    "flagged",
    "flag_type",
    "total_seconds",
)


@dataclass(frozen=True)
class Coverage:
    """The span of start times the index holds completely, and how fresh it is."""

    start: datetime
    end: datetime
    synced_until: datetime


def coverage(tenant_id: str, *, now: datetime) -> Coverage | None:
    """What the index covers for ``tenant_id``; None when the sync has not said.

    A last pass at most ``INDEX_FRESH_MINUTES`` ago counts as covering up to
    now: the flagged list of "the last 24 hours" would otherwise never be
    answered from the index.
    """
    state = SyncState.objects.filter(tenant_id=tenant_id).first()
    if state is None or state.synced_until is None:
        return None
    # The backfill reads from synced_until downwards: backfilled_to is how far it got.
    start = state.backfilled_to
    if start is None:
        return None
    fresh = timedelta(minutes=getattr(settings, "INDEX_FRESH_MINUTES", 15))
    end = now if now - state.synced_until <= fresh else state.synced_until
    return Coverage(start=start, end=end, synced_until=state.synced_until)


def index_stamp(tenant_id: str) -> str:
    """Changes whenever the sync stores a pass for ``tenant_id``: pages that show
    figures from the index put it in their ETag, so a browser's copy is not kept
    after the index changed."""
    alias = router.db_for_read(SyncState)
    with connections[alias].cursor() as cursor:
        cursor.execute(_stamp_sql(alias), [tenant_id])
        return repr(cursor.fetchone())


@functools.cache
def _stamp_sql(alias: str) -> str:
    """``index_stamp``'s read, written once per process: every interaction page makes
    it, and building it through the ORM cost many times more than running it."""
    quote = connections[alias].ops.quote_name
    names = ("last_pass_finished", "synced_until", "backfilled_to", "tenant_id")
    fields: list[Any] = [SyncState._meta.get_field(name) for name in names]
    *shown, tenant = (quote(field.column) for field in fields)
    table = quote(SyncState._meta.db_table)
    # Names from the model, the tenant as a parameter.
    return f"SELECT {', '.join(shown)} FROM {table} WHERE {tenant} = %s"  # noqa: S608


def tenant_zone(tenant_id: str) -> zoneinfo.ZoneInfo | None:
    """The tenant's own time zone, as the sync last read it from the list endpoint
    (``tenantTimezone``); None while no pass has said, or when it names no zone
    this server knows."""
    name = (
        SyncState.objects.filter(tenant_id=tenant_id)
        .values_list("tenant_timezone", flat=True)
        .first()
    )
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


def started_in(tenant_id: str, start: datetime, end: datetime) -> Q:
    """Indexed interactions that started in [start, end), as the list endpoint lists them: by
    their start, or, where it could not be read, by the span of start times the list page
    that named them was asked for (when it overlaps: it may have started in the range).

    The second half only for a tenant that has such rows: the "or" costs the range its
    index-only read (a week's flagged list of a large tenant reads three times slower)."""
    by_start = Q(start__gte=start, start__lt=end)
    if not _has_unstarted(tenant_id):
        return by_start
    return by_start | Q(start__isnull=True, listed_from__lt=end, listed_to__gt=start)


def _has_unstarted(tenant_id: str) -> bool:
    """Whether the tenant has an indexed interaction listed without a readable start
    (one probe of the tenant-and-start index)."""
    return IndexedInteraction.objects.filter(
        tenant_id=tenant_id, start__isnull=True, listed_from__isnull=False
    ).exists()


def flag_is(flag: str) -> Q:
    """Indexed interactions whose flag type is ``flag`` (a ``listing.flag_of`` value): one type
    whatever its case or spaces; ``listing.NO_FLAG_TYPE`` also takes those without one."""
    typed = Folded(Trim("flag_type"))
    condition = Q(Exact(typed, flag))
    if flag == listing.NO_FLAG_TYPE:
        condition |= Q(Exact(typed, ""))
    return condition


#: An interaction's agent legs in the order they were given it (its agents' names in order).
AGENT_ORDER = (F("started_at").asc(nulls_last=True), "pk")


def queue_names(visits: QuerySet[QueueVisit]) -> dict[int, list[str]]:
    """The named queues of ``visits`` per indexed interaction (its key), in the order they were
    entered, each once; not a direct transfer's line, which is named after its agent."""
    return _names(visits.exclude(direct=True).order_by("entered_at", "pk"), "queue_name")


def agent_names(legs: QuerySet[AgentLeg]) -> dict[int, list[str]]:
    """The named agents of ``legs`` per indexed interaction who had the work, in the order
    they were given it, each once: read from the legs, as a name may hold the joined
    column's comma. An agent only offered it, who never accepted, is not one of them."""
    return _names(legs.filter(offered_only=False).order_by(*AGENT_ORDER), "agent_name")


def offered_names(legs: QuerySet[AgentLeg]) -> dict[int, list[str]]:
    """The named agents of ``legs`` per indexed interaction who were offered the work and
    never accepted it (and never had it otherwise), in the order they were offered it."""
    offered = _names(legs.filter(offered_only=True).order_by(*AGENT_ORDER), "agent_name")
    had = agent_names(legs.filter(interaction__in=list(offered)))
    return {
        pk: kept
        for pk, names in offered.items()
        if (kept := [n for n in names if n not in had.get(pk, [])])
    }


def _names(records: QuerySet[Any], column: str) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    for pk, name in records.exclude(**{column: ""}).values_list("interaction_id", column):
        if name not in names.setdefault(pk, []):
            names[pk].append(name)
    return names


def named(row: Summary, agents: list[str], queues: list[str]) -> Summary:
    """``row`` with its agents and queues by name."""
    return replace(row, agent_names=tuple(agents), queue_names=tuple(queues))


def summary_of(values: tuple[Any, ...]) -> Summary:
    """A list row from the index's columns, in ``SUMMARY_COLUMNS`` order."""
    iid, start, end, channel, direction, flow, customer, flagged, flag_type, total = values
    return Summary(
        interaction_id=iid,
        start=start,
        end=end,
        channel_type=channel or None,
        direction=direction or None,
        flow_name=flow or None,
        customer=customer or None,
        flag=Flag(flagged=flagged, flag_type=flag_type or None, timestamp=None),
        interaction_time=total,
    )


def one_summary(tenant_id: str, interaction_id: str) -> Summary | None:
    """The list row of one indexed interaction, flagged or not (None when not indexed)."""
    found = (
        IndexedInteraction.objects.filter(tenant_id=tenant_id, interaction_id=interaction_id)
        .values_list("pk", *SUMMARY_COLUMNS)
        .first()
    )
    if found is None:
        return None
    pk, *values = found
    queues = queue_names(QueueVisit.objects.filter(interaction=pk)).get(pk, [])
    agents = agent_names(AgentLeg.objects.filter(interaction=pk)).get(pk, [])
    return named(summary_of(tuple(values)), agents, queues)


def _combined(
    tenant_id: str,
    indexed: QuerySet[IndexedInteraction],
    *,
    start: datetime,
    end: datetime,
    cover: Coverage | None,
    now: datetime,
    live: listing.ListQuery,
    keep_flagged: bool,
    budget: float | None,
    on_upstream_page: Callable[[], None] | None = None,
) -> listing.Scan:
    """Index rows for the covered part of [start, end), live scans for the rest.

    For the flagged list, ``scanned`` counts every indexed interaction in the
    covered part (as a live scan counts what it read), not only the kept ones.
    """
    lo = max(start, cover.start) if cover else end
    hi = min(end, cover.end) if cover else end
    if lo >= hi:
        found = listing.scan(
            tenant_id,
            _between(live, start, end),
            keep=_flagged if keep_flagged else None,
            budget=budget,
            on_upstream_page=on_upstream_page,
        )
        found.source = LIVE
        return found
    cap = settings.FLAGGED_MAX_INTERACTIONS
    part = indexed.filter(started_in(tenant_id, lo, hi))
    # Tuples, not model instances: thousands of rows for a week of a large tenant.
    ordered = part.order_by("-start", "-id").values_list("pk", *SUMMARY_COLUMNS)
    # Agents and queues by name, as a live row has them (the list's columns and sorts).
    queues = queue_names(QueueVisit.objects.filter(interaction__in=part.values("pk")))
    agents = agent_names(AgentLeg.objects.filter(interaction__in=part.values("pk")))
    rows = [
        named(summary_of(values), agents.get(pk, []), queues.get(pk, []))
        for pk, *values in ordered[:cap]
    ]
    read = len(rows)
    if keep_flagged:
        read = IndexedInteraction.objects.filter(
            started_in(tenant_id, lo, hi), tenant_id=tenant_id
        ).count()
    result = listing.Scan(rows=rows, scanned=read, total=None, pages=0, done=True)
    gaps = [(a, b) for a, b in ((start, lo), (hi, end)) if a < b]
    for a, b in gaps:
        extra = listing.scan(
            tenant_id,
            _between(live, a, b),
            keep=_flagged if keep_flagged else None,
            budget=budget,
            on_upstream_page=on_upstream_page,
        )
        seen = {r.interaction_id for r in result.rows}
        result.rows.extend(r for r in extra.rows if r.interaction_id not in seen)
        result.scanned += extra.scanned
        result.pages += extra.pages
        result.skipped += extra.skipped
        result.done = result.done and extra.done
        if extra.error and result.error is None:
            result.error, result.failed_offset = extra.error, extra.failed_offset
    synced = from_index(cover, now) if cover else ""
    result.source = synced if not gaps else f"{synced}; {LIVE} for the part it has not covered yet"
    return result


def from_index(cover: Coverage, now: datetime) -> str:
    """Where rows read from the index came from, for the page."""
    return f"from the index, synced {timesince(cover.synced_until, now)} ago"


def _flagged(row: Summary) -> bool:
    return row.flagged


def _between(query: listing.ListQuery, start: datetime, end: datetime) -> listing.ListQuery:
    return listing.ListQuery(
        start=start,
        end=end,
        hook_type=query.hook_type,
        hook_sub_type=query.hook_sub_type,
        hook_id=query.hook_id,
        contact_id=query.contact_id,
    )


def flagged(
    tenant_id: str,
    window: listing.Range,
    *,
    now: datetime,
    budget: float | None = None,
    on_upstream_page: Callable[[], None] | None = None,
) -> listing.Scan:
    """The flagged interactions that started in ``window``, index first."""
    return _combined(
        tenant_id,
        IndexedInteraction.objects.filter(tenant_id=tenant_id, flagged=True),
        start=window.start,
        end=window.end,
        cover=coverage(tenant_id, now=now),
        now=now,
        live=listing.ListQuery(start=window.start, end=window.end),
        keep_flagged=True,
        budget=budget,
        on_upstream_page=on_upstream_page,
    )


def by_hook(
    tenant_id: str,
    hook_type: str,
    hook_id: str,
    *,
    now: datetime,
    on_upstream_page: Callable[[], None] | None = None,
) -> listing.Scan:
    """The interactions linked to one CRM record in the ticket look-up's span, index first."""
    start = now - timedelta(days=getattr(settings, "TICKET_SEARCH_DAYS", 365))
    linked = Hook.objects.filter(tenant_id=tenant_id, hook_type=hook_type, hook_id=hook_id)
    return _combined(
        tenant_id,
        IndexedInteraction.objects.filter(
            tenant_id=tenant_id, pk__in=linked.values("interaction_id")
        ),
        start=start,
        end=now,
        cover=coverage(tenant_id, now=now),
        now=now,
        live=listing.ListQuery(start=start, end=now, hook_type=hook_type, hook_id=hook_id),
        keep_flagged=False,
        budget=None,
        on_upstream_page=on_upstream_page,
    )
