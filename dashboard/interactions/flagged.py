"""The flagged list as one viewer sees it: the list's state (a time range and its filters, as a
URL query), the loaded rows with each one's review status and assignee, and where one interaction
sits in that list (its previous and next).

The rows come from the cached scan (``selectors.flagged_scan``) and one query for review state,
so the list, its CSV, and the previous/next links of an interaction opened from it cost no
upstream request once the range has loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from dashboard.accounts.gate import canonical_uuid
from dashboard.reviews.models import Review, Status
from dashboard.reviews.selectors import display_name, statuses

from . import formatting as fmt
from . import listing, selectors
from .domain import Summary, flag_reason

#: Agents or queues named in a list cell before "+N more".
NAMES_SHOWN = 2
#: ``assigned`` filter value for the viewer themselves.
ME = "me"


@dataclass(frozen=True)
class ListState:
    """What the list shows: a time range and the filters and sort that refine it."""

    window: listing.Range
    range_error: str = ""
    flag: str = ""
    channel: str = ""
    status: str = ""
    assigned: str = ""
    sort: str = "-start"

    @property
    def refinements(self) -> dict[str, str]:
        return {
            "flag": self.flag,
            "channel": self.channel,
            "status": self.status,
            "assigned": self.assigned,
            "sort": self.sort,
        }

    def query(self, **changes: str) -> str:
        """The list's URL query: the range pinned to its instants, so every link to the list
        (sort, CSV, an interaction's way back) reads the same cached pages."""
        params = {
            "start": listing.iso(self.window.start),
            "end": listing.iso(self.window.end),
            "range": self.window.preset,
            **self.refinements,
            **changes,
        }
        return urlencode({k: v for k, v in params.items() if v})

    def fresh_query(self) -> str:
        """The same filters over the range's preset as of now (a custom range stays put)."""
        if self.window.preset == "custom":
            return self.query()
        params = {"range": self.window.preset, **self.refinements}
        return urlencode({k: v for k, v in params.items() if v})


def range_marker(window: listing.Range, zone: tzinfo) -> str:
    """The range fields as the form showed them: a submitted form that differs asks for a new
    range, one that does not keeps the pinned instants (see ``list_state``)."""
    start, end = (m.astimezone(zone).strftime("%Y-%m-%dT%H:%M") for m in (window.start, window.end))
    return f"{window.preset}|{start}|{end}"


def list_state(params: Mapping[str, str], zone: tzinfo, now: datetime) -> ListState:
    """The list state a query asks for; anything unknown falls back to the default."""
    given = {k: params.get(k, "") for k in ("start", "end", "range", "from", "to", "was")}
    if given["was"]:
        preset, _, rest = given["was"].partition("|")
        shown_from, _, shown_to = rest.partition("|")
        if (given["from"], given["to"]) != (shown_from, shown_to):
            given.update(range="custom", start="", end="")  # an end was edited: a custom range
        elif given["range"] != preset:
            given.update(start="", end="")  # another preset: counted from now
    window, error = listing.resolve_range({k: v for k, v in given.items() if v}, zone, now)
    sort = params.get("sort", "-start")
    status = params.get("status", "")
    assigned = params.get("assigned", "")
    return ListState(
        window=window,
        range_error=error,
        flag=params.get("flag", "")[:80],
        channel=params.get("channel", "")[:40],
        status=status if status in Status.values else "",
        assigned=assigned if assigned in (ME, listing.NOBODY) or assigned.isdigit() else "",
        sort=sort if sort.lstrip("-") in listing.SORTS else "-start",
    )


@dataclass(frozen=True)
class Row:
    """One flagged interaction as the list and its CSV show it."""

    id: str
    url: str
    start: str
    start_iso: str
    channel: str
    direction: str
    flow: str
    agents: tuple[str, ...]
    queues: tuple[str, ...]
    flag_type: str
    flag_reason: str
    duration: str
    customer: str
    status: str
    status_label: str
    assignee: str

    @property
    def agents_text(self) -> str:
        return names_text(self.agents)

    @property
    def queues_text(self) -> str:
        return names_text(self.queues)


def names_text(names: tuple[str, ...], shown: int = NAMES_SHOWN) -> str:
    """'Ann, Bob +3 more'; '—' for none."""
    if not names:
        return "—"
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" +{more} more" if more > 0 else "")


@dataclass
class FlaggedList:
    """The list for one viewer: how far the scan got, and the rows that pass the filters."""

    state: ListState
    found: listing.Scan
    rows: list[Row] = field(default_factory=list)
    #: The same rows' IDs, plus the one kept with ``always`` (see ``flagged_list``).
    order: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.found.done or self.found.error is not None


def interaction_url(tenant_id: str, interaction_id: str, state: ListState | None = None) -> str:
    """The interaction's page (carrying the list's state), or '' when the ID is not a UUID."""
    canonical = canonical_uuid(interaction_id)
    if not canonical:
        return ""
    url = reverse("interaction", args=[tenant_id, canonical])
    return f"{url}?{urlencode({'from': state.query()})}" if state else url


def flagged_list(
    *, tenant_id: str, state: ListState, viewer: Any, budget: float | None = None, always: str = ""
) -> FlaggedList:
    """The scan (as far as ``budget`` gets), refined; ``always`` keeps one interaction in
    ``order`` whatever the filters say."""
    found = selectors.flagged_scan(
        tenant_id=tenant_id, window=state.window, viewer=viewer, budget=budget
    )
    listed = FlaggedList(state=state, found=found)
    if not listed.ready:
        return listed
    reviews = statuses(tenant_id, (r.interaction_id for r in found.rows))
    states = {k: v.status for k, v in reviews.items()}
    assignees = {k: v.assignee_id for k, v in reviews.items()}
    assigned = str(viewer.pk) if state.assigned == ME else state.assigned

    def refined(keep: str = "") -> list[Summary]:
        return listing.refine(
            found.rows,
            states,
            flag=state.flag,
            channel=state.channel,
            status=state.status,
            sort=state.sort,
            assignees=assignees,
            assigned=assigned,
            always=keep,
        )

    shown = refined()
    listed.rows = [_row(tenant_id, state, r, reviews.get(r.interaction_id)) for r in shown]
    listed.order = [r.interaction_id for r in (refined(always) if always else shown)]
    return listed


def _row(tenant_id: str, state: ListState, r: Summary, review: Review | None) -> Row:
    zone = timezone.get_current_timezone()
    status = review.status if review else Status.TO_REVIEW
    flag_type = r.flag.flag_type if r.flag else None
    return Row(
        id=r.interaction_id,
        url=interaction_url(tenant_id, r.interaction_id, state),
        start=fmt.local_text(r.start, zone) if r.start else "—",
        start_iso=fmt.iso(r.start),
        channel=r.channel_type or "—",
        direction=r.direction or "—",
        flow=r.flow_name or "—",
        agents=r.agent_names,
        queues=r.queue_names,
        flag_type=flag_type or "unknown",
        flag_reason=flag_reason(flag_type)[0],
        duration=fmt.hms(r.duration),
        customer=r.customer or "—",
        status=status,
        status_label=Status(status).label,
        assignee=display_name(review.assignee) if review else "",
    )


@dataclass(frozen=True)
class Neighbours:
    """Where an interaction sits in the list it was opened from."""

    list_url: str
    previous_url: str
    next_url: str
    #: 1-based; None when it no longer passes the filters (or is not in the list at all).
    position: int | None
    count: int
    #: False while the range is still loading: no position yet.
    ready: bool


def neighbours(
    *, tenant_id: str, state: ListState, viewer: Any, at: str, budget: float | None = None
) -> Neighbours:
    """The previous and next flagged interaction around ``at`` in the list ``state`` describes.

    An interaction that no longer passes the filters (just marked done under
    "to review") keeps the place it would have, so "next" still means the one
    after it; one not in the list at all leads to the first row.
    """
    listed = flagged_list(tenant_id=tenant_id, state=state, viewer=viewer, budget=budget, always=at)
    list_url = f"{reverse('flagged', args=[tenant_id])}?{state.query()}"
    if not listed.ready:
        return Neighbours(list_url, "", "", None, 0, ready=False)
    shown = [row.id for row in listed.rows]
    order = listed.order
    if at not in order:
        first = interaction_url(tenant_id, shown[0], state) if shown else ""
        return Neighbours(list_url, "", first, None, len(shown), ready=True)
    index = order.index(at)
    return Neighbours(
        list_url=list_url,
        previous_url=interaction_url(tenant_id, order[index - 1], state) if index > 0 else "",
        next_url=interaction_url(tenant_id, order[index + 1], state)
        if index + 1 < len(order)
        else "",
        position=shown.index(at) + 1 if at in shown else None,
        count=len(shown),
        ready=True,
    )
