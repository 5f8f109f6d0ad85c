"""Payment problems never lose data: grace, fallback to Community, restore; reconciliation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from billing import services
from billing.models import BillingAccount
from billing.stripe_api import client as stripe_client
from core.event_types import EventType
from core.models import AuditEvent
from news.models import Post
from tenants.models import Portal
from tests.accounts.factories import admin_client, admin_of, host_of, log_in, member_of
from tests.billing.conftest import FAILS_LATER_CARD, GOOD_CARD, card
from tests.conftest import in_portal
from tests.news.factories import PostFactory


@pytest.fixture
def account(paid_order):
    return BillingAccount.objects.select_related("portal").get(portal=paid_order.portal)


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

    admin = admin_of(account.portal)
    with django_capture_on_commit_callbacks(execute=True), in_portal(account.portal):
        step = services.billing_pay(account=account, payment_method=card(GOOD_CARD), actor=admin)
    assert step.status == "succeeded"
    account.refresh_from_db()
    account.portal.refresh_from_db()
    assert account.portal.plan_id == "professional"
    assert account.grace_until is None and not account.downgraded_for_nonpayment
    # The admin's payment is in the portal's own log, with the admin as the one who acted.
    with in_portal(account.portal):
        assert AuditEvent.objects.filter(
            event_type=EventType.PORTAL_PLAN_CHANGED, actor=admin, detail__to="professional"
        ).exists()


def test_reconciliation_repairs_a_missed_webhook(account):
    stripe_client().Subscription.modify(account.stripe_subscription_id, cancel_at_period_end=True)
    report = services.subscriptions_reconcile()
    account.refresh_from_db()
    assert account.cancel_at_period_end is True
    assert report[account.portal.schema_name] == ["cancel_at_period_end False -> True"]
    assert services.subscriptions_reconcile() == {}
    stripe_client().Subscription.cancel(account.stripe_subscription_id)
    report = services.subscriptions_reconcile()
    account.refresh_from_db()
    account.portal.refresh_from_db()
    assert account.status == "canceled" and account.portal.plan_id == "community"
    assert "subscription ended: plan -> community" in report[account.portal.schema_name]
    repaired = AuditEvent.objects.filter(
        event_type=EventType.BILLING_CHANGED, portal=account.portal, actor_label="reconciliation"
    ).values_list("detail__summary", flat=True)
    assert set(repaired) >= {
        "cancel_at_period_end False -> True",
        "subscription ended: plan -> community",
    }


def test_cancel_asks_first_then_cancels_at_period_end_and_can_be_undone(account):
    page = admin_client(account.portal)
    content = page.get("/manage/billing/").content.decode()
    assert "Professional intranet" in content and ">active<" in content
    assert "Next invoice: €49.00" in content

    # Without the confirmation step nothing changes: the admin is shown what it means first.
    asked = page.post("/manage/billing/cancel/")
    assert asked.status_code == 302 and asked["Location"] == "/manage/billing/confirm/cancel/"
    account.refresh_from_db()
    assert not account.cancel_at_period_end
    question = page.get("/manage/billing/confirm/cancel/").content.decode()
    assert "nothing more is charged" in question and 'name="confirm" value="yes"' in question

    page.post("/manage/billing/cancel/", {"confirm": "yes"})
    account.refresh_from_db()
    assert account.cancel_at_period_end
    after = page.get("/manage/billing/").content.decode()
    assert "Cancelled: Professional ends on" in after
    page.post("/manage/billing/resume/", {"confirm": "yes"})
    account.refresh_from_db()
    assert not account.cancel_at_period_end


def test_switching_to_yearly_shows_what_is_charged_now_and_asks_first(account):
    page = admin_client(account.portal)
    question = page.get("/manage/billing/confirm/interval/").content.decode()
    assert "€490.00 per period" in question
    charged = re.search(r"Charged now: (€[\d,.]+)", question)
    assert charged, question
    assert f"Switch and pay {charged.group(1)}" in question

    page.post("/manage/billing/interval/", {"interval": "year", "confirm": "yes"})

    account.refresh_from_db()
    assert account.interval == "year"
    item = stripe_client().Subscription.retrieve(account.stripe_subscription_id).items.data[0]
    assert item.plan.id == "allmende-professional-year-49000"


def test_billing_page_is_for_this_portals_admins_only(account, portal_a):
    member = log_in(Client(HTTP_HOST=host_of(account.portal)), member_of(account.portal))
    assert member.get("/manage/billing/").status_code == 403
    assert member.post("/manage/billing/cancel/", {"confirm": "yes"}).status_code == 403
    # A session of portal A's admin, carried to portal B's host, is nobody there.
    foreign = admin_client(portal_a)
    cross = Client(HTTP_HOST=host_of(account.portal))
    cross.cookies = foreign.cookies
    refused = cross.post("/manage/billing/cancel/", {"confirm": "yes"})
    assert refused.status_code == 302 and "/accounts/login/" in refused["Location"]
    account.refresh_from_db()
    assert not account.cancel_at_period_end
    # Positive control: the same request by this portal's admin does cancel.
    admin_client(account.portal).post("/manage/billing/cancel/", {"confirm": "yes"})
    account.refresh_from_db()
    assert account.cancel_at_period_end


def test_community_admin_can_upgrade_with_a_card(
    stripe_on, portal_a, django_capture_on_commit_callbacks
):
    page = admin_client(portal_a)
    content = page.get("/manage/billing/").content.decode()
    assert "Upgrade to Professional intranet" in content
    assert "Pay €49.00 and upgrade" in content and "yearly: €490.00 per year" in content
    # Only looking: no Stripe customer, no billing account yet.
    assert not BillingAccount.objects.filter(portal=portal_a).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(
            "/manage/billing/pay/",
            {"payment_method": card(GOOD_CARD), "interval": "year"},
            content_type="application/json",
        )
    assert response.json()["status"] == "succeeded"
    assert "now runs on Professional" in page.get("/manage/billing/").content.decode()
    account = BillingAccount.objects.get(portal=portal_a)
    # A fresh copy: the session-wide portal_a object must keep describing the rolled-back state.
    assert (
        Portal.objects.get(pk=portal_a.pk).plan_id == "professional" and account.interval == "year"
    )


def test_admins_see_the_payment_banner_on_every_page_members_do_not(account):
    BillingAccount.objects.filter(pk=account.pk).update(
        grace_until=timezone.now() + timedelta(days=3)
    )
    admin_page = admin_client(account.portal)
    member_page = log_in(
        Client(HTTP_HOST=host_of(account.portal), HTTP_ACCEPT_LANGUAGE="en"),
        member_of(account.portal),
    )
    assert "A payment failed" in admin_page.get("/").content.decode()
    assert "A payment failed" in admin_page.get("/manage/features/").content.decode()
    assert "A payment failed" not in member_page.get("/").content.decode()


def test_billing_page_allows_stripe_js_and_nothing_inline(account, settings):
    policy = admin_client(account.portal).get("/manage/billing/")["Content-Security-Policy"]
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
