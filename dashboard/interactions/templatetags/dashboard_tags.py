"""Markup for the fragments repeated thousands of times on a big interaction.

A table cell or a timeline bar rendered through ``{% include %}`` costs tens of
template lookups each; a 1,000-segment interaction has ~23,000 cells and ~3,000
bars. These tags build the same markup in Python. Every value goes through
``_e`` (HTML escaping of text and attribute values, quotes included), exactly
as the template engine's autoescape would.
"""

from __future__ import annotations

from html import escape as _html_escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _e(value: Any) -> str:
    return _html_escape(str(value), quote=True)


def _cell(cell: Any) -> str:
    if cell.when:
        title = f' title="{_e(cell.title)}"' if cell.title else ""
        body = f'<time datetime="{_e(cell.when)}"{title}>{_e(cell.text)}</time>'
    elif cell.title:
        body = f'<span title="{_e(cell.title)}">{_e(cell.text)}</span>'
    else:
        body = _e(cell.text)
    if cell.warning:
        body += f' <span class="bang" aria-hidden="true">!</span><span class="warning-text">{_e(cell.warning)}</span>'
    return body


@register.simple_tag
def cell(value: Any) -> SafeString:
    """One formatted cell (``presenters.Cell``)."""
    return mark_safe(_cell(value))  # noqa: S308 - every value escaped by _e


@register.simple_tag
def table_rows(table: Any) -> SafeString:
    """The ``<tr>`` rows of a ``presenters.Table``."""
    out = []
    for row in table.rows:
        css = f' class="{_e(row.css)}"' if row.css else ""
        cells = "".join(
            (f'<td class="{_e(c.css)}">' if c.css else "<td>") + _cell(c) + "</td>" for c in row.cells
        )
        out.append(f'<tr id="{_e(row.anchor)}"{css}>{cells}</tr>')
    return mark_safe("\n".join(out))  # noqa: S308 - every value escaped by _e


@register.simple_tag
def timeline_bars(row: Any, query: str, focus: str, related: Any, bar_height: float) -> SafeString:
    """The bars of one timeline row as SVG links (see ``_timeline.html``)."""
    out = []
    height = _e(bar_height)
    for bar in row.bars:
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
        bar_id = _e(bar.id)
        link = f"?{_e(query)}focus={bar_id}"
        x, y, width = _e(bar.x), _e(bar.y), _e(bar.width)
        parts = [
            f'<a href="{link}#detail" hx-get="{link}" id="bar-{bar_id}" class="{_e(" ".join(classes))}" '
            f'data-kind="{_e(bar.kind)}" data-bar="{bar_id}" data-related="{_e(" ".join(bar.related))}">'
            f"<title>{_e(bar.accessible_name)}</title>"
            f'<rect class="bar-body" x="{x}" y="{y}" width="{width}" height="{height}" rx="3"></rect>'
        ]
        if bar.open_end:
            parts.append(
                f'<rect class="open-hatch" x="{x}" y="{y}" width="{width}" height="{height}" rx="3" '
                'fill="url(#hatch)"></rect>'
            )
        if bar.show_label:
            parts.append(f'<text class="bar-label" x="{_e(bar.text_x)}" y="{_e(bar.text_y)}">'
                         f"{_e(bar.display_label)}</text>")
        if bar.marked:
            parts.append(
                f'<g class="bar-bang"><circle cx="{_e(bar.bang_x)}" cy="{_e(bar.bang_y)}" r="7.5"></circle>'
                f'<text x="{_e(bar.bang_x)}" y="{_e(bar.text_y)}" text-anchor="middle">!</text></g>'
            )
        parts.append("</a>")
        out.append("".join(parts))
    return mark_safe("\n".join(out))  # noqa: S308 - every value escaped by _e


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
