"""Billing tests talk to a real localstripe process over HTTP through the `stripe` SDK."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

import pytest

from billing.services import stripe_plans_sync
from tests.browser import free_port

WEBHOOK_SECRET = "whsec_test_allmende"


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English; the portals' default language is German.
    from django.utils import translation

    with translation.override("en"):
        yield


@contextmanager
def running_localstripe():
    """A localstripe process of its own (store in memory) on a free port; yields its URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.localstripe", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/js.stripe.com/v3/", timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("localstripe did not start")
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def localstripe_url():
    with running_localstripe() as url:
        yield url


def stripe_env(url: str) -> dict:
    return {
        "STRIPE_SECRET_KEY": "sk_test_allmende",
        "STRIPE_API_BASE": url,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_JS_URL": f"{url}/js.stripe.com/v3/",
    }


@pytest.fixture
def stripe_on(settings, localstripe_url, db):
    """Billing configured against a clean localstripe, with our plans synced."""
    for name, value in stripe_env(localstripe_url).items():
        setattr(settings, name, value)
    request = urllib.request.Request(f"{localstripe_url}/_config/data", method="DELETE")
    urllib.request.urlopen(request, timeout=5).close()
    stripe_plans_sync()
    return localstripe_url


def card(number: str) -> str:
    """A PaymentMethod id, as Stripe.js returns it after confirmCardSetup."""
    from billing.stripe_api import client

    stripe = client()
    return stripe.PaymentMethod.create(
        type="card", card={"number": number, "exp_month": 12, "exp_year": 2035, "cvc": "123"}
    ).id


GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
SCA_CARD = "4000002760003184"
FAILS_LATER_CARD = "4000000000000341"


def signed(
    payload: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> tuple[bytes, str]:
    """A webhook body and its Stripe-Signature header, computed as Stripe does."""
    body = json.dumps(payload).encode()
    ts = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={ts},v1={signature}"


@pytest.fixture
def paid_order(stripe_on, django_capture_on_commit_callbacks):
    """A Professional order placed, confirmed and paid with the test card: its portal exists."""
    from tests.billing.factories import order_paid

    return order_paid(django_capture_on_commit_callbacks)
