"""How fast the sync worker fills the interaction index, and how large the index is.

A stand-in list endpoint (a real HTTP server in a process of its own, 1,000
interactions a page, start/end honoured, newest first) serves N generated
interactions (60 % one segment, 30 % two, 10 % three; 5 % flagged) spread over
four weeks. One worker pass backfills them all into PostgreSQL through the real
client, parser and indexer; a second pass, with its cursor forgotten, reads the
same windows again and must store nothing. Reported: interactions stored a
second, what the repeat stored, rows per interaction, bytes per row and the
index's size on disk per 1,000 interactions (``pg_total_relation_size``: table,
indexes and TOAST). Also the CPU time a store costs in each process (the
worker, the stand-in API, the worker's PostgreSQL backend, from /proc) and the
rate that CPU alone allows on two cores: on a shared machine the wall-clock
rate moves with the load average (printed), these do much less.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_index_sync \\
        .venv/bin/python bench/index_sync.py [--interactions 20000] [--json PATH]

The index tables of that database are emptied first: give it a database of its own.
"""

from __future__ import annotations

import argparse
import bisect
import json
import logging
import multiprocessing
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TENANT = "5be1c0de-0000-4000-8000-00000000b0b0"
#: The generator's interactions start between 1 and 29 November 2026.
NOW = datetime(2026, 11, 30, tzinfo=UTC)


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _serve(count: int, port_out: Any, ready: Any) -> None:
    """The stand-in API's process: generate, sort, then answer list pages."""
    sys.path.insert(0, str(ROOT))
    from dashboard.demo.generate import generate_interaction
    from tests.standin import StandInAPI

    segments = [1] * 6 + [2] * 3 + [3]
    bodies = [
        generate_interaction(segments[n % 10], seed=n, tenant_id=TENANT, flagged=n % 20 == 0)
        for n in range(count)
    ]
    bodies.sort(key=lambda b: b["startTimestamp"])  # ISO strings of one format sort by time
    keys = [_when(b["startTimestamp"]) for b in bodies]

    class ListAPI(StandInAPI):
        def list_body(self, tenant_id: str, query: dict[str, str]) -> dict[str, Any]:
            low = bisect.bisect_left(keys, _when(query["start"]))
            high = bisect.bisect_left(keys, _when(query["end"]))
            window = bodies[low:high][::-1]  # newest first
            limit, offset = int(query["limit"]), int(query["offset"])
            return {
                "page": offset // limit, "limit": limit, "offset": offset,
                "total": len(window), "tenantId": tenant_id, "tenantName": "Bench",
                "tenantTimezone": "America/Halifax", "results": window[offset : offset + limit],
            }  # fmt: skip

    with ListAPI() as api:
        port_out.value = api.port
        ready.set()
        time.sleep(10**6)


def _cpu_seconds(pid: int) -> float | None:
    """A process's CPU time so far (user + system), where /proc shows it (same machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _sizes() -> dict[str, int]:
    from django.db import connection

    from dashboard.index.models import AgentLeg, Hook, IndexedInteraction, QueueVisit

    sizes = {}
    with connection.cursor() as cursor:
        for model in (IndexedInteraction, QueueVisit, AgentLeg, Hook):
            cursor.execute("SELECT pg_total_relation_size(%s)", [model._meta.db_table])
            sizes[model._meta.db_table] = int(cursor.fetchone()[0])
    return sizes


def _per(seconds: float | None, count: int) -> int | None:
    return round(seconds / max(count, 1) * 1e6) if seconds is not None else None


def _cpu_bound(worker: float, others: dict[str, float | None], count: int) -> int | None:
    if any(v is None for v in others.values()) or worker <= 0:
        return None
    total = worker + sum(v or 0.0 for v in others.values())
    return round(count / max(total / 2, worker))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=20000)
    parser.add_argument("--json", default=str(ROOT / "bench-results" / "index_sync.json"))
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print(
            "bench/index_sync.py measures PostgreSQL: set DATABASE_URL=postgres://…",
            file=sys.stderr,
        )
        return 2
    port = multiprocessing.Value("i", 0)
    ready = multiprocessing.Event()
    server = multiprocessing.Process(
        target=_serve, args=(args.interactions, port, ready), daemon=True
    )
    server.start()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    logging.getLogger("dashboard").setLevel(logging.ERROR)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from dashboard.cxengage.factory import reset_client
    from dashboard.index import sync
    from dashboard.index.models import AgentLeg, Hook, IndexedInteraction, QueueVisit, SyncState

    call_command("migrate", verbosity=0)
    tables = [m._meta.db_table for m in (IndexedInteraction, QueueVisit, AgentLeg, Hook, SyncState)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)}")
    if not ready.wait(300):
        print("the stand-in API did not start", file=sys.stderr)
        return 1
    settings.DEMO_MODE = False
    settings.CXENGAGE_API_URL = f"http://127.0.0.1:{port.value}"
    settings.CXENGAGE_CREDENTIALS = {
        "username": "u",
        "password": "p",
        "api_key": "",
        "api_secret": "",
    }
    settings.CXENGAGE_TIMEOUTS = {"connect_timeout": 5.0, "read_timeout": 30.0, "deadline": 60.0}
    settings.INDEX_SYNC_MAX_CALLS = 100_000
    settings.INDEX_SYNC_WINDOW = 6 * 3600  # backfill windows of 6 days: several full pages each
    reset_client()

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
    others = {"api": server.pid or 0, "postgres": backend}

    def one_pass() -> tuple[sync.PassReport, float, float, dict[str, float | None]]:
        before = {name: _cpu_seconds(pid) for name, pid in others.items()}
        started, cpu = time.perf_counter(), time.process_time()
        (report,) = sync.sync_pass(tenant=TENANT, since=timedelta(days=31), now=NOW)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        spent: dict[str, float | None] = {}
        for name, pid in others.items():
            now, then = _cpu_seconds(pid), before[name]
            spent[name] = now - then if now is not None and then is not None else None
        return report, elapsed, cpu, spent

    load_before = os.getloadavg()[0]
    first, first_s, first_cpu, first_other = one_pass()
    SyncState.objects.all().delete()  # forget the cursor: the same windows are read again
    again, again_s, again_cpu, _ = one_pass()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # sizes as they settle, not mid-write
    sizes = _sizes()
    counts = {
        m._meta.db_table: m.objects.count()
        for m in (IndexedInteraction, QueueVisit, AgentLeg, Hook)
    }
    server.terminate()

    stored = counts[IndexedInteraction._meta.db_table]
    child_rows = sum(counts.values()) - stored
    total_bytes = sum(sizes.values())
    result = {
        "interactions": args.interactions,
        "stored": first.stored,
        "api_calls": first.api_calls,
        "first_pass_seconds": round(first_s, 2),
        "stored_per_second": round(first.stored / first_s),
        # The worker's own CPU time (the API and PostgreSQL run in other processes): what
        # one core of an unshared machine would store a second, at most.
        "worker_cpu_us_per_interaction": round(first_cpu / max(first.stored, 1) * 1e6),
        "stored_per_worker_cpu_second": round(first.stored / first_cpu),
        # The stand-in API's process and the worker's PostgreSQL backend (None where /proc
        # does not show it): with the worker, what a store costs the machine.
        "api_cpu_us_per_interaction": _per(first_other["api"], first.stored),
        "postgres_cpu_us_per_interaction": _per(first_other["postgres"], first.stored),
        # What the CPU alone allows on two unshared cores: all three processes' time spread
        # over both, but never faster than the worker's own (Python's lock: about one core).
        "stored_per_second_cpu_bound_2_cores": _cpu_bound(first_cpu, first_other, first.stored),
        "load_average_1min_before": round(load_before, 1),
        "load_average_1min": round(os.getloadavg()[0], 1),
        "repeat_pass_seconds": round(again_s, 2),
        "repeat_pass_stored": again.stored,
        "repeat_pass_unchanged": again.skipped,
        "repeat_read_per_second": round(again.skipped / again_s),
        "repeat_worker_cpu_us_per_interaction": round(again_cpu / max(again.skipped, 1) * 1e6),
        "rows_per_interaction": round(sum(counts.values()) / stored, 2),
        "child_rows_per_interaction": round(child_rows / stored, 2),
        "rows": counts,
        "bytes": sizes,
        "bytes_per_row": round(total_bytes / sum(counts.values())),
        "bytes_per_1000_interactions": round(total_bytes / stored * 1000),
        "errors": [r for r in (first.error, again.error) if r],
    }
    print(json.dumps(result, indent=2))
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    ok = first.stored == args.interactions and again.stored == 0 and not result["errors"]
    print(
        f"\n{first.stored} interactions stored in {first_s:.1f} s = "
        f"{result['stored_per_second']} /s (target >= 2000; worker CPU "
        f"{result['stored_per_worker_cpu_second']} /s, CPU-bound on 2 cores "
        f"{result['stored_per_second_cpu_bound_2_cores']} /s, load average "
        f"{result['load_average_1min_before']} -> {result['load_average_1min']}); "
        f"repeat pass stored {again.stored}; "
        f"{result['bytes_per_1000_interactions'] / 1e6:.2f} MB per 1,000 interactions",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
