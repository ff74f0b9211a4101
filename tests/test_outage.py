"""Outages of what the dashboard leans on: Redis (fail open) and the database (a 503 page).

Unit tests drive ``FailOpenRedisCache`` against a redis-server of their own,
stopped and started again mid-test, and against a server that never answers.
The integration tests run gunicorn with a real Redis, then a database behind a
TCP proxy, take each away and bring it back.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.cache.backends.redis import RedisCache
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

import dashboard.urls
from dashboard.cache_backend import FailOpenRedisCache, cache_is_down
from dashboard.demo.api import DEMO_TENANT_ID
from tests.conftest import load_fixture
from tests.outage_helpers import MuteServer, RedisServer, TcpProxy
from tests.servers import dashboard_processes, free_port
from tests.standin import StandInAPI

TENANT = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"
IID = "b2109780-db83-11e7-9709-c2b07aa3bee9"
OTHER_IID = "c3a1a2b4-db83-11e7-9709-c2b07aa3bee9"
BANNER = "The shared cache is unreachable: pages come straight from the CxEngage API."


def fail_open_cache(
    url: str, *, retry_seconds: float = 5.0, timeout: float = 0.25
) -> FailOpenRedisCache:
    return FailOpenRedisCache(
        url,
        {
            "KEY_PREFIX": "outage-test",
            "OPTIONS": {
                "socket_connect_timeout": timeout,
                "socket_timeout": timeout,
                "retry_seconds": retry_seconds,
            },
        },
    )


def closed_port_url() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path) as server:
        yield server


def redis_calls() -> Any:
    """Count the calls that reach Redis (RedisCache's own get), through the fail-open layer."""
    return mock.patch.object(RedisCache, "get", autospec=True, side_effect=RedisCache.get)


# -- FailOpenRedisCache against a real Redis --------------------------------------------


def test_fails_open_while_redis_is_down_and_resumes_when_it_returns(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    cache = fail_open_cache(redis_server.url, retry_seconds=1.0)
    cache.set("kept", {"v": 1}, 60)
    assert cache.get("kept") == {"v": 1}
    assert not cache.breaker.is_down()

    redis_server.stop()
    caplog.set_level(logging.INFO, logger="dashboard.cache")
    started = time.monotonic()
    assert cache.get("kept", "miss") == "miss"
    assert cache.add("lock", 1, 10) is True  # a single-flight caller goes ahead
    cache.set("new", 1, 60)
    assert cache.get("new") is None
    assert cache.breaker.is_down()

    # The breaker is open: further calls skip Redis entirely, at no cost.
    with redis_calls() as calls:
        for _ in range(200):
            assert cache.get("kept") is None
    assert calls.call_count == 0
    assert time.monotonic() - started < 1.0
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert f"127.0.0.1:{redis_server.port}" in warnings[0].getMessage()
    assert "ConnectionError" in warnings[0].getMessage()

    # Once the interval has passed, one call tries again (and fails again, logged again).
    time.sleep(1.05)
    with redis_calls() as calls:
        assert cache.get("kept") is None
        assert cache.get("kept") is None
    assert calls.call_count == 1
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 2

    # Redis comes back (empty: it keeps nothing on disk): caching resumes without a restart.
    redis_server.start()
    time.sleep(1.05)
    assert cache.get("kept", "miss") == "miss"
    assert not cache.breaker.is_down()
    cache.set("after", "yes", 60)
    assert cache.get("after") == "yes"
    assert cache.add("lock", 1, 10) is True
    assert cache.add("lock", 1, 10) is False  # the lock means something again
    assert any("reachable again" in r.getMessage() for r in caplog.records)


def test_every_cache_method_fails_open(redis_server: RedisServer) -> None:
    # retry_seconds=0: every call tries Redis and meets the failure itself.
    cache = fail_open_cache(redis_server.url, retry_seconds=0)
    redis_server.stop()
    started = time.monotonic()
    assert cache.get("k") is None
    assert cache.get("k", "default") == "default"
    assert cache.set("k", 1) is None
    assert cache.add("k", 1) is True
    assert cache.delete("k") is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]  # Django's "not stored" list
    assert cache.delete_many(["a", "b"]) is None
    assert cache.incr("n") == 1
    assert cache.incr("n", 5) == 5
    assert cache.decr("n") == -1
    assert cache.touch("k", 10) is False
    assert cache.has_key("k") is False
    assert cache.get_or_set("k", lambda: "computed") == "computed"
    assert cache.clear() is False
    with pytest.raises(ValueError):  # as for any missing key
        cache.incr_version("k")
    assert time.monotonic() - started < 2.0  # refused at once, never a hang


def test_throttle_and_single_flight_callers_see_a_usable_answer(redis_server: RedisServer) -> None:
    cache = fail_open_cache(redis_server.url)
    redis_server.stop()
    # The sign-in throttle's pattern: add a counter at 0, then incr it.
    assert cache.add("failures", 0, 60) is True
    assert cache.incr("failures") == 1
    assert cache.get_many(["lock:user", "lock:ip"]) == {}


def test_other_redis_errors_are_not_swallowed(redis_server: RedisServer) -> None:
    import redis.exceptions

    cache = fail_open_cache(redis_server.url)
    refused = redis.exceptions.ResponseError("WRONGTYPE")
    with (
        mock.patch.object(RedisCache, "get", side_effect=refused),
        pytest.raises(redis.exceptions.ResponseError),
    ):
        cache.get("k")
    assert not cache.breaker.is_down()


@pytest.mark.parametrize("refusal", ["full", "read-only"])
def test_a_redis_that_refuses_writes_fails_open(
    redis_server: RedisServer, refusal: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A full Redis ("OOM command not allowed") or a read-only one (a replica, or a
    primary demoted in a failover) answers, but will not keep anything: the pages go
    on from the API, and the log names the error."""
    import redis

    admin = redis.Redis.from_url(redis_server.url)
    cache = fail_open_cache(redis_server.url)
    cache.set("before", "kept")
    if refusal == "full":
        admin.config_set("maxmemory-policy", "noeviction")
        admin.config_set("maxmemory", 1)
    else:
        admin.execute_command("REPLICAOF", "127.0.0.1", str(free_port()))
    with caplog.at_level(logging.WARNING, logger="dashboard.cache"):
        cache.set("k", "v")  # refused: nothing kept, nothing raised
        assert cache.add("lock", 1) is True  # a single-flight caller asks the API itself
        assert cache.get("k") is None
    assert cache.breaker.is_down()
    assert any(
        ("OutOfMemoryError" if refusal == "full" else "ReadOnlyError") in r.getMessage()
        for r in caplog.records
    )
    admin.execute_command("REPLICAOF", "NO", "ONE")
    admin.config_set("maxmemory", 0)
    admin.close()


def test_an_entry_that_does_not_load_is_a_miss(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Another version's pickled classes, or bytes another program wrote under one of
    the dashboard's keys, are a miss: logged, never a 500, and the cache stays up."""
    import redis

    admin = redis.Redis.from_url(redis_server.url)
    cache = fail_open_cache(redis_server.url)
    garbled = b"\x80\x05not a pickle at all"
    admin.set(cache.make_and_validate_key("garbled"), garbled)
    admin.set(
        cache.make_and_validate_key("old-class"),
        b"\x80\x04\x95\x1e\x00\x00\x00\x00\x00\x00\x00\x8c\x0fno_such_module_x\x94\x8c\x03Old\x94\x93\x94.",
    )
    cache.set("fine", {"a": 1})
    with caplog.at_level(logging.WARNING, logger="dashboard.cache"):
        assert cache.get("garbled") is None
        assert cache.get("old-class", "default") == "default"
        assert cache.get_many(["old-class"]) == {}
    assert cache.get("fine") == {"a": 1}
    assert not cache.breaker.is_down()
    assert sum("did not load" in r.getMessage() for r in caplog.records) == 3
    admin.close()


def test_a_slow_redis_times_out_quickly_and_is_then_skipped() -> None:
    with MuteServer() as mute:
        cache = fail_open_cache(f"redis://127.0.0.1:{mute.port}/0", timeout=0.25)
        started = time.monotonic()
        assert cache.get("k", "miss") == "miss"
        first = time.monotonic() - started
        assert 0.2 <= first < 1.5, first  # the socket timeout, not a hang
        assert cache.breaker.is_down()
        assert cache.breaker.last_failure is not None
        assert cache.breaker.last_failure[0] == "TimeoutError"
        started = time.monotonic()
        assert cache.add("lock", 1) is True
        cache.set("k", 1)
        assert time.monotonic() - started < 0.05  # the breaker skips Redis


def test_the_password_stays_out_of_the_log(caplog: pytest.LogCaptureFixture) -> None:
    port = free_port()
    cache = fail_open_cache(f"redis://:hunter2-secret@127.0.0.1:{port}/0")
    caplog.set_level(logging.WARNING, logger="dashboard.cache")
    cache.get("k")
    assert caplog.records
    assert all("hunter2" not in r.getMessage() for r in caplog.records)
    assert f"127.0.0.1:{port}" in caplog.records[0].getMessage()


def test_settings_use_the_fail_open_backend_with_short_timeouts() -> None:
    import runpy

    settings_file = Path(__file__).resolve().parents[1] / "dashboard" / "settings.py"
    with mock.patch.dict(
        os.environ,
        {"REDIS_URL": "redis://127.0.0.1:6399/3", "DATABASE_URL": "postgres://u@127.0.0.1:5432/db"},
    ):
        values = runpy.run_path(str(settings_file))
    cache = values["CACHES"]["default"]
    assert cache["BACKEND"] == "dashboard.cache_backend.FailOpenRedisCache"
    assert cache["OPTIONS"]["socket_connect_timeout"] <= 0.5
    assert cache["OPTIONS"]["socket_timeout"] <= 0.5
    assert cache["OPTIONS"]["retry_seconds"] == 5
    # Sign-in must not depend on the cache.
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    assert values["DATABASES"]["default"]["CONN_HEALTH_CHECKS"] is True


# -- the banner and /readyz, with the default cache down ------------------------------------


def dead_cache_settings() -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "dashboard.cache_backend.FailOpenRedisCache",
            "LOCATION": closed_port_url(),
            "OPTIONS": {
                "socket_connect_timeout": 0.25,
                "socket_timeout": 0.25,
                "retry_seconds": 60,
            },
        }
    }


@pytest.mark.django_db
def test_staff_see_a_banner_while_the_cache_is_down(client: Client, django_user_model: Any) -> None:
    staff = django_user_model.objects.create_user("operator", password="pw-1", is_staff=True)
    viewer = django_user_model.objects.create_user("viewer", password="pw-2")
    with override_settings(CACHES=dead_cache_settings()):
        client.force_login(staff)
        page = client.get("/")
        assert page.status_code == 200  # the home page itself needs no cache
        from django.core.cache import cache

        cache.get("anything")  # a page's first cache call meets the outage
        assert cache_is_down()
        page = client.get("/")
        assert page.status_code == 200
        assert BANNER in page.content.decode()
        client.force_login(viewer)
        page = client.get("/")
        assert page.status_code == 200
        assert BANNER not in page.content.decode()
    client.force_login(staff)
    assert BANNER not in client.get("/").content.decode()  # the local-memory cache is never "down"


@pytest.mark.django_db
def test_readyz_names_a_failing_open_cache_but_stays_in_service(client: Client) -> None:
    with override_settings(CACHES=dead_cache_settings()):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "unreachable: ConnectionError",
    }


@pytest.mark.django_db
def test_pages_work_while_the_cache_is_down(signed_in: Client) -> None:
    from dashboard.demo.api import catalogue

    entry = catalogue()[0]
    with override_settings(CACHES=dead_cache_settings()):
        response = signed_in.get(
            f"/tenants/{DEMO_TENANT_ID}/interactions/{entry['interaction_id']}/"
        )
        assert response.status_code == 200
        assert cache_is_down()


# -- the database: the middleware --------------------------------------------------------


@login_not_required
def _lost_database(request: HttpRequest) -> HttpResponse:
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: refused')


@login_not_required
def _lost_connection(request: HttpRequest) -> HttpResponse:
    raise InterfaceError("connection already closed")


urlpatterns = [
    path("lost/", _lost_database),
    path("gone/", _lost_connection),
    *dashboard.urls.urlpatterns,
]


def assert_database_page(response: Any) -> None:
    body = response.content.decode()
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert "The database is unreachable" in body
    assert "Try again in a few seconds" in body
    assert "css/app.css" in body  # styled like every page
    assert "Traceback" not in body and "OperationalError" not in body and "5432" not in body


@override_settings(ROOT_URLCONF="tests.test_outage")
def test_a_view_losing_the_database_answers_503(caplog: pytest.LogCaptureFixture) -> None:
    client = Client(raise_request_exception=False)
    caplog.set_level(logging.ERROR, logger="dashboard.database")
    for url in ("/lost/", "/gone/"):
        response = client.get(url)
        assert_database_page(response)
        assert response.headers["X-Request-ID"]
    messages = [r.getMessage() for r in caplog.records if r.name == "dashboard.database"]
    assert any(
        "OperationalError" in m and "5432" in m for m in messages
    )  # the operator's log says why
    assert any("InterfaceError" in m for m in messages)


def _wsgi_request(path_info: str) -> Any:
    import io

    from django.core.handlers.wsgi import WSGIRequest

    return WSGIRequest(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path_info,
            "QUERY_STRING": "a=1",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": "http",
        }
    )


def _page_for(kind: str, path_info: str) -> HttpResponse:
    from dashboard.cxengage import errors
    from dashboard.failures import failure_page
    from dashboard.middleware import database_unavailable

    request = _wsgi_request(path_info)
    if kind == "database":
        return database_unavailable(request, OperationalError("gone"))
    return failure_page(request, errors.ServerError("The API answered 503.", status=503))


@pytest.mark.parametrize("kind", ["database", "api"])
@pytest.mark.parametrize(
    "path_info", ["//evil.example/x", "///evil.example/x", "/\\evil.example/x"]
)
def test_a_try_again_link_stays_on_this_site(kind: str, path_info: str) -> None:
    """A link to "//evil.example/x" must not make an error page's "Try again" leave the
    dashboard (the database page answers any address)."""
    import re

    response = _page_for(kind, path_info)
    links = re.findall(r'href="([^"]*)"[^>]*>Try again', response.content.decode())
    assert links
    for link in links:
        assert link.startswith("/") and not link.startswith(("//", "/\\")), link
        assert link.endswith("evil.example/x?a=1")


def test_the_database_middleware_comes_first() -> None:
    from django.conf import settings

    assert settings.MIDDLEWARE[0] == "dashboard.middleware.DatabaseUnavailableMiddleware"


def test_losing_the_database_while_loading_the_session_answers_503() -> None:
    # The session is read in a middleware (the sign-in check), before any view.
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a" * 32
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        response = client.get("/")
    assert_database_page(response)


# -- integration: gunicorn with a real Redis that goes away ------------------------------


@pytest.mark.integration
def test_interaction_pages_survive_a_redis_outage(tmp_path: Path) -> None:
    key = f"GET /v1/tenants/{TENANT}/interactions/{IID}"
    other_key = f"GET /v1/tenants/{TENANT}/interactions/{OTHER_IID}"
    body = load_fixture("reference-sample.json")
    with RedisServer(tmp_path) as redis_server, StandInAPI() as api:
        api.interactions[(TENANT, IID)] = body
        api.interactions[(TENANT, OTHER_IID)] = {**body, "interactionId": OTHER_IID}
        with (
            dashboard_processes(
                tmp_path / "dash",
                api.url,
                redis_url=redis_server.url,
                workers=1,
                threads=4,
                tenant=TENANT,
                username="outage",
                env={
                    "PAGE_FRAME_AFTER": "0",
                    "REDIS_RETRY_SECONDS": "1",
                    "DJANGO_LOG_LEVEL": "INFO",
                },
            ) as dash,
            dash.client() as client,
        ):
            page = f"/tenants/{TENANT}/interactions/{IID}/"
            other = f"/tenants/{TENANT}/interactions/{OTHER_IID}/"

            first = client.get(page)
            assert first.status_code == 200 and "Basic Flow" in first.text
            assert client.get(page).status_code == 200
            assert api.requests[key] == 1  # cached in Redis

            redis_server.stop()
            started = time.monotonic()
            seen_before = client.get(page)
            never_seen = client.get(other)
            assert seen_before.status_code == 200, dash.log_tail()
            assert "Basic Flow" in seen_before.text
            assert never_seen.status_code == 200, dash.log_tail()
            assert OTHER_IID in never_seen.text
            assert time.monotonic() - started < 10
            assert api.requests[key] == 2  # straight from the API
            assert api.requests[other_key] == 1
            readyz = httpx.get(dash.url + "/readyz", timeout=10)
            assert readyz.status_code == 200
            assert readyz.json()["cache"] == "unreachable: ConnectionError"

            redis_server.start()
            time.sleep(1.2)  # the breaker's interval
            deadline = time.monotonic() + 10
            while httpx.get(dash.url + "/readyz", timeout=10).json()["cache"] != "ok":
                assert time.monotonic() < deadline, dash.log_tail()
                time.sleep(0.3)
            assert client.get(page).status_code == 200  # fills the (empty) cache again
            asked = api.requests[key]
            repeat = client.get(page)
            assert repeat.status_code == 200 and "Basic Flow" in repeat.text
            assert api.requests[key] == asked  # served from Redis again
            log = dash.log_tail(400)
            assert "unreachable" in log and "ConnectionError" in log
            assert "reachable again" in log


# -- integration: gunicorn whose database goes away ------------------------------------


def _postgres_or_skip() -> tuple[str, int]:
    target = ("127.0.0.1", 5432)
    try:
        socket.create_connection(target, timeout=1).close()
    except OSError:
        message = "PostgreSQL is not reachable at 127.0.0.1:5432: the database outage test needs it"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return target


@pytest.mark.integration
def test_pages_answer_503_while_the_database_is_away_and_recover(tmp_path: Path) -> None:
    target = _postgres_or_skip()
    database = f"outage_{os.getpid()}_{free_port()}"
    _create_database(database)
    try:
        with TcpProxy(target) as proxy, StandInAPI() as api:
            api.interactions[(TENANT, IID)] = load_fixture("reference-sample.json")
            env = {
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:{proxy.port}/{database}",
                "PAGE_FRAME_AFTER": "0",
            }
            with (
                dashboard_processes(
                    tmp_path, api.url, env=env, workers=1, threads=4, tenant=TENANT
                ) as dash,
                dash.client() as client,
            ):
                page = f"/tenants/{TENANT}/interactions/{IID}/"
                assert client.get(page).status_code == 200

                proxy.stop()
                for url in (page, "/"):
                    response = client.get(url)
                    assert_database_page(response)
                    assert "Try again" in response.text
                assert "database unreachable" in dash.log_tail(200)
                assert httpx.get(dash.url + "/readyz", timeout=10).status_code == 503

                proxy.start()
                response = client.get(page)
                assert response.status_code == 200, dash.log_tail()
                assert "Basic Flow" in response.text
                assert client.get("/").status_code == 200
    finally:
        _drop_database(database)


def _admin_connection() -> Any:
    import psycopg

    return psycopg.connect(
        "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=3
    )


def _create_database(name: str) -> None:
    with _admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_database(name: str) -> None:
    with _admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db
def test_sign_in_works_and_is_not_throttled_while_the_cache_is_down(
    client: Client, django_user_model: Any
) -> None:
    django_user_model.objects.create_user("alice", password="alice-pw-123")
    with override_settings(CACHES=dead_cache_settings()):
        for _ in range(8):  # past LOGIN_FAILURE_LIMIT: nobody can count, nobody is locked out
            response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
            assert response.status_code == 200
        response = client.post(
            "/accounts/login/", {"username": "alice", "password": "alice-pw-123"}
        )
        assert response.status_code == 302
        assert client.get("/").status_code == 200  # the session lives in the database
