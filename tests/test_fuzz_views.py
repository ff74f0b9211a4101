"""Generated and hostile upstream JSON through every interaction view: never a 500,
never markup from the data.

Each example is served by respx in live mode and requested as the page, the
timeline partial, detail panels (``?focus=``), the raw view and download, and
the dossier, by a viewer who may see contact details and by one who may not.

The browser suite covers the same pages, so under the default ``ci`` Hypothesis
profile this suite runs a representative cut: 25 generated interactions, and
each hostile payload, field or timestamp once with the viewers or zones taken in
turn (``pairs``). HYPOTHESIS_PROFILE=thorough runs 250 and every combination;
FUZZ_EXAMPLES sets the number of generated interactions either way.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import pytest
import respx
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, Phase, event, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from dashboard.interactions import cache as services
from dashboard.interactions.parsing import named_ids
from tests.conftest import LIVE_API, fuzz_examples, pairs, sign_in
from tests.hostile import (
    INTERACTION,
    ONE_MB,
    SMALL_PAYLOADS,
    TENANT,
    foreign_scripts,
    hostile_interaction,
    markup_problems,
    raw_payload_leaks,
    reference,
)

pytestmark = pytest.mark.django_db

PAGE = f"/tenants/{TENANT}/interactions/{INTERACTION}/"
UPSTREAM = f"{LIVE_API}/v1/tenants/{TENANT}/interactions/{INTERACTION}"
TIMELINE = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "timeline"}
DETAIL = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "detail-panel"}
BAR = re.compile(r'data-bar="([^"]+)" data-related')


@pytest.fixture
def viewers(
    client: Any, django_user_model: Any, live_mode: str, settings: Any
) -> dict[str, Client]:
    """Two signed-in clients of tenant TENANT: with and without the contact-details permission."""
    # No slow-API loading frame: every page request here renders the interaction itself.
    settings.PAGE_FRAME_AFTER = 0
    return {
        "full": sign_in(client, django_user_model, "fuzz-full", tenants=[TENANT]),
        "masked": sign_in(
            Client(), django_user_model, "fuzz-masked", tenants=[TENANT], contact_details=False
        ),
    }


def _fresh() -> None:
    cache.clear()
    services.MEMO.clear()


def _html(response: Any) -> str:
    return response.content.decode("utf-8")


def _check_html(response: Any, where: str, payloads: tuple[str, ...] = ()) -> None:
    body = _html(response)
    assert response["Content-Type"].startswith("text/html"), where
    assert "Traceback" not in body, where
    assert not foreign_scripts(body), (where, foreign_scripts(body)[:3])
    problems = markup_problems(body)
    assert not problems, (where, problems[:5])
    for payload in payloads:
        leaks = raw_payload_leaks(body, payload)
        assert not leaks, (where, leaks)


def _names_another(content: bytes) -> bool:
    try:
        body = json.loads(content)
    except ValueError:
        return False
    tenant, interaction = named_ids(body)
    return (tenant is not None and tenant != TENANT.lower()) or (
        interaction is not None and interaction != INTERACTION.lower()
    )


def exercise(
    client: Client,
    content: bytes,
    *,
    is_object: bool,
    payloads: tuple[str, ...] = (),
    focus: tuple[str, ...] = ("ivr",),
) -> tuple[dict[str, int], str]:
    """Every view of one upstream answer; returns the status of each view, and the page."""
    _fresh()
    seen: dict[str, int] = {}

    def status_ok(response: Any, where: str) -> None:
        seen[where] = response.status_code
        assert response.status_code != 500, where
        if is_object and _names_another(content):
            # An answer naming another tenant or interaction is refused, never shown
            # (a live poll keeps its 200 and says it could not refresh).
            refused = (200,) if where == "timeline" else (502, 404)
            assert response.status_code in refused, (where, response.status_code)
        elif is_object:
            assert response.status_code == 200, (
                where,
                response.status_code,
                response.content[:600],
            )
        else:
            assert response.status_code in (200, 502), (where, response.status_code)

    with respx.mock(assert_all_called=False) as mock:
        mock.get(UPSTREAM).respond(
            200, content=content, headers={"Content-Type": "application/json"}
        )
        page = client.get(PAGE)
        status_ok(page, "page")
        _check_html(page, "page", payloads)
        if not is_object:
            assert page.status_code == 502 and "unreadable" in _html(page)

        whole = client.get(
            PAGE, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="main"
        )  # the loading frame's request
        status_ok(whole, "main")
        _check_html(whole, "main", payloads)

        timeline = client.get(PAGE, **TIMELINE)
        status_ok(timeline, "timeline")
        _check_html(timeline, "timeline", payloads)
        if not is_object:
            assert timeline["HX-Retarget"] == "#live-status"

        bars = BAR.findall(_html(page)) if page.status_code == 200 else []
        kinds: dict[str, str] = {}
        for bar in bars:
            kinds.setdefault(bar.split("-")[0], bar)
        for bar_id in dict.fromkeys((*focus, *kinds.values())):
            detail = client.get(PAGE, {"focus": bar_id}, **DETAIL)
            status_ok(detail, f"detail {bar_id}")
            _check_html(detail, f"detail {bar_id}", payloads)

        raw = client.get(PAGE + "raw/")
        status_ok(raw, "raw")
        _check_html(raw, "raw", payloads)

        download = client.get(PAGE + "raw/", {"download": "1"})
        status_ok(download, "download")
        if download.status_code == 200:
            assert download["Content-Type"] == "application/json"
            assert isinstance(json.loads(download.content), dict)

        dossier = client.get(PAGE + "dossier.json")
        status_ok(dossier, "dossier")
        if dossier.status_code == 200:
            exported = json.loads(dossier.content)
            assert exported["tenant_id"] == TENANT and isinstance(exported["interaction"], dict)
    return seen, _html(page)


# -- strategies ------------------------------------------------------------------

HOSTILE = st.sampled_from([p for _, p in SMALL_PAYLOADS])
TEXT = st.one_of(
    st.text(max_size=30),
    HOSTILE,
    st.sampled_from(
        [
            "",
            " ",
            "null",
            "true",
            "false",
            "yes",
            "1",
            "0",
            "1e400",
            "NaN",
            "-0",
            "Infinity",
            "voice",
            "inbound",
            "agent",
            "queue",
            "segment",
            "stuck",
            "Agent ",
            "zendesk",
            "https://example.com/rec.mp3",
            "http://",
            "2017-12-07T19:20:33Z",
        ]
    ),
)
NUMBER = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            0,
            -1,
            0.5,
            1e11,
            1e15,
            -1e15,
            9e299,
            -9e299,
            1e300,
            1.7976931348623157e308,
            2**63,
            10**100,
            5e-324,
        ]
    ),
)
TIMESTAMP = st.one_of(
    st.sampled_from(
        [
            "2017-12-07T19:20:33.394Z",
            "2017-12-07T19:21:00Z",
            "2017-12-07T19:22:07.638Z",
            "2017-12-07 19:21:30+05:30",
            "2017-12-07T19:21:00.123456789-23:59",
            "2017-12-07T19:21",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "2017-02-30T00:00:00Z",
            "2017-12-07T19:20:33+24:00",
            "2017-12-07T19:20:33+23:59",
            "1990-01-01T00:00:00Z",
            "2199-12-31T23:59:59Z",
            "",
            "never",
        ]
    ),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.integers(min_value=631_152_000, max_value=7_258_118_400),
    st.integers(min_value=631_152_000_000, max_value=7_258_118_400_000),
    NUMBER,
)
LEAF = st.one_of(st.none(), st.booleans(), NUMBER, TEXT)
JSON = st.recursive(
    LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
BOOL = st.one_of(
    st.booleans(), st.sampled_from(["true", "false", "1", "0", "yes", "maybe", 1, 0, 2]), JSON
)
IDS = st.one_of(st.sampled_from(["s1", "s2", "q1", "q2", "a1", "a2", "", "S1"]), TEXT)


def _field(kind: Any) -> Any:
    """Mostly the kind of value the field holds, sometimes anything at all."""
    return st.one_of(kind, kind, kind, JSON)


def _record(fields: dict[str, Any]) -> Any:
    known = st.fixed_dictionaries({}, optional={k: _field(v) for k, v in fields.items()})
    extra = st.dictionaries(TEXT, JSON, max_size=2)
    return st.tuples(known, extra).map(lambda pair: {**pair[1], **pair[0]})


def _records(fields: dict[str, Any], size: int = 4) -> Any:
    return st.one_of(
        st.lists(st.one_of(_record(fields), _record(fields), JSON), max_size=size), JSON
    )


SEGMENT = {
    "interactionSegmentId": IDS,
    "segmentNumber": NUMBER,
    "segmentStartType": TEXT,
    "segmentEndType": TEXT,
    "startTimestamp": TIMESTAMP,
    "endTimestamp": TIMESTAMP,
    "segmentCancelled": BOOL,
    "segmentCancelTime": NUMBER,
    "segmentTime": NUMBER,
    "segmentAgentId": IDS,
    "agentId": IDS,
    "segmentToAgentId": IDS,
    "interactionAgentId": IDS,
    "segmentConsultTime": NUMBER,
    "transfer": BOOL,
    "transferTime": NUMBER,
    "addParticipant": BOOL,
    "addParticipantTime": NUMBER,
    "addParticipantHandedOff": BOOL,
    "segmentExtensionType": TEXT,
    "segmentExtensionValue": TEXT,
    "segmentThirdParty": BOOL,
}
QUEUE = {
    "interactionQueueId": IDS,
    "interactionSegmentId": IDS,
    "queueId": IDS,
    "queueName": TEXT,
    "platformQueueId": st.one_of(NUMBER, TEXT),
    "queueType": TEXT,
    "queueEntryType": TEXT,
    "queueExitType": TEXT,
    "startTimestamp": TIMESTAMP,
    "endTimestamp": TIMESTAMP,
    "queueTime": NUMBER,
    "queueAbandoned": BOOL,
    "queueAbandonTime": NUMBER,
    "slaAbandoned": BOOL,
    "slaTime": NUMBER,
    "queueEntryLength": NUMBER,
    "agentId": IDS,
}
AGENT = {
    "interactionAgentId": IDS,
    "agentId": IDS,
    "agentName": TEXT,
    "platformAgentId": TEXT,
    "tenantAgentId": TEXT,
    "sessionId": TEXT,
    "interactionSegmentId": IDS,
    "queueId": IDS,
    "startTimestamp": TIMESTAMP,
    "endTimestamp": TIMESTAMP,
    "agentWorkCancelTime": NUMBER,
}
HOOK = {
    "interactionHookId": IDS,
    "hookType": TEXT,
    "hookSubType": TEXT,
    "hookSubtype": TEXT,
    "hookId": TEXT,
    "hookName": TEXT,
    "hookedBy": TEXT,
    "agentId": IDS,
    "timestamp": TIMESTAMP,
}
MESSAGE = {
    "from": TEXT,
    "sender": TEXT,
    "type": TEXT,
    "role": TEXT,
    "author": TEXT,
    "fromName": TEXT,
    "senderName": TEXT,
    "name": TEXT,
    "displayName": TEXT,
    "text": TEXT,
    "body": TEXT,
    "message": TEXT,
    "content": TEXT,
    "timestamp": TIMESTAMP,
    "time": TIMESTAMP,
    "created": TIMESTAMP,
    "createdAt": TIMESTAMP,
    "sentAt": TIMESTAMP,
}
HOLD = {
    "startTimestamp": TIMESTAMP,
    "endTimestamp": TIMESTAMP,
    "holdTime": NUMBER,
    "duration": NUMBER,
}
OUTBOUND = {
    "interactionOutboundIdentifierID": TEXT,
    "interactionOutboundIdentifierId": TEXT,
    "outboundIdentifierId": TEXT,
    "outboundIdentifierValue": TEXT,
    "outboundIdentitiferName": TEXT,
    "outboundIdentifierName": TEXT,
}
DETAILS = {
    "interactionId": TEXT,
    "channelType": TEXT,
    "direction": TEXT,
    "customer": TEXT,
    "contactPoint": TEXT,
    "contactId": TEXT,
    "csat": st.one_of(TEXT, NUMBER),
    "startTimestamp": TIMESTAMP,
    "endTimestamp": TIMESTAMP,
    "agents": _records(AGENT, 3),
}
STATISTICS = {
    name: st.one_of(NUMBER, TEXT, st.lists(NUMBER, max_size=3), BOOL)
    for name in (
        "interactionTime",
        "ivrTime",
        "ivrAbandoned",
        "ivrAbandonTime",
        "customerAbandonTime",
        "customerConversationTime",
        "customerTalkTime",
        "customerTalkTimes",
        "customerHolds",
        "customerHoldTime",
        "customerHoldAbandoned",
        "customerTransfers",
        "customerResponseTimes",
        "thirdPartyTime",
        "customerSatisfactionScore",
    )
}
INTERACTION_FIELDS = {
    "tenantId": IDS,
    "interactionId": IDS,
    "flowId": TEXT,
    "flowName": TEXT,
    "channelType": TEXT,
    "direction": TEXT,
    "customer": TEXT,
    "contactPoint": TEXT,
    "contactId": TEXT,
    "startTimestamp": TIMESTAMP,
    "endTimestamp": TIMESTAMP,
    "start": TIMESTAMP,
    "end": TIMESTAMP,
    "dataComplete": BOOL,
    "flagged": BOOL,
    "flagType": TEXT,
    "flagTimestamp": TIMESTAMP,
    "segments": _records(SEGMENT),
    "queues": _records(QUEUE),
    "agents": _records(AGENT),
    "details": st.one_of(_record(DETAILS), JSON),
    "hooks": _records(HOOK, 3),
    "outboundIdentifier": st.one_of(_record(OUTBOUND), JSON),
    "messagingTranscript": st.one_of(
        _records(MESSAGE, 3), TEXT, st.fixed_dictionaries({"messages": _records(MESSAGE, 3)})
    ),
    "notes": TEXT,
    "dispositionId": TEXT,
    "dispositionName": TEXT,
    "audioRecording": TEXT,
    "csat": st.one_of(TEXT, NUMBER),
    "campaignId": TEXT,
    "leadId": TEXT,
    "updated": TIMESTAMP,
    "monitors": st.one_of(
        st.lists(
            st.one_of(TEXT, _record({"agentName": TEXT, "name": TEXT, "agentId": IDS, "id": IDS})),
            max_size=3,
        ),
        JSON,
    ),
    "interactionAttributes": st.one_of(st.dictionaries(TEXT, JSON, max_size=4), JSON),
    "artifactsSummary": st.one_of(st.dictionaries(TEXT, JSON, max_size=3), JSON),
    "customerHoldTimes": _records(HOLD, 3),
    **STATISTICS,
}
#: Any subset of the real fields, each holding its kind of value or anything at all.
WILD = _record(INTERACTION_FIELDS)
#: Always segments, queues and agents as lists of records: the timeline has bars to draw.
STRUCTURED = st.tuples(
    st.fixed_dictionaries(
        {
            "startTimestamp": TIMESTAMP,
            "segments": st.lists(_record(SEGMENT), max_size=4),
            "queues": st.lists(_record(QUEUE), min_size=1, max_size=4),
            "agents": st.lists(_record(AGENT), min_size=1, max_size=3),
        },
        optional={
            k: _field(v)
            for k, v in INTERACTION_FIELDS.items()
            if k not in ("startTimestamp", "segments", "queues", "agents")
        },
    ),
    st.dictionaries(TEXT, JSON, max_size=2),
).map(lambda pair: {**pair[1], **pair[0]})
#: The reference interaction with a few fields replaced by anything.
NEAR_REFERENCE = st.builds(
    lambda extra: {**reference(), **extra},
    st.dictionaries(st.sampled_from(sorted(INTERACTION_FIELDS)), JSON, max_size=4),
)
#: Whatever else a broken API could send.
NOT_AN_OBJECT = st.one_of(st.lists(JSON, max_size=3), TEXT, NUMBER, st.none(), st.booleans())
BODIES = st.integers(min_value=0, max_value=19).flatmap(
    lambda n: (
        NOT_AN_OBJECT if n == 0 else NEAR_REFERENCE if n <= 4 else STRUCTURED if n <= 12 else WILD
    )
)


def _strings(value: Any) -> tuple[str, ...]:
    """The hostile strings inside a generated value (to check they came out escaped)."""
    found: set[str] = set()
    hostile = {p for _, p in SMALL_PAYLOADS}

    def walk(v: Any) -> None:
        if isinstance(v, str):
            if v in hostile:
                found.add(v)
        elif isinstance(v, list):
            for item in v:
                walk(item)
        elif isinstance(v, dict):
            for k, item in v.items():
                walk(k)
                walk(item)

    walk(value)
    return tuple(sorted(found))


#: Viewer time zones (the ``tz`` cookie): none (UTC), the furthest east and west, and one in
#: between.
ZONES = ["", "Pacific/Kiritimati", "Etc/GMT+12", "America/Halifax"]


@hyp_settings(
    max_examples=fuzz_examples(ci=25, thorough_run=250),
    # No shrinking unless asked (FUZZ_SHRINK=1): on a failure it can take minutes, and every bug
    # found so far is pinned by a small explicit test below.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
    + ([Phase.shrink] if os.environ.get("FUZZ_SHRINK") else []),
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(body=BODIES, masked=st.booleans(), zone=st.sampled_from(ZONES))
def test_generated_interactions_never_crash_or_inject(
    viewers: dict[str, Client], body: Any, masked: bool, zone: str
) -> None:
    client = viewers["masked" if masked else "full"]
    if zone:
        client.cookies["tz"] = zone.replace(
            "/", "%2F"
        )  # the viewer's time zone (ViewerTimezoneMiddleware)
    else:
        client.cookies.pop("tz", None)
    content = json.dumps(body, ensure_ascii=False).encode(
        "utf-8"
    )  # NaN/Infinity allowed, as Python reads them
    seen, _ = exercise(client, content, is_object=isinstance(body, dict), payloads=_strings(body))
    event(f"page {seen['page']}")
    for kind in sorted(
        {k.split()[1].split("-")[0] for k in seen if k.startswith("detail ")} - {"ivr"}
    ):
        event(f"bar drawn: {kind}")


# -- the hostile list, each in every rendered field ------------------------------

WHO = [("full", "full"), ("masked", "masked")]


@pytest.mark.parametrize(("payload", "who"), pairs(SMALL_PAYLOADS, WHO))
def test_hostile_payload_in_every_field(viewers: dict[str, Client], payload: str, who: str) -> None:
    body = hostile_interaction(payload)
    seen, text = exercise(
        viewers[who], json.dumps(body).encode(), is_object=True, payloads=(payload,)
    )
    # Every kind of bar opens its detail panel (the axis is the interaction: no bar of its own).
    for kind in ("ivr", "segment", "queue", "agent"):
        assert any(k.startswith(f"detail {kind}") for k in seen), (kind, seen)
    if who == "masked":
        assert "Conversation and contact details hidden" in text
    else:
        assert "Listen to the recording" not in text  # never an http(s) address, so never a link
        assert (
            'href="https://example.zendesk.com/agent/tickets/' in text
        )  # the CRM link, payload quoted


def test_one_megabyte_everywhere_is_refused_not_a_crash(viewers: dict[str, Client]) -> None:
    """~70 MB of JSON: over the client's 10 MB cap, so a readable 502, never a 500."""
    content = json.dumps(hostile_interaction(ONE_MB)).encode()
    assert len(content) > 10 * 1024 * 1024
    _fresh()
    with respx.mock() as mock:
        mock.get(UPSTREAM).respond(
            200, content=content, headers={"Content-Type": "application/json"}
        )
        page = viewers["full"].get(PAGE)
        timeline = viewers["full"].get(PAGE, **TIMELINE)
    assert page.status_code == 502 and "unreadable" in _html(page)
    assert timeline.status_code == 200 and timeline["HX-Retarget"] == "#live-status"


@pytest.mark.parametrize("who", ["full", "masked"])
def test_one_megabyte_strings_in_several_fields(viewers: dict[str, Client], who: str) -> None:
    """Under the size cap: shown truncated, escaped, and quickly enough."""
    big = "<b>" + ONE_MB
    body = reference()
    body.update(
        flowName=big,
        notes=big,
        messagingTranscript=[{"from": "agent", "text": big}],
        interactionAttributes={big[:2000]: big},
    )
    body["queues"][0]["queueName"] = big
    body["segments"][0]["segmentEndType"] = big
    _, page = exercise(viewers[who], json.dumps(body).encode(), is_object=True, payloads=(big,))
    assert "&lt;b&gt;" + "A" * 1000 in page
    assert "A" * 100_001 not in page  # every text is cut at 100,000 characters


@pytest.mark.parametrize(
    "payload", [p for _, p in SMALL_PAYLOADS], ids=[k for k, _ in SMALL_PAYLOADS]
)
def test_hostile_query_parameters(viewers: dict[str, Client], payload: str) -> None:
    """``focus`` and the zoom parameters come from the URL: also escaped, never a 500."""
    _fresh()
    client = viewers["full"]
    with respx.mock() as mock:
        mock.get(UPSTREAM).respond(json=hostile_interaction("plain"))
        for params, headers in (
            ({"focus": payload}, {}),
            ({"focus": payload}, DETAIL),
            ({"zoom": payload, "focus": "ivr"}, {}),
            ({"zoom_from": payload, "zoom_to": payload}, TIMELINE),
            ({"zoom": "0-" + payload[:20], "failures": payload}, TIMELINE),
        ):
            response = client.get(PAGE, params, **headers)
            assert response.status_code == 200, (params, headers)
            _check_html(response, str(params), (payload[:100],))


@pytest.mark.parametrize(
    "zoom",
    [
        "1e308-1e309",
        "nan-inf",
        "-5-10",
        "10-5",
        "0-0",
        "99999999999999999999-1",
        "0.0000001-0.0000002",
        "1:00:00:00-2",
        "--",
        "-",
        "4-",
    ],
)
def test_odd_zoom_windows(viewers: dict[str, Client], zoom: str) -> None:
    _fresh()
    with respx.mock() as mock:
        mock.get(UPSTREAM).respond(json=hostile_interaction("plain"))
        for headers in ({}, TIMELINE):
            response = viewers["full"].get(PAGE, {"zoom": zoom}, **headers)
            assert response.status_code == 200, (zoom, headers)
        response = viewers["full"].get(PAGE, {"zoom_from": zoom, "zoom_to": zoom[::-1]}, **TIMELINE)
        assert response.status_code == 200


# -- pathological shapes and numbers -------------------------------------------


def _nested(depth: int) -> Any:
    value: Any = "<script>alert(1)</script>"
    for n in range(depth):
        value = [value] if n % 2 else {"k": value}
    return value


@pytest.mark.parametrize("depth", [10, 100, 400, 900, 990, 1500, 5000, 50_000])
def test_deeply_nested_values(viewers: dict[str, Client], depth: int) -> None:
    """Valid JSON objects nested deeply in shown fields: never a 500.

    A 502 is allowed past the parser's depth.
    """
    nested = _nested(depth)
    body = {**reference(), "interactionAttributes": {"deep": nested}, "someUnknownField": nested}
    body["segments"][0]["segmentExtraField"] = nested
    content = json.dumps(body).encode() if depth < 900 else _dump_deep(body, nested)
    for who in ("full", "masked"):
        _fresh()
        with respx.mock() as mock:
            mock.get(UPSTREAM).respond(
                200, content=content, headers={"Content-Type": "application/json"}
            )
            for path, headers in (
                (PAGE, {}),
                (PAGE, TIMELINE),
                (PAGE + "?focus=segment-b2233520-db83-11e7-b86d-6aa612aefe9d", DETAIL),
                (PAGE + "raw/", {}),
                (PAGE + "raw/?download=1", {}),
                (PAGE + "dossier.json", {}),
            ):
                response = viewers[who].get(path, **headers)
                assert response.status_code in (200, 502), (who, path, depth, response.status_code)
                if response["Content-Type"].startswith("text/html"):
                    assert not foreign_scripts(_html(response))


def _dump_deep(body: dict[str, Any], nested: Any) -> bytes:
    """json.dumps recurses; build very deep JSON text by hand."""
    marker = '"__NESTED__"'
    skeleton = {
        **body,
        "interactionAttributes": {"deep": "__NESTED__"},
        "someUnknownField": "__NESTED__",
    }
    skeleton["segments"] = [{**body["segments"][0], "segmentExtraField": "__NESTED__"}]
    depth, inner = 0, nested
    opens, closes = [], []
    while not isinstance(inner, str):
        if isinstance(inner, list):
            opens.append("[")
            closes.append("]")
            inner = inner[0]
        else:
            opens.append('{"k":')
            closes.append("}")
            inner = inner["k"]
        depth += 1
    deep = "".join(opens) + json.dumps(inner) + "".join(reversed(closes))
    return json.dumps(skeleton).replace(marker, deep).encode()


EXTREMES = [
    9e299,
    -9e299,
    1e299,
    1.7976931348623157e308,
    1e15,
    -1e15,
    10**400,
    -(10**400),
    2**63,
    5e-324,
    "9e299",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "-inf",
    "1e999",
]
NUMERIC_TOP = [
    "interactionTime",
    "ivrTime",
    "ivrAbandonTime",
    "customerAbandonTime",
    "customerConversationTime",
    "customerTalkTime",
    "customerHolds",
    "customerHoldTime",
    "customerTransfers",
    "thirdPartyTime",
    "customerSatisfactionScore",
    "csat",
    "unknownNumberTime",
    "unknownNumber",
]


@pytest.mark.parametrize("value", EXTREMES, ids=[str(v)[:12] for v in EXTREMES])
def test_extreme_numbers_everywhere(viewers: dict[str, Client], value: Any) -> None:
    body = reference()
    for name in NUMERIC_TOP:
        body[name] = value
    body["customerTalkTimes"] = [value, 1]
    body["customerHoldTimes"] = [
        value,
        {"startTimestamp": "2017-12-07T19:21:00Z", "holdTime": value},
    ]
    body["segments"][0].update(
        segmentNumber=value,
        segmentCancelTime=value,
        segmentTime=value,
        segmentConsultTime=value,
        transferTime=value,
        addParticipantTime=value,
    )
    body["queues"][0].update(
        queueTime=value,
        queueAbandonTime=value,
        slaTime=value,
        queueEntryLength=value,
        platformQueueId=value,
    )
    body["agents"] = [
        {
            "interactionAgentId": "a1",
            "agentName": "Ann",
            "interactionSegmentId": body["segments"][0]["interactionSegmentId"],
            "startTimestamp": "2017-12-07T19:21:00Z",
            "endTimestamp": "2017-12-07T19:22:00Z",
            "agentWorkCancelTime": value,
        }
    ]
    exercise(viewers["full"], json.dumps(body).encode(), is_object=True)


@pytest.mark.parametrize(
    ("start", "end", "ivr_time"),
    [
        (None, None, 1e9),
        (None, None, 1e12),
        (None, None, -1e12),
        (None, None, 9e15),
        (None, None, 9e299),
        (None, None, -9e299),
        # The calendar's last second: even a small ivrTime runs past it.
        ("9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z", 1.0),
        ("9999-12-31T23:59:59Z", None, 12216),
        ("9999-12-31T23:59:58Z", "9999-12-31T23:59:59.999Z", 1.5),
    ],
)
def test_huge_ivr_time_without_queues(
    viewers: dict[str, Client], start: str | None, end: str | None, ivr_time: float
) -> None:
    """With no queue visit, the IVR bar's end is start + ivrTime.

    A huge but finite ivrTime, or a start at the end of the calendar.
    """
    body = {**reference(), "queues": [], "ivrTime": ivr_time}
    if start:
        body["startTimestamp"] = start
        body["endTimestamp"] = end
        body["segments"][0].update(startTimestamp=start, endTimestamp=end)
    exercise(viewers["full"], json.dumps(body).encode(), is_object=True)


EXTREME_INSTANTS = [
    ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"),
    ("9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"),
    ("0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59"),
    (631_152_000, 7_258_118_400),
    ("2017-12-07T19:20:33Z", "2017-12-07T19:20:33Z"),
]
EXTREME_ZONES = ["", "Pacific/Kiritimati", "Etc/GMT+12"]


@pytest.mark.parametrize(
    ("timestamps", "zone"),
    pairs(
        [(f"{a}-{b}", (a, b)) for a, b in EXTREME_INSTANTS],
        [(z or "UTC", z) for z in EXTREME_ZONES],
    ),
)
def test_extreme_timestamps(
    viewers: dict[str, Client], timestamps: tuple[Any, Any], zone: str
) -> None:
    """Instants at the ends of what Python can hold.

    Shown in UTC and in the viewer's own zone (``tz`` cookie).
    """
    start, end = timestamps
    if zone:
        viewers["full"].cookies["tz"] = zone.replace("/", "%2F")
    body = reference()
    body.update(
        startTimestamp=start,
        endTimestamp=end,
        flagged=True,
        flagType="stuck",
        flagTimestamp=end,
        updated=end,
        customerHoldTimes=[{"startTimestamp": start, "endTimestamp": end}],
    )
    for record in (*body["segments"], *body["queues"]):
        record.update(startTimestamp=start, endTimestamp=end)
    body["agents"] = [{"interactionAgentId": "a1", "startTimestamp": end, "endTimestamp": start}]
    body["messagingTranscript"] = [{"from": "agent", "text": "hi", "timestamp": start}]
    exercise(viewers["full"], json.dumps(body).encode(), is_object=True)


# -- the same data through the lists: flagged page, its CSV, ticket links ------------

LIST = f"{LIVE_API}/v1/tenants/{TENANT}/interactions"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _list_rows(payload: str) -> list[dict[str, Any]]:
    """Three flagged rows: the payload in every field, also as an interaction ID and a flag type."""
    from datetime import UTC, datetime, timedelta

    recent = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    first = hostile_interaction(payload)
    first["startTimestamp"] = recent
    # As an ID too (slashes left out: a "/" in an ID is a bug of its own, see the test below).
    second = {**first, "interactionId": payload.replace("/", "") or "x", "flagType": "queue"}
    third = {
        **first,
        "interactionId": "00000000-0000-4000-8000-000000000003",
        "details": {"customer": payload},
        "customer": None,
        "interactionTime": payload,
    }
    return [first, second, third]


def _csv_cells_are_inert(content: bytes) -> list[list[str]]:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    for row in rows[1:]:
        for cell in row:
            if cell.startswith(FORMULA_STARTS):
                # Only numbers and masked or plain phone numbers may start like a formula.
                assert re.fullmatch(r"[+-]?[0-9.]+(e[+-]?[0-9]+)?|\+[0-9•\s().-]+", cell), cell
    return rows


@pytest.mark.parametrize(("payload", "who"), pairs(SMALL_PAYLOADS, WHO))
def test_hostile_payload_in_lists(viewers: dict[str, Client], payload: str, who: str) -> None:
    client = viewers[who]
    rows = _list_rows(payload)
    _fresh()
    with respx.mock() as mock:
        mock.get(LIST).respond(
            json={"total": len(rows), "offset": 0, "limit": 1000, "results": rows}
        )
        flagged = client.get(f"/tenants/{TENANT}/flagged/", {"range": "7d", "all": "1"})
        assert flagged.status_code == 200
        _check_html(flagged, "flagged", (payload,))
        partial = client.get(
            f"/tenants/{TENANT}/flagged/",
            {
                "range": "7d",
                "all": "1",
                "flag": payload[:80],
                "channel": payload[:40],
                "sort": payload[:20],
                "status": payload[:20],
            },
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="flagged-results",
        )
        assert partial.status_code == 200
        _check_html(partial, "flagged partial", (payload,))
        odd_range = client.get(
            f"/tenants/{TENANT}/flagged/", {"start": payload, "end": payload, "all": "1"}
        )
        assert odd_range.status_code == 200
        _check_html(odd_range, "flagged, odd range", (payload,))
        export = client.get(f"/tenants/{TENANT}/flagged/export.csv", {"range": "7d"})
        assert export.status_code == 200
        cells = _csv_cells_are_inert(export.getvalue())
        assert len(cells) == 1 + 3  # header and every row, none dropped
        ticket = client.get("/tickets/zendesk/48213/")
        assert ticket.status_code == 200  # three matches: listed, not redirected
        _check_html(ticket, "ticket", (payload,))


@pytest.mark.parametrize("interaction_id", ["a/b", "</script>", "../../admin", "/"])
def test_list_row_with_a_slash_in_its_id(viewers: dict[str, Client], interaction_id: str) -> None:
    """One odd row from the list endpoint must not take the flagged list down.

    Nor its CSV, nor a ticket.
    """
    rows = _list_rows("plain")
    rows[1]["interactionId"] = interaction_id
    _fresh()
    with respx.mock() as mock:
        mock.get(LIST).respond(
            json={"total": len(rows), "offset": 0, "limit": 1000, "results": rows}
        )
        client = viewers["full"]
        client.raise_request_exception = False  # see every view's status, not the first exception
        statuses = {
            path: client.get(path, params).status_code
            for path, params in (
                (f"/tenants/{TENANT}/flagged/", {"range": "7d", "all": "1"}),
                (f"/tenants/{TENANT}/flagged/export.csv", {"range": "7d"}),
                ("/tickets/zendesk/48213/", {}),
            )
        }
    assert set(statuses.values()) == {200}, statuses


LIST_FIELDS = [
    "hooks",
    "segments",
    "queues",
    "agents",
    "messagingTranscript",
    "customerHoldTimes",
    "monitors",
    "details",
    "outboundIdentifier",
    "interactionAttributes",
    "artifactsSummary",
]
ODD_SHAPES = [1, True, "text", {"a": 1}, [1, None, "x"]]


@pytest.mark.parametrize(
    ("field", "shape"),
    pairs([(f, f) for f in LIST_FIELDS], [(type(v).__name__, v) for v in ODD_SHAPES]),
)
def test_list_and_record_fields_of_the_wrong_shape(
    viewers: dict[str, Client], field: str, shape: Any
) -> None:
    """A list or record field holding a number, a flag, text, or the other container.

    Shown as unknown, for both viewers (the masked one goes through ``mask_raw`` too), never a 500.
    """
    body = {**reference(), field: shape}
    content = json.dumps(body).encode()
    for who, client in viewers.items():
        _fresh()
        client.raise_request_exception = False
        with respx.mock() as mock:
            mock.get(UPSTREAM).respond(
                200, content=content, headers={"Content-Type": "application/json"}
            )
            statuses = {
                what: client.get(path, params, **headers).status_code
                for what, path, params, headers in (
                    ("page", PAGE, {}, {}),
                    ("detail", PAGE, {"focus": "ivr"}, DETAIL),
                    ("raw", PAGE + "raw/", {}, {}),
                    ("dossier", PAGE + "dossier.json", {}, {}),
                )
            }
        assert set(statuses.values()) == {200}, (who, statuses)
