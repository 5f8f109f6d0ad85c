"""Journey of a newcomer: registers on an open portal, confirms the address from the mail, logs
in, fills in the profile and posts news on the start page's board.

In German and English on a desktop and in German on a 390 px phone; screenshots in
`.data/screenshots/newcomer/`.

Left for the issues that bring the modules (no stubs here until they exist):
- join a space (groups and projects),
- post an idea and support another member's idea,
- create an event and copy its iCal link.
"""

from __future__ import annotations

import re

from accounts.models import User
from tests.browser import needs_chromium
from tests.conftest import in_portal
from tests.journeys.conftest import assert_on_screen, main_nav, say

pytestmark = needs_chromium
PASSWORD = "Nordwind-über-der-Förde-7"


def test_newcomer(live_site, new_portal, page, shots, variant):
    live, subdomain = live_site, f"new-{variant.id}"
    portal = new_portal(subdomain, name="Klimanetz Förde")
    base = live.portal_url(subdomain)
    email = f"ayse@{subdomain}.example"

    page.goto(f"{base}/")
    shots(page, "home-as-visitor")
    main_nav(page, variant).get_by_role(
        "link", name=say(variant, "Registrieren", "Register")
    ).click()
    page.wait_for_url("**/accounts/signup/")
    page.get_by_label(
        say(
            variant,
            "Dein Name (für andere Mitglieder sichtbar)",
            "Your name (shown to other members)",
        )
    ).fill("Ayşe Demir")
    page.fill("[name=email]", email)
    page.fill("[name=password1]", PASSWORD)
    page.fill("[name=password2]", PASSWORD)
    shots(page, "signup-filled")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/confirm-email/")
    shots(page, "confirmation-sent")
    with in_portal(portal):
        assert not User.objects.get(email=email).emailaddress_set.get().verified

    # The confirmation link from the mail; confirming it in the same browser logs in or asks to.
    page.goto(live.link_from_mail("/accounts/confirm-email/", to=email))
    shots(page, "confirm-email")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:
        page.fill("[name=login]", email)
        page.fill("[name=password]", PASSWORD)
        shots(page, "log-in")
        page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/(\?.*)?$"))
    nav = main_nav(page, variant)
    assert_on_screen(page, nav.get_by_role("link", name="Ayşe Demir"))
    shots(page, "logged-in")
    with in_portal(portal):
        assert User.objects.get(email=email).emailaddress_set.get().verified

    # The profile.
    nav.get_by_role("link", name="Ayşe Demir").click()
    page.get_by_role("link", name=say(variant, "Mein Profil", "My profile")).first.click()
    page.wait_for_url("**/accounts/me/profile/")
    page.get_by_label(say(variant, "Stadtteil oder Ort", "District or place")).fill("Gaarden")
    page.fill("[name=bio]", "Ich radle gern und repariere Fahrräder.")
    shots(page, "profile-filled")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/me/profile/")
    assert page.locator("[name=place]").input_value() == "Gaarden"
    shots(page, "profile-saved")

    # News on the board of the start page.
    page.goto(f"{base}/")
    body = "Reparatur-Café am Samstag um 14 Uhr im Stadtteilzentrum!"
    page.get_by_label(say(variant, "Was gibt es Neues?", "What is new?")).fill(body)
    page.get_by_role("button", name=say(variant, "Veröffentlichen", "Publish")).click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/(\?.*)?$"))
    post = page.locator("ol.posts li").filter(has_text=body)
    assert post.count() == 1
    assert "Ayşe Demir" in post.inner_text()
    shots(page, "news-posted")
