"""Processing one verified Stripe webhook event, exactly once.

The event id is recorded in the same transaction as its effect; a concurrent duplicate waits on
the unique index and is then reported as a duplicate. One small handler per event type; each
re-reads the subscription from Stripe, so order does not matter.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from billing.events import StripeEventType
from billing.models import StripeEvent
from billing.services.subscriptions import subscription_sync

DUPLICATE = "duplicate"
UNKNOWN_CUSTOMER = "unknown customer"


def _outcome(changes: list[str] | None) -> str:
    return UNKNOWN_CUSTOMER if changes is None else ("; ".join(changes) or "no change")


def _subscription_event(event) -> str:
    subscription = event.data.object
    return _outcome(
        subscription_sync(
            subscription_id=subscription.id,
            customer_id=getattr(subscription, "customer", None) or "",
        )
    )


def _invoice_event(event) -> str:
    invoice = event.data.object
    subscription_id = getattr(invoice, "subscription", None)
    if not subscription_id:
        return "invoice without subscription"
    return _outcome(
        subscription_sync(
            subscription_id=subscription_id, customer_id=getattr(invoice, "customer", None) or ""
        )
    )


HANDLERS = {
    StripeEventType.SUBSCRIPTION_CREATED: _subscription_event,
    StripeEventType.SUBSCRIPTION_UPDATED: _subscription_event,
    StripeEventType.SUBSCRIPTION_DELETED: _subscription_event,
    StripeEventType.INVOICE_PAID: _invoice_event,
    StripeEventType.INVOICE_PAYMENT_SUCCEEDED: _invoice_event,
    StripeEventType.INVOICE_PAYMENT_FAILED: _invoice_event,
}


def stripe_event_handle(event) -> str | None:
    """Apply a verified event once; its outcome, DUPLICATE, or None for types we do not handle.
    Any other failure propagates (the webhook answers 500 and Stripe retries)."""
    handler = HANDLERS.get(event.type)
    if handler is None:
        return None
    try:
        with transaction.atomic():
            record = StripeEvent.objects.create(event_id=event.id, type=event.type)
            record.outcome = handler(event)[:200]
            record.save(update_fields=["outcome"])
    except IntegrityError:
        if StripeEvent.objects.filter(event_id=event.id).exists():
            return DUPLICATE
        raise
    return record.outcome
