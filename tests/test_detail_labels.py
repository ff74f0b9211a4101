"""The bar detail panel's "All fields": every label says what its value is, no two read
the same, and the API's own name of each field is said on hover."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from dashboard.demo import api
from dashboard.interactions.parsing import parse_interaction
from dashboard.interactions.presenters import Detail, detail
from dashboard.interactions.templatetags.dashboard_tags import facts_list
from dashboard.interactions.timeline import timeline_for
from tests.test_timeline import agent, payload, queue, seg

NOW = datetime(2031, 1, 1, tzinfo=UTC)
TRANSFER_CHAIN = "064b25de-d866-11f1-89a5-b6abb79db4df"
SECOND_SEGMENT = "segment-9bfb9ea2-d866-11f1-b853-bc2c93afd954"
DT = re.compile(r"<dt([^>]*)>(.*?)</dt>", re.S)
TAG = re.compile(r"<[^>]+>")


def reads_as(label: str) -> str:
    """A label as a reader takes it in: no case, no punctuation, nothing in brackets
    (so "Agent ID" and "Agent ID (agentId)" read the same)."""
    plain = re.sub(r"\([^)]*\)", " ", label.casefold())
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())


def panels() -> list[tuple[str, str, Detail]]:
    """Every bar's panel of every demo interaction: (file, bar id, panel)."""
    out = []
    for entry in api.catalogue():
        interaction = parse_interaction(entry["body"])
        timeline = timeline_for(interaction, NOW, None)
        for bar in timeline.bars:
            panel = detail(timeline, bar.id, UTC, interaction.channel_type)
            assert panel is not None
            out.append((entry["file"], bar.id, panel))
    return out


def test_no_two_facts_of_any_demo_bar_read_the_same() -> None:
    seen_kinds = set()
    for name, bar_id, panel in panels():
        seen_kinds.add(bar_id.split("-")[0])
        labels = [fact.label for fact in panel.facts]
        read = [reads_as(label) for label in labels]
        doubles = sorted(
            {label for label, r in zip(labels, read, strict=True) if read.count(r) > 1}
        )
        assert not doubles, f"{name} {bar_id}: {doubles}"
    # Every kind of bar the brief names was looked at.
    assert {"segment", "queue", "agent", "hold", "ivr", "monitor"} <= seen_kinds


def facts_of(data: dict[str, Any], bar_id: str) -> dict[str, tuple[str, str]]:
    """The panel's facts of ``bar_id``: label -> (value, the API field on hover)."""
    timeline = timeline_for(parse_interaction(data), NOW, None)
    panel = detail(timeline, bar_id, UTC, "voice")
    assert panel is not None
    return {f.label: (f.cell.text, f.name) for f in panel.facts}


def test_a_segment_says_whose_each_agent_id_is_and_the_field_it_came_from() -> None:
    data = payload(
        segments=[
            seg(
                "s1",
                1,
                0,
                100,
                segmentAgentId="from-agent",
                agentId="own-agent",
                segmentToAgentId="to-agent",
                interactionAgentId="alloc-1",
            )
        ]
    )
    facts = facts_of(data, "segment-s1")
    assert facts["Agent who started the segment (ID)"] == ("from-agent", "segmentAgentId")
    assert facts["Agent on the segment (ID)"] == ("own-agent", "agentId")
    assert facts["Agent the segment went to (ID)"] == ("to-agent", "segmentToAgentId")
    assert facts["Agent allocation of the segment (ID)"] == ("alloc-1", "interactionAgentId")
    assert "Agent ID" not in facts and "Agent ID (agentId)" not in facts


def test_an_allocation_names_each_of_its_agents_ids() -> None:
    data = payload(
        agents=[
            agent(
                "a1",
                "s1",
                "Ann Lee",
                10,
                90,
                agentId="user-1",
                platformAgentId="platform-1",
                tenantAgentId="tenant-1",
                queueId="q-1",
            )
        ]
    )
    facts = facts_of(data, "agent-a1")
    assert facts["Agent's name"] == ("Ann Lee", "agentName")
    assert facts["Agent's ID"] == ("user-1", "agentId")
    assert facts["Agent's platform ID"] == ("platform-1", "platformAgentId")
    assert facts["Agent's tenant ID"] == ("tenant-1", "tenantAgentId")
    assert facts["Allocation ID"] == ("a1", "interactionAgentId")
    assert facts["Queue it came from (ID)"] == ("q-1", "queueId")


def test_a_queue_visit_says_its_agent_id_is_who_answered() -> None:
    data = payload(queues=[queue("q1", "s1", "Billing", 0, 20, agentId="answerer")])
    facts = facts_of(data, "queue-q1")
    assert facts["Agent who answered (ID)"] == ("answerer", "agentId")
    assert facts["Queue visit ID"] == ("q1", "interactionQueueId")


def test_a_field_beyond_the_reference_that_reads_as_a_known_one_is_named_as_sent() -> None:
    """A segment sent with "segmentID" beside "interactionSegmentId": both say "Segment
    ID" in words, so the second row is labelled by its name as sent."""
    data = payload(segments=[seg("s1", 1, 0, 100, segmentID="other-id")])
    timeline = timeline_for(parse_interaction(data), NOW, None)
    panel = detail(timeline, "segment-s1", UTC)
    assert panel is not None
    labels = [f.label for f in panel.facts]
    assert labels.count("Segment ID") == 1
    sent = next(f for f in panel.facts if f.cell.text == "other-id")
    assert sent.label == "segmentID" and sent.as_sent
    read = [reads_as(label) for label in labels]
    assert len(read) == len(set(read))


def test_the_hold_bars_own_length_and_the_timelines_are_told_apart() -> None:
    entry = next(e for e in api.catalogue() if e["file"] == "answered-call-with-holds.json")
    interaction = parse_interaction(entry["body"])
    timeline = timeline_for(interaction, NOW, None)
    panel = detail(timeline, "hold-1", UTC)
    assert panel is not None
    labels = [f.label for f in panel.facts]
    assert "Hold length, as sent" in labels and "Length on the timeline" in labels
    assert "Length" not in labels


@pytest.mark.django_db
def test_the_panel_on_the_page_says_each_field_as_sent_on_hover(signed_in: Any) -> None:
    page = f"/tenants/{api.DEMO_TENANT_ID}/interactions/{TRANSFER_CHAIN}/?focus={SECOND_SEGMENT}"
    body = signed_in.get(page).content.decode()
    panel = body[body.index('id="detail-panel"') :]
    panel = panel[: panel.index("</section>")]
    terms = [(attrs, html.unescape(TAG.sub("", label))) for attrs, label in DT.findall(panel)]
    labels = [label for _, label in terms]
    assert "Agent who started the segment (ID)" in labels
    assert "Agent the segment went to (ID)" in labels
    read = [reads_as(label) for label in labels]
    assert len(read) == len(set(read)), labels
    hover = {label: attrs for attrs, label in terms}
    assert (
        'title="Sent by the API as segmentAgentId"' in hover["Agent who started the segment (ID)"]
    )
    assert 'title="Sent by the API as segmentToAgentId"' in hover["Agent the segment went to (ID)"]


def test_the_api_name_on_hover_is_escaped() -> None:
    data = payload(segments=[seg("s1", 1, 0, 100, **{'<b x="1">': "odd"})])
    timeline = timeline_for(parse_interaction(data), NOW, None)
    panel = detail(timeline, "segment-s1", UTC)
    assert panel is not None
    shown = str(facts_list(panel.facts))
    assert '<b x="1">' not in shown
    assert "&lt;b x=&quot;1&quot;&gt;" in shown
