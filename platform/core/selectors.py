"""Reads of the audit log."""

from __future__ import annotations

from django.db.models import QuerySet

from core.models import AuditEvent


def audit_events(
    *, portal=None, event_types=(), object_type: str = "", object_id: str | int = ""
) -> QuerySet[AuditEvent]:
    """Events of the current schema, newest first, optionally narrowed."""
    events = AuditEvent.objects.select_related("actor")
    if portal is not None:
        events = events.filter(portal_id=portal.pk)
    if event_types:
        events = events.filter(event_type__in=list(event_types))
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id != "":
        events = events.filter(object_id=str(object_id))
    return events
