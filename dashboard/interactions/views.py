"""HTTP only: read the request, call a selector and the page builder, pick a template."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_htmx.http import reswap, retarget

from dashboard.accounts.access import can_view_tenant, granted_tenants
from dashboard.accounts.gate import tenant_url
from dashboard.cxengage import errors
from dashboard.failures import failure_page, log_failure
from dashboard.htmx import HtmxHttpRequest, answers_targets
from dashboard.index.selectors import index_stamp
from dashboard.reviews.models import AuditEvent, Review
from dashboard.reviews.selectors import recently_viewed, review_context
from dashboard.reviews.services import audit

from . import selectors
from .forms import LookupForm
from .pages import InteractionPage, build_page, zoom_window
from .selectors import Fetched

#: The query parameters that choose what the timeline shows.
TIMELINE_VIEW = ("zoom", "zoom_from", "zoom_to", "expand", "focus")

#: The record tables (``presenters.page``), whose rows a long table makes when opened.
RECORD_TABLES = ("segments", "queues", "agents")

PAGE_PARTS = {
    "timeline": "interaction.html#timeline",
    "detail-panel": "interaction.html#detail-panel",
    # The rows of a long participants table after the first few, when its fold opens.
    "participants-rest": "interaction.html#participants-rest",
    # The rows of a folded record table, when its fold opens.
    **{f"{key}-rows": "interaction.html#table-rows" for key in RECORD_TABLES},
}

TABLE_ROW_PARTS = frozenset(f"{key}-rows" for key in RECORD_TABLES)

#: What a live page's refresh sends beside the timeline: the parts outside it that change.
LIVE_PARTS = (
    "interaction.html#status-badge",
    "interaction.html#live-outcome",
    "interaction.html#live-figures",
)


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    grants = granted_tenants(request.user)
    if request.GET:
        form = LookupForm(request.GET)
        if form.is_valid():
            return redirect(
                "interaction",
                tenant_id=form.cleaned_data["tenant_id"],
                interaction_id=form.cleaned_data["interaction_id"],
            )
    else:
        form = LookupForm(initial={"tenant_id": grants[0].tenant_id} if len(grants) == 1 else {})
    context = {
        "form": form,
        "demos": _demos(request),
        "recent": recently_viewed(request.user),
        "grants": grants,
    }
    return render(request, "home.html", context)


def _demos(request: HtmxHttpRequest) -> list[dict[str, str]]:
    if not settings.DEMO_MODE:
        return []
    from dashboard.demo.api import DEMO_TENANT_ID, catalogue

    if not can_view_tenant(request.user, DEMO_TENANT_ID):
        return []
    return [
        {
            "title": e["title"],
            "summary": e["summary"],
            "url": reverse("interaction", args=[DEMO_TENANT_ID, e["interaction_id"]]),
        }
        for e in catalogue()
    ]


@require_GET
@tenant_url
@answers_targets(*PAGE_PARTS, "main")
def interaction(
    request: HtmxHttpRequest, tenant_id: str, interaction_id: str, *, target: str | None
) -> HttpResponse:
    ids = {"tenant_id": tenant_id, "interaction_id": interaction_id}
    try:
        fetched = _fetch(request, tenant_id, interaction_id, frame=target is None)
    except errors.CxEngageError as exc:
        if target == "timeline":
            return _poll_failed(request, exc, ids)
        template = "error.html#detail-error" if target == "detail-panel" else "error.html"
        return failure_page(request, exc, template=template, **ids)
    if fetched is None:  # a slow API: the page's frame now, the rest when it answers
        response = render(request, "interaction_loading.html", ids)
        response["Cache-Control"] = "no-store"
        return response
    if fetched.stale_reason and target == "timeline":
        return _poll_failed(request, errors.ServerError(fetched.stale_reason), ids)
    whole = target not in PAGE_PARTS  # "main" is the frame asking for the whole page
    review = review_context(**ids) if whole else None
    stamp = index_stamp(tenant_id)
    etag = _etag(request, fetched, review.review if review else None, stamp)
    if etag in request.headers.get("If-None-Match", ""):
        if whole:
            audit(request.user, AuditEvent.Action.VIEW, tenant_id, interaction_id, "not modified")
        return _not_modified(etag)
    page = _page(request, fetched, ids, target=target, stamp=stamp)
    if not whole:
        return _tagged(_part(request, page, str(target)), etag)
    audit(request.user, AuditEvent.Action.VIEW, tenant_id, interaction_id, page.audit_label)
    context = {**page.context(), **(review.as_context() if review else {})}
    context["canonical_url"] = request.build_absolute_uri(request.path)
    return _tagged(render(request, "interaction.html", context), etag)


def _part(request: HtmxHttpRequest, page: InteractionPage, target: str) -> HttpResponse:
    """One part of the page (``PAGE_PARTS``), for htmx."""
    response = render(request, PAGE_PARTS[target], page.context())
    if target != "timeline":
        return response
    if "failures" not in request.GET:  # a zoom, an overview part or an opened lane
        if page.focus:
            # The open detail panel follows the timeline's view (its links, "outside the
            # range"): sent again beside it, out of band; not on a live refresh, which
            # would take the keyboard focus from someone reading the panel.
            panel = render(request, PAGE_PARTS["detail-panel"], {**page.context(), "oob": True})
            response.content += panel.content
    elif not page.item.in_progress:
        # A live page's refresh found it over: its status, running time and figures
        # are outside the timeline, so the whole page is loaded again.
        response["HX-Refresh"] = "true"
    else:  # still live: the status, outcome and "so far" figures follow, out of band
        for part in LIVE_PARTS:
            response.content += render(request, part, {**page.context(), "oob": True}).content
    return response


def _fetch(
    request: HtmxHttpRequest, tenant_id: str, interaction_id: str, *, frame: bool
) -> Fetched | None:
    if frame and settings.PAGE_FRAME_AFTER > 0:
        return selectors.get_interaction_within(
            tenant_id=tenant_id,
            interaction_id=interaction_id,
            viewer=request.user,
            wait=settings.PAGE_FRAME_AFTER,
        )
    return selectors.get_interaction(
        tenant_id=tenant_id, interaction_id=interaction_id, viewer=request.user
    )


def _page(
    request: HtmxHttpRequest,
    fetched: Fetched,
    ids: dict[str, str],
    *,
    target: str | None,
    stamp: str = "",
) -> InteractionPage:
    zone = timezone.get_current_timezone()
    participants = target == "participants-rest" or request.GET.get("all") == "participants"
    return build_page(
        fetched,
        **ids,
        zone=zone,
        zone_name=str(getattr(zone, "key", zone)),
        window=zoom_window(request.GET),
        focus=request.GET.get("focus", "")[:100],
        expand=request.GET.get("expand", "")[:40],
        now=timezone.now(),
        whole=target not in PAGE_PARTS,
        participants=participants,
        tables=target in TABLE_ROW_PARTS,
        live_poll=target == "timeline" and "failures" in request.GET,
        came_from=request.GET.get("from", "")[:2000],
        poll_delay=settings.TIMELINE_POLL_SECONDS,
        crm_templates=settings.CRM_LINK_TEMPLATES,
        index_stamp=stamp,
    )


def _poll_failed(
    request: HtmxHttpRequest, exc: errors.CxEngageError, ids: dict[str, str]
) -> HttpResponse:
    """A failed live refresh: keep the timeline shown, back off, say so quietly."""
    failures = _int(request.GET.get("failures"), 0) + 1
    log_failure("timeline refresh", exc)
    # The next try asks for the same view: zoom, open lanes and focus.
    view = urlencode([(k, v) for k, v in request.GET.items() if k in TIMELINE_VIEW])
    context = {
        **ids,
        "page": {"poll_query": f"{view}&" if view else ""},
        "poll_failed": True,
        "poll_failures": failures,
        "poll_delay": min(settings.TIMELINE_POLL_SECONDS * 2**failures, 120),
        "timeline": {"live": True},
        "fetched": {"fetched_at": timezone.now()},
    }
    response = render(request, "interaction.html#live-status", context)
    return reswap(retarget(response, "#live-status"), "outerHTML")


def _int(value: str | None, default: int) -> int:
    try:
        return max(0, min(int(value or default), 20))
    except ValueError:
        return default


def _etag(request: HtmxHttpRequest, fetched: Fetched, review: Review | None, stamp: str) -> str:
    """Everything the response depends on: the data, the viewer, the URL, the build."""
    parts = [
        BUILD_ID,
        fetched.fetched_at.isoformat(),
        fetched.cache_outcome == "stale",
        request.user.pk,
        fetched.masked,
        request.get_full_path(),
        request.headers.get("HX-Request", ""),
        request.headers.get("HX-Target", ""),
        request.COOKIES.get("tz", ""),
        (review.version, review.updated_at.isoformat() if review.pk else "") if review else "",
        # The typical-vs-this panel and the journey count come from the index.
        stamp,
    ]
    return '"' + hashlib.sha256(repr(parts).encode()).hexdigest()[:32] + '"'


def _tagged(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    # Revalidate every time: a repeat with If-None-Match is answered 304 cheaply.
    response["Cache-Control"] = "private, no-cache"
    return response


def _not_modified(etag: str) -> HttpResponse:
    response = HttpResponseNotModified()
    response["Vary"] = "HX-Request, HX-Target, Cookie"
    return _tagged(response, etag)


def _build_id() -> str:
    """Changes whenever templates or static files change, the same on every replica."""
    digest = hashlib.sha256()
    for folder in (settings.BASE_DIR / "templates", settings.BASE_DIR / "static"):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


BUILD_ID = _build_id()


@require_GET
@tenant_url
def interaction_raw(request: HtmxHttpRequest, tenant_id: str, interaction_id: str) -> HttpResponse:
    ids = {"tenant_id": tenant_id, "interaction_id": interaction_id}
    try:
        fetched = selectors.get_interaction(**ids, viewer=request.user)
    except errors.CxEngageError as exc:
        return failure_page(request, exc, **ids)
    if request.GET.get("download"):
        audit(request.user, AuditEvent.Action.EXPORT, tenant_id, interaction_id, "raw JSON")
        response: HttpResponse = JsonResponse(
            fetched.raw, json_dumps_params={"indent": 2, "ensure_ascii": False}
        )
        response["Content-Disposition"] = (
            f'attachment; filename="interaction-{interaction_id}.json"'
        )
    else:
        pretty = json.dumps(fetched.raw, indent=2, ensure_ascii=False)
        response = render(
            request, "raw.html", {**ids, "pretty": pretty, "fetched_at": fetched.fetched_at}
        )
    # Customer data: never kept by the browser or anything between.
    response["Cache-Control"] = "no-store"
    return response
