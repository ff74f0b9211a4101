"""SLA verdicts per queue visit: what the API's own fields say (``slaTime``,
``slaAbandoned``) and, where the queue's threshold is known, met or missed and by
how much. Unknown stays unknown.

A threshold comes from the API's SLA configuration when the worker could read it
(``sla_source.py`` keeps it in ``ApiSla``), else from the admin-entered
``QueueSla`` table; the verdict names which.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .models import ApiSla, QueueSla, QueueVisit

MET, MISSED, NOT_COUNTED, UNKNOWN = "met", "missed", "not counted", "unknown"


@dataclass(frozen=True)
class Threshold:
    seconds: float
    #: Whether an abandoned visit counts against the SLA; None when the API did not say.
    abandons_count: bool | None
    #: Abandons within this many seconds are not counted (the API's abandonThreshold).
    abandon_threshold: float | None
    #: Where the threshold comes from, in words.
    source: str

    @classmethod
    def from_api(cls, row: ApiSla) -> Threshold:
        named = f" “{row.sla_name}”" if row.sla_name else ""
        return cls(
            seconds=row.threshold_seconds,
            abandons_count=row.abandons_count,
            abandon_threshold=row.abandon_threshold,
            source=f"the API's SLA{named}",
        )

    @classmethod
    def from_admin(cls, row: QueueSla) -> Threshold:
        return cls(
            seconds=row.threshold_seconds,
            abandons_count=row.abandons_count,
            abandon_threshold=None,
            source="entered by an admin",
        )


@dataclass(frozen=True)
class Verdict:
    #: What the API's fields say, in words ('' when it sent neither).
    api_says: str
    #: met, missed, not counted, unknown.
    outcome: str
    #: Seconds over (positive) or under (negative) the threshold; None when not computed.
    margin: float | None
    threshold: float | None
    #: Where the threshold comes from ('' when none is known).
    source: str = ""
    #: Why the outcome is unknown, in words ('' when it is not).
    unknown_because: str = ""

    @property
    def computed(self) -> bool:
        """The outcome is the dashboard's comparison, not a figure sent by the API."""
        return self.outcome in (MET, MISSED) and self.threshold is not None


def _api_says(visit: QueueVisit) -> str:
    parts = []
    if visit.sla_time is not None:
        # A tenth kept where there is one: "20.4 s" missed a 20 s threshold, "20 s" would not.
        parts.append(f"SLA time {visit.sla_time:.1f}".removesuffix(".0") + " s")
    if visit.sla_abandoned is True:
        parts.append("abandoned, counted against the SLA")
    elif visit.sla_abandoned is False and visit.abandoned:
        parts.append("abandoned, not counted against the SLA")
    return "; ".join(parts)


def verdict(visit: QueueVisit, threshold: Threshold | None) -> Verdict:
    """The SLA verdict for one visit, given its queue's threshold (None: not known)."""
    said = _api_says(visit)
    if threshold is None:
        return Verdict(
            api_says=said,
            outcome=UNKNOWN,
            margin=None,
            threshold=None,
            unknown_because="no threshold known for this queue",
        )
    limit, source = threshold.seconds, threshold.source

    def made(outcome: str, margin: float | None = None, because: str = "") -> Verdict:
        return Verdict(
            api_says=said,
            outcome=outcome,
            margin=margin,
            threshold=limit,
            source=source,
            unknown_because=because,
        )

    if visit.abandoned or visit.sla_abandoned:
        if threshold.abandons_count is None:
            return made(UNKNOWN, because="the SLA does not say whether abandons count")
        if not threshold.abandons_count or _abandoned_early(visit, threshold):
            return made(NOT_COUNTED)
        if visit.sla_abandoned is True:
            return made(MISSED)
    if visit.sla_time is None:
        return made(UNKNOWN, because="the API sent no SLA time")
    margin = visit.sla_time - limit
    return made(MISSED if margin > 0 else MET, margin)


def _abandoned_early(visit: QueueVisit, threshold: Threshold) -> bool:
    """Abandoned sooner than the SLA's abandon threshold: not counted."""
    early = threshold.abandon_threshold
    return early is not None and visit.wait_seconds is not None and visit.wait_seconds < early


def thresholds(tenant_id: str, visits: Iterable[QueueVisit]) -> dict[int, Threshold]:
    """The known threshold of each visit's queue, by ``id(visit)``: the API's SLA for
    that queue (matched by queue ID, else by name), else the admin's entry by name."""
    visits = list(visits)
    ids = {v.queue_id for v in visits if v.queue_id}
    names = {v.queue_name for v in visits if v.queue_name}
    api_rows = list(ApiSla.objects.filter(tenant_id=tenant_id, queue_id__in=ids)) if ids else []
    api_rows += ApiSla.objects.filter(tenant_id=tenant_id, queue_name__in=names).exclude(
        queue_id__in=ids
    )
    by_id = {r.queue_id: Threshold.from_api(r) for r in api_rows}
    by_name = {r.queue_name: Threshold.from_api(r) for r in api_rows if r.queue_name}
    admin = {
        s.queue_name: Threshold.from_admin(s)
        for s in QueueSla.objects.filter(tenant_id=tenant_id, queue_name__in=names)
    }
    found: dict[int, Threshold] = {}
    for v in visits:
        known = by_id.get(v.queue_id) or by_name.get(v.queue_name) or admin.get(v.queue_name)
        if known is not None:
            found[id(v)] = known
    return found
