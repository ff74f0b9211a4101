"""Security settings: CSP, `check --deploy`, the https redirect, sign-in throttling."""

from __future__ import annotations

import logging
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import path

from dashboard import urls
from dashboard.accounts import throttle
from dashboard.demo.api import DEMO_TENANT_ID

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
LOGIN = "/accounts/login/"
PASSWORD = "pw-for-tests-1"  # the demo_user fixture's

EXPECTED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
UNSAFE = (
    "'unsafe-inline'",
    "'unsafe-eval'",
    "'unsafe-hashes'",
    "'wasm-unsafe-eval'",
    "*",
    "http:",
    "https:",
)


@login_not_required
def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


# This module doubles as a URLconf for the 500-page test: the site's, plus a bug.
urlpatterns = [path("boom", _boom), *urls.urlpatterns]
handler500 = urls.handler500


def directives(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_strict_csp(response: Any) -> None:
    assert "Content-Security-Policy" in response, f"no CSP on {response.status_code} response"
    policy = directives(response)
    assert policy == EXPECTED_CSP
    for values in policy.values():
        for keyword in UNSAFE:
            assert keyword not in values


# -- Content-Security-Policy ----------------------------------------------------


def test_csp_on_signed_in_page(signed_in: Any) -> None:
    response = signed_in.get("/")
    assert response.status_code == 200
    assert_strict_csp(response)


def test_csp_on_login_page(client: Any) -> None:
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()
    assert_strict_csp(response)


def test_csp_on_404_page(signed_in: Any) -> None:
    response = signed_in.get("/no/such/page/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()
    assert_strict_csp(response)


def test_csp_on_500_page(client: Any, settings: Any) -> None:
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert_strict_csp(response)


def test_csp_on_redirects_and_health(client: Any) -> None:
    assert_strict_csp(client.get("/"))  # the redirect to sign in
    assert_strict_csp(client.get("/healthz"))


@pytest.mark.parametrize(
    "url",
    [
        "/",
        f"/tenants/{DEMO_TENANT_ID}/flagged/",
        f"/tenants/{DEMO_TENANT_ID}/flagged/?all=1",
        "/tickets/zendesk/48213/",
        f"/tenants/{DEMO_TENANT_ID}/interactions/00000000-0000-4000-8000-000000000000/",
        "/no-such-page/",
    ],
)
def test_signed_in_pages_are_kept_by_the_browser_only_to_revalidate(
    signed_in: Any, url: str
) -> None:
    """Lists, look-ups and error pages hold customers and what a user looked for: never
    stored by a shared cache, nor shown from the browser's without asking again."""
    response = signed_in.get(url)
    control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert "private" in control or "no-store" in control, (url, response.status_code)
    assert control & {"no-cache", "no-store", "max-age=0"}, (url, response.status_code)


def test_static_files_stay_cacheable(client: Any) -> None:
    response = client.get("/static/js/app.js")
    assert "private" not in response.get("Cache-Control", "")


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
EVENT_ATTR = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.IGNORECASE)
JS_URL = re.compile(r"javascript:|\bjs:", re.IGNORECASE)


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_templates_need_nothing_the_csp_forbids(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    for pattern, what in (
        (INLINE_SCRIPT, "an inline <script>"),
        (STYLE_ATTR, "a style= attribute"),
        (STYLE_ELEMENT, "a <style> element"),
        (EVENT_ATTR, "an inline event handler"),
        (JS_URL, "a javascript: URL or js: expression"),
    ):
        match = pattern.search(text)
        assert match is None, (
            f"{template.name} has {what} ({match.group(0)!r}), which the CSP blocks"
        )


# -- check --deploy and the https redirect ----------------------------------------


def production_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CXENGAGE_", "CRM_LINK_", "LOGIN_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="dashboard.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        CXENGAGE_API_URL="https://api.cxengage.test",
        CXENGAGE_USERNAME="api-user",
        CXENGAGE_PASSWORD="s3cret-pw",
        DJANGO_HTTPS="1",
    )
    env.update(extra)
    return env


def test_check_deploy_reports_nothing() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


HTTPS_PROBE = """
import django
django.setup()
from django.conf import settings
from django.test import Client
c = Client(HTTP_HOST="localhost")
for path in ("/", "/accounts/login/", "/healthz", "/readyz"):
    r = c.get(path)
    print(path, r.status_code, r.get("Location", "-"), r.get("Strict-Transport-Security", "-"))
print("hsts", c.get("/healthz", secure=True)["Strict-Transport-Security"])
print(
    "cookies",
    settings.SESSION_COOKIE_SECURE,
    settings.CSRF_COOKIE_SECURE,
    settings.SECURE_REFERRER_POLICY,
)
"""


def test_https_redirects_pages_but_not_probes() -> None:
    result = subprocess.run(
        [sys.executable, "-c", HTTPS_PROBE],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["/"] == "301 https://localhost/ -"
    assert lines["/accounts/login/"] == "301 https://localhost/accounts/login/ -"
    assert lines["/healthz"].startswith("200 - ")
    # /readyz is not redirected; whether it is 200 depends on the database, not https.
    assert not lines["/readyz"].startswith("301")
    assert lines["cookies"] == "True True same-origin"
    assert lines["hsts"] == "max-age=31536000; includeSubDomains; preload"


# -- a sign-in that ended while the page was open -----------------------------------------

DEMO_PAGE = f"/tenants/{DEMO_TENANT_ID}/interactions/b2109780-db83-11e7-9709-c2b07aa3bee9/"


def sign_in_to(page: str) -> str:
    return f"{LOGIN}?{urlencode({'next': page}, safe='/')}"


@pytest.mark.parametrize("target", ["timeline", "detail-panel", "main", "participants-rest"])
def test_an_htmx_request_after_the_sign_in_ended_opens_the_sign_in_page(
    client: Any, target: str
) -> None:
    """Not the sign-in page swapped into the part that asked: the browser goes to sign in,
    and comes back to the page it was showing (not to the part's own address)."""
    shown = f"{DEMO_PAGE}?zoom=0-60&focus=q0"
    response = client.get(
        f"{DEMO_PAGE}?failures=1",
        headers={
            "HX-Request": "true",
            "HX-Target": target,
            "HX-Current-URL": f"http://testserver{shown}",
        },
    )
    assert response.status_code == 200 and not response.content
    assert response["HX-Redirect"] == sign_in_to(shown)
    assert "Location" not in response


def test_an_htmx_request_naming_another_site_as_its_page_comes_back_to_the_part(
    client: Any,
) -> None:
    response = client.get(
        DEMO_PAGE,
        headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/steal"},
    )
    assert response["HX-Redirect"] == sign_in_to(DEMO_PAGE)


def test_a_form_sent_by_htmx_after_the_sign_in_ended_keeps_what_was_typed(client: Any) -> None:
    """An alert before the form, which stays as it was, with a way to sign in beside it."""
    response = client.post(
        f"{DEMO_PAGE}review/",
        {"status": "reviewed", "comment": "typed for ten minutes"},
        headers={
            "HX-Request": "true",
            "HX-Target": "review-box",
            "HX-Current-URL": f"http://testserver{DEMO_PAGE}",
        },
    )
    assert response.status_code == 401
    assert response["HX-Reswap"] == "beforebegin"
    text = response.content.decode()
    assert "Your sign-in has ended" in text and "Nothing was saved" in text
    assert f'href="{sign_in_to(DEMO_PAGE)}"' in text.replace("&amp;", "&")
    assert "<html" not in text


def test_a_page_without_htmx_still_redirects_to_sign_in(client: Any) -> None:
    response = client.get(DEMO_PAGE)
    assert response.status_code == 302
    assert response["Location"] == sign_in_to(DEMO_PAGE)


# -- sign-in throttling --------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    # Users made in these tests sign in dozens of times; the real hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(client: Any, username: str, password: str, ip: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in_as(client: Any) -> str | None:
    return client.session.get("_auth_user_id")


def test_sixth_attempt_is_refused_even_with_the_right_password(client: Any, demo_user: Any) -> None:
    for _ in range(5):
        response = sign_in(client, "supervisor", "wrong", "10.0.0.1")
        assert response.status_code == 200
        assert "didn't match" in response.content.decode()
    response = sign_in(client, "supervisor", PASSWORD, "10.0.0.1")
    body = response.content.decode()
    assert response.status_code == 429
    assert "Too many failed sign-ins" in body
    assert "try again in 15 minutes" in body
    assert "didn't match" not in body
    assert 880 <= int(response["Retry-After"]) <= 900
    assert signed_in_as(client) is None
    assert_strict_csp(response)


def test_user_name_lock_holds_from_another_address(client: Any, demo_user: Any) -> None:
    for n in range(5):
        sign_in(client, "supervisor", "wrong", f"10.0.1.{n}")
    response = sign_in(client, "supervisor", PASSWORD, "10.0.9.9")
    assert response.status_code == 429
    assert signed_in_as(client) is None


def test_address_lock_holds_for_other_user_names(client: Any, demo_user: Any) -> None:
    for n in range(5):
        sign_in(client, f"guess-{n}", "wrong", "10.0.2.1")
    response = sign_in(client, "supervisor", PASSWORD, "10.0.2.1")
    assert response.status_code == 429
    assert signed_in_as(client) is None


def test_another_user_from_another_address_still_signs_in(
    client: Any, demo_user: Any, django_user_model: Any
) -> None:
    other = django_user_model.objects.create_user("other", password="other-pw-123")
    for _ in range(6):
        sign_in(client, "supervisor", "wrong", "10.0.3.1")
    response = sign_in(client, "other", "other-pw-123", "10.0.3.2")
    assert response.status_code == 302
    assert signed_in_as(client) == str(other.pk)


def test_success_clears_the_user_names_count(client: Any, demo_user: Any) -> None:
    for n in range(4):
        sign_in(client, "supervisor", "wrong", f"10.0.4.{n}")
    assert sign_in(client, "supervisor", PASSWORD, "10.0.4.10").status_code == 302
    client.logout()
    for n in range(4):
        sign_in(client, "supervisor", "wrong", f"10.0.4.{20 + n}")
    response = sign_in(client, "supervisor", PASSWORD, "10.0.4.30")
    assert response.status_code == 302


def test_lockout_ends(client: Any, demo_user: Any, settings: Any) -> None:
    settings.LOGIN_LOCKOUT_SECONDS = 2
    for _ in range(5):
        sign_in(client, "supervisor", "wrong", "10.0.5.1")
    assert sign_in(client, "supervisor", PASSWORD, "10.0.5.1").status_code == 429
    time.sleep(2.2)
    assert sign_in(client, "supervisor", PASSWORD, "10.0.5.1").status_code == 302


def test_admin_sign_in_is_throttled_too(client: Any, django_user_model: Any) -> None:
    django_user_model.objects.create_superuser("boss", password="boss-pw-123")
    for n in range(5):
        client.post(
            "/admin/login/", {"username": "boss", "password": "wrong"}, REMOTE_ADDR=f"10.0.6.{n}"
        )
    client.post(
        "/admin/login/", {"username": "boss", "password": "boss-pw-123"}, REMOTE_ADDR="10.0.6.50"
    )
    assert signed_in_as(client) is None
    assert sign_in(client, "boss", "boss-pw-123", "10.0.6.51").status_code == 429


def test_failures_are_logged_without_the_password(client: Any, demo_user: Any, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="dashboard.accounts")
    for _ in range(6):
        sign_in(client, "supervisor", "hunter2-secret", "10.0.7.1")
    records = [r for r in caplog.records if r.name == "dashboard.accounts"]
    outcomes = [getattr(r, "signin", None) for r in records]
    assert outcomes.count("failed") == 5
    assert "locked" in outcomes and "refused" in outcomes
    failed = next(r for r in records if getattr(r, "signin", None) == "failed")
    assert failed.username == "supervisor"  # type: ignore[attr-defined]
    assert failed.client_ip == "10.0.7.1"  # type: ignore[attr-defined]
    for record in records:
        assert "hunter2" not in record.getMessage()
        assert all("hunter2" not in repr(v) for v in vars(record).values())


@pytest.mark.parametrize(
    ("hops", "forwarded", "remote", "expected"),
    [
        (0, "6.6.6.6", "10.1.1.1", "10.1.1.1"),
        (1, "6.6.6.6, 203.0.113.7", "10.1.1.1", "203.0.113.7"),  # nginx appended the real client
        (1, "", "10.1.1.1", "10.1.1.1"),
        (2, "6.6.6.6, 203.0.113.7, 10.2.2.2", "10.1.1.1", "203.0.113.7"),
    ],
)
def test_client_address_trusts_only_our_proxies(
    settings: Any, hops: int, forwarded: str, remote: str, expected: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = hops
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert throttle.client_ip(request) == expected
