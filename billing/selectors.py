"""Reads for billing pages and the operator's overview."""

from __future__ import annotations

from django.db.models import Count

from billing.models import BillingAccount, Interval, Order


def account_for(portal) -> BillingAccount | None:
    return BillingAccount.objects.filter(portal_id=portal.pk).select_related("paid_plan").first()


def order_by_token(token) -> Order | None:
    """The order behind a token from the URL (the uuid converter has checked its form)."""
    return Order.objects.select_related("plan", "portal").filter(token=token).first()


def revenue_overview() -> dict:
    """Monthly recurring revenue (cents), subscriptions by status, failed payments, grace."""
    accounts = BillingAccount.objects.select_related("paid_plan", "portal")
    mrr = 0
    for account in accounts.filter(status__in=["active", "trialing", "past_due"]):
        plan = account.paid_plan
        if plan is None:
            continue
        mrr += (
            plan.monthly_price_cents
            if account.interval == Interval.MONTH
            else plan.yearly_price_cents // 12
        )
    return {
        "mrr_cents": mrr,
        "by_status": dict(
            accounts.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
        ),
        "failed": list(accounts.filter(status__in=["past_due", "unpaid"])),
        "in_grace": list(
            accounts.filter(grace_until__isnull=False, downgraded_for_nonpayment=False)
        ),
        "downgraded": list(accounts.filter(downgraded_for_nonpayment=True)),
        "open_orders": Order.objects.filter(status__in=["awaiting_payment", "paid"]).count(),
        "failed_orders": list(Order.objects.filter(status="failed")[:20]),
    }
