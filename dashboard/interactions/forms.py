"""The look-up form on the home page."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from dashboard.accounts.gate import canonical_uuid

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_PAIR = re.compile(rf"tenants/({_UUID})/interactions/({_UUID})")


class LookupForm(forms.Form):
    url = forms.CharField(
        label="Paste a link",
        required=False,
        max_length=2000,
        help_text="A dashboard link or an API URL that contains both IDs.",
    )
    tenant_id = forms.CharField(label="Tenant ID", required=False, max_length=100)
    interaction_id = forms.CharField(label="Interaction ID", required=False, max_length=100)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        pasted = (data.get("url") or "").strip()
        if pasted:
            match = _PAIR.search(pasted)
            if not match:
                raise forms.ValidationError(
                    "That link does not contain "
                    "“tenants/<tenant ID>/interactions/<interaction ID>”."
                )
            data["tenant_id"], data["interaction_id"] = (m.lower() for m in match.groups())
            return data
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
