"""Writes: reviews saved with a version check, and the audit log (reads are in selectors)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import AuditEvent, Review, ReviewChange
from .selectors import get_review


@dataclass(frozen=True)
class Conflict:
    """Someone else saved first: theirs is in the database, yours is what you typed."""

    current: Review
    mine_status: str
    mine_comment: str


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
