"""Operators: plan sync is idempotent; the overview shows revenue and payment problems."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client

from billing import services
from billing.models import BillingAccount
from billing.stripe_api import client as stripe_client
from features.models import Plan
from tests.accounts.factories import staff_user


def test_sync_stripe_plans_is_idempotent_and_follows_price_changes(stripe_on, capsys):
    assert services.stripe_plans_sync() == []
    call_command("sync_stripe_plans")
    assert "created 0 object(s)" in capsys.readouterr().out
    Plan.objects.filter(key="professional").update(monthly_price_cents=5900)
    assert services.stripe_plans_sync() == ["allmende-professional-month-5900"]
    assert stripe_client().Plan.retrieve("allmende-professional-month-5900").amount == 5900
    assert stripe_client().Plan.retrieve("allmende-professional-month-4900").amount == 4900


def test_overview_shows_recurring_revenue_failed_payments_and_grace(paid_order):
    order = paid_order
    BillingAccount.objects.filter(portal=order.portal).update(status="past_due")
    staff = staff_user(email="ops@allmende.example")
    console = Client(HTTP_HOST="localhost")
    console.force_login(staff)
    page = console.get("/operator/billing/billingaccount/overview/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "49,00\u00a0€" in content  # the console speaks German by default
    assert "Stadtnetz Kiel – past_due" in content
    assert (
        Client(HTTP_HOST="alpha.localhost")
        .get("/operator/billing/billingaccount/overview/")
        .status_code
        == 404
    )
