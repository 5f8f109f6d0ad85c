"""Keeping our record of each portal's subscription in line with Stripe.

Stripe is the source of truth: every handler fetches the current subscription before applying
it, so webhooks may arrive in any order or twice. Entitlements change only through
features.services.plan_change, so nothing is ever deleted. Stripe is always called before a row
is locked, never while the lock is held; the locked row is re-read and the change applied to it.
A sync whose fetch was overtaken by another sync's apply (last_synced_at moved under it) fetches
again instead of applying what may be the older state (StaleAccount); a late event about a
subscription the portal has since replaced is not taken up again.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

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
# How often a sync fetches again when other syncs of the same account keep overtaking it.
SYNC_ATTEMPTS = 3
_UNCHECKED = object()


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


class StaleAccount(Exception):
    """Someone applied another state of the subscription after we read the account and before
    we locked it: what we fetched from Stripe may be older than what is stored. Fetch again."""


@dataclass(frozen=True)
class SubscriptionFetched:
    """What subscription_fetch found: the account as read before asking Stripe (its
    last_synced_at is the version subscription_fetched_apply checks), Stripe's subscription, or
    an outcome without either."""

    account: BillingAccount | None = None
    subscription: Any = None
    order: Order | None = None
    note: str = ""


def _account_for(subscription_id: str, customer_id: str) -> BillingAccount | None:
    account = BillingAccount.objects.filter(stripe_subscription_id=subscription_id).first()
    if account is None and customer_id:
        account = BillingAccount.objects.filter(stripe_customer_id=customer_id).first()
    return account


def account_apply_locked(
    account: BillingAccount, subscription, *, synced_at=_UNCHECKED, **options
) -> list[str]:
    """Lock the account row, re-read it, apply the subscription fetched beforehand. With
    `synced_at` (the last_synced_at read before fetching), StaleAccount if another sync was
    applied since: applying ours could roll a newer state back."""
    with transaction.atomic():
        locked = (
            BillingAccount.objects.select_for_update().select_related("portal").get(pk=account.pk)
        )
        if synced_at is not _UNCHECKED and locked.last_synced_at != synced_at:
            raise StaleAccount(account.pk)
        locked.stripe_subscription_id = subscription.id
        return subscription_apply(locked, subscription, **options)


def subscription_fetch(*, subscription_id: str, customer_id: str = "") -> SubscriptionFetched:
    """Read our account for a subscription (by its id, else by the customer), then Stripe's
    current state of it. Nothing is locked or written; Stripe's errors other than "no such
    subscription" propagate."""
    account = _account_for(subscription_id, customer_id)
    if account is None:
        order = Order.objects.filter(stripe_subscription_id=subscription_id).first()
        return SubscriptionFetched(order=order)
    stripe = client()
    try:
        subscription = stripe.Subscription.retrieve(subscription_id, expand=["latest_invoice"])
    except stripe.InvalidRequestError:
        logger.warning(
            "Stripe no longer knows subscription %s (portal %s).",
            subscription_id,
            account.portal_id,
        )
        return SubscriptionFetched()
    customer = getattr(subscription, "customer", None)
    customer = getattr(customer, "id", customer)
    if customer != account.stripe_customer_id:
        # The event named our customer, Stripe says the subscription is someone else's.
        logger.warning(
            "Stripe subscription %s belongs to %s, not to portal %s's customer.",
            subscription_id,
            customer,
            account.portal_id,
        )
        return SubscriptionFetched()
    if (
        account.stripe_subscription_id not in ("", subscription.id)
        and subscription.status in ENDED_STATES
    ):
        # An ended subscription the portal has since replaced (a late event about it): taking
        # it up again would end the portal's plan although its current subscription runs.
        return SubscriptionFetched(note="not the portal's current subscription")
    return SubscriptionFetched(account=account, subscription=subscription)


def subscription_fetched_apply(
    fetched: SubscriptionFetched, *, source: str = "webhook"
) -> list[str] | None:
    """Apply what subscription_fetch found, inside the caller's transaction; the changes (or a
    note), None for a subscription of no portal or order we know. StaleAccount if the account
    changed since it was read."""
    if fetched.note:
        return [fetched.note]
    if fetched.order is not None:
        order_fulfil_later(fetched.order)
        return ["order payment noticed"]
    if fetched.account is None:
        return None
    return account_apply_locked(
        fetched.account,
        fetched.subscription,
        synced_at=fetched.account.last_synced_at,
        source=source,
    )


def subscription_sync(
    *, subscription_id: str, customer_id: str = "", source: str = "webhook"
) -> list[str] | None:
    """Apply Stripe's current state of a subscription. None for customers we do not know.
    Fetches again (a few times) when another sync overtook this one."""
    for _attempt in range(SYNC_ATTEMPTS - 1):
        fetched = subscription_fetch(subscription_id=subscription_id, customer_id=customer_id)
        try:
            return subscription_fetched_apply(fetched, source=source)
        except StaleAccount:
            continue
    fetched = subscription_fetch(subscription_id=subscription_id, customer_id=customer_id)
    return subscription_fetched_apply(fetched, source=source)
