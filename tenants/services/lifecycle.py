"""Suspend, resume, archive (delete with a grace period), restore and purge portals.

Every change is validated against the current status first (ValidationError otherwise), written
with an audit event, and reaches the routing cache through tenants.signals on commit. Purging is
the only operation that destroys data; it runs only for archived portals whose grace period is
over (the nightly Celery beat job) and removes schema, domains, portal row and media files.
"""

from __future__ import annotations

import logging
import shutil
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.event_types import EventType
from core.services import audit_record
from tenants.models import Portal, PortalStatus
from tenants.schemas import drop_schema
from tenants.storage import portal_media_root

logger = logging.getLogger(__name__)


def _lock(portal: Portal) -> Portal:
    return Portal.objects.select_for_update().get(pk=portal.pk)


def _record(portal: Portal, event_type: EventType, actor=None, **detail) -> None:
    # Without a person (a command, the nightly purge) the platform itself acted.
    audit_record(
        event_type=event_type,
        actor=actor,
        actor_label="platform",
        portal=portal,
        obj=portal,
        detail=detail,
    )


def _require(portal: Portal, allowed: set[str], action: str) -> None:
    if portal.status not in allowed:
        raise ValidationError(
            f"Cannot {action} portal “{portal.name}”: it is {portal.get_status_display().lower()}."
        )


@transaction.atomic
def portal_suspend(*, portal: Portal, actor=None, reason: str = "") -> Portal:
    """Take a portal offline; its hosts answer with a "suspended" page. Data is untouched."""
    portal = _lock(portal)
    _require(portal, {PortalStatus.ACTIVE}, "suspend")
    portal.status = PortalStatus.SUSPENDED
    portal.status_reason = reason[:300]
    portal.save(update_fields=["status", "status_reason", "updated_at"])
    _record(portal, EventType.PORTAL_SUSPENDED, actor, reason=reason)
    return portal


@transaction.atomic
def portal_resume(*, portal: Portal, actor=None) -> Portal:
    portal = _lock(portal)
    _require(portal, {PortalStatus.SUSPENDED}, "resume")
    portal.status = PortalStatus.ACTIVE
    portal.status_reason = ""
    portal.save(update_fields=["status", "status_reason", "updated_at"])
    _record(portal, EventType.PORTAL_RESUMED, actor)
    return portal


@transaction.atomic
def portal_archive(*, portal: Portal, actor=None, grace_days: int | None = None) -> Portal:
    """Delete a portal softly: offline at once, purged after the grace period."""
    portal = _lock(portal)
    _require(portal, {PortalStatus.ACTIVE, PortalStatus.SUSPENDED}, "delete")
    days = settings.PORTAL_PURGE_GRACE_DAYS if grace_days is None else grace_days
    now = timezone.now()
    portal.status = PortalStatus.ARCHIVED
    portal.archived_at = now
    portal.purge_after = now + timedelta(days=days)
    portal.save(update_fields=["status", "archived_at", "purge_after", "updated_at"])
    _record(portal, EventType.PORTAL_ARCHIVED, actor, purge_after=portal.purge_after.isoformat())
    return portal


@transaction.atomic
def portal_restore(*, portal: Portal, actor=None) -> Portal:
    """Undo an archive during the grace period."""
    portal = _lock(portal)
    _require(portal, {PortalStatus.ARCHIVED}, "restore")
    portal.status = PortalStatus.ACTIVE
    portal.archived_at = None
    portal.purge_after = None
    portal.save(update_fields=["status", "archived_at", "purge_after", "updated_at"])
    _record(portal, EventType.PORTAL_RESTORED, actor)
    return portal


def portal_purge(*, portal: Portal) -> None:
    """Destroy an archived portal whose grace period is over: schema, domains, row, media."""
    with transaction.atomic():
        portal = _lock(portal)
        _require(portal, {PortalStatus.ARCHIVED}, "purge")
        if portal.purge_after is None or portal.purge_after > timezone.now():
            raise ValidationError(
                f"Portal “{portal.name}” is in its grace period until {portal.purge_after}."
            )
        media_root = portal_media_root(portal)
        _record(portal, EventType.PORTAL_PURGED, None, schema=portal.schema_name)
        drop_schema(portal.schema_name)
        portal.delete()
        # Files go only once the database side is gone for good.
        transaction.on_commit(lambda: shutil.rmtree(media_root, ignore_errors=True))
    logger.info("Purged portal %s.", portal.schema_name)


def purge_due_portals() -> list[str]:
    """Purge every archived portal past its grace period; return their schema names."""
    due = Portal.objects.filter(status=PortalStatus.ARCHIVED, purge_after__lte=timezone.now())
    purged = []
    for portal in due:
        try:
            portal_purge(portal=portal)
        except Exception:
            logger.exception("Purging portal %s failed; it stays archived.", portal.schema_name)
        else:
            purged.append(portal.schema_name)
    return purged
