"""Landmarks a screen reader lists are told apart by their names."""

from __future__ import annotations

import re
from typing import Any

import pytest

from dashboard.accounts.models import TenantGrant

pytestmark = pytest.mark.django_db


def test_each_tenants_search_on_the_home_page_is_a_named_search(
    signed_in: Any, demo_user: Any
) -> None:
    TenantGrant.objects.create(
        user=demo_user, tenant_id="2336d1ec-c956-47e1-b3b1-fe8fde81b2b4", label="Support"
    )
    body = signed_in.get("/").content.decode()
    searches = re.findall(r'<form[^>]*role="search"[^>]*>', body)
    assert len(searches) >= 2
    names = []
    for form in searches:
        labelled = re.search(r'aria-labelledby="([^"]+)"', form)
        assert labelled, form
        label = re.search(rf'<label[^>]*id="{labelled.group(1)}"[^>]*>(.*?)</label>', body, re.S)
        assert label, labelled.group(1)
        names.append(re.sub(r"<[^>]+>", "", label.group(1)))
    assert len(set(names)) == len(names)
    assert any("Support" in n for n in names)
