"""A flag type in the flagged list's link that is no flag type (``?flag=NOT_A_TYPE``) is not
offered as a filter choice: the list says so and is shown for every flag type. A type the
platform documents, or one an interaction of the list has (named in words or not), still
filters."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
import respx

from dashboard.demo.api import DEMO_TENANT_ID
from tests.test_flagged_novel import FLAGGED as LIVE_FLAGGED
from tests.test_flagged_novel import RANGE, listed, pages_of, serve

pytestmark = pytest.mark.django_db

FLAGGED = f"/tenants/{DEMO_TENANT_ID}/flagged/"
HX = {"HX-Request": "true", "HX-Target": "flagged-results"}
WEEK = {"range": "7d"}
ROW = re.compile(r'<tr data-interaction="([^"]+)">')
FLAG_SELECT = re.compile(r'<select name="flag" id="f-flag">(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="([^"]*)"( selected)?>')
TAG = re.compile(r"<[^>]+>")
UNKNOWN = "which is not known here"


def get(client: Any, url: str, params: dict[str, str], *, htmx: bool = True) -> str:
    response = client.get(url, params, headers=HX if htmx else {})
    assert response.status_code == 200
    return str(response.content.decode())


def choices(body: str) -> dict[str, bool]:
    """The Flag filter's options: value -> whether it is chosen."""
    select = FLAG_SELECT.search(body)
    assert select
    return {value: bool(chosen) for value, chosen in OPTION.findall(select.group(1))}


def said(body: str) -> str:
    return " ".join(html.unescape(TAG.sub(" ", body)).split())


@pytest.mark.parametrize(
    "asked",
    [
        "NOT_A_TYPE",
        "x" * 500,
        '<script>alert("flag")</script>',
        '"><img src=x onerror=alert(1)>',
        "safeguard_terminated",  # not how the platform spells it
    ],
)
@pytest.mark.parametrize("htmx", [True, False])
def test_a_flag_type_that_is_none_is_said_and_filters_nothing(
    signed_in: Any, asked: str, htmx: bool
) -> None:
    every = ROW.findall(get(signed_in, FLAGGED, WEEK, htmx=htmx))
    assert every
    body = get(signed_in, FLAGGED, {**WEEK, "flag": asked}, htmx=htmx)
    # Shown for every flag type, not "nothing matches".
    assert ROW.findall(body) == every
    assert "No flagged interactions match these filters" not in body
    # Said plainly, once, the value escaped.
    text = said(body)
    assert text.count(UNKNOWN) == 1
    assert "The list shows every flag type." in text
    shown = asked.strip()[:80]  # as the link wrote it, its case kept
    assert (shown if len(shown) <= 60 else shown[:59] + "…") in text
    assert "<script>" not in body and "<img" not in body
    # Not a choice; "Any flag" is the one chosen.
    options = choices(body)
    assert shown.lower() not in options and shown not in options
    assert options[""] is True or not any(options.values())
    assert [value for value, chosen in options.items() if chosen] in ([], [""])
    # The list's own links (sort, CSV, each row's way back) do not carry it.
    assert "flag=" not in html.unescape(body).replace('name="flag"', "")


def test_a_type_an_interaction_has_without_words_for_it_is_kept_as_sent(signed_in: Any) -> None:
    """The demo has one interaction flagged "Mystery-new-flag": the dashboard has no words
    for it, yet it is a flag type of the list."""
    body = get(signed_in, FLAGGED, {**WEEK, "flag": "Mystery-new-flag"})
    assert UNKNOWN not in said(body)
    assert len(ROW.findall(body)) == 1
    assert choices(body)["mystery-new-flag"] is True
    # Named once, as sent (not again as the link's lower-case value).
    assert "does not know. (Mystery-new-flag)</option>" in body
    assert "flag=mystery-new-flag" in body


def test_a_chosen_type_is_named_as_the_interactions_have_it(signed_in: Any) -> None:
    body = get(signed_in, FLAGGED, {**WEEK, "flag": "AGENT"})
    assert choices(body)["agent"] is True
    assert "never reached reporting. (Agent)</option>" in body


def test_the_known_choices_are_the_same_with_or_without_an_unknown_type(signed_in: Any) -> None:
    plain = choices(get(signed_in, FLAGGED, WEEK))
    asked = choices(get(signed_in, FLAGGED, {**WEEK, "flag": "NOT_A_TYPE"}))
    assert asked == plain


def test_live_a_documented_type_no_row_has_still_filters_an_unknown_one_does_not(
    reviewer: Any,
) -> None:
    with respx.mock() as mock:
        serve(mock, pages_of([listed(1, flagType="agent"), listed(2, flagType="Brand-New")]))
        every = ROW.findall(get(reviewer, LIVE_FLAGGED, RANGE))
        assert len(every) == 2
        # "queue" is a documented type: chosen, an empty list, no word of it being unknown.
        queue = get(reviewer, LIVE_FLAGGED, {**RANGE, "flag": "Queue"})
        assert ROW.findall(queue) == []
        assert choices(queue)["queue"] is True
        assert UNKNOWN not in said(queue)
        # "brand-new" is in the data: it filters.
        brand_new = get(reviewer, LIVE_FLAGGED, {**RANGE, "flag": "brand-new"})
        assert len(ROW.findall(brand_new)) == 1
        assert UNKNOWN not in said(brand_new)
        # "none" (no flag type given) is a choice of its own, known.
        none = get(reviewer, LIVE_FLAGGED, {**RANGE, "flag": "none"})
        assert UNKNOWN not in said(none)
        # Anything else is not.
        other = get(reviewer, LIVE_FLAGGED, {**RANGE, "flag": "brand-old"})
        assert ROW.findall(other) == every
        assert UNKNOWN in said(other)
        assert "brand-old" not in choices(other)


@pytest.fixture
def reviewer(client: Any, django_user_model: Any, live_mode: str) -> Any:
    from dashboard.accounts.models import TenantGrant
    from tests.conftest import allow_contact_details
    from tests.test_flagged_novel import TENANT

    user = django_user_model.objects.create_user("reviewer", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=TENANT)
    client.force_login(allow_contact_details(user))
    return client
