"""Search over the index: each filter, customer formats, masking, grants, hostile
input, ranges, paging and sorting, the CSV export and the audit entry."""

from __future__ import annotations

import csv
import html
import importlib
import io
import re
import zoneinfo
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dashboard.index.customer import customer_tail
from dashboard.index.models import IndexedInteraction
from dashboard.reviews.models import AuditEvent, Review, Status

from .rows import OTHER, TENANT, index_row

pytestmark = pytest.mark.django_db

URL = f"/tenants/{TENANT}/search/"


def found(response: Any) -> list[str]:
    """Interaction IDs in the results table, in order."""
    page = response.content.decode()
    return [part.split('"', 1)[0] for part in page.split('data-interaction="')[1:]]


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def three() -> dict[str, Any]:
    now = timezone.now()
    a = index_row(
        start=now - timedelta(hours=1),
        customer="+1 (506) 555-1234",
        queues=[("Support", 30)],
        agents=[("Ann Agent", "Support", 120)],
        channel="voice",
        direction="inbound",
        flow_name="Support flow",
        flagged=True,
        flag_type="missing-queue-exit",
        disposition="Resolved",
    )
    b = index_row(
        start=now - timedelta(hours=3),
        customer="Jane.Doe@Example.com",
        queues=[("Sales", 10)],
        agents=[("Bob Agent", "Sales", 60)],
        channel="email",
        direction="outbound",
        flow_name="Sales flow",
        disposition="Callback",
    )
    c = index_row(
        start=now - timedelta(days=10),
        customer="15065551234",
        queues=[("Support", 5)],
        agents=[("Bob Agent", "Support", 30)],
        channel="voice",
        flow_name="Support flow",
    )
    return {"a": a.interaction_id, "b": b.interaction_id, "c": c.interaction_id}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"agent": "Bob Agent"}, ["b", "c"]),
        ({"queue": "Support"}, ["a", "c"]),
        ({"flow": "Sales flow"}, ["b"]),
        ({"flag": "any"}, ["a"]),
        ({"flag": "missing-queue-exit"}, ["a"]),
        ({"flag": "other-type"}, []),
        ({"channel": "email"}, ["b"]),
        ({"direction": "outbound"}, ["b"]),
        ({"disposition": "Resolved"}, ["a"]),
        ({"range": "24h"}, ["a", "b"]),
        ({"agent": "Bob Agent", "range": "7d"}, ["b"]),
        ({"queue": "Support", "flag": "any"}, ["a"]),
    ],
)
def test_each_filter_finds_exactly_its_interactions(
    open_client: Any, three: dict[str, str], params: dict[str, str], expected: list[str]
) -> None:
    response = open_client.get(URL, params)
    assert response.status_code == 200
    assert found(response) == [three[k] for k in expected]


def test_channels_are_in_words_with_their_code_on_hover(
    open_client: Any, three: dict[str, str]
) -> None:
    page = open_client.get(URL, {"range": "7d"}).content.decode()
    assert '<span title="API code: voice">Call</span>' in page
    assert '<span title="API code: email">Email</span>' in page
    assert '<option value="email">Email</option>' in page  # the filter says it too


@pytest.mark.parametrize(
    "typed",
    [
        "+1 (506) 555-1234",
        "15065551234",
        "+15065551234",
        "1-506-555-1234",
        "1.506.555.1234",
        " +1 506 555 1234 ",
    ],
)
def test_a_phone_number_in_any_common_formatting_finds_the_same_customer(
    open_client: Any, three: dict[str, str], typed: str
) -> None:
    assert found(open_client.get(URL, {"customer": typed})) == [three["a"], three["c"]]


@pytest.mark.parametrize(
    "typed", ["(506) 555-1234", "506-555-1234", "5065551234", "555-1234", " 555 1234 "]
)
def test_a_phone_number_typed_without_its_country_code_finds_the_customer(
    open_client: Any, three: dict[str, str], typed: str
) -> None:
    assert found(open_client.get(URL, {"customer": typed})) == [three["a"], three["c"]]


@pytest.mark.parametrize(
    "typed",
    [
        "55-1234",  # 6 digits: only a whole number matches
        "(506) 555-1235",
        "+44 506 555 1234",  # more digits than the stored number ends with
        "25065551234",
        "doe@example.com",  # emails match whole, never by their end
        "example.com",
    ],
)
def test_only_the_whole_end_of_a_number_matches(
    open_client: Any, three: dict[str, str], typed: str
) -> None:
    assert found(open_client.get(URL, {"customer": typed})) == []


def test_the_same_local_number_in_another_country_is_found_by_its_local_digits(
    open_client: Any, three: dict[str, str]
) -> None:
    abroad = index_row(start=timezone.now() - timedelta(hours=2), customer="+44 506 555 1234")
    local = found(open_client.get(URL, {"customer": "(506) 555-1234"}))
    assert local == [three["a"], abroad.interaction_id, three["c"]]
    # With a country code, only that country's number.
    assert found(open_client.get(URL, {"customer": "+44 506 555 1234"})) == [abroad.interaction_id]
    assert found(open_client.get(URL, {"customer": "+1 506 555 1234"})) == [three["a"], three["c"]]


def test_a_masked_viewer_cannot_search_by_the_end_of_a_number_either(
    masked_client: Any, three: dict[str, str]
) -> None:
    response = masked_client.get(URL, {"customer": "555-1234"})
    assert found(response) == []
    assert "needs the permission to see customer contact details" in text(response)


TAILS = [
    ("", ""),
    ("15065551234", "5551234"),
    ("555123", ""),
    ("jane.doe@example.com", ""),
    ("jane doe", ""),
    ("\u0661\u0662\u0663\u0664\u0665\u0666\u0667", ""),  # digits, but not 0-9
    ("5551234", "5551234"),  # the last row: the last batch is filled too
]


class _Editor:
    """What the migration's fill uses of a schema editor (a real one cannot be opened
    inside a test's transaction on SQLite)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def execute(self, sql: str, params: Any = ()) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_the_migration_fills_tails_by_the_indexers_rule(monkeypatch: Any) -> None:
    """Rows indexed before the column existed get the tail the indexer would store,
    batch after batch."""
    from django.db import connection

    migration = importlib.import_module("dashboard.index.migrations.0005_customer_tail")
    monkeypatch.setattr(migration, "BATCH", 2)
    made = {}
    for key, tail in TAILS:
        assert customer_tail(key) == tail
        row = index_row(customer="x")
        IndexedInteraction.objects.filter(pk=row.pk).update(customer_key=key, customer_tail="")
        made[row.pk] = tail
    migration.fill(None, _Editor(connection))
    stored = dict(IndexedInteraction.objects.values_list("pk", "customer_tail"))
    assert stored == made


@pytest.mark.parametrize(
    "typed", ["jane.doe@example.com", "JANE.DOE@EXAMPLE.COM", " Jane.Doe@Example.com"]
)
def test_an_email_in_any_letter_case_finds_the_customer(
    open_client: Any, three: dict[str, str], typed: str
) -> None:
    assert found(open_client.get(URL, {"customer": typed})) == [three["b"]]


def test_reviewed_or_not(open_client: Any, three: dict[str, str]) -> None:
    Review.objects.create(tenant_id=TENANT, interaction_id=three["b"], status=Status.DONE)
    Review.objects.create(tenant_id=TENANT, interaction_id=three["a"], status=Status.IN_REVIEW)
    assert found(open_client.get(URL, {"reviewed": "yes"})) == [three["b"]]
    assert found(open_client.get(URL, {"reviewed": "no"})) == [three["a"], three["c"]]


def test_a_masked_viewer_cannot_search_by_customer_and_sees_masked_values(
    masked_client: Any, three: dict[str, str]
) -> None:
    response = masked_client.get(URL, {"customer": "+15065551234"})
    assert response.status_code == 200
    assert found(response) == []
    assert "needs the permission to see customer contact details" in text(response)
    listed = masked_client.get(URL)
    page = text(listed)
    assert set(found(listed)) == set(three.values())
    for value in (
        "+1 (506) 555-1234",
        "5065551234",
        "Jane.Doe@Example.com",
        "jane.doe",
        "15065551234",
    ):
        assert value not in page
    assert "1234" in page  # masked, not dropped: the last four digits stay
    assert 'name="customer"' not in page  # no customer field offered


def test_the_audit_entry_never_holds_a_masked_viewers_customer_value(
    masked_client: Any, three: dict[str, str]
) -> None:
    masked_client.get(URL, {"customer": "+15065551234", "agent": "Bob Agent"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.LIST)
    assert "customer=(given)" in event.detail
    assert "refused" in event.detail
    assert "5551234" not in event.detail


def test_the_audit_entry_of_a_customer_search_holds_the_customer_masked(
    open_client: Any, three: dict[str, str]
) -> None:
    # The audit log is read in /admin/ by staff who may not see customers.
    open_client.get(URL, {"customer": "+1 (506) 555-1234"})
    open_client.get(f"/tenants/{TENANT}/search/export.csv", {"customer": "jane.doe@example.com"})
    details = [e.detail for e in AuditEvent.objects.order_by("pk")]
    assert "customer=•••••••1234" in details[0]
    assert "customer=j•••@example.com" in details[1]
    for detail in details:
        assert "5065551234" not in detail and "5551234" not in detail
        assert "jane.doe" not in detail


def test_a_customer_typed_into_another_filter_is_audited_masked(
    open_client: Any, three: dict[str, str]
) -> None:
    """A phone number or an email typed into the agent or disposition box is a customer's
    in the wrong box: the audit log keeps it masked, and names as typed."""
    open_client.get(URL, {"agent": "+1 (506) 555-1234", "disposition": "jane.doe@example.com"})
    open_client.get(URL, {"agent": "Bob Agent", "queue": "Tier 2", "flow": "IVR 2024"})
    details = [e.detail for e in AuditEvent.objects.order_by("pk")]
    assert "agent=•••••••1234" in details[0] and "disposition=j•••@example.com" in details[0]
    assert "5551234" not in details[0] and "jane.doe" not in details[0]
    assert "agent=Bob Agent" in details[1] and "flow=IVR 2024" in details[1]


def test_a_search_is_audited(open_client: Any, three: dict[str, str]) -> None:
    open_client.get(URL, {"agent": "Bob Agent"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.LIST)
    assert event.tenant_id == TENANT
    assert "agent=Bob Agent" in event.detail


def test_other_tenants_rows_are_never_listed_and_ungranted_tenants_are_404(
    open_client: Any, three: dict[str, str]
) -> None:
    stranger = index_row(
        tenant=OTHER, customer="+1 (506) 555-1234", agents=[("Bob Agent", "Support", 9)]
    )
    response = open_client.get(URL, {"customer": "15065551234"})
    assert stranger.interaction_id not in found(response)
    assert open_client.get(f"/tenants/{OTHER}/search/", {"agent": "Bob Agent"}).status_code == 404
    assert open_client.get(f"/tenants/{OTHER}/search/export.csv").status_code == 404


HOSTILE = [
    "'; DROP TABLE index_indexedinteraction; --",
    '" OR 1=1 --',
    "%",
    "_",
    "%%%___",
    "*",
    "Bob%",
    "x" * 10_000,
    "Ünïcödé 😀 客服",
    "a\x00b",
    "<script>alert(1)</script>",
    "\\",
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize(
    "name",
    [
        "customer",
        "agent",
        "queue",
        "flow",
        "flag",
        "channel",
        "disposition",
        "from",
        "sort",
        "page",
    ],
)
def test_hostile_input_is_a_parameter_never_sql(
    open_client: Any, three: dict[str, str], name: str, value: str
) -> None:
    response = open_client.get(URL, {name: value, "range": "custom" if name == "from" else "30d"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    if name in ("agent", "queue", "flow", "flag", "channel", "disposition") or name == "customer":
        assert found(response) == []  # wildcards are characters, not patterns
    # Nothing broken: an ordinary search still answers afterwards.
    assert found(open_client.get(URL, {"agent": "Bob Agent"})) == [three["b"], three["c"]]


def test_an_impossible_range_says_so(open_client: Any, three: dict[str, str]) -> None:
    response = open_client.get(
        URL, {"range": "custom", "from": "2026-03-02T10:00", "to": "2026-03-01T10:00"}
    )
    assert response.status_code == 200
    assert "The range ends before it starts" in text(response)
    assert found(response) == []
    unreadable = open_client.get(
        URL, {"range": "custom", "from": "yesterday-ish", "to": "2026-03-01T10:00"}
    )
    assert "The range could not be read" in text(unreadable)


def test_a_custom_range_finds_what_started_in_it(open_client: Any, three: dict[str, str]) -> None:
    now = timezone.localtime()
    start = (now - timedelta(days=11)).strftime("%Y-%m-%dT%H:%M")
    end = (now - timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")
    assert found(open_client.get(URL, {"range": "custom", "from": start, "to": end})) == [
        three["c"]
    ]


def _field(page: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
    assert match, name
    return match[1]


def test_editing_an_end_of_a_presets_range_searches_that_range(
    open_client: Any, three: dict[str, str]
) -> None:
    """The form shows the preset's range in the viewer's zone; an edited end is a custom
    range although the select still names the preset, and another preset chosen with the
    ends as shown is that preset."""
    open_client.cookies["tz"] = "America%2FHalifax"
    page = open_client.get(URL, {"range": "24h"}).content.decode()
    shown_from, shown_to = _field(page, "from"), _field(page, "to")
    assert (_field(page, "was_from"), _field(page, "was_to")) == (shown_from, shown_to)
    halifax = timezone.now().astimezone(zoneinfo.ZoneInfo("America/Halifax"))
    assert shown_to == halifax.strftime("%Y-%m-%dT%H:%M")
    earlier = (halifax - timedelta(days=11)).strftime("%Y-%m-%dT%H:%M")
    form = {"range": "24h", "was_from": shown_from, "was_to": shown_to, "to": shown_to}
    assert found(open_client.get(URL, {**form, "from": earlier})) == [
        three["a"],
        three["b"],
        three["c"],
    ]
    assert found(open_client.get(URL, {**form, "from": shown_from, "range": "7d"})) == [
        three["a"],
        three["b"],
    ]


def test_the_page_names_the_zone_of_its_times(open_client: Any, three: dict[str, str]) -> None:
    open_client.cookies["tz"] = "America%2FHalifax"
    page = text(open_client.get(URL, {"range": "30d"}))
    assert "times in America/Halifax." in page
    assert "From (America/Halifax)" in re.sub(r"<[^>]+>", "", page)


def test_pages_are_stable_and_sorting_follows_the_column(open_client: Any, settings: Any) -> None:
    from dashboard.index import search

    now = timezone.now()
    ids = [
        index_row(start=now - timedelta(minutes=i), minutes=float(i % 7 + 1)).interaction_id
        for i in range(search.PAGE_SIZE + 5)
    ]
    first, second = open_client.get(URL), open_client.get(URL, {"page": "2"})
    assert found(first) == ids[: search.PAGE_SIZE]
    assert found(second) == ids[search.PAGE_SIZE :]
    assert 'rel="next"' in first.content.decode()
    assert 'rel="next"' not in second.content.decode()
    by_duration = found(open_client.get(URL, {"sort": "duration"}))
    rows = {r: i % 7 + 1 for i, r in enumerate(ids)}
    assert [rows[r] for r in by_duration] == sorted(rows[r] for r in by_duration)
    assert open_client.get(URL, {"page": "999999"}).status_code == 200


def test_htmx_filters_answer_with_the_results_part(open_client: Any, three: dict[str, str]) -> None:
    response = open_client.get(
        URL, {"agent": "Bob Agent"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="search-results"')
    assert "<html" not in page
    assert found(response) == [three["b"], three["c"]]
    assert "HX-Target" in response["Vary"]


def test_the_csv_is_guarded_and_never_stored(open_client: Any) -> None:
    index_row(
        flow_name='=HYPERLINK("http://evil")', customer="+1 506 555 9999", disposition="@SUM(1)"
    )
    response = open_client.get(f"{URL}export.csv", {"flow": '=HYPERLINK("http://evil")'})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "interaction_id"
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["flow"] == '\'=HYPERLINK("http://evil")'
    assert record["disposition"] == "'@SUM(1)"
    assert record["customer"] == "'+1 506 555 9999"


def test_the_csv_gives_durations_as_h_mm_ss_for_spreadsheets(open_client: Any) -> None:
    """As the flagged list's CSV: "1:34" would read as an hour and 34 minutes in a
    spreadsheet, "1 h 15 min" as text; the page keeps the form people read."""
    now = timezone.now()
    short = index_row(start=now - timedelta(hours=1), minutes=94 / 60)
    long = index_row(start=now - timedelta(hours=2), minutes=75)
    unknown = index_row(start=now - timedelta(hours=3), minutes=None)
    rows = list(
        csv.reader(io.StringIO(open_client.get(f"{URL}export.csv").content.decode("utf-8-sig")))
    )
    durations = {r[0]: r[rows[0].index("duration")] for r in rows[1:]}
    assert durations == {
        short.interaction_id: "0:01:34",
        long.interaction_id: "1:15:00",
        unknown.interaction_id: "—",
    }
    page = text(open_client.get(URL))
    assert "1:34" in page and "1 h 15 min" in page


def test_a_masked_viewers_csv_holds_no_customer_value(masked_client: Any) -> None:
    index_row(customer="+1 506 555 7777")
    content = masked_client.get(f"{URL}export.csv").content.decode()
    assert "555 7777" not in content
    assert "5065557777" not in content
    assert "7777" in content


def test_the_home_page_has_a_search_box_for_each_tenant(open_client: Any) -> None:
    page = open_client.get("/").content.decode()
    assert f'action="/tenants/{TENANT}/search/"' in page
    assert 'name="customer"' in page


def test_the_home_page_offers_masked_viewers_no_customer_search(masked_client: Any) -> None:
    page = masked_client.get("/").content.decode()
    assert f'action="/tenants/{TENANT}/search/"' in page
    assert 'name="customer"' not in page


def test_the_flag_filter_is_one_type_whatever_its_spelling_and_says_why_in_words(
    open_client: Any,
) -> None:
    now = timezone.now()
    made = {
        name: index_row(start=now - timedelta(hours=n + 1), flagged=True, flag_type=flag)
        for n, (name, flag) in enumerate(
            [("upper", "AGENT"), ("title", "Agent"), ("spaced", " agent "), ("none", "")]
        )
    }
    index_row(start=now - timedelta(hours=6))  # not flagged
    for asked in ("agent", "Agent", " AGENT"):
        assert set(found(open_client.get(URL, {"flag": asked}))) == {
            made[n].interaction_id for n in ("upper", "title", "spaced")
        }, asked
    assert found(open_client.get(URL, {"flag": "none"})) == [made["none"].interaction_id]
    page = text(open_client.get(URL, {"flag": "Agent"}))
    select = re.search(r'<select name="flag".*?</select>', page, re.S)
    assert select
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0))
    assert options[2:] == [
        ("agent", "An agent's end time never reached reporting. (AGENT, Agent, agent)"),
        ("none", "No flag type given"),
    ]
    assert '<option value="agent" selected>' in page
    assert "An agent's end time never reached reporting." in page.split("<tbody>")[1]


@pytest.mark.parametrize(
    "typed",
    [
        "0044 20 7946 0958",  # the international prefix instead of +
        "(020) 7946-0958",  # the national form, with its trunk 0
        "020 7946 0958",
        "+44 (0)20 7946 0958",  # the trunk 0 kept in brackets
        "+44 20 7946 0958 x123",  # an extension
        "+44 20 7946 0958 ext. 12",
    ],
)
def test_a_number_in_its_national_or_dialled_form_finds_the_customer(
    open_client: Any, typed: str
) -> None:
    london = index_row(customer="+44 20 7946 0958")
    index_row(customer="+44 20 7946 0959")  # someone else
    assert found(open_client.get(URL, {"customer": typed})) == [london.interaction_id]


def test_a_number_typed_in_keypad_letters_finds_the_customer(open_client: Any) -> None:
    flowers = index_row(customer="+1 800 356 9377")
    assert found(open_client.get(URL, {"customer": "1-800-FLOWERS"})) == [flowers.interaction_id]


def test_an_email_pasted_with_spaces_finds_the_customer(open_client: Any) -> None:
    jane = index_row(customer="Jane.Doe@Example.com")
    assert found(open_client.get(URL, {"customer": "jane.doe @ example.com"})) == [
        jane.interaction_id
    ]


def test_a_customer_stored_with_an_extension_is_still_found_as_typed(open_client: Any) -> None:
    with_extension = index_row(customer="+44 20 7946 0958 x123")
    assert found(open_client.get(URL, {"customer": "+44 20 7946 0958 x123"})) == [
        with_extension.interaction_id
    ]


def test_a_queue_or_agent_sent_with_spaces_around_it_is_found_by_its_name(
    open_client: Any,
) -> None:
    from dashboard.demo.generate import generate_interaction
    from dashboard.index.indexer import index_interactions, source_hash
    from dashboard.interactions.parsing import parse_interaction

    raw = generate_interaction(1, seed=3)
    raw["tenantId"] = TENANT
    raw["startTimestamp"] = (timezone.now() - timedelta(hours=1)).isoformat()
    for visit in raw["queues"]:
        visit["queueName"] = "Support "
    for leg in raw["agents"]:
        leg["agentName"] = "José Núñez "
    index_interactions(TENANT, [(parse_interaction(raw), source_hash(raw))])
    iid = str(raw["interactionId"]).lower()
    # The suggestion lists offer the name as the filter reads it.
    page = open_client.get(URL).content.decode()
    assert '<option value="Support">' in page
    assert '<option value="José Núñez">' in page
    for params in ({"queue": "Support"}, {"queue": "Support "}, {"agent": "José Núñez"}):
        assert found(open_client.get(URL, params)) == [iid]


def test_a_page_past_the_last_says_so_and_leads_back(
    open_client: Any, three: dict[str, str]
) -> None:
    page = text(open_client.get(URL, {"agent": "Bob Agent", "page": "3"}))
    assert "No interaction in the index matches" not in page
    assert "Nothing on page 3: the matching interactions end before it." in page
    assert 'href="?agent=Bob+Agent" hx-get="?agent=Bob+Agent"' in page
    assert "Back to the first page" in page


def test_interactions_of_unknown_duration_come_last_either_way(open_client: Any) -> None:
    now = timezone.now()
    short = index_row(start=now - timedelta(hours=1), minutes=1).interaction_id
    long = index_row(start=now - timedelta(hours=2), minutes=9).interaction_id
    unknown = index_row(start=now - timedelta(hours=3), minutes=None).interaction_id
    assert found(open_client.get(URL, {"sort": "-duration"})) == [long, short, unknown]
    assert found(open_client.get(URL, {"sort": "duration"})) == [short, long, unknown]


def test_flows_sort_without_letter_case_blanks_last_and_ties_newest_first(
    open_client: Any,
) -> None:
    """As the flagged list compares names: "apple" before "Billing" before "zeta" whatever
    their case (not every capital before every small letter), a flow not known after every
    named one either way, and rows of one flow newest first."""
    now = timezone.now()
    made = {
        name: index_row(start=now - timedelta(hours=hours), flow_name=flow).interaction_id
        for name, flow, hours in (
            ("zeta", "zeta", 1),
            ("blank", "", 2),
            ("Billing", "Billing", 3),
            ("apple-new", "apple", 4),
            ("apple-old", "Apple", 5),
        )
    }
    ascending = found(open_client.get(URL, {"sort": "flow"}))
    assert ascending == [made[n] for n in ("apple-new", "apple-old", "Billing", "zeta", "blank")]
    descending = found(open_client.get(URL, {"sort": "-flow"}))
    assert descending == [made[n] for n in ("zeta", "Billing", "apple-new", "apple-old", "blank")]


def test_a_name_differing_only_in_case_or_accents_is_suggested_when_nothing_matches(
    open_client: Any,
) -> None:
    jose = index_row(queues=[("Support", 5)], agents=[("José Núñez", "Support", 60)])
    page = text(open_client.get(URL, {"agent": "jose  nunez"}))
    assert "No interaction in the index matches. Did you mean the agent" in page
    assert 'href="?agent=Jos%C3%A9+N%C3%BA%C3%B1ez"' in page
    assert found(open_client.get(URL, {"agent": "José Núñez"})) == [jose.interaction_id]
    assert "Did you mean the queue" in text(open_client.get(URL, {"queue": "SUPPORT"}))
    assert "Did you mean" not in text(open_client.get(URL, {"agent": "Ann"}))


def test_names_holding_a_comma_stay_whole_on_the_page_and_in_the_csv(open_client: Any) -> None:
    many = [
        (f"Agent number {i:02} with a long family name, Jr.", "Support", 10.0) for i in range(14)
    ]
    agents = [("Smith, Ann", "Sales, EMEA", 60.0), ("Bob Jones", "Support", 60.0), *many]
    joined = ", ".join(a for a, _, _ in agents)
    index_row(
        queues=[("Sales, EMEA", 5), ("Support", 5)],
        agents=agents,
        agent_names=joined[:499] + "…",  # as the indexer cuts it
    )
    # More names than the summary's joined column (500 characters) holds: the legs keep all.
    page = open_client.get(URL, {"agent": "Smith, Ann"}).content.decode()
    assert "<bdi>Smith, Ann</bdi>, <bdi>Bob Jones</bdi>" in html.unescape(page)
    assert "<bdi>Sales, EMEA</bdi>, <bdi>Support</bdi>" in html.unescape(page)
    assert "<bdi>Agent number 13 with a long family name, Jr.</bdi>" in html.unescape(page)
    rows = list(
        csv.reader(io.StringIO(open_client.get(f"{URL}export.csv").content.decode("utf-8-sig")))
    )
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["agents"].startswith("Smith, Ann; Bob Jones; Agent number 00")
    assert record["agents"].endswith("Agent number 13 with a long family name, Jr.")
    assert record["queues"] == "Sales, EMEA; Support"


def test_a_direct_transfers_line_is_no_queue_in_results_filters_or_comparisons(
    open_client: Any,
) -> None:
    """The API names a direct transfer's "queue" (type "resource") after the agent: the
    index keeps the visit, marked, and no list, filter or typical figure calls it a queue."""
    from dashboard.index import search, typical
    from dashboard.index.indexer import index_interactions, source_hash
    from dashboard.index.models import AgentLeg, QueueVisit
    from dashboard.interactions.parsing import parse_interaction, parse_list_page
    from tests.novel import novel_body

    body = novel_body("transfer-back-to-first-agent-holds")
    body["tenantId"] = TENANT
    index_interactions(TENANT, [(parse_interaction(body), source_hash(body))])
    assert QueueVisit.objects.get(queue_name="Priya Raman").direct
    assert not QueueVisit.objects.filter(queue_name="Home Insurance", direct=True).exists()
    assert "Priya Raman" not in set(AgentLeg.objects.values_list("queue_name", flat=True))
    start = timezone.localtime(IndexedInteraction.objects.get().start)
    window = {
        "range": "custom",
        "from": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "to": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    page = text(open_client.get(URL, window))
    queues_cell = re.findall(r'<td data-label="Queues">((?:<bdi>[^<]*</bdi>(?:, )?)+)</td>', page)[
        0
    ]
    assert "Home Insurance" in queues_cell and "Priya Raman" not in queues_cell
    assert found(open_client.get(URL, {**window, "queue": "Priya Raman"})) == []
    assert "Priya Raman" not in search.choices(TENANT)["queue"]
    panel = typical.panel_of(IndexedInteraction.objects.get(), now=timezone.now())
    assert "in Priya Raman" not in repr(panel) and "'Priya Raman'" not in repr(panel.slas)
    listed = parse_list_page({"total": 1, "results": [body]}).results[0]
    assert listed.queue_names == ("Home Insurance", "Claims Specialists")


def test_an_agent_only_offered_it_is_found_and_said_to_have_never_accepted(
    open_client: Any,
) -> None:
    """Noah Fischer was offered the call and let the offer time out; Amara Osei took it.
    The agent column names Amara only; a search for Noah still finds the call, and its
    row says he never accepted it (as the interaction's page does)."""
    from dashboard.index.indexer import index_interactions, source_hash
    from dashboard.interactions.parsing import parse_interaction
    from tests.novel import novel_body

    raw = novel_body("offer-timed-out-second-agent-answers")
    index_interactions(TENANT, [(parse_interaction(raw), source_hash(raw))])
    iid = str(raw["interactionId"]).lower()
    params = {"range": "custom", "from": "2026-11-01T00:00", "to": "2026-12-31T00:00"}
    for agent in ("Amara Osei", "Noah Fischer"):
        assert found(open_client.get(URL, {**params, "agent": agent})) == [iid]
    page = re.sub(r"<[^>]+>", "", text(open_client.get(URL, {**params, "agent": "Noah Fischer"})))
    assert "Amara Osei; offered, never accepted: Noah Fischer" in page
    rows = list(
        csv.reader(
            io.StringIO(open_client.get(f"{URL}export.csv", params).content.decode("utf-8-sig"))
        )
    )
    record = dict(zip(rows[0], rows[1], strict=True))
    assert (record["agents"], record["offered_never_accepted"]) == ("Amara Osei", "Noah Fischer")


def test_a_total_the_api_did_not_send_is_worked_out_and_marked_as_on_the_page(
    open_client: Any,
) -> None:
    index_row(total_seconds=None, minutes=2.5)
    page = text(open_client.get(URL))
    assert "2:30 ≈" in page
    assert "Worked out by the dashboard from start and end times" in page
