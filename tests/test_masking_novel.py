"""The novel payloads (tests/fixtures/novel/) with customer data written into the places
the policy does not allowlist, through every page, partial, export, journey, search,
ticket page, log line and audit entry: a masked viewer receives none of it."""

from __future__ import annotations

import html
import json
import logging
import re
from typing import Any

import pytest

from dashboard.accounts.models import TenantGrant
from dashboard.demo.api import DEMO_TENANT_ID
from tests.conftest import allow_contact_details
from tests.novel import NOVEL, novel_body, serve_novel

pytestmark = pytest.mark.django_db

NAMES = sorted(p.stem for p in NOVEL.glob("*.json"))
TENANT = DEMO_TENANT_ID
HOOK = ("zendesk", "770011")

#: Written into places that are not allowlisted: none may reach a masked viewer.
PLANTED = {
    "fromName": "Quentin Leakwood",
    "text": "MKR-TRANSCRIPT-TEXT",
    "artifact title": "MKR-ARTIFACT-TITLE",
    "artifact subject": "MKR-EMAIL-SUBJECT",
    "artifact from": "quentin.leakwood@example.org",
    "hook name": "Quentin Leakwood ticket",
    "notes": "MKR-NOTES",
    "recording": "MKR-RECORDING",
    "monitor extra": "MKR-MONITOR-EXTRA",
    "details extra": "MKR-DETAILS-EXTRA",
    "attribute": "MKR-ATTRIBUTE",
    "queue extra": "MKR-QUEUE-EXTRA",
    "agent extra": "MKR-AGENT-EXTRA",
    "segment extra": "MKR-SEGMENT-EXTRA",
    "email subject": "MKR-TOP-SUBJECT",
}


def planted(name: str) -> dict[str, Any]:
    body = novel_body(name)
    p = PLANTED
    transcript = body.get("messagingTranscript")
    if isinstance(transcript, list):
        for message in transcript:
            if isinstance(message, dict):
                message["fromName"] = p["fromName"]
                message["text"] = p["text"]
    else:
        body["messagingTranscript"] = [
            {"from": "customer", "fromName": p["fromName"], "text": p["text"], "timestamp": None}
        ]
    artifacts = body.get("artifactsSummary")
    extra = {"title": p["artifact title"], "subject": p["artifact subject"]}
    extra["from"] = p["artifact from"]
    if isinstance(artifacts, list):
        for artifact in artifacts:
            if isinstance(artifact, dict):
                artifact.update(extra)
    else:
        body["artifactsSummary"] = [{"artifactType": "email", **extra}]
    body["hooks"] = [
        *(body.get("hooks") or []),
        {"hookType": HOOK[0], "hookId": HOOK[1], "hookName": p["hook name"]},
    ]
    body["notes"] = p["notes"]
    body["audioRecording"] = f"https://recordings.example.org/{p['recording']}.wav"
    monitors = body.get("monitors")
    if isinstance(monitors, list):
        for monitor in monitors:
            if isinstance(monitor, dict):
                monitor["customerSaid"] = p["monitor extra"]
    if isinstance(body.get("details"), dict):
        body["details"]["callerName"] = p["details extra"]
    body["interactionAttributes"] = {"caller": p["attribute"]}
    for key, marker in (("queues", "queue extra"), ("agents", "agent extra")):
        for record in (body.get(key) or [])[:3]:
            if isinstance(record, dict):
                record["callerNote"] = p[marker]
    for segment in (body.get("segments") or [])[:3]:
        if isinstance(segment, dict):
            segment["callerNote"] = p["segment extra"]
    body["emailSubject"] = p["email subject"]
    return body


def secrets(body: dict[str, Any]) -> list[str]:
    found = list(PLANTED.values())
    for value in (body.get("customer"), (body.get("details") or {}).get("customer")):
        if isinstance(value, str) and value.strip():
            found.append(value)
            if "@" in value:
                found.append(value.split("@")[0])
            digits = re.sub(r"\D", "", value)
            if len(digits) >= 7:
                found.append(digits)
    return found


def urls(iid: str, bars: list[str], body: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    page = f"/tenants/{TENANT}/interactions/{iid}/"
    hx = {"HX-Request": "true"}
    found: list[tuple[str, dict[str, str]]] = [
        (page, {}),
        (page, {**hx, "HX-Target": "timeline"}),
        (page + "?failures=1", {**hx, "HX-Target": "timeline"}),
        (page + "?all=participants", {**hx, "HX-Target": "participants-rest"}),
        (page + "?all=participants", {}),
        (page + "raw/", {}),
        (page + "raw/?download=1", {}),
        (page + "dossier.json", {}),
        (page + "journey/", {}),
        (f"/tenants/{TENANT}/tickets/{HOOK[0]}/{HOOK[1]}/journey/", {}),
        (f"/tickets/{HOOK[0]}/{HOOK[1]}/", {}),
        (f"/tenants/{TENANT}/flagged/?range=90d", {}),
        (f"/tenants/{TENANT}/flagged/export.csv?range=90d", {}),
        ("/", {}),
    ]
    for agent in {a.get("agentName") for a in body.get("agents") or [] if isinstance(a, dict)}:
        if isinstance(agent, str) and agent:
            found.append((f"/tenants/{TENANT}/search/?agent={agent}&range=90d", {}))
            found.append((f"/tenants/{TENANT}/search/export.csv?agent={agent}&range=90d", {}))
            break
    for bar in bars:
        found.append((page + f"?focus={bar}", {**hx, "HX-Target": "detail-panel"}))
    return found


@pytest.fixture
def viewers(client: Any, django_user_model: Any) -> dict[str, Any]:
    from django.test import Client

    masked = django_user_model.objects.create_user("novel-masked", password="pw-for-tests-1")
    full = django_user_model.objects.create_user("novel-full", password="pw-for-tests-1")
    for user in (masked, full):
        TenantGrant.objects.create(user=user, tenant_id=TENANT)
    client.force_login(masked)
    other = Client()
    other.force_login(allow_contact_details(full))
    return {"masked": client, "full": other}


def _read(response: Any) -> str:
    text = response.getvalue().decode()
    if response.get("Content-Type", "").startswith("application/json"):
        text = json.dumps(json.loads(text), ensure_ascii=False)
    return html.unescape(text).lower()


@pytest.mark.parametrize("name", NAMES)
def test_a_masked_viewer_gets_none_of_it(
    name: str, viewers: dict[str, Any], monkeypatch: Any, caplog: Any
) -> None:
    from dashboard.index.indexer import index_interactions, source_hash
    from dashboard.interactions.parsing import parse_interaction
    from dashboard.reviews.models import AuditEvent
    from tests.index_search.rows import synced

    body = planted(name)
    monkeypatch.setattr("tests.novel.novel_body", lambda _: body)
    page = serve_novel(monkeypatch, name)[name]
    index_interactions(TENANT, [(parse_interaction(body), source_hash(body))])
    synced(TENANT)
    iid = page.rstrip("/").rsplit("/", 1)[1]
    client = viewers["masked"]
    caplog.set_level(logging.DEBUG)
    first = client.get(page)
    assert first.status_code == 200
    bars = sorted(set(re.findall(r'data-bar="([^"]+)"', first.content.decode())))[:40]
    seen = []
    for url, headers in urls(iid, bars, body):
        response = client.get(url, headers=headers)
        assert response.status_code in (200, 302, 404), (url, response.status_code)
        seen.append(f"== {url}\n{_read(response)}")
        opened = viewers["full"].get(url, headers=headers)
        assert opened.status_code in (200, 302, 404), (url, opened.status_code)
    seen.append(caplog.text.lower())
    seen += [str(e.__dict__).lower() for e in AuditEvent.objects.all()]
    everything = "\n".join(seen)
    leaked = {}
    for secret in secrets(body):
        at = everything.find(secret.lower())
        if at >= 0:
            leaked[secret] = everything[max(0, at - 300) : at + 100]
    assert leaked == {}


# -- what the API said ------------------------------------------------------------

_SAID = "No interaction for quentin.leakwood@example.org (+15065550123)"


@pytest.fixture
def live_viewers(client: Any, django_user_model: Any, live_mode: str) -> dict[str, Any]:
    from django.test import Client

    from tests.conftest import TENANT as LIVE_TENANT

    masked = django_user_model.objects.create_user("said-masked", password="pw-for-tests-1")
    full = django_user_model.objects.create_user("said-full", password="pw-for-tests-1")
    for user in (masked, full):
        TenantGrant.objects.create(user=user, tenant_id=LIVE_TENANT)
    client.force_login(masked)
    other = Client()
    other.force_login(allow_contact_details(full))
    return {"masked": client, "full": other}


def _said_everywhere(client: Any) -> str:
    import respx

    from tests.conftest import LIVE_API, PAGE, UPSTREAM
    from tests.conftest import TENANT as LIVE_TENANT

    seen = []
    with respx.mock(assert_all_called=False) as mock:
        mock.get(UPSTREAM).respond(404, json={"message": _SAID})
        mock.get(f"{LIVE_API}/v1/tenants/{LIVE_TENANT}/interactions").respond(
            400, json={"message": _SAID}
        )
        for url, headers in (
            (PAGE, {}),
            (PAGE, {"HX-Request": "true", "HX-Target": "timeline"}),
            (PAGE + "?focus=interaction", {"HX-Request": "true", "HX-Target": "detail-panel"}),
            (PAGE + "raw/", {}),
            (PAGE + "dossier.json", {}),
            (f"/tenants/{LIVE_TENANT}/flagged/?range=7d", {}),
            ("/tickets/zendesk/770011/", {}),
        ):
            response = client.get(url, headers=headers)
            seen.append(html.unescape(response.getvalue().decode()))
    return "\n".join(seen)


def test_what_the_api_said_is_withheld_from_a_masked_viewer(
    live_viewers: dict[str, Any],
) -> None:
    everything = _said_everywhere(live_viewers["masked"])
    assert "quentin" not in everything and "5550123" not in everything
    assert "The API has no such record" in everything  # what went wrong is still said
    # The page, its timeline, its detail panel, the flagged list and the ticket page.
    assert everything.count("[withheld: may hold customer data]") >= 5


def test_what_the_api_said_is_quoted_to_a_viewer_with_the_permission(
    live_viewers: dict[str, Any],
) -> None:
    assert _SAID in _said_everywhere(live_viewers["full"])


# -- every value the raw JSON withholds ---------------------------------------------


def _marked(value: Any, markers: dict[str, str], path: str = "") -> Any:
    """``value`` with a distinct marker after every text in it; ``markers`` says where each is."""
    if isinstance(value, dict):
        return {k: _marked(v, markers, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_marked(v, markers, f"{path}[]") for v in value]
    if isinstance(value, str):
        marker = f"qx{len(markers)}qx"
        markers[marker] = path
        return f"{value} {marker}"
    return value


@pytest.mark.parametrize("name", NAMES)
def test_what_the_raw_json_withholds_reaches_no_output(
    name: str, viewers: dict[str, Any], monkeypatch: Any, caplog: Any
) -> None:
    """Every text of the payload carries a marker: the ones the raw JSON withholds from a
    masked viewer (``mask_raw``: not allowlisted) appear in none of that viewer's outputs."""
    from dashboard.index.indexer import index_interactions, source_hash
    from dashboard.interactions.parsing import mask_raw, parse_interaction
    from dashboard.reviews.models import AuditEvent
    from tests.index_search.rows import synced

    markers: dict[str, str] = {}
    body = _marked(novel_body(name), markers)
    body["interactionId"] = novel_body(name)["interactionId"]
    body["tenantId"] = TENANT
    allowed = json.dumps(mask_raw(body), ensure_ascii=False)
    withheld = {m: p for m, p in markers.items() if m not in allowed}
    monkeypatch.setattr("tests.novel.novel_body", lambda _: body)
    page = serve_novel(monkeypatch, name)[name]
    index_interactions(TENANT, [(parse_interaction(body), source_hash(body))])
    synced(TENANT)
    iid = page.rstrip("/").rsplit("/", 1)[1]
    client = viewers["masked"]
    caplog.set_level(logging.DEBUG)
    first = client.get(page)
    assert first.status_code == 200
    bars = sorted(set(re.findall(r'data-bar="([^"]+)"', first.content.decode())))[:40]
    seen = []
    for url, headers in urls(iid, bars, body):
        response = client.get(url, headers=headers)
        assert response.status_code in (200, 302, 404), (url, response.status_code)
        seen.append(_read(response))
    seen.append(caplog.text.lower())
    seen += [str(e.__dict__).lower() for e in AuditEvent.objects.all()]
    everything = "\n".join(seen)
    assert {m: p for m, p in withheld.items() if m in everything} == {}


def test_a_failure_keeps_its_kind_and_status_and_loses_only_the_api_s_words() -> None:
    from dashboard.cxengage import errors
    from dashboard.interactions.masking import WITHHELD
    from dashboard.interactions.selectors import masked_error

    said = errors.NotFound(f"The API has no such record ({_SAID}).", status=404, path="/v1/x")
    masked = masked_error(said)
    assert isinstance(masked, errors.NotFound) and (masked.status, masked.path) == (404, "/v1/x")
    assert masked.message == f"The API has no such record ({WITHHELD})." == str(masked)
    assert said.message.endswith(f"({_SAID}).")  # the operator's copy is untouched
    plain = errors.ServerError("The API answered with a redirect (302), which is not followed.")
    assert masked_error(plain) is plain
