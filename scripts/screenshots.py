"""The README's screenshots, taken from the running product (``make screenshots``).

Starts the dashboard on the demo data (its own throw-away SQLite database, a
free port), signs in as the demo user through the sign-in form, and drives
Debian's headless Chromium through Playwright to photograph a few demo
interactions at 1400 px and 375 px, light and dark. Writes docs/screenshots/*.png.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
PAYLOADS = ROOT / "dashboard" / "demo" / "payloads"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_TENANT_ID = "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"
PASSWORD = "demo-supervisor"  # noqa: S105 (the demo sign-in, documented in the README)

#: (file name, demo payload, viewport width, colour scheme, whole page?)
SHOTS: tuple[tuple[str, str, int, str, bool], ...] = (
    ("answered-call.png", "answered-call-with-holds.json", 1400, "light", False),
    ("abandoned-call.png", "abandoned-in-queue.json", 1400, "light", False),
    ("flagged-call.png", "flagged-stuck.json", 1400, "light", False),
    ("transfers-120.png", "generated-120-transfers.json", 1400, "light", False),
    ("mobile-375.png", "transfer-chain.json", 375, "light", False),
    ("dark-mode.png", "transfer-chain.json", 1400, "dark", False),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def interaction_id(payload: str) -> str:
    return str(json.loads((PAYLOADS / payload).read_text())["interactionId"]).lower()


def wait_for(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the dashboard exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own local server)
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the dashboard did not answer at {url} within {seconds:.0f} s")


def shoot(base: str, only: set[str]) -> list[Path]:
    from playwright.sync_api import sync_playwright

    taken: list[Path] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        for name, payload, width, scheme, whole in SHOTS:
            if only and name not in only:
                continue
            context = browser.new_context(
                viewport={"width": width, "height": 1000 if width > 500 else 812},
                device_scale_factor=1,
                color_scheme=scheme,  # type: ignore[arg-type]
                timezone_id="America/Toronto",
                base_url=base,
            )
            page = context.new_page()
            sign_in(page)
            page.goto(f"/tenants/{DEMO_TENANT_ID}/interactions/{interaction_id(payload)}/")
            page.wait_for_selector("#outcome")
            page.wait_for_timeout(300)
            path = OUT / name
            page.screenshot(path=str(path), full_page=whole)
            taken.append(path)
            context.close()
        browser.close()
    return taken


def sign_in(page: Any) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    # Times in a named zone: the app reads the browser's zone from this cookie.
    page.reload()


def main() -> None:
    only = set(sys.argv[1:])
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/screenshots.sqlite3",
            "DJANGO_HTTPS": "0",
            "DJANGO_DEBUG": "0",
            "DJANGO_LOG_FORMAT": "plain",
            "DEMO_PASSWORD": PASSWORD,
        }
        env.pop("CXENGAGE_API_URL", None)
        env.pop("REDIS_URL", None)
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)  # noqa: S603
        subprocess.run([*manage, "ensure_demo_user"], env=env, check=True, cwd=ROOT)  # noqa: S603
        server = subprocess.Popen(  # noqa: S603
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/healthz", server)
            for path in shoot(base, only):
                print(path.relative_to(ROOT))  # noqa: T201 (a command-line tool)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
