"""Payment problems never lose data: grace, fallback to Community, restore; reconciliation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from billing import services
from billing.models import BillingAccount, BillingChange
from billing.stripe_api import client as stripe_client
from news.models import Post
from tenants.models import Portal
from tests.accounts.factories import UserFactory, host_of, log_in
from tests.billing.conftest import FAILS_LATER_CARD, GOOD_CARD, card, order_data
from tests.conftest import in_portal
from tests.news.factories import PostFactory


@pytest.fixture
def account(stripe_on, django_capture_on_commit_callbacks):
    order = services.order_place(**order_data())
    with django_capture_on_commit_callbacks(execute=True):
        services.order_pay(order=order, payment_method=card(GOOD_CARD))
    order.refresh_from_db()
    return BillingAccount.objects.select_related("portal").get(portal=order.portal)


def _fail_renewal(account: BillingAccount) -> None:
    stripe = stripe_client()
    failing = stripe.PaymentMethod.create(
        type="card",
        card={"number": FAILS_LATER_CARD, "exp_month": 12, "exp_year": 2035, "cvc": "123"},
    )
    stripe.PaymentMethod.attach(failing.id, customer=account.stripe_customer_id)
    stripe.Customer.modify(
        account.stripe_customer_id, invoice_settings={"default_payment_method": failing.id}
    )
    invoice = stripe.Invoice.create(
        customer=account.stripe_customer_id, subscription=account.stripe_subscription_id
    )
    stripe.Invoice.pay(invoice.id)


def test_failed_payment_starts_the_grace_period_and_tells_the_admins(
    account, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    _fail_renewal(account)
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_sync(subscription_id=account.stripe_subscription_id)
    account.refresh_from_db()
    assert account.grace_until > timezone.now() + timedelta(days=13)
    assert account.portal.plan_id == "professional"
    assert [m.to for m in mailoutbox] == [["jana@stadtnetz.example"]]
    assert "/manage/billing/" in mailoutbox[0].body


def test_after_the_grace_period_the_portal_falls_back_and_comes_back_when_paid(
    account, django_capture_on_commit_callbacks
):
    with in_portal(account.portal):
        PostFactory(body="Interne Notiz bleibt")
    _fail_renewal(account)
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_sync(subscription_id=account.stripe_subscription_id)
        BillingAccount.objects.filter(pk=account.pk).update(
            grace_until=timezone.now() - timedelta(minutes=1)
        )
        assert services.dunning_enforce() == [account.portal.schema_name]
    account.refresh_from_db()
    account.portal.refresh_from_db()
    assert account.portal.plan_id == "community" and account.downgraded_for_nonpayment
    with in_portal(account.portal):
        assert Post.objects.filter(body="Interne Notiz bleibt").exists()
    assert services.dunning_enforce() == []

    with django_capture_on_commit_callbacks(execute=True):
        step = services.billing_pay(account=account, payment_method=card(GOOD_CARD))
    assert step.status == "succeeded"
    account.refresh_from_db()
    account.portal.refresh_from_db()
    assert account.portal.plan_id == "professional"
    assert account.grace_until is None and not account.downgraded_for_nonpayment


def test_reconciliation_repairs_a_missed_webhook(account):
    stripe_client().Subscription.modify(account.stripe_subscription_id, cancel_at_period_end=True)
    report = services.reconcile()
    account.refresh_from_db()
    assert account.cancel_at_period_end is True
    assert report[account.portal.schema_name] == ["cancel_at_period_end False -> True"]
    assert services.reconcile() == {}
    stripe_client().Subscription.cancel(account.stripe_subscription_id)
    report = services.reconcile()
    account.refresh_from_db()
    account.portal.refresh_from_db()
    assert account.status == "canceled" and account.portal.plan_id == "community"
    assert "subscription ended: plan -> community" in report[account.portal.schema_name]
    assert BillingChange.objects.filter(portal=account.portal, source="reconciliation").exists()


def test_cancel_at_period_end_and_undo_from_the_billing_page(account):
    with in_portal(account.portal):
        admin = UserFactory(role="admin")
    page = log_in(Client(HTTP_HOST=host_of(account.portal), HTTP_ACCEPT_LANGUAGE="en"), admin)
    content = page.get("/manage/billing/").content.decode()
    assert "Professional intranet" in content and ">active<" in content
    assert "Next invoice: 4900 cents" in content
    page.post("/manage/billing/cancel/")
    account.refresh_from_db()
    assert account.cancel_at_period_end
    assert "Cancelled: Professional ends on" in page.get("/manage/billing/").content.decode()
    page.post("/manage/billing/resume/")
    account.refresh_from_db()
    assert not account.cancel_at_period_end


def test_switching_to_yearly_payment(account):
    services.billing_change_interval(account=account, interval="year")
    account.refresh_from_db()
    assert account.interval == "year"
    item = stripe_client().Subscription.retrieve(account.stripe_subscription_id).items.data[0]
    assert item.plan.id == "allmende-professional-year-49000"


def test_billing_page_is_for_this_portals_admins_only(
    account, portal_a, django_capture_on_commit_callbacks
):
    with in_portal(account.portal):
        member = UserFactory()
    member_client = log_in(Client(HTTP_HOST=host_of(account.portal)), member)
    assert member_client.get("/manage/billing/").status_code == 403
    assert member_client.post("/manage/billing/cancel/").status_code == 403
    with in_portal(portal_a):
        other_admin = UserFactory(role="admin")
    foreign = log_in(Client(HTTP_HOST=host_of(portal_a)), other_admin)
    foreign.cookies = foreign.cookies  # the session belongs to portal A
    cross = Client(HTTP_HOST=host_of(account.portal))
    cross.cookies = foreign.cookies
    assert cross.get("/manage/billing/").status_code == 302
    account.refresh_from_db()
    assert not account.cancel_at_period_end


def test_community_admin_can_upgrade_with_a_card(
    stripe_on, portal_a, django_capture_on_commit_callbacks
):
    with in_portal(portal_a):
        admin = UserFactory(role="admin")
    page = log_in(Client(HTTP_HOST=host_of(portal_a), HTTP_ACCEPT_LANGUAGE="en"), admin)
    assert "Upgrade to Professional" in page.get("/manage/billing/").content.decode()
    # Only looking: no Stripe customer, no billing account yet.
    assert not BillingAccount.objects.filter(portal=portal_a).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(
            "/manage/billing/pay/",
            {"payment_method": card(GOOD_CARD), "interval": "year"},
            content_type="application/json",
        )
    assert response.json()["status"] == "succeeded"
    account = BillingAccount.objects.get(portal=portal_a)
    # A fresh copy: the session-wide portal_a object must keep describing the rolled-back state.
    assert (
        Portal.objects.get(pk=portal_a.pk).plan_id == "professional" and account.interval == "year"
    )


def test_admins_see_the_payment_banner_on_every_page_members_do_not(account):
    BillingAccount.objects.filter(pk=account.pk).update(
        grace_until=timezone.now() + timedelta(days=3)
    )
    with in_portal(account.portal):
        admin, member = UserFactory(role="admin"), UserFactory()
    admin_page = log_in(Client(HTTP_HOST=host_of(account.portal), HTTP_ACCEPT_LANGUAGE="en"), admin)
    member_page = log_in(
        Client(HTTP_HOST=host_of(account.portal), HTTP_ACCEPT_LANGUAGE="en"), member
    )
    assert "A payment failed" in admin_page.get("/").content.decode()
    assert "A payment failed" in admin_page.get("/manage/features/").content.decode()
    assert "A payment failed" not in member_page.get("/").content.decode()


def test_billing_page_allows_stripe_js_and_nothing_inline(account, settings):
    with in_portal(account.portal):
        admin = UserFactory(role="admin")
    page = log_in(Client(HTTP_HOST=host_of(account.portal)), admin)
    policy = page.get("/manage/billing/")["Content-Security-Policy"]
    origin = settings.STRIPE_JS_URL.split("/js.stripe.com")[0]
    assert f"script-src 'self' {origin}" in policy
    assert f"connect-src 'self' {settings.STRIPE_API_BASE}" in policy
    assert "unsafe-inline" not in policy
    settings.STRIPE_JS_URL, settings.STRIPE_API_BASE = "https://js.stripe.com/v3/", ""
    from django.http import HttpResponse

    from billing.views import _with_stripe_csp

    production = _with_stripe_csp(HttpResponse())["Content-Security-Policy"]
    assert "script-src 'self' https://js.stripe.com;" in production
    assert "connect-src 'self' https://api.stripe.com https://js.stripe.com;" in production
    assert "frame-src https://js.stripe.com https://hooks.stripe.com" in production
