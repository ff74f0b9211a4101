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
from urllib.parse import quote, unquote

from django.conf import settings

from dashboard.index.page_extras import for_page
from dashboard.index.selectors import tenant_zone
from dashboard.index.typical import Panel

from . import presenters, story, timeline
from .domain import Hook, Interaction
from .formatting import clock, parse_clock
from .selectors import Fetched, derived
from .templatetags.dashboard_tags import TABLE_ROWS_SHOWN

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
    #: What happened, in words and figures, with the participants; only for the whole page.
    story: presenters.StoryView | None
    #: The status pill (text, css class); a live one says when it may be stuck.
    status: tuple[str, str]
    #: The recording's URL when its host may play on the page (RECORDING_HOSTS), else ''.
    playable_recording: str
    #: Seconds after which a live interaction is said to be possibly stuck.
    stuck_after: int
    #: Rendered fragments are reused under this key; None when the data is live.
    memo_key: tuple[Hashable, ...] | None
    #: From the index, whole page only: this interaction against the typical one, and
    #: how many other interactions its customer had in the last 30 days (None: unknown).
    typical: Panel | None = None
    journey_count: int | None = None
    #: Lanes shown with one row per name (``?expand=agents,queues``), in URL form.
    expand: str = ""
    #: The flagged list this page was opened from (``?from=``, its filters and sort), kept
    #: in the page's links so previous / next flagged stay after a zoom or a chosen bar.
    came_from: str = ""

    @property
    def flag_evidence(self) -> list[str]:
        """What the records the flag concerns show, when none of them is open: the
        flag's own reason speaks of an end that never arrived, the data of another
        fault (an end before the start, times outside the interaction)."""
        return [
            f"{bar.kind_label} {bar.label}: {warning}"
            for bar in self.timeline.every_bar
            if bar.flagged and not bar.open_end
            for warning in bar.warnings
        ][:5]

    @property
    def flag_reason(self) -> str:
        """Why the platform flagged it, in words. A flag on one kind of record (agent,
        queue, segment) speaks of an end that never arrived; when every record of that
        kind has its end, the box says so rather than repeat a claim the data denies."""
        flag = self.item.flag
        if flag is None:
            return ""
        kind = flag.concerns
        ends: dict[str, list[datetime | None]] = {
            "agent": [a.end for a in self.item.agents],
            "queue": [q.end for q in self.item.queues],
            "segment": [s.end for s in self.item.segments],
        }
        records = ends.get(kind)
        if records is None or None in records:
            return flag.reason
        noun = {"agent": "agent allocation", "queue": "queue visit", "segment": "segment"}[kind]
        claim = f"{flag.reason.rstrip('.')}, the platform says, but"
        if not records:
            return f"{claim} this copy has no {noun} at all."
        return f"{claim} every {noun} in this copy has an end."

    @property
    def big(self) -> bool:
        """Some record list is longer than a table shows unfolded: the page is laid
        out denser, so the interaction still fits in about three screens."""
        i = self.item
        return max(len(i.segments), len(i.queues), len(i.agents)) > TABLE_ROWS_SHOWN

    @property
    def timeline_query(self) -> str:
        """``zoom=…&expand=…&from=…&`` to keep the timeline's view (and the flagged list
        the page came from) in its links, or ''."""
        return self.zoom_query + (f"expand={self.expand}&" if self.expand else "") + self.from_query

    @property
    def from_query(self) -> str:
        """``from=…&`` (the flagged list the page came from), or ''."""
        return f"from={quote(self.came_from, safe='')}&" if self.came_from else ""

    @property
    def poll_query(self) -> str:
        """``timeline_query`` and the focus: a live refresh redraws the same view."""
        return self.timeline_query + (f"focus={quote(self.focus)}&" if self.focus else "")

    @property
    def view_fields(self) -> list[tuple[str, str]]:
        """``poll_query`` as form fields: a table's filter form keeps the timeline's view."""
        return [
            (name, unquote(value))
            for name, _, value in (part.partition("=") for part in self.poll_query.split("&"))
            if name
        ]

    @property
    def lane_queries(self) -> dict[str, str]:
        """Per expandable lane, the query that opens it (or closes it, when open),
        keeping the zoom, the other lanes and the focus."""
        shown = set(filter(None, self.expand.split(",")))
        focus = f"focus={self.focus}" if self.focus else ""
        out = {}
        for lane in EXPANDABLE:
            lanes = ",".join(sorted(shown ^ {lane}))
            parts = [
                self.zoom_query.rstrip("&"),
                f"expand={lanes}" if lanes else "",
                focus,
                self.from_query.rstrip("&"),
            ]
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
    participants: bool = False,
    tables: bool = False,
    index_stamp: str = "",
    live_poll: bool = False,
    came_from: str = "",
) -> InteractionPage:
    """The page for ``fetched``; ``whole`` adds what only the whole page shows,
    ``participants`` every row of a long participants table (and the story);
    ``tables`` the record tables (a folded table's rows, when its fold opens);
    ``index_stamp`` names the index's last pass, whose figures the whole page shows;
    ``live_poll``: a live page's refresh, which also redraws the outcome and figures."""
    item = fetched.interaction
    lanes = tuple(k for k in EXPANDABLE if k in expand.split(","))
    if item.in_progress:  # drawn up to "now": never reused
        line = timeline.timeline_for(item, now, window, lanes)
    else:
        line = derived(
            fetched,
            "timeline",
            window,
            lanes,
            make=lambda: timeline.timeline_for(item, now, window, lanes),
        )
    zoom_query = f"zoom={line.window_start:.1f}-{line.window_end:.1f}&" if line.zoomed else ""
    panel = presenters.detail(line, focus, zone, item.channel_type) if focus else None
    view = None
    hooks: tuple[tuple[Hook, str], ...] = ()
    typical = journey_count = None
    if whole or tables:
        # The tenant's own zone beside the viewer's (SHOW_TENANT_ZONE), once the index knows it.
        theirs = tenant_zone(tenant_id) if settings.SHOW_TENANT_ZONE else None
        view = derived(
            fetched,
            "page",
            zone_name,
            theirs.key if theirs else "",
            make=lambda: presenters.page(item, zone, zone_name, theirs),
        )
    if whole:
        extras = for_page(tenant_id, interaction_id, now=now, stamp=index_stamp)
        typical, journey_count = extras.typical, extras.journey_count
        hooks = tuple(
            (h, presenters.crm_link(h.hook_type, h.hook_id, h.hook_sub_type, dict(crm_templates)))
            for h in item.hooks
        )
    told = None
    if whole or participants or (live_poll and item.in_progress):
        if item.in_progress:
            told = story.story_for(item, now)
        else:
            told = derived(fetched, "story", make=lambda: story.story_for(item, now))
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
        story=(
            presenters.story_view(told, item, zone, zone_name, all_participants=participants)
            if told
            else None
        ),
        status=live_status(item, now) if item.in_progress else presenters.status_of(item),
        stuck_after=round(float(settings.LIVE_STUCK_AFTER_HOURS) * 3600),
        playable_recording=playable(item.audio_recording, settings.RECORDING_HOSTS),
        memo_key=None if item.in_progress else (*fetched.version, zone_name),
        typical=typical,
        journey_count=journey_count,
        expand=",".join(lanes),
        came_from=came_from,
    )


def live_status(item: Interaction, now: datetime) -> tuple[str, str]:
    """ "Live", or "may be stuck" once it has run longer than LIVE_STUCK_AFTER_HOURS."""
    hours = float(settings.LIVE_STUCK_AFTER_HOURS)
    if item.start is not None and (now - item.start).total_seconds() > hours * 3600:
        return f"Live for over {hours:g} h — may be stuck", "warn-pill"
    return "Live", "live"


def playable(url: str | None, hosts: tuple[str, ...]) -> str:
    """``url`` when it is http(s) on one of ``hosts`` (origins), else ''."""
    if not url or not url.startswith(("https://", "http://")):
        return ""
    return url if any(url == h or url.startswith(h + "/") for h in hosts) else ""
