from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent, Review, ReviewChange


class ReviewChangeInline(admin.TabularInline):
    model = ReviewChange
    extra = 0
    readonly_fields = (
        "kind",
        "status",
        "comment",
        "assignee",
        "changed_by",
        "changed_at",
        "version",
    )
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = (
        "interaction_id",
        "tenant_id",
        "status",
        "assignee",
        "updated_by",
        "updated_at",
        "version",
    )
    list_filter = ("status", "tenant_id")
    search_fields = ("interaction_id", "comment")
    readonly_fields = ("version", "updated_at")
    inlines = [ReviewChangeInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is written by the dashboard, never edited."""

    list_display = ("at", "user", "action", "tenant_id", "interaction_id", "detail")
    list_filter = ("action", "tenant_id")
    search_fields = ("interaction_id", "user__username", "detail")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
