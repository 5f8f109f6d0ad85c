"""Reads for billing pages, the payment banner and the operator's overview.

The Stripe reads (invoices, a price preview) return empty results when Stripe cannot be
reached: a page still renders, it just says less.
"""

from __future__ import annotations

import logging

from django.db.models import Count, QuerySet

from billing.models import BillingAccount, Interval, Order
from billing.services.common import (
    DUNNING_STATES,
    OPEN_ORDER_STATES,
    PAID_STATES,
    plan_price,
    timestamp,
)
from billing.stripe_api import client
from features.models import Plan

logger = logging.getLogger(__name__)


def account_for(portal) -> BillingAccount | None:
    return BillingAccount.objects.filter(portal_id=portal.pk).select_related("paid_plan").first()


def payment_notice_for(portal) -> BillingAccount | None:
    """The account if its admins must be told about a failed payment, else None."""
    account = (
        BillingAccount.objects.filter(portal_id=portal.pk)
        .only("grace_until", "downgraded_for_nonpayment")
        .first()
    )
    if account is None or (account.grace_until is None and not account.downgraded_for_nonpayment):
        return None
    return account


def order_for_browser(token, browser: str) -> Order | None:
    """The order behind a token from the URL, if it belongs to this browser; None otherwise,
    so a stranger cannot tell a foreign order from a missing one."""
    if not browser:
        return None
    return (
        Order.objects.select_related("plan", "portal").filter(token=token, browser=browser).first()
    )


def order_by_token(token) -> Order | None:
    """The order behind a token, whoever asks (only for the mailed confirmation link, whose
    signature is checked by the service)."""
    return Order.objects.select_related("plan", "portal").filter(token=token).first()


def orderable_plans() -> list[Plan]:
    return list(Plan.objects.order_by("position"))


def plan_by_key(key: str) -> Plan | None:
    return Plan.objects.filter(key=key).first()


def account_invoices(account: BillingAccount) -> dict:
    """Next invoice and past invoices, straight from Stripe (empty if unreachable)."""
    stripe = client()
    result = {"upcoming": None, "invoices": []}
    try:
        invoices = stripe.Invoice.list(customer=account.stripe_customer_id, limit=24)
        result["invoices"] = [
            {
                "number": getattr(inv, "number", None) or inv.id,
                "created": timestamp(inv.created),
                "amount_cents": inv.amount_due,
                "status": inv.status,
                # The PDF first: it is what an accountant files.
                "pdf_url": getattr(inv, "invoice_pdf", None) or "",
                "url": getattr(inv, "hosted_invoice_url", None) or "",
            }
            for inv in invoices.data
        ]
    except stripe.StripeError:
        logger.warning("Billing overview for %s: Stripe not reachable.", account.portal_id)
    if (
        account.paid_plan
        and account.current_period_end
        and account.status in PAID_STATES | DUNNING_STATES
        and not account.cancel_at_period_end
    ):
        result["upcoming"] = {
            "amount_cents": plan_price(account.paid_plan, account.interval),
            "date": account.current_period_end,
        }
    return result


def interval_change_preview(account: BillingAccount, interval: str) -> int | None:
    """What Stripe would charge at once for switching to `interval` (cents), prorated; None if
    it cannot say (then the page names the new price instead)."""
    from billing.services.accounts import interval_items

    stripe = client()
    try:
        preview = stripe.Invoice.create_preview(
            customer=account.stripe_customer_id,
            subscription=account.stripe_subscription_id,
            subscription_details={"items": interval_items(account, interval, stripe)},
        )
    except stripe.StripeError:
        logger.warning("No price preview for %s from Stripe.", account.portal_id)
        return None
    return max(int(getattr(preview, "amount_due", 0) or 0), 0)


def revenue_overview() -> dict:
    """Monthly recurring revenue (cents), subscriptions by status, failed payments, grace."""
    accounts: QuerySet[BillingAccount] = BillingAccount.objects.select_related(
        "paid_plan", "portal"
    )
    mrr = 0
    for account in accounts.filter(status__in=PAID_STATES | {"past_due"}):
        if account.paid_plan is None:
            continue
        price = plan_price(account.paid_plan, account.interval)
        mrr += price if account.interval == Interval.MONTH else price // 12
    return {
        "mrr_cents": mrr,
        "by_status": dict(
            accounts.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
        ),
        "failed": list(accounts.filter(status__in=DUNNING_STATES)),
        "in_grace": list(
            accounts.filter(grace_until__isnull=False, downgraded_for_nonpayment=False)
        ),
        "downgraded": list(accounts.filter(downgraded_for_nonpayment=True)),
        "open_orders": Order.objects.filter(status__in=OPEN_ORDER_STATES).count(),
        "failed_orders": list(Order.objects.filter(status="failed")[:20]),
    }
