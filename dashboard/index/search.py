"""Search over the index: the query a request asks for, read from its
parameters, and one page of matching interactions, masked for the viewer.

Everything the user types reaches the database as a bound parameter of an ORM
filter (exact matches only: no LIKE, so ``%`` and ``_`` are just characters),
after its length is capped. The one match that is not whole is a phone number's
end: at least 7 digits typed find the numbers whose digits end with them (the
same number without its country code), compared on the index's ``customer_tail``
and then on the key's last digits, never by a pattern. A range that cannot be
read, or ends before it starts, is reported and answers nothing rather than a guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import NullIf, Right

from dashboard.accounts.access import can_see_contact_details
from dashboard.interactions import listing, wording
from dashboard.interactions.formatting import hms, sheet_hms
from dashboard.interactions.masking import mask
from dashboard.reviews.models import Review, Status
from dashboard.reviews.selectors import display_name, statuses

from .customer import customer_key, customer_tail, typed_email, typed_number
from .models import AgentLeg, IndexedInteraction, QueueVisit
from .selectors import agent_names, flag_is, offered_names, queue_names
from .text import Folded, sort_text

#: Longest value kept from any search field; longer input is cut, never sent whole.
MAX_TEXT = 200
PAGE_SIZE = 50
#: Offset paging stops here: past it, narrow the search (keeps every page fast).
MAX_PAGES = 40
PRESETS = {
    "24h": ("Last 24 hours", timedelta(hours=24)),
    "7d": ("Last 7 days", timedelta(days=7)),
    "30d": ("Last 30 days", timedelta(days=30)),
    "90d": ("Last 90 days", timedelta(days=90)),
    "custom": ("Custom range", None),
}
DEFAULT_PRESET = "30d"
#: Sort keys the user may ask for -> the index's columns (the ID breaks ties, for stable pages).
SORTS = {
    "start": "start",
    "duration": "total_seconds",
    "channel": "channel",
    "flow": "flow_name",
}
#: Sort columns of names: compared as the flagged list compares them (letter case ignored,
#: by code point on either database), a blank one unknown. Unknowns sort last either way.
TEXT_SORTS = {"channel", "flow_name"}
REVIEWED = {"": "Reviewed or not", "yes": "Reviewed (done)", "no": "Not reviewed"}
DIRECTIONS = ("inbound", "outbound")
CUSTOMER_NEEDS_PERMISSION = (
    "Searching by customer needs the permission to see customer contact details."
)


def _text(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name, "")
    if not isinstance(value, str):
        return ""
    # NUL cannot be stored or compared by PostgreSQL; it is never part of a real value.
    return value.replace("\x00", "").strip()[:MAX_TEXT]


def _flag(asked: str) -> str:
    """The Flag filter's value: "any", or one flag type whatever its case or spaces."""
    return asked if asked in ("", "any") else listing.flag_of(asked)


@dataclass(frozen=True)
class SearchQuery:
    """What one search asks for; '' means "any"."""

    customer: str = ""
    agent: str = ""
    queue: str = ""
    flow: str = ""
    #: A flag type, or "any" for every flagged interaction.
    flag: str = ""
    channel: str = ""
    direction: str = ""
    disposition: str = ""
    reviewed: str = ""
    preset: str = DEFAULT_PRESET
    #: The range as the form shows it (local date-times): as typed for a custom range,
    #: else the preset's own, so that editing an end starts from it.
    range_from: str = ""
    range_to: str = ""
    sort: str = "-start"
    page: int = 1
    start: datetime | None = None
    end: datetime | None = None

    FILTERS = (
        "customer",
        "agent",
        "queue",
        "flow",
        "flag",
        "channel",
        "direction",
        "disposition",
        "reviewed",
    )

    def params(self, **changes: Any) -> str:
        """The query string for this search (with ``changes``): a URL for each state."""
        values = {
            f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("start", "end")
        }
        values.update(changes)
        if values.get("preset") != "custom":
            values["range_from"] = values["range_to"] = ""
        if values.get("page") == 1:
            values["page"] = ""
        if values.get("sort") == "-start":
            values["sort"] = ""
        if values.get("preset") == DEFAULT_PRESET:
            values["preset"] = ""
        names = {"preset": "range", "range_from": "from", "range_to": "to"}
        return urlencode({names.get(k, k): v for k, v in values.items() if v not in ("", None)})

    @property
    def asks_anything(self) -> bool:
        return any(getattr(self, name) for name in self.FILTERS)


def _local_input(moment: datetime, zone: tzinfo) -> str:
    """``moment`` as a datetime-local field holds it, in ``zone``."""
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def _parse_local(text: str, zone: tzinfo) -> datetime | None:
    """A datetime-local field's value (in ``zone``) or an ISO instant, in UTC; None when
    it cannot be read or lies outside the range the lists accept (``listing``)."""
    moment = listing.parse_instant(text, zone)
    return None if moment is None else moment.astimezone(UTC)


def read_query(
    params: Mapping[str, Any], *, zone: tzinfo, now: datetime
) -> tuple[SearchQuery, list[str]]:
    """The search ``params`` ask for, and what could not be read (messages for the page)."""
    problems: list[str] = []
    sort = _text(params, "sort") or "-start"
    if sort.lstrip("-") not in SORTS:
        sort = "-start"
    try:
        page = max(1, min(int(_text(params, "page") or 1), MAX_PAGES))
    except ValueError:
        page = 1
    preset = _text(params, "range") or DEFAULT_PRESET
    if preset not in PRESETS:
        preset = DEFAULT_PRESET
    typed = (_text(params, "from"), _text(params, "to"))
    if (
        preset != "custom"
        and any(typed)
        and typed != (_text(params, "was_from"), _text(params, "was_to"))
    ):
        # An end of the range was edited (the form showed the preset's range, ``was_*``):
        # a custom range, not the preset the select still names.
        preset = "custom"
    reviewed = _text(params, "reviewed")
    query = SearchQuery(
        customer=_text(params, "customer"),
        agent=_text(params, "agent"),
        queue=_text(params, "queue"),
        flow=_text(params, "flow"),
        flag=_flag(_text(params, "flag")),
        channel=_text(params, "channel"),
        direction=_text(params, "direction"),
        disposition=_text(params, "disposition"),
        reviewed=reviewed if reviewed in REVIEWED else "",
        preset=preset,
        range_from=_text(params, "from"),
        range_to=_text(params, "to"),
        sort=sort,
        page=page,
    )
    if query.direction and query.direction not in DIRECTIONS:
        problems.append("Direction is inbound or outbound.")
    if query.customer and not customer_key(query.customer):
        problems.append("The customer is searched by phone number or email address.")
    span = PRESETS[preset][1]
    if span is not None:
        # The form shows the preset's range in the viewer's zone, ready to be edited.
        shown = (_local_input(now - span, zone), _local_input(now, zone))
        return replace(
            query, start=now - span, end=now, range_from=shown[0], range_to=shown[1]
        ), problems
    start, end = _parse_local(query.range_from, zone), _parse_local(query.range_to, zone)
    if start is None or end is None:
        problems.append("The range could not be read: enter both ends as date and time.")
    elif end <= start:
        problems.append("The range ends before it starts: nothing can match it.")
    return replace(query, start=start, end=end), problems


@dataclass(frozen=True)
class Row:
    """One interaction in the results, as this viewer may see it."""

    tenant_id: str
    interaction_id: str
    start: datetime | None
    end: datetime | None
    channel: str
    direction: str
    customer: str
    flow: str
    flagged: bool
    flag_type: str
    disposition: str
    #: Names as the legs and visits hold them, in order, each once: the agents who had it.
    agents: tuple[str, ...]
    queues: tuple[str, ...]
    total_seconds: float | None
    reviewed: bool
    #: Agents offered it who never accepted it (a search by agent finds them too).
    offered: tuple[str, ...] = ()
    #: The QA review's status (a flagged interaction nobody reviewed yet is to review; one
    #: neither flagged nor reviewed has none), and who it is assigned to, as the list says.
    review_status: str = ""
    assignee: str = ""

    @property
    def review_label(self) -> str:
        return Status(self.review_status).label if self.review_status else ""

    @property
    def seconds(self) -> float | None:
        """The total as the interaction's page gives it: as the API sent it, else worked
        out from start and end where both are known and in order (``computed``)."""
        if self.total_seconds is not None:
            return self.total_seconds
        if self.start is not None and self.end is not None and self.end >= self.start:
            return (self.end - self.start).total_seconds()
        return None

    @property
    def computed(self) -> bool:
        """The total was worked out by the dashboard: the API did not send it."""
        return self.total_seconds is None and self.seconds is not None

    @property
    def duration(self) -> str:
        return hms(self.seconds) + (" ≈" if self.computed else "")

    @property
    def flag_reason(self) -> str:
        """Why it was flagged, in words (as the flagged list and the interaction's page say)."""
        return listing.flag_words(self.flag_type)[0] if self.flagged else ""


@dataclass(frozen=True)
class Results:
    rows: list[Row] = field(default_factory=list)
    page: int = 1
    has_next: bool = False
    #: Paging stopped at MAX_PAGES: the search should be narrowed.
    capped: bool = False
    masked: bool = False


def matching(tenant_id: str, query: SearchQuery) -> QuerySet[IndexedInteraction]:
    """The tenant's indexed interactions that match ``query`` (unordered, unsliced)."""
    found = IndexedInteraction.objects.filter(tenant_id=tenant_id)
    if query.start is not None:
        found = found.filter(start__gte=query.start)
    if query.end is not None:
        found = found.filter(start__lt=query.end)
    if query.customer:
        found = _customer(found, query.customer)
    if query.flow:
        found = found.filter(flow_name=query.flow)
    if query.flag == "any":
        found = found.filter(flagged=True)
    elif query.flag:
        found = found.filter(flag_is(query.flag), flagged=True)
    for name, column in (
        ("channel", "channel"),
        ("direction", "direction"),
        ("disposition", "disposition"),
    ):
        if getattr(query, name):
            found = found.filter(**{column: getattr(query, name)})
    # Driven from the child rows' own (tenant, name, time) indexes: a leg or visit
    # never starts before its interaction, so only those from the range's start on
    # (or with no time) can belong to an interaction that started in the range.
    if query.agent:
        legs = AgentLeg.objects.filter(tenant_id=tenant_id, agent_name=query.agent)
        if query.start is not None:
            legs = legs.filter(Q(started_at__gte=query.start) | Q(started_at__isnull=True))
        found = found.filter(pk__in=legs.values("interaction_id"))
    if query.queue:
        visits = QueueVisit.objects.filter(
            tenant_id=tenant_id, queue_name=query.queue, direct=False
        )
        if query.start is not None:
            visits = visits.filter(Q(entered_at__gte=query.start) | Q(entered_at__isnull=True))
        found = found.filter(pk__in=visits.values("interaction_id"))
    if query.reviewed:
        done = Exists(
            Review.objects.filter(
                tenant_id=tenant_id, interaction_id=OuterRef("interaction_id"), status=Status.DONE
            )
        )
        found = found.filter(done if query.reviewed == "yes" else ~done)
    return found


def _customer(found: QuerySet[IndexedInteraction], typed: str) -> QuerySet[IndexedInteraction]:
    """The interactions of the customer ``typed`` names: a phone number of at least
    ``phone.MIN_DIGITS`` digits by its end (typed without the country code, with a
    leading ``00`` or trunk ``0``, an extension or keypad letters, it still finds the
    number), anything else exactly (an email also with the spaces pasted into it left out)."""
    key = customer_key(typed)
    digits = typed_number(typed)
    if not digits:
        return found.filter(customer_key__in={key, typed_email(typed)} - {""})
    ending = Right("customer_key", len(digits))
    by_end = Q(customer_tail=customer_tail(digits), ending=digits)
    # The key as typed still matches exactly where it differs (a stored "… x123").
    return found.alias(ending=ending).filter(
        by_end if digits == key else by_end | Q(customer_key=key)
    )


def search(tenant_id: str, query: SearchQuery, *, viewer: Any, limit: int = PAGE_SIZE) -> Results:
    """One page of the interactions matching ``query``, masked unless ``viewer`` may see them.

    A viewer without the contact-details permission who asks by customer gets
    nothing (the view says why): the index must not confirm that a customer exists.
    """
    masked = not can_see_contact_details(viewer)
    if masked and query.customer:
        return Results(masked=True)
    offset = (query.page - 1) * limit
    ordered = matching(tenant_id, query).order_by(*_ordering(query.sort))
    found = list(ordered[offset : offset + limit + 1])
    has_next = len(found) > limit
    found = found[:limit]
    return Results(
        rows=_rows(tenant_id, found, masked=masked),
        page=query.page,
        has_next=has_next and query.page < MAX_PAGES,
        capped=has_next and query.page >= MAX_PAGES,
        masked=masked,
    )


def _ordering(sort: str) -> list[Any]:
    """``ORDER BY`` for ``sort``: the start by itself (the ID breaking ties, for stable
    pages); another column with unknowns last whichever way, ties newest first."""
    column = SORTS[sort.lstrip("-")]
    descending = sort.startswith("-")
    if column == "start":
        return ["-start", "-id"] if descending else ["start", "id"]
    value: Any = F(column)
    if column in TEXT_SORTS:
        value = sort_text(NullIf(Folded(column), Value("")))
    first = value.desc(nulls_last=True) if descending else value.asc(nulls_last=True)
    return [first, F("start").desc(nulls_last=True), "-id"]


def all_rows(tenant_id: str, query: SearchQuery, *, viewer: Any, cap: int) -> list[Row]:
    """Every match up to ``cap`` rows, most recent first (for the CSV export)."""
    masked = not can_see_contact_details(viewer)
    if masked and query.customer:
        return []
    found = list(matching(tenant_id, query).order_by("-start", "-id")[:cap])
    return _rows(tenant_id, found, masked=masked)


def _rows(tenant_id: str, found: list[IndexedInteraction], *, masked: bool) -> list[Row]:
    ids = [r.interaction_id for r in found]
    pks = [r.pk for r in found]
    # Read from the visits and legs, never split from a joined column: a name may hold a comma.
    queues = queue_names(QueueVisit.objects.filter(interaction__in=pks))
    agents = agent_names(AgentLeg.objects.filter(interaction__in=pks))
    offered = offered_names(AgentLeg.objects.filter(interaction__in=pks))
    reviews = statuses(tenant_id, ids)
    return [
        Row(
            tenant_id=tenant_id,
            interaction_id=r.interaction_id,
            start=r.start,
            end=r.end,
            channel=r.channel,
            direction=r.direction,
            customer=(mask(r.customer) or "") if masked else r.customer,
            flow=r.flow_name,
            flagged=r.flagged,
            flag_type=r.flag_type,
            disposition=r.disposition,
            agents=tuple(agents.get(r.pk, [])),
            queues=tuple(queues.get(r.pk, [])),
            total_seconds=r.total_seconds,
            reviewed=review is not None and review.status == Status.DONE,
            offered=tuple(offered.get(r.pk, [])),
            review_status=review.status if review else (Status.TO_REVIEW if r.flagged else ""),
            assignee=display_name(review.assignee) if review else "",
        )
        for r in found
        for review in [reviews.get(r.interaction_id)]
    ]


CSV_COLUMNS = (
    "interaction_id",
    "start",
    "channel",
    "direction",
    "customer",
    "flow",
    "queues",
    "agents",
    "offered_never_accepted",
    "flag_type",
    "disposition",
    "duration",
    "reviewed",
    "review_status",
    "assigned_to",
    # The codes above in the words the search page shows (an unknown code as sent): a
    # reader of the file sees what the page says, scripts keep the codes.
    "channel_words",
    "direction_words",
    "flag_reason",
)


def csv_values(row: Row) -> tuple[str, ...]:
    """One row of the CSV export, in ``CSV_COLUMNS`` order (the formula guard is the caller's)."""
    return (
        row.interaction_id,
        row.start.isoformat() if row.start else "",
        row.channel,
        row.direction,
        row.customer,
        row.flow,
        "; ".join(row.queues),
        "; ".join(row.agents),
        "; ".join(row.offered),
        row.flag_type if row.flagged else "",
        row.disposition,
        sheet_hms(row.total_seconds),  # h:mm:ss, as a spreadsheet reads a duration
        "yes" if row.reviewed else "no",
        row.review_status,
        row.assignee,
        wording.channel(row.channel).text if row.channel else "",
        wording.direction(row.direction).text,
        row.flag_reason,
    )


#: Seconds the filters' suggestion lists are reused (they change slowly).
CHOICES_TTL = 300


def choices(tenant_id: str) -> dict[str, list[str]]:
    """Known values for the filters' suggestion lists (from the most recent index rows),
    kept in the shared cache for a few minutes: plain lists of text."""
    key = f"index:choices:v2:{tenant_id}"
    kept = cache.get(key)
    if isinstance(kept, dict):
        return kept
    found = _choices(tenant_id)
    cache.set(key, found, CHOICES_TTL)
    return found


def _choices(tenant_id: str) -> dict[str, list[str]]:
    recent = IndexedInteraction.objects.filter(tenant_id=tenant_id).order_by("-start")[:2000]
    values: dict[str, set[str]] = {
        "channel": set(),
        "flow": set(),
        "flag": set(),
        "disposition": set(),
    }
    flagged_without_type = False
    for channel, flow, flagged, flag, disposition in recent.values_list(
        "channel", "flow_name", "flagged", "flag_type", "disposition"
    ):
        values["channel"].add(channel)
        values["flow"].add(flow)
        if flagged:
            values["flag"].add(flag)
            flagged_without_type = flagged_without_type or not flag.strip()
        values["disposition"].add(disposition)
    ids = list(recent.values_list("pk", flat=True)[:500])
    values["queue"] = set(
        QueueVisit.objects.filter(interaction__in=ids, direct=False).values_list(
            "queue_name", flat=True
        )
    )
    values["agent"] = set(
        AgentLeg.objects.filter(interaction__in=ids).values_list("agent_name", flat=True)
    )
    found = {k: sorted(v - {""})[:200] for k, v in values.items()}
    if flagged_without_type:  # '' stands for "no flag type given" among the flag types
        found["flag"].append("")
    return found


#: Filters matched exactly whose known values a near miss is suggested from (their words).
NEAR_MISSES = {"agent": "agent", "queue": "queue", "flow": "flow", "disposition": "disposition"}


def _fold(text: str) -> str:
    """``text`` without letter case, accents or runs of space: "José  Núñez" -> "jose nunez"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def near_misses(query: SearchQuery, known: Mapping[str, list[str]]) -> list[tuple[str, str, str]]:
    """For a search that found nothing: (filter's word, a known value, its search's query
    string) for each exact filter whose typed value differs from a known one only in
    letter case, accents or spaces ("jose" for "José")."""
    found = []
    for name, word in NEAR_MISSES.items():
        typed = getattr(query, name)
        if not typed:
            continue
        for value in known.get(name, []):
            if value != typed and _fold(value) == _fold(typed):
                found.append((word, value, query.params(**{name: value, "page": 1})))
    return found


_CONTACT_LIKE = re.compile(r"\d[\d\s().+/-]{5,}\d|[^@\s]+@[^@\s]+\.[^@\s]+")


def _contact_masked(value: str) -> str:
    """A filter typed as a phone number or an email (a customer's, in the wrong box) is
    kept masked, as the customer filter is: the audit log is read by staff who may not
    see customers. Names, codes and flags stay as typed."""
    return mask(value) or "" if _CONTACT_LIKE.search(value) else value


def audit_detail(query: SearchQuery, *, masked: bool) -> str:
    """What the audit log keeps of a search: its filters, the customer only as "given" (for a
    viewer who may see customers, masked: the audit log is read by staff who may not)."""
    parts = [
        f"{name}={_contact_masked(str(getattr(query, name)))}"
        for name in SearchQuery.FILTERS
        if getattr(query, name) and name != "customer"
    ]
    if query.customer:
        parts.insert(
            0, "customer=(given)" if masked else f"customer={mask(customer_key(query.customer))}"
        )
    span = (
        f"{query.start:%Y-%m-%d %H:%M}..{query.end:%Y-%m-%d %H:%M}"
        if query.start and query.end
        else ""
    )
    return "search: " + " ".join([*parts, span]).strip()
