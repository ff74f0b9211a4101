"""The index and the interaction's page tell one story.

Every payload we have (the novel ones and the demo's) is indexed as the sync indexes
it, then what the index holds, and what the search's row, the journey's step, the
flagged list's row and the typical panel show, are compared with what the page's
story says: customer, channel, direction, start and end, the total (unknown stays
unknown), queues and their waits, agents and their time with the customer (an offer
never accepted is no time with the customer, and no handling), the flag, the
disposition and the CRM links.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dashboard.demo.api import catalogue
from dashboard.index import flagged, journey, search, typical
from dashboard.index.indexer import index_interactions, source_hash
from dashboard.index.models import AgentLeg, IndexedInteraction, QueueVisit, SyncState
from dashboard.interactions import listing
from dashboard.interactions.formatting import clock
from dashboard.interactions.parsing import parse_interaction
from dashboard.interactions.story import Figure, Leg, Story, story_for
from tests.conftest import allow_contact_details

pytestmark = pytest.mark.django_db

NOVEL = Path(__file__).resolve().parents[1] / "fixtures" / "novel"
#: The story's "now" (as the story tests have it); the typical panel's week ends here.
NOW = datetime(2026, 11, 28, tzinfo=UTC)


def _payloads() -> list[Any]:
    found = [
        pytest.param(json.loads(p.read_text(encoding="utf-8")), id=f"novel/{p.stem}")
        for p in sorted(NOVEL.glob("*.json"))
    ]
    found += [pytest.param(e["body"], id=f"demo/{e['file']}") for e in catalogue()]
    return found


@pytest.fixture
def viewer(django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user("agreeing-viewer", password="pw-for-tests-1")
    return allow_contact_details(user)


def _figure(story: Story, label: str) -> Figure | None:
    return next((f for f in story.figures if f.label == label), None)


def _had(story: Story) -> list[Leg]:
    """The legs in which the agent had the customer (not an offer never accepted)."""
    return [leg for leg in story.legs if not leg.offered_only]


def _counted(story: Story) -> list[Leg]:
    """The legs whose time the page counts as time with the customer."""
    return [
        leg
        for leg in _had(story)
        if not leg.inside and not leg.with_text and leg.seconds is not None
    ]


def _names(legs: list[Leg]) -> list[str]:
    return list(dict.fromkeys(leg.agent.strip() for leg in legs if leg.agent.strip()))


def _page_waits(story: Story) -> str:
    """Every queue wait the page's figures give, as "<queue> <m:ss>" lines: the customer's
    waits, the time a queue took to answer an agent adding a participant, the wait for a
    callback."""
    lines: list[str] = []
    for f in story.figures:
        note = f.note.replace("\u2068", "").replace("\u2069", "")
        if f.label.startswith(("Queue wait", "Per visit")):
            lines += [p.removesuffix(" ≈") for p in note.split(". ")[0].rstrip(".").split("; ")]
        elif f.label.startswith("Adding"):
            lines += [
                part.split(" to answer ")[0].replace(" took ", " ") for part in note.split("; ")
            ]
        elif f.label == "Waiting for the callback":
            queue = note.removeprefix("Time in ").split(" between ")[0]
            lines.append(f"{queue} {f.text}")
    return "\n".join(lines) + "\n"


def _peers(row: IndexedInteraction) -> None:
    """Twenty other interactions this week in the same flow, queues and agents' queues:
    enough for the typical panel to show every figure it has."""
    queues = set(
        QueueVisit.objects.filter(interaction=row, direct=False).values_list(
            "queue_name", flat=True
        )
    )
    leg_queues = set(AgentLeg.objects.filter(interaction=row).values_list("queue_name", flat=True))
    for n in range(20):
        start = NOW - timedelta(hours=n + 1)
        peer = IndexedInteraction.objects.create(
            tenant_id=row.tenant_id,
            interaction_id=f"peer-{n}",
            start=start,
            flow_name=row.flow_name,
            total_seconds=60.0 + n,
            source_hash="peer",
        )
        QueueVisit.objects.bulk_create(
            QueueVisit(
                interaction=peer, tenant_id=row.tenant_id, queue_name=q, entered_at=start,
                wait_seconds=10.0 + n,
            )
            for q in queues - {""}
        )  # fmt: skip
        AgentLeg.objects.bulk_create(
            AgentLeg(
                interaction=peer, tenant_id=row.tenant_id, agent_name="Peer", queue_name=q,
                started_at=start, seconds_computed=100.0 + n,
            )
            for q in leg_queues - {""}
        )  # fmt: skip


@pytest.mark.parametrize("raw", _payloads())
def test_the_index_and_the_page_agree(raw: dict[str, Any], viewer: Any) -> None:
    item = parse_interaction(raw)
    tenant = str(raw["tenantId"]).lower()
    iid = str(raw["interactionId"]).lower()
    result = index_interactions(tenant, [(item, source_hash(raw))])
    assert result.stored == 1
    story = story_for(item, NOW)
    row = IndexedInteraction.objects.get(tenant_id=tenant, interaction_id=iid)

    # -- the summary row: who, how, when, the flag, the disposition, the CRM links
    assert row.customer == (item.customer or "")
    assert row.channel == (item.channel_type or "")
    assert row.direction == (item.direction or "")
    assert (row.start, row.end) == (item.start, item.end)
    assert row.flagged == item.flagged
    assert row.flag_type.strip() == ((item.flag.flag_type or "").strip() if item.flagged else "")
    disposition = _figure(story, "Disposition")
    assert row.disposition == (disposition.text.strip() if disposition else "")
    assert sorted(row.hooks.values_list("hook_type", "hook_id")) == sorted(
        ((h.hook_type or "").strip().lower(), h.hook_id or "") for h in item.hooks
    )

    # -- agents: who had the customer, and for how long, leg by leg
    legs = list(row.agent_legs.order_by("started_at", "pk"))
    assert len(legs) == len(story.legs)  # an allocation sent twice is one leg on both
    offered = {leg.agent.strip() for leg in story.legs if leg.offered_only}
    assert {leg.agent_name for leg in legs if leg.offered_only} == offered
    counted = sorted((leg.agent.strip(), round(leg.seconds or 0)) for leg in _counted(story))
    timed = sorted(
        (leg.agent_name, round(leg.seconds_computed))
        for leg in legs
        if leg.seconds_computed is not None
    )
    assert timed == counted

    # -- the search's row
    query = replace(search.SearchQuery(), start=None, end=None)
    found = {r.interaction_id: r for r in search.search(tenant, query, viewer=viewer).rows}
    result_row = found[iid]
    had = _names(_had(story))
    assert list(result_row.agents) == had
    assert list(result_row.offered) == [n for n in _names(story.legs) if n not in had]
    for name in offered:  # a search for an agent only offered it still finds it, and says so
        by_agent = replace(query, agent=name)
        assert iid in {
            r.interaction_id for r in search.search(tenant, by_agent, viewer=viewer).rows
        }
    assert list(result_row.queues) == list(
        dict.fromkeys(
            (q.queue_name or "").strip()
            for q in item.queues
            if not q.direct and (q.queue_name or "").strip()
        )
    )
    total = _figure(story, "Total time")
    assert total is not None
    if story.live_since is not None or total.unknown:
        assert result_row.duration == "—"
    else:
        assert result_row.duration == total.text + (" ≈" if total.computed else "")

    # -- the journey's step
    trail = journey.for_interaction(tenant, iid, viewer=viewer, now=NOW)
    assert trail.steps or not (item.customer or item.contact_id), trail.reason
    for step in (s for s in trail.steps if s.is_current):
        assert list(step.agents) == had
        assert (step.flagged, step.flag_type) == (row.flagged, row.flag_type.strip())
        if not had and not row.abandoned and not row.disposition and row.end is not None:
            assert step.outcome == "ended without an agent"

    # -- the flagged list's row
    if item.flagged and item.start is not None:
        synced = max(NOW, item.start + timedelta(hours=2))
        SyncState.objects.create(
            tenant_id=tenant,
            synced_until=synced,
            backfilled_to=item.start - timedelta(days=1),
        )
        window = listing.Range(
            start=item.start - timedelta(hours=1),
            end=item.start + timedelta(hours=1),
            preset="custom",
        )
        listed = flagged.every_row(tenant, window, listing.Refinement(), now=synced)
        assert listed is not None
        summary = next(r for r in listed[1] if r.interaction_id == iid)
        assert list(summary.agent_names) == had
        assert list(summary.queue_names) == list(result_row.queues)
        if summary.duration is None:
            assert total.unknown or story.live_since is not None
        else:
            assert clock(summary.duration) == total.text

    # -- the typical panel: each figure is the page's
    _peers(row)
    panel = typical.panel_of(row, now=NOW)
    waits = _page_waits(story)
    for c in panel.comparisons:
        assert c.count == 20  # the others, never this one
        if c.what == typical.TOTAL:
            assert total.source == "interactionTime"
            assert clock(c.seconds) == total.text
        elif c.what.startswith("with "):
            assert (c.what.removeprefix("with "), round(c.seconds)) in counted
        else:
            line = f"{c.what.removeprefix('in ')} {clock(c.seconds)}\n"
            assert line in waits or f"\n{line}" in waits, (c.text, waits)
    compared = sorted(
        (c.what.removeprefix("with "), round(c.seconds))
        for c in panel.comparisons
        if c.what.startswith("with ")
    )
    assert compared == sorted(
        (leg.agent_name, round(leg.seconds_computed))
        for leg in legs
        if leg.seconds_computed is not None and leg.queue_name
    )
