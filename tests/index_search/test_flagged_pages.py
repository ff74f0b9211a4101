"""The flagged list read from the index in SQL, where the index covers the whole range:
one page at a time (LIMIT/OFFSET), every filter and sort in the database in the order a
scan refined in Python would give, the counts beside the page, the CSV streamed whole,
and previous / next across pages. None of it asks the API."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from datetime import UTC, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import respx
from django.db import connection
from django.http import StreamingHttpResponse
from django.utils import timezone

from dashboard.accounts.models import TenantGrant
from dashboard.index import flagged as index_flagged
from dashboard.index.models import IndexedInteraction
from dashboard.interactions import flagged as flagged_list
from dashboard.interactions import listing
from dashboard.interactions.domain import Flag, Summary
from dashboard.interactions.masking import mask
from dashboard.reviews.models import AuditEvent, Review, Status
from tests.conftest import LIVE_API, allow_contact_details

from .rows import OTHER, index_row, synced

pytestmark = pytest.mark.django_db

TENANT = OTHER  # a live-mode tenant: any fallback to a scan would ask the (mocked) API
URL = f"/tenants/{TENANT}/flagged/"
CSV_URL = f"{URL}export.csv"
HX = {"HX-Request": "true", "HX-Target": "flagged-results"}
ROW = re.compile(r'<tr data-interaction="([^"]+)">(.*?)</tr>', re.S)
TAG = re.compile(r"<[^>]+>")
#: The isolate around a name reads as part of the text around it (no space).
INLINE = re.compile(r"</?bdi>")


@pytest.fixture
def api(live_mode: str) -> Iterator[respx.Route]:
    with respx.mock(assert_all_called=False) as mock:
        yield mock.get(f"{LIVE_API}/v1/tenants/{TENANT}/interactions").mock(
            return_value=httpx.Response(200, json={"total": 0, "results": []})
        )


def _viewer(client: Any, django_user_model: Any, name: str, *, contact_details: bool) -> Any:
    user = django_user_model.objects.create_user(name, password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=TENANT)
    client.force_login(allow_contact_details(user) if contact_details else user)
    client.user = user
    return client


@pytest.fixture
def viewer(client: Any, django_user_model: Any, api: respx.Route) -> Any:
    return _viewer(client, django_user_model, "pager", contact_details=True)


@pytest.fixture
def masked(client: Any, django_user_model: Any, api: respx.Route) -> Any:
    return _viewer(client, django_user_model, "masked-pager", contact_details=False)


@pytest.fixture
def small_pages(monkeypatch: Any) -> int:
    monkeypatch.setattr(flagged_list, "PAGE_SIZE", 3)
    return 3


def ids(response: Any) -> list[str]:
    """The listed interactions' IDs, in order."""
    return [iid for iid, _ in ROW.findall(page(response))]


def page(response: Any) -> str:
    assert response.status_code == 200
    return str(response.content.decode())


def cells(response: Any) -> dict[str, str]:
    """Each row's visible text, by interaction ID."""
    return {
        iid: " ".join(html.unescape(TAG.sub(" ", INLINE.sub("", inner))).split())
        for iid, inner in ROW.findall(page(response))
    }


def words(response: Any) -> str:
    return " ".join(html.unescape(TAG.sub(" ", page(response))).split())


def table(response: Any) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)  # written as it is read
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


def flagged_rows(
    n: int, *, flag_type: str = "missing-agent-exit", **fields: Any
) -> list[IndexedInteraction]:
    """``n`` flagged interactions an hour apart, newest first."""
    now = timezone.now()
    return [
        index_row(
            tenant=TENANT,
            start=now - timedelta(hours=1 + i),
            flagged=True,
            flag_type=flag_type,
            **fields,
        )
        for i in range(n)
    ]


# -- pages -------------------------------------------------------------------------


def test_pages_are_read_in_order_and_a_page_past_the_end_shows_the_last(
    viewer: Any, api: respx.Route, small_pages: int
) -> None:
    synced(TENANT)
    made = [r.interaction_id for r in flagged_rows(7)]
    calm = index_row(tenant=TENANT, start=timezone.now() - timedelta(minutes=30))
    first = viewer.get(URL)
    assert ids(first) == made[:3]
    assert "7 flagged interactions, out of 8 in the range." in words(first)
    assert "Showing 1–3, page 1 of 3." in words(first)
    second = viewer.get(URL, {"page": "2"}, headers=HX)
    assert ids(second) == made[3:6]
    assert "Showing 4–6, page 2 of 3." in words(second)
    assert 'rel="prev"' in page(second) and 'rel="next"' in page(second)
    last = viewer.get(URL, {"page": "3"})
    assert ids(last) == made[6:]
    assert 'rel="next"' not in page(last)
    assert ids(viewer.get(URL, {"page": "99"})) == made[6:]
    assert ids(viewer.get(URL, {"page": "nonsense"})) == made[:3]
    assert calm.interaction_id not in page(first)
    assert "Read from the index, synced 2 minutes ago." in words(first)
    assert not api.called


def test_the_next_page_link_keeps_the_filters_and_sort(
    viewer: Any, api: respx.Route, small_pages: int
) -> None:
    synced(TENANT)
    flagged_rows(4, channel="sms")
    flagged_rows(1, channel="voice")
    body = page(viewer.get(URL, {"channel": "sms", "sort": "start"}))
    link = html.unescape(re.search(r'rel="next" href="\?([^"]+)"', body).group(1))  # type: ignore[union-attr]
    assert "channel=sms" in link and "sort=start" in link and "page=2" in link
    # Filters and sort links start again from the first page.
    assert not re.search(r'aria-sort="[a-z]+"><a href="\?[^"]*page=', body)
    assert not api.called


def test_counts_beside_the_page_and_the_cap_on_the_range_count(
    viewer: Any, monkeypatch: Any, small_pages: int
) -> None:
    synced(TENANT)
    flagged_rows(2, flag_type="late-data")
    flagged_rows(3, flag_type="unknown", channel="sms")
    for _ in range(4):
        index_row(tenant=TENANT, start=timezone.now() - timedelta(hours=2))
    index_row(tenant=TENANT, start=timezone.now() - timedelta(days=3), flagged=True)  # outside
    assert "3 flagged interactions (5 before filters), out of 9 in the range." in words(
        viewer.get(URL, {"flag": "unknown"})
    )
    assert "2 flagged interactions (5 before filters)" in words(
        viewer.get(URL, {"channel": "voice"})
    )
    monkeypatch.setattr(index_flagged, "SCANNED_CAP", 6)
    assert "out of more than 6 in the range." in words(viewer.get(URL))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner estimates")
def test_a_large_range_is_estimated_and_says_so(viewer: Any, monkeypatch: Any) -> None:
    synced(TENANT)
    flagged_rows(2)
    monkeypatch.setattr(index_flagged, "ESTIMATE_FROM", 0)
    body = words(viewer.get(URL))
    assert re.search(r"2 flagged interactions, out of about [\d,]+ in the range\.", body)


def test_filter_choices_come_from_the_whole_range_not_the_page(
    viewer: Any, small_pages: int
) -> None:
    synced(TENANT)
    flagged_rows(3, flag_type="late-data")
    old = flagged_rows(6, flag_type="stuck-one", channel="email")[5]
    IndexedInteraction.objects.filter(pk=old.pk).update(start=timezone.now() - timedelta(hours=20))
    body = page(viewer.get(URL))
    assert '<option value="stuck-one">' in body and '<option value="late-data">' in body
    assert '<option value="email">' in body


# -- the order of every sort, as a scan refined in Python would give it -----------------


@pytest.fixture
def assorted() -> list[IndexedInteraction]:
    """Flagged interactions with every kind of blank, case and tie a sort meets."""
    now = timezone.now()
    specs: list[dict[str, Any]] = [
        {"channel": "voice", "flag_type": "Late-data", "flow_name": "billing", "minutes": 3},
        {"channel": "SMS", "flag_type": "", "flow_name": "", "minutes": None},
        {"channel": "", "flag_type": "agent", "flow_name": "Zeta", "minutes": 9},
        {"channel": "email", "flag_type": "queue", "flow_name": "alpha", "minutes": None,
         "total_seconds": 42.0},
        {"channel": "voice", "flag_type": "agent", "flow_name": "Alpha", "minutes": 1,
         "total_seconds": 9999.0},
        {"channel": "sms", "flag_type": "Stuck", "flow_name": "beta", "minutes": 30},
        {"channel": "voice", "flag_type": "agent", "flow_name": "billing", "minutes": 3},
    ]  # fmt: skip
    agents = [
        [("Cy", "Q", 10.0), ("Al", "Q", 5.0)],
        [],
        [("al", "Q", 1.0)],
        [("Bea, Smith", "Q", 1.0)],
        [("Dee", "Q", 1.0), ("Cy", "Q", 1.0), ("Bo", "Q", 1.0)],
        [("Bea", "Q", 2.0)],
        [("Cy", "Q", 1.0)],
    ]
    queues = [
        [("Sales", 5.0), ("Billing", 5.0)],
        [("", 1.0), ("support", 3.0)],
        [],
        [("Billing", 2.0)],
        [("aftercare", 2.0)],
        [("Sales", 1.0)],
        [("Zed", 1.0)],
    ]
    return [
        index_row(
            tenant=TENANT,
            start=now - timedelta(hours=1 + i, minutes=i),
            flagged=True,
            agents=agents[i],
            queues=queues[i],
            **spec,
        )
        for i, spec in enumerate(specs)
    ]


def _as_scanned(row: IndexedInteraction) -> Summary:
    """The row as a scan hands it to ``listing.refine``."""
    names = list(dict.fromkeys(n for n in row.queue_visits.order_by("entered_at", "pk")
                               .values_list("queue_name", flat=True) if n))  # fmt: skip
    legs = row.agent_legs.order_by("started_at", "pk").values_list("agent_name", flat=True)
    agents = list(dict.fromkeys(n for n in legs if n))
    return Summary(
        interaction_id=row.interaction_id,
        start=row.start,
        end=row.end,
        channel_type=row.channel or None,
        direction=row.direction or None,
        flow_name=row.flow_name or None,
        customer=row.customer or None,
        flag=Flag(True, row.flag_type or None, None),
        interaction_time=row.total_seconds,
        # Each name whole, as the legs hold it: "Bea, Smith" is one agent's name.
        agent_names=tuple(agents),
        queue_names=tuple(names),
    )


def _python_order(rows: list[IndexedInteraction], statuses: dict[str, str], sort: str) -> list[str]:
    scanned = [_as_scanned(r) for r in sorted(rows, key=lambda r: (r.start, r.pk), reverse=True)]
    return [r.interaction_id for r in listing.refine(scanned, statuses, sort=sort)]


@pytest.mark.parametrize("key", sorted(listing.SORTS))
def test_every_sort_orders_as_the_scan_would(
    viewer: Any, api: respx.Route, assorted: list[IndexedInteraction], key: str
) -> None:
    synced(TENANT)
    # Saved reviews for the status sort: one done, one in review, the rest to review.
    Review.objects.create(
        tenant_id=TENANT, interaction_id=assorted[3].interaction_id, status=Status.DONE
    )
    Review.objects.create(
        tenant_id=TENANT, interaction_id=assorted[5].interaction_id, status=Status.IN_REVIEW
    )
    statuses = {assorted[3].interaction_id: "done", assorted[5].interaction_id: "in_review"}
    for sort in (key, f"-{key}"):
        expected = _python_order(assorted, statuses, sort)
        assert ids(viewer.get(URL, {"sort": sort})) == expected, sort
    # Not the same order whichever way: each sort means something for these rows.
    assert ids(viewer.get(URL, {"sort": key})) != ids(viewer.get(URL, {"sort": f"-{key}"}))
    assert not api.called


def test_index_rows_name_their_agents_and_queues(
    viewer: Any, assorted: list[IndexedInteraction]
) -> None:
    synced(TENANT)
    shown = cells(viewer.get(URL))
    assert "Dee, Cy +1 more" in shown[assorted[4].interaction_id]
    assert "aftercare" in shown[assorted[4].interaction_id]
    assert "Sales, Billing" in shown[assorted[0].interaction_id]


# -- filters -----------------------------------------------------------------------


def test_each_filter_keeps_exactly_its_rows(viewer: Any, django_user_model: Any) -> None:
    synced(TENANT)
    a, b, c, d = flagged_rows(4)
    IndexedInteraction.objects.filter(pk=b.pk).update(flag_type="late-data", channel="sms")
    other = django_user_model.objects.create_user("other-reviewer", password="pw-for-tests-1")
    Review.objects.create(
        tenant_id=TENANT, interaction_id=a.interaction_id, status=Status.DONE, assignee=other
    )
    Review.objects.create(
        tenant_id=TENANT,
        interaction_id=c.interaction_id,
        status=Status.IN_REVIEW,
        assignee=viewer.user,
    )
    # A review saved back to "to review" counts as to review, like no review at all.
    Review.objects.create(tenant_id=TENANT, interaction_id=d.interaction_id, status="to_review")
    every = [a, b, c, d]

    def listed(**params: str) -> list[str]:
        return ids(viewer.get(URL, params))

    def of(*rows: IndexedInteraction) -> list[str]:
        return [r.interaction_id for r in every if r in rows]

    assert listed(flag="late-data") == of(b)
    assert listed(channel="sms") == of(b)
    assert listed(channel="voice") == of(a, c, d)
    assert listed(status="done") == of(a)
    assert listed(status="in_review") == of(c)
    assert listed(status="to_review") == of(b, d)
    assert listed(assigned="me") == of(c)
    assert listed(assigned=str(other.pk)) == of(a)
    assert listed(assigned="none") == of(b, d)
    assert listed(assigned="99999999999999999999999") == []  # no such user, and no error
    assert listed(status="to_review", channel="voice") == of(d)
    # No interaction has it and the platform does not document it: not a flag type, so
    # the list is not filtered by it, and says so.
    assert listed(flag="nothing-like-it") == of(a, b, c, d)
    assert "which is not known here" in words(viewer.get(URL, {"flag": "nothing-like-it"}))


# -- the CSV -------------------------------------------------------------------------


def test_the_csv_streams_every_matching_row_in_the_lists_order(
    viewer: Any, api: respx.Route, monkeypatch: Any, small_pages: int
) -> None:
    monkeypatch.setattr(index_flagged, "EXPORT_CHUNK", 2)
    monkeypatch.setattr(flagged_list, "EXPORT_CHUNK", 2)
    synced(TENANT)
    made = flagged_rows(7, channel="sms", queues=[("Care", 5.0)], agents=[("Ann", "Care", 9.0)])
    flagged_rows(2, channel="voice")
    Review.objects.create(
        tenant_id=TENANT, interaction_id=made[4].interaction_id, status=Status.DONE
    )
    rows = table(viewer.get(CSV_URL, {"channel": "sms", "sort": "start"}))
    assert [r[0] for r in rows[1:]] == [r.interaction_id for r in reversed(made)]
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id[made[4].interaction_id][9] == "done"
    assert by_id[made[0].interaction_id][9] == "to_review"
    assert by_id[made[0].interaction_id][10:12] == ["Ann", "Care"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.detail == "flagged CSV, 7 rows"
    assert not api.called


def test_a_masked_viewers_csv_and_page_from_the_index_hold_no_customer(masked: Any) -> None:
    synced(TENANT)
    flagged_rows(4, customer="+1 506 555 3131")
    rows = table(masked.get(CSV_URL))
    assert len(rows) == 5
    body = page(masked.get(URL))
    for content in (str(rows), body):
        assert "555 3131" not in content and "5065553131" not in content
    assert all(r[8].lstrip("'") == mask("+1 506 555 3131") for r in rows[1:])


# -- previous / next across pages ---------------------------------------------------


def test_previous_and_next_cross_pages_and_lead_back_to_the_rows_page(
    viewer: Any, api: respx.Route, small_pages: int
) -> None:
    synced(TENANT)
    made = [r.interaction_id for r in flagged_rows(7)]
    body = page(viewer.get(URL, {"page": "2"}))
    link = re.search(rf'href="(/tenants/[^"]+/interactions/{made[3]}/\?from=[^"]+)"', body)
    assert link
    origin = dict(parse_qsl(urlsplit(html.unescape(link.group(1))).query))["from"]
    nav = html.unescape(page(viewer.get(f"{URL}nav/", {"at": made[3], "from": origin})))
    assert f"/interactions/{made[2]}/" in re.search(r'href="([^"]+)" rel="prev"', nav).group(1)  # type: ignore[union-attr]
    assert f"/interactions/{made[4]}/" in re.search(r'href="([^"]+)" rel="next"', nav).group(1)  # type: ignore[union-attr]
    assert "4 of 7" in nav
    assert f'<a href="{URL}?{origin}&page=2">Back to the flagged list</a>' in nav
    assert not api.called


def test_a_row_marked_done_keeps_its_place_among_to_review(viewer: Any) -> None:
    synced(TENANT)
    made = [r.interaction_id for r in flagged_rows(4)]
    state = flagged_list.list_state({"status": "to_review"}, UTC, timezone.now())
    Review.objects.create(tenant_id=TENANT, interaction_id=made[1], status=Status.DONE)
    around = flagged_list.neighbours(tenant_id=TENANT, state=state, viewer=viewer.user, at=made[1])
    assert around.ready and around.position is None and around.count == 3
    assert made[0] in around.previous_url and made[2] in around.next_url


def test_a_range_the_index_covers_only_in_part_is_still_scanned(
    viewer: Any, api: respx.Route
) -> None:
    synced(TENANT, back=timedelta(hours=5))
    flagged_rows(2)
    body = words(viewer.get(URL, {"range": "7d"}))
    assert api.called
    assert "live from the API for the part it has not covered yet" in body
    assert "2 flagged interactions" in body
