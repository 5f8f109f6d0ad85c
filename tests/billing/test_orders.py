"""Ordering a portal: nothing before the contact confirmed the address, Community at once after
it, Professional after the card payment, never twice."""

from __future__ import annotations

import time
import urllib.request
from datetime import timedelta

import pytest
from django.core import signing
from django.core.exceptions import ValidationError

from billing import services
from billing.models import BillingAccount, Order
from billing.stripe_api import client
from core.models import AuditEvent
from tenants.models import Portal
from tests.billing.conftest import DECLINED_CARD, GOOD_CARD, SCA_CARD, card
from tests.billing.factories import BROWSER, order_confirmed, order_placed


def test_placing_an_order_creates_nothing_but_mails_a_confirmation_link(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = order_placed(plan="community")

    assert order.status == Order.Status.AWAITING_CONFIRMATION
    assert order.portal is None and not Portal.objects.filter(slug="stadtnetz-kiel").exists()
    assert [m.to for m in mailoutbox] == [["jana@stadtnetz.example"]]
    assert f"/order/{order.token}/confirm/" in mailoutbox[0].body
    assert "set-password" not in mailoutbox[0].body
    order.refresh_from_db()
    assert order.confirmation_sent_at is not None


def test_confirming_a_community_order_provisions_the_portal_and_invites_by_mail_only(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = order_confirmed(plan="community")

    assert order.status == Order.Status.COMPLETED
    assert order.portal.plan_id == "community" and order.portal.slug == "stadtnetz-kiel"
    invitation = mailoutbox[-1]
    assert invitation.to == ["jana@stadtnetz.example"]
    assert "/accounts/set-password/" in invitation.body
    assert list(
        AuditEvent.objects.filter(object_type="billing.order", object_id=str(order.pk))
        .order_by("pk")
        .values_list("event_type", flat=True)
    ) == ["order.placed", "order.confirmed", "order.completed"]


def _signed_days_ago(order: Order, days: int) -> str:
    class Earlier(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - days * 86400)

    return Earlier(salt="allmende.order.confirm").sign_object(
        {"order": str(order.token), "email": order.contact_email}
    )


def test_a_wrong_expired_or_foreign_confirmation_link_is_refused(db):
    order = order_placed(plan="community")
    other = order_placed(plan="community", subdomain="andere-stadt", browser="someone-else")

    for signature in ("nonsense", services.confirmation_signature(other)):
        with pytest.raises(ValidationError, match="not valid"):
            services.order_confirm(order=order, signature=signature, browser=BROWSER)
    with pytest.raises(ValidationError, match="expired"):
        services.order_confirm(order=order, signature=_signed_days_ago(order, 3), browser=BROWSER)
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING_CONFIRMATION and order.portal is None


def test_paid_plan_without_billing_set_up_is_refused_clearly(db, settings):
    settings.STRIPE_SECRET_KEY = None
    with pytest.raises(ValidationError, match="billing is not set up"):
        order_placed()
    assert not Order.objects.exists()


def test_confirmed_professional_order_awaits_payment_with_a_stripe_customer(stripe_on):
    placed = order_placed()
    assert placed.stripe_customer_id == ""  # nothing at Stripe for an unconfirmed address

    order = order_confirmed(subdomain="zweite-stadt")

    assert order.status == Order.Status.AWAITING_PAYMENT and order.portal is None
    customer = client().Customer.retrieve(order.stripe_customer_id)
    assert customer.email == "jana@stadtnetz.example"
    assert customer.metadata["order"] == str(order.token)


def test_paying_with_the_test_card_creates_exactly_one_portal(
    stripe_on, django_capture_on_commit_callbacks
):
    order = order_confirmed()
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
    order = order_confirmed()
    step = services.order_pay(order=order, payment_method=card(DECLINED_CARD))
    assert step.status == "failed" and "declined" in step.error.lower()
    order.refresh_from_db()
    assert order.status == Order.Status.AWAITING_PAYMENT and order.portal is None
    assert not Portal.objects.filter(slug="stadtnetz-kiel").exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.order_pay(order=order, payment_method=card(GOOD_CARD)).status == "succeeded"
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED


def _authenticate(stripe_url: str, client_secret: str) -> None:
    """What Stripe.js does when the person confirms the bank's challenge."""
    intent = client_secret.split("_secret_")[0]
    urllib.request.urlopen(
        urllib.request.Request(
            f"{stripe_url}/v1/payment_intents/{intent}/_authenticate?success=true",
            data=b'{"key": "pk_test_allmende", "client_secret": "%s"}' % client_secret.encode(),
            method="POST",
        ),
        timeout=5,
    ).close()


def test_card_that_needs_authentication_completes_after_sca_when_the_page_asks(
    stripe_on, django_capture_on_commit_callbacks
):
    order = order_confirmed()
    step = services.order_pay(order=order, payment_method=card(SCA_CARD))
    assert step.status == "requires_action" and step.client_secret.startswith("pi_")
    assert order.portal is None
    _authenticate(stripe_on, step.client_secret)

    with django_capture_on_commit_callbacks(execute=True):
        portal = services.order_fulfil(order_id=order.pk)

    assert portal is not None and portal.slug == "stadtnetz-kiel"
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED


def test_the_same_browser_submitting_twice_gets_its_first_order(stripe_on):
    first = order_placed()
    second = order_placed()
    assert first.pk == second.pk
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subdomain": "www"}, "subdomain"),
        ({"subdomain": "alpha"}, "subdomain"),
        ({"subdomain": "a\x00b"}, "subdomain"),
        ({"accept_terms": False}, "accept_terms"),
        ({"contact_email": "nope"}, "contact_email"),
        ({"contact_name": "Jana\nBcc: all@example.org"}, "contact_name"),
        ({"organisation": "Stadtnetz\r\nKiel"}, "organisation"),
        ({"vat_id": "12"}, "vat_id"),
        ({"country": "Deutschland"}, "country"),
        ({"plan": "gold"}, "plan"),
    ],
)
def test_bad_order_input_is_refused_and_nothing_is_created(stripe_on, portal_a, overrides, field):
    with pytest.raises(ValidationError) as error:
        order_placed(**overrides)
    assert field in error.value.message_dict
    assert not Order.objects.exists()


def test_open_order_keeps_its_subdomain_from_other_browsers(stripe_on):
    order_placed()
    for email in ("other@example.org", "JANA@Stadtnetz.example"):
        with pytest.raises(ValidationError, match="already taken"):
            order_placed(browser="another-browser", contact_email=email)
    assert Order.objects.count() == 1


def test_unconfirmed_and_unpaid_orders_expire_and_free_the_subdomain(stripe_on):
    unconfirmed = order_placed(subdomain="nie-bestaetigt")
    unpaid = order_confirmed()
    services.order_pay(order=unpaid, payment_method=card(DECLINED_CARD))

    assert services.orders_abandon(older_than=timedelta(0)) == 2

    for order in (unconfirmed, unpaid):
        order.refresh_from_db()
        assert order.status == Order.Status.ABANDONED
    assert order_placed(browser="next-browser", contact_email="next@example.org").pk != unpaid.pk


def test_subdomain_check_answers_live_and_refuses_malformed_names_without_a_server_error(
    db, client, portal_a
):
    def check(value: str) -> dict:
        response = client.get("/order/check/", {"subdomain": value}, HTTP_HOST="localhost")
        assert response.status_code == 200
        return response.json()

    assert check("frei-hier")["available"]
    assert not check("alpha")["available"]
    assert not check("admin")["available"]
    refused = check("\x00")
    assert not refused["available"] and "subdomain" in refused["message"].lower()
    assert client.get("/order/check/?subdomain=x", HTTP_HOST="alpha.localhost").status_code == 404


def test_paid_order_whose_portal_cannot_be_created_is_cancelled_and_refunded(
    stripe_on, django_capture_on_commit_callbacks
):
    order = order_confirmed()
    # Someone else got the address between ordering and paying (e.g. an operator).
    from tenants.services import portal_provision

    portal_provision(
        name="Schneller",
        subdomain="stadtnetz-kiel",
        admin_email="x@example.org",
        actor_label="tests",
    )
    with django_capture_on_commit_callbacks(execute=True):
        step = services.order_pay(order=order, payment_method=card(GOOD_CARD))
    assert step.status == "succeeded"
    order.refresh_from_db()
    assert order.status == Order.Status.FAILED and "already taken" in order.error
    assert not BillingAccount.objects.filter(stripe_customer_id=order.stripe_customer_id).exists()
    assert client().Subscription.retrieve(order.stripe_subscription_id).status == "canceled"
