"""Notifications made directly (services.notify has its own tests): use inside
`tenant_context(portal)`."""

from __future__ import annotations

import itertools

from django.contrib.contenttypes.models import ContentType

from core.event_types import EventType
from notifications.models import Notification

_numbers = itertools.count(1)


def notification_for(user, target, *, event_type=EventType.THREAD_CREATED, **fields):
    number = next(_numbers)
    fields.setdefault("title", f"Something new {number}")
    fields.setdefault("url", target.get_absolute_url())
    return Notification.objects.create(
        recipient=user,
        event_type=event_type,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        **fields,
    )


def notifications_for(user, target, count: int, *, event_type=EventType.THREAD_CREATED):
    target_type = ContentType.objects.get_for_model(target)
    return Notification.objects.bulk_create(
        Notification(
            recipient=user,
            event_type=event_type,
            target_type=target_type,
            target_id=target.pk,
            title=f"Item {next(_numbers)}",
            url=target.get_absolute_url(),
        )
        for _ in range(count)
    )
