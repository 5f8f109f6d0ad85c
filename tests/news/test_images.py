"""Images on news posts (news.services.post_create): only the sanitised image is stored, with
a safe name; files that are not images are refused and nothing is created; the storage quota
counts the bytes that are actually stored."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from PIL import Image, PngImagePlugin

import news.services
from features.models import Plan
from features.selectors import forget_portal_features
from news.models import Post
from news.services import post_create
from tenants.storage import portal_media_root
from tests.accounts.factories import UserFactory, host_of
from tests.conftest import in_portal
from tests.core.images import jpeg_with_gps

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _png_with_padding(padding: int) -> bytes:
    """A 4x4 PNG carrying ``padding`` bytes of incompressible text: big upload, tiny image."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", os.urandom(padding // 2).hex())
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 20, 30)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def _upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _stored_files(portal) -> list[Path]:
    root = portal_media_root(portal)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _set_storage_quota(portal, megabytes: int) -> None:
    Plan.objects.filter(key=portal.plan_id).update(storage_mb=megabytes)
    forget_portal_features([portal.pk])


def test_jpeg_with_gps_is_stored_without_exif(portal_a):
    with in_portal(portal_a):
        post = post_create(
            author=UserFactory(), body="Vom Strand", image=_upload("strand.jpg", jpeg_with_gps())
        )

    stored = (portal_media_root(portal_a) / post.image.name).read_bytes()
    assert post.image.name.startswith("posts/") and post.image.name.endswith("/strand.jpg")
    assert b"SecretCam" not in stored
    assert b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert image.size == (64, 48)
        assert not image.getexif()


def test_large_photo_is_scaled_down_to_2000_px(portal_a):
    with in_portal(portal_a):
        post = post_create(
            author=UserFactory(),
            body="Panorama",
            image=_upload("panorama.jpg", jpeg_with_gps((4000, 1000))),
        )

    with Image.open(portal_media_root(portal_a) / post.image.name) as image:
        assert image.size == (2000, 500)


def test_html_named_photo_jpg_is_refused_and_no_post_is_created(portal_a):
    html = b"<!doctype html><html><script>fetch('/api/v1/').then(r => r.text())</script></html>"
    with in_portal(portal_a):
        author = UserFactory()
        with pytest.raises(ValidationError) as refused:
            post_create(author=author, body="Schaut mal", image=_upload("photo.jpg", html))
        assert not Post.objects.filter(body="Schaut mal").exists()

    assert refused.value.message_dict == {
        "image": ['"photo.jpg" is not a valid image. Please upload a JPEG, PNG or WebP file.']
    }
    assert _stored_files(portal_a) == []


def test_other_image_formats_are_refused(portal_a):
    gif = io.BytesIO()
    Image.new("P", (4, 4), 1).save(gif, "GIF")
    with in_portal(portal_a), pytest.raises(ValidationError) as refused:
        post_create(author=UserFactory(), body="GIF", image=_upload("x.gif", gif.getvalue()))

    assert "not a valid image" in refused.value.message_dict["image"][0]
    assert _stored_files(portal_a) == []


def test_image_over_5_mib_is_refused_with_the_limit(portal_a):
    with in_portal(portal_a), pytest.raises(ValidationError) as refused:
        post_create(
            author=UserFactory(),
            body="Zu groß",
            image=_upload("big.jpg", b"\xff" * (5 * 2**20 + 1)),
        )

    assert "the limit is 5 MiB" in refused.value.message_dict["image"][0]


def test_stored_name_is_safe_and_follows_the_content(portal_a):
    png = _png_with_padding(0)
    with in_portal(portal_a):
        post = post_create(
            author=UserFactory(),
            body="Umbenannt",
            image=_upload("../../Über uns.html", png, content_type="text/html"),
        )

    folder, name = post.image.name.rsplit("/", 1)
    assert name == "uber-uns.png"
    assert folder.startswith("posts/")
    stored = portal_media_root(portal_a) / post.image.name
    assert portal_media_root(portal_a) in stored.resolve().parents


def test_storage_quota_counts_the_stored_bytes_not_the_upload(portal_a, monkeypatch):
    counted: list[int] = []
    real_check = news.services.check_storage

    def spy(portal, incoming_bytes):
        counted.append(incoming_bytes)
        return real_check(portal, incoming_bytes)

    monkeypatch.setattr(news.services, "check_storage", spy)
    _set_storage_quota(portal_a, 1)
    existing = portal_media_root(portal_a) / "posts" / "vorhanden.bin"
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b"\0" * (1024 * 1024 - 200_000))
    upload = _png_with_padding(400_000)  # would not fit as uploaded
    assert len(upload) > 200_000

    with in_portal(portal_a):
        post = post_create(author=UserFactory(), body="Passt", image=_upload("bild.png", upload))

    stored = portal_media_root(portal_a) / post.image.name
    assert counted == [stored.stat().st_size]
    assert stored.stat().st_size < 1000


def test_image_whose_stored_bytes_do_not_fit_is_refused_and_nothing_is_written(portal_a):
    _set_storage_quota(portal_a, 1)
    existing = portal_media_root(portal_a) / "posts" / "vorhanden.bin"
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b"\0" * (1024 * 1024 - 10))

    with in_portal(portal_a):
        with pytest.raises(ValidationError) as refused:
            post_create(
                author=UserFactory(),
                body="Passt nicht",
                image=_upload("foto.jpg", jpeg_with_gps()),
            )
        assert not Post.objects.filter(body="Passt nicht").exists()

    assert "does not fit" in refused.value.message_dict["image"][0]
    assert _stored_files(portal_a) == [existing]


def test_photo_posted_through_the_page_is_served_without_exif(portal_a):
    with in_portal(portal_a):
        member = UserFactory()
    client = Client(HTTP_HOST=host_of(portal_a))
    with in_portal(portal_a):
        client.force_login(member)

    response = client.post(
        "/posts/new/", {"body": "Foto vom Fest", "image": _upload("fest.jpg", jpeg_with_gps())}
    )

    assert response.status_code == 302
    with in_portal(portal_a):
        url = Post.objects.get(body="Foto vom Fest").image.url
    served = b"".join(client.get(url).streaming_content)
    assert served.startswith(b"\xff\xd8")
    assert b"SecretCam" not in served
