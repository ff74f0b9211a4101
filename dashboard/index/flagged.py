"""The flagged list answered from the index in SQL, for a range the index covers whole:
the list's filters and sort applied by the database, one page read with LIMIT/OFFSET
and counted apart, every matching row streamed for the CSV, and the order that
previous / next walk.

A range the index has not covered (or covers only in part) is not answered here
(None): ``selectors.flagged`` scans it, index and live API together, and the list
refines those rows in Python. Both follow ``listing.SORTS``: blanks and unknowns
last (first when descending), ties newest first (then by ID), as a scan's stable sort keeps them.

Rows come back as unmasked ``Summary`` (the interactions app's selectors mask them).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from itertools import islice
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import BaseExpression, OrderBy
from django.db.models.functions import Coalesce, NullIf, Trim
from django.db.models.lookups import Exact

from dashboard.interactions import listing
from dashboard.interactions.domain import Summary
from dashboard.reviews.models import Review, Status

from .models import AgentLeg, IndexedInteraction, QueueVisit
from .selectors import (
    AGENT_ORDER,
    Coverage,
    agent_names,
    coverage,
    flag_is,
    from_index,
    named,
    queue_names,
    started_in,
    summary_of,
)
from .text import Folded, sort_text

#: The interactions in the range (flagged or not) are counted up to here, then "more than".
SCANNED_CAP = 100_000
#: On PostgreSQL, a range the planner expects to hold at least this many interactions
#: (flagged or not) is not counted but estimated (the planner's figure, "about"): an
#: exact count reads every one of their index entries, a week's ~80,000 cost more
#: than the whole page besides.
ESTIMATE_FROM = 10_000
#: Rows read per database round trip while the CSV streams.
EXPORT_CHUNK = 1000
#: The columns a list row is built from, in ``_summaries`` order.
COLUMNS = (
    "pk",
    "interaction_id",
    "start",
    "end",
    "channel",
    "direction",
    "flow_name",
    "customer",
    "flag_type",
    "total_seconds",
)
_BIGGEST_KEY = 2**63 - 1


def covering(tenant_id: str, window: listing.Range, *, now: datetime) -> Coverage | None:
    """The index's coverage when it holds the whole of ``window``; None otherwise."""
    cover = coverage(tenant_id, now=now)
    if cover is None or window.start < cover.start or window.end > cover.end:
        return None
    return cover


def _listed(tenant_id: str, window: listing.Range) -> Q:
    """An indexed interaction of the tenant that the list of ``window`` holds."""
    return Q(flagged=True) & started_in(tenant_id, window.start, window.end)


def _flagged(tenant_id: str, window: listing.Range) -> QuerySet[IndexedInteraction]:
    return IndexedInteraction.objects.filter(_listed(tenant_id, window), tenant_id=tenant_id)


def _reviews(tenant_id: str) -> QuerySet[Review]:
    return Review.objects.filter(tenant_id=tenant_id, interaction_id=OuterRef("interaction_id"))


def passes(tenant_id: str, refinement: listing.Refinement) -> Q:
    """The list's filters as a condition on a flagged row (``listing.refine`` in SQL):
    no saved review counts as "to review", assigned to nobody."""
    condition = Q()
    if refinement.flag:
        condition = flag_is(refinement.flag)
    if refinement.channel:
        condition &= Q(Exact(Folded(Trim("channel")), refinement.channel))
    reviews = _reviews(tenant_id)
    if refinement.status == Status.TO_REVIEW:
        condition &= ~Q(Exists(reviews.exclude(status=Status.TO_REVIEW)))
    elif refinement.status:
        condition &= Q(Exists(reviews.filter(status=refinement.status)))
    assigned = refinement.assigned
    if assigned == listing.NOBODY:
        condition &= ~Q(Exists(reviews.filter(assignee__isnull=False)))
    elif assigned.isascii() and assigned.isdigit() and int(assigned) <= _BIGGEST_KEY:
        condition &= Q(Exists(reviews.filter(assignee_id=int(assigned))))
    elif assigned:
        condition &= Q(pk__in=[])  # no user has that key
    return condition


class _Seconds(Func):
    """``end - start`` in seconds; NULL when either is unknown (PostgreSQL; SQLite to the
    millisecond, as its day fractions are not exact: equal durations must stay equal)."""

    arity = 2
    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM (%(expressions)s))"
    arg_joiner = " - "

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(
            compiler,
            connection,
            template="ROUND((julianday(%(expressions)s)) * 86400.0, 3)",
            arg_joiner=") - julianday(",
            **extra,
        )


def _sort_key(tenant_id: str, key: str) -> BaseExpression | F:
    """What ``listing.SORTS[key]`` compares, as an expression that is NULL for a blank."""
    if key == "duration":
        # As ``Summary.duration``: from start to end where both are known and in order, else
        # as sent.
        in_order = Case(When(end__gte=F("start"), then=_Seconds("end", "start")))
        return Coalesce(in_order, "total_seconds")
    if key == "status":
        saved = Subquery(_reviews(tenant_id).values("status")[:1])
        return Coalesce(saved, Value(Status.TO_REVIEW))
    if key == "queue":
        visits = QueueVisit.objects.filter(interaction=OuterRef("pk"), direct=False).exclude(
            queue_name=""
        )
        first = Subquery(visits.order_by("entered_at", "pk").values("queue_name")[:1])
        return sort_text(NullIf(Folded(first), Value("")))
    if key == "agent":
        # The first name as the row lists them (``agent_names``): read from the legs, as a
        # name may hold the joined column's comma ("Tremblay, Alice").
        legs = AgentLeg.objects.filter(interaction=OuterRef("pk"), offered_only=False).exclude(
            agent_name=""
        )
        first = Subquery(legs.order_by(*AGENT_ORDER).values("agent_name")[:1])
        return sort_text(NullIf(Folded(first), Value("")))
    if key == "flag":
        # The reason the column shows, as ``listing.flag_sort_text`` writes it for each
        # flag type the tenant's index holds (a handful): the words and the look-up of
        # each type are Python's, so the two orders are one.
        kinds = (
            IndexedInteraction.objects.filter(tenant_id=tenant_id, flagged=True)
            .order_by()
            .values_list("flag_type", flat=True)
            .distinct()
        )
        whens = [
            When(flag_type=kind, then=Value(listing.flag_sort_text(kind)))
            for kind in kinds
            if listing.flag_sort_text(kind)
        ]
        if not whens:
            return Value(None, output_field=CharField())
        return sort_text(Case(*whens, default=Value(None), output_field=CharField()))
    column = {"channel": "channel", "flow": "flow_name"}.get(key)
    if column:
        return sort_text(NullIf(Folded(column), Value("")))
    return F("start")


def ordering(tenant_id: str, sort: str) -> list[OrderBy]:
    """``ORDER BY`` for ``sort`` (a ``listing.SORTS`` key, "-" for descending)."""
    key = sort.lstrip("-")
    value = _sort_key(tenant_id, key if key in listing.SORTS else "start")
    first = value.desc(nulls_last=True) if sort.startswith("-") else value.asc(nulls_last=True)
    return [first, F("start").desc(nulls_last=True), F("interaction_id").desc()]


def _summaries(rows: list[tuple[Any, ...]]) -> list[Summary]:
    """List rows from ``COLUMNS`` tuples, with their agents' and queues' names (two queries)."""
    pks = [row[0] for row in rows]
    queues = queue_names(QueueVisit.objects.filter(interaction__in=pks))
    agents = agent_names(AgentLeg.objects.filter(interaction__in=pks))
    return [
        named(
            summary_of((iid, start, end, channel, direction, flow, customer, True, flag, total)),
            agents.get(pk, []),
            queues.get(pk, []),
        )
        for pk, iid, start, end, channel, direction, flow, customer, flag, total in rows
    ]


def page(
    tenant_id: str,
    window: listing.Range,
    refinement: listing.Refinement,
    *,
    offset: int,
    limit: int,
    now: datetime,
) -> listing.Paged | None:
    """One page of the flagged list (``limit`` rows from ``offset``, moved back to the last
    page when past it) with its counts; None when the index does not cover ``window``."""
    cover = covering(tenant_id, window, now=now)
    if cover is None:
        return None
    flagged = _flagged(tenant_id, window)
    # One pass over the flagged rows' index entries: the filters' choices and the counts.
    groups = list(flagged.order_by().values_list("flag_type", "channel").annotate(n=Count("pk")))
    if refinement.by_review:
        matched = flagged.filter(passes(tenant_id, refinement)).count()
    else:
        matched = sum(
            n
            for flag, channel, n in groups
            if refinement.flag in ("", listing.flag_of(flag))
            and refinement.channel in ("", listing.channel_of(channel))
        )
    offset = min(max(offset, 0), (matched - 1) // limit * limit) if matched else 0
    rows: list[Summary] = []
    if matched:
        chosen = flagged.filter(passes(tenant_id, refinement))
        ordered = chosen.order_by(*ordering(tenant_id, refinement.sort)).values_list(*COLUMNS)
        rows = _summaries(list(ordered[offset : offset + limit]))
    scanned, scanned_label = _in_range(tenant_id, window)
    return listing.Paged(
        rows=rows,
        offset=offset,
        matched=matched,
        flagged=sum(n for *_, n in groups),
        scanned=scanned,
        scanned_label=scanned_label,
        flag_types=tuple(sorted({flag for flag, _, _ in groups})),
        channels=tuple(sorted({channel for _, channel, _ in groups} - {""})),
        source=from_index(cover, now),
    )


def _in_range(tenant_id: str, window: listing.Range) -> tuple[int, str]:
    """How many interactions (flagged or not) started in ``window``, and how that figure
    was had: "" counted, "about" estimated by PostgreSQL's planner (a large range,
    rounded to thousands), "more than" counted up to ``SCANNED_CAP``."""
    in_range = IndexedInteraction.objects.filter(
        started_in(tenant_id, window.start, window.end), tenant_id=tenant_id
    ).order_by()
    if connection.vendor == "postgresql":
        plan = json.loads(in_range.explain(format="json"))
        expected = int(plan[0]["Plan"]["Plan Rows"])
        if expected >= ESTIMATE_FROM:
            return round(expected, -3), "about"
    counted = in_range[: SCANNED_CAP + 1].count()
    return (SCANNED_CAP, "more than") if counted > SCANNED_CAP else (counted, "")


def every_row(
    tenant_id: str, window: listing.Range, refinement: listing.Refinement, *, now: datetime
) -> tuple[int, Iterator[Summary]] | None:
    """How many rows pass the filters, and all of them in the list's order, read in chunks
    as they are consumed (for the CSV); None when the index does not cover ``window``."""
    if covering(tenant_id, window, now=now) is None:
        return None
    chosen = _flagged(tenant_id, window).filter(passes(tenant_id, refinement))
    ordered = chosen.order_by(*ordering(tenant_id, refinement.sort)).values_list(*COLUMNS)

    def rows() -> Iterator[Summary]:
        read = ordered.iterator(chunk_size=EXPORT_CHUNK)
        while chunk := list(islice(read, EXPORT_CHUNK)):
            yield from _summaries(chunk)

    return chosen.count(), rows()


def order(
    tenant_id: str,
    window: listing.Range,
    refinement: listing.Refinement,
    *,
    always: str,
    now: datetime,
) -> list[tuple[str, bool, bool]] | None:
    """The IDs of the list in its order, each with whether it passes the filters and whether
    the list holds it at all (before them); ``always`` is kept where its sort key puts it
    whatever they say, and even when it is no longer flagged or in the range, if it is
    indexed at all (see ``flagged.neighbours``). None when the index does not cover
    ``window``."""
    if covering(tenant_id, window, now=now) is None:
        return None
    listed = _listed(tenant_id, window)
    shown = listed & passes(tenant_id, refinement)
    found = IndexedInteraction.objects.filter(
        shown | Q(interaction_id=always) if always else shown, tenant_id=tenant_id
    )
    found = found.annotate(
        passes=ExpressionWrapper(shown, output_field=BooleanField()),
        listed=ExpressionWrapper(listed, output_field=BooleanField()),
    )
    ordered = found.order_by(*ordering(tenant_id, refinement.sort))
    return list(ordered.values_list("interaction_id", "passes", "listed"))
