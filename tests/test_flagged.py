"""The flagged list: range, paging, filters, sorting, CSV export, progress, failures, access."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

import pytest
import respx

from dashboard.accounts.models import TenantGrant
from dashboard.cxengage import errors
from dashboard.cxengage import factory as services
from dashboard.demo.api import DEMO_TENANT_ID, bodies
from dashboard.interactions import csvcell, list_views, listing
from dashboard.interactions.domain import FLAG_REASONS, GENERIC_FLAG_REASON, flag_reason
from dashboard.interactions.listing import flag_sort_text
from dashboard.interactions.masking import mask
from dashboard.reviews import services as review_services
from tests.conftest import LIVE_API, allow_contact_details
from tests.standin import Behaviour, StandInAPI

pytestmark = pytest.mark.django_db

FLAGGED = f"/tenants/{DEMO_TENANT_ID}/flagged/"
CSV_URL = f"/tenants/{DEMO_TENANT_ID}/flagged/export.csv"
HX = {"HX-Request": "true", "HX-Target": "flagged-results"}

LIVE = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"
LIVE_FLAGGED = f"/tenants/{LIVE}/flagged/"
LIVE_CSV = f"/tenants/{LIVE}/flagged/export.csv"
LIST_KEY = f"GET /v1/tenants/{LIVE}/interactions"
#: Explicit range for live tests: the stand-in ignores it, but identical queries hit the same cache.
LIVE_RANGE = {"start": "2026-01-01T00:00:00Z", "end": "2026-01-02T00:00:00Z"}

ROW = re.compile(r'<tr data-interaction="([^"]+)">(.*?)</tr>', re.S)
TAG = re.compile(r"<[^>]+>")
UNKNOWN_REASON = GENERIC_FLAG_REASON[0]  # one wording for the list and the page


# -- helpers -----------------------------------------------------------------


def text(response: Any) -> str:
    return response.content.decode()


def rows(body: str) -> list[tuple[str, str]]:
    """(interaction id, the row's visible text) for each table row, in order."""
    return [
        (iid, " ".join(html.unescape(TAG.sub(" ", inner)).split()))
        for iid, inner in ROW.findall(body)
    ]


def ids(body: str) -> list[str]:
    return [iid for iid, _ in rows(body)]


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def duration(body: dict[str, Any]) -> float | None:
    if body.get("startTimestamp") and body.get("endTimestamp"):
        return (when(body["endTimestamp"]) - when(body["startTimestamp"])).total_seconds()
    value = body.get("interactionTime")
    return float(value) if value is not None else None


def expected_demo_flagged(hours: int = 24) -> dict[str, dict[str, Any]]:
    """Flagged demo interactions that started in the last ``hours`` (24: the default range)."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    return {
        str(b["interactionId"]).lower(): b
        for b in bodies()
        if b.get("flagged") is True
        and now - timedelta(hours=hours) <= when(b["startTimestamp"]) < now
    }


#: The last 7 days: the demo's day-long SMS started more than 24 hours ago.
WEEK = {"range": "7d"}


def reason(flag_type: str | None) -> str:
    known = FLAG_REASONS.get((flag_type or "").strip().lower())
    return known[0] if known else UNKNOWN_REASON


def agent_records(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The agent allocations, wherever the body puts them (top level or in details)."""
    return body.get("agents") or body.get("details", {}).get("agents") or []


def read_csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


def fragment(client: Any, url: str, params: dict[str, str]) -> Any:
    response = client.get(url, params, headers=HX)
    assert response.status_code == 200
    assert "<html" not in text(response)
    assert text(response).lstrip().startswith('<div id="flagged-results"')
    assert "HX-Request" in response["Vary"]
    return response


def live_body(
    n: int,
    *,
    flag_type: str | None = None,
    flow: str = "Support line",
    customer: str | None = None,
    channel: str = "voice",
) -> dict[str, Any]:
    start = datetime(2026, 1, 1, 10, 0, tzinfo=UTC) + timedelta(minutes=10 * n)
    body: dict[str, Any] = {
        "tenantId": LIVE,
        "interactionId": f"00000000-0000-4000-8000-{n:012d}",
        "startTimestamp": start.isoformat().replace("+00:00", "Z"),
        "endTimestamp": (start + timedelta(seconds=60 + n)).isoformat().replace("+00:00", "Z"),
        "channelType": channel,
        "direction": "inbound",
        "flowName": flow,
        "customer": customer or f"+1506555{1000 + n:04d}",
        "flagged": flag_type is not None,
    }
    if flag_type is not None:
        body["flagType"] = flag_type
    return body


@pytest.fixture
def api(settings: Any) -> Iterator[StandInAPI]:
    """The stand-in API server in live mode (as tests/test_standin_api.py sets it up)."""
    with StandInAPI() as server:
        settings.DEMO_MODE = False
        settings.CXENGAGE_API_URL = server.url
        settings.CXENGAGE_CREDENTIALS = {
            "username": "api-user",
            "password": "pw",
            "api_key": "",
            "api_secret": "",
        }
        settings.CXENGAGE_TIMEOUTS = {"connect_timeout": 1.0, "read_timeout": 1.0, "deadline": 1.5}
        services.reset_client()
        yield server
        services.reset_client()


@pytest.fixture
def live_viewer(client: Any, django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user("qa-live", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=LIVE)
    client.force_login(allow_contact_details(user))
    return client


@pytest.fixture
def masked_viewer(client: Any, django_user_model: Any) -> Any:
    """Granted the demo and the live tenant, without the contact-details permission."""
    user = django_user_model.objects.create_user("qa-masked", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=DEMO_TENANT_ID)
    TenantGrant.objects.create(user=user, tenant_id=LIVE)
    client.force_login(user)
    return client


def seven_with_three_flagged(api: StandInAPI) -> dict[str, dict[str, Any]]:
    flags = {1: "Agent", 4: "Queue", 6: "Stuck"}
    made = {}
    for n in range(7):
        body = live_body(n, flag_type=flags.get(n), flow=f"Flow {n}")
        api.interactions[(LIVE, body["interactionId"])] = body
        made[body["interactionId"]] = body
    return {k: v for k, v in made.items() if v["flagged"]}


# -- the default demo list ---------------------------------------------------


def test_default_range_lists_exactly_the_flagged_demo_interactions(signed_in: Any) -> None:
    expected = expected_demo_flagged()
    assert len(expected) >= 5  # the demo data has flagged interactions of many types
    response = signed_in.get(FLAGGED)
    body = text(response)
    assert response.status_code == 200
    assert "Last 24 hours" in body
    shown = dict(rows(body))
    assert set(shown) == set(expected)
    assert len(ids(body)) == len(expected)  # no duplicates
    for iid, payload in expected.items():
        row = shown[iid]
        assert payload["flagType"] in row, iid
        assert reason(payload["flagType"]) in row, iid
        assert payload["customer"] in row, iid  # this viewer may see contact details
        assert "To review" in row
        assert f"/tenants/{DEMO_TENANT_ID}/interactions/{iid}/" in body
    # Not flagged ones are never listed.
    for b in bodies():
        if not b.get("flagged"):
            assert str(b["interactionId"]).lower() not in shown
    # An unknown flag type reads as unknown, not as a known reason (whether one is in the
    # last 24 hours depends on the time of day the demo data is read at).
    unknown = [i for i, p in expected.items() if reason(p["flagType"]) == UNKNOWN_REASON]
    assert (UNKNOWN_REASON in body) == bool(unknown)
    # Default sort: newest first.
    starts = [when(expected[i]["startTimestamp"]) for i in ids(body)]
    assert starts == sorted(starts, reverse=True)


def test_listing_writes_an_audit_event(signed_in: Any) -> None:
    from dashboard.reviews.models import AuditEvent

    signed_in.get(FLAGGED)
    event = AuditEvent.objects.get(action="list")
    assert event.tenant_id == DEMO_TENANT_ID
    assert event.user.get_username() == "supervisor"


# -- filters through htmx ----------------------------------------------------


def test_filter_by_flag_type_returns_the_fragment(signed_in: Any) -> None:
    expected = expected_demo_flagged()
    agent = [i for i, b in expected.items() if b["flagType"] == "Agent"]
    assert agent
    response = fragment(signed_in, FLAGGED, {"flag": "Agent"})
    body = text(response)
    assert ids(body) == agent
    assert f"({len(expected)} before filters)" in body
    # The filter form keeps the choice (one value whatever the type's case); the URL that htmx
    # pushes carries it.
    assert '<option value="agent" selected>' in body
    assert "flag=agent" in body  # CSV link and sort links keep the filter


def test_filter_by_channel(signed_in: Any) -> None:
    expected = expected_demo_flagged(hours=24 * 7)
    sms = {i for i, b in expected.items() if b["channelType"] == "sms"}
    voice = {i for i, b in expected.items() if b["channelType"] == "voice"}
    assert sms and voice
    assert set(ids(text(fragment(signed_in, FLAGGED, {**WEEK, "channel": "sms"})))) == sms
    assert set(ids(text(fragment(signed_in, FLAGGED, {**WEEK, "channel": "voice"})))) == voice
    body = text(fragment(signed_in, FLAGGED, {"channel": "fax"}))
    assert ids(body) == []
    assert "No flagged interactions match these filters" in body


def test_filter_by_review_status_after_saving_a_review(signed_in: Any, demo_user: Any) -> None:
    expected = expected_demo_flagged()
    done_id, in_review_id = sorted(expected)[:2]
    assert not isinstance(
        review_services.save_review(
            demo_user, DEMO_TENANT_ID, done_id, status="done", comment="ok", version=0
        ),
        review_services.Conflict,
    )
    assert not isinstance(
        review_services.save_review(
            demo_user, DEMO_TENANT_ID, in_review_id, status="in_review", comment="", version=0
        ),
        review_services.Conflict,
    )
    done = text(fragment(signed_in, FLAGGED, {"status": "done"}))
    assert ids(done) == [done_id]
    assert "Done" in dict(rows(done))[done_id]
    assert ids(text(fragment(signed_in, FLAGGED, {"status": "in_review"}))) == [in_review_id]
    to_review = text(fragment(signed_in, FLAGGED, {"status": "to_review"}))
    assert set(ids(to_review)) == set(expected) - {done_id, in_review_id}
    # An unknown status is ignored rather than hiding everything.
    assert set(ids(text(fragment(signed_in, FLAGGED, {"status": "bogus"})))) == set(expected)


def test_full_page_and_fragment_differ_by_hx_target(signed_in: Any) -> None:
    page = signed_in.get(FLAGGED, {"flag": "Queue"})
    assert "<html" in text(page)
    assert "HX-Request" in page["Vary"]
    other = signed_in.get(
        FLAGGED, {"flag": "Queue"}, headers={"HX-Request": "true", "HX-Target": "something-else"}
    )
    assert "<html" in text(other)  # only the flagged-results target gets a fragment
    assert ids(text(page)) == ids(text(fragment(signed_in, FLAGGED, {"flag": "Queue"})))


# -- sorting -----------------------------------------------------------------


@pytest.mark.parametrize("sort", ["duration", "-duration"])
def test_sorting_by_duration(signed_in: Any, sort: str) -> None:
    expected = expected_demo_flagged()
    body = text(fragment(signed_in, FLAGGED, {"sort": sort}))
    order = ids(body)
    assert set(order) == set(expected)
    known = [i for i in order if duration(expected[i]) is not None]
    want = sorted(known, key=lambda i: duration(expected[i]), reverse=sort.startswith("-"))
    assert known == want
    # A row whose length is not known ("—") comes last either way: never the longest.
    assert len(known) < len(order) and order[: len(known)] == known
    assert len({duration(expected[i]) for i in known}) > 3  # the order is meaningful
    # The header says which way it is sorted, and its link flips the direction.
    direction = "descending" if sort.startswith("-") else "ascending"
    flipped = "duration" if sort.startswith("-") else "-duration"
    assert re.search(rf'aria-sort="{direction}"><a href="\?[^"]*sort={flipped}', body)


def test_ascending_and_descending_are_reverses_for_known_durations(signed_in: Any) -> None:
    up = ids(text(fragment(signed_in, FLAGGED, {"sort": "duration"})))
    down = ids(text(fragment(signed_in, FLAGGED, {"sort": "-duration"})))
    expected = expected_demo_flagged()
    known_up = [i for i in up if duration(expected[i]) is not None]
    known_down = [i for i in down if duration(expected[i]) is not None]
    assert known_up == list(reversed(known_down))
    assert up != down


def test_sort_by_flag_and_unknown_sort_falls_back(signed_in: Any) -> None:
    expected = expected_demo_flagged()
    order = ids(text(fragment(signed_in, FLAGGED, {"sort": "flag"})))
    # By the reason the column shows, in words (then the type), as it reads.
    assert [flag_sort_text(expected[i]["flagType"]) for i in order] == sorted(
        flag_sort_text(b["flagType"]) for b in expected.values()
    )
    reasons = [flag_reason(expected[i]["flagType"])[0] for i in order]
    assert reasons == sorted(reasons, key=str.lower)
    fallback = ids(text(fragment(signed_in, FLAGGED, {"sort": "__class__"})))
    assert fallback == ids(text(fragment(signed_in, FLAGGED, {})))


# -- CSV export --------------------------------------------------------------


def test_rows_and_the_channel_filter_say_the_pages_channel_words(signed_in: Any) -> None:
    """ "Call" and "SMS" as on the interaction page; the filter's values stay the codes."""
    expected = expected_demo_flagged(hours=24 * 7)
    body = text(fragment(signed_in, FLAGGED, WEEK))
    options = dict(re.findall(r'<option value="(voice|sms)"[^>]*>([^<]*)</option>', body))
    assert options == {"voice": "Call", "sms": "SMS"}
    for iid, shown in rows(body):
        word = {"voice": "Call", "sms": "SMS"}[expected[iid]["channelType"]]
        direction = {"inbound": "Inbound", "outbound": "Outbound"}[expected[iid]["direction"]]
        assert f" {word} {direction} " in f" {shown} ", shown
        assert " voice " not in f" {shown} " and " inbound " not in f" {shown} ", shown
    assert 'title="API code: voice"' in body


def test_channel_choices_name_unknown_codes_as_sent_and_tell_alikes_apart() -> None:
    from dashboard.interactions.flagged import channel_choices

    assert channel_choices(["voice", "WhatsApp-Biz", "chat", "messaging"]) == [
        ("voice", "Call"),
        ("chat", "Chat (chat)"),
        ("messaging", "Chat (messaging)"),
        ("whatsapp-biz", "WhatsApp-Biz"),
    ]


def test_csv_has_a_header_and_the_rows_shown_with_the_same_filters(signed_in: Any) -> None:
    query = {"channel": "voice", "sort": "duration"}
    shown = ids(text(fragment(signed_in, FLAGGED, query)))
    assert shown
    response = signed_in.get(CSV_URL, query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert (
        "attachment" in response["Content-Disposition"]
        and ".csv" in response["Content-Disposition"]
    )
    table = read_csv(response)
    # The original columns keep their places (scripts read them by position); new ones come after.
    assert table[0] == [
        "interaction_id",
        "start",
        "channel",
        "direction",
        "flow",
        "flag_type",
        "flag_reason",
        "duration",
        "customer",
        "review_status",
        "agents",
        "queues",
        "assigned_to",
        "channel_words",
        "direction_words",
    ]
    assert [r[0] for r in table[1:]] == shown
    expected = expected_demo_flagged()
    for record in table[1:]:
        payload = expected[record[0]]
        assert record[2] == "voice"  # the CSV keeps the API's codes
        assert record[5] == payload["flagType"]
        seconds = duration(payload)
        if seconds is not None:  # h:mm:ss, for spreadsheets
            assert re.fullmatch(r"\d+:\d{2}:\d{2}", record[7]), record[7]
        assert record[6] == reason(payload["flagType"])
        # A phone number starts with "+": guarded like any formula-like cell (OWASP).
        assert (
            record[8] == "'" + payload["customer"]
            if payload["customer"][:1] == "+"
            else payload["customer"]
        )
        assert record[9] == "to_review"
        assert when(record[1]) == when(payload["startTimestamp"])
        assert record[10] == "; ".join(
            dict.fromkeys(a["agentName"] for a in agent_records(payload))
        )
        assert record[11] == "; ".join(
            dict.fromkeys(q["queueName"] for q in payload.get("queues", []))
        )
        assert record[12] == ""


def test_csv_export_is_audited(signed_in: Any) -> None:
    from dashboard.reviews.models import AuditEvent

    signed_in.get(CSV_URL)
    event = AuditEvent.objects.get(action="export")
    assert "CSV" in event.detail and event.tenant_id == DEMO_TENANT_ID


def test_csv_masks_customers_for_a_viewer_without_permission(masked_viewer: Any) -> None:
    expected = expected_demo_flagged()
    response = masked_viewer.get(CSV_URL)
    content = response.getvalue().decode("utf-8-sig")  # a streamed body is read once
    table = list(csv.reader(io.StringIO(content)))
    assert {r[0] for r in table[1:]} == set(expected)
    for record in table[1:]:
        original = expected[record[0]]["customer"]
        assert original not in content
        assert record[8].lstrip("'") == mask(original)
        assert "•••" in record[8]
    # The list page masks them too, and says so.
    page = text(masked_viewer.get(FLAGGED))
    assert "Customer details are masked" in page
    for payload in expected.values():
        assert payload["customer"] not in page
        assert mask(payload["customer"]) in page


def test_csv_neutralises_formula_like_values(api: StandInAPI, live_viewer: Any) -> None:
    evil = live_body(1, flag_type="Agent", flow='=HYPERLINK("x")', customer="@SUM(A1)")
    plain = live_body(2, flag_type="Queue", flow="-2+3")
    for b in (evil, plain):
        api.interactions[(LIVE, b["interactionId"])] = b
    table = read_csv(live_viewer.get(LIVE_CSV, LIVE_RANGE))
    by_id = {r[0]: r for r in table[1:]}
    assert by_id[evil["interactionId"]][4] == '\'=HYPERLINK("x")'
    assert by_id[evil["interactionId"]][8] == "'@SUM(A1)"
    assert by_id[plain["interactionId"]][4] == "'-2+3"
    # Nothing in any cell starts a formula.
    for record in table:
        for cell in record:
            assert cell[:1] not in ("=", "@"), cell
            assert cell[:1] not in ("+", "-") or re.fullmatch(r"-?\d+(\.\d+)?", cell), cell


@pytest.mark.parametrize(
    ("value", "guarded"),
    [
        # The OWASP list of leading characters, each guarded.
        ("=1+1", True),
        ("+1-1", True),
        ("-1+1", True),
        ("@SUM(A1)", True),
        ("\t=1", True),
        ("\r=1", True),
        ("-inf", True),
        ("+infinity", True),
        ("+15065552222", True),
        ("-nan", True),
        ("+1", True),
        ("--1", True),
        ("-1.2.3", True),
        ("-1e5", True),
        # Plain decimal numbers stay numbers.
        ("42", False),
        ("-42", False),
        ("3.14", False),
        ("-0.5", False),
        ("0", False),
        # Anything else is left alone.
        ("Support", False),
        ("", False),
        (" =1", False),
    ],
)
def test_csv_formula_guard_follows_owasp(value: str, guarded: bool) -> None:
    assert csvcell.cell(value) == ("'" + value if guarded else value)


# -- paging through the list endpoint ---------------------------------------


def test_pages_until_total_and_keeps_only_flagged(
    api: StandInAPI, live_viewer: Any, settings: Any
) -> None:
    settings.FLAGGED_PAGE_SIZE = 2
    flagged = seven_with_three_flagged(api)
    response = live_viewer.get(LIVE_FLAGGED, LIVE_RANGE)
    body = text(response)
    assert response.status_code == 200
    assert set(ids(body)) == set(flagged)
    assert api.requests[LIST_KEY] == 4  # offsets 0, 2, 4, 6 of 7
    assert "out of 7 in the range" in body
    shown = dict(rows(body))
    for iid, payload in flagged.items():
        assert payload["flowName"] in shown[iid]
        assert reason(payload["flagType"]) in shown[iid]


def test_list_pages_are_cached_between_requests(
    api: StandInAPI, live_viewer: Any, settings: Any
) -> None:
    settings.FLAGGED_PAGE_SIZE = 2
    flagged = seven_with_three_flagged(api)
    first = text(live_viewer.get(LIVE_FLAGGED, LIVE_RANGE))
    assert api.requests[LIST_KEY] == 4
    second = text(live_viewer.get(LIVE_FLAGGED, LIVE_RANGE))
    assert api.requests[LIST_KEY] == 4  # no further upstream list requests
    assert set(ids(first)) == set(ids(second)) == set(flagged)
    # Filters, sorting and the CSV re-read the cache as well.
    fragment(live_viewer, LIVE_FLAGGED, {**LIVE_RANGE, "flag": "Queue", "sort": "duration"})
    table = read_csv(live_viewer.get(LIVE_CSV, LIVE_RANGE))
    assert {r[0] for r in table[1:]} == set(flagged)
    assert api.requests[LIST_KEY] == 4


def test_list_request_carries_range_limit_and_offset(
    live_mode: str, live_viewer: Any, settings: Any
) -> None:
    settings.FLAGGED_PAGE_SIZE = 50
    with respx.mock() as mock:
        route = mock.get(f"{LIVE_API}/v1/tenants/{LIVE}/interactions").respond(
            json={
                "total": 1,
                "offset": 0,
                "limit": 50,
                "results": [live_body(3, flag_type="Segment")],
            }
        )
        body = text(live_viewer.get(LIVE_FLAGGED, LIVE_RANGE))
    assert route.call_count == 1
    params = dict(route.calls[0].request.url.params)
    assert params["limit"] == "50" and params["offset"] == "0"
    assert (
        params["start"] == "2026-01-01T00:00:00.000Z"
        and params["end"] == "2026-01-02T00:00:00.000Z"
    )
    assert ids(body) == [live_body(3)["interactionId"]]


def test_failing_page_keeps_the_rows_loaded_before_it(
    api: StandInAPI, live_viewer: Any, settings: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr("dashboard.cxengage.client.time.sleep", lambda s: None)
    settings.FLAGGED_PAGE_SIZE = 2
    flagged = seven_with_three_flagged(api)
    good = [
        json.dumps(api.list_body(LIVE, {"limit": "2", "offset": str(o)})).encode() for o in (0, 2)
    ]
    api.script(
        LIST_KEY,
        Behaviour(body=good[0], times=1),
        Behaviour(body=good[1], times=1),
        Behaviour(status=500, body=b'{"message": "boom"}'),
    )
    response = live_viewer.get(LIVE_FLAGGED, LIVE_RANGE)
    body = text(response)
    assert response.status_code == 200
    assert "Not every interaction could be loaded" in body
    assert "starting at interaction 4" in body
    loaded = {i for i in flagged if int(i[-12:]) < 4}
    assert loaded and set(ids(body)) == loaded  # the flagged ones from the first four
    assert "Try loading the rest again" in body
    # The CSV says it is incomplete.
    table = read_csv(live_viewer.get(LIVE_CSV, LIVE_RANGE))
    assert {r[0] for r in table[1:-1]} == loaded
    assert table[-1][0].startswith("# incomplete")


def test_failing_page_via_monkeypatched_list_page(
    signed_in: Any, monkeypatch: Any, settings: Any
) -> None:
    settings.FLAGGED_PAGE_SIZE = 4
    real = listing.list_page

    def flaky(
        tenant_id: str, query: listing.ListQuery, *, offset: int, limit: int, **more: Any
    ) -> Any:
        if offset == 4:
            raise errors.ServerError("The API answered 500.", status=500)
        return real(tenant_id, query, offset=offset, limit=limit, **more)

    monkeypatch.setattr(listing, "list_page", flaky)
    body = text(signed_in.get(FLAGGED, {"sort": "-start"}))
    assert "Not every interaction could be loaded" in body
    assert "The API answered 500." in body
    # What the first four (newest) served interactions held is still shown.
    expected = expected_demo_flagged()
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    served = sorted(
        (b for b in bodies() if now - timedelta(hours=24) <= when(b["startTimestamp"]) < now),
        key=lambda b: when(b["startTimestamp"]),
        reverse=True,
    )
    first_four = {str(b["interactionId"]).lower() for b in served[:4]}
    assert set(ids(body)) == first_four & set(expected)


def test_empty_range_says_so(signed_in: Any) -> None:
    body = text(
        signed_in.get(FLAGGED, {"start": "2020-01-01T00:00:00Z", "end": "2020-01-02T00:00:00Z"})
    )
    assert ids(body) == []
    assert "No flagged interactions match in this range" in body
    assert "<table" not in body


def test_time_budget_loads_in_steps(
    api: StandInAPI, live_viewer: Any, settings: Any, monkeypatch: Any
) -> None:
    settings.FLAGGED_PAGE_SIZE = 2
    flagged = seven_with_three_flagged(api)
    monkeypatch.setattr(list_views, "LOAD_BUDGET", 0)
    first = text(live_viewer.get(LIVE_FLAGGED, LIVE_RANGE))
    assert "<progress" in first
    assert 'hx-trigger="load delay:50ms"' in first
    assert 'hx-target="#flagged-results"' in first
    assert "<table" not in first
    body = first
    for _ in range(10):  # 4 pages: a handful of steps must finish
        body = text(fragment(live_viewer, LIVE_FLAGGED, LIVE_RANGE))
        if "<progress" not in body:
            break
    assert "<progress" not in body, "repeated loading requests never finished the scan"
    assert "<table" in body
    assert set(ids(body)) == set(flagged)
    assert api.requests[LIST_KEY] == 4  # each page fetched once across the steps


# -- ranges ------------------------------------------------------------------


def test_custom_range_uses_local_from_and_to(signed_in: Any) -> None:
    now = datetime.now(UTC)
    lo = (now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    hi = (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    body = text(signed_in.get(FLAGGED, {"range": "custom", "from": lo, "to": hi}))
    assert "Custom range" in body
    assert f'value="{lo}"' in body and f'value="{hi}"' in body
    assert set(ids(body)) >= set(expected_demo_flagged())


def test_custom_range_in_the_viewers_zone(signed_in: Any) -> None:
    signed_in.cookies["tz"] = "America%2FHalifax"
    body = text(
        signed_in.get(
            FLAGGED, {"range": "custom", "from": "2026-03-01T00:00", "to": "2026-03-02T00:00"}
        )
    )
    # Midnight in Halifax (AST, UTC-4) is 04:00 UTC.
    assert "start=2026-03-01T04%3A00%3A00.000Z" in body or "start=2026-03-01T04:00:00.000Z" in body


def test_explicit_start_and_end_are_not_labelled_as_a_preset(signed_in: Any) -> None:
    """``start``/``end`` override the preset, so the heading must not claim "Last 24 hours"."""
    body = text(
        signed_in.get(FLAGGED, {"start": "2026-01-01T00:00:00Z", "end": "2026-01-04T00:00:00Z"})
    )
    assert "2026-01-01" in body and "2026-01-04" in body
    assert "Last 24 hours:" not in body


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"range": "custom", "from": "2026-01-01T10:00"}, "Enter both ends of the custom range"),
        (
            {"range": "custom", "from": "yesterday", "to": "today"},
            "A date of the custom range could not be read",
        ),
        (
            {"range": "custom", "from": "2026-02-30T10:00", "to": "2026-12-01T00:00"},
            "A date of the custom range could not be read",
        ),
        (
            {"range": "custom", "from": "2026-01-02T10:00", "to": "2026-01-01T10:00"},
            "the two ends were swapped",
        ),
        (
            {"range": "custom", "from": "2026-11-30T10:00", "to": "2026-11-30T10:00"},
            "starts and ends at the same time",
        ),
        ({"start": "nonsense", "end": "2026-01-01T00:00:00Z"}, "could not be read"),
        (
            {"start": "2025-01-01T00:00:00Z", "end": "2026-01-01T00:00:00Z"},
            "Ranges are limited to 92 days",
        ),
    ],
    ids=[
        "missing-to",
        "unreadable",
        "no-such-day",
        "reversed",
        "empty",
        "bad-start",
        "too-long",
    ],
)
def test_invalid_ranges_explain_themselves(
    signed_in: Any, params: dict[str, str], says: str
) -> None:
    response = signed_in.get(FLAGGED, params)
    assert response.status_code == 200
    assert says in html.unescape(text(response))
    assert 'role="alert"' in text(response)


@pytest.mark.parametrize("preset", ["today", "yesterday", "7d", "30d"])
def test_presets_are_labelled(signed_in: Any, preset: str) -> None:
    body = text(signed_in.get(FLAGGED, {"range": preset}))
    assert f"{listing.PRESETS[preset]}:" in body
    assert f'<option value="{preset}" selected>' in body


# -- access ------------------------------------------------------------------


def test_no_grant_means_404_for_list_and_csv(client: Any, django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("outsider", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id="11111111-2222-4333-8444-555555555555")
    client.force_login(allow_contact_details(user))
    for url in (FLAGGED, CSV_URL):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "<tr data-interaction" not in text(response)


def test_no_grant_makes_no_upstream_call(
    live_mode: str, client: Any, django_user_model: Any
) -> None:
    user = django_user_model.objects.create_user("outsider", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=DEMO_TENANT_ID)
    client.force_login(user)
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route().respond(json={"total": 0, "results": []})
        assert client.get(LIVE_FLAGGED).status_code == 404
        assert client.get(LIVE_CSV).status_code == 404
        assert client.get(LIVE_FLAGGED, headers=HX).status_code == 404
    assert not route.called


def test_list_needs_sign_in(client: Any) -> None:
    response = client.get(FLAGGED)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_malformed_tenant_is_404(signed_in: Any) -> None:
    assert signed_in.get("/tenants/not-a-tenant/flagged/").status_code == 404
    upper = signed_in.get(f"/tenants/{DEMO_TENANT_ID.upper()}/flagged/", follow=True)
    assert upper.redirect_chain == [(f"/tenants/{DEMO_TENANT_ID}/flagged/", 301)]
    assert upper.status_code == 200
    assert set(ids(text(upper))) == set(expected_demo_flagged())


# -- agents, queues and reasons in words ----------------------------------------


def test_rows_name_agents_and_queues(signed_in: Any) -> None:
    expected = expected_demo_flagged()
    body = text(signed_in.get(FLAGGED))
    shown = dict(rows(body))
    many = 0
    for iid, payload in expected.items():
        agents = list(dict.fromkeys(a["agentName"] for a in agent_records(payload)))
        queues = list(dict.fromkeys(q["queueName"] for q in payload.get("queues", [])))
        for name in agents[:2] + queues[:2]:
            assert name in shown[iid], (iid, name)
        if len(agents) > 2:
            many += 1
            assert f"+{len(agents) - 2} more" in shown[iid]
            assert f'title="{html.escape(", ".join(agents))}"' in body  # every name on hover
            assert agents[2] not in shown[iid]
    assert many  # the demo has an interaction with more agents than a cell shows
    # Names sort A to Z at the first click, times and lengths newest and longest first.
    assert re.search(r'aria-sort="none"><a href="\?[^"]*sort=agent"', body)
    assert re.search(r'aria-sort="none"><a href="\?[^"]*sort=queue"', body)
    assert re.search(r'aria-sort="none"><a href="\?[^"]*sort=-duration"', body)


def test_sorting_by_agent_and_queue(signed_in: Any) -> None:
    expected = expected_demo_flagged()

    def first(iid: str, key: str) -> str:
        records = (
            agent_records(expected[iid]) if key == "agentName" else expected[iid].get("queues", [])
        )
        return (records[0][key] if records else "~").lower()

    for sort, key in (("agent", "agentName"), ("queue", "queueName")):
        order = ids(text(fragment(signed_in, FLAGGED, {"sort": sort})))
        assert [first(i, key) for i in order] == sorted(first(i, key) for i in order)
        assert len({first(i, key) for i in order}) > 3


def test_flag_filter_options_and_reasons_are_in_words(signed_in: Any) -> None:
    body = html.unescape(text(signed_in.get(FLAGGED)))
    for flag_type, (why, _) in FLAG_REASONS.items():
        if flag_type in {b["flagType"].lower() for b in expected_demo_flagged().values()}:
            assert why in body
    assert re.search(
        r'<option value="stuck">The interaction\'s end time never reached reporting\. \(Stuck\)',
        body,
    )


@pytest.mark.parametrize(
    "flag_type",
    [
        "forced - no reason provided",
        "exceed-counter-limit-terminated",
        "error-uncaught-flow-error",
        "Stuck",
        "Mystery-new-flag",
    ],
)
def test_the_intro_is_true_for_every_flag_type(signed_in: Any, flag_type: str) -> None:
    general = html.unescape(text(signed_in.get(FLAGGED)))
    intro = re.search(r'<p class="hint intro">(.*?)</p>', general, re.S)
    assert intro
    # Not every flag means missing data: the general intro names every kind of reason.
    assert "never arrived" not in intro.group(1)
    for kind in ("never reached reporting", "limit", "error", "by hand"):
        assert kind in intro.group(1)
    chosen = html.unescape(text(fragment(signed_in, FLAGGED, {"flag": flag_type})))
    intro = re.search(r'<p class="hint intro">(.*?)</p>', chosen, re.S)
    assert intro
    why, consequence = FLAG_REASONS.get(flag_type.lower(), GENERIC_FLAG_REASON)
    assert why in intro.group(1) and consequence in intro.group(1)


# -- every filter applies at once, the range included ---------------------------


def test_one_form_holds_the_range_and_every_filter_and_applies_on_change(signed_in: Any) -> None:
    body = text(fragment(signed_in, FLAGGED, {}))
    form = re.search(r'<form[^>]*class="filter-form".*?</form>', body, re.S)
    assert form
    for name in ("range", "from", "to", "flag", "channel", "status", "assigned"):
        assert f'name="{name}"' in form.group(0), name
    assert 'hx-trigger="change delay:300ms, submit"' in form.group(0)
    # Without JavaScript the same form is sent with a button.
    assert re.search(
        r"<noscript><p><button type=\"submit\">Show</button></p></noscript>", form.group(0)
    )
    assert 'class="range-form"' not in body  # no second form that needs its own button


def test_form_state_keeps_the_range_pinned_until_it_changes() -> None:
    from dashboard.interactions.flagged import list_state, range_marker

    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    first = list_state({}, UTC, now)
    was = range_marker(first.window, UTC)
    pinned = {
        "start": listing.iso(first.window.start),
        "end": listing.iso(first.window.end),
        "was": was,
        "range": "24h",
        "from": "2026-02-29T12:00",
        "to": "2026-03-01T12:00",
    }
    pinned["from"], pinned["to"] = was.split("|")[1:]
    # A filter changed an hour later: the same instants, so the same cached pages.
    later = list_state({**pinned, "flag": "Queue"}, UTC, now + timedelta(hours=1))
    assert later.window == first.window and later.flag == "queue"
    # Another preset: counted from now.
    week = list_state({**pinned, "range": "7d"}, UTC, now + timedelta(hours=1))
    assert week.window.preset == "7d"
    assert week.window.end == now + timedelta(hours=1)
    assert week.window.end - week.window.start == timedelta(days=7)
    # An edited end makes it a custom range, whatever the preset select says.
    edited = list_state({**pinned, "from": "2026-02-20T00:00"}, UTC, now)
    assert edited.window.preset == "custom"
    assert edited.window.start == datetime(2026, 2, 20, tzinfo=UTC)
    assert edited.window.end == first.window.end


def test_changing_the_range_in_the_form_lists_the_new_range(signed_in: Any) -> None:
    page = text(signed_in.get(FLAGGED))
    was = html.unescape(re.search(r'name="was" value="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    start = html.unescape(re.search(r'name="start" value="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    end = html.unescape(re.search(r'name="end" value="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    _, shown_from, shown_to = was.split("|")
    sent = {
        "start": start,
        "end": end,
        "was": was,
        "range": "24h",
        "from": shown_from,
        "to": shown_to,
    }
    assert set(ids(text(fragment(signed_in, FLAGGED, sent)))) == set(expected_demo_flagged())
    older = text(fragment(signed_in, FLAGGED, {**sent, "range": "yesterday"}))
    assert "Yesterday:" in older
    custom = text(
        fragment(signed_in, FLAGGED, {**sent, "from": "2020-01-01T00:00", "to": "2020-01-02T00:00"})
    )
    assert "Custom range:" in custom and ids(custom) == []
    assert 'value="2020-01-01T00:00"' in custom


# -- previous / next from an interaction opened from the list --------------------


def from_query(body: str, iid: str) -> str:
    """The list state that the row of ``iid`` hands to the interaction page."""
    link = re.search(rf'href="(/tenants/[^"]+/interactions/{iid}/\?from=[^"]+)"', body)
    assert link, iid
    url = html.unescape(link.group(1))
    return dict(parse_qsl(urlsplit(url).query))["from"]


def nav(client: Any, tenant: str, at: str, origin: str) -> dict[str, Any]:
    response = client.get(f"/tenants/{tenant}/flagged/nav/", {"at": at, "from": origin})
    assert response.status_code == 200
    body = html.unescape(text(response))
    assert body.lstrip().startswith('<nav id="flagged-nav"')

    def target(rel: str) -> str | None:
        found = re.search(rf'href="([^"]+)" rel="{rel}"', body)
        return found.group(1) if found else None

    def interaction(url: str | None) -> str | None:
        found = re.search(r"/interactions/([0-9a-f-]+)/", url or "")
        return found.group(1) if found else None

    position = re.search(r"(\d+) of (\d+)", body)
    back = re.search(r'<a href="([^"]+)">Back to the flagged list</a>', body)
    return {
        "previous": interaction(target("prev")),
        "next": interaction(target("next")),
        "previous_url": target("prev"),
        "next_url": target("next"),
        "position": (int(position.group(1)), int(position.group(2))) if position else None,
        "back": back.group(1) if back else None,
        "body": body,
    }


def test_rows_carry_the_list_state_to_the_interaction(signed_in: Any) -> None:
    query = {"channel": "voice", "sort": "duration"}
    body = text(fragment(signed_in, FLAGGED, query))
    first = ids(body)[0]
    state = dict(parse_qsl(from_query(body, first)))
    assert state["channel"] == "voice" and state["sort"] == "duration"
    assert state["start"].endswith("Z") and state["end"].endswith("Z")  # the range, pinned


def test_previous_and_next_follow_the_lists_filters_and_sort(signed_in: Any) -> None:
    body = text(fragment(signed_in, FLAGGED, {"channel": "voice", "sort": "duration"}))
    order = ids(body)
    assert len(order) >= 3
    origin = from_query(body, order[1])
    middle = nav(signed_in, DEMO_TENANT_ID, order[1], origin)
    assert (middle["previous"], middle["next"]) == (order[0], order[2])
    assert middle["position"] == (2, len(order))
    # The neighbours' links carry the same list state, and so does the way back.
    assert (
        f"?from={quote(origin)}" in middle["next_url"]
        or f"?from={quote_plus(origin)}" in middle["next_url"]
    )
    assert middle["back"] == f"{FLAGGED}?{origin}"
    ends = (
        nav(signed_in, DEMO_TENANT_ID, order[0], origin),
        nav(signed_in, DEMO_TENANT_ID, order[-1], origin),
    )
    assert ends[0]["previous"] is None and ends[0]["next"] == order[1]
    assert ends[1]["next"] is None and ends[1]["previous"] == order[-2]
    assert ends[1]["position"] == (len(order), len(order))


def test_an_interaction_marked_done_keeps_its_place_among_to_review(
    signed_in: Any, demo_user: Any
) -> None:
    body = text(fragment(signed_in, FLAGGED, {"status": "to_review"}))
    order = ids(body)
    origin = from_query(body, order[1])
    review_services.save_review(
        demo_user, DEMO_TENANT_ID, order[1], status="done", comment="", version=0
    )
    after = nav(signed_in, DEMO_TENANT_ID, order[1], origin)
    assert (after["previous"], after["next"]) == (order[0], order[2])
    assert after["position"] is None
    assert f"({len(order) - 1} shown)" in after["body"]
    nxt = nav(signed_in, DEMO_TENANT_ID, order[2], origin)
    assert nxt["previous"] == order[0] and nxt["position"] == (2, len(order) - 1)


def test_an_interaction_not_in_the_list_nor_placeable_leads_to_its_first_row(
    signed_in: Any,
) -> None:
    body = text(fragment(signed_in, FLAGGED, {**WEEK, "channel": "sms"}))
    order = ids(body)
    origin = from_query(body, order[0])
    unflagged = next(str(b["interactionId"]).lower() for b in bodies() if not b.get("flagged"))
    # Never opened (not cached) and not indexed: where it would sit is not known.
    outside = nav(signed_in, DEMO_TENANT_ID, unflagged, origin)
    assert (
        outside["previous"] is None and outside["next"] == order[0] and outside["position"] is None
    )
    assert "No longer in the list, and where it was is not known" in outside["body"]


def test_step_links_work_without_javascript(signed_in: Any) -> None:
    body = text(fragment(signed_in, FLAGGED, {"sort": "-start"}))
    order = ids(body)
    origin = from_query(body, order[0])
    step = f"/tenants/{DEMO_TENANT_ID}/flagged/step/"
    forward = signed_in.get(step, {"dir": "next", "at": order[0], "from": origin})
    assert forward.status_code == 302
    assert forward["Location"].startswith(
        f"/tenants/{DEMO_TENANT_ID}/interactions/{order[1]}/?from="
    )
    assert dict(parse_qsl(urlsplit(forward["Location"]).query))["from"] == origin
    back = signed_in.get(step, {"dir": "previous", "at": order[1], "from": origin})
    assert f"/interactions/{order[0]}/" in back["Location"]
    # Past either end: back to the list, with its filters.
    assert (
        signed_in.get(step, {"dir": "previous", "at": order[0], "from": origin})["Location"]
        == f"{FLAGGED}?{origin}"
    )
    assert (
        signed_in.get(step, {"dir": "next", "at": order[-1], "from": origin})["Location"]
        == f"{FLAGGED}?{origin}"
    )


def test_the_interaction_page_shows_the_nav_only_when_opened_from_the_list(signed_in: Any) -> None:
    body = text(signed_in.get(FLAGGED))
    first = ids(body)[0]
    origin = from_query(body, first)
    page = html.unescape(
        text(signed_in.get(f"/tenants/{DEMO_TENANT_ID}/interactions/{first}/", {"from": origin}))
    )
    block = re.search(r'<nav id="flagged-nav".*?</nav>', page, re.S)
    assert block
    assert f"/flagged/nav/?at={first}&from={quote(origin, safe='')}" in block.group(0)
    assert f"/flagged/step/?dir=next&at={first}&from={quote(origin, safe='')}" in block.group(0)
    assert f'href="{FLAGGED}?{origin}">Back to the flagged list' in block.group(0)
    # The breadcrumb goes back to the same list, as "Back to the flagged list" does.
    assert f'href="{FLAGGED}?{origin}">Flagged list</a></nav>' in page
    plain = text(signed_in.get(f"/tenants/{DEMO_TENANT_ID}/interactions/{first}/"))
    assert 'id="flagged-nav"' not in plain
    assert f'href="{FLAGGED}">Flagged list</a></nav>' in plain


def test_a_hostile_list_state_is_escaped_and_ignored(signed_in: Any) -> None:
    first = ids(text(signed_in.get(FLAGGED)))[0]
    evil = '"><script>alert(1)</script>&sort=__class__&status=<b>'
    page = text(signed_in.get(f"/tenants/{DEMO_TENANT_ID}/interactions/{first}/", {"from": evil}))
    assert "<script>alert(1)" not in page
    around = nav(signed_in, DEMO_TENANT_ID, first, evil)
    assert "<script>" not in around["body"]
    assert around["position"] is not None  # the default list, unfiltered
    assert (
        signed_in.get(
            f"/tenants/{DEMO_TENANT_ID}/flagged/nav/", {"at": "not-a-uuid", "from": ""}
        ).status_code
        == 200
    )


def test_previous_and_next_cost_no_upstream_request_on_a_warm_cache(
    api: StandInAPI, live_viewer: Any, settings: Any
) -> None:
    settings.FLAGGED_PAGE_SIZE = 2
    flagged = seven_with_three_flagged(api)
    body = text(live_viewer.get(LIVE_FLAGGED, LIVE_RANGE))
    assert api.requests[LIST_KEY] == 4
    order = ids(body)
    assert set(order) == set(flagged)
    origin = from_query(body, order[1])
    middle = nav(live_viewer, LIVE, order[1], origin)
    assert (middle["previous"], middle["next"]) == (order[0], order[2])
    step = live_viewer.get(
        f"/tenants/{LIVE}/flagged/step/", {"dir": "next", "at": order[1], "from": origin}
    )
    assert f"/interactions/{order[2]}/" in step["Location"]
    assert api.requests[LIST_KEY] == 4  # both read the cached pages


def test_nav_and_step_need_a_grant(live_mode: str, client: Any, django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("outsider", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=DEMO_TENANT_ID)
    client.force_login(user)
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route().respond(json={"total": 0, "results": []})
        for part in ("nav", "step"):
            response = client.get(
                f"/tenants/{LIVE}/flagged/{part}/", {"at": LIVE, "from": "", "dir": "next"}
            )
            assert response.status_code == 404, part
    assert not route.called


# -- refining loaded rows ---------------------------------------------------------


def test_refine_filters_by_assignee_and_keeps_the_one_asked_for() -> None:
    from dashboard.interactions.domain import Flag, Summary

    def row(n: int) -> Summary:
        return Summary(
            interaction_id=f"i{n}",
            start=datetime(2026, 1, 1, n, tzinfo=UTC),
            end=None,
            channel_type="voice",
            direction="inbound",
            flow_name="F",
            customer=None,
            flag=Flag(True, "Agent", None),
            agent_names=(f"Agent {9 - n}",),
            queue_names=(),
        )

    rows_ = [row(n) for n in range(5)]
    owners = {"i1": 7, "i3": 8}
    assert [
        r.interaction_id for r in listing.refine(rows_, {}, assignees=owners, assigned="7")
    ] == ["i1"]
    assert [
        r.interaction_id
        for r in listing.refine(rows_, {}, assignees=owners, assigned="none", sort="start")
    ] == ["i0", "i2", "i4"]
    kept = listing.refine(rows_, {}, assignees=owners, assigned="7", always="i3", sort="start")
    assert [r.interaction_id for r in kept] == ["i1", "i3"]
    by_agent = listing.refine(rows_, {}, sort="agent")
    assert [r.agent_names[0] for r in by_agent] == [
        "Agent 5",
        "Agent 6",
        "Agent 7",
        "Agent 8",
        "Agent 9",
    ]


def test_nav_on_a_cold_cache_offers_the_step_links(
    api: StandInAPI, live_viewer: Any, settings: Any, monkeypatch: Any
) -> None:
    """The interaction was opened after the list's pages expired: no position yet, but the
    links still work (the step view waits for the list)."""
    settings.FLAGGED_PAGE_SIZE = 2
    seven_with_three_flagged(api)
    body = text(live_viewer.get(LIVE_FLAGGED, LIVE_RANGE))
    order = ids(body)
    origin = from_query(body, order[1])
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(list_views, "LOAD_BUDGET", 0)
    around = nav(live_viewer, LIVE, order[1], origin)
    assert around["position"] is None
    assert "still loading" in around["body"]
    assert around["next_url"].startswith(
        f"/tenants/{LIVE}/flagged/step/?dir=next&at={order[1]}&from="
    )
    step = live_viewer.get(html.unescape(around["next_url"]))
    assert f"/interactions/{order[2]}/" in step["Location"]


def test_step_goes_to_the_list_when_the_range_cannot_load_in_time(
    api: StandInAPI, live_viewer: Any, settings: Any, monkeypatch: Any
) -> None:
    settings.FLAGGED_PAGE_SIZE = 2
    seven_with_three_flagged(api)
    body = text(live_viewer.get(LIVE_FLAGGED, LIVE_RANGE))
    order = ids(body)
    origin = from_query(body, order[0])
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(list_views, "STEP_BUDGET", 0)
    step = live_viewer.get(
        f"/tenants/{LIVE}/flagged/step/", {"dir": "next", "at": order[0], "from": origin}
    )
    assert step.status_code == 302
    assert step["Location"] == f"{LIVE_FLAGGED}?{origin}"  # the list, which shows its progress


def test_the_csvs_file_name_marks_its_range_as_utc(signed_in: Any) -> None:
    """A viewer 14 hours ahead of UTC reads the name's times as UTC, not as their own."""
    signed_in.cookies["tz"] = "Pacific/Kiritimati"
    response = signed_in.get(
        CSV_URL, {"start": "2026-11-30T10:00:00.000Z", "end": "2026-12-01T10:00:00.000Z"}
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="flagged-20261130T1000Z-20261201T1000Z.csv"'
    )
