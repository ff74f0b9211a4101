"""Markup for the fragments repeated thousands of times on a big interaction.

A 1,000-segment interaction has 23,000 table cells and 3,237 timeline bars.
Written as template loops they render in 623 ms; these tags take 412 ms
(best of 5, ``python bench/tags.py``, this 2-CPU machine). So the markup is
built in Python, with ``format_html`` escaping every value exactly as the
template engine's autoescape would.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _cell(cell: Any) -> SafeString:
    if cell.when:
        if cell.title:
            body = format_html(
                '<time datetime="{}" title="{}">{}</time>', cell.when, cell.title, cell.text
            )
        else:
            body = format_html('<time datetime="{}">{}</time>', cell.when, cell.text)
    elif cell.title:
        body = format_html('<span title="{}">{}</span>', cell.title, cell.text)
    else:
        body = format_html("{}", cell.text)
    if cell.warning:
        body = format_html(
            '{} <span class="bang" aria-hidden="true">!</span>'
            '<span class="warning-text">{}</span>',
            body,
            cell.warning,
        )
    return body


@register.simple_tag
def cell(value: Any) -> SafeString:
    """One formatted cell (``presenters.Cell``)."""
    return _cell(value)


def _row(row: Any) -> SafeString:
    cells = format_html_join(
        "",
        "<td{}>{}</td>",
        ((format_html(' class="{}"', c.css) if c.css else "", _cell(c)) for c in row.cells),
    )
    css = format_html(' class="{}"', row.css) if row.css else ""
    return format_html('<tr id="{}"{}>{}</tr>', row.anchor, css, cells)


@register.simple_tag
def table_rows(table: Any) -> SafeString:
    """The ``<tr>`` rows of a ``presenters.Table``."""
    return format_html_join("\n", "{}", ((_row(row),) for row in table.rows))


def _bar_classes(bar: Any, focus: str, related: Any) -> str:
    classes = ["bar", f"kind-{bar.kind}"]
    if bar.open_end:
        classes.append("open")
    if bar.marked:
        classes.append("marked")
    classes += [f"state-{s.lower().replace(' ', '-')}" for s in bar.states]
    if bar.id == focus:
        classes.append("focused")
    if bar.id in related:
        classes.append("related")
    return " ".join(classes)


def _bar(bar: Any, query: str, focus: str, related: Any, height: float) -> SafeString:
    link = format_html("?{}focus={}", query, bar.id)
    parts = [
        format_html(
            '<a href="{}#detail" hx-get="{}" id="bar-{}" class="{}" data-kind="{}" data-bar="{}" '
            'data-related="{}"><title>{}</title>'
            '<rect class="bar-body" x="{}" y="{}" width="{}" height="{}" rx="3"></rect>',
            link,
            link,
            bar.id,
            _bar_classes(bar, focus, related),
            bar.kind,
            bar.id,
            " ".join(bar.related),
            bar.accessible_name,
            bar.x,
            bar.y,
            bar.width,
            height,
        )
    ]
    if bar.open_end:
        parts.append(
            format_html(
                '<rect class="open-hatch" x="{}" y="{}" width="{}" height="{}" rx="3" '
                'fill="url(#hatch)"></rect>',
                bar.x,
                bar.y,
                bar.width,
                height,
            )
        )
    if bar.show_label:
        parts.append(
            format_html(
                '<text class="bar-label" x="{}" y="{}">{}</text>',
                bar.text_x,
                bar.text_y,
                bar.display_label,
            )
        )
    if bar.marked:
        parts.append(
            format_html(
                '<g class="bar-bang"><circle cx="{}" cy="{}" r="7.5"></circle>'
                '<text x="{}" y="{}" text-anchor="middle">!</text></g>',
                bar.bang_x,
                bar.bang_y,
                bar.bang_x,
                bar.text_y,
            )
        )
    parts.append(mark_safe("</a>"))
    return format_html_join("", "{}", ((p,) for p in parts))


@register.simple_tag
def timeline_bars(row: Any, query: str, focus: str, related: Any, bar_height: float) -> SafeString:
    """The bars of one timeline row as SVG links (see the timeline partial)."""
    return format_html_join(
        "\n", "{}", ((_bar(bar, query, focus, related, bar_height),) for bar in row.bars)
    )


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
