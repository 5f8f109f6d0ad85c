"""Stripe webhooks, on the platform host.

The signature is verified (billing.events.signature_verify: v1 HMAC, a timestamp within five
minutes either way); a signed body that is not a readable event is answered 400, as is a bad
signature; events of the other mode (live/test) and types we do not handle are acknowledged
(200) and ignored; billing.services.events applies each event exactly once; any other error is
answered 500 so Stripe retries. Without STRIPE_SECRET_KEY or STRIPE_WEBHOOK_SECRET the endpoint
answers 503 to everyone and says so once in the log: an unconfigured platform is not an error
Stripe (or a stranger) can trigger, and nobody can sign an event with an empty secret.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.events import MalformedEvent, SignatureInvalid, event_parse, signature_verify
from billing.services.events import UNKNOWN_CUSTOMER, stripe_event_handle
from billing.stripe_api import is_configured

logger = logging.getLogger(__name__)
TOLERANCE_SECONDS = 300
_warned_unconfigured = False


def _unconfigured() -> HttpResponse:
    global _warned_unconfigured
    if not _warned_unconfigured:
        logger.warning(
            "A Stripe webhook arrived, but STRIPE_SECRET_KEY or STRIPE_WEBHOOK_SECRET is not "
            "set: answered 503."
        )
        _warned_unconfigured = True
    return HttpResponse("billing is not configured", status=503, content_type="text/plain")


def _answer(text: str, status: int = 200) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain")


@csrf_exempt
@require_POST
def stripe_webhook(request):
    if not is_configured() or not settings.STRIPE_WEBHOOK_SECRET:
        return _unconfigured()
    try:
        signature_verify(
            body=request.body,
            header=request.META.get("HTTP_STRIPE_SIGNATURE", ""),
            secret=settings.STRIPE_WEBHOOK_SECRET,
            tolerance=TOLERANCE_SECONDS,
        )
        event = event_parse(request.body)
    except SignatureInvalid:
        return _answer("bad signature", 400)
    except MalformedEvent as exc:
        logger.warning("A signed Stripe webhook is malformed: %s", exc)
        return _answer("malformed payload", 400)
    if event.livemode != settings.STRIPE_LIVEMODE:
        return _answer("ignored: other mode")
    try:
        outcome = stripe_event_handle(event=event)
    except MalformedEvent as exc:
        logger.warning("Stripe event %s (%s) is malformed: %s", event.id, event.type, exc)
        return _answer("malformed payload", 400)
    except Exception:
        logger.exception("Stripe event %s (%s) failed; Stripe will retry.", event.id, event.type)
        return _answer("error", 500)
    if outcome is None:
        return _answer("ignored: not handled")
    if outcome == UNKNOWN_CUSTOMER:
        logger.info("Stripe event %s is for a customer we do not know.", event.id)
    return _answer(outcome)
