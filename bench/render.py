#!/usr/bin/env python
"""Render benchmark: what the interaction page costs over a bare Django request.

For interactions of 1, 5, 10, 100, 120 and 1,000 generated segments plus the
largest demo interaction, all already in the cache, this times through the full
stack (middleware, session, auth, tenant check) with a signed-in test client:

  floor    GET /floor/tenants/<t>/interactions/<i>/  -> the cached raw JSON, no rendering
  page     GET /tenants/<t>/interactions/<i>/        -> the full interaction page
  partial  the same URL with HX-Request: true, HX-Target: timeline -> the timeline partial

and, for the 1,000-segment and the largest demo interaction, the pure pieces
(``parse_interaction``, ``timeline.timeline_for``, ``presenters.page``) alone.
It prints a table and writes the same data to bench-results/render.json.

    .venv/bin/python bench/render.py            # full run (~1.5 s per measurement)
    .venv/bin/python bench/render.py --quick    # smoke run: 1, 120, 1000 segments, ~0.5 s each
    .venv/bin/python bench/render.py --json /tmp/r.json
    .venv/bin/python bench/render.py --quick --profile   # + cProfile of the 1,000-segment page

Exit status: 0 when the run completed (targets missed are reported as MISS, not
errors); non-zero when something broke (a non-200 answer, a wrong bar count, a
cache miss during timing, an exception).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import json
import logging
import math
import os
import platform
import pstats
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_JSON = ROOT / "bench-results" / "render.json"

FULL_SIZES = (1, 5, 10, 100, 120, 1000)
QUICK_SIZES = (1, 120, 1000)
SEED = 20261101
WARMUPS = 2
MIN_RUNS = 5
MAX_RUNS = 100_000
SEGMENT_MARKER = 'data-kind="segment"'
PURE_SIZES = (1000,)  # generated sizes whose pure pieces are timed (plus the demo one)

# Targets: (id, description, limit)
TARGET_SMALL = 3.0  # page <= 3x floor for <= 5 segments
TARGET_120 = 10.0  # page <= 10x floor at 120 segments
TARGET_GROWTH = 12.0  # page(1000) / page(100) <= 12x
TARGET_COLD_120 = 4.0  # first view of the 120-transfer demo page <= 4x floor
TARGET_COLD_1000_MS = 500.0  # first view of the 1,000-segment page < 0.5 s


class BenchError(RuntimeError):
    """Something is wrong with what was measured: fail loudly, non-zero exit."""


# --------------------------------------------------------------------------- setup


def setup_django() -> list[str]:
    """Configure and start Django; returns notes about the environment."""
    notes: list[str] = []
    if sys.path[0] != str(ROOT):
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = "sqlite:///:memory:"
    else:
        notes.append("using the DATABASE_URL from the environment (not in-memory SQLite)")
    if os.environ.get("CXENGAGE_API_URL"):
        # The benchmark measures rendering of cached data in demo mode; a live API is never asked.
        os.environ["CXENGAGE_API_URL"] = ""
        notes.append("CXENGAGE_API_URL was set; ignored (the benchmark runs in demo mode)")

    import django

    django.setup()
    logging.getLogger("dashboard").setLevel(logging.WARNING)
    return notes


def create_client() -> Any:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from dashboard.accounts.models import TenantGrant
    from dashboard.demo.api import DEMO_TENANT_ID

    call_command("migrate", verbosity=0, interactive=False)
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username="bench-render")
    user.set_unusable_password()
    user.is_active = True
    user.save()
    TenantGrant.objects.get_or_create(
        user=user, tenant_id=DEMO_TENANT_ID, defaults={"label": "Demo (bench)"}
    )
    # No setup_test_environment(): templates render as in production (no instrumented
    # render, no context capture). "localhost" is in the default ALLOWED_HOSTS.
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


# --------------------------------------------------------------------------- data


def prepare_interactions(sizes: tuple[int, ...], seed: int) -> list[dict[str, Any]]:
    """Put each interaction in the cache; returns descriptors (id, segments, raw)."""
    from django.core.cache import cache

    from dashboard.demo.api import DEMO_TENANT_ID, catalogue
    from dashboard.demo.generate import generate_interaction
    from dashboard.interactions import cache as services

    prepared = []
    for n in sizes:
        payload = generate_interaction(n, seed=seed, tenant_id=DEMO_TENANT_ID)
        interaction_id = str(uuid.uuid1())
        payload["interactionId"] = interaction_id
        if isinstance(payload.get("details"), dict):
            payload["details"]["interactionId"] = interaction_id
        cache.set(
            services.interaction_key(DEMO_TENANT_ID, interaction_id),
            {"raw": payload, "fetched_at": time.time()},
            3600,
        )
        prepared.append(
            {
                "name": f"generated-{n}",
                "label": f"generated {n:,}",
                "kind": "generated",
                "segments": n,
                "tenant_id": DEMO_TENANT_ID,
                "interaction_id": interaction_id,
                "raw": payload,
                "json_kb": len(json.dumps(payload)) / 1024,
            }
        )

    entry = max(catalogue(), key=lambda e: len(e["body"].get("segments") or []))
    interaction_id = entry["interaction_id"]
    # The demo API knows the demo IDs: one real fetch_raw (a cache miss through the client).
    fetched = services.fetch_entry(DEMO_TENANT_ID, interaction_id)
    raw, outcome = fetched.raw, fetched.outcome
    # Keep it for the whole run, even if it is an in-progress interaction (10 s TTL).
    cache.set(
        services.interaction_key(DEMO_TENANT_ID, interaction_id),
        {"raw": raw, "fetched_at": time.time()},
        3600,
    )
    prepared.append(
        {
            "name": f"demo-{Path(entry['file']).stem}",
            "label": f"demo: {Path(entry['file']).stem}",
            "kind": "demo",
            "title": entry["title"],
            "segments": len(raw.get("segments") or []),
            "tenant_id": DEMO_TENANT_ID,
            "interaction_id": interaction_id,
            "raw": raw,
            "first_fetch": outcome,
            "json_kb": len(json.dumps(raw)) / 1024,
        }
    )
    return prepared


# --------------------------------------------------------------------------- timing


def summarise(samples_ms: list[float]) -> dict[str, Any]:
    ordered = sorted(samples_ms)
    n = len(ordered)
    return {
        "n": n,
        "median_ms": statistics.median(ordered),
        "p95_ms": ordered[max(0, math.ceil(0.95 * n) - 1)],  # nearest rank
        "mean_ms": statistics.fmean(ordered),
        "min_ms": ordered[0],
        "max_ms": ordered[-1],
    }


def timed_runs(
    call: Callable[[], Any], seconds: float, check: Callable[[Any], None] | None = None
) -> tuple[list[float], list[float]]:
    """Two warm-ups, then at least MIN_RUNS calls and about ``seconds`` of wall time.

    Returns wall-clock samples (``perf_counter``, the headline numbers) and this
    process's CPU-time samples (``process_time``, less disturbed by other load), in ms.
    """
    for _ in range(WARMUPS):
        result = call()
        if check:
            check(result)
    gc.collect()
    wall: list[float] = []
    cpu: list[float] = []
    started = time.perf_counter()
    while len(wall) < MIN_RUNS or (
        time.perf_counter() - started < seconds and len(wall) < MAX_RUNS
    ):
        c0 = time.process_time()
        t0 = time.perf_counter()
        result = call()
        t1 = time.perf_counter()
        c1 = time.process_time()
        wall.append((t1 - t0) * 1000)
        cpu.append((c1 - c0) * 1000)
        if check:  # outside the timed interval
            check(result)
    return wall, cpu


HTMX_TIMELINE = {"HX-Request": "true", "HX-Target": "timeline"}


def bench_interaction(client: Any, item: dict[str, Any], seconds: float) -> dict[str, Any]:
    t, i = item["tenant_id"], item["interaction_id"]
    urls = {
        "floor": (f"/floor/tenants/{t}/interactions/{i}/", {}),
        "page": (f"/tenants/{t}/interactions/{i}/", {}),
        "partial": (f"/tenants/{t}/interactions/{i}/", HTMX_TIMELINE),
        # The same page with the per-process render memo emptied before each
        # request: the cost of the first view of a copy of the data.
        "page_cold": (f"/tenants/{t}/interactions/{i}/", {}),
    }
    expected = item["segments"]
    out: dict[str, Any] = {}
    for what, (url, headers) in urls.items():
        last: dict[str, Any] = {}

        def call(url: str = url, headers: dict[str, str] = headers, what: str = what) -> Any:
            if what == "page_cold":
                from dashboard.interactions import cache as services

                services.MEMO.clear()
            return client.get(url, headers=headers)

        def check(
            response: Any, what: str = what, url: str = url, last: dict[str, Any] = last
        ) -> None:
            if response.status_code != 200:
                raise BenchError(
                    f"{item['label']} {what}: GET {url} answered {response.status_code}, not 200"
                )
            if "response" not in last:  # first (warm-up) answer: check content once
                body = response.content
                if what == "floor":
                    if json.loads(body).get("interactionId") != item["interaction_id"]:
                        raise BenchError(f"{item['label']} floor: the JSON is not this interaction")
                else:
                    bars = body.decode("utf-8").count(SEGMENT_MARKER)
                    if bars != expected:
                        raise BenchError(
                            f"{item['label']} {what}: {bars} {SEGMENT_MARKER} bars, expected {expected}"
                        )
                    if what == "partial" and b"<html" in body[:2000].lower():
                        raise BenchError(
                            f"{item['label']} partial: got a full page, not the timeline partial"
                        )
                    if what == "page" and b'id="timeline"' not in body:
                        raise BenchError(f"{item['label']} page: no timeline in the page")
            last["response"] = response

        samples, cpu = timed_runs(call, seconds, check)
        response = last["response"]
        out[what] = {
            **summarise(samples),
            "cpu_median_ms": statistics.median(cpu),
            "kb": len(response.content) / 1024,
            "url": url,
            "headers": headers,
            "samples_ms": [round(s, 4) for s in samples],
        }
    floor = out["floor"]["median_ms"]
    out["page_over_floor"] = out["page"]["median_ms"] / floor
    out["cold_page_over_floor"] = out["page_cold"]["median_ms"] / floor
    out["partial_over_floor"] = out["partial"]["median_ms"] / floor
    out["cpu_page_over_floor"] = out["page"]["cpu_median_ms"] / max(
        out["floor"]["cpu_median_ms"], 1e-6
    )
    out["cpu_partial_over_floor"] = out["partial"]["cpu_median_ms"] / max(
        out["floor"]["cpu_median_ms"], 1e-6
    )
    return out


def bench_pure(item: dict[str, Any], seconds: float) -> dict[str, Any]:
    from django.utils import timezone

    from dashboard.interactions import presenters, timeline
    from dashboard.interactions.parsing import parse_interaction

    raw = item["raw"]
    now = timezone.now()
    parsed = parse_interaction(raw)
    line = timeline.timeline_for(parsed, now)
    if line.count("segment") != item["segments"]:
        raise BenchError(
            f"{item['label']}: timeline has {line.count('segment')} segment bars, "
            f"expected {item['segments']}"
        )
    pieces = {
        "parse_interaction": lambda: parse_interaction(raw),
        "timeline_for": lambda: timeline.timeline_for(parsed, now),
        "presenters.page": lambda: presenters.page(parsed, dt.UTC, "UTC"),
    }
    result = {}
    for name, call in pieces.items():
        wall, cpu = timed_runs(call, seconds)
        stats = summarise(wall)
        result[name] = {
            **{k: stats[k] for k in ("n", "median_ms", "p95_ms", "min_ms")},
            "cpu_median_ms": statistics.median(cpu),
        }
    result["bars"] = len(line.bars)
    return result


def profile_page(
    client: Any, item: dict[str, Any], runs: int, top: int, *, cold: bool = False
) -> dict[str, Any]:
    """cProfile the full page for ``item``; top functions by cumulative time in the project's code.

    ``cold``: empty the render memo before each request (the first view of a copy).
    """
    from dashboard.interactions import cache as services

    url = f"/tenants/{item['tenant_id']}/interactions/{item['interaction_id']}/"
    client.get(url)  # warm
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    for _ in range(runs):
        if cold:
            services.MEMO.clear()
        profiler.enable()
        response = client.get(url)
        profiler.disable()
        if response.status_code != 200:
            raise BenchError(f"profile: GET {url} answered {response.status_code}")
    wall = (time.perf_counter() - t0) * 1000 / runs
    stats = pstats.Stats(profiler)
    project = str(ROOT / "dashboard")
    rows = []
    for (filename, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if filename.startswith(project):
            rows.append(
                {
                    "function": f"{Path(filename).relative_to(ROOT)}:{line}({func})",
                    "calls": nc,
                    "tottime_ms": tt * 1000 / runs,
                    "cumtime_ms": ct * 1000 / runs,
                }
            )
    rows.sort(key=lambda r: r["cumtime_ms"], reverse=True)
    everything = io.StringIO()
    pstats.Stats(profiler, stream=everything).sort_stats("cumulative").print_stats(40)
    return {
        "interaction": item["label"],
        "runs": runs,
        "wall_ms_per_request_profiled": wall,
        "top_project_cumulative": rows[:top],
        "top_all_cumulative_text": everything.getvalue(),
    }


# --------------------------------------------------------------------------- report


def machine_info() -> dict[str, Any]:
    import django

    cpu = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu,
        "django": django.get_version(),
        "load_average_at_end": load_average(),
    }


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def evaluate_targets(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_size = {r["segments"]: r for r in results if r["kind"] == "generated"}
    targets = []
    for r in results:
        if r["segments"] <= 5:
            value = r["timings"]["page_over_floor"]
            targets.append(
                {
                    "id": f"page_over_floor@{r['name']}",
                    "description": f"page ≤ {TARGET_SMALL:g}× floor ({r['label']}, {r['segments']} segment(s))",
                    "value": value,
                    "limit": TARGET_SMALL,
                    "status": "PASS" if value <= TARGET_SMALL else "MISS",
                }
            )
    if 120 in by_size:
        value = by_size[120]["timings"]["page_over_floor"]
        targets.append(
            {
                "id": "page_over_floor@generated-120",
                "description": f"page ≤ {TARGET_120:g}× floor (120 segments)",
                "value": value,
                "limit": TARGET_120,
                "status": "PASS" if value <= TARGET_120 else "MISS",
            }
        )
    else:
        targets.append(
            {
                "id": "page_over_floor@generated-120",
                "description": f"page ≤ {TARGET_120:g}× floor (120 segments)",
                "value": None,
                "limit": TARGET_120,
                "status": "N/A",
            }
        )
    growth = growth_value(by_size)
    targets.append(
        {
            "id": "growth_1000_vs_100",
            "description": f"page growth 1,000 vs 100 segments ≤ {TARGET_GROWTH:g}×",
            "value": growth,
            "limit": TARGET_GROWTH,
            "status": "N/A" if growth is None else ("PASS" if growth <= TARGET_GROWTH else "MISS"),
        }
    )
    demo = [r for r in results if r["kind"] == "demo"]
    if demo:
        value = demo[0]["timings"]["cold_page_over_floor"]
        targets.append(
            {
                "id": f"cold_page_over_floor@{demo[0]['name']}",
                "description": f"first view ≤ {TARGET_COLD_120:g}× floor ({demo[0]['label']})",
                "value": value,
                "limit": TARGET_COLD_120,
                "status": "PASS" if value <= TARGET_COLD_120 else "MISS",
            }
        )
    if 1000 in by_size:
        value = by_size[1000]["timings"]["page_cold"]["median_ms"]
        targets.append(
            {
                "id": "cold_page_ms@generated-1000",
                "description": f"first view of 1,000 segments < {TARGET_COLD_1000_MS:g} ms",
                "value": value,
                "limit": TARGET_COLD_1000_MS,
                "status": "PASS" if value < TARGET_COLD_1000_MS else "MISS",
            }
        )
    return targets


def growth_value(by_size: dict[int, dict[str, Any]]) -> float | None:
    if 1000 in by_size and 100 in by_size:
        return (
            by_size[1000]["timings"]["page"]["median_ms"]
            / by_size[100]["timings"]["page"]["median_ms"]
        )
    return None


def fmt_ms(v: float) -> str:
    return f"{v:.3f}" if v < 10 else (f"{v:.2f}" if v < 100 else f"{v:.1f}")


def print_report(report: dict[str, Any], out: Any = sys.stdout) -> None:
    m = report["machine"]

    def p(s: str = "") -> None:
        print(s, file=out)

    p(
        f"Render benchmark — {report['date']}  ({'quick' if report['quick'] else 'full'} run, "
        f"~{report['seconds_per_measurement']} s per measurement, ≥{MIN_RUNS} runs after {WARMUPS} warm-ups)"
    )
    p(
        f"{m['platform']} · Python {m['python']} · Django {m['django']} · {m['cpu_count']} CPUs · {m['cpu_model'] or 'CPU unknown'}"
    )
    p(
        f"settings {report['settings']['module']} · db {report['settings']['database']} · cache {report['settings']['cache']}"
    )
    start, end = report.get("load_average_at_start"), m.get("load_average_at_end")
    if start and end:
        p(f"load average (1 min) {start[0]:.2f} at the start, {end[0]:.2f} at the end")
    for note in report["notes"]:
        p(f"note: {note}")
    p()
    head = (
        f"{'interaction':<36}{'segs':>5} │{'floor med':>10}{'p95':>9} │{'page med':>10}{'p95':>9} │"
        f"{'part. med':>10}{'p95':>9} │{'floor KB':>9}{'page KB':>9}{'part. KB':>9} │{'page/fl':>8}{'part/fl':>8} │{'CPU p/fl':>9}{'t/fl':>7} │{'runs f/p/t':>15}"
    )
    p(head)
    p("─" * len(head))
    for r in report["interactions"]:
        t = r["timings"]
        f, pg, pt = t["floor"], t["page"], t["partial"]
        p(
            f"{r['label'][:35]:<36}{r['segments']:>5} │{fmt_ms(f['median_ms']):>10}{fmt_ms(f['p95_ms']):>9} │"
            f"{fmt_ms(pg['median_ms']):>10}{fmt_ms(pg['p95_ms']):>9} │{fmt_ms(pt['median_ms']):>10}{fmt_ms(pt['p95_ms']):>9} │"
            f"{f['kb']:>9.1f}{pg['kb']:>9.1f}{pt['kb']:>9.1f} │{t['page_over_floor']:>7.1f}×{t['partial_over_floor']:>7.1f}× │"
            f"{t['cpu_page_over_floor']:>8.1f}×{t['cpu_partial_over_floor']:>6.1f}× │"
            f"{str(f['n']) + '/' + str(pg['n']) + '/' + str(pt['n']):>15}"
        )
    p(
        "(times in ms, wall clock: median and p95 per request; KB = response body; page/fl, part/fl = median ÷ floor median;"
    )
    p(
        " CPU p/fl, t/fl = the same ratios from this process's CPU time, steadier when the machine is busy)"
    )
    p()
    g = report["growth"]
    if g["page_1000_over_100"] is not None:
        p(
            f"Growth, page 1,000 vs 100 segments: {g['page_1000_over_100']:.1f}×  (linear would be 10×); "
            f"partial: {g['partial_1000_over_100']:.1f}×; page by CPU time: {g['cpu_page_1000_over_100']:.1f}×"
        )
    else:
        p("Growth, page 1,000 vs 100 segments: n/a (100 segments not measured in this run)")
    p()
    if report["pure"]:
        p(
            f"{'pure pieces (median / p95 ms)':<36}{'segs':>5} │{'parse_interaction':>20}{'timeline_for':>20}{'presenters.page':>20} │ page med"
        )
        for name, pure in report["pure"].items():
            r = next(x for x in report["interactions"] if x["name"] == name)
            cells = "".join(
                f"{fmt_ms(pure[k]['median_ms']) + ' / ' + fmt_ms(pure[k]['p95_ms']):>20}"
                for k in ("parse_interaction", "timeline_for", "presenters.page")
            )
            p(
                f"{r['label'][:35]:<36}{r['segments']:>5} │{cells} │ {fmt_ms(r['timings']['page']['median_ms'])}"
            )
        p(
            "(the rest of the page time is the HTTP stack, the RecentView writes and template rendering)"
        )
        p()
    p("Targets")
    for t in report["targets"]:
        unit = " ms" if t["id"].startswith("cold_page_ms") else "×"
        value = "n/a" if t["value"] is None else f"{t['value']:.1f}{unit}"
        p(f"  [{t['status']:<4}] {t['description']:<58} measured {value}")
    prof = report.get("profile")
    if prof:
        p()
        p(
            f"cProfile, {prof['interaction']} page, {prof['runs']} requests "
            f"({fmt_ms(prof['wall_ms_per_request_profiled'])} ms/request under the profiler); "
            "top project functions by cumulative time per request:"
        )
        p(f"  {'cum ms':>9}{'own ms':>9}{'calls':>9}  function")
        for row in prof["top_project_cumulative"]:
            p(
                f"  {row['cumtime_ms']:>9.2f}{row['tottime_ms']:>9.2f}{row['calls'] // prof['runs']:>9}  {row['function']}"
            )


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="sizes 1, 120, 1000 and ~0.5 s per measurement"
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=DEFAULT_JSON,
        metavar="PATH",
        help=f"where to write the results (default {DEFAULT_JSON.relative_to(ROOT)})",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=None,
        help="wall time per measurement (default 1.5, quick 0.5)",
    )
    parser.add_argument(
        "--sizes", default=None, help="comma-separated segment counts (default 1,5,10,100,120,1000)"
    )
    parser.add_argument("--seed", type=int, default=SEED, help=f"generator seed (default {SEED})")
    parser.add_argument(
        "--profile",
        nargs="?",
        type=int,
        const=1000,
        default=None,
        metavar="SEGMENTS",
        help="also cProfile the page of this generated size (default 1000) and list "
        "the top project functions by cumulative time",
    )
    parser.add_argument("--profile-top", type=int, default=10, metavar="N")
    parser.add_argument(
        "--profile-cold",
        action="store_true",
        help="profile the first view: empty the render memo before each profiled request",
    )
    args = parser.parse_args(argv)

    seconds = args.seconds if args.seconds is not None else (0.5 if args.quick else 1.5)
    sizes = (
        tuple(int(s) for s in args.sizes.split(","))
        if args.sizes
        else (QUICK_SIZES if args.quick else FULL_SIZES)
    )
    if args.profile is not None and args.profile not in sizes:
        sizes = (*sizes, args.profile)
    if any(s < 1 for s in sizes):
        parser.error("sizes must be at least 1")

    notes = setup_django()
    before = load_average()
    if before and os.cpu_count() and before[0] > 0.5 * os.cpu_count():
        notes.append(
            f"the machine was busy at the start (load average {before[0]:.2f} on "
            f"{os.cpu_count()} CPUs): absolute times are noisy, compare ratios with care"
        )

    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings

    from dashboard.interactions import cache as services

    with override_settings(ROOT_URLCONF="bench.urls"):
        if not settings.DEMO_MODE:
            raise BenchError("the benchmark needs demo mode (CXENGAGE_API_URL unset)")
        client = create_client()
        items = prepare_interactions(tuple(sizes), args.seed)

        # Every timed request must be a cache hit: count upstream fetches from here on.
        upstream_fetches = 0
        original_fetch = services._fetch_and_store

        def counting_fetch(*a: Any, **kw: Any) -> Any:
            nonlocal upstream_fetches
            upstream_fetches += 1
            return original_fetch(*a, **kw)

        services._fetch_and_store = counting_fetch
        try:
            results = []
            for item in items:
                print(
                    f"… {item['label']} ({item['segments']} segments)", file=sys.stderr, flush=True
                )
                timings = bench_interaction(client, item, seconds)
                results.append({k: v for k, v in item.items() if k != "raw"} | {"timings": timings})
            pure = {}
            for item in items:
                if (item["kind"] == "generated" and item["segments"] in PURE_SIZES) or item[
                    "kind"
                ] == "demo":
                    print(f"… pure pieces: {item['label']}", file=sys.stderr, flush=True)
                    pure[item["name"]] = bench_pure(item, seconds)
            profile = None
            if args.profile is not None:
                print(f"… profiling the {args.profile}-segment page", file=sys.stderr, flush=True)
                target = next(
                    i for i in items if i["kind"] == "generated" and i["segments"] == args.profile
                )
                profile = profile_page(
                    client, target, runs=5, top=args.profile_top, cold=args.profile_cold
                )
        finally:
            services._fetch_and_store = original_fetch
        if upstream_fetches:
            raise BenchError(
                f"{upstream_fetches} cache miss(es) during timing: the numbers include upstream fetches"
            )

        db = settings.DATABASES["default"]
        settings_info = {
            "module": os.environ["DJANGO_SETTINGS_MODULE"],
            "database": f"{connection.vendor} {db.get('NAME')}",
            "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
            "debug": settings.DEBUG,
            "root_urlconf": settings.ROOT_URLCONF,
        }

    by_size = {r["segments"]: r for r in results if r["kind"] == "generated"}
    growth = growth_value(by_size)
    now = dt.datetime.now(dt.UTC)
    report = {
        "benchmark": "render",
        "date": now.isoformat(timespec="seconds"),
        "date_local": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "quick": args.quick,
        "seconds_per_measurement": seconds,
        "warmups": WARMUPS,
        "min_runs": MIN_RUNS,
        "seed": args.seed,
        "sizes": list(sizes),
        "machine": machine_info(),
        "load_average_at_start": before,
        "settings": settings_info,
        "notes": notes,
        "interactions": results,
        "growth": {
            "page_1000_over_100": growth,
            "partial_1000_over_100": (
                by_size[1000]["timings"]["partial"]["median_ms"]
                / by_size[100]["timings"]["partial"]["median_ms"]
            )
            if growth is not None
            else None,
            "floor_1000_over_100": (
                by_size[1000]["timings"]["floor"]["median_ms"]
                / by_size[100]["timings"]["floor"]["median_ms"]
            )
            if growth is not None
            else None,
            "cpu_page_1000_over_100": (
                by_size[1000]["timings"]["page"]["cpu_median_ms"]
                / by_size[100]["timings"]["page"]["cpu_median_ms"]
            )
            if growth is not None
            else None,
        },
        "pure": pure,
        "targets": evaluate_targets(results),
        "profile": profile,
    }
    print_report(report)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nWrote {args.json}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench/render.py: FAILED: {exc}", file=sys.stderr)
        sys.exit(2)
