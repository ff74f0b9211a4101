"""SLA verdicts per queue visit: what the API's own fields say (``slaTime``,
``slaAbandoned``) and, where the queue's threshold is known (the admin-entered
``QueueSla`` table), met or missed and by how much. Unknown stays unknown.

The API's SLA endpoints are not read here: thresholds come from the table only.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import QueueSla, QueueVisit

MET, MISSED, NOT_COUNTED, UNKNOWN = "met", "missed", "not counted", "unknown"


@dataclass(frozen=True)
class Verdict:
    #: What the API's fields say, in words ('' when it sent neither).
    api_says: str
    #: met, missed, not counted, unknown.
    outcome: str
    #: Seconds over (positive) or under (negative) the threshold; None when not computed.
    margin: float | None
    threshold: float | None

    @property
    def computed(self) -> bool:
        """The outcome is the dashboard's comparison, not a figure sent by the API."""
        return self.outcome in (MET, MISSED) and self.threshold is not None


def _api_says(visit: QueueVisit) -> str:
    parts = []
    if visit.sla_time is not None:
        parts.append(f"SLA time {visit.sla_time:.0f} s")
    if visit.sla_abandoned is True:
        parts.append("abandoned, counted against the SLA")
    elif visit.sla_abandoned is False and visit.abandoned:
        parts.append("abandoned, not counted against the SLA")
    return "; ".join(parts)


def verdict(visit: QueueVisit, threshold: QueueSla | None) -> Verdict:
    """The SLA verdict for one visit, given its queue's threshold (None: not known)."""
    said = _api_says(visit)
    if threshold is None:
        return Verdict(api_says=said, outcome=UNKNOWN, margin=None, threshold=None)
    limit = threshold.threshold_seconds
    if visit.abandoned or visit.sla_abandoned:
        if not threshold.abandons_count:
            return Verdict(api_says=said, outcome=NOT_COUNTED, margin=None, threshold=limit)
        if visit.sla_abandoned is True:
            return Verdict(api_says=said, outcome=MISSED, margin=None, threshold=limit)
    if visit.sla_time is None:
        return Verdict(api_says=said, outcome=UNKNOWN, margin=None, threshold=limit)
    margin = visit.sla_time - limit
    return Verdict(
        api_says=said, outcome=MISSED if margin > 0 else MET, margin=margin, threshold=limit
    )


def thresholds(tenant_id: str, queue_names: set[str]) -> dict[str, QueueSla]:
    """The known thresholds of these queues, by name."""
    return {
        s.queue_name: s
        for s in QueueSla.objects.filter(tenant_id=tenant_id, queue_name__in=queue_names)
    }
