"""What the dashboard itself stores about interactions: who looked at what."""

from __future__ import annotations

from django.conf import settings
from django.db import models

RECENT_LIMIT = 10


class RecentView(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recent_views")
    tenant_id = models.CharField(max_length=36)
    interaction_id = models.CharField(max_length=36)
    #: A short description without customer identifiers, e.g. "Inbound voice · Basic Flow".
    label = models.CharField(max_length=200, blank=True)
    viewed_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "tenant_id", "interaction_id"], name="unique_recent_view")
        ]
        ordering = ["-viewed_at"]

    def __str__(self) -> str:
        return f"{self.user} viewed {self.interaction_id}"
