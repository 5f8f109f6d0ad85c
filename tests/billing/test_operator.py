"""Operators: plan sync is idempotent; the overview shows revenue and payment problems."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client

from accounts.models import User
from billing import services
from billing.models import BillingAccount
from billing.stripe_api import client as stripe_client
from features.models import Plan
from tests.billing.conftest import GOOD_CARD, card, order_data


def test_sync_stripe_plans_is_idempotent_and_follows_price_changes(stripe_on, capsys):
    assert services.sync_stripe_plans() == []
    call_command("sync_stripe_plans")
    assert "created 0 object(s)" in capsys.readouterr().out
    Plan.objects.filter(key="professional").update(monthly_price_cents=5900)
    assert services.sync_stripe_plans() == ["allmende-professional-month-5900"]
    assert stripe_client().Plan.retrieve("allmende-professional-month-5900").amount == 5900
    assert stripe_client().Plan.retrieve("allmende-professional-month-4900").amount == 4900


def test_overview_shows_recurring_revenue_failed_payments_and_grace(
    stripe_on, django_capture_on_commit_callbacks
):
    order = services.order_place(**order_data())
    with django_capture_on_commit_callbacks(execute=True):
        services.order_pay(order=order, payment_method=card(GOOD_CARD))
    order.refresh_from_db()
    BillingAccount.objects.filter(portal=order.portal).update(status="past_due")
    staff = User.objects.create_superuser("ops@allmende.example", "a-long-password")
    console = Client(HTTP_HOST="localhost")
    console.force_login(staff)
    page = console.get("/operator/billing/billingaccount/overview/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "4900 cents" in content
    assert "Stadtnetz Kiel – past_due" in content
    assert (
        Client(HTTP_HOST="alpha.localhost")
        .get("/operator/billing/billingaccount/overview/")
        .status_code
        == 404
    )
