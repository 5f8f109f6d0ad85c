"""Billing work in the Celery worker: fulfilling paid orders, dunning, reconciliation, mails."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def fulfil_order(*, order_id: int) -> bool:
    from billing.services import order_fulfil

    return order_fulfil(order_id=order_id) is not None


@shared_task
def enforce_dunning() -> list[str]:
    from billing.services import dunning_enforce

    downgraded = dunning_enforce()
    if downgraded:
        logger.info("Grace period over, now Community: %s", ", ".join(downgraded))
    return downgraded


@shared_task
def reconcile_subscriptions() -> dict:
    from billing.services import orders_abandon, reconcile

    report = reconcile()
    abandoned = orders_abandon()
    logger.info(
        "Reconciliation changed %d portal(s), abandoned %d order(s): %s",
        len(report),
        abandoned,
        report,
    )
    return report


@shared_task
def notify_admins(*, kind: str) -> int:
    """Tell a portal's admins about a payment problem (runs in the portal's schema)."""
    from django.utils import translation

    from accounts.models import Role, User
    from themes.mail import send_themed_mail, themed_context

    admins = list(User.objects.filter(role=Role.ADMIN, is_active=True))
    base = themed_context()
    for admin in admins:
        with translation.override(admin.language or base["language"]):
            send_themed_mail(
                to=admin.email,
                template=f"billing/email/{kind}",
                context={"billing_url": f"{base['portal_url']}manage/billing/"},
                language=admin.language,
            )
    return len(admins)
