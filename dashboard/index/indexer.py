"""Parsed interactions -> index rows: one summary row each, with its queue visits,
agent legs and CRM hooks.

Owns the mapping from the domain objects to the index tables and the write
itself: bulk upserts, one transaction per batch, and nothing written for an
interaction whose source hash is unchanged (a repeated pass writes nothing).
Values the API did not send, or sent unreadable, are stored as NULL (or an
empty string for text), never guessed. It never sees the API's JSON field
names (``parsing.py`` does) and never talks to the API (``sync.py`` does).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import orjson
from django.db import connection, transaction
from django.db.models import Field, Model
from django.utils import timezone

from dashboard.interactions import wording
from dashboard.interactions.domain import (
    AgentAllocation,
    Interaction,
    inside_own,
    never_answered,
    unaccepted_offers,
)

from .models import AgentLeg, Hook, IndexedInteraction, QueueVisit
from .phone import customer_tail

log = logging.getLogger("dashboard.index")

#: Interactions written per transaction (and per query of existing hashes).
BATCH_SIZE = 1000

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
# A phone number as people write it: digits with spaces, dots, dashes, slashes,
# brackets, a leading + or a tel:/sip: scheme; at least 3 digits.
_PHONE = re.compile(r"^(?:(?:tel|sip):)?\+?[\d\s().\-/]*\d[\d\s().\-/]*$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_ID = re.compile(r"^[0-9a-z][0-9a-z._-]{0,35}$")
_LENGTH = re.compile(r"\(\d+\)")

_PARENT_FIELDS = [
    "start", "end", "channel", "direction", "customer_key", "customer", "contact_point",
    "contact_id", "flow_id", "flow_name", "flagged", "flag_type", "data_complete", "disposition",
    "csat", "total_seconds", "ivr_seconds", "hold_seconds", "hold_count", "transfers",
    "abandoned", "agent_names", "source_hash", "indexed_at", "customer_tail", "listed_from",
    "listed_to",
]  # fmt: skip

#: A span of start times a list page was asked for: start <= startTimestamp < end.
Span = tuple[datetime, datetime]
#: Where interactions were listed: one span for all, or a span per interaction ID.
Listed = Span | Mapping[str, Span] | None


@dataclass(frozen=True)
class IndexResult:
    """What one call to ``index_interactions`` did."""

    #: Interactions inserted or rewritten (their source hash was new or changed).
    stored: int = 0
    #: Interactions already indexed with the same source hash: nothing written.
    skipped: int = 0
    #: IDs (or positions) of interactions that could not be indexed, e.g. no usable ID.
    rejected: tuple[str, ...] = ()

    def __add__(self, other: IndexResult) -> IndexResult:
        return IndexResult(
            self.stored + other.stored,
            self.skipped + other.skipped,
            self.rejected + other.rejected,
        )


def source_hash(raw: Any) -> str:
    """A short, stable hash of an interaction's raw JSON (what ``source_hash`` stores)."""
    # Keys in the order sent: the API keeps its order, and a reordered body only costs a rewrite.
    # orjson writes what json.dumps below writes for what the API sends (compact, UTF-8), at a
    # sixth of the cost; it refuses lone surrogates and integers past 64 bits, which json
    # takes. (NaN, which only json.loads reads, it writes as null: hashed as a null would be.)
    try:
        data = orjson.dumps(raw)
    except TypeError:
        text = json.dumps(raw, separators=(",", ":"), ensure_ascii=False, default=str)
        data = text.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def customer_key(value: str) -> str:
    """The customer as the index searches it: digits only for a phone number, lower case
    for an email, else lower-cased text with runs of space made one. The search page
    normalises what a user types with this same function."""
    text = _SPACES.sub(" ", (value or "").replace("\x00", "")).strip()
    if not text:
        return ""
    if _EMAIL.match(text):
        key = text.lower()
    elif _PHONE.match(text):
        key = re.sub(r"\D", "", text)
    else:
        key = text.lower()
    return key[:255]


def _fit(value: str | None, limit: int) -> str:
    """Text for a column of ``limit`` characters: '' for unknown, cut if longer."""
    if not value:
        return ""
    value = value.replace("\x00", "")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _name(value: str | None, limit: int) -> str:
    """A queue, agent, flow or disposition name without the spaces around it: "Support "
    and "Support" are one queue to a search, a comparison and an SLA look-up."""
    return _fit((value or "").strip(), limit)


def _float(value: str | float | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    # Only when both ends are known and in order: a negative span is bad data, not a time.
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds()


def _within(
    start: datetime | None, end: datetime | None, item: Interaction
) -> tuple[datetime | None, datetime | None]:
    """A record's span cut to the interaction's own start and end, where known: an end sent
    a few seconds after the interaction's (clock skew) is no time with the customer, as
    the interaction's page counts it."""
    if start is not None and item.start is not None:
        start = max(start, item.start)
    if end is not None and item.end is not None:
        end = min(end, item.end)
    return start, end


def _abandoned(interaction: Interaction) -> bool | None:
    """Any queue visit abandoned; unknown when a visit does not say and none says yes."""
    values = [visit.abandoned for visit in interaction.queues]
    if any(values):
        return True
    if any(value is None for value in values):
        return None
    return False


def _transfers(interaction: Interaction) -> int | None:
    """Segments that are transfers; unknown when no segment says either way."""
    known = [segment.transfer for segment in interaction.segments if segment.transfer is not None]
    if not known:
        return None
    return sum(1 for value in known if value)


def _once(interaction: Interaction) -> Interaction:
    """One allocation per interactionAgentId: a record sent twice is one allocation, as
    the interaction's page counts it (the first copy kept)."""
    seen: set[str] = set()
    kept: list[AgentAllocation] = []
    for a in interaction.agents:
        key = a.interaction_agent_id
        if key and key in seen:
            continue
        if key:
            seen.add(key)
        kept.append(a)
    if len(kept) == len(interaction.agents):
        return interaction
    return replace(interaction, agents=tuple(kept))


def _agent_name(interaction: Interaction) -> Callable[[AgentAllocation], str]:
    """Each allocation's agent as the interaction's page names them: the record's own
    name, else the name another record gives the same agent, else "agent cfaf0010"."""
    named = {
        a.agent_id: a.agent_name.strip()
        for a in interaction.agents
        if a.agent_id and a.agent_name and a.agent_name.strip()
    }

    def name(a: AgentAllocation) -> str:
        own = (a.agent_name or "").strip()
        if own or not a.agent_id:
            return own
        return named.get(a.agent_id) or wording.unnamed_agent(a.agent_id)

    return name


def _agent_names(interaction: Interaction) -> str:
    """The agents who had the work, in order, each once: not those only offered it."""
    names: list[str] = []
    refused = unaccepted_offers(interaction)
    legs = sorted(
        (a for a in interaction.agents if id(a) not in refused),
        key=lambda a: (a.start is None, a.start or datetime.min.replace(tzinfo=UTC)),
    )
    name_of = _agent_name(interaction)
    for leg in legs:
        name = name_of(leg)
        if name and name not in names:
            names.append(name)
    return _fit(", ".join(names), 500)


def _row(
    tenant_id: str, interaction_id: str, item: Interaction, digest: str, listed: Span | None
) -> dict[str, Any]:
    """The summary row's column values (plain values: cheaper than model instances), but
    ``indexed_at``, which is the time of the write."""
    flag = item.flag
    hold_count = item.hold_count
    return {
        "listed_from": listed[0] if listed else None,
        "listed_to": listed[1] if listed else None,
        "tenant_id": tenant_id,
        "interaction_id": interaction_id,
        "start": item.start,
        "end": item.end,
        "channel": _fit(item.channel_type, 32),
        "direction": _fit(item.direction, 16),
        "customer_key": customer_key(item.customer or ""),
        "customer_tail": customer_tail(customer_key(item.customer or "")),
        "customer": _fit(item.customer, 255),
        "contact_point": _fit(item.contact_point, 255),
        "contact_id": _fit(item.contact_id, 64),
        "flow_id": _fit(item.flow_id, 64),
        "flow_name": _name(item.flow_name, 255),
        "flagged": item.flagged,
        "flag_type": _fit(flag.flag_type if flag and flag.flagged else None, 100),
        "data_complete": item.data_complete,
        "disposition": _name(item.disposition_name or item.disposition_id, 255),
        "csat": _float(item.csat),
        "total_seconds": item.interaction_time,
        "ivr_seconds": item.ivr_time,
        "hold_seconds": item.hold_time,
        "hold_count": int(hold_count)
        if hold_count is not None and hold_count.is_integer()
        else None,
        "transfers": _transfers(item),
        "abandoned": _abandoned(item),
        "agent_names": _agent_names(item),
        "source_hash": digest,
    }


def _children(
    tenant_id: str, item: Interaction
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Column values of the queue visits, agent legs and hooks (without their parent's ID)."""
    visits = [
        {
            "tenant_id": tenant_id,
            "queue_id": _fit(q.queue_id, 64),
            "queue_name": _name(q.queue_name, 255),
            "entered_at": q.start,
            "exited_at": q.end,
            "entry_type": _fit(q.entry_type, 64),
            "exit_type": _fit(q.exit_type, 64),
            "wait_seconds": q.queue_time,
            "abandoned": q.abandoned,
            "sla_time": q.sla_time,
            "sla_abandoned": q.sla_abandoned,
            "direct": q.direct,
        }
        for q in item.queues
    ]
    # An agent leg names its queue by ID (or through its segment): look the name up. A
    # direct transfer's line (named after the agent) is no queue of theirs.
    queues = [q for q in item.queues if q.queue_name and not q.direct]
    queue_names = {q.queue_id: q.queue_name for q in queues if q.queue_id}
    segment_queues = {q.segment_id: q.queue_name for q in queues if q.segment_id}
    # Time with the customer as the interaction's page counts it: none for an offer the
    # agent never accepted or a call nobody answered; an allocation lying within another
    # of the same agent's is counted in that one.
    refused = unaccepted_offers(item) if item.agents else frozenset()
    uncounted = refused | inside_own(item) if item.agents else frozenset()
    unanswered = bool(item.agents) and never_answered(item)
    name_of = _agent_name(item)
    legs = [
        {
            "tenant_id": tenant_id,
            "agent_id": _fit(a.agent_id, 64),
            "agent_name": _name(name_of(a), 255),
            "queue_name": _name(
                queue_names.get(a.queue_id or "") or segment_queues.get(a.segment_id or ""), 255
            ),
            "started_at": a.start,
            "ended_at": a.end,
            "seconds_computed": None
            if unanswered or id(a) in uncounted
            else _seconds(*_within(a.start, a.end, item)),
            "offered_only": id(a) in refused,
        }
        for a in item.agents
    ]
    hooks = [
        {
            "tenant_id": tenant_id,
            # Lower case, as a ticket link's type is looked up ("/tickets/Zendesk/…" too).
            "hook_type": _fit((h.hook_type or "").strip().lower(), 64),
            "hook_sub_type": _fit(h.hook_sub_type, 64),
            "hook_id": _fit(h.hook_id, 255),
        }
        for h in item.hooks
    ]
    return visits, legs, hooks


def _usable_id(tenant_id: str, item: Interaction) -> str | None:
    """The interaction's ID as the index keys it, or None when it cannot be indexed."""
    interaction_id = (item.interaction_id or "").strip().lower()
    if not _ID.match(interaction_id):
        return None
    # A record that names another tenant is never filed under this one.
    if item.tenant_id and item.tenant_id.strip().lower() != tenant_id:
        return None
    return interaction_id


@dataclass(frozen=True)
class _Rows:
    """One interaction's column values: its summary row and its child rows."""

    digest: str
    parent: dict[str, Any]
    visits: list[dict[str, Any]]
    legs: list[dict[str, Any]]
    hooks: list[dict[str, Any]]


@dataclass(frozen=True)
class PreparedBatch:
    """A batch's column values, built without the database (so any thread may build it),
    for ``write_batch`` to store in one transaction."""

    tenant_id: str
    #: Interaction ID -> its rows, for every interaction not known to be unchanged.
    rows: dict[str, _Rows] = field(default_factory=dict)
    #: The stored hash of each ID that was looked up (None: not indexed yet).
    known: Mapping[str, str | None] = field(default_factory=dict)
    #: Interactions whose looked-up hash was their own: nothing built for them.
    skipped: int = 0
    rejected: tuple[str, ...] = ()

    def __add__(self, other: PreparedBatch) -> PreparedBatch:
        """Both batches as one (one transaction); for an ID in both, ``other``'s rows win."""
        return PreparedBatch(
            self.tenant_id,
            {**self.rows, **other.rows},
            {**self.known, **other.known},
            self.skipped + other.skipped,
            self.rejected + other.rejected,
        )


def stored_hashes(tenant_id: str, interaction_ids: Iterable[str]) -> dict[str, str | None]:
    """The stored source hash of each ID (None where it is not indexed)."""
    wanted = list(dict.fromkeys(interaction_ids))
    found = dict(
        IndexedInteraction.objects.filter(
            tenant_id=tenant_id.strip().lower(), interaction_id__in=wanted
        ).values_list("interaction_id", "source_hash")
    )
    return {iid: found.get(iid) for iid in wanted}


def prepare_batch(
    tenant_id: str,
    interactions: Iterable[tuple[Interaction, str]],
    known: Mapping[str, str | None] | None = None,
    *,
    listed: Listed = None,
) -> PreparedBatch:
    """The rows ``write_batch`` stores for ``(interaction, source hash)`` pairs.

    No database: ``known`` holds the stored hashes already looked up
    (``stored_hashes``), and an interaction whose hash is its stored one is
    skipped here; IDs missing from it are looked up by ``write_batch``. An
    interaction without a usable ID, or naming another tenant, is rejected.
    ``listed`` is the span of start times the list page that named them was asked
    for (or one per interaction ID); None when they were not read from a list.
    """
    tenant_id = tenant_id.strip().lower()
    known = known or {}
    rejected: list[str] = []
    wanted: dict[str, tuple[Interaction, str]] = {}
    for position, (item, digest) in enumerate(interactions):
        interaction_id = _usable_id(tenant_id, item)
        if interaction_id is None:
            rejected.append(item.interaction_id or f"#{position}")
            continue
        wanted[interaction_id] = (item, digest)  # a repeat within a batch: the last one wins
    rows: dict[str, _Rows] = {}
    skipped = 0
    for iid, (item, digest) in wanted.items():
        if known.get(iid) == digest:
            skipped += 1
            continue
        item = _once(item)
        visits, legs, hooks = _children(tenant_id, item)
        span = listed.get(iid) if isinstance(listed, Mapping) else listed
        rows[iid] = _Rows(digest, _row(tenant_id, iid, item, digest, span), visits, legs, hooks)
    return PreparedBatch(tenant_id, rows, known, skipped, tuple(rejected))


def write_batch(batch: PreparedBatch) -> IndexResult:
    """Store a prepared batch in one transaction: new and changed interactions upserted,
    the child rows of changed ones replaced, unchanged ones (by source hash) left alone."""
    known = dict(batch.known)
    unchecked = [iid for iid in batch.rows if iid not in known]
    if unchecked:
        known.update(stored_hashes(batch.tenant_id, unchecked))
    changed = {iid: rows for iid, rows in batch.rows.items() if known[iid] != rows.digest}
    skipped = batch.skipped + len(batch.rows) - len(changed)
    if changed:
        existing = [iid for iid in changed if known[iid] is not None]
        _write(batch.tenant_id, changed, existing=existing)
    return IndexResult(stored=len(changed), skipped=skipped, rejected=batch.rejected)


def index_interactions(
    tenant_id: str, interactions: Sequence[tuple[Interaction, str]], *, listed: Listed = None
) -> IndexResult:
    """Upsert ``(interaction, source hash)`` pairs into the index for ``tenant_id``.

    Interactions whose hash is already stored are skipped; the others are
    written with their child rows replaced, one transaction per batch of
    ``BATCH_SIZE``. An interaction without a usable ID, or naming another
    tenant, is rejected (counted in the result, never stored).
    """
    result = IndexResult()
    for start in range(0, len(interactions), BATCH_SIZE):
        batch = interactions[start : start + BATCH_SIZE]
        result += write_batch(prepare_batch(tenant_id, batch, listed=listed))
    return result


def _write(tenant_id: str, changed: dict[str, _Rows], *, existing: list[str]) -> None:
    now = timezone.now()
    parents = [{**rows.parent, "indexed_at": now} for rows in changed.values()]
    postgres = connection.vendor == "postgresql"
    with transaction.atomic():
        if postgres:
            # The page's commit does not wait for the disk: a crash can lose the last pages
            # stored, but never part of one, nor one that the sync cursor counts as stored
            # (the cursor's commit waits, and the log reaches the disk in commit order).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        if existing:
            # Rewritten interactions get their child rows anew: fewer queries than a diff.
            old = IndexedInteraction.objects.filter(
                tenant_id=tenant_id, interaction_id__in=existing
            )
            for model in (QueueVisit, AgentLeg, Hook):
                model.objects.filter(interaction__in=old.values("pk")).delete()
        ids = _upsert_parents_copy(parents) if postgres else _upsert_parents_orm(parents)
        visits: list[dict[str, Any]] = []
        legs: list[dict[str, Any]] = []
        hooks: list[dict[str, Any]] = []
        for iid, rows in changed.items():
            for child in (*rows.visits, *rows.legs, *rows.hooks):
                child["interaction_id"] = ids[iid]
            visits += rows.visits
            legs += rows.legs
            hooks += rows.hooks
        if postgres:
            _copy(QueueVisit._meta.db_table, QueueVisit, visits)
            _copy(AgentLeg._meta.db_table, AgentLeg, legs)
            _copy(Hook._meta.db_table, Hook, hooks)
        else:
            QueueVisit.objects.bulk_create([QueueVisit(**v) for v in visits], batch_size=2000)
            AgentLeg.objects.bulk_create([AgentLeg(**a) for a in legs], batch_size=2000)
            Hook.objects.bulk_create([Hook(**h) for h in hooks], batch_size=2000)


def _upsert_parents_orm(parents: list[dict[str, Any]]) -> dict[str, int]:
    rows = [IndexedInteraction(**values) for values in parents]
    IndexedInteraction.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["tenant_id", "interaction_id"],
        update_fields=_PARENT_FIELDS,
    )
    if all(row.pk is not None for row in rows):
        return {row.interaction_id: row.pk for row in rows}
    # Backends that do not return IDs from an upsert: read them back.
    return dict(
        IndexedInteraction.objects.filter(
            tenant_id=rows[0].tenant_id, interaction_id__in=[row.interaction_id for row in rows]
        ).values_list("interaction_id", "pk")
    )


def _columns(model: type[Model]) -> list[Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _copy(table: str, model: type[Model], rows: Sequence[dict[str, Any]]) -> None:
    """COPY rows into ``table`` with ``model``'s columns: PostgreSQL's fastest way in,
    without the ORM building one large INSERT statement.

    In the binary format, each column's type named up front: psycopg then converts a
    value in C without looking its type up (a row costs a tenth of the text format's
    CPU time), and PostgreSQL reads the values without parsing text.
    """
    if not rows:
        return
    fields = _columns(model)
    columns = [f.attname for f in fields]
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    # "varchar(36)", "timestamp with time zone", "double precision": psycopg knows these
    # names without their length.
    types = [_LENGTH.sub("", f.db_type(connection) or "") for f in fields]
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(types)
        for row in rows:
            copy.write_row([row[name] for name in columns])


def _upsert_parents_copy(parents: list[dict[str, Any]]) -> dict[str, int]:
    """COPY into a session's staging table, then one INSERT … ON CONFLICT from it."""
    table = IndexedInteraction._meta.db_table
    quote = connection.ops.quote_name
    fields = _columns(IndexedInteraction)
    names = ", ".join(quote(f.column) for f in fields)
    updates = ", ".join(
        f"{quote(f.column)} = EXCLUDED.{quote(f.column)}"
        for f in fields
        if f.name in _PARENT_FIELDS
    )
    # Identifiers only, from the models and quoted; every value goes through COPY.
    stage = (
        "CREATE TEMP TABLE IF NOT EXISTS index_stage ON COMMIT DELETE ROWS "  # noqa: S608
        f"AS SELECT {names} FROM {table} WITH NO DATA"
    )
    upsert = (
        f"INSERT INTO {table} ({names}) SELECT {names} FROM index_stage "  # noqa: S608
        f"ON CONFLICT (tenant_id, interaction_id) DO UPDATE SET {updates} "
        "RETURNING interaction_id, id"
    )
    with connection.cursor() as cursor:
        cursor.execute(stage)
    _copy("index_stage", IndexedInteraction, parents)
    with connection.cursor() as cursor:
        cursor.execute(upsert)
        ids: dict[str, int] = dict(cursor.fetchall())
        cursor.execute("TRUNCATE index_stage")  # the batch after this one starts empty
    return ids
