"""The nightly repair: every subscription compared with Stripe, paid orders finished."""

from __future__ import annotations

from billing.models import BillingAccount, Order
from billing.services.orders import order_fulfil
from billing.services.subscriptions import subscription_sync


def subscriptions_reconcile() -> dict[str, list[str]]:
    """Repair drift (missed webhooks) and provision paid orders whose portal is missing;
    returns what changed per portal schema."""
    report = {}
    for account in BillingAccount.objects.select_related("portal").exclude(
        stripe_subscription_id=""
    ):
        changes = subscription_sync(
            subscription_id=account.stripe_subscription_id, source="reconciliation"
        )
        if changes:
            report[account.portal.schema_name] = changes
    for order in Order.objects.filter(status=Order.Status.AWAITING_PAYMENT).exclude(
        stripe_subscription_id=""
    ):
        portal = order_fulfil(order_id=order.pk)
        if portal is not None:
            report[portal.schema_name] = ["order fulfilled by reconciliation"]
    return report
