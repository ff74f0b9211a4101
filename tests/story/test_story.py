"""The story at the top of an interaction page: outcome, figures, split, participants."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dashboard.interactions import presenters, wording
from dashboard.interactions.pages import live_status, playable
from dashboard.interactions.parsing import parse_interaction
from dashboard.interactions.story import Leg, Story, story_for
from tests.test_timeline import BASE, NOW, agent, payload, queue, seg, ts

PAYLOADS = Path(__file__).resolve().parents[2] / "dashboard" / "demo" / "payloads"
DEMOS = [e["file"] for e in json.loads((PAYLOADS / "index.json").read_text())]


def demo(name: str, now: datetime = NOW) -> Story:
    return story_for(parse_interaction(json.loads((PAYLOADS / name).read_text())), now)


def figure(story: Story, label: str) -> Any:
    found = [f for f in story.figures if f.label == label or f.label.startswith(label)]
    assert found, f"no figure {label!r}; have {[f.label for f in story.figures]}"
    return found[0]


def told(data: dict[str, Any], now: datetime = NOW) -> Story:
    return story_for(parse_interaction(data), now)


@pytest.mark.parametrize("name", DEMOS)
def test_every_demo_has_a_sentence_and_honest_figures(name: str) -> None:
    story = demo(name)
    assert story.outcome
    assert "None" not in story.outcome
    for f in story.figures:
        assert f.text, f
        assert "None" not in f.text, f
        assert not (f.computed and f.unknown), f
    if story.split:
        assert sum(p.share for p in story.split) <= 1.0001
        assert all(p.seconds > 0 for p in story.split)
    for leg in story.legs:
        assert leg.ended


EXPECTED = {
    "abandoned-in-queue.json": "Abandoned in queue Support after 1:34",
    "answered-call-with-holds.json": "Answered by Alice Tremblay after 1:15 in General Support",
    "ivr-abandoned.json": "Hung up in the IVR after 0:28",
    "transfer-chain.json": (
        "Answered by Hannah Richard after 0:48 in General Support; transferred to Benoit Leblanc"
        " in Billing; transferred to Carmen Diaz; transferred to Daniel Okafor in Retentions"
    ),
    "outbound-sales-callback.json": "Placed by Gavin MacLeod; the customer hung up while on hold",
    "flagged-stuck.json": (
        "Answered by Farah Haddad after 0:16 in General Support; the end time never arrived"
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_demo_outcomes(name: str) -> None:
    assert demo(name).outcome == EXPECTED[name]


def test_missing_ends_are_unknown_never_invented() -> None:
    stuck = demo("flagged-stuck.json")
    assert figure(stuck, "Total time").unknown
    assert figure(stuck, "Total time").text == "unknown"
    assert stuck.end_missing
    agent_end = demo("flagged-agent.json")
    nora = figure(agent_end, "With Nora Lindqvist")
    assert nora.unknown
    assert nora.text.startswith("unknown")
    assert agent_end.legs[0].seconds is None
    assert agent_end.legs[0].ended == "End never arrived"
    assert any(p.key == "unknown" for p in agent_end.split)
    queue_end = demo("flagged-queue.json")
    assert figure(queue_end, "Queue wait").text == "unknown"
    assert "unknown" in queue_end.outcome


def test_sent_figures_are_used_as_sent_and_computed_ones_are_marked() -> None:
    # The API says 90 s although the times span 100 s: the API's figure is shown, unmarked,
    # with what the times show beside it (neither silently picked).
    sent = told(payload(interactionTime=90))
    total = figure(sent, "Total time")
    assert (total.text, total.computed, total.source) == (
        "1:30 sent; start and end show 1:40",
        False,
        "interactionTime",
    )
    as_sent = figure(told(payload(interactionTime=100.4)), "Total time")
    assert (as_sent.text, as_sent.computed) == ("1:40", False)
    worked_out = figure(told(payload()), "Total time")
    assert (worked_out.text, worked_out.computed) == ("1:40", True)


def test_no_end_and_no_figure_is_unknown() -> None:
    story = told(payload(end=None, segments=[seg("s1", 0, 0, None)]))
    assert figure(story, "Total time").text == "unknown"
    assert "never arrived" in story.outcome


def test_queue_abandon_and_still_waiting() -> None:
    abandoned = told(
        payload(queues=[queue("q1", "s1", "Support", 10, 70, queueExitType="abandon")])
    )
    assert abandoned.outcome == "Abandoned in queue Support after 1:00"
    assert abandoned.kind == "abandoned-queue"
    live = told(
        payload(
            end=None,
            dataComplete=False,
            segments=[seg("s1", 0, 0, None)],
            queues=[queue("q1", "s1", "Support", 10, None)],
        ),
        now=BASE + timedelta(seconds=202),
    )
    assert live.outcome == "Still waiting in Support — 3:12 so far"
    assert live.live_since == BASE


def test_transfers_participants_and_totals_per_agent() -> None:
    data = payload(
        end=300,
        segments=[
            seg("s1", 0, 0, 100, segmentEndType="success"),
            seg(
                "s2",
                1,
                90,
                200,
                segmentStartType="transfer",
                segmentEndType="success",
                segmentAgentId="aid-alice",
                segmentToAgentId="aid-bob",
            ),
            seg(
                "s3",
                2,
                190,
                300,
                segmentStartType="transfer",
                segmentAgentId="aid-bob",
                segmentToAgentId="aid-alice",
            ),
        ],
        queues=[
            queue("q1", "s1", "Support", 5, 20, agentId="aid-alice"),
            queue("q2", "s2", "Billing", 90, 100, agentId="aid-bob", queueEntryType="transfer"),
            queue("q3", "s3", "Support", 190, 200, agentId="aid-alice"),
        ],
        agents=[
            agent("a1", "s1", "Alice Okafor", 20, 100),
            agent("a2", "s2", "Bob Lindqvist", 100, 200),
            agent("a3", "s3", "Alice Okafor", 200, 300),
        ],
    )
    story = told(data)
    assert story.outcome.startswith(
        "Answered by Alice Okafor after 0:15 in Support; transferred to Bob Lindqvist in Billing"
    )
    bob = story.legs[1]
    assert (bob.agent, bob.took_from, bob.gave_to) == (
        "Bob Lindqvist",
        "Alice Okafor",
        "Alice Okafor",
    )
    assert bob.ended == "Handed over to Alice Okafor"
    assert [(t.agent, t.legs, t.text) for t in story.totals] == [("Alice Okafor", 2, "3:00 in all")]
    assert figure(story, "Transfers").computed  # no customerTransfers: counted from segments


def test_split_adds_up_and_hold_wins_over_agent() -> None:
    data = payload(
        end=100,
        ivrTime=10,
        queues=[queue("q1", "s1", "Support", 10, 30)],
        agents=[agent("a1", "s1", "Alice", 30, 100)],
        customerHoldTimes=[{"startTimestamp": ts(50), "endTimestamp": ts(70)}],
    )
    story = told(data)
    parts = {p.key: round(p.seconds) for p in story.split}
    assert parts == {"ivr": 10, "queue": 20, "agent": 50, "hold": 20}
    assert abs(sum(p.share for p in story.split) - 1) < 0.01
    assert story.split[0].x == "0.0"


def test_wording_knows_codes_and_keeps_unknown_ones() -> None:
    assert wording.segment_start("addParticant").text == "Adding a participant"
    assert wording.queue_exit("abandon").text == "Customer gave up"
    assert wording.flag_type("Stuck").text == "The end never arrived"
    odd = wording.queue_exit("brand-new-exit")
    assert (odd.text, odd.code, odd.known) == ("brand-new-exit", "brand-new-exit", False)
    assert wording.statistic("TRANSFERCOUNTER").text == "Transfers counted by the flow"
    assert wording.channel(None).text == "Interaction"


def test_status_pill_never_says_complete_beside_a_missing_end() -> None:
    stuck = parse_interaction(json.loads((PAYLOADS / "flagged-stuck.json").read_text()))
    assert presenters.status_of(stuck) == ("Complete — end never arrived", "warn-pill")
    fine = parse_interaction(payload())
    assert presenters.status_of(fine) == ("Complete", "complete")
    live = parse_interaction(payload(end=None, dataComplete=False))
    assert live_status(live, BASE + timedelta(hours=1))[0] == "Live"
    assert "may be stuck" in live_status(live, BASE + timedelta(hours=5))[0]


def test_times_show_their_date_when_the_day_differs() -> None:
    start = datetime(2026, 11, 23, 20, 10, tzinfo=UTC)
    same = presenters._time(start + timedelta(hours=1), UTC, ref=start)
    other = presenters._time(start + timedelta(days=1), UTC, ref=start)
    assert same.text == "21:10:00"
    assert other.text.startswith("2026-11-24 20:10:00")


def test_chat_text_becomes_bubbles_and_odd_text_stays_as_sent() -> None:
    bubbles = presenters.chat_bubbles("[14:03] Customer: hello\n[14:05] Kevin: Hi\nsecond line")
    assert [(b.sender, b.name, b.text) for b in bubbles] == [
        ("customer", "Customer", "hello"),
        ("agent", "Kevin", "Hi\nsecond line"),
    ]
    assert presenters.chat_bubbles("just some text\n[14:03] Customer: hi") == ()


CHAT = "[14:03] Customer: hello\n[14:05] Kevin: Hi\nsecond line\n[14:12] Customer: bye"
CHAT_START = datetime(2026, 11, 13, 14, 3, 7, tzinfo=UTC)
CHAT_END = datetime(2026, 11, 13, 14, 12, 48, tzinfo=UTC)


def test_chat_text_times_are_shown_in_the_viewers_zone() -> None:
    halifax = ZoneInfo("America/Halifax")  # UTC-4 in November
    bubbles = presenters.chat_bubbles(CHAT, start=CHAT_START, end=CHAT_END, zone=halifax)
    assert [(b.name, b.at, b.text) for b in bubbles] == [
        ("Customer", "10:03", "hello"),
        ("Kevin", "10:05", "Hi\nsecond line"),
        ("Customer", "10:12", "bye"),
    ]
    assert bubbles[0].when == "2026-11-13T14:03:00Z"
    assert bubbles[0].written == "14:03 UTC in the transcript"


def test_chat_text_times_past_midnight_are_the_next_day() -> None:
    start = datetime(2026, 11, 13, 23, 58, 30, tzinfo=UTC)
    text = "[23:59:10] Customer: still there?\n[00:01:05] Agent Smith: yes"
    bubbles = presenters.chat_bubbles(text, start=start, end=start + timedelta(minutes=5))
    assert [b.when for b in bubbles] == ["2026-11-13T23:59:10Z", "2026-11-14T00:01:05Z"]
    # In the viewer's zone (UTC here) the second line is on another day than the start.
    assert [b.at for b in bubbles] == ["23:59:10", "2026-11-14 00:01:05"]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        # Written on another clock (the tenant's, four hours behind): never shifted.
        (CHAT_START + timedelta(hours=4), CHAT_END + timedelta(hours=4)),
        # No start to read the day from.
        (None, None),
    ],
)
def test_chat_text_times_that_do_not_read_as_utc_stay_as_written(
    start: datetime | None, end: datetime | None
) -> None:
    bubbles = presenters.chat_bubbles(CHAT, start=start, end=end, zone=ZoneInfo("Asia/Tokyo"))
    assert [(b.at, b.when) for b in bubbles] == [("14:03", ""), ("14:05", ""), ("14:12", "")]


def _facts(tenant: ZoneInfo | None, zone_name: str = "Europe/Berlin") -> dict[str, str]:
    item = parse_interaction(payload(0, 600))  # 10:00:00 to 10:10:00 UTC
    head = presenters.header(item, ZoneInfo(zone_name), zone_name, tenant)
    return {f.label: " · ".join(filter(None, (f.cell.text, f.cell.aside))) for f in head.facts}


def test_start_and_end_say_the_tenants_time_beside_the_viewers() -> None:
    facts = _facts(ZoneInfo("America/New_York"))
    assert facts["Start (Europe/Berlin)"] == (
        "2026-11-20 11:00:00 CET · 05:00:00 in the tenant's zone (America/New_York)"
    )
    assert facts["End (Europe/Berlin)"].endswith(
        " · 05:10:00 in the tenant's zone (America/New_York)"
    )
    assert "tenant" not in facts["Start (UTC)"]
    # Another day on the tenant's clock: dated.
    far = _facts(ZoneInfo("Pacific/Kiritimati"))  # UTC+14: already the next day
    assert (
        "2026-11-21 00:00:00 in the tenant's zone (Pacific/Kiritimati)"
        in far["Start (Europe/Berlin)"]
    )
    # A viewer in UTC sees it beside the UTC time.
    utc = _facts(ZoneInfo("America/New_York"), "UTC")
    assert utc["Start (UTC)"].endswith(" · 05:00:00 in the tenant's zone (America/New_York)")


@pytest.mark.parametrize("tenant", [None, ZoneInfo("Europe/Berlin"), ZoneInfo("Europe/Paris")])
def test_nothing_is_said_of_an_unknown_tenant_zone_or_one_on_the_viewers_clock(
    tenant: ZoneInfo | None,
) -> None:
    facts = _facts(tenant)
    assert facts["Start (Europe/Berlin)"] == "2026-11-20 11:00:00 CET"
    assert not any("tenant" in text for text in facts.values())


def _when(
    data: dict[str, Any], zone: str = "America/Toronto", tenant: ZoneInfo | None = None
) -> str:
    """The summary's when-line as a reader sees it (the tenant's clock after a ·)."""
    w = presenters.when(parse_interaction(data), ZoneInfo(zone), zone, tenant)
    line = f"{w.start.text} – {w.end.text} ({w.zone_name})"
    return f"{line} · {w.theirs}" if w.theirs else line


def test_the_when_line_names_the_viewers_zone_and_the_day() -> None:
    # 10:00:00 to 10:10:00 UTC on Friday 20 November: five hours behind in Toronto.
    assert _when(payload(0, 600)) == "Fri 20 Nov 2026, 05:00:00 – 05:10:00 (America/Toronto)"
    w = presenters.when(parse_interaction(payload(0, 600)), UTC, "UTC")
    assert (w.start.when, w.start.title) == ("2026-11-20T10:00:00Z", "2026-11-20 10:00:00 UTC")
    assert (w.end.when, w.end.title) == ("2026-11-20T10:10:00Z", "2026-11-20 10:10:00 UTC")


def test_an_end_on_another_day_in_the_viewers_zone_says_its_date() -> None:
    # 04:30 to 05:30 UTC: it crosses midnight in Toronto, not in Berlin.
    data = payload(-5.5 * 3600, -4.5 * 3600)
    assert _when(data) == (
        "Thu 19 Nov 2026, 23:30:00 – Fri 20 Nov 2026, 00:30:00 (America/Toronto)"
    )
    assert _when(data, "Europe/Berlin") == ("Fri 20 Nov 2026, 05:30:00 – 06:30:00 (Europe/Berlin)")


@pytest.mark.parametrize(
    ("extra", "end"),
    [
        ({"endTimestamp": None}, "end unknown"),  # it never arrived
        ({"endTimestamp": "not a time"}, "end unknown"),  # unreadable
        ({"endTimestamp": None, "dataComplete": False}, "still going"),  # live
        ({"endTimestamp": None, "dataComplete": None}, "end unknown"),  # completeness unknown
        ({"flagged": True, "flagType": "Stuck"}, "end unknown"),  # the pill says it never came
    ],
)
def test_a_missing_end_is_said_never_made_up(extra: dict[str, Any], end: str) -> None:
    data = {**payload(0, 600), **extra}
    w = presenters.when(parse_interaction(data), UTC, "UTC")
    assert w.start.text == "Fri 20 Nov 2026, 10:00:00"
    assert (w.end.text, w.end.when, w.end.css) == (end, "", "missing")
    assert w.end.title  # why, on hover


def test_a_missing_start_is_said_and_the_end_is_dated() -> None:
    w = presenters.when(parse_interaction({**payload(0, 600), "startTimestamp": None}), UTC, "UTC")
    assert (w.start.text, w.start.when) == ("start unknown", "")
    assert w.end.text == "Fri 20 Nov 2026, 10:10:00"


def test_the_when_line_says_the_start_on_the_tenants_clock_beside_it() -> None:
    chicago = ZoneInfo("America/Chicago")
    assert _when(payload(0, 600), tenant=chicago) == (
        "Fri 20 Nov 2026, 05:00:00 – 05:10:00 (America/Toronto)"
        " · 04:00:00 in the tenant's zone (America/Chicago)"
    )
    # Another day on the tenant's clock: dated.
    assert _when(payload(0, 600), tenant=ZoneInfo("Pacific/Kiritimati")).endswith(
        " · 2026-11-21 00:00:00 in the tenant's zone (Pacific/Kiritimati)"
    )
    # The header carries the same line.
    item = parse_interaction(payload(0, 600))
    head = presenters.header(item, ZoneInfo("America/Toronto"), "America/Toronto", chicago)
    assert head.when == presenters.when(
        item, ZoneInfo("America/Toronto"), "America/Toronto", chicago
    )


@pytest.mark.parametrize(
    "tenant", [None, ZoneInfo("America/Toronto"), ZoneInfo("America/New_York")]
)
def test_the_when_line_says_nothing_of_an_unknown_tenant_zone_or_the_same_clock(
    tenant: ZoneInfo | None,
) -> None:
    assert _when(payload(0, 600), tenant=tenant) == (
        "Fri 20 Nov 2026, 05:00:00 – 05:10:00 (America/Toronto)"
    )
    # Nor when there is no start to put on their clock.
    no_start = {**payload(0, 600), "startTimestamp": None}
    assert "tenant" not in _when(no_start, tenant=ZoneInfo("Asia/Tokyo"))


def test_only_allowed_http_recordings_play_on_the_page() -> None:
    hosts = ("https://rec.example.com",)
    assert playable("https://rec.example.com/a.wav", hosts) == "https://rec.example.com/a.wav"
    assert playable("https://rec.example.com.evil.net/a.wav", hosts) == ""
    assert playable("javascript:alert(1)", hosts) == ""
    assert playable("https://other.example.com/a.wav", hosts) == ""


def test_story_and_wording_import_without_django_or_httpx() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import dashboard.interactions.story, dashboard.interactions.wording; "
        "bad = [m for m in ('django', 'httpx') if m in sys.modules]; "
        "assert not bad, bad"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("seed", range(4))
def test_a_big_interactions_participants_match_a_scan_of_every_record(seed: int) -> None:
    """The story's look-ups (built once, so that 1,000 allocations take milliseconds,
    not a second) find what scanning every record for each allocation finds."""
    from dashboard.demo.generate import generate_interaction
    from dashboard.interactions.story import _by_start, _Names

    i = parse_interaction(generate_interaction(150, seed=seed))
    names = _Names(i)
    legs = story_for(i, NOW).legs
    assert len(legs) == len(i.agents)
    for a, leg in zip(_by_start(i.agents), legs, strict=True):

        def within(moment: datetime | None, a: Any = a) -> bool:
            return moment is not None and a.start <= moment and (a.end is None or moment <= a.end)

        assert leg.hold_count == sum(1 for h in i.holds if within(h.start))
        # Took it from: the agent who started the segment that gave this allocation
        # the work (its interactionSegmentId), per allocation, not per agent.
        took = [
            s
            for s in i.segments
            if s.segment_id == a.segment_id
            and s.number != 0
            and s.agent_id not in (None, a.agent_id)
        ]
        if took:
            assert leg.took_from == names.agent(took[0].agent_id)
        else:
            assert leg.took_from.startswith("queue ")
        gave = [
            s for s in i.segments if s.agent_id == a.agent_id and s.number != 0 and within(s.start)
        ]
        expected = ""
        if gave:
            last = gave[-1]
            if last.to_agent_id:
                expected = names.agent(last.to_agent_id) + (
                    " (added)" if last.add_participant else ""
                )
            else:
                visits = [q for q in i.queues if q.segment_id == last.segment_id]
                expected = f"queue {visits[0].queue_name}" if visits else "a queue"
            expected += " (cancelled)" if last.cancelled else ""
        assert leg.gave_to == expected


def test_where_the_time_went_adds_up_on_a_big_interaction() -> None:
    from dashboard.demo.generate import generate_interaction

    i = parse_interaction(generate_interaction(400, seed=3))
    story = story_for(i, NOW)
    assert i.start is not None and i.end is not None
    assert abs(sum(p.seconds for p in story.split) - (i.end - i.start).total_seconds()) < 1


def test_legs_have_every_field_and_compare_as_dataclasses() -> None:
    """A story's leg is made without ``Leg.__init__`` and the rest of its row when first
    read: each has every field of ``Leg``, whichever row is read first, and compares and
    copies as one made whole."""
    import copy
    from dataclasses import fields, replace

    from dashboard.demo.generate import generate_interaction

    item = parse_interaction(generate_interaction(6, seed=2))
    legs = story_for(item, NOW).legs
    assert legs
    whole = [
        Leg(**{f.name: getattr(leg, f.name) for f in fields(leg)})
        for leg in story_for(item, NOW).legs
    ]
    for leg in reversed(legs):  # the last row first
        assert leg.ended
        assert set(vars(leg)) == {f.name for f in fields(leg)}
        assert replace(leg) == leg
    assert list(legs) == whole
    later = story_for(item, NOW).legs
    assert [copy.copy(leg) for leg in later] == whole
    assert [copy.deepcopy(leg) for leg in story_for(item, NOW).legs] == whole
    assert not hasattr(later[0], "not_a_field")


def test_a_row_read_by_two_threads_at_once_is_the_row_made() -> None:
    """The story is kept per process and read by the worker's threads: a thread whose
    look-up missed a row's words while another thread was making them gets the row made,
    whichever of the maker's last steps it sees (no AttributeError, no TypeError)."""
    from dashboard.interactions.story import _MADE_LATER

    legs = demo("generated-120-transfers.json").legs
    words = object.__getattribute__(legs[3], "_words")
    assert words is not None
    made = {name: getattr(legs[3], name) for name in _MADE_LATER}  # the maker's whole run
    # The reader entered ``__getattr__`` before the maker finished; it then sees the
    # maker done (both marks cleared) …
    assert {name: Leg.__getattr__(legs[3], name) for name in _MADE_LATER} == made
    # … or the mark "words to make" still set and the place already cleared.
    object.__setattr__(legs[3], "_words", words)
    assert {name: Leg.__getattr__(legs[3], name) for name in _MADE_LATER} == made
    with pytest.raises(AttributeError):
        Leg.__getattr__(legs[4], "not_a_field")


def test_a_direct_transfer_is_named_as_one_not_as_a_queue() -> None:
    # The API sends a direct transfer as a visit to a "resource" queue named after the
    # agent: the participants say no queue, and the waits name it as direct.
    story = demo("generated-120-transfers.json")
    direct = [leg for leg in story.legs if leg.agent == "Owen Doucet"]
    assert direct and direct[0].queue == "direct transfer (no queue)"
    assert all(leg.queue != leg.agent for leg in story.legs)
    assert "Owen Doucet (direct) 0:19" in figure(story, "Per visit").text
    # An agent's own queue is still named when the allocation came through it.
    assert any(leg.queue == "Billing" for leg in story.legs)
