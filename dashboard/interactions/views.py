"""HTTP only: read the request, call one service, pick a template."""

from __future__ import annotations

import hashlib
import json
import logging
import math
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from dashboard.accounts.access import can_view_tenant, granted_tenants
from dashboard.cxengage import errors
from dashboard.reviews.models import AuditEvent
from dashboard.reviews.services import audit, recently_viewed
from dashboard.reviews.views import review_context

from . import presenters, services, timeline
from .formatting import clock, parse_clock
from .forms import LookupForm

log = logging.getLogger("dashboard.interactions")

GEOMETRY = {
    "width": timeline.WIDTH,
    "axis": timeline.AXIS_HEIGHT - 6,
    "bar": timeline.BAR_HEIGHT,
}

# What each upstream failure means for the person looking at the page.
FAILURES: dict[type[errors.CxEngageError], tuple[int, str, str, bool]] = {
    errors.NotFound: (
        404,
        "No such interaction in this tenant",
        "The CxEngage API has no interaction with this ID in this tenant. Check the ID and "
        "the tenant: a link copied from another tenant's ticket will not work here.",
        False,
    ),
    errors.Forbidden: (
        403,
        "The dashboard may not read this interaction",
        "The CxEngage API refused: the dashboard's API user lacks the INTERACTIONS_API_READ_ALL "
        "permission or access to this tenant. Ask the dashboard's operator to grant it.",
        False,
    ),
    errors.AuthenticationFailed: (
        502,
        "The dashboard's API credentials are wrong",
        "The CxEngage API rejected the dashboard's credentials. This is for the dashboard's "
        "operator to fix: check CXENGAGE_USERNAME/CXENGAGE_PASSWORD or CXENGAGE_API_KEY/"
        "CXENGAGE_API_SECRET.",
        False,
    ),
    errors.RateLimited: (
        503,
        "The CxEngage API is busy",
        "The API asked the dashboard to slow down.",
        True,
    ),
    errors.Unavailable: (
        503,
        "The CxEngage API is unavailable",
        "The API could not be reached or answered with an error. This is usually brief: try again.",
        True,
    ),
    errors.Timeout: (
        504,
        "The CxEngage API did not answer in time",
        "The API took too long to answer. Try again; if it keeps happening the API is struggling.",
        True,
    ),
    errors.BadResponse: (
        502,
        "The CxEngage API sent something unreadable",
        "The API's answer could not be read (not JSON, not an interaction, or too large). "
        "Trying again may help; if not, tell the dashboard's operator.",
        True,
    ),
}


def _failure_page(
    request: HttpRequest, exc: errors.CxEngageError, context: dict[str, Any], *, fragment: bool = False
) -> HttpResponse:
    status, title, explanation, retry = next(
        spec for cls, spec in FAILURES.items() if isinstance(exc, cls)
    )
    if isinstance(exc, errors.Unavailable) and exc.status and exc.status >= 500 and not isinstance(exc, errors.RateLimited):
        status = 502
    retry_after = math.ceil(exc.retry_after) if exc.retry_after is not None else None
    if isinstance(exc, errors.RateLimited):
        retry_after = retry_after or 5
        explanation += f" Try again in {retry_after} s."
    log.warning(
        "interaction page failed: %s (upstream status %s, path %s)",
        exc.kind,
        exc.status,
        exc.path,
        extra={"failure": exc.kind, "upstream_status": exc.status, "upstream_path": exc.path},
    )
    response = render(
        request,
        "interactions/_detail_error.html" if fragment else "error.html",
        {**context, "status": status, "title": title, "explanation": explanation, "retry": retry,
         "detail": exc.message, "retry_after": retry_after},
        status=status,
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _zone_name() -> str:
    zone = timezone.get_current_timezone()
    return str(getattr(zone, "key", zone))


def _checked_ids(request: HttpRequest, tenant_id: str, interaction_id: str) -> tuple[str, str] | HttpResponse:
    """Canonical IDs, a redirect to the canonical URL, or a 404 — before any upstream call."""
    tenant = services.normalise_uuid(tenant_id.lower())
    interaction = services.normalise_uuid(interaction_id.lower())
    if tenant is None or interaction is None:
        raise Http404("That is not an interaction ID: IDs are UUIDs.")
    if (tenant, interaction) != (tenant_id, interaction_id):
        target = request.path.replace(tenant_id, tenant).replace(interaction_id, interaction)
        query = request.META.get("QUERY_STRING")
        return redirect(target + (f"?{query}" if query else ""), permanent=True)
    if not can_view_tenant(request.user, tenant):
        # The same answer as a missing interaction: no hint that the tenant exists.
        raise Http404("No such interaction.")
    return tenant, interaction


@require_GET
def home(request: HttpRequest) -> HttpResponse:
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
    demos = []
    if settings.DEMO_MODE:
        from dashboard.demo.api import DEMO_TENANT_ID, catalogue

        if can_view_tenant(request.user, DEMO_TENANT_ID):
            demos = [
                {"title": e["title"], "summary": e["summary"],
                 "url": reverse("interaction", args=[DEMO_TENANT_ID, e["interaction_id"]])}
                for e in catalogue()
            ]
    recent = recently_viewed(request.user)
    return render(request, "home.html", {"form": form, "demos": demos, "recent": recent, "grants": grants})


def _zoom_window(params: Any) -> tuple[float, float] | None:
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


def _poll_failed(request: HttpRequest, exc: errors.CxEngageError, context: dict[str, Any]) -> HttpResponse:
    """A failed live refresh: keep the timeline shown, back off, say so quietly."""
    failures = _int(request.GET.get("failures"), 0) + 1
    log.warning("timeline refresh failed: %s (upstream status %s)", exc.kind, exc.status,
                extra={"failure": exc.kind, "upstream_status": exc.status, "upstream_path": exc.path})
    response = render(
        request,
        "interactions/_live_status.html",
        {**context, "poll_failed": True, "poll_failures": failures,
         "poll_delay": min(settings.TIMELINE_POLL_SECONDS * 2**failures, 120),
         "timeline": {"live": True}, "fetched": {"fetched_at": timezone.now()}},
    )
    response["HX-Retarget"] = "#live-status"
    response["HX-Reswap"] = "outerHTML"
    return response


def _int(value: str | None, default: int) -> int:
    try:
        return max(0, min(int(value or default), 20))
    except ValueError:
        return default


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def interaction(request: HttpRequest, tenant_id: str, interaction_id: str) -> HttpResponse:
    checked = _checked_ids(request, tenant_id, interaction_id)
    if isinstance(checked, HttpResponse):
        return checked
    tenant_id, interaction_id = checked
    target = request.htmx.target if request.htmx else None
    window = _zoom_window(request.GET)
    focus = request.GET.get("focus", "")[:100]
    zoom_query = ""
    context: dict[str, Any] = {"tenant_id": tenant_id, "interaction_id": interaction_id}
    try:
        if target is None and settings.PAGE_FRAME_AFTER > 0:
            # A slow API: show the page's frame at once, and the rest when it answers.
            found = services.get_interaction_within(tenant_id, interaction_id, settings.PAGE_FRAME_AFTER)
            if found is None:
                response = render(request, "interaction_loading.html", context)
                response["Cache-Control"] = "no-store"
                return response
        else:
            found = services.get_interaction(tenant_id, interaction_id)
        fetched = services.for_viewer(found, request.user)
    except errors.CxEngageError as exc:
        if target == "timeline":
            return _poll_failed(request, exc, context)
        return _failure_page(request, exc, context, fragment=target == "detail-panel")
    if target == "main":  # the frame's request for the rest: answer with the whole page
        target = None
    if fetched.stale_reason and target == "timeline":
        return _poll_failed(request, errors.Unavailable(fetched.stale_reason), context)
    review = review_context(request.user, tenant_id, interaction_id) if target is None else {}
    etag = _etag(request, fetched, review.get("review"))
    if etag in request.headers.get("If-None-Match", ""):
        if target is None:
            audit(request.user, AuditEvent.Action.VIEW, tenant_id, interaction_id, "not modified")
        return _not_modified(etag)
    item = fetched.interaction
    zone = timezone.get_current_timezone()
    if item.in_progress:  # drawn up to "now": never reused
        line = timeline.timeline_for(item, timezone.now(), window)
    else:
        line = services.memo(fetched, "timeline", window,
                             make=lambda: timeline.timeline_for(item, timezone.now(), window))
    if line.zoomed:
        zoom_query = f"zoom={line.window_start:.1f}-{line.window_end:.1f}&"
    panel = presenters.detail(line, focus, zone) if focus else None
    context.update(
        item=item,
        fetched=fetched,
        timeline=line,
        geometry=GEOMETRY,
        zoom=presenters.zoom_links(line),
        zoom_query=zoom_query,
        window={"from": clock(line.window_start), "to": clock(line.window_end), "total": clock(line.total)},
        focus=focus,
        focus_related=set(panel.related_ids) if panel else set(),
        detail=panel,
        poll_delay=settings.TIMELINE_POLL_SECONDS,
        poll_failures=0,
    )
    zone_name = _zone_name()

    def fragment(template: str, *key: Any) -> SafeString:
        """Render a fragment that depends only on the data, the zone and ``key``.

        For a complete interaction it is rendered once per copy of the data and
        process, and reused by every viewer (the masked and unmasked copies
        have different versions); a live one is drawn up to "now" each time.
        """
        def make() -> SafeString:
            return mark_safe(render_to_string(template, context, request))  # noqa: S308 - a rendered template

        if item.in_progress:
            return make()
        return services.memo(fetched, template, zone_name, request.path, *key, make=make)

    timeline_key = (zoom_query, focus)
    if target == "timeline":
        return _tagged(HttpResponse(fragment("interactions/_timeline.html", *timeline_key)), etag)
    if target == "detail-panel":
        return _tagged(render(request, "interactions/_detail.html", context), etag)
    context["view"] = services.memo(fetched, "page", zone_name,
                                    make=lambda: presenters.page(item, zone, zone_name))
    context["hooks"] = [
        (hook, presenters.crm_link(hook.hook_type, hook.hook_id, hook.hook_sub_type, settings.CRM_LINK_TEMPLATES))
        for hook in item.hooks
    ]
    context["timeline_html"] = fragment("interactions/_timeline.html", *timeline_key)
    context["record_html"] = fragment("interactions/_record.html")
    context["canonical_url"] = request.build_absolute_uri(request.path)
    context.update(review)
    label = " · ".join(part for part in (context["view"].header.title, item.flow_name) if part)
    audit(request.user, AuditEvent.Action.VIEW, tenant_id, interaction_id, label)
    return _tagged(render(request, "interaction.html", context), etag)


def _etag(request: HttpRequest, fetched: services.Fetched, review: Any) -> str:
    """Everything the response depends on: the data, the viewer, the URL, the build."""
    parts = [
        BUILD_ID, fetched.fetched_at.isoformat(), fetched.cache_outcome == "stale",
        request.user.pk, fetched.interaction.redacted, request.get_full_path(),
        request.headers.get("HX-Request", ""), request.headers.get("HX-Target", ""),
        request.COOKIES.get("tz", ""),
        (review.version, review.updated_at.isoformat() if review.pk else "") if review is not None else "",
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
def interaction_raw(request: HttpRequest, tenant_id: str, interaction_id: str) -> HttpResponse:
    checked = _checked_ids(request, tenant_id, interaction_id)
    if isinstance(checked, HttpResponse):
        return checked
    tenant_id, interaction_id = checked
    context = {"tenant_id": tenant_id, "interaction_id": interaction_id}
    try:
        fetched = services.for_viewer(services.get_interaction(tenant_id, interaction_id), request.user)
    except errors.CxEngageError as exc:
        return _failure_page(request, exc, context)
    raw, fetched_at = fetched.raw, fetched.fetched_at
    if request.GET.get("download"):
        audit(request.user, AuditEvent.Action.EXPORT, tenant_id, interaction_id, "raw JSON")
        response = JsonResponse(raw, json_dumps_params={"indent": 2, "ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="interaction-{interaction_id}.json"'
        return response
    pretty = json.dumps(raw, indent=2, ensure_ascii=False, sort_keys=True)
    return render(request, "raw.html", {**context, "pretty": pretty, "fetched_at": fetched_at})
