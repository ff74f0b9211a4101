"""The pages, end to end through Django: content, statuses, access, failures."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import httpx
import pytest
import respx
from django.core.management import call_command
from django.urls import reverse

from dashboard.accounts.models import TenantGrant
from dashboard.demo.api import DEMO_TENANT_ID, catalogue
from tests.conftest import IID, PAGE, TENANT, UPSTREAM, load_fixture

pytestmark = pytest.mark.django_db


def html(response: Any) -> str:
    return response.content.decode()


# -- sign-in and access ------------------------------------------------------


def test_pages_need_sign_in_and_deep_links_survive_it(client: Any) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={PAGE}"


def test_sign_in_returns_to_the_deep_link(client: Any, demo_user: Any) -> None:
    response = client.post(
        "/accounts/login/", {"username": "supervisor", "password": "pw-for-tests-1", "next": PAGE}
    )
    assert response.status_code == 302
    assert response["Location"] == PAGE


def test_healthz_needs_no_sign_in(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_user_without_grant_gets_404_and_no_upstream_call(
    live_mode: str, client: Any, django_user_model: Any
) -> None:
    user = django_user_model.objects.create_user("other", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id="11111111-2222-4333-8444-555555555555")
    client.force_login(user)
    with respx.mock(assert_all_called=False) as mock:
        route = mock.get(UPSTREAM).respond(json=load_fixture("reference-sample.json"))
        response = client.get(PAGE)
        raw = client.get(PAGE + "raw/?download=1")
    assert response.status_code == 404
    assert raw.status_code == 404
    assert not route.called
    assert "+15065552222" not in html(response)


def test_superuser_sees_every_tenant(live_mode: str, client: Any, django_user_model: Any) -> None:
    admin = django_user_model.objects.create_superuser("root", password="pw-for-tests-1")
    client.force_login(admin)
    with respx.mock() as mock:
        mock.get(UPSTREAM).respond(json=load_fixture("reference-sample.json"))
        response = client.get(PAGE)
    assert response.status_code == 200
    assert "Basic Flow" in html(response)


def test_grant_tenant_command(django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("newbie")
    call_command("grant_tenant", "newbie", TENANT.upper(), "--label", "Support")
    grant = TenantGrant.objects.get(user=user)
    assert grant.tenant_id == TENANT and grant.label == "Support"
    call_command("grant_tenant", "newbie", TENANT, "--revoke")
    assert not TenantGrant.objects.filter(user=user).exists()


def test_grant_tenant_rejects_bad_input(django_user_model: Any) -> None:
    from django.core.management.base import CommandError

    django_user_model.objects.create_user("newbie")
    with pytest.raises(CommandError, match="UUID"):
        call_command("grant_tenant", "newbie", "not-a-tenant")
    with pytest.raises(CommandError, match="No user"):
        call_command("grant_tenant", "ghost", TENANT)


# -- IDs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/tenants/{TENANT}/interactions/not-a-uuid/",
        f"/tenants/nope/interactions/{IID}/",
        f"/tenants/{TENANT}/interactions/{IID.replace('-', '')}/",
        f"/tenants/{TENANT}/interactions/%3Cscript%3E/",
        f"/tenants/{TENANT}/interactions/{IID}x/",
    ],
)
def test_malformed_ids_are_404_without_upstream_call(live_user: Any, path: str) -> None:
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route().respond(json={})
        response = live_user.get(path)
    assert response.status_code == 404
    assert not route.called
    assert "UUID" in html(response)
    assert "<script>" not in html(response)


def test_upper_case_ids_redirect_to_canonical_url(live_user: Any) -> None:
    with respx.mock(assert_all_called=False) as mock:
        route = mock.route().respond(json={})
        response = live_user.get(
            PAGE.upper()
            .replace("/TENANTS/", "/tenants/")
            .replace("/INTERACTIONS/", "/interactions/")
        )
    assert response.status_code == 301
    assert response["Location"] == PAGE
    assert not route.called


# -- live data and every failure --------------------------------------------


def test_live_page_shows_the_interaction(live_user: Any) -> None:
    with respx.mock() as mock:
        route = mock.get(UPSTREAM).respond(json=load_fixture("reference-sample.json"))
        response = live_user.get(PAGE)
    body = html(response)
    assert response.status_code == 200
    assert route.call_count == 1
    expected = "Basic " + base64.b64encode(b"api-user:s3cret-pw").decode()
    assert route.calls[0].request.headers["Authorization"] == expected
    for text in (
        "Inbound call",
        "Abandoned in queue Support after 1:34",
        "+15065552222",
        "+15065551111",
        "Basic Flow",
        "2017-12-07 19:20:33.394 UTC",
        ">1:34<",  # the queue time, a short duration as m:ss
        "Support",
        "abandon",
        "customer-disconnect",
        "IVR time",
        "Complete",
    ):
        assert text in body, text
    assert "Demo data" not in body
    assert "s3cret" not in body


@pytest.mark.parametrize(
    ("upstream", "status", "says"),
    [
        (
            httpx.Response(404, json={"message": "Interaction not found"}),
            404,
            "No such interaction in this tenant",
        ),
        (
            httpx.Response(403, json={"errors": [{"message": "nope"}]}),
            403,
            "INTERACTIONS_API_READ_ALL",
        ),
        (httpx.Response(401, text="bad credentials"), 502, "credentials are wrong"),
        (httpx.Response(500, json={"error": "boom"}), 502, "unavailable"),
        (httpx.Response(503, text="<html>down</html>"), 502, "unavailable"),
        (httpx.Response(200, text="<html>not json</html>"), 502, "unreadable"),
        (httpx.Response(200, json=[1, 2, 3]), 502, "unreadable"),
        (httpx.Response(302, headers={"Location": "https://evil.example/"}), 502, "unreadable"),
    ],
)
def test_each_upstream_failure_has_its_page(
    live_user: Any, upstream: httpx.Response, status: int, says: str, caplog: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr("dashboard.cxengage.client.time.sleep", lambda s: None)
    with respx.mock() as mock:
        mock.get(UPSTREAM).mock(return_value=upstream)
        response = live_user.get(PAGE)
    assert response.status_code == status
    body = html(response)
    assert says in body
    assert "Traceback" not in body
    assert any(
        getattr(r, "upstream_path", None) and UPSTREAM.endswith(r.upstream_path)
        for r in caplog.records
    )
    assert "s3cret" not in caplog.text


def test_rate_limited_page_says_when_to_retry(live_user: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("dashboard.cxengage.client.time.sleep", lambda s: None)
    with respx.mock() as mock:
        route = mock.get(UPSTREAM).respond(429, headers={"Retry-After": "1"})
        response = live_user.get(PAGE)
    assert route.call_count == 3
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert "busy" in html(response) and "1 s" in html(response)
    assert "Try again" in html(response)


def test_refused_connection_is_503(live_user: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("dashboard.cxengage.client.time.sleep", lambda s: None)
    with respx.mock() as mock:
        mock.get(UPSTREAM).mock(side_effect=httpx.ConnectError("refused"))
        response = live_user.get(PAGE)
    assert response.status_code == 503
    assert "unavailable" in html(response)


def test_timeout_is_504(live_user: Any) -> None:
    with respx.mock() as mock:
        mock.get(UPSTREAM).mock(side_effect=httpx.ReadTimeout("slow"))
        response = live_user.get(PAGE)
    assert response.status_code == 504
    assert "did not answer in time" in html(response)


def test_one_upstream_request_per_cache_lifetime(live_user: Any) -> None:
    with respx.mock() as mock:
        route = mock.get(UPSTREAM).respond(json=load_fixture("reference-sample.json"))
        for _ in range(3):
            assert live_user.get(PAGE).status_code == 200
        assert live_user.get(PAGE + "raw/").status_code == 200
    assert route.call_count == 1


def test_not_found_is_cached_briefly(live_user: Any) -> None:
    with respx.mock() as mock:
        route = mock.get(UPSTREAM).respond(404)
        assert live_user.get(PAGE).status_code == 404
        assert live_user.get(PAGE).status_code == 404
    assert route.call_count == 1


def test_in_progress_interaction_is_cached_briefly(live_user: Any, settings: Any) -> None:
    settings.CACHE_TTL_IN_PROGRESS = 1  # whole seconds: Redis keeps no fractions
    body = {**load_fixture("reference-sample.json"), "dataComplete": False}
    import time

    with respx.mock() as mock:
        route = mock.get(UPSTREAM).respond(json=body)
        live_user.get(PAGE)
        live_user.get(PAGE)
        assert route.call_count == 1
        time.sleep(2.1)
        live_user.get(PAGE)
    assert route.call_count == 2


def test_upstream_content_is_escaped(live_user: Any) -> None:
    body = load_fixture("reference-sample.json")
    body.update(
        notes='<script>alert("notes")</script>',
        flowName="<img src=x onerror=alert(1)>",
        customer='"><svg onload=alert(2)>',
        audioRecording="javascript:alert(3)",
        messagingTranscript=[{"from": "customer", "text": "<b hx-get=/admin/>hi</b>"}],
    )
    with respx.mock() as mock:
        mock.get(UPSTREAM).respond(json=body)
        response = live_user.get(PAGE)
    page = html(response)
    assert response.status_code == 200
    assert "<script>alert" not in page
    assert "<img src=x" not in page and "<svg onload" not in page and "<b hx-get" not in page
    assert "&lt;script&gt;" in page
    assert 'href="javascript:' not in page
    assert "not a plain http(s) address" in page


# -- demo data ---------------------------------------------------------------


def test_home_lists_the_demo_interactions(signed_in: Any) -> None:
    response = signed_in.get("/")
    body = html(response)
    assert response.status_code == 200
    assert "Demo data" in body
    for entry in catalogue():
        assert reverse("interaction", args=[DEMO_TENANT_ID, entry["interaction_id"]]) in body


@pytest.mark.parametrize("entry", catalogue(), ids=lambda e: e["file"])
def test_every_demo_interaction_renders(signed_in: Any, entry: dict[str, Any]) -> None:
    response = signed_in.get(reverse("interaction", args=[DEMO_TENANT_ID, entry["interaction_id"]]))
    body = html(response)
    assert response.status_code == 200
    assert "Demo data" in body
    assert entry["interaction_id"] in body
    if entry["body"].get("flowName"):
        assert entry["body"]["flowName"] in body.replace("&#x27;", "'").replace("&amp;", "&")
    if entry["body"].get("flagged"):
        assert "Flagged" in body and "What may be wrong" in body


def test_flag_reasons_are_plain_language(signed_in: Any) -> None:
    seen = set()
    for entry in catalogue():
        flag_type = entry["body"].get("flagType")
        if not flag_type:
            continue
        body = html(
            signed_in.get(reverse("interaction", args=[DEMO_TENANT_ID, entry["interaction_id"]]))
        )
        seen.add(flag_type)
        if flag_type == "Agent":
            assert "agent&#x27;s end time never reached reporting" in body
        if flag_type == "Mystery-new-flag":
            assert "does not know" in body
    assert {
        "Agent",
        "Queue",
        "Segment",
        "Stuck",
        "Safeguard-terminated",
        "forced - no reason provided",
        "exceed-counter-limit-terminated",
        "error-uncaught-flow-error",
    } <= seen


def test_demo_unknown_interaction_is_404(signed_in: Any) -> None:
    response = signed_in.get(
        f"/tenants/{DEMO_TENANT_ID}/interactions/00000000-0000-1000-8000-000000000000/"
    )
    assert response.status_code == 404
    assert "No such interaction in this tenant" in html(response)


def test_raw_json_view_and_download(signed_in: Any) -> None:
    entry = catalogue()[0]
    base = reverse("interaction_raw", args=[DEMO_TENANT_ID, entry["interaction_id"]])
    view = signed_in.get(base)
    assert view.status_code == 200 and "Raw JSON" in html(view)
    download = signed_in.get(base + "?download=1")
    assert download["Content-Type"] == "application/json"
    assert "attachment" in download["Content-Disposition"]
    assert json.loads(download.content)["interactionId"] == entry["body"]["interactionId"]


def test_raw_json_view_keeps_the_apis_key_order(signed_in: Any) -> None:
    """The view says it is what the API sent: its keys in the API's order, not sorted."""
    import html as html_lib

    entry = catalogue()[0]
    base = reverse("interaction_raw", args=[DEMO_TENANT_ID, entry["interaction_id"]])
    shown = html_lib.unescape(html(signed_in.get(base)).split('<pre class="raw-json"')[1])
    keys = list(entry["body"])
    assert keys != sorted(keys)  # the sample's own order is not alphabetical
    positions = [shown.index(f'\n  "{key}":') for key in keys]  # top level: two spaces
    assert positions == sorted(positions)


def test_recently_viewed_lists_opened_interactions(signed_in: Any) -> None:
    entry = catalogue()[1]
    signed_in.get(reverse("interaction", args=[DEMO_TENANT_ID, entry["interaction_id"]]))
    home = html(signed_in.get("/"))
    recent = home[home.index("Recently viewed") : home.index("Demo interactions")]
    assert entry["interaction_id"] in recent


def test_viewer_time_zone_from_cookie(signed_in: Any) -> None:
    entry = next(e for e in catalogue() if e["body"]["interactionId"] == IID)
    signed_in.cookies["tz"] = "America%2FHalifax"
    body = html(
        signed_in.get(reverse("interaction", args=[DEMO_TENANT_ID, entry["interaction_id"]]))
    )
    assert "Start (America/Halifax)" in body
    assert "2017-12-07 15:20:33 AST" in body


def _demo_page(client: Any, name: str, zone: str) -> str:
    entry = next(e for e in catalogue() if e["file"] == name)
    client.cookies["tz"] = zone.replace("/", "%2F")
    return html(client.get(reverse("interaction", args=[DEMO_TENANT_ID, entry["interaction_id"]])))


def test_the_summary_says_when_in_the_viewers_zone_on_the_first_screen(signed_in: Any) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    body = _demo_page(signed_in, "answered-call-with-holds.json", "America/Toronto")
    from dashboard.demo.api import bodies

    entry = next(e for e in catalogue() if e["file"] == "answered-call-with-holds.json")
    served = next(b for b in bodies() if b["interactionId"] == entry["body"]["interactionId"])
    # The demo moves its day near today (14:12:07 to 14:24:13 UTC, keeping the time of day).
    start = datetime.fromisoformat(served["startTimestamp"])
    end = datetime.fromisoformat(served["endTimestamp"]).astimezone(ZoneInfo("America/Toronto"))
    day = start.astimezone(ZoneInfo("America/Toronto"))
    line = body[body.index('<p class="when" id="when">') :]
    line = line[: line.index("</p>")]
    assert (
        f'<time datetime="{start.isoformat().replace("+00:00", "Z")}"'
        f' title="{start:%Y-%m-%d %H:%M:%S}.281 UTC">'
        f"{day:%a} {day.day} {day:%b %Y}, {day:%H:%M:%S}</time>"
    ) in line
    assert f">{end:%H:%M:%S}</time></span> (America/Toronto)" in line
    # It sits in the summary card, between the outcome sentence and the key figures.
    assert body.index('id="outcome"') < body.index('id="when"') < body.index('class="figures"')
    # An end that never arrived is said to be unknown, not made up.
    stuck = _demo_page(signed_in, "flagged-stuck.json", "America/Toronto")
    when = stuck[stuck.index('id="when"') :]
    assert 'class="when-end missing"><span title=' in when[: when.index("</p>")]
    assert "end unknown</span></span> (America/Toronto)" in when


def test_chat_transcript_times_are_in_the_viewers_zone(signed_in: Any) -> None:
    # The transcript writes "[14:03] Customer: hello" in UTC; India keeps no summer time.
    body = _demo_page(signed_in, "chat-transcript-text.json", "Asia/Kolkata")
    assert "Times in Asia/Kolkata (the transcript writes them in UTC)." in body
    assert 'title="14:03 UTC in the transcript">19:33</time>' in body
    assert "[14:03] Customer: hello" in body  # the transcript as sent, unchanged
    sms = _demo_page(signed_in, "sms-transcript-list.json", "Asia/Kolkata")
    assert "Times in Asia/Kolkata." in sms
    # The first message as served (the demo moves its day near today, and back a few
    # minutes when it would end after now): 19:14:03 UTC is 00:44:03 in India.
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from dashboard.demo.api import bodies

    entry = next(e for e in catalogue() if e["file"] == "sms-transcript-list.json")
    served = next(b for b in bodies() if b["interactionId"] == entry["body"]["interactionId"])
    sent = datetime.fromisoformat(served["messagingTranscript"][0]["timestamp"])
    assert f">{sent.astimezone(ZoneInfo('Asia/Kolkata')):%H:%M:%S}</time>" in sms


@pytest.mark.parametrize(
    ("show", "stored", "said"),
    [
        (True, "Asia/Tokyo", True),
        (False, "Asia/Tokyo", False),  # the setting is off
        (True, "", False),  # the tenant's zone is not known
        (True, "Asia/Kolkata", False),  # it is the viewer's own
    ],
)
def test_the_tenants_zone_beside_the_viewers_when_the_setting_asks(
    signed_in: Any, settings: Any, show: bool, stored: str, said: bool
) -> None:
    from dashboard.index.models import SyncState

    settings.SHOW_TENANT_ZONE = show
    SyncState.objects.create(tenant_id=DEMO_TENANT_ID, tenant_timezone=stored)
    body = _demo_page(signed_in, "chat-transcript-text.json", "Asia/Kolkata")
    # Started at 14:03:07 UTC: 19:33:07 in India, 23:03:07 in Tokyo.
    assert "19:33:07 IST" in body
    beside = (
        '19:33:07 IST</time> <span class="aside-note">'
        "· 23:03:07 in the tenant&#x27;s zone (Asia/Tokyo)"
    )
    assert (beside in body) is said
    assert ("in the tenant&#x27;s zone" in body) is said
    # The summary's when-line says it too, after the viewer's zone.
    tokyo = '(Asia/Kolkata) <span class="aside-note">· 23:03:07 in the tenant&#x27;s zone'
    assert (tokyo in body) is said


def _big_demo() -> dict[str, Any]:
    return max(catalogue(), key=lambda e: len(e["body"].get("segments") or []))


def test_a_big_interaction_makes_only_the_rows_its_first_view_shows(signed_in: Any) -> None:
    """Long tables are folded with no row made, participants show 5; the rest are made
    when asked for."""
    from dashboard.interactions import cache as services

    entry = _big_demo()
    agents = entry["body"]["agents"]
    page = reverse("interaction", args=[DEMO_TENANT_ID, entry["interaction_id"]])
    body = html(signed_in.get(page))
    assert body.count('<tr id="participant-') == 5
    assert body.count('<tr id="agent-') == 0
    assert f"{len(agents)} allocations: the first 5 are shown" in body
    assert f"Show all {len(agents)} rows" in body
    for key in ("segments", "queues", "agents"):
        fold = f'hx-get="{page}?all={key}" hx-trigger="toggle once" hx-target="#{key}-rows"'
        assert fold in body.replace("&amp;", "&"), key
        assert f'<div id="{key}-rows" class="rows-later">' in body
        assert f'<a href="{page}?all={key}#{key}">Show all {len(agents)} rows</a>' in body
    fold = f'hx-get="{page}?all=participants" hx-trigger="toggle once"'
    assert fold in body.replace("&amp;", "&")
    assert f'href="{page}?all=participants#participants"' in body
    # The page's tables made no row.
    view = next(v for k, (v, _) in services.MEMO._data.items() if k[0] == "page")
    assert [t.total for t in view.tables] == [len(agents)] * 3
    assert all("rows" not in t.__dict__ for t in view.tables)


@pytest.mark.parametrize("key", ["segments", "queues", "agents"])
def test_a_folded_record_table_sends_its_rows_when_its_fold_opens(signed_in: Any, key: str) -> None:
    """The fold's htmx request (HX-Target ``<key>-rows``) gets that table's every row,
    not the page; the same rows as the page with ``?all=<key>`` has."""
    entry = _big_demo()
    records = entry["body"][key]
    page = reverse("interaction", args=[DEMO_TENANT_ID, entry["interaction_id"]])
    rows = signed_in.get(page, {"all": key}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=f"{key}-rows")
    fragment = html(rows)
    assert rows.status_code == 200
    assert fragment.lstrip().startswith(f'<div id="{key}-rows">')
    assert "<html" not in fragment and "Raw JSON" not in fragment
    assert f'<table id="{key}-table">' in fragment
    row_id = {"segments": "segment-", "queues": "queue-", "agents": "agent-"}[key]
    assert fragment.count(f'<tr id="{row_id}') == len(records)
    assert "HX-Target" in rows["Vary"]
    whole = html(signed_in.get(page, {"all": key}))
    for anchor in re.findall(r'<tr id="([^"]+)"', fragment):
        assert f'<tr id="{anchor}"' in whole
    # The target names the table, whatever ``all`` says.
    other = html(
        signed_in.get(page, {"all": "zzz"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=f"{key}-rows")
    )
    assert other.lstrip().startswith(f'<div id="{key}-rows">')


def test_the_other_participants_load_as_a_fragment_or_with_the_page(signed_in: Any) -> None:
    entry = _big_demo()
    agents = entry["body"]["agents"]
    page = reverse("interaction", args=[DEMO_TENANT_ID, entry["interaction_id"]])
    rest = signed_in.get(
        page, {"all": "participants"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="participants-rest"
    )
    fragment = html(rest)
    assert rest.status_code == 200
    assert fragment.lstrip().startswith('<div id="participants-rest">')
    assert fragment.count('<tr id="participant-') == len(agents) - 5
    assert "<html" not in fragment and "Agent allocations" not in fragment
    assert "HX-Target" in rest["Vary"]
    assert rest["ETag"]
    # Without JavaScript: the whole page with every row, the fold open.
    whole = html(signed_in.get(page, {"all": "participants"}))
    assert whole.count('<tr id="participant-') == len(agents)
    assert '<details class="table-fold participants-rest" open>' in whole
    last = agents[-1]["interactionAgentId"]
    assert f'<tr id="participant-{last}"' in whole and f'<tr id="participant-{last}"' in fragment
    # Every table row is still one link away.
    every = html(signed_in.get(page, {"all": "segments"}))
    assert every.count('<tr id="segment-') == len(entry["body"]["segments"])


# -- look-up form ------------------------------------------------------------


def test_lookup_by_pasted_url(signed_in: Any) -> None:
    url = f"https://api.cxengage.net/v1/tenants/{TENANT.upper()}/interactions/{IID}"
    response = signed_in.get("/", {"url": url})
    assert response.status_code == 302
    assert response["Location"] == PAGE


def test_lookup_by_ids(signed_in: Any) -> None:
    response = signed_in.get("/", {"tenant_id": f" {TENANT} ", "interaction_id": IID.upper()})
    assert response["Location"] == PAGE


def test_lookup_explains_bad_input(signed_in: Any) -> None:
    body = html(signed_in.get("/", {"tenant_id": "abc", "interaction_id": ""}))
    assert "A tenant ID is a UUID" in body
    assert "Enter an interaction ID" in body
    body = html(signed_in.get("/", {"url": "https://example.com/nothing"}))
    assert "names no interaction" in body


def test_names_people_and_the_api_wrote_keep_their_case(signed_in: Any, monkeypatch: Any) -> None:
    """A chat customer called "web-visitor-8f2c" is never shown as "Web-visitor-8f2c"."""
    from tests.novel import serve_novel

    url = serve_novel(monkeypatch, "chat-two-agents")["chat-two-agents"]
    body = html(signed_in.get(url))
    assert '<span class="sender">web-visitor-8f2c</span>' in body
    assert "Web-visitor" not in body


def test_a_live_refresh_keeps_the_zoom_lanes_and_focus_even_after_a_failed_one(
    live_user: Any, monkeypatch: Any
) -> None:
    """The timeline's refresh asks for the same view: the chosen bar stays marked in the
    redrawn timeline, and a refresh that failed tries again for the same zoom and focus."""
    import re

    from django.core.cache import cache

    from dashboard.interactions import cache as services

    monkeypatch.setattr("dashboard.cxengage.client.time.sleep", lambda s: None)
    body = {**load_fixture("reference-sample.json"), "dataComplete": False}
    view = "?zoom=0-30&expand=agents&focus=ivr"
    with respx.mock(assert_all_called=False) as mock:
        route = mock.get(UPSTREAM).respond(json=body)
        mock.get(url__startswith=UPSTREAM + "/").respond(json={"results": []})
        page = html(live_user.get(PAGE + view))
        cache.delete(services.interaction_key(TENANT, IID))
        route.respond(503)
        failed = html(
            live_user.get(
                PAGE + view + "&failures=0", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="timeline"
            )
        )
    for text in (page, failed):
        poll = re.search(r'class="poller" hx-get="([^"]*)"', text)
        assert poll is not None
        assert re.search(r"zoom=0(\.0)?-30(\.0)?&amp;", poll[1]), poll[1]
        assert "expand=agents&amp;" in poll[1], poll[1]
        assert "focus=ivr&amp;" in poll[1], poll[1]
    assert "could not refresh" in failed


def test_the_detail_panels_links_keep_the_timelines_zoom_and_open_lanes(live_user: Any) -> None:
    """Closing the panel or following a related link puts the same timeline view in the
    address bar: a reload then shows the lanes still open, the zoom still on."""
    import re

    bar = "segment-b2233520-db83-11e7-b86d-6aa612aefe9d"
    with respx.mock(assert_all_called=False) as mock:
        mock.get(UPSTREAM).respond(json=load_fixture("reference-sample.json"))
        mock.get(url__startswith=UPSTREAM + "/").respond(json={"results": []})
        panel = html(
            live_user.get(
                PAGE + f"?zoom=0-30&expand=agents&focus={bar}",
                HTTP_HX_REQUEST="true",
                HTTP_HX_TARGET="detail-panel",
            )
        )
    links = re.findall(r'<a href="([^"]*)"[^>]*hx-target="#detail-panel"', panel)
    assert len(links) >= 2, panel  # Close, and at least one related bar
    for link in links:
        assert "zoom=0.0-30.0&amp;expand=agents" in link, link


def test_the_flags_show_where_links_keep_the_timelines_zoom(live_user: Any) -> None:
    import re

    from tests.story.test_novel import NOVEL

    body = json.loads((NOVEL / "flagged-agent-end-before-start.json").read_text())
    body["tenantId"], body["interactionId"] = TENANT, IID
    body["details"]["interactionId"] = IID
    with respx.mock(assert_all_called=False) as mock:
        mock.get(UPSTREAM).respond(json=body)
        mock.get(url__startswith=UPSTREAM + "/").respond(json={"results": []})
        page = html(live_user.get(PAGE + "?zoom=0-60&expand=agents"))
    links = re.findall(r'href="([^"]*focus=[^"]*)"', page[: page.index('id="timeline"')])
    assert len(links) == 2, links  # the header's "!" and the flag box's "Show where"
    for link in links:
        assert "zoom=0.0-60.0&amp;expand=agents&amp;focus=" in link, link


def test_a_table_filter_finds_a_name_however_its_accents_are_encoded(live_user: Any) -> None:
    """ "José" typed or pasted with a combining accent (NFD, as macOS writes file names)
    looks the same as the API's "José" (NFC): the filter finds the rows either way."""
    import re
    import unicodedata

    from dashboard.demo.generate import generate_interaction

    body = generate_interaction(30)
    body["tenantId"], body["interactionId"] = TENANT, IID
    first = body["agents"][0]["agentId"]
    for a in body["agents"]:
        if a["agentId"] == first:
            a["agentName"] = "José Núñez"
    named = sum(a["agentId"] == first for a in body["agents"])
    with respx.mock(assert_all_called=False) as mock:
        mock.get(UPSTREAM).respond(json=body)
        mock.get(url__startswith=UPSTREAM + "/").respond(json={"results": []})
        for typed in ("José Núñez", unicodedata.normalize("NFD", "josé núñez")):
            page = html(live_user.get(PAGE, {"all": "agents", "q": typed}))
            table = page[page.index('id="agents-table"') :]
            table = table[: table.index("</table>")]
            assert len(re.findall(r"<tr id=", table)) == named, typed
            assert f"{named} of {len(body['agents'])} rows match" in page


def test_a_refresh_that_finds_the_interaction_over_reloads_the_whole_page(
    live_user: Any,
) -> None:
    """The live page's status, running time, "so far" figures and tables are not part of
    the timeline: once a refresh finds the interaction complete, the page reloads rather
    than keep saying "Live" and ticking beside a finished timeline."""
    body = load_fixture("reference-sample.json")
    poll = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "timeline"}
    with respx.mock(assert_all_called=False) as mock:
        route = mock.get(UPSTREAM).respond(json={**body, "dataComplete": False})
        mock.get(url__startswith=UPSTREAM + "/").respond(json={"results": []})
        still_live = live_user.get(PAGE + "?failures=", **poll)
        from django.core.cache import cache

        from dashboard.interactions import cache as services

        cache.delete(services.interaction_key(TENANT, IID))
        route.respond(json={**body, "dataComplete": True})
        over = live_user.get(PAGE + "?failures=", **poll)
        zoomed = live_user.get(PAGE + "?zoom=0-30", **poll)
    assert still_live.status_code == over.status_code == zoomed.status_code == 200
    assert "HX-Refresh" not in still_live
    assert over["HX-Refresh"] == "true"
    assert "HX-Refresh" not in zoomed  # a zoom on a finished interaction is only a zoom


def test_a_zoom_redraws_the_open_detail_panel_with_the_timeline(live_user: Any) -> None:
    """The panel's links carry the timeline's view and say whether the bar is drawn:
    a zoom (or a live refresh) sends the panel again beside the timeline, out of band,
    rather than leave links to the old range."""
    bar = "segment-b2233520-db83-11e7-b86d-6aa612aefe9d"
    timeline = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "timeline"}
    with respx.mock(assert_all_called=False) as mock:
        mock.get(UPSTREAM).respond(json=load_fixture("reference-sample.json"))
        mock.get(url__startswith=UPSTREAM + "/").respond(json={"results": []})
        zoomed = html(live_user.get(PAGE + f"?zoom=0-30&focus={bar}", **timeline))
        unfocused = html(live_user.get(PAGE + "?zoom=0-30", **timeline))
        polled = html(live_user.get(PAGE + f"?zoom=0-30&focus={bar}&failures=", **timeline))
    assert 'id="detail-panel"' not in polled  # a live refresh leaves the panel alone
    assert zoomed.count('id="detail-panel"') == 1
    panel = zoomed[zoomed.index('<section id="detail-panel"') :]
    assert 'hx-swap-oob="true"' in panel[: panel.index(">")]
    assert "?zoom=0.0-30.0&amp;focus=" in panel
    assert 'id="detail-panel"' not in unfocused


def test_the_zoom_form_asks_for_a_keyboard_that_can_type_its_own_values(
    live_user: Any,
) -> None:
    """Its fields hold "1:34" or "3 d 0 h 22 min 53 s": a numeric keypad (no ":" and no
    letters on a phone) could not type the range the form itself shows."""
    import re

    with respx.mock(assert_all_called=False) as mock:
        mock.get(UPSTREAM).respond(json=load_fixture("reference-sample.json"))
        mock.get(url__startswith=UPSTREAM + "/").respond(json={"results": []})
        page = html(live_user.get(PAGE))
    fields = re.findall(r"<input[^>]*name=\"zoom_(?:from|to)\"[^>]*>", page)
    assert len(fields) == 2
    for field in fields:
        assert 'inputmode="numeric"' not in field, field


def test_a_live_refresh_redraws_the_status_outcome_and_figures_beside_the_timeline(
    live_user: Any,
) -> None:
    """While an interaction is live, its outcome ("Still waiting in …"), its "so far"
    figures and its status change with each copy: a refresh sends them out of band with
    the timeline, rather than leave the first copy's words beside a newer timeline."""
    body = load_fixture("reference-sample.json")
    live = {**body, "dataComplete": False, "endTimestamp": None}
    live["details"] = {**body["details"], "endTimestamp": None}
    live["segments"] = [
        {**s, "endTimestamp": None, "segmentEndType": None} for s in body["segments"]
    ]
    live["queues"] = [
        {**q, "endTimestamp": None, "queueExitType": None, "queueAbandoned": False}
        for q in body["queues"]
    ]
    moved = {**live, "queues": [{**q, "queueName": "Billing Priority"} for q in live["queues"]]}
    poll = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "timeline"}
    from django.core.cache import cache

    from dashboard.interactions import cache as services

    with respx.mock(assert_all_called=False) as mock:
        route = mock.get(UPSTREAM).respond(json=live)
        mock.get(url__startswith=UPSTREAM + "/").respond(json={"results": []})
        first = html(live_user.get(PAGE))
        cache.delete(services.interaction_key(TENANT, IID))
        route.respond(json=moved)
        polled = html(live_user.get(PAGE + "?failures=0", **poll))
        zoomed = html(live_user.get(PAGE + "?zoom=0-30", **poll))
    assert "Still waiting in" in first and "Billing Priority" not in first
    assert polled.index('id="timeline"') < polled.index('id="live-outcome"')
    for part in ("status-badge", "live-outcome", "live-figures"):
        tag = polled[polled.rindex("<", 0, polled.index(f'id="{part}"')) :]
        assert 'hx-swap-oob="true"' in tag[: tag.index(">")], part
        assert first.count(f'id="{part}"') == 1
    outcome = polled[polled.index('id="live-outcome"') :]
    assert "Still waiting in Billing Priority" in outcome[: outcome.index("</div>")]
    assert "so far" in polled[polled.index('id="live-figures"') :]
    assert 'id="live-outcome"' not in zoomed  # a zoom redraws the timeline only


def test_a_long_tables_filter_and_links_keep_the_timelines_zoom_lanes_and_focus(
    live_user: Any,
) -> None:
    """Filtering a long table, showing all its rows or folding it again reloads the page:
    the timeline's zoom, open lanes and chosen bar come along, rather than be lost."""
    import re

    from dashboard.demo.generate import generate_interaction

    body = generate_interaction(30)
    body["tenantId"], body["interactionId"] = TENANT, IID
    view = "zoom=0-60&expand=agents&focus=ivr"
    with respx.mock(assert_all_called=False) as mock:
        mock.get(UPSTREAM).respond(json=body)
        mock.get(url__startswith=UPSTREAM + "/").respond(json={"results": []})
        page = html(live_user.get(PAGE + "?" + view))
        expanded = html(live_user.get(PAGE + "?" + view + "&all=agents"))
        plain = html(live_user.get(PAGE + "?all=agents"))
    form = page[page.index('<form class="table-tools"') :]
    form = form[: form.index("</form>")]
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))
    assert fields["zoom"] == "0.0-60.0" and fields["expand"] == "agents"
    assert fields["focus"] == "ivr"
    # The fold's rows (htmx) and its link to every row keep the view too.
    fold_part = page[page.index('id="agents-title"') :]
    fold_part = fold_part[: fold_part.index("</details>")]
    assert 'hx-get="' in fold_part and "Show all 30 rows" in fold_part
    assert fold_part.count("?zoom=0.0-60.0&amp;expand=agents&amp;focus=ivr&amp;all=agents") == 2
    fold = re.search(r'href="([^"]*)">Fold the table', expanded)
    assert fold and "?zoom=0.0-60.0&amp;expand=agents&amp;focus=ivr#" in fold.group(1)
    unzoomed = re.search(r'href="([^"]*)">Fold the table', plain)
    assert unzoomed and "?" not in unzoomed.group(1)  # the memo keeps the views apart


def test_a_filtered_long_table_comes_back_with_the_keyboard_in_its_filter(
    live_user: Any,
) -> None:
    """The filter's Enter reloads the page at the table: the box keeps the focus, so
    the next words typed refine it, rather than the focus falling to the page's top."""
    import re

    from dashboard.demo.generate import generate_interaction

    body = generate_interaction(30)
    body["tenantId"], body["interactionId"] = TENANT, IID
    with respx.mock(assert_all_called=False) as mock:
        mock.get(UPSTREAM).respond(json=body)
        mock.get(url__startswith=UPSTREAM + "/").respond(json={"results": []})
        filtered = html(live_user.get(PAGE, {"all": "agents", "q": "a"}))
        plain = html(live_user.get(PAGE))
    boxes = re.findall(r'<input type="search" id="([a-z]+)-filter"[^>]*>', filtered)
    focused = re.findall(r'<input type="search" id="([a-z]+)-filter"[^>]*autofocus[^>]*>', filtered)
    assert "agents" in boxes and focused == ["agents"]
    assert "autofocus" not in plain


def test_the_flagged_lists_place_stays_in_the_pages_links(live_user: Any) -> None:
    """Opened from the flagged list (``?from=`` holds its filters and sort), the page's
    own links (the header's "!", "Show where on the timeline", zoom, lanes, a bar) keep
    it: after following one, previous / next flagged and "3 of 12" are still there."""
    import re
    from urllib.parse import quote

    from tests.story.test_novel import NOVEL

    body = json.loads((NOVEL / "flagged-agent-end-before-start.json").read_text())
    body["tenantId"], body["interactionId"] = TENANT, IID
    body["details"]["interactionId"] = IID
    came_from = "range=7d&flag=agent&sort=-duration"
    with respx.mock(assert_all_called=False) as mock:
        mock.get(UPSTREAM).respond(json=body)
        mock.get(url__startswith=UPSTREAM + "/").respond(json={"results": []})
        page = html(live_user.get(PAGE, {"from": came_from, "zoom": "0-60"}))
    kept = "from=" + quote(came_from, safe="").replace("&", "&amp;")
    links = re.findall(r'href="(\?[^"]*|/tenants/[^"]*\?[^"]*)"', page)
    focus_links = [link for link in links if "focus=" in link]
    zoom_links = [link for link in links if "zoom=" in link and "#timeline" in link]
    assert focus_links and zoom_links
    for link in focus_links + zoom_links:
        assert kept in link, link
    assert 'id="flagged-nav"' in page


def test_the_record_tables_are_kept_apart_by_all_and_the_filter(live_user: Any) -> None:
    """The record tables' rendered copy is reused per ``?all=`` and ``?q=`` (read by the
    ``param`` filter): the folded page, all rows and a filter each show their own rows,
    in whatever order they are asked for."""
    from dashboard.demo.generate import generate_interaction

    body = generate_interaction(30)
    body["tenantId"], body["interactionId"] = TENANT, IID
    with respx.mock(assert_all_called=False) as mock:
        mock.get(UPSTREAM).respond(json=body)
        mock.get(url__startswith=UPSTREAM + "/").respond(json={"results": []})
        pages = {
            query: html(live_user.get(PAGE + query))
            for query in ("", "?all=segments", "?all=segments&q=zzz-none", "", "?q=zzz-none")
        }
    rows = {query: text.count('<tr id="segment-') for query, text in pages.items()}
    assert rows[""] == 0 and rows["?all=segments"] > 20
    assert rows["?all=segments&q=zzz-none"] == 0
    assert rows["?q=zzz-none"] == 0  # a filter without ?all= does not filter: still folded
    assert "<summary>All 30 rows</summary>" in pages["?q=zzz-none"]
    assert "0 of" in pages["?all=segments&q=zzz-none"]
