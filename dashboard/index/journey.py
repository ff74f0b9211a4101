"""A customer's journey: every indexed interaction of one customer (or linked
to one CRM record), every channel, on one time axis, most recent first.

Reached from an interaction (the URL carries its ID, never the customer), so a
viewer who may not see the customer's value can still follow the journey; the
value itself is masked for them here, the one place journeys are read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Q

from dashboard.accounts.access import can_see_contact_details
from dashboard.interactions import listing
from dashboard.interactions.masking import mask

from .models import AgentLeg, Hook, IndexedInteraction
from .selectors import agent_names

#: Most interactions one journey shows (the most recent ones).
MAX_STEPS = 200
RECENT_DAYS = 30


@dataclass(frozen=True)
class Step:
    """One interaction on the journey's axis; positions are fractions of the axis (0..1)."""

    interaction_id: str
    start: datetime | None
    end: datetime | None
    channel: str
    direction: str
    outcome: str
    #: The agents' names as the legs hold them (a name may hold a comma), in order.
    agents: tuple[str, ...]
    flagged: bool
    flag_type: str
    #: No end time in the index (still going, or the end went missing): drawn open.
    open_end: bool
    is_current: bool
    x: float = 0.0
    width: float = 0.0
    #: Why it was flagged, in words ('' when it was not), as the flagged list says it.
    flag_reason: str = ""


@dataclass(frozen=True)
class Journey:
    #: What ties the steps together, as this viewer may see it ('' when masked and unknown).
    label: str
    steps: list[Step] = field(default_factory=list)
    axis_start: datetime | None = None
    axis_end: datetime | None = None
    #: Why there is no journey ('' when there is one).
    reason: str = ""
    truncated: bool = False


def _outcome(row: IndexedInteraction) -> str:
    if row.abandoned:
        return "abandoned in queue"
    if row.disposition:
        return row.disposition
    if row.end is None or row.data_complete is False:
        return "in progress or end unknown"
    return "handled" if row.agent_names else "ended without an agent"


def _steps(
    rows: list[IndexedInteraction], *, current: str, now: datetime
) -> tuple[list[Step], Any, Any]:
    starts = [r.start for r in rows if r.start]
    if not starts:
        return [], None, None
    lo = min(starts)
    hi = max([*(r.end or now for r in rows if r.start), *starts])
    span = max((hi - lo).total_seconds(), 1.0)
    agents = agent_names(AgentLeg.objects.filter(interaction__in=[r.pk for r in rows]))
    # A bar narrower than this would vanish on a 90-day axis.
    least = 0.004
    steps = []
    for r in rows:
        x = ((r.start - lo).total_seconds() / span) if r.start else 0.0
        right = (((r.end or now) - lo).total_seconds() / span) if r.start else 0.0
        steps.append(
            Step(
                interaction_id=r.interaction_id,
                start=r.start,
                end=r.end,
                channel=r.channel,
                direction=r.direction or "—",
                outcome=_outcome(r),
                agents=tuple(agents.get(r.pk, [])),
                flagged=r.flagged,
                flag_type=r.flag_type.strip(),
                flag_reason=listing.flag_words(r.flag_type)[0] if r.flagged else "",
                open_end=r.end is None,
                is_current=r.interaction_id == current,
                x=min(max(x, 0.0), 1.0),
                width=max(min(right, 1.0) - x, least),
            )
        )
    return steps, lo, hi


def _journey(rows_query: Any, *, label: str, current: str, now: datetime) -> Journey:
    # Unknown starts last on either database (PostgreSQL would put them first).
    rows = list(rows_query.order_by(F("start").desc(nulls_last=True), "-id")[: MAX_STEPS + 1])
    truncated = len(rows) > MAX_STEPS
    steps, lo, hi = _steps(rows[:MAX_STEPS], current=current, now=now)
    return Journey(label=label, steps=steps, axis_start=lo, axis_end=hi, truncated=truncated)


def _same_customer(tenant_id: str, key: str, contact_id: str) -> Q | None:
    """The interactions of one customer: the same customer value (phone, email) or the
    same CRM contact, which ties a call from a number to an email from an address."""
    same = Q(customer_key=key) if key else None
    if contact_id:
        same = Q(contact_id=contact_id) if same is None else same | Q(contact_id=contact_id)
    return None if same is None else Q(tenant_id=tenant_id) & same


def for_interaction(tenant_id: str, interaction_id: str, *, viewer: Any, now: datetime) -> Journey:
    """All the interactions of the customer of ``interaction_id``."""
    row = IndexedInteraction.objects.filter(
        tenant_id=tenant_id, interaction_id=interaction_id
    ).first()
    if row is None:
        return Journey(label="", reason="This interaction is not in the index yet.")
    same = _same_customer(tenant_id, row.customer_key, row.contact_id)
    if same is None:
        return Journey(label="", reason="The index knows no customer for this interaction.")
    if not row.customer:
        label = f"contact {row.contact_id}"
    else:
        label = row.customer if can_see_contact_details(viewer) else (mask(row.customer) or "")
    return _journey(
        IndexedInteraction.objects.filter(same), label=label, current=interaction_id, now=now
    )


def for_hook(tenant_id: str, hook_type: str, hook_id: str, *, now: datetime) -> Journey:
    """All the interactions linked to one CRM record (a ticket, a case)."""
    linked = IndexedInteraction.objects.filter(
        tenant_id=tenant_id,
        pk__in=Hook.objects.filter(
            tenant_id=tenant_id, hook_type=hook_type, hook_id=hook_id
        ).values("interaction_id"),
    )
    journey = _journey(linked, label=f"{hook_type} {hook_id}", current="", now=now)
    if not journey.steps:
        return Journey(
            label=journey.label, reason="No indexed interaction is linked to this record."
        )
    return journey


def recent_count(tenant_id: str, interaction_id: str, *, now: datetime) -> int | None:
    """How many other interactions this customer had in the last 30 days (None: not known)."""
    row = IndexedInteraction.objects.filter(
        tenant_id=tenant_id, interaction_id=interaction_id
    ).first()
    return None if row is None else recent_count_of(row, now=now)


def recent_count_of(row: IndexedInteraction, *, now: datetime) -> int | None:
    """``recent_count`` for an indexed interaction already read."""
    same = _same_customer(row.tenant_id, row.customer_key, row.contact_id)
    if same is None:
        return None
    return (
        IndexedInteraction.objects.filter(same, start__gte=now - timedelta(days=RECENT_DAYS))
        .exclude(interaction_id=row.interaction_id)
        .count()
    )
