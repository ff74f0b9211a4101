"""Times, names and values as the reader needs them: artifacts and "last updated" in
the viewer's zone, unknown statistic and attribute names in words or as sent, and
values whose unit is not known shown as sent."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from dashboard.interactions import presenters, wording
from dashboard.interactions.domain import Extra, Statistic
from dashboard.interactions.parsing import parse_interaction
from tests.novel import novel_body, serve_novel

HALIFAX = ZoneInfo("America/Halifax")
START = datetime(2026, 11, 19, 23, 40, 31, 708000, tzinfo=UTC)  # 19:40:31 in Halifax


def artifact(kind: str, created: str, ident: str = "a-1") -> Extra:
    return Extra("0", json.dumps({"artifactId": ident, "artifactType": kind, "created": created}))


def visible(body: str) -> str:
    """The page's text as read, without markup or attribute values."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


# -- finding 8: every time in the viewer's zone --------------------------------------------


def test_artifacts_are_in_the_viewers_zone_dated_when_on_another_day() -> None:
    facts = presenters.artifact_facts(
        (
            artifact("email", "2026-11-19T23:40:31.748Z", "first"),
            artifact("email", "2026-11-20T13:31:44.015Z", "second"),
        ),
        HALIFAX,
        START,
    )
    same, next_day = (f.cell for f in facts)
    assert [f.label for f in facts] == ["Email artifact", "Email artifact"]
    assert same.text == "19:40:31 AST"
    assert next_day.text == "2026-11-20 09:31:44 AST"
    assert same.title == "2026-11-19 23:40:31.748 UTC"  # the UTC value on hover
    assert next_day.when == "2026-11-20T13:31:44.015000Z"
    assert same.aside == "ID first"


def test_an_artifacts_subject_is_said_before_its_id_escaped_and_cut() -> None:
    """An email thread's artifacts each name their subject, so a reviewer can tell the
    messages apart without opening the raw JSON."""
    facts = presenters.artifact_facts(
        (
            Extra(
                "0",
                json.dumps(
                    {
                        "artifactType": "email",
                        "artifactId": "a1",
                        "subject": "Order #1 wrong size",
                        "created": "2026-11-19T23:40:31.748Z",
                    }
                ),
            ),
            Extra("1", json.dumps({"artifactType": "email", "artifactId": "a2", "subject": "   "})),
            Extra("2", json.dumps({"artifactType": "email", "subject": "<b>x</b>" + "y" * 400})),
        ),
        HALIFAX,
        START,
    )
    assert [f.cell.aside for f in facts[:2]] == ["“Order #1 wrong size” · ID a1", "ID a2"]
    assert facts[2].cell.aside == "“<b>x</b>" + "y" * 192 + "”"  # escaped where written
    body = Template("{% load dashboard_tags %}{% facts_list facts %}").render(
        Context({"facts": facts})
    )
    assert "&lt;b&gt;x&lt;/b&gt;" in body and "<b>x" not in body
    assert "Order #1 wrong size" in body


def test_an_unknown_artifact_type_and_an_unreadable_time_are_shown_as_sent() -> None:
    kind, unreadable = presenters.artifact_facts(
        (artifact("callRecording", "soon"), artifact("audio-recording", "")), HALIFAX, START
    )
    assert kind.label == "Artifact callRecording"
    assert kind.cell.text == "soon" and not kind.cell.when
    assert unreadable.label == "Recording artifact"
    assert unreadable.cell.text == "—"


def test_last_updated_is_in_the_viewers_zone() -> None:
    item = parse_interaction(novel_body("email-next-day"))
    facts = {f.label: f.cell for f in presenters.extra_facts(item, HALIFAX)}
    updated = facts["Last updated"]
    assert updated.text == "2026-11-20 09:32:28 AST"
    assert updated.title == "2026-11-20 13:32:28.322 UTC"


def test_the_email_page_shows_no_time_in_utc_or_as_the_api_wrote_it(
    signed_in: Any, monkeypatch: Any
) -> None:
    url = serve_novel(monkeypatch, "email-next-day")["email-next-day"]
    signed_in.cookies["tz"] = "America%2FHalifax"
    body = signed_in.get(url).content.decode()
    text = visible(body)
    assert "2026-11-19T23:40:31.748Z" not in text
    assert "Email artifact 19:40:31 AST" in text
    assert "Email artifact 2026-11-20 09:31:44 AST" in text
    assert "Last updated 2026-11-20 09:32:28 AST" in text
    # UTC only where a fact says so in its label.
    for match in re.finditer(r"\S+ UTC\b", text):
        assert "(UTC)" in text[max(0, match.start() - 40) : match.start()], match.group()


# -- finding 10: unknown names and values ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "known"),
    [
        ("customerWrapUpTime", "Customer wrap up time", True),
        ("crmDeepLink", "CRM deep link", True),
        ("callbackRequested", "Callback requested", True),
        ("agentID", "Agent ID", True),
        ("CUSTOMERWRAPUPTIME", "CUSTOMERWRAPUPTIME", False),
        ("crm_deep_link", "crm_deep_link", False),
        ("x", "x", False),
    ],
)
def test_unknown_names_are_split_where_camel_case_else_shown_as_sent(
    name: str, text: str, known: bool
) -> None:
    word = wording.name_words(name)
    assert (word.text, word.known, word.code) == (text, known, name)


def test_known_attribute_names_keep_their_words() -> None:
    assert wording.attribute("ivrMenuPath").text == "IVR menu path"
    facts = presenters.attribute_facts(
        (Extra("CRMDEEPLINK", "https://x"), Extra("crmDeepLink", "y"))
    )
    assert [(f.label, f.as_sent, f.name) for f in facts] == [
        ("CRMDEEPLINK", True, "CRMDEEPLINK"),
        ("CRM deep link", False, "crmDeepLink"),
    ]


def test_an_unknown_statistic_is_shown_as_sent_with_no_unit_guessed() -> None:
    fact = presenters.other_stat_fact(Statistic("customerWrapUpTime", "", "duration", 45.2))
    assert (fact.label, fact.cell.text, fact.name) == (
        "Customer wrap up time",
        "45.2",
        "customerWrapUpTime",
    )
    assert "unit is not known" in fact.cell.title
    shouted = presenters.other_stat_fact(Statistic("CUSTOMERWRAPUPTIME", "", "duration", 62.0))
    assert (shouted.label, shouted.cell.text, shouted.as_sent) == ("CUSTOMERWRAPUPTIME", "62", True)
    listed = presenters.other_stat_fact(Statistic("holdBursts", "", "durations", (1.5, 30.0)))
    assert listed.cell.text == "1.5, 30"


def test_a_known_statistic_outside_the_reference_keeps_its_reading() -> None:
    fact = presenters.other_stat_fact(Statistic("thirdPartyTime", "", "duration", 311.0))
    assert (fact.label, fact.cell.text) == ("Time with an outside party on the line", "5:11")
    assert fact.cell.title == "311 s"


def test_the_unknown_codes_page_names_statistics_in_words_and_values_as_sent(
    signed_in: Any, monkeypatch: Any
) -> None:
    url = serve_novel(monkeypatch, "unknown-codes-same-agent-twice")[
        "unknown-codes-same-agent-twice"
    ]
    body = signed_in.get(url).content.decode()
    text = visible(body)
    assert "Customer wrap up time 45.2" in text
    assert "Agent after call work time 62" in text
    assert "Customer sentiment score -0.42" in text
    assert "CRM deep link https://" in text
    assert 'title="Sent by the API as customerWrapUpTime"' in body


# -- finding 15: long texts folded ---------------------------------------------------------------


def test_a_short_text_is_shown_whole() -> None:
    folded = presenters.fold("Called back, all fine.\nTicket closed.")
    assert folded.preview == "" and folded.text.startswith("Called back")


def test_a_long_text_shows_its_first_lines_cut_at_a_word() -> None:
    text = "Customer called about dropped calls at home. " * 200
    folded = presenters.fold(text)
    assert folded.text == text
    assert folded.preview.endswith("…") and len(folded.preview) <= presenters.PREVIEW_CHARS + 1
    assert folded.preview[:-1] == text[: len(folded.preview) - 1].rstrip()
    assert folded.preview[-2] != " " and text[len(folded.preview) - 1] == " "  # a whole word
    assert folded.count == f"{len(text):,}"


def test_many_short_lines_are_folded_too() -> None:
    folded = presenters.fold("\n".join(f"line {n}" for n in range(20)))
    assert folded.preview == "line 0\nline 1\nline 2\nline 3\nline 4…"


def test_an_unbroken_token_is_cut_where_it_must_be() -> None:
    token = "x" * 2000
    assert presenters.fold(token).preview == "x" * presenters.PREVIEW_CHARS + "…"


def test_a_long_fact_value_is_folded_and_a_short_one_is_not() -> None:
    long = presenters.Fact("CRM deep link", presenters.Cell("https://crm.example/" + "x" * 400))
    assert long.folded.preview.endswith("…")
    assert len(long.folded.preview) <= presenters.FACT_PREVIEW_CHARS + 1
    assert presenters.Fact("Account", presenters.Cell("ACC-1")).folded.preview == ""


def test_the_unknown_codes_page_folds_its_notes_and_long_values(
    signed_in: Any, monkeypatch: Any
) -> None:
    url = serve_novel(monkeypatch, "unknown-codes-same-agent-twice")[
        "unknown-codes-same-agent-twice"
    ]
    body = signed_in.get(url).content.decode()
    notes = novel_body("unknown-codes-same-agent-twice")["notes"]
    assert len(notes) > 5000
    # The notes: a preview, then all of them behind a disclosure that says how long they are.
    fold = body.split("Agent's notes</h3>")[1].split("</details>")[0]
    assert 'class="notes fold-preview"' in fold
    assert (
        f'<summary>Show all <span class="hint">({len(notes):,} characters)</span></summary>' in fold
    )
    # Three long values (the disposition, a URL and a token) folded the same way.
    assert body.count('<div class="fact long">') >= 3
    # The long disposition is clamped in the key figures, its whole text on hover.
    disposition = novel_body("unknown-codes-same-agent-twice")["dispositionName"]
    assert f'<span class="clamp" title="{html.escape(disposition, quote=True)}"' in body.replace(
        "&#x27;", "'"
    )


def test_unknown_codes_keep_their_case_in_tables_and_titles() -> None:
    body = novel_body("unknown-codes-same-agent-twice")
    item = parse_interaction(body)
    rows = presenters.segments_table(item, HALIFAX).rows
    said = [row.cells[1].text for row in rows]
    assert said[0] == "Interaction started → blind-transfer-complete"
    assert said[1].startswith("overflow → ")  # unknown: as sent, not "Overflow"
    details = {**body["details"], "direction": None, "channelType": "whatsApp"}
    weird = parse_interaction({**body, "channelType": "whatsApp", "details": details})
    assert presenters.header(weird, HALIFAX, "America/Halifax").title == "Inbound whatsApp"
    alone = parse_interaction(
        {**body, "channelType": "whatsApp", "direction": None, "details": details}
    )
    assert presenters.header(alone, HALIFAX, "America/Halifax").title == "whatsApp"
    details = {**body["details"], "direction": None}
    known = parse_interaction({**body, "direction": None, "details": details})
    assert presenters.header(known, HALIFAX, "America/Halifax").title == "Call"
    # A plain lower-case code still begins the heading with a capital.
    internal = parse_interaction({**body, "direction": "internal", "channelType": "work-item"})
    assert presenters.header(internal, HALIFAX, "America/Halifax").title == "Internal work item"
    fax = parse_interaction({**body, "direction": None, "channelType": "fax", "details": details})
    assert presenters.header(fax, HALIFAX, "America/Halifax").title == "Fax"


def test_a_value_the_parser_cut_is_never_offered_as_all_of_it() -> None:
    from dashboard.interactions.parsing import MAX_VALUE, parse_interaction
    from dashboard.interactions.presenters import fold

    token = "x" * 1_800
    cut = parse_interaction({"interactionId": "i", "tenantId": "t", "flowName": token}).flow_name
    assert cut is not None and len(cut) == MAX_VALUE
    folded = fold(cut, most=160, preview=100)
    assert folded.cut and folded.count == "1,000"
    assert not fold("y" * 900, most=160, preview=100).cut


def test_a_value_longer_than_the_parser_keeps_says_so_on_the_page(
    signed_in: Any, monkeypatch: Any
) -> None:
    url = serve_novel(monkeypatch, "unknown-codes-same-agent-twice")[
        "unknown-codes-same-agent-twice"
    ]
    body = html.unescape(signed_in.get(url).content.decode())
    assert "Show the first 1,000 characters" in body
    assert "Show all (1,000 characters)" not in body.replace('<span class="hint">', "")


def test_a_queue_entered_from_the_flow_on_chat_email_or_sms_is_not_from_an_ivr() -> None:
    from dashboard.interactions import wording

    assert wording.queue_entry_on("ivr", "voice").text == "from the IVR"
    assert wording.queue_entry_on("ivr", None).text == "from the IVR"
    for channel in ("messaging", "email", "sms", "SMS"):
        word = wording.queue_entry_on("ivr", channel)
        assert word.text == "from the flow" and word.code == "ivr"
    assert wording.queue_entry_on("transfer", "email") == wording.queue_entry("transfer")
