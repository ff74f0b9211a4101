"""The new payloads' pages, through Django: the outcome, figures and participants the
story tells are what the page shows, with nothing beside them saying otherwise."""

from __future__ import annotations

import html as html_lib
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
import respx

from dashboard.demo import api
from tests.conftest import IID, PAGE, TENANT, UPSTREAM
from tests.story.test_novel import NOVEL, NOVEL_OUTCOMES
from tests.test_timeline import NOW

pytestmark = pytest.mark.django_db


def page_of(client: Any, name: str, query: str = "") -> str:
    body = json.loads((NOVEL / name).read_text())
    if body.get("dataComplete") is False:
        # A live payload is written as of the story tests' NOW: served as of now.
        body = api._shift(body, datetime.now(UTC) - NOW)
    body["tenantId"], body["interactionId"] = TENANT, IID
    if isinstance(body.get("details"), dict):  # null in a body sent with includenulls
        body["details"]["interactionId"] = IID
    with respx.mock(assert_all_called=False) as mock:
        mock.get(UPSTREAM).respond(json=body)
        mock.get(url__startswith=UPSTREAM + "/").respond(json={"results": []})
        response = client.get(PAGE + query)
    assert response.status_code == 200
    return html_lib.unescape(response.content.decode())


#: The ≈ mark after a figure the dashboard worked out, in the outcome and the figures.
COMPUTED_ABBR = re.compile(
    r' <abbr class="computed" title="[^"]*">≈<span[^>]*> computed</span></abbr>'
)


def outcome_of(text: str) -> str:
    """The outcome sentence as the page shows it, its markup left as it is."""
    return text.split('id="outcome">', 1)[1].split("</p>", 1)[0]


@pytest.mark.parametrize("name", sorted(NOVEL_OUTCOMES))
def test_the_page_says_the_stories_outcome(live_user: Any, name: str) -> None:
    text = page_of(live_user, name)
    assert COMPUTED_ABBR.sub("", outcome_of(text)) == NOVEL_OUTCOMES[name]


def test_waits_the_dashboard_worked_out_are_marked_in_the_outcome_as_in_the_figures(
    live_user: Any,
) -> None:
    text = page_of(live_user, "work-item-unknown-flag-segments-out-of-order.json")
    outcome = outcome_of(text)
    assert len(COMPUTED_ABBR.findall(outcome)) == 2
    assert "after 30:06 <abbr" in outcome
    assert "picked it up 23 h 12 min 25 s <abbr" in outcome
    note = "Computed by the dashboard: Worked out by the dashboard from start and end times"
    assert f'<abbr class="computed" title="{note}' in outcome
    # Read aloud, or as text: "after 30:06 ≈ computed in Claims Intake".
    words = re.sub(r"<[^>]+>", "", outcome)
    assert "Answered by Nora Lindgren after 30:06 ≈ computed in Claims Intake;" in words


def test_waits_the_api_sent_are_not_marked_in_the_outcome(live_user: Any) -> None:
    text = page_of(live_user, "sms-four-days-three-agents-pick-it-up-again.json")
    assert "computed" not in outcome_of(text)


def test_unanswered_outbound_page_has_no_time_with_an_agent(live_user: Any) -> None:
    text = page_of(live_user, "outbound-no-answer.json")
    assert "none: not answered" in text
    assert "With an agent" not in text
    participants = text[
        text.index('id="participants"') : text.index("</section>", text.index('id="participants"'))
    ]
    assert "a queue" not in participants


def test_duplicate_and_impossible_allocation_are_noted_under_participants(
    live_user: Any,
) -> None:
    text = page_of(live_user, "flagged-agent-end-before-start.json")
    participants = text[text.index('id="participants"') :]
    assert "was sent twice (same interactionAgentId): the second copy was ignored." in participants
    assert "before it starts" in participants
    assert "Agents who had it more than once" not in participants
    assert participants.count('<th scope="row">Hugo Lefebvre</th>') == 1


def test_a_flag_on_an_agent_whose_end_precedes_its_start_shows_where(live_user: Any) -> None:
    text = page_of(live_user, "flagged-agent-end-before-start.json")
    flag_box = text[text.index('id="flag"') : text.index("</section>", text.index('id="flag"'))]
    assert "Show where on the timeline" in flag_box
    assert "What the data shows:" in flag_box and "before it starts" in flag_box
    # The platform's claim is reported as its claim: every allocation here has an end.
    assert "the platform says, but every agent allocation in this copy has an end" in flag_box
    assert "<p>An agent&#x27;s end time never reached reporting.</p>" not in flag_box
    assert "0:00 ! 0:00" not in text


def test_an_unanswered_outbound_call_rings_in_its_own_colour(live_user: Any) -> None:
    text = page_of(live_user, "outbound-no-answer.json")
    assert "state-not-answered" in text
    assert "ringing, not answered (the agent called; nobody picked up)" in text  # legend
    assert "Agent Marie-Ève Cormier, ringing, from 0:00 to 0:39" in text


def test_answered_calls_have_no_ringing_colour(live_user: Any) -> None:
    other = page_of(live_user, "chat-two-agents.json")
    assert "state-not-answered" not in other and "ringing-key" not in other


def test_an_open_visit_an_agent_took_says_so_on_the_page(live_user: Any) -> None:
    text = page_of(live_user, "flagged-agent-end-before-start.json")
    assert "no exit sent; taken by Zoe Tanaka at 7:12" in text
    assert "Zoe Tanaka took the call from it at 7:12, so the bar stops there" in text
    assert "to where an agent took the call from the queue" in text  # legend


def _section(text: str, section_id: str) -> str:
    start = text.index(f'id="{section_id}"')
    return text[start : text.index("</section>", start)]


def test_the_bare_minimum_page_says_what_was_not_sent(live_user: Any) -> None:
    text = page_of(live_user, "bare-minimum-nulls.json")
    assert "The API sent no queue visits." in text
    assert "The API sent no agent allocations." in text
    assert "never waited in a queue" not in text and "No agent was allocated" not in text
    assert "Ended in the IVR" not in text
    figures = text[text.index('aria-label="Key figures"') : text.index("</dl>")]
    assert figures.count("not sent") == 3  # holds, transfers, channel
    # Nothing to draw: a sentence, not an empty chart or an all-unknown bar.
    assert "The API sent no segments, queue visits or agents to draw." in text
    assert 'class="timeline-svg"' not in text and "Where the customer's time went" not in text


def test_a_transfer_out_names_the_number_in_the_segments(live_user: Any) -> None:
    text = page_of(live_user, "blind-transfer-outside-number.json")
    assert "an outside number +14165550187" in _section(text, "segments")
    assert "Transferred to an outside number" in _section(text, "participants")
    assert "With an outside number" in text  # where the customer's time went


def test_a_withdrawn_offer_is_not_a_second_time_on_the_page(live_user: Any) -> None:
    text = page_of(live_user, "offer-withdrawn-then-answered-string-stats.json")
    participants = _section(text, "participants")
    assert "none: never accepted" in participants
    assert "Agents who had it more than once" not in participants
    assert "dashed, faded: cancelled, or an offer withdrawn" in text  # legend


def test_a_callback_wait_that_exits_before_it_enters_says_why_on_the_page(
    live_user: Any,
) -> None:
    text = page_of(live_user, "long-ivr-callback-exit-before-entry.json")
    assert "Unknown: the API sent this wait's exit (09:21:44 UTC) before its entry" in text
    assert "It ends 0:29 before it starts" in text  # the bar's own note
    # The queue visits table marks the row too, and calls the entry by its words.
    visits = _section(text, "queues")
    assert "It leaves 0:29 before it enters." in visits
    assert "As a callback" in visits


def test_holds_sent_without_times_are_said_beside_the_time_bar(live_user: Any) -> None:
    text = page_of(live_user, "blind-transfer-outside-number.json")
    caption = text[text.index('id="split-title"') : text.index("</figcaption>")]
    assert "hold time of 0:22 was sent without start and end times" in caption


def test_holds_with_their_times_are_drawn_and_nothing_is_said(live_user: Any) -> None:
    text = page_of(live_user, "conference-hangup-on-hold.json")
    assert "On hold" in text[text.index('id="split-title"') :]
    assert "was sent without start and end times" not in text


def test_the_zoom_form_accepts_the_range_it_shows_on_a_three_day_interaction(
    live_user: Any,
) -> None:
    """The form's fields come filled with the shown range ("3 d 0 h 22 min 53 s"); the
    browser refuses to send a value its pattern does not match."""
    text = page_of(live_user, "whatsapp-three-days-offsets.json")
    fields = re.findall(r'<input[^>]*name="zoom_(?:from|to)"[^>]*>', text, re.S)
    assert len(fields) == 2
    values = []
    for field in fields:
        value = re.search(r'value="([^"]*)"', field)[1]  # type: ignore[index]
        pattern = re.search(r'pattern="([^"]*)"', field)[1]  # type: ignore[index]
        assert re.fullmatch(pattern, value), (pattern, value)
        values.append(value)
    assert values[1] == "3 d 0 h 22 min 53 s"


def test_a_hold_with_no_end_is_not_a_known_total_in_the_participants(live_user: Any) -> None:
    text = page_of(live_user, "sla-overflow-answered-hung-up-on-open-hold.json")
    participants = _section(text, "participants")
    assert "2 · 0:45" not in participants
    assert "2 · at least 0:45; 1 with no end" in participants


def test_a_direct_transfer_is_marked_direct_in_the_visit_and_allocation_tables(
    live_user: Any,
) -> None:
    text = page_of(live_user, "transfer-back-to-first-agent-holds.json")
    visits = " ".join(re.sub(r"<[^>]+>", " ", _section(text, "queues")).split())
    assert "Priya Raman (direct) 2 Transferred in → Answered" in visits
    allocations = " ".join(re.sub(r"<[^>]+>", " ", _section(text, "agents")).split())
    assert "Priya Raman Priya Raman (direct) 2" in allocations


def test_an_unknown_flag_type_is_said_once_as_sent(live_user: Any) -> None:
    text = page_of(live_user, "work-item-unknown-flag-segments-out-of-order.json")
    heading = text[
        text.index('id="flag-title"') : text.index("</h2>", text.index('id="flag-title"'))
    ]
    assert heading.count("late-events-reconciled") == 1
    assert '<code title="The API\'s flag type">late-events-reconciled</code>' in heading
    assert "for a reason this dashboard does not know" in _section(text, "flag")


def test_an_allocation_inside_another_is_noted_and_not_a_second_time(live_user: Any) -> None:
    text = page_of(live_user, "work-item-unknown-flag-segments-out-of-order.json")
    participants = _section(text, "participants")
    assert "Within another allocation of theirs (counted once)" in participants
    assert "lies within Felix Brandt's allocation" in participants
    assert "Agents who had it more than once" not in participants
    assert "Handed over to Inès Moreau" in participants


def _panel(client: Any, name: str, bar_id: str, query: str = "") -> str:
    """The words of one bar's detail panel on the page of the named payload
    (``query``: more of the URL's query, "zoom=0-60&")."""
    body = json.loads((NOVEL / name).read_text())
    body["tenantId"], body["interactionId"] = TENANT, IID
    body["details"]["interactionId"] = IID
    with respx.mock(assert_all_called=False) as mock:
        mock.get(UPSTREAM).respond(json=body)
        mock.get(url__startswith=UPSTREAM + "/").respond(json={"results": []})
        response = client.get(PAGE + "?" + query + "focus=" + bar_id)
    text = html_lib.unescape(response.content.decode())
    panel = text[text.index('id="detail-panel"') :]
    return " ".join(re.sub(r"<[^>]+>", " ", panel[: panel.index("</section>")]).split())


def test_a_work_items_queue_details_call_its_entry_the_flow_like_the_tables(
    live_user: Any,
) -> None:
    panel = _panel(
        live_user,
        "work-item-unknown-flag-segments-out-of-order.json",
        "queue-e12b7e01-ec74-11f1-9e01-5a3c11e2d4f7",
    )
    assert "Entered by From the flow (ivr)" in panel
    assert "From the IVR" not in panel


def test_a_whole_number_sent_as_a_count_is_shown_as_sent_in_the_details(live_user: Any) -> None:
    panel = _panel(
        live_user,
        "transfer-back-to-first-agent-holds.json",
        "queue-9d0c6002-ed3f-11f1-9002-5a3c11e2d4f7",
    )
    assert "Queue entry length 4 " in panel  # sent as 4, never "4.0"
    assert "Platform queue ID (WFM) 2140 " in panel


def test_a_flag_sent_without_a_type_says_so_not_flagged_twice(live_user: Any) -> None:
    body = json.loads((NOVEL / "work-item-unknown-flag-segments-out-of-order.json").read_text())
    body["tenantId"], body["interactionId"] = TENANT, IID
    body["details"]["interactionId"] = IID
    del body["flagType"]
    with respx.mock(assert_all_called=False) as mock:
        mock.get(UPSTREAM).respond(json=body)
        mock.get(url__startswith=UPSTREAM + "/").respond(json={"results": []})
        text = html_lib.unescape(live_user.get(PAGE).content.decode())
    start = text.index('id="flag-title"')
    heading = " ".join(re.sub(r"<[^>]+>", " ", text[start : text.index("</h2>", start)]).split())
    assert heading.endswith("Flagged: no type sent"), heading


def test_a_callback_nobody_picked_up_rings_and_its_contradicting_figures_say_both(
    live_user: Any,
) -> None:
    text = page_of(live_user, "callback-not-answered-epoch-offsets-contradicting-stats.json")
    assert "state-not-answered" in text
    assert "Agent Lukas Weber, ringing, from 31:00 to 31:46" in text
    assert "With an agent" not in text
    figures = text[text.index('aria-label="Key figures"') : text.index("</dl>")]
    assert "3 sent; the segments show 0" in figures
    assert "none: not answered" in _section(text, "participants")


def test_a_second_stint_in_the_ivr_is_drawn_in_the_ivr_lane(live_user: Any) -> None:
    text = page_of(live_user, "ivr-twice-timeout-back-to-menu.json")
    assert "IVR, start → first queue, from 0:00 to 0:45, lasting 0:45" in text
    assert (
        "IVR, back from Card Services → Card Services Priority, from 3:45 to 5:11,"
        " lasting 1:26" in text  # 3:45.2 to 5:10.6: the length the two times as written say
    )
    panel = _panel(live_user, "ivr-twice-timeout-back-to-menu.json", "ivr-2")
    assert "Start 2026-11-28 10:17:47 UTC End 2026-11-28 10:19:12 UTC" in panel


def test_a_bar_outside_the_zoom_window_still_has_its_details(live_user: Any) -> None:
    """Zoomed to the first minute, the last agent's details still open (a shared link,
    a related link) and say that the timeline does not draw it there."""
    name = "transfer-back-to-first-agent-holds.json"
    last = "agent-9d0c6103-ed3f-11f1-a103-5a3c11e2d4f7"
    panel = _panel(live_user, name, last, "zoom=0-60&")
    assert "Nothing to show" not in panel
    assert "> Agent Priya Raman Close details" in panel
    assert "Related Segment #2 Direct transfer to Priya Raman" in panel
    assert "Outside the range the timeline shows (0:00–1:00)" in panel
    # Zoomed onto the first segment: its agent, after the window, is still related.
    first = _panel(live_user, name, "segment-9d0c5b10-ed3f-11f1-8a11-5a3c11e2d4f7", "zoom=0-30&")
    assert "Related Queue Home Insurance Agent Priya Raman" in first
    assert "Outside the range" not in first


def test_a_live_participant_row_says_its_time_so_far_and_the_hold_now(live_user: Any) -> None:
    text = page_of(live_user, "live-call-on-hold-now-queue-without-name.json")
    participants = _section(text, "participants")
    assert re.search(r">\s*12:2[56] so far\s*<", participants)
    assert "2 · on hold now" in participants and "total unknown" not in participants
    assert "queue queue" not in text
    figures = text[text.index('aria-label="Key figures"') : text.index("</dl>")]
    # The live payload is moved to the time the test starts: a slow run reads a second or two
    # later, as the participants row above allows.
    assert re.search(r"2, on hold now \(2:0[0-2] so far\); hold time sent 1:12", figures)
    assert "1:12 in all" not in figures


def test_an_agent_sent_without_a_name_is_called_the_same_everywhere(live_user: Any) -> None:
    text = page_of(live_user, "conference-four-agents-names-missing-end-after-interaction.json")
    licensing_agent = "cfaf0010-3f58-4ad4-a308-24d215ceb3a1"
    for section in ("segments", "queues", "agents"):
        table = _section(text, section)
        assert "agent cfaf0010" in table, section
        assert f">{licensing_agent}<" not in table, section
    # Kwame's first allocation was sent without his name; his second names him.
    allocations = _section(text, "agents")
    assert "0b3510b0-b46e-41da-b170-17a6205738d1" not in allocations
    assert allocations.count("Kwame Asante") == 2
    timeline = text[text.index('class="timeline-svg"') :]
    assert licensing_agent not in timeline.split("</svg>")[0].replace(
        f"Agent ID {licensing_agent}", ""
    )
    assert ">agent cfaf0010<" in timeline


def test_the_legend_explains_the_arrows_to_cancelled_tries(live_user: Any) -> None:
    text = page_of(live_user, "long-call-36-holds-12-cancelled-consults.json")
    legend = text[text.index('class="legend hint"') :].split("</p>")[0]
    assert "arrow to a faded bar: a try to add someone, cancelled" in legend
    assert "transfer from one agent" not in legend  # nothing was transferred


def test_a_queue_sent_without_a_name_is_called_the_same_everywhere(live_user: Any) -> None:
    """The story says "queue 9a8b7c6d": so do the tables and the timeline row, with the
    full ID on hover."""
    text = page_of(live_user, "live-call-on-hold-now-queue-without-name.json")
    queue_id = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
    visits = _section(text, "queues")
    assert ">queue 9a8b7c6d<" in visits and f"Queue ID {queue_id}" in visits
    assert f">{queue_id}<" not in visits
    body = text.index('class="tl-body"')
    timeline = text[body : text.index("</svg>", body)]
    assert f">{queue_id}<" not in timeline and ">queue 9a8b7c6d<" in timeline
    assert "Queue queue" not in timeline  # the bar's accessible name


def test_an_allocation_from_a_queue_sent_without_a_name_names_it_as_the_story_does() -> None:
    from dashboard.interactions.parsing import parse_interaction
    from dashboard.interactions.presenters import agents_table
    from tests.test_timeline import agent, payload, queue

    queue_id = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
    data = payload(
        0,
        100,
        queues=[queue("q1", "s1", "", 5, 10, queueId=queue_id)],
        agents=[agent("a1", "s1", "Ann Lee", 10, 100, queueId=queue_id)],
    )
    del data["queues"][0]["queueName"]
    cell = agents_table(parse_interaction(data), UTC).rows[0].cells[1]
    assert (cell.text, cell.title) == (
        "queue 9a8b7c6d",
        f"Queue ID {queue_id}: the API sent no name",
    )


def test_a_bots_messages_are_the_bots_and_early_ones_say_so(live_user: Any) -> None:
    """The bot is neither the customer nor an agent; messages stamped before the start
    (the pre-chat form, the bot's greeting) keep their order and times and say so."""
    from pathlib import Path

    text = page_of(live_user, "chat-bot-then-agent-messages-before-start.json")
    transcript = text[text.index('id="transcript-title"') :].split("</section>")[0]
    assert transcript.count('class="message from-bot"') == 2
    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "app.css").read_text()
    assert ".message.from-bot" in css
    assert transcript.count("before the interaction's start") == 2
    assert transcript.index("Pre-chat form") < transcript.index("Hi Tom!")
    assert '<span aria-hidden="true">Flow</span>' in text  # the bot's 3:20, drawn


def test_a_long_participants_table_shows_who_took_the_call_before_offers_never_accepted(
    live_user: Any,
) -> None:
    text = page_of(live_user, "broadcast-offered-to-300-agents-one-accepts.json")
    participants = text[text.index('id="participants"') :]
    shown = participants[: participants.index("Show the other 295 allocations")]
    assert '<th scope="row">Rosa Gallo</th>' in shown
    assert shown.count('<tr id="') == 5
    assert shown.count('class="offered"') == 4


SUPERVISOR = "voice-supervisor-monitors-then-barges-in.json"


def _agents_lane(text: str) -> str:
    svg = text[text.index('class="timeline-svg"') :]
    return svg[: svg.index("</svg>")]


def test_a_supervisors_listening_in_is_drawn_as_monitoring_in_her_agent_row(
    live_user: Any,
) -> None:
    text = page_of(live_user, SUPERVISOR)
    svg = _agents_lane(text)
    bar = svg[svg.index('id="bar-monitor-1"') :]
    bar = bar[: bar.index("</a>")]
    assert "kind-monitor" in bar and 'data-kind="monitor"' in bar
    assert "kind-agent" not in bar  # not time with the customer
    assert (
        "<title>Listening in: Ingrid Halvorsen, silent monitoring, not with the customer,"
        " from 4:00 to 9:30, lasting 5:30</title>"
    ) in bar
    assert "listening in · 5:30" in bar
    # In her row: the same y as her allocation's bar.
    y = re.search(r'class="bar-body" x="[^"]+" y="([^"]+)"', bar)
    own = svg[svg.index('id="bar-agent-7a1000d3') :]
    assert y is not None and f'y="{y.group(1)}"' in own[: own.index("</a>")]
    legend = text[text.index('class="legend hint"') :].split("</p>")[0]
    assert "listening in (a supervisor monitoring), not time with the customer" in legend
    css = (NOVEL.parents[2] / "static" / "css" / "timeline.css").read_text()
    assert ".kind-monitor .bar-body" in css and ".monitor-key" in css


def test_the_monitoring_stretch_is_in_the_supervisors_participant_row(live_user: Any) -> None:
    text = page_of(live_user, SUPERVISOR)
    participants = text[text.index('id="participants"') :].split("</section>")[0]
    ingrid = participants[participants.index('<th scope="row">Ingrid Halvorsen</th>') :]
    ingrid = ingrid[: ingrid.index("</tr>")]
    assert "Listened in from 4:00 to 9:30 (5:30, silent monitoring)" in ingrid
    carlos = participants[participants.index('<th scope="row">Carlos Mendes</th>') :]
    carlos = carlos[: carlos.index("</tr>")]
    assert '<td data-label="Gave it to">Ingrid Halvorsen (joined)</td>' in carlos
    assert "Handed over to Ingrid Halvorsen" in carlos
    assert "Left the interaction" not in carlos


def test_the_monitoring_bars_details_give_every_field(live_user: Any) -> None:
    text = page_of(live_user, SUPERVISOR, "?focus=monitor-1")
    panel = text[text.index('id="detail-panel"') :].split("</section>")[0]
    assert "Listening in: Ingrid Halvorsen" in panel
    assert "Silent monitoring (silent)" in panel


def test_an_allocations_undescribed_fields_are_shown_as_sent(live_user: Any) -> None:
    text = page_of(live_user, SUPERVISOR)
    table = text[text.index("Agent allocations") :].split("</table>")[0]
    assert '<th scope="col">Other fields, as sent</th>' in table
    assert "participantType: supervisor · joinType: barge-in" in table
    focused = page_of(live_user, SUPERVISOR, "?focus=agent-7a1000d3-ee10-11f1-80d3-4c1e7a2000d3")
    panel = focused[focused.index('id="detail-panel"') :].split("</section>")[0]
    assert "supervisor" in panel and "barge-in" in panel


def test_allocations_without_undescribed_fields_have_no_column_for_them(live_user: Any) -> None:
    plain = page_of(live_user, "chat-two-agents.json")
    assert "Other fields, as sent" not in plain


def test_a_segment_cancelled_when_the_customer_hung_up_is_drawn_and_named_cancelled(
    live_user: Any,
) -> None:
    """The vendor sample's shape: segmentCancelled with a customer-disconnect end."""
    text = page_of(live_user, "chat-abandoned-in-queue-survey-leap-second.json")
    svg = _agents_lane(text)
    bar = svg[svg.index('data-kind="segment"') - 400 :]
    bar = bar[bar.index("<a ") : bar.index("</a>")]
    assert "state-cancelled" in bar and "state-customer-hung-up" in bar
    assert "#0 (cancelled: customer hung up) · 3:12" in bar
    assert ", cancelled, customer hung up" in bar  # its accessible name
    assert "dashed, faded: cancelled" in text  # the legend's words for it


def test_a_total_the_dashboard_worked_out_is_marked_in_the_outcome(live_user: Any) -> None:
    text = page_of(live_user, "bare-minimum-nulls.json")
    outcome = outcome_of(text)
    assert outcome.startswith('Ended after 0:41 <abbr class="computed"')
    assert len(COMPUTED_ABBR.findall(outcome)) == 1


def test_a_supervisor_who_only_listened_in_is_said_under_participants_and_drawn(
    live_user: Any,
) -> None:
    text = page_of(live_user, "voice-coached-by-a-supervisor-who-never-joins.json")
    participants = text[text.index('id="participants"') :].split("</section>")[0]
    assert participants.count('<th scope="row">') == 1
    assert (
        "Mariam Saleh listened in from 2:00 to 11:41 (9:41, “coach” monitoring) and never"
        " joined the call: no time with the customer."
    ) in participants
    svg = _agents_lane(text)
    assert 'id="bar-monitor-1"' in svg and "Mariam Saleh" not in outcome_of(text)
    assert "Monitors" in text and "Mariam Saleh, QA Listening Station 2" in text


def test_two_agents_with_the_same_name_are_told_apart_everywhere_on_the_page(
    live_user: Any,
) -> None:
    text = page_of(live_user, "transfer-between-two-agents-named-alex-kim.json")
    assert "Agents who had it more than once" not in text
    assert "With Alex Kim" not in text
    participants = text[text.index('id="participants"') :].split("</section>")[0]
    assert participants.count('<th scope="row">Alex Kim (agent 2f0a11b2)</th>') == 1
    assert participants.count('<th scope="row">Alex Kim (agent 9c4e7d10)</th>') == 1
    svg = _agents_lane(text)
    assert "Alex Kim (agent 2f0a11b2)" in svg and "Alex Kim (agent 9c4e7d10)" in svg
    table = text[text.index("Agent allocations") :].split("</table>")[0]
    assert "Alex Kim (agent 2f0a11b2)" in table and "Alex Kim (agent 9c4e7d10)" in table


def _figure_on_page(text: str, label: str) -> str:
    figures = text[text.index('class="figures"') :].split("</dl>")[0]
    after = figures[figures.index(label) :]
    return after[after.index("<dd") : after.index("</dd>")]


def test_a_live_wait_in_a_queue_shows_its_time_so_far_marked_worked_out(live_user: Any) -> None:
    text = page_of(live_user, "live-chat-waiting-30-hours-in-queue.json")
    wait = _figure_on_page(text, "Queue wait")
    assert "so far" in wait and "unknown" not in wait
    assert COMPUTED_ABBR.search(wait)
    assert "may be stuck" in text


def test_an_answering_machine_on_an_outbound_call_is_placed_not_unanswered(
    live_user: Any,
) -> None:
    text = page_of(live_user, "outbound-campaign-answering-machine.json")
    assert outcome_of(text) == "Placed by Dana Whitfield"
    assert "not answered" not in text and "ringing" not in _agents_lane(text)
    assert "Answering machine - message left" in text
    assert "Queue wait" not in text
    others = text[text.index("Other statistics") :].split("</dl>")[0]
    assert "machine" in others  # amdResult, as sent


def test_a_flag_type_sent_in_mixed_case_with_spaces_is_explained_as_its_heading_names_it(
    live_user: Any,
) -> None:
    text = page_of(live_user, "flagged-mid-call-flag-type-mixed-case-spaces.json")
    assert "Ended by the platform's safeguard" in text
    assert "The interaction reached the platform's safeguard limit and was ended." in text
    assert "a reason this dashboard does not know" not in text


def test_several_dispositions_are_named_on_the_page_not_left_as_raw_json(live_user: Any) -> None:
    text = page_of(live_user, "dispositions-list-wrap-up-statistics.json")
    assert text.count("Order status · Return started · Upsell - extended warranty") >= 2
    assert '"dispositionName"' not in text


def test_a_call_the_ivr_sent_straight_to_an_agent_says_so_with_its_time_marked(
    live_user: Any,
) -> None:
    text = page_of(live_user, "ivr-pin-direct-to-agent-no-queue.json")
    outcome = outcome_of(text)
    assert len(COMPUTED_ABBR.findall(outcome)) == 1
    assert "1:14 <abbr" in outcome
    participants = text.split('id="participants"', 1)[1].split("</table>", 1)[0]
    assert "the IVR, directly (no queue)" in participants


def test_where_in_the_interaction_the_flag_was_raised_is_said_and_marked_worked_out(
    live_user: Any,
) -> None:
    text = page_of(live_user, "flagged-mid-call-flag-type-mixed-case-spaces.json")
    flagged_at = text.split("Flagged at ", 1)[1].split("</p>", 1)[0]
    words = re.sub(r"<[^>]+>", "", flagged_at)
    assert "(23:00 ≈ computed after the start, 2:04 ≈ computed before the end)" in words


def test_a_flag_raised_at_the_end_or_the_start_says_so_not_zero_before() -> None:
    from dashboard.interactions.parsing import parse_interaction
    from dashboard.interactions.presenters import story_view
    from dashboard.interactions.story import COMPUTED_MARK, story_for
    from tests.test_timeline import NOW, payload, ts

    def said(flag_at: float) -> str:
        data = payload(end=720, flagged=True, flagType="Segment", flagTimestamp=ts(flag_at))
        i = parse_interaction(data)
        return story_view(story_for(i, NOW), i, UTC, "UTC").flag_when

    assert said(720) == f"12:00{COMPUTED_MARK} after the start, at the end"
    assert said(719.6) == f"12:00{COMPUTED_MARK} after the start, at the end"
    assert said(0) == "at the start"
    assert said(600) == f"10:00{COMPUTED_MARK} after the start, 2:00{COMPUTED_MARK} before the end"
    assert said(750) == f"0:30{COMPUTED_MARK} after the end"
