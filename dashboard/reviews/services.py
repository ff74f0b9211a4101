"""Writes: reviews and assignments saved with a version check, and the audit log (reads are in
selectors)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connections, router, transaction
from django.db.models import Field
from django.utils import timezone

from .models import AuditEvent, Review, ReviewChange, Status
from .selectors import get_review

#: How often a write is retried on top of a newer version that changed only other fields.
_MERGE_ATTEMPTS = 3


@dataclass(frozen=True)
class Conflict:
    """Someone else saved first: theirs is in the database, yours is what you typed."""

    current: Review
    mine_status: str
    mine_comment: str


@dataclass(frozen=True)
class AssignConflict:
    """Someone else changed the assignment since the form was shown."""

    current: Review
    mine: Any  # the user you chose, or None for nobody


def _base(tenant_id: str, interaction_id: str, version: int) -> dict[str, Any] | None:
    """The review as it was at ``version`` (what the writer's form showed), or None if unknown."""
    if version == 0:
        return {"status": Status.TO_REVIEW, "comment": "", "assignee_id": None}
    change = ReviewChange.objects.filter(
        review__tenant_id=tenant_id, review__interaction_id=interaction_id, version=version
    ).first()
    if change is None:
        return None
    return {"status": change.status, "comment": change.comment, "assignee_id": change.assignee_id}


def _write(
    user: Any, tenant_id: str, interaction_id: str, *, version: int, changes: dict[str, Any]
) -> tuple[Review | None, Review]:
    """Write ``changes`` if nobody changed those same fields since ``version``.

    Returns (the saved review or None on a conflict, the review as it is now).
    A newer version that changed only *other* fields (an assignment under a
    status edit, or the reverse) is not a conflict: the write goes on top of it,
    so assigning an interaction never costs a reviewer the comment they typed.
    """
    for _ in range(_MERGE_ATTEMPTS):
        if version == 0:
            try:
                with transaction.atomic():
                    review = Review.objects.create(
                        tenant_id=tenant_id,
                        interaction_id=interaction_id,
                        updated_by=user,
                        version=1,
                        **{"status": Status.TO_REVIEW, **changes},
                    )
                return review, review
            except IntegrityError:
                pass
        else:
            updated = Review.objects.filter(
                tenant_id=tenant_id, interaction_id=interaction_id, version=version
            ).update(**changes, updated_by=user, version=version + 1, updated_at=timezone.now())
            if updated:
                review = get_review(tenant_id, interaction_id)
                return review, review
        current = get_review(tenant_id, interaction_id)
        base = _base(tenant_id, interaction_id, version)
        if current.pk is None or base is None:
            return None, current
        if any(getattr(current, name) != base[name] for name in changes):
            return None, current
        version = current.version
    return None, get_review(tenant_id, interaction_id)


def _record(review: Review, user: Any, kind: str) -> None:
    ReviewChange.objects.create(
        review=review,
        kind=kind,
        status=review.status,
        comment=review.comment,
        assignee_id=review.assignee_id,
        changed_by=user,
        version=review.version,
    )


def save_review(
    user: Any, tenant_id: str, interaction_id: str, *, status: str, comment: str, version: int
) -> Review | Conflict:
    """Save if nobody changed the status or comment since ``version``; else a ``Conflict``."""
    with transaction.atomic():
        review, current = _write(
            user,
            tenant_id,
            interaction_id,
            version=version,
            changes={"status": status, "comment": comment},
        )
        if review is None:
            if current.pk and (current.status, current.comment) == (status, comment):
                return current  # the same save sent twice (a double click): nothing to settle
            return Conflict(current, status, comment)
        _record(review, user, ReviewChange.Kind.REVIEW)
        audit(
            user,
            AuditEvent.Action.REVIEW,
            tenant_id,
            interaction_id,
            f"status {status}, version {review.version}",
        )
    return review


def assign(
    user: Any, tenant_id: str, interaction_id: str, *, assignee: Any, version: int
) -> Review | AssignConflict:
    """Assign the interaction to ``assignee`` (None: to nobody) if nobody reassigned it since
    ``version``; else an ``AssignConflict``. The caller checks that ``assignee`` may see the tenant.
    """
    assignee_id = assignee.pk if assignee is not None else None
    with transaction.atomic():
        review, current = _write(
            user, tenant_id, interaction_id, version=version, changes={"assignee_id": assignee_id}
        )
        if review is None:
            if current.pk and current.assignee_id == assignee_id:
                return current  # already assigned as asked (sent twice): nothing to settle
            return AssignConflict(current, assignee)
        _record(review, user, ReviewChange.Kind.ASSIGN)
        who = assignee.get_username() if assignee is not None else "nobody"
        audit(
            user,
            AuditEvent.Action.ASSIGN,
            tenant_id,
            interaction_id,
            f"assigned to {who}, version {review.version}",
        )
    return review


def audit(
    user: Any, action: str, tenant_id: str = "", interaction_id: str = "", detail: str = ""
) -> None:
    """Write one audit event: who (None when signed out), did what, to which interaction.

    Every page view writes one, so the row is inserted by one statement written once per
    process (``_audit_sql``): building the insert through the ORM (the model, its save,
    the compiled query) cost several times more than running it. The values are prepared
    by the model's own fields, as ``save`` would prepare them; ``at`` is set as
    ``auto_now_add`` sets it. The model has no signal receivers, which this skips.
    """
    alias = router.db_for_write(AuditEvent)
    connection = connections[alias]
    values = {
        "at": timezone.now(),
        "user": user.pk if getattr(user, "is_authenticated", False) else None,
        "action": action,
        "tenant_id": tenant_id,
        "interaction_id": interaction_id,
        "detail": detail.replace("\x00", "")[:500],
    }
    params = [field.get_db_prep_save(values[field.name], connection) for field in _audit_fields()]
    with transaction.mark_for_rollback_on_error(using=alias), connection.cursor() as cursor:
        cursor.execute(_audit_sql(alias), params)


@functools.cache
def _audit_fields() -> tuple[Field[Any, Any], ...]:
    """The fields ``audit`` writes: every field of the model but its key (the database's).
    ``audit`` names a value for each, so a field added to the model without one fails
    at once (a KeyError in every test that views a page), never stores a NULL."""
    return tuple(f for f in AuditEvent._meta.concrete_fields if not f.primary_key)


@functools.cache
def _audit_sql(alias: str) -> str:
    """The insert of one audit event, its fields' values (``_audit_fields``) as parameters."""
    quote = connections[alias].ops.quote_name
    columns = ", ".join(quote(field.column) for field in _audit_fields())
    marks = ", ".join(["%s"] * len(_audit_fields()))
    # Names from the model, values as parameters.
    return f"INSERT INTO {quote(AuditEvent._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
