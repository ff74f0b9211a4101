"""The page builder: one viewer's copy of an interaction, a zoom window and a
focus -> one typed page object that the templates read.

No HTTP here: the view decides which part of the page to send (the whole page,
the timeline, the detail panel) and with which status and ETag.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, tzinfo
from typing import Any

from . import presenters, timeline
from .domain import Hook, Interaction
from .formatting import clock, parse_clock
from .selectors import Fetched, derived

GEOMETRY = {
    "width": timeline.WIDTH,
    "axis": timeline.AXIS_HEIGHT - 6,
    "bar": timeline.BAR_HEIGHT,
    "hit": timeline.HIT_SIZE,
}
#: Lanes that ``?expand=`` can open to one row per name.
EXPANDABLE = ("queues", "agents")


@dataclass(frozen=True)
class InteractionPage:
    """Everything the interaction page and its partials show, for one viewer."""

    tenant_id: str
    interaction_id: str
    fetched: Fetched
    item: Interaction
    timeline: timeline.Timeline
    geometry: Mapping[str, float]
    zoom: tuple[presenters.ZoomLink, ...]
    #: ``zoom=a-b&`` to keep the zoom in links (bar links, polls), or ''.
    zoom_query: str
    window: Mapping[str, str]
    focus: str
    focus_related: frozenset[str]
    detail: presenters.Detail | None
    poll_delay: int
    #: The page's tables and facts; only for the whole page.
    view: presenters.Page | None
    hooks: tuple[tuple[Hook, str], ...]
    #: Rendered fragments are reused under this key; None when the data is live.
    memo_key: tuple[Hashable, ...] | None
    #: Lanes shown with one row per name (``?expand=agents,queues``), in URL form.
    expand: str = ""

    @property
    def timeline_query(self) -> str:
        """``zoom=…&expand=…&`` to keep the timeline's view in its links, or ''."""
        return self.zoom_query + (f"expand={self.expand}&" if self.expand else "")

    @property
    def lane_queries(self) -> dict[str, str]:
        """Per expandable lane, the query that opens it (or closes it, when open),
        keeping the zoom, the other lanes and the focus."""
        shown = set(filter(None, self.expand.split(",")))
        focus = f"focus={self.focus}" if self.focus else ""
        out = {}
        for lane in EXPANDABLE:
            lanes = ",".join(sorted(shown ^ {lane}))
            parts = [self.zoom_query.rstrip("&"), f"expand={lanes}" if lanes else "", focus]
            out[lane] = "&".join(p for p in parts if p)
        return out

    @property
    def audit_label(self) -> str:
        title = self.view.header.title if self.view else ""
        return " · ".join(part for part in (title, self.item.flow_name) if part)

    def context(self) -> dict[str, Any]:
        """The template context: the page itself and each of its parts by name."""
        return {"page": self, **{f.name: getattr(self, f.name) for f in fields(self)}}


def zoom_window(params: Mapping[str, str]) -> tuple[float, float] | None:
    """``zoom=a-b`` (seconds) or ``zoom_from``/``zoom_to`` (m:ss) -> a window."""
    if params.get("zoom_from") or params.get("zoom_to"):
        lo = parse_clock(params.get("zoom_from", "") or "0")
        hi = parse_clock(params.get("zoom_to", "") or "")
        if lo is not None and hi is not None:
            return (lo, hi)
        return None if lo is None else (lo, float("inf"))
    raw = params.get("zoom", "")
    lo_text, sep, hi_text = raw.partition("-")
    if not sep:
        return None
    lo, hi = parse_clock(lo_text), parse_clock(hi_text)
    return (lo, hi) if lo is not None and hi is not None else None


def build_page(
    fetched: Fetched,
    *,
    tenant_id: str,
    interaction_id: str,
    zone: tzinfo,
    zone_name: str,
    window: tuple[float, float] | None,
    focus: str,
    now: datetime,
    whole: bool,
    poll_delay: int,
    crm_templates: Mapping[str, str],
    expand: str = "",
) -> InteractionPage:
    """The page for ``fetched``; ``whole`` adds what only the whole page shows."""
    item = fetched.interaction
    lanes = tuple(k for k in EXPANDABLE if k in expand.split(","))
    if item.in_progress:  # drawn up to "now": never reused
        line = timeline.timeline_for(item, now, window, lanes)
    else:
        line = derived(
            fetched, "timeline", window, lanes,
            make=lambda: timeline.timeline_for(item, now, window, lanes),
        )
    zoom_query = f"zoom={line.window_start:.1f}-{line.window_end:.1f}&" if line.zoomed else ""
    panel = presenters.detail(line, focus, zone) if focus else None
    view = None
    hooks: tuple[tuple[Hook, str], ...] = ()
    if whole:
        view = derived(fetched, "page", zone_name, make=lambda: presenters.page(item, zone, zone_name))
        hooks = tuple(
            (h, presenters.crm_link(h.hook_type, h.hook_id, h.hook_sub_type, dict(crm_templates)))
            for h in item.hooks
        )
    return InteractionPage(
        tenant_id=tenant_id,
        interaction_id=interaction_id,
        fetched=fetched,
        item=item,
        timeline=line,
        geometry=GEOMETRY,
        zoom=presenters.zoom_links(line),
        zoom_query=zoom_query,
        window={
            "from": clock(line.window_start),
            "to": clock(line.window_end),
            "total": clock(line.total),
        },
        focus=focus,
        focus_related=frozenset(panel.related_ids) if panel else frozenset(),
        detail=panel,
        poll_delay=poll_delay,
        view=view,
        hooks=hooks,
        memo_key=None if item.in_progress else (*fetched.version, zone_name),
        expand=",".join(lanes),
    )
