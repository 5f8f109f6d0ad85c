"""A security key (WebAuthn) as the second factor, in a real browser: Playwright drives Debian's
chromium against a running server, with a virtual authenticator (Chrome DevTools Protocol) in
place of a USB key. The member adds the key on allauth's page, logs out, logs in again with the
password, and the second step is done by the key.

The server reads committed data, so the member made here is deleted afterwards."""

from __future__ import annotations

import re

import pytest
from django.db import connections
from django_tenants.utils import tenant_context

from accounts.models import User
from core.models import AuditEvent
from tests.accounts.factories import PASSWORD, member_of
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, needs_chromium, running_server

pytestmark = needs_chromium

EMAIL = "security-key@beta.example"


@pytest.fixture
def live_server_url(committed, subprocess_env, tmp_path):
    """runserver on the test database; yields a function giving a portal's base URL."""
    with running_server(subprocess_env, tmp_path / "server.log") as port:
        yield lambda portal: f"http://{portal.slug}.localhost:{port}"


def _delete_member(portal) -> None:
    """The member, their authenticators and addresses (cascade), audit rows and sessions."""
    from django.contrib.sessions.models import Session

    with tenant_context(portal):
        for user in User.objects.filter(email=EMAIL):
            AuditEvent.objects.filter(portal=portal, object_id=str(user.pk)).delete()
            for session in Session.objects.all():
                if session.get_decoded().get("_auth_user_id") == str(user.pk):
                    session.delete()
            user.delete()


@pytest.fixture
def member(committed, portal_b):
    _delete_member(portal_b)  # whatever an aborted earlier run left behind
    user = member_of(portal_b, email=EMAIL, display_name="Kim Schlüssel")
    try:
        yield user
    finally:
        _delete_member(portal_b)


@pytest.fixture
def page(live_server_url, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser.new_page(viewport={"width": 1000, "height": 900}, locale="en-GB")
        finally:
            browser.close()
            # Queries made while Playwright's loop ran used a connection of their own; it would
            # keep the test database from being dropped.
            connections.close_all()


def _virtual_security_key(page) -> tuple[object, str]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, authenticator["authenticatorId"]


def _log_in_with_password(page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("[name=login]", EMAIL)
    page.fill("[name=password]", PASSWORD)
    page.click("main form button[type=submit]")


def test_each_portal_is_its_own_relying_party_named_after_it(db, portal_b):
    from allauth.core import context
    from django.test import RequestFactory

    from accounts.adapter import PortalMfaAdapter

    request = RequestFactory().get("/", HTTP_HOST=f"{portal_b.slug}.localhost:8000")
    with tenant_context(portal_b), context.request_context(request):
        entity = PortalMfaAdapter().get_public_key_credential_rp_entity()
    assert entity == {"id": f"{portal_b.slug}.localhost", "name": portal_b.name}


def test_a_member_adds_a_security_key_and_logs_in_with_it_as_second_factor(
    live_server_url, page, member, portal_b, tmp_path
):
    base = live_server_url(portal_b)
    cdp, authenticator_id = _virtual_security_key(page)

    _log_in_with_password(page, base)
    page.wait_for_url(re.compile(rf"{re.escape(base)}/(?!accounts/login).*"), timeout=10_000)

    page.goto(f"{base}/accounts/2fa/webauthn/add/")
    if "/accounts/reauthenticate/" in page.url:
        # allauth asks for the password again before a new authenticator is added.
        page.fill("[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
    page.locator("#mfa_webauthn_add").wait_for(timeout=10_000)
    page.screenshot(path=tmp_path / "webauthn-add.png", full_page=True)
    page.click("#mfa_webauthn_add")
    # Adding the first authenticator leads on to the recovery codes allauth makes with it.
    page.wait_for_url(re.compile(r".*/accounts/2fa/(?!webauthn/add/).*"), timeout=15_000)
    page.screenshot(path=tmp_path / "webauthn-added.png", full_page=True)

    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(credentials["credentials"]) == 1
    assert credentials["credentials"][0]["rpId"] == f"{portal_b.slug}.localhost"
    with tenant_context(portal_b):
        from allauth.mfa.models import Authenticator

        types = set(Authenticator.objects.filter(user=member).values_list("type", flat=True))
    assert Authenticator.Type.WEBAUTHN in types

    # Log out (allauth's logout asks to confirm with a POST).
    page.goto(f"{base}/accounts/logout/")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/accounts/me/")
    assert "/accounts/login/" in page.url

    _log_in_with_password(page, base)
    page.wait_for_url(re.compile(r".*/accounts/2fa/authenticate/.*"), timeout=10_000)
    page.screenshot(path=tmp_path / "webauthn-authenticate.png", full_page=True)
    page.click("#mfa_webauthn_authenticate")
    page.wait_for_url(re.compile(rf"{re.escape(base)}/(?!accounts/(login|2fa)/).*"), timeout=15_000)

    page.goto(f"{base}/accounts/me/")
    assert page.url == f"{base}/accounts/me/"
    assert EMAIL in page.content()
    sign_count = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert sign_count["credentials"][0]["signCount"] >= 1
