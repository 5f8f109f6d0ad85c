"""Journeys on the platform site: ordering a Community portal, and a Professional one paid with
the test card (localstripe), from the platform's start page to the new admin logged in.

Each runs in German and English on a desktop and in German on a 390 px phone
(`tests/journeys/conftest.py`); screenshots of every step land in `.data/screenshots/`.
"""

from __future__ import annotations

import re

from billing.models import Order
from tenants.models import Portal
from tests.billing.conftest import GOOD_CARD
from tests.billing.live import cleanup
from tests.browser import needs_chromium
from tests.journeys.conftest import assert_on_screen, main_nav, say

pytestmark = needs_chromium
NEW_PASSWORD = "Lindenblatt-im-Wind-42"


def _box(page, selector_or_locator) -> dict:
    locator = (
        page.locator(selector_or_locator)
        if isinstance(selector_or_locator, str)
        else selector_or_locator
    )
    return locator.first.bounding_box()


def _assert_beside(page, status, *, below: str, above: str) -> None:
    """The check's answer is right under its field, before the next question."""
    field, message, following = _box(page, below), _box(page, status), _box(page, above)
    field_bottom = field["y"] + field["height"]
    assert field_bottom <= message["y"] < field_bottom + 40, (field, message)
    assert message["y"] + message["height"] <= following["y"], (message, following)


def _assert_on_one_line(page, control: str, label: str) -> None:
    """A checkbox sits before its label's first line, not on a line of its own."""
    box, text = _box(page, control), _box(page, label)
    assert box["x"] + box["width"] <= text["x"] + 1, (box, text)
    first_line_bottom = text["y"] + 30
    assert text["y"] - 5 <= box["y"] <= first_line_bottom, (box, text)


def _order(page, shots, variant, *, site_url: str, subdomain: str, email: str, plan: str):
    page.goto(f"{site_url}/")
    shots(page, "platform-home")
    page.get_by_role(
        "link", name=say(variant, "Bestelle dein Portal", "Order your portal")
    ).first.click()
    page.wait_for_url(f"{site_url}/order/**")
    page.get_by_label(say(variant, "Organisation", "Organisation")).fill("Bürgerverein Kiel")
    page.get_by_label(say(variant, "Ansprechperson", "Contact person")).fill("Jana Petersen")
    page.fill("[name=contact_email]", email)
    page.fill("[name=subdomain]", subdomain)
    status = page.locator("#subdomain-status")
    status.filter(has_text=f"{subdomain}.localhost").wait_for()
    assert say(variant, "ist verfügbar", "is available") in status.inner_text()
    _assert_beside(page, status, below="[name=subdomain]", above="fieldset:has([name=plan])")
    page.check(f"[name=plan][value={plan}]")
    if plan != "community":
        page.check("[name=interval][value=month]")
    page.fill("[name=street]", "Rathausplatz 1")
    page.fill("[name=postal_code]", "24103")
    page.fill("[name=city]", "Kiel")
    terms = page.locator("label[for=id_accept_terms]")
    assert terms.get_by_role("link").nth(0).get_attribute("href") == "/nutzungsbedingungen/"
    assert terms.get_by_role("link").nth(1).get_attribute("href") == "/auftragsverarbeitung/"
    page.check("[name=accept_terms]")
    _assert_on_one_line(page, "[name=accept_terms]", "label[for=id_accept_terms]")
    shots(page, "order-form-filled")
    page.click("#order-form button[type=submit]")
    page.wait_for_url(re.compile(rf"{re.escape(site_url)}/order/[0-9a-f-]+/$"))
    assert email in page.locator("main").inner_text()
    shots(page, "mail-sent")


def _confirm(page, shots, live, *, email: str):
    page.goto(live.link_from_mail("/confirm/", to=email))
    shots(page, "confirm-page")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(rf"{re.escape(live.url)}/order/[0-9a-f-]+/$"))


def _set_password_and_log_in(page, shots, variant, live, *, subdomain: str, email: str):
    ready = page.locator("#portal-link")
    ready.wait_for(timeout=30_000)
    assert ready.get_attribute("href") == f"{live.portal_url(subdomain)}/"
    shots(page, "portal-ready")
    page.goto(live.link_from_mail("/accounts/set-password/", to=email))
    page.wait_for_url(re.compile(r".*/accounts/set-password/.+"))
    passwords = page.locator("input[type=password]")
    passwords.nth(0).fill(NEW_PASSWORD)
    passwords.nth(1).fill(NEW_PASSWORD)
    shots(page, "set-password")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/login/**")
    page.fill("[name=login]", email)
    page.fill("[name=password]", NEW_PASSWORD)
    shots(page, "log-in")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live.portal_url(subdomain)}/")
    # The new administrator is logged in and sees the admin navigation.
    admin_link = main_nav(page, variant).get_by_role(
        "link", name=say(variant, "Verwaltung", "Administration")
    )
    assert_on_screen(page, admin_link)
    shots(page, "admin-home")


def test_order_community(platform_terms, live_site, page, shots, variant):
    live, subdomain = live_site, f"kiel-{variant.id}"
    email = f"jana@{subdomain}.example"
    cleanup(live, subdomain)  # whatever an aborted earlier run left behind
    try:
        _order(
            page,
            shots,
            variant,
            site_url=live.url,
            subdomain=subdomain,
            email=email,
            plan="community",
        )
        assert not Portal.objects.filter(slug=subdomain).exists()  # not before the confirmation
        _confirm(page, shots, live, email=email)
        _set_password_and_log_in(page, shots, variant, live, subdomain=subdomain, email=email)
        portal = Portal.objects.get(slug=subdomain)
        assert portal.plan_id == "community"
        assert Order.objects.get(subdomain=subdomain).status == Order.Status.COMPLETED
    finally:
        cleanup(live, subdomain)


def test_order_professional(platform_terms, live_paid, page, shots, variant):
    live, subdomain = live_paid, f"pro-{variant.id}"
    email = f"jana@{subdomain}.example"
    cleanup(live, subdomain)
    try:
        _order(
            page,
            shots,
            variant,
            site_url=live.url,
            subdomain=subdomain,
            email=email,
            plan="professional",
        )
        _confirm(page, shots, live, email=email)
        card = page.locator("#card-element")
        card.wait_for()
        for placeholder, value in (
            ("number", GOOD_CARD),
            ("exp_month", "12"),
            ("exp_year", "35"),
            ("cvc", "123"),
            ("postal_code", "24103"),
        ):
            card.get_by_placeholder(placeholder, exact=True).fill(value)
        shots(page, "card-entered")
        page.click("#payment-form button[type=submit]")
        _set_password_and_log_in(page, shots, variant, live, subdomain=subdomain, email=email)
        portal = Portal.objects.get(slug=subdomain)
        assert portal.plan_id == "professional"
        assert portal.billing.status == "active"
    finally:
        cleanup(live, subdomain)
