"""Right to left in a real browser (Playwright driving Debian's chromium): what a reader sees of
a portal offering Arabic, with German as the control. Screenshots land in
.data/screenshots/languages/ (git-ignored, kept after the run)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from tenants.schemas import drop_schema
from tenants.services import portal_provision
from tests.accounts.factories import host_of
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, needs_chromium, running_server
from tests.test_languages import _offer

pytestmark = needs_chromium


def test_arabic_mirrors_the_layout_in_a_real_browser(committed, subprocess_env, tmp_path):
    """What a reader sees: in Arabic the site name stands on the right and the page does not
    scroll sideways on a phone; in German (the control) the name sits on the left.
    Screenshots land in .data/screenshots/languages/."""
    from playwright.sync_api import sync_playwright

    shots = Path(settings.DATA_DIR) / "screenshots" / "languages"
    shots.mkdir(parents=True, exist_ok=True)
    portal = portal_provision(
        name="Nachbarn", subdomain="rtl-check", admin_email="a@rtl.example", actor_label="tests"
    ).portal
    try:
        _offer(portal, ["de", "ar"], "de")
        with (
            running_server(subprocess_env, tmp_path / "server.log") as port,
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            for language, width in (("ar", 1100), ("ar", 390), ("de", 1100), ("de", 390)):
                context = browser.new_context(
                    viewport={"width": width, "height": 800},
                    extra_http_headers={"Accept-Language": language},
                )
                page = context.new_page()
                page.goto(f"http://{host_of(portal).split(':')[0]}:{port}/")
                page.screenshot(path=str(shots / f"home-{language}-{width}.png"), full_page=True)
                seen = page.evaluate(
                    """() => ({
                            dir: getComputedStyle(document.body).direction,
                            brand: (() => {
                                // The name's own text, not its box (which may fill the row).
                                const range = document.createRange();
                                range.selectNodeContents(document.querySelector('.brand'));
                                const box = range.getBoundingClientRect();
                                return box.x + box.width / 2;
                            })(),
                            scroll: document.documentElement.scrollWidth,
                            login: document.querySelector('nav').textContent,
                        })"""
                )
                context.close()
                rtl = language == "ar"
                assert seen["dir"] == ("rtl" if rtl else "ltr"), (language, width)
                assert (seen["brand"] > width / 2) is rtl, (language, width, seen)
                assert seen["scroll"] <= width, f"{language} at {width}px scrolls sideways"
                assert ("تسجيل الدخول" if rtl else "Anmelden") in seen["login"]
            browser.close()
    finally:
        drop_schema(portal.schema_name)
        portal.delete()
