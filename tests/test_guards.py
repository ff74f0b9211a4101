"""Guards on what leaves the dashboard: answers for the wrong interaction, the
per-user API budget, and responses the browser must not keep."""

from __future__ import annotations

import json
from typing import Any

import pytest
import respx
from django.core.cache import cache

from dashboard.accounts.models import TenantGrant
from dashboard.demo.api import DEMO_TENANT_ID
from dashboard.interactions.cache import interaction_key
from tests.conftest import LIVE_API, allow_contact_details, load_fixture

TENANT = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"
IID = "b2109780-db83-11e7-9709-c2b07aa3bee9"
PAGE = f"/tenants/{TENANT}/interactions/{IID}/"
UPSTREAM = f"{LIVE_API}/v1/tenants/{TENANT}/interactions/{IID}"
OTHER_TENANT = "0f6a1f5e-2f7a-4c57-9a3e-6f1d2b7d9c10"
OTHER_IID = "c3109780-db83-11e7-9709-c2b07aa3bee9"


@pytest.fixture
def viewer(client: Any, django_user_model: Any, live_mode: str) -> Any:
    user = django_user_model.objects.create_user("guard-viewer", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=TENANT)
    client.force_login(allow_contact_details(user))
    return client


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tenantId", OTHER_TENANT),
        ("interactionId", OTHER_IID),
        ("tenantId", OTHER_TENANT.upper()),
    ],
)
def test_an_answer_for_another_interaction_is_a_502_and_not_kept(
    viewer: Any, field: str, value: str
) -> None:
    body = load_fixture("reference-sample.json")
    body[field] = value
    with respx.mock() as mock:
        route = mock.get(UPSTREAM).respond(json=body)
        first = viewer.get(PAGE)
        second = viewer.get(PAGE)
    assert first.status_code == 502
    text = first.content.decode()
    assert "The API answered for another interaction" in text
    # The other tenant's data and IDs are not shown; nothing was cached under the asked key.
    assert "Basic Flow" not in text and OTHER_TENANT not in text.lower()
    assert cache.get(interaction_key(TENANT, IID)) is None
    assert second.status_code == 502 and route.call_count == 2


def test_the_same_ids_in_another_letter_case_are_the_same_interaction(viewer: Any) -> None:
    body = load_fixture("reference-sample.json")
    body["tenantId"], body["interactionId"] = TENANT.upper(), IID.upper()
    with respx.mock() as mock:
        mock.get(UPSTREAM).respond(json=body)
        assert viewer.get(PAGE).status_code == 200


def test_an_answer_that_names_no_ids_is_accepted(viewer: Any) -> None:
    body = load_fixture("reference-sample.json")
    body.pop("tenantId", None)
    body.pop("interactionId", None)
    with respx.mock() as mock:
        mock.get(UPSTREAM).respond(json=body)
        assert viewer.get(PAGE).status_code == 200


def test_a_wrong_answer_is_logged_for_the_operator(
    viewer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    body = load_fixture("reference-sample.json")
    body["interactionId"] = OTHER_IID
    with respx.mock() as mock:
        mock.get(UPSTREAM).respond(json=body)
        viewer.get(PAGE)
    assert any(
        "another interaction" in r.getMessage() and OTHER_IID in r.getMessage()
        for r in caplog.records
    )


def test_a_wrong_answers_ids_are_logged_on_one_line_and_cut_short(
    viewer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The IDs come from the answer: they must not forge log lines or flood the log."""
    body = load_fixture("reference-sample.json")
    body["interactionId"] = "x\n2026-12-01 ERROR dashboard forged line" + "y" * 100_000
    with respx.mock() as mock:
        mock.get(UPSTREAM).respond(json=body)
        assert viewer.get(PAGE).status_code == 502
    lines = [r.getMessage() for r in caplog.records if "another interaction" in r.getMessage()]
    assert lines
    for line in lines:
        assert "\n" not in line and len(line) < 500
        assert "forged line" in line  # still says what it was


# -- answers no page can carry as they are ---------------------------------------

SAMPLE_TEXT = json.dumps(load_fixture("reference-sample.json"))
OUTPUTS = ["", "raw/", "raw/?download=1", "dossier.json"]


@pytest.mark.parametrize("output", OUTPUTS)
def test_half_a_surrogate_pair_is_shown_as_a_replacement_character(
    viewer: Any, output: str
) -> None:
    """JSON can escape a lone surrogate; no page, audit entry or cache can encode one."""
    body = SAMPLE_TEXT.replace('"Basic Flow"', r'"Basic \ud800 Flow"').replace(
        '"+15065552222"', r'"\udcff"', 1
    )
    with respx.mock() as mock:
        mock.get(UPSTREAM).respond(content=body.encode())
        response = viewer.get(PAGE + output)
    assert response.status_code == 200
    assert "Basic \ufffd Flow" in response.content.decode()


@pytest.mark.parametrize("output", OUTPUTS)
def test_an_answer_nested_past_any_interactions_shape_is_unreadable(
    viewer: Any, output: str, caplog: pytest.LogCaptureFixture
) -> None:
    depth = 800  # decodes, but would exhaust the stack of the cache's pickling
    body = SAMPLE_TEXT[:-1] + ', "x": ' + '{"a": ' * depth + "1" + "}" * depth + "}"
    with respx.mock() as mock:
        mock.get(UPSTREAM).respond(content=body.encode())
        response = viewer.get(PAGE + output)
    assert response.status_code == 502
    assert "The CxEngage API sent something unreadable" in response.content.decode()
    assert any("bad_response" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "value", ["99999999999999999999999", "1e30", "Fri, 31 Dec 9999 23:59:59 GMT"]
)
def test_a_rate_limit_asking_for_forever_says_an_hour_at_most(viewer: Any, value: str) -> None:
    with respx.mock() as mock:
        mock.get(UPSTREAM).respond(429, headers={"Retry-After": value})
        response = viewer.get(PAGE)
    assert response.status_code == 503
    assert response["Retry-After"] == "3600"
    assert "Try again in 3600 s" in response.content.decode()


@pytest.mark.parametrize("value", ["inf", "1e400", "nan", "soon", "-5"])
def test_a_rate_limit_with_no_usable_wait_still_says_when(viewer: Any, value: str) -> None:
    with respx.mock() as mock:
        mock.get(UPSTREAM).respond(429, headers={"Retry-After": value})
        response = viewer.get(PAGE)
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert f"Try again in {response['Retry-After']} s" in response.content.decode()


# -- what the browser may keep ------------------------------------------------


def test_exports_are_never_stored(signed_in: Any) -> None:
    from dashboard.demo.api import catalogue

    iid = catalogue()[0]["interaction_id"]
    base = f"/tenants/{DEMO_TENANT_ID}/interactions/{iid}/"
    for url in (
        f"{base}raw/",
        f"{base}raw/?download=1",
        f"{base}dossier.json",
        f"/tenants/{DEMO_TENANT_ID}/flagged/export.csv",
    ):
        response = signed_in.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store", url
    page = signed_in.get(base)
    assert page["ETag"] and "no-cache" in page["Cache-Control"]


# -- the API budget -----------------------------------------------------------


def test_list_scans_past_the_budget_answer_429_saying_when(
    signed_in: Any, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.API_BUDGET_LIST_PAGES_PER_MINUTE = 2
    settings.FLAGGED_PAGE_SIZE = 1  # one upstream page per interaction listed
    flagged = f"/tenants/{DEMO_TENANT_ID}/flagged/"
    response = signed_in.get(flagged, {"all": "1"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "Try again in" in response.content.decode()
    assert any("supervisor" in r.getMessage() for r in caplog.records)


def test_the_shared_cache_answers_repeats_without_counting(signed_in: Any, settings: Any) -> None:
    settings.API_BUDGET_LIST_PAGES_PER_MINUTE = 3
    flagged = f"/tenants/{DEMO_TENANT_ID}/flagged/"
    assert signed_in.get(flagged).status_code == 200  # one page (1,000 a page)
    for _ in range(10):
        assert signed_in.get(flagged).status_code == 200


def test_ticket_look_ups_spend_the_budget_too(signed_in: Any, settings: Any) -> None:
    settings.API_BUDGET_LIST_PAGES_PER_MINUTE = 1
    assert signed_in.get("/tickets/zendesk/1/").status_code in (200, 404)
    response = signed_in.get("/tickets/zendesk/2/")
    assert response.status_code == 429
    assert json.dumps(response["Retry-After"])
