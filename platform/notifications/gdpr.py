"""Data rights for notifications (see core.gdpr): what a member was told, what they follow and
how they want to be told.

Export: each of the member's notifications (kind, title, excerpt, link, times), follows (the
kind and id of what is followed) and settings. Erasing deletes all three: a notification is the
recipient's alone, and nobody else's data is in it. Notifications that name the member as the
actor keep existing for their recipients; the actor becomes empty (the foreign key is
SET_NULL, and the eraser clears it at once, before the account row goes).
"""

from __future__ import annotations

from core import gdpr
from notifications.models import Follow, Notification, NotificationSetting


def _export_notifications(user) -> list[gdpr.Row]:
    return [
        {
            "id": n.pk,
            "event_type": n.event_type,
            "title": n.title,
            "excerpt": n.excerpt,
            "url": n.url,
            "created_at": n.created_at.isoformat(),
            "read_at": n.read_at.isoformat() if n.read_at else None,
            "emailed_at": n.emailed_at.isoformat() if n.emailed_at else None,
        }
        for n in Notification.objects.filter(recipient=user).order_by("created_at", "pk")
    ]


def _erase_notifications(user, *, keep_content: bool) -> None:
    Notification.objects.filter(recipient=user).delete()
    Notification.objects.filter(actor=user).update(actor=None)


def _export_follows(user) -> list[gdpr.Row]:
    return [
        {
            "target_type": f.target_type.model_class()._meta.label_lower
            if f.target_type.model_class()
            else f"{f.target_type.app_label}.{f.target_type.model}",
            "target_id": f.target_id,
            "created_at": f.created_at.isoformat(),
        }
        for f in Follow.objects.filter(user=user).select_related("target_type").order_by("pk")
    ]


def _erase_follows(user, *, keep_content: bool) -> None:
    Follow.objects.filter(user=user).delete()


def _export_settings(user) -> list[gdpr.Row]:
    return [
        {"event_type": s.event_type or "*", "delivery": s.delivery}
        for s in NotificationSetting.objects.filter(user=user).order_by("event_type")
    ]


def _erase_settings(user, *, keep_content: bool) -> None:
    NotificationSetting.objects.filter(user=user).delete()


gdpr.register(Notification, exporter=_export_notifications, eraser=_erase_notifications)
gdpr.register(Follow, exporter=_export_follows, eraser=_erase_follows)
gdpr.register(NotificationSetting, exporter=_export_settings, eraser=_erase_settings)
