"""Lists of interactions from the list endpoint: flagged ones in a time range,
and the ones linked to a CRM record.

Only the client knows the endpoint's query names: this module asks with a
``ListQuery``. Each upstream page's raw JSON is cached briefly, so a long range
loads in steps (each request stays short, with progress in between), filters
and sorting re-read the cache, and the CSV export costs no extra upstream
requests.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from django.conf import settings
from django.core.cache import cache

from dashboard.cxengage import errors
from dashboard.cxengage.client import MAX_LIST_LIMIT
from dashboard.cxengage.factory import get_client
from dashboard.reviews.models import Status

from .domain import FLAG_REASONS, ListPage, Summary, flag_key, flag_reason
from .parsing import parse_list_page

log = logging.getLogger("dashboard.interactions")

PAGE_TTL = 300
PRESETS = {
    "24h": "Last 24 hours",
    "today": "Today",
    "yesterday": "Yesterday",
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "custom": "Custom range",
}
MAX_RANGE = timedelta(days=92)


@dataclass(frozen=True)
class Range:
    start: datetime
    end: datetime
    preset: str

    @property
    def label(self) -> str:
        return PRESETS.get(self.preset, "Custom range")

    @property
    def query(self) -> str:
        return f"start={iso(self.start)}&end={iso(self.end)}&range={self.preset}"


def iso(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


#: The instants a range may name: the platform's records are never older or later, and
#: a date near the calendar's ends (year 1 or 9999) cannot be moved into every zone.
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def parse_instant(text: str, zone: tzinfo) -> datetime | None:
    """An ISO date-time, in ``zone`` when it names none; None when it cannot be read or
    lies outside 1970–2200."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        moment = moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(UTC)
        if not _EARLIEST <= moment < _LATEST:
            return None
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 in another zone
        return None
    return moment


def resolve_range(params: Any, zone: tzinfo, now: datetime) -> tuple[Range, str]:
    """The time range the request asks for, and an error message ('' if fine).

    ``start``/``end`` (ISO, UTC) win; else ``range`` is a preset, with ``from``/
    ``to`` (local date-times in the viewer's zone) for a custom one.
    """
    now = now.replace(second=0, microsecond=0)
    preset = params.get("range", "24h")
    if preset not in PRESETS:
        preset = "24h"
    start = end = None
    error = ""
    if params.get("start") and params.get("end"):
        if "range" not in params:
            preset = "custom"
        start, end = parse_instant(params["start"], UTC), parse_instant(params["end"], UTC)
        if start is None or end is None:
            error = "The start or end of the range could not be read; showing the last 24 hours."
            preset = "24h"
            start = end = None
    elif preset == "custom":
        start = parse_instant(params.get("from", ""), zone)
        end = parse_instant(params.get("to", ""), zone)
        if start is None or end is None:
            given = params.get("from", "").strip() and params.get("to", "").strip()
            error = (
                "A date of the custom range could not be read (it must be a real date, "
                "1970–2199); showing the last 24 hours."
                if given
                else "Enter both ends of the custom range; showing the last 24 hours."
            )
            preset = "24h"
            start = end = None
    if start is None or end is None:
        local_midnight = now.astimezone(zone).replace(hour=0, minute=0)
        if preset == "today":
            start, end = local_midnight, now
        elif preset == "yesterday":
            start, end = local_midnight - timedelta(days=1), local_midnight
        elif preset == "7d":
            start, end = now - timedelta(days=7), now
        elif preset == "30d":
            start, end = now - timedelta(days=30), now
        else:
            start, end = now - timedelta(hours=24), now
    if end < start:
        error = "The range ends before it starts; the two ends were swapped."
        start, end = end, start
    elif end == start and preset == "custom":
        error = "The range starts and ends at the same time: no interaction can be in it."
    if end - start > MAX_RANGE:
        days = MAX_RANGE.days
        error = f"Ranges are limited to {days} days; showing the last {days} days of it."
        start = end - MAX_RANGE
    return Range(start.astimezone(UTC), end.astimezone(UTC), preset), error


@dataclass(frozen=True)
class ListQuery:
    """What to ask the list endpoint for, apart from the page."""

    start: datetime
    end: datetime
    hook_type: str | None = None
    hook_sub_type: str | None = None
    hook_id: str | None = None
    contact_id: str | None = None


#: Bump when what a page's cache entry holds changes shape.
PAGE_KEY_PREFIX = "listpage:v2:"


def _page_key(tenant_id: str, query: ListQuery, *, offset: int, limit: int) -> str:
    # JSON of the fields, not str(query): the key must not change with the class's repr.
    fields = {
        "tenant": tenant_id,
        "start": iso(query.start),
        "end": iso(query.end),
        "hook_type": query.hook_type,
        "hook_sub_type": query.hook_sub_type,
        "hook_id": query.hook_id,
        "contact_id": query.contact_id,
        "offset": offset,
        "limit": limit,
    }
    raw = json.dumps(fields, sort_keys=True)
    return PAGE_KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()[:32]


def list_page(
    tenant_id: str,
    query: ListQuery,
    *,
    offset: int,
    limit: int,
    before_upstream: Callable[[], None] | None = None,
) -> tuple[ListPage, bool]:
    """One page of the list endpoint through the cache, and whether the API was asked.

    The cache holds the API's JSON as it came, parsed on every read: a deploy
    that changes ``ListPage`` never meets an old pickled one.
    ``before_upstream`` is called only when the page must come from the API.
    """
    key = _page_key(tenant_id, query, offset=offset, limit=limit)
    data = cache.get(key)
    if isinstance(data, dict):
        return parse_list_page(data), False
    if before_upstream is not None:
        before_upstream()
    data = get_client().list_interactions(
        tenant_id,
        start=query.start,
        end=query.end,
        limit=limit,
        offset=offset,
        hook_type=query.hook_type,
        hook_sub_type=query.hook_sub_type,
        hook_id=query.hook_id,
        contact_id=query.contact_id,
    )
    page = parse_list_page(data)  # an answer that does not parse is not cached
    cache.set(key, data, PAGE_TTL)
    return page, True


@dataclass
class Scan:
    """How far a scan through the list endpoint got."""

    rows: list[Summary] = field(default_factory=list)
    scanned: int = 0
    total: int | None = None
    pages: int = 0
    done: bool = False
    error: errors.CxEngageError | None = None
    failed_offset: int | None = None
    skipped: int = 0
    #: Rows listed again on a later page (counted and shown once).
    repeated: int = 0
    #: Where the rows came from, for the page ("live from the API", "from the index, ...").
    source: str = ""


def scan(
    tenant_id: str,
    query: ListQuery,
    *,
    keep: Callable[[Summary], bool] | None = None,
    budget: float | None = None,
    on_upstream_page: Callable[[], None] | None = None,
) -> Scan:
    """Page through the list with ``limit``/``offset`` until ``total``, each page asked
    from where the one before ended.

    Stops early (``done`` False) when ``budget`` seconds pass, so the next call
    can continue from the cache; stops on the first failing page, keeping
    what was loaded. ``on_upstream_page`` is called before each page that must
    come from the API (not the cache); whatever it raises ends the scan and
    reaches the caller.
    """
    # The API's own bounds; a larger setting would be refused by the client.
    limit = max(1, min(settings.FLAGGED_PAGE_SIZE, MAX_LIST_LIMIT))
    started = time.monotonic()
    result = Scan()
    offset = 0
    fetched_any = False
    in_hook = False
    # Offset paging over a list that is newest first: an interaction that arrives while the
    # range loads pushes the rest down, so the next page repeats the last row of this one.
    seen: set[str] = set()

    def before_upstream() -> None:
        nonlocal in_hook
        if on_upstream_page is not None:
            in_hook = True
            on_upstream_page()
            in_hook = False

    while True:
        # Pages read back from the cache are cheap: the budget only stops a
        # request after it has asked the API for something new.
        if budget is not None and fetched_any and time.monotonic() - started > budget:
            return result
        try:
            page, fetched = list_page(
                tenant_id, query, offset=offset, limit=limit, before_upstream=before_upstream
            )
            fetched_any = fetched_any or fetched
        except errors.CxEngageError as exc:
            if in_hook:  # the caller's own refusal (a budget), not a failing page
                raise
            log.warning(
                "list page at offset %d failed: %s (upstream status %s)",
                offset,
                exc.kind,
                exc.status,
                extra={"failure": exc.kind, "upstream_status": exc.status, "list_offset": offset},
            )
            result.error, result.failed_offset = exc, offset
            return result
        result.pages += 1
        result.total = page.total
        new = []
        for r in page.results:
            if r.interaction_id not in seen:
                seen.add(r.interaction_id)
                new.append(r)
        result.repeated += len(page.results) - len(new)
        result.scanned += len(new) + page.skipped
        result.skipped += page.skipped
        result.rows.extend(r for r in new if keep is None or keep(r))
        got = len(page.results) + page.skipped
        # On from the last row this page held: an API that caps its pages below ``limit``
        # while its total says more remain would otherwise have rows skipped between pages.
        offset += got
        # Without a total, a page shorter than asked for is the last.
        short = got < limit
        # A full page of nothing but rows already read: the API ignores the offset (more new
        # interactions than a page while the range loads is not plausible), so reading on
        # would only repeat it, up to the scan's cap.
        stuck = limit > 1 and bool(page.results) and not new and not page.skipped
        if stuck:
            log.warning(
                "list page at offset %d repeated rows already read; stopping there",
                offset - got,
                extra={"list_offset": offset - got},
            )
        if not got and page.total is not None and offset < page.total:
            # An empty page in mid-list: what lies past it was never listed, so the list
            # is incomplete, and says so (the empty page is not kept, so a retry asks again).
            cache.delete(_page_key(tenant_id, query, offset=offset, limit=limit))
            missing = page.total - offset
            log.warning(
                "list page at offset %d was empty though the total is %d; stopping there",
                offset,
                page.total,
                extra={"failure": "list_ended_short", "list_offset": offset},
            )
            result.error = errors.BadResponse(
                f"the list ended with an empty page at interaction {offset}, though its total"
                f" says {page.total}: "
                + ("1 interaction was" if missing == 1 else f"{missing} interactions were")
                + " not listed"
            )
            result.failed_offset = offset
            return result
        if (
            not got
            or (offset >= page.total if page.total is not None else short)
            or offset >= settings.FLAGGED_MAX_INTERACTIONS
            or stuck
        ):
            result.done = True
            return result


def scan_flagged(
    tenant_id: str,
    window: Range,
    *,
    budget: float | None = None,
    on_upstream_page: Callable[[], None] | None = None,
) -> Scan:
    return scan(
        tenant_id,
        ListQuery(start=window.start, end=window.end),
        keep=lambda row: row.flagged,
        budget=budget,
        on_upstream_page=on_upstream_page,
    )


def find_by_hook(
    tenant_id: str,
    hook_type: str,
    hook_id: str,
    now: datetime,
    *,
    on_upstream_page: Callable[[], None] | None = None,
) -> Scan:
    days = getattr(settings, "TICKET_SEARCH_DAYS", 365)
    query = ListQuery(
        start=now - timedelta(days=days), end=now, hook_type=hook_type, hook_id=hook_id
    )
    return scan(tenant_id, query, on_upstream_page=on_upstream_page)


# -- filtering and sorting what was loaded --------------------------------------


def _text(value: str | None) -> tuple[bool, str]:
    """A text column's sort key: case ignored, a blank after every text (``refine`` keeps
    it last when descending too), as the index's ``NULLS LAST`` puts it; not a placeholder
    that some names ("Émile") would sort after."""
    return (not value, (value or "").lower())


def flag_sort_text(flag_type: str | None) -> str:
    """What the flag column is sorted by: the reason it shows, in words, then the type
    (one reason for every type the dashboard has no words for); '' for no flag type
    (sorted last, as every unknown is)."""
    key = flag_key(flag_type)
    return f"{flag_reason(flag_type)[0].lower()}\t{key}" if key else ""


SORTS = {
    "start": lambda r, s: (r.start is None, r.start or datetime.min.replace(tzinfo=UTC)),
    "duration": lambda r, s: (r.duration is None, r.duration or 0.0),
    "channel": lambda r, s: _text(r.channel_type),
    "flag": lambda r, s: _text(flag_sort_text(r.flag.flag_type if r.flag else None)),
    "status": lambda r, s: (s.get(r.interaction_id, Status.TO_REVIEW),),
    "flow": lambda r, s: _text(r.flow_name),
    "agent": lambda r, s: _text(r.agent_names[0] if r.agent_names else None),
    "queue": lambda r, s: _text(r.queue_names[0] if r.queue_names else None),
}

#: Columns a first click sorts newest or longest first; the others (words) A to Z.
SORT_DESCENDING_FIRST = frozenset({"start", "duration"})


def sort_link(key: str, current: str) -> str:
    """The ``sort`` a column's header asks for: its first direction (``SORT_DESCENDING_FIRST``
    or A to Z), or the other one when the list is sorted that way already."""
    first = f"-{key}" if key in SORT_DESCENDING_FIRST else key
    if current == first:
        return key if first.startswith("-") else f"-{key}"
    return first


#: ``assigned`` filter values besides a user's primary key.
NOBODY = "none"
#: ``flag`` filter value for flagged interactions whose flag type is missing or blank.
NO_FLAG_TYPE = "none"


#: The Flag filter's option for flagged interactions the API gave no flag type.
NO_FLAG_TYPE_WORDS = "No flag type given"


def flag_words(flag_type: str | None) -> tuple[str, str]:
    """(why it was flagged, what may be wrong) for a flagged interaction's type, or for none."""
    return flag_reason(flag_type)


def flag_of(flag_type: str | None) -> str:
    """The ``flag`` filter value that selects an interaction flagged with ``flag_type``: one
    value whatever the type's case or spaces, and ``NO_FLAG_TYPE`` for none."""
    return flag_key(flag_type) or NO_FLAG_TYPE


#: The ``flag`` filter values of the flag types the platform documents.
DOCUMENTED_FLAGS = frozenset(flag_of(code) for code in FLAG_REASONS)


def flag_known(flag: str, present: Iterable[str]) -> bool:
    """Whether ``flag`` (a ``flag_of`` value, from a link) is a flag type the Flag filter
    offers: one the platform documents, "no flag type", or one an interaction of the list
    was flagged with (``present``: the types as sent), named or not."""
    return (
        flag in DOCUMENTED_FLAGS
        or flag == NO_FLAG_TYPE
        or any(flag_of(code) == flag for code in present)
    )


def channel_of(channel_type: str | None) -> str:
    """The ``channel`` filter value that selects an interaction of ``channel_type``: one
    value whatever the code's case or spaces ("voice", "VOICE" and "Voice" are one channel),
    '' for none."""
    return (channel_type or "").strip().lower()


def flag_choices(codes: Iterable[str]) -> list[tuple[str, str]]:
    """A Flag filter's options for flag types as the API sent them ('' for none): one per
    type whatever its case or spaces, (the filter's value, the reason in words with the type
    as sent), ordered by value; flagged interactions without a type have their own."""
    spellings: dict[str, list[str]] = {}
    for code in sorted(codes, key=str.strip):
        sent = spellings.setdefault(flag_of(code), [])
        if code.strip() and code.strip() not in sent:
            sent.append(code.strip())
    return [
        (value, f"{flag_reason(value)[0]} ({', '.join(sent)})" if sent else NO_FLAG_TYPE_WORDS)
        for value, sent in sorted(spellings.items())
    ]


@dataclass(frozen=True)
class Refinement:
    """The flagged list's filters and sort, as ``refine`` (in Python) and the index (in SQL)
    apply them; '' means "any". ``flag`` is a ``flag_of`` value; ``assigned`` is a user's
    primary key (as text) or ``NOBODY``."""

    flag: str = ""
    #: A ``channel_of`` value.
    channel: str = ""
    status: str = ""
    assigned: str = ""
    sort: str = "-start"

    @property
    def by_review(self) -> bool:
        """Whether a filter reads the review state (status or assignee)."""
        return bool(self.status or self.assigned)


@dataclass
class Paged:
    """One page of the flagged list, filtered and ordered, with the counts around it."""

    #: This page's rows, in the list's order.
    rows: list[Summary]
    #: Where the page starts among the rows that pass the filters (0-based).
    offset: int
    #: Rows that pass the filters, over every page.
    matched: int
    #: Flagged interactions in the range before the filters.
    flagged: int
    #: Interactions in the range, flagged or not (read by a scan, or counted in the index).
    scanned: int
    #: How ``scanned`` was had, for the page: "" counted; "about" an estimate; "more than"
    #: the index stopped counting there.
    scanned_label: str = ""
    #: The flag types (as sent, '' for none) and channels among the flagged ones (the
    #: filters' choices).
    flag_types: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    #: Where the rows came from ("live from the API", "from the index, ...").
    source: str = ""


def refine(
    rows: list[Summary],
    statuses: dict[str, str],
    *,
    flag: str = "",
    channel: str = "",
    status: str = "",
    sort: str = "-start",
    assignees: Mapping[str, int | None] | None = None,
    assigned: str = "",
    always: str = "",
) -> list[Summary]:
    """The rows that pass every filter, sorted.

    ``assigned`` is a user's primary key (as text) or ``NOBODY``, compared with
    ``assignees`` (interaction ID -> assignee's key). ``always`` names one
    interaction kept whatever the filters say, so that the one a reviewer has
    just marked done still has a place (and neighbours) in the list.
    """
    owners = assignees or {}

    def passes(r: Summary) -> bool:
        owner = owners.get(r.interaction_id)
        return (
            (not flag or bool(r.flag and flag_of(r.flag.flag_type) == flag))
            and (not channel or channel_of(r.channel_type) == channel)
            and (not status or statuses.get(r.interaction_id, Status.TO_REVIEW) == status)
            and (not assigned or (owner is None if assigned == NOBODY else str(owner) == assigned))
        )

    kept = [r for r in rows if r.interaction_id == always or passes(r)]
    # Ties newest first (then by ID, descending), as the index orders them, whatever order
    # the API listed them in; those whose start is not known after the others.
    kept.sort(key=lambda r: (SORTS["start"](r, statuses)[1], r.interaction_id), reverse=True)
    kept.sort(key=lambda r: r.start is None)
    key = sort.lstrip("-")
    order = SORTS.get(key, SORTS["start"])
    keys = {id(r): order(r, statuses) for r in kept}
    kept.sort(key=lambda r: keys[id(r)], reverse=sort.startswith("-"))  # stable: ties
    # What is not known (no duration, no agent) comes last whichever way, as the index's
    # ``NULLS LAST`` puts it: "—" is never the longest call.
    kept.sort(key=lambda r: keys[id(r)][0] is True)
    return kept
