from django.contrib import admin

from .models import TenantGrant


@admin.register(TenantGrant)
class TenantGrantAdmin(admin.ModelAdmin):
    list_display = ("user", "tenant_id", "label", "created_at")
    list_filter = ("tenant_id",)
    search_fields = ("user__username", "tenant_id", "label")
    autocomplete_fields = ("user",)
