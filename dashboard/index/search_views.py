"""HTTP only, for the index: the search page (and its CSV), and a customer's or
a CRM record's journey."""

from __future__ import annotations

import csv
import re
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboard.accounts.access import can_see_contact_details
from dashboard.accounts.gate import tenant_url
from dashboard.htmx import HtmxHttpRequest, answers_targets
from dashboard.interactions import listing
from dashboard.interactions.csvcell import BOM, cell
from dashboard.reviews.models import AuditEvent
from dashboard.reviews.services import audit

from . import journey as journeys
from . import search as finder

CSV_CAP = 10_000
_HOOK_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")


def _search_context(request: HtmxHttpRequest, tenant_id: str) -> dict[str, Any]:
    query, problems = finder.read_query(
        request.GET, zone=timezone.get_current_timezone(), now=timezone.now()
    )
    masked = not can_see_contact_details(request.user)
    choices = finder.choices(tenant_id)
    if masked and query.customer:
        problems.append(finder.CUSTOMER_NEEDS_PERMISSION)
    results = (
        finder.Results(masked=masked)
        if problems
        else finder.search(tenant_id, query, viewer=request.user)
    )
    near = [] if problems or results.rows else finder.near_misses(query, choices)
    return {
        "tenant_id": tenant_id,
        "query": query,
        "near_misses": near,
        "problems": problems,
        "results": results,
        "masked": masked,
        "presets": finder.PRESETS,
        "reviewed_choices": finder.REVIEWED,
        "directions": finder.DIRECTIONS,
        "choices": choices,
        "flag_choices": listing.flag_choices(choices["flag"]),
        "this_page": query.params(),
        "first_page": query.params(page=1),
        "next_page": query.params(page=query.page + 1),
        "previous_page": query.params(page=query.page - 1),
        "sort_links": {
            key: query.params(sort=("" if query.sort == f"-{key}" else "-") + key, page=1)
            for key in finder.SORTS
        },
    }


@require_GET
@tenant_url
@answers_targets("search-results")
def search(request: HtmxHttpRequest, tenant_id: str, *, target: str | None) -> HttpResponse:
    context = _search_context(request, tenant_id)
    query: finder.SearchQuery = context["query"]
    if query.asks_anything:
        detail = finder.audit_detail(query, masked=context["masked"])
        refused = "; refused: " + " ".join(context["problems"]) if context["problems"] else ""
        audit(request.user, AuditEvent.Action.LIST, tenant_id, "", detail + refused)
    template = "index/search.html#results" if target == "search-results" else "index/search.html"
    response = render(request, template, context)
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
@tenant_url
def search_csv(request: HtmxHttpRequest, tenant_id: str) -> HttpResponse:
    query, problems = finder.read_query(
        request.GET, zone=timezone.get_current_timezone(), now=timezone.now()
    )
    rows = [] if problems else finder.all_rows(tenant_id, query, viewer=request.user, cap=CSV_CAP)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["Content-Disposition"] = 'attachment; filename="search.csv"'
    response.write(BOM)
    writer = csv.writer(response)
    writer.writerow(finder.CSV_COLUMNS)
    writer.writerows([cell(v) for v in finder.csv_values(r)] for r in rows)
    for problem in problems:
        writer.writerow([cell(f"# {problem}")])
    audit(
        request.user,
        AuditEvent.Action.EXPORT,
        tenant_id,
        "",
        f"{finder.audit_detail(query, masked=not can_see_contact_details(request.user))}"
        f", CSV {len(rows)} rows",
    )
    return response


@require_GET
@tenant_url
def journey(request: HtmxHttpRequest, tenant_id: str, interaction_id: str) -> HttpResponse:
    found = journeys.for_interaction(
        tenant_id, interaction_id, viewer=request.user, now=timezone.now()
    )
    audit(
        request.user,
        AuditEvent.Action.LIST,
        tenant_id,
        interaction_id,
        f"customer journey, {len(found.steps)} interactions",
    )
    return _journey_page(
        request, tenant_id, found, back=reverse("interaction", args=[tenant_id, interaction_id])
    )


@require_GET
@tenant_url
def hook_journey(
    request: HtmxHttpRequest, tenant_id: str, hook_type: str, hook_id: str
) -> HttpResponse:

    if not _HOOK_ID.match(hook_type) or not _HOOK_ID.match(hook_id):
        raise Http404("A ticket link looks like /tickets/zendesk/48213/.")
    found = journeys.for_hook(tenant_id, hook_type.lower(), hook_id, now=timezone.now())
    audit(
        request.user,
        AuditEvent.Action.TICKET,
        tenant_id,
        "",
        f"{hook_type}/{hook_id} journey: {len(found.steps)} interactions",
    )
    return _journey_page(
        request, tenant_id, found, back=reverse("ticket", args=[hook_type, hook_id])
    )


def _journey_page(
    request: HtmxHttpRequest, tenant_id: str, found: journeys.Journey, *, back: str
) -> HttpResponse:
    response = render(
        request,
        "index/journey.html",
        {
            "tenant_id": tenant_id,
            "journey": found,
            "back": back,
            "masked": not can_see_contact_details(request.user),
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response
