"""The customer's journey (from an interaction, and from a ticket) and the
"other interactions" link on the interaction page."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dashboard.demo.api import catalogue

from .rows import OTHER, TENANT, index_row

pytestmark = pytest.mark.django_db

DEMO = catalogue()[1]["interaction_id"]


def journey_url(interaction_id: str) -> str:
    return f"/tenants/{TENANT}/interactions/{interaction_id}/journey/"


def steps(response: Any) -> list[str]:
    page = response.content.decode()
    return [part.split('"', 1)[0] for part in page.split('data-interaction="')[1:]]


@pytest.fixture
def customer_journey() -> dict[str, str]:
    now = timezone.now()
    phone = "+1 506 555 4242"
    old = index_row(
        start=now - timedelta(days=20),
        customer=phone,
        channel="email",
        disposition="Resolved",
        agents=[("Ann Agent", "Support", 60)],
    )
    current = index_row(
        interaction_id=DEMO,
        start=now - timedelta(days=2),
        customer="1-506-555-4242",
        channel="voice",
        flagged=True,
        flag_type="missing-agent-exit",
        agents=[("Bob Agent", "Support", 60)],
    )
    open_one = index_row(
        start=now - timedelta(hours=2), customer=phone, channel="messaging", minutes=None
    )
    index_row(start=now - timedelta(days=1), customer="+1 506 555 0000")  # someone else
    index_row(
        tenant=OTHER, start=now - timedelta(days=1), customer=phone
    )  # same number, other tenant
    return {
        "old": old.interaction_id,
        "current": current.interaction_id,
        "open": open_one.interaction_id,
    }


def test_the_journey_lists_every_channel_most_recent_first(
    open_client: Any, customer_journey: dict[str, str]
) -> None:
    response = open_client.get(journey_url(customer_journey["current"]))
    assert response.status_code == 200
    assert steps(response) == [
        customer_journey["open"],
        customer_journey["current"],
        customer_journey["old"],
    ]
    page = html.unescape(response.content.decode())
    # Each channel in the interaction page's words, its code on hover.
    for word, code in (("Chat", "messaging"), ("Email", "email"), ("Call", "voice")):
        assert f'<span title="API code: {code}">{word}</span>' in page
    assert "Resolved" in page
    assert "Ann Agent" in page
    assert "Bob Agent" in page


def test_the_journey_names_the_zone_of_its_times(
    open_client: Any, customer_journey: dict[str, str]
) -> None:
    open_client.cookies["tz"] = "America%2FHalifax"
    page = html.unescape(open_client.get(journey_url(customer_journey["current"])).content.decode())
    assert "times in America/Halifax." in page


def test_open_ends_are_drawn_open_and_marked(
    open_client: Any, customer_journey: dict[str, str]
) -> None:
    page = open_client.get(journey_url(customer_journey["current"])).content.decode()
    open_item = page.split(f'data-interaction="{customer_journey["open"]}"')[0].rsplit("<li", 1)[1]
    assert "open-end" in open_item
    open_step = page.split(f'data-interaction="{customer_journey["open"]}"')[1].split("</li>")[0]
    assert "open: no end time in the index" in open_step
    assert 'class="journey-bar open' in open_step
    closed = page.split(f'data-interaction="{customer_journey["old"]}"')[1].split("</li>")[0]
    assert "no end time" not in closed


def test_the_flag_is_shown_on_its_step(open_client: Any, customer_journey: dict[str, str]) -> None:
    page = open_client.get(journey_url(customer_journey["current"])).content.decode()
    flagged = page.split(f'data-interaction="{customer_journey["current"]}"')[1].split("</li>")[0]
    assert 'class="bang"' in flagged
    assert "missing-agent-exit" in flagged
    other = page.split(f'data-interaction="{customer_journey["old"]}"')[1].split("</li>")[0]
    assert 'class="bang"' not in other


def test_a_masked_viewer_follows_the_journey_without_seeing_the_customer(
    masked_client: Any, customer_journey: dict[str, str]
) -> None:
    response = masked_client.get(journey_url(customer_journey["current"]))
    assert response.status_code == 200
    assert len(steps(response)) == 3
    page = html.unescape(response.content.decode())
    for value in ("555 4242", "5065554242", "555-4242", "15065554242"):
        assert value not in page
    assert response["Cache-Control"] == "private, no-store"


def test_a_journey_in_another_tenant_is_404(
    open_client: Any, customer_journey: dict[str, str]
) -> None:
    assert (
        open_client.get(
            f"/tenants/{OTHER}/interactions/{customer_journey['current']}/journey/"
        ).status_code
        == 404
    )


def test_an_interaction_missing_from_the_index_says_so(open_client: Any) -> None:
    response = open_client.get(journey_url("00000000-0000-1000-8000-000000000001"))
    assert response.status_code == 200
    assert "not in the index yet" in response.content.decode()


def test_the_interaction_page_links_the_journey_with_a_30_day_count(
    open_client: Any, customer_journey: dict[str, str]
) -> None:
    page = html.unescape(
        open_client.get(f"/tenants/{TENANT}/interactions/{DEMO}/").content.decode()
    )
    # Two others in 30 days: the open one and the one 20 days ago.
    assert "This customer's other interactions (2 in 30 days)" in page
    assert journey_url(DEMO) in page


def test_no_link_when_the_index_does_not_know_the_interaction(open_client: Any) -> None:
    page = open_client.get(f"/tenants/{TENANT}/interactions/{DEMO}/").content.decode()
    assert "/journey/" not in page


def test_a_tickets_journey_shows_every_linked_interaction(open_client: Any) -> None:
    now = timezone.now()
    first = index_row(
        start=now - timedelta(days=3), hooks=[("zendesk", "48213")], customer="a@example.com"
    )
    second = index_row(
        start=now - timedelta(days=1), hooks=[("zendesk", "48213")], customer="b@example.com"
    )
    index_row(start=now - timedelta(days=1), hooks=[("zendesk", "99999")])
    response = open_client.get(f"/tenants/{TENANT}/tickets/zendesk/48213/journey/")
    assert steps(response) == [second.interaction_id, first.interaction_id]
    assert (
        open_client.get(f"/tenants/{TENANT}/tickets/zendesk/bad%20id/journey/").status_code == 404
    )


@pytest.fixture
def one_contact() -> dict[str, str]:
    """One CRM contact who called from a number, wrote from an address and chatted
    without either; the same contact ID in another tenant is someone else."""
    now = timezone.now()
    call = index_row(
        interaction_id=DEMO,
        start=now - timedelta(days=1),
        customer="+44 20 7946 0958",
        contact_id="contact-77",
        channel="voice",
    )
    mail = index_row(
        start=now - timedelta(days=2),
        customer="Jane.Doe@Example.com",
        contact_id="contact-77",
        channel="email",
    )
    chat = index_row(
        start=now - timedelta(days=3), customer="", contact_id="contact-77", channel="messaging"
    )
    index_row(start=now - timedelta(days=1), customer="+44 20 7946 0000", contact_id="contact-78")
    index_row(
        tenant=OTHER,
        start=now - timedelta(days=1),
        customer="x@example.com",
        contact_id="contact-77",
    )
    return {"call": call.interaction_id, "mail": mail.interaction_id, "chat": chat.interaction_id}


def test_the_journey_joins_a_contacts_numbers_and_addresses_across_channels(
    open_client: Any, one_contact: dict[str, str]
) -> None:
    expected = [one_contact["call"], one_contact["mail"], one_contact["chat"]]
    for start in expected:
        assert steps(open_client.get(journey_url(start))) == expected
    page = html.unescape(
        open_client.get(f"/tenants/{TENANT}/interactions/{DEMO}/").content.decode()
    )
    assert "This customer's other interactions (2 in 30 days)" in page


def test_a_customer_known_only_by_a_contact_id_has_a_journey(
    open_client: Any, one_contact: dict[str, str]
) -> None:
    page = html.unescape(open_client.get(journey_url(one_contact["chat"])).content.decode())
    assert "Journey: contact contact-77" in page
    assert "knows no customer" not in page


def test_a_masked_viewer_sees_no_address_or_number_of_the_contacts_journey(
    masked_client: Any, one_contact: dict[str, str]
) -> None:
    for start in one_contact.values():
        response = masked_client.get(journey_url(start))
        assert len(steps(response)) == 3
        page = html.unescape(response.content.decode())
        for value in ("7946 0958", "jane.doe", "Jane.Doe", "x@example.com"):
            assert value not in page


def test_an_interaction_whose_start_is_unknown_comes_last_and_ties_keep_their_order(
    open_client: Any,
) -> None:
    from dashboard.index.models import IndexedInteraction

    now = timezone.now()
    current = index_row(interaction_id=DEMO, start=now - timedelta(days=1))
    unknown = index_row(start=now - timedelta(days=2))
    IndexedInteraction.objects.filter(pk=unknown.pk).update(start=None)
    same_time = [index_row(start=now - timedelta(days=3)) for _ in range(2)]
    response = open_client.get(journey_url(DEMO))
    assert steps(response) == [
        current.interaction_id,
        same_time[1].interaction_id,
        same_time[0].interaction_id,
        unknown.interaction_id,
    ]
    assert "unknown start" in response.content.decode()


def test_a_journey_keeps_an_agents_name_holding_a_comma_whole(open_client: Any) -> None:
    index_row(
        interaction_id=DEMO,
        agents=[("Smith, Ann", "Support", 60), ("Bob Jones", "Support", 60)],
    )
    page = html.unescape(open_client.get(journey_url(DEMO)).content.decode())
    assert "<bdi>Smith, Ann</bdi>, <bdi>Bob Jones</bdi>" in page


def test_a_tickets_journey_finds_a_hook_type_sent_in_capitals(open_client: Any) -> None:
    from dashboard.demo.generate import generate_interaction
    from dashboard.index.indexer import index_interactions, source_hash
    from dashboard.interactions.parsing import parse_interaction

    raw = generate_interaction(1, seed=3)
    raw["tenantId"] = TENANT
    raw["hooks"] = [{"hookType": "Zendesk", "hookId": "48213", "hookSubType": "ticket"}]
    index_interactions(TENANT, [(parse_interaction(raw), source_hash(raw))])
    for link_type in ("zendesk", "Zendesk"):
        response = open_client.get(f"/tenants/{TENANT}/tickets/{link_type}/48213/journey/")
        assert steps(response) == [str(raw["interactionId"]).lower()]


def test_the_migration_lowers_hook_types_indexed_before() -> None:
    import importlib

    from django.apps import apps

    from dashboard.index.models import Hook

    migration = importlib.import_module("dashboard.index.migrations.0010_lower_hook_types")
    index_row(hooks=[("Zendesk", "48213"), ("salesforce", "1")])
    migration.lower(apps, None)
    assert sorted(Hook.objects.values_list("hook_type", flat=True)) == ["salesforce", "zendesk"]


def test_a_steps_flag_says_its_reason_in_words_and_a_blank_channel_no_code(
    open_client: Any,
) -> None:
    """As the flagged list says it: the reason in words (with the type as sent), also for a
    flagged interaction the API gave no type; a channel not sent claims no "API code"."""
    from dashboard.interactions import listing
    from dashboard.interactions.domain import NO_FLAG_TYPE_REASON

    now = timezone.now()
    typed = index_row(
        start=now - timedelta(hours=3), flagged=True, flag_type="Agent", customer="ann@example.com"
    )
    untyped = index_row(
        start=now - timedelta(hours=2),
        flagged=True,
        flag_type="",
        channel="",
        customer="ann@example.com",
    )
    page = html.unescape(open_client.get(journey_url(typed.interaction_id)).content.decode())

    def step(row: Any) -> str:
        return page.split(f'data-interaction="{row.interaction_id}"')[1].split("</li>")[0]

    assert f"Flagged (Agent): {listing.flag_words('Agent')[0]}" in step(typed)
    assert f"Flagged: {NO_FLAG_TYPE_REASON[0]}" in step(untyped)
    assert "unknown" not in step(untyped).split('class="bang"')[1].split("</span>")[0]
    assert "API code: —" not in step(untyped)


def test_a_customer_with_no_other_interaction_is_not_offered_a_count_of_0(
    open_client: Any,
) -> None:
    index_row(interaction_id=DEMO, customer="+1 506 555 7777", start=timezone.now())
    page = html.unescape(
        open_client.get(f"/tenants/{TENANT}/interactions/{DEMO}/").content.decode()
    )
    assert "(0 in 30 days)" not in page
    assert (
        'This customer\'s journey</a> <span class="hint">(no other interaction in the last 30 days)'
        in page
    )
    assert journey_url(DEMO) in page
