"""The look-up form on the home page."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import unquote

from django import forms
from django.conf import settings

from dashboard.accounts.gate import canonical_uuid

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_PAIR = re.compile(rf"tenants/({_UUID})/interactions/({_UUID})")
_HEX = "[0-9a-fA-F]"
#: A UUID with or without its hyphens, not part of a longer run of hex digits.
_ANY_UUID = re.compile(
    rf"(?<![0-9a-fA-F-])({_HEX}{{8}}-?{_HEX}{{4}}-?{_HEX}{{4}}-?{_HEX}{{4}}-?{_HEX}{{12}})(?![0-9a-fA-F-])"
)
#: What names the UUID after it: "tenants/", "tenantId=", JSON's "tenantId": "…", "/i/"…
_NAMED = re.compile(
    r"(?:(?P<tenant>tenant(?:s|_?id|-id)?)|(?P<interaction>interactions?(?:_?id|-id)?|/i))"
    r"[\"']?\s*[/=:]\s*[\"']?$",
    re.IGNORECASE,
)


def ids_in(pasted: str, tenant_given: str | None = None) -> tuple[str | None, str | None]:
    """The (tenant ID, interaction ID) a pasted link or text names, each None when it
    names none. Reads dashboard and API links, links inside other links (percent-encoded,
    as a sign-in page's ``next=``), ``tenantId=``/``interactionId=`` in queries or JSON,
    the dashboard's ``/i/<interaction ID>/`` and a bare interaction ID. ``tenant_given``
    (the tenant field) tells a tenant ID pasted beside the interaction's from it."""
    text = pasted
    for _ in range(3):  # a link inside a link inside a link
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    pair = _PAIR.search(text)
    if pair:
        return pair.group(1).lower(), pair.group(2).lower()
    tenant = interaction = None
    unnamed: list[str] = []
    for match in _ANY_UUID.finditer(text):
        value = str(uuid.UUID(match.group(1)))
        named = _NAMED.search(text[max(0, match.start() - 24) : match.start()])
        if named and named.group("tenant"):
            tenant = tenant or value
        elif named and named.group("interaction"):
            interaction = interaction or value
        elif value not in unnamed:
            unnamed.append(value)
    unnamed = [u for u in unnamed if u not in (tenant, interaction)]
    if tenant is None and tenant_given in unnamed:
        tenant = tenant_given
        unnamed.remove(tenant_given)
    if interaction is None and len(unnamed) == 1:
        interaction = unnamed[0]
    return tenant, interaction


class LookupForm(forms.Form):
    url = forms.CharField(
        label="Paste a link",
        required=False,
        max_length=2000,
        help_text=(
            "A dashboard or API link, a link holding one (as a sign-in page's), "
            "or an interaction ID: the tenant below is used when the link names none."
        ),
    )
    tenant_id = forms.CharField(label="Tenant ID", required=False, max_length=100)
    interaction_id = forms.CharField(label="Interaction ID", required=False, max_length=100)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        pasted = (data.get("url") or "").strip()
        if pasted:
            return self._from_link(pasted, data)
        for name, label in (("tenant_id", "a tenant ID"), ("interaction_id", "an interaction ID")):
            raw = (data.get(name) or "").strip()
            if not raw:
                self.add_error(name, f"Enter {label}, or paste a link above.")
                continue
            value = canonical_uuid(raw.lower())
            if value is None:
                self.add_error(
                    name,
                    f"{label[0].upper()}{label[1:]} is a UUID "
                    "like b2109780-db83-11e7-9709-c2b07aa3bee9.",
                )
            else:
                data[name] = value
        return data

    def _from_link(self, pasted: str, data: dict[str, Any]) -> dict[str, Any]:
        given = canonical_uuid((data.get("tenant_id") or "").strip().lower())
        tenant, interaction = ids_in(pasted, given)
        if interaction is None:
            raise forms.ValidationError(
                "That link names no interaction: paste a link containing "
                "“tenants/<tenant ID>/interactions/<interaction ID>”, or the interaction ID."
            )
        if tenant is None:  # the tenant from its field, else the one /i/<id>/ links use
            tenant = given or canonical_uuid(settings.DASHBOARD_DEFAULT_TENANT or "")
            if tenant is None:
                self.add_error(
                    "tenant_id",
                    "The link names the interaction but not its tenant: enter the tenant ID.",
                )
        data["tenant_id"], data["interaction_id"] = tenant, interaction
        return data
