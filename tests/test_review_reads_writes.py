"""The audit write and the review read that every interaction page makes, written as
plain statements: they store and read what the ORM stored and read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from dashboard.reviews import services
from dashboard.reviews.models import AuditEvent, Review, Status
from dashboard.reviews.selectors import get_review

pytestmark = pytest.mark.django_db


def test_audit_stores_the_event_as_the_model_would(demo_user: Any) -> None:
    before = timezone.now()
    services.audit(demo_user, AuditEvent.Action.VIEW, "tenant-a", "interaction-b", "Call · Flow")
    event = AuditEvent.objects.get()
    assert (event.user, event.action, event.tenant_id, event.interaction_id, event.detail) == (
        demo_user,
        "view",
        "tenant-a",
        "interaction-b",
        "Call · Flow",
    )
    assert event.at is not None and event.at.tzinfo is not None
    assert before - timedelta(seconds=1) <= event.at <= timezone.now() + timedelta(seconds=1)


def test_audit_of_a_signed_out_visitor_has_no_user_and_the_detail_is_cleaned() -> None:
    services.audit(AnonymousUser(), AuditEvent.Action.LIST, detail="a\x00b" + "x" * 600)
    event = AuditEvent.objects.get()
    assert event.user is None
    assert (event.tenant_id, event.interaction_id) == ("", "")
    assert event.detail == ("ab" + "x" * 600)[:500]
    services.audit(None, AuditEvent.Action.LIST)
    assert AuditEvent.objects.filter(user=None).count() == 2


def test_audit_events_come_newest_first_and_each_is_its_own_row(demo_user: Any) -> None:
    for n in range(3):
        services.audit(demo_user, AuditEvent.Action.VIEW, "t", f"i{n}", f"view {n}")
    assert AuditEvent.objects.count() == 3
    assert len({e.pk for e in AuditEvent.objects.all()}) == 3
    assert AuditEvent.objects.first().interaction_id == "i2"  # type: ignore[union-attr]


def test_audit_inside_a_transaction_rolled_back_is_gone(demo_user: Any) -> None:
    def audited_then_undone() -> None:
        with transaction.atomic():
            services.audit(demo_user, AuditEvent.Action.VIEW, "t", "i")
            raise RuntimeError("undo")

    with pytest.raises(RuntimeError):
        audited_then_undone()
    assert not AuditEvent.objects.exists()


def test_get_review_without_a_saved_review_is_an_unsaved_one_to_review() -> None:
    review = get_review("tenant-a", "interaction-b")
    assert review.pk is None
    assert (review.tenant_id, review.interaction_id, review.status, review.version) == (
        "tenant-a",
        "interaction-b",
        Status.TO_REVIEW,
        0,
    )


def test_get_review_reads_a_saved_review_with_its_people(
    demo_user: Any, django_user_model: Any
) -> None:
    other = django_user_model.objects.create_user("lead", password="pw-for-tests-1")
    saved = Review.objects.create(
        tenant_id="tenant-a",
        interaction_id="interaction-b",
        status=Status.DONE,
        comment="checked",
        version=3,
        updated_by=demo_user,
        assignee=other,
    )
    Review.objects.create(tenant_id="tenant-a", interaction_id="interaction-c", version=1)
    review = get_review("tenant-a", "interaction-b")
    assert review.pk == saved.pk
    assert (review.status, review.comment, review.version) == (Status.DONE, "checked", 3)
    assert review.updated_at == saved.updated_at
    assert (review.updated_by, review.assignee) == (demo_user, other)
    # Another tenant's review of the same interaction is not this one.
    assert get_review("tenant-z", "interaction-b").pk is None
