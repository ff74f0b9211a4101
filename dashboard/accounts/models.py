"""Which tenants each user may see."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def validate_tenant_id(value: str) -> None:
    try:
        uuid.UUID(value)
    except ValueError:
        raise ValidationError(
            "A tenant ID is a UUID, e.g. 6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b."
        ) from None


class TenantGrant(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tenant_grants"
    )
    tenant_id = models.CharField(max_length=36, validators=[validate_tenant_id])
    label = models.CharField(max_length=200, blank=True, help_text="A name to show for the tenant.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "tenant_id"], name="unique_tenant_grant")
        ]
        ordering: ClassVar[list[str]] = ["user__username", "tenant_id"]
        permissions: ClassVar[list[tuple[str, StrOrPromise]]] = [
            (
                "view_contact_details",
                "Can see customer contact details, transcripts, notes and recordings",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.label or self.tenant_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.tenant_id = self.tenant_id.strip().lower()
        super().save(*args, **kwargs)  # type: ignore[arg-type]
