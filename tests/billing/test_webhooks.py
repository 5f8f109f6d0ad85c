"""The Stripe webhook: verified, exactly once, order-independent, honest status codes."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections
from django.test import Client

from billing.models import BillingAccount, StripeEvent
from tests.billing.conftest import signed

URL = "/stripe/webhook/"


def _post(client: Client, payload: dict, **kwargs):
    body, signature = signed(payload, **kwargs)
    return client.post(
        URL,
        body,
        content_type="application/json",
        HTTP_HOST="localhost",
        HTTP_STRIPE_SIGNATURE=signature,
    )


def _event(event_id: str, kind: str, obj: dict, livemode: bool = False) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": kind,
        "livemode": livemode,
        "created": int(time.time()),
        "data": {"object": obj},
    }


@pytest.fixture
def paid_portal(paid_order):
    return paid_order


def test_bad_missing_or_old_signatures_are_refused(stripe_on, client):
    payload = _event(
        "evt_1", "customer.subscription.updated", {"id": "sub_x", "object": "subscription"}
    )
    assert _post(client, payload, secret="whsec_wrong").status_code == 400
    assert (
        client.post(URL, b"{}", content_type="application/json", HTTP_HOST="localhost").status_code
        == 400
    )
    assert _post(client, payload, timestamp=int(time.time()) - 3600).status_code == 400
    assert (
        client.post(
            URL,
            b"not json",
            content_type="application/json",
            HTTP_HOST="localhost",
            HTTP_STRIPE_SIGNATURE=signed({})[1],
        ).status_code
        == 400
    )
    assert not StripeEvent.objects.exists()


def test_webhook_lives_on_the_platform_host_only(stripe_on, client, portal_a):
    body, signature = signed(_event("evt_2", "invoice.paid", {"id": "in_x", "object": "invoice"}))
    response = client.post(
        URL,
        body,
        content_type="application/json",
        HTTP_HOST="alpha.localhost",
        HTTP_STRIPE_SIGNATURE=signature,
    )
    assert response.status_code == 404


def test_event_for_an_unknown_customer_is_logged_and_acknowledged(stripe_on, client):
    payload = _event(
        "evt_3",
        "customer.subscription.updated",
        {"id": "sub_unknown", "object": "subscription", "customer": "cus_unknown"},
    )
    response = _post(client, payload)
    assert response.status_code == 200 and response.content == b"unknown customer"


def test_same_event_twice_is_processed_once(paid_portal, client):
    payload = _event(
        "evt_4",
        "customer.subscription.updated",
        {
            "id": paid_portal.stripe_subscription_id,
            "object": "subscription",
            "customer": paid_portal.stripe_customer_id,
        },
    )
    assert _post(client, payload).status_code == 200
    second = _post(client, payload)
    assert second.status_code == 200 and second.content == b"duplicate"
    assert StripeEvent.objects.filter(event_id="evt_4").count() == 1


def test_same_event_concurrently_is_processed_once(committed, settings, localstripe_url):
    from tests.billing.conftest import stripe_env

    for name, value in stripe_env(localstripe_url).items():
        setattr(settings, name, value)
    payload = _event(
        "evt_concurrent",
        "customer.subscription.updated",
        {"id": "sub_nobody", "object": "subscription", "customer": "cus_nobody"},
    )
    results = []

    def deliver():
        try:
            results.append(_post(Client(), payload).content)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert StripeEvent.objects.filter(event_id="evt_concurrent").count() == 1
        assert sorted(results).count(b"duplicate") == 3
    finally:
        StripeEvent.objects.filter(event_id="evt_concurrent").delete()


def test_updated_before_created_is_applied_from_stripes_current_state(paid_portal, client):
    account = BillingAccount.objects.get(portal=paid_portal.portal)
    account.status, account.cancel_at_period_end = "incomplete", True
    account.save()
    updated = _event(
        "evt_5",
        "customer.subscription.updated",
        {"id": paid_portal.stripe_subscription_id, "object": "subscription", "status": "stale"},
    )
    created = _event(
        "evt_6",
        "customer.subscription.created",
        {"id": paid_portal.stripe_subscription_id, "object": "subscription", "status": "stale"},
    )
    assert _post(client, updated).status_code == 200
    assert _post(client, created).status_code == 200
    account.refresh_from_db()
    assert account.status == "active" and account.cancel_at_period_end is False


def test_livemode_mismatch_is_ignored(stripe_on, client):
    response = _post(
        client, _event("evt_7", "invoice.paid", {"id": "in_x", "object": "invoice"}, livemode=True)
    )
    assert response.status_code == 200 and response.content.startswith(b"ignored")
    assert not StripeEvent.objects.exists()


def test_errors_are_answered_500_so_stripe_retries_and_nothing_is_recorded(
    paid_portal, client, settings
):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens: Stripe is unreachable
    payload = _event(
        "evt_8",
        "customer.subscription.updated",
        {"id": paid_portal.stripe_subscription_id, "object": "subscription"},
    )
    import stripe

    stripe.max_network_retries = 0
    response = _post(client, payload)
    assert response.status_code == 500
    assert not StripeEvent.objects.filter(event_id="evt_8").exists()
