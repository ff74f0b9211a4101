"""An invalid setting stops start-up with a message naming it and what to do.

Never a traceback, and never a secret echoed back: through ``manage.py`` (what
``make run``, the image and compose run first) and through gunicorn's master.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from dashboard import config

ROOT = Path(__file__).resolve().parent.parent


def clean_env(**extra: str) -> dict[str, str]:
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CXENGAGE_", "CRM_LINK_"))
        and k not in ("DATABASE_URL", "REDIS_URL", "RECORDING_HOSTS", "FLAGGED_PAGE_SIZE")
    }
    return {**keep, "DJANGO_SETTINGS_MODULE": "dashboard.settings", **extra}


def manage_check(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"DJANGO_LOG_LEVEL": "LOUD"}, "DJANGO_LOG_LEVEL must be one of DEBUG, INFO"),
        ({"DATABASE_URL": "mysql://u:hunter2@db/x"}, "DATABASE_URL must be sqlite:///path or"),
        ({"DATABASE_URL": "postgres://u:hunter2@db:port/x"}, "its postgres:// URL cannot be read"),
        ({"REDIS_URL": "http://:hunter2@cache:6379"}, "REDIS_URL must be a redis://"),
        ({"RECORDING_HOSTS": "recordings.example.com"}, "RECORDING_HOSTS must list http(s)"),
        ({"FLAGGED_PAGE_SIZE": "5000"}, "FLAGGED_PAGE_SIZE must be at most 1000"),
        ({"CXENGAGE_API_URL": "ftp://x"}, "CXENGAGE_API_URL must be an https:// URL"),
        (
            {"CXENGAGE_API_URL": "https://api.cxengage.net", "CXENGAGE_PASSWORD": "hunter2"},
            "Set both CXENGAGE_USERNAME and CXENGAGE_PASSWORD",
        ),
    ],
)
def test_an_invalid_setting_stops_manage_py_with_a_message(env: dict[str, str], says: str) -> None:
    result = manage_check(**env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert says in result.stderr
    assert "The dashboard cannot start" in result.stderr
    assert "README's Settings table" in result.stderr
    assert "hunter2" not in result.stderr


def test_valid_settings_still_pass() -> None:
    result = manage_check(
        DATABASE_URL="sqlite:///:memory:",
        REDIS_URL="redis://127.0.0.1:6379/0",
        RECORDING_HOSTS="https://recordings.example.com/, http://127.0.0.1:8081",
        DJANGO_LOG_LEVEL="warning",
        FLAGGED_PAGE_SIZE="1000",
    )
    assert result.returncode == 0, result.stderr


def test_units_and_whole_numbers_are_named() -> None:
    with pytest.raises(
        ImproperlyConfigured, match="LIVE_STUCK_AFTER_HOURS must be a number of hours"
    ):
        config.env_float({"LIVE_STUCK_AFTER_HOURS": "x"}, "LIVE_STUCK_AFTER_HOURS", 4, unit="hours")
    with pytest.raises(ImproperlyConfigured, match="N must be at most 1000, not '1001': why"):
        config.env_int({"N": "1001"}, "N", 5, maximum=1000, why_maximum="why")
    assert config.origins({"R": "https://a.example.com/, http://b:81"}, "R") == (
        "https://a.example.com",
        "http://b:81",
    )
    for bad in ("https://a.example.com/path", "javascript:alert(1)", "https://u:p@a.example.com"):
        with pytest.raises(ImproperlyConfigured, match="R must list http"):
            config.origins({"R": bad}, "R")
    assert config.redis_url({"REDIS_URL": "rediss://c:6380/1,redis://d"}) == (
        "rediss://c:6380/1,redis://d"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"DJANGO_LOG_LEVEL": "LOUD"}, "DJANGO_LOG_LEVEL must be one of"),
        ({"GUNICORN_THREADS": "many"}, "GUNICORN_THREADS must be a whole number"),
    ],
)
def test_an_invalid_setting_stops_gunicorn_before_any_worker(
    env: dict[str, str], says: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "dashboard.wsgi"],
        cwd=ROOT,
        env=clean_env(HOST="127.0.0.1", PORT=str(free_port()), DJANGO_LOG_FORMAT="plain", **env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    assert "Booting worker" not in result.stderr


def dockerfile_health_check() -> str:
    """The Python one-liner of the Dockerfile's HEALTHCHECK."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    line = next(ln for ln in text.splitlines() if ln.startswith("HEALTHCHECK"))
    return line.split('CMD python -c "', 1)[1].rsplit('"', 1)[0]


@pytest.mark.parametrize("allowed", ["dashboard.example.com", ".example.com,localhost", "*", ""])
def test_the_image_health_check_names_a_host_the_dashboard_allows(allowed: str) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from django.http.request import split_domain_port, validate_host

    hosts = [h.strip() for h in (allowed or "localhost,127.0.0.1").split(",") if h.strip()]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # as Django's host check answers /healthz
            domain, _ = split_domain_port(self.headers.get("Host", ""))
            ok = self.path == "/healthz" and validate_host(domain, hosts)
            self.send_response(200 if ok else 400)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = subprocess.run(
            [sys.executable, "-c", dockerfile_health_check()],
            env={**os.environ, "DJANGO_ALLOWED_HOSTS": allowed, "PORT": str(server.server_port)},
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr


def test_compose_web_replicas_get_the_default_tenant_the_worker_gets() -> None:
    """``/i/<interactionId>/`` links and ticket look-ups are the web's; the worker's
    environment replaces the shared one, so each must name it."""
    text = (ROOT / "compose.yaml").read_text()
    shared, _, services = text.partition("\nservices:")
    worker = services.split("\n  worker:", 1)[1].split("\n  nginx:", 1)[0]
    for block in (shared, worker):
        assert "DASHBOARD_DEFAULT_TENANT: ${DASHBOARD_DEFAULT_TENANT:-}" in block
