"""Index search figures on PostgreSQL: 1,000,000 generated interactions, then
the p95 of each read the pages make.

Generates a realistic spread (90 days, busier by day than by night, 20 queues,
300 agents, 5 % flagged, customers who call back, some open ends) with COPY,
child rows too, into a database of its own, then times over ``--runs`` runs:
search by customer (and by a phone number typed without its country code), by
agent + 7 days, by queue + flag type (first page), the journey, the
typical-vs-this panel, and the flagged list for 7 days: its first page as a
browser gets it (the whole view: the index's SQL page, counts, reviews,
template, audit write), the SQL read alone, and its whole CSV.

    createdb -h 127.0.0.1 -U postgres wt_index_search
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_index_search \\
        .venv/bin/python bench/index_search.py [--rows 1000000] [--runs 50] [--keep] [--cleanup]

The tables of the index are emptied (TRUNCATE) before generating: point it at
a database used for nothing else. ``--keep`` reuses rows already generated;
``--cleanup`` empties the tables after measuring.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TENANT = "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"
TARGETS_MS = {
    "search by customer": 200,
    "search by phone without the country code": 200,
    "search by agent + 7 days": 200,
    "search by queue + flag type": 200,
    "search page by customer (whole view)": None,
    "journey": 100,
    "typical panel": 100,
    "flagged list, 7 days (whole view, first page)": 300,
    "flagged list, 7 days (SQL page read)": None,
    "flagged CSV, 7 days (every row, streamed)": None,
}
FLAG_TYPES = [
    "missing-queue-exit",
    "missing-agent-exit",
    "missing-segment-end",
    "late-data",
    "unknown",
]
CHANNELS = [("voice", 0.7), ("messaging", 0.15), ("email", 0.1), ("sms", 0.05)]
DISPOSITIONS = ["Resolved", "Callback", "Escalated", "No answer", ""]
TABLES = ["index_indexedinteraction", "index_queuevisit", "index_agentleg", "index_hook"]


def _setup() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit(
            "Set DATABASE_URL to a PostgreSQL database of its own (see the docstring)."
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _pg(value: Any) -> str:
    """One COPY text field."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _line(values: list[Any]) -> str:
    return "\t".join(_pg(v) for v in values) + "\n"


def _moment(rnd: random.Random, now: datetime, days: int) -> datetime:
    """A start time in the last ``days``: more by day (8-20 h) than by night."""
    day = rnd.randrange(days)
    hour = rnd.choice(range(8, 20)) if rnd.random() < 0.85 else rnd.randrange(24)
    return (now - timedelta(days=day)).replace(
        hour=hour, minute=rnd.randrange(60), second=rnd.randrange(60), microsecond=0
    )


def generate(
    rows: int,
    *,
    tenant: str = TENANT,
    days: int = 90,
    queues: int = 20,
    agents: int = 300,
    flagged_share: float = 0.05,
    seed: int = 12,
    now: datetime | None = None,
) -> dict[str, int]:
    """Fill the (emptied) index tables with ``rows`` interactions and their child rows."""
    from django.db import connection

    rnd = random.Random(seed)
    now = now or datetime.now(UTC)
    queue_names = [f"Queue {i:02d}" for i in range(queues)]
    agent_names = [f"Agent {i:03d}" for i in range(agents)]
    flows = [f"Flow {i}" for i in range(12)]
    customers = max(rows // 5, 1)  # about five contacts per customer over the period
    counts = {"interactions": 0, "queue_visits": 0, "agent_legs": 0, "hooks": 0}
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    raw = connection.connection
    batch = 100_000
    pk = 0
    for first in range(0, rows, batch):
        main, visits, legs, hooks = io.StringIO(), io.StringIO(), io.StringIO(), io.StringIO()
        for _ in range(min(batch, rows - first)):
            pk += 1
            start = _moment(rnd, now, days)
            channel = rnd.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
            who = rnd.randrange(customers)
            if channel in ("email",):
                customer = f"Customer.{who}@Example.com"
                key = customer.lower()
            else:
                key = f"1506{who:07d}"
                customer = f"+1 506 {key[4:7]}-{key[7:]}"
            flagged = rnd.random() < flagged_share
            open_end = rnd.random() < 0.01
            abandoned = rnd.random() < 0.08
            flow = rnd.choice(flows)
            at = start + timedelta(seconds=rnd.uniform(5, 60))  # IVR first
            names = []
            for v in range(2 if rnd.random() < 0.2 else 1):
                queue = rnd.choice(queue_names)
                wait = rnd.lognormvariate(3.0, 0.9)
                gave_up = abandoned and v == 0
                visits.write(
                    _line(
                        [
                            pk,
                            tenant,
                            f"q{queue[-2:]}",
                            queue,
                            at,
                            at + timedelta(seconds=wait),
                            "ivr",
                            "abandon" if gave_up else "agent",
                            wait,
                            gave_up,
                            wait,
                            gave_up and wait > 20,
                        ]
                    )
                )
                counts["queue_visits"] += 1
                at += timedelta(seconds=wait)
                if gave_up:
                    break
                agent = rnd.choice(agent_names)
                talk = rnd.lognormvariate(5.2, 0.7)
                ended = None if open_end else at + timedelta(seconds=talk)
                legs.write(
                    _line(
                        [
                            pk,
                            tenant,
                            agent.replace(" ", "-"),
                            agent,
                            queue,
                            at,
                            ended,
                            None if open_end else talk,
                        ]
                    )
                )
                counts["agent_legs"] += 1
                names.append(agent)
                at += timedelta(seconds=talk)
            end = None if open_end else at + timedelta(seconds=rnd.uniform(1, 20))
            if rnd.random() < 0.1:
                hooks.write(_line([pk, tenant, "zendesk", "", str(rnd.randrange(rows // 3 + 1))]))
                counts["hooks"] += 1
            main.write(
                _line(
                    [
                        pk,
                        tenant,
                        str(uuid.UUID(int=rnd.getrandbits(128), version=1)),
                        start,
                        end,
                        channel,
                        rnd.choice(["inbound", "inbound", "inbound", "outbound"]),
                        key,
                        key[-7:] if channel != "email" else "",
                        customer,
                        "+15065550000",
                        "",
                        "",
                        flow,
                        flagged,
                        rnd.choice(FLAG_TYPES) if flagged else "",
                        None if open_end else not flagged,
                        rnd.choice(DISPOSITIONS),
                        None,
                        (end - start).total_seconds() if end else None,
                        rnd.uniform(5, 60),
                        None,
                        None,
                        len(names) - 1 if names else 0,
                        abandoned,
                        ", ".join(names),
                        "bench",
                        now,
                    ]
                )
            )
            counts["interactions"] += 1
        with raw.cursor() as cur:
            _copy(
                cur,
                "index_indexedinteraction",
                [
                    "id",
                    "tenant_id",
                    "interaction_id",
                    "start",
                    '"end"',
                    "channel",
                    "direction",
                    "customer_key",
                    "customer_tail",
                    "customer",
                    "contact_point",
                    "contact_id",
                    "flow_id",
                    "flow_name",
                    "flagged",
                    "flag_type",
                    "data_complete",
                    "disposition",
                    "csat",
                    "total_seconds",
                    "ivr_seconds",
                    "hold_seconds",
                    "hold_count",
                    "transfers",
                    "abandoned",
                    "agent_names",
                    "source_hash",
                    "indexed_at",
                ],
                main,
            )
            _copy(
                cur,
                "index_queuevisit",
                [
                    "interaction_id",
                    "tenant_id",
                    "queue_id",
                    "queue_name",
                    "entered_at",
                    "exited_at",
                    "entry_type",
                    "exit_type",
                    "wait_seconds",
                    "abandoned",
                    "sla_time",
                    "sla_abandoned",
                ],
                visits,
            )
            _copy(
                cur,
                "index_agentleg",
                [
                    "interaction_id",
                    "tenant_id",
                    "agent_id",
                    "agent_name",
                    "queue_name",
                    "started_at",
                    "ended_at",
                    "seconds_computed",
                ],
                legs,
            )
            _copy(
                cur,
                "index_hook",
                ["interaction_id", "tenant_id", "hook_type", "hook_sub_type", "hook_id"],
                hooks,
            )
        print(f"  generated {pk:,} interactions", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('index_indexedinteraction', 'id'), %s)", [pk]
        )
        # As autovacuum would after a bulk load: statistics, and the visibility map
        # that lets the covering indexes answer without reading the table.
        cursor.execute("VACUUM ANALYZE " + ", ".join(TABLES))
    return counts


def _copy(cursor: Any, table: str, columns: list[str], data: io.StringIO) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write(data.getvalue())


def cleanup() -> None:
    """Empty the index tables (and the sync state this bench wrote)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)}, index_syncstate RESTART IDENTITY CASCADE")


def _timed(runs: int, make: Callable[[int], Callable[[], object]]) -> list[float]:
    took = []
    for i in range(runs):
        call = make(i)
        started = time.perf_counter()
        call()
        took.append((time.perf_counter() - started) * 1000)
    return took


def _show(name: str, figure: dict[str, float]) -> None:
    print(f"  {name:48s} p50 {figure['p50_ms']:7.1f} ms  p95 {figure['p95_ms']:7.1f} ms")


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def _samples(n: int, seed: int) -> Iterator[dict[str, Any]]:
    from dashboard.index.models import IndexedInteraction

    rnd = random.Random(seed)
    top = IndexedInteraction.objects.order_by("-id").values_list("id", flat=True).first() or 0
    while True:
        row = (
            IndexedInteraction.objects.filter(id__gte=rnd.randrange(1, top + 1))
            .order_by("id")
            .values("interaction_id", "customer", "start", "agent_names", "flow_name")
            .first()
        )
        if row:
            yield dict(row)


def measure(runs: int, *, tenant: str = TENANT) -> dict[str, dict[str, float]]:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from dashboard.accounts.models import TenantGrant
    from dashboard.index import journey, search, typical
    from dashboard.index.models import QueueVisit, SyncState
    from dashboard.interactions import listing, selectors

    now = timezone.now()
    viewer = User(username="bench", is_superuser=True, is_active=True)
    SyncState.objects.update_or_create(
        tenant_id=tenant,
        defaults={
            "synced_until": now,
            "backfill_from": now - timedelta(days=91),
            "backfilled_to": now - timedelta(days=91),
        },
    )
    picks = _samples(runs, 7)
    rows = [next(picks) for _ in range(runs)]
    recent = list(
        QueueVisit.objects.filter(tenant_id=tenant, entered_at__gte=now - timedelta(days=7))
        .order_by("?")
        .values_list("interaction__interaction_id", flat=True)[:runs]
    )
    queue_names = [f"Queue {i:02d}" for i in range(20)]

    def week(i: int) -> listing.Range:
        """The last 7 days, ending ``i`` seconds earlier each run (no run repeats a query)."""
        return listing.Range(now - timedelta(days=7, seconds=i), now - timedelta(seconds=i), "7d")

    def query(**params: str) -> search.SearchQuery:
        return search.read_query(params, zone=UTC, now=now)[0]

    phones = [r["customer"] for r in rows if "@" not in r["customer"]]

    def local(i: int) -> str:
        """A sampled phone number as a caller types it without the country code."""
        digits = "".join(c for c in phones[i % len(phones)] if c.isdigit())
        return f"({digits[-10:-7]}) {digits[-7:-4]}-{digits[-4:]}"

    def first_agent(i: int) -> str:
        return (rows[i]["agent_names"] or "Agent 001").split(", ")[0]

    cases: dict[str, Callable[[int], Callable[[], object]]] = {
        "search by customer": lambda i: (
            lambda: search.search(tenant, query(customer=rows[i]["customer"]), viewer=viewer)
        ),
        "search by phone without the country code": lambda i: (
            lambda: search.search(tenant, query(customer=local(i)), viewer=viewer)
        ),
        "search by agent + 7 days": lambda i: (
            lambda: search.search(tenant, query(agent=first_agent(i), range="7d"), viewer=viewer)
        ),
        "search by queue + flag type": lambda i: (
            lambda: search.search(
                tenant,
                query(queue=queue_names[i % 20], flag=FLAG_TYPES[i % len(FLAG_TYPES)]),
                viewer=viewer,
            )
        ),
        "journey": lambda i: (
            lambda: journey.for_interaction(
                tenant, rows[i]["interaction_id"], viewer=viewer, now=now
            )
        ),
        "typical panel": lambda i: (
            lambda: typical.panel_for(tenant, recent[i % len(recent)], now=now)
        ),
        "flagged list, 7 days (SQL page read)": lambda i: (
            lambda: selectors.flagged_page(
                tenant_id=tenant,
                window=week(i),
                viewer=viewer,
                refinement=listing.Refinement(),
                offset=0,
                limit=50,
            )
        ),
    }
    figures: dict[str, dict[str, float]] = {}
    started_load = os.getloadavg()
    print("  load average at the start: {:.2f} {:.2f} {:.2f}".format(*started_load))
    for name, make in cases.items():
        make(0)()  # warm the connection and the plan cache
        took = _timed(runs, make)
        figures[name] = {
            "p50_ms": statistics.median(took),
            "p95_ms": _p95(took),
            "max_ms": max(took),
        }
        _show(name, figures[name])
    # Whole pages (view, template, audit write), as a browser gets them.
    user, _ = User.objects.get_or_create(username="bench-viewer", defaults={"is_superuser": True})
    TenantGrant.objects.get_or_create(user=user, tenant_id=tenant)
    client = Client()
    client.force_login(user)

    def get(url: str, params: dict[str, str]) -> Any:
        response = client.get(url, params, HTTP_HOST="localhost", secure=True)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}, not 200")
        return response

    def pinned(i: int) -> dict[str, str]:
        return {"start": listing.iso(week(i).start), "end": listing.iso(week(i).end), "range": "7d"}

    flagged_url = f"/tenants/{tenant}/flagged/"
    first_page = get(flagged_url, pinned(0)).content.decode()
    if "Read from the index" not in first_page or first_page.count("<tr data-interaction") != 50:
        raise SystemExit("the flagged list did not show its first 50 rows from the index")
    pages: dict[str, Callable[[int], Callable[[], object]]] = {
        "search page by customer (whole view)": lambda i: (
            lambda: get(f"/tenants/{tenant}/search/", {"customer": rows[i]["customer"]})
        ),
        "flagged list, 7 days (whole view, first page)": lambda i: (
            lambda: get(flagged_url, pinned(i))
        ),
        "flagged CSV, 7 days (every row, streamed)": lambda i: (
            lambda: get(f"{flagged_url}export.csv", pinned(i)).getvalue()
        ),
    }
    for name, make in pages.items():
        make(0)()
        took = _timed(runs, make)
        figures[name] = {
            "p50_ms": statistics.median(took),
            "p95_ms": _p95(took),
            "max_ms": max(took),
        }
        _show(name, figures[name])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sum(pg_total_relation_size(t::regclass)) FROM unnest(%s::text[]) t", [TABLES]
        )
        size = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM index_indexedinteraction")
        count = cursor.fetchone()[0]
    figures["size"] = {
        "bytes_total": float(size),
        "bytes_per_1000_interactions": size / max(count, 1) * 1000,
        "interactions": float(count),
    }
    ended_load = os.getloadavg()
    figures["load_average"] = {
        "start_1min": started_load[0],
        "start_5min": started_load[1],
        "end_1min": ended_load[0],
        "end_5min": ended_load[1],
    }
    print("  load average at the end: {:.2f} {:.2f} {:.2f}".format(*ended_load))
    print(
        f"  index on disk: {size / 2**20:,.0f} MiB for {count:,} interactions "
        f"= {size / max(count, 1) * 1000 / 2**10:,.0f} KiB per 1,000 (tables and their indexes)"
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="reuse rows generated before")
    parser.add_argument("--cleanup", action="store_true", help="empty the index tables afterwards")
    parser.add_argument("--json", default=str(ROOT / "bench-results" / "index_search.json"))
    args = parser.parse_args()
    _setup()
    if not args.keep:
        started = time.perf_counter()
        counts = generate(args.rows)
        print(f"generated {counts} in {time.perf_counter() - started:.0f} s")
    figures = measure(args.runs)
    failed = [n for n, t in TARGETS_MS.items() if t is not None and figures[n]["p95_ms"] > t]
    Path(args.json).parent.mkdir(exist_ok=True)
    Path(args.json).write_text(json.dumps({"targets_ms": TARGETS_MS, "figures": figures}, indent=2))
    if args.cleanup:
        cleanup()
    print("every target met" if not failed else f"over target: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
