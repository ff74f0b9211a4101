"""Reads of reviews: the saved review of an interaction, its history, list statuses, who may be
assigned."""

from __future__ import annotations

import functools
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connections, router
from django.db.models import Q

from dashboard.accounts.access import can_view_tenant

from .forms import AssignForm, ReviewForm
from .models import AuditEvent, Review, ReviewChange, Status

#: How long a tenant's reviewer list is kept at most, should a change escape the signals.
REVIEWERS_TTL = 600


#: The htmx event a saved review or assignment sends (``HX-Trigger``): what the page shows of
#: the interaction's place in the flagged list is asked again.
SAVED = "review-saved"


def get_review(tenant_id: str, interaction_id: str) -> Review:
    """The saved review with who saved it and its assignee, or an unsaved one at version 0
    ("to review").

    Every interaction page asks, and most interactions have no review: one statement
    written once per process (``_review_sql``) answers, where building the query through
    the ORM cost several times more than running it. It is asked first with a bare
    cursor (a raw queryset prepares its model's columns and converters even when no row
    comes back, which cost more than the query); only a review that exists is read again
    as a model, and its two people in one more query."""
    alias = router.db_for_read(Review)
    params = [tenant_id, interaction_id]
    with connections[alias].cursor() as cursor:
        cursor.execute(_review_sql(alias), params)
        found = cursor.fetchone() is not None
    rows = Review.objects.raw(_review_sql(alias), params).using(alias) if found else ()
    review = next(iter(rows), None)
    if review is None:
        return Review(
            tenant_id=tenant_id, interaction_id=interaction_id, status=Status.TO_REVIEW, version=0
        )
    wanted = {pk for pk in (review.updated_by_id, review.assignee_id) if pk is not None}
    people = get_user_model().objects.using(alias).in_bulk(wanted) if wanted else {}
    if review.updated_by_id is not None:
        review.updated_by = people.get(review.updated_by_id)
    if review.assignee_id is not None:
        review.assignee = people.get(review.assignee_id)
    return review


@functools.cache
def _review_sql(alias: str) -> str:
    """One interaction's review row (the tenant and interaction IDs as parameters)."""
    quote = connections[alias].ops.quote_name
    table = quote(Review._meta.db_table)
    tenant = quote(Review._meta.get_field("tenant_id").column or "tenant_id")
    interaction = quote(Review._meta.get_field("interaction_id").column or "interaction_id")
    # Names from the model, values as parameters.
    return f"SELECT * FROM {table} WHERE {tenant} = %s AND {interaction} = %s"  # noqa: S608


def history(review: Review) -> list[ReviewChange]:
    """Changes of the status and comment, newest first (assignments are shown on their own)."""
    if review.pk is None:
        return []
    return list(
        review.changes.filter(kind=ReviewChange.Kind.REVIEW).select_related("changed_by")[:50]
    )


def last_assignment(review: Review) -> ReviewChange | None:
    """Who assigned the interaction to its current assignee, and when."""
    if review.pk is None:
        return None
    return review.changes.filter(kind=ReviewChange.Kind.ASSIGN).select_related("changed_by").first()


def statuses(tenant_id: str, interaction_ids: Iterable[str]) -> dict[str, Review]:
    """The saved reviews (status and assignee) of these interactions, by interaction ID."""
    ids = list(interaction_ids)
    return {
        r.interaction_id: r
        for r in Review.objects.filter(tenant_id=tenant_id, interaction_id__in=ids).select_related(
            "updated_by", "assignee"
        )
    }


def reviewers(tenant_id: str) -> list[Any]:
    """Who an interaction of this tenant may be assigned to: active users who may view it."""
    users = get_user_model().objects.filter(is_active=True)
    return list(
        users.filter(Q(is_superuser=True) | Q(tenant_grants__tenant_id=tenant_id.lower()))
        .distinct()
        .order_by("username")
    )


#: The shared cache's generation of every tenant's reviewer names: a change to a
#: user or a tenant grant (``signals.py``) sets a new one, so no page lists a
#: reviewer who was removed, in any process.
REVIEWERS_GENERATION = "reviewers:generation"


def reviewer_names(tenant_id: str) -> list[tuple[int, str]]:
    """``reviewers`` as (pk, name), read through the shared cache: every interaction
    page's assignment control lists them. One cache round trip when the list is
    current; the database when it is missing or older than the last change."""
    key = f"reviewers:{tenant_id.lower()}"
    found = cache.get_many([key, REVIEWERS_GENERATION])
    generation = found.get(REVIEWERS_GENERATION)
    stored = found.get(key)
    if generation is not None and isinstance(stored, tuple) and stored[0] == generation:
        return list(stored[1])
    if generation is None:
        generation = new_reviewers_generation()
    names = told_apart(list(reviewers(tenant_id)))
    cache.set(key, (generation, names), REVIEWERS_TTL)
    return names


def told_apart(users: list[Any]) -> list[tuple[int, str]]:
    """``users`` as (pk, ``display_name``), a name two or more of them share followed by
    each one's user name ("Alex Martin (amartin)"), so that a list to choose from never
    offers the same name twice."""
    shown = [display_name(user) for user in users]
    counts = Counter(name.casefold() for name in shown)
    return [
        (user.pk, f"{name} ({user.get_username()})" if counts[name.casefold()] > 1 else name)
        for user, name in zip(users, shown, strict=True)
    ]


def new_reviewers_generation() -> str:
    """Forget every cached reviewer list (a user or a grant changed)."""
    generation = uuid.uuid4().hex
    cache.set(REVIEWERS_GENERATION, generation, None)
    return generation


def assigned_choices(tenant_id: str, chosen: str = "") -> list[tuple[int, str]]:
    """The people an "assigned to" filter offers: the tenant's reviewers, and ``chosen`` (a
    user's key as text) when it is none of them, so that a filter on someone who may no
    longer see the tenant still says whom it shows."""
    names = reviewer_names(tenant_id)
    if not (chosen.isascii() and chosen.isdigit()) or int(chosen) in {pk for pk, _ in names}:
        return names
    user = get_user_model().objects.filter(pk=int(chosen)).first() if len(chosen) < 19 else None
    said = f"{display_name(user)} (no longer a reviewer here)" if user else "Nobody known"
    return [*names, (int(chosen), said)]


def display_name(user: Any) -> str:
    """A person as the lists and panels name them: their full name when they have one,
    else their user name."""
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def person(user: Any, viewer: Any = None) -> str:
    """A person as the review panel names them to ``viewer``: "you" when it is the
    viewer, else ``display_name``; "someone" when nobody is known (a removed user)."""
    if user is None:
        return "someone"
    if viewer is not None and viewer.pk is not None and user.pk == viewer.pk:
        return "you"
    return display_name(user) or "someone"


@dataclass(frozen=True)
class ReviewContext:
    """What the review panel of an interaction page shows."""

    review: Review
    review_form: ReviewForm
    review_history: list[ReviewChange]
    assignment: AssignmentContext | None = None

    def as_context(self) -> dict[str, object]:
        return {
            "review": self.review,
            "review_form": self.review_form,
            "review_history": self.review_history,
            **(self.assignment.as_context() if self.assignment else {}),
        }


@dataclass(frozen=True)
class AssignmentContext:
    """What the assignment control of the review panel shows."""

    review: Review
    assign_form: AssignForm
    assigned_by: ReviewChange | None
    reviewers: list[tuple[int, str]]

    def as_context(self) -> dict[str, object]:
        return {
            "assignment": self.review,
            "assign_form": self.assign_form,
            "assigned_by": self.assigned_by,
            "reviewers": self.reviewers,
        }


def assignment_context(
    *, tenant_id: str, review: Review, form: AssignForm | None = None
) -> AssignmentContext:
    # The control lists names; only a posted choice is checked against the database.
    shown = form or AssignForm(
        [], initial={"assignee": review.assignee_id or "", "version": review.version}
    )
    # Whoever it is assigned to stays named in the list (not "Nobody" shown as chosen), even
    # when they may no longer see the tenant.
    people = assigned_choices(tenant_id, str(review.assignee_id or ""))
    return AssignmentContext(review, shown, last_assignment(review), people)


def review_context(*, tenant_id: str, interaction_id: str) -> ReviewContext:
    review = get_review(tenant_id, interaction_id)
    form = ReviewForm(
        initial={"status": review.status, "comment": review.comment, "version": review.version}
    )
    return ReviewContext(
        review, form, history(review), assignment_context(tenant_id=tenant_id, review=review)
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
            seen[key] = {
                "tenant_id": key[0],
                "interaction_id": key[1],
                "label": event["detail"],
                "viewed_at": event["at"],
            }
        if len(seen) >= limit:
            break
    return list(seen.values())
