"""Hostile strings, an interaction that carries one in every rendered field, and
checks that a rendered page kept them inert.

Used by ``tests/test_fuzz_views.py``, ``tests/test_cross_tenant.py`` and
``tests/browser/test_hostile_browser.py``. Not a test module itself.
"""

from __future__ import annotations

import copy
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures"

#: Markup that sets ``window.__pwned`` if it ever runs (the browser test looks for it).
PWN = "window.__pwned=1"

ONE_MB = "A" * (1024 * 1024)
MANY_B = "<b>" * 10_000

#: (id, payload). Ids are short, ASCII, and stable: they name the parametrized tests.
PAYLOADS: list[tuple[str, str]] = [
    ("script", "<script>alert(1)</script>"),
    ("script-pwn", f"<script>{PWN}</script>"),
    ("img-onerror", '"><img src=x onerror=alert(1)>'),
    ("img-onerror-pwn", f'"><img src=x onerror="{PWN}">'),
    ("svg-onload", "<svg onload=alert(1)>"),
    ("svg-animate-pwn", f'<svg><animate onbegin="{PWN}" attributeName=x dur=1s></animate></svg>'),
    ("a-javascript", '<a href="javascript:alert(1)">x</a>'),
    ("attr-breakout-single", "' onmouseover='alert(1)"),
    ("attr-breakout-double", f'" onfocus="{PWN}" autofocus="'),
    ("details-ontoggle-pwn", f'<details open ontoggle="{PWN}">x</details>'),
    ("hx-attrs-bare", 'hx-get="/admin/" hx-trigger="load"'),
    ("hx-attr-breakout", '" hx-get="/admin/" hx-trigger="load" x="'),
    ("hx-div-load", '<div hx-get="/" hx-trigger="load">x</div>'),
    ("hx-on-colon", '<div hx-on:load="alert(1)">x</div>'),
    ("hx-on-double-colon", f'<div hx-on::load="{PWN}" hx-get="/" hx-trigger="load">x</div>'),
    ("hx-on-htmx-event", f'<div hx-on:htmx:load="{PWN}">x</div>'),
    ("django-var", "{{ 7*7 }}"),
    ("django-debug", "{% debug %}"),
    ("template-literal", "${7*7}"),
    ("js-scheme", "javascript:alert(1)"),
    ("js-scheme-mixed-case", "JaVaScRiPt:alert(1)"),
    ("js-scheme-leading-space", " javascript:alert(1)"),
    ("js-scheme-tab", "java\tscript:alert(1)"),
    ("data-url", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
    ("vbscript", "vbscript:msgbox(1)"),
    ("http-quote-breakout", f'https://example.com/" onmouseover="{PWN}'),
    ("rtl-override", "\u202egnp.exe"),
    ("zero-width", "a\u200d\u200cb\u200b\ufeffc\u2060"),
    ("close-title", "</title><script>alert(1)</script>"),
    ("close-textarea", "</textarea><script>alert(1)</script>"),
    ("close-pre", "</pre><script>alert(1)</script>"),
    ("cdata-end", "]]><script>alert(1)</script>"),
    ("comment-open", "<!--"),
    ("math-xlink", '<math><mi xlink:href="javascript:alert(1)">x</mi></math>'),
    ("iframe", '<iframe src="https://example.com"></iframe>'),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=https://example.com">'),
    ("link-stylesheet", "<link rel=stylesheet href=https://example.com/x.css>"),
    ("style-tag", "<style>body{display:none}</style>"),
    ("base-href", '<base href="https://example.com/">'),
    ("js-string-breakout", '\\"); alert(1); //'),
    ("svg-title-breakout", f"</title></a><a href=javascript:{PWN}><title>x"),
    ("many-b", MANY_B),
    ("null-bytes", "a\x00b\x00<script>\x00alert(1)</script>"),
    ("emoji", "😀👍🏽👨‍👩‍👧‍👦 🇨🇦"),
    ("percent-encoded", "%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
    ("pre-escaped", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("csv-formula", '=HYPERLINK("http://x")'),
    ("csv-formula-plus", "+cmd|' /C calc'!A0"),
    ("one-mb", ONE_MB),
]

PAYLOAD_BY_ID = dict(PAYLOADS)
#: Every payload but the 1 MB one (kept out of the browser and of generated examples).
SMALL_PAYLOADS = [(k, v) for k, v in PAYLOADS if k != "one-mb"]

TENANT = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"
INTERACTION = "b2109780-db83-11e7-9709-c2b07aa3bee9"
SEGMENT_ID = "b2233520-db83-11e7-b86d-6aa612aefe9d"
QUEUE_ID = "3703e470-834a-11e7-b08f-6e56a766befb"
AGENT_ID = "a9a1e5b0-0000-4000-8000-000000000001"


def reference() -> dict[str, Any]:
    return json.loads((FIXTURES / "reference-sample.json").read_text(encoding="utf-8"))


def hostile_interaction(
    payload: str,
    *,
    tenant_id: str = TENANT,
    interaction_id: str = INTERACTION,
    flagged: bool = True,
) -> dict[str, Any]:
    """The reference interaction with ``payload`` in every string field the page renders.

    Record IDs that tie bars together (segment, queue, agent) stay real so the
    timeline has related queue and agent bars to click; a second queue visit and
    a second agent allocation carry the payload in their IDs as well. Field
    *names* that the page shows (attributes, unknown statistics, extra fields of
    segments, queues and agents) are the payload too.
    """
    p = payload
    body = reference()
    body["tenantId"] = tenant_id
    body["interactionId"] = interaction_id
    body["details"]["interactionId"] = interaction_id
    body.update(
        flowName=p,
        flowId=p,
        customer=p,
        contactPoint=p,
        contactId=p,
        channelType=p,
        direction=p,
        dispositionName=p,
        dispositionId=p,
        csat=p,
        campaignId=p,
        leadId=p,
        notes=p,
        audioRecording=p,
        monitors=[p, {"agentName": p}],
        messagingTranscript=[
            {"from": p, "fromName": p, "text": p, "timestamp": "2017-12-07T19:20:40Z"},
            {"sender": "agent", "name": p, "body": p},
            p,
        ],
        hooks=[
            {
                "interactionHookId": p,
                "hookType": p,
                "hookSubType": p,
                "hookId": p,
                "hookName": p,
                "hookedBy": p,
                "agentId": p,
                "timestamp": "2017-12-07T19:21:00Z",
            },
            # A configured CRM: the link is built from the (quoted) payload.
            {"hookType": "zendesk", "hookId": p, "hookName": p, "hookSubtype": p},
        ],
        outboundIdentifier={
            "interactionOutboundIdentifierID": p,
            "outboundIdentifierId": p,
            "outboundIdentifierValue": p,
            "outboundIdentitiferName": p,
        },
        interactionAttributes={p: p, "attribute": p, "nested": {p: [p]}},
        artifactsSummary={p: p, "artifact": [p]},
        # Unknown top-level fields become "other statistics", shown by name.
        unknownExtraStatistic=p,
        anotherUnknownTime=p,
        nestedUnknown={"a": p},
    )
    body[p] = p
    if flagged:
        body.update(flagged=True, flagType=p, flagTimestamp="2017-12-07T19:22:07Z")
    body["details"].update(customer=p, contactPoint=p, channelType=p, direction=p, csat=p)
    segment = body["segments"][0]
    segment.update(
        segmentStartType=p,
        segmentEndType=p,
        segmentExtensionType=p,
        segmentExtensionValue=p,
        segmentAgentId=p,
        segmentToAgentId=p,
        segmentExtraField=p,
    )
    segment[p] = p
    queue = body["queues"][0]
    queue.update(
        queueName=p,
        queueType=p,
        queueEntryType=p,
        queueExitType=p,
        platformQueueId=p,
        queueExtraField=p,
        agentId=AGENT_ID,
    )
    queue[p] = p
    second_queue = {
        **copy.deepcopy(queue),
        "interactionQueueId": p,
        "queueId": p,
        "startTimestamp": "2017-12-07T19:21:10Z",
        "endTimestamp": "2017-12-07T19:21:40Z",
    }
    agent = {
        "interactionAgentId": "c0a8e5b0-0000-4000-8000-0000000000aa",
        "agentId": AGENT_ID,
        "agentName": p,
        "platformAgentId": p,
        "tenantAgentId": p,
        "sessionId": p,
        "interactionSegmentId": SEGMENT_ID,
        "queueId": QUEUE_ID,
        "startTimestamp": "2017-12-07T19:21:00Z",
        "endTimestamp": "2017-12-07T19:22:00Z",
        "agentExtraField": p,
        p: p,
    }
    second_agent = {
        **agent,
        "interactionAgentId": p,
        "agentId": p,
        # Another name: two agent IDs under one name are told apart by their IDs' start
        # ("… (agent a9a1e5b0)"), which would no longer read back as the payload alone.
        "agentName": "Second agent",
        "startTimestamp": "2017-12-07T19:21:20Z",
        "endTimestamp": "2017-12-07T19:21:50Z",
    }
    body["queues"] = [queue, second_queue]
    body["agents"] = [agent, second_agent]
    return body


# -- checks on rendered HTML ----------------------------------------------------

#: Elements the app's own templates produce; anything else came from data.
ALLOWED_TAGS = frozenset(
    (
        *("html", "head", "meta", "title", "link", "script", "body", "noscript"),
        *("header", "nav", "main", "section", "div", "details", "summary", "p", "br", "pre"),
        *("a", "span", "strong", "code", "h1", "h2", "h3", "h4", "time", "label"),
        *("dl", "dt", "dd", "ul", "li", "ol", "table", "thead", "tbody", "tr", "th", "td"),
        *("form", "input", "button", "select", "option", "textarea", "progress"),
        *("svg", "defs", "pattern", "rect", "g", "line", "text", "circle", "marker", "path"),
        # The story at a glance, the participants and the recording player.
        *("abbr", "aside", "audio", "caption", "datalist", "figure", "figcaption", "small"),
        # Names in the flagged list keep their own direction.
        "bdi",
    )
)
_SCHEMES_OK = re.compile(r"^(https?://|/|\?|#|[A-Za-z0-9._~%-]*(?:[/?#]|$))")


def href_is_safe(value: str) -> bool:
    """http(s), absolute path, query, fragment, or a relative path (no other scheme)."""
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", value).lower()
    if cleaned.startswith(("javascript:", "data:", "vbscript:", "file:", "blob:")):
        return False
    if re.match(r"^[a-z][a-z0-9+.-]*:", cleaned):
        return cleaned.startswith(("http:", "https:"))
    return bool(_SCHEMES_OK.match(value.strip()) or value == "")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def _own_trigger(tag: str, attrs: dict[str, str | None]) -> bool:
    """The app's own self-triggering htmx elements: the live poller, the flagged list's
    loader, the slow-API loading frame and the fold of a long participants table
    (each requests its own page, nothing else)."""
    target = attrs.get("hx-target") or ""
    get = attrs.get("hx-get") or ""
    if "poller" in (attrs.get("class") or "").split():
        return target == "#timeline"
    if tag == "form":
        return target == "#flagged-results"
    if tag == "details":
        return target == "#participants-rest" and get.startswith("/tenants/")
    return target in ("#main", "#flagged-results") and get.startswith("/tenants/")


def markup_problems(html: str) -> list[str]:
    """Elements or attributes in ``html`` that the app's templates never produce.

    Parsed (not grepped), so escaped text inside attribute values cannot cause
    false alarms and injected markup cannot hide from the check.
    """
    parser = _Collector()
    parser.feed(html)
    parser.close()
    problems: list[str] = []
    for tag, attrs in parser.tags:
        names = dict(attrs)
        if tag not in ALLOWED_TAGS:
            problems.append(f"unexpected <{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or name.startswith(("hx-on", "data-hx-on")):
                problems.append(f"<{tag} {name}=…>")
            if name in ("href", "xlink:href", "src", "action", "formaction") and not href_is_safe(
                value
            ):
                problems.append(f"<{tag} {name}={value[:60]!r}>")
            if name in ("hx-trigger", "data-hx-trigger") and not _own_trigger(tag, names):
                problems.append(f"<{tag} hx-trigger={value[:60]!r}> not one of the app's own")
            if name in ("hx-get", "hx-post", "hx-put", "hx-delete", "hx-patch") and not (
                value.startswith(("?", "/tenants/"))
            ):
                problems.append(f"<{tag} {name}={value[:60]!r}>")
            if name == "autofocus" and tag != "input":
                problems.append(f"<{tag} autofocus>")
        if tag == "script" and not (names.get("src") or "").startswith("/static/"):
            problems.append(f"<script> not from /static/: {names}")
        if tag == "link" and not (names.get("href") or "").startswith("/static/"):
            problems.append(f"<link> not from /static/: {names}")
        if tag == "meta" and "http-equiv" in names and not (names.get("content") or "").isdigit():
            problems.append(f"<meta http-equiv>: {names}")
    return problems


def raw_payload_leaks(html: str, payload: str) -> list[str]:
    """Dangerous pieces of ``payload`` that appear unescaped in ``html``."""
    leaks = []
    if re.search(r"[<>\"']", payload) and payload.strip() and payload in html:
        leaks.append("the payload verbatim")
    for match in re.finditer(r"<\s*script", payload, re.IGNORECASE):
        needle = payload[match.start() : match.start() + 40]
        if needle in html:
            leaks.append(f"unescaped {needle!r}")
    return leaks


def script_tags(html: str) -> list[str]:
    """Every ``<script`` opening in ``html`` (only the app's /static/ ones are fine)."""
    return re.findall(r"<script\b[^>]*>", html, re.IGNORECASE)


def foreign_scripts(html: str) -> list[str]:
    return [tag for tag in script_tags(html) if not re.search(r'\ssrc="/static/', tag)]
