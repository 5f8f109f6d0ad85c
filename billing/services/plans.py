"""Stripe products and prices for our plans."""

from __future__ import annotations

from billing.models import Interval
from billing.services.common import plan_price
from billing.stripe_api import client, price_id
from features.models import Plan


def stripe_plans_sync() -> list[str]:
    """Create missing Stripe products and plans (prices) for every paid plan; idempotent.
    Returns the ids it created."""
    stripe = client()
    created = []
    for plan in Plan.objects.all():
        if not plan.is_paid:
            continue
        product_id = f"allmende-{plan.key}"
        try:
            stripe.Product.retrieve(product_id)
            stripe.Product.modify(product_id, name=plan.name)
        except stripe.InvalidRequestError:
            stripe.Product.create(id=product_id, name=plan.name)
            created.append(product_id)
        for interval in Interval.values:
            amount = plan_price(plan, interval)
            if not amount:
                continue
            pid = price_id(plan.key, interval, amount)
            try:
                stripe.Plan.retrieve(pid)
            except stripe.InvalidRequestError:
                stripe.Plan.create(
                    id=pid,
                    product=product_id,
                    amount=amount,
                    currency="eur",
                    interval=interval,
                    nickname=f"{plan.name} ({interval})",
                )
                created.append(pid)
    return created
