"""The story of payloads unlike the demo data: callbacks, overflows back to the same
agent, duplicated and impossible allocations, unanswered outbound calls, agents who
stay on together, outside parties, and add-participant queue visits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dashboard.interactions.domain import GENERIC_FLAG_REASON, LIVE_REASON, flag_reason
from dashboard.interactions.parsing import parse_interaction
from dashboard.interactions.story import BACKWARDS_NOTE, Story, story_for
from dashboard.interactions.timeline import Timeline, timeline_for
from tests.novel import novel_body
from tests.story.test_story import figure, told
from tests.test_timeline import BASE, NOW, agent, get, laid, payload, queue, seg

NOVEL = Path(__file__).resolve().parents[1] / "fixtures" / "novel"


def novel(name: str) -> Story:
    return story_for(parse_interaction(json.loads((NOVEL / name).read_text())), NOW)


def rows(story: Story) -> list[tuple[str, str, str, str]]:
    return [(leg.agent, leg.took_from, leg.gave_to, leg.ended) for leg in story.legs]


def split(story: Story) -> dict[str, str]:
    return {p.key: p.text for p in story.split}


def told_timeline(data: dict[str, Any]) -> Timeline:
    return timeline_for(parse_interaction(data), NOW)


def no_figure(story: Story, label: str) -> None:
    assert not [f for f in story.figures if f.label.startswith(label)], label


NOVEL_OUTCOMES = {
    "callback-voicemail.json": (
        "Callback requested after 3:08 in General Support; called back by Li Wei 21:58 later"
        " (25:30 after the start)"
    ),
    "unknown-codes-same-agent-twice.json": (
        "Answered by Aiyana Whitehorse after 0:28 in General Support; sent to Tier 2"
        " Escalations, which overflowed to General Support after 2:00; answered again by"
        " Aiyana Whitehorse after 0:25"
    ),
    "flagged-agent-end-before-start.json": (
        "Answered by Hugo Lefebvre after 0:57 in Billing; transferred to Zoe Tanaka in Retentions"
    ),
    "outbound-no-answer.json": "Placed by Marie-Ève Cormier; not answered, ended after 0:39",
    "chat-two-agents.json": (
        "Answered by Nadia Boucher after 1:33 in Chat Support; Thomas Leblanc added;"
        " both stayed to the end"
    ),
    "conference-hangup-on-hold.json": (
        "Answered by Daniel Okafor after 1:11 in Technical Support; an outside number joined"
        " for 5:11; the customer hung up while on hold"
    ),
    "warm-transfer-add-participant.json": (
        "Answered by Sofia Martins after 0:47 in Billing; Omar Haddad added and took over"
        " from Sofia Martins"
    ),
    "email-next-day.json": "Answered by Élodie Gauthier after 13 h 33 min 32 s in Email Support",
    "blind-transfer-outside-number.json": (
        "Answered by Rahul Mehta after 1:14 in Sales; transferred to an outside number"
        " (+14165550187), which had the customer for 11:45"
    ),
    "overflow-chain-abandoned.json": (
        "Abandoned in queue After Hours Team after 0:47 (first General Support, which timed out"
        " to Overflow West after 2:00, which timed out to After Hours Team after 1:30)"
    ),
    "bare-minimum-nulls.json": (
        "Ended after 0:41; the API sent no segments, queue visits or agents to say what happened"
    ),
    "whatsapp-three-days-offsets.json": (
        "Answered by Ananya Iyer after 1 h 12 min 26 s in Care Messaging; transferred to queue"
        " Care Messaging, where Vikram Rao picked it up 16 h 2 min 43 s later"
    ),
    "offer-withdrawn-then-answered-string-stats.json": (
        "Answered by Tomasz Nowak after 1:10 in Billing"
    ),
    "long-ivr-callback-exit-before-entry.json": (
        "Callback requested after 2:10 in Claims; called back by Grace Mensah (50:23 after the"
        " start)"
    ),
    "sla-overflow-answered-hung-up-on-open-hold.json": (
        "Answered by Kenji Sato after 1:28 in Mortgage Overflow (first Mortgages, which timed out"
        " to Mortgage Overflow after 5:00); the customer hung up while on hold"
    ),
    "transfer-back-to-first-agent-holds.json": (
        "Answered by Priya Raman after 0:39 in Home Insurance; transferred to Ben Carter in"
        " Claims Specialists; transferred to Priya Raman"
    ),
    "sms-overlapping-agents-force-deallocated.json": (
        "Answered by Chloé Dubois after 1:32 in Text Support; then answered by Marcus Webb after"
        " 0:48 in Text Support (reroute)"
    ),
    "work-item-unknown-flag-segments-out-of-order.json": (
        "Answered by Nora Lindgren after 30:06 in Claims Intake; adding a participant was"
        " cancelled; transferred to queue Claims Back Office, where Felix Brandt picked it up"
        " 23 h 12 min 25 s later; transferred to Inès Moreau"
    ),
    "callback-not-answered-epoch-offsets-contradicting-stats.json": (
        "Callback requested after 2:40 in Tech Support; called back by Lukas Weber 28:02 later"
        " (31:00 after the start); not answered"
    ),
    "conference-three-agents-first-leaves-rtl-emoji.json": (
        "Answered by Sara Lindqvist after 1:05 in Enterprise Support; Mateo García 🛰️ added;"
        " \u2068יעל כהן\u2069 added; Sara Lindqvist left; Mateo García 🛰️ and \u2068יעל כהן\u2069"
        " stayed to the end"
    ),
    "ivr-twice-timeout-back-to-menu.json": (
        "Answered by Yusuf Demir after 0:51 in Card Services Priority (first Card Services,"
        " which timed out after 3:00; back in the IVR for 1:25, then Card Services Priority)"
    ),
    "outbound-answered-hold-transfer-abandoned.json": (
        "Placed by Jonas Berg; transferred to queue Payment Plans; abandoned there after 2:32"
    ),
    "offer-timed-out-second-agent-answers.json": "Answered by Amara Osei after 1:48 in Billing",
    "chat-transferred-left-in-second-queue-odd-timestamps.json": (
        "Answered by Léa Martin after 0:40 in Chat Support; transferred to queue Chat Billing;"
        " abandoned there after 3:05"
    ),
    "email-closed-in-queue-no-agent-naive-timestamps.json": (
        "Left queue Billing Email unanswered after 2 h 5 min 8 s (interaction ended)"
    ),
    "live-call-on-hold-now-queue-without-name.json": (
        "Answered by Ivan Petrov after 1:00 in queue 9a8b7c6d; still going, on hold now"
        " (2:00 so far)"
    ),
    "conference-four-agents-names-missing-end-after-interaction.json": (
        "Answered by Hannah Schulz after 0:50 in Enterprise Support; Kwame Asante added;"
        " agent cfaf0010 added; Diego Alvarez added; Kwame Asante added again; Hannah Schulz"
        " left; Diego Alvarez left; agent cfaf0010 and Kwame Asante stayed to the end"
    ),
    "long-call-36-holds-12-cancelled-consults.json": (
        "Answered by Beatriz Costa after 1:15 in Device Support; adding a participant was"
        " cancelled 12 times"
    ),
    "transfer-timeout-to-flow-voicemail.json": (
        "Answered by Ruth Adeyemi after 0:44 in Pharmacy Refills; transferred to queue"
        " Pharmacist Consult; left unanswered there after 3:00 (timed out); back in the IVR"
        " for 1:42 until the end"
    ),
    "statistics-sent-records-empty.json": (
        "Ended after 8:06; the API sent no segments, queue visits or agents to say what happened"
    ),
    "transfer-failed-agent-answers-again-second-queue.json": (
        "Answered by Marta Kowalski after 0:40 in Travel Bookings; transferred to queue Visa"
        " Desk; left unanswered there after 1:30 (failure); back to Marta Kowalski;"
        " transferred to Kofi Boateng in Insurance Desk"
    ),
    "chat-bot-then-agent-messages-before-start.json": (
        "Answered by Farah Khan after 0:45 in Chat Returns"
    ),
    "sms-four-days-three-agents-pick-it-up-again.json": (
        "Answered by Amelia Clarke after 3:06 in Text Care; transferred to queue Text Care, where"
        " Jamal Reed picked it up 2 d 0 h 36 min 30 s later; transferred to queue Text Care,"
        " where Sofia Rossi picked it up 2 d 4 h 48 min 20 s later"
    ),
    "chat-abandoned-in-queue-survey-leap-second.json": "Abandoned in queue Chat Sales after 3:07",
    "email-thread-week-three-agents-reply-artifacts.json": (
        "Answered by Olga Petrenko after 2 h 9 min 59 s in Warranty Email; transferred to queue"
        " Warranty Email, where Samuel Achebe picked it up 2 d 3 h 5 min later; transferred to"
        " Mei Lin in Parts Escalations"
    ),
    "broadcast-offered-to-300-agents-one-accepts.json": (
        "Answered by Rosa Gallo after 0:10 in Major Incident Line"
    ),
    "voice-supervisor-monitors-then-barges-in.json": (
        "Answered by Carlos Mendes after 1:20 in Fraud Claims; Ingrid Halvorsen joined and took"
        " over from Carlos Mendes"
    ),
    "voice-coached-by-a-supervisor-who-never-joins.json": (
        "Answered by Tomás Reyes after 0:45 in Collections"
    ),
    "transfer-between-two-agents-named-alex-kim.json": (
        "Answered by Alex Kim (agent 2f0a11b2) after 0:35 in Sales; transferred to Alex Kim"
        " (agent 9c4e7d10) in Billing"
    ),
    "live-chat-waiting-30-hours-in-queue.json": (
        "Still waiting in Chat Support — 1 d 5 h 59 min 56 s so far"
    ),
    "outbound-campaign-answering-machine.json": "Placed by Dana Whitfield",
    "ivr-pin-direct-to-agent-no-queue.json": (
        "Answered by Owen Gallagher straight from the IVR (no queue), 1:14 after the start"
    ),
    "flagged-mid-call-flag-type-mixed-case-spaces.json": (
        "Answered by Laura Becker after 1:06 in Auto Claims"
    ),
    "dispositions-list-wrap-up-statistics.json": "Answered by Ravi Shankar after 1:24 in Orders",
}


@pytest.mark.parametrize("name", sorted(NOVEL_OUTCOMES))
def test_novel_outcomes(name: str) -> None:
    story = novel(name)
    assert story.outcome == NOVEL_OUTCOMES[name]
    assert "None" not in story.outcome
    for f in story.figures:
        assert f.text and "None" not in f.text and not f.text.startswith("-"), f
        assert not (f.computed and f.unknown), f
    for leg in story.legs:
        assert leg.seconds is None or leg.seconds >= 0


def test_every_novel_payload_has_a_story() -> None:
    assert {p.name for p in NOVEL.glob("*.json")} == set(NOVEL_OUTCOMES)


# -- 1. callback --------------------------------------------------------------------------


def test_callback_is_not_an_answer_and_its_wait_is_its_own() -> None:
    story = novel("callback-voicemail.json")
    assert story.kind == "answered"
    assert "Answered" not in story.outcome
    # The customer waited 3:08 on the line; the 21:58 until the callback is said apart.
    wait = figure(story, "Queue wait")
    assert (wait.label, wait.text, wait.source) == (
        "Queue wait (1 of 2 visits)",
        "3:08",
        "queueTime",
    )
    assert "Not counted, of the 2 queue visits: 1 was a callback (below)." in wait.note
    callback = figure(story, "Waiting for the callback")
    assert (callback.text, callback.computed) == ("21:58", False)
    assert split(story)["queue"] == "3:08"
    assert split(story)["callback"] == "21:58"
    assert rows(story) == [
        (
            "Li Wei",
            "queue General Support, as a callback (requested after 3:08 in General Support)",
            "",
            "Ended the interaction",
        )
    ]


# -- 2. overflow back to the same agent ---------------------------------------------------


def test_an_overflow_back_to_the_same_agent_is_not_a_transfer_to_her() -> None:
    story = novel("unknown-codes-same-agent-twice.json")
    assert "transferred to Aiyana" not in story.outcome
    first, second = story.legs
    assert (first.gave_to, first.ended) == (
        "queue Tier 2 Escalations",
        "Transferred to queue Tier 2 Escalations",
    )
    assert second.took_from == "queue General Support, overflow (from Tier 2 Escalations)"
    assert second.queue == "General Support"
    for leg in story.legs:
        assert "Aiyana" not in leg.took_from + leg.gave_to + leg.ended
    # The customer really waited in all three visits: the figure and the bar agree.
    assert figure(story, "Queue wait").text == "2:52"
    assert split(story)["queue"] == "2:52"
    assert [(t.agent, t.legs, t.text) for t in story.totals] == [
        ("Aiyana Whitehorse", 2, "9:35 in all")
    ]


# -- 3. duplicated and impossible allocation ----------------------------------------------


def test_a_duplicate_allocation_is_one_leg_and_an_impossible_one_is_unknown() -> None:
    story = novel("flagged-agent-end-before-start.json")
    assert "transferred to Hugo" not in story.outcome
    assert rows(story) == [
        (
            "Hugo Lefebvre",
            "queue Billing, from the IVR",
            "Zoe Tanaka",
            "Ends before it starts (bad data)",
        ),
        ("Zoe Tanaka", "Hugo Lefebvre", "", "Ended the interaction"),
    ]
    hugo = story.legs[0]
    assert (hugo.seconds, hugo.with_text) == (None, "unknown")
    assert story.totals == ()
    per_agent = figure(story, "Time with each agent")
    assert per_agent.text == "Hugo Lefebvre unknown · Zoe Tanaka 9:08"
    assert per_agent.unknown
    # Retentions' exit never arrived: its wait is counted up to when Zoe got the call.
    assert figure(story, "Queue wait").text == "about 1:28"
    assert any("sent twice" in note and "ignored" in note for note in story.notes)
    assert any("ends (09:12:41 UTC) before it starts" in note for note in story.notes)


# -- 4. outbound, never answered ----------------------------------------------------------


def test_an_unanswered_outbound_call_has_no_time_with_an_agent() -> None:
    story = novel("outbound-no-answer.json")
    assert story.kind == "unanswered"
    assert figure(story, "Conversation").text == "0:00"  # as the API sent it
    no_figure(story, "With Marie")
    calling = figure(story, "Calling, not answered")
    assert (calling.text, calling.computed) == ("0:39", True)
    assert "agent" not in split(story)
    assert split(story) == {"ringing": "0:39"}
    (leg,) = story.legs
    assert (leg.took_from, leg.gave_to, leg.ended) == ("", "", "Not answered")
    assert leg.with_text == "none: not answered"


# -- 5. two agents to the end -------------------------------------------------------------


def test_agents_who_stay_on_together_were_joined_not_replaced() -> None:
    story = novel("chat-two-agents.json")
    assert rows(story) == [
        (
            "Nadia Boucher",
            "queue Chat Support, from the flow",  # a chat runs a flow, not an IVR
            "Thomas Leblanc (added)",
            "Stayed to the end with Thomas Leblanc",
        ),
        ("Thomas Leblanc", "Nadia Boucher", "", "Stayed to the end with Nadia Boucher"),
    ]
    assert "Handed over" not in " ".join(leg.ended for leg in story.legs)


# -- 6. outside party, customer hangs up on hold ------------------------------------------


def test_an_outside_number_that_joined_is_named_and_not_cancelled() -> None:
    story = novel("conference-hangup-on-hold.json")
    assert "cancelled" not in story.outcome
    assert "an outside number joined for 5:11" in story.outcome
    assert rows(story) == [
        (
            "Daniel Okafor",
            "queue Technical Support, from the IVR",
            "an outside number (+18005550134) (added)",  # the number dialled, as sent
            "Customer hung up while on hold",
        )
    ]


# -- 7. one queue wait everywhere ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "wait", "consult"),
    [
        ("warm-transfer-add-participant.json", "0:47", "Tier 2 Escalations 0:41"),
        ("chat-two-agents.json", "1:33", "Chat Escalations 0:56"),
    ],
)
def test_the_queue_wait_is_the_customers_and_the_bar_says_the_same(
    name: str, wait: str, consult: str
) -> None:
    story = novel(name)
    # Beside the queue-visit table's two rows: one of them is the customer's wait.
    assert figure(story, "Queue wait").label == "Queue wait (1 of 2 visits)"
    assert "1 answered an agent's request to add a participant." in figure(story, "Queue wait").note
    assert figure(story, "Queue wait").text == wait
    assert split(story)["queue"] == wait
    adding = figure(story, "Adding a participant")
    assert adding.text == consult
    assert "the customer was with" in adding.note


def test_the_warm_transfer_hands_over_after_talking_together() -> None:
    story = novel("warm-transfer-add-participant.json")
    assert rows(story) == [
        (
            "Sofia Martins",
            "queue Billing, from the IVR",
            "Omar Haddad (added)",
            "Handed over to Omar Haddad",
        ),
        ("Omar Haddad", "Sofia Martins", "", "Ended the interaction"),
    ]


# -- the same rules on small shapes -------------------------------------------------------


def _two(**extra: Any) -> dict[str, Any]:
    """Alice answers in Support at 20 and is allocated until 100 (by default)."""
    defaults: dict[str, Any] = {
        "queues": [queue("q1", "s1", "Support", 5, 20, agentId="aid-alice")],
        "agents": [agent("a1", "s1", "Alice Okafor", 20, 100)],
    }
    return payload(end=100, **{**defaults, **extra})


def test_shape_duplicate_ids_are_one_allocation() -> None:
    data = _two()
    data["agents"] = data["agents"] * 2
    story = told(data)
    assert len(story.legs) == 1
    assert story.totals == ()
    assert story.outcome == "Answered by Alice Okafor after 0:15 in Support"
    assert len(story.notes) == 1 and "a1" in story.notes[0]
    # Different records with no ID are not merged.
    data = _two()
    bare = {k: v for k, v in data["agents"][0].items() if k != "interactionAgentId"}
    data["agents"] = [bare, dict(bare)]
    assert len(told(data).legs) == 2


def test_shape_self_hand_off_through_an_overflow() -> None:
    data = payload(
        end=300,
        segments=[
            seg("s1", 0, 0, 100, segmentEndType="blind-transfer-complete"),
            seg(
                "s2",
                1,
                100,
                300,
                segmentStartType="overflow",
                segmentAgentId="aid-alice",
                segmentToAgentId="aid-alice",
            ),
        ],
        queues=[
            queue("q1", "s1", "Support", 5, 20, agentId="aid-alice"),
            queue(
                "q2", "s2", "Tier 2", 100, 160, queueEntryType="transfer", queueExitType="overflow"
            ),
            queue("q3", "s2", "Support", 160, 200, queueEntryType="overflow", agentId="aid-alice"),
        ],
        agents=[
            agent("a1", "s1", "Alice Okafor", 20, 100),
            agent("a2", "s2", "Alice Okafor", 200, 300, queueId="qid-support"),
        ],
    )
    story = told(data)
    assert story.outcome == (
        "Answered by Alice Okafor after 0:15 in Support; sent to Tier 2, which overflowed to"
        " Support after 1:00; answered again by Alice Okafor after 0:40"
    )
    assert rows(story) == [
        (
            "Alice Okafor",
            "queue Support, from the IVR",
            "queue Tier 2",
            "Transferred to queue Tier 2",
        ),
        ("Alice Okafor", "queue Support, overflow (from Tier 2)", "", "Ended the interaction"),
    ]
    assert figure(story, "Queue wait").text == split(story)["queue"] == "1:55"


def test_shape_concurrent_legs_stay_to_the_end_and_earlier_ones_hand_over() -> None:
    add = seg(
        "s2",
        1,
        40,
        100,
        segmentStartType="addParticant",
        segmentAgentId="aid-alice",
        segmentToAgentId="aid-bob",
        addParticipant=True,
    )
    bob_queue = queue(
        "q2", "s2", "Tier 2", 40, 50, queueEntryType="add-participant", agentId="aid-bob"
    )
    together = told(
        _two(
            segments=[seg("s1", 0, 0, 100), add],
            queues=[queue("q1", "s1", "Support", 5, 20, agentId="aid-alice"), bob_queue],
            agents=[
                agent("a1", "s1", "Alice Okafor", 20, 100),
                agent("a2", "s2", "Bob Lindqvist", 50, 100),
            ],
        )
    )
    assert [leg.ended for leg in together.legs] == [
        "Stayed to the end with Bob Lindqvist",
        "Stayed to the end with Alice Okafor",
    ]
    assert together.outcome.endswith("Bob Lindqvist added; both stayed to the end")
    handed = told(
        _two(
            segments=[seg("s1", 0, 0, 70, segmentEndType="success"), add],
            queues=[queue("q1", "s1", "Support", 5, 20, agentId="aid-alice"), bob_queue],
            agents=[
                agent("a1", "s1", "Alice Okafor", 20, 70),
                agent("a2", "s2", "Bob Lindqvist", 50, 100),
            ],
        )
    )
    assert [leg.ended for leg in handed.legs] == [
        "Handed over to Bob Lindqvist",
        "Ended the interaction",
    ]
    assert handed.outcome.endswith("Bob Lindqvist added and took over from Alice Okafor")


def test_shape_add_participant_visit_is_not_the_customers_wait() -> None:
    # Alice is with the customer from 20 to 100; Tier 2 takes 10 s (40-50) to answer
    # her request, then, in a second request, 30 s (70-100) of which 10 s after she left.
    data = _two(
        segments=[seg("s1", 0, 0, 110)],
        queues=[
            queue("q1", "s1", "Support", 5, 20, agentId="aid-alice"),
            queue("q2", "s2", "Tier 2", 40, 50, queueEntryType="add-participant", queueTime=10),
            queue("q3", "s3", "Tier 2", 80, 110, queueEntryType="add-participant", queueTime=30),
        ],
        agents=[agent("a1", "s1", "Alice Okafor", 20, 100)],
    )
    data["endTimestamp"] = payload(end=110)["endTimestamp"]
    story = told(data)
    wait = figure(story, "Queue wait")
    # 0:15 in Support plus the 10 s of the second visit after Alice left.
    assert (wait.label, wait.text, wait.computed) == ("Queue wait (2 of 3 visits)", "0:25", True)
    assert split(story)["queue"] == "0:25"
    assert figure(story, "Adding a participant").text == "Tier 2 0:10"


def test_shape_unanswered_outbound() -> None:
    data = payload(
        end=40,
        direction="outbound",
        segments=[seg("s1", 0, 0, 40, segmentAgentId="aid-alice")],
        agents=[agent("a1", "s1", "Alice Okafor", 0, 40)],
        customerConversationTime=0,
    )
    story = told(data)
    assert story.outcome == "Placed by Alice Okafor; not answered, ended after 0:40"
    assert [(leg.gave_to, leg.ended) for leg in story.legs] == [("", "Not answered")]
    assert split(story) == {"ringing": "0:40"}
    # With a conversation, it was answered: placed, and the segment hands nothing over.
    answered = told({**data, "customerConversationTime": 30})
    assert answered.outcome == "Placed by Alice Okafor"
    assert answered.kind == "outbound"
    assert [(leg.gave_to, leg.ended) for leg in answered.legs] == [("", "Ended the interaction")]
    assert split(answered) == {"agent": "0:40"}


def test_shape_callback_requested_and_never_made() -> None:
    asked = queue("q1", "s1", "Support", 5, 65, queueExitType="callback")
    waiting = queue(
        "q2", "s1", "Support", 65, 600, queueEntryType="callback", queueExitType="success"
    )
    story = told(
        payload(
            end=700,
            queues=[asked, {**waiting, "agentId": "aid-alice"}],
            agents=[agent("a1", "s1", "Alice Okafor", 600, 700, queueId="qid-support")],
        )
    )
    assert story.outcome == (
        "Callback requested after 1:00 in Support; called back by Alice Okafor 8:55 later"
        " (10:00 after the start)"
    )
    assert figure(story, "Queue wait").text == "1:00"
    assert figure(story, "Waiting for the callback").computed
    never = told(payload(end=600, queues=[asked, {**waiting, "queueExitType": "interaction-end"}]))
    assert never.outcome == "Callback requested after 1:00 in Support; never called back"


def test_shape_negative_allocation_is_unknown_never_negative() -> None:
    story = told(_two(agents=[agent("a1", "s1", "Alice Okafor", 50, 20)]))
    (leg,) = story.legs
    assert leg.seconds is None
    assert leg.ended == "Ends before it starts (bad data)"
    alice = figure(story, "With Alice Okafor")
    assert alice.unknown and alice.text == "unknown"
    assert "agent" not in split(story)
    assert any("before it starts" in note for note in story.notes)


def test_shape_customer_disconnect_is_not_a_cancelled_add() -> None:
    outside = seg(
        "s2",
        1,
        40,
        100,
        segmentStartType="addParticant",
        segmentAgentId="aid-alice",
        segmentEndType="customer-disconnect",
        segmentCancelled=True,
        segmentThirdParty=True,
        segmentExtensionType="pstn",
    )
    story = told(_two(segments=[seg("s1", 0, 0, 100), outside]))
    assert (
        story.outcome == "Answered by Alice Okafor after 0:15 in Support; an outside number joined"
    )
    assert story.legs[0].gave_to == "an outside number (added)"
    cancelled = told(
        _two(
            segments=[
                seg("s1", 0, 0, 100),
                {**outside, "segmentEndType": "cancelled", "segmentThirdParty": False},
            ]
        )
    )
    assert cancelled.outcome.endswith("adding an outside number was cancelled")
    assert cancelled.legs[0].gave_to == "an outside number (cancelled)"


def test_a_live_callback_wait_is_still_waiting() -> None:
    story = told(
        payload(
            end=None,
            dataComplete=False,
            segments=[seg("s1", 0, 0, None)],
            queues=[
                queue("q1", "s1", "Support", 5, 65, queueExitType="callback"),
                queue("q2", "s1", "Support", 65, None, queueEntryType="callback"),
            ],
        ),
        now=BASE + timedelta(seconds=125),
    )
    assert story.outcome == "Still waiting in Support — 1:00 so far"
    assert split(story)["callback"] == "1:00"


# -- a queue visit with no exit that an agent took ----------------------------------------


def _taken(**extra: Any) -> dict[str, Any]:
    """Support's exit never arrives; Alice takes the call from Support at 20."""
    open_visit = queue("q1", "s1", "Support", 5, None)
    open_visit.pop("queueExitType")
    defaults: dict[str, Any] = {
        "queues": [open_visit],
        "agents": [agent("a1", "s1", "Alice Okafor", 20, 100, queueId="qid-support")],
    }
    return _two(**{**defaults, **extra})


def test_an_open_visit_an_agent_took_is_drawn_open_to_where_she_took_it() -> None:
    t = laid(_taken())
    bar = get(t, "queue-q1")
    assert bar.open_end and bar.taken and bar.marked
    assert (bar.offset, bar.length) == (5.0, 15.0)  # not to the interaction's end (100)
    assert bar.text.startswith("0:15+")  # "+": its real exit is unknown
    assert "no exit" in bar.text
    name = bar.accessible_name
    assert "no end time" in name
    assert "taken by Alice Okafor at 0:20" in name
    assert "never reached reporting" in bar.reason and "at 0:20" in bar.reason
    # The figure and the split bar count the wait up to where she took it, worked out.
    story = told(_taken(ivrTime=5))
    wait = figure(story, "Queue wait")
    assert (wait.text, wait.unknown, wait.computed) == ("about 0:15", False, True)
    assert "counted up to when Alice Okafor got the call" in wait.note
    assert split(story) == {"ivr": "0:05", "queue": "0:15", "agent": "1:20"}


def test_an_open_visit_nobody_took_is_still_drawn_to_the_end() -> None:
    # Alice's offer was withdrawn, and Bob was allocated from another queue: no evidence.
    data = _taken(
        agents=[
            agent(
                "a1", "s1", "Alice Okafor", 20, 30, queueId="qid-support", agentWorkCancelTime=10
            ),
            agent("a2", "s1", "Bob Lindqvist", 40, 100, queueId="qid-billing"),
        ]
    )
    bar = get(laid(data), "queue-q1")
    assert bar.open_end and not bar.taken
    assert bar.offset + bar.length == 100
    assert "taken by" not in bar.accessible_name


def test_an_agent_who_took_a_later_visit_to_the_same_queue_did_not_end_this_one() -> None:
    first = queue("q1", "s1", "Support", 5, None)
    data = _two(
        queues=[first, queue("q2", "s1", "Support", 50, 60)],
        agents=[agent("a1", "s1", "Alice Okafor", 60, 100, queueId="qid-support")],
    )
    bar = get(laid(data), "queue-q1")
    assert not bar.taken and bar.offset + bar.length == 100


def test_the_visit_names_who_took_it_when_the_allocation_names_no_queue() -> None:
    open_visit = {**queue("q1", "s1", "Support", 5, None), "agentId": "aid-alice"}
    bar = get(laid(_two(queues=[open_visit])), "queue-q1")
    assert bar.taken and (bar.offset, bar.length) == (5.0, 15.0)


def test_a_live_visit_an_agent_took_is_not_still_waiting() -> None:
    now = BASE + timedelta(seconds=60)
    data = _taken(dataComplete=False, segments=[seg("s1", 0, 0, None)])
    data["agents"][0].pop("endTimestamp")
    data.pop("endTimestamp")
    story = told(data, now=now)
    assert not story.outcome.startswith("Still waiting")
    assert story.outcome.endswith("still going")
    bar = get(laid(data, now), "queue-q1")
    assert bar.reason == LIVE_REASON and (bar.offset, bar.length) == (5.0, 15.0)


def test_the_flagged_retentions_visit_stops_where_zoe_took_the_call() -> None:
    i = parse_interaction(json.loads((NOVEL / "flagged-agent-end-before-start.json").read_text()))
    t = timeline_for(i, NOW)
    (bar,) = [b for b in t.bars if b.kind == "queue" and b.label == "Retentions"]
    zoe = next(b for b in t.bars if b.kind == "agent" and b.label == "Zoe Tanaka")
    assert bar.open_end and bar.taken
    assert bar.offset + bar.length == pytest.approx(zoe.offset)
    assert "taken by Zoe Tanaka at 7:12" in bar.accessible_name
    assert figure(novel("flagged-agent-end-before-start.json"), "Queue wait").computed


# -- an outbound call nobody answered, on the timeline ------------------------------------


def test_an_unanswered_outbound_agent_bar_is_ringing_not_talking() -> None:
    i = parse_interaction(json.loads((NOVEL / "outbound-no-answer.json").read_text()))
    t = timeline_for(i, NOW)
    (bar,) = [b for b in t.bars if b.kind == "agent"]
    assert bar.states == ("not answered",)
    assert "ringing" in bar.accessible_name and "not answered" in bar.accessible_name
    assert "not answered" in bar.text
    assert t.ringing
    # Answered, the same call is talk time: no such state, no legend entry.
    answered = told_timeline({**novel_body("outbound-no-answer"), "customerConversationTime": 30})
    assert not answered.ringing
    assert all(b.states == () for b in answered.bars if b.kind == "agent")


# -- 8. a blind transfer out to an outside number -----------------------------------------


def test_a_transfer_out_leaves_the_customer_with_the_outside_number() -> None:
    story = novel("blind-transfer-outside-number.json")
    assert "joined" not in story.outcome
    assert rows(story) == [
        (
            "Rahul Mehta",
            "queue Sales, from the IVR",
            "an outside number (+14165550187)",
            "Transferred to an outside number",  # not "Ended the interaction": he left at 7:11
        )
    ]
    # The last 11:45 were with the outside number, known from the transfer's segment.
    assert split(story) == {"ivr": "0:31", "queue": "1:14", "agent": "5:25", "outside": "11:45"}
    assert figure(story, "Transfers").text == "1"


def test_shape_a_transfer_out_with_the_agent_as_the_last_allocation() -> None:
    out = seg(
        "s2",
        1,
        60,
        100,
        segmentStartType="transfer",
        segmentAgentId="aid-alice",
        segmentThirdParty=True,
        segmentExtensionType="pstn",
        transfer=True,
    )
    story = told(
        _two(
            segments=[seg("s1", 0, 0, 60, segmentEndType="success"), out],
            agents=[agent("a1", "s1", "Alice Okafor", 20, 60)],
        )
    )
    assert story.outcome == (
        "Answered by Alice Okafor after 0:15 in Support; transferred to an outside number"
    )
    assert rows(story)[0][2:] == ("an outside number", "Transferred to an outside number")
    assert split(story)["outside"] == "0:40"


# -- 9. an overflow chain nobody answered -------------------------------------------------


def test_an_abandon_after_an_overflow_chain_names_the_whole_way() -> None:
    story = novel("overflow-chain-abandoned.json")
    assert story.kind == "abandoned-queue"
    wait = figure(story, "Queue wait")
    assert (wait.label, wait.text) == ("Queue wait (3 visits)", "4:17")
    assert split(story) == {"ivr": "0:12", "queue": "4:17"}
    assert story.legs == ()


# -- 10. nothing but the minimum, nulls everywhere ----------------------------------------


def test_the_bare_minimum_invents_no_ivr_no_transfers_no_channel() -> None:
    story = novel("bare-minimum-nulls.json")
    assert story.kind == "unknown"
    assert "IVR" not in story.outcome and "flow" not in story.outcome
    total = figure(story, "Total time")
    assert (total.text, total.computed) == ("0:41", True)
    for label in ("Transfers", "Channel", "Holds"):
        f = figure(story, label)
        assert (f.text, f.unknown) == ("not sent", True), label
    no_figure(story, "IVR")
    no_figure(story, "Queue wait")
    assert story.legs == () and story.split == ()  # no record says where the time went
    i = parse_interaction(novel_body("bare-minimum-nulls"))
    assert timeline_for(i, NOW).lanes == ()


# -- 11. three days on WhatsApp, times with offsets ---------------------------------------


def test_whatsapp_over_three_days_reads_offsets_and_runs_a_flow_not_an_ivr() -> None:
    i = parse_interaction(novel_body("whatsapp-three-days-offsets"))
    assert i.start == datetime(2026, 11, 20, 16, 17, 12, tzinfo=UTC)  # 21:47:12+05:30
    assert i.end == datetime(2026, 11, 23, 16, 40, 5, 400000, tzinfo=UTC)
    assert "ivr" not in [lane.key for lane in timeline_for(i, NOW).lanes]
    story = novel("whatsapp-three-days-offsets.json")
    assert figure(story, "Total time").text == "3 d 0 h 22 min 53 s"
    assert figure(story, "Flow").text == "0:02"
    assert figure(story, "Channel").text == "whatsapp · Inbound"  # an unknown code as sent
    # Ananya's end was sent without milliseconds, half a second before the transfer began.
    assert rows(story) == [
        (
            "Ananya Iyer",
            "queue Care Messaging, from the flow",
            "queue Care Messaging",
            "Transferred to queue Care Messaging",
        ),
        ("Vikram Rao", "Ananya Iyer", "", "Ended the interaction"),
    ]
    # A second between one record and the next is no unknown time.
    assert set(split(story)) == {"ivr", "queue", "agent"}
    assert story.split[0].label == "Flow"


# -- 12. an offer withdrawn, then answered; statistics as strings -------------------------


def test_a_withdrawn_offer_is_no_time_with_the_customer_and_no_second_time() -> None:
    story = novel("offer-withdrawn-then-answered-string-stats.json")
    assert rows(story) == [
        (
            "Tomasz Nowak",
            "queue Billing, from the IVR",
            "",
            "Offered, never accepted (withdrawn after 0:14)",
        ),
        ("Tomasz Nowak", "queue Billing, from the IVR", "", "Ended the interaction"),
    ]
    offer, answered = story.legs
    assert (offer.offered_only, offer.with_text) == (True, "none: never accepted")
    assert answered.with_text == ""
    assert story.totals == ()  # he had the customer once
    assert figure(story, "With Tomasz Nowak").text == "5:31"
    # Numbers sent as strings are the API's figures, as sent.
    for label, text, source in (
        ("Total time", "7:03", "interactionTime"),
        ("IVR", "0:22", "ivrTime"),
        ("Queue wait", "1:10", "queueTime"),
        ("Conversation", "5:31", "customerConversationTime"),
        ("Holds", "1, 0:34 in all", "customerHolds"),
    ):
        f = figure(story, label)
        assert (f.text, f.source, f.computed) == (text, source, False), label
    assert figure(story, "CSAT").text == "4"
    t = timeline_for(
        parse_interaction(novel_body("offer-withdrawn-then-answered-string-stats")), NOW
    )
    first = next(b for b in t.bars if b.kind == "agent")
    assert first.states == ("work offer cancelled",)
    assert "withdrawn" in first.text  # as much of "offer withdrawn · 0:14" as fits


def test_shape_offers_alone_never_make_an_agent_who_had_it_twice() -> None:
    data = _two(
        agents=[
            agent("a0", "s1", "Alice Okafor", 10, 18, agentWorkCancelTime=8),
            agent("a1", "s1", "Alice Okafor", 20, 100),
        ]
    )
    story = told(data)
    assert story.totals == ()
    twice = told(
        _two(
            agents=[
                agent("a0", "s1", "Alice Okafor", 10, 18, agentWorkCancelTime=8),
                agent("a1", "s1", "Alice Okafor", 20, 50),
                agent("a2", "s1", "Alice Okafor", 60, 100),
            ]
        )
    )
    assert [(t.agent, t.legs, t.text) for t in twice.totals] == [("Alice Okafor", 2, "1:10 in all")]


# -- 13. a long IVR, then a callback whose wait exits before it enters --------------------


def test_a_callback_wait_that_exits_before_it_enters_is_unknown_and_says_why() -> None:
    story = novel("long-ivr-callback-exit-before-entry.json")
    assert figure(story, "IVR").text == "14:32"
    assert figure(story, "Queue wait").text == "2:10"
    callback = figure(story, "Waiting for the callback")
    assert (callback.text, callback.unknown) == ("unknown", True)
    assert "before its entry" in callback.note and "never reached" not in callback.note
    assert "later" not in story.outcome  # the 33:41 until Grace called is not a known wait
    assert split(story)["unknown"] == "33:41"
    t = timeline_for(parse_interaction(novel_body("long-ivr-callback-exit-before-entry")), NOW)
    (bar,) = [b for b in t.bars if b.kind == "queue" and b.backwards]
    assert bar.marked and bar.length == 0
    assert bar.duration_text == "unknown (it ends before it starts)"


def test_shape_a_visit_that_exits_before_it_enters_says_so_in_the_wait() -> None:
    story = told(_two(queues=[queue("q1", "s1", "Support", 20, 5, agentId="aid-alice")]))
    wait = figure(story, "Queue wait")
    assert (wait.text, wait.unknown) == ("unknown", True)
    assert "Support unknown (its exit is before its entry)" in wait.note
    assert BACKWARDS_NOTE in wait.note


# -- 14. past SLA in one queue, answered from the overflow, hung up on an open hold ------


def test_a_hold_with_no_end_is_unknown_in_the_leg_and_not_time_with_the_agent() -> None:
    story = novel("sla-overflow-answered-hung-up-on-open-hold.json")
    wait = figure(story, "Queue wait")
    assert (wait.label, wait.text, wait.source) == ("Queue wait (2 visits)", "6:28", "queueTime")
    assert figure(story, "Holds").text == "2, at least 0:45; 1 with no end"
    (leg,) = story.legs
    assert (leg.hold_count, leg.hold_seconds) == (2, None)  # never "2 · 0:45"
    assert leg.ended == "Customer hung up while on hold"
    # The 1:12 after the second hold began may have been on hold: not "with an agent".
    assert split(story) == {
        "ivr": "0:41",
        "queue": "6:28",
        "agent": "7:46",
        "hold": "0:45",
        "unknown": "1:12",
    }


# -- 15. transferred on and back to the first agent, a hold at each -----------------------


def test_a_transfer_back_to_the_first_agent_is_her_second_leg_with_her_own_hold() -> None:
    story = novel("transfer-back-to-first-agent-holds.json")
    assert rows(story) == [
        (
            "Priya Raman",
            "queue Home Insurance, from the IVR",
            "Ben Carter",
            "Handed over to Ben Carter",
        ),
        ("Ben Carter", "Priya Raman", "Priya Raman", "Handed over to Priya Raman"),
        ("Priya Raman", "Ben Carter", "", "Ended the interaction"),
    ]
    assert [(leg.hold_count, leg.hold_seconds) for leg in story.legs] == [
        (1, 45.0),
        (1, 90.0),
        (1, 30.0),
    ]
    assert story.legs[2].queue == "direct transfer (no queue)"
    assert [(t.agent, t.legs, t.text) for t in story.totals] == [("Priya Raman", 2, "9:17 in all")]
    assert figure(story, "Time with each agent").text == "Priya Raman 9:17 · Ben Carter 6:58"
    assert figure(story, "Holds").text == "3, 2:45 in all"
    assert split(story) == {"ivr": "0:24", "queue": "1:46", "agent": "13:29", "hold": "2:45"}


def test_an_allocation_reached_by_a_direct_transfer_is_not_from_a_queue_named_after_her() -> None:
    t = timeline_for(parse_interaction(novel_body("transfer-back-to-first-agent-holds")), NOW)
    second = [b for b in t.bars if b.kind == "agent" and b.label == "Priya Raman"][1]
    assert "from Priya Raman" not in second.accessible_name
    assert "from a direct transfer" in second.accessible_name


# -- 16. SMS: a second agent while the first is still allocated, no transfer sent ----------


def test_a_second_agent_with_no_transfer_sent_is_not_said_to_be_a_transfer() -> None:
    story = novel("sms-overlapping-agents-force-deallocated.json")
    assert "transferred" not in story.outcome
    assert figure(story, "Transfers").text == "0"
    assert rows(story) == [
        ("Chloé Dubois", "queue Text Support, from the flow", "", "Left the interaction"),
        ("Marcus Webb", "queue Text Support, reroute", "", "Ended the interaction"),
    ]
    # Each allocation counted once; they overlap, so together more than the conversation.
    assert figure(story, "Time with each agent").text == "Chloé Dubois 23:35 · Marcus Webb 20:01"
    assert split(story) == {"ivr": "0:03", "queue": "2:19", "agent": "37:39"}


def test_shape_a_later_allocation_from_a_queue_entered_by_a_transfer_is_still_a_transfer() -> None:
    data = _two(
        queues=[
            queue("q1", "s1", "Support", 5, 20, agentId="aid-alice"),
            queue("q2", "s1", "Tier 2", 60, 70, queueEntryType="transfer", agentId="aid-bob"),
        ],
        agents=[
            agent("a1", "s1", "Alice Okafor", 20, 60),
            agent("a2", "s1", "Bob Lindqvist", 70, 100),
        ],
    )
    assert told(data).outcome.endswith("; transferred to Bob Lindqvist in Tier 2")


# -- 17. a work item over a day: segments out of order, a number used twice, an ----------
#        allocation inside another of the same agent with no segment, an unknown flag


def test_an_allocation_inside_another_of_the_same_agent_is_counted_once() -> None:
    story = novel("work-item-unknown-flag-segments-out-of-order.json")
    assert "transferred to Felix Brandt; transferred to Felix Brandt" not in story.outcome
    assert rows(story) == [
        (
            "Nora Lindgren",
            "queue Claims Intake, from the flow",
            "Felix Brandt",
            "Handed over to Felix Brandt",
        ),
        ("Felix Brandt", "Nora Lindgren", "Inès Moreau", "Handed over to Inès Moreau"),
        ("Felix Brandt", "", "", "Within another allocation of theirs (counted once)"),
        ("Inès Moreau", "Felix Brandt", "", "Ended the interaction"),
    ]
    # 5:30 inside his 1 h 40 min 50 s: not 1 h 46 min 20 s, and not "2 times".
    assert figure(story, "Time with each agent").text == (
        "Nora Lindgren 26:37 · Felix Brandt 1 h 40 min 50 s · Inès Moreau 50:12"
    )
    assert story.totals == ()
    assert any("lies within" in note and "counted once" in note for note in story.notes)
    total = figure(story, "Total time")
    assert (total.text, total.computed) == ("1 d 2 h 40 min 12 s", True)
    wait = figure(story, "Queue wait")
    assert (wait.text, wait.computed) == ("23 h 42 min 31 s", True)
    assert figure(story, "Transfers").text == "2"


def test_shape_a_nested_allocation_with_no_segment_hands_nothing_on() -> None:
    data = _two(
        agents=[
            agent("a1", "s1", "Alice Okafor", 20, 100),
            agent("a2", "s-missing", "Alice Okafor", 40, 50),
        ]
    )
    story = told(data)
    assert story.outcome == "Answered by Alice Okafor after 0:15 in Support"
    assert figure(story, "With Alice Okafor").text == "1:20"
    assert story.totals == ()


def test_shape_the_longer_of_two_allocations_starting_together_holds_the_shorter() -> None:
    data = _two(
        agents=[
            agent("a2", "s-missing", "Alice Okafor", 20, 50),
            agent("a1", "s1", "Alice Okafor", 20, 100),
        ]
    )
    story = told(data)
    assert figure(story, "With Alice Okafor").text == "1:20"
    assert [(leg.anchor, leg.inside) for leg in story.legs] == [
        ("participant-a2", True),
        ("participant-a1", False),
    ]


def test_agents_and_queues_sent_out_of_order_are_drawn_in_the_order_they_had_it() -> None:
    t = timeline_for(
        parse_interaction(novel_body("work-item-unknown-flag-segments-out-of-order")), NOW
    )
    agents = next(lane for lane in t.lanes if lane.key == "agents")
    assert [row.label for row in agents.rows] == [
        "Nora Lindgren",
        "Felix Brandt",
        "Felix Brandt",
        "Inès Moreau",
    ]


def test_shape_queue_rows_follow_the_visits_times_not_the_order_sent() -> None:
    data = _two(
        queues=[
            queue("q2", "s1", "Tier 2", 30, 40),
            queue("q1", "s1", "Support", 5, 20, agentId="aid-alice"),
        ]
    )
    lanes = laid(data).lanes
    queues = next(lane for lane in lanes if lane.key == "queues")
    assert [row.label for row in queues.rows] == ["Support", "Tier 2"]


def test_per_visit_waits_all_computed_are_marked_once_by_the_figure() -> None:
    story = novel("work-item-unknown-flag-segments-out-of-order.json")
    per_visit = figure(story, "Per visit")
    assert per_visit.computed
    assert per_visit.text == "Claims Intake 30:06 · Claims Back Office 23 h 12 min 25 s"
    # One sent, one worked out: the worked-out one keeps its own mark.
    data = _two(
        queues=[
            queue("q1", "s1", "Support", 5, 20, agentId="aid-alice", queueTime=15),
            queue("q2", "s1", "Tier 2", 30, 40),
        ]
    )
    assert figure(told(data), "Per visit").text == "Support 0:15 · Tier 2 0:10 ≈"


def test_live_agents_time_so_far_is_a_figure_not_just_so_far() -> None:
    data = novel_body("sms-overlapping-agents-force-deallocated")
    data["dataComplete"] = False
    for key in ("endTimestamp", "interactionTime", "customerConversationTime"):
        data.pop(key)
    data["details"].pop("endTimestamp")
    for record in (data["segments"][0], *data["agents"]):
        record.pop("endTimestamp")
    i = parse_interaction(data)
    assert i.start is not None
    story = story_for(i, i.start + timedelta(seconds=1300))
    assert story.outcome.endswith("(reroute); still going")
    each = figure(story, "Time with each agent")
    assert each.text == "Chloé Dubois 20:05 so far · Marcus Webb 1:40 so far"
    assert (each.computed, each.unknown) == (True, False)  # live, not missing
    assert "never reached reporting" not in each.note


def test_a_cancelled_add_is_told_where_it_happened_not_after_later_transfers() -> None:
    story = novel("work-item-unknown-flag-segments-out-of-order.json")
    assert story.outcome.startswith(
        "Answered by Nora Lindgren after 30:06 in Claims Intake; adding a participant was"
        " cancelled; transferred to queue Claims Back Office"
    )


def test_an_outbound_call_sent_to_a_queue_is_placed_not_answered_and_the_queue_is_told() -> None:
    story = novel("outbound-answered-hold-transfer-abandoned.json")
    assert story.kind == "outbound"
    assert not story.outcome.startswith("Answered")
    assert story.outcome.endswith("; abandoned there after 2:32")
    # Jonas left with the transfer: the customer hung up later, in the queue.
    assert rows(story) == [
        ("Jonas Berg", "", "queue Payment Plans", "Transferred to queue Payment Plans")
    ]


def test_a_callback_the_customer_did_not_pick_up_is_not_answered() -> None:
    name = "callback-not-answered-epoch-offsets-contradicting-stats.json"
    story = novel(name)
    assert story.kind == "unanswered"
    assert figure(story, "Calling, not answered").text == "0:46"
    no_figure(story, "With Lukas Weber")
    assert rows(story)[0][3] == "Not answered"
    assert "agent" not in split(story) and "ringing" in split(story)


def test_statistics_that_contradict_the_records_say_both() -> None:
    story = novel("callback-not-answered-epoch-offsets-contradicting-stats.json")
    transfers = figure(story, "Transfers")
    assert transfers.text == "3 sent; the segments show 0"
    assert "customerTransfers is 3, but it sent 0 transfer segments" in transfers.note
    holds = figure(story, "Holds")
    assert holds.text == "2 sent (1:35 in all); the call was never answered"
    # Where they agree, the figure is as sent and says nothing more.
    assert figure(novel("transfer-back-to-first-agent-holds.json"), "Transfers").text == "2"


def test_an_agent_who_leaves_two_added_agents_hands_over_to_both() -> None:
    story = novel("conference-three-agents-first-leaves-rtl-emoji.json")
    assert "took over" not in story.outcome
    assert rows(story) == [
        (
            "Sara Lindqvist",
            "queue Enterprise Support, from the IVR",
            "Mateo García 🛰️ (added), \u2068יעל כהן\u2069 (added)",
            "Handed over to Mateo García 🛰️ and \u2068יעל כהן\u2069",
        ),
        ("Mateo García 🛰️", "Sara Lindqvist", "", "Stayed to the end with \u2068יעל כהן\u2069"),
        ("יעל כהן", "Sara Lindqvist", "", "Stayed to the end with Mateo García 🛰️"),
    ]
    # One added agent left alone with the customer still took over.
    assert novel("warm-transfer-add-participant.json").outcome.endswith(
        "Omar Haddad added and took over from Sofia Martins"
    )


def test_a_right_to_left_name_before_a_figure_is_isolated() -> None:
    """Unisolated, "יעל כהן 14:47" is drawn as "14:47 <name>": the figure on the wrong side."""
    story = novel("conference-three-agents-first-leaves-rtl-emoji.json")
    each = figure(story, "Time with each agent").text
    assert each == "Sara Lindqvist 10:34 · Mateo García 🛰️ 17:30 · \u2068יעל כהן\u2069 14:47"
    adding = figure(story, "Adding participants").text
    assert adding == "Network Ops 🌐 0:35 · \u2068מנהלי לקוחות\u2069 0:19"
    # Left-to-right names, emoji and all, are as sent.
    assert "\u2068" not in novel("chat-two-agents.json").outcome


def test_a_second_stint_in_the_ivr_is_ivr_time_not_unknown_or_an_overflow() -> None:
    story = novel("ivr-twice-timeout-back-to-menu.json")
    assert "timed out to Card Services Priority" not in story.outcome
    assert figure(story, "IVR").text == "2:10"  # as sent: 0:45 + 1:25
    parts = {p.key: p for p in story.split}
    assert "unknown" not in parts
    assert round(parts["ivr"].seconds) == 131  # the bar agrees with the figure
    # A documented overflow (entered by "timeout") still reads as one.
    assert (
        "which timed out to Overflow West after 2:00"
        in novel("overflow-chain-abandoned.json").outcome
    )


# -- an offer the agent let time out ------------------------------------------------------


def test_an_offer_that_timed_out_is_neither_an_answer_nor_time_with_the_customer() -> None:
    story = novel("offer-timed-out-second-agent-answers.json")
    assert "Noah" not in story.outcome and "then answered" not in story.outcome
    no_figure(story, "Time with each agent")
    assert figure(story, "With Amara Osei").text == "8:00"
    assert rows(story) == [
        (
            "Noah Fischer",
            "queue Billing, from the IVR",
            "",
            "Offered, never accepted (the offer ended after 0:30; the customer kept waiting)",
        ),
        ("Amara Osei", "queue Billing, from the IVR", "", "Ended the interaction"),
    ]
    noah = story.legs[0]
    assert noah.offered_only and noah.with_text == "none: never accepted"
    assert "agentWorkCancelTime" not in noah.with_note
    # The 0:30 the offer lasted was queue time: the customer was still waiting.
    assert split(story) == {"ivr": "0:22", "queue": "1:48", "agent": "8:00"}


def test_an_offer_ended_inside_its_visit_is_drawn_as_not_accepted() -> None:
    i = parse_interaction(novel_body("offer-timed-out-second-agent-answers"))
    t = timeline_for(i, NOW)
    noah = next(b for b in t.bars if b.kind == "agent" and b.label == "Noah Fischer")
    amara = next(b for b in t.bars if b.kind == "agent" and b.label == "Amara Osei")
    assert noah.states == ("offer not accepted",)
    assert "offer not accepted" in noah.accessible_name
    assert amara.states == ()


# -- live, on hold right now; a queue sent without its name -------------------------------


def test_a_live_call_on_hold_now_says_so_and_never_calls_the_sent_hold_time_all() -> None:
    story = novel("live-call-on-hold-now-queue-without-name.json")
    holds = figure(story, "Holds")
    assert holds.text == "2, on hold now (2:00 so far); hold time sent 1:12"
    assert holds.computed and not holds.unknown
    assert "in all" not in holds.text
    assert split(story)["hold"] == "3:12"  # the ended 1:12 and the 2:00 so far
    (leg,) = story.legs
    assert (leg.seconds, leg.so_far) == (None, 744.8)  # 12:25 so far, as the figure says
    assert figure(story, "With Ivan Petrov").text == "12:25 so far"


def test_a_hold_that_ended_in_a_live_call_is_not_on_hold_now() -> None:
    data = novel_body("live-call-on-hold-now-queue-without-name")
    data["customerHoldTimes"][1]["endTimestamp"] = data["customerHoldTimes"][1]["startTimestamp"]
    story = story_for(parse_interaction(data), NOW)
    assert story.outcome.endswith("; still going")
    assert figure(story, "Holds").text == "2, 1:12 in all"


def test_a_queue_sent_without_its_name_is_named_once() -> None:
    story = novel("live-call-on-hold-now-queue-without-name.json")
    assert story.legs[0].took_from == "queue 9a8b7c6d"
    unnamed = queue("q1", "s1", "Support", 5, 60, queueExitType="abandon", queueAbandoned=True)
    del unnamed["queueName"]
    abandoned = told(payload(end=60, queues=[unnamed]))
    assert abandoned.outcome == "Abandoned in queue qid-supp after 0:55"
    transferred = told(
        _two(
            segments=[
                seg("s1", 0, 0, 50, segmentEndType="success"),
                seg(
                    "s2",
                    1,
                    50,
                    100,
                    segmentStartType="transfer",
                    segmentEndType="customer-disconnect",
                    segmentAgentId="aid-alice",
                ),
            ],
            queues=[
                queue("q1", "s1", "Support", 5, 20, agentId="aid-alice"),
                {k: v for k, v in queue("q2", "s2", "Billing", 50, 100).items() if k != "queueName"}
                | {
                    "queueExitType": "abandon",
                    "queueAbandoned": True,
                    "queueEntryType": "transfer",
                },
            ],
            agents=[agent("a1", "s1", "Alice Okafor", 20, 50)],
        )
    )
    assert "queue queue" not in transferred.outcome
    assert "queue qid-bill" in transferred.outcome


# -- statistics sent, records empty ---------------------------------------------------------


def test_statistics_without_records_never_say_it_ended_in_the_ivr() -> None:
    story = novel("statistics-sent-records-empty.json")
    assert story.kind == "unknown"
    assert "IVR" not in story.outcome
    assert figure(story, "IVR").text == "0:22"  # as sent
    assert figure(story, "Conversation").text == "6:41"


def test_shape_an_ivr_time_as_long_as_the_interaction_still_ended_in_the_ivr() -> None:
    data = payload(0, 600, segments=[], ivrTime=600.0, interactionTime=600.0)
    assert told(data).outcome == "Ended in the IVR after 10:00"


# -- a transfer that timed out back to the flow, which took a voicemail ---------------------


def test_the_flow_after_a_last_visit_timed_out_is_ivr_time_not_unknown() -> None:
    story = novel("transfer-timeout-to-flow-voicemail.json")
    assert figure(story, "IVR").text == "2:00"  # as sent: 0:18 + 1:42
    assert split(story) == {"ivr": "2:00", "queue": "3:44", "agent": "5:28"}
    ivr = [
        b
        for b in timeline_for(
            parse_interaction(novel_body("transfer-timeout-to-flow-voicemail")), NOW
        ).bars
        if b.kind == "ivr"
    ]
    assert [round(b.length) for b in ivr] == [18, 102]
    assert "back from Pharmacist Consult → the end" in ivr[1].detail


def test_shape_a_timed_out_last_visit_the_ivr_time_does_not_cover_stays_unknown() -> None:
    data = payload(
        0,
        300,
        queues=[queue("q1", "s1", "Sales", 10, 100, queueExitType="timeout")],
        ivrTime=10.0,
    )
    story = told(data)
    assert "back in" not in story.outcome
    assert split(story)["unknown"] == "3:20"
    data["ivrTime"] = 210.0  # the IVR time sent counts the stretch after the visit
    story = told(data)
    assert story.outcome.endswith("(timed out); back in the IVR for 3:20 until the end")
    assert "unknown" not in split(story)


# -- a conference of four, names in some records, an end sent after the interaction's -------


def test_an_end_sent_after_the_interactions_end_is_no_time_with_the_customer() -> None:
    story = novel("conference-four-agents-names-missing-end-after-interaction.json")
    licensing = [leg for leg in story.legs if leg.agent == "agent cfaf0010"]
    assert [round(leg.seconds or 0) for leg in licensing] == [960]
    assert "agent cfaf0010 16:00" in figure(story, "Time with each agent").text


def test_agents_ending_with_the_interaction_stayed_to_the_end_despite_a_later_end() -> None:
    story = novel("conference-four-agents-names-missing-end-after-interaction.json")
    ended = [(leg.agent, leg.ended) for leg in story.legs]
    assert ended[-1][0] == "Kwame Asante"
    assert ended[-1][1].startswith("Stayed to the end with agent cfaf0010"), ended
    assert ended[2][1].startswith("Stayed to the end with Kwame Asante"), ended


def test_shape_an_agent_whose_end_is_skewed_past_the_end_does_not_make_others_leave() -> None:
    data = payload(
        0,
        300,
        segments=[
            seg("s0", 0, 0, 300, segmentToAgentId="aid-ann"),
            seg(
                "s1",
                1,
                100,
                300,
                segmentStartType="addParticant",
                segmentAgentId="aid-ann",
                segmentToAgentId="aid-bob",
            ),
        ],
        agents=[agent("a1", "s0", "Ann Lee", 20, 300), agent("a2", "s1", "Bob Ray", 110, 303.5)],
    )
    story = told(data)
    assert story.outcome.endswith("Bob Ray added; both stayed to the end")
    assert [leg.seconds for leg in story.legs] == [280.0, 190.0]


# -- a long call: 36 holds, 12 cancelled tries to add someone -------------------------------


def test_many_cancelled_adds_are_counted_not_told_as_one() -> None:
    story = novel("long-call-36-holds-12-cancelled-consults.json")
    assert story.outcome.endswith("; adding a participant was cancelled 12 times")
    assert figure(story, "Holds").text == "36, 24:13 in all"
    assert split(story) == {
        "ivr": "0:40",
        "queue": "1:15",
        "agent": "1 h 46 min 22 s",
        "hold": "24:13",
    }
    assert [(leg.hold_count, leg.ended) for leg in story.legs] == [(36, "Ended the interaction")]


def test_many_tries_to_add_from_one_queue_are_said_per_queue() -> None:
    story = novel("long-call-36-holds-12-cancelled-consults.json")
    adding = figure(story, "Adding participants")
    assert adding.text == "Tier 3 Hardware 12 times, 2:58 in all"
    assert adding.note.count("Tier 3 Hardware took") == 12  # every try on hover


def test_an_agent_who_leaves_a_conference_hands_over_to_whoever_was_on_the_call() -> None:
    """Hannah added Kwame, but he had left by 9:00; at 14:00 he was on the call again
    only because agent cfaf0010 added him back: she gave the call to the three agents
    with the customer when she left, and added only Diego of them."""
    story = novel("conference-four-agents-names-missing-end-after-interaction.json")
    hannah = next(leg for leg in story.legs if leg.agent == "Hannah Schulz")
    assert hannah.gave_to == "agent cfaf0010, Diego Alvarez (added), Kwame Asante"
    assert hannah.ended == "Handed over to agent cfaf0010, Diego Alvarez and Kwame Asante"


def test_a_failed_transfer_that_comes_back_to_the_agent_is_not_an_answer_from_that_queue() -> None:
    story = novel("transfer-failed-agent-answers-again-second-queue.json")
    assert "answered again" not in story.outcome
    assert rows(story) == [
        (
            "Marta Kowalski",
            "queue Travel Bookings, from the IVR",
            "queue Visa Desk",
            "Transferred to queue Visa Desk",
        ),
        (
            "Marta Kowalski",
            "back from queue Visa Desk, unanswered after 1:30 (failure)",
            "Kofi Boateng",
            "Handed over to Kofi Boateng",
        ),
        ("Kofi Boateng", "Marta Kowalski", "", "Ended the interaction"),
    ]


def _transfer_after_a_wait(wait: float) -> Story:
    """Ana answers after 0:30, transfers to Claims at 5:00, where Ben answers ``wait``
    seconds later and talks until 10:00 past the transfer."""
    at = 300.0
    return story_for(
        parse_interaction(
            payload(
                0,
                at + wait + 600,
                segments=[
                    seg("s0", 0, 0, at, segmentEndType="success"),
                    seg(
                        "s1",
                        1,
                        at,
                        at + wait + 600,
                        segmentStartType="transfer",
                        segmentAgentId="aid-ana",
                    ),
                ],
                queues=[
                    queue("q0", "s0", "Sales", 10, 30, queueTime=20),
                    queue(
                        "q1",
                        "s1",
                        "Claims",
                        at,
                        at + wait,
                        queueTime=wait,
                        queueEntryType="transfer",
                    ),
                ],
                agents=[
                    agent("a0", "s0", "Ana Silva", 30, at),
                    agent("a1", "s1", "Ben Okoro", at + wait, at + wait + 600),
                ],
            )
        ),
        NOW,
    )


def test_a_long_wait_after_a_transfer_is_said_in_the_outcome() -> None:
    # 45 minutes of a 1 h 0 min call: a supervisor wants to see it in the sentence.
    story = _transfer_after_a_wait(2700)
    assert story.outcome == (
        "Answered by Ana Silva after 0:20 in Sales; transferred to queue Claims, where Ben"
        " Okoro picked it up 45:00 later"
    )


def test_a_short_wait_after_a_transfer_is_left_to_the_per_visit_figure() -> None:
    story = _transfer_after_a_wait(40)
    assert story.outcome == (
        "Answered by Ana Silva after 0:20 in Sales; transferred to Ben Okoro in Claims"
    )


def test_a_leap_second_end_is_the_second_after_and_nothing_is_unknown() -> None:
    name = "chat-abandoned-in-queue-survey-leap-second.json"
    i = parse_interaction(json.loads((NOVEL / name).read_text()))
    assert not i.problems
    assert i.end == datetime(2027, 1, 1, tzinfo=UTC)
    assert i.queues[0].end == i.end and i.segments[0].end == i.end
    story = novel(name)
    assert figure(story, "Total time").text == "3:12"
    assert figure(story, "CSAT").text == "1"
    no_figure(story, "With ")
    assert split(story) == {"ivr": "0:05", "queue": "3:07"}


def test_a_supervisor_who_barges_in_joined_and_came_from_no_queue() -> None:
    # Her allocation names no queue and no segment gave it to her: the Fraud Claims
    # visit was Carlos's, so she neither "answered after 1:20" nor was "transferred".
    story = novel("voice-supervisor-monitors-then-barges-in.json")
    assert "then answered by Ingrid" not in story.outcome
    assert "transferred" not in story.outcome
    assert rows(story) == [
        (
            "Carlos Mendes",
            "queue Fraud Claims, from the IVR",
            "Ingrid Halvorsen (joined)",
            "Handed over to Ingrid Halvorsen",
        ),
        (
            "Ingrid Halvorsen",
            "joined the call (no queue, transfer or add)",
            "",
            "Ended the interaction",
        ),
    ]
    assert [leg.queue for leg in story.legs] == ["Fraud Claims", ""]
    assert figure(story, "Queue wait").text == "1:20"


def test_a_supervisor_who_listened_in_says_so_in_her_row_and_it_is_no_time_with_the_customer() -> (
    None
):
    story = novel("voice-supervisor-monitors-then-barges-in.json")
    carlos, ingrid = story.legs
    assert carlos.listened == ""
    assert ingrid.listened == "listened in from 4:00 to 9:30 (5:30, silent monitoring)"
    assert ingrid.seconds == 340.4  # 9:30 to the end: the 5:30 listening is not counted
    assert figure(story, "Conversation").text == "13:15"


def test_someone_who_only_joined_is_handed_over_to_only_when_the_agent_leaves_them_on() -> None:
    """The agent who left hands over to whoever joined and stayed; one who stays to the
    end with them hands nothing over."""
    body = json.loads((NOVEL / "voice-supervisor-monitors-then-barges-in.json").read_text())
    body["agents"][0]["endTimestamp"] = body["endTimestamp"]  # Carlos stays to the end too
    story = story_for(parse_interaction(body), NOW)
    carlos = story.legs[0]
    assert carlos.gave_to == ""
    assert carlos.ended.startswith("Stayed to the end")


def test_a_supervisor_who_only_listened_in_is_no_participant_and_the_table_says_so() -> None:
    story = novel("voice-coached-by-a-supervisor-who-never-joins.json")
    assert rows(story) == [
        ("Tomás Reyes", "queue Collections, from the IVR", "", "Ended the interaction")
    ]
    no_figure(story, "Time with each agent")
    assert figure(story, "With Tomás Reyes").text == "10:25"
    assert story.notes == (
        "Mariam Saleh listened in from 2:00 to 11:41 (9:41, “coach” monitoring) and never"
        " joined the call: no time with the customer.",
    )
    assert split(story)["agent"] == "10:25"


def test_a_monitor_type_not_known_is_drawn_as_sent_in_the_listeners_own_row() -> None:
    data = json.loads((NOVEL / "voice-coached-by-a-supervisor-who-never-joins.json").read_text())
    t = told_timeline(data)
    agents = next(lane for lane in t.lanes if lane.key == "agents")
    assert [r.label for r in agents.rows] == ["Tomás Reyes", "Mariam Saleh"]
    (bar,) = agents.rows[1].bars
    assert bar.kind == "monitor" and not bar.marked
    assert bar.accessible_name.startswith(
        "Listening in: Mariam Saleh, “coach” monitoring, not with the customer, from 2:00"
    )


def _listening_live() -> dict[str, Any]:
    """The coached call as it was while still going: no end sent anywhere, the
    supervisor's monitor still open."""
    data = json.loads((NOVEL / "voice-coached-by-a-supervisor-who-never-joins.json").read_text())
    data["dataComplete"] = False
    for record in (data, data["details"], data["segments"][0], data["agents"][0]):
        del record["endTimestamp"]
    del data["monitors"][0]["endTimestamp"]
    del data["interactionTime"], data["customerConversationTime"]
    return data


def test_a_supervisor_still_listening_in_on_a_live_call_is_said_to_be_listening_now() -> None:
    data = _listening_live()
    now = datetime(2026, 11, 26, 18, 10, 10, tzinfo=UTC)  # 5:10 after the start
    story = story_for(parse_interaction(data), now)
    assert story.notes == (
        "Mariam Saleh is listening in from 2:00 (3:10 so far, “coach” monitoring) and has"
        " not joined the call: no time with the customer.",
    )
    assert "end not sent" not in " ".join(story.notes)


def test_a_monitor_whose_end_never_came_on_a_finished_call_still_says_so() -> None:
    data = json.loads((NOVEL / "voice-coached-by-a-supervisor-who-never-joins.json").read_text())
    del data["monitors"][0]["endTimestamp"]
    story = story_for(parse_interaction(data), NOW)
    assert story.notes == (
        "Mariam Saleh listened in from 2:00, its end not sent (“coach” monitoring) and never"
        " joined the call: no time with the customer.",
    )


def test_a_supervisor_listening_in_before_joining_a_live_call_says_so_in_her_row() -> None:
    data = json.loads((NOVEL / "voice-supervisor-monitors-then-barges-in.json").read_text())
    data["dataComplete"] = False
    for record in (data, data["details"], *data["segments"], data["agents"][-1]):
        record.pop("endTimestamp", None)
    data["monitors"][0].pop("endTimestamp")
    i = parse_interaction(data)
    assert i.start is not None
    story = story_for(i, i.start + timedelta(minutes=12))
    ingrid = story.legs[-1]
    assert ingrid.listened == "listening in from 4:00 (8:00 so far, silent monitoring)"


ALEX = "transfer-between-two-agents-named-alex-kim.json"


def test_two_agents_with_the_same_name_are_two_agents_told_apart_by_their_ids() -> None:
    story = novel(ALEX)
    assert rows(story) == [
        (
            "Alex Kim (agent 2f0a11b2)",
            "queue Sales, from the IVR",
            "Alex Kim (agent 9c4e7d10)",
            "Handed over to Alex Kim (agent 9c4e7d10)",
        ),
        ("Alex Kim (agent 9c4e7d10)", "Alex Kim (agent 2f0a11b2)", "", "Ended the interaction"),
    ]
    no_figure(story, "With Alex Kim")
    each = figure(story, "Time with each agent").text
    assert "Alex Kim (agent 2f0a11b2) 5:05" in each and "Alex Kim (agent 9c4e7d10) 7:20" in each
    assert story.totals == ()  # nobody "had it more than once"


def test_two_agents_with_the_same_name_have_a_row_each_in_the_agents_lane() -> None:
    t = told_timeline(json.loads((NOVEL / ALEX).read_text()))
    agents = next(lane for lane in t.lanes if lane.key == "agents")
    assert [r.label for r in agents.rows] == [
        "Alex Kim (agent 2f0a11b2)",
        "Alex Kim (agent 9c4e7d10)",
    ]


def test_one_agent_sent_with_the_same_name_twice_keeps_the_name_alone() -> None:
    data = json.loads((NOVEL / ALEX).read_text())
    data["agents"][1]["agentId"] = data["agents"][0]["agentId"]
    i = parse_interaction(data)
    assert [a.agent_name for a in i.agents] == ["Alex Kim", "Alex Kim"]


LIVE_CHAT = "live-chat-waiting-30-hours-in-queue.json"


def test_a_live_wait_still_going_in_a_queue_is_its_time_so_far_not_unknown() -> None:
    story = novel(LIVE_CHAT)
    wait = figure(story, "Queue wait")
    assert wait.text == "1 d 5 h 59 min 56 s so far"
    assert wait.computed and not wait.unknown
    assert figure(story, "Total time").text == "1 d 6 h so far"
    assert figure(story, "Flow").text == "0:04"
    no_figure(story, "IVR")
    no_figure(story, "With ")
    no_figure(story, "Conversation")
    assert story.legs == ()


# -- the IVR sends the call straight to an agent; a flag type in other letters; dispositions


def test_an_agent_the_ivr_sent_the_call_to_took_it_from_the_ivr_with_no_queue() -> None:
    story = novel("ivr-pin-direct-to-agent-no-queue.json")
    assert "1:14\x1e after the start" in story.marked_outcome
    assert rows(story) == [
        ("Owen Gallagher", "the IVR, directly (no queue)", "", "Ended the interaction")
    ]
    no_figure(story, "Queue wait")
    assert figure(story, "IVR").text == "1:12"


def test_a_flag_type_in_other_letters_and_spaces_is_the_documented_type() -> None:
    item = parse_interaction(novel_body("flagged-mid-call-flag-type-mixed-case-spaces"))
    assert item.flag is not None and item.flag.known
    assert item.flag.reason.startswith("The interaction reached the platform's safeguard limit")
    for sent in (
        "Forced - No Reason Provided",
        "FORCED_NO_REASON_PROVIDED",
        "Exceed Counter Limit Terminated",
    ):
        assert flag_reason(sent) != GENERIC_FLAG_REASON, sent


def test_several_dispositions_are_each_shown_in_the_order_picked() -> None:
    story = novel("dispositions-list-wrap-up-statistics.json")
    assert figure(story, "Disposition").text == (
        "Order status · Return started · Upsell - extended warranty"
    )
    item = parse_interaction(novel_body("dispositions-list-wrap-up-statistics"))
    assert "dispositions" not in {s.name for s in item.other_statistics}
