"""Journey of a newcomer: registers on an open portal, confirms the address from the mail, logs
in, fills in the profile and posts news on the start page's board.

In German and English on a desktop and in German on a 390 px phone; screenshots in
`.data/screenshots/newcomer/`.

Joining a space, commenting and being notified are the daily-life journey
(`test_daily_life.py`). Left for the issues that bring the modules (no stubs here until they
exist):
- post an idea and support another member's idea,
- create an event and copy its iCal link.
"""

from __future__ import annotations

import re

from tests.browser import needs_chromium
from tests.journeys.conftest import main_nav, register, say

pytestmark = needs_chromium
PASSWORD = "Nordwind-über-der-Förde-7"


def test_newcomer(live_site, new_portal, page, shots, variant):
    live, subdomain = live_site, f"new-{variant.id}"
    portal = new_portal(subdomain, name="Klimanetz Förde")
    base = live.portal_url(subdomain)
    email = f"ayse@{subdomain}.example"

    register(
        page, live, variant, portal, email=email, name="Ayşe Demir", password=PASSWORD, shots=shots
    )
    nav = main_nav(page, variant)

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
