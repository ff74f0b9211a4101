"""Tests for the CxEngage HTTP client (``dashboard/cxengage/client.py``).

Most tests mock httpx with respx; the deadline/hang/trickle/reset tests talk to
the real stand-in server in ``tests/standin.py``. None of them touch the db.
"""

from __future__ import annotations

import base64
import email.utils
import json
import logging
import os
import socket
import time
import types
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import respx

from dashboard.cxengage import client as client_mod
from dashboard.cxengage import errors
from dashboard.cxengage.client import ClientConfig, CxEngageClient
from tests.standin import Behaviour, StandInAPI

BASE = "https://api.cxengage.test"
USER = "api-user"
PASSWORD = "s3cret-pw"
BASIC_B64 = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode("ascii")
API_KEY = "key-0b7e2a"
API_SECRET = "sekr1t-api-secret-9f"
TOKEN = "tok-4d1c9e77aa"
TOKEN2 = "tok-second-5a5a"

TENANT = "5fd2c3a8-3d4b-4f2e-9b2a-1f0c7e6d5b4a"
IID = "b2109780-db83-11e7-9709-c2b07aa3bee9"
PATH = f"/v1/tenants/{TENANT}/interactions/{IID}"
BODY = {"interactionId": IID, "tenantId": TENANT, "channelType": "voice"}


def basic_client(**overrides: Any) -> CxEngageClient:
    kwargs: dict[str, Any] = {
        "base_url": BASE,
        "username": USER,
        "password": PASSWORD,
        "deadline": 5.0,
    }
    kwargs.update(overrides)
    return CxEngageClient(ClientConfig(**kwargs))


def token_client(**overrides: Any) -> CxEngageClient:
    kwargs: dict[str, Any] = {
        "base_url": BASE,
        "api_key": API_KEY,
        "api_secret": API_SECRET,
        "deadline": 5.0,
    }
    kwargs.update(overrides)
    return CxEngageClient(ClientConfig(**kwargs))


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False, assert_all_mocked=True) as router:
        yield router


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Replace ``time.sleep`` as the client module sees it; record the requested waits."""
    calls: list[float] = []
    fake_time = types.SimpleNamespace(monotonic=time.monotonic, time=time.time, sleep=calls.append)
    monkeypatch.setattr(client_mod, "time", fake_time)
    return calls


# -- success and request shape ----------------------------------------------------


def test_success_returns_body_with_basic_auth_and_accept_header(api: respx.MockRouter) -> None:
    route = api.get(PATH).mock(return_value=httpx.Response(200, json=BODY))

    result = basic_client().get_interaction(TENANT, IID)

    assert result == BODY
    assert route.call_count == 1
    request = route.calls.last.request
    assert request.url.path == PATH
    assert request.url.host == "api.cxengage.test"
    assert request.headers["Authorization"] == f"Basic {BASIC_B64}"
    assert BASIC_B64 == "YXBpLXVzZXI6czNjcmV0LXB3"
    assert request.headers["Accept"] == "application/json"
    assert request.method == "GET"


LIST_PATH = f"/v1/tenants/{TENANT}/interactions"
ENVELOPE = {"page": 0, "limit": 10, "offset": 0, "total": 0, "results": []}
START = datetime(2024, 1, 1, tzinfo=UTC)
END = datetime(2024, 1, 2, 12, 30, 5, 123456, tzinfo=UTC)


def test_list_interactions_sends_exactly_the_api_query_names(api: respx.MockRouter) -> None:
    route = api.get(LIST_PATH).mock(return_value=httpx.Response(200, json=ENVELOPE))

    result = basic_client().list_interactions(
        TENANT,
        start=START,
        end=END,
        limit=10,
        offset=20,
        hook_type="zendesk",
        hook_sub_type="ticket",
        hook_id="48213",
        contact_id="c-9",
    )

    assert result == ENVELOPE
    request = route.calls.last.request
    assert request.url.path == LIST_PATH
    assert dict(request.url.params) == {
        "start": "2024-01-01T00:00:00.000Z",
        "end": "2024-01-02T12:30:05.123Z",
        "limit": "10",
        "offset": "20",
        "hookType": "zendesk",
        "hookSubType": "ticket",
        "hookId": "48213",
        "contactId": "c-9",
    }


def test_list_interactions_leaves_out_filters_not_given(api: respx.MockRouter) -> None:
    route = api.get(LIST_PATH).mock(return_value=httpx.Response(200, json=ENVELOPE))

    basic_client().list_interactions(
        TENANT, start=START, end=END, limit=1000, offset=0, hook_id="7"
    )

    assert dict(route.calls.last.request.url.params) == {
        "start": "2024-01-01T00:00:00.000Z",
        "end": "2024-01-02T12:30:05.123Z",
        "limit": "1000",
        "offset": "0",
        "hookId": "7",
    }


def test_list_interactions_sends_times_in_utc(api: respx.MockRouter) -> None:
    route = api.get(LIST_PATH).mock(return_value=httpx.Response(200, json=ENVELOPE))
    moncton = timezone(timedelta(hours=-4))

    basic_client().list_interactions(
        TENANT, start=datetime(2024, 1, 1, 20, 0, tzinfo=moncton), end=END, limit=1, offset=0
    )

    assert route.calls.last.request.url.params["start"] == "2024-01-02T00:00:00.000Z"


@pytest.mark.parametrize(
    ("limit", "offset", "error"),
    [
        (0, 0, ValueError),
        (1001, 0, ValueError),
        (-5, 0, ValueError),
        (10, -1, ValueError),
        (True, 0, TypeError),
        (10.0, 0, TypeError),
        ("10", 0, TypeError),
        (10, None, TypeError),
    ],
    ids=[
        "limit-0",
        "limit-1001",
        "limit-negative",
        "offset-negative",
        "limit-bool",
        "limit-float",
        "limit-str",
        "offset-none",
    ],
)
def test_list_interactions_rejects_bad_paging_without_asking(
    api: respx.MockRouter, limit: Any, offset: Any, error: type[Exception]
) -> None:
    route = api.route().mock(return_value=httpx.Response(200, json=ENVELOPE))

    with pytest.raises(error):
        basic_client().list_interactions(TENANT, start=START, end=END, limit=limit, offset=offset)

    assert route.call_count == 0


@pytest.mark.parametrize("limit", [1, 1000])
def test_list_interactions_accepts_the_apis_bounds(api: respx.MockRouter, limit: int) -> None:
    route = api.get(LIST_PATH).mock(return_value=httpx.Response(200, json=ENVELOPE))

    basic_client().list_interactions(TENANT, start=START, end=END, limit=limit, offset=0)

    assert route.calls.last.request.url.params["limit"] == str(limit)


def test_list_interactions_rejects_naive_times(api: respx.MockRouter) -> None:
    route = api.route().mock(return_value=httpx.Response(200, json=ENVELOPE))

    with pytest.raises(ValueError, match="timezone-aware"):
        basic_client().list_interactions(
            TENANT, start=datetime(2024, 1, 1), end=END, limit=1, offset=0
        )

    assert route.call_count == 0


def test_list_interactions_json_list_raises_bad_response(api: respx.MockRouter) -> None:
    api.get(LIST_PATH).mock(return_value=httpx.Response(200, json=[ENVELOPE]))

    with pytest.raises(errors.BadResponse, match="not an object"):
        basic_client().list_interactions(TENANT, start=START, end=END, limit=10, offset=0)


def test_ids_are_escaped_into_a_single_path_segment(api: respx.MockRouter) -> None:
    """An ID carrying '/' or '..' must not reach another endpoint of the API.

    Either the client refuses the ID without sending anything, or the ID stays one
    (percent-encoded) segment under the interactions path.
    """
    route = api.route().mock(return_value=httpx.Response(200, json={}))

    try:
        basic_client().get_interaction(TENANT, "../../../admin")
    except (errors.CxEngageError, ValueError):
        assert route.call_count == 0
        return
    raw_path = route.calls.last.request.url.raw_path.decode()
    prefix = f"/v1/tenants/{TENANT}/interactions/"
    assert raw_path.startswith(prefix), raw_path
    assert "/" not in raw_path[len(prefix) :], raw_path


# -- token authentication -------------------------------------------------------------


def test_token_auth_fetches_token_then_sends_it(api: respx.MockRouter) -> None:
    tokens = api.post("/v1/tokens").mock(return_value=httpx.Response(200, json={"token": TOKEN}))
    get = api.get(PATH).mock(return_value=httpx.Response(200, json=BODY))

    assert token_client().get_interaction(TENANT, IID) == BODY

    assert tokens.call_count == 1
    token_request = tokens.calls.last.request
    assert json.loads(token_request.content) == {"username": API_KEY, "password": API_SECRET}
    assert get.call_count == 1
    assert get.calls.last.request.headers["Authorization"] == f"Token {TOKEN}"


def test_token_is_reused_for_a_second_call(api: respx.MockRouter) -> None:
    tokens = api.post("/v1/tokens").mock(return_value=httpx.Response(200, json={"token": TOKEN}))
    get = api.get(PATH).mock(return_value=httpx.Response(200, json=BODY))
    client = token_client()

    client.get_interaction(TENANT, IID)
    client.get_interaction(TENANT, IID)

    assert tokens.call_count == 1
    assert get.call_count == 2
    assert [c.request.headers["Authorization"] for c in get.calls] == [f"Token {TOKEN}"] * 2


def test_token_401_renews_once_and_retries_once(api: respx.MockRouter) -> None:
    tokens = api.post("/v1/tokens").mock(
        side_effect=[
            httpx.Response(200, json={"token": TOKEN}),
            httpx.Response(200, json={"token": TOKEN2}),
        ]
    )
    get = api.get(PATH).mock(
        side_effect=[
            httpx.Response(401, json={"message": "token expired"}),
            httpx.Response(200, json=BODY),
        ]
    )

    assert token_client().get_interaction(TENANT, IID) == BODY

    assert tokens.call_count == 2
    assert get.call_count == 2
    assert [c.request.headers["Authorization"] for c in get.calls] == [
        f"Token {TOKEN}",
        f"Token {TOKEN2}",
    ]


def test_token_second_401_after_renewal_raises_auth_failed(api: respx.MockRouter) -> None:
    tokens = api.post("/v1/tokens").mock(
        side_effect=[
            httpx.Response(200, json={"token": TOKEN}),
            httpx.Response(200, json={"token": TOKEN2}),
        ]
    )
    get = api.get(PATH).mock(return_value=httpx.Response(401, json={"message": "nope"}))

    with pytest.raises(errors.AuthenticationFailed) as info:
        token_client().get_interaction(TENANT, IID)

    assert info.value.status == 401
    assert tokens.call_count == 2
    assert get.call_count == 2


def _single_token_api(api: respx.MockRouter) -> list[str]:
    """An API that honours only the latest token it issued (a new one ends the last)."""
    import threading

    issued: list[str] = []
    lock = threading.Lock()

    def issue(request: httpx.Request) -> httpx.Response:
        time.sleep(0.05)  # long enough for every caller to be waiting on a token
        with lock:
            issued.append(f"tok-{len(issued)}")
            return httpx.Response(200, json={"token": issued[-1]})

    def answer(request: httpx.Request) -> httpx.Response:
        time.sleep(0.02)
        with lock:
            latest = issued[-1] if issued else None
        if request.headers.get("Authorization") != f"Token {latest}":
            return httpx.Response(401, json={"message": "token expired"})
        return httpx.Response(200, json=BODY)

    api.post("/v1/tokens").mock(side_effect=issue)
    api.get(PATH).mock(side_effect=answer)
    return issued


@pytest.mark.parametrize("first_expired", [False, True])
def test_concurrent_callers_share_one_token_and_one_renewal(
    api: respx.MockRouter, first_expired: bool
) -> None:
    """Each caller fetching (or renewing) a token of its own would end the others'."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    issued = _single_token_api(api)
    client = token_client()
    if first_expired:
        client._token = "tok-expired"  # from before: the API answers it 401
    start = Barrier(8)

    def ask(_: int) -> dict[str, Any]:
        start.wait()
        return client.get_interaction(TENANT, IID)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, range(8)))

    assert answers == [BODY] * 8
    assert len(issued) == 1


def test_token_endpoint_401_raises_auth_failed(api: respx.MockRouter) -> None:
    tokens = api.post("/v1/tokens").mock(return_value=httpx.Response(401, json={"message": "bad"}))
    get = api.get(PATH).mock(return_value=httpx.Response(200, json=BODY))

    with pytest.raises(errors.AuthenticationFailed) as info:
        token_client().get_interaction(TENANT, IID)

    assert info.value.status == 401
    assert info.value.path == "/v1/tokens"
    assert tokens.call_count == 1
    assert get.call_count == 0


def test_token_answer_without_token_raises_bad_response(api: respx.MockRouter) -> None:
    api.post("/v1/tokens").mock(return_value=httpx.Response(200, json={"access": "x"}))
    get = api.get(PATH).mock(return_value=httpx.Response(200, json=BODY))

    with pytest.raises(errors.BadResponse) as info:
        token_client().get_interaction(TENANT, IID)

    assert info.value.path == "/v1/tokens"
    assert get.call_count == 0


# -- status mapping ---------------------------------------------------------------------


def test_404_raises_not_found_with_status_and_path(api: respx.MockRouter) -> None:
    route = api.get(PATH).mock(
        return_value=httpx.Response(404, json={"message": "Interaction not found"})
    )

    with pytest.raises(errors.NotFound) as info:
        basic_client().get_interaction(TENANT, IID)

    assert info.value.status == 404
    assert info.value.path == PATH
    assert route.call_count == 1


def test_403_raises_forbidden(api: respx.MockRouter) -> None:
    route = api.get(PATH).mock(return_value=httpx.Response(403, json={"error": "no permission"}))

    with pytest.raises(errors.Forbidden) as info:
        basic_client().get_interaction(TENANT, IID)

    assert info.value.status == 403
    assert route.call_count == 1


def test_401_with_basic_auth_raises_auth_failed_without_retry(api: respx.MockRouter) -> None:
    route = api.get(PATH).mock(return_value=httpx.Response(401, text="Unauthorized"))
    tokens = api.post("/v1/tokens").mock(return_value=httpx.Response(200, json={"token": TOKEN}))

    with pytest.raises(errors.AuthenticationFailed) as info:
        basic_client().get_interaction(TENANT, IID)

    assert info.value.status == 401
    assert route.call_count == 1
    assert tokens.call_count == 0


def test_500_raises_server_error_without_retry(api: respx.MockRouter, sleeps: list[float]) -> None:
    route = api.get(PATH).mock(return_value=httpx.Response(500, json={"message": "boom"}))

    with pytest.raises(errors.ServerError) as info:
        basic_client().get_interaction(TENANT, IID)

    assert type(info.value) is errors.ServerError
    assert info.value.status == 500
    assert route.call_count == 1
    assert sleeps == []


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_are_retried_three_times_then_server_error(
    api: respx.MockRouter, sleeps: list[float], status: int
) -> None:
    route = api.get(PATH).mock(return_value=httpx.Response(status, text="bad gateway"))

    with pytest.raises(errors.ServerError) as info:
        basic_client().get_interaction(TENANT, IID)

    assert type(info.value) is errors.ServerError
    assert info.value.status == status
    assert route.call_count == 3
    assert len(sleeps) == 2


def test_503_then_200_returns_body_after_two_calls(
    api: respx.MockRouter, sleeps: list[float]
) -> None:
    route = api.get(PATH).mock(side_effect=[httpx.Response(503), httpx.Response(200, json=BODY)])

    assert basic_client().get_interaction(TENANT, IID) == BODY
    assert route.call_count == 2
    assert len(sleeps) == 1


# -- rate limiting ------------------------------------------------------------------------


def test_429_with_retry_after_sleeps_then_succeeds(
    api: respx.MockRouter, sleeps: list[float]
) -> None:
    route = api.get(PATH).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "2"}),
            httpx.Response(200, json=BODY),
        ]
    )

    assert basic_client(deadline=10.0).get_interaction(TENANT, IID) == BODY
    assert route.call_count == 2
    assert sleeps == [pytest.approx(2.0)]


def test_429_huge_retry_after_is_capped(api: respx.MockRouter, sleeps: list[float]) -> None:
    route = api.get(PATH).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "3600"}),
            httpx.Response(200, json=BODY),
        ]
    )

    client = basic_client(deadline=10.0, max_retry_after=0.5)
    assert client.get_interaction(TENANT, IID) == BODY
    assert route.call_count == 2
    assert sleeps == [pytest.approx(0.5)]


def test_429_three_times_raises_rate_limited_with_retry_after(
    api: respx.MockRouter, sleeps: list[float]
) -> None:
    route = api.get(PATH).mock(return_value=httpx.Response(429, headers={"Retry-After": "1"}))

    with pytest.raises(errors.RateLimited) as info:
        basic_client(deadline=10.0).get_interaction(TENANT, IID)

    assert info.value.status == 429
    assert info.value.retry_after == pytest.approx(1.0)
    assert route.call_count == 3
    assert sleeps == [pytest.approx(1.0), pytest.approx(1.0)]


def test_429_http_date_retry_after_is_understood(
    api: respx.MockRouter, sleeps: list[float]
) -> None:
    retry_at = email.utils.formatdate(time.time() + 4, usegmt=True)  # e.g. "Tue, 01 ... GMT"
    assert retry_at.endswith("GMT")
    route = api.get(PATH).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": retry_at}),
            httpx.Response(200, json=BODY),
        ]
    )

    client = basic_client(deadline=30.0, max_retry_after=30.0)
    assert client.get_interaction(TENANT, IID) == BODY
    assert route.call_count == 2
    assert len(sleeps) == 1
    # HTTP dates have one-second resolution: "now + 4 s" reads as 3..4 s from now.
    assert 2.5 <= sleeps[0] <= 4.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("inf", None),
        ("1e400", None),
        ("nan", None),
        ("-inf", 0.0),
        ("-5", 0.0),
        ("99999999999999999999999", client_mod.MAX_RETRY_AFTER),
        ("Fri, 31 Dec 9999 23:59:59 GMT", client_mod.MAX_RETRY_AFTER),
        ("Mon, 01 Jan 0001 00:00:00 GMT", 0.0),
        ("soon", None),
        ("", None),
    ],
)
def test_odd_retry_after_values_become_a_wait_a_person_can_keep(
    api: respx.MockRouter, sleeps: list[float], value: str, expected: float | None
) -> None:
    """Not a number, never, negative or centuries away: the error carries no wait, no
    wait at all, or the longest one worth saying (the page and the index sync read it)."""
    api.get(PATH).mock(return_value=httpx.Response(429, headers={"Retry-After": value}))

    with pytest.raises(errors.RateLimited) as info:
        basic_client(deadline=10.0).get_interaction(TENANT, IID)

    assert info.value.retry_after == expected
    assert all(0 <= s <= 5.0 for s in sleeps)


# -- the deadline bounds the retries ----------------------------------------------------


def test_retry_after_past_deadline_raises_rate_limited_at_once(
    api: respx.MockRouter, sleeps: list[float]
) -> None:
    route = api.get(PATH).mock(return_value=httpx.Response(429, headers={"Retry-After": "5"}))

    started = time.monotonic()
    with pytest.raises(errors.RateLimited) as info:
        basic_client(deadline=1.0, max_retry_after=5.0).get_interaction(TENANT, IID)

    assert time.monotonic() - started < 0.5
    assert sleeps == []
    assert route.call_count == 1
    assert info.value.retry_after == pytest.approx(5.0)


def test_retry_after_past_deadline_on_503_raises_server_error_at_once(
    api: respx.MockRouter, sleeps: list[float]
) -> None:
    route = api.get(PATH).mock(return_value=httpx.Response(503, headers={"Retry-After": "5"}))

    started = time.monotonic()
    with pytest.raises(errors.ServerError) as info:
        basic_client(deadline=1.0, max_retry_after=5.0).get_interaction(TENANT, IID)

    assert time.monotonic() - started < 0.5
    assert type(info.value) is errors.ServerError
    assert info.value.status == 503
    assert sleeps == []
    assert route.call_count == 1


# -- transport failures -----------------------------------------------------------------


def test_connect_error_is_retried_then_connection_failed(
    api: respx.MockRouter, sleeps: list[float]
) -> None:
    route = api.get(PATH).mock(side_effect=httpx.ConnectError)

    with pytest.raises(errors.ConnectionFailed) as info:
        basic_client().get_interaction(TENANT, IID)

    assert type(info.value) is errors.ConnectionFailed
    assert info.value.status is None
    assert info.value.path == PATH
    assert route.call_count == 3
    assert len(sleeps) == 2
    assert all(s > 0 for s in sleeps)


def test_connect_error_then_success(api: respx.MockRouter, sleeps: list[float]) -> None:
    route = api.get(PATH).mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json=BODY)]
    )

    assert basic_client().get_interaction(TENANT, IID) == BODY
    assert route.call_count == 2


def test_connect_timeout_raises_timeout(api: respx.MockRouter, sleeps: list[float]) -> None:
    route = api.get(PATH).mock(side_effect=httpx.ConnectTimeout)

    with pytest.raises(errors.Timeout):
        basic_client().get_interaction(TENANT, IID)

    assert 1 <= route.call_count <= 3


def test_read_timeout_raises_timeout_without_retry(
    api: respx.MockRouter, sleeps: list[float]
) -> None:
    route = api.get(PATH).mock(side_effect=httpx.ReadTimeout)

    with pytest.raises(errors.Timeout) as info:
        basic_client().get_interaction(TENANT, IID)

    assert info.value.path == PATH
    assert route.call_count == 1
    assert sleeps == []


@pytest.mark.parametrize("exc", [httpx.RemoteProtocolError, httpx.ReadError])
def test_connection_reset_is_connection_failed_and_not_retried(
    api: respx.MockRouter, sleeps: list[float], exc: type[Exception]
) -> None:
    route = api.get(PATH).mock(side_effect=exc)

    with pytest.raises(errors.ConnectionFailed) as info:
        basic_client().get_interaction(TENANT, IID)

    assert type(info.value) is errors.ConnectionFailed
    assert route.call_count == 1
    assert sleeps == []


# -- bad responses ------------------------------------------------------------------------


def test_non_json_body_raises_bad_response(api: respx.MockRouter) -> None:
    api.get(PATH).mock(return_value=httpx.Response(200, text="<html>maintenance</html>"))

    with pytest.raises(errors.BadResponse) as info:
        basic_client().get_interaction(TENANT, IID)

    assert info.value.path == PATH


def test_json_list_raises_bad_response(api: respx.MockRouter) -> None:
    api.get(PATH).mock(return_value=httpx.Response(200, json=[BODY]))

    with pytest.raises(errors.BadResponse, match="not an object"):
        basic_client().get_interaction(TENANT, IID)


def test_body_over_cap_with_content_length_raises_bad_response(api: respx.MockRouter) -> None:
    response = httpx.Response(200, content=b'{"a": "' + b"x" * 2000 + b'"}')
    assert int(response.headers["Content-Length"]) > 1000
    api.get(PATH).mock(return_value=response)

    with pytest.raises(errors.BadResponse, match="larger than 1000"):
        basic_client(max_body_bytes=1000).get_interaction(TENANT, IID)


def test_body_over_cap_without_content_length_raises_bad_response(
    api: respx.MockRouter,
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"a": "'
        for _ in range(10):
            yield b"x" * 300
        yield b'"}'

    response = httpx.Response(200, content=chunks())
    assert "Content-Length" not in response.headers
    api.get(PATH).mock(return_value=response)

    with pytest.raises(errors.BadResponse, match="larger than 1000"):
        basic_client(max_body_bytes=1000).get_interaction(TENANT, IID)


def test_body_under_cap_is_fine(api: respx.MockRouter) -> None:
    api.get(PATH).mock(return_value=httpx.Response(200, json={"a": "x" * 900}))

    assert basic_client(max_body_bytes=1000).get_interaction(TENANT, IID) == {"a": "x" * 900}


def test_deeply_nested_json_raises_bad_response_not_recursion_error(
    api: respx.MockRouter,
) -> None:
    api.get(PATH).mock(return_value=httpx.Response(200, content=b"[" * 100_000))

    with pytest.raises(errors.BadResponse):
        basic_client().get_interaction(TENANT, IID)


def test_deeply_nested_error_body_does_not_raise_recursion_error(
    api: respx.MockRouter,
) -> None:
    """Error bodies are read for a message; a hostile one must not crash that."""
    api.get(PATH).mock(return_value=httpx.Response(404, content=b"[" * 100_000))

    with pytest.raises(errors.NotFound) as info:
        basic_client().get_interaction(TENANT, IID)

    assert info.value.status == 404


def nested(depth: int) -> bytes:
    """An interaction whose attributes nest ``depth`` objects deep."""
    inner = b'{"a": ' * depth + b"1" + b"}" * depth
    return json.dumps(BODY)[:-1].encode() + b', "interactionAttributes": ' + inner + b"}"


def test_nesting_past_any_interactions_shape_is_bad_response(api: respx.MockRouter) -> None:
    """Deep enough to decode, too deep for whatever walks it next (the cache pickles it,
    masking and the raw view walk it): refused at the door."""
    api.get(PATH).mock(return_value=httpx.Response(200, content=nested(800)))

    with pytest.raises(errors.BadResponse, match="nested"):
        basic_client().get_interaction(TENANT, IID)


def test_nesting_as_deep_as_attributes_may_go_is_read(api: respx.MockRouter) -> None:
    api.get(PATH).mock(return_value=httpx.Response(200, content=nested(98)))

    data = basic_client().get_interaction(TENANT, IID)

    assert data["interactionId"] == IID and "a" in data["interactionAttributes"]


def test_brackets_inside_strings_are_not_nesting(api: respx.MockRouter) -> None:
    body = {**BODY, "notes": '[{"\\' * 500 + '"\\'}
    api.get(PATH).mock(return_value=httpx.Response(200, json=body))

    assert basic_client().get_interaction(TENANT, IID) == body


def test_lone_surrogates_become_replacement_characters(api: respx.MockRouter) -> None:
    """JSON may escape half a surrogate pair, which no page, log or database can write."""
    content = (
        json.dumps(BODY)[:-1]
        + r', "flowName": "Basic \ud800 Flow", "\udcff": ["\uDFFF"], "ok": "\ud83d\ude00"}'
    )
    api.get(PATH).mock(return_value=httpx.Response(200, content=content.encode()))

    data = basic_client().get_interaction(TENANT, IID)

    assert data["flowName"] == "Basic \ufffd Flow"
    assert data["\ufffd"] == ["\ufffd"]
    assert data["ok"] == "\U0001f600"  # a whole pair is one character, kept
    json.dumps(data, ensure_ascii=False).encode("utf-8")


def test_a_byte_order_mark_is_read_past(api: respx.MockRouter) -> None:
    api.get(PATH).mock(
        return_value=httpx.Response(200, content=b"\xef\xbb\xbf" + json.dumps(BODY).encode())
    )

    assert basic_client().get_interaction(TENANT, IID) == BODY


def test_redirect_raises_bad_response_and_is_not_followed(api: respx.MockRouter) -> None:
    api.get(PATH).mock(return_value=httpx.Response(302, headers={"Location": f"{BASE}/elsewhere"}))
    elsewhere = api.get("/elsewhere").mock(return_value=httpx.Response(200, json=BODY))

    with pytest.raises(errors.BadResponse) as info:
        basic_client().get_interaction(TENANT, IID)

    assert info.value.status == 302
    assert elsewhere.call_count == 0


# -- a real server: the overall deadline --------------------------------------------------


@pytest.fixture
def standin() -> Iterator[StandInAPI]:
    with StandInAPI() as server:
        server.interactions[(TENANT, IID)] = BODY
        yield server


def standin_client(server: StandInAPI, **overrides: Any) -> CxEngageClient:
    return basic_client(base_url=server.url, **overrides)


def test_standin_serves_an_interaction(standin: StandInAPI) -> None:
    assert standin_client(standin).get_interaction(TENANT, IID) == BODY
    assert standin.requests[f"GET {PATH}"] == 1
    assert standin.auth_headers == [f"Basic {BASIC_B64}"]


def test_hanging_server_times_out_at_the_deadline(standin: StandInAPI) -> None:
    standin.script(f"GET {PATH}", Behaviour(hang=True))
    client = standin_client(standin, deadline=1.0, read_timeout=5.0)

    started = time.monotonic()
    with pytest.raises(errors.Timeout):
        client.get_interaction(TENANT, IID)
    elapsed = time.monotonic() - started

    assert elapsed < 1.5
    assert standin.requests[f"GET {PATH}"] == 1


def test_trickling_server_times_out_at_the_deadline(standin: StandInAPI) -> None:
    standin.script(f"GET {PATH}", Behaviour(trickle=0.05, body=b'{"a": 1' + b" " * 200 + b"}"))
    client = standin_client(standin, deadline=1.0, read_timeout=5.0)

    started = time.monotonic()
    with pytest.raises(errors.Timeout):
        client.get_interaction(TENANT, IID)
    elapsed = time.monotonic() - started

    assert elapsed < 1.5


def test_slow_trickle_still_ends_at_the_deadline(standin: StandInAPI) -> None:
    """Bytes spaced just under the deadline: the call must still end near the deadline."""
    standin.script(f"GET {PATH}", Behaviour(trickle=0.9, body=b'{"a": 1}'))
    client = standin_client(standin, deadline=1.0, read_timeout=5.0)

    started = time.monotonic()
    with pytest.raises(errors.Timeout):
        client.get_interaction(TENANT, IID)
    elapsed = time.monotonic() - started

    assert elapsed < 1.5


def test_broken_content_encoding_raises_project_error_not_httpx(standin: StandInAPI) -> None:
    """A body that claims gzip but is not must not leak httpx.DecodingError."""
    standin.script(
        f"GET {PATH}",
        Behaviour(headers={"Content-Encoding": "gzip"}, body=b"this is not gzip"),
    )

    with pytest.raises(errors.CxEngageError):
        standin_client(standin, deadline=3.0).get_interaction(TENANT, IID)


def test_reset_connection_is_connection_failed(standin: StandInAPI) -> None:
    standin.script(f"GET {PATH}", Behaviour(reset=True))

    with pytest.raises(errors.ConnectionFailed) as info:
        standin_client(standin, deadline=3.0).get_interaction(TENANT, IID)

    assert type(info.value) is errors.ConnectionFailed
    assert standin.requests[f"GET {PATH}"] == 1


def test_reset_in_the_middle_of_the_body_is_connection_failed_and_not_retried(
    standin: StandInAPI,
) -> None:
    body = json.dumps({**BODY, "notes": "x" * 50_000}).encode()
    standin.script(f"GET {PATH}", Behaviour(body=body, reset_after=20_000))

    with pytest.raises(errors.ConnectionFailed, match="broke off"):
        standin_client(standin, deadline=3.0).get_interaction(TENANT, IID)

    assert standin.requests[f"GET {PATH}"] == 1


# -- logging ---------------------------------------------------------------------------------


def _assert_no_secret_in_logs(records: list[logging.LogRecord], secrets: list[str]) -> None:
    for record in records:
        texts = [record.getMessage()] + [repr(v) for v in vars(record).values()]
        for secret in secrets:
            for text in texts:
                assert secret not in text, f"{secret!r} leaked in log record {record.name}"


def test_log_record_names_path_status_and_elapsed(
    api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    api.get(PATH).mock(return_value=httpx.Response(200, json=BODY))
    caplog.set_level(logging.DEBUG)

    basic_client().get_interaction(TENANT, IID)

    records = [r for r in caplog.records if getattr(r, "upstream_path", None) == PATH]
    assert records, "no upstream log record"
    record = records[-1]
    assert record.name == "dashboard.cxengage"
    assert record.upstream_status == 200  # type: ignore[attr-defined]
    assert isinstance(record.upstream_elapsed_ms, float)  # type: ignore[attr-defined]
    assert record.upstream_elapsed_ms >= 0  # type: ignore[attr-defined]
    assert PATH in record.getMessage()
    assert "200" in record.getMessage()


def test_logs_carry_no_basic_credentials(
    api: respx.MockRouter, caplog: pytest.LogCaptureFixture, sleeps: list[float]
) -> None:
    api.get(PATH).mock(
        side_effect=[httpx.Response(503), httpx.Response(401, json={"message": "denied"})]
    )
    caplog.set_level(logging.DEBUG)

    with pytest.raises(errors.AuthenticationFailed) as info:
        basic_client().get_interaction(TENANT, IID)

    statuses = [getattr(r, "upstream_status", None) for r in caplog.records]
    assert 503 in statuses and 401 in statuses
    _assert_no_secret_in_logs(caplog.records, [PASSWORD, BASIC_B64])
    assert PASSWORD not in str(info.value) and BASIC_B64 not in str(info.value)


def test_logs_carry_no_api_secret_or_token(
    api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    api.post("/v1/tokens").mock(
        side_effect=[
            httpx.Response(200, json={"token": TOKEN}),
            httpx.Response(200, json={"token": TOKEN2}),
        ]
    )
    api.get(PATH).mock(side_effect=[httpx.Response(401), httpx.Response(200, json=BODY)])
    caplog.set_level(logging.DEBUG)

    token_client().get_interaction(TENANT, IID)

    assert any(getattr(r, "upstream_path", None) == "/v1/tokens" for r in caplog.records)
    _assert_no_secret_in_logs(caplog.records, [API_SECRET, TOKEN, TOKEN2])


@pytest.mark.parametrize("status", [400, 404, 403, 500])
@pytest.mark.parametrize(
    "body",
    [
        "Rejected: Authorization: Basic {basic} for {user}:{password}",
        '{{"message": "bad header Authorization: Basic {basic}"}}',
        '{{"errors": [{{"message": "password {password} is wrong"}}]}}',
    ],
)
def test_an_error_body_echoing_the_basic_credentials_does_not_repeat_them(
    api: respx.MockRouter, sleeps: list[float], status: int, body: str
) -> None:
    """What the API said reaches the error page: a proxy echoing the request's
    headers must not put the dashboard's credentials there."""
    text = body.format(basic=BASIC_B64, user=USER, password=PASSWORD)
    api.get(PATH).mock(return_value=httpx.Response(status, content=text.encode()))

    with pytest.raises(errors.CxEngageError) as info:
        basic_client().get_interaction(TENANT, IID)

    said = f"{info.value} {info.value.message} {info.value.as_dict()}"
    assert PASSWORD not in said and BASIC_B64 not in said
    assert "[redacted]" in said


def test_an_error_body_echoing_the_token_or_key_does_not_repeat_them(
    api: respx.MockRouter, sleeps: list[float]
) -> None:
    api.post("/v1/tokens").mock(return_value=httpx.Response(200, json={"token": TOKEN}))
    api.get(PATH).mock(
        return_value=httpx.Response(
            500, json={"message": f"Token {TOKEN} from key {API_KEY} ({API_SECRET})"}
        )
    )

    with pytest.raises(errors.ServerError) as info:
        token_client().get_interaction(TENANT, IID)

    for secret in (TOKEN, API_KEY, API_SECRET):
        assert secret not in info.value.message


def test_a_refused_token_request_echoing_the_secret_does_not_repeat_it(
    api: respx.MockRouter, sleeps: list[float]
) -> None:
    api.post("/v1/tokens").mock(
        return_value=httpx.Response(500, text=f"no user {API_KEY} with password {API_SECRET}")
    )

    with pytest.raises(errors.ServerError) as info:
        token_client().get_interaction(TENANT, IID)

    assert API_SECRET not in info.value.message and API_KEY not in info.value.message


# -- config and process safety --------------------------------------------------------------


def test_config_repr_hides_password_and_secret() -> None:
    basic = ClientConfig(base_url=BASE, username=USER, password=PASSWORD)
    token = ClientConfig(base_url=BASE, api_key=API_KEY, api_secret=API_SECRET)

    for config in (basic, token):
        for text in (repr(config), str(config), f"{config!r}"):
            assert PASSWORD not in text
            assert API_SECRET not in text
            assert BASIC_B64 not in text
    assert BASE in repr(basic)


def test_new_http_client_after_fork(api: respx.MockRouter) -> None:
    route = api.get(PATH).mock(return_value=httpx.Response(200, json=BODY))
    client = basic_client()

    client.get_interaction(TENANT, IID)
    first = client._http
    assert first is not None
    client.get_interaction(TENANT, IID)
    assert client._http is first  # same process: the pool is reused

    client._pid = os.getpid() + 12345  # as if this object was inherited across a fork
    client.get_interaction(TENANT, IID)

    assert client._http is not None
    assert client._http is not first
    assert client._pid == os.getpid()
    assert route.call_count == 3


# -- two branches: one class per failure mode ---------------------------------------------

STATUS_BRANCH = [
    errors.NotFound,
    errors.Forbidden,
    errors.AuthenticationFailed,
    errors.ServerError,
    errors.RateLimited,
]
CONNECTION_BRANCH = [
    errors.ConnectionFailed,
    errors.Timeout,
    errors.BadResponse,
    errors.WrongInteraction,
]
EVERY_CLASS = [
    errors.CxEngageError,
    errors.APIStatusError,
    errors.APIConnectionError,
    *STATUS_BRANCH,
    *CONNECTION_BRANCH,
]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (404, errors.NotFound),
        (403, errors.Forbidden),
        (401, errors.AuthenticationFailed),
        (500, errors.ServerError),
        (502, errors.ServerError),
        (503, errors.ServerError),
        (504, errors.ServerError),
        (429, errors.RateLimited),
    ],
)
def test_each_status_is_its_own_class_in_the_status_branch(
    api: respx.MockRouter, sleeps: list[float], status: int, expected: type[errors.CxEngageError]
) -> None:
    api.get(PATH).mock(return_value=httpx.Response(status, headers={"Retry-After": "1"}))

    with pytest.raises(errors.CxEngageError) as info:
        basic_client().get_interaction(TENANT, IID)

    assert type(info.value) is expected
    assert isinstance(info.value, errors.APIStatusError)
    assert not isinstance(info.value, errors.APIConnectionError)
    assert info.value.status == status


def test_gone_is_not_found_saying_the_record_no_longer_exists(api: respx.MockRouter) -> None:
    api.get(PATH).mock(return_value=httpx.Response(410, json={"message": "deleted"}))

    with pytest.raises(errors.NotFound) as info:
        basic_client().get_interaction(TENANT, IID)

    assert info.value.status == 410
    assert "no longer exists (deleted)" in str(info.value)


@pytest.mark.parametrize("status", [301, 400, 405, 422])
def test_other_statuses_are_bad_responses_keeping_the_status(
    api: respx.MockRouter, status: int
) -> None:
    api.get(PATH).mock(return_value=httpx.Response(status, json={"message": "no"}))

    with pytest.raises(errors.BadResponse) as info:
        basic_client().get_interaction(TENANT, IID)

    assert type(info.value) is errors.BadResponse
    assert info.value.status == status


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_refused_connection_is_connection_failed(sleeps: list[float]) -> None:
    client = basic_client(base_url=f"http://127.0.0.1:{_closed_port()}")

    with pytest.raises(errors.ConnectionFailed) as info:
        client.get_interaction(TENANT, IID)

    assert isinstance(info.value, errors.APIConnectionError)
    assert not isinstance(info.value, errors.APIStatusError)
    assert info.value.status is None and info.value.path == PATH
    assert len(sleeps) == 2  # refused before anything was sent: tried three times


def test_unresolvable_name_is_connection_failed(api: respx.MockRouter, sleeps: list[float]) -> None:
    api.get(PATH).mock(side_effect=httpx.ConnectError("[Errno -2] Name or service not known"))

    with pytest.raises(errors.ConnectionFailed):
        basic_client().get_interaction(TENANT, IID)


@pytest.mark.parametrize(
    "exc", [httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout, httpx.ConnectTimeout]
)
def test_every_httpx_timeout_is_timeout(
    api: respx.MockRouter, sleeps: list[float], exc: type[Exception]
) -> None:
    api.get(PATH).mock(side_effect=exc)

    with pytest.raises(errors.Timeout) as info:
        basic_client().get_interaction(TENANT, IID)

    assert isinstance(info.value, errors.APIConnectionError)
    assert not isinstance(info.value, errors.APIStatusError)


@pytest.mark.parametrize(
    "exc", [httpx.ProxyError, httpx.UnsupportedProtocol, httpx.WriteError, httpx.LocalProtocolError]
)
def test_other_transport_failures_are_connection_failed(
    api: respx.MockRouter, sleeps: list[float], exc: type[Exception]
) -> None:
    api.get(PATH).mock(side_effect=exc)

    with pytest.raises(errors.ConnectionFailed):
        basic_client().get_interaction(TENANT, IID)


def test_hang_on_a_real_server_is_timeout(standin: StandInAPI) -> None:
    standin.script(f"GET {PATH}", Behaviour(hang=True))

    with pytest.raises(errors.Timeout) as info:
        standin_client(standin, deadline=0.5, read_timeout=5.0).get_interaction(TENANT, IID)

    assert isinstance(info.value, errors.APIConnectionError)


@pytest.mark.parametrize(
    "body", [b"\x00\xff garbage \xfe", b"<html>maintenance</html>", b'"a string"', b"[1, 2]"]
)
def test_garbage_is_bad_response(api: respx.MockRouter, body: bytes) -> None:
    api.get(PATH).mock(return_value=httpx.Response(200, content=body))

    with pytest.raises(errors.BadResponse) as info:
        basic_client().get_interaction(TENANT, IID)

    assert type(info.value) is errors.BadResponse
    assert isinstance(info.value, errors.APIConnectionError)


def test_body_cut_short_of_its_length_is_bad_response(standin: StandInAPI) -> None:
    standin.script(f"GET {PATH}", Behaviour(body=b'{"tenantId', content_length=1000))

    with pytest.raises(errors.BadResponse, match="cut short") as info:
        standin_client(standin, deadline=3.0).get_interaction(TENANT, IID)

    assert type(info.value) is errors.BadResponse
    assert standin.requests[f"GET {PATH}"] == 1


def test_every_kind_is_unique() -> None:
    kinds = [cls.kind for cls in EVERY_CLASS]
    assert len(kinds) == len(set(kinds)), kinds
    assert set(errors.CLASSES) == set(kinds)


def test_unavailable_is_gone() -> None:
    assert not hasattr(errors, "Unavailable")


@pytest.mark.parametrize("cls", EVERY_CLASS, ids=lambda cls: cls.__name__)
def test_from_kind_rebuilds_every_class_from_as_dict(cls: type[errors.CxEngageError]) -> None:
    original = cls("The API said no.", status=429, path="/v1/x", retry_after=2.5)

    stored = json.loads(json.dumps(original.as_dict()))  # as the cache would keep it
    rebuilt = errors.from_kind(**stored)

    assert type(rebuilt) is cls
    assert rebuilt.as_dict() == original.as_dict()
    assert (rebuilt.message, rebuilt.status, rebuilt.path, rebuilt.retry_after) == (
        "The API said no.",
        429,
        "/v1/x",
        2.5,
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [(500, errors.ServerError), (503, errors.ServerError), (None, errors.ConnectionFailed)],
)
def test_from_kind_reads_the_older_unavailable_kind(
    status: int | None, expected: type[errors.CxEngageError]
) -> None:
    rebuilt = errors.from_kind("unavailable", "down", status=status)
    assert type(rebuilt) is expected


def test_from_kind_keeps_the_branch_of_an_unknown_kind() -> None:
    assert type(errors.from_kind("from_the_future", "x", status=418)) is errors.APIStatusError
    assert type(errors.from_kind("from_the_future", "x")) is errors.APIConnectionError


def test_wrong_interaction_is_a_bad_response() -> None:
    exc = errors.WrongInteraction("The API answered with another tenant's interaction.")
    assert isinstance(exc, errors.BadResponse) and isinstance(exc, errors.APIConnectionError)
    assert exc.kind == "wrong_interaction"


# -- the client built from settings -------------------------------------------------------


def test_config_from_settings_in_demo_mode_serves_the_demo_in_process(settings: Any) -> None:
    from dashboard.demo import api as demo_api

    settings.DEMO_MODE = True
    config = ClientConfig.from_settings(demo_upstream=demo_api.handle)

    assert config.base_url == "https://demo.cxengage.invalid"
    assert config.upstream is demo_api.handle


def test_config_from_settings_in_live_mode_reads_url_credentials_and_timeouts(
    settings: Any,
) -> None:
    settings.DEMO_MODE = False
    settings.CXENGAGE_API_URL = BASE
    settings.CXENGAGE_CREDENTIALS = {
        "username": "",
        "password": "",
        "api_key": API_KEY,
        "api_secret": API_SECRET,
    }
    settings.CXENGAGE_TIMEOUTS = {"connect_timeout": 1.5, "read_timeout": 2.5, "deadline": 4.0}

    config = ClientConfig.from_settings()

    assert (config.base_url, config.api_key, config.api_secret, config.auth_mode) == (
        BASE,
        API_KEY,
        API_SECRET,
        "token",
    )
    assert (config.connect_timeout, config.read_timeout, config.deadline) == (1.5, 2.5, 4.0)
    assert config.upstream is None


def test_factory_builds_one_client_per_process_until_reset(settings: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from dashboard.cxengage import factory

    settings.DEMO_MODE = True
    factory.reset_client()
    try:
        with ThreadPoolExecutor(8) as pool:
            built = set(map(id, pool.map(lambda _: factory.get_client(), range(32))))
        first = factory.get_client()
        assert built == {id(first)}
        factory.reset_client()
        second = factory.get_client()
        assert second is not first
        assert second.config.base_url == "https://demo.cxengage.invalid"
    finally:
        factory.reset_client()


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda c: c.get_tenant(TENANT), ""),
        (lambda c: c.list_slas(TENANT), "/slas"),
        (lambda c: c.list_sla_versions(TENANT, "s/1"), "/slas/s%2F1/versions"),
        (lambda c: c.list_queues(TENANT), "/queues"),
        (lambda c: c.list_queue_versions(TENANT, "q 1"), "/queues/q%201/versions"),
    ],
)
def test_configuration_reads_go_to_their_paths_with_ids_quoted(
    api: respx.MockRouter, call: Any, path: str
) -> None:
    route = api.get(url__regex=r".*").mock(return_value=httpx.Response(200, json={"result": [1]}))
    assert call(basic_client()) == {"result": [1]}
    assert route.calls.last.request.url.raw_path.decode() == f"/v1/tenants/{TENANT}{path}"


def test_a_refused_configuration_read_is_forbidden(api: respx.MockRouter) -> None:
    api.get(f"/v1/tenants/{TENANT}/slas").mock(return_value=httpx.Response(403, json={}))
    with pytest.raises(errors.Forbidden):
        basic_client().list_slas(TENANT)
