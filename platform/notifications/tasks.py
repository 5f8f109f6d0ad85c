"""Notification mails, sent from the worker in the portal's schema (tenants.celery.PortalTask).

`send_immediate` runs after the write that made the notifications; `send_digests` is the beat
job (in public) that sends one `send_portal_digest` per active portal (tenants.celery.fan_out),
so each portal's digest fails and retries on its own. Every task may run twice (late
acknowledgement, beat catching up): notifications.delivery sends each notification once.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import connection
from django_tenants.utils import get_public_schema_name

from notifications import delivery

logger = logging.getLogger(__name__)


@shared_task
def send_immediate(*, notification_ids: list[int]) -> int:
    return delivery.send_immediate(notification_ids)


@shared_task
def send_digests(*, frequency: str) -> int:
    """Beat entry point: fan out to every active portal; in a portal, send its digest."""
    if connection.schema_name != get_public_schema_name():
        return _portal_digest(frequency)
    from tenants.celery import fan_out

    return fan_out("notifications.tasks.send_portal_digest", frequency=frequency)


@shared_task
def send_portal_digest(*, frequency: str) -> int:
    return _portal_digest(frequency)


def _portal_digest(frequency: str) -> int:
    from core.event_types import EventType
    from core.services import audit_record

    sent = delivery.send_digest(frequency)
    if sent:
        audit_record(
            event_type=EventType.DIGEST_SENT,
            actor_label="notifications",
            detail={"frequency": frequency, "mails": sent},
        )
    logger.info("%s digest: %s mails.", frequency, sent)
    return sent
