"""Reads of reviews: the saved review of an interaction, its history, list statuses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dashboard.accounts.access import can_view_tenant

from .forms import ReviewForm
from .models import AuditEvent, Review, ReviewChange, Status


def get_review(tenant_id: str, interaction_id: str) -> Review:
    """The saved review, or an unsaved one at version 0 ("to review")."""
    try:
        return Review.objects.select_related("updated_by").get(tenant_id=tenant_id, interaction_id=interaction_id)
    except Review.DoesNotExist:
        return Review(tenant_id=tenant_id, interaction_id=interaction_id, status=Status.TO_REVIEW, version=0)


def history(review: Review) -> list[ReviewChange]:
    if review.pk is None:
        return []
    return list(review.changes.select_related("changed_by")[:50])


def statuses(tenant_id: str, interaction_ids: Iterable[str]) -> dict[str, Review]:
    ids = list(interaction_ids)
    return {
        r.interaction_id: r
        for r in Review.objects.filter(tenant_id=tenant_id, interaction_id__in=ids).select_related("updated_by")
    }



@dataclass(frozen=True)
class ReviewContext:
    """What the review panel of an interaction page shows."""

    review: Review
    review_form: ReviewForm
    review_history: list[ReviewChange]

    def as_context(self) -> dict[str, object]:
        return {
            "review": self.review,
            "review_form": self.review_form,
            "review_history": self.review_history,
        }


def review_context(*, tenant_id: str, interaction_id: str) -> ReviewContext:
    review = get_review(tenant_id, interaction_id)
    form = ReviewForm(
        initial={"status": review.status, "comment": review.comment, "version": review.version}
    )
    return ReviewContext(review, form, history(review))


def recently_viewed(user: Any, limit: int = 10) -> list[dict[str, Any]]:
    """The user's last viewed interactions, newest first, from the audit log.

    Only in tenants the user may see now: the audit log keeps what was seen
    under a grant since revoked, but the list must not show it (the label
    carries the interaction's details).
    """
    mine = AuditEvent.objects.filter(user=user, action=AuditEvent.Action.VIEW)
    tenants = set(mine.values_list("tenant_id", flat=True).distinct())
    visible = [tenant for tenant in tenants if can_view_tenant(user, tenant)]
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    events = (
        mine.filter(tenant_id__in=visible)
        .order_by("-at")
        .values("tenant_id", "interaction_id", "detail", "at")[: limit * 10]
    )
    for event in events:
        key = (event["tenant_id"], event["interaction_id"])
        if key not in seen and event["detail"] != "not modified":
            seen[key] = {"tenant_id": key[0], "interaction_id": key[1], "label": event["detail"],
                         "viewed_at": event["at"]}
        if len(seen) >= limit:
            break
    return list(seen.values())
