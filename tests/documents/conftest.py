"""Fixtures for the documents tests: a space of portal B (Professional, where the module is
on) with an admin and a member, files of every kind, and private caches so that switching a
module here cannot leak into a parallel run."""

from __future__ import annotations

import io

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from spaces.models import SpaceVisibility
from tests.accounts.factories import member_of
from tests.conftest import in_portal
from tests.spaces.factories import space_of

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!doctype html><script>alert(document.cookie)</script><p>hi</p>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    # The claimed content type is deliberately often wrong: it must not matter.
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture(autouse=True)
def _private_caches(settings, tmp_path):
    settings.CACHES = {
        name: {**config, "LOCATION": str(tmp_path / "cache" / name)}
        if config["BACKEND"].endswith("FileBasedCache")
        else config
        for name, config in django_settings.CACHES.items()
    }


class Cast:
    """The people of portal B around one space (public, so only membership keeps others out)."""

    def __init__(self, portal):
        self.portal = portal
        self.admin = member_of(portal)
        self.member = member_of(portal)
        self.outsider = member_of(portal)  # a member of the portal, not of the space
        with in_portal(portal):
            self.space = space_of(
                visibility=SpaceVisibility.PUBLIC, admin=self.admin, members=[self.member]
            )


@pytest.fixture
def cast(db, portal_b) -> Cast:
    return Cast(portal_b)
