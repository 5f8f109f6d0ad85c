"""The Stripe webhook events Allmende handles, and reading one from a request: its signature and
its shape.

`signature_verify` checks the Stripe-Signature header with the SDK and refuses timestamps too
old *or* too far in the future (the SDK only refuses old ones, so a captured request signed
"tomorrow" would be replayable all day). `event_parse` turns the verified body into a `WebhookEvent` and refuses
anything Stripe would never send — not JSON, not an object, no id, a type or livemode of the
wrong type, no `data.object` — with `MalformedEvent`, which the webhook answers 400: a signed but
malformed event is a bug to see, never a 500 that Stripe retries for days.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import stripe

# The longest id and type the event log (billing.StripeEvent) stores.
MAX_ID_LENGTH = 100


class StripeEventType(StrEnum):
    SUBSCRIPTION_CREATED = "customer.subscription.created"
    SUBSCRIPTION_UPDATED = "customer.subscription.updated"
    SUBSCRIPTION_DELETED = "customer.subscription.deleted"
    INVOICE_PAID = "invoice.paid"
    INVOICE_PAYMENT_SUCCEEDED = "invoice.payment_succeeded"
    INVOICE_PAYMENT_FAILED = "invoice.payment_failed"


class SignatureInvalid(Exception):
    """The request is not (or no longer) signed with our webhook secret."""


class MalformedEvent(ValueError):
    """A correctly signed body that is not a Stripe event we can read."""


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    livemode: bool
    created: int | None
    object: dict[str, Any]  # data.object, as sent; handlers read only what they need


def signature_verify(*, body: bytes, header: str, secret: str, tolerance: int) -> int:
    """The header's timestamp if one of its v1 signatures matches `body` and the timestamp is
    within `tolerance` seconds of now (either way); SignatureInvalid otherwise, MalformedEvent
    for a body that is not text at all.

    The HMAC itself is the SDK's (stripe.WebhookSignature); around it we are stricter than the
    SDK: exactly one timestamp made of digits ("t=+1" or two t= items must not be read two
    ways), and a timestamp in the future counts as outside the tolerance as well."""
    if not secret:
        raise SignatureInvalid("no webhook secret configured")
    timestamps = [
        value
        for key, _, value in (item.strip().partition("=") for item in header.split(","))
        if key == "t"
    ]
    if len(timestamps) != 1 or not timestamps[0].isascii() or not timestamps[0].isdigit():
        raise SignatureInvalid("no timestamp")
    try:
        stripe.WebhookSignature.verify_header(body, header, secret, tolerance)
    except stripe.SignatureVerificationError as exc:
        raise SignatureInvalid(str(exc)) from exc
    except UnicodeDecodeError as exc:  # Stripe signs text; this body is none
        raise MalformedEvent("not UTF-8") from exc
    signed_at = int(timestamps[0])
    if abs(time.time() - signed_at) > tolerance:
        raise SignatureInvalid("timestamp outside the tolerance")
    return signed_at


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_ID_LENGTH:
        raise MalformedEvent(f"{what} must be a non-empty string of at most {MAX_ID_LENGTH}")
    return value


def event_parse(body: bytes) -> WebhookEvent:
    """The event in a verified webhook body, or MalformedEvent."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:  # ValueError includes bad UTF-8
        raise MalformedEvent("not JSON") from exc
    if not isinstance(data, dict):
        raise MalformedEvent("not a JSON object")
    livemode = data.get("livemode")
    if not isinstance(livemode, bool):
        raise MalformedEvent("livemode must be true or false")
    created = data.get("created")
    if created is not None and (not isinstance(created, int) or isinstance(created, bool)):
        raise MalformedEvent("created must be a timestamp")
    payload = data.get("data")
    obj = payload.get("object") if isinstance(payload, dict) else None
    if not isinstance(obj, dict):
        raise MalformedEvent("data.object missing")
    return WebhookEvent(
        id=_text(data.get("id"), "id"),
        type=_text(data.get("type"), "type"),
        livemode=livemode,
        created=created,
        object=obj,
    )


def stripe_id(value: Any, what: str, *, required: bool = True) -> str:
    """The id in a field Stripe sends either as an id or, expanded, as an object with one."""
    if isinstance(value, dict):
        value = value.get("id")
    if value is None and not required:
        return ""
    return _text(value, what)
