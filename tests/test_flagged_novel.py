"""The flagged list with list-endpoint data unlike the demo's: flag types in other spellings and
unknown ones, rows without agents or queues, names with markup, quotes, RTL text and emoji,
unreadable times, an interaction listed on two pages, and an API that fails before anything
loaded; and previous / next, assignment and reviews as a reviewer uses them from the list."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
import respx

from dashboard.accounts.models import TenantGrant
from dashboard.interactions.domain import NO_FLAG_TYPE_REASON, flag_reason
from tests.conftest import LIVE_API, allow_contact_details

pytestmark = pytest.mark.django_db

TENANT = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"
LIST = f"{LIVE_API}/v1/tenants/{TENANT}/interactions"
FLAGGED = f"/tenants/{TENANT}/flagged/"
CSV_URL = f"/tenants/{TENANT}/flagged/export.csv"
NAV = f"/tenants/{TENANT}/flagged/nav/"
HX = {"HX-Request": "true", "HX-Target": "flagged-results"}
RANGE = {"start": "2026-01-01T00:00:00Z", "end": "2026-01-03T00:00:00Z"}

ROW = re.compile(r'<tr data-interaction="([^"]+)">(.*?)</tr>', re.S)
TAG = re.compile(r"<[^>]+>")
#: The isolate around a name reads as part of the text around it (no space).
INLINE = re.compile(r"</?bdi>")


def iid(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-00000000abcd"


def z(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def listed(n: int, **fields: Any) -> dict[str, Any]:
    """One list-endpoint row, n minutes after 10:00 on 1 January; a field given as ``...`` is
    left out."""
    start = datetime(2026, 1, 1, 10, tzinfo=UTC) + timedelta(minutes=n)
    row: dict[str, Any] = {
        "interactionId": iid(n),
        "startTimestamp": z(start),
        "endTimestamp": z(start + timedelta(seconds=30 + n)),
        "channelType": "voice",
        "direction": "inbound",
        "flowName": "Main line",
        "customer": "+15065550123",
        "flagged": True,
        "flagType": "agent",
        **fields,
    }
    return {k: v for k, v in row.items() if v is not ...}


Pages = Callable[[int, int], dict[str, Any]]


def pages_of(rows: list[dict[str, Any]]) -> Pages:
    """The list endpoint over ``rows``, paged by the request's offset and limit."""

    def page(offset: int, limit: int) -> dict[str, Any]:
        return {
            "total": len(rows),
            "offset": offset,
            "limit": limit,
            "tenantId": TENANT,
            "results": rows[offset : offset + limit],
        }

    return page


def serve(mock: respx.MockRouter, pages: Pages) -> respx.Route:
    def answer(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        return httpx.Response(200, json=pages(int(params["offset"]), int(params["limit"])))

    return mock.get(LIST).mock(side_effect=answer)


def text(response: Any) -> str:
    return response.content.decode()


def rows(body: str) -> list[tuple[str, str]]:
    """(interaction id, the row's visible text) for each table row, in order."""
    return [
        (found, " ".join(html.unescape(TAG.sub(" ", INLINE.sub("", inner))).split()))
        for found, inner in ROW.findall(body)
    ]


def ids(body: str) -> list[str]:
    return [found for found, _ in rows(body)]


def from_query(body: str, interaction: str) -> str:
    link = re.search(rf'href="(/tenants/[^"]+/interactions/{interaction}/\?from=[^"]+)"', body)
    assert link, interaction
    return dict(parse_qsl(urlsplit(html.unescape(link.group(1))).query))["from"]


def nav(client: Any, at: str, origin: str) -> dict[str, Any]:
    response = client.get(NAV, {"at": at, "from": origin})
    body = html.unescape(text(response))

    def neighbour(rel: str) -> str | None:
        link = re.search(rf'href="[^"]*/interactions/([0-9a-f-]+)/[^"]*" rel="{rel}"', body)
        return link.group(1) if link else None

    position = re.search(r"(\d+) of (\d+)", body)
    return {
        "status": response.status_code,
        "previous": neighbour("prev"),
        "next": neighbour("next"),
        "position": (int(position.group(1)), int(position.group(2))) if position else None,
        "body": body,
    }


@pytest.fixture
def reviewer(client: Any, django_user_model: Any, live_mode: str) -> Any:
    user = django_user_model.objects.create_user("reviewer", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=TENANT)
    client.force_login(allow_contact_details(user))
    return client


# -- an interaction listed on two pages ------------------------------------------------


def test_an_interaction_listed_again_on_the_next_page_is_one_row(
    reviewer: Any, settings: Any
) -> None:
    # Newest first, three a page: one that arrived while the range loaded pushed the third
    # row down, so the second page starts with it again.
    settings.FLAGGED_PAGE_SIZE = 3
    served = [listed(n) for n in range(10, 0, -1)]
    served.insert(3, dict(served[2]))
    with respx.mock() as mock:
        serve(mock, pages_of(served))
        body = text(reviewer.get(FLAGGED, RANGE))
        order = ids(body)
        assert order == [iid(n) for n in range(10, 0, -1)]
        assert "<strong>10</strong> flagged interactions, out of 10 in the range" in body
        origin = from_query(body, order[2])
        # Next from the repeated one is the one after it, never itself.
        there = nav(reviewer, order[2], origin)
        assert (there["previous"], there["next"]) == (order[1], order[3])
        assert there["position"] == (3, 10)
        assert nav(reviewer, order[-1], origin)["position"] == (10, 10)


def test_a_row_repeated_within_one_page_is_shown_once(reviewer: Any) -> None:
    served = [listed(2), listed(1), listed(1, flagType="queue")]
    with respx.mock() as mock:
        serve(mock, pages_of(served))
        body = text(reviewer.get(FLAGGED, RANGE))
    assert ids(body) == [iid(2), iid(1)]


# -- an API that fails before anything loaded -------------------------------------------


@pytest.mark.parametrize(
    ("answer", "status", "says"),
    [
        (httpx.Response(403, json={"message": "nope"}), 403, "INTERACTIONS_API_READ_ALL"),
        (httpx.Response(404, json={"message": "no tenant"}), 404, "does not know this tenant"),
        (httpx.Response(200, text="<html>maintenance</html>"), 502, "could not be read"),
        (httpx.Response(200, json={"results": "none"}), 502, "could not be read"),
        (httpx.Response(200, json=[1, 2]), 502, "could not be read"),
        (httpx.Response(500, json={"error": "boom"}), 502, "try again"),
    ],
)
def test_a_list_that_could_not_load_at_all_says_so_with_the_failures_status(
    reviewer: Any, monkeypatch: Any, answer: httpx.Response, status: int, says: str, caplog: Any
) -> None:
    monkeypatch.setattr("dashboard.cxengage.client.time.sleep", lambda s: None)
    with respx.mock() as mock:
        mock.get(LIST).mock(return_value=answer)
        page = reviewer.get(FLAGGED, RANGE)
        fragment = reviewer.get(FLAGGED, RANGE, headers=HX)
        exported = reviewer.get(CSV_URL, RANGE)
        around = nav(reviewer, iid(1), "range=7d")
    for response in (page, fragment, exported):
        body = " ".join(html.unescape(text(response)).split())
        assert response.status_code == status
        assert says in body
        # Never "no flagged interactions" when nothing could be read.
        assert "No flagged interactions match" not in body
        assert "<table" not in body
    assert "could not be loaded" in text(page)
    assert around["status"] == status
    assert "could not be loaded" in around["body"] and "Not in the list" not in around["body"]
    assert around["previous"] is None and around["next"] is None
    logged = [r for r in caplog.records if r.name == "dashboard.failures"]
    assert any("flagged list failed" in r.getMessage() for r in logged)
    assert any("flagged CSV failed" in r.getMessage() for r in logged)


@pytest.mark.parametrize(
    ("trouble", "status"),
    [(httpx.ReadTimeout("slow"), 504), (httpx.ConnectError("refused"), 503)],
)
def test_a_slow_or_unreachable_api_gives_the_list_its_status(
    reviewer: Any, monkeypatch: Any, trouble: Exception, status: int
) -> None:
    monkeypatch.setattr("dashboard.cxengage.client.time.sleep", lambda s: None)
    with respx.mock() as mock:
        mock.get(LIST).mock(side_effect=trouble)
        response = reviewer.get(FLAGGED, RANGE)
    assert response.status_code == status
    assert "could not be loaded" in text(response) and "Try again" in text(response)


def test_a_busy_api_gives_the_list_a_retry_after(reviewer: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("dashboard.cxengage.client.time.sleep", lambda s: None)
    with respx.mock() as mock:
        mock.get(LIST).mock(return_value=httpx.Response(429, headers={"Retry-After": "7"}))
        response = reviewer.get(FLAGGED, RANGE)
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert "Try again" in text(response)


def test_a_list_that_failed_after_some_pages_is_still_shown(
    reviewer: Any, settings: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr("dashboard.cxengage.client.time.sleep", lambda s: None)
    settings.FLAGGED_PAGE_SIZE = 2
    good = pages_of([listed(n) for n in range(6, 0, -1)])

    def answer(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        if offset >= 2:
            return httpx.Response(503)
        return httpx.Response(200, json=good(offset, 2))

    with respx.mock() as mock:
        mock.get(LIST).mock(side_effect=answer)
        response = reviewer.get(FLAGGED, RANGE)
    assert response.status_code == 200
    assert "Not every interaction could be loaded" in text(response)
    assert ids(text(response)) == [iid(6), iid(5)]


# -- flag types in other spellings, unknown ones, none -----------------------------------

SPELLINGS = [
    ("AGENT", "agent"),
    ("Agent", "agent"),
    (" agent ", "agent"),
    ("queue", "queue"),
    ("Brand-New-Flag", "brand-new-flag"),
    (None, "none"),
    ("", "none"),
]


def spelled() -> list[dict[str, Any]]:
    return [
        listed(n, flagType=flag if flag is not None else ...)
        for n, (flag, _) in enumerate(SPELLINGS, start=1)
    ]


def options(body: str) -> dict[str, str]:
    select = re.search(r'<select name="flag".*?</select>', body, re.S)
    assert select
    found = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0))
    return {value: html.unescape(label) for value, label in found if value}


def flagged_as(key: str) -> list[str]:
    return [iid(n) for n, (_, k) in enumerate(SPELLINGS, start=1) if k == key]


def check_flag_filter(client: Any) -> None:
    body = text(client.get(FLAGGED, RANGE))
    choices = options(body)
    assert set(choices) == {"agent", "queue", "brand-new-flag", "none"}
    assert choices["agent"] == "An agent's end time never reached reporting. (AGENT, Agent, agent)"
    assert choices["none"] == "No flag type given"
    assert "does not know" in choices["brand-new-flag"]
    for asked, key in (
        ("agent", "agent"),
        ("Agent", "agent"),
        (" QUEUE", "queue"),
        ("none", "none"),
    ):
        body = text(client.get(FLAGGED, {**RANGE, "flag": asked}, headers=HX))
        assert sorted(ids(body)) == sorted(flagged_as(key)), asked
        assert f'<option value="{key}" selected>' in body
    # Rows without a type say so in the list, and the intro says why is not known, as the
    # interaction's own page does (one wording: ``domain.NO_FLAG_TYPE_REASON``).
    body = text(client.get(FLAGGED, RANGE))
    untyped = [r for i, r in rows(body) if i in flagged_as("none")]
    assert untyped and all(NO_FLAG_TYPE_REASON[0] in r for r in untyped)
    assert "for some the API gave no flag type, so why is not known" in body
    assert flag_reason(None) == flag_reason("  ") == NO_FLAG_TYPE_REASON
    body = text(client.get(FLAGGED, {**RANGE, "sort": "flag"}, headers=HX))
    key_of = {iid(n): k for n, (_, k) in enumerate(SPELLINGS, start=1)}
    keys = [key_of[i] for i in ids(body)]
    # In the order of the reasons the column shows, whatever the type's spelling ("A
    # queue's …" before "An agent's …"), the ones without a type last.
    from dashboard.interactions.listing import flag_sort_text

    assert keys == sorted(keys, key=lambda k: (k == "none", flag_sort_text(k)))
    assert keys.index("queue") < keys.index("agent") < keys.index("brand-new-flag")


def test_one_flag_filter_per_type_whatever_its_spelling_live(reviewer: Any) -> None:
    with respx.mock() as mock:
        serve(mock, pages_of(spelled()))
        check_flag_filter(reviewer)


def test_one_flag_filter_per_type_whatever_its_spelling_from_the_index(reviewer: Any) -> None:
    from tests.index_search.rows import index_row, synced

    synced(TENANT, back=timedelta(days=2000))
    for row in spelled():
        index_row(
            tenant=TENANT,
            interaction_id=row["interactionId"],
            start=datetime.fromisoformat(row["startTimestamp"].replace("Z", "+00:00")),
            flagged=True,
            flag_type=row.get("flagType") or "",
        )
    with respx.mock():  # the index covers the range: no request
        check_flag_filter(reviewer)


# -- channel codes in other spellings -----------------------------------------------------

CHANNELS = [("voice", "voice"), ("VOICE", "voice"), ("Voice ", "voice"), ("sms", "sms"),
            ("WhatsApp-Biz", "whatsapp-biz"), ("whatsapp-biz", "whatsapp-biz")]  # fmt: skip


def check_channel_filter(client: Any) -> None:
    body = text(client.get(FLAGGED, RANGE))
    select = re.search(r'<select name="channel".*?</select>', body, re.S)
    assert select
    found = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0))
    assert {value: html.unescape(label) for value, label in found if value} == {
        "voice": "Call",
        "sms": "SMS",
        "whatsapp-biz": "WhatsApp-Biz",
    }
    for asked, key in (("voice", "voice"), ("VOICE", "voice"), ("whatsapp-biz", "whatsapp-biz")):
        wanted = [iid(n) for n, (_, k) in enumerate(CHANNELS, start=1) if k == key]
        body = text(client.get(FLAGGED, {**RANGE, "channel": asked}, headers=HX))
        assert sorted(ids(body)) == sorted(wanted), asked
        assert f'<option value="{key}" selected>' in body
        exported = b"".join(client.get(CSV_URL, {**RANGE, "channel": asked}).streaming_content)
        assert len(exported.decode().splitlines()) == len(wanted) + 1, asked


def test_one_channel_filter_per_code_whatever_its_case_live(reviewer: Any) -> None:
    served = [listed(n, channelType=code) for n, (code, _) in enumerate(CHANNELS, start=1)]
    with respx.mock() as mock:
        serve(mock, pages_of(served))
        check_channel_filter(reviewer)


def test_one_channel_filter_per_code_whatever_its_case_from_the_index(reviewer: Any) -> None:
    from tests.index_search.rows import index_row, synced

    synced(TENANT, back=timedelta(days=2000))
    for n, (code, _) in enumerate(CHANNELS, start=1):
        index_row(
            tenant=TENANT,
            interaction_id=iid(n),
            start=datetime(2026, 1, 1, 10, tzinfo=UTC) + timedelta(minutes=n),
            flagged=True,
            flag_type="agent",
            channel=code,
        )
    with respx.mock():  # the index covers the range: no request
        check_channel_filter(reviewer)


# -- agent and queue columns, whatever the rows came from -------------------------------


def test_rows_read_from_the_index_name_agents_and_queues_when_the_rest_is_live(
    reviewer: Any,
) -> None:
    from django.utils import timezone

    from tests.index_search.rows import index_row, synced

    now = timezone.now()
    # The index covers the last two days; "Last 7 days" reads the rest live.
    synced(TENANT, back=timedelta(days=2))
    indexed = index_row(
        tenant=TENANT,
        start=now - timedelta(hours=5),
        flagged=True,
        flag_type="queue",
        queues=[("Billing", 30.0), ("Support", 12.0)],
        agents=[("Alice Tremblay", "Billing", 60.0)],
    )
    older = listed(
        1,
        startTimestamp=z(now - timedelta(days=4)),
        endTimestamp=z(now - timedelta(days=4) + timedelta(minutes=2)),
        agents=[{"agentName": "Bob Okafor"}],
        queues=[{"queueName": "Sales"}],
    )
    with respx.mock() as mock:
        serve(mock, pages_of([older]))
        body = text(reviewer.get(FLAGGED, {"range": "7d"}))
    shown = dict(rows(body))
    assert "for the part it has not covered yet" in body
    assert "Alice Tremblay" in shown[indexed.interaction_id]
    assert "Billing, Support" in shown[indexed.interaction_id]
    assert "Bob Okafor" in shown[iid(1)] and "Sales" in shown[iid(1)]
    for sort, first in (("agent", indexed.interaction_id), ("-queue", iid(1))):
        body = text(reviewer.get(FLAGGED, {"range": "7d", "sort": sort}, headers=HX))
        assert ids(body)[0] == first, sort


# -- times that cannot be read or do not add up ----------------------------------------


def backwards() -> list[dict[str, Any]]:
    """Three flagged rows: one whose end comes before its start with the API's own figure,
    one without it, and a plain one lasting 0:40."""
    return [
        listed(3, endTimestamp="2026-01-01T09:00:00Z", interactionTime=95),
        listed(2, endTimestamp="2026-01-01T09:00:00Z"),
        listed(1, endTimestamp=z(datetime(2026, 1, 1, 10, 1, 40, tzinfo=UTC))),
    ]


def check_backwards(client: Any) -> None:
    body = text(client.get(FLAGGED, RANGE))
    shown = dict(rows(body))
    assert " 1:35 " in shown[iid(3)]
    assert " — +" in shown[iid(2)]  # no length rather than a negative one
    assert " 0:40 " in shown[iid(1)]
    body = text(client.get(FLAGGED, {**RANGE, "sort": "duration"}, headers=HX))
    assert ids(body) == [iid(1), iid(3), iid(2)]
    exported = b"".join(client.get(CSV_URL, RANGE).streaming_content).decode()
    assert "-1:" not in exported and "'-" not in exported


def test_an_end_before_the_start_is_no_negative_length_live(reviewer: Any) -> None:
    with respx.mock() as mock:
        serve(mock, pages_of(backwards()))
        check_backwards(reviewer)


def test_an_end_before_the_start_is_no_negative_length_from_the_index(reviewer: Any) -> None:
    from dashboard.index.models import IndexedInteraction
    from tests.index_search.rows import index_row, synced

    synced(TENANT, back=timedelta(days=2000))
    for row in backwards():
        made = index_row(
            tenant=TENANT,
            interaction_id=row["interactionId"],
            start=datetime.fromisoformat(row["startTimestamp"].replace("Z", "+00:00")),
            flagged=True,
            flag_type="agent",
            customer=row["customer"],
        )
        IndexedInteraction.objects.filter(pk=made.pk).update(
            end=datetime.fromisoformat(row["endTimestamp"].replace("Z", "+00:00")),
            total_seconds=row.get("interactionTime"),
        )
    with respx.mock():
        check_backwards(reviewer)


# -- assignment and reviews from an interaction opened from the list ---------------------


def test_assigning_and_reviewing_without_javascript_keeps_the_lists_previous_and_next(
    reviewer: Any, django_user_model: Any
) -> None:
    me = django_user_model.objects.get(username="reviewer")
    served = [listed(n, flagType="Queue") for n in range(5, 0, -1)]
    with respx.mock(assert_all_called=False) as mock:
        serve(mock, pages_of(served))
        for row in served:
            mock.get(f"{LIST}/{row['interactionId']}").respond(json={"tenantId": TENANT, **row})
        body = text(reviewer.get(FLAGGED, {**RANGE, "flag": "queue", "status": "to_review"}))
        order = ids(body)
        origin = from_query(body, order[2])
        page_url = f"/tenants/{TENANT}/interactions/{order[2]}/"
        page = html.unescape(text(reviewer.get(page_url, {"from": origin})))
        # Every form on the panel sends the list back.
        forms = re.findall(
            r'<form method="post" action="[^"]*/(?:review|assign)/".*?</form>', page, re.S
        )
        assert len(forms) == 3
        assert all(f'<input type="hidden" name="from" value="{origin}">' in f for f in forms)

        assigned = reviewer.post(
            page_url + "assign/",
            {"assign-assignee": str(me.pk), "assign-version": "0", "from": origin},
        )
        assert assigned.status_code == 302
        back = urlsplit(assigned["Location"])
        assert back.path == page_url and back.fragment == "assignment"
        assert dict(parse_qsl(back.query))["from"] == origin

        saved = reviewer.post(
            page_url + "review/",
            {"status": "done", "comment": "checked", "version": "1", "from": origin},
        )
        assert saved.status_code == 302
        assert dict(parse_qsl(urlsplit(saved["Location"]).query))["from"] == origin
        # Marked done, it leaves the "to review" list but keeps its place between its
        # neighbours.
        around = nav(reviewer, order[2], origin)
        assert (around["previous"], around["next"]) == (order[1], order[3])
        assert around["position"] is None and "(4 shown)" in around["body"]

        # A stale form (someone else saved meanwhile) answers the panel with the list kept.
        stale = reviewer.post(
            page_url + "review/",
            {"status": "in_review", "comment": "x", "version": "1", "from": origin},
        )
        assert stale.status_code == 409
        assert f'name="from" value="{origin}"' in html.unescape(text(stale))


# -- an interaction that has left the list since it was opened ----------------------------

#: Agents of rows 1..5: row 3 ("Cat") has left the list (its flag cleared since).
LEFT = {1: "Ann", 2: "Cy", 3: "Cat", 4: "Dee", 5: "Bo"}


def check_left_the_list(client: Any, origin: dict[str, str]) -> None:
    for sort, around_it in (("-start", (4, 2)), ("agent", (5, 2)), ("-agent", (2, 5))):
        state = urlencode({**origin, "sort": sort})
        left = nav(client, iid(3), state)
        assert (left["previous"], left["next"]) == tuple(iid(n) for n in around_it), sort
        assert left["position"] is None
        assert (
            "No longer in the list: previous and next are the rows around where it was"
            in (left["body"])
        )
        assert "(4 shown)" in left["body"]
    # Neither indexed nor cached: where it was is not known, and the nav says so.
    unknown = nav(client, iid(99), urlencode(origin))
    assert unknown["previous"] is None and unknown["next"] == iid(5)
    assert "No longer in the list, and where it was is not known" in unknown["body"]


def test_an_interaction_that_left_the_list_keeps_its_place_by_its_sort_key_live(
    reviewer: Any,
) -> None:
    def row(n: int) -> dict[str, Any]:
        cleared = {"flagged": False, "flagType": ...} if n == 3 else {}
        return listed(n, agents=[{"agentName": LEFT[n]}], **cleared)

    rows_now = [row(n) for n in LEFT]
    with respx.mock() as mock:
        serve(mock, pages_of(rows_now))
        mock.get(f"{LIST}/{iid(3)}").respond(json={"tenantId": TENANT, **rows_now[2]})
        # It was opened from the list (its page is cached); the list no longer holds it.
        assert reviewer.get(f"/tenants/{TENANT}/interactions/{iid(3)}/").status_code == 200
        check_left_the_list(reviewer, RANGE)


def test_an_interaction_that_left_the_list_keeps_its_place_by_its_sort_key_from_the_index(
    reviewer: Any,
) -> None:
    from tests.index_search.rows import index_row, synced

    synced(TENANT, back=timedelta(days=2000))
    for n, agent in LEFT.items():
        index_row(
            tenant=TENANT,
            interaction_id=iid(n),
            start=datetime(2026, 1, 1, 10, tzinfo=UTC) + timedelta(minutes=n),
            flagged=n != 3,
            flag_type="agent",
            agents=[(agent, "Q", 30.0)],
        )
    with respx.mock():  # the index covers the range: no request
        check_left_the_list(reviewer, RANGE)


def test_assigned_to_me_lists_only_mine_and_its_previous_and_next_follow_it(
    reviewer: Any, django_user_model: Any
) -> None:
    from dashboard.reviews import services

    me = django_user_model.objects.get(username="reviewer")
    other = django_user_model.objects.create_user("other-reviewer", password="pw-for-tests-1")
    TenantGrant.objects.create(user=other, tenant_id=TENANT)
    served = [listed(n, agents=...) for n in range(6, 0, -1)]
    for n in (6, 4, 1):
        services.assign(me, TENANT, iid(n), assignee=me, version=0)
    services.assign(me, TENANT, iid(5), assignee=other, version=0)
    with respx.mock() as mock:
        serve(mock, pages_of(served))
        body = text(reviewer.get(FLAGGED, {**RANGE, "assigned": "me"}))
        assert ids(body) == [iid(6), iid(4), iid(1)]
        assert all("reviewer" in shown for _, shown in rows(body))
        origin = from_query(body, iid(4))
        assert dict(parse_qsl(origin))["assigned"] == "me"
        around = nav(reviewer, iid(4), origin)
        assert (around["previous"], around["next"], around["position"]) == (iid(6), iid(1), (2, 3))
        # Handed to someone else meanwhile: it keeps its place, the count follows.
        services.assign(me, TENANT, iid(4), assignee=other, version=1)
        around = nav(reviewer, iid(4), origin)
        assert (around["previous"], around["next"], around["position"]) == (iid(6), iid(1), None)
        assert nav(reviewer, iid(1), origin)["position"] == (2, 2)
        # At either end there is nothing further.
        first = nav(reviewer, iid(6), origin)
        assert first["previous"] is None and first["next"] == iid(1)
        body = text(reviewer.get(FLAGGED, {**RANGE, "assigned": "none"}, headers=HX))
        assert ids(body) == [iid(3), iid(2)]
        body = text(reviewer.get(FLAGGED, {**RANGE, "assigned": str(other.pk)}, headers=HX))
        assert ids(body) == [iid(5), iid(4)]


def intro(body: str) -> str:
    found = re.search(r'<p class="hint intro">(.*?)</p>', body, re.S)
    assert found
    return " ".join(html.unescape(TAG.sub("", found.group(1))).split())


def test_the_intro_is_true_for_flag_types_the_dashboard_does_not_know_or_none(
    reviewer: Any,
) -> None:
    with respx.mock() as mock:
        serve(mock, pages_of([listed(2, flagType="agent"), listed(1, flagType="Brand-New")]))
        general = intro(text(reviewer.get(FLAGGED, RANGE)))
        assert "some were flagged for a reason this dashboard does not know" in general
        chosen = intro(text(reviewer.get(FLAGGED, {**RANGE, "flag": "brand-new"}, headers=HX)))
        assert "for a reason this dashboard does not know" in chosen
    with respx.mock() as mock:
        serve(mock, pages_of([listed(2, flagType="agent"), listed(1, flagType="queue")]))
        general = intro(text(reviewer.get(FLAGGED, {**RANGE, "end": "2026-01-02T00:00:00Z"})))
        assert "does not know" not in general
    with respx.mock() as mock:
        serve(mock, pages_of([listed(2, flagType=...), listed(1, flagType="stuck")]))
        week = {"start": "2026-01-01T00:00:00Z", "end": "2026-01-04T00:00:00Z"}
        general = intro(text(reviewer.get(FLAGGED, week)))
        assert "does not know" not in general  # no type is not an unknown type
        assert "for some the API gave no flag type, so why is not known" in general
        chosen = intro(text(reviewer.get(FLAGGED, {**week, "flag": "none"}, headers=HX)))
        assert "The API gave no flag type, so why is not known." in chosen
        assert "does not know" not in chosen


def test_names_with_commas_markup_rtl_and_emoji_are_shown_whole_from_the_index(
    reviewer: Any,
) -> None:
    from tests.index_search.rows import index_row, synced

    synced(TENANT, back=timedelta(days=2000))
    agents = ["Tremblay, Alice", '<b>Bob</b> "B"', "محمد 🦄"]
    made = index_row(
        tenant=TENANT,
        start=datetime(2026, 1, 1, 11, tzinfo=UTC),
        flagged=True,
        flag_type="agent",
        queues=[("<i>VIP</i>", 10.0)],
        agents=[(name, "<i>VIP</i>", 30.0) for name in agents],
    )
    body = text(reviewer.get(FLAGGED, RANGE))
    assert "<b>Bob</b>" not in body and "<i>VIP</i>" not in body
    shown = dict(rows(body))[made.interaction_id]
    assert 'Tremblay, Alice, <b>Bob</b> "B" +1 more' in shown
    assert "<i>VIP</i>" in shown
    exported = b"".join(reviewer.get(CSV_URL, RANGE).streaming_content).decode()
    assert '"Tremblay, Alice; <b>Bob</b> ""B""; محمد 🦄"' in exported


def test_each_name_keeps_its_own_direction_in_the_list(reviewer: Any) -> None:
    served = [
        listed(
            1,
            flowName="תור ראשי",
            agents=[{"agentName": "محمد"}, {"agentName": "Bob"}, {"agentName": "Zoë 🦄"}],
            queues=[{"queueName": "دعم"}],
        ),
        listed(2, agents=..., queues=[]),
    ]
    with respx.mock() as mock:
        serve(mock, pages_of(served))
        body = text(reviewer.get(FLAGGED, RANGE))
    row = dict(ROW.findall(body))[iid(1)]
    assert "<bdi>محمد</bdi>, <bdi>Bob</bdi> +1 more" in row
    assert 'title="محمد, Bob, Zoë 🦄"' in row
    assert "<bdi>دعم</bdi>" in row and "<bdi>תור ראשי</bdi>" in row
    # No agent and no queue: a dash in each column.
    assert dict(rows(body))[iid(2)].count(" — ") >= 2


# -- the same list, live or from the index -----------------------------------------------


def mixed() -> list[dict[str, Any]]:
    """Flagged rows listed oldest first (the API documents newest first: do not rely on it),
    with ties on every sort key, names past 'z', and blanks."""

    def people(*names: str) -> list[dict[str, Any]]:
        return [{"agentName": name} for name in names]

    return [
        listed(1, agents=people("Émile"), queues=[{"queueName": "Übersee"}], flowName="b"),
        listed(2, agents=..., flowName=..., channelType="sms"),
        listed(3, agents=people("ann"), queues=[{"queueName": "sales"}], flowName="B"),
        listed(4, agents=people("Ann", "Zed"), queues=[{"queueName": "Sales"}], flagType="Q"),
        listed(5, agents=..., flowName="a", flagType=..., channelType="sms"),
        listed(6, agents=people("Zed"), queues=[{"queueName": "Übersee"}], flowName="b"),
    ]


def alike() -> list[dict[str, Any]]:
    """Flagged rows whose names tell apart only past a comma or by the case of a letter
    outside ASCII: the older of each pair sorts first only by the whole name, ignoring case."""

    def person(name: str) -> list[dict[str, Any]]:
        return [{"agentName": name}]

    return [
        listed(1, agents=person("Bea"), flowName="zoë", queues=[{"queueName": "Übersee"}]),
        listed(2, agents=person("Bea, Zoe"), flowName="Zoë", queues=[{"queueName": "übersee"}]),
        listed(3, agents=person("Élodie"), flowName="Ærø", queues=[{"queueName": "Øst"}]),
        listed(4, agents=person("élodie"), flowName="ærø", queues=[{"queueName": "øst"}]),
        listed(5, agents=person("Émile, Zed"), flowName="Émile", queues=[{"queueName": "Émile"}]),
        listed(6, agents=person("émile"), flowName="émile", queues=[{"queueName": "émile"}]),
    ]


def unstarted() -> list[dict[str, Any]]:
    """Flagged rows the API listed in the range, two of them with a start that cannot be read."""
    return [
        listed(1, flowName="b"),
        listed(2, startTimestamp="soon", flowName="a"),
        listed(3, flowName="c", channelType="sms"),
        listed(4, startTimestamp=..., details={"startTimestamp": "later"}, flowName="d"),
    ]


SORTS = ("-start", "start", "agent", "-agent", "queue", "-queue", "flow", "-flow", "flag")


def orders(client: Any, sorts: tuple[str, ...] = SORTS) -> dict[str, list[str]]:
    return {
        sort: ids(text(client.get(FLAGGED, {**RANGE, "sort": sort}, headers=HX))) for sort in sorts
    }


@pytest.mark.parametrize("rows_of", [mixed, alike, unstarted])
def test_the_list_is_in_the_same_order_live_and_from_the_index(
    reviewer: Any, rows_of: Callable[[], list[dict[str, Any]]]
) -> None:
    from dashboard.index.indexer import index_interactions, source_hash
    from dashboard.interactions.parsing import parse_interaction
    from tests.index_search.rows import synced

    served = rows_of()
    with respx.mock() as mock:
        serve(mock, pages_of(served))
        live = orders(reviewer)
    if rows_of is mixed:
        # Ties newest first, whatever order the API listed them in; blanks after every
        # name, whichever way.
        assert live["agent"] == [iid(n) for n in (4, 3, 6, 1, 5, 2)]
        assert live["-agent"] == [iid(n) for n in (1, 6, 4, 3, 5, 2)]
        assert live["flow"][:2] == [iid(5), iid(6)]
    elif rows_of is unstarted:
        # Listed with "Start unknown": last, whichever way.
        assert sorted(live["-start"][-2:]) == [iid(2), iid(4)]
        assert live["start"][:2] == [iid(1), iid(3)]
        assert sorted(live["start"][-2:]) == [iid(2), iid(4)]
    else:
        # A whole name, not the part before its comma; case ignored outside ASCII too.
        assert live["agent"] == [iid(n) for n in (1, 2, 4, 3, 6, 5)]
        assert live["flow"] == [iid(n) for n in (2, 1, 4, 3, 6, 5)]
        assert live["queue"] == [iid(n) for n in (6, 5, 4, 3, 2, 1)]
    # As the sync stores them: with the span of start times the list page was asked for.
    span = tuple(datetime.fromisoformat(RANGE[k].replace("Z", "+00:00")) for k in ("start", "end"))
    index_interactions(
        TENANT, [(parse_interaction(row), source_hash(row)) for row in served], listed=span
    )
    synced(TENANT, back=timedelta(days=2000))
    with respx.mock():
        assert orders(reviewer) == live


def test_a_row_without_a_start_is_listed_from_the_index_only_where_it_was_listed(
    reviewer: Any,
) -> None:
    from dashboard.index.models import IndexedInteraction
    from tests.index_search.rows import index_row, synced

    synced(TENANT, back=timedelta(days=2000))
    day = datetime(2026, 1, 1, tzinfo=UTC)
    for n, listed_from in ((1, day), (2, day + timedelta(hours=12)), (3, day + timedelta(days=5))):
        made = index_row(
            tenant=TENANT,
            interaction_id=iid(n),
            start=day + timedelta(hours=n),
            flagged=True,
            flag_type="agent",
        )
        IndexedInteraction.objects.filter(pk=made.pk).update(
            start=None, listed_from=listed_from, listed_to=listed_from + timedelta(hours=1)
        )
    index_row(tenant=TENANT, interaction_id=iid(4), start=day + timedelta(hours=3), flagged=True)
    with respx.mock():  # the index covers the range: no request
        body = text(reviewer.get(FLAGGED, RANGE))
        assert ids(body) == [iid(4), iid(2), iid(1)]  # unknown starts last (by ID among them)
        assert "Start unknown" in dict(rows(body))[iid(1)]
        assert "3 flagged interactions" in body.replace("<strong>", "").replace("</strong>", "")
        assert ids(text(reviewer.get(FLAGGED, {**RANGE, "sort": "start"}, headers=HX))) == [
            iid(4),
            iid(2),
            iid(1),
        ]
        exported = b"".join(reviewer.get(CSV_URL, RANGE).streaming_content).decode()
        assert iid(1) in exported and iid(3) not in exported


def test_a_filter_on_someone_who_is_no_longer_a_reviewer_still_says_whom_it_shows(
    reviewer: Any, django_user_model: Any
) -> None:
    from dashboard.reviews import services

    me = django_user_model.objects.get(username="reviewer")
    gone = django_user_model.objects.create_user(
        "gone", password="pw-for-tests-1", first_name="Gwen", last_name="Gone"
    )
    grant = TenantGrant.objects.create(user=gone, tenant_id=TENANT)
    services.assign(me, TENANT, iid(2), assignee=gone, version=0)
    grant.delete()
    with respx.mock() as mock:
        serve(mock, pages_of([listed(2), listed(1)]))
        body = text(reviewer.get(FLAGGED, {**RANGE, "assigned": str(gone.pk)}))
        assert ids(body) == [iid(2)]
        assert f'<option value="{gone.pk}" selected>Gwen Gone (no longer a reviewer here)' in body
        body = text(reviewer.get(FLAGGED, {**RANGE, "assigned": "99999"}))
        assert ids(body) == []
        assert '<option value="99999" selected>Nobody known</option>' in body
        body = text(reviewer.get(FLAGGED, RANGE))
        assert "Gwen Gone" in dict(rows(body))[iid(2)]
        assert f'<option value="{gone.pk}"' not in body


def test_the_assignment_control_names_an_assignee_who_is_no_longer_a_reviewer(
    reviewer: Any, django_user_model: Any
) -> None:
    from dashboard.reviews import services

    me = django_user_model.objects.get(username="reviewer")
    gone = django_user_model.objects.create_user("gone", password="pw-for-tests-1")
    grant = TenantGrant.objects.create(user=gone, tenant_id=TENANT)
    services.assign(me, TENANT, iid(1), assignee=gone, version=0)
    grant.delete()
    with respx.mock() as mock:
        mock.get(f"{LIST}/{iid(1)}").respond(json={"tenantId": TENANT, **listed(1)})
        page = text(reviewer.get(f"/tenants/{TENANT}/interactions/{iid(1)}/"))
    control = re.search(r'<div id="assignment".*?</select>', page, re.S)
    assert control
    assert f'<option value="{gone.pk}" selected>gone (no longer a reviewer here)' in control.group(
        0
    )
    assert '<option value="" selected>' not in control.group(0)


def test_a_row_without_a_flag_type_or_a_readable_start_says_so_and_invents_neither(
    reviewer: Any,
) -> None:
    served = [listed(3, flagType=...), listed(2, flagType="  "), listed(1, startTimestamp="soon")]
    with respx.mock() as mock:
        serve(mock, pages_of(served))
        body = text(reviewer.get(FLAGGED, RANGE))
        exported = b"".join(reviewer.get(CSV_URL, RANGE).streaming_content).decode()
    shown = dict(rows(body))
    for untyped in (iid(3), iid(2)):
        assert "The API gave no flag type, so why is not known." in shown[untyped]
        assert "unknown" not in shown[untyped].replace("not known", "")
    assert re.search(
        rf'<a href="/tenants/{TENANT}/interactions/{iid(1)}/\?from=[^"]+">'
        r"<time datetime=\"\">Start unknown</time></a>",
        body,
    )
    lines = {line.split(",", 1)[0]: line for line in exported.splitlines()[1:]}
    assert lines[iid(3)].split(",")[5] == ""  # flag_type: none sent, none written
    assert lines[iid(1)].split(",")[1] == ""  # start: unreadable, left blank


# -- pages the API answers oddly -----------------------------------------------------------


def test_a_list_answer_without_a_total_is_read_to_its_last_short_page(
    reviewer: Any, settings: Any
) -> None:
    settings.FLAGGED_PAGE_SIZE = 3
    paged = pages_of([listed(n) for n in range(7, 0, -1)])

    def without_total(offset: int, limit: int) -> dict[str, Any]:
        return {k: v for k, v in paged(offset, limit).items() if k != "total"}

    with respx.mock() as mock:
        route = serve(mock, without_total)
        body = text(reviewer.get(FLAGGED, RANGE))
    assert ids(body) == [iid(n) for n in range(7, 0, -1)]
    assert route.call_count == 3  # 3 + 3 + 1: the short page is the last
    assert "<strong>7</strong> flagged interactions, out of 7 in the range" in body


def test_a_total_that_is_not_a_number_and_rows_that_are_not_interactions(
    reviewer: Any, settings: Any
) -> None:
    settings.FLAGGED_PAGE_SIZE = 4
    served: list[Any] = [listed(5), "junk", None, {"no": "id"}, listed(4), 7, listed(3)]

    def odd(offset: int, limit: int) -> dict[str, Any]:
        return {"total": "lots", "results": served[offset : offset + limit]}

    with respx.mock() as mock:
        serve(mock, odd)
        response = reviewer.get(FLAGGED, RANGE)
    assert response.status_code == 200
    assert ids(text(response)) == [iid(5), iid(4), iid(3)]


def test_an_api_that_ignores_the_offset_is_read_once_not_to_the_cap(
    reviewer: Any, settings: Any, caplog: Any
) -> None:
    settings.FLAGGED_PAGE_SIZE = 3
    first = pages_of([listed(n) for n in range(9, 0, -1)])(0, 3)

    with respx.mock() as mock:
        route = serve(mock, lambda offset, limit: {**first, "offset": offset})
        body = text(reviewer.get(FLAGGED, RANGE))
    assert ids(body) == [iid(9), iid(8), iid(7)]
    assert route.call_count == 2  # the repeat gives it away
    assert any("repeated rows already read" in r.getMessage() for r in caplog.records)
