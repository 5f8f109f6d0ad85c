"""Processing one verified Stripe webhook event, exactly once.

The event id is recorded in the same transaction as its effect, before the account row is
locked: a concurrent duplicate waits on the unique index and is then reported as a duplicate; a
failed effect leaves no record, so Stripe's retry applies it. One small handler per event type
reads the subscription id out of the event; the state applied is always Stripe's current one,
fetched before the transaction, so order does not matter and an older event cannot roll a newer
state back (a fetch overtaken by another event's apply is repeated). An event whose object is
not what its type promises raises MalformedEvent (the webhook answers 400) before anything is
recorded.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from billing.events import MalformedEvent, StripeEventType, WebhookEvent, stripe_id
from billing.models import StripeEvent
from billing.services.subscriptions import (
    SYNC_ATTEMPTS,
    StaleAccount,
    SubscriptionFetched,
    subscription_fetch,
    subscription_fetched_apply,
)

DUPLICATE = "duplicate"
UNKNOWN_CUSTOMER = "unknown customer"


def _outcome(changes: list[str] | None) -> str:
    return UNKNOWN_CUSTOMER if changes is None else ("; ".join(changes) or "no change")


def _of_kind(event: WebhookEvent, kind: str) -> dict:
    if event.object.get("object") != kind:
        raise MalformedEvent(f"{event.type} carries no {kind}")
    return event.object


def _subscription_ref(event: WebhookEvent) -> tuple[str, str]:
    subscription = _of_kind(event, "subscription")
    return (
        stripe_id(subscription.get("id"), "subscription id"),
        stripe_id(subscription.get("customer"), "customer", required=False),
    )


def _invoice_ref(event: WebhookEvent) -> tuple[str, str] | None:
    invoice = _of_kind(event, "invoice")
    subscription = invoice.get("subscription")
    if subscription is None:
        # Newer API versions moved it under parent.subscription_details.
        parent = invoice.get("parent")
        details = parent.get("subscription_details") if isinstance(parent, dict) else None
        subscription = details.get("subscription") if isinstance(details, dict) else None
    if subscription is None:
        return None
    return (
        stripe_id(subscription, "invoice subscription"),
        stripe_id(invoice.get("customer"), "customer", required=False),
    )


# Each handler names the subscription an event is about (id, customer id), or None.
HANDLERS = {
    StripeEventType.SUBSCRIPTION_CREATED: _subscription_ref,
    StripeEventType.SUBSCRIPTION_UPDATED: _subscription_ref,
    StripeEventType.SUBSCRIPTION_DELETED: _subscription_ref,
    StripeEventType.INVOICE_PAID: _invoice_ref,
    StripeEventType.INVOICE_PAYMENT_SUCCEEDED: _invoice_ref,
    StripeEventType.INVOICE_PAYMENT_FAILED: _invoice_ref,
}


def _record_with(event: WebhookEvent, fetched: SubscriptionFetched | None) -> str:
    """Record the event and apply its effect in one transaction; IntegrityError for a duplicate,
    StaleAccount when another event's apply overtook our fetch."""
    with transaction.atomic():
        record = StripeEvent.objects.create(event_id=event.id, type=event.type)
        if fetched is None:
            record.outcome = "invoice without subscription"
        else:
            record.outcome = _outcome(subscription_fetched_apply(fetched))[:200]
        record.save(update_fields=["outcome"])
    return record.outcome


def stripe_event_handle(*, event: WebhookEvent) -> str | None:
    """Apply a verified event once; its outcome, DUPLICATE, or None for types we do not handle.
    MalformedEvent for an object that does not fit the type; any other failure propagates (the
    webhook answers 500 and Stripe retries)."""
    handler = HANDLERS.get(event.type)
    if handler is None:
        return None
    ref = handler(event)
    if StripeEvent.objects.filter(event_id=event.id).exists():
        return DUPLICATE  # a replay: no need to ask Stripe
    for attempt in range(1, SYNC_ATTEMPTS + 1):
        fetched = None
        if ref is not None:
            fetched = subscription_fetch(subscription_id=ref[0], customer_id=ref[1])
        try:
            return _record_with(event, fetched)
        except StaleAccount:
            if attempt == SYNC_ATTEMPTS:
                raise
        except IntegrityError:
            if StripeEvent.objects.filter(event_id=event.id).exists():
                return DUPLICATE
            raise
    raise AssertionError("unreachable")  # the loop returns or raises
