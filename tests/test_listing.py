"""The list endpoint through ``dashboard/interactions/listing.py``: the typed query,
the raw-JSON page cache, and the hook called before each upstream page."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx
from django.core.cache import cache

from dashboard.cxengage import errors
from dashboard.interactions import listing
from dashboard.interactions.domain import ListPage

TENANT = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"
OTHER_TENANT = "9a1f6f4e-0c1b-4d55-8d8e-2f0a6f3b7c11"
QUERY = listing.ListQuery(
    start=datetime(2026, 1, 1, tzinfo=UTC), end=datetime(2026, 1, 2, tzinfo=UTC)
)
TOTAL = 5
PAGE_SIZE = 2


def row(n: int) -> dict[str, Any]:
    start = datetime(2026, 1, 1, 10, tzinfo=UTC) + timedelta(minutes=n)
    return {
        "tenantId": TENANT,
        "interactionId": f"00000000-0000-4000-8000-{n:012d}",
        "startTimestamp": start.isoformat().replace("+00:00", "Z"),
        "flagged": n % 2 == 0,
    }


def answer(request: httpx.Request) -> httpx.Response:
    offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
    results = [row(n) for n in range(offset, min(offset + limit, TOTAL))]
    return httpx.Response(
        200, json={"total": TOTAL, "offset": offset, "limit": limit, "results": results}
    )


@pytest.fixture
def upstream(live_mode: str, settings: Any) -> Iterator[respx.Route]:
    settings.FLAGGED_PAGE_SIZE = PAGE_SIZE
    with respx.mock(assert_all_mocked=True) as mock:
        yield mock.get(f"{live_mode}/v1/tenants/{TENANT}/interactions").mock(side_effect=answer)


def page_keys(query: listing.ListQuery = QUERY) -> list[str]:
    return [
        listing._page_key(TENANT, query, offset=o, limit=PAGE_SIZE)
        for o in range(0, TOTAL, PAGE_SIZE)
    ]


def test_pages_are_cached_as_the_apis_json_and_a_second_scan_asks_nothing(
    upstream: respx.Route,
) -> None:
    first = listing.scan(TENANT, QUERY)
    assert first.done and upstream.call_count == 3
    for key, offset in zip(page_keys(), range(0, TOTAL, PAGE_SIZE), strict=True):
        stored = cache.get(key)
        assert type(stored) is dict and not isinstance(stored, ListPage)
        # Exactly what the API sent, and plain JSON all the way down.
        assert json.loads(json.dumps(stored)) == stored
        assert stored["offset"] == offset and stored["results"][0] == row(offset)

    second = listing.scan(TENANT, QUERY)

    assert upstream.call_count == 3
    assert second.done and second.rows == first.rows
    assert [r.interaction_id for r in second.rows] == [
        row(n)["interactionId"] for n in range(TOTAL)
    ]


def test_cache_keys_are_versioned_and_tell_queries_and_tenants_apart() -> None:
    key = listing._page_key(TENANT, QUERY, offset=0, limit=10)
    assert key.startswith(listing.PAGE_KEY_PREFIX) and listing.PAGE_KEY_PREFIX != "listpage:v1:"
    assert key == listing._page_key(TENANT, dataclasses.replace(QUERY), offset=0, limit=10)
    others = {
        listing._page_key(OTHER_TENANT, QUERY, offset=0, limit=10),
        listing._page_key(TENANT, dataclasses.replace(QUERY, hook_id="7"), offset=0, limit=10),
        listing._page_key(TENANT, dataclasses.replace(QUERY, contact_id="7"), offset=0, limit=10),
        listing._page_key(
            TENANT,
            dataclasses.replace(QUERY, end=QUERY.end + timedelta(seconds=1)),
            offset=0,
            limit=10,
        ),
        listing._page_key(TENANT, QUERY, offset=10, limit=10),
        listing._page_key(TENANT, QUERY, offset=0, limit=20),
    }
    assert key not in others and len(others) == 6


def test_list_query_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        QUERY.hook_id = "1"  # type: ignore[misc]


def test_the_query_reaches_the_api_under_the_apis_names(upstream: respx.Route) -> None:
    query = listing.ListQuery(
        start=QUERY.start,
        end=QUERY.end,
        hook_type="zendesk",
        hook_sub_type="ticket",
        hook_id="48213",
        contact_id="c-1",
    )

    listing.list_page(TENANT, query, offset=0, limit=PAGE_SIZE)

    assert dict(upstream.calls.last.request.url.params) == {
        "start": "2026-01-01T00:00:00.000Z",
        "end": "2026-01-02T00:00:00.000Z",
        "limit": "2",
        "offset": "0",
        "hookType": "zendesk",
        "hookSubType": "ticket",
        "hookId": "48213",
        "contactId": "c-1",
    }


def test_on_upstream_page_is_called_once_per_uncached_page_only(upstream: respx.Route) -> None:
    calls: list[int] = []

    def count() -> None:
        calls.append(upstream.call_count)  # called before the request it stands for

    listing.scan(TENANT, QUERY, on_upstream_page=count)
    assert calls == [0, 1, 2]

    calls.clear()
    listing.scan(TENANT, QUERY, on_upstream_page=count)
    assert calls == []  # every page came from the cache

    cache.delete(page_keys()[1])
    listing.scan(TENANT, QUERY, on_upstream_page=count)
    assert calls == [3] and upstream.call_count == 4


class OverBudget(Exception):
    pass


@pytest.mark.parametrize(
    "refusal",
    [OverBudget("no more"), errors.RateLimited("no more", status=429)],
    ids=["own-exception", "project-error"],
)
def test_what_on_upstream_page_raises_leaves_scan_before_the_request(
    upstream: respx.Route, refusal: Exception
) -> None:
    listing.list_page(TENANT, QUERY, offset=0, limit=PAGE_SIZE)  # the first page is cached
    asked = upstream.call_count

    def refuse() -> None:
        raise refusal

    with pytest.raises(type(refusal)) as info:
        listing.scan(TENANT, QUERY, on_upstream_page=refuse)

    assert info.value is refusal
    assert upstream.call_count == asked  # the refused page was never requested


def test_an_answer_that_does_not_parse_is_not_cached(live_mode: str, settings: Any) -> None:
    settings.FLAGGED_PAGE_SIZE = PAGE_SIZE
    with respx.mock() as mock:
        route = mock.get(f"{live_mode}/v1/tenants/{TENANT}/interactions").respond(
            json={"total": 3, "items": []}
        )
        found = listing.scan(TENANT, QUERY)
        again = listing.scan(TENANT, QUERY)

    assert isinstance(found.error, errors.BadResponse) and found.failed_offset == 0
    assert isinstance(again.error, errors.BadResponse)
    assert cache.get(page_keys()[0]) is None
    assert route.call_count == 2


def test_a_page_size_over_the_apis_limit_is_capped(live_mode: str, settings: Any) -> None:
    settings.FLAGGED_PAGE_SIZE = 5000
    with respx.mock() as mock:
        route = mock.get(f"{live_mode}/v1/tenants/{TENANT}/interactions").mock(side_effect=answer)
        found = listing.scan(TENANT, QUERY)

    assert found.done and found.error is None
    assert route.calls.last.request.url.params["limit"] == "1000"


def test_scan_flagged_and_find_by_hook_build_their_queries(upstream: respx.Route) -> None:
    window = listing.Range(QUERY.start, QUERY.end, "custom")
    flagged = listing.scan_flagged(TENANT, window)
    assert [r.interaction_id for r in flagged.rows] == [row(n)["interactionId"] for n in (0, 2, 4)]

    now = datetime(2026, 1, 3, tzinfo=UTC)
    listing.find_by_hook(TENANT, "zendesk", "48213", now)
    params = upstream.calls.last.request.url.params
    assert (params["hookType"], params["hookId"]) == ("zendesk", "48213")
    assert params["end"] == "2026-01-03T00:00:00.000Z"
    assert "hookSubType" not in params and "contactId" not in params


def test_pages_shorter_than_asked_for_are_read_on_from_where_they_ended(
    live_mode: str, settings: Any
) -> None:
    """An API that answers fewer rows a page than asked for (its own, lower cap) while its
    total says more remain: the scan asks on from the last row it got, skipping none."""
    settings.FLAGGED_PAGE_SIZE = 4
    cap = 3

    def capped(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        results = [row(n) for n in range(offset, min(offset + cap, 10))]
        return httpx.Response(
            200, json={"total": 10, "offset": offset, "limit": cap, "results": results}
        )

    with respx.mock(assert_all_mocked=True) as mock:
        route = mock.get(f"{live_mode}/v1/tenants/{TENANT}/interactions").mock(side_effect=capped)
        found = listing.scan(TENANT, QUERY)
    assert found.done
    assert [r.interaction_id for r in found.rows] == [row(n)["interactionId"] for n in range(10)]
    assert found.scanned == 10
    assert [int(c.request.url.params["offset"]) for c in route.calls] == [0, 3, 6, 9]


def test_an_empty_page_in_mid_list_leaves_the_list_incomplete_and_says_so(
    live_mode: str, settings: Any
) -> None:
    """The total says 5, the page at offset 2 comes back empty: the scan stops there and
    says the rest was never listed, rather than read as a complete list of 2."""
    settings.FLAGGED_PAGE_SIZE = PAGE_SIZE

    def gap(request: httpx.Request) -> httpx.Response:
        offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
        results = [] if offset == 2 else [row(n) for n in range(offset, min(offset + limit, 5))]
        return httpx.Response(
            200, json={"total": 5, "offset": offset, "limit": limit, "results": results}
        )

    with respx.mock(assert_all_mocked=True) as mock:
        mock.get(f"{live_mode}/v1/tenants/{TENANT}/interactions").mock(side_effect=gap)
        found = listing.scan(TENANT, QUERY)
        assert not found.done
        assert found.error is not None
        assert found.failed_offset == 2
        assert "3 interactions were not listed" in found.error.message
        assert found.scanned == 2
        # The empty page is not kept: asking again asks the API for it again.
        assert cache.get(listing._page_key(TENANT, QUERY, offset=2, limit=PAGE_SIZE)) is None


@pytest.mark.parametrize(
    ("key", "current", "link"),
    [
        ("agent", "-start", "agent"),  # words: A to Z first
        ("agent", "agent", "-agent"),
        ("agent", "-agent", "agent"),
        ("start", "", "-start"),  # times: newest first
        ("start", "-start", "start"),
        ("start", "start", "-start"),
        ("duration", "agent", "-duration"),
        ("duration", "-duration", "duration"),
    ],
)
def test_a_column_header_sorts_its_natural_way_first_then_flips(
    key: str, current: str, link: str
) -> None:
    assert listing.sort_link(key, current) == link
