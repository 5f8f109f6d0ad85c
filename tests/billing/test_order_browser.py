"""Ordering a Professional portal in a real browser (Playwright driving Debian's chromium):
the order form with its live subdomain check, the link from the confirmation mail, the card
entered into (localstripe's) Stripe.js, the ready page, and the new admin setting a password from
the invitation mail; a declined card shows an error and creates nothing."""

from __future__ import annotations

import re

import pytest
from django.db import connections

from billing.models import Order
from tenants.models import Portal
from tests.billing.conftest import DECLINED_CARD, GOOD_CARD
from tests.billing.live import cleanup, live_billing, wait_until  # noqa: F401
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, needs_chromium

pytestmark = needs_chromium


def _link_from_mail(live, marker: str, subdomain: str) -> str:
    mails = wait_until(
        lambda: [m for m in live.mails() if marker in m and subdomain in m], 20, marker, live
    )
    return re.search(rf"(http://\S+{re.escape(marker)}\S*)", mails[-1]).group(1)


def _order_and_pay(page, live, subdomain: str, number: str) -> None:
    page.goto(f"{live.url}/order/")
    page.fill("[name=organisation]", "Bürgerverein Kiel")
    page.fill("[name=contact_name]", "Jana Petersen")
    page.fill("[name=contact_email]", f"jana@{subdomain}.example")
    page.fill("[name=subdomain]", subdomain)
    status = page.locator("#subdomain-status")
    status.filter(has_text=f"{subdomain}.localhost").wait_for(timeout=10_000)
    assert "available" in status.inner_text()
    page.check("[name=plan][value=professional]")
    page.check("[name=interval][value=month]")
    page.fill("[name=street]", "Rathausplatz 1")
    page.fill("[name=postal_code]", "24103")
    page.fill("[name=city]", "Kiel")
    page.check("[name=accept_terms]")
    page.click("#order-form button[type=submit]")
    page.wait_for_url(re.compile(rf"{re.escape(live.url)}/order/[0-9a-f-]+/$"), timeout=15_000)
    assert f"we sent an e-mail to jana@{subdomain}.example" in page.content()
    page.goto(_link_from_mail(live, "/confirm/", subdomain))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(rf"{re.escape(live.url)}/order/[0-9a-f-]+/$"), timeout=15_000)
    card = page.locator("#card-element")
    for placeholder, value in (
        ("number", number),
        ("exp_month", "12"),
        ("exp_year", "35"),
        ("cvc", "123"),
        ("postal_code", "24103"),
    ):
        card.get_by_placeholder(placeholder, exact=True).fill(value)
    page.click("#payment-form button[type=submit]")


@pytest.fixture
def browser_page(live_billing, monkeypatch):  # noqa: F811
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the test's own ORM
    # calls are still plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser.new_page(viewport={"width": 1000, "height": 900}, locale="en-GB")
        finally:
            browser.close()
            # Queries made while Playwright's event loop runs in this thread use a connection of
            # their own; it would keep the test database from being dropped.
            connections.close_all()


def test_ordering_professional_in_the_browser_ends_with_the_invitation_to_set_a_password(
    live_billing,  # noqa: F811
    browser_page,
):
    live, page, subdomain = live_billing, browser_page, "browser-kiel"
    cleanup(live, subdomain)  # whatever an aborted earlier run left behind
    try:
        _order_and_pay(page, live, subdomain, GOOD_CARD)
        ready = page.locator("#portal-link")
        ready.wait_for(timeout=30_000)
        assert ready.get_attribute("href") == f"http://{subdomain}.localhost:{live.port}/"
        assert "set-password" not in page.content()
        page.goto(_link_from_mail(live, "/accounts/set-password/", subdomain))
        page.wait_for_url(re.compile(r".*/accounts/set-password/.+"), timeout=10_000)
        assert page.locator("input[type=password]").count() == 2
        order = Order.objects.get(subdomain=subdomain)
        assert order.status == Order.Status.COMPLETED
        assert order.portal.plan_id == "professional"
        assert order.portal.billing.status == "active"
    finally:
        cleanup(live, subdomain)


def test_a_declined_card_shows_an_error_and_creates_no_portal(
    live_billing,  # noqa: F811
    browser_page,
):
    live, page, subdomain = live_billing, browser_page, "browser-declined"
    cleanup(live, subdomain)
    try:
        _order_and_pay(page, live, subdomain, DECLINED_CARD)
        message = page.locator("#payment-message")
        message.filter(has_text=re.compile(r"\S")).wait_for(timeout=20_000)
        assert "declined" in message.inner_text().lower()
        assert page.locator("#payment-form button[type=submit]").is_enabled()
        assert not Portal.objects.filter(slug=subdomain).exists()
        order = Order.objects.get(subdomain=subdomain)
        assert order.status == Order.Status.AWAITING_PAYMENT and order.portal is None
    finally:
        cleanup(live, subdomain)
