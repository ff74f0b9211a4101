"""Reviews: read, save with a version check, and the audit log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from dashboard.accounts.access import can_view_tenant

from .models import AuditEvent, Review, ReviewChange, Status


@dataclass(frozen=True)
class Conflict:
    """Someone else saved first: theirs is in the database, yours is what you typed."""

    current: Review
    mine_status: str
    mine_comment: str


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


def save_review(
    user: Any, tenant_id: str, interaction_id: str, *, status: str, comment: str, version: int
) -> Review | Conflict:
    """Save if nobody saved since ``version``; otherwise a ``Conflict`` with both versions."""
    with transaction.atomic():
        if version == 0:
            try:
                with transaction.atomic():
                    review = Review.objects.create(
                        tenant_id=tenant_id, interaction_id=interaction_id, status=status,
                        comment=comment, updated_by=user, version=1,
                    )
            except IntegrityError:
                return Conflict(get_review(tenant_id, interaction_id), status, comment)
        else:
            updated = Review.objects.filter(
                tenant_id=tenant_id, interaction_id=interaction_id, version=version
            ).update(
                status=status, comment=comment, updated_by=user, version=version + 1, updated_at=timezone.now()
            )
            review = get_review(tenant_id, interaction_id)
            if not updated:
                return Conflict(review, status, comment)
        ReviewChange.objects.create(
            review=review, status=status, comment=comment, changed_by=user, version=review.version
        )
        audit(user, AuditEvent.Action.REVIEW, tenant_id, interaction_id,
              f"status {status}, version {review.version}")
    return review


def audit(user: Any, action: str, tenant_id: str = "", interaction_id: str = "", detail: str = "") -> None:
    AuditEvent.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action, tenant_id=tenant_id, interaction_id=interaction_id,
        detail=detail.replace("\x00", "")[:500],
    )


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
