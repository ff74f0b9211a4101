"""The leaky family through every URL: a masked viewer receives none of the
customer data, in any output; a viewer with the permission receives it all.

The bodies (``tests.leaky``) carry customer data in more than 15 places the
reference does not describe. They are served by a mocked API for the
interaction endpoint and the list endpoint (flagged list, CSV, ticket look-up).
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
import respx

from dashboard.accounts.models import TenantGrant
from tests.conftest import LIVE_API, allow_contact_details
from tests.leaky import MARKERS, customer_data_family

FAMILY = customer_data_family()
TENANT = str(FAMILY[0][1]["tenantId"]).lower()


def _urls(iid: str, bars: list[str]) -> list[tuple[str, dict[str, str], dict[str, str]]]:
    page = f"/tenants/{TENANT}/interactions/{iid}/"
    htmx = {"HX-Request": "true"}
    urls = [
        (page, {}, {}),
        (page, {}, {**htmx, "HX-Target": "timeline"}),
        (page, {"all": "participants"}, {**htmx, "HX-Target": "participants-rest"}),
        (page, {"all": "participants"}, {}),
        (f"{page}raw/", {}, {}),
        (f"{page}raw/", {"download": "1"}, {}),
        (f"{page}dossier.json", {}, {}),
        (f"/tenants/{TENANT}/flagged/", {"range": "30d"}, {}),
        (f"/tenants/{TENANT}/flagged/export.csv", {"range": "30d"}, {}),
        ("/tickets/zendesk/48213/", {}, {}),
    ]
    for bar in bars:  # every record's detail panel, as htmx asks for it and as a page
        urls.append((page, {"focus": bar}, {**htmx, "HX-Target": "detail-panel"}))
        urls.append((page, {"focus": bar}, {}))
    return urls


def _listing(bodies: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "page": 0,
        "limit": 1000,
        "offset": 0,
        "total": len(bodies),
        "tenantId": TENANT,
        "results": bodies,
    }


def _outputs(client: Any, mock: respx.MockRouter) -> str:
    for _, body in FAMILY:
        iid = str(body["interactionId"]).lower()
        mock.get(f"{LIVE_API}/v1/tenants/{TENANT}/interactions/{iid}").respond(json=body)
    mock.get(f"{LIVE_API}/v1/tenants/{TENANT}/interactions").respond(
        json=_listing([b for _, b in FAMILY])
    )
    seen = []
    for _, body in FAMILY:
        iid = str(body["interactionId"]).lower()
        page = client.get(f"/tenants/{TENANT}/interactions/{iid}/")
        assert page.status_code == 200
        bars = sorted(set(re.findall(r'data-bar="([^"]+)"', page.content.decode())))
        assert bars, "the timeline has bars to open"
        for url, params, headers in _urls(iid, bars):
            response = client.get(url, params, headers=headers)
            assert response.status_code in (200, 404), (url, params, response.status_code)
            seen.append(f"{url} {params}\n{response.getvalue().decode()}")
    return "\n".join(seen)


@pytest.fixture
def viewers(client: Any, django_user_model: Any, live_mode: str) -> dict[str, Any]:
    from django.test import Client

    masked = django_user_model.objects.create_user("leak-masked", password="pw-for-tests-1")
    full = django_user_model.objects.create_user("leak-full", password="pw-for-tests-1")
    for user in (masked, full):
        TenantGrant.objects.create(user=user, tenant_id=TENANT)
    client.force_login(masked)
    other = Client()
    other.force_login(allow_contact_details(full))
    return {"masked": client, "full": other}


def test_a_masked_viewer_finds_no_customer_data_on_any_url(viewers: dict[str, Any]) -> None:
    with respx.mock(assert_all_called=False) as mock:
        everything = _outputs(viewers["masked"], mock)
    leaked = [m for m in MARKERS if m.lower() in everything.lower()]
    assert leaked == []


def test_a_viewer_with_the_permission_sees_all_of_it(viewers: dict[str, Any]) -> None:
    with respx.mock(assert_all_called=False) as mock:
        everything = _outputs(viewers["full"], mock)
    missing = [m for m in MARKERS if m.lower() not in everything.lower()]
    assert missing == []


def test_access_log_lines_keep_no_customer_value_from_a_search() -> None:
    import json
    import logging

    from dashboard.logs import AccessJsonFormatter

    atoms = {
        "h": "10.0.0.9",
        "m": "GET",
        "U": f"/tenants/{TENANT}/search/",
        "q": "customer=%2B1+506+555+0123&agent=Bob&customer=jane%40example.com",
        "s": "200",
        "f": f"https://dash.example/tenants/{TENANT}/search/?customer=jane.doe%40example.com&x=1",
        "{x-request-id}o": "abc",
    }
    record = logging.getLogger("gunicorn.access").makeRecord(
        "gunicorn.access", logging.INFO, __file__, 1, "%(h)s", (atoms,), None
    )
    line = AccessJsonFormatter().format(record)
    entry = json.loads(line)
    # Every field but the time the line was written, whose digits may be "555" or "0123".
    written = json.dumps({key: value for key, value in entry.items() if key != "time"})
    for secret in ("555", "0123", "jane", "example.com"):
        assert secret not in written
    assert entry["query"] == "customer=(given)&agent=Bob&customer=(given)"
    assert entry["referer"].endswith("/search/?customer=(given)&x=1")


def test_the_dashboard_log_names_a_failed_request_without_the_customer_searched_for() -> None:
    """Django logs a request that failed with the request itself attached: written out, it
    is the method and the address, the customer in it replaced as in the access log."""
    import json
    import logging
    import sys

    from django.test import RequestFactory

    from dashboard.logs import JsonFormatter

    request = RequestFactory().get(
        f"/tenants/{TENANT}/search/", {"customer": "jane@example.com", "agent": "Bob"}
    )
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        record = logging.getLogger("django.request").makeRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s",
            (request.path,),
            sys.exc_info(),
            extra={"status_code": 500, "request": request},
        )
    line = JsonFormatter().format(record)
    assert "jane" not in line and "example.com" not in line
    entry = json.loads(line)
    assert entry["request"] == f"GET /tenants/{TENANT}/search/?customer=(given)&agent=Bob"


def test_the_plain_access_log_format_names_the_path_not_its_query() -> None:
    from pathlib import Path

    conf = (Path(__file__).resolve().parent.parent / "gunicorn.conf.py").read_text()
    line = next(x for x in conf.splitlines() if x.startswith("access_log_format"))
    assert "%(r)s" not in line and "%(q)s" not in line and "%(U)s" in line


#: Customer data written around an email, in the masked fields: what follows the address.
_AROUND_AN_EMAIL = ("5065550123", "555 0123", "jane doe", "jdsecret")


def _written_around_an_email() -> list[dict[str, Any]]:
    """Two interactions of one customer written "Jane Doe <jane.doe@…> +1 …", flagged in the
    last hour, with a CRM record's title and a dialled number written the same way."""
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now() - timedelta(hours=1)

    def at(minutes: float) -> str:
        return (start + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    bodies = []
    for n in (0xE1, 0xE2):
        body = dict(customer_data_family())["undescribed-fields"]
        body["interactionId"] = body["details"]["interactionId"] = (
            f"b2109780-db83-11e7-9709-c2b07aa3be{n:02x}"
        )
        body["startTimestamp"] = body["details"]["startTimestamp"] = at(0)
        body["endTimestamp"] = body["details"]["endTimestamp"] = at(3)
        for record in (*body["segments"], *body["queues"]):
            record["startTimestamp"], record["endTimestamp"] = at(0), at(2)
        body["customer"] = body["details"]["customer"] = (
            "Jane Doe <jane.doe@example.com> +1 506 555 0123"
        )
        body.update(flagged=True, flagType="agent")
        body["hooks"][0]["hookName"] = "Call back jane.doe@example.com: +15065550123 JDSECRET"
        body["segments"][0]["segmentExtensionValue"] = "jane.doe@example.com (Jane Doe)"
        bodies.append(body)
    return bodies


def test_customer_data_written_around_an_email_reaches_no_output_of_a_masked_viewer(
    viewers: dict[str, Any],
) -> None:
    from dashboard.index.indexer import index_interactions, source_hash
    from dashboard.interactions.parsing import parse_interaction
    from tests.index_search.rows import synced

    bodies = _written_around_an_email()
    index_interactions(TENANT, [(parse_interaction(b), source_hash(b)) for b in bodies])
    synced(TENANT)
    iid = bodies[0]["interactionId"]
    page = f"/tenants/{TENANT}/interactions/{iid}/"
    seen = []
    with respx.mock(assert_all_called=False) as mock:
        for body in bodies:
            mock.get(
                f"{LIVE_API}/v1/tenants/{TENANT}/interactions/{body['interactionId']}"
            ).respond(json=body)
        mock.get(f"{LIVE_API}/v1/tenants/{TENANT}/interactions").respond(json=_listing(bodies))
        client = viewers["masked"]
        bars = re.findall(r'data-bar="([^"]+)"', client.get(page).content.decode())
        urls = [
            *(url for url, _, _ in _urls(iid, [])),
            f"{page}journey/",
            f"/tenants/{TENANT}/search/?agent=Agent+B",
            f"/tenants/{TENANT}/search/export.csv?agent=Agent+B",
            f"/tenants/{TENANT}/flagged/?range=7d",
            f"/tenants/{TENANT}/flagged/export.csv?range=7d",
            f"/tenants/{TENANT}/tickets/zendesk/48213/journey/",
            "/",
            *(f"{page}?focus={bar}" for bar in sorted(set(bars))),
        ]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            seen.append(html.unescape(response.getvalue().decode()).lower())
    everything = "\n".join(seen)
    assert "j•••@example.com" in everything  # masked, not dropped
    assert [s for s in _AROUND_AN_EMAIL if s in everything] == []


def _access_line(query: str, referer: str) -> str:
    import logging

    from dashboard.logs import AccessJsonFormatter

    atoms = {"h": "10.0.0.9", "m": "GET", "U": "/", "q": query, "s": "200", "f": referer}
    record = logging.getLogger("gunicorn.access").makeRecord(
        "gunicorn.access", logging.INFO, __file__, 1, "%(h)s", (atoms,), None
    )
    return AccessJsonFormatter().format(record)


def test_a_pasted_link_in_the_look_up_is_not_logged() -> None:
    """A CRM link pasted in the home page's look-up may carry the customer's email."""
    import json
    from urllib.parse import urlencode

    pasted = "https://crm.example/contacts?email=jane.doe%40example.com&phone=%2B15065550123"
    query = urlencode({"url": pasted, "tenant_id": TENANT})
    line = _access_line(query, f"https://dash.example/?{query}")
    for secret in ("jane", "example.com", "5550123", "crm.example"):
        assert secret not in line
    entry = json.loads(line)
    assert entry["query"] == f"url=(given)&tenant_id={TENANT}"
    assert entry["referer"] == f"https://dash.example/?url=(given)&tenant_id={TENANT}"


def test_a_search_by_customer_inside_a_sign_in_link_is_not_logged() -> None:
    """Signed out, a search by customer sends to the sign-in page with it in ``next=``."""
    import json
    from urllib.parse import urlencode

    search = f"/tenants/{TENANT}/search/?customer=jane.doe%40example.com&agent=Bob"
    query = urlencode({"next": search})
    line = _access_line(query, f"https://dash.example/accounts/login/?{query}")
    assert "jane" not in line and "example.com" not in line
    entry = json.loads(line)
    assert entry["query"] == f"next=/tenants/{TENANT}/search/%3Fcustomer%3D(given)%26agent%3DBob"
    assert "Bob" in entry["referer"]


def test_a_query_without_a_customer_is_logged_as_sent() -> None:
    import json

    from dashboard.logs import without_customer

    assert without_customer("range=7d&agent=Ren%C3%A9+L") == "range=7d&agent=Ren%C3%A9+L"
    assert json.loads(_access_line("range=7d", ""))["query"] == "range=7d"
