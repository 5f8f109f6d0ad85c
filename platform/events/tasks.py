"""Background work of the events module: importing the calendars spaces subscribe to, and
reminding those going of tomorrow's events.

The beat jobs `import_calendars_everywhere` and `send_reminders_everywhere` run in public and
send one task per active portal (tenants.celery.fan_out), which runs in that portal's schema
and is skipped where the events module is off (`required_feature`). In a portal, each
subscription is imported on its own: one calendar that fails, even with a bug, is logged and
the next one still runs. Every task may run twice: an import makes the events what the
calendar says, and reminders are sent once per occurrence (events.services.send_reminders).
"""

from __future__ import annotations

import logging

from celery import shared_task

from events import imports, services
from events.models import CalendarSubscription

logger = logging.getLogger(__name__)
FEATURE = "events"


@shared_task
def import_calendars_everywhere() -> int:
    from tenants.celery import fan_out

    return fan_out(import_calendars)


@shared_task(required_feature=FEATURE)
def import_calendars() -> dict[str, int]:
    """Import every subscription of this portal; returns how many succeeded and failed."""
    succeeded = failed = 0
    for subscription in CalendarSubscription.objects.order_by("pk"):
        try:
            result = imports.import_subscription(subscription=subscription)
        except Exception:
            # import_subscription has logged it and stored a message on the subscription; the
            # next calendar is none of this one's business.
            failed += 1
            continue
        if result.ok:
            succeeded += 1
        else:
            failed += 1
    if succeeded or failed:
        logger.info("calendar imports: %d succeeded, %d failed", succeeded, failed)
    return {"succeeded": succeeded, "failed": failed}


@shared_task(required_feature=FEATURE)
def import_subscription_now(*, subscription_id: int) -> str:
    """The "import now" button: one subscription, right after it was added or on request.
    Returns the error message ("" on success); a subscription removed meanwhile is skipped."""
    subscription = CalendarSubscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        logger.info("calendar subscription %s is gone, nothing imported", subscription_id)
        return ""
    return imports.import_subscription(subscription=subscription).error


@shared_task
def send_reminders_everywhere() -> int:
    from tenants.celery import fan_out

    return fan_out(send_reminders)


@shared_task(required_feature=FEATURE)
def send_reminders() -> int:
    sent = services.send_reminders()
    if sent:
        logger.info("Sent %d event reminders.", sent)
    return sent
