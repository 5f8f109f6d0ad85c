"""The platform's audit log in the operator console (public schema), read-only."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.event_types import EventType
from core.models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that only services write (audit rows, orders, webhook events)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventTypeFilter(admin.SimpleListFilter):
    """The event types that occur, by their label: the column has no choices (see AuditEvent),
    so Django's own filter would list raw codes such as "portal.provisioned"."""

    title = _("event")
    parameter_name = "event_type"

    def lookups(self, request, model_admin):
        # Distinct codes, not rows: the log grows without bound (index audit_type_time).
        codes = (
            model_admin.get_queryset(request)
            .order_by()
            .values_list("event_type", flat=True)
            .distinct()
        )
        labels = {code: EventType(code).label for code in codes if code in EventType}
        return sorted(labels.items(), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        return queryset.filter(event_type=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "event", "who", "portal_name", "object_label"]
    list_filter = [EventTypeFilter]
    search_fields = ["portal_name", "object_label", "actor_label", "actor__email"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"

    @admin.display(description=_("event"), ordering="event_type")
    def event(self, row: AuditEvent) -> str:
        return row.event_label

    # AuditEvent.who is a property; without this its column would be headed "Who".
    @admin.display(description=_("who"))
    def who(self, row: AuditEvent) -> str:
        return row.who
