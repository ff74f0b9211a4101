"""Markup for the fragments repeated thousands of times on a big interaction.

A 1,000-segment interaction has 23,000 table cells and 3,236 timeline bars.
Written as template loops they render in 715 ms; these tags take 101 ms (best
of 5, ``python bench/tags.py``, this 2-CPU machine, load average 3.5; with
``format_html`` for every cell and bar they took 560 ms). So the markup is
built in Python as plain strings, every value escaped exactly as ``format_html``
and the template engine's autoescape would (``_html``, ``_esc``).
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import template
from django.conf import settings
from django.http import QueryDict
from django.template.defaultfilters import capfirst
from django.template.defaultfilters import date as date_filter
from django.utils.dateformat import DateFormat
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in the stubs

from dashboard.interactions import wording
from dashboard.interactions.story import COMPUTED_MARK, COMPUTED_NOTE
from dashboard.interactions.timeline import KIND_LABELS, hit_box, hit_top

register = template.Library()


def _html(value: Any) -> str:
    """``conditional_escape`` as ``format_html`` applies it, without its wrappers: markup
    already safe stays as it is, anything else is escaped."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return _esc(value)


def _cell_html(cell: Any) -> str:
    text = _html(cell.text)
    if cell.when:
        title = f' title="{_html(cell.title)}"' if cell.title else ""
        body = f'<time datetime="{_html(cell.when)}"{title}>{text}</time>'
    elif cell.title:
        body = f'<span title="{_html(cell.title)}">{text}</span>'
    else:
        body = text
    if cell.aside:
        body += f' <span class="aside-note">· {_html(cell.aside)}</span>'
    if cell.warning:
        body += (
            ' <span class="bang" aria-hidden="true">!</span>'
            f'<span class="warning-text">{_html(cell.warning)}</span>'
        )
    return body


@register.simple_tag
def cell(value: Any) -> SafeString:
    """One formatted cell (``presenters.Cell``)."""
    return mark_safe(_cell_html(value))  # noqa: S308 - every value escaped by _html


@register.simple_tag
def facts_list(facts: Any) -> SafeString:
    """A ``<dl>`` of ``presenters.Fact``: each label (the API's own name on hover, or
    as code when shown as sent) and its cell, a long value folded to its first
    characters behind "Show all". Built as plain strings like the table rows: the
    header's facts are drawn on every view, and the statistics and attributes of a
    big interaction are many."""
    out = ['<dl class="facts">\n  ']
    for fact in facts:
        folded = fact.folded
        preview = folded.preview
        label = _html(fact.label)
        title = f' title="Sent by the API as {_html(fact.name)}"' if fact.name else ""
        shown = f'<code class="as-sent">{label}</code>' if fact.as_sent else label
        body = _cell_html(fact.cell)
        if preview:
            count = _html(folded.count)
            summary = (
                f"Show the first {count} characters"
                ' <span class="hint">(the raw JSON has the whole value)</span>'
                if folded.cut
                else f'Show all <span class="hint">({count} characters)</span>'
            )
            body = (
                f'<span class="fold-preview">{_html(preview)}</span><details class="show-all">'
                f"<summary>{summary}</summary>{body}</details>"
            )
        out.append(
            f'<div class="fact{" long" if preview else ""}"><dt{title}>{shown}</dt>'
            f'<dd class="{_html(fact.cell.css)}">{body}</dd></div>'
        )
    out.append("\n</dl>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped by _html


def _td(cell: Any) -> str:
    """One cell of a record table as a ``<td>``."""
    if cell.css:
        return f'<td class="{_html(cell.css)}">{_cell_html(cell)}</td>'
    return f"<td>{_cell_html(cell)}</td>"


def _row(row: Any, written: dict[int, str] | None = None) -> str:
    """One ``<tr>``; ``written`` keeps the ``<td>`` of each cell already written, by the
    cell's identity: the rows of one table share many cells (an agent, a queue, a time
    where one record ends and the next begins), each written once. Its cells must stay
    alive while it is used (the table's rows hold them)."""
    if written is None:
        cells = "".join(_td(c) for c in row.cells)
    else:
        tds = []
        for c in row.cells:
            td = written.get(id(c))
            if td is None:
                td = written[id(c)] = _td(c)
            tds.append(td)
        cells = "".join(tds)
    css = f' class="{_html(row.css)}"' if row.css else ""
    return f'<tr id="{_html(row.anchor)}"{css}>{cells}</tr>'


@register.simple_tag
def table_rows(table: Any) -> SafeString:
    """The ``<tr>`` rows of a ``presenters.Table`` (or of a ``TableView``), built as
    plain strings with ``format_html``'s escaping: a long table has thousands of cells."""
    return mark_safe("\n".join(_row(row) for row in table.rows))  # noqa: S308 - escaped by _row


@register.simple_tag
def participant_row(row: Any) -> SafeString:
    """One row of the participants table (``presenters.LegRow``), with the blank lines
    around it that the template's partial had. Built as plain strings with autoescape's
    escaping (``_html``): as a partial of twenty values a row, it cost a tenth of a
    millisecond."""
    leg = row.leg
    offered = ' class="offered"' if leg.offered_only else ""
    listened = (
        f'<br><span class="hint listened">{_html(capfirst(leg.listened))}</span>'
        if leg.listened
        else ""
    )
    return mark_safe(  # noqa: S308 - every value escaped by _html
        f'\n        <tr id="{_html(leg.anchor)}"{offered}>\n'
        f'          <th scope="row">{_html(leg.agent)}</th>\n'
        f'          <td data-label="Queue">{_html(leg.queue or "—")}</td>\n'
        f'          <td data-label="Allocated">{_cell_html(row.allocated)}</td>\n'
        f'          <td data-label="With the customer">{_cell_html(row.time_with)}</td>\n'
        f'          <td data-label="Holds">{_html(row.holds)}</td>\n'
        f'          <td data-label="Took it from">{_html(leg.took_from or "—")}{listened}</td>\n'
        f'          <td data-label="Gave it to">{_html(leg.gave_to or "—")}</td>\n'
        f'          <td data-label="Ended">{_html(leg.ended)}</td>\n'
        "        </tr>\n        "
    )


def _count(number: Any) -> str:
    """A count as ``localize`` writes it: its digits, unless thousands are grouped
    (``USE_THOUSAND_SEPARATOR``; then as ``localize`` has it). Asked for every agent
    with a total, it skipped looking up the number formats one count at a time."""
    if type(number) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(number)
    return _html(localize(number))


@register.simple_tag
def agent_totals(totals: Any) -> SafeString:
    """The list items of the agents who had the interaction more than once
    (``story.AgentTotal``): how many times, and for how long in all."""
    return mark_safe(  # noqa: S308 - every value escaped by _html
        "".join(
            f"\n    <li><strong>{_html(t.agent)}</strong>: {_count(t.legs)} times, "
            f"{_html(t.text)}</li>\n    "
            for t in totals
        )
    )


@register.simple_tag
def key_figures(figures: Any) -> SafeString:
    """The key figures' ``<div>`` of term and value (``story.Figure``): a long value
    clamped with all of it on hover, a computed one marked ≈ with how it was worked out.
    Built as plain strings with autoescape's escaping (``_html``), as the template loop
    of ten values a figure cost most of the summary."""
    out = []
    for f in figures:
        css = f"figure{' is-unknown' if f.unknown else ''}{' wide' if f.wide else ''}"
        note = _html(f.note)
        title = ""
        if f.note:
            source = f" (API field {_html(f.source)})" if f.source else ""
            title = f' title="{note}{source}"'
        text = _html(f.text)
        if len(f.text) > 100:
            text = f'<span class="clamp" title="{text}">{text}</span>'
        if f.computed:
            text += (
                f' <abbr class="computed" title="Computed by the dashboard: {note}">'
                '≈<span class="visually-hidden"> computed</span></abbr>'
            )
        out.append(
            f'\n    <div class="{css}">\n      <dt>{_html(f.label)}</dt>\n'
            f"      <dd{title}>{text}</dd>\n    </div>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value escaped by _html


#: Tables longer than this show their first rows and a "show all" link.
TABLE_ROWS_SHOWN = 20


@dataclass(frozen=True)
class TableView:
    """What one record table shows: every row, the first few, or those matching a filter."""

    rows: tuple[Any, ...]
    total: int
    matching: int
    collapsed: bool
    query: str
    expanded: bool

    @property
    def hidden(self) -> int:
        return self.matching - len(self.rows)


def _words(text: str) -> str:
    """``text`` as a filter compares it: one encoding of each accented letter (NFC: a
    name pasted with combining accents is the name shown), case left aside."""
    return unicodedata.normalize("NFC", text).lower()


def _row_text(row: Any) -> str:
    return _words(" ".join(f"{c.text} {c.title}" for c in row.cells))


@register.simple_tag(takes_context=True)
def table_view(context: template.Context, table: Any) -> TableView:
    """The rows of ``table`` to show: all with ``?all=<key>``, those matching
    ``?q=`` (with ``?all=<key>``), all of a short table; none of a table longer than
    ``TABLE_ROWS_SHOWN`` (it is folded: its rows are made when the fold opens)."""
    request = context.get("request")
    params = request.GET if request is not None else {}
    expanded = params.get("all") == table.key
    query = (params.get("q") or "")[:100].strip() if expanded else ""
    total = table.total
    if query:
        words = _words(query)
        rows = tuple(r for r in table.rows if words in _row_text(r))
    elif expanded or total <= TABLE_ROWS_SHOWN:
        rows = table.rows
    else:
        rows = ()
    matching = len(rows) if query else total
    collapsed = not expanded and total > TABLE_ROWS_SHOWN
    return TableView(rows, total, matching, collapsed, query, expanded)


def _table_body(key: str, table: Any, rows: Any) -> str:
    """A record table's scrolled region and ``<table>``: its column heads and ``rows``."""
    columns = "".join(f'<th scope="col">{_html(c)}</th>' for c in table.columns)
    written: dict[int, str] = {}
    body = "\n".join([_row(row, written) for row in rows])
    return (
        f'    <div class="table-scroll" tabindex="0" role="region" aria-labelledby="{key}-title">\n'
        f'      <table id="{key}-table">\n'
        f"        <thead><tr>{columns}</tr></thead>\n"
        f"        <tbody>\n          {body}\n        </tbody>\n      </table>\n    </div>\n"
    )


@register.simple_tag(takes_context=True)
def record_rows(context: template.Context, tables: Any) -> SafeString:
    """The rows of the folded record table htmx asks for when its fold opens (its
    ``HX-Target`` is ``<key>-rows``; else ``?all=<key>`` names it): the same ``<table>``
    the expanded card holds."""
    request = context.get("request")
    wanted = ""
    if request is not None:
        target = request.headers.get("HX-Target") or ""
        wanted = target.removesuffix("-rows") if target.endswith("-rows") else ""
        wanted = wanted or request.GET.get("all", "")
    for table in tables or ():
        if table.key == wanted:
            key = _html(table.key)
            return mark_safe(  # noqa: S308 - every value escaped by _html
                f'<div id="{key}-rows">\n{_table_body(key, table, table.rows)}</div>'
            )
    return mark_safe("")


@register.simple_tag(takes_context=True)
def record_table(context: template.Context, table: Any) -> SafeString:
    """One record table's card: its caption and count, for a long table the filter form
    and the fold, then the rows ``table_view`` picks. Built as plain strings with
    autoescape's escaping (``_html``): as a template included once per table, this glue
    took a fifth of the record fragment."""
    request = context.get("request")
    page: Any = context.get("page")
    path = _html(request.path) if request is not None else ""
    tv = table_view(context, table)
    key = _html(table.key)
    total = localize(tv.total, use_l10n=context.use_l10n)
    long = tv.total > TABLE_ROWS_SHOWN
    caption = _html(table.caption)
    head = (
        f'<section class="card record-table{" long" if long else ""}" '
        f'aria-labelledby="{key}-title" id="{key}">\n'
        f'  <h2 id="{key}-title">{caption} <span class="count">({total})</span></h2>\n  '
    )
    if not table.total:
        return mark_safe(f'{head}<p class="hint">{_html(table.empty)}</p>\n</section>')  # noqa: S308
    tools = fold = ""
    if long:
        tools = _table_tools(context, table, tv, path, page, total)
        if tv.collapsed:
            # Folded: no row is made until the fold opens (htmx asks for ``<key>-rows``);
            # without JavaScript the fold holds the link to the page with every row.
            poll_query = _html(getattr(page, "poll_query", ""))
            link = f"{path}?{poll_query}all={key}"
            fold = (
                f'<details class="table-fold" hx-get="{link}" hx-trigger="toggle once" '
                f'hx-target="#{key}-rows" hx-swap="outerHTML">\n'
                f"    <summary>All {total} rows</summary>"
            )
            body = (
                f'    <div id="{key}-rows" class="rows-later"><p class="hint">'
                f'<a href="{link}#{key}">Show all {total} rows</a></p></div>\n'
            )
        else:
            if tv.query:
                summary = f"{localize(tv.matching, use_l10n=context.use_l10n)} matching rows"
            else:
                summary = f"All {total} rows"
            fold = f'<details class="table-fold" open>\n    <summary>{summary}</summary>'
            body = _table_body(key, table, tv.rows)
    else:
        body = _table_body(key, table, tv.rows)
    return mark_safe(  # noqa: S308 - every value escaped by _html
        f"{head}\n  {tools}\n  {fold}\n{body}  {'</details>' if long else ''}\n  \n</section>"
    )


def _table_tools(
    context: template.Context, table: Any, tv: TableView, path: str, page: Any, total: str
) -> str:
    """A long table's filter form: every row filtered on the server (and live with
    JavaScript), the timeline's view kept, and a link to all rows or back to the first."""
    key = _html(table.key)
    poll_query = getattr(page, "poll_query", "")
    fields = "".join(
        f'<input type="hidden" name="{_html(name)}" value="{_html(value)}">'
        for name, value in getattr(page, "view_fields", ())
    )
    if tv.collapsed:
        link = ""  # the fold beside the form opens the rows (its link, without JavaScript)
    elif tv.expanded:
        back = f"?{_html(poll_query[:-1])}" if poll_query else ""
        link = f'<a href="{path}{back}#{key}">Fold the table</a>'
    else:
        link = ""
    query = _html(tv.query)
    matching = localize(tv.matching, use_l10n=context.use_l10n)
    status = f"{matching} of {total} rows match “{query}”" if tv.query else ""
    return (
        "\n  \n"
        f'  <form class="table-tools" method="get" action="{path}#{key}" role="search" '
        f'aria-label="Filter {_html(table.caption.lower())}">\n'
        f'    <input type="hidden" name="all" value="{key}">{fields}\n'
        f'    <label for="{key}-filter">Filter rows</label>\n'
        f'    <input type="search" id="{key}-filter" name="q" value="{query}" '
        f'data-table-filter="{key}-table" data-total="{total}" placeholder="name, queue…"'
        f"{' autofocus' if tv.query else ''}>\n"
        '    <button type="submit" class="small secondary">Filter</button>\n'
        f"    {link}\n"
        f'    <span class="hint" id="{key}-table-shown" role="status">{status}</span>\n'
        "  </form>\n  "
    )


def _esc(value: object) -> str:
    """``django.utils.html.escape`` without its lazy-string wrapper and SafeString,
    which cost more than the escaping itself when called 20,000 times for one timeline;
    text with nothing to escape (nearly all of it) is returned as it is."""
    text = value if type(value) is str else str(value)
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return html.escape(text)
    return text


def _num(value: float | str) -> SafeString:
    """A coordinate: a float, or a percentage from ``timeline.pct`` (digits, ".", "%")."""
    return SafeString(value)


#: The start of a bar's ``class`` for each kind of bar: "bar kind-<kind>".
_KIND_CLASSES = {kind: f"bar kind-{kind}" for kind in KIND_LABELS}


def _bar(bar: Any, link: str, focus: str, related: Any, shared: tuple[str, str, str, str]) -> str:
    """One bar's markup. Plain string building, not ``format_html``: a big timeline
    has thousands of bars, and its first view draws them all. Every text value goes
    through ``_esc`` (the escaping ``format_html`` and autoescape apply); coordinates
    are numbers from the timeline, and the kind and the side of the text words of the
    code: they need none. ``link`` is the bar links' query up to ``focus=``, already
    escaped; ``shared`` what the bars of a row have alike, written once per row (see
    ``_row_bars``)."""
    bar_id = _esc(bar.id)
    x, width, hit_x, hit_width = hit_box(bar.x, bar.width)
    hit_y, hit_height, body_y, height = shared
    marked = bar.marked
    open_end = bar.open_end
    # Its class: the kind's (escaped when the code does not know it), then its states.
    classes = _KIND_CLASSES.get(bar.kind) or "bar kind-" + _esc(bar.kind)
    if open_end:
        classes += " open"
    if marked:
        classes += " marked"
    if bar.direct:
        classes += " direct"
    for s in bar.states:
        classes += " state-" + _esc(s.lower().replace(" ", "-"))
    if bar.id == focus:
        classes += " focused"
    if bar.id in related:
        classes += " related"
    # The hatching of an open end, the text and the "!": most bars have none of them.
    extra = ""
    if open_end:
        extra = (
            f'<rect class="open-hatch" x="{x}" {body_y} width="{width}" {height} rx="3" '
            'fill="url(#hatch)"></rect>'
        )
    side = bar.label_side
    if side:
        end = ' text-anchor="end"' if side == "left" else ""
        extra += (
            f'<text class="bar-label {side}" x="{bar.text_x}" y="{bar.text_y}"{end}>'
            f"{_esc(bar.text)}</text>"
        )
    if marked:
        extra += (
            f'<svg class="bar-bang" x="{bar.bang_x}" y="{bar.bang_y}" width="20" height="20" '
            'overflow="visible"><circle cx="10" cy="10" r="8"></circle>'
            '<text x="10" y="14.5" text-anchor="middle">!</text></svg>'
        )
    return (
        f'<a href="{link}{bar_id}#detail" hx-get="{link}{bar_id}" id="bar-{bar_id}" '
        f'class="{classes}" data-kind="{_esc(bar.kind)}" data-bar="{bar_id}" '
        f'data-related="{_esc(" ".join(bar.related))}"{_MARKED if marked else ""}>'
        f"<title>{_esc(bar.accessible_name)}</title>"
        f'<rect class="hit" x="{hit_x}" {hit_y} width="{hit_width}" {hit_height}></rect>'
        f'<rect class="bar-body" x="{x}" {body_y} width="{width}" {height} rx="3"></rect>'
        f"{extra}</a>"
    )


_MARKED = ' data-marked="1"'


def _row_bars(bars: Any, link: str, focus: str, related: Any, height: str, hit_height: str) -> str:
    """The bars of one row, one a line: ``timeline_bars`` with its link already escaped and
    its heights already written (``timeline_lanes`` writes them once for every row)."""
    out = []
    shared: tuple[str, str, str, str] | None = None
    last_y = None
    for bar in bars:
        y = bar.y
        if shared is None or y != last_y:  # a row's bars share their y: written once
            last_y = y
            shared = (f'y="{hit_top(y)}"', hit_height, f'y="{y}"', height)
        out.append(_bar(bar, link, focus, related, shared))
    return "\n".join(out)


@register.simple_tag
def timeline_bars(
    row: Any, query: str, focus: str, related: Any, bar_height: float, hit: float = 24.0
) -> SafeString:
    """The bars of one timeline row as SVG links (see the timeline partial).

    Positions are percentages of the chart (``timeline.pct``); each bar carries a
    transparent 24 px target, its text inside or beside it, and a "!" badge when
    it is flagged or inconsistent. The attributes a row's bars share (their tops,
    their heights) are written once per row, not once per bar.
    """
    link = _esc(f"?{query}focus=")
    bars = _row_bars(row.bars, link, focus, related, f'height="{bar_height}"', f'height="{hit}"')
    return mark_safe(bars)  # noqa: S308 - every value escaped by _bar


def _shown(value: Any) -> str:
    """What ``{{ value }}`` writes for a number: localized as the template engine
    localizes it, then escaped."""
    text = localize(value)
    return _html(text if isinstance(text, str) else str(text))


def _lane_query(queries: dict[str, str] | None, key: str) -> str:
    """The query that opens or closes lane ``key`` (``page.lane_queries``), escaped;
    '' when the lane has none."""
    return _html(queries.get(key, "")) if queries else ""


@register.simple_tag(takes_context=True)
def timeline_labels(context: template.Context, timeline: Any) -> SafeString:
    """The row labels beside the chart: per lane its title (with "show fewer" when
    it is opened) and a label per row ("+N more" for the grouped rest). Built as
    plain strings with autoescape's escaping (``_html``), as the template loop wrote
    them: a dozen values per row."""
    request = context.get("request")
    page: Any = context.get("page")
    path = _html(request.path) if request is not None else ""
    queries: dict[str, str] | None = None  # ``page.lane_queries``: worked out when needed
    out = []
    for lane in timeline.lanes:
        key = _html(lane.key)
        title = _html(lane.title)
        noun = _html(str(lane.title).lower())
        fewer = ""
        if lane.expandable and lane.expanded:
            if queries is None:
                queries = getattr(page, "lane_queries", None) or {}
            query = _lane_query(queries, lane.key)
            fewer = (
                f' <a class="tl-fewer" data-focus-key="lane-{key}" '
                f'href="{path}?{query}#timeline" hx-get="{path}?{query}" hx-target="#timeline" '
                'hx-swap="outerHTML" hx-push-url="true">show fewer'
                f'<span class="visually-hidden"> {noun}</span></a>'
            )
        out.append(
            f'\n      <div class="tl-lane tl-lane-{key}">\n        <div class="tl-lane-title">'
            f'<span aria-hidden="true">{title}</span>{fewer}</div>\n        '
        )
        for row in lane.rows:
            grouped = " grouped" if row.grouped else ""
            if row.more:
                if queries is None:
                    queries = getattr(page, "lane_queries", None) or {}
                query = _lane_query(queries, lane.key)
                label = _html(row.label)
                body = (
                    f'<a class="tl-more" data-focus-key="lane-{key}" '
                    f'href="{path}?{query}#timeline" hx-get="{path}?{query}" '
                    'hx-target="#timeline" hx-swap="outerHTML" '
                    f'hx-push-url="true" title="Show every row: {label}">+{_shown(row.more)} more'
                    f'<span class="tl-noun"> {noun}</span></a>'
                )
                out.append(f'\n        <div class="tl-row-label{grouped}">{body}</div>\n        ')
            else:
                label = _html(row.label)
                title_attr = f' title="{label}"' if row.label else ""
                out.append(
                    f'\n        <div class="tl-row-label{grouped}"{title_attr}>'
                    f'<span aria-hidden="true">{label}</span></div>\n        '
                )
        out.append("\n      </div>\n      ")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped by _html


def _moment(value: datetime) -> str:
    """``value|date:"Y-m-d H:i:s T"`` written out: the filter's ``DateFormat`` asked for
    each part in turn, not the format looked up and parsed for every tick (2 µs a
    tick instead of 19)."""
    if not isinstance(value, datetime):
        return str(date_filter(value, "Y-m-d H:i:s T"))
    when = DateFormat(value)
    return f"{when.Y()}-{when.m()}-{when.d()} {when.H()}:{when.i()}:{when.s()} {when.T()}"


@register.simple_tag(takes_context=True)
def timeline_ticks(context: template.Context, timeline: Any, axis: Any) -> SafeString:
    """The axis: per tick a rule down the chart and its label, the moment in full on
    hover (in the viewer's zone, as the ``date`` filter writes it)."""
    height = _shown(timeline.height)
    top = _shown(axis)
    out = []
    for t in timeline.ticks:
        x = _html(t.x_pct)
        moment = _html(_moment(template_localtime(t.at, context.use_tz)))
        out.append(
            f'\n          <line x1="{x}" x2="{x}" y1="{top}" y2="{height}"></line>\n'
            f'          <text x="{x}" y="16" text-anchor="{_html(t.anchor)}"><title>'
            f"{moment}</title>{_html(t.label)}</text>\n          "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value escaped by _html


@register.simple_tag
def timeline_lanes(
    timeline: Any, query: str, focus: str, related: Any, bar_height: float, hit: float = 24.0
) -> SafeString:
    """Every lane of the chart: its group, its rule and its rows' bars (``timeline_bars``)."""
    link = _esc(f"?{query}focus=")
    height, hit_height = f'height="{bar_height}"', f'height="{hit}"'
    out = []
    for lane in timeline.lanes:
        y = _shown(lane.y)
        out.append(
            f'\n        <g class="lane lane-{_html(lane.key)}" role="group" '
            f'aria-label="{_html(lane.title)}">\n'
            f'          <line class="lane-rule" x1="0" x2="100%" y1="{y}" y2="{y}" '
            'aria-hidden="true"></line>\n          '
        )
        for row in lane.rows:
            bars = _row_bars(row.bars, link, focus, related, height, hit_height)
            out.append(f"\n          {bars}\n          ")
        out.append("\n        </g>\n        ")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped by _html and _bar


@register.simple_tag(takes_context=True)
def timeline_overview(context: template.Context, timeline: Any) -> SafeString:
    """The overview strip's links, one per part (``timeline.overview``), each zooming
    there with the lanes expanded, the page it came from and the focus kept. Built as
    plain strings with autoescape's escaping (``_html``): a template loop of a dozen
    values per link took a tenth of the timeline's drawing."""
    request = context.get("request")
    page: Any = context.get("page")
    focus = context.get("focus")
    path = _html(request.path) if request is not None else ""
    keep = ""
    if getattr(page, "expand", ""):
        keep += f"&amp;expand={_html(page.expand)}"
    if getattr(page, "came_from", ""):
        keep += f"&amp;{_html(page.from_query[:-1])}"
    if focus:
        keep += f"&amp;focus={_html(focus)}"
    out = []
    for w in timeline.overview:
        link = f"{path}?{_html(w.query)}{keep}"
        css = f"tl-part level-{w.level}"
        if w.current:
            css += " current"
        if w.marked:
            css += " marked"
        current = 'aria-current="true"' if w.current else ""
        title = f' title="{_html(w.label)}"' if w.text != w.label else ""
        records = f"{w.bars} record{'' if float(w.bars) == 1 else 's'}"
        if w.marked:
            records += ", some flagged or inconsistent"
        bang = '<span class="bang" aria-hidden="true">!</span>' if w.marked else ""
        out.append(
            f'\n    <a class="{css}"\n'
            f'       href="{link}#timeline"\n'
            f'       hx-get="{link}"\n'
            '       hx-target="#timeline" hx-swap="outerHTML" hx-push-url="true"\n'
            f"       {current}{title}\n"
            f'       aria-label="Show {_html(w.label)}: {records}">'
            f'<span class="tl-part-text" aria-hidden="true">{_html(w.text)}</span>{bang}</a>\n    '
        )
    return mark_safe("".join(out))  # noqa: S308 - every value escaped by _html


@register.simple_tag
def timeline_connectors(timeline: Any) -> SafeString:
    """Transfer arrows: down (or up) from the sender's bar, then across to the receiver's.

    The arrowhead is a text glyph, so the chart uses only the SVG elements the
    hostile-input checks allow (no <marker>/<path>).
    """
    out = []
    for c in timeline.connectors:
        x1, x2 = _num(c.x1_pct), _num(c.x2_pct)
        y1, y2 = _num(c.y1), _num(c.y2)
        if c.x2 - c.x1 < 2:  # straight down (or up) onto the receiving bar
            head = format_html(
                '<text class="arrow-head" x="{}" y="{}" text-anchor="middle">{}</text>',
                x1,
                _num(round(c.y2 - 8 if c.y2 > c.y1 else c.y2 + 16, 2)),
                "▼" if c.y2 > c.y1 else "▲",
            )
            out.append(
                format_html(
                    '<line class="connector" x1="{}" y1="{}" x2="{}" y2="{}"></line>{}',
                    x1,
                    y1,
                    x1,
                    y2,
                    head,
                )
            )
        else:
            out.append(
                format_html(
                    '<line class="connector" x1="{}" y1="{}" x2="{}" y2="{}"></line>'
                    '<line class="connector" x1="{}" y1="{}" x2="{}" y2="{}"></line>'
                    '<text class="arrow-head" x="{}" y="{}" text-anchor="end">▶</text>',
                    x1,
                    y1,
                    x1,
                    y2,
                    x1,
                    y2,
                    x2,
                    y2,
                    x2,
                    _num(round(c.y2 + 4, 2)),
                )
            )
    return mark_safe("\n".join(out))  # noqa: S308 - joined format_html output


class MemoizedNode(template.Node):
    def __init__(self, name: str, keys: list[Any], nodelist: template.NodeList) -> None:
        self.name = name
        self.keys = keys
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        from dashboard.interactions.cache import MEMO

        values = [key.resolve(context) for key in self.keys]
        copy = values[0] if values else None
        if copy is None:  # live data: rendered each time
            return self.nodelist.render(context)
        request = context.get("request")
        path = request.path if request is not None else ""
        group = ("fragment", self.name, *copy)
        return MEMO.get(
            (*group, path, *values[1:]),
            lambda: mark_safe(self.nodelist.render(context)),  # noqa: S308 - rendered template
            group=group,
        )


@register.filter
def param(query: Any, name: str) -> str:
    """The last value of ``name`` in ``query`` (a request's GET), '' when it has none: what
    ``request.GET.<name>`` gives, without the three failed lookups (item, attribute,
    index) the template engine tries for a name the address does not have."""
    return query.get(name, "") if isinstance(query, QueryDict) else ""


@register.tag
def memoized(parser: template.base.Parser, token: template.base.Token) -> MemoizedNode:
    """``{% memoized "name" copy_key extra… %}…{% endmemoized %}``

    Renders its content once per copy of the data (``copy_key``, None for live
    data), URL and extra keys, and reuses it in this process: the timeline
    and the record tables of a big interaction take a second to render.
    """
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError("memoized takes a name and a copy key")
    name = bits[1].strip("\"'")
    keys = [parser.compile_filter(bit) for bit in bits[2:]]
    nodelist = parser.parse(("endmemoized",))
    parser.delete_first_token()
    return MemoizedNode(name, keys, nodelist)


@register.filter
def crm_word(code: str | None) -> str:
    """A hook's application in its own spelling ("zendesk" -> "Zendesk"); an unknown
    one as sent; '—' when there is none."""
    return wording.crm(code).text if code else "—"


@register.filter
def channel_word(code: str | None) -> str:
    """A channel code in the interaction page's words ("voice" -> "Call"); an unknown
    one as sent; '—' when there is none."""
    return wording.channel(code).text if code else "—"


@register.filter
def direction_word(code: str | None) -> str:
    """A direction code in words ("inbound" -> "Inbound"); an unknown one as sent."""
    return wording.direction(code).text if code else ""


_COMPUTED_ABBR = (
    f' <abbr class="computed" title="Computed by the dashboard: {html.escape(COMPUTED_NOTE)}">'
    '≈<span class="visually-hidden"> computed</span></abbr>'
)


@register.simple_tag
def outcome_sentence(story: Any) -> SafeString:
    """The outcome sentence, each figure the dashboard worked out marked ≈ as the key
    figures mark theirs (the note on hover, "computed" for screen readers)."""
    return marked(story.marked_outcome or story.outcome)


@register.filter
def marked(text: str) -> SafeString:
    """A text with COMPUTED_MARK after each figure the dashboard worked out, escaped, each
    such figure marked ≈ as the key figures mark theirs."""
    return SafeString(_COMPUTED_ABBR.join(_esc(part) for part in text.split(COMPUTED_MARK)))
