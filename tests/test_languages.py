"""Languages a portal offers, and what a visitor or member then sees (docs/languages.md).

Each check pairs a refusal with its positive control: a language the portal does not offer is
ignored, the same request on a portal that offers it is served in it.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from core.money import format_money, vat_note
from tests.accounts.factories import admin_client, logged_in_client, member_of
from tests.conftest import in_portal
from themes.services import theme_publish, theme_update_draft


def _offer(portal, offered: list[str], default: str) -> None:
    with in_portal(portal):
        theme_update_draft(offered_languages=offered, default_language=default)
        theme_publish(actor_label="tests")
    cache.clear()  # the published theme is cached per portal; the rollback does not forget it


def _html_tag(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def test_a_portal_offering_arabic_renders_right_to_left(client_a, client_b, portal_a, portal_b):
    _offer(portal_a, ["de", "en", "ar"], "ar")
    page = client_a.get("/")
    assert _html_tag(page) == '<html lang="ar" dir="rtl">'
    body = page.content.decode()
    assert "تسجيل الدخول" in body  # "Log in"
    assert "Anmelden" not in body
    # Positive control: a German portal, same request, left to right and German.
    german = client_b.get("/")
    assert _html_tag(german) == '<html lang="de" dir="ltr">'
    assert "Anmelden" in german.content.decode()


def test_a_language_the_portal_does_not_offer_is_ignored(client_a, portal_a, portal_b):
    _offer(portal_a, ["de", "en"], "de")
    assert 'lang="de"' in _html_tag(client_a.get("/", HTTP_ACCEPT_LANGUAGE="tr"))
    assert 'lang="en"' in _html_tag(client_a.get("/", HTTP_ACCEPT_LANGUAGE="tr, en;q=0.5"))
    switched = client_a.post("/i18n/setlang/", {"language": "tr", "next": "/"})
    assert switched.status_code == 302
    body = client_a.get("/").content.decode()
    assert 'lang="de"' in body and "Giriş yap" not in body
    assert 'value="tr"' not in body  # the switcher does not list it

    # Positive control: once offered, the same visitor (cookie tr) gets Turkish.
    _offer(portal_a, ["de", "en", "tr"], "de")
    body = client_a.get("/").content.decode()
    assert 'lang="tr" dir="ltr"' in body and "Giriş yap" in body
    fresh = Client(HTTP_HOST=client_a.defaults["HTTP_HOST"], HTTP_ACCEPT_LANGUAGE="tr-TR")
    assert 'lang="tr"' in _html_tag(fresh.get("/"))


def test_the_switcher_lists_exactly_the_offered_languages(client_a, portal_a):
    _offer(portal_a, ["de", "uk", "ar"], "de")
    body = client_a.get("/").content.decode()
    switcher = re.search(r'<form[^>]*class="lang".*?</form>', body, re.S).group(0)
    assert re.findall(r'name="language" value="(\w+)"', switcher) == ["uk", "ar"]
    assert 'lang="ar" dir="rtl">العربيّة<' in switcher
    _offer(portal_a, ["de"], "de")
    assert 'class="lang"' not in client_a.get("/").content.decode()  # nothing to switch to


def test_admin_sets_offered_languages_and_default_in_the_editor(
    db, portal_b, django_capture_on_commit_callbacks
):
    from tests.themes.test_publishing import _form

    admin = admin_client(portal_b, HTTP_ACCEPT_LANGUAGE="de")
    editor = admin.get("/manage/theme/").content.decode()
    assert 'name="offered_languages" value="uk"' in editor
    refused = admin.post(
        "/manage/theme/", _form(offered_languages=["de", "en"], default_language="tr")
    )
    assert refused.status_code == 400
    assert "Die Standardsprache muss eine der angebotenen sein." in refused.content.decode()
    refused = admin.post("/manage/theme/", _form(offered_languages=[], default_language="de"))
    assert refused.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        done = admin.post(
            "/manage/theme/",
            _form(offered_languages=["uk", "de"], default_language="uk", publish="1"),
        )
    assert done.status_code == 302
    cache.clear()
    visitor = Client(HTTP_HOST=admin.defaults["HTTP_HOST"])
    page = visitor.get("/").content.decode()
    assert '<html lang="uk" dir="ltr">' in page and "Увійти" in page
    # The admin area has German and English only: there the Ukrainian portal falls back.
    assert (
        '<html lang="en"' in admin.get("/manage/theme/", HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    )
    assert 'lang="de"' in admin.get("/manage/theme/", HTTP_ACCEPT_LANGUAGE="de").content.decode()


def test_member_preference_is_honoured_within_the_offered_set(db, portal_a):
    _offer(portal_a, ["de", "en", "uk"], "de")
    member = member_of(portal_a, language="uk")
    client = logged_in_client(portal_a, member)
    assert 'lang="uk"' in _html_tag(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))
    profile = client.get("/accounts/me/profile/")
    assert profile.status_code == 200
    form = re.search(r'<select name="language".*?</select>', profile.content.decode(), re.S)
    assert re.findall(r'value="(\w*)"', form.group(0)) == ["", "de", "en", "uk"]
    # The portal stops offering Ukrainian: the member gets what a visitor would.
    _offer(portal_a, ["de", "en"], "de")
    assert 'lang="en"' in _html_tag(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))
    assert 'lang="de"' in _html_tag(client.get("/"))


def test_platform_site_stays_german_or_english(platform_client):
    assert 'lang="de"' in _html_tag(platform_client.get("/", HTTP_ACCEPT_LANGUAGE="ar"))
    assert 'lang="en"' in _html_tag(platform_client.get("/", HTTP_ACCEPT_LANGUAGE="en"))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "1.234,50\u00a0€"),
        ("en", "€1,234.50"),
        ("uk", "1\u00a0234,50\u00a0€"),
        ("ar", "1234,50\u00a0€"),
        ("tr", "€1.234,50"),
    ],
)
def test_money_is_formatted_per_language(language, expected):
    assert format_money(123450, language=language) == expected
    with translation.override(language):
        assert format_money(123450) == expected
        rendered = Template("{% load money %}{{ cents|money }}").render(Context({"cents": 123450}))
        assert rendered == expected


@pytest.mark.parametrize(
    ("language", "date", "vat"),
    [
        ("de", "3. März 2026", "19 % MwSt."),
        ("en", "3 March 2026", "19 % VAT"),
        ("uk", "03 березня 2026 р.", "ПДВ"),
        ("ar", "3 مارس، 2026", "ضريبة"),
        ("tr", "03 Mart 2026", "KDV"),
    ],
)
def test_dates_and_vat_note_per_language(language, date, vat):
    day = datetime.date(2026, 3, 3)
    with translation.override(language):
        assert Template('{{ day|date:"DATE_FORMAT" }}').render(Context({"day": day})) == date
        assert vat in vat_note()


def test_subdomain_check_answers_in_the_page_language(platform_client):
    german = platform_client.get("/order/check/?subdomain=www").json()
    assert german == {"available": False, "message": "Die Subdomain „www“ ist reserviert."}
    english = platform_client.get("/order/check/?subdomain=www", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["message"] == "The subdomain „www“ is reserved."


def test_forbidden_page_is_translated(db, portal_b):
    member = logged_in_client(portal_b, member_of(portal_b))
    german = member.get("/manage/theme/")
    assert german.status_code == 403
    assert "Zugriff verweigert" in german.content.decode()
    assert '<html lang="de"' in german.content.decode()
    english = member.get("/manage/theme/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 403 and "Access denied" in english.content.decode()


def test_a_mail_in_arabic_is_right_to_left(db, portal_a, mailoutbox):
    from themes.mail import send_themed_text

    with in_portal(portal_a):
        send_themed_text(to="a@example.org", subject="s", text="مرحبا", language="ar")
        send_themed_text(to="b@example.org", subject="s", text="Hallo", language="de")
    arabic, german = (mail.alternatives[0][0] for mail in mailoutbox)
    assert '<html lang="ar" dir="rtl">' in arabic
    assert '<html lang="de" dir="ltr">' in german


def test_english_dates_put_the_day_first_and_use_a_24_hour_clock():
    import datetime

    from django.utils import formats, translation

    moment = datetime.datetime(2026, 12, 2, 14, 30)
    with translation.override("en"):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "2 Dec 2026, 14:30"
        assert formats.date_format(moment, "DATE_FORMAT") == "2 December 2026"
    with translation.override("de"):
        assert formats.date_format(moment, "SHORT_DATE_FORMAT") == "02.12.2026"
