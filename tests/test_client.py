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
import time
import types
from collections.abc import Iterator
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
    fake_time = types.SimpleNamespace(
        monotonic=time.monotonic, time=time.time, sleep=calls.append
    )
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


def test_list_interactions_passes_params_in_query_string(api: respx.MockRouter) -> None:
    envelope = {"page": 0, "limit": 10, "offset": 0, "total": 0, "results": []}
    route = api.get(f"/v1/tenants/{TENANT}/interactions").mock(
        return_value=httpx.Response(200, json=envelope)
    )

    result = basic_client().list_interactions(
        TENANT, start="2024-01-01T00:00:00Z", limit=10, offset=0
    )

    assert result == envelope
    request = route.calls.last.request
    assert request.url.path == f"/v1/tenants/{TENANT}/interactions"
    assert dict(request.url.params) == {
        "start": "2024-01-01T00:00:00Z",
        "limit": "10",
        "offset": "0",
    }


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
    assert "/" not in raw_path[len(prefix):], raw_path


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


def test_500_raises_unavailable_without_retry(api: respx.MockRouter, sleeps: list[float]) -> None:
    route = api.get(PATH).mock(return_value=httpx.Response(500, json={"message": "boom"}))

    with pytest.raises(errors.Unavailable) as info:
        basic_client().get_interaction(TENANT, IID)

    assert type(info.value) is errors.Unavailable
    assert info.value.status == 500
    assert route.call_count == 1
    assert sleeps == []


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_are_retried_three_times_then_unavailable(
    api: respx.MockRouter, sleeps: list[float], status: int
) -> None:
    route = api.get(PATH).mock(return_value=httpx.Response(status, text="bad gateway"))

    with pytest.raises(errors.Unavailable) as info:
        basic_client().get_interaction(TENANT, IID)

    assert type(info.value) is errors.Unavailable
    assert info.value.status == status
    assert route.call_count == 3
    assert len(sleeps) == 2


def test_503_then_200_returns_body_after_two_calls(
    api: respx.MockRouter, sleeps: list[float]
) -> None:
    route = api.get(PATH).mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json=BODY)]
    )

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


def test_retry_after_past_deadline_on_503_raises_unavailable_at_once(
    api: respx.MockRouter, sleeps: list[float]
) -> None:
    route = api.get(PATH).mock(return_value=httpx.Response(503, headers={"Retry-After": "5"}))

    started = time.monotonic()
    with pytest.raises(errors.Unavailable) as info:
        basic_client(deadline=1.0, max_retry_after=5.0).get_interaction(TENANT, IID)

    assert time.monotonic() - started < 0.5
    assert type(info.value) is errors.Unavailable
    assert info.value.status == 503
    assert sleeps == []
    assert route.call_count == 1


# -- transport failures -----------------------------------------------------------------


def test_connect_error_is_retried_then_unavailable(
    api: respx.MockRouter, sleeps: list[float]
) -> None:
    route = api.get(PATH).mock(side_effect=httpx.ConnectError)

    with pytest.raises(errors.Unavailable) as info:
        basic_client().get_interaction(TENANT, IID)

    assert type(info.value) is errors.Unavailable
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
def test_connection_reset_is_unavailable_and_not_retried(
    api: respx.MockRouter, sleeps: list[float], exc: type[Exception]
) -> None:
    route = api.get(PATH).mock(side_effect=exc)

    with pytest.raises(errors.Unavailable) as info:
        basic_client().get_interaction(TENANT, IID)

    assert type(info.value) is errors.Unavailable
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


def test_redirect_raises_bad_response_and_is_not_followed(api: respx.MockRouter) -> None:
    api.get(PATH).mock(
        return_value=httpx.Response(302, headers={"Location": f"{BASE}/elsewhere"})
    )
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


def test_reset_connection_is_unavailable(standin: StandInAPI) -> None:
    standin.script(f"GET {PATH}", Behaviour(reset=True))

    with pytest.raises(errors.Unavailable) as info:
        standin_client(standin, deadline=3.0).get_interaction(TENANT, IID)

    assert type(info.value) is errors.Unavailable
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
    api.get(PATH).mock(
        side_effect=[httpx.Response(401), httpx.Response(200, json=BODY)]
    )
    caplog.set_level(logging.DEBUG)

    token_client().get_interaction(TENANT, IID)

    assert any(getattr(r, "upstream_path", None) == "/v1/tokens" for r in caplog.records)
    _assert_no_secret_in_logs(caplog.records, [API_SECRET, TOKEN, TOKEN2])


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
