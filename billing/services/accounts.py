"""What a portal's admins do on the billing page: pay or upgrade, switch the interval, cancel
and undo, change the billing e-mail. Stripe is called first; the account row is locked only to
apply Stripe's answer (billing.services.subscriptions)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from billing.models import BillingAccount, Interval
from billing.services.common import (
    DUNNING_STATES,
    ENDED_STATES,
    PAID_STATES,
    BillingError,
    PaymentStep,
    plan_price,
    stripe_error_message,
)
from billing.services.subscriptions import (
    account_apply_locked,
    card_use,
    open_invoice_retry,
    payment_step,
)
from billing.stripe_api import client, price_id
from features.models import Plan


def _unreachable(exc) -> BillingError:
    return BillingError(_("The payment service is not reachable right now; please try again."))


def _subscription_modify(account: BillingAccount, *, actor, **changes):
    stripe = client()
    try:
        subscription = stripe.Subscription.modify(account.stripe_subscription_id, **changes)
    except stripe.StripeError as exc:
        raise BillingError(stripe_error_message(exc)) from exc
    account_apply_locked(account, subscription, source="billing page", actor=actor)
    return subscription


def interval_items(account: BillingAccount, interval: str, stripe=None) -> list[dict]:
    """The subscription items that move `account` to `interval` (same plan)."""
    stripe = stripe or client()
    subscription = stripe.Subscription.retrieve(account.stripe_subscription_id)
    plan = account.paid_plan
    return [
        {
            "id": subscription.items.data[0].id,
            "plan": price_id(plan.key, interval, plan_price(plan, interval)),
        }
    ]


def billing_change_interval(*, account: BillingAccount, interval: str, actor) -> None:
    """Switch monthly <-> yearly; Stripe prorates (the page showed the amount first)."""
    if interval not in Interval.values:
        raise ValidationError(_("Choose monthly or yearly payment."))
    if account.status not in PAID_STATES | DUNNING_STATES or interval == account.interval:
        return
    stripe = client()
    try:
        items = interval_items(account, interval, stripe)
    except stripe.StripeError as exc:
        raise _unreachable(exc) from exc
    _subscription_modify(account, actor=actor, items=items)


def billing_cancel_at_period_end(*, account: BillingAccount, cancel: bool, actor) -> None:
    """Cancel at the end of the paid period (cancel=True), or undo that (cancel=False)."""
    if not account.stripe_subscription_id or account.status in ENDED_STATES:
        raise ValidationError(_("There is no running subscription."))
    _subscription_modify(account, actor=actor, cancel_at_period_end=cancel)


def billing_set_email(*, account: BillingAccount, email: str) -> None:
    validate_email(email)
    stripe = client()
    try:
        stripe.Customer.modify(account.stripe_customer_id, email=email)
    except stripe.StripeError as exc:
        raise BillingError(stripe_error_message(exc)) from exc
    account.billing_email = email
    account.save(update_fields=["billing_email"])


def billing_account_ensure(*, portal, email: str) -> BillingAccount:
    """The portal's Stripe customer, created on first use (upgrading a Community portal)."""
    account = BillingAccount.objects.filter(portal=portal).first()
    if account is not None:
        return account
    stripe = client()
    try:
        customer = stripe.Customer.create(
            email=email, name=portal.name, metadata={"portal_id": str(portal.pk)}
        )
    except stripe.StripeError as exc:
        raise BillingError(stripe_error_message(exc)) from exc
    return BillingAccount.objects.create(
        portal=portal, stripe_customer_id=customer.id, billing_email=email
    )


def billing_pay(
    *,
    account: BillingAccount,
    payment_method: str,
    actor,
    plan_key: str = "professional",
    interval: str = Interval.MONTH,
) -> PaymentStep:
    """Use a new card: make it the default; start a subscription if there is none (upgrade),
    or retry the open invoice if a payment failed."""
    stripe = client()
    try:
        card_use(stripe, customer_id=account.stripe_customer_id, payment_method=payment_method)
        if account.stripe_subscription_id and account.status not in ENDED_STATES:
            subscription = open_invoice_retry(
                stripe, subscription_id=account.stripe_subscription_id
            )
        else:
            plan = Plan.objects.get(key=plan_key)
            subscription = stripe.Subscription.create(
                customer=account.stripe_customer_id,
                items=[{"plan": price_id(plan.key, interval, plan_price(plan, interval))}],
                payment_behavior="allow_incomplete",
                metadata={"portal_id": str(account.portal_id)},
                expand=["latest_invoice.payment_intent"],
            )
            account.stripe_subscription_id, account.paid_plan_id, account.interval = (
                subscription.id,
                plan.key,
                interval,
            )
            account.save(update_fields=["stripe_subscription_id", "paid_plan", "interval"])
    except stripe.CardError as exc:
        return PaymentStep("failed", error=stripe_error_message(exc))
    except stripe.StripeError as exc:
        raise _unreachable(exc) from exc
    account_apply_locked(account, subscription, source="billing page", actor=actor)
    return payment_step(subscription)
