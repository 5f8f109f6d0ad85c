"""The operator console speaks German on German pages: app, model and field names, column headings
and filters of every console list are translated, and English is the positive control.

Checked on the visible text of each page (tags, scripts and styles stripped), so a translated
heading cannot hide behind an English attribute value, and an English word inside a URL or class
name does not count as a leak.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from billing.models import BillingAccount, StripeEvent
from features.services import feature_grant
from tenants.models import PlatformPage, PortalExport
from tests.accounts.factories import staff_user
from tests.billing.factories import order_placed

pytestmark = pytest.mark.django_db

# Each console page with (German that must show, English that must not), and the reverse for the
# English control. Pairs are written out per language, not derived from the catalogue, so a
# missing or wrong msgstr fails here.
INDEX = "/operator/"
PAGES: dict[str, tuple[list[str], list[str]]] = {
    INDEX: (
        [
            "Portale",
            "Portal-Exporte",
            "Seiten der Plattform",
            "Abrechnung",
            "Bestellungen",
            "Abrechnungskonten",
            "Stripe-Ereignisse",
            "Module und Tarife",
            "Tarife",
            "Plattform-Team",
            "Protokoll",
        ],
        [
            "Portals",
            "Portal exports",
            "Platform pages",
            "Billing",
            "Orders",
            "Billing accounts",
            "Stripe events",
            "Features and plans",
            "Plans",
            "Platform staff",
            "Audit log",
        ],
    ),
    "/operator/tenants/portal/": (
        ["Adresse", "Tarif", "Angelegt am", "Nach Status", "Nach Tarif"],
        ["Address", "Created at", "By status", "By plan"],
    ),
    "/operator/tenants/portalexport/": (
        ["Portal-Exporte", "Angelegt am", "Größe (Bytes)", "Archiv"],
        ["Portal exports", "Created at", "Size bytes", "Size (bytes)", "Archive"],
    ),
    "/operator/tenants/platformpage/": (
        ["Seiten der Plattform", "Geändert am"],
        ["Platform pages", "Updated at"],
    ),
    "/operator/billing/order/": (
        ["Bestellungen", "Angelegt am", "Organisation", "Abrechnungszeitraum"],
        ["Orders", "Created at", "Interval", "Billing interval"],
    ),
    "/operator/billing/billingaccount/": (
        [
            "Abrechnungskonten",
            "Bezahlter Tarif",
            "Schonfrist bis",
            "Wegen Nichtzahlung herabgestuft",
            "Aktueller Zeitraum endet",
            "Kündigt zum Ende des Zeitraums",
        ],
        [
            "Billing accounts",
            "Paid plan",
            "Grace until",
            "Downgraded for nonpayment",
            "Current period end",
            "Cancel at period end",
        ],
    ),
    "/operator/billing/stripeevent/": (
        ["Stripe-Ereignisse", "Empfangen am", "Typ", "Ereignis-ID", "Ergebnis"],
        ["Stripe events", "Received at", "Type", "Event id", "Outcome"],
    ),
    "/operator/features/plan/": (
        ["Tarife", "Monatspreis (Cent)"],
        ["Plans", "Monthly price cents"],
    ),
    "/operator/core/auditevent/": (
        # The event filter lists labels, not codes such as "portal.provisioned".
        ["Wann", "Ereignis", "Wer", "Name des Portals", "Nach Ereignis", "Modul freigeschaltet"],
        ["Who", "When", "Portal name", "feature.granted", "module granted"],
    ),
    "/operator/accounts/user/": (
        ["Benutzer*innen", "Plattform-Team", "Nach Plattform-Team"],
        ["Platform staff", "Users", "Is staff"],
    ),
}
ENGLISH: dict[str, tuple[list[str], list[str]]] = {
    INDEX: (
        [
            "Portals",
            "Portal exports",
            "Platform pages",
            "Billing",
            "Orders",
            "Billing accounts",
            "Stripe events",
            "Features and plans",
            "Plans",
            "Platform staff",
            "Audit log",
        ],
        ["Portale", "Bestellungen", "Tarife", "Plattform-Team", "Module und Tarife"],
    ),
    "/operator/tenants/portal/": (["Address", "Created at", "By status"], ["Angelegt am"]),
    "/operator/tenants/portalexport/": (
        ["Portal exports", "Created at", "Size (bytes)"],
        ["Portal-Exporte", "Angelegt am"],
    ),
    "/operator/billing/billingaccount/": (
        ["Billing accounts", "Paid plan", "Grace period until", "Downgraded for non-payment"],
        ["Abrechnungskonten", "Schonfrist bis"],
    ),
    "/operator/billing/stripeevent/": (["Stripe events", "Received at"], ["Empfangen am"]),
    "/operator/features/plan/": (["Plans", "Monthly price (cents)"], ["Tarife"]),
    "/operator/core/auditevent/": (["Who", "By event", "module granted"], ["feature.granted"]),
}
# The change page of a portal: read-only fields and both inlines (domains, module grants).
PORTAL_PAGE = (
    ["Datenbankschema", "Feste ID", "Hauptadresse", "Hostname", "Modulfreigaben", "Modul"],
    ["Schema name", "Uid", "Is primary", "Feature grants", "Feature grant", "Domain inline"],
)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def shows(text: str, phrase: str) -> bool:
    # Whole words only: "Plans" must not match inside "Plansprache", nor "Type" inside "Types".
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


@pytest.fixture
def console_rows(portal_a):
    """One row in every console list, so each list renders its column headings and filters."""
    operator = staff_user()
    order_placed(plan="community")  # paid plans need Stripe, which this test does not
    BillingAccount.objects.create(
        portal=portal_a, stripe_customer_id="cus_console_language", billing_email="a@x.example"
    )
    StripeEvent.objects.create(event_id="evt_console_language", type="invoice.paid")
    PortalExport.objects.create(portal=portal_a, requested_by=operator)
    PlatformPage.objects.get_or_create(kind="impressum", defaults={"body": "<p>Impressum</p>"})
    feature_grant(
        portal=portal_a,
        feature="member_directory",
        expires_at=timezone.now() + timedelta(days=30),
        granted_by=operator,
    )
    return operator


def console(operator, **headers) -> Client:
    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN, **headers)
    client.force_login(operator)
    return client


def page_text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return visible_text(response.content.decode())


def leaks(text: str, present: list[str], absent: list[str]) -> tuple[list[str], list[str]]:
    return [p for p in present if not shows(text, p)], [a for a in absent if shows(text, a)]


@pytest.mark.parametrize("url", list(PAGES))
def test_console_lists_speak_german(console_rows, url):
    text = page_text(console(console_rows, HTTP_ACCEPT_LANGUAGE="de"), url)
    missing, english = leaks(text, *PAGES[url])
    assert (missing, english) == ([], []), text[:3000]


@pytest.mark.parametrize("url", list(ENGLISH))
def test_console_lists_speak_english_when_asked(console_rows, url):
    # The positive control: the same pages do carry the English names, so the German test's
    # "absent" checks look for words that would really be there untranslated.
    text = page_text(console(console_rows, HTTP_ACCEPT_LANGUAGE="en"), url)
    missing, german = leaks(text, *ENGLISH[url])
    assert (missing, german) == ([], []), text[:3000]


def test_language_cookie_beats_the_browser_language(console_rows):
    client = console(console_rows, HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    text = page_text(client, INDEX)
    assert shows(text, "Portal-Exporte") and not shows(text, "Portal exports")


def test_portal_change_page_speaks_german(console_rows, portal_a):
    url = f"/operator/tenants/portal/{portal_a.pk}/change/"
    german = page_text(console(console_rows, HTTP_ACCEPT_LANGUAGE="de"), url)
    assert leaks(german, *PORTAL_PAGE) == ([], []), german[:3000]
    english = page_text(console(console_rows, HTTP_ACCEPT_LANGUAGE="en"), url)
    assert shows(english, "Database schema") and shows(english, "Main address")
    assert not shows(english, "Datenbankschema")
