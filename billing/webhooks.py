"""Stripe webhooks, on the platform host.

The signature is verified with a tolerance window; events of the other mode (live/test) are
ignored; billing.services.events applies each event exactly once; any error is answered 500 so
Stripe retries. Without STRIPE_SECRET_KEY the endpoint answers 503 to everyone and says so once
in the log: an unconfigured platform is not an error Stripe (or a stranger) can trigger.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.services.events import UNKNOWN_CUSTOMER, stripe_event_handle
from billing.stripe_api import client, is_configured

logger = logging.getLogger(__name__)
TOLERANCE_SECONDS = 300
_warned_unconfigured = False


def _unconfigured() -> HttpResponse:
    global _warned_unconfigured
    if not _warned_unconfigured:
        logger.warning("A Stripe webhook arrived, but STRIPE_SECRET_KEY is not set: answered 503.")
        _warned_unconfigured = True
    return HttpResponse("billing is not configured", status=503, content_type="text/plain")


@csrf_exempt
@require_POST
def stripe_webhook(request):
    if not is_configured():
        return _unconfigured()
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
    try:
        outcome = stripe_event_handle(event)
    except Exception:
        logger.exception("Stripe event %s (%s) failed; Stripe will retry.", event.id, event.type)
        return HttpResponse("error", status=500)
    if outcome is None:
        return HttpResponse("ignored: not handled")
    if outcome == UNKNOWN_CUSTOMER:
        logger.info("Stripe event %s is for a customer we do not know.", event.id)
    return HttpResponse(outcome)
