"""Hostile upstream data in a real browser: every payload inert, end to end.

Each payload of ``tests/hostile.py`` is put in every string field the page
renders (``hostile_interaction``), served by the stand-in API through the live
server, loaded in headless Chromium, and two detail panels are opened through
htmx (a queue bar and an agent bar). Then: no dialog, no ``window.__pwned``, no
request off the live server, no htmx request but the two clicks (and the app's
own loading frame), only http(s)/relative links, no CSP violation or console
error, no element or attribute the templates do not make, and the payload
reads back verbatim as text.

Three ways in, each a separate pass (under the everyday Hypothesis profile each
payload goes one of the first two ways, taken in turn; ``thorough`` runs both):

* ``csp`` — as served, with the strict Content-Security-Policy: a slip in
  escaping shows up as a CSP violation (or an htmx request, which CSP allows).
* ``no-csp`` — the browser ignores the policy (``bypass_csp``): escaping alone
  must hold, so injected script would run and be caught by dialog/``__pwned``.
* ``frame`` — the API answers slowly, so the page comes as a loading frame and
  the interaction arrives through htmx (``hx-select="#main"``), not a parse of
  a whole document: htmx's swap must not bring content to life either.

The 1 MB payload is not loaded in the browser: in every field it makes the
upstream answer ~70 MB, which the client refuses (502; covered in
``tests/test_fuzz_views.py``), and a 1 MB string in a few fields is covered by
``test_large_strings_in_a_few_fields`` below.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from dashboard.accounts.models import TenantGrant
from tests.conftest import allow_contact_details, pairs, thorough, use_standin
from tests.hostile import (
    INTERACTION,
    ONE_MB,
    SMALL_PAYLOADS,
    TENANT,
    hostile_interaction,
    href_is_safe,
    markup_problems,
)
from tests.standin import Behaviour, StandInAPI

PAGE = f"/tenants/{TENANT}/interactions/{INTERACTION}/"
UPSTREAM_KEY = f"GET /v1/tenants/{TENANT}/interactions/{INTERACTION}"

# Installed before any page script (Playwright init scripts are not subject to the page's CSP).
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
}, true);
"""

LINKS = """
() => Array.from(document.getElementsByTagName('*')).filter(e => e.localName === 'a').map(e => {
  const raw = e.getAttribute('href');
  const xlink = e.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
  const value = raw !== null ? raw : xlink;
  let resolved = '';
  if (value !== null) {
    try {
      resolved = new URL(value, document.baseURI).href;
    } catch (err) {
      resolved = 'unparseable: ' + value;
    }
  }
  return [raw, xlink, resolved];
})
"""


@pytest.fixture(scope="module")
def standin() -> Iterator[StandInAPI]:
    with StandInAPI() as api:
        yield api


@pytest.fixture
def hostile_api(standin: StandInAPI, settings: Any) -> StandInAPI:
    """The dashboard, in this test, reads the (module-wide) stand-in API."""
    settings.PAGE_FRAME_AFTER = 0
    use_standin(settings, standin, short_timeouts=False)
    standin.behaviours.clear()
    standin.interactions.clear()
    standin.requests.clear()
    return standin


@pytest.fixture
def session_cookie(transactional_db: Any, django_user_model: Any) -> str:
    """A viewer of TENANT who may see contact details, so every field is rendered."""
    user = django_user_model.objects.create_user("hostile-viewer", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=TENANT)
    client = Client()
    client.force_login(allow_contact_details(user))
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def _visible(text: str) -> str:
    """Text as the DOM keeps it: HTML parsing drops or replaces NUL characters."""
    return text.replace("\x00", "").replace("\ufffd", "")


def assert_shown_as(shown: str | None, expected: str) -> None:
    """``shown`` is ``expected`` as text, or its beginning cut with an ellipsis.

    Long one-line values are cut.
    """
    shown, expected = _visible(shown or ""), _visible(expected)
    if shown != expected:
        assert shown.endswith("…") and len(shown) > 100 and expected.startswith(shown[:-1]), (
            shown[:200],
            expected[:200],
        )


class Visit:
    """One browser context on the live server, recording everything that happens."""

    def __init__(self, browser: Any, base_url: str, cookie: str, *, bypass_csp: bool) -> None:
        self.base_url = base_url
        self.context = browser.new_context(
            viewport={"width": 1400, "height": 900}, base_url=base_url, bypass_csp=bypass_csp
        )
        self.context.add_cookies(
            [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}]
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.dialogs: list[str] = []
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.console: list[str] = []
        self.errors: list[str] = []

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        self.page.on("dialog", on_dialog)
        self.page.on("request", lambda r: self.requests.append((r.url, r.headers)))
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.add_init_script(script=WATCH)

    def close(self) -> None:
        self.context.close()

    def htmx_requests(self) -> list[tuple[str, dict[str, str]]]:
        return [(url, headers) for url, headers in self.requests if headers.get("hx-request")]

    def open_bar(self, kind: str, title: str) -> None:
        bar = self.page.locator(f'#timeline a.bar[data-kind="{kind}"]').first
        with self.page.expect_response(lambda r: f"focus={kind}-" in r.url, timeout=15_000):
            bar.click()
        expect(self.page.locator("#detail-title")).to_contain_text(title, timeout=15_000)

    def assert_inert(self, payload: str) -> None:
        page = self.page
        page.wait_for_timeout(
            200
        )  # room for anything the content might have scheduled ("load" triggers)
        assert not self.dialogs, self.dialogs
        pwned = page.evaluate("() => [typeof window.__pwned, String(window.__pwned)]")
        assert pwned[0] == "undefined", pwned
        offsite = [url for url, _ in self.requests if not url.startswith(self.base_url)]
        assert not offsite, offsite
        htmx = self.htmx_requests()
        clicks = [url for url, _ in htmx if "focus=" in url]
        frame = [
            url
            for url, h in htmx
            if h.get("hx-target") == "main" and url.split("?")[0].endswith(PAGE)
        ]
        others = [
            (url, h.get("hx-target")) for url, h in htmx if url not in clicks and url not in frame
        ]
        assert len(clicks) == 2 and not others, (clicks, others)
        assert len(frame) <= 1, frame
        for href, xlink, resolved in page.evaluate(LINKS):
            for value in (href, xlink):
                if value is not None:
                    assert href_is_safe(value), value
            if resolved:
                assert resolved.startswith(("http://", "https://")), resolved
        csp = page.evaluate("() => window.__csp")
        assert csp == [], csp  # [] and not None: the listener was installed
        assert not [
            m for m in self.console if "Content Security Policy" in m or m.startswith("error")
        ], self.console
        assert not self.errors, self.errors
        dom = page.content()
        problems = markup_problems(dom)
        assert not problems, problems[:10]
        # The payload reads back as the text it was, not as markup or a template.
        message = page.locator(".conversation .message .text").first.text_content()
        assert_shown_as(message, payload)
        assert_shown_as(page.locator("#detail-title").text_content(), f"Agent {payload}")
        if payload.strip():
            assert _visible(payload).strip() in _visible(page.locator("#main").text_content() or "")


#: The slow-API path (loading frame, then an htmx swap of #main): in the everyday run the
#: payloads aimed at what a swap itself could bring to life (scripts, event handlers, htmx
#: attributes); under HYPOTHESIS_PROFILE=thorough also those aimed at parsing, which the
#: swap hands to the same HTML parser as a page load.
FRAME_PAYLOADS = (
    "script-pwn",
    "img-onerror-pwn",
    "hx-attr-breakout",
    "hx-div-load",
    "hx-on-double-colon",
    "hx-on-htmx-event",
) + (
    (
        "attr-breakout-double",
        "close-title",
        "svg-title-breakout",
        "comment-open",
        "math-xlink",
        "meta-refresh",
        "null-bytes",
    )
    if thorough()
    else ()
)
#: Payloads that can only mislead a reader, never run in a browser (template syntax for
#: the server, invisible or reordering characters, CSV formulas, text that looks
#: escaped): their escaping is checked in every field without a browser
#: (tests/test_fuzz_views.py); here only under HYPOTHESIS_PROFILE=thorough.
TEXT_ONLY = frozenset(
    {
        "django-var",
        "django-debug",
        "template-literal",
        "rtl-override",
        "zero-width",
        "emoji",
        "percent-encoded",
        "pre-escaped",
        "csv-formula",
        "csv-formula-plus",
        "many-b",
    }
)
#: Every payload with and without the policy under HYPOTHESIS_PROFILE=thorough; in the
#: everyday run each payload aimed at a browser once, the two ways taken in turn
#: (``pairs``), so both ways still meet every kind (script, event handlers, attribute
#: break-out, htmx, links, SVG and MathML, styles, frames, redirects).
CASES = pairs(
    [(k, k) for k, _ in SMALL_PAYLOADS if thorough() or k not in TEXT_ONLY],
    [("csp", "csp"), ("no-csp", "no-csp")],
) + [pytest.param(k, "frame", id=f"{k}-frame") for k in FRAME_PAYLOADS]


@pytest.mark.parametrize(("payload_id", "mode"), CASES)
def test_hostile_payload_is_inert_in_the_browser(
    browser: Any,
    live_server: Any,
    hostile_api: StandInAPI,
    session_cookie: str,
    settings: Any,
    payload_id: str,
    mode: str,
) -> None:
    payload = dict(SMALL_PAYLOADS)[payload_id]
    hostile_api.interactions[(TENANT, INTERACTION)] = hostile_interaction(payload)
    if mode == "frame":
        settings.PAGE_FRAME_AFTER = 0.05
        hostile_api.script(
            UPSTREAM_KEY,
            Behaviour(
                status=200,
                delay=0.6,
                times=1,
                body=json.dumps(hostile_interaction(payload)).encode(),
            ),
        )
    started = time.monotonic()
    visit = Visit(browser, live_server.url, session_cookie, bypass_csp=mode == "no-csp")
    try:
        visit.page.goto(PAGE)
        expect(visit.page.locator('#timeline a.bar[data-kind="queue"]').first).to_be_attached(
            timeout=15_000
        )
        if mode == "frame":
            assert any(h.get("hx-target") == "main" for _, h in visit.htmx_requests()), (
                "no loading frame"
            )
        visit.open_bar("queue", "Queue")
        assert_shown_as(visit.page.locator("#detail-title").text_content(), f"Queue {payload}")
        visit.open_bar("agent", "Agent")
        visit.assert_inert(payload)
        assert hostile_api.requests[UPSTREAM_KEY] >= 1
    finally:
        visit.close()
    print(f"{payload_id}/{mode}: {time.monotonic() - started:.1f} s")


def test_large_strings_in_a_few_fields(
    browser: Any, live_server: Any, hostile_api: StandInAPI, session_cookie: str
) -> None:
    """1 MB strings in one-line fields (cut to 1,000 characters by the parser) and long
    conversation text (20,000 characters: a 100,000-character unbroken word takes
    Chromium tens of seconds to lay out; the 1 MB notes and transcript are covered
    without a browser in tests/test_fuzz_views.py)."""
    big = "<script>window.__pwned=1</script>" + ONE_MB
    long_text = big[:20_000]
    body = hostile_interaction("plain")
    body.update(
        flowName=big, notes=long_text, messagingTranscript=[{"from": "agent", "text": long_text}]
    )
    body["queues"][0]["queueName"] = big
    body["agents"][0]["agentName"] = big
    hostile_api.interactions[(TENANT, INTERACTION)] = body
    visit = Visit(browser, live_server.url, session_cookie, bypass_csp=True)
    try:
        visit.page.goto(PAGE)
        visit.open_bar("queue", "Queue")
        visit.open_bar("agent", "Agent")
        page = visit.page
        page.wait_for_timeout(250)
        assert not visit.dialogs
        assert page.evaluate("() => typeof window.__pwned") == "undefined"
        text = page.locator(".conversation .message .text").first.text_content() or ""
        assert text == long_text
        assert "…" in (page.locator("#main").text_content() or "")  # the 1 MB names were cut
        assert not markup_problems(page.content())
        assert not visit.errors and not [m for m in visit.console if m.startswith("error")]
    finally:
        visit.close()


def test_reference_interaction_control(
    browser: Any, live_server: Any, hostile_api: StandInAPI, session_cookie: str
) -> None:
    """The control: a plain interaction passes the same checks (so the checks are not vacuous)."""
    hostile_api.interactions[(TENANT, INTERACTION)] = hostile_interaction("Plain text")
    visit = Visit(browser, live_server.url, session_cookie, bypass_csp=False)
    try:
        visit.page.goto(PAGE)
        visit.open_bar("queue", "Queue")
        visit.open_bar("agent", "Agent")
        visit.assert_inert("Plain text")
        # Its channel is the payload text, not voice: a flow, so no IVR bar.
        assert visit.page.locator("#timeline a.bar").count() >= 5
        # A violation and a dialog are seen when they do happen.
        visit.page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = '1';"
            " document.body.append(s); }"
        )
        visit.page.wait_for_timeout(200)
        assert visit.page.evaluate("() => window.__csp.length") == 1
    finally:
        visit.close()
