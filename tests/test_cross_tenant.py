"""Tenant isolation: a user of tenant A learns nothing about tenant B.

Tenant B's interaction exists upstream (respx serves it, with its list and a CRM
hook). For a user granted tenant A only — with and without the contact-details
permission — every URL about tenant B answers exactly as it does for an
interaction that does not exist (and for a tenant nobody has heard of): same
status, same body, none of B's data, and no upstream request for tenant B.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import respx
from django.test import Client

from dashboard.accounts.models import TenantGrant
from dashboard.reviews.models import AuditEvent, Review, ReviewChange
from tests.conftest import LIVE_API, allow_contact_details, load_fixture

pytestmark = pytest.mark.django_db

TENANT_A = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"
TENANT_B = "7b0e6c1d-2f4a-4c3b-9d8e-1a2b3c4d5e6f"
TENANT_C = "0c0c0c0c-1111-4222-8333-444444444444"  # known to nobody, upstream included
IID_A = "b2109780-db83-11e7-9709-c2b07aa3bee9"
IID_B = "e5b1c0de-4a2b-11ef-8c3d-0242ac120002"
MISSING = "e5b1c0de-4a2b-11ef-8c3d-0242ac120099"  # same shape as IID_B, exists nowhere
HOOK_B = ("zendesk", "990001")
HOOK_NOWHERE = ("zendesk", "990002")

B_CUSTOMER = "+15065559876"
B_FLOW = "Tenant B secret flow"
B_HOOK_NAME = "B ticket: lost parcel"
B_SECRETS = (B_CUSTOMER, "•••••••9876", B_FLOW, IID_B, B_HOOK_NAME, "lost parcel")


def body_of(
    tenant: str, iid: str, customer: str, flow: str, hook: tuple[str, str], hook_name: str
) -> dict[str, Any]:
    body = load_fixture("reference-sample.json")
    body.update(
        tenantId=tenant,
        interactionId=iid,
        customer=customer,
        flowName=flow,
        flagged=True,
        flagType="queue",
        notes=f"notes of {flow}",
        startTimestamp=_recent(),
        hooks=[{"hookType": hook[0], "hookId": hook[1], "hookName": hook_name}],
    )
    body["details"].update(interactionId=iid, customer=customer)
    return body


def _recent() -> str:
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


BODY_A = body_of(
    TENANT_A, IID_A, "+15065551234", "Tenant A flow", ("zendesk", "880001"), "A ticket"
)
BODY_B = body_of(TENANT_B, IID_B, B_CUSTOMER, B_FLOW, HOOK_B, B_HOOK_NAME)


@pytest.fixture
def upstream(live_mode: str, settings: Any) -> Iterator[respx.MockRouter]:
    """Both tenants' data upstream. Tenant B's (and C's) routes must never be called."""
    settings.PAGE_FRAME_AFTER = 0  # answers come from the view itself, never the slow-API frame
    with respx.mock(assert_all_called=False) as mock:
        base = re.escape(LIVE_API)
        mock.get(f"{LIVE_API}/v1/tenants/{TENANT_A}/interactions/{IID_A}", name="a-one").respond(
            json=BODY_A
        )
        mock.get(
            url__regex=rf"^{base}/v1/tenants/{TENANT_A}/interactions/[^/?]+$", name="a-missing"
        ).respond(404, json={"message": "Interaction not found"})
        mock.get(
            url__regex=rf"^{base}/v1/tenants/{TENANT_A}/interactions(\?.*)?$", name="a-list"
        ).respond(json={"total": 1, "offset": 0, "limit": 1000, "results": [BODY_A]})
        mock.get(f"{LIVE_API}/v1/tenants/{TENANT_B}/interactions/{IID_B}", name="b-one").respond(
            json=BODY_B
        )
        mock.get(
            url__regex=rf"^{base}/v1/tenants/{TENANT_B}/interactions/[^/?]+$", name="b-missing"
        ).respond(404, json={"message": "Interaction not found"})
        mock.get(
            url__regex=rf"^{base}/v1/tenants/{TENANT_B}/interactions(\?.*)?$", name="b-list"
        ).respond(json={"total": 1, "offset": 0, "limit": 1000, "results": [BODY_B]})
        mock.get(url__regex=rf"^{base}/v1/tenants/{TENANT_C}/", name="c-any").respond(
            404, json={"message": "no such tenant"}
        )
        yield mock


def upstream_calls_for(mock: respx.MockRouter, *tenants: str) -> list[str]:
    return [
        str(call.request.url)
        for call in mock.calls
        if any(t in str(call.request.url) for t in tenants)
    ]


@pytest.fixture(params=["masked", "contact-details"])
def user_a(
    request: Any, client: Client, django_user_model: Any, upstream: respx.MockRouter
) -> Client:
    """Signed in as a user granted tenant A only."""
    user = django_user_model.objects.create_user("tenant-a-user", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=TENANT_A)
    if request.param == "contact-details":
        user = allow_contact_details(user)
    client.force_login(user)
    return client


HX = {"HTTP_HX_REQUEST": "true"}
REVIEW = {"status": "done", "comment": "reviewed from the wrong tenant", "version": "0"}


def requests_for(
    tenant: str, iid: str
) -> list[tuple[str, str, str, dict[str, Any], dict[str, str]]]:
    """(name, method, path, data, headers) for every URL about one interaction of one tenant."""
    page = f"/tenants/{tenant}/interactions/{iid}/"
    return [
        ("page", "get", page, {}, {}),
        ("page ?focus=ivr", "get", page, {"focus": "ivr"}, {}),
        (
            "page ?focus=queue",
            "get",
            page,
            {"focus": "queue-b23cb090-db83-11e7-95f3-204e8fcfa723"},
            {},
        ),
        ("page ?zoom", "get", page, {"zoom": "0-30", "focus": "segment-0"}, {}),
        ("timeline partial", "get", page, {}, {**HX, "HTTP_HX_TARGET": "timeline"}),
        ("timeline poll", "get", page, {"failures": "3"}, {**HX, "HTTP_HX_TARGET": "timeline"}),
        ("detail partial", "get", page, {"focus": "ivr"}, {**HX, "HTTP_HX_TARGET": "detail-panel"}),
        (
            "participants partial",
            "get",
            page,
            {"all": "participants"},
            {**HX, "HTTP_HX_TARGET": "participants-rest"},
        ),
        ("page ?all=participants", "get", page, {"all": "participants"}, {}),
        ("loading frame's request", "get", page, {}, {**HX, "HTTP_HX_TARGET": "main"}),
        ("page, If-None-Match *", "get", page, {}, {"HTTP_IF_NONE_MATCH": "*"}),
        ("raw", "get", page + "raw/", {}, {}),
        ("raw download", "get", page + "raw/", {"download": "1"}, {}),
        ("dossier", "get", page + "dossier.json", {}, {}),
        ("review POST", "post", page + "review/", REVIEW, {}),
        (
            "review POST (htmx)",
            "post",
            page + "review/",
            REVIEW,
            {**HX, "HTTP_HX_TARGET": "review"},
        ),
        ("review POST (invalid form)", "post", page + "review/", {"status": "nonsense"}, {}),
        ("review GET", "get", page + "review/", {}, {}),
        ("flagged", "get", f"/tenants/{tenant}/flagged/", {"range": "7d"}, {}),
        (
            "flagged partial",
            "get",
            f"/tenants/{tenant}/flagged/",
            {"range": "7d", "all": "1"},
            {**HX, "HTTP_HX_TARGET": "flagged-results"},
        ),
        ("flagged CSV", "get", f"/tenants/{tenant}/flagged/export.csv", {"range": "7d"}, {}),
        ("upper-case tenant", "get", f"/tenants/{tenant.upper()}/interactions/{iid}/", {}, {}),
        (
            "upper-case raw",
            "get",
            f"/tenants/{tenant.upper()}/interactions/{iid}/raw/",
            {"download": "1"},
            {},
        ),
        (
            "upper-case review POST",
            "post",
            f"/tenants/{tenant.upper()}/interactions/{iid}/review/",
            REVIEW,
            {},
        ),
    ]


def answer(
    client: Client, method: str, path: str, data: dict[str, Any], headers: dict[str, str]
) -> tuple[int, str, str]:
    response = getattr(client, method)(path, data, **headers)
    body = response.getvalue().decode("utf-8", "replace")
    # The only request-dependent parts: the CSRF token and the ID the URL itself carried.
    body = re.sub(
        r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', body
    )
    body = re.sub(r'"X-CSRFToken": "[^"]+"', '"X-CSRFToken": ""', body)
    location = response.get("Location", "")
    return response.status_code, body, location


def _same(
    answer_b: tuple[int, str, str],
    other: tuple[int, str, str],
    iid_b: str,
    iid_other: str,
    tenant_b: str,
    tenant_other: str,
) -> bool:
    def norm(a: tuple[int, str, str], iid: str, tenant: str) -> tuple[int, str, str]:
        status, body, location = a

        def swap(s: str) -> str:
            return (
                s.replace(iid, "<IID>")
                .replace(tenant, "<TENANT>")
                .replace(tenant.upper(), "<TENANT>")
            )

        return status, swap(body), swap(location)

    return norm(answer_b, iid_b, tenant_b) == norm(other, iid_other, tenant_other)


def _no_b_data(body: str, location: str = "") -> None:
    for secret in B_SECRETS:
        if secret == IID_B:
            # The ID is in the URL the user typed; it may only come back as that URL's echo.
            assert secret not in body.replace(f"/interactions/{IID_B}/", ""), secret
            continue
        assert secret not in body and secret not in location, secret


@pytest.mark.parametrize(
    "index",
    range(len(requests_for(TENANT_B, IID_B))),
    ids=[r[0] for r in requests_for(TENANT_B, IID_B)],
)
def test_tenant_b_answers_like_a_missing_interaction(
    user_a: Client, upstream: respx.MockRouter, index: int
) -> None:
    name, method, path_b, data, headers = requests_for(TENANT_B, IID_B)[index]
    _, _, path_missing, _, _ = requests_for(TENANT_B, MISSING)[index]
    _, _, path_c, _, _ = requests_for(TENANT_C, MISSING)[index]

    b = answer(user_a, method, path_b, data, headers)
    missing = answer(user_a, method, path_missing, data, headers)
    unknown_tenant = answer(user_a, method, path_c, data, headers)

    assert b[0] in (301, 404, 405), (name, b[0])
    assert _same(b, missing, IID_B, MISSING, TENANT_B, TENANT_B), (name, b[0], missing[0])
    assert _same(b, unknown_tenant, IID_B, MISSING, TENANT_B, TENANT_C), (
        name,
        b[0],
        unknown_tenant[0],
    )
    _no_b_data(b[1], b[2] if b[0] != 301 else "")
    if b[0] == 301:  # to the canonical URL, before any check: follow it
        followed = user_a.get(b[2])
        assert followed.status_code in (404, 405)
        _no_b_data(followed.content.decode())
    assert not upstream_calls_for(upstream, TENANT_B, TENANT_C), name
    assert not Review.objects.filter(tenant_id__in=[TENANT_B, TENANT_B.upper(), TENANT_C]).exists()
    assert not ReviewChange.objects.exists()


INTERACTION_VIEWS = {
    "page",
    "page ?focus=ivr",
    "page ?focus=queue",
    "page ?zoom",
    "detail partial",
    "loading frame's request",
    "raw",
    "raw download",
    "dossier",
}


@pytest.mark.parametrize("name", sorted(INTERACTION_VIEWS))
def test_same_status_as_a_missing_interaction_of_ones_own_tenant(
    user_a: Client, upstream: respx.MockRouter, name: str
) -> None:
    """A's own missing interaction is a 404 (the API says so); B's existing one is a 404 too."""
    (req_b,) = [r for r in requests_for(TENANT_B, IID_B) if r[0] == name]
    (req_a,) = [r for r in requests_for(TENANT_A, MISSING) if r[0] == name]
    b = answer(user_a, *req_b[1:])
    own_missing = answer(user_a, *req_a[1:])
    assert b[0] == own_missing[0] == 404, (name, b[0], own_missing[0])
    _no_b_data(b[1])
    assert upstream_calls_for(upstream, TENANT_A), (
        "tenant A's own missing interaction was asked upstream"
    )
    assert not upstream_calls_for(upstream, TENANT_B)


def test_own_tenant_still_works(user_a: Client, upstream: respx.MockRouter) -> None:
    """The control: the same user sees tenant A's interaction, list and ticket."""
    page = user_a.get(f"/tenants/{TENANT_A}/interactions/{IID_A}/")
    assert page.status_code == 200 and "Tenant A flow" in page.content.decode()
    assert (
        user_a.get(f"/tenants/{TENANT_A}/flagged/", {"range": "7d", "all": "1"}).status_code == 200
    )
    assert (
        user_a.post(f"/tenants/{TENANT_A}/interactions/{IID_A}/review/", REVIEW).status_code == 302
    )
    assert Review.objects.filter(tenant_id=TENANT_A).count() == 1
    assert not upstream_calls_for(upstream, TENANT_B)


def test_cache_warmed_by_tenant_b_user_does_not_leak(
    user_a: Client, upstream: respx.MockRouter, django_user_model: Any
) -> None:
    """Tenant B's own user loads everything first (cache, render memo, ETags); A still gets 404s."""
    user_b = django_user_model.objects.create_user("tenant-b-user", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user_b, tenant_id=TENANT_B)
    client_b = Client()
    client_b.force_login(allow_contact_details(user_b))
    etags = []
    for _name, method, path, data, headers in requests_for(TENANT_B, IID_B):
        if method == "get":
            response = getattr(client_b, method)(path, data, **headers)
            if response.has_header("ETag"):
                etags.append(response["ETag"])
    assert upstream.routes["b-one"].called and etags  # B's data is now in the cache
    calls_before = len(upstream.calls)
    for name, method, path, data, headers in requests_for(TENANT_B, IID_B):
        status, body, location = answer(user_a, method, path, data, headers)
        assert status in (301, 404, 405), (name, status)
        _no_b_data(body, location if status != 301 else "")
    page = f"/tenants/{TENANT_B}/interactions/{IID_B}/"
    for etag in etags:  # a copied ETag gets no 304 either
        assert user_a.get(page, HTTP_IF_NONE_MATCH=etag).status_code == 404
        assert (
            user_a.get(page, HTTP_IF_NONE_MATCH=etag, **HX, HTTP_HX_TARGET="timeline").status_code
            == 404
        )
    assert len(upstream.calls) == calls_before
    assert not Review.objects.filter(tenant_id=TENANT_B).exists()


def test_short_link_to_default_tenant_b(
    user_a: Client, upstream: respx.MockRouter, settings: Any
) -> None:
    """``/i/<id>/`` resolves against DASHBOARD_DEFAULT_TENANT (B).

    The redirect target then 404s alike.
    """
    settings.DASHBOARD_DEFAULT_TENANT = TENANT_B
    b = user_a.get(f"/i/{IID_B}/")
    missing = user_a.get(f"/i/{MISSING}/")
    assert b.status_code == missing.status_code == 302
    assert b["Location"] == f"/tenants/{TENANT_B}/interactions/{IID_B}/"
    assert b["Location"].replace(IID_B, MISSING) == missing["Location"]
    assert b.content.replace(IID_B.encode(), b"") == missing.content.replace(MISSING.encode(), b"")
    followed_b = answer(user_a, "get", b["Location"], {}, {})
    followed_missing = answer(user_a, "get", missing["Location"], {}, {})
    assert followed_b[0] == 404
    assert _same(followed_b, followed_missing, IID_B, MISSING, TENANT_B, TENANT_B)
    _no_b_data(followed_b[1])
    upper = user_a.get(f"/i/{IID_B.upper()}/", follow=True)
    assert upper.status_code == 404
    _no_b_data(upper.content.decode())
    assert not upstream_calls_for(upstream, TENANT_B)


@pytest.mark.parametrize("default_tenant", ["", TENANT_B])
def test_ticket_of_tenant_b_answers_like_an_unknown_ticket(
    user_a: Client, upstream: respx.MockRouter, settings: Any, default_tenant: str
) -> None:
    """The hook belongs to B's interaction only.

    Only A is searched, nothing is found, nothing leaks.
    """
    settings.DASHBOARD_DEFAULT_TENANT = default_tenant

    def a_list_filtered(request: Any) -> Any:
        import httpx

        wanted = (request.url.params.get("hookType"), request.url.params.get("hookId"))
        results = [BODY_A] if wanted == ("zendesk", "880001") else []
        return httpx.Response(
            200, json={"total": len(results), "offset": 0, "limit": 1000, "results": results}
        )

    upstream.routes["a-list"].side_effect = a_list_filtered
    status_b, body_b, _ = answer(user_a, "get", f"/tickets/{HOOK_B[0]}/{HOOK_B[1]}/", {}, {})
    status_nowhere, body_nowhere, _ = answer(
        user_a, "get", f"/tickets/{HOOK_NOWHERE[0]}/{HOOK_NOWHERE[1]}/", {}, {}
    )
    assert status_b == status_nowhere == 404
    assert body_b.replace(HOOK_B[1], "<ID>") == body_nowhere.replace(HOOK_NOWHERE[1], "<ID>")
    _no_b_data(body_b)
    assert "your tenant" in body_b  # searched A only, and says so
    assert not upstream_calls_for(upstream, TENANT_B)
    searched = [
        c.request.url.params.get("hookId") for c in upstream.calls if TENANT_A in str(c.request.url)
    ]
    assert HOOK_B[1] in searched  # A was searched for it, and only A
    own = user_a.get("/tickets/zendesk/880001/")
    assert (
        own.status_code == 302 and own["Location"] == f"/tenants/{TENANT_A}/interactions/{IID_A}/"
    )


def test_review_post_to_tenant_b_creates_nothing(
    user_a: Client, upstream: respx.MockRouter
) -> None:
    before = AuditEvent.objects.count()
    for iid in (IID_B, MISSING):
        for version in ("0", "1", "7"):
            for tenant in (TENANT_B, TENANT_B.upper()):
                response = user_a.post(
                    f"/tenants/{tenant}/interactions/{iid}/review/", {**REVIEW, "version": version}
                )
                assert response.status_code == 404
    assert not Review.objects.exclude(tenant_id=TENANT_A).exists()
    assert not ReviewChange.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REVIEW).exists()
    assert not AuditEvent.objects.filter(tenant_id__iexact=TENANT_B).exists()
    assert AuditEvent.objects.count() == before
    assert not upstream_calls_for(upstream, TENANT_B)


def test_existing_review_of_tenant_b_is_not_shown_or_changed(
    user_a: Client, upstream: respx.MockRouter, django_user_model: Any
) -> None:
    """B's saved review (comment and all) never reaches A, and A cannot bump its version."""
    author = django_user_model.objects.create_user("b-reviewer", password="pw-for-tests-1")
    review = Review.objects.create(
        tenant_id=TENANT_B,
        interaction_id=IID_B,
        status="in_review",
        comment="B's private review note",
        updated_by=author,
        version=1,
    )
    for version in ("0", "1"):
        response = user_a.post(
            f"/tenants/{TENANT_B}/interactions/{IID_B}/review/", {**REVIEW, "version": version}
        )
        assert response.status_code == 404
        assert "B&#x27;s private review note" not in response.content.decode()
        assert "b-reviewer" not in response.content.decode()
    for name, method, path, data, headers in requests_for(TENANT_B, IID_B):
        _status, body, _ = answer(user_a, method, path, data, headers)
        assert "private review note" not in body and "b-reviewer" not in body, name
    review.refresh_from_db()
    assert (review.status, review.comment, review.version) == (
        "in_review",
        "B's private review note",
        1,
    )
