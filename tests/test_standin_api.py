"""The dashboard pointed at a real stand-in API server on 127.0.0.1."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from dashboard.cxengage.factory import reset_client
from dashboard.interactions import cache as services
from tests.conftest import IID, PAGE, TENANT, load_fixture, sign_in, use_standin
from tests.standin import Behaviour, StandInAPI

pytestmark = pytest.mark.django_db

KEY = f"GET /v1/tenants/{TENANT}/interactions/{IID}"


@pytest.fixture
def api(settings: Any) -> Iterator[StandInAPI]:
    with StandInAPI() as server:
        server.interactions[(TENANT, IID)] = load_fixture("reference-sample.json")
        use_standin(settings, server, token=True)
        yield server
        reset_client()


@pytest.fixture
def viewer(client: Any, django_user_model: Any) -> Any:
    return sign_in(client, django_user_model, "viewer", tenants=[TENANT])


def test_live_data_through_token_auth(api: StandInAPI, viewer: Any) -> None:
    response = viewer.get(PAGE)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Basic Flow" in body and "+15065552222" in body
    assert api.requests["POST /v1/tokens"] == 1
    assert api.auth_headers == ["Token token-1"]


def test_expired_token_is_renewed_once(api: StandInAPI, viewer: Any) -> None:
    assert viewer.get(PAGE).status_code == 200
    api.valid_tokens.clear()  # the token expires upstream
    services.shared_cache.clear()
    assert viewer.get(PAGE).status_code == 200
    assert api.requests["POST /v1/tokens"] == 2


@pytest.mark.parametrize(
    ("behaviour", "status", "says"),
    [
        (
            Behaviour(status=404, body=b'{"message": "Interaction not found"}'),
            404,
            "No such interaction",
        ),
        (Behaviour(status=403, body=b'"Forbidden"'), 403, "INTERACTIONS_API_READ_ALL"),
        (Behaviour(status=500, body=b"oops"), 502, "unavailable"),
        (Behaviour(status=503), 502, "unavailable"),
        (Behaviour(status=429, headers={"Retry-After": "7"}), 503, "busy"),
        (Behaviour(reset=True), 503, "unavailable"),
        (Behaviour(hang=True), 504, "did not answer in time"),
        (Behaviour(status=200, body=b"this is not json"), 502, "unreadable"),
        (Behaviour(status=200, body=b'"a string"'), 502, "unreadable"),
        (
            Behaviour(status=200, body=b"{" + b'"a": 1,' * 30, trickle=0.02),
            504,
            "did not answer in time",
        ),
    ],
    ids=["404", "403", "500", "503", "429", "reset", "hang", "not-json", "not-object", "trickle"],
)
def test_each_failure_gives_its_page(
    api: StandInAPI, viewer: Any, behaviour: Behaviour, status: int, says: str
) -> None:
    api.script(KEY, behaviour)
    started = time.monotonic()
    response = viewer.get(PAGE)
    elapsed = time.monotonic() - started
    assert response.status_code == status
    assert says in response.content.decode()
    assert elapsed < 3.0  # the 1.5 s deadline holds, with room for a slow machine


def test_401_after_renewal_is_the_operators_problem(api: StandInAPI, viewer: Any) -> None:
    api.script(KEY, Behaviour(status=401, body=b'{"message": "expired"}'))
    response = viewer.get(PAGE)
    assert response.status_code == 502
    assert "credentials are wrong" in response.content.decode()
    assert api.requests[KEY] == 2  # the first try, then once after renewing the token
    assert api.requests["POST /v1/tokens"] == 2


def test_burst_of_5xx_is_retried(api: StandInAPI, viewer: Any) -> None:
    api.script(KEY, Behaviour(status=502, times=2))
    response = viewer.get(PAGE)
    assert response.status_code == 200
    assert api.requests[KEY] == 3


def test_no_demo_interaction_has_a_time_in_the_future() -> None:
    """Moved to recent days for the flagged list, but never past now: an end, a flag or
    an update later than the moment they are read would contradict the page."""
    import re as _re
    from datetime import UTC as _UTC
    from datetime import datetime as _dt

    from dashboard.demo.api import bodies

    stamp = _re.compile(r'"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))"')
    now = _dt.now(_UTC)
    for body in bodies():
        text = json.dumps(body)
        late = [s for s in stamp.findall(text) if _dt.fromisoformat(s.replace("Z", "+00:00")) > now]
        assert not late, (body["interactionId"], late[:3])


@pytest.mark.parametrize("minute", [0, 49, 50, 53, 54, 59])
def test_every_demo_interaction_is_in_the_last_day_whatever_the_time_of_day(minute: int) -> None:
    # flagged-agent runs 17:48:05–17:53:37: at 17:50 its end would come after now. It is
    # then moved back only that far, never a day (out of the flagged list's default range).
    from datetime import UTC, datetime, timedelta

    from dashboard.demo.api import bodies, catalogue

    now = datetime(2026, 12, 1, 17, minute, tzinfo=UTC)

    def at(value: object) -> datetime:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))

    for entry, body in zip(catalogue(), bodies(now.timestamp()), strict=True):
        if not entry.get("rebase", True):
            continue  # the vendor's reference sample keeps its own times
        start, end = at(body["startTimestamp"]), body.get("endTimestamp")
        if end is None or at(end) - start < timedelta(days=1):
            assert now - timedelta(days=1) < start <= now, entry["file"]
        if end is not None:
            assert at(end) <= now, entry["file"]


def test_a_demo_interaction_keeps_its_times_while_now_is_within_its_time_of_day() -> None:
    # Pages and their CSV are asked for at different moments: the times must not move.
    from datetime import UTC, datetime

    from dashboard.demo.api import bodies

    at = [datetime(2026, 12, 1, 17, 49, s, tzinfo=UTC).timestamp() for s in (10, 40)]
    at.append(datetime(2026, 12, 1, 17, 52, 30, tzinfo=UTC).timestamp())
    served = [bodies(t) for t in at]
    assert served[0] == served[1] == served[2]
