"""Shared set-up of the browser journeys: a live server on the test database with mails written
to files, a browser page per language and viewport, and numbered screenshots of every step.

Screenshots land in `.data/screenshots/<journey>/<lang>-<viewport>/NN-<step>.png` (git-ignored,
kept after the run as artifacts). One server serves the whole session (starting one costs
seconds); data it sees must be committed, so each journey deletes the portals it created
(`tests.billing.live.cleanup`), also when it fails half-way.

How a journey fails: a step's element that does not appear within 15 s (Playwright's timeout), a
mail that does not arrive within 20 s (with the server log's tail), or - on the phone - a page
wider than the screen, naming the step's screenshot.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from billing.models import StripeEvent
from billing.services import stripe_plans_sync
from tests.billing.conftest import WEBHOOK_SECRET, localstripe_url, stripe_env  # noqa: F401
from tests.billing.live import _register_webhook, wait_until
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, running_server

SCREENSHOTS = Path(settings.DATA_DIR) / "screenshots"


@dataclass(frozen=True)
class Variant:
    lang: str  # the browser's language, so the portal answers in it
    viewport: str
    width: int
    height: int

    @property
    def id(self) -> str:
        return f"{self.lang}-{self.viewport}"

    @property
    def locale(self) -> str:
        return {"de": "de-DE", "en": "en-GB"}[self.lang]

    @property
    def phone(self) -> bool:
        return self.viewport == "phone"


# Every language on the desktop, and the phone in the portals' default language: the layout does
# not depend on the language, the texts do not depend on the width.
VARIANTS = [
    Variant("de", "desktop", 1280, 900),
    Variant("en", "desktop", 1280, 900),
    Variant("de", "phone", 390, 844),
]


def say(variant: Variant, german: str, english: str) -> str:
    """What the page says in the variant's language (journeys assert what a person reads)."""
    return german if variant.lang == "de" else english


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str  # the plain-text part, decoded

    @classmethod
    def parse(cls, raw: str) -> Mail:
        message = email.message_from_string(raw.lstrip(), policy=email.policy.default)
        part = message.get_body(preferencelist=("plain", "html"))
        return cls(
            to=str(message["To"] or ""),
            subject=str(message["Subject"] or ""),
            text=part.get_content() if part is not None else "",
        )


@dataclass
class LiveSite:
    """A running server on the test database; `mail_dir` is where its e-mails land."""

    port: int
    url: str
    mail_dir: Path
    log: Path
    first_event_pk: int  # for tests.billing.live.cleanup

    def portal_url(self, subdomain: str) -> str:
        return f"http://{subdomain}.localhost:{self.port}"

    def mails(self) -> list[Mail]:
        """Every mail sent so far, oldest first (the file backend writes one file per
        connection, messages separated by a line of dashes)."""
        if not self.mail_dir.exists():
            return []
        found = []
        for path in sorted(self.mail_dir.glob("*"), key=lambda p: p.stat().st_mtime_ns):
            for chunk in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
                if chunk.strip():
                    found.append(Mail.parse(chunk))
        return found

    def server_log(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def link_from_mail(self, marker: str, *, to: str, timeout: float = 20) -> str:
        """The first link containing `marker` in the newest mail to `to`."""

        def matching():
            return [m for m in self.mails() if to in m.to and marker in m.text]

        mail = wait_until(matching, timeout, f"a mail to {to} with {marker}", self)[-1]
        return re.search(rf"(http://\S*{re.escape(marker)}[^\s<>\"]*)", mail.text).group(1)


def _first_event_pk() -> int:
    last = StripeEvent.objects.order_by("-pk").first()
    return (last.pk if last else 0) + 1


@pytest.fixture
def platform_terms(committed):
    """The operators' terms of use and data processing agreement, linked from the order form."""
    from tenants.models import PlatformPage

    created = [
        PlatformPage.objects.create(kind=kind, body=f"<p>{kind}</p>")
        for kind in ("terms", "dpa")
        if not PlatformPage.objects.filter(kind=kind).exists()
    ]
    yield
    for page in created:
        page.delete()


@pytest.fixture(scope="session")
def journey_server(django_db_setup, django_db_blocker, localstripe_url, tmp_path_factory):  # noqa: F811
    """One server for every journey (starting one costs seconds), configured for localstripe;
    Community journeys never reach Stripe."""
    from django.db import connection

    folder = tmp_path_factory.mktemp("journeys")
    mail_dir, log = folder / "mail", folder / "server.log"
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="allmende.settings_test",
        DATABASE_NAME=connection.settings_dict["NAME"],
        EMAIL_URL=f"file://{mail_dir}",
        **stripe_env(localstripe_url),
    )
    with running_server(env, log) as port:
        yield port, mail_dir, log


@pytest.fixture
def live_site(committed, journey_server) -> LiveSite:
    """The running server; mails of earlier journeys are there too (tell them by recipient)."""
    port, mail_dir, log = journey_server
    return LiveSite(
        port=port,
        url=f"http://localhost:{port}",
        mail_dir=mail_dir,
        log=log,
        first_event_pk=_first_event_pk(),
    )


@pytest.fixture
def live_paid(live_site, settings, localstripe_url) -> LiveSite:  # noqa: F811
    """`live_site` with billing against a clean localstripe whose webhooks reach the server;
    as `tests.billing.live.live_billing` does, whose webhook this takes over while it runs."""
    for name, value in stripe_env(localstripe_url).items():
        setattr(settings, name, value)
    flush = urllib.request.Request(f"{localstripe_url}/_config/data", method="DELETE")
    urllib.request.urlopen(flush, timeout=5).close()
    stripe_plans_sync()
    _register_webhook(
        localstripe_url,
        {"url": f"http://localhost:{live_site.port}/stripe/webhook/", "secret": WEBHOOK_SECRET},
    )
    try:
        yield live_site
    finally:
        # localstripe cannot forget a webhook: park it on a filter no event matches.
        _register_webhook(
            localstripe_url,
            {"url": "http://127.0.0.1:9/", "secret": WEBHOOK_SECRET, "events": ["none"]},
        )


@dataclass
class Shots:
    """Numbered screenshots of one journey in one variant."""

    folder: Path
    count: int = field(default=0)

    phone: bool = False

    def __call__(self, page, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        if self.phone:
            # On a phone a page wider than the screen hides its right edge: a person scrolls
            # sideways or never finds the button there.
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= page.viewport_size["width"], f"{step}: {width} px wide, see {path}"
        return path


@pytest.fixture(params=VARIANTS, ids=lambda v: v.id)
def variant(request) -> Variant:
    return request.param


@pytest.fixture
def shots(request, variant) -> Shots:
    journey = request.node.originalname.removeprefix("test_")
    folder = SCREENSHOTS / journey / variant.id
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Shots(folder, phone=variant.phone)


@pytest.fixture
def page(variant, monkeypatch):
    """A fresh browser page in the variant's language and size."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the test's own ORM
    # calls are still plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(
                viewport={"width": variant.width, "height": variant.height},
                locale=variant.locale,
                is_mobile=variant.phone,
                has_touch=variant.phone,
                device_scale_factor=1,
            )
            context.set_default_timeout(15_000)
            yield context.new_page()
        finally:
            browser.close()
            # Queries made while Playwright's event loop runs in this thread use a connection of
            # their own; it would keep the test database from being dropped.
            connections.close_all()


@pytest.fixture
def new_portal(live_site):
    """Provision committed portals for a journey (`new_portal(subdomain, plan=...)`); they are
    deleted afterwards, with everything in them."""
    from tenants.services import portal_provision
    from tests.billing.live import cleanup

    made = []

    def make(subdomain: str, *, name: str, plan: str = "community"):
        cleanup(live_site, subdomain)  # whatever an aborted earlier run left behind
        made.append(subdomain)
        return portal_provision(
            name=name,
            subdomain=subdomain,
            admin_email=f"first-admin@{subdomain}.example",
            plan=plan,
            actor_label="tests",
        ).portal

    yield make
    cleanup(live_site, *made)


def log_in(page, live, subdomain: str, email: str, password: str, shots=None) -> None:
    """Through the portal's login form, as a person does."""
    page.goto(f"{live.portal_url(subdomain)}/accounts/login/")
    page.fill("[name=login]", email)
    page.fill("[name=password]", password)
    if shots is not None:
        shots(page, "log-in")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live.portal_url(subdomain)}/")


def main_nav(page, variant):
    """The main navigation, opened first where it folds behind a menu button (phones)."""
    nav = page.get_by_role("navigation", name=say(variant, "Hauptnavigation", "Main navigation"))
    # A <details> summary or a button controlling the list, whichever the layout uses.
    toggle = nav.locator("summary, button[aria-controls]").first
    if toggle.count() and toggle.is_visible():
        is_open = toggle.evaluate(
            "t => t.tagName === 'SUMMARY' ? t.parentElement.open"
            " : t.getAttribute('aria-expanded') === 'true'"
        )
        if not is_open:
            toggle.click()
    return nav


def assert_on_screen(page, locator) -> None:
    """Visible and inside the window's width: a link pushed off to the side is not there for
    a person on a phone, even when the browser could scroll to it."""
    assert locator.is_visible()
    box, width = locator.bounding_box(), page.viewport_size["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (box, width)


def register(page, live, variant, portal, *, email: str, name: str, password: str, shots) -> None:
    """A newcomer registers on `portal`'s open registration, confirms the address with the
    link from the mail and ends up logged in on the start page (screenshots of each step)."""
    from accounts.models import User
    from tests.conftest import in_portal

    base = live.portal_url(portal.slug)
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
    ).fill(name)
    page.fill("[name=email]", email)
    page.fill("[name=password1]", password)
    page.fill("[name=password2]", password)
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
        page.fill("[name=password]", password)
        shots(page, "log-in")
        page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/(\?.*)?$"))
    assert_on_screen(page, main_nav(page, variant).get_by_role("link", name=name))
    shots(page, "logged-in")
    with in_portal(portal):
        assert User.objects.get(email=email).emailaddress_set.get().verified
