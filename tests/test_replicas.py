"""Two dashboard processes (gunicorn) sharing Redis, against a counting stand-in API.

50 concurrent requests for one uncached interaction, spread over both processes,
make exactly one upstream request; the complete interaction is then served with
no further upstream request until its cache lifetime ends.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import IID, TENANT, load_fixture
from tests.servers import dashboard_processes
from tests.standin import StandInAPI

#: The complete interaction's cache lifetime in the processes (CACHE_TTL_COMPLETE), in
#: seconds: long enough for 50 cold and 20 warm requests on a busy machine, short
#: enough that the test does not sit waiting for it to end.
LIFETIME = 8


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


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[dict[str, Any]]:
    redis_url = _redis_url()
    with StandInAPI() as api:
        api.interactions[(TENANT, IID)] = load_fixture("reference-sample.json")
        with dashboard_processes(
            tmp_path,
            api.url,
            count=2,
            redis_url=redis_url,
            workers=2,
            threads=16,
            tenant=TENANT,
            username="replica",
            contact_details=False,
            # PAGE_FRAME_AFTER=0: every request waits for the page itself, not a loading frame.
            # REDIS_TIMEOUT: 50 requests on a busy 2-CPU machine can keep a healthy Redis
            # waiting past the default 0.25 s; that would rightly open the circuit (each
            # process then asks the API itself), which is the outage suite's subject, not this.
            env={
                "REDIS_TIMEOUT": "2",
                "DJANGO_LOG_LEVEL": "WARNING",
                "CACHE_TTL_COMPLETE": str(LIFETIME),
                "PAGE_FRAME_AFTER": "0",
            },
        ) as dashboards:
            yield {
                "api": api,
                "ports": dashboards.ports,
                "session": dashboards.session,
                "logs": tmp_path,
            }


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

    answered: list[float] = []

    def slow(handler: Any, which: str) -> bool:
        if which == key:
            time.sleep(0.8)
            answered.append(time.monotonic())  # the copy's lifetime starts about now
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

    assert time.monotonic() - answered[0] < LIFETIME, "too slow to check within the cache lifetime"
    print(f"50 cold requests over 2 processes: {cold_seconds:.2f} s, upstream requests: 1")

    # ...until the copy's lifetime ends.
    time.sleep(max(0.0, LIFETIME + 1 - (time.monotonic() - answered[0])))
    assert get(0)[0] == 200
    assert api.requests[key] == 2
