"""Caching that saves the API: single flight, lifetimes, stale-on-error, ETags."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import respx
from django.core.cache import cache

from dashboard.cxengage import errors
from dashboard.interactions import cache as services
from tests.conftest import IID, PAGE, TENANT, UPSTREAM, load_fixture, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(client: Any, django_user_model: Any, live_mode: str, settings: Any) -> Any:
    return sign_in(client, django_user_model, "cache-viewer", tenants=[TENANT])


def slow_answer(request: httpx.Request) -> httpx.Response:
    time.sleep(0.3)
    return httpx.Response(200, json=load_fixture("reference-sample.json"))


def test_single_flight_across_threads(live_mode: str) -> None:
    with respx.mock() as mock:
        route = mock.get(UPSTREAM).mock(side_effect=slow_answer)
        start = threading.Barrier(20)

        def ask(_: int) -> str:
            start.wait()
            return services.fetch_entry(TENANT, IID).outcome

        with ThreadPoolExecutor(20) as pool:
            outcomes = list(pool.map(ask, range(20)))
    assert route.call_count == 1
    assert outcomes.count("miss") == 1
    assert set(outcomes) <= {"miss", "wait", "hit"}


def test_waiters_get_the_leaders_failure_at_once(live_mode: str) -> None:
    def failing(request: httpx.Request) -> httpx.Response:
        time.sleep(0.3)
        return httpx.Response(500)

    with respx.mock() as mock:
        route = mock.get(UPSTREAM).mock(side_effect=failing)
        barrier = threading.Barrier(8)

        def ask(_: int) -> str:
            barrier.wait()
            try:
                services.fetch_entry(TENANT, IID)
            except errors.ServerError as exc:
                return exc.kind
            return "ok"

        with ThreadPoolExecutor(8) as pool:
            kinds = list(pool.map(ask, range(8)))
    assert kinds == ["server_error"] * 8
    assert route.call_count == 1  # 500 is not retried, and nobody asked again


def test_all_partials_and_polls_read_one_copy(viewer: Any) -> None:
    with respx.mock() as mock:
        route = mock.get(UPSTREAM).respond(json=load_fixture("reference-sample.json"))
        viewer.get(PAGE)
        viewer.get(PAGE, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline")
        viewer.get(PAGE + "?focus=ivr", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="detail-panel")
        viewer.get(
            PAGE + "?all=participants", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="participants-rest"
        )
        viewer.get(PAGE + "?all=segments")
        viewer.get(PAGE + "raw/")
        viewer.get(PAGE + "dossier.json")
    assert route.call_count == 1


def test_stale_copy_is_shown_when_the_api_fails(viewer: Any) -> None:
    with respx.mock() as mock:
        route = mock.get(UPSTREAM).respond(json=load_fixture("reference-sample.json"))
        assert viewer.get(PAGE).status_code == 200
        cache.delete(services.interaction_key(TENANT, IID))  # the copy's lifetime ends
        route.respond(503)
        started = time.monotonic()
        response = viewer.get(PAGE)
        first = time.monotonic() - started
        started = time.monotonic()
        again = viewer.get(PAGE)
        second = time.monotonic() - started
    body = response.content.decode()
    assert response.status_code == 200
    assert "This is a copy fetched" in body and "could not be asked again" in body
    assert "Basic Flow" in body
    assert again.status_code == 200 and "This is a copy fetched" in again.content.decode()
    # The failure is remembered briefly: the second request does not ask the API.
    assert route.call_count == 1 + 3  # the first fetch, then one failing call retried 3 times
    assert second < first


def test_without_a_stale_copy_the_failure_page_is_shown(viewer: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("dashboard.cxengage.client.time.sleep", lambda s: None)
    with respx.mock() as mock:
        mock.get(UPSTREAM).respond(502)
        response = viewer.get(PAGE)
    assert response.status_code == 502
    assert "unavailable" in response.content.decode()


def test_stale_poll_backs_off_without_replacing_the_timeline(viewer: Any, settings: Any) -> None:
    body = {**load_fixture("reference-sample.json"), "dataComplete": False}
    with respx.mock() as mock:
        route = mock.get(UPSTREAM).respond(json=body)
        viewer.get(PAGE)
        cache.delete(services.interaction_key(TENANT, IID))
        route.respond(503)
        poll = viewer.get(PAGE + "?failures=0", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline")
    assert poll.status_code == 200
    assert poll["HX-Retarget"] == "#live-status"
    text = poll.content.decode()
    assert "could not refresh" in text
    assert f"load delay:{settings.TIMELINE_POLL_SECONDS * 2}s" in text


def test_etag_gives_304_on_repeat(viewer: Any) -> None:
    with respx.mock() as mock:
        mock.get(UPSTREAM).respond(json=load_fixture("reference-sample.json"))
        first = viewer.get(PAGE)
        tag = first["ETag"]
        repeat = viewer.get(PAGE, HTTP_IF_NONE_MATCH=tag)
        partial = viewer.get(PAGE, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline")
        partial_repeat = viewer.get(
            PAGE,
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="timeline",
            HTTP_IF_NONE_MATCH=partial["ETag"],
        )
        other_focus = viewer.get(PAGE + "?focus=ivr", HTTP_IF_NONE_MATCH=tag)
    assert first.status_code == 200 and tag
    assert repeat.status_code == 304 and repeat.content == b""
    assert partial["ETag"] != tag
    assert partial_repeat.status_code == 304
    assert other_focus.status_code == 200
    assert "HX-Request" in first["Vary"] and "HX-Request" in partial["Vary"]


def test_etag_changes_when_the_review_changes(viewer: Any) -> None:
    with respx.mock() as mock:
        mock.get(UPSTREAM).respond(json=load_fixture("reference-sample.json"))
        tag = viewer.get(PAGE)["ETag"]
        viewer.post(PAGE + "review/", {"status": "done", "comment": "ok", "version": 0})
        after = viewer.get(PAGE, HTTP_IF_NONE_MATCH=tag)
    assert after.status_code == 200
    assert after["ETag"] != tag


def test_complete_interaction_is_kept_for_its_lifetime(live_mode: str, settings: Any) -> None:
    settings.CACHE_TTL_COMPLETE = 1
    with respx.mock() as mock:
        route = mock.get(UPSTREAM).respond(json=load_fixture("reference-sample.json"))
        for _ in range(5):
            services.fetch_entry(TENANT, IID)
        assert route.call_count == 1
        time.sleep(2.1)
        services.fetch_entry(TENANT, IID)
    assert route.call_count == 2


class FakeClock:
    """``time`` as the cache module sees it: sleeping moves the clock, nothing waits."""

    def __init__(self, on_tick: Any) -> None:
        self.now = 1000.0
        self.on_tick = on_tick

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.on_tick(self.now - 1000.0)


@pytest.mark.parametrize("deadline", [20.0, 45.0])
def test_a_caller_waits_as_long_as_the_api_may_take_for_another_callers_answer(
    live_mode: str, settings: Any, monkeypatch: Any, deadline: float
) -> None:
    """With a longer CXENGAGE_DEADLINE the caller asking the API may take that long: the
    others wait for its answer rather than ask the API themselves."""
    settings.CXENGAGE_TIMEOUTS = {**settings.CXENGAGE_TIMEOUTS, "deadline": deadline}
    key = services.interaction_key(TENANT, IID)
    cache.add(key + ":lock", 1, 600)  # another replica is asking the API
    answer = {"raw": load_fixture("reference-sample.json"), "fetched_at": time.time()}

    def other_callers_answer_arrives(elapsed: float) -> None:
        if elapsed >= deadline - 1 and cache.get(key) is None:
            cache.set(key, answer, 60)
            cache.delete(key + ":lock")

    monkeypatch.setattr(services, "time", FakeClock(other_callers_answer_arrives))
    with respx.mock(assert_all_called=False) as mock:
        route = mock.get(UPSTREAM).respond(json=load_fixture("reference-sample.json"))
        entry = services.fetch_entry(TENANT, IID)
    assert route.call_count == 0
    assert entry.outcome == "wait"


@pytest.mark.parametrize("deadline", [3.0, 20.0, 45.0])
def test_the_single_flight_lock_outlives_the_api_call(
    live_mode: str, settings: Any, monkeypatch: Any, deadline: float
) -> None:
    """A lock that lapsed while the API was still answering would let a second caller ask."""
    settings.CXENGAGE_TIMEOUTS = {**settings.CXENGAGE_TIMEOUTS, "deadline": deadline}
    locks: list[float] = []
    add = cache.add

    def recording_add(key: str, value: Any, timeout: Any = None, **kwargs: Any) -> bool:
        if key.endswith(":lock"):
            locks.append(timeout)
        return add(key, value, timeout, **kwargs)

    monkeypatch.setattr(services.shared_cache, "add", recording_add)
    with respx.mock() as mock:
        mock.get(UPSTREAM).respond(json=load_fixture("reference-sample.json"))
        services.fetch_entry(TENANT, IID)
    assert locks and all(ttl > deadline for ttl in locks)


@pytest.mark.parametrize(
    "held",
    [
        ["not", "an", "entry"],
        "a string",
        {"raw": "not an object", "fetched_at": 1.0},
        {"raw": {"interactionId": IID}},
        {"raw": {"interactionId": IID}, "fetched_at": float("inf")},
        {"failure": "boom", "fetched_at": 1.0},
        {"failure": {"message": "no kind"}, "fetched_at": 1.0},
        {"not_found": None, "fetched_at": 1.0},
    ],
    ids=lambda held: repr(held)[:40],
)
def test_an_entry_the_cache_holds_in_another_shape_is_asked_again(
    viewer: Any, held: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Another deploy sharing the cache, or anything else writing the key: never a 500."""
    cache.set(services.interaction_key(TENANT, IID), held, 60)
    with respx.mock() as mock:
        route = mock.get(UPSTREAM).respond(json=load_fixture("reference-sample.json"))
        response = viewer.get(PAGE)
    assert response.status_code == 200 and "Basic Flow" in response.content.decode()
    assert route.call_count == 1
    assert any("cache entry" in r.getMessage() for r in caplog.records)


def test_a_failure_remembered_by_another_deploy_with_more_fields_is_still_said(
    viewer: Any,
) -> None:
    failure = {
        **errors.RateLimited("The API is rate limiting.", status=429).as_dict(),
        "retry_after": "soon",
        "new": 1,
    }
    cache.set(services.interaction_key(TENANT, IID), {"failure": failure, "fetched_at": 1.0}, 60)
    with respx.mock(assert_all_called=False) as mock:
        route = mock.get(UPSTREAM).respond(json=load_fixture("reference-sample.json"))
        response = viewer.get(PAGE)
    assert response.status_code == 503
    assert "The CxEngage API is busy" in response.content.decode()
    assert response["Retry-After"].isdigit()
    assert route.call_count == 0
