"""Tenant access: the one place that decides who may see which tenant."""

from __future__ import annotations

from typing import Any

from .models import TenantGrant


def can_view_tenant(user: Any, tenant_id: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    return TenantGrant.objects.filter(user=user, tenant_id=tenant_id.lower()).exists()


def granted_tenants(user: Any) -> list[TenantGrant]:
    return list(TenantGrant.objects.filter(user=user))


CONTACT_DETAILS_PERMISSION = "accounts.view_contact_details"


def can_see_contact_details(user: Any) -> bool:
    """Phone numbers, emails, transcripts, notes and recordings need this permission."""
    return bool(
        getattr(user, "is_authenticated", False) and user.has_perm(CONTACT_DETAILS_PERMISSION)
    )
