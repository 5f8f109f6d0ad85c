"""Keeping our record of each portal's subscription in line with Stripe.

Stripe is the source of truth: every handler fetches the current subscription before applying
it, so webhooks may arrive in any order or twice. Entitlements change only through
features.services.plan_change, so nothing is ever deleted. Stripe is always called before a row
is locked, never while the lock is held; the locked row is re-read and the change applied to it.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing.models import BillingAccount, Order
from billing.services.common import (
    DUNNING_STATES,
    ENDED_STATES,
    PAID_STATES,
    PaymentStep,
    order_fulfil_later,
    record_billing_change,
    timestamp,
)
from billing.stripe_api import client
from core.event_types import EventType
from core.services import audit_record
from features.catalogue import COMMUNITY
from tenants.celery import enqueue_on_commit

logger = logging.getLogger(__name__)


def payment_failing(subscription) -> bool:
    """Past due at Stripe, or still "active" with its latest invoice unpaid after an attempt
    (Stripe marks the subscription past_due; localstripe only leaves the invoice open)."""
    if subscription.status in DUNNING_STATES:
        return True
    invoice = getattr(subscription, "latest_invoice", None)
    if subscription.status in PAID_STATES and invoice is not None and not isinstance(invoice, str):
        return getattr(invoice, "status", None) == "open" and bool(
            getattr(invoice, "attempted", True)
        )
    return False


def payment_step(subscription) -> PaymentStep:
    """What the browser does next after starting or retrying a subscription's payment."""
    from django.utils.translation import gettext as _

    if subscription.status in PAID_STATES and not payment_failing(subscription):
        return PaymentStep("succeeded")
    invoice = subscription.latest_invoice
    intent = getattr(invoice, "payment_intent", None) if invoice else None
    if intent is not None and intent.status == "requires_action":
        return PaymentStep("requires_action", client_secret=intent.client_secret)
    error = (
        getattr(getattr(intent, "last_payment_error", None), "message", None) if intent else None
    )
    return PaymentStep(
        "failed", error=error or _("The card was declined. Please use another card.")
    )


def card_use(stripe, *, customer_id: str, payment_method: str) -> None:
    """Attach the card to the customer (Stripe.js usually has) and make it the default."""
    method = stripe.PaymentMethod.retrieve(payment_method)
    if getattr(method, "customer", None) != customer_id:
        stripe.PaymentMethod.attach(payment_method, customer=customer_id)
    stripe.Customer.modify(customer_id, invoice_settings={"default_payment_method": payment_method})


def open_invoice_retry(stripe, *, subscription_id: str):
    """Pay a subscription's open invoice again with the customer's default card (card_use just
    made the new card the default); return the fresh subscription."""
    expand = ["latest_invoice.payment_intent"]
    subscription = stripe.Subscription.retrieve(subscription_id, expand=expand)
    invoice = subscription.latest_invoice
    # Also when still "active": a failed renewal may leave it active with the invoice open
    # (localstripe does), which payment_failing counts as failing; skipping it kept the portal
    # in grace for good.
    if (
        invoice
        and invoice.status == "open"
        and (subscription.status not in PAID_STATES or payment_failing(subscription))
    ):
        # A second decline shows in the subscription's state below, not as an exception.
        # No payment_method argument: the default is the new card, and localstripe answers
        # Invoice.pay(payment_method=...) with a 500.
        with contextlib.suppress(stripe.CardError):
            stripe.Invoice.pay(invoice.id)
        subscription = stripe.Subscription.retrieve(subscription_id, expand=expand)
    return subscription


def admins_notify_later(portal, kind: str) -> None:
    """E-mail the portal's admins about a payment problem, from the worker, after commit."""
    enqueue_on_commit("billing.tasks.notify_admins", in_portal=portal, kind=kind)


def subscription_apply(
    account: BillingAccount, subscription, *, source: str = "webhook", actor=None
) -> list[str]:
    """Bring our (locked) record and the portal's plan in line with Stripe's subscription.
    Returns what changed, each also written to the audit log."""
    from features.services import plan_change

    seen = {
        "status": subscription.status,
        "cancel_at_period_end": bool(getattr(subscription, "cancel_at_period_end", False)),
        "current_period_end": timestamp(getattr(subscription, "current_period_end", None)),
    }
    items = getattr(getattr(subscription, "items", None), "data", None) or []
    parts = items[0].plan.id.split("-") if items else []
    if len(parts) >= 4 and parts[0] == "allmende":
        seen["paid_plan_id"], seen["interval"] = "-".join(parts[1:-2]), parts[-2]
    # Every field that differs is reported: reconciliation says what it repaired.
    changes = [
        f"{field} {getattr(account, field)} -> {value}"
        for field, value in seen.items()
        if getattr(account, field) != value and field != "current_period_end"
    ]
    for field, value in seen.items():
        setattr(account, field, value)
    status = account.status
    portal = account.portal
    paid_plan = account.paid_plan_id or "professional"
    who = {"actor": actor, "actor_label": "" if actor else "billing"}
    if payment_failing(subscription):
        if account.grace_until is None:
            account.grace_until = timezone.now() + timedelta(days=settings.BILLING_GRACE_DAYS)
            changes.append(f"payment failed: grace period until {account.grace_until:%Y-%m-%d}")
            audit_record(
                event_type=EventType.BILLING_PAYMENT_FAILED,
                actor_label="billing",
                portal=portal,
                obj=portal,
                detail={"grace_until": account.grace_until.isoformat()},
            )
            admins_notify_later(portal, "payment_failed")
    elif status in PAID_STATES:
        if account.grace_until is not None:
            changes.append("paid: grace period over")
        account.grace_until = None
        account.downgraded_for_nonpayment = False
        if portal.plan_id != paid_plan:
            plan_change(portal=portal, plan=paid_plan, **who)
            changes.append(f"plan -> {paid_plan}")
    elif status in ENDED_STATES and portal.plan_id != COMMUNITY:
        plan_change(portal=portal, plan=COMMUNITY, **who)
        changes.append("subscription ended: plan -> community")
    account.last_synced_at = timezone.now()
    account.save()
    for change in changes:
        record_billing_change(portal=portal, summary=change, source=source, actor=actor)
    return changes


def _account_for(subscription_id: str, customer_id: str) -> BillingAccount | None:
    account = BillingAccount.objects.filter(stripe_subscription_id=subscription_id).first()
    if account is None and customer_id:
        account = BillingAccount.objects.filter(stripe_customer_id=customer_id).first()
    return account


def account_apply_locked(account: BillingAccount, subscription, **options) -> list[str]:
    """Lock the account row, re-read it, apply the subscription fetched beforehand."""
    with transaction.atomic():
        locked = (
            BillingAccount.objects.select_for_update().select_related("portal").get(pk=account.pk)
        )
        locked.stripe_subscription_id = subscription.id
        return subscription_apply(locked, subscription, **options)


def subscription_sync(
    *, subscription_id: str, customer_id: str = "", source: str = "webhook"
) -> list[str] | None:
    """Apply Stripe's current state of a subscription. None for customers we do not know."""
    account = _account_for(subscription_id, customer_id)
    if account is None:
        order = Order.objects.filter(stripe_subscription_id=subscription_id).first()
        if order is not None:
            order_fulfil_later(order)
            return ["order payment noticed"]
        logger.info("Stripe subscription %s belongs to no portal we know.", subscription_id)
        return None
    stripe = client()
    try:
        subscription = stripe.Subscription.retrieve(subscription_id, expand=["latest_invoice"])
    except stripe.InvalidRequestError:
        logger.warning(
            "Stripe no longer knows subscription %s (portal %s).",
            subscription_id,
            account.portal_id,
        )
        return None
    return account_apply_locked(account, subscription, source=source)
