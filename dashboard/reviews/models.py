"""QA reviews of interactions, their history, and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Status(models.TextChoices):
    TO_REVIEW = "to_review", "To review"
    IN_REVIEW = "in_review", "In review"
    DONE = "done", "Done"


class Review(models.Model):
    """The current review of one interaction. ``version`` guards concurrent edits."""

    tenant_id = models.CharField(max_length=36)
    interaction_id = models.CharField(max_length=36)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.TO_REVIEW)
    comment = models.TextField(blank=True, max_length=10_000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant_id", "interaction_id"], name="unique_review")
        ]
        indexes = [models.Index(fields=["tenant_id", "status"])]

    def __str__(self) -> str:
        return f"{self.interaction_id}: {self.get_status_display()}"


class ReviewChange(models.Model):
    """One saved change: the history shown under the review form."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="changes")
    status = models.CharField(max_length=16, choices=Status.choices)
    comment = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField()

    class Meta:
        ordering = ["-changed_at", "-version"]


class AuditEvent(models.Model):
    """Who viewed, exported or reviewed which interaction, and when."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        EXPORT = "export", "Exported"
        REVIEW = "review", "Changed review"
        LIST = "list", "Listed flagged"
        TICKET = "ticket", "Followed ticket link"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=16, choices=Action.choices)
    tenant_id = models.CharField(max_length=36, blank=True)
    interaction_id = models.CharField(max_length=36, blank=True, db_index=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["user", "action", "-at"], name="audit_user_recent")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.interaction_id}"
