"""Two dashboard processes (gunicorn) sharing Redis, against a counting stand-in API.

50 concurrent requests for one uncached interaction, spread over both processes,
make exactly one upstream request; the complete interaction is then served with
no further upstream request until its cache lifetime ends.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import load_fixture
from tests.standin import StandInAPI

ROOT = Path(__file__).resolve().parents[1]
TENANT = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"
IID = "b2109780-db83-11e7-9709-c2b07aa3bee9"
LIFETIME = 30


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/2"
    host_port = url.split("//", 1)[1].split("/", 1)[0]
    host, _, port = host_port.rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port or 6379)), timeout=1).close()
    except OSError:
        message = f"Redis is not reachable at {url}: the replica test needs a shared Redis"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn on {port} exited; see its log")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn on {port} did not start")


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[dict[str, Any]]:
    redis_url = _redis_url()
    with StandInAPI() as api:
        api.interactions[(TENANT, IID)] = load_fixture("reference-sample.json")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "dashboard.settings",
            "DJANGO_HTTPS": "0",
            "DJANGO_SECRET_KEY": "replica-test-" + uuid.uuid4().hex * 2,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_LOG_LEVEL": "WARNING",
            "CXENGAGE_API_URL": api.url,
            "CXENGAGE_USERNAME": "api-user",
            "CXENGAGE_PASSWORD": "api-password",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'replicas.sqlite3'}",
            "REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": "replicas-" + uuid.uuid4().hex[:8],
            "CACHE_TTL_COMPLETE": str(LIFETIME),
        }
        python = sys.executable
        subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        script = (
            "from django.contrib.auth import get_user_model;"
            "from django.contrib.sessions.backends.db import SessionStore;"
            "from dashboard.accounts.models import TenantGrant;"
            "u = get_user_model().objects.create_user('replica');"
            f"TenantGrant.objects.create(user=u, tenant_id='{TENANT}');"
            "s = SessionStore(); s['_auth_user_id'] = str(u.pk);"
            "from django.conf import settings;"
            "s['_auth_user_backend'] = settings.AUTHENTICATION_BACKENDS[0];"
            "s['_auth_user_hash'] = u.get_session_auth_hash(); s.create(); print(s.session_key)"
        )
        session = subprocess.run([python, "manage.py", "shell", "-c", script], cwd=ROOT, env=env,
                                 check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        ports = [_free_port(), _free_port()]
        logs = [open(tmp_path / f"gunicorn-{port}.log", "wb") for port in ports]  # noqa: SIM115
        procs = [
            subprocess.Popen(
                [str(Path(python).parent / "gunicorn"), "dashboard.wsgi", "--bind", f"127.0.0.1:{port}",
                 "--workers", "2", "--threads", "16", "--worker-class", "gthread", "--timeout", "30"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
            for port, log in zip(ports, logs, strict=True)
        ]
        try:
            for port, proc in zip(ports, procs, strict=True):
                _wait_until_up(port, proc)
            yield {"api": api, "ports": ports, "session": session, "logs": tmp_path}
        finally:
            for log in logs:
                log.close()
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()


def test_fifty_concurrent_cold_requests_make_one_upstream_request(cluster: dict[str, Any]) -> None:
    api: StandInAPI = cluster["api"]
    key = f"GET /v1/tenants/{TENANT}/interactions/{IID}"
    path = f"/tenants/{TENANT}/interactions/{IID}/"
    cookies = {"sessionid": cluster["session"]}

    def get(n: int) -> tuple[int, str]:
        port = cluster["ports"][n % 2]
        response = httpx.get(f"http://127.0.0.1:{port}{path}", cookies=cookies, timeout=30)
        return response.status_code, response.text

    # Delay the API so every request arrives while the first is in flight.
    original = api._misbehave

    def slow(handler: Any, which: str) -> bool:
        if which == key:
            time.sleep(0.8)
        return original(handler, which)

    api._misbehave = slow  # type: ignore[method-assign]
    started = time.monotonic()
    with ThreadPoolExecutor(50) as pool:
        results = list(pool.map(get, range(50)))
    cold_seconds = time.monotonic() - started
    assert [status for status, _ in results] == [200] * 50
    assert all("Basic Flow" in text for _, text in results)
    assert api.requests[key] == 1

    # Warm: more requests, on both processes, cost nothing upstream...
    with ThreadPoolExecutor(10) as pool:
        assert [s for s, _ in pool.map(get, range(20))] == [200] * 20
    assert api.requests[key] == 1

    assert time.monotonic() - started < LIFETIME, "too slow to check within the cache lifetime"
    print(f"50 cold requests over 2 processes: {cold_seconds:.2f} s, upstream requests: 1")

    # ...until the copy's lifetime ends.
    time.sleep(max(0.0, LIFETIME + 1 - (time.monotonic() - started)))
    assert get(0)[0] == 200
    assert api.requests[key] == 2
