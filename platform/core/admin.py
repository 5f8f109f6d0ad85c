"""The platform's audit log in the operator console (public schema), read-only."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that only services write (audit rows, orders, webhook events)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "event", "who", "portal_name", "object_label"]
    list_filter = ["event_type"]
    search_fields = ["portal_name", "object_label", "actor_label", "actor__email"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"

    @admin.display(description=_("event"), ordering="event_type")
    def event(self, row: AuditEvent) -> str:
        return row.event_label
