"""Masking of customer contact details and conversations, in every output."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest

from dashboard.accounts.models import TenantGrant
from dashboard.demo.api import DEMO_TENANT_ID, bodies, catalogue
from dashboard.interactions.masking import DOT, HIDDEN, mask, mask_interaction
from dashboard.interactions.parsing import mask_raw, parse_interaction
from tests.conftest import allow_contact_details

pytestmark = pytest.mark.django_db

WITH_CUSTOMER = [e for e in catalogue() if e["body"].get("customer")]
CRM_DEMO = "995543bc-dc6b-11f1-b206-5d10afd813a7"
BAR = re.compile(r'data-kind="([^"]+)" data-bar="([^"]+)"')


def served(interaction_id: str) -> dict[str, Any]:
    """The body as the demo API serves it today (dates moved into the last day)."""
    return next(b for b in bodies() if str(b["interactionId"]).lower() == interaction_id)


def secrets(body: dict[str, Any]) -> list[str]:
    """Texts a viewer without the permission must never receive."""
    found = [body["customer"]]
    details = body.get("details") or {}
    if isinstance(details.get("customer"), str):
        found.append(details["customer"])
    transcript = body.get("messagingTranscript")
    if isinstance(transcript, list):
        found += [
            m["text"]
            for m in transcript
            if isinstance(m, dict)
            and len(m.get("text") or "") >= 20
            and "Thanks for texting Example Telecom" not in m["text"]
        ]
    elif isinstance(transcript, str):
        found += [line for line in transcript.splitlines() if len(line) >= 30][:5]
    if body.get("notes"):
        found.append(body["notes"].splitlines()[0][:60])
    if body.get("audioRecording"):
        found.append(body["audioRecording"])
    for hook in body.get("hooks") or []:
        if hook.get("hookName"):
            found.append(hook["hookName"])
    return found


def readable(response: Any) -> str:
    """The response as a person or a program would read it (HTML and JSON escapes undone)."""
    raw = response.content.decode()
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(json.loads(raw), ensure_ascii=False)
    return html.unescape(raw)


def every_output(client: Any, interaction_id: str) -> dict[str, str]:
    page = f"/tenants/{DEMO_TENANT_ID}/interactions/{interaction_id}/"
    outputs: dict[str, str] = {}
    responses = {
        "page": client.get(page),
        "timeline": client.get(page, headers={"HX-Request": "true", "HX-Target": "timeline"}),
        "detail": client.get(
            page + "?focus=interaction", headers={"HX-Request": "true", "HX-Target": "detail-panel"}
        ),
        "raw": client.get(page + "raw/"),
        "raw-download": client.get(page + "raw/?download=1"),
        "dossier": client.get(page + "dossier.json"),
    }
    for name, response in responses.items():
        assert response.status_code == 200, (name, response.status_code)
        outputs[name] = readable(response)
    assert "<html" not in outputs["timeline"] and "<html" not in outputs["detail"]
    # The detail panel of bars of every kind (two of each: long interactions have hundreds).
    picked: dict[str, list[str]] = {}
    for kind, bar in BAR.findall(outputs["timeline"]):
        if bar not in picked.setdefault(kind, []) and len(picked[kind]) < 2:
            picked[kind].append(bar)
    assert picked, "the timeline has bars"
    for bar in (b for bars in picked.values() for b in bars):
        response = client.get(
            page + f"?focus={bar}", headers={"HX-Request": "true", "HX-Target": "detail-panel"}
        )
        assert response.status_code == 200
        outputs[f"detail {bar}"] = readable(response)
    return outputs


@pytest.fixture
def masked(client: Any, django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user("no-details", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=DEMO_TENANT_ID)
    client.force_login(user)
    return client


# -- mask() ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked_value"),
    [
        ("+15065552222", "•••••••2222"),
        ("+1 (506) 555-2222", "•••••••2222"),
        ("15065552222", "•••••••2222"),
        ("506-555-1234", "••••••1234"),
        ("+1234567", "••••567"),
        ("jane@example.com", "j•••@example.com"),
        ("olivia.martin@example.net", "o•••@example.net"),
        ("a@b", "a•••@"),  # a domain has a dot: a lone word after "@" may be a handle
        ("Marie-Claude Boudreau", "M•••"),
        ("x", "x•••"),
        ("  +15065552222  ", "•••••••2222"),
        ("", ""),
        (None, None),
    ],
)
def test_mask(value: str | None, masked_value: str | None) -> None:
    assert mask(value) == masked_value


def test_mask_never_keeps_most_of_a_phone_number() -> None:
    for number in ("+15065552222", "5065552222", "+442079460000", "1234567", "+1234567"):
        shown = mask(number) or ""
        digits = sum(c.isdigit() for c in shown)
        assert DOT in shown
        assert digits <= 9 and digits < sum(c.isdigit() for c in number)


def test_mask_interaction_and_raw_hide_conversations() -> None:
    body = served("39429b5e-decd-11f1-b2c9-1bfa4738c92d")  # SMS with a transcript list
    item = mask_interaction(parse_interaction(body))
    assert (
        item.redacted
        and item.transcript is None
        and item.notes is None
        and item.audio_recording is None
    )
    assert item.customer == mask(body["customer"])
    raw = mask_raw(body)
    assert raw["customer"] == mask(body["customer"])
    assert raw["messagingTranscript"] == HIDDEN and raw["notes"] == HIDDEN
    assert body["customer"] not in json.dumps(raw)
    assert body["messagingTranscript"] != HIDDEN  # the original is left alone


def test_masking_applies_to_hook_names() -> None:
    body = served(CRM_DEMO)
    item = mask_interaction(parse_interaction(body))
    assert [h.hook_name for h in item.hooks] == [mask(h["hookName"]) for h in body["hooks"]]
    assert [h.hook_id for h in item.hooks] == [
        h["hookId"] for h in body["hooks"]
    ]  # IDs stay for the links
    raw = mask_raw(body)
    assert [h["hookName"] for h in raw["hooks"]] == ["M•••", "#•••", "C•••"]


# -- every output, for every demo interaction with a customer -----------------


@pytest.mark.parametrize("entry", WITH_CUSTOMER, ids=lambda e: e["file"])
def test_viewer_without_permission_never_gets_contact_details(
    masked: Any, entry: dict[str, Any]
) -> None:
    body = served(entry["interaction_id"])
    hidden = secrets(body)
    outputs = every_output(masked, entry["interaction_id"])
    for name, content in outputs.items():
        for secret in hidden:
            assert secret not in content, f"{secret!r} leaked in {name}"
    assert mask(body["customer"]) in outputs["page"]
    assert "Conversation and contact details hidden" in outputs["page"]
    dossier = json.loads(outputs["dossier"])
    assert dossier["contact_details_masked"] is True
    assert dossier["interaction"]["customer"] == mask(body["customer"])
    download = json.loads(outputs["raw-download"])
    assert download["customer"] == mask(body["customer"])
    for key in ("messagingTranscript", "notes", "audioRecording"):
        if body.get(key) is not None:
            assert download[key] == HIDDEN and dossier["interaction"][key] == HIDDEN


@pytest.mark.parametrize("entry", WITH_CUSTOMER, ids=lambda e: e["file"])
def test_viewer_with_permission_gets_them(signed_in: Any, entry: dict[str, Any]) -> None:
    body = served(entry["interaction_id"])
    outputs = every_output(signed_in, entry["interaction_id"])
    assert body["customer"] in outputs["page"]
    assert body["customer"] in outputs["raw"] and body["customer"] in outputs["raw-download"]
    assert body["customer"] in outputs["dossier"]
    assert json.loads(outputs["dossier"])["contact_details_masked"] is False
    assert "Conversation and contact details hidden" not in outputs["page"]
    for secret in secrets(body)[1:]:
        assert secret in outputs["raw-download"], secret
        assert secret in outputs["page"], secret


def test_sms_transcript_is_absent_for_masked_and_present_for_permitted(
    masked: Any, demo_user: Any
) -> None:
    sms = [e for e in WITH_CUSTOMER if e["body"].get("channelType") == "sms"]
    assert sms
    for entry in sms:
        body = served(entry["interaction_id"])
        customer_texts = [
            m["text"] for m in body["messagingTranscript"] if m.get("from") == "customer"
        ]
        assert customer_texts
        page = html.unescape(
            masked.get(
                f"/tenants/{DEMO_TENANT_ID}/interactions/{entry['interaction_id']}/"
            ).content.decode()
        )
        assert 'id="transcript-title"' not in page
        for t in customer_texts:
            assert t not in page
    masked.force_login(demo_user)  # now with the permission
    for entry in sms:
        body = served(entry["interaction_id"])
        page = html.unescape(
            masked.get(
                f"/tenants/{DEMO_TENANT_ID}/interactions/{entry['interaction_id']}/"
            ).content.decode()
        )
        assert 'id="transcript-title"' in page
        for m in body["messagingTranscript"]:
            assert m["text"] in page


def test_csv_and_list_mask_every_customer(masked: Any) -> None:
    flagged = [b for b in bodies() if b.get("flagged")]
    csv_text = (
        masked.get(f"/tenants/{DEMO_TENANT_ID}/flagged/export.csv", {"range": "7d"})
        .getvalue()
        .decode()
    )
    page = html.unescape(
        masked.get(f"/tenants/{DEMO_TENANT_ID}/flagged/", {"range": "7d"}).content.decode()
    )
    fragment = html.unescape(
        masked.get(
            f"/tenants/{DEMO_TENANT_ID}/flagged/",
            {"range": "7d"},
            headers={"HX-Request": "true", "HX-Target": "flagged-results"},
        ).content.decode()
    )
    for b in flagged:
        for content in (csv_text, page, fragment):
            assert b["customer"] not in content
        assert mask(b["customer"]) in csv_text and mask(b["customer"]) in page


def test_csv_shows_customers_to_a_permitted_viewer(signed_in: Any) -> None:
    csv_text = (
        signed_in.get(f"/tenants/{DEMO_TENANT_ID}/flagged/export.csv", {"range": "7d"})
        .getvalue()
        .decode()
    )
    for b in bodies():
        if b.get("flagged"):
            assert b["customer"] in csv_text


def test_hook_names_masked_on_the_page(masked: Any) -> None:
    page = f"/tenants/{DEMO_TENANT_ID}/interactions/{CRM_DEMO}/"
    body = served(CRM_DEMO)
    hidden = html.unescape(masked.get(page).content.decode())
    for hook in body["hooks"]:
        assert hook["hookName"] not in hidden
        assert f"<td>{mask(hook['hookName'])}</td>" in hidden
    # The record links themselves still work: the IDs are not contact details.
    assert 'href="https://example.zendesk.com/agent/tickets/48213"' in hidden


def test_hook_names_shown_with_permission(client: Any, demo_user: Any) -> None:
    client.force_login(demo_user)
    shown = html.unescape(
        client.get(f"/tenants/{DEMO_TENANT_ID}/interactions/{CRM_DEMO}/").content.decode()
    )
    for hook in served(CRM_DEMO)["hooks"]:
        assert hook["hookName"] in shown


def test_permission_is_read_per_request(masked: Any, django_user_model: Any) -> None:
    page = f"/tenants/{DEMO_TENANT_ID}/interactions/{CRM_DEMO}/raw/?download=1"
    customer = served(CRM_DEMO)["customer"]
    assert customer not in masked.get(page).content.decode()
    allow_contact_details(django_user_model.objects.get(username="no-details"))
    assert customer in masked.get(page).content.decode()  # same cache entry, unmasked now
