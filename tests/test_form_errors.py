"""Form errors are tied to their fields: a screen reader on the field hears what is
wrong with it (aria-invalid, aria-describedby naming the message)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dashboard.demo.api import DEMO_TENANT_ID

pytestmark = pytest.mark.django_db

SAVE = f"/tenants/{DEMO_TENANT_ID}/interactions/355f35bb-e378-11f1-83e6-7f85978343ab/review/"


def field(body: str, name: str) -> str:
    match = re.search(rf'<(?:input|textarea|select)[^>]*\bname="{name}"[^>]*>', body)
    assert match, name
    return match.group(0)


def described(body: str, name: str) -> list[str]:
    """The texts of the elements that the field's aria-describedby names."""
    tag = field(body, name)
    assert 'aria-invalid="true"' in tag, tag
    ids = re.search(r'aria-describedby="([^"]+)"', tag)
    assert ids, tag
    texts = []
    for ident in ids.group(1).split():
        element = re.search(rf'<[^>]*\bid="{ident}"[^>]*>(.*?)</', body, re.S)
        assert element, ident
        texts.append(element.group(1))
    return texts


def test_a_link_naming_no_interaction_is_said_on_the_link_field(signed_in: Any) -> None:
    body = signed_in.get("/", {"url": "nonsense"}).content.decode()
    assert any("names no interaction" in t for t in described(body, "url"))


def test_a_wrong_password_is_said_on_both_fields(client: Client, demo_user: Any) -> None:
    response = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    body = response.content.decode()
    for name in ("username", "password"):
        assert any("didn" in t for t in described(body, name)), name


def test_a_review_comment_too_long_is_said_on_the_comment(signed_in: Any) -> None:
    response = signed_in.post(
        SAVE,
        {"status": "done", "comment": "x" * 10_001, "version": "0"},
        headers={"HX-Request": "true", "HX-Target": "review"},
    )
    assert response.status_code == 400
    assert any("Ensure this value" in t for t in described(response.content.decode(), "comment"))
    assert 'aria-invalid="true"' not in field(response.content.decode(), "status")
