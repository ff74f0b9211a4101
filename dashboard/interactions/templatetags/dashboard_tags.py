"""Markup for the fragments repeated thousands of times on a big interaction.

A table cell or a timeline bar rendered through ``{% include %}`` costs tens of
template lookups each; a 1,000-segment interaction has ~9,000 cells and ~3,000
bars. These tags build the same markup in Python, escaping every value with
``format_html``/``escape`` exactly as the template engine would.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _cell(cell: Any) -> str:
    if cell.when:
        title = format_html(' title="{}"', cell.title) if cell.title else ""
        body = format_html('<time datetime="{}"{}>{}</time>', cell.when, title, cell.text)
    elif cell.title:
        body = format_html('<span title="{}">{}</span>', cell.title, cell.text)
    else:
        body = escape(cell.text)
    if cell.warning:
        body += format_html(
            ' <span class="bang" aria-hidden="true">!</span><span class="warning-text">{}</span>', cell.warning
        )
    return body


@register.simple_tag
def cell(value: Any) -> SafeString:
    """One formatted cell (``presenters.Cell``)."""
    return mark_safe(_cell(value))  # noqa: S308 - every piece was escaped above


@register.simple_tag
def table_rows(table: Any) -> SafeString:
    """The ``<tr>`` rows of a ``presenters.Table``."""
    out = []
    for row in table.rows:
        css = format_html(' class="{}"', row.css) if row.css else ""
        cells = "".join(
            format_html("<td{}>", format_html(' class="{}"', c.css) if c.css else "") + _cell(c) + "</td>"
            for c in row.cells
        )
        out.append(format_html('<tr id="{}"{}>', row.anchor, css) + cells + "</tr>")
    return mark_safe("\n".join(out))  # noqa: S308 - built from escaped pieces


@register.simple_tag
def timeline_bars(row: Any, query: str, focus: str, related: Any, bar_height: float) -> SafeString:
    """The bars of one timeline row as SVG links (see ``_timeline.html``)."""
    out = []
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
        link = f"?{query}focus={bar.id}"
        parts = [
            format_html(
                '<a href="{}#detail" hx-get="{}" id="bar-{}" class="{}" data-kind="{}" data-bar="{}" data-related="{}">'
                '<title>{}</title>'
                '<rect class="bar-body" x="{}" y="{}" width="{}" height="{}" rx="3"></rect>',
                link, link, bar.id, " ".join(classes), bar.kind, bar.id, " ".join(bar.related),
                bar.accessible_name, bar.x, bar.y, bar.width, bar_height,
            )
        ]
        if bar.open_end:
            parts.append(format_html(
                '<rect class="open-hatch" x="{}" y="{}" width="{}" height="{}" rx="3" fill="url(#hatch)"></rect>',
                bar.x, bar.y, bar.width, bar_height,
            ))
        if bar.show_label:
            parts.append(format_html('<text class="bar-label" x="{}" y="{}">{}</text>',
                                     bar.text_x, bar.text_y, bar.display_label))
        if bar.marked:
            parts.append(format_html(
                '<g class="bar-bang"><circle cx="{}" cy="{}" r="7.5"></circle>'
                '<text x="{}" y="{}" text-anchor="middle">!</text></g>',
                bar.bang_x, bar.bang_y, bar.bang_x, bar.text_y,
            ))
        parts.append("</a>")
        out.append("".join(parts))
    return mark_safe("\n".join(out))  # noqa: S308 - built from escaped pieces
