"""The record tables and the participants write what they wrote before they were made
faster, byte for byte: time cells as the formatting module writes them, escaping as
autoescape applies it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from dashboard.demo.generate import generate_interaction
from dashboard.interactions import formatting as fmt
from dashboard.interactions import presenters
from dashboard.interactions.pages import InteractionPage
from dashboard.interactions.parsing import parse_interaction
from dashboard.interactions.presenters import Cell, Row, Table
from dashboard.interactions.story import AgentTotal, Figure, story_for
from tests.hostile import SMALL_PAYLOADS

NOW = datetime(2030, 1, 1, tzinfo=UTC)

ZONES: list[tzinfo] = [
    UTC,
    ZoneInfo("America/Halifax"),
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("Pacific/Kiritimati"),
    ZoneInfo("Pacific/Pago_Pago"),
    timezone(timedelta(hours=-3, minutes=-30)),
    timezone(timedelta(hours=5), "%Z-ish"),
]

#: Instants as parsing makes them (UTC, or the offset sent), with and without milliseconds,
#: around a change of day and of daylight saving time, and at the calendar's ends.
MOMENTS = [
    datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC),
    datetime(2026, 12, 1, 0, 0, 0, 123456, tzinfo=UTC),
    datetime(2026, 3, 8, 6, 30, 1, 999, tzinfo=UTC),
    datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
    datetime(2026, 11, 30, 14, 2, 11, 500000, tzinfo=timezone(timedelta(hours=2))),
    datetime(1, 1, 1, 0, 0, 1, tzinfo=UTC),
    datetime(999, 12, 31, 23, 0, tzinfo=UTC),
    datetime(1000, 1, 1, 2, 0, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5))),
]


def _as_formatted(moment: datetime, zone: tzinfo, ref: datetime | None) -> Cell:
    """The cell ``_time`` made with the formatting module's strftime."""
    return Cell(
        fmt.local_text(moment, zone, date=not presenters.same_day(moment, ref, zone)),
        title=fmt.utc_text(moment),
        when=fmt.iso(moment),
    )


@pytest.mark.parametrize("zone", ZONES, ids=str)
@pytest.mark.parametrize("ref", [None, *MOMENTS[:5], MOMENTS[5], MOMENTS[8]], ids=str)
def test_time_cells_read_as_the_formatting_module_writes_them(
    zone: tzinfo, ref: datetime | None
) -> None:
    for moment in MOMENTS:
        assert presenters._time(moment, zone, ref=ref) == _as_formatted(moment, zone, ref)


#: The templates the tags replaced, as they were.
BEFORE = Path(__file__).resolve().parent / "fixtures" / "before"

#: A record table's card as ``interactions/_table.html`` wrote it before ``record_table``.
TABLE_TEMPLATE = (BEFORE / "_table.html").read_text(encoding="utf-8")
TABLE_TAG = "{% load dashboard_tags %}{% record_table table %}"

#: Every hostile string at once, in every value a table shows.
HOSTILE = " ".join(payload for _, payload in SMALL_PAYLOADS[:12])


def _hostile_table(rows: int) -> Table:
    return Table(
        f"rec{HOSTILE}",
        f"Caption {HOSTILE}",
        (HOSTILE, "Time"),
        [f"{n} {HOSTILE}" for n in range(rows)],
        lambda r: Row(
            (
                Cell(r, title=HOSTILE, css=HOSTILE),
                Cell(r, when=HOSTILE, aside=HOSTILE, warning=HOSTILE),
            ),
            anchor=r,
            css=HOSTILE,
        ),
        HOSTILE,
    )


def _tables() -> list[Table]:
    tables = [_hostile_table(n) for n in (0, 3, 20, 21, 45)]
    for segments in (1, 120):
        tables += presenters.page(
            parse_interaction(generate_interaction(segments)), UTC, "UTC"
        ).tables
    return tables


def _page(poll_query: str) -> SimpleNamespace:
    """The queries a table reads from the page, its fields made as the page makes them."""
    fields = InteractionPage.view_fields.fget(SimpleNamespace(poll_query=poll_query))  # type: ignore[attr-defined]
    return SimpleNamespace(poll_query=poll_query, view_fields=fields)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"all": "{key}"},
        {"all": "{key}", "q": "1"},
        {"all": "{key}", "q": f"  {HOSTILE}  "},
        {"all": "{key}", "q": "nothing like it"},
        {"all": "other", "q": "1"},
    ],
)
@pytest.mark.parametrize(
    ("path", "poll_query"),
    [
        ("/t/1/interactions/2/", ""),
        ("/t/\"&<x>'/", "zoom=1.0-2.0&expand=a%22%3Cb%3E&focus=bar-%3Cscript%3E&"),
        ("/p/", "x=<b>&y='&"),
    ],
)
def test_the_table_tag_writes_what_the_template_wrote(
    query: dict[str, str], path: str, poll_query: str
) -> None:
    for table in _tables():
        params = {name: value.replace("{key}", table.key) for name, value in query.items()}
        request = RequestFactory().get("/", params)
        request.path = path
        context = {"table": table, "request": request, "page": _page(poll_query)}
        old = Template(TABLE_TEMPLATE).render(Context(context))
        new = Template(TABLE_TAG).render(Context(context))
        assert new == old


#: The participants' rows and the agents' totals as ``interaction.html`` wrote them
#: before ``participant_row`` and ``agent_totals``.
PARTICIPANT_ROWS = (BEFORE / "participant_rows.html").read_text(encoding="utf-8")
AGENT_TOTALS = (BEFORE / "agent_totals.html").read_text(encoding="utf-8")


def _leg_rows() -> list[Any]:
    """Participant rows of generated and demo interactions, and of hostile legs."""
    rows: list[Any] = []
    for segments in (1, 5, 120):
        item = parse_interaction(generate_interaction(segments))
        view = presenters.story_view(story_for(item, NOW), item, UTC, "UTC")
        rows += view.legs
    for listened in ("", HOSTILE, "silent monitoring"):
        for value in ("", HOSTILE, "plain"):
            leg = SimpleNamespace(
                anchor=f"leg-{HOSTILE}",
                agent=HOSTILE,
                queue=value,
                took_from=value,
                gave_to=value,
                ended=HOSTILE,
                offered_only=bool(value),
                listened=listened,
            )
            rows.append(
                SimpleNamespace(
                    leg=leg,
                    allocated=Cell(HOSTILE, title=HOSTILE, when=HOSTILE),
                    time_with=Cell(value, css=HOSTILE, warning=HOSTILE),
                    holds=HOSTILE,
                )
            )
    return rows


def test_the_participant_tag_writes_what_the_partial_wrote() -> None:
    rows = _leg_rows()
    old = Template(PARTICIPANT_ROWS).render(Context({"legs": rows}))
    new = Template(
        "{% load dashboard_tags %}{% for row in legs %}{% participant_row row %}{% endfor %}"
    ).render(Context({"legs": rows}))
    assert new == old
    assert "&lt;script&gt;" in new and "<script>" not in new


def test_the_totals_tag_writes_what_the_loop_wrote() -> None:
    totals: list[Any] = [
        AgentTotal(HOSTILE, 3, None),
        AgentTotal("Plain", 12, 4000.5),
        AgentTotal("", 2, 0.0),
    ]
    for segments in (5, 120):
        totals += story_for(parse_interaction(generate_interaction(segments)), NOW).totals
    old = Template(AGENT_TOTALS).render(Context({"totals": totals}))
    new = Template("{% load dashboard_tags %}{% agent_totals totals %}").render(
        Context({"totals": totals})
    )
    assert new == old


#: The key figures as ``interaction.html`` wrote them before ``key_figures``.
KEY_FIGURES = "{% load dashboard_tags %}" + (BEFORE / "key_figures.html").read_text(
    encoding="utf-8"
)


def test_the_figures_tag_writes_what_the_loop_wrote() -> None:
    figures: list[Any] = [
        Figure(label, text, computed, unknown, note, source, wide)
        for label in (HOSTILE,)
        for text in ("", "0:42", HOSTILE, "x" * 100, "<" * 101)
        for computed in (False, True)
        for unknown, wide in ((False, False), (True, True))
        for note, source in (("", ""), (HOSTILE, ""), (HOSTILE, HOSTILE), ("", HOSTILE))
    ]
    for segments in (1, 5, 120):
        figures += story_for(parse_interaction(generate_interaction(segments)), NOW).figures
    context = {"s": SimpleNamespace(figures=figures)}
    old = Template(KEY_FIGURES).render(Context(context))
    new = Template("{% load dashboard_tags %}{% key_figures s.figures %}").render(Context(context))
    assert new == old


def test_cells_and_rows_are_frozen_dataclasses_as_before() -> None:
    """Cells and rows write their fields at once; they still compare, hash, print and
    are replaced as frozen dataclasses, and cannot be changed."""
    import dataclasses

    cell = Cell("12:00:01", title="2030-01-01 12:00:01 UTC", when="2030-01-01T12:00:01Z")
    assert cell == Cell("12:00:01", "2030-01-01 12:00:01 UTC", "", "2030-01-01T12:00:01Z")
    assert hash(cell) == hash(Cell("12:00:01", when="2030-01-01T12:00:01Z", title=cell.title))
    assert cell != Cell("12:00:01")
    assert repr(Cell("a", css="b")) == (
        "Cell(text='a', title='', css='b', when='', warning='', aside='')"
    )
    assert dataclasses.replace(cell, aside="x") == Cell(
        cell.text, cell.title, "", cell.when, "", "x"
    )
    assert dataclasses.asdict(Cell("t", warning="w")) == {
        "text": "t",
        "title": "",
        "css": "",
        "when": "",
        "warning": "w",
        "aside": "",
    }
    row = Row((cell, Cell("b")), anchor="segment-1")
    assert row == Row(cells=(cell, Cell("b")), anchor="segment-1", css="")
    assert {row, Row((cell, Cell("b")), "segment-1")} == {row}
    assert dataclasses.replace(row, css="cancelled").css == "cancelled"
    for thing, name in ((cell, "text"), (row, "anchor")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(thing, name, "changed")


def test_the_param_filter_reads_what_a_request_get_lookup_read() -> None:
    from django.http import QueryDict

    from dashboard.interactions.templatetags.dashboard_tags import param

    request = RequestFactory().get("/", {"all": ["agents", "segments"], "q": ""})
    for name in ("all", "q", "missing"):
        old = Template("{{ request.GET." + name + " }}").render(Context({"request": request}))
        new = Template('{% load dashboard_tags %}{{ request.GET|param:"' + name + '" }}').render(
            Context({"request": request})
        )
        assert new == old
    assert param(request.GET, "all") == "segments"
    assert param(QueryDict(""), "all") == ""
    assert param("", "all") == "" and param(None, "q") == ""


@pytest.mark.parametrize("cls", [Cell, Row])
def test_a_cell_and_a_row_take_every_field_of_their_class_with_its_default(cls: type) -> None:
    # Their __init__ is written by hand (one step, not the dataclass's field by field):
    # a field added to the class and not to it would silently keep the class default.
    import dataclasses
    import inspect

    taken = [
        (p.name, p.default)
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.name != "self"
    ]
    declared = [
        (f.name, inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default)
        for f in dataclasses.fields(cls)
    ]
    assert taken == declared
