"""Logo, favicon, header image and custom CSS, through the theme editor."""

from __future__ import annotations

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from PIL import Image

from tests.accounts.factories import admin_client, host_of
from tests.conftest import in_portal
from themes import services
from themes.models import Theme
from themes.presets import PRESETS

COLOURS = ("primary", "secondary", "accent", "background", "surface", "text")


def _png(size=(64, 64), colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def _form(**extra):
    tokens = PRESETS["city"].tokens
    data = {f"colour_{k}": tokens[k] for k in COLOURS}
    data.update(site_name="Portal Beta", font="inter", radius=4, default_language="de")
    data.update(offered_languages=["de", "en"])
    data.update(extra)
    return data


def test_uploaded_logo_is_cleaned_published_and_served_only_on_its_portal(
    db, portal_a, portal_b, django_capture_on_commit_callbacks
):
    admin = admin_client(portal_b)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/manage/theme/", _form(logo=_upload("logo.png", _png()), publish="1")
        )
    assert response.status_code == 302
    page = admin.get("/").content.decode()
    logo_url = re.search(r'class="logo" src="(/media/theme/logo-[0-9a-f]+\.png)"', page).group(1)
    served = admin.get(logo_url)
    assert served.status_code == 200 and served["X-Content-Type-Options"] == "nosniff"
    assert Client(HTTP_HOST=host_of(portal_a)).get(logo_url).status_code == 404


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><!DOCTYPE x [<!ENTITY a "b">]></svg>',
            "",
        ),
        ("logo.png", b"<html><script>alert(1)</script></html>", "not a valid image"),
        ("logo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "not a valid image"),
    ],
)
def test_bad_logo_is_refused_and_nothing_changes(db, portal_b, name, data, message):
    admin = admin_client(portal_b)
    with in_portal(portal_b):
        before = Theme.objects.get().logo
    response = admin.post("/manage/theme/", _form(logo=_upload(name, data), publish="1"))
    assert response.status_code == 400
    assert message in response.content.decode()
    with in_portal(portal_b):
        assert Theme.objects.get().logo == before


def test_svg_logo_loses_scripts_and_handlers(db, portal_b):
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script>'
        b'<path d="M0 0h10v10z" fill="#123456"/></svg>'
    )
    with in_portal(portal_b):
        theme = services.theme_upload_logo(name="logo.svg", data=svg)
        from django.core.files.storage import default_storage

        stored = default_storage.open(theme.logo).read()
    assert b"script" not in stored and b"onload" not in stored and b'd="M0 0h10v10z"' in stored


def test_favicon_sizes_are_generated_and_linked(db, portal_b, django_capture_on_commit_callbacks):
    admin = admin_client(portal_b)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/manage/theme/", _form(favicon=_upload("icon.png", _png((600, 600))), publish="1")
        )
    assert response.status_code == 302
    page = admin.get("/").content.decode()
    sizes = re.findall(r'sizes="(\d+)x\1" href="(/media/[^"]+)"', page)
    assert sorted(int(s) for s, _ in sizes) == [16, 32, 180, 192, 512]
    for size, url in sizes:
        image = Image.open(io.BytesIO(b"".join(admin.get(url).streaming_content)))
        assert image.size == (int(size), int(size))


def test_upload_over_the_storage_quota_is_refused(db, portal_b):
    from features.models import Plan

    Plan.objects.filter(key="professional").update(storage_mb=0)
    from features.selectors import forget_portal_features

    forget_portal_features([portal_b.pk])
    with in_portal(portal_b), pytest.raises(ValidationError, match="does not fit"):
        services.theme_upload_logo(name="logo.png", data=_png())


def test_custom_css_needs_the_module_and_is_sanitised(
    db, portal_a, portal_b, django_capture_on_commit_callbacks
):
    admin = admin_client(portal_b)
    assert 'name="custom_css"' not in admin.get("/manage/theme/").content.decode()
    with in_portal(portal_b), pytest.raises(ValidationError, match="not switched on"):
        services.theme_update_draft(custom_css=".card { border-width: 3px; }")
    with django_capture_on_commit_callbacks(execute=True):
        switched = admin.post("/manage/features/", {"feature": "custom_css", "enabled": "1"})
    assert switched.status_code == 302
    assert 'name="custom_css"' in admin.get("/manage/theme/").content.decode()
    refused = admin.post(
        "/manage/theme/",
        _form(custom_css='@import url("https://evil.example/x.css");', publish="1"),
    )
    assert refused.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        admin.post("/manage/theme/", _form(custom_css=".card { border-width: 3px; }", publish="1"))
    url = re.search(r'href="(/theme/[0-9a-f]{16}\.css)"', admin.get("/").content.decode()).group(1)
    assert b"border-width" in admin.get(url).content

    with django_capture_on_commit_callbacks(execute=True):
        switched = admin.post("/manage/features/", {"feature": "custom_css", "enabled": "0"})
    assert switched.status_code == 302
    plain = re.search(r'href="(/theme/[0-9a-f]{16}\.css)"', admin.get("/").content.decode()).group(
        1
    )
    assert plain != url and b"border-width" not in admin.get(plain).content

    with in_portal(portal_a), pytest.raises(ValidationError, match="not switched on"):
        services.theme_update_draft(custom_css=".card { color: #000; }")
