"""The one place that configures the `stripe` SDK: real Stripe, or localstripe in tests and demo.

STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET select the account; STRIPE_API_BASE (e.g. a local
localstripe) redirects the SDK; STRIPE_JS_URL is where the payment page loads Stripe.js from.
Without a secret key billing is switched off: ordering a paid plan says so instead of failing.
"""

from __future__ import annotations

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def is_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def client():
    """The configured `stripe` module. Raises ImproperlyConfigured if billing is off."""
    if not is_configured():
        raise ImproperlyConfigured("Billing needs STRIPE_SECRET_KEY.")
    stripe.api_key = settings.STRIPE_SECRET_KEY
    if settings.STRIPE_API_BASE:
        stripe.api_base = settings.STRIPE_API_BASE
    stripe.max_network_retries = 2
    return stripe


def price_id(plan_key: str, interval: str, amount_cents: int) -> str:
    # Stripe plan amounts are immutable: a new price is a new id, old subscribers keep theirs.
    return f"allmende-{plan_key}-{interval}-{amount_cents}"
