"""What a new user stumbles over, checked without a browser: the platform site says what a
portal costs and contains, the order form links the terms and names plans in the page's
language, /favicon.ico answers on every host, visitors are never sent to the API.

(Layout - the subdomain check beside its field, checkboxes beside their labels - is checked in a
real browser by the order journey, `test_order.py`.)
"""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from features.catalogue import FEATURES
from features.models import Plan
from tenants.models import PlatformPage
from tests.accounts.factories import logged_in_client, member_of
from tests.conftest import in_portal
from themes.services import theme_publish, theme_upload_favicon

pytestmark = pytest.mark.django_db


def _platform(language: str) -> Client:
    return Client(HTTP_HOST=settings.PLATFORM_DOMAIN, HTTP_ACCEPT_LANGUAGE=language)


def _card(html: str, key: str) -> str:
    """The text of one plan's card on the platform home (up to the next card or the list end)."""
    section = html.split('id="plans-heading"', 1)[1].split("</section>", 1)[0]
    cards = {
        chunk.split('"', 1)[0]: chunk
        for chunk in section.split('<li class="card plan" id="plan-')[1:]
    }
    assert key in cards, f"no card for plan {key}"
    return cards[key].replace("\xa0", " ")


# --- the platform site: prices and contents ----------------------------------------------------


def test_platform_home_shows_each_plans_price_and_modules_from_the_catalogue():
    html = _platform("en").get("/").content.decode()

    community, professional = _card(html, "community"), _card(html, "professional")
    assert "free" in community
    assert "€49.00 per month" in professional and "€490.00 per year" in professional
    assert "Groups and projects" in community and "Groups and projects" in professional
    for module in ("Documents", "Member directory", "API access", "Own domain"):
        assert module not in community and module in professional
    assert 'href="/order/?plan=professional"' in professional


def test_platform_home_follows_the_plans_in_the_database_not_a_copy():
    plan = Plan.objects.get(key="professional")
    plan.monthly_price_cents, plan.max_members = 5900, 250
    plan.save()
    Plan.objects.filter(key="community").update(features=["member_directory"])

    html = _platform("en").get("/").content.decode()

    assert "€59.00 per month" in _card(html, "professional")
    assert "up to 250 members" in _card(html, "professional")
    community = _card(html, "community")
    assert "Member directory" in community and "Groups and projects" not in community


def test_platform_home_offers_no_module_that_is_not_built():
    html = _platform("en").get("/").content.decode()

    community, professional = _card(html, "community"), _card(html, "professional")
    for feature in FEATURES.values():
        if not feature.built:
            assert str(feature.name) not in community + professional, feature.key
    assert "Groups and projects" in community  # the positive control: built modules are there


def test_platform_home_speaks_german_prices_by_default():
    html = _platform("de").get("/").content.decode()
    assert "49,00 € pro Monat" in _card(html, "professional")


# --- the order form ----------------------------------------------------------------------------


def test_order_form_links_the_terms_and_the_data_processing_agreement_once_written():
    without = _platform("en").get("/order/").content.decode()
    assert 'href="/nutzungsbedingungen/"' not in without  # nothing to link to yet
    assert _platform("en").get("/nutzungsbedingungen/").status_code == 404

    PlatformPage.objects.create(kind="terms", body="<p>Nutzungsbedingungen der Plattform</p>")
    PlatformPage.objects.create(kind="dpa", body="<p>Vertrag zur Auftragsverarbeitung</p>")

    html = _platform("en").get("/order/").content.decode()
    label = re.search(r'<label for="id_accept_terms">(.*?)</label>', html, re.S).group(1)
    assert 'href="/nutzungsbedingungen/"' in label and ">terms of use</a>" in label
    assert 'href="/auftragsverarbeitung/"' in label
    assert (
        "Nutzungsbedingungen der Plattform"
        in _platform("de").get("/nutzungsbedingungen/").content.decode()
    )
    assert _platform("de").get("/auftragsverarbeitung/").status_code == 200


def test_order_form_names_the_plans_in_the_pages_language():
    html = _platform("de").get("/order/").content.decode()
    radios = re.findall(
        r'<input type="radio" name="plan" value="(\w+)"[^>]*>\s*([^<]+?)\s*</label>', html
    )
    assert dict(radios) == {"community": "Community", "professional": "Professional-Intranet"}


def test_order_form_keeps_the_subdomain_check_inside_the_subdomain_field_group():
    html = _platform("en").get("/order/").content.decode()
    group = re.search(
        r'<div>\s*<label for="id_subdomain".*?</div>\s*(?=<div|<fieldset)', html, re.S
    )
    assert group and 'id="subdomain-status"' in group.group(0)
    assert "your-name.localhost" in group.group(0)  # the help text is no swallowed <tag>


def test_order_form_preselects_the_plan_from_the_platform_home_link():
    html = _platform("en").get("/order/?plan=professional").content.decode()
    assert re.search(r'value="professional"[^>]*checked', html)


# --- the favicon -------------------------------------------------------------------------------


def _png(size: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), (20, 120, 60)).save(out, "PNG")
    return out.getvalue()


def _follow_to_image(client: Client, response) -> Image.Image:
    assert response.status_code == 302
    target = client.get(response["Location"])
    assert target.status_code == 200
    body = b"".join(target.streaming_content) if target.streaming else target.content
    return Image.open(io.BytesIO(body))


def test_favicon_on_the_platform_and_a_portal_without_one_is_the_default(client_a):
    platform = _platform("de")
    for client in (platform, client_a):
        response = client.get("/favicon.ico")
        assert response["Location"].startswith(settings.STATIC_URL)
        assert _follow_to_image(client, response).format == "PNG"


def test_favicon_of_a_portal_is_its_themes_icon(client_b, portal_b):
    with in_portal(portal_b):
        theme_upload_favicon(name="icon.png", data=_png(300))
        theme_publish(actor_label="tests")

    response = client_b.get("/favicon.ico")

    assert response["Location"].startswith("/media/")
    assert _follow_to_image(client_b, response).size == (32, 32)


# --- visitors and the API ----------------------------------------------------------------------


def test_visitors_see_no_link_that_answers_them_forbidden(client_b, portal_b):
    visitor = client_b.get("/").content.decode()
    member = logged_in_client(portal_b, member_of(portal_b)).get("/").content.decode()

    assert 'href="/api/v1/"' in member  # the positive control: the module is on
    assert 'href="/api/v1/"' not in visitor
    navigation = re.search(r"<header.*?</header>", visitor, re.S).group(0)
    links = re.findall(r'href="(/[^"]*)"', navigation)
    assert "/accounts/login/" in links
    for link in links:  # every page the visitor's navigation offers opens for them
        assert client_b.get(link).status_code == 200, link
