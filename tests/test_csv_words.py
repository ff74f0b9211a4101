"""The CSV exports say the API's codes in the words their pages show, beside the codes:
the flagged list's channel and direction, the search's channel, direction and flag."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dashboard.accounts.models import TenantGrant
from dashboard.index import search
from dashboard.interactions import list_views
from tests.conftest import allow_contact_details
from tests.index_search.rows import TENANT as INDEX_TENANT
from tests.index_search.rows import index_row
from tests.standin import StandInAPI
from tests.test_flagged import (  # noqa: F401 - fixtures
    FLAGGED,
    LIVE_CSV,
    LIVE_FLAGGED,
    LIVE_RANGE,
    api,
    live_body,
    live_viewer,
    read_csv,
    rows,
)

pytestmark = pytest.mark.django_db

SEARCH = f"/tenants/{INDEX_TENANT}/search/"


def _record(table: list[list[str]], interaction_id: str) -> dict[str, str]:
    header = table[0]
    (found,) = [r for r in table[1:] if r[0] == interaction_id]
    return dict(zip(header, found, strict=True))


def _inert(table: list[list[str]]) -> None:
    for record in table[1:]:
        for cell in record:
            assert cell[:1] not in ("=", "@", "\t", "\r"), cell
            assert cell[:1] not in ("+", "-") or re.fullmatch(r"-?\d+(\.\d+)?", cell), cell


# -- the flagged list's CSV ------------------------------------------------------------


def test_flagged_csv_keeps_its_columns_and_adds_the_codes_in_words() -> None:
    columns = list_views.CSV_COLUMNS
    # The first thirteen stay where scripts read them; the words come after.
    assert columns[:13] == (
        "interaction_id",
        "start",
        "channel",
        "direction",
        "flow",
        "flag_type",
        "flag_reason",
        "duration",
        "customer",
        "review_status",
        "agents",
        "queues",
        "assigned_to",
    )
    assert columns[13:] == ("channel_words", "direction_words")


def test_flagged_csv_says_channel_and_direction_as_the_list_does(
    api: StandInAPI,  # noqa: F811
    live_viewer: Any,  # noqa: F811
) -> None:
    bodies = {
        "call": live_body(1, flag_type="Agent", channel="VOICE"),
        "sms": {**live_body(2, flag_type="Stuck", channel="sms"), "direction": "outbound"},
        "unknown": {
            **live_body(3, flag_type="TRANSFERCOUNTER", channel="carrier-pigeon"),
            "direction": "agent-initiated",
        },
        "hostile": {
            **live_body(4, flag_type="Queue", channel="=cmd|' /C calc'!A0"),
            "direction": "@SUM(1)",
        },
    }
    for body in bodies.values():
        api.interactions[(body["tenantId"], body["interactionId"])] = body
    table = read_csv(live_viewer.get(LIVE_CSV, LIVE_RANGE))
    _inert(table)
    said = {k: _record(table, b["interactionId"]) for k, b in bodies.items()}
    # The codes as sent, their words beside them.
    assert (said["call"]["channel"], said["call"]["channel_words"]) == ("VOICE", "Call")
    assert (said["call"]["direction"], said["call"]["direction_words"]) == ("inbound", "Inbound")
    assert (said["sms"]["channel_words"], said["sms"]["direction_words"]) == ("SMS", "Outbound")
    assert said["unknown"]["direction_words"] == "Agent initiated"
    # A code the dashboard does not know is said as sent, never guessed.
    assert said["unknown"]["channel_words"] == "carrier-pigeon"
    assert said["unknown"]["flag_type"] == "TRANSFERCOUNTER"
    assert said["unknown"]["flag_reason"]  # the flag in words, as the list says it
    # Every new cell goes through the formula guard.
    assert said["hostile"]["channel_words"] == "'=cmd|' /C calc'!A0"
    assert said["hostile"]["direction_words"] == "'@SUM(1)"
    # The list says the same words.
    shown = dict(rows(live_viewer.get(LIVE_FLAGGED, LIVE_RANGE).content.decode()))
    for key in ("call", "sms", "unknown"):
        row = shown[bodies[key]["interactionId"]]
        assert said[key]["channel_words"] in row
        assert said[key]["direction_words"] in row


def test_flagged_demo_csv_words_match_the_list(signed_in: Any) -> None:
    table = read_csv(signed_in.get(FLAGGED + "export.csv"))
    shown = dict(rows(signed_in.get(FLAGGED).content.decode()))
    assert len(table) > 1
    header = table[0]
    for record in table[1:]:
        row = dict(zip(header, record, strict=True))
        assert row["channel"] == "voice" and row["channel_words"] == "Call"
        assert row["direction_words"] == "Inbound"
        assert f"{row['channel_words']} {row['direction_words']}" in shown[row["interaction_id"]]


# -- the search's CSV ------------------------------------------------------------------


@pytest.fixture
def open_client(client: Any, django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user("csv-words-viewer", password="pw-for-tests-1")
    TenantGrant.objects.create(user=user, tenant_id=INDEX_TENANT)
    client.force_login(allow_contact_details(user))
    return client


def test_search_csv_keeps_its_columns_and_adds_the_codes_in_words() -> None:
    assert search.CSV_COLUMNS[:15] == (
        "interaction_id",
        "start",
        "channel",
        "direction",
        "customer",
        "flow",
        "queues",
        "agents",
        "offered_never_accepted",
        "flag_type",
        "disposition",
        "duration",
        "reviewed",
        "review_status",
        "assigned_to",
    )
    assert search.CSV_COLUMNS[15:] == ("channel_words", "direction_words", "flag_reason")


def test_search_csv_says_channel_direction_and_flag_as_the_page_does(open_client: Any) -> None:
    now = timezone.now()
    stuck = index_row(
        start=now - timedelta(hours=1),
        channel="voice",
        direction="inbound",
        flagged=True,
        flag_type="STUCK",
    )
    counter = index_row(
        start=now - timedelta(hours=2),
        channel="Email",
        direction="agent-initiated",
        flagged=True,
        flag_type="TRANSFERCOUNTER",
    )
    plain = index_row(start=now - timedelta(hours=3), channel="work-item", direction="")
    odd = index_row(start=now - timedelta(hours=4), channel="-1+2", direction="=1+1")
    response = open_client.get(f"{SEARCH}export.csv")
    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    _inert(table)
    said = {
        k: _record(table, r.interaction_id)
        for k, r in {"stuck": stuck, "counter": counter, "plain": plain, "odd": odd}.items()
    }
    assert (said["stuck"]["channel"], said["stuck"]["channel_words"]) == ("voice", "Call")
    assert said["stuck"]["direction_words"] == "Inbound"
    assert said["stuck"]["flag_type"] == "STUCK"
    assert said["stuck"]["flag_reason"] == "The interaction's end time never reached reporting."
    assert (said["counter"]["channel_words"], said["counter"]["direction_words"]) == (
        "Email",
        "Agent initiated",
    )
    assert said["counter"]["flag_type"] == "TRANSFERCOUNTER"
    assert said["counter"]["flag_reason"]  # a flag type not known: said in general words
    assert said["plain"]["channel_words"] == "Work item"
    assert (said["plain"]["direction_words"], said["plain"]["flag_reason"]) == ("", "")
    # A code not known is said as sent, through the formula guard like every cell.
    assert said["odd"]["channel_words"] == "'-1+2"
    assert said["odd"]["direction_words"] == "'=1+1"
    # The page says the same words, the code on hover.
    page = html.unescape(open_client.get(SEARCH).content.decode())
    assert '<span title="API code: voice">Call</span>' in page
    assert '<span title="API code: Email">Email</span>' in page
    assert '<span class="hint" title="API code: agent-initiated">Agent initiated</span>' in page
    for key in ("stuck", "counter"):
        assert said[key]["flag_reason"] in page


def test_both_exports_start_with_the_byte_order_mark_excel_reads_utf8_by(
    signed_in: Any, open_client: Any
) -> None:
    """Excel opens a UTF-8 CSV without the mark in the system's legacy code page, so an
    agent named "Zoë" would read "ZoÃ«": each export starts with it, once, before its
    header, and nowhere else."""
    index_row(start=timezone.now() - timedelta(hours=1), agents=[("Zoë Ångström", "Support", 60.0)])
    flagged = signed_in.get(f"{FLAGGED}export.csv")
    found = open_client.get(f"{SEARCH}export.csv")
    assert flagged.status_code == found.status_code == 200
    for body in (flagged.getvalue(), found.content):
        assert body.startswith(b"\xef\xbb\xbf") and body.count(b"\xef\xbb\xbf") == 1
        header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert header[0] == "interaction_id"
    assert "Zoë Ångström" in body.decode("utf-8-sig")
