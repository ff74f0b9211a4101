"""The review form (htmx partial or plain POST) and the dossier export."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dashboard.accounts.access import can_view_tenant
from dashboard.cxengage import errors
from dashboard.interactions import services as interaction_services

from . import services
from .forms import ReviewForm
from .models import AuditEvent, Review, ReviewChange


def review_context(user: Any, tenant_id: str, interaction_id: str) -> dict[str, Any]:
    review = services.get_review(tenant_id, interaction_id)
    form = ReviewForm(initial={"status": review.status, "comment": review.comment, "version": review.version})
    return {"review": review, "review_form": form, "review_history": services.history(review)}


def _ids(request: HttpRequest, tenant_id: str, interaction_id: str) -> tuple[str, str]:
    tenant = interaction_services.normalise_uuid(tenant_id)
    interaction = interaction_services.normalise_uuid(interaction_id)
    if tenant is None or interaction is None or not can_view_tenant(request.user, tenant):
        raise Http404("No such interaction.")
    return tenant, interaction


@require_POST
def save(request: HttpRequest, tenant_id: str, interaction_id: str) -> HttpResponse:
    tenant_id, interaction_id = _ids(request, tenant_id, interaction_id)
    form = ReviewForm(request.POST)
    context: dict[str, Any] = {"tenant_id": tenant_id, "interaction_id": interaction_id}
    if not form.is_valid():
        # Keep what was typed; say what is wrong.
        review = services.get_review(tenant_id, interaction_id)
        context.update(review=review, review_form=form, review_history=services.history(review))
        return _respond(request, context, status=400)
    outcome = services.save_review(
        request.user, tenant_id, interaction_id,
        status=form.cleaned_data["status"], comment=form.cleaned_data["comment"],
        version=form.cleaned_data["version"],
    )
    if isinstance(outcome, services.Conflict):
        current = outcome.current
        retry = ReviewForm(initial={"status": outcome.mine_status, "comment": outcome.mine_comment,
                                    "version": current.version})
        context.update(review=current, review_form=retry, review_history=services.history(current),
                       conflict=outcome)
        return _respond(request, context, status=409)
    if not request.htmx:
        return redirect(reverse("interaction", args=[tenant_id, interaction_id]) + "#review")
    context.update(review_context(request.user, tenant_id, interaction_id), saved=True)
    return _respond(request, context, status=200)


def _respond(request: HttpRequest, context: dict[str, Any], *, status: int) -> HttpResponse:
    template = "reviews/_review.html" if request.htmx else "reviews/review_page.html"
    return render(request, template, context, status=status)


def _review_json(review: Review, history: list[ReviewChange]) -> dict[str, Any]:
    return {
        "status": review.status,
        "comment": review.comment,
        "updated_by": review.updated_by.get_username() if review.updated_by else None,
        "updated_at": review.updated_at.isoformat() if review.pk and review.updated_at else None,
        "version": review.version,
        "history": [
            {"status": c.status, "comment": c.comment, "version": c.version,
             "changed_by": c.changed_by.get_username() if c.changed_by else None,
             "changed_at": c.changed_at.isoformat()}
            for c in history
        ],
    }


@require_GET
def dossier(request: HttpRequest, tenant_id: str, interaction_id: str) -> HttpResponse:
    """One JSON file for disputes and audits: the interaction, its review and history."""
    tenant_id, interaction_id = _ids(request, tenant_id, interaction_id)
    try:
        fetched = interaction_services.for_viewer(
            interaction_services.get_interaction(tenant_id, interaction_id), request.user
        )
    except errors.CxEngageError as exc:
        from dashboard.interactions.views import _failure_page

        return _failure_page(request, exc, {"tenant_id": tenant_id, "interaction_id": interaction_id})
    review = services.get_review(tenant_id, interaction_id)
    body = {
        "exported_at": timezone.now().isoformat(),
        "exported_by": request.user.get_username(),
        "tenant_id": tenant_id,
        "interaction_id": interaction_id,
        "contact_details_masked": fetched.interaction.redacted,
        "fetched_at": fetched.fetched_at.isoformat(),
        "interaction": fetched.raw,
        "review": _review_json(review, services.history(review)),
    }
    services.audit(request.user, AuditEvent.Action.EXPORT, tenant_id, interaction_id, "dossier JSON")
    response = HttpResponse(json.dumps(body, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="dossier-{interaction_id}.json"'
    return response
