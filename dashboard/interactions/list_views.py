"""The flagged list, its CSV export, and links from tickets."""

from __future__ import annotations

import csv
import re
from typing import Any

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboard.accounts.access import can_see_contact_details, granted_tenants
from dashboard.accounts.gate import canonical_uuid, tenant_url
from dashboard.cxengage import errors
from dashboard.htmx import HtmxHttpRequest, answers_targets
from dashboard.reviews.models import AuditEvent, Status
from dashboard.reviews.selectors import statuses
from dashboard.reviews.services import audit

from . import formatting as fmt
from .csvcell import cell
from . import listing, selectors
from .domain import flag_reason


_TOKEN = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
#: Seconds one loading request may spend fetching pages before it reports progress.
LOAD_BUDGET = 1.5


def _refinements(params: Any) -> dict[str, str]:
    sort = params.get("sort", "-start")
    if sort.lstrip("-") not in listing.SORTS:
        sort = "-start"
    status = params.get("status", "")
    return {
        "flag": params.get("flag", "")[:80],
        "channel": params.get("channel", "")[:40],
        "status": status if status in Status.values else "",
        "sort": sort,
    }


def _rows(request: HtmxHttpRequest, tenant_id: str, found: listing.Scan, refine: dict[str, str]) -> list[dict[str, Any]]:
    zone = timezone.get_current_timezone()
    reviewed = {k: v.status for k, v in statuses(tenant_id, (r.interaction_id for r in found.rows)).items()}
    shown = listing.refine(found.rows, reviewed, **refine)
    labels = dict(Status.choices)
    return [
        {
            "id": r.interaction_id,
            "url": _link(tenant_id, r.interaction_id),
            "start": fmt.local_text(r.start, zone) if r.start else "—",
            "start_iso": fmt.iso(r.start),
            "channel": r.channel_type or "—",
            "direction": r.direction or "—",
            "flow": r.flow_name or "—",
            "flag_type": (r.flag.flag_type if r.flag else None) or "unknown",
            "flag_reason": flag_reason(r.flag.flag_type if r.flag else None)[0],
            "duration": fmt.hms(r.duration),
            "customer": r.customer or "—",
            "status": reviewed.get(r.interaction_id, Status.TO_REVIEW),
            "status_label": labels[reviewed.get(r.interaction_id, Status.TO_REVIEW)],
        }
        for r in shown
    ]


def _link(tenant_id: str, interaction_id: str) -> str:
    """The interaction's page, or '' when the API listed an ID that is not a UUID."""
    canonical = canonical_uuid(interaction_id)
    return reverse("interaction", args=[tenant_id, canonical]) if canonical else ""


def _query(window: listing.Range, refine: dict[str, str], **changes: str) -> str:
    from urllib.parse import urlencode

    params = {"start": listing.iso(window.start), "end": listing.iso(window.end), "range": window.preset,
              **refine, **changes}
    return urlencode({k: v for k, v in params.items() if v})


@require_GET
@tenant_url
@answers_targets("flagged-results")
def flagged(request: HtmxHttpRequest, tenant_id: str, *, target: str | None) -> HttpResponse:
    zone = timezone.get_current_timezone()
    window, range_error = listing.resolve_range(request.GET, zone, timezone.now())
    refine = _refinements(request.GET)
    everything = request.GET.get("all") == "1"
    found = selectors.flagged_scan(
        tenant_id=tenant_id,
        window=window,
        viewer=request.user,
        budget=None if everything else LOAD_BUDGET,
    )
    rows = _rows(request, tenant_id, found, refine) if (found.done or found.error) else []
    context = {
        "tenant_id": tenant_id,
        "window": window,
        "range_error": range_error,
        "presets": listing.PRESETS,
        "refine": refine,
        "found": found,
        "rows": rows,
        "query": _query(window, refine),
        "sort_links": {
            key: _query(window, refine, sort=("" if refine["sort"] == f"-{key}" else "-") + key)
            for key in listing.SORTS
        },
        "flag_types": sorted({r.flag.flag_type or "" for r in found.rows if r.flag} - {""}),
        "channels": sorted({r.channel_type or "" for r in found.rows} - {""}),
        "statuses": Status.choices,
        "local_from": fmt.local_text(window.start, zone),
        "local_to": fmt.local_text(window.end, zone),
        "input_from": window.start.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "input_to": window.end.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "masked": not can_see_contact_details(request.user),
    }
    if target == "flagged-results":
        return render(request, "flagged/_results.html", context)
    audit(request.user, AuditEvent.Action.LIST, tenant_id, "", f"{listing.iso(window.start)}..{listing.iso(window.end)}")
    return render(request, "flagged/list.html", context)


@require_GET
@tenant_url
def flagged_csv(request: HtmxHttpRequest, tenant_id: str) -> HttpResponse:
    window, _ = listing.resolve_range(request.GET, timezone.get_current_timezone(), timezone.now())
    refine = _refinements(request.GET)
    found = selectors.flagged_scan(tenant_id=tenant_id, window=window, viewer=request.user)
    rows = _rows(request, tenant_id, found, refine)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["Content-Disposition"] = (
        f'attachment; filename="flagged-{window.start:%Y%m%dT%H%M}-{window.end:%Y%m%dT%H%M}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(["interaction_id", "start", "channel", "direction", "flow", "flag_type", "flag_reason",
                     "duration", "customer", "review_status"])
    for row in rows:
        writer.writerow([_cell(row[k]) for k in ("id", "start_iso", "channel", "direction", "flow", "flag_type",
                                                  "flag_reason", "duration", "customer", "status")])
    if found.error:
        writer.writerow([f"# incomplete: the page at offset {found.failed_offset} failed ({found.error.kind})"])
    audit(request.user, AuditEvent.Action.EXPORT, tenant_id, "", f"flagged CSV, {len(rows)} rows")
    return response


#: Kept under its old name: the guard now lives in csvcell, shared by every export.
_cell = cell


@require_GET
def ticket(request: HtmxHttpRequest, hook_type: str, hook_id: str) -> HttpResponse:
    """From a CRM record (Zendesk ticket, Salesforce case) to its interactions."""
    if not _TOKEN.match(hook_type) or not _TOKEN.match(hook_id):
        raise Http404("A ticket link looks like /tickets/zendesk/48213/.")
    tenants = [g.tenant_id for g in granted_tenants(request.user)]
    default = settings.DASHBOARD_DEFAULT_TENANT
    if request.user.is_superuser and default and default not in tenants:
        tenants.insert(0, default)
    now = timezone.now()
    matches: list[tuple[str, Any]] = []
    failures: list[errors.CxEngageError] = []
    sources: set[str] = set()
    for tenant in tenants:
        found = selectors.ticket_scan(
            tenant_id=tenant, hook_type=hook_type.lower(), hook_id=hook_id, now=now, viewer=request.user
        )
        matches += [(tenant, row) for row in found.rows]
        sources.add(found.source)
        if found.error:
            failures.append(found.error)
    audit(request.user, AuditEvent.Action.TICKET, "", "", f"{hook_type}/{hook_id}: {len(matches)} found")
    if len(matches) == 1 and not failures and _link(*[matches[0][0], matches[0][1].interaction_id]):
        tenant, row = matches[0]
        return redirect(_link(tenant, row.interaction_id))
    zone = timezone.get_current_timezone()
    listed = [
        {"url": _link(tenant, row.interaction_id), "id": row.interaction_id,
         "start": fmt.local_text(row.start, zone) if row.start else "—", "channel": row.channel_type or "—",
         "direction": row.direction or "—", "flow": row.flow_name or "—",
         "customer": row.customer or "—", "flagged": row.flagged}
        for tenant, row in matches
    ]
    journeys = [reverse("hook_journey", args=[t, hook_type.lower(), hook_id]) for t in dict.fromkeys(t for t, _ in matches)]
    return render(
        request, "flagged/ticket.html",
        {"hook_type": hook_type, "hook_id": hook_id, "matches": listed, "failures": failures,
         "tenants": tenants, "sources": sorted(sources - {""}), "journeys": journeys},
        status=200 if matches else (502 if failures else 404),
    )


@require_GET
def short_link(request: HtmxHttpRequest, interaction_id: str) -> HttpResponse:
    """``/i/<interactionId>/`` for tickets that store only the ID."""
    tenant = settings.DASHBOARD_DEFAULT_TENANT
    if not tenant:
        raise Http404("Short links need DASHBOARD_DEFAULT_TENANT to be set; use the full link instead.")
    return redirect("interaction", tenant_id=tenant, interaction_id=interaction_id.lower())
