"""The review form and the assignment control (htmx partial or plain POST), and the dossier
export."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dashboard.accounts.gate import tenant_url
from dashboard.cxengage import errors
from dashboard.failures import failure_page
from dashboard.htmx import HtmxHttpRequest
from dashboard.interactions import selectors as interaction_selectors

from . import selectors, services
from .forms import AssignForm, ReviewForm
from .models import AuditEvent, Review, ReviewChange
from .selectors import assignment_context, review_context


@require_POST
@tenant_url
def save(request: HtmxHttpRequest, tenant_id: str, interaction_id: str) -> HttpResponse:
    form = ReviewForm(request.POST)
    context: dict[str, Any] = {"tenant_id": tenant_id, "interaction_id": interaction_id}
    if not form.is_valid():
        # Keep what was typed; say what is wrong.
        review = selectors.get_review(tenant_id, interaction_id)
        context.update(review=review, review_form=form, review_history=selectors.history(review))
        context.update(assignment_context(tenant_id=tenant_id, review=review).as_context())
        return _respond(request, context, status=400)
    outcome = services.save_review(
        request.user,
        tenant_id,
        interaction_id,
        status=form.cleaned_data["status"],
        comment=form.cleaned_data["comment"],
        version=form.cleaned_data["version"],
    )
    if isinstance(outcome, services.Conflict):
        current = outcome.current
        retry = ReviewForm(
            initial={
                "status": outcome.mine_status,
                "comment": outcome.mine_comment,
                "version": current.version,
            }
        )
        context.update(
            review=current,
            review_form=retry,
            review_history=selectors.history(current),
            conflict=outcome,
        )
        context.update(assignment_context(tenant_id=tenant_id, review=current).as_context())
        return _respond(request, context, status=409)
    if not request.htmx:
        return redirect(_page_url(request, tenant_id, interaction_id) + "#review")
    context.update(review_context(tenant_id=tenant_id, interaction_id=interaction_id).as_context())
    context["saved"] = True
    return _respond(request, context, status=200)


@require_POST
@tenant_url
def assign(request: HtmxHttpRequest, tenant_id: str, interaction_id: str) -> HttpResponse:
    """Assign the interaction to a reviewer (or to nobody); htmx gets the control back."""
    ids = {"tenant_id": tenant_id, "interaction_id": interaction_id}
    form = AssignForm(selectors.reviewers(tenant_id), request.POST)
    if not form.is_valid():
        review = selectors.get_review(tenant_id, interaction_id)
        context = assignment_context(tenant_id=tenant_id, review=review, form=form).as_context()
        return _assigned(request, {**ids, **context}, status=400)
    outcome = services.assign(
        request.user,
        tenant_id,
        interaction_id,
        assignee=form.chosen(),
        version=form.cleaned_data["version"],
    )
    if isinstance(outcome, services.AssignConflict):
        return _assigned(request, {**ids, **_retry(form, outcome)}, status=409)
    if not request.htmx:
        return redirect(_page_url(request, tenant_id, interaction_id) + "#assignment")
    context = assignment_context(tenant_id=tenant_id, review=outcome).as_context()
    return _assigned(request, {**ids, **context, "assign_saved": True}, status=200)


def _page_url(request: HtmxHttpRequest, tenant_id: str, interaction_id: str) -> str:
    """The interaction's page, still carrying the flagged list it was opened from (the forms
    send it back as ``from``), so previous / next stay after a save without JavaScript."""
    url = reverse("interaction", args=[tenant_id, interaction_id])
    origin = request.POST.get("from", "")[:2000]
    return f"{url}?{urlencode({'from': origin})}" if origin else url


def _retry(form: AssignForm, conflict: services.AssignConflict) -> dict[str, Any]:
    """The control showing the current assignee, with the writer's choice ready to send again."""
    mine = conflict.mine.pk if conflict.mine else ""
    shown = AssignForm(
        list(form.people.values()),
        initial={"assignee": mine, "version": conflict.current.version},
    )
    current = conflict.current
    context = assignment_context(tenant_id=current.tenant_id, review=current, form=shown)
    return {**context.as_context(), "assign_conflict": conflict}


def _assigned(request: HtmxHttpRequest, context: dict[str, Any], *, status: int) -> HttpResponse:
    if request.htmx:
        response = render(request, "reviews/_assignment.html", context, status=status)
        return _announce_saved(response)
    # Without htmx: the whole review panel, the assignment control as the context says.
    panel = review_context(
        tenant_id=context["tenant_id"], interaction_id=context["interaction_id"]
    ).as_context()
    return render(request, "reviews/review_page.html", {**panel, **context}, status=status)


def _respond(request: HtmxHttpRequest, context: dict[str, Any], *, status: int) -> HttpResponse:
    template = "reviews/_review.html" if request.htmx else "reviews/review_page.html"
    return _announce_saved(render(request, template, context, status=status))


def _announce_saved(response: HttpResponse) -> HttpResponse:
    """A save tells the page (``HX-Trigger``), whose flagged-list place may have changed."""
    if response.status_code == 200:
        response["HX-Trigger"] = selectors.SAVED
    return response


def _review_json(review: Review, history: list[ReviewChange]) -> dict[str, Any]:
    return {
        "status": review.status,
        "comment": review.comment,
        "updated_by": review.updated_by.get_username() if review.updated_by else None,
        "updated_at": review.updated_at.isoformat() if review.pk and review.updated_at else None,
        "version": review.version,
        "assigned_to": review.assignee.get_username() if review.assignee else None,
        "history": [
            {
                "kind": c.kind,
                "status": c.status,
                "comment": c.comment,
                "version": c.version,
                "assigned_to": c.assignee.get_username() if c.assignee else None,
                "changed_by": c.changed_by.get_username() if c.changed_by else None,
                "changed_at": c.changed_at.isoformat(),
            }
            for c in history
        ],
    }


@require_GET
@tenant_url
def dossier(request: HtmxHttpRequest, tenant_id: str, interaction_id: str) -> HttpResponse:
    """One JSON file for disputes and audits: the interaction, its review and history."""
    ids = {"tenant_id": tenant_id, "interaction_id": interaction_id}
    try:
        fetched = interaction_selectors.get_interaction(**ids, viewer=request.user)
    except errors.CxEngageError as exc:
        return failure_page(request, exc, **ids)
    review = selectors.get_review(tenant_id, interaction_id)
    body = {
        "exported_at": timezone.now().isoformat(),
        "exported_by": request.user.get_username(),
        "tenant_id": tenant_id,
        "interaction_id": interaction_id,
        "contact_details_masked": fetched.masked,
        "fetched_at": fetched.fetched_at.isoformat(),
        "interaction": fetched.raw,
        "review": _review_json(
            review,
            list(review.changes.select_related("changed_by", "assignee")) if review.pk else [],
        ),
    }
    services.audit(
        request.user, AuditEvent.Action.EXPORT, tenant_id, interaction_id, "dossier JSON"
    )
    response = HttpResponse(
        json.dumps(body, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="dossier-{interaction_id}.json"'
    response["Cache-Control"] = "no-store"
    return response
