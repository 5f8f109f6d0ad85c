"""Editing, previewing, publishing and reverting a theme, as a portal admin sees it."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tests.accounts.factories import UserFactory, host_of, log_in
from tests.conftest import in_portal
from themes import services
from themes.models import ThemeVersion
from themes.presets import PRESETS


def _stylesheet_url(client: Client) -> str:
    return re.search(r'href="(/theme/[0-9a-f]{16}\.css)"', client.get("/").content.decode()).group(
        1
    )


@pytest.fixture
def admin_client_b(db, portal_b):
    with in_portal(portal_b):
        admin = UserFactory(role="admin")
    return log_in(Client(HTTP_HOST=host_of(portal_b), HTTP_ACCEPT_LANGUAGE="en"), admin)


def _form(**overrides):
    tokens = PRESETS["city"].tokens
    data = {
        f"colour_{k}": tokens[k]
        for k in ("primary", "secondary", "accent", "background", "surface", "text")
    }
    data.update(
        site_name="Neues Netz",
        tagline="Neu",
        font="inter",
        radius=6,
        default_language="de",
        footer_links="Kontakt | /kontakt/",
        impressum="<p>Impressum <script>x()</script></p>",
    )
    data.update(overrides)
    return data


def test_publishing_changes_the_stylesheet_url_and_every_page(
    admin_client_b, django_capture_on_commit_callbacks
):
    before = _stylesheet_url(admin_client_b)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_b.post(
            "/manage/theme/", _form(colour_primary="#2e7d32", publish="1")
        )
    assert response.status_code == 302
    after = _stylesheet_url(admin_client_b)
    assert after != before
    css = admin_client_b.get(after)
    assert css["Cache-Control"] == "public, max-age=31536000, immutable"
    assert css["Content-Type"].startswith("text/css")
    assert b"--color-primary: #2e7d32;" in css.content
    home = admin_client_b.get("/").content.decode()
    assert "Neues Netz" in home


def test_saving_a_draft_changes_nothing_visitors_see_until_published(
    admin_client_b, django_capture_on_commit_callbacks
):
    before = _stylesheet_url(admin_client_b)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_b.post("/manage/theme/", _form(site_name="Nur Entwurf"))
    assert _stylesheet_url(admin_client_b) == before
    assert "Nur Entwurf" not in admin_client_b.get("/").content.decode()
    preview = admin_client_b.get("/manage/theme/preview/").content.decode()
    assert "Nur Entwurf" in preview and "/manage/theme/draft.css" in preview


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("colour_primary", "#fff;}body{display:none}", "is not a colour"),
        ("colour_text", "#bbbbbb", "at least 4.5:1"),
        ("font", "comic-sans", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_and_the_published_theme_stays(
    admin_client_b, portal_b, field, value, message
):
    with in_portal(portal_b):
        versions = ThemeVersion.objects.count()
    before = _stylesheet_url(admin_client_b)
    response = admin_client_b.post("/manage/theme/", _form(**{field: value, "publish": "1"}))
    assert response.status_code == 400
    assert message in response.content.decode()
    with in_portal(portal_b):
        assert ThemeVersion.objects.count() == versions
    assert _stylesheet_url(admin_client_b) == before


def test_revert_publishes_an_earlier_version_again(
    db, portal_b, django_capture_on_commit_callbacks
):
    with in_portal(portal_b), django_capture_on_commit_callbacks(execute=True):
        first = services.theme_set(site_name="Erst", preset="city")
        services.theme_set(site_name="Zweit", preset="dark")
        again = services.theme_revert(number=first.number, actor="admin@example.org")
        assert again.css == first.css and again.data["site_name"] == "Erst"
        assert again.number > first.number
        with pytest.raises(ValidationError):
            services.theme_revert(number=999)


def test_rich_text_is_sanitised_and_links_are_checked(db, portal_b):
    with in_portal(portal_b):
        theme = services.theme_update_draft(
            impressum='<p onclick="x()">Hallo<script>alert(1)</script><a href="javascript:x()">a</a></p>'
        )
        assert "script" not in theme.impressum and "onclick" not in theme.impressum
        assert "javascript" not in theme.impressum
        with pytest.raises(ValidationError):
            services.theme_update_draft(cta_url="javascript:alert(1)")
        with pytest.raises(ValidationError):
            services.theme_update_draft(footer_links=[{"label": "x", "url": "data:text/html,x"}])


def test_non_admin_cannot_open_the_editor(db, portal_b):
    with in_portal(portal_b):
        member = UserFactory()
    client = log_in(Client(HTTP_HOST=host_of(portal_b)), member)
    assert client.get("/manage/theme/").status_code == 403
    assert client.post("/manage/theme/", _form(publish="1")).status_code == 403


def test_one_portals_theme_never_appears_on_another(
    db, portal_a, portal_b, django_capture_on_commit_callbacks
):
    with in_portal(portal_a), django_capture_on_commit_callbacks(execute=True):
        version = services.theme_set(site_name="Nur Alpha", preset="dark")
    b = Client(HTTP_HOST=host_of(portal_b))
    assert "Nur Alpha" not in b.get("/").content.decode()
    assert b.get(f"/theme/{version.css_hash}.css").status_code == 404
    assert (
        Client(HTTP_HOST=host_of(portal_a)).get(f"/theme/{version.css_hash}.css").status_code == 200
    )


def test_legal_pages_render_sanitised_html_or_404(db, portal_b, django_capture_on_commit_callbacks):
    with in_portal(portal_b), django_capture_on_commit_callbacks(execute=True):
        services.theme_update_draft(impressum="<p>Verein Beta<br>Hauptstraße 1</p>", privacy="")
        services.theme_publish()
    client = Client(HTTP_HOST=host_of(portal_b))
    assert "Hauptstraße 1" in client.get("/impressum/").content.decode()
    assert client.get("/datenschutz/").status_code == 404
    assert 'href="/impressum/"' in client.get("/").content.decode()
