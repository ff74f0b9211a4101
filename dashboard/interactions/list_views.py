"""The flagged list, its CSV export, previous / next from an interaction opened from it, and links
from tickets."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboard.accounts.access import can_see_contact_details
from dashboard.accounts.gate import canonical_uuid, tenant_url
from dashboard.cxengage import errors
from dashboard.failures import Failure, failure_for, log_failure, retry_after
from dashboard.htmx import HtmxHttpRequest, answers_targets
from dashboard.reviews.models import AuditEvent, Status
from dashboard.reviews.selectors import SAVED, assigned_choices
from dashboard.reviews.services import audit

from . import flagged as flagged_list
from . import formatting as fmt
from . import listing, selectors, wording
from .csvcell import BOM, cell
from .domain import FLAG_REASONS, NO_FLAG_TYPE_REASON, Summary, flag_key, flag_reason

_TOKEN = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
#: Seconds one loading request may spend fetching pages before it reports progress.
LOAD_BUDGET = 1.5
#: Seconds a "next flagged" click may spend loading an expired list before it goes to the list.
STEP_BUDGET = 10.0
#: The first ten as they always were (scripts read them by position); later ones are added after.
CSV_COLUMNS = (
    "interaction_id",
    "start",
    "channel",
    "direction",
    "flow",
    "flag_type",
    "flag_reason",
    "duration",
    "customer",
    "review_status",
    "agents",
    "queues",
    "assigned_to",
    # The codes above in the words the list and the interaction's page show (an unknown
    # code as sent): a reader of the file sees what the page says, scripts keep the codes.
    "channel_words",
    "direction_words",
)


def _state(request: HtmxHttpRequest, params: Any = None) -> flagged_list.ListState:
    return flagged_list.list_state(
        request.GET if params is None else params, timezone.get_current_timezone(), timezone.now()
    )


def _link(tenant_id: str, interaction_id: str) -> str:
    """The interaction's page, or '' when the API listed an ID that is not a UUID."""
    return flagged_list.interaction_url(tenant_id, interaction_id)


def _page(request: HtmxHttpRequest) -> int:
    """The page of the list asked for (1 when unreadable)."""
    try:
        return max(1, min(int(request.GET.get("page", "1")), 1_000_000))
    except ValueError:
        return 1


def _chosen_flag(flag: str) -> tuple[str, str] | None:
    """What the list's intro says of the chosen flag type: why, and what may be wrong."""
    if flag == listing.NO_FLAG_TYPE:
        return NO_FLAG_TYPE_REASON
    return flag_reason(flag) if flag else None


def _context(
    request: HtmxHttpRequest, tenant_id: str, listed: flagged_list.FlaggedList
) -> dict[str, Any]:
    zone = timezone.get_current_timezone()
    state, found, paged = listed.state, listed.found, listed.paged
    window = state.window
    # A documented flag type chosen stays an option when no row has it (any more); one a
    # row has is named as sent. (One that is neither is not chosen: see ``flagged_list``.)
    present = paged.flag_types if paged else ()
    chosen = "" if state.flag == listing.NO_FLAG_TYPE else state.flag
    kept = listing.flag_known(state.flag, ()) and all(
        listing.flag_of(code) != state.flag for code in present
    )
    flag_types = {*present, *([chosen] if kept else [])}
    channels = {*(paged.channels if paged else ()), state.channel} - {""}
    page, asked = listed.page, _page(request)
    return {
        "tenant_id": tenant_id,
        "state": state,
        "window": window,
        "range_error": state.range_error,
        "presets": listing.PRESETS,
        "refine": state.refinements,
        "found": found,
        "paged": paged,
        "rows": listed.rows,
        "query": state.query(),
        # While loading, the loader asks again for the page that was asked for.
        "page_query": state.query(page=str(asked)) if asked > 1 else state.query(),
        "previous_query": state.query(page=str(page - 1) if page > 2 else "") if page > 1 else "",
        "next_query": state.query(page=str(page + 1)) if page < listed.pages else "",
        "page": page,
        "pages": listed.pages,
        "first_row": paged.offset + 1 if paged else 0,
        "last_row": paged.offset + len(listed.rows) if paged else 0,
        "fresh_query": state.fresh_query(),
        "was": flagged_list.range_marker(window, zone),
        "sorts": {
            key: {
                "link": state.query(sort=listing.sort_link(key, state.sort)),
                "aria": {f"-{key}": "descending", key: "ascending"}.get(state.sort, "none"),
            }
            for key in listing.SORTS
        },
        "flag_types": listing.flag_choices(flag_types),
        "chosen_flag": _chosen_flag(state.flag),
        # The intro's kinds of reason cover the documented flag types only.
        "unknown_flags": any(flag_key(f) not in FLAG_REASONS for f in flag_types if flag_key(f)),
        "untyped_flags": any(not flag_key(f) for f in flag_types),
        "channels": flagged_list.channel_choices(channels),
        "statuses": Status.choices,
        "assigned_choices": [
            ("", "Anyone"),
            (flagged_list.ME, "Assigned to me"),
            (listing.NOBODY, "Not assigned"),
            *((str(pk), name) for pk, name in assigned_choices(tenant_id, state.assigned)),
        ],
        "local_from": fmt.local_text(window.start, zone),
        "local_to": fmt.local_text(window.end, zone),
        "input_from": window.start.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "input_to": window.end.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "masked": not can_see_contact_details(request.user),
        "failure": _list_failure(listed.failure) if listed.failure else None,
    }


@require_GET
@tenant_url
@answers_targets("flagged-results")
def flagged(request: HtmxHttpRequest, tenant_id: str, *, target: str | None) -> HttpResponse:
    state = _state(request)
    listed = flagged_list.flagged_list(
        tenant_id=tenant_id,
        state=state,
        viewer=request.user,
        budget=None if request.GET.get("all") == "1" else LOAD_BUDGET,
        page=_page(request),
    )
    context = _context(request, tenant_id, listed)
    if target == "flagged-results":
        return _failed(render(request, "flagged/_results.html", context), listed.failure)
    window = state.window
    span = f"{listing.iso(window.start)}..{listing.iso(window.end)}"
    audit(request.user, AuditEvent.Action.LIST, tenant_id, "", span)
    return _failed(render(request, "flagged/list.html", context), listed.failure)


#: What a refusal means for a list of the tenant's interactions (the failures table speaks of
#: one interaction).
_LIST_REFUSALS = {
    errors.NotFound: "The CxEngage API does not know this tenant: check the tenant's ID.",
    errors.Forbidden: "The CxEngage API refused: the dashboard's API user lacks the "
    "INTERACTIONS_API_READ_ALL permission or access to this tenant. Ask the dashboard's "
    "operator to grant it.",
}


def _list_failure(exc: errors.CxEngageError) -> Failure:
    """The failure's status and words, said of the list."""
    failure = failure_for(exc)
    said = next((text for cls, text in _LIST_REFUSALS.items() if isinstance(exc, cls)), None)
    return replace(failure, explanation=said) if said else failure


def _failed(
    response: HttpResponse, failure: errors.CxEngageError | None, what: str = "flagged list"
) -> HttpResponse:
    """The list, page or fragment, with the failure's status when the API left nothing to show
    (the page says what happened in the failure's words)."""
    if failure is None:
        return response
    response.status_code = failure_for(failure).status
    wait = retry_after(failure)
    if wait is not None:
        response["Retry-After"] = str(wait)
    log_failure(what, failure)
    return response


@require_GET
@tenant_url
def flagged_csv(request: HtmxHttpRequest, tenant_id: str) -> HttpResponse | StreamingHttpResponse:
    """Every row that passes the list's filters, in its order, written as it is read; the
    failure's page when the API left nothing to export."""
    state = _state(request)
    exported = flagged_list.export(tenant_id=tenant_id, state=state, viewer=request.user)
    failure = flagged_list.nothing_loaded(exported.found)
    if failure is not None:
        said = _list_failure(failure)
        context = {
            "status": said.status,
            "title": "The flagged list could not be exported",
            "explanation": said.explanation,
            "retry": said.retry,
            "detail": failure.message,
            "retry_after": retry_after(failure),
        }
        return _failed(render(request, "error.html", context), failure, "flagged CSV")
    window = state.window
    rows = f"{exported.count} rows"
    audit(request.user, AuditEvent.Action.EXPORT, tenant_id, "", f"flagged CSV, {rows}")
    response = StreamingHttpResponse(_csv_lines(exported), content_type="text/csv; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["Content-Disposition"] = (
        f'attachment; filename="flagged-{window.start:%Y%m%dT%H%MZ}-{window.end:%Y%m%dT%H%MZ}.csv"'
    )
    return response


class _Line:
    """A file for ``csv.writer`` that hands back what was written instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(exported: flagged_list.Export) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield BOM + writer.writerow(CSV_COLUMNS)
    for row in exported.rows:
        cells = (
            row.id,
            row.start_iso,
            row.channel,
            row.direction,
            row.flow,
            row.flag_type,
            row.flag_reason,
            row.duration_sheet,
            row.customer,
            row.status,
            "; ".join(row.agents),
            "; ".join(row.queues),
            row.assignee,
            row.channel_word,
            row.direction_word,
        )
        yield writer.writerow([cell(value) for value in cells])
    found = exported.found
    if found.error:
        failed = f"the page at offset {found.failed_offset} failed ({found.error.kind})"
        yield writer.writerow([f"# incomplete: {failed}"])


def _neighbours(
    request: HtmxHttpRequest, tenant_id: str, *, budget: float | None
) -> flagged_list.Neighbours:
    """Around ``?at=`` in the list that ``?from=`` (the list's own query) describes."""
    at = canonical_uuid(request.GET.get("at", "")) or ""
    state = _state(request, QueryDict(request.GET.get("from", "")[:2000]))
    return flagged_list.neighbours(
        tenant_id=tenant_id, state=state, viewer=request.user, at=at, budget=budget
    )


@require_GET
@tenant_url
def flagged_nav(request: HtmxHttpRequest, tenant_id: str) -> HttpResponse:
    """The previous / next links of an interaction opened from the list, with its place in it."""
    around = _neighbours(request, tenant_id, budget=LOAD_BUDGET)
    # While the range is still loading, the links ask the step view, which waits for it.
    step = urlencode({"at": request.GET.get("at", ""), "from": request.GET.get("from", "")})
    context = {"nav": around, "tenant_id": tenant_id, "step_query": step, "saved_event": SAVED}
    if around.failure is not None:
        context["failure"] = _list_failure(around.failure)
    response = _failed(render(request, "flagged/_nav.html", context), around.failure, "flagged nav")
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
@tenant_url
def flagged_step(request: HtmxHttpRequest, tenant_id: str) -> HttpResponse:
    """``?dir=next|previous``: to that interaction; to the list at either end, or while the
    range is still loading (the list shows its progress)."""
    around = _neighbours(request, tenant_id, budget=STEP_BUDGET)
    ways = {"next": around.next_url, "previous": around.previous_url}
    target = ways.get(request.GET.get("dir", ""))
    return redirect(target or around.list_url)


@require_GET
def ticket(request: HtmxHttpRequest, hook_type: str, hook_id: str) -> HttpResponse:
    """From a CRM record (Zendesk ticket, Salesforce case) to its interactions."""
    if not _TOKEN.match(hook_type) or not _TOKEN.match(hook_id):
        raise Http404("A ticket link looks like /tickets/zendesk/48213/.")
    found = selectors.ticket_matches(
        viewer=request.user, hook_type=hook_type.lower(), hook_id=hook_id, now=timezone.now()
    )
    detail = f"{hook_type}/{hook_id}: {len(found.matches)} found"
    audit(request.user, AuditEvent.Action.TICKET, "", "", detail)
    if len(found.matches) == 1 and not found.failures:
        tenant, row = found.matches[0]
        if _link(tenant, row.interaction_id):
            return redirect(_link(tenant, row.interaction_id))
    context = {
        "hook_type": hook_type,
        "hook_id": hook_id,
        "matches": _ticket_rows(found.matches, found.labels),
        "failures": found.failures,
        "tenants": found.tenants,
        "sources": found.sources,
        "journeys": [
            (
                reverse("hook_journey", args=[tenant, hook_type.lower(), hook_id]),
                found.labels[tenant],
            )
            for tenant in dict.fromkeys(tenant for tenant, _ in found.matches)
        ],
    }
    status = 200 if found.matches else (502 if found.failures else 404)
    return render(request, "flagged/ticket.html", context, status=status)


def _ticket_rows(
    matches: list[tuple[str, Summary]], labels: dict[str, str]
) -> list[dict[str, Any]]:
    zone = timezone.get_current_timezone()
    return [
        {
            "tenant": labels[tenant],
            "url": _link(tenant, row.interaction_id),
            "id": row.interaction_id,
            "start": fmt.local_text(row.start, zone) if row.start else "—",
            "channel": row.channel_type or "",
            "channel_word": wording.channel(row.channel_type).text if row.channel_type else "—",
            "direction": row.direction or "",
            "direction_word": wording.direction(row.direction).text if row.direction else "—",
            "flow": row.flow_name or "—",
            "customer": row.customer or "—",
            "flagged": row.flagged,
        }
        for tenant, row in matches
    ]


@require_GET
def short_link(request: HtmxHttpRequest, interaction_id: str) -> HttpResponse:
    """``/i/<interactionId>/`` for tickets that store only the ID."""
    tenant = settings.DASHBOARD_DEFAULT_TENANT
    if not tenant:
        raise Http404(
            "Short links need DASHBOARD_DEFAULT_TENANT to be set; use the full link instead."
        )
    return redirect("interaction", tenant_id=tenant, interaction_id=interaction_id.lower())
