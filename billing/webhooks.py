"""Stripe webhooks, on the platform host. One small handler per event type (billing.events).

The signature is verified with a tolerance window; each event id is processed exactly once,
recorded in the same transaction as its effect (a concurrent duplicate waits on the unique
index and is then answered "duplicate"); handlers fetch the subscription's current state from
Stripe, so order does not matter; unknown customers are logged and answered 2xx; events of the
other mode (live/test) are ignored; any error is answered 500 so Stripe retries.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.events import StripeEventType
from billing.models import StripeEvent
from billing.services import subscription_sync
from billing.stripe_api import client

logger = logging.getLogger(__name__)
TOLERANCE_SECONDS = 300


def _subscription_event(event) -> str:
    subscription = event.data.object
    changes = subscription_sync(
        subscription_id=subscription.id, customer_id=getattr(subscription, "customer", None) or ""
    )
    return "unknown customer" if changes is None else ("; ".join(changes) or "no change")


def _invoice_event(event) -> str:
    invoice = event.data.object
    subscription_id = getattr(invoice, "subscription", None)
    if not subscription_id:
        return "invoice without subscription"
    changes = subscription_sync(
        subscription_id=subscription_id, customer_id=getattr(invoice, "customer", None) or ""
    )
    return "unknown customer" if changes is None else ("; ".join(changes) or "no change")


HANDLERS = {
    StripeEventType.SUBSCRIPTION_CREATED: _subscription_event,
    StripeEventType.SUBSCRIPTION_UPDATED: _subscription_event,
    StripeEventType.SUBSCRIPTION_DELETED: _subscription_event,
    StripeEventType.INVOICE_PAID: _invoice_event,
    StripeEventType.INVOICE_PAYMENT_SUCCEEDED: _invoice_event,
    StripeEventType.INVOICE_PAYMENT_FAILED: _invoice_event,
}


@csrf_exempt
@require_POST
def stripe_webhook(request):
    stripe = client()
    signature = request.META.get("HTTP_STRIPE_SIGNATURE", "")
    try:
        event = stripe.Webhook.construct_event(
            request.body,
            signature,
            settings.STRIPE_WEBHOOK_SECRET or "",
            tolerance=TOLERANCE_SECONDS,
        )
    except ValueError:
        return HttpResponse("malformed payload", status=400)
    except stripe.SignatureVerificationError:
        return HttpResponse("bad signature", status=400)
    if bool(getattr(event, "livemode", False)) != settings.STRIPE_LIVEMODE:
        return HttpResponse("ignored: other mode")
    handler = HANDLERS.get(event.type)
    if handler is None:
        return HttpResponse("ignored: not handled")
    try:
        with transaction.atomic():
            record = StripeEvent.objects.create(event_id=event.id, type=event.type)
            record.outcome = handler(event)[:200]
            record.save(update_fields=["outcome"])
    except IntegrityError:
        if StripeEvent.objects.filter(event_id=event.id).exists():
            return HttpResponse("duplicate")
        logger.exception("Stripe event %s (%s) failed; Stripe will retry.", event.id, event.type)
        return HttpResponse("error", status=500)
    except Exception:
        logger.exception("Stripe event %s (%s) failed; Stripe will retry.", event.id, event.type)
        return HttpResponse("error", status=500)
    if record.outcome == "unknown customer":
        logger.info("Stripe event %s is for a customer we do not know.", event.id)
    return HttpResponse(record.outcome)
