"""Editing, previewing, publishing and reverting a theme, as a portal admin sees it; who published
which version is in the portal's audit log."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from core.event_types import EventType
from core.models import AuditEvent
from tests.accounts.factories import admin_client, admin_of, host_of, logged_in_client, member_of
from tests.conftest import in_portal
from themes import selectors, services
from themes.models import Theme, ThemeVersion
from themes.presets import PRESETS


def _stylesheet_url(client: Client) -> str:
    return re.search(r'href="(/theme/[0-9a-f]{16}\.css)"', client.get("/").content.decode()).group(
        1
    )


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
        offered_languages=["de", "en"],
        footer_links="Kontakt | /kontakt/",
        impressum="<p>Impressum <script>x()</script></p>",
    )
    data.update(overrides)
    return data


def _published_by(portal) -> dict[int, str]:
    """Version number -> who published it, as the editor's version list shows it."""
    with in_portal(portal):
        return {v.number: v.published_by for v in selectors.versions()}


def test_publishing_changes_the_stylesheet_url_and_every_page(
    db, portal_b, django_capture_on_commit_callbacks
):
    admin = admin_client(portal_b)
    before = _stylesheet_url(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/manage/theme/", _form(colour_primary="#2e7d32", publish="1"))
    assert response.status_code == 302
    after = _stylesheet_url(admin)
    assert after != before
    css = admin.get(after)
    assert css["Cache-Control"] == "public, max-age=31536000, immutable"
    assert css["Content-Type"].startswith("text/css")
    assert b"--color-primary: #2e7d32;" in css.content
    visitor = Client(HTTP_HOST=host_of(portal_b))
    assert "Neues Netz" in visitor.get("/").content.decode()


def test_publishing_in_the_editor_is_in_the_portals_log_with_the_admin(
    db, portal_b, django_capture_on_commit_callbacks
):
    admin = admin_of(portal_b, display_name="Hanna Herausgeberin")
    client = logged_in_client(portal_b, admin, HTTP_ACCEPT_LANGUAGE="en")
    with in_portal(portal_b):
        preset = Theme.objects.get().preset

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/manage/theme/", _form(publish="1"))

    assert response.status_code == 302
    with in_portal(portal_b):
        version = ThemeVersion.objects.order_by("-number").first()
        row = AuditEvent.objects.get(event_type=EventType.THEME_PUBLISHED, object_id=version.pk)
        assert row.actor == admin
    assert (row.actor_label, row.portal_id, row.object_type) == ("", None, "themes.themeversion")
    assert row.detail == {"number": version.number, "preset": preset}
    assert _published_by(portal_b)[version.number] == "Hanna Herausgeberin"
    assert not AuditEvent.objects.filter(event_type=EventType.THEME_PUBLISHED).exists()
    editor = client.get("/manage/theme/").content.decode()
    assert f"Version {version.number}, " in editor and "by Hanna Herausgeberin" in editor


def test_saving_a_draft_changes_nothing_visitors_see_until_published(
    db, portal_b, django_capture_on_commit_callbacks
):
    admin = admin_client(portal_b)
    before = _stylesheet_url(admin)
    with in_portal(portal_b):
        versions = ThemeVersion.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post("/manage/theme/", _form(site_name="Nur Entwurf"))
    assert _stylesheet_url(admin) == before
    assert "Nur Entwurf" not in admin.get("/").content.decode()
    preview = admin.get("/manage/theme/preview/").content.decode()
    assert "Nur Entwurf" in preview and "/manage/theme/draft.css" in preview
    with in_portal(portal_b):
        assert ThemeVersion.objects.count() == versions


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("colour_primary", "#fff;}body{display:none}", "is not a colour"),
        ("colour_text", "#bbbbbb", "at least 4.5:1"),
        ("font", "comic-sans", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_and_the_published_theme_stays(db, portal_b, field, value, message):
    admin = admin_client(portal_b)
    with in_portal(portal_b):
        versions = ThemeVersion.objects.count()
        published = AuditEvent.objects.filter(event_type=EventType.THEME_PUBLISHED).count()
    before = _stylesheet_url(admin)
    response = admin.post("/manage/theme/", _form(**{field: value, "publish": "1"}))
    assert response.status_code == 400
    assert message in response.content.decode()
    with in_portal(portal_b):
        assert ThemeVersion.objects.count() == versions
        assert AuditEvent.objects.filter(event_type=EventType.THEME_PUBLISHED).count() == published
    assert _stylesheet_url(admin) == before


def test_revert_publishes_an_earlier_version_again_and_names_who_did_it(
    db, portal_b, django_capture_on_commit_callbacks
):
    admin = admin_of(portal_b, display_name="Rita Rückgängig")
    with in_portal(portal_b), django_capture_on_commit_callbacks(execute=True):
        first = services.theme_set(site_name="Erst", preset="city", actor_label="tests")
        services.theme_set(site_name="Zweit", preset="dark", actor_label="tests")
        again = services.theme_revert(number=first.number, actor=admin)
        assert again.css == first.css and again.data["site_name"] == "Erst"
        assert again.number > first.number
        with pytest.raises(ValidationError):
            services.theme_revert(number=999, actor=admin)

    published_by = _published_by(portal_b)
    assert published_by[1] == "provisioning"
    assert published_by[first.number] == "tests"
    assert published_by[again.number] == "Rita Rückgängig"
    assert max(published_by) == again.number  # the failed revert published nothing


def test_revert_in_the_editor_publishes_the_version_again(
    db, portal_b, django_capture_on_commit_callbacks
):
    with in_portal(portal_b), django_capture_on_commit_callbacks(execute=True):
        first = services.theme_set(site_name="Erst", preset="city", actor_label="tests")
        services.theme_set(site_name="Zweit", preset="dark", actor_label="tests")
    visitor = Client(HTTP_HOST=host_of(portal_b))
    assert "Zweit" in visitor.get("/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client(portal_b).post(f"/manage/theme/versions/{first.number}/revert/")

    assert response.status_code == 302
    assert response["Location"] == "/manage/theme/"
    body = visitor.get("/").content.decode()
    assert "Erst" in body and "Zweit" not in body


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


# Every page of the editor is behind the admin gate; the views hold no check of their own.
EDITOR_ROUTES = [
    ("get", "/manage/theme/", 200),
    ("get", "/manage/theme/draft.css", 200),
    ("get", "/manage/theme/preview/", 200),
    ("post", "/manage/theme/", 302),
    ("post", "/manage/theme/preset/", 302),
    ("post", "/manage/theme/versions/1/revert/", 302),
]


@pytest.mark.parametrize(
    ("method", "url", "admin_status"),
    EDITOR_ROUTES,
    ids=[f"{method}-{url.strip('/').replace('/', '-')}" for method, url, _s in EDITOR_ROUTES],
)
def test_editor_refuses_members_and_sends_visitors_to_log_in(
    db, portal_b, method, url, admin_status, django_capture_on_commit_callbacks
):
    data = {"preset": "dark"} if url.endswith("/preset/") else {}
    if method == "post" and url == "/manage/theme/":
        data = _form(site_name="Übernommen", publish="1")
    member = logged_in_client(portal_b, member_of(portal_b))
    visitor = Client(HTTP_HOST=host_of(portal_b))
    with in_portal(portal_b):
        versions = ThemeVersion.objects.count()
        draft = Theme.objects.get().snapshot()

    refused = getattr(member, method)(url, data)
    anonymous = getattr(visitor, method)(url, data)

    assert refused.status_code == 403
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"/accounts/login/?next={url}"
    with in_portal(portal_b):
        assert ThemeVersion.objects.count() == versions
        assert Theme.objects.get().snapshot() == draft
    # The same request by an admin of the portal gets through.
    with django_capture_on_commit_callbacks(execute=True):
        allowed = getattr(admin_client(portal_b), method)(url, data)
    assert allowed.status_code == admin_status


def test_one_portals_theme_never_appears_on_another(
    db, portal_a, portal_b, django_capture_on_commit_callbacks
):
    with in_portal(portal_a), django_capture_on_commit_callbacks(execute=True):
        version = services.theme_set(site_name="Nur Alpha", preset="dark", actor_label="tests")
    a = Client(HTTP_HOST=host_of(portal_a))
    b = Client(HTTP_HOST=host_of(portal_b))
    assert "Nur Alpha" in a.get("/").content.decode()
    assert "Nur Alpha" not in b.get("/").content.decode()
    assert a.get(f"/theme/{version.css_hash}.css").status_code == 200
    assert b.get(f"/theme/{version.css_hash}.css").status_code == 404


def test_legal_pages_render_sanitised_html_or_404(db, portal_b, django_capture_on_commit_callbacks):
    with in_portal(portal_b), django_capture_on_commit_callbacks(execute=True):
        services.theme_update_draft(impressum="<p>Verein Beta<br>Hauptstraße 1</p>", privacy="")
        services.theme_publish(actor_label="tests")
    client = Client(HTTP_HOST=host_of(portal_b))
    assert "Hauptstraße 1" in client.get("/impressum/").content.decode()
    assert client.get("/datenschutz/").status_code == 404
    assert 'href="/impressum/"' in client.get("/").content.decode()


@pytest.mark.parametrize(("before", "after"), [("neutral", "dark"), ("dark", "city")])
def test_switching_presets_takes_the_new_presets_derived_colours(db, portal_b, before, after):
    with in_portal(portal_b):
        services.theme_update_draft(preset=before, tokens=dict(PRESETS[before].tokens))
        services.theme_update_draft(preset=after, tokens=dict(PRESETS[after].tokens))
        switched = dict(services._draft().tokens)
        services.theme_update_draft(preset=after, tokens=dict(PRESETS[after].tokens))
        fresh = dict(services._draft().tokens)
    # The same as applying the new preset to a fresh theme: nothing of the old one survives.
    assert switched == fresh
    assert switched["link"] == services.build_tokens(dict(PRESETS[after].tokens)).link
