"""Billing work in the Celery worker: fulfilling paid orders, dunning, reconciliation, mails.

Thin: each task calls a service. Services send these by name (tenants.celery.enqueue_on_commit),
so this module imports the services and never the other way round.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from billing import services
from billing.models import Order

logger = logging.getLogger(__name__)


@shared_task
def fulfil_order(*, order_id: int) -> bool:
    return services.order_fulfil(order_id=order_id) is not None


@shared_task
def enforce_dunning() -> list[str]:
    downgraded = services.dunning_enforce()
    if downgraded:
        logger.info("Grace period over, now Community: %s", ", ".join(downgraded))
    return downgraded


@shared_task
def reconcile_subscriptions() -> dict:
    report = services.subscriptions_reconcile()
    abandoned = services.orders_abandon()
    logger.info(
        "Reconciliation changed %d portal(s), abandoned %d order(s): %s",
        len(report),
        abandoned,
        report,
    )
    return report


@shared_task
def send_order_confirmation(*, order_id: int) -> None:
    """Mail the order's contact the link that confirms their address (platform branding)."""
    from tenants.selectors import platform_url

    order = Order.objects.select_related("plan").filter(pk=order_id).first()
    if order is None or order.status != Order.Status.AWAITING_CONFIRMATION:
        return
    from django.urls import reverse

    path = reverse(
        "billing:order_confirm",
        urlconf=settings.PUBLIC_SCHEMA_URLCONF,
        kwargs={"token": order.token, "signature": services.confirmation_signature(order)},
    )
    link = platform_url().rstrip("/") + path
    context = {"order": order, "confirm_url": link}
    with translation.override(order.language):
        subject = " ".join(
            render_to_string("billing/email/order_confirm_subject.txt", context).split()
        )
        text = render_to_string("billing/email/order_confirm.txt", context)
        html = render_to_string("billing/email/order_confirm.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [order.contact_email]
    )
    message.attach_alternative(html, "text/html")
    message.send()
    services.confirmation_mailed(order=order)


@shared_task
def notify_admins(*, kind: str) -> int:
    """Tell a portal's admins about a payment problem (runs in the portal's schema)."""
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
