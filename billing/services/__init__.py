"""Billing operations, one module per entity:

- `orders`: placing an order, confirming its contact address, paying, fulfilling, abandoning;
- `subscriptions`: applying Stripe's state of a subscription to our record and the plan;
- `accounts`: the billing page (pay, upgrade, interval, cancel, e-mail);
- `dunning`: the end of a grace period;
- `reconciliation`: the nightly comparison with Stripe;
- `plans`: Stripe products and prices for our plans.

Stripe is the source of truth for a subscription's state; entitlements change only through
features.services.plan_change, so nothing is ever deleted. Stripe errors surface as BillingError
with a message fit for the person paying; bad input as ValidationError. No Stripe call happens
while a row lock is held, and tasks are named, never imported (no import cycle with tasks).
"""

from billing.services.accounts import (
    billing_account_ensure,
    billing_cancel_at_period_end,
    billing_change_interval,
    billing_pay,
    billing_set_email,
)
from billing.services.common import (
    DUNNING_STATES,
    ENDED_STATES,
    PAID_STATES,
    BillingError,
    PaymentStep,
    plan_price,
)
from billing.services.dunning import dunning_enforce
from billing.services.orders import (
    confirmation_check,
    confirmation_mailed,
    confirmation_signature,
    order_confirm,
    order_confirmation_resend,
    order_fulfil,
    order_pay,
    order_place,
    orders_abandon,
    setup_intent_create,
    subdomain_available,
)
from billing.services.plans import stripe_plans_sync
from billing.services.reconciliation import subscriptions_reconcile
from billing.services.subscriptions import subscription_sync

__all__ = [
    "DUNNING_STATES",
    "ENDED_STATES",
    "PAID_STATES",
    "BillingError",
    "PaymentStep",
    "billing_account_ensure",
    "billing_cancel_at_period_end",
    "billing_change_interval",
    "billing_pay",
    "billing_set_email",
    "confirmation_check",
    "confirmation_mailed",
    "confirmation_signature",
    "dunning_enforce",
    "order_confirm",
    "order_confirmation_resend",
    "order_fulfil",
    "order_pay",
    "order_place",
    "orders_abandon",
    "plan_price",
    "setup_intent_create",
    "stripe_plans_sync",
    "subdomain_available",
    "subscription_sync",
    "subscriptions_reconcile",
]
