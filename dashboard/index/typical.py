"""This interaction against the typical one: each queue wait, each agent's time
with the customer and the total, placed against the same queue's (or, for the
total, the same flow's) last 7 days, from the index only (never the API).

A figure is shown only with at least ``MIN_COMPARABLE`` comparable values. The
typical value is the median; on PostgreSQL it is computed in SQL
(``percentile_cont``), elsewhere in Python over the most recent ``SAMPLE``
values. The share shorter/longer is always counted in SQL over all of them.
Every figure here is computed by the dashboard, none is sent by the API.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, FloatField, Q, QuerySet

from dashboard.interactions.formatting import clock

from . import sla
from .models import AgentLeg, IndexedInteraction, QueueVisit

MIN_COMPARABLE = 20
#: A panel with more lines than this (one per queue visit and agent leg of a big
#: interaction) shows its total and folds the rest away.
FOLD_AFTER = 20
TOTAL = "in total"
WINDOW = timedelta(days=7)
#: Values read into Python for the median where the database cannot compute it.
SAMPLE = 5000


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5) WITHIN GROUP (ORDER BY ...)``."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass(frozen=True)
class Comparison:
    """One figure of this interaction against its peers."""

    what: str
    #: Where the peers come from: "Support" (a queue) or "flow Sales IVR".
    against: str
    seconds: float
    typical: float
    count: int
    #: Share of the peers strictly shorter / strictly longer than this one (0..100).
    shorter_share: float
    longer_share: float
    #: The median came from a sample of the most recent values (SQLite), not all of them.
    sampled: bool
    sla: sla.Verdict | None = None

    @property
    def text(self) -> str:
        head = f"{clock(self.seconds)} {self.what} — typical {clock(self.typical)}"
        # Compared as shown (whole seconds): two figures that read the same are not "longer".
        shown, usual = round(self.seconds), round(self.typical)
        if shown > usual:
            return f"{head}, longer than {self.shorter_share:.0f} % of this week's"
        if shown < usual:
            return f"{head}, shorter than {self.longer_share:.0f} % of this week's"
        return f"{head}, as typical"


@dataclass(frozen=True)
class Panel:
    comparisons: list[Comparison] = field(default_factory=list)
    #: Figures left out for lack of peers: (what, how many peers there were).
    too_few: list[tuple[str, int]] = field(default_factory=list)
    #: SLA verdicts of queue visits that had no comparison to hang on.
    #: (queue, SLA verdict, when the visit entered it) of the visits without a comparison.
    slas: list[tuple[str, sla.Verdict, datetime | None]] = field(default_factory=list)
    minimum: int = MIN_COMPARABLE
    #: Queue visits that were direct transfers to an agent: the agent's own line, with no
    #: queue SLA or queue wait to compare (their time is compared as the agent's).
    direct: int = 0

    @property
    def too_few_words(self) -> str:
        """The figures left out, in words: "in Billing (6 comparable), with Ann (6 comparable)"."""
        said = dict.fromkeys(f"{what} ({n} comparable)" for what, n in self.too_few)
        return ", ".join(said)  # each once: a queue visited 40 times is one figure short

    @property
    def folded(self) -> bool:
        return len(self.comparisons) + len(self.slas) > FOLD_AFTER

    @property
    def headline(self) -> list[Comparison]:
        """Shown unfolded: every comparison, or on a folded panel only the total's."""
        if not self.folded:
            return self.comparisons
        return [c for c in self.comparisons if c.what == TOTAL]

    @property
    def folded_away(self) -> list[Comparison]:
        """The comparisons behind the fold (the SLA verdicts of ``slas`` go with them)."""
        if not self.folded:
            return []
        return [c for c in self.comparisons if c.what != TOTAL]

    @property
    def folded_count(self) -> int:
        return len(self.folded_away) + len(self.slas) if self.folded else 0


def _compare(
    peers: QuerySet[Any], column: str, value: float
) -> tuple[int, float, float, float, bool] | None:
    """(count, median, % shorter, % longer, sampled) of ``column`` over ``peers``; None if none."""
    peers = peers.filter(**{f"{column}__isnull": False})
    counts: dict[str, Any] = {
        # Counting the column itself (never NULL here) keeps PostgreSQL on the covering
        # index (0003_search_indexes): no table read.
        "n": Count(column),
        "shorter": Count(column, filter=Q(**{f"{column}__lt": value})),
        "longer": Count(column, filter=Q(**{f"{column}__gt": value})),
    }
    postgres = connection.vendor == "postgresql"
    if postgres:
        counts["median"] = Median(column)
    got = peers.aggregate(**counts)
    n = int(got["n"])
    if n < MIN_COMPARABLE:
        return (n, 0.0, 0.0, 0.0, False) if n else None
    if postgres:
        median, sampled = float(got["median"]), False
    else:
        values = list(
            peers.order_by(f"-{_time_column(peers.model)}").values_list(column, flat=True)[:SAMPLE]
        )
        median, sampled = float(statistics.median(values)), n > SAMPLE
    return n, median, 100.0 * got["shorter"] / n, 100.0 * got["longer"] / n, sampled


def _time_column(model: Any) -> str:
    return {QueueVisit: "entered_at", AgentLeg: "started_at"}.get(model, "start")


def panel_for(tenant_id: str, interaction_id: str, *, now: datetime) -> Panel | None:
    """The typical-vs-this panel for one interaction, or None when it is not indexed."""
    row = IndexedInteraction.objects.filter(
        tenant_id=tenant_id, interaction_id=interaction_id
    ).first()
    return None if row is None else panel_of(row, now=now)


def panel_of(row: IndexedInteraction, *, now: datetime) -> Panel:
    """The typical-vs-this panel for an indexed interaction."""
    tenant_id = row.tenant_id
    since = now - WINDOW
    # Queues only: a direct transfer's line is the agent's, compared as the agent's time.
    every_visit = list(row.queue_visits.order_by("entered_at", "pk"))
    visits = [v for v in every_visit if not v.direct]
    legs = list(row.agent_legs.order_by("started_at", "pk"))
    limits = sla.thresholds(tenant_id, visits)
    panel = Panel(direct=len(every_visit) - len(visits))
    # The peers are the others: this interaction's own visits and legs (and its own total)
    # are left out, by the time the comparison's index is keyed on (another interaction that
    # entered the same queue, or started, in the same instant is left out with it: a
    # filter on the interaction would cost the comparison its index-only read).
    entered = _own_times((v.queue_name, v.entered_at) for v in visits)
    began = _own_times((leg.queue_name, leg.started_at) for leg in legs)
    for visit in visits:
        verdict = sla.verdict(visit, limits.get(id(visit)))
        peers = QueueVisit.objects.filter(
            tenant_id=tenant_id,
            direct=False,
            queue_name=visit.queue_name,
            entered_at__gte=since,
            entered_at__lt=now,
        ).exclude(entered_at__in=entered.get(visit.queue_name, []))
        shown = _add(
            panel,
            f"in {visit.queue_name}",
            visit.queue_name,
            peers,
            "wait_seconds",
            visit.wait_seconds if visit.queue_name else None,
            verdict,
        )
        if not shown:
            panel.slas.append((visit.queue_name or "a queue", verdict, visit.entered_at))
    for leg in legs:
        legs_peers = AgentLeg.objects.filter(
            tenant_id=tenant_id,
            queue_name=leg.queue_name,
            started_at__gte=since,
            started_at__lt=now,
        ).exclude(started_at__in=began.get(leg.queue_name, []))
        name = leg.agent_name or "an agent"
        _add(
            panel,
            f"with {name}",
            leg.queue_name,
            legs_peers,
            "seconds_computed",
            leg.seconds_computed if leg.queue_name else None,
            None,
        )
    flow_peers = IndexedInteraction.objects.filter(
        tenant_id=tenant_id, flow_name=row.flow_name, start__gte=since, start__lt=now
    )
    if row.start is not None:
        flow_peers = flow_peers.exclude(start=row.start)
    _add(
        panel,
        TOTAL,
        f"flow {row.flow_name}",
        flow_peers,
        "total_seconds",
        row.total_seconds if row.flow_name else None,
        None,
    )
    return panel


def _own_times(records: Iterable[tuple[str, datetime | None]]) -> dict[str, list[datetime]]:
    """This interaction's own times per queue name (for leaving it out of its peers)."""
    times: dict[str, list[datetime]] = {}
    for name, at in records:
        if at is not None:
            times.setdefault(name, []).append(at)
    return times


def _add(
    panel: Panel,
    what: str,
    against: str,
    peers: QuerySet[Any],
    column: str,
    value: float | None,
    verdict: sla.Verdict | None,
) -> bool:
    if value is None:
        return False
    got = _compare(peers, column, value)
    if got is None:
        return False
    n, median, shorter, longer, sampled = got
    if n < MIN_COMPARABLE:
        panel.too_few.append((what, n))
        return False
    panel.comparisons.append(
        Comparison(
            what=what,
            against=against,
            seconds=value,
            typical=median,
            count=n,
            shorter_share=shorter,
            longer_share=longer,
            sampled=sampled,
            sla=verdict,
        )
    )
    return True
