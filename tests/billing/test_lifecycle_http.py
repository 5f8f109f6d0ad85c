"""A paid portal's whole life over real HTTP: the order is placed, confirmed from the mailed
link and paid on a running server; localstripe delivers signed webhooks to it, which start the
grace period and mail the admins; after the grace period the portal falls back to Community
keeping its content, and paying restores it."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from billing import services
from billing.models import BillingAccount, Order, StripeEvent
from billing.stripe_api import client as stripe_client
from news.models import Post
from tenants.models import Portal
from tests.accounts.factories import UserFactory, admin_of
from tests.billing.conftest import GOOD_CARD, SCA_CARD, card
from tests.billing.factories import order_data
from tests.billing.live import cleanup, live_billing, wait_until  # noqa: F401
from tests.conftest import in_portal
from tests.news.factories import PostFactory

pytestmark = pytest.mark.slow
SUBDOMAIN = "live-lifecycle"


def _fail_renewal(live, account: BillingAccount) -> None:
    """A renewal the bank refuses: the card asks for authentication (SCA), which fails, and
    localstripe sends invoice.payment_failed. (A renewal with FAILS_LATER_CARD through
    Invoice.pay leaves the invoice open but sends no failure webhook at all in localstripe.)"""
    stripe = stripe_client()
    refusing = card(SCA_CARD)
    stripe.PaymentMethod.attach(refusing, customer=account.stripe_customer_id)
    stripe.Customer.modify(
        account.stripe_customer_id, invoice_settings={"default_payment_method": refusing}
    )
    invoice = stripe.Invoice.create(
        customer=account.stripe_customer_id, subscription=account.stripe_subscription_id
    )
    intent = stripe.PaymentIntent.retrieve(stripe.Invoice.pay(invoice.id).payment_intent)
    assert intent.status == "requires_action"
    body = json.dumps({"key": "pk_test_allmende", "client_secret": intent.client_secret})
    request = urllib.request.Request(
        f"{live.stripe_url}/v1/payment_intents/{intent.id}/_authenticate?success=false",
        data=body.encode(),
        method="POST",
    )
    urllib.request.urlopen(request, timeout=5).close()
    assert stripe.Invoice.retrieve(invoice.id).status == "open"


def _events(live) -> dict[str, list[str]]:
    outcomes: dict[str, list[str]] = {}
    for event in StripeEvent.objects.filter(pk__gte=live.first_event_pk).order_by("pk"):
        outcomes.setdefault(event.type, []).append(event.outcome)
    return outcomes


def _order_over_http(live, subdomain: str) -> Order:
    """What a browser does: the order form, the link from the mail, the card payment."""
    browser = requests.Session()
    form = browser.get(f"{live.url}/order/", timeout=10)
    form.raise_for_status()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    data = {**order_data(subdomain=subdomain), "accept_terms": "on", "csrfmiddlewaretoken": csrf}
    placed = browser.post(f"{live.url}/order/", data=data, allow_redirects=False, timeout=10)
    assert placed.status_code == 302, placed.text[:500]
    mail = wait_until(
        lambda: [m for m in live.mails() if f"{subdomain}" in m and "/confirm/" in m],
        20,
        "the confirmation mail",
        live,
    )[-1]
    link = re.search(r"(http://localhost:\d+/order/\S+/confirm/\S+/)", mail).group(1)
    confirmed = browser.post(
        link, data={"csrfmiddlewaretoken": csrf}, allow_redirects=False, timeout=10
    )
    assert confirmed.status_code == 302, confirmed.text[:500]
    order = Order.objects.get(subdomain=subdomain)
    paid = browser.post(
        f"{live.url}/order/{order.token}/pay/",
        json={"payment_method": card(GOOD_CARD)},
        headers={"X-CSRFToken": csrf},
        timeout=30,
    )
    assert paid.json()["status"] == "succeeded", paid.text[:500]
    status = browser.post(
        f"{live.url}/order/{order.token}/status/", headers={"X-CSRFToken": csrf}, timeout=30
    ).json()
    assert "set-password" not in json.dumps(status)
    return order


def test_order_pay_fail_fall_back_pay_again_and_cancel_over_http(live_billing):  # noqa: F811
    live = live_billing
    cleanup(live, SUBDOMAIN)  # whatever an aborted earlier run left behind
    try:
        order = _order_over_http(live, SUBDOMAIN)

        def fulfilled():
            order.refresh_from_db()
            account = (
                BillingAccount.objects.select_related("portal")
                .filter(portal__slug=SUBDOMAIN)
                .first()
            )
            return (
                order.status == Order.Status.COMPLETED
                and account is not None
                and account.status == "active"
                and account.portal.plan_id == "professional"
                and account
            )

        account = wait_until(fulfilled, 20, "order fulfilled by the server", live)
        portal = account.portal
        assert order.portal_id == portal.pk
        invitation = [m for m in live.mails() if "/accounts/set-password/" in m]
        assert invitation and "jana@stadtnetz.example" in invitation[-1]

        with in_portal(portal):
            PostFactory(author=UserFactory(), body="Protokoll der Mitgliederversammlung")
        mails_before = len(live.mails())

        _fail_renewal(live, account)

        def in_grace():
            account.refresh_from_db()
            notified = [m for m in live.mails()[mails_before:] if "/manage/billing/" in m]
            return account.grace_until is not None and notified

        notified = wait_until(in_grace, 20, "grace period started and admins mailed", live)
        assert "jana@stadtnetz.example" in notified[0]
        assert f"{SUBDOMAIN}.localhost:{live.port}/manage/billing/" in notified[0]
        assert account.status == "past_due"
        assert account.grace_until > timezone.now() + timedelta(days=13)
        portal.refresh_from_db()
        assert portal.plan_id == "professional"
        # Whichever webhook came first started the grace period; the failure event arrives too.
        wait_until(
            lambda: _events(live).get("invoice.payment_failed"), 20, "payment_failed event", live
        )
        outcomes = [o for os in _events(live).values() for o in os]
        assert any("payment failed: grace period until" in o for o in outcomes), outcomes

        BillingAccount.objects.filter(pk=account.pk).update(
            grace_until=timezone.now() - timedelta(minutes=1)
        )
        assert portal.schema_name in services.dunning_enforce()
        portal.refresh_from_db()
        account.refresh_from_db()
        assert portal.plan_id == "community" and account.downgraded_for_nonpayment
        with in_portal(portal):
            assert Post.objects.filter(body="Protokoll der Mitgliederversammlung").exists()

        admin = admin_of(portal)
        with in_portal(portal):
            step = services.billing_pay(
                account=account, payment_method=card(GOOD_CARD), actor=admin
            )
        assert step.status == "succeeded", step
        portal.refresh_from_db()
        account.refresh_from_db()
        assert portal.plan_id == "professional"
        assert account.grace_until is None and not account.downgraded_for_nonpayment
        assert account.status == "active"

        with in_portal(portal):
            services.billing_cancel_at_period_end(account=account, cancel=True, actor=admin)
        account.refresh_from_db()
        portal.refresh_from_db()
        assert account.cancel_at_period_end is True
        assert portal.plan_id == "professional"
        assert (
            stripe_client()
            .Subscription.retrieve(account.stripe_subscription_id)
            .cancel_at_period_end
        )

        # The renewal paid after all reaches the server too; every event has an outcome.
        wait_until(
            lambda: len(_events(live).get("invoice.payment_succeeded", [])) >= 2,
            20,
            "payment_succeeded webhooks recorded",
            live,
        )
        events = _events(live)
        assert {"customer.subscription.created", "invoice.payment_failed"} <= set(events)
        assert all(outcome for outcomes in events.values() for outcome in outcomes), events
        account.refresh_from_db()
        assert account.grace_until is None and account.cancel_at_period_end
    finally:
        cleanup(live, SUBDOMAIN)
    assert not Portal.objects.filter(slug=SUBDOMAIN).exists()
    assert not Order.objects.filter(subdomain=SUBDOMAIN).exists()
