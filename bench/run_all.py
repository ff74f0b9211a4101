#!/usr/bin/env python
"""The whole benchmark (``make bench``): four parts, one table, one JSON file.

1. render       bench/render.py (sizes 1, 5, 10, 100, 120, 1,000; ~1 s per measurement):
                what the interaction page costs over the floor, in-process.
2. throughput   gunicorn on 127.0.0.1 (demo mode, warm cache, 2 workers × 4 threads) loaded
                by wrk in another process: requests/s and p50/p95/p99 for the interaction
                page, its timeline partial and the floor. Target: page ≥ 30 % of the floor's
                requests/s; every answer must be a 2xx with the expected content.
3. slow_api     a stand-in CxEngage API on 127.0.0.1 that takes 2 s per answer, cold cache:
                time to the page's frame ("Asking the CxEngage API…") and to the complete
                page with the timeline, over HTTP and, if Chromium is installed, in a browser.
                Median of 3 interactions, each cold. Target: the frame within 0.2 s.
4. page_weight  the interaction page and all its assets on a cold browser cache
                (collectstatic, STATIC_MANIFEST=1, whitenoise): compressed bytes of HTML, CSS
                and JS, the number of requests, no third-party requests. Target: CSS + JS
                < 60 KB (KiB, 1,024 bytes). Without Chromium: httpx fetches the page and the
                assets its <link>/<script> tags name.

    .venv/bin/python bench/run_all.py                 # everything (about 2-3 minutes)
    .venv/bin/python bench/run_all.py --only throughput,page_weight
    .venv/bin/python bench/run_all.py --no-browser    # skip Chromium (page weight via httpx)

It prints each part's progress and, at the end, one table with PASS / MISS per
target, and writes bench-results/bench.json (bench-results/render.json has the
render part's full detail). Exit status 0 when every part ran, even with MISSes;
1 when a part failed (an error, a non-2xx answer, a wrong page, a missing tool).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench-results"
DEFAULT_JSON = RESULTS / "bench.json"
RENDER_JSON = RESULTS / "render.json"
PY = sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
LUA = ROOT / "bench" / "wrk_report.lua"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

DEMO_TENANT = "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"
DEMO_IID = "064b25de-d866-11f1-89a5-b6abb79db4df"  # transfer-chain.json: a typical interaction
DEMO_PAYLOAD = ROOT / "dashboard" / "demo" / "payloads" / "transfer-chain.json"
SLOW_TENANT = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"  # a "live" tenant on the stand-in API

PARTS = ("render", "throughput", "slow_api", "page_weight")
RENDER_SIZES = "1,5,10,100,120,1000"
RENDER_SECONDS = 1.0
WORKERS, THREADS = 2, 4
WRK_THREADS, WRK_CONNECTIONS = 2, 16
WRK_SECONDS, WRK_WARMUP_SECONDS = 10, 2
SLOW_DELAY = 2.0
SLOW_RUNS = 3

TARGET_THROUGHPUT = 0.30  # page requests/s ≥ 30 % of the floor's
TARGET_FRAME_S = 0.2  # the frame within 0.2 s
TARGET_ASSETS_KB = 60.0  # CSS + JS < 60 KiB compressed

FRAME_TEXT = "Asking the CxEngage API"
TIMELINE_MARK = 'id="timeline"'
SEGMENT_MARK = 'data-kind="segment"'
HTMX_TIMELINE = {"HX-Request": "true", "HX-Target": "timeline"}
HTMX_MAIN = {"HX-Request": "true", "HX-Target": "main"}

# Variables of the caller's environment that would change what the servers do.
_ENV_PREFIXES = (
    "CXENGAGE_",
    "DJANGO_",
    "CACHE_",
    "STATIC_",
    "BENCH_",
    "PAGE_FRAME",
    "TIMELINE_",
    "FLAGGED_",
    "LOGIN_",
    "CRM_LINK_",
    "DASHBOARD_",
)
_ENV_NAMES = (
    "DATABASE_URL",
    "REDIS_URL",
    "WEB_CONCURRENCY",
    "GUNICORN_THREADS",
    "HOST",
    "PORT",
    "GUNICORN_CMD_ARGS",
)


class BenchError(RuntimeError):
    """The part could not be measured properly: reported as ERROR, exit status 1."""


def say(message: str) -> None:
    print(f"… {message}", flush=True)


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


# --------------------------------------------------------------------------- machine


def _version(cmd: list[str]) -> str | None:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0].strip() if text else None


def machine_info() -> dict[str, Any]:
    cpu = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError):
        pass
    packages = {}
    for name in ("django", "gunicorn", "whitenoise", "httpx", "playwright"):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    wrk = shutil.which("wrk")
    chromium = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "cpu_model": cpu,
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gib": memory,
        "packages": packages,
        "wrk": _version([wrk, "-v"]) if wrk else None,
        "chromium": _version([chromium, "--version"]) if chromium else None,
    }


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env(tmp: Path, secret: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(_ENV_PREFIXES) and k not in _ENV_NAMES
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_HTTPS="0",
        DJANGO_SECRET_KEY=secret,  # the same for every server: the session is valid on all
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_LOG_FORMAT="plain",
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


SETUP_SCRIPT = """
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.sessions.backends.db import SessionStore
from dashboard.accounts.models import TenantGrant
user = get_user_model().objects.create_user("bench")
user.user_permissions.add(Permission.objects.get(codename="view_contact_details"))
for tenant in TENANTS:
    TenantGrant.objects.create(user=user, tenant_id=tenant, label="bench")
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
session["_auth_user_hash"] = user.get_session_auth_hash()
session.create()
print("SESSION", session.session_key)
"""


def prepare_database(env: dict[str, str]) -> str:
    """Migrate the temporary SQLite file; one user with both tenants granted; its session key."""
    run = lambda cmd: subprocess.run(  # noqa: E731
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    done = run([PY, "manage.py", "migrate", "--noinput", "-v0"])
    if done.returncode:
        raise BenchError(f"migrate failed:\n{done.stdout}{done.stderr}")
    script = f"TENANTS = {[DEMO_TENANT, SLOW_TENANT]!r}\n" + SETUP_SCRIPT
    done = run([PY, "manage.py", "shell", "-c", script])
    match = re.search(r"^SESSION (\w+)$", done.stdout, re.M)
    if done.returncode or not match:
        raise BenchError(f"creating the user and session failed:\n{done.stdout}{done.stderr}")
    return match.group(1)


@contextmanager
def gunicorn(
    name: str, env: dict[str, str], tmp: Path, workers: int = WORKERS, threads: int = THREADS
) -> Iterator[str]:
    """The dashboard under gunicorn, with the project's gunicorn.conf.py; yields its base URL.

    ``--max-requests 0``: the conf recycles workers after ~2,000 requests, which
    would empty a worker's (per-process) cache in the middle of a measurement.
    """
    port = free_port()
    log_path = tmp / f"gunicorn-{name}.log"
    cmd = [
        GUNICORN,
        "-c",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--max-requests",
        "0",
        "dashboard.wsgi",
    ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 40
        while True:
            if proc.poll() is not None:
                raise BenchError(f"gunicorn ({name}) exited at start:\n{_tail(log_path)}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"gunicorn ({name}) did not answer /healthz:\n{_tail(log_path)}")
            time.sleep(0.2)
        yield base
    except BenchError as exc:
        if "gunicorn" not in str(exc):
            exc.args = (
                f"{exc.args[0]}\n--- gunicorn ({name}) log, last lines:\n{_tail(log_path)}",
            )
        raise
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def interaction_path(tenant: str, iid: str) -> str:
    return f"/tenants/{tenant}/interactions/{iid}/"


# --------------------------------------------------------------------------- 1. render


def _render_unit(target: dict[str, Any]) -> str:
    """How a render target's figure reads: a time in ms, else a ratio to the floor."""
    return " ms" if target["id"].startswith("cold_page_ms") else "×"


def part_render(ctx: dict[str, Any]) -> dict[str, Any]:
    cmd = [
        PY,
        str(ROOT / "bench" / "render.py"),
        "--sizes",
        RENDER_SIZES,
        "--seconds",
        str(RENDER_SECONDS),
        "--json",
        str(RENDER_JSON),
    ]
    say("render: " + " ".join(Path(c).name if i < 2 else c for i, c in enumerate(cmd)))
    done = subprocess.run(cmd, cwd=ROOT, timeout=600)
    if done.returncode:
        raise BenchError(f"bench/render.py exited with status {done.returncode}")
    report = json.loads(RENDER_JSON.read_text(encoding="utf-8"))
    rows = []
    for item in report["interactions"]:
        t = item["timings"]
        rows.append(
            {
                "label": item["label"],
                "segments": item["segments"],
                "floor_ms": t["floor"]["median_ms"],
                "page_ms": t["page"]["median_ms"],
                "partial_ms": t["partial"]["median_ms"],
                "page_over_floor": t["page_over_floor"],
                "partial_over_floor": t["partial_over_floor"],
                "cpu_page_over_floor": t["cpu_page_over_floor"],
                "cold_page_ms": t["page_cold"]["median_ms"],
                "cold_page_over_floor": t["cold_page_over_floor"],
            }
        )
    targets = [
        {
            "part": "render",
            "id": t["id"],
            "description": t["description"],
            "value": t["value"],
            "shown": "n/a" if t["value"] is None else f"{t['value']:.1f}{_render_unit(t)}",
            "target": f"≤ {t['limit']:g}{_render_unit(t)}",
            "status": t["status"],
        }
        for t in report["targets"]
    ]
    return {
        "json": str(RENDER_JSON.relative_to(ROOT)),
        "sizes": RENDER_SIZES,
        "seconds_per_measurement": RENDER_SECONDS,
        "interactions": rows,
        "growth": report["growth"],
        "targets": targets,
        "load_average_at_start": report.get("load_average_at_start"),
        "notes": report.get("notes", []),
    }


# --------------------------------------------------------------------------- 2. throughput


def run_wrk(
    url: str, session: str, headers: dict[str, str], marker: str, seconds: int
) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    if not wrk:
        raise BenchError(
            "wrk is not installed (make bench installs it with apt-get; or: apt-get install -y wrk)"
        )
    cmd = [
        wrk,
        f"-t{WRK_THREADS}",
        f"-c{WRK_CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        "-H",
        f"Cookie: sessionid={session}",
    ]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    cmd += [url, "--", marker]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if done.returncode or line is None:
        raise BenchError(f"wrk failed (status {done.returncode}):\n{done.stdout}{done.stderr}")
    data = json.loads(line[len("WRK_JSON ") :])
    seconds_run = data["duration_us"] / 1e6
    socket_errors = sum(
        data[k] for k in ("errors_connect", "errors_read", "errors_write", "errors_timeout")
    )
    return {
        "url": url,
        "headers": headers,
        "marker": marker,
        "requests": data["requests"],
        "seconds": round(seconds_run, 3),
        "rps": data["requests"] / seconds_run if seconds_run else 0.0,
        "p50_ms": data["p50_us"] / 1000,
        "p90_ms": data["p90_us"] / 1000,
        "p95_ms": data["p95_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "mean_ms": data["latency_mean_us"] / 1000,
        "max_ms": data["latency_max_us"] / 1000,
        "kb_per_response": data["bytes"] / max(data["requests"], 1) / 1024,
        "non2xx": data["non2xx"],
        "unexpected_body": data["unexpected"],
        "socket_errors": socket_errors,
        "errors": data["non2xx"] + data["unexpected"] + socket_errors,
        "checked": data["checked"],
        "raw": data,
    }


def _get_until_page(client: Any, url: str, tries: int = 25) -> Any:
    """GET the page until it is the whole page, not the loading frame (a cold cache)."""
    response = None
    for _ in range(tries):
        response = client.get(url)
        if response.status_code != 200:
            raise BenchError(f"GET {url} answered {response.status_code}, not 200")
        if TIMELINE_MARK in response.text:
            return response
        time.sleep(0.2)
    raise BenchError(f"GET {url} never answered the whole page (still the loading frame?)")


def part_throughput(ctx: dict[str, Any]) -> dict[str, Any]:
    import httpx

    seconds = ctx["wrk_seconds"]
    path = interaction_path(DEMO_TENANT, DEMO_IID)
    with gunicorn("throughput", ctx["env"], ctx["tmp"]) as base:
        cases = {
            "floor": (f"{base}/floor{path}", {}, DEMO_IID),
            "page": (f"{base}{path}", {}, TIMELINE_MARK),
            "partial": (f"{base}{path}", HTMX_TIMELINE, SEGMENT_MARK),
        }
        # Check each answer once; warm the cache.
        with httpx.Client(cookies={"sessionid": ctx["session"]}, timeout=30) as client:
            page = _get_until_page(client, cases["page"][0])
            if FRAME_TEXT in page.text:
                raise BenchError("the warm page still shows the loading frame")
            partial = client.get(cases["partial"][0], headers=HTMX_TIMELINE)
            if (
                partial.status_code != 200
                or SEGMENT_MARK not in partial.text
                or "<html" in partial.text[:2000].lower()
            ):
                raise BenchError(f"the timeline partial is wrong (status {partial.status_code})")
            floor = client.get(cases["floor"][0])
            if floor.status_code != 200 or floor.json().get("interactionId") != DEMO_IID:
                raise BenchError(f"the floor is wrong (status {floor.status_code})")
            segments = page.text.count(SEGMENT_MARK)
        results: dict[str, Any] = {}
        for name, (url, headers, marker) in cases.items():
            # A short unreported run first: both workers' caches, templates and connections warm.
            say(
                f"throughput: {name} — warm-up {WRK_WARMUP_SECONDS} s, then wrk -t{WRK_THREADS} "
                f"-c{WRK_CONNECTIONS} -d{seconds}s"
            )
            run_wrk(url, ctx["session"], headers, marker, WRK_WARMUP_SECONDS)
            load_before = load_average()
            result = run_wrk(url, ctx["session"], headers, marker, seconds)
            result["load_average_before"] = load_before
            results[name] = result
            say(
                f"throughput: {name}: {result['rps']:.0f} req/s, p50 {result['p50_ms']:.1f} ms, "
                f"p99 {result['p99_ms']:.1f} ms, {result['requests']} requests, {result['errors']} errors"
            )
    ratio = results["page"]["rps"] / results["floor"]["rps"] if results["floor"]["rps"] else 0.0
    errors = sum(r["errors"] for r in results.values())
    targets = [
        {
            "part": "throughput",
            "id": "page_rps_over_floor",
            "description": "page req/s ≥ 30 % of the floor's",
            "value": ratio,
            "shown": f"{ratio * 100:.0f} %",
            "target": f"≥ {TARGET_THROUGHPUT * 100:.0f} %",
            "status": "PASS" if ratio >= TARGET_THROUGHPUT else "MISS",
        },
        {
            "part": "throughput",
            "id": "errors",
            "description": "errors under load (non-2xx, wrong body, socket)",
            "value": errors,
            "shown": str(errors),
            "target": "0",
            "status": "PASS" if errors == 0 else "ERROR",
        },
    ]
    if errors:
        ctx["errors"].append(
            f"throughput: {errors} error(s) under load (see throughput in the JSON)"
        )
    return {
        "interaction": {
            "tenant_id": DEMO_TENANT,
            "interaction_id": DEMO_IID,
            "payload": DEMO_PAYLOAD.name,
            "segments": segments,
        },
        "server": {
            "workers": WORKERS,
            "threads": THREADS,
            "worker_class": "gthread",
            "config": "gunicorn.conf.py + --max-requests 0",
            "mode": "demo",
            "cache": "LocMemCache (per process)",
            "database": "SQLite (temporary file)",
            "settings": "bench.settings",
        },
        "load_generator": {
            "tool": "wrk",
            "threads": WRK_THREADS,
            "connections": WRK_CONNECTIONS,
            "seconds": seconds,
            "warmup_seconds": WRK_WARMUP_SECONDS,
            "script": str(LUA.relative_to(ROOT)),
        },
        "results": results,
        "page_rps_over_floor": ratio,
        "partial_rps_over_floor": results["partial"]["rps"] / results["floor"]["rps"]
        if results["floor"]["rps"]
        else 0.0,
        "targets": targets,
    }


# --------------------------------------------------------------------------- 3. slow API


def _slow_body(iid: str) -> dict[str, Any]:
    text = DEMO_PAYLOAD.read_text(encoding="utf-8")
    return json.loads(text.replace(DEMO_IID, iid).replace(DEMO_TENANT, SLOW_TENANT))


# Marks, in the page's own clock (ms since navigation start), when the frame's
# progress line and then a visible #timeline first appear in the DOM.
BROWSER_MARKS = """
(() => {
  const mark = () => {
    if (window.__benchFrameAt === undefined && document.querySelector('.progress-line')) {
      window.__benchFrameAt = performance.now();
    }
    const t = document.getElementById('timeline');
    if (window.__benchTimelineAt === undefined && t && (!t.checkVisibility || t.checkVisibility())) {
      window.__benchTimelineAt = performance.now();
      requestAnimationFrame(() => { window.__benchTimelineFrameAt = performance.now(); });
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(mark);
  observer.observe(document, {childList: true, subtree: true});
})();
"""


def chromium_path() -> str | None:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return shutil.which("chromium")


@contextmanager
def browser_session() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def _new_context(browser: Any, base: str, session: str) -> Any:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=base)
    context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    return context


def part_slow_api(ctx: dict[str, Any]) -> dict[str, Any]:
    import httpx

    from tests.standin import StandInAPI

    runs = ctx["slow_runs"]
    use_browser = ctx["browser"]
    notes: list[str] = []
    with StandInAPI() as api:
        original = api._misbehave

        def slow(handler: Any, which: str) -> bool:
            time.sleep(SLOW_DELAY)  # every answer of the stand-in takes SLOW_DELAY
            return original(handler, which)

        api._misbehave = slow  # type: ignore[method-assign]
        # One interaction to warm the server up, `runs` over HTTP, and (browser) one to
        # warm Chromium up plus `runs`: each interaction is new, so the cache is cold.
        warm_id = str(uuid.uuid1())
        http_ids = [str(uuid.uuid1()) for _ in range(runs)]
        browser_ids = [str(uuid.uuid1()) for _ in range(1 + runs)] if use_browser else []
        for iid in (warm_id, *http_ids, *browser_ids):
            api.interactions[(SLOW_TENANT, iid)] = _slow_body(iid)
        env = {
            **ctx["env"],
            "CXENGAGE_API_URL": api.url,
            "CXENGAGE_USERNAME": "bench",
            "CXENGAGE_PASSWORD": "bench-password",
        }
        upstream = lambda iid: api.requests[f"GET /v1/tenants/{SLOW_TENANT}/interactions/{iid}"]  # noqa: E731
        with gunicorn("slow-api", env, ctx["tmp"]) as base:
            say(
                "slow API: warming both workers up (frame and page templates) with one interaction, "
                "not reported"
            )
            _warm_slow_server(base, ctx["session"], interaction_path(SLOW_TENANT, warm_id))
            http_runs = []
            # One keep-alive connection, as a browser would mostly use: the frame and
            # the follow-up request normally reach the same worker.
            with httpx.Client(
                base_url=base, cookies={"sessionid": ctx["session"]}, timeout=30
            ) as client:
                for n, iid in enumerate(http_ids, 1):
                    path = interaction_path(SLOW_TENANT, iid)
                    started = time.perf_counter()
                    frame = client.get(path)
                    frame_s = time.perf_counter() - started
                    rest = client.get(path, headers=HTMX_MAIN)
                    complete_s = time.perf_counter() - started
                    if frame.status_code != 200 or FRAME_TEXT not in frame.text:
                        raise BenchError(
                            f"slow API: the first answer is not the frame (status {frame.status_code}, "
                            f"{FRAME_TEXT!r} {'found' if FRAME_TEXT in frame.text else 'missing'})"
                        )
                    if rest.status_code != 200 or TIMELINE_MARK not in rest.text:
                        raise BenchError(
                            f"slow API: the follow-up (HX-Target: main) is not the page "
                            f"with the timeline (status {rest.status_code})"
                        )
                    row = {
                        "interaction_id": iid,
                        "frame_s": frame_s,
                        "complete_s": complete_s,
                        "frame_kb": len(frame.content) / 1024,
                        "page_kb": len(rest.content) / 1024,
                        "frame_has_progress_text": True,
                        "upstream_requests": upstream(iid),
                    }
                    http_runs.append(row)
                    say(
                        f"slow API (HTTP) run {n}: frame {frame_s:.3f} s, timeline complete "
                        f"{complete_s:.3f} s, upstream requests {row['upstream_requests']}"
                    )
            browser_runs: list[dict[str, Any]] = []
            browser_note = None
            if not use_browser:
                browser_note = "browser part skipped (--no-browser)"
            elif not chromium_path():
                browser_note = f"browser part skipped: Chromium not found at {CHROMIUM} (apt-get install chromium)"
            else:
                browser_runs = _slow_api_browser(base, ctx["session"], browser_ids, upstream)
            if browser_note:
                notes.append(browser_note)
                say(browser_note)
    frame_med = median([r["frame_s"] for r in http_runs])
    complete_med = median([r["complete_s"] for r in http_runs])
    fcp_med = median([r["fcp_s"] for r in browser_runs])
    tl_med = median([r["timeline_visible_s"] for r in browser_runs])
    targets = [
        {
            "part": "slow_api",
            "id": "frame_http",
            "description": f"frame answered (HTTP, whole body), median of {len(http_runs)}",
            "value": frame_med,
            "shown": f"{frame_med:.3f} s",
            "target": f"≤ {TARGET_FRAME_S:g} s",
            "status": "PASS" if frame_med <= TARGET_FRAME_S else "MISS",
        },
        {
            "part": "slow_api",
            "id": "complete_http",
            "description": "timeline complete (HTTP: frame + HX-Target main)",
            "value": complete_med,
            "shown": f"{complete_med:.3f} s",
            "target": f"API takes {SLOW_DELAY:g} s",
            "status": "info",
        },
    ]
    if browser_runs:
        targets += [
            {
                "part": "slow_api",
                "id": "frame_fcp_browser",
                "description": f"frame first contentful paint (Chromium), median of {len(browser_runs)}",
                "value": fcp_med,
                "shown": f"{fcp_med:.3f} s",
                "target": f"≤ {TARGET_FRAME_S:g} s",
                "status": "PASS" if fcp_med <= TARGET_FRAME_S else "MISS",
            },
            {
                "part": "slow_api",
                "id": "timeline_visible_browser",
                "description": "#timeline visible (Chromium, htmx loader)",
                "value": tl_med,
                "shown": f"{tl_med:.3f} s",
                "target": f"API takes {SLOW_DELAY:g} s",
                "status": "info",
            },
        ]
    else:
        targets.append(
            {
                "part": "slow_api",
                "id": "frame_fcp_browser",
                "description": "frame first contentful paint (Chromium)",
                "value": None,
                "shown": "skipped",
                "target": f"≤ {TARGET_FRAME_S:g} s",
                "status": "N/A",
            }
        )
    return {
        "api_delay_s": SLOW_DELAY,
        "page_frame_after_s": 0.15,
        "tenant_id": SLOW_TENANT,
        "payload": DEMO_PAYLOAD.name + " (new interactionId per run)",
        "server": {
            "workers": WORKERS,
            "threads": THREADS,
            "cache": "LocMemCache, cold per interaction",
        },
        "http": {"runs": http_runs, "frame_median_s": frame_med, "complete_median_s": complete_med},
        "browser": {
            "runs": browser_runs,
            "fcp_median_s": fcp_med,
            "timeline_visible_median_s": tl_med,
            "css_response_end_median_s": median(
                [
                    r["css_response_end_s"]
                    for r in browser_runs
                    if r["css_response_end_s"] is not None
                ]
            ),
            "baseline_fcp_s": list(BASELINE_FCP),
            "baseline_fcp_median_s": median(BASELINE_FCP),
            "baseline_note": "first-contentful-paint of data:text/html,<p>hello</p> in the same Chromium",
        },
        "notes": notes,
        "targets": targets,
    }


BASELINE_FCP: list[float] = []  # filled by _slow_api_browser


def _warm_slow_server(base: str, session: str, path: str, connections: int = 6) -> None:
    """Frame, then page, over several fresh connections at once: both workers render both."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    def one(_: int) -> tuple[int, int]:
        with httpx.Client(base_url=base, cookies={"sessionid": session}, timeout=30) as client:
            frame = client.get(path)
            time.sleep(0.3)
            page = client.get(path, headers=HTMX_MAIN)
            return frame.status_code, page.status_code

    with ThreadPoolExecutor(connections) as pool:
        statuses = list(pool.map(one, range(connections)))
    if any(s != (200, 200) for s in statuses):
        raise BenchError(f"slow API warm-up: unexpected answers {statuses}")


def _slow_api_browser(
    base: str, session: str, ids: list[str], upstream: Callable[[str], int]
) -> list[dict[str, Any]]:
    """The first interaction warms Chromium up (its first renderer) and is not reported."""
    rows = []
    with browser_session() as browser:
        baseline = []
        for _ in range(3):  # Chromium's own time to a first paint here, for comparison
            context = browser.new_context()
            page = context.new_page()
            page.goto("data:text/html,<p>hello</p>", wait_until="load")
            page.wait_for_timeout(200)
            fcp = page.evaluate(
                "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime ?? null"
            )
            context.close()
            if fcp is not None:
                baseline.append(fcp / 1000)
        BASELINE_FCP[:] = baseline
        for n, iid in enumerate(ids):
            context = _new_context(browser, base, session)
            context.add_init_script(BROWSER_MARKS)
            page = context.new_page()
            problems: list[str] = []
            page.on(
                "console",
                lambda m, found=problems: found.append(m.text) if m.type == "error" else None,
            )
            page.on("pageerror", lambda e, found=problems: found.append(str(e)))
            path = interaction_path(SLOW_TENANT, iid)
            started = time.perf_counter()
            page.goto(path, wait_until="commit")
            # (wait_for_function would eval a string in the page: the CSP forbids that.)
            page.locator("#timeline").wait_for(state="visible", timeout=30_000)
            wall = time.perf_counter() - started
            deadline = time.monotonic() + 10
            while not page.evaluate("() => window.__benchTimelineFrameAt !== undefined"):
                if time.monotonic() > deadline:
                    raise BenchError(f"browser: #timeline is visible but was never marked ({iid})")
                page.wait_for_timeout(20)
            marks = page.evaluate("""() => {
                const fcp = performance.getEntriesByName('first-contentful-paint')[0];
                const nav = performance.getEntriesByType('navigation')[0];
                return {fcp: fcp ? fcp.startTime : null, frame: window.__benchFrameAt ?? null,
                        timeline: window.__benchTimelineAt, painted: window.__benchTimelineFrameAt,
                        responseEnd: nav ? nav.responseEnd : null,
                        css: Math.max(0, ...performance.getEntriesByType('resource')
                            .filter(e => e.initiatorType === 'link' && e.name.includes('.css'))
                            .map(e => e.responseEnd)) || null,
                        segments: document.querySelectorAll('#timeline [data-kind="segment"]').length};
            }""")
            context.close()
            if marks["fcp"] is None or marks["frame"] is None:
                raise BenchError(
                    f"browser: no first contentful paint or no frame for {iid} ({marks})"
                )
            if not marks["segments"]:
                raise BenchError(f"browser: the timeline of {iid} has no segment bars")
            if n == 0:
                say(
                    f"slow API (Chromium): warm-up run (not reported): FCP {marks['fcp'] / 1000:.3f} s"
                )
                continue
            row = {
                "interaction_id": iid,
                "fcp_s": marks["fcp"] / 1000,
                "frame_in_dom_s": marks["frame"] / 1000,
                "frame_response_end_s": (marks["responseEnd"] or 0) / 1000,
                "css_response_end_s": (marks["css"] or 0) / 1000 if marks["css"] else None,
                "timeline_in_dom_s": marks["timeline"] / 1000,
                "timeline_visible_s": marks["painted"] / 1000,
                "wall_s": wall,
                "segments": marks["segments"],
                "upstream_requests": upstream(iid),
                "console_errors": problems,
            }
            rows.append(row)
            say(
                f"slow API (Chromium) run {n}: frame FCP {row['fcp_s']:.3f} s, #timeline visible "
                f"{row['timeline_visible_s']:.3f} s, upstream requests {row['upstream_requests']}"
                + (f", console errors: {problems}" if problems else "")
            )
    return rows


# --------------------------------------------------------------------------- 4. page weight


def _kind(resource_type: str, url: str, content_type: str) -> str:
    if resource_type == "document":
        return "html"
    if resource_type == "stylesheet" or url.endswith(".css") or "text/css" in content_type:
        return "css"
    if resource_type == "script" or url.endswith(".js") or "javascript" in content_type:
        return "js"
    return "other"


def _same_origin(url: str, base: str) -> bool:
    parts, origin = urlsplit(url), urlsplit(base)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return (parts.scheme, parts.netloc) == (origin.scheme, origin.netloc)


def part_page_weight(ctx: dict[str, Any]) -> dict[str, Any]:
    import httpx

    static_root = ctx["tmp"] / "static"
    env = {**ctx["env"], "STATIC_MANIFEST": "1", "BENCH_STATIC_ROOT": str(static_root)}
    say(f"page weight: collectstatic into a temporary STATIC_ROOT ({static_root})")
    done = subprocess.run(
        [PY, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    if done.returncode:
        raise BenchError(f"collectstatic failed:\n{done.stdout}{done.stderr}")
    compressed = sorted(p.suffix for p in static_root.rglob("*") if p.suffix in (".gz", ".br"))
    variants = sorted(set(compressed))
    path = interaction_path(DEMO_TENANT, DEMO_IID)
    # One worker: the warmed (per-process) cache is the one the browser's request meets.
    with gunicorn("page-weight", env, ctx["tmp"], workers=1) as base:
        with httpx.Client(cookies={"sessionid": ctx["session"]}, timeout=30) as client:
            _get_until_page(client, base + path)
        if ctx["browser"] and chromium_path():
            method = "chromium"
            requests = _weight_browser(base, path, ctx["session"])
        else:
            method = "httpx"
            reason = "--no-browser" if not ctx["browser"] else f"Chromium not found at {CHROMIUM}"
            say(f"page weight: {reason}; falling back to httpx (page + the assets it names)")
            requests = _weight_httpx(base, path, ctx["session"])
    by_kind: dict[str, dict[str, int]] = {}
    for r in requests:
        k = by_kind.setdefault(
            r["kind"], {"requests": 0, "body_bytes": 0, "wire_bytes": 0, "uncompressed_bytes": 0}
        )
        k["requests"] += 1
        k["body_bytes"] += r["body_bytes"]
        k["wire_bytes"] += r["wire_bytes"] or 0
        k["uncompressed_bytes"] += r["uncompressed_bytes"] or 0
    for kind in ("html", "css", "js", "other"):
        by_kind.setdefault(
            kind, {"requests": 0, "body_bytes": 0, "wire_bytes": 0, "uncompressed_bytes": 0}
        )
    third_party = [r["url"] for r in requests if not r["same_origin"]]
    failed = [r for r in requests if r.get("failed") or not (200 <= (r["status"] or 0) < 400)]
    if failed:
        raise BenchError(
            f"page weight: failed requests: {[(r['url'], r['status']) for r in failed]}"
        )
    if not by_kind["html"]["requests"]:
        raise BenchError("page weight: the page itself was not recorded")
    fcp = next((r.pop("page_fcp_s") for r in requests if "page_fcp_s" in r), None)
    response_end = next(
        (r.pop("page_response_end_s") for r in requests if "page_response_end_s" in r), None
    )
    assets_bytes = by_kind["css"]["body_bytes"] + by_kind["js"]["body_bytes"]
    assets_kb = assets_bytes / 1024
    total_body = sum(r["body_bytes"] for r in requests)
    targets = [
        {
            "part": "page_weight",
            "id": "css_js_kb",
            "description": "CSS + JS, compressed, cold browser cache",
            "value": assets_kb,
            "shown": f"{assets_kb:.1f} KB ({assets_bytes:,} B)",
            "target": f"< {TARGET_ASSETS_KB:g} KB",
            "status": "PASS" if assets_kb < TARGET_ASSETS_KB else "MISS",
        },
        {
            "part": "page_weight",
            "id": "third_party",
            "description": "third-party requests",
            "value": len(third_party),
            "shown": str(len(third_party)),
            "target": "0",
            "status": "PASS" if not third_party else "MISS",
        },
    ]
    return {
        "method": method,
        "url": path,
        "static": {
            "STATIC_MANIFEST": True,
            "compressed_variants": variants,
            "note": "whitenoise serves .br only when the brotli package is installed",
        },
        "requests": requests,
        "request_count": len(requests),
        "by_kind": by_kind,
        "total_body_bytes": total_body,
        "total_wire_bytes": sum(r["wire_bytes"] or 0 for r in requests),
        "css_js_bytes": assets_bytes,
        "third_party": third_party,
        "html_compressed": any(r["content_encoding"] for r in requests if r["kind"] == "html"),
        "reference_paint": {
            "fcp_s": fcp,
            "response_end_s": response_end,
            "note": "the whole page, warm server cache, cold browser cache",
        },
        "targets": targets,
    }


def _weight_browser(base: str, path: str, session: str) -> list[dict[str, Any]]:
    rows = []
    with browser_session() as browser:
        context = _new_context(browser, base, session)  # fresh context: an empty browser cache
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        wire: dict[str, int] = {}
        cdp_urls: dict[str, str] = {}
        cdp.on(
            "Network.requestWillBeSent",
            lambda e: cdp_urls.__setitem__(e["requestId"], e["request"]["url"]),
        )
        cdp.on(
            "Network.loadingFinished",
            lambda e: wire.__setitem__(e["requestId"], int(e["encodedDataLength"])),
        )
        finished: list[Any] = []
        failed: list[Any] = []
        page.on("requestfinished", lambda request: finished.append(request))
        page.on("requestfailed", lambda request: failed.append(request))
        page.goto(path, wait_until="networkidle")
        if page.locator("#timeline").count() != 1:
            raise BenchError("page weight: the page in Chromium has no #timeline")
        page.wait_for_timeout(300)
        paint = page.evaluate("""() => {
            const fcp = performance.getEntriesByName('first-contentful-paint')[0];
            const nav = performance.getEntriesByType('navigation')[0];
            return {fcp: fcp ? fcp.startTime : null, responseEnd: nav ? nav.responseEnd : null};
        }""")
        wire_by_url: dict[str, int] = {}
        for rid, n in wire.items():
            url = cdp_urls.get(rid)
            if url:
                wire_by_url[url] = wire_by_url.get(url, 0) + n
        for request in finished + failed:
            response = request.response()
            headers = response.all_headers() if response else {}
            sizes = request.sizes()
            body = int(sizes.get("responseBodySize") or 0)
            content_type = headers.get("content-type", "")
            uncompressed = None
            if response is not None:
                try:
                    uncompressed = len(response.body())
                except Exception:
                    uncompressed = None
            rows.append(
                {
                    "url": request.url,
                    "resource_type": request.resource_type,
                    "kind": _kind(request.resource_type, urlsplit(request.url).path, content_type),
                    "status": response.status if response else None,
                    "failed": request in failed,
                    "content_type": content_type,
                    "content_encoding": headers.get("content-encoding", ""),
                    "body_bytes": body,
                    "headers_bytes": int(sizes.get("responseHeadersSize") or 0),
                    "wire_bytes": wire_by_url.get(request.url),
                    "uncompressed_bytes": uncompressed,
                    "same_origin": _same_origin(request.url, base),
                }
            )
        context.close()
    if rows and paint["fcp"] is not None:
        rows[0]["page_fcp_s"] = paint["fcp"] / 1000
        rows[0]["page_response_end_s"] = (paint["responseEnd"] or 0) / 1000
    return rows


def _weight_httpx(base: str, path: str, session: str) -> list[dict[str, Any]]:
    import httpx

    rows = []
    headers = {"Accept-Encoding": "gzip, br"}
    with httpx.Client(cookies={"sessionid": session}, headers=headers, timeout=30) as client:

        def fetch(url: str, resource_type: str) -> Any:
            response = client.get(url)
            content_type = response.headers.get("content-type", "")
            rows.append(
                {
                    "url": url,
                    "resource_type": resource_type,
                    "kind": _kind(resource_type, urlsplit(url).path, content_type),
                    "status": response.status_code,
                    "failed": False,
                    "content_type": content_type,
                    "content_encoding": response.headers.get("content-encoding", ""),
                    "body_bytes": response.num_bytes_downloaded,
                    "headers_bytes": None,
                    "wire_bytes": None,
                    "uncompressed_bytes": len(response.content),
                    "same_origin": _same_origin(url, base),
                }
            )
            return response

        page = fetch(base + path, "document")
        html = page.text
        assets = [
            (m, "stylesheet")
            for m in re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)
        ]
        assets += [(m, "script") for m in re.findall(r'<script[^>]+src="([^"]+)"', html)]
        assets += [
            (m, "other") for m in re.findall(r'<link[^>]+rel="icon"[^>]+href="([^"]+)"', html)
        ]
        for href, kind in assets:
            fetch(urljoin(base + path, href), kind)
    return rows


# --------------------------------------------------------------------------- report


def print_table(report: dict[str, Any]) -> None:
    m = report["machine"]
    start, end = report["load_average_at_start"], report["load_average_at_end"]
    print()
    print("=" * 100)
    print(f"CxEngage dashboard benchmark — {report['date']}  ({report['duration_s']:.0f} s)")
    print(
        f"{m['platform']} · Python {m['python']} · {m['cpu_count']} CPUs · {m['cpu_model'] or 'CPU unknown'}"
        f" · {m['memory_gib']} GiB"
    )
    print(
        f"Django {m['packages'].get('django')} · gunicorn {m['packages'].get('gunicorn')} · "
        f"{m['wrk'] or 'wrk missing'} · {m['chromium'] or 'Chromium missing'}"
    )
    if start and end:
        print(
            f"load average (1/5/15 min): {start[0]:.2f} {start[1]:.2f} {start[2]:.2f} at the start, "
            f"{end[0]:.2f} {end[1]:.2f} {end[2]:.2f} at the end  (on {m['cpu_count']} CPUs)"
        )
    for note in report["notes"]:
        print(f"note: {note}")
    print("=" * 100)
    parts = report["parts"]

    render = parts.get("render", {})
    if render.get("status") == "done":
        r = render["result"]
        print(
            f"\n1. Render cost over the floor (in-process, sizes {r['sizes']}, ~{r['seconds_per_measurement']:g} s "
            f"per measurement; detail above and in {r['json']})"
        )
        print(
            f"   {'interaction':<28}{'segs':>6}{'floor ms':>10}{'page ms':>10}{'part. ms':>10}"
            f"{'page/fl':>9}{'part/fl':>9}{'CPU p/fl':>10}{'cold ms':>10}{'cold/fl':>9}"
        )
        for row in r["interactions"]:
            print(
                f"   {row['label'][:27]:<28}{row['segments']:>6}{row['floor_ms']:>10.3f}{row['page_ms']:>10.3f}"
                f"{row['partial_ms']:>10.3f}{row['page_over_floor']:>8.1f}×{row['partial_over_floor']:>8.1f}×"
                f"{row['cpu_page_over_floor']:>9.1f}×{row['cold_page_ms']:>10.3f}{row['cold_page_over_floor']:>8.1f}×"
            )
        print(
            "   (page: repeat views, sections reused from the render memo; cold: the first view of a copy of the data)"
        )
    else:
        print(f"\n1. Render cost over the floor: {render.get('status', 'not run').upper()}")

    tp = parts.get("throughput", {})
    if tp.get("status") == "done":
        r = tp["result"]
        lg = r["load_generator"]
        print(
            f"\n2. Throughput (gunicorn 127.0.0.1, {WORKERS} workers × {THREADS} threads, demo mode, warm cache; "
            f"wrk -t{lg['threads']} -c{lg['connections']} -d{lg['seconds']}s after a {lg['warmup_seconds']} s warm-up)"
        )
        print(
            f"   interaction {DEMO_IID} ({r['interaction']['payload']}, {r['interaction']['segments']} segments)"
        )
        print(
            f"   {'request':<18}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'requests':>10}"
            f"{'errors':>8}{'KB/resp':>9}{'load 1m':>9}"
        )
        for name, label in (("floor", "floor"), ("page", "page"), ("partial", "timeline partial")):
            x = r["results"][name]
            la = x.get("load_average_before")
            print(
                f"   {label:<18}{x['rps']:>9.1f}{x['p50_ms']:>9.1f}{x['p95_ms']:>9.1f}{x['p99_ms']:>9.1f}"
                f"{x['requests']:>10}{x['errors']:>8}{x['kb_per_response']:>9.1f}"
                f"{(f'{la[0]:.2f}' if la else '?'):>9}"
            )
        print(
            f"   page = {r['page_rps_over_floor'] * 100:.0f} % of the floor's req/s; "
            f"partial = {r['partial_rps_over_floor'] * 100:.0f} %"
        )
    else:
        print(f"\n2. Throughput: {tp.get('status', 'not run').upper()}")

    slow = parts.get("slow_api", {})
    if slow.get("status") == "done":
        r = slow["result"]
        print(
            f"\n3. Slow API (stand-in API answering in {r['api_delay_s']:g} s, cold cache, "
            f"PAGE_FRAME_AFTER {r['page_frame_after_s']:g} s; one interaction per run)"
        )
        print(
            f"   {'run':<14}{'frame received s':>18}{'frame FCP s':>13}{'timeline shown s':>18}{'upstream GETs':>15}"
        )

        def line(
            label: str, received: float | None, fcp: float | None, shown: float | None, up: Any
        ) -> None:
            cell = lambda v, w: f"{v:>{w}.3f}" if v is not None else f"{'':>{w}}"  # noqa: E731
            print(f"   {label:<14}{cell(received, 18)}{cell(fcp, 13)}{cell(shown, 18)}{up!s:>15}")

        for i, row in enumerate(r["http"]["runs"], 1):
            line(f"HTTP {i}", row["frame_s"], None, row["complete_s"], row["upstream_requests"])
        if r["http"]["runs"]:
            line(
                "HTTP median", r["http"]["frame_median_s"], None, r["http"]["complete_median_s"], ""
            )
        for i, row in enumerate(r["browser"]["runs"], 1):
            line(
                f"Chromium {i}",
                row["frame_response_end_s"],
                row["fcp_s"],
                row["timeline_visible_s"],
                row["upstream_requests"],
            )
        if r["browser"]["runs"]:
            b = r["browser"]
            line(
                "Chromium med.",
                median([x["frame_response_end_s"] for x in b["runs"]]),
                b["fcp_median_s"],
                b["timeline_visible_median_s"],
                "",
            )
        if r["browser"]["runs"]:
            b = r["browser"]
            css = b["css_response_end_median_s"]
            base_fcp = b["baseline_fcp_median_s"]
            print(
                "   Chromium: app.css received at "
                + (f"{css:.3f} s" if css is not None else "?")
                + " (median); first contentful paint of a one-line data: page in this Chromium: "
                + (f"{base_fcp:.3f} s" if base_fcp is not None else "?")
                + " (median of 3)"
            )
        print(
            "   (seconds from the request (HTTP) or navigation start (Chromium). HTTP: frame = whole frame body, "
            'timeline = the HX-Target: main answer\n    with id="timeline" received; Chromium: frame = '
            "navigation responseEnd, FCP = first-contentful-paint, timeline = #timeline visible after\n"
            "    htmx's swap. upstream GETs = requests the stand-in API received for that interaction)"
        )
        for note in r["notes"]:
            print(f"   note: {note}")
    else:
        print(f"\n3. Slow API: {slow.get('status', 'not run').upper()}")

    pw = parts.get("page_weight", {})
    if pw.get("status") == "done":
        r = pw["result"]
        how = (
            "Chromium, fresh context: cold browser cache"
            if r["method"] == "chromium"
            else "httpx fallback, no cache"
        )
        print(
            f"\n4. Page weight ({how}, STATIC_MANIFEST=1, "
            f"collected variants: {', '.join(r['static']['compressed_variants']) or 'none'})"
        )
        print(f"   {'kind':<8}{'requests':>9}{'compressed B':>14}{'uncompressed B':>16}  encodings")
        for kind in ("html", "css", "js", "other"):
            k = r["by_kind"][kind]
            enc = sorted(
                {x["content_encoding"] or "identity" for x in r["requests"] if x["kind"] == kind}
            )
            print(
                f"   {kind:<8}{k['requests']:>9}{k['body_bytes']:>14,}{k['uncompressed_bytes']:>16,}  {', '.join(enc)}"
            )
        print(
            f"   {'total':<8}{r['request_count']:>9}{r['total_body_bytes']:>14,}"
            f"{'':>16}  (bodies"
            + (
                f"; with headers on the wire: {r['total_wire_bytes']:,} B)"
                if r["method"] == "chromium"
                else ")"
            )
        )
        if not r["html_compressed"]:
            print(
                "   (the HTML is sent uncompressed: no GZipMiddleware in the app, no gzip in compose.yaml's nginx config)"
            )
        ref = r["reference_paint"]
        if ref["fcp_s"] is not None:
            print(
                f"   for reference, this warm full page in Chromium: responseEnd {ref['response_end_s']:.3f} s, "
                f"first contentful paint {ref['fcp_s']:.3f} s"
            )
        for x in r["requests"]:
            print(
                f"     {x['kind']:<6}{x['body_bytes']:>8,} B  {x['content_encoding'] or 'identity':<9}{urlsplit(x['url']).path}"
            )
    else:
        print(f"\n4. Page weight: {pw.get('status', 'not run').upper()}")

    print("\nTargets")
    print(f"   {'':6}  {'part':<12}{'what':<62}{'measured':>22}   target")
    for t in report["targets"]:
        print(
            f"   [{t['status']:<5}] {t['part']:<12}{t['description'][:61]:<62}{t['shown']:>22}   {t['target']}"
        )
    for name, part in parts.items():
        if part.get("status") == "error":
            print(f"   [ERROR] {name:<12}{part['error'].splitlines()[0][:120]}")
    counts = {
        s: sum(1 for t in report["targets"] if t["status"] == s) for s in ("PASS", "MISS", "ERROR")
    }
    errors = sum(1 for p in parts.values() if p.get("status") == "error") + counts["ERROR"]
    print(f"\n{counts['PASS']} PASS, {counts['MISS']} MISS, {errors} ERROR")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts to run (default all: {','.join(PARTS)})",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=DEFAULT_JSON,
        metavar="PATH",
        help=f"where to write the results (default {DEFAULT_JSON.relative_to(ROOT)})",
    )
    parser.add_argument(
        "--wrk-seconds",
        type=int,
        default=WRK_SECONDS,
        help=f"wrk duration per request kind (default {WRK_SECONDS})",
    )
    parser.add_argument(
        "--slow-runs",
        type=int,
        default=SLOW_RUNS,
        help=f"cold interactions in the slow-API part (default {SLOW_RUNS})",
    )
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="do not use Chromium (slow API: HTTP only; page weight: httpx)",
    )
    args = parser.parse_args(argv)
    wanted = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = [p for p in wanted if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {unknown}; choose from {PARTS}")

    started = time.monotonic()
    now = dt.datetime.now(dt.UTC)
    load_start = load_average()
    machine = machine_info()
    notes: list[str] = []
    cpus = os.cpu_count() or 1
    if load_start and load_start[0] > 0.5 * cpus:
        notes.append(
            f"the machine was busy at the start (load average {load_start[0]:.2f} on {cpus} CPUs): "
            "absolute numbers are noisy; compare ratios, rerun when idle"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    parts: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="cxengage-bench-") as tmpdir:
        tmp = Path(tmpdir)
        ctx: dict[str, Any] = {
            "tmp": tmp,
            "errors": errors,
            "wrk_seconds": args.wrk_seconds,
            "slow_runs": args.slow_runs,
            "browser": not args.no_browser,
        }
        server_parts = [p for p in wanted if p != "render"]
        if server_parts:
            try:
                ctx["env"] = base_env(tmp, "bench-" + uuid.uuid4().hex * 2)
                say(
                    "servers: migrating a temporary SQLite database; one user, its tenant grants, a session"
                )
                ctx["session"] = prepare_database(ctx["env"])
            except Exception as exc:
                for p in server_parts:
                    parts[p] = {"status": "error", "error": f"setup failed: {exc}"}
                server_parts = []
        runners: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "render": part_render,
            "throughput": part_throughput,
            "slow_api": part_slow_api,
            "page_weight": part_page_weight,
        }
        for name in wanted:
            if name in parts:
                continue
            print(f"\n=== {name} ===", flush=True)
            t0 = time.monotonic()
            before = load_average()
            try:
                result = runners[name](ctx)
                parts[name] = {"status": "done", "result": result}
            except Exception as exc:
                detail = str(exc) if isinstance(exc, BenchError) else traceback.format_exc()
                print(f"{name}: FAILED: {detail}", file=sys.stderr, flush=True)
                parts[name] = {"status": "error", "error": detail}
            parts[name].update(
                seconds=round(time.monotonic() - t0, 1),
                load_average_before=before,
                load_average_after=load_average(),
            )
    targets = [
        t
        for name in PARTS
        if parts.get(name, {}).get("status") == "done"
        for t in parts[name]["result"]["targets"]
    ]
    load_end = load_average()
    report = {
        "benchmark": "all",
        "date": now.isoformat(timespec="seconds"),
        "date_local": now.astimezone().isoformat(timespec="seconds"),
        "duration_s": time.monotonic() - started,
        "machine": machine,
        "load_average_at_start": load_start,
        "load_average_at_end": load_end,
        "notes": notes,
        "parts": parts,
        "targets": targets,
        "errors": errors
        + [f"{n}: {p['error']}" for n, p in parts.items() if p.get("status") == "error"],
    }
    print_table(report)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    print(f"\nWrote {args.json}" + (f" (and {RENDER_JSON})" if "render" in wanted else ""))
    failed = bool(report["errors"]) or any(t["status"] == "ERROR" for t in targets)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
