"""Admin for the index: queue SLAs are entered here; sync state is read-only (the
worker writes it; the staff page at /index/status/ summarises it)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import ApiSla, QueueSla, SyncState


@admin.register(QueueSla)
class QueueSlaAdmin(admin.ModelAdmin):
    list_display = ("tenant_id", "queue_name", "threshold_seconds", "abandons_count")
    list_filter = ("tenant_id", "abandons_count")
    search_fields = ("tenant_id", "queue_name")


@admin.register(SyncState)
class SyncStateAdmin(admin.ModelAdmin):
    list_display = ("tenant_id", "synced_until", "last_pass_finished", "last_error_at")
    readonly_fields = tuple(f.name for f in SyncState._meta.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SyncState | None = None) -> bool:
        return False


@admin.register(ApiSla)
class ApiSlaAdmin(admin.ModelAdmin):
    """Read-only: the worker replaces these at each read of the API's configuration."""

    list_display = ("tenant_id", "queue_name", "sla_name", "threshold_seconds", "abandons_count")
    list_filter = ("tenant_id",)
    search_fields = ("tenant_id", "queue_name", "sla_name")
    readonly_fields = tuple(f.name for f in ApiSla._meta.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiSla | None = None) -> bool:
        return False
