"""Fault injection: a real dashboard process (gunicorn) against a misbehaving API.

One gunicorn process (2 workers x 8 threads) is started for the module, with a
3 s upstream deadline (2 s read timeout, 1 s connect timeout) and token
authentication, against the stand-in API in ``tests/standin.py``. Each test
scripts the stand-in for its own interaction IDs, so neither the cache nor the
remembered failures (``CACHE_TTL_ERROR``) leak from one case to the next.

Pages are fetched as a browser does (``visit``): when the API is slower than
``PAGE_FRAME_AFTER`` the dashboard first answers with a loading frame, whose
htmx request (``HX-Target: main``) on the same kept-alive connection, hence the
same worker and in-memory cache, brings the page or its failure.

Every failure case is one test id (``test_failure_gives_its_page[...]``): the
page's status, a phrase from its ``FAILURES`` entry in views.py, how many
requests reached the API, and that the answer came within the deadline plus a
margin. Further tests: the token expiring upstream, a failure remembered
briefly, the last good copy shown when the API fails, and other pages served
while one request waits on a hung API.
"""

from __future__ import annotations

import html
import re
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import load_fixture
from tests.servers import Dashboards, dashboard_processes
from tests.standin import Behaviour, StandInAPI

TENANT = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"
DEADLINE = 3.0
READ_TIMEOUT = 2.0
CONNECT_TIMEOUT = 1.0
#: Every answer comes within the deadline plus this much (a busy machine, rendering).
MARGIN = 2.0
SAMPLE = load_fixture("reference-sample.json")
#: Over the client's 10 MB cap on an answer.
HUGE = b"[" + b"1," * 5_600_000 + b"1]"


@pytest.fixture(scope="module")
def api() -> Iterator[StandInAPI]:
    with StandInAPI() as server:
        yield server


@pytest.fixture(scope="module")
def dashboard(api: StandInAPI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboards]:
    env = {
        "CXENGAGE_API_KEY": "key-1",
        "CXENGAGE_API_SECRET": "secret-1",
        "CXENGAGE_DEADLINE": str(DEADLINE),
        "CXENGAGE_READ_TIMEOUT": str(READ_TIMEOUT),
        "CXENGAGE_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
        # An unfinished interaction is asked again after a second (the stale-copy test).
        "CACHE_TTL_IN_PROGRESS": "1",
    }
    with dashboard_processes(
        tmp_path_factory.mktemp("faults"), api.url, env=env, tenant=TENANT, workers=2, threads=8
    ) as dashboards:
        yield dashboards


@pytest.fixture(autouse=True)
def _running(dashboard: Dashboards) -> Iterator[None]:
    """Fail plainly, not with a connection error, when the process went away mid-test.

    The machine is shared: a process killed from outside (its log then says
    "Handling signal: term") is started again before the next test, so that one
    outside kill fails one test, not the rest of the module.
    """
    again = dashboard.ensure_running()
    if again:
        warnings.warn(
            f"the dashboard process had gone and was started again: {dashboard.restarts}",
            UserWarning,
            stacklevel=1,
        )
    yield
    gone = [i for i, proc in enumerate(dashboard.procs) if proc.poll() is not None]
    assert not gone, f"the dashboard process went away during the test:\n{dashboard.log_tail(15)}"


@pytest.fixture
def fresh(api: StandInAPI) -> Callable[..., str]:
    """A new interaction ID the stand-in knows (complete unless told otherwise)."""

    def make(**changes: Any) -> str:
        iid = str(uuid.uuid4())
        api.interactions[(TENANT, iid)] = {**SAMPLE, "interactionId": iid, **changes}
        return iid

    return make


def upstream(iid: str) -> str:
    """The stand-in's request counter key for one interaction."""
    return f"GET /v1/tenants/{TENANT}/interactions/{iid}"


def page(iid: str) -> str:
    return f"/tenants/{TENANT}/interactions/{iid}/"


@dataclass
class Visit:
    response: httpx.Response  # the page in the end (after the frame, if one came first)
    elapsed: float  # seconds until that page
    frame: float | None = None  # seconds until the loading frame, when one came first


_FRAME = re.compile(r'hx-get="([^"]+)"\s+hx-trigger="load"\s+hx-target="#main"')


def visit(
    dashboards: Dashboards,
    path: str,
    client: httpx.Client | None = None,
    on_frame: Callable[[], None] | None = None,
) -> Visit:
    """Open a page as a browser does: follow a loading frame's request for the rest."""
    own = client is None
    client = client or dashboards.client()
    try:
        started = time.monotonic()
        response = client.get(path)
        found = _FRAME.search(response.text) if response.status_code == 200 else None
        if found is None:
            return Visit(response, time.monotonic() - started)
        frame = time.monotonic() - started
        if on_frame is not None:
            on_frame()
        rest = client.get(
            html.unescape(found.group(1)),
            headers={
                "HX-Request": "true",
                "HX-Target": "main",
                "HX-Current-URL": dashboards.url + path,
            },
        )
        assert local_port(rest) == local_port(response), "the frame's connection was not kept alive"
        return Visit(rest, time.monotonic() - started, frame)
    finally:
        if own:
            client.close()


def local_port(response: httpx.Response) -> int:
    """The client side's port: the same port means the same connection (and worker)."""
    return int(response.extensions["network_stream"].get_extra_info("client_addr")[1])


def explain(dashboards: Dashboards, seen: Visit) -> str:
    """What the page was, for a failed assertion's message."""
    response = seen.response
    main = response.text.split('id="main"', 1)[-1]
    text = " ".join(re.sub(r"<[^>]+>", " ", main).split())
    frame = f" after a frame in {seen.frame:.2f} s" if seen.frame is not None else ""
    return (
        f"got {response.status_code} in {seen.elapsed:.2f} s{frame}: {text[:300]!r}\n"
        f"{dashboards.log_tail(12)}"
    )


@dataclass(frozen=True)
class Case:
    behaviours: Callable[[], list[Behaviour]]  # fresh objects each time: ``times`` counts down
    status: int
    says: str  # a phrase of the page (its FAILURES title in views.py)
    requests: int  # how many GETs reach the API
    at_least: float = 0.0  # seconds the page must take (a timeout or a Retry-After honoured)
    at_most: float = DEADLINE + MARGIN
    retry_after: str | None = None  # the page's Retry-After header
    also: str = ""  # another phrase of the page


def case(
    name: str,
    behaviours: Callable[[], list[Behaviour]],
    status: int,
    says: str,
    requests: int,
    **options: Any,
) -> Any:
    return pytest.param(Case(behaviours, status, says, requests, **options), id=name)


UNAVAILABLE = "The CxEngage API is unavailable"
TOO_SLOW = "The CxEngage API did not answer in time"
UNREADABLE = "The CxEngage API sent something unreadable"
BUSY = "The CxEngage API is busy"
CREDENTIALS = "credentials are wrong"
INTERACTION = "Basic Flow"  # on the interaction page itself
STALE = "This is a copy fetched"  # the stale-copy banner
#: The loading frame, when the API is slow, comes about at once (PAGE_FRAME_AFTER, 0.15 s).
FRAME_WITHIN = 1.5
#: Pages served while another waits on a hung API: each within this (1 s, plus room for
#: a busy machine; a page held up by the hung one would also finish after it, which is
#: checked on its own).
PROMPT = 1.5
SLOW_BODY = b"{" + b'"a": 1, ' * 40 + b'"b": 2}'  # 328 bytes: 16 s at 0.05 s a byte
EXPIRED = b'{"message": "expired"}'
B = Behaviour

CASES = [
    # Time-outs: the read timeout, then the deadline's watchdog on a trickled body.
    case("hang-504", lambda: [B(hang=True)], 504, TOO_SLOW, 1, at_least=READ_TIMEOUT - 0.2),
    case(
        "trickle-504",
        lambda: [B(body=SLOW_BODY, trickle=0.05)],
        504,
        TOO_SLOW,
        1,
        at_least=DEADLINE - 0.2,
    ),
    # A broken connection is "unavailable", 503 (not retried: the request may have
    # reached the API); a body cut short of its Content-Length (10 of 1000 bytes) is
    # an answer that cannot be read, 502.
    case("reset-503", lambda: [B(reset=True)], 503, UNAVAILABLE, 1),
    case(
        "reset-mid-body-503",
        lambda: [B(body=SLOW_BODY * 100, reset_after=5000)],
        503,
        UNAVAILABLE,
        1,
    ),
    case(
        "truncated-body-502",
        lambda: [B(body=b'{"tenantId', content_length=1000)],
        502,
        UNREADABLE,
        1,
    ),
    # Bursts of 5xx: at most three attempts; an upstream 5xx that outlasts them is a 502 page.
    case("two-503-then-200", lambda: [B(status=503, times=2)], 200, INTERACTION, 3),
    case(
        "502-504-then-200",
        lambda: [B(status=502, times=1), B(status=504, times=1)],
        200,
        INTERACTION,
        3,
    ),
    case("three-503-502", lambda: [B(status=503)], 502, UNAVAILABLE, 3),
    case("500-not-retried-502", lambda: [B(status=500, body=b"oops")], 502, UNAVAILABLE, 1),
    # Rate limiting: a short Retry-After is honoured; a long one is not waited out.
    case(
        "429-retry-after-1-then-200",
        lambda: [B(status=429, headers={"Retry-After": "1"}, times=1)],
        200,
        INTERACTION,
        2,
        at_least=1.0,
    ),
    case(
        "429-retry-after-30-503",
        lambda: [B(status=429, headers={"Retry-After": "30"})],
        503,
        BUSY,
        1,
        at_most=DEADLINE,
        retry_after="30",
        also="Try again in 30 s",
    ),
    # Authentication: one 401 is fixed by a new token; a second is the operator's problem.
    case(
        "401-once-renewed-200", lambda: [B(status=401, body=EXPIRED, times=1)], 200, INTERACTION, 2
    ),
    case("401-after-renewal-502", lambda: [B(status=401, body=EXPIRED)], 502, CREDENTIALS, 2),
    # Answers that cannot be read: over 10 MB (declared, or only as it arrives), not JSON,
    # JSON that is not an object.
    case("huge-body-declared-502", lambda: [B(body=HUGE)], 502, UNREADABLE, 1),
    case("huge-body-chunked-502", lambda: [B(body=HUGE, chunked=True)], 502, UNREADABLE, 1),
    case("not-json-502", lambda: [B(body=b"<html>not json</html>")], 502, UNREADABLE, 1),
    case("json-list-502", lambda: [B(body=b'[{"interactionId": "x"}]')], 502, UNREADABLE, 1),
    # Plain refusals, passed on.
    case(
        "404",
        lambda: [B(status=404, body=b'{"message": "Interaction not found"}')],
        404,
        "No such interaction in this tenant",
        1,
    ),
    case("403", lambda: [B(status=403, body=b'"Forbidden"')], 403, "INTERACTIONS_API_READ_ALL", 1),
]


@pytest.mark.parametrize("case", CASES)
def test_failure_gives_its_page(
    api: StandInAPI, dashboard: Dashboards, fresh: Callable[..., str], case: Case
) -> None:
    iid = fresh()
    api.script(upstream(iid), *case.behaviours())
    seen = visit(dashboard, page(iid))
    response, elapsed = seen.response, seen.elapsed
    why = explain(dashboard, seen)
    assert response.status_code == case.status, why
    assert case.says in response.text, why
    if case.also:
        assert case.also in response.text, why
    assert api.requests[upstream(iid)] == case.requests, why
    assert case.at_least <= elapsed < case.at_most, why
    if seen.frame is not None:
        assert seen.frame < FRAME_WITHIN, why
    if case.retry_after is not None:
        assert response.headers.get("Retry-After") == case.retry_after, why
    frame = f" after the loading frame at {seen.frame:.2f} s" if seen.frame is not None else ""
    print(
        f"{response.status_code} in {elapsed:.2f} s{frame}, "
        f"{api.requests[upstream(iid)]} upstream request(s)"
    )


def test_expired_token_is_renewed_and_the_page_still_shows(
    api: StandInAPI, dashboard: Dashboards, fresh: Callable[..., str]
) -> None:
    first, second = fresh(), fresh()
    tokens_before = api.requests["POST /v1/tokens"]
    earlier = set(api.valid_tokens)
    api.valid_tokens.clear()  # whatever token the worker holds is no good now
    try:
        # One kept-alive connection: both pages are served by the same worker.
        with dashboard.client() as client:
            one = visit(dashboard, page(first), client)
            assert one.response.status_code == 200, explain(dashboard, one)
            assert api.requests["POST /v1/tokens"] - tokens_before == 1  # a token, new or renewed
            api.valid_tokens.clear()  # the token expires upstream, mid-test
            two = visit(dashboard, page(second), client)
            assert local_port(one.response) == local_port(two.response), "connection not kept alive"
    finally:
        api.valid_tokens |= earlier  # the other worker's token: no renewals in later tests
    assert two.response.status_code == 200, explain(dashboard, two)
    assert INTERACTION in two.response.text
    assert api.requests["POST /v1/tokens"] - tokens_before == 2
    assert api.requests[upstream(second)] == 2  # rejected with the old token, then served
    assert two.elapsed < DEADLINE + MARGIN


def test_a_failure_is_remembered_briefly(
    api: StandInAPI, dashboard: Dashboards, fresh: Callable[..., str]
) -> None:
    iid = fresh()
    api.script(upstream(iid), Behaviour(hang=True))
    with dashboard.client() as client:  # the same worker, so the same in-memory cache
        first = visit(dashboard, page(iid), client)
        again = visit(dashboard, page(iid), client)
    assert first.response.status_code == 504, explain(dashboard, first)
    assert again.response.status_code == 504, explain(dashboard, again)
    assert TOO_SLOW in again.response.text
    assert first.elapsed >= READ_TIMEOUT - 0.2
    assert again.elapsed < 1.0, explain(dashboard, again)  # the deadline is not spent again
    assert api.requests[upstream(iid)] == 1


def test_the_last_good_copy_is_shown_when_the_api_fails(
    api: StandInAPI, dashboard: Dashboards, fresh: Callable[..., str]
) -> None:
    iid = fresh(dataComplete=False)  # kept 1 s (CACHE_TTL_IN_PROGRESS), then asked again
    with dashboard.client() as client:
        good = visit(dashboard, page(iid), client)
        assert good.response.status_code == 200, explain(dashboard, good)
        assert STALE not in good.response.text
        before = api.requests[upstream(iid)]
        time.sleep(1.3)
        api.script(upstream(iid), Behaviour(status=503))
        stale = visit(dashboard, page(iid), client)
        assert local_port(good.response) == local_port(stale.response), "connection not kept alive"
    assert stale.response.status_code == 200, explain(dashboard, stale)
    assert STALE in stale.response.text
    assert INTERACTION in stale.response.text
    assert api.requests[upstream(iid)] - before == 3  # three failed attempts, then the good copy
    assert stale.elapsed < DEADLINE + MARGIN


def test_other_pages_are_served_while_one_request_waits_on_a_hung_api(
    api: StandInAPI, dashboard: Dashboards, fresh: Callable[..., str]
) -> None:
    hung, healthy = fresh(), fresh()
    api.script(upstream(hung), Behaviour(hang=True))
    warm = visit(dashboard, page(healthy))
    assert warm.response.status_code == 200, explain(dashboard, warm)

    outcome: dict[str, Any] = {}
    framed = threading.Event()

    def wait_on_hung_api() -> None:
        seen = visit(dashboard, page(hung), on_frame=framed.set)
        outcome["seen"], outcome["done_at"] = seen, time.monotonic()

    waiter = threading.Thread(target=wait_on_hung_api, daemon=True)
    waiter.start()
    until = time.monotonic() + 10
    while api.requests[upstream(hung)] == 0 and time.monotonic() < until:
        time.sleep(0.01)
    assert api.requests[upstream(hung)] == 1, "the hung request never reached the API"
    framed.wait(1.0)  # the loading frame is out: the page's own request waits on the API now

    served: list[tuple[str, int, float, float]] = []
    for _ in range(3):
        started = time.monotonic()
        health = httpx.get(dashboard.url + "/healthz", timeout=30)
        served.append(("healthz", health.status_code, time.monotonic() - started, time.monotonic()))
        seen = visit(dashboard, page(healthy))
        ok = seen.response.status_code == 200 and INTERACTION in seen.response.text
        status = 200 if ok else -seen.response.status_code  # negative: not the interaction page
        served.append(("interaction", status, seen.elapsed, time.monotonic()))
    waiter.join(30)
    assert not waiter.is_alive()

    hung_seen: Visit = outcome["seen"]
    assert hung_seen.response.status_code == 504, explain(dashboard, hung_seen)
    assert hung_seen.elapsed < DEADLINE + MARGIN
    slow = [
        (what, status, round(elapsed, 2))
        for what, status, elapsed, _ in served
        if status != 200 or elapsed >= PROMPT
    ]
    assert not slow, f"pages not served promptly while the API hung: {slow}"
    assert all(finished < outcome["done_at"] for *_, finished in served), (
        "the other pages were not all served while the hung request waited"
    )
    assert api.requests[upstream(hung)] == 1
    print(
        f"while one page waited {hung_seen.elapsed:.2f} s on a hung API: "
        + ", ".join(f"{what} {elapsed * 1000:.0f} ms" for what, _, elapsed, _ in served)
    )


def test_logs_are_written(dashboard: Dashboards) -> None:
    """The launcher's log files exist and carry the access log of the requests above."""
    assert all(Path(log).exists() for log in dashboard.logs)
    assert "GET /healthz" in dashboard.log_tail(100_000)
