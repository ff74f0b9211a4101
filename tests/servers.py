"""Real dashboard processes (gunicorn) for integration tests.

``dashboard_processes`` migrates a fresh SQLite database, signs a user in (a
session made directly in the database), starts ``count`` gunicorn processes on
127.0.0.1 against ``api_url``, waits until each answers ``/healthz`` and warms
its workers up. It yields a ``Dashboards`` with the processes' URLs, the session
cookie and the log files, and always stops the processes, however the block
ends. In a fixture::

    @pytest.fixture(scope="module")
    def dashboard(api, tmp_path_factory):
        with dashboard_processes(tmp_path_factory.mktemp("dash"), api.url) as dash:
            yield dash

The processes share the database and (with ``redis_url``) one Redis cache under
a key prefix unique to this call; without Redis each worker of each process has
its own in-memory cache.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TENANT = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"

#: Settings read from the environment that the caller's shell must not slip in;
#: everything the processes see of these comes from ``dashboard_processes``.
_SCRUBBED_PREFIXES = (
    "CXENGAGE_",
    "CACHE_",
    "DJANGO_",
    "REDIS_",
    "DATABASE_",
    "GUNICORN_",
    "WEB_CONCURRENCY",
    "TIMELINE_",
    "FLAGGED_",
    "LOGIN_",
    "CRM_LINK_",
    "DASHBOARD_",
    "STATIC_MANIFEST",
)
_SCRUBBED_NAMES = {"HOST", "PORT", "PAGE_FRAME_AFTER"}

# Run in a subprocess with the processes' environment: migrate, make the user,
# print a session key. argv: user name, comma-separated tenants, "1" to let the
# user see contact details.
_SETUP = """
import sys
import django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from dashboard.accounts.models import TenantGrant

call_command("migrate", interactive=False, verbosity=0)
user = get_user_model().objects.create_user(sys.argv[1])
for tenant in filter(None, sys.argv[2].split(",")):
    TenantGrant.objects.create(user=user, tenant_id=tenant)
if sys.argv[3] == "1":
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="accounts", codename="view_contact_details")
    )
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
session["_auth_user_hash"] = user.get_session_auth_hash()
session.create()
print("SESSION", session.session_key)
"""


@dataclass
class Dashboards:
    """Running dashboard processes: where they listen, who is signed in, their logs."""

    urls: list[str]
    ports: list[int]
    session: str  # the ``sessionid`` cookie's value
    logs: list[Path]
    env: dict[str, str] = field(repr=False)
    procs: list[subprocess.Popen[bytes]] = field(repr=False)
    commands: list[list[str]] = field(repr=False)
    workers: int = field(repr=False)
    startup_timeout: float = field(repr=False)
    #: Processes started again by ``ensure_running``: (index, exit status).
    restarts: list[tuple[int, int]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.urls[0]

    @property
    def cookies(self) -> dict[str, str]:
        return {"sessionid": self.session}

    def client(self, index: int = 0, **kwargs: object) -> httpx.Client:
        """A signed-in httpx client for process ``index`` (its connection is kept alive)."""
        kwargs.setdefault("timeout", 30)
        return httpx.Client(base_url=self.urls[index], cookies=self.cookies, **kwargs)  # type: ignore[arg-type]

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(f"--- {path.name} ---\n{_tail(path, lines)}" for path in self.logs)

    def ensure_running(self) -> list[int]:
        """Start again, on its port, any process that has gone (killed from outside, say).

        A gunicorn master outlives its workers' crashes, so a gone master means
        a signal or a failed boot; callers decide whether that is acceptable.
        Returns the indexes of the processes started again.
        """
        again = []
        for index, proc in enumerate(self.procs):
            if proc.poll() is None:
                continue
            self.restarts.append((index, proc.returncode))
            with open(self.logs[index], "ab") as log:
                log.write(f"\n--- exited with {proc.returncode}; started again ---\n".encode())
                log.flush()
                self.procs[index] = _start(self.commands[index], self.env, log)
            _wait_until_up(
                self.ports[index], self.procs[index], self.logs[index], self.startup_timeout
            )
            _warm_up(self.urls[index], self.session, self.workers)
            again.append(index)
        return again


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _start(command: list[str], env: Mapping[str, str], log: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, cwd=ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT)  # type: ignore[arg-type]


def _wait_until_up(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"gunicorn on {port} exited ({proc.returncode}); its log:\n{_tail(log)}"
            )
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(
        f"gunicorn on {port} did not answer /healthz in {timeout:.0f} s:\n{_tail(log)}"
    )


def _warm_up(url: str, session: str, workers: int) -> None:
    """Send every worker (most likely) signed-in pages, so no test pays for a cold start.

    A worker imports the views, reads the templates and opens the database on
    its first requests; on a busy machine that takes seconds. The home page
    does all that without asking the API.
    """

    def get(_: int) -> None:
        with suppress(httpx.HTTPError):
            httpx.get(url + "/", cookies={"sessionid": session}, timeout=30)

    with ThreadPoolExecutor(4 * workers) as pool:
        for _ in range(2):
            list(pool.map(get, range(4 * workers)))


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def base_env(
    tmp_path: Path,
    api_url: str,
    *,
    redis_url: str | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment the processes (and the setup subprocess) run with."""
    inherited = {
        k: v
        for k, v in os.environ.items()
        if k not in _SCRUBBED_NAMES and not k.startswith(_SCRUBBED_PREFIXES)
    }
    result = {
        **inherited,
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": "test-" + secrets.token_urlsafe(48),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "CXENGAGE_API_URL": api_url,
        "CXENGAGE_USERNAME": "api-user",
        "CXENGAGE_PASSWORD": "api-password",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CACHE_KEY_PREFIX": "test-" + uuid.uuid4().hex[:12],
    }
    if redis_url:
        result["REDIS_URL"] = redis_url
    extra = dict(env or {})
    if extra.get("CXENGAGE_API_KEY"):  # token auth instead of the default Basic pair
        result.pop("CXENGAGE_USERNAME")
        result.pop("CXENGAGE_PASSWORD")
    result.update(extra)
    return result


@contextmanager
def dashboard_processes(
    tmp_path: Path,
    api_url: str,
    *,
    count: int = 1,
    env: Mapping[str, str] | None = None,
    redis_url: str | None = None,
    workers: int = 2,
    threads: int = 8,
    tenant: str | list[str] = DEFAULT_TENANT,
    username: str = "viewer",
    contact_details: bool = True,
    startup_timeout: float = 60.0,
) -> Iterator[Dashboards]:
    """Start ``count`` gunicorn processes of the dashboard; stop them on the way out.

    ``env`` adds to or overrides the processes' environment (for example
    ``CXENGAGE_DEADLINE``, ``CACHE_TTL_COMPLETE``, or ``CXENGAGE_API_KEY`` and
    ``CXENGAGE_API_SECRET`` for token authentication instead of the default
    Basic pair). The signed-in user may see ``tenant`` (one or a list) and,
    with ``contact_details``, unmasked contact details.
    """
    tmp_path.mkdir(parents=True, exist_ok=True)
    full_env = base_env(tmp_path, api_url, redis_url=redis_url, env=env)
    python = sys.executable
    tenants = [tenant] if isinstance(tenant, str) else list(tenant)
    setup = subprocess.run(
        [python, "-c", _SETUP, username, ",".join(tenants), "1" if contact_details else "0"],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if setup.returncode != 0:
        raise RuntimeError(f"setting up the database failed:\n{setup.stdout}\n{setup.stderr}")
    session = next(
        line.split()[1] for line in setup.stdout.splitlines() if line.startswith("SESSION ")
    )

    gunicorn = str(Path(python).parent / "gunicorn")
    dashboards = Dashboards(
        urls=[],
        ports=[],
        session=session,
        logs=[],
        env=full_env,
        procs=[],
        commands=[],
        workers=workers,
        startup_timeout=startup_timeout,
    )
    try:
        for _ in range(count):
            port = free_port()
            log_path = tmp_path / f"gunicorn-{port}.log"
            command = [
                gunicorn,
                "dashboard.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--worker-class",
                "gthread",
                "--timeout",
                "30",
            ]
            with open(log_path, "wb") as log:  # the child keeps its own descriptor
                dashboards.procs.append(_start(command, full_env, log))
            dashboards.urls.append(f"http://127.0.0.1:{port}")
            dashboards.ports.append(port)
            dashboards.commands.append(command)
            dashboards.logs.append(log_path)
        for port, proc, log_path in zip(
            dashboards.ports, dashboards.procs, dashboards.logs, strict=True
        ):
            _wait_until_up(port, proc, log_path, startup_timeout)
        for url in dashboards.urls:
            _warm_up(url, session, workers)
        yield dashboards
    finally:
        _stop(dashboards.procs)  # restarted processes too: they replace their entries
