"""The indexer: parsed interactions -> index rows, upserts, unknowns kept unknown."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import pytest

from dashboard.demo.api import DEMO_TENANT_ID, bodies
from dashboard.demo.generate import generate_interaction
from dashboard.index.indexer import customer_key, index_interactions, source_hash
from dashboard.index.models import AgentLeg, Hook, IndexedInteraction, QueueVisit
from dashboard.interactions.domain import Interaction
from dashboard.interactions.parsing import parse_interaction

pytestmark = pytest.mark.django_db

OTHER_TENANT = "2336d1ec-c956-47e1-b3b1-fe8fde81b2b4"


def pairs(raws: list[dict[str, Any]]) -> list[tuple[Interaction, str]]:
    return [(parse_interaction(raw), source_hash(raw)) for raw in raws]


def demo(name_part: str) -> dict[str, Any]:
    for body in bodies():
        if name_part in str(body["interactionId"]):
            return body
    raise LookupError(name_part)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("+1 (506) 555-1234", "15065551234"),
        ("506.555.1234", "5065551234"),
        ("tel:+15065551234", "15065551234"),
        ("  Jane.Doe@Example.COM ", "jane.doe@example.com"),
        ("  Jane   DOE ", "jane doe"),
        ("", ""),
    ],
)
def test_customer_key_normalises_phones_emails_and_names(typed: str, key: str) -> None:
    assert customer_key(typed) == key


@pytest.mark.parametrize(
    ("customer", "tail"),
    [
        ("+1 (506) 555-2222", "5552222"),
        ("555-2222", "5552222"),
        ("555-222", ""),  # too short to be matched by its end
        ("Jane.Doe@Example.com", ""),
        ("", ""),
    ],
)
def test_a_phone_numbers_last_seven_digits_are_stored_for_searches_without_country_code(
    customer: str, tail: str
) -> None:
    raw = {**generate_interaction(1, seed=3), "customer": customer}
    index_interactions(DEMO_TENANT_ID, pairs([raw]))
    row = IndexedInteraction.objects.get(interaction_id=str(raw["interactionId"]).lower())
    assert row.customer_tail == tail
    # A rewrite (another number) updates it too.
    index_interactions(DEMO_TENANT_ID, pairs([{**raw, "customer": "+44 20 7946 0018"}]))
    row.refresh_from_db()
    assert row.customer_tail == "9460018"


def test_every_demo_interaction_is_indexed_with_its_child_rows() -> None:
    raws = bodies()
    result = index_interactions(DEMO_TENANT_ID, pairs(raws))
    assert result.stored == len(raws)
    assert result.skipped == 0
    assert result.rejected == ()
    assert IndexedInteraction.objects.filter(tenant_id=DEMO_TENANT_ID).count() == len(raws)
    parsed = [parse_interaction(raw) for raw in raws]
    assert QueueVisit.objects.count() == sum(len(p.queues) for p in parsed)
    assert AgentLeg.objects.count() == sum(len(p.agents) for p in parsed)
    assert Hook.objects.count() == sum(len(p.hooks) for p in parsed)


def test_summary_fields_come_from_the_parsed_interaction() -> None:
    raw = generate_interaction(3, seed=7)
    item = parse_interaction(raw)
    index_interactions(DEMO_TENANT_ID, pairs([raw]))
    row = IndexedInteraction.objects.get(interaction_id=str(raw["interactionId"]).lower())
    assert row.start == item.start
    assert row.end == item.end
    assert row.customer == raw["customer"]
    assert row.customer_key == customer_key(raw["customer"])
    assert row.total_seconds == item.interaction_time
    assert row.transfers == sum(1 for s in item.segments if s.transfer)
    assert row.flow_name == item.flow_name
    assert row.agent_names.split(", ")[0] in {a.agent_name for a in item.agents}
    legs = list(row.agent_legs.order_by("pk"))
    assert len(legs) == len(item.agents)
    direct = {q.queue_id for q in item.queues if q.direct}
    assert direct  # the generator sends direct transfers too
    for leg, a in zip(legs, item.agents, strict=True):
        if leg.started_at and leg.ended_at:
            assert leg.seconds_computed == (leg.ended_at - leg.started_at).total_seconds()
        # Looked up from the queue visits by ID; a direct transfer's line is no queue.
        assert bool(leg.queue_name) == (a.queue_id not in direct), (leg, a.queue_id)


def test_unknown_values_stay_unknown() -> None:
    raw = copy.deepcopy(generate_interaction(1, seed=3))
    for key in ("interactionTime", "ivrTime", "customerHoldTime", "csat"):
        raw.pop(key, None)
    raw["details"].pop("csat", None)
    raw["queues"][0]["queueAbandoned"] = "perhaps"  # unreadable
    raw["queues"][0].pop("queueTime", None)
    del raw["agents"][0]["endTimestamp"]
    for segment in raw["segments"]:
        segment.pop("transfer", None)
    index_interactions(DEMO_TENANT_ID, pairs([raw]))
    row = IndexedInteraction.objects.get()
    assert row.total_seconds is None
    assert row.ivr_seconds is None
    assert row.hold_seconds is None
    assert row.csat is None
    assert row.transfers is None
    assert row.abandoned is None
    visit = row.queue_visits.get()
    assert visit.abandoned is None
    assert visit.wait_seconds is None
    leg = row.agent_legs.get()
    assert leg.ended_at is None
    assert leg.seconds_computed is None


def test_abandoned_when_any_queue_visit_was_abandoned() -> None:
    raw = copy.deepcopy(generate_interaction(2, seed=5))
    raw["queues"][-1]["queueAbandoned"] = True
    index_interactions(DEMO_TENANT_ID, pairs([raw]))
    assert IndexedInteraction.objects.get().abandoned is True


def test_a_repeat_writes_nothing_and_a_change_rewrites_only_that_row() -> None:
    raws = [generate_interaction(2, seed=i) for i in range(5)]
    index_interactions(DEMO_TENANT_ID, pairs(raws))
    stamps = dict(IndexedInteraction.objects.values_list("interaction_id", "indexed_at"))
    again = index_interactions(DEMO_TENANT_ID, pairs(raws))
    assert (again.stored, again.skipped) == (0, 5)
    assert dict(IndexedInteraction.objects.values_list("interaction_id", "indexed_at")) == stamps

    changed = copy.deepcopy(raws[0])
    changed["dispositionName"] = "Changed later"
    changed["queues"] = changed["queues"][:1]
    result = index_interactions(DEMO_TENANT_ID, pairs([changed, *raws[1:]]))
    assert (result.stored, result.skipped) == (1, 4)
    row = IndexedInteraction.objects.get(interaction_id=str(changed["interactionId"]).lower())
    assert row.disposition == "Changed later"
    assert row.queue_visits.count() == 1  # child rows replaced, not added to
    assert row.indexed_at > stamps[row.interaction_id]
    assert IndexedInteraction.objects.count() == 5


def test_rows_without_an_id_or_naming_another_tenant_are_rejected() -> None:
    good = generate_interaction(1, seed=1)
    no_id = copy.deepcopy(generate_interaction(1, seed=2))
    del no_id["interactionId"], no_id["details"]["interactionId"]
    foreign = {**generate_interaction(1, seed=3), "tenantId": OTHER_TENANT}
    result = index_interactions(DEMO_TENANT_ID, pairs([good, no_id, foreign]))
    assert result.stored == 1
    assert len(result.rejected) == 2
    assert str(foreign["interactionId"]) in result.rejected
    assert list(IndexedInteraction.objects.values_list("interaction_id", flat=True)) == [
        str(good["interactionId"]).lower()
    ]


def test_overlong_and_nul_text_fits_its_column() -> None:
    raw = {**generate_interaction(1, seed=9), "flowName": "x" * 900 + "\x00", "customer": "y" * 600}
    index_interactions(DEMO_TENANT_ID, pairs([raw]))
    row = IndexedInteraction.objects.get()
    assert len(row.flow_name) == 255
    assert "\x00" not in row.flow_name
    assert len(row.customer) == 255


def test_the_same_interaction_is_kept_apart_per_tenant() -> None:
    raw = {**generate_interaction(1, seed=4)}
    raw.pop("tenantId", None)
    index_interactions(DEMO_TENANT_ID, pairs([raw]))
    index_interactions(OTHER_TENANT, pairs([raw]))
    assert IndexedInteraction.objects.count() == 2


def test_source_hash_is_that_of_the_compact_json_and_takes_whatever_json_loads_reads() -> None:
    raw = generate_interaction(3, seed=11, flagged=True)
    compact = json.dumps(raw, separators=(",", ":"), ensure_ascii=False).encode()
    # The same bytes as before orjson: hashes stored by earlier versions still match.
    assert source_hash(raw) == hashlib.blake2b(compact, digest_size=20).hexdigest()
    odd = json.loads('{"id": "\\ud800", "n": 123456789012345678901234567890, "x": 1e400}')
    assert source_hash(odd) == source_hash(copy.deepcopy(odd))
    assert source_hash(odd) != source_hash({**odd, "n": 1})
    assert source_hash(odd) != source_hash({**odd, "id": chr(0xD801)})


def test_names_are_stored_without_the_spaces_around_them() -> None:
    raw = copy.deepcopy(generate_interaction(1, seed=3))
    raw["flowName"] = " Main Inbound IVR  "
    raw["dispositionName"] = "Resolved "
    for visit in raw["queues"]:
        visit["queueName"] = "Support "
    for leg in raw["agents"]:
        leg["agentName"] = " José Núñez "
    index_interactions(DEMO_TENANT_ID, pairs([raw]))
    row = IndexedInteraction.objects.get()
    assert (row.flow_name, row.disposition, row.agent_names) == (
        "Main Inbound IVR",
        "Resolved",
        "José Núñez",
    )
    assert {v.queue_name for v in row.queue_visits.all()} == {"Support"}
    assert {(a.agent_name, a.queue_name) for a in row.agent_legs.all()} == {
        ("José Núñez", "Support")
    }


def test_the_migration_trims_names_indexed_before() -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("dashboard.index.migrations.0009_trim_names")
    index_interactions(DEMO_TENANT_ID, pairs([generate_interaction(1, seed=3)]))
    row = IndexedInteraction.objects.get()
    IndexedInteraction.objects.update(flow_name=" Main ", disposition="Done ")
    QueueVisit.objects.update(queue_name="Support ")
    AgentLeg.objects.update(agent_name=" Ann", queue_name="Support ")
    migration.trim(apps, None)
    row.refresh_from_db()
    assert (row.flow_name, row.disposition) == ("Main", "Done")
    assert set(QueueVisit.objects.values_list("queue_name", flat=True)) == {"Support"}
    assert set(AgentLeg.objects.values_list("agent_name", "queue_name")) == {("Ann", "Support")}


def _novel(name: str) -> dict[str, Any]:
    from tests.novel import novel_body

    return novel_body(name)


def _legs() -> list[tuple[str, float | None, bool]]:
    return [
        (leg.agent_name, leg.seconds_computed, leg.offered_only)
        for leg in AgentLeg.objects.order_by("started_at", "pk")
    ]


def test_an_offer_never_accepted_is_a_leg_without_time_and_no_handling() -> None:
    """Noah Fischer let the offer time out while the customer kept waiting; Amara Osei
    took the call: the page says "none: never accepted" for Noah."""
    index_interactions(DEMO_TENANT_ID, pairs([_novel("offer-timed-out-second-agent-answers")]))
    assert _legs() == [("Noah Fischer", None, True), ("Amara Osei", 480.1, False)]
    assert IndexedInteraction.objects.get().agent_names == "Amara Osei"


def test_a_withdrawn_offer_is_no_second_time_with_the_agent() -> None:
    index_interactions(
        DEMO_TENANT_ID, pairs([_novel("offer-withdrawn-then-answered-string-stats")])
    )
    assert _legs() == [("Tomasz Nowak", None, True), ("Tomasz Nowak", 331.0, False)]
    assert IndexedInteraction.objects.get().agent_names == "Tomasz Nowak"


def test_an_allocation_sent_twice_is_one_leg() -> None:
    index_interactions(DEMO_TENANT_ID, pairs([_novel("flagged-agent-end-before-start")]))
    assert _legs() == [("Hugo Lefebvre", None, False), ("Zoe Tanaka", 548.5, False)]


def test_a_call_nobody_answered_is_no_time_with_the_customer() -> None:
    index_interactions(DEMO_TENANT_ID, pairs([_novel("outbound-no-answer")]))
    assert _legs() == [("Marie-Ève Cormier", None, False)]
    assert IndexedInteraction.objects.get().agent_names == "Marie-Ève Cormier"


def test_an_allocation_within_another_of_the_same_agent_is_counted_once() -> None:
    index_interactions(
        DEMO_TENANT_ID, pairs([_novel("work-item-unknown-flag-segments-out-of-order")])
    )
    felix = [seconds for name, seconds, _ in _legs() if name == "Felix Brandt"]
    assert sorted(felix, key=lambda s: s is None) == [6050.0, None]
