"""The flagged list as one viewer sees it: the list's state (a time range and its filters, as a
URL query), one page of rows with each one's review status and assignee, every matching row for
the CSV, and where one interaction sits in that list (its previous and next).

Where the index covers the whole range, the database filters, orders, pages and counts
(``selectors.flagged_page``); elsewhere the rows come from the cached scan
(``selectors.flagged_scan``, index and live API together) and are refined here, so the list,
its CSV, and the previous/next links of an interaction opened from it cost no upstream
request once the range has loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from itertools import islice
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from dashboard.accounts.gate import canonical_uuid
from dashboard.cxengage import errors
from dashboard.reviews.models import Review, Status
from dashboard.reviews.selectors import display_name, statuses

from . import formatting as fmt
from . import listing, selectors, wording
from .domain import Summary

#: Agents or queues named in a list cell before "+N more" (the rest on hover).
NAMES_SHOWN = 2
#: ``assigned`` filter value for the viewer themselves.
ME = "me"
#: Rows on one page of the list.
PAGE_SIZE = 50
#: Rows whose review state the CSV export reads per query.
EXPORT_CHUNK = 1000


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
    #: A ``flag`` the link asked for that is no flag type (none the platform documents,
    #: none an interaction of the list has): the list is not filtered by it, and says so.
    unknown_flag: str = ""
    #: ``flag`` as the link wrote it (its case kept), to say back when it is unknown.
    flag_asked: str = field(default="", compare=False)

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

    def refinement(self, viewer: Any) -> listing.Refinement:
        """The filters and sort, with "assigned to me" as this viewer's key."""
        return listing.Refinement(
            flag=self.flag,
            channel=self.channel,
            status=self.status,
            assigned=str(viewer.pk) if self.assigned == ME else self.assigned,
            sort=self.sort,
        )

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
    flag = params.get("flag", "")[:80]
    status = params.get("status", "")
    assigned = params.get("assigned", "")
    return ListState(
        window=window,
        range_error=error,
        flag=listing.flag_of(flag) if flag.strip() else "",
        flag_asked=flag.strip(),
        channel=listing.channel_of(params.get("channel", "")[:40]),
        status=status if status in Status.values else "",
        assigned=assigned if assigned in (ME, listing.NOBODY) or assigned.isdigit() else "",
        sort=sort if sort.lstrip("-") in listing.SORTS else "-start",
    )


@dataclass(frozen=True)
class Row:
    """One flagged interaction as the list and its CSV show it."""

    id: str
    #: The interaction's page carrying the list's state; '' for an ID that is not a UUID
    #: (and in the CSV, which links nothing).
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
    #: The channel and direction in the interaction page's words (``channel`` and
    #: ``direction`` stay the API's codes, for the CSV and the filter's values).
    channel_word: str = ""
    direction_word: str = ""
    #: 'h:mm:ss' for the CSV's spreadsheets; ``duration`` is the one people read.
    duration_sheet: str = ""

    @property
    def agents_shown(self) -> tuple[str, ...]:
        return self.agents[:NAMES_SHOWN]

    @property
    def agents_more(self) -> int:
        return max(0, len(self.agents) - NAMES_SHOWN)

    @property
    def queues_shown(self) -> tuple[str, ...]:
        return self.queues[:NAMES_SHOWN]

    @property
    def queues_more(self) -> int:
        return max(0, len(self.queues) - NAMES_SHOWN)


@dataclass
class FlaggedList:
    """The list for one viewer: how far loading got, and one page of the rows that pass the
    filters, with the counts around it."""

    state: ListState
    #: How far the scan got (read from the index: complete at once).
    found: listing.Scan
    #: The page and its counts; None while the range is still loading.
    paged: listing.Paged | None = None
    rows: list[Row] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.found.done or self.found.error is not None

    @property
    def failure(self) -> errors.CxEngageError | None:
        """The API's failure when it left nothing to show (a failure after some pages had
        loaded leaves a partial list, which is shown and says so)."""
        return nothing_loaded(self.found)

    @property
    def page(self) -> int:
        return self.paged.offset // PAGE_SIZE + 1 if self.paged else 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.paged.matched // PAGE_SIZE)) if self.paged else 1


def nothing_loaded(found: listing.Scan) -> errors.CxEngageError | None:
    """The failure that ended ``found`` before any interaction was read; None otherwise."""
    return found.error if found.error is not None and not found.scanned else None


def interaction_url(tenant_id: str, interaction_id: str, state: ListState | None = None) -> str:
    """The interaction's page (carrying the list's state), or '' when the ID is not a UUID."""
    canonical = canonical_uuid(interaction_id)
    if not canonical:
        return ""
    url = reverse("interaction", args=[tenant_id, canonical])
    return f"{url}?{urlencode({'from': state.query()})}" if state else url


def flagged_list(
    *, tenant_id: str, state: ListState, viewer: Any, budget: float | None = None, page: int = 1
) -> FlaggedList:
    """Page ``page`` of the list (the last one when past it): from the index in SQL where it
    covers the range, else from the scan (as far as ``budget`` gets), refined here. A flag
    type in the link that is no flag type (``listing.flag_known``) filters nothing: the
    list is shown for every flag type, its state saying which was asked for."""
    listed = _flagged_list(tenant_id, state, viewer, budget, page)
    if (
        state.flag
        and listed.paged is not None
        and not listing.flag_known(state.flag, listed.paged.flag_types)
    ):
        unfiltered = replace(state, flag="", unknown_flag=state.flag_asked or state.flag)
        listed = _flagged_list(tenant_id, unfiltered, viewer, budget, page)
    return listed


def _flagged_list(
    tenant_id: str, state: ListState, viewer: Any, budget: float | None, page: int
) -> FlaggedList:
    refinement = state.refinement(viewer)
    offset = (max(page, 1) - 1) * PAGE_SIZE
    paged = selectors.flagged_page(
        tenant_id=tenant_id,
        window=state.window,
        viewer=viewer,
        refinement=refinement,
        offset=offset,
        limit=PAGE_SIZE,
    )
    if paged is not None:
        found = listing.Scan(scanned=paged.scanned, done=True, source=paged.source)
        reviews = statuses(tenant_id, (r.interaction_id for r in paged.rows))
    else:
        found = selectors.flagged_scan(
            tenant_id=tenant_id, window=state.window, viewer=viewer, budget=budget
        )
        if not (found.done or found.error is not None):
            return FlaggedList(state=state, found=found)
        reviews = statuses(tenant_id, (r.interaction_id for r in found.rows))
        kept = _refined(found.rows, reviews, refinement)
        offset = min(offset, (len(kept) - 1) // PAGE_SIZE * PAGE_SIZE) if kept else 0
        paged = listing.Paged(
            rows=kept[offset : offset + PAGE_SIZE],
            offset=offset,
            matched=len(kept),
            flagged=len(found.rows),
            scanned=found.scanned,
            flag_types=tuple(sorted({r.flag.flag_type or "" for r in found.rows if r.flag})),
            channels=tuple(sorted({r.channel_type or "" for r in found.rows} - {""})),
            source=found.source,
        )
    back = urlencode({"from": state.query()})  # the same for every row's link
    rows = [_row(tenant_id, r, reviews.get(r.interaction_id), back=back) for r in paged.rows]
    return FlaggedList(state=state, found=found, paged=paged, rows=rows)


def _refined(
    rows: list[Summary],
    reviews: Mapping[str, Review],
    refinement: listing.Refinement,
    always: str = "",
) -> list[Summary]:
    return listing.refine(
        rows,
        {k: v.status for k, v in reviews.items()},
        flag=refinement.flag,
        channel=refinement.channel,
        status=refinement.status,
        sort=refinement.sort,
        assignees={k: v.assignee_id for k, v in reviews.items()},
        assigned=refinement.assigned,
        always=always,
    )


@dataclass
class Export:
    """Every row that passes the list's filters, for the CSV: how many, and the rows
    themselves, read as they are written."""

    count: int
    rows: Iterator[Row]
    #: How far the scan got (a failed page is reported in the file).
    found: listing.Scan


def export(*, tenant_id: str, state: ListState, viewer: Any) -> Export:
    """The whole list in its order: streamed from the index where it covers the range, else
    from the complete scan."""
    refinement = state.refinement(viewer)
    streamed = selectors.flagged_export(
        tenant_id=tenant_id, window=state.window, viewer=viewer, refinement=refinement
    )
    if streamed is not None:
        count, summaries = streamed
        return Export(count, _with_reviews(tenant_id, summaries), listing.Scan(done=True))
    found = selectors.flagged_scan(tenant_id=tenant_id, window=state.window, viewer=viewer)
    reviews = statuses(tenant_id, (r.interaction_id for r in found.rows))
    kept = _refined(found.rows, reviews, refinement)
    return Export(len(kept), _with_reviews(tenant_id, iter(kept)), found)


def _with_reviews(tenant_id: str, summaries: Iterator[Summary]) -> Iterator[Row]:
    """Rows (without links) with their review state, read for ``EXPORT_CHUNK`` rows at a time."""
    while chunk := list(islice(summaries, EXPORT_CHUNK)):
        reviews = statuses(tenant_id, (r.interaction_id for r in chunk))
        for r in chunk:
            yield _row(tenant_id, r, reviews.get(r.interaction_id), back=None)


def _row(tenant_id: str, r: Summary, review: Review | None, *, back: str | None) -> Row:
    """One row; its link carries ``back`` (the list's state as ``from=…``), or there is no
    link when ``back`` is None (the CSV has no use for one)."""
    zone = timezone.get_current_timezone()
    status = review.status if review else Status.TO_REVIEW
    flag_type = r.flag.flag_type if r.flag else None
    url = interaction_url(tenant_id, r.interaction_id) if back is not None else ""
    return Row(
        id=r.interaction_id,
        url=f"{url}?{back}" if url and back else url,
        start=fmt.local_text(r.start, zone) if r.start else "Start unknown",
        start_iso=fmt.iso(r.start),
        channel=r.channel_type or "—",
        direction=r.direction or "—",
        flow=r.flow_name or "—",
        agents=r.agent_names,
        queues=r.queue_names,
        flag_type=(flag_type or "").strip(),
        flag_reason=listing.flag_words(flag_type)[0],
        duration=fmt.hms(r.duration),
        customer=r.customer or "—",
        status=status,
        status_label=Status(status).label,
        assignee=display_name(review.assignee) if review else "",
        channel_word=wording.channel(r.channel_type).text if r.channel_type else "—",
        direction_word=wording.direction(r.direction).text if r.direction else "—",
        duration_sheet=fmt.sheet_hms(r.duration),
    )


def channel_choices(codes: Iterable[str]) -> list[tuple[str, str]]:
    """The Channel filter's options: one per code whatever its case or spaces (the filter's
    value, ``listing.channel_of``), in the interaction page's word for it (an unknown code as
    first sent), the value added where two read the same; ordered by what people read."""
    words: dict[str, str] = {}
    for code in sorted(codes, key=str.strip):
        if listing.channel_of(code):
            words.setdefault(listing.channel_of(code), wording.channel(code.strip()).text)
    shared = {w for w in words.values() if list(words.values()).count(w) > 1}
    return sorted(
        ((code, f"{word} ({code})" if word in shared else word) for code, word in words.items()),
        key=lambda choice: (choice[1].lower(), choice[0]),
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
    #: Why the list could not be read at all (the API failed before any interaction).
    failure: errors.CxEngageError | None = None
    #: False when the list no longer holds it at all (no longer flagged, or no longer in the
    #: range): previous and next are around where its sort key would put it.
    listed: bool = True
    #: False when it is not in the list and where it would sit is not known either: "next"
    #: is the list's first row.
    placed: bool = True


def neighbours(
    *, tenant_id: str, state: ListState, viewer: Any, at: str, budget: float | None = None
) -> Neighbours:
    """The previous and next flagged interaction around ``at`` in the list ``state`` describes.

    An interaction that no longer passes the filters (just marked done under
    "to review") keeps the place it would have, so "next" still means the one
    after it; so does one the list no longer holds at all (its flag cleared since), where
    its sort key puts it. One whose place cannot be known (neither indexed nor cached)
    leads to the first row, and says so.
    """
    list_url = f"{reverse('flagged', args=[tenant_id])}?{state.query()}"
    placed = _placed(tenant_id=tenant_id, state=state, viewer=viewer, at=at, budget=budget)
    if placed is None:
        return Neighbours(list_url, "", "", None, 0, ready=False)
    if isinstance(placed, errors.CxEngageError):
        return Neighbours(list_url, "", "", None, 0, ready=True, failure=placed)
    order, shown, listed = placed
    if at not in order:
        first = interaction_url(tenant_id, shown[0], state) if shown else ""
        return Neighbours(
            list_url, "", first, None, len(shown), ready=True, listed=False, placed=False
        )
    index = order.index(at)
    position = shown.index(at) + 1 if at in shown else None
    if position is not None and position > PAGE_SIZE:  # back to the page it is on
        list_url += f"&page={(position - 1) // PAGE_SIZE + 1}"
    return Neighbours(
        list_url=list_url,
        previous_url=interaction_url(tenant_id, order[index - 1], state) if index > 0 else "",
        next_url=interaction_url(tenant_id, order[index + 1], state)
        if index + 1 < len(order)
        else "",
        position=position,
        count=len(shown),
        ready=True,
        listed=listed,
    )


def _placed(
    *, tenant_id: str, state: ListState, viewer: Any, at: str, budget: float | None
) -> tuple[list[str], list[str], bool] | errors.CxEngageError | None:
    """The list's IDs in order with ``at`` where it would sit whatever the filters say (if
    that is known), the ones that pass them, and whether the list holds ``at`` at all; None
    while the range is still loading; the API's failure when it left nothing to read."""
    refinement = state.refinement(viewer)
    found_in_index = selectors.flagged_order(
        tenant_id=tenant_id, window=state.window, refinement=refinement, always=at
    )
    if found_in_index is not None:
        return (
            [iid for iid, _, _ in found_in_index],
            [iid for iid, passes, _ in found_in_index if passes],
            any(iid == at and listed for iid, _, listed in found_in_index),
        )
    found = selectors.flagged_scan(
        tenant_id=tenant_id, window=state.window, viewer=viewer, budget=budget
    )
    if not (found.done or found.error is not None):
        return None
    failure = nothing_loaded(found)
    if failure is not None:
        return failure
    rows = found.rows
    listed = any(r.interaction_id == at for r in rows)
    if at and not listed:
        # No longer in the list (its flag cleared since): placed by its own row, if known.
        alone = selectors.list_row(tenant_id=tenant_id, interaction_id=at)
        rows = [*rows, alone] if alone is not None else rows
    reviews = statuses(tenant_id, (r.interaction_id for r in rows))
    shown = [r.interaction_id for r in _refined(found.rows, reviews, refinement)]
    if not at:
        return shown, shown, listed
    kept = [r.interaction_id for r in _refined(rows, reviews, refinement, always=at)]
    return kept, shown, listed
