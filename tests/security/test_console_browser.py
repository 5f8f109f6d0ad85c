"""The operator console under its Content-Security-Policy, in a real browser: an operator logs in
with a password and an authenticator code, and the start page, a list and a change form load
their styles and scripts without one refusal by the policy."""

from __future__ import annotations

import pytest
from django.conf import settings

from accounts.models import User
from core.privacy import member_erase
from tests.accounts.factories import PASSWORD, UserFactory, mfa_activate, totp_code
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, needs_chromium, running_server

pytestmark = needs_chromium
EMAIL = "csp-operator@allmende.example"


@pytest.fixture
def operator(committed):
    user = UserFactory(email=EMAIL, is_staff=True, is_superuser=True)
    secret = mfa_activate(user)
    yield user, secret
    # Erased as the console does it: a plain delete would cascade into portal-only tables.
    member_erase(user=User.objects.get(pk=user.pk), keep_content=True, actor=None)


def test_the_console_works_under_its_policy(operator, subprocess_env, tmp_path):
    from playwright.sync_api import sync_playwright

    user, secret = operator
    refused: list[str] = []
    with running_server(subprocess_env, tmp_path / "server.log") as port:
        base = f"http://{settings.PLATFORM_DOMAIN}:{port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page(locale="en-GB")
            page.on(
                "console",
                lambda message: (
                    refused.append(message.text)
                    if "Content Security Policy" in message.text
                    else None
                ),
            )
            page.goto(f"{base}/operator/")
            page.fill("input[name=login]", user.email)
            page.fill("input[name=password]", PASSWORD)
            page.locator("form:has(input[name=password]) button[type=submit]").click()
            page.fill("input[name=code]", totp_code(secret))
            page.locator("form:has(input[name=code]) button[type=submit]").click()
            page.goto(f"{base}/operator/")
            assert page.locator("#site-name").is_visible()
            # Django's admin stylesheet is applied: the header is not the browser's default.
            header = page.eval_on_selector("#header", "e => getComputedStyle(e).backgroundColor")
            assert header not in ("rgba(0, 0, 0, 0)", "transparent")
            for path in ("/operator/tenants/portal/", f"/operator/accounts/user/{user.pk}/change/"):
                page.goto(f"{base}{path}")
                assert page.locator("#content").is_visible(), path
            # The admin's own scripts run (the change form's collapsible/filter code loads).
            assert page.evaluate("typeof django !== 'undefined'")
            page.screenshot(path=str(tmp_path / "console.png"), full_page=True)
            browser.close()
    assert refused == []
