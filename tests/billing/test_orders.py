"""Ordering a portal: free at once, paid after the card payment, never twice."""

from __future__ import annotations

import urllib.request
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from billing import services
from billing.models import BillingAccount, Order
from billing.stripe_api import client
from tenants.models import Portal
from tests.billing.conftest import DECLINED_CARD, GOOD_CARD, SCA_CARD, card, order_data


def test_community_order_provisions_the_portal_at_once(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = services.order_place(**order_data(plan="community"))
    assert order.status == Order.Status.COMPLETED
    assert order.portal.plan_id == "community" and order.portal.slug == "stadtnetz-kiel"
    assert mailoutbox[0].to == ["jana@stadtnetz.example"]


def test_paid_plan_without_billing_set_up_is_refused_clearly(db, settings):
    settings.STRIPE_SECRET_KEY = None
    with pytest.raises(ValidationError, match="billing is not set up"):
        services.order_place(**order_data())
    assert not Order.objects.exists()


def test_professional_order_awaits_payment_with_a_stripe_customer(stripe_on):
    order = services.order_place(**order_data())
    assert order.status == Order.Status.AWAITING_PAYMENT and order.portal is None
    customer = client().Customer.retrieve(order.stripe_customer_id)
    assert customer.email == "jana@stadtnetz.example"
    assert customer.metadata["order"] == str(order.token)


def test_paying_with_the_test_card_creates_exactly_one_portal(
    stripe_on, django_capture_on_commit_callbacks
):
    order = services.order_place(**order_data())
    with django_capture_on_commit_callbacks(execute=True):
        step = services.order_pay(order=order, payment_method=card(GOOD_CARD))
    assert step.status == "succeeded"
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    portal = order.portal
    assert portal.plan_id == "professional"
    account = BillingAccount.objects.get(portal=portal)
    assert (
        account.status == "active"
        and account.stripe_subscription_id == order.stripe_subscription_id
    )
    assert services.order_fulfil(order_id=order.pk) == portal
    assert Portal.objects.filter(slug="stadtnetz-kiel").count() == 1
    assert client().Customer.retrieve(order.stripe_customer_id).metadata["portal_id"] == str(
        portal.pk
    )


def test_declined_card_leaves_no_portal_and_can_be_retried(
    stripe_on, django_capture_on_commit_callbacks
):
    order = services.order_place(**order_data())
    step = services.order_pay(order=order, payment_method=card(DECLINED_CARD))
    assert step.status == "failed" and "declined" in step.error.lower()
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING_PAYMENT and order.portal is None
    assert not Portal.objects.filter(slug="stadtnetz-kiel").exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.order_pay(order=order, payment_method=card(GOOD_CARD)).status == "succeeded"
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED


def test_card_that_needs_authentication_completes_after_sca(
    stripe_on, client, django_capture_on_commit_callbacks
):
    order = services.order_place(**order_data())
    step = services.order_pay(order=order, payment_method=card(SCA_CARD))
    assert step.status == "requires_action" and step.client_secret.startswith("pi_")
    assert order.portal is None
    intent = step.client_secret.split("_secret_")[0]
    # What Stripe.js does when the person confirms the bank's challenge.
    urllib.request.urlopen(
        urllib.request.Request(
            f"{stripe_on}/v1/payment_intents/{intent}/_authenticate?success=true",
            data=b'{"key": "pk_test_allmende", "client_secret": "%s"}'
            % step.client_secret.encode(),
            method="POST",
        ),
        timeout=5,
    ).close()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/order/{order.token}/status/", HTTP_HOST="localhost")
    assert response.json()["status"] == "completed"
    assert "/accounts/set-password/" in response.json()["landing_url"]


def test_double_submit_returns_the_first_order(stripe_on):
    first = services.order_place(**order_data())
    second = services.order_place(**order_data())
    assert first.pk == second.pk
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subdomain": "www"}, "subdomain"),
        ({"subdomain": "alpha"}, "subdomain"),
        ({"accept_terms": False}, "accept_terms"),
        ({"contact_email": "nope"}, "contact_email"),
        ({"vat_id": "12"}, "vat_id"),
        ({"country": "Deutschland"}, "country"),
        ({"plan": "gold"}, "plan"),
    ],
)
def test_bad_order_input_is_refused_and_nothing_is_created(stripe_on, portal_a, overrides, field):
    with pytest.raises(ValidationError) as error:
        services.order_place(**order_data(**overrides))
    assert field in error.value.message_dict
    assert not Order.objects.exists()


def test_open_order_keeps_its_subdomain_from_others(stripe_on):
    services.order_place(**order_data())
    with pytest.raises(ValidationError, match="already taken"):
        services.order_place(**order_data(contact_email="other@example.org"))


def test_abandoned_payment_frees_the_subdomain(stripe_on):
    order = services.order_place(**order_data())
    services.order_pay(order=order, payment_method=card(DECLINED_CARD))
    assert services.orders_abandon(older_than=timedelta(0)) == 1
    order.refresh_from_db()
    assert order.status == Order.Status.ABANDONED
    assert services.order_place(**order_data(contact_email="next@example.org")).pk != order.pk


def test_subdomain_check_answers_live(db, client, portal_a):
    ok = client.get("/order/check/?subdomain=frei-hier", HTTP_HOST="localhost").json()
    taken = client.get("/order/check/?subdomain=alpha", HTTP_HOST="localhost").json()
    reserved = client.get("/order/check/?subdomain=admin", HTTP_HOST="localhost").json()
    assert ok["available"] and not taken["available"] and not reserved["available"]
    assert client.get("/order/check/?subdomain=x", HTTP_HOST="alpha.localhost").status_code == 404


def test_paid_order_whose_portal_cannot_be_created_is_cancelled_and_refunded(
    stripe_on, django_capture_on_commit_callbacks
):
    order = services.order_place(**order_data())
    # Someone else got the address between ordering and paying (e.g. an operator).
    from tenants.services import portal_provision

    portal_provision(name="Schneller", subdomain="stadtnetz-kiel", admin_email="x@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        step = services.order_pay(order=order, payment_method=card(GOOD_CARD))
    assert step.status == "succeeded"
    order.refresh_from_db()
    assert order.status == Order.Status.FAILED and "already taken" in order.error
    assert not BillingAccount.objects.filter(stripe_customer_id=order.stripe_customer_id).exists()
    assert client().Subscription.retrieve(order.stripe_subscription_id).status == "canceled"
