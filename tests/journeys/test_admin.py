"""Journey of a portal's administrator: give the portal its look (a preset, published, seen on
the start page), switch a module off on the modules page, invite a member (whose mail arrives).

In German and English on a desktop and in German on a 390 px phone; screenshots in
`.data/screenshots/admin/`.
"""

from __future__ import annotations

import re

from features.selectors import portal_features
from tenants.models import Portal
from tests.accounts.factories import PASSWORD, admin_of
from tests.browser import needs_chromium
from tests.journeys.conftest import assert_on_screen, log_in, main_nav, say
from themes.presets import PRESETS

pytestmark = needs_chromium


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _header_colour(page) -> str:
    return page.locator(".site-header").evaluate("e => getComputedStyle(e).backgroundColor")


def test_admin(live_site, new_portal, page, shots, variant):
    live, subdomain = live_site, f"admin-{variant.id}"
    new_portal(subdomain, name="Nachbarschaft Gaarden")

    portal = Portal.objects.get(slug=subdomain)
    admin = admin_of(portal, email=f"kim@{subdomain}.example", display_name="Kim Admin")
    log_in(page, live, subdomain, admin.email, PASSWORD, shots)
    climate = _rgb(PRESETS["climate"].tokens["primary"])
    assert _header_colour(page) != climate  # the positive control for the theme step
    shots(page, "home-before")

    # The theme: start from the climate preset, publish, see it on the start page.
    main_nav(page, variant).get_by_role(
        "link", name=say(variant, "Erscheinungsbild", "Theme")
    ).click()
    page.wait_for_url("**/manage/theme/")
    page.select_option("[name=preset]", "climate")
    shots(page, "theme-preset-chosen")
    page.get_by_role("button", name=say(variant, "Vorlage übernehmen", "Use preset")).click()
    page.wait_for_url("**/manage/theme/")
    page.get_by_role(
        "button", name=say(variant, "Speichern und veröffentlichen", "Save and publish")
    ).click()
    page.wait_for_url("**/manage/theme/")
    shots(page, "theme-published")
    page.goto(f"{live.portal_url(subdomain)}/")
    assert _header_colour(page) == climate
    shots(page, "home-after-theme")

    # Modules: groups and projects are on in a new portal; switch them off.
    administration = main_nav(page, variant).get_by_role(
        "link", name=say(variant, "Verwaltung", "Administration")
    )
    assert_on_screen(page, administration)
    administration.click()
    page.wait_for_url("**/manage/features/")
    row = page.locator("#module-spaces")
    assert say(variant, "eingeschaltet", "on") in row.inner_text()
    row.get_by_role("button", name=say(variant, "Ausschalten", "Switch off")).click()
    page.wait_for_url("**/manage/features/")
    assert say(variant, "Gespeichert.", "Saved.") in page.locator(".messages").inner_text()
    assert say(variant, "ausgeschaltet", "off") in page.locator("#module-spaces").inner_text()
    shots(page, "module-switched-off")
    assert "spaces" not in portal_features(portal)

    # Invite a member: one invitation, and the mail arrives.
    main_nav(page, variant).get_by_role("link", name=say(variant, "Mitglieder", "Members")).click()
    page.get_by_role("link", name=say(variant, "Einladungen", "Invitations")).first.click()
    page.get_by_role("link", name=say(variant, "Jemanden einladen", "Invite someone")).click()
    invitee = f"lena@{subdomain}.example"
    page.fill("[name=email]", invitee)
    page.fill("[name=display_name]", "Lena Ohlsen")
    shots(page, "invitation-filled")
    page.get_by_role("button", name=say(variant, "Einladung senden", "Send the invitation")).click()
    page.wait_for_url("**/manage/members/invitations/")
    assert invitee in page.locator("main").inner_text()
    shots(page, "invitation-sent")
    link = live.link_from_mail("/invitation/", to=invitee)
    assert re.match(rf"{re.escape(live.portal_url(subdomain))}/invitation/\S+", link)
