"""QA reviews of interactions (status, comment, who it is assigned to), their history, and the
audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Status(models.TextChoices):
    TO_REVIEW = "to_review", "To review"
    IN_REVIEW = "in_review", "In review"
    DONE = "done", "Done"


class Review(models.Model):
    """The current review of one interaction. ``version`` guards concurrent edits.

    The assignee lives here, under the same version, rather than in a model of
    its own: the interaction page's ETag, the list's one query for review state
    and the history all follow it for free, and a stale write is caught by the
    same check (see ``services.save_review`` and ``services.assign``).
    """

    tenant_id = models.CharField(max_length=36)
    interaction_id = models.CharField(max_length=36)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.TO_REVIEW)
    comment = models.TextField(blank=True, max_length=10_000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=0)
    #: The reviewer who should look at it; None when nobody is assigned.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant_id", "interaction_id"], name="unique_review")
        ]
        indexes = [
            models.Index(fields=["tenant_id", "status"]),
            models.Index(fields=["tenant_id", "assignee"], name="review_assignee"),
        ]

    def __str__(self) -> str:
        return f"{self.interaction_id}: {self.get_status_display()}"


class ReviewChange(models.Model):
    """One saved change, with the whole review as it was after it: the history, and the base a
    later write is compared with."""

    class Kind(models.TextChoices):
        REVIEW = "review", "Review"
        ASSIGN = "assign", "Assignment"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.REVIEW)
    status = models.CharField(max_length=16, choices=Status.choices)
    comment = models.TextField(blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField()

    class Meta:
        ordering = ["-changed_at", "-version"]

    def __str__(self) -> str:
        return f"{self.review_id} v{self.version}: {self.kind}"


class AuditEvent(models.Model):
    """Who viewed, exported or reviewed which interaction, and when."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        EXPORT = "export", "Exported"
        REVIEW = "review", "Changed review"
        LIST = "list", "Listed flagged"
        TICKET = "ticket", "Followed ticket link"
        ASSIGN = "assign", "Assigned"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    tenant_id = models.CharField(max_length=36, blank=True)
    interaction_id = models.CharField(max_length=36, blank=True, db_index=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["user", "action", "-at"], name="audit_user_recent")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.interaction_id}"
