"""Every way a file gets stored, found by walking the models and the forms, fed hostile files:
what is stored is a re-encoded image without metadata, or nothing at all.

A new ImageField/FileField on a model, or a new file field on a form, fails
`test_every_upload_is_known` until it is added to `UPLOADS` (with the service that stores it),
so a new module cannot store uploads that bypass `core.media`.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import io

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django_tenants.utils import tenant_context
from PIL import ExifTags, Image

from tests.accounts.factories import member_of
from tests.core.images import jpeg_with_gps

pytestmark = pytest.mark.django_db


def _avatar(user, name, data) -> list[str]:
    from accounts.profiles import profile_avatar_set

    return [profile_avatar_set(user=user, name=name, data=data).avatar]


def _post_image(user, name, data) -> list[str]:
    from news.services import post_create

    post = post_create(author=user, body="Foto", image=SimpleUploadedFile(name, data))
    return [post.image.name]


def _logo(user, name, data) -> list[str]:
    from themes.services import theme_upload_logo

    return [theme_upload_logo(name=name, data=data).logo]


def _header(user, name, data) -> list[str]:
    from themes.services import theme_upload_header_image

    return [theme_upload_header_image(name=name, data=data).header_image]


def _favicon(user, name, data) -> list[str]:
    from themes.services import theme_upload_favicon

    return list(theme_upload_favicon(name=name, data=data).favicons.values())


def _space_image(user, name, data) -> list[str]:
    from spaces.services import space_create

    return [space_create(actor=user, name="Mit Bild", image=SimpleUploadedFile(name, data)).image]


def _idea_image(user, name, data) -> list[str]:
    from ideas.services import idea_post

    idea = idea_post(
        author=user, title="Mit Bild", description="Foto", image=SimpleUploadedFile(name, data)
    )
    return [idea.image]


# Where an uploaded image is stored: the model field or form field, and the service behind it.
UPLOADS = {
    "ideas.forms.IdeaForm.image": _idea_image,
    "ideas.forms.IdeaEditForm.image": _idea_image,
    "spaces.forms.SpaceForm.image": _space_image,
    "spaces.forms.SpaceEditForm.image": _space_image,
    "news.Post.image": _post_image,
    "accounts.forms.ProfileForm.avatar": _avatar,
    "news.forms.PostForm.image": _post_image,
    "themes.forms.ThemeForm.logo": _logo,
    "themes.forms.ThemeForm.header_image": _header,
    "themes.forms.ThemeForm.favicon": _favicon,
}
# File fields that are not stored: read, checked and thrown away.
NOT_STORED = {
    "members.forms.InvitationUploadForm.file": "a CSV list of invitees, parsed and discarded",
}
# Files stored as they are (documents), never as images: their type is read from the bytes,
# their stored name gets that type's extension, and they are only served by the documents
# module's download (attachment unless image or PDF, nosniff, sandbox): see below and
# tests/documents/test_views.py.
DOCUMENT_UPLOADS = {
    "documents.DocumentVersion.file",
    "documents.forms.UploadForm.file",
    "documents.forms.VersionForm.file",
}
# PDFs stored as they are: kept only when the bytes are a PDF (header and end marker), and
# served only by their module's download as application/pdf, nosniff and sandboxed
# (tests/proposals/test_pages.py).
PDF_UPLOADS = {
    "proposals.forms.StepForm.attachment": "the council's answer to a proposal",
}
IMAGE_UPLOADERS = {
    "avatar": _avatar,
    "post image": _post_image,
    "logo": _logo,
    "header image": _header,
    "favicon": _favicon,
    "space image": _space_image,
    "idea image": _idea_image,
}


def _model_file_fields() -> set[str]:
    return {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }


def _form_file_fields() -> set[str]:
    found = set()
    for config in apps.get_app_configs():
        if "site-packages" in (config.path or ""):
            continue  # Django's and allauth's own forms are theirs
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for name, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, forms.BaseForm) or form.__module__ != module.__name__:
                continue
            for field_name, field in form.base_fields.items():
                if isinstance(field, forms.FileField):
                    found.add(f"{module.__name__}.{name}.{field_name}")
    return found


def test_every_upload_is_known():
    found = _model_file_fields() | _form_file_fields()
    assert "news.Post.image" in found and "themes.forms.ThemeForm.logo" in found  # the walk works
    unknown = found - set(UPLOADS) - set(NOT_STORED) - DOCUMENT_UPLOADS - set(PDF_UPLOADS)
    assert not unknown, (
        f"New upload fields {sorted(unknown)}: store them through core.media and add them to "
        "UPLOADS in tests/security/test_uploads.py with the service that stores them."
    )
    gone = (set(UPLOADS) | set(NOT_STORED) | DOCUMENT_UPLOADS | set(PDF_UPLOADS)) - found
    assert not gone, f"UPLOADS names a field that is gone: {gone}"


def _stored(names: list[str]) -> list[bytes]:
    contents = []
    for name in names:
        with default_storage.open(name, "rb") as stored:
            contents.append(stored.read())
    return contents


def _has_metadata(data: bytes) -> list[str]:
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        keys = ("exif", "xmp", "icc_profile", "XML:com.adobe.xmp", "Comment")
        found = [key for key in keys if image.info.get(key)]
        if exif:
            found.append(f"EXIF {dict(exif)}")
        if exif.get_ifd(ExifTags.IFD.GPSInfo):
            found.append("GPS")
    return found


def _png(size=(64, 64), extra: bytes = b"") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, "PNG")
    return out.getvalue() + extra


def _photo_with_gps(kind: str) -> bytes:
    """A square photo with camera and GPS data, in a format the upload takes (logo and favicon
    take no JPEG, so they get a PNG carrying the same EXIF block and a text chunk)."""
    if kind in {"avatar", "post image"}:
        return jpeg_with_gps((64, 64))
    from PIL import PngImagePlugin

    from tests.core.images import gps_exif

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "taken at home")
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (30, 120, 200)).save(out, "PNG", exif=gps_exif(), pnginfo=info)
    return out.getvalue()


SCRIPT_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)">'
    b"<script>alert(1)</script><rect width='10' height='10'/></svg>"
)
HOSTILE = {
    "svg-with-script.png": SCRIPT_SVG,
    "shell.php.png": b"<?php system($_GET['c']); ?>",
    "page.png": b"<html><script>alert(1)</script></html>",
    "polyglot.png": _png(extra=b"<script>alert(1)</script><?php echo 1; ?>"),
}


@functools.cache
def _bomb() -> bytes:
    """A few KB on disk, 64 megapixels once decoded (over core.media's 40): a decompression
    bomb. Made once: encoding it takes a while."""
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def uploader(portal_b, english):
    with tenant_context(portal_b):
        yield member_of(portal_b, "admin")


@pytest.mark.parametrize("kind", IMAGE_UPLOADERS)
def test_a_photo_with_gps_is_stored_without_metadata(kind, uploader):
    original = _photo_with_gps(kind)
    assert "GPS" in _has_metadata(original)  # the file really carries the position
    stored = _stored(IMAGE_UPLOADERS[kind](uploader, "urlaub.png", original))
    assert stored
    for data in stored:
        assert _has_metadata(data) == [], kind
        assert b"SecretCam" not in data


@pytest.mark.parametrize("kind", IMAGE_UPLOADERS)
@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_file_is_refused_or_rebuilt(kind, name, uploader):
    data = HOSTILE[name]
    try:
        names = IMAGE_UPLOADERS[kind](uploader, name, data)
    except ValidationError:
        return  # refused: nothing stored
    for content, stored_name in zip(_stored(names), names, strict=True):
        assert b"<script" not in content.lower() and b"<?php" not in content, (kind, name)
        assert b"onload" not in content.lower()
        assert not stored_name.endswith((".php", ".html", ".htm")), stored_name
        assert content != data  # rebuilt, never stored as uploaded


@pytest.mark.parametrize("kind", IMAGE_UPLOADERS)
def test_an_image_with_too_many_pixels_is_refused(kind, uploader):
    with pytest.raises(ValidationError):
        IMAGE_UPLOADERS[kind](uploader, "bomb.png", _bomb())


@pytest.mark.parametrize("kind", IMAGE_UPLOADERS)
def test_an_oversized_file_is_refused(kind, uploader):
    with pytest.raises(ValidationError):
        IMAGE_UPLOADERS[kind](uploader, "big.png", _png(extra=b"\0" * (6 * 1024 * 1024)))


def test_the_metadata_check_finds_gps():
    # Positive control for `_has_metadata`: a check that cannot fail is a defect.
    assert "GPS" in _has_metadata(jpeg_with_gps())
    assert _has_metadata(_png()) == []


@pytest.mark.parametrize("name", [*HOSTILE, "page.html", "drawing.svg"])
def test_a_hostile_document_is_stored_under_its_real_type_and_only_downloaded(
    name, uploader, portal_b
):
    from documents.services import document_upload
    from spaces.services import space_create
    from tests.accounts.factories import logged_in_client

    data = HOSTILE.get(name, b"<html><script>alert(1)</script></html>")
    space = space_create(actor=uploader, name=f"Ablage {name}")
    document = document_upload(
        user=uploader, space=space, folder=None, file=SimpleUploadedFile(name, data), title=name
    )
    version = document.versions.get()
    assert not version.file.name.endswith((".php", ".html", ".htm", ".svg")), version.file.name
    response = logged_in_client(portal_b, uploader).get(
        f"/spaces/{space.slug}/documents/{document.pk}/download/"
    )
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    if response["Content-Type"].startswith(("image/", "application/pdf")):
        assert disposition.startswith("inline")  # a real image, rebuilt by nothing: shown
    else:
        assert disposition.startswith("attachment"), disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
