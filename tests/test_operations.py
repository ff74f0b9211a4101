"""Operations: /readyz, request IDs, JSON logs, gunicorn's settings."""

from __future__ import annotations

import gc
import io
import json
import logging
import runpy
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import respx
from django.core.cache import caches
from django.db import OperationalError, connections
from django.test import override_settings

from dashboard.cxengage.client import ClientConfig, CxEngageClient
from dashboard.logs import AccessJsonFormatter, JsonFormatter, RequestIDFilter
from dashboard.request_context import bind_request_id, clear_request_id, current_request_id
from tests.conftest import IID, LIVE_API, PAGE, TENANT, UPSTREAM, load_fixture, sign_in

ROOT = Path(__file__).resolve().parent.parent
HEX32 = r"^[0-9a-f]{32}$"


@pytest.fixture(autouse=True)
def _no_request_id_left_over() -> Iterator[None]:
    clear_request_id()
    yield
    clear_request_id()


# -- /readyz -----------------------------------------------------------------------


@pytest.mark.django_db
def test_readyz_ok_without_sign_in(client: Any) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_names_the_cache_when_it_fails(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("no cache")

    monkeypatch.setattr(type(caches["default"]), "set", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "cache": "unreachable: ConnectionRefusedError",
    }


@pytest.mark.django_db
def test_readyz_names_an_unreachable_redis(client: Any) -> None:
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with override_settings(CACHES=unreachable):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["cache"] == "unreachable: ConnectionError"


def test_readyz_names_the_database_when_it_fails(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(type(connections["default"]), "cursor", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "unreachable: OperationalError",
        "cache": "ok",
    }
    assert "could not connect" not in response.content.decode()  # the reason goes to the log only


# -- request IDs ---------------------------------------------------------------------


def test_every_response_gets_a_request_id(client: Any) -> None:
    for path, status in (("/healthz", 200), ("/", 302), ("/accounts/login/", 200)):
        response = client.get(path)
        assert response.status_code == status
        assert response["X-Request-ID"]
        assert len(response["X-Request-ID"]) == 32
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.parametrize("supplied", ["abc-123", "edge.lb_7f3a-9", "A" * 64])
def test_a_sane_request_id_is_echoed(client: Any, supplied: str) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID=supplied)
    assert response["X-Request-ID"] == supplied


@pytest.mark.parametrize(
    "supplied", ["A" * 65, "has space", "semi;colon", "<script>", "ünïcode", "new\\nline", ""]
)
def test_an_insane_request_id_is_replaced(client: Any, supplied: str) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID=supplied)
    assert response["X-Request-ID"] != supplied
    assert len(response["X-Request-ID"]) == 32
    int(response["X-Request-ID"], 16)


def test_request_id_is_unbound_after_the_request(client: Any) -> None:
    client.get("/healthz", HTTP_X_REQUEST_ID="gone-after")
    assert current_request_id() is None


@pytest.fixture
def captured_log() -> Iterator[io.StringIO]:
    """What the configured console handler writes, as JSON lines."""
    handler = logging.getLogger("dashboard").handlers[0]
    assert any(isinstance(f, RequestIDFilter) for f in handler.filters), (
        "settings.LOGGING lost its filter"
    )
    buffer = io.StringIO()
    old_stream = handler.setStream(buffer)  # type: ignore[attr-defined]
    old_formatter = handler.formatter
    handler.setFormatter(JsonFormatter())
    yield buffer
    handler.setFormatter(old_formatter)
    handler.setStream(old_stream)  # type: ignore[attr-defined]


@pytest.fixture
def live_user(client: Any, django_user_model: Any, live_mode: str) -> Any:
    return sign_in(client, django_user_model, "live", tenants=[TENANT], contact_details=False)


@pytest.mark.django_db
def test_logs_and_upstream_carry_the_request_id(live_user: Any, captured_log: io.StringIO) -> None:
    with respx.mock() as mock:
        route = mock.get(UPSTREAM).respond(json=load_fixture("reference-sample.json"))
        response = live_user.get(PAGE, HTTP_X_REQUEST_ID="trace-4711")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "trace-4711"
    assert route.calls.last.request.headers["X-Request-ID"] == "trace-4711"

    lines = [json.loads(line) for line in captured_log.getvalue().splitlines()]
    upstream = [e for e in lines if e["logger"] == "dashboard.cxengage"]
    cache = [e for e in lines if e.get("cache_outcome")]
    assert upstream and cache, lines
    assert {e["request_id"] for e in upstream + cache} == {"trace-4711"}
    assert upstream[0]["upstream_status"] == 200
    assert upstream[0]["upstream_path"] == f"/v1/tenants/{TENANT}/interactions/{IID}"
    assert isinstance(upstream[0]["upstream_elapsed_ms"], float)
    assert cache[0]["cache_outcome"] == "miss"
    assert "s3cret" not in captured_log.getvalue()


def test_client_sends_no_request_id_outside_a_request() -> None:
    client = CxEngageClient(ClientConfig(base_url=LIVE_API, username="u", password="p"))
    with respx.mock(base_url=LIVE_API) as mock:
        route = mock.get(f"/v1/tenants/{TENANT}/interactions/{IID}").respond(json={})
        client.get_interaction(TENANT, IID)
        bind_request_id("bound-id")
        client.get_interaction(TENANT, IID)
    client.close()
    assert "X-Request-ID" not in route.calls[0].request.headers
    assert route.calls[1].request.headers["X-Request-ID"] == "bound-id"


# -- the JSON formatter ----------------------------------------------------------------


def record(msg: str = "upstream %s -> %s", *args: Any, **extra: Any) -> logging.LogRecord:
    rec = logging.getLogger("dashboard.cxengage").makeRecord(
        "dashboard.cxengage",
        logging.WARNING,
        __file__,
        1,
        msg,
        args or ("GET", 503),
        None,
        extra=extra,
    )
    RequestIDFilter().filter(rec)
    return rec


def test_json_formatter_writes_one_object_with_extras() -> None:
    bind_request_id("req-1")
    line = JsonFormatter().format(
        record(
            upstream_status=503,
            upstream_elapsed_ms=12.5,
            upstream_path="/v1/x",
            cache_outcome="miss",
            odd=Path("/tmp"),
        )
    )
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "dashboard.cxengage"
    assert entry["message"] == "upstream GET -> 503"
    assert entry["request_id"] == "req-1"
    assert entry["time"].endswith("+00:00")
    assert entry["upstream_status"] == 503
    assert entry["upstream_elapsed_ms"] == 12.5
    assert entry["upstream_path"] == "/v1/x"
    assert entry["cache_outcome"] == "miss"
    assert entry["odd"] == "/tmp"
    for standard in ("args", "msg", "levelno", "pathname", "thread"):
        assert standard not in entry


def test_json_formatter_outside_a_request_and_with_an_exception() -> None:
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        rec = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    entry = json.loads(JsonFormatter().format(rec))
    assert entry["request_id"] == "-"
    assert "ValueError: bad" in entry["exc_info"]


def test_access_formatter_reads_gunicorn_atoms() -> None:
    atoms = {
        "h": "10.0.0.9",
        "m": "GET",
        "U": "/healthz",
        "q": "",
        "s": "200",
        "B": 3,
        "M": 4,
        "a": "curl/8",
        "f": "-",
        "{x-request-id}o": "abc",
    }
    rec = logging.getLogger("gunicorn.access").makeRecord(
        "gunicorn.access", logging.INFO, __file__, 1, "%(h)s", (atoms,), None
    )
    entry = json.loads(AccessJsonFormatter().format(rec))
    assert entry["request_id"] == "abc"
    assert entry["status"] == 200 and entry["path"] == "/healthz" and entry["duration_ms"] == 4
    assert entry["referer"] is None


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, "json"), ({"DJANGO_DEBUG": "1"}, "plain"), ({"DJANGO_LOG_FORMAT": "plain"}, "plain")],
)
def test_log_format_default(env: dict[str, str], expected: str) -> None:
    import os

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CXENGAGE_"))}
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.LOG_FORMAT)"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "dashboard.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == expected, result.stderr


def test_log_format_must_be_known() -> None:
    from django.core.exceptions import ImproperlyConfigured

    from dashboard import config

    assert config.env_choice({"X": " JSON "}, "X", ("json", "plain"), "plain") == "json"
    with pytest.raises(ImproperlyConfigured, match="X must be one of json, plain"):
        config.env_choice({"X": "xml"}, "X", ("json", "plain"), "plain")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        config.env_int({"N": "1.5"}, "N", 5)


# -- gunicorn ---------------------------------------------------------------------------


def load_gunicorn_conf(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    for name in (
        "WEB_CONCURRENCY",
        "GUNICORN_THREADS",
        "PORT",
        "HOST",
        "DJANGO_DEBUG",
        "DJANGO_LOG_FORMAT",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = load_gunicorn_conf(monkeypatch)
    assert conf["bind"] == "0.0.0.0:8000"
    assert (conf["workers"], conf["threads"], conf["worker_class"]) == (2, 4, "gthread")
    assert conf["timeout"] == 30
    assert conf["preload_app"] is False
    assert conf["accesslog"] == "-"
    assert conf["logconfig_dict"]["formatters"]["json"]["()"] == "dashboard.logs.JsonFormatter"


def test_gunicorn_workers_leave_their_start_out_of_garbage_collection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conf = load_gunicorn_conf(monkeypatch)
    before = gc.get_freeze_count()
    try:
        conf["post_worker_init"](object())
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


def test_gunicorn_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = load_gunicorn_conf(
        monkeypatch,
        WEB_CONCURRENCY="5",
        GUNICORN_THREADS="8",
        PORT="9000",
        HOST="127.0.0.1",
        DJANGO_LOG_FORMAT="plain",
    )
    assert conf["bind"] == "127.0.0.1:9000"
    assert (conf["workers"], conf["threads"]) == (5, 8)
    assert "logconfig_dict" not in conf
    assert "x-request-id" in conf["access_log_format"]


def test_gunicorn_accepts_the_config() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--check-config",
            "-c",
            "gunicorn.conf.py",
            "dashboard.wsgi",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_seconds_settings_refuse_non_finite_values_and_a_deadline_past_the_request_limit() -> None:
    from django.core.exceptions import ImproperlyConfigured

    from dashboard import config

    for raw in ("nan", "inf", "-inf", "1e400"):
        with pytest.raises(ImproperlyConfigured, match="finite number of seconds"):
            config.env_float({"X": raw}, "X", 1.0)
    assert config.env_float({"X": "25"}, "X", 1.0, maximum=25.0) == 25.0
    with pytest.raises(ImproperlyConfigured, match="at most 25, not '40': a page waits"):
        config.env_float({"X": "40"}, "X", 1.0, maximum=25.0, why_maximum="a page waits")


def test_a_seconds_setting_without_a_maximum_reads_any_finite_number_from_its_minimum() -> None:
    from dashboard import config

    assert config.env_float({"X": "86400"}, "X", 1.0) == 86400.0
    assert config.env_int({"X": "7"}, "X", 1) == 7
