"""Media storage with one folder per portal, keyed by the portal's stable uid.

Files of a portal live under MEDIA_ROOT/portals/<uid>/; the platform's own under
MEDIA_ROOT/platform/. Names stored in the database are relative to that folder, so renaming a
domain or importing an export into a new portal keeps every file reference valid.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import connection


def portal_media_root(portal) -> Path:
    return Path(settings.MEDIA_ROOT) / "portals" / str(portal.uid)


def current_media_root() -> Path:
    tenant = getattr(connection, "tenant", None)
    uid = getattr(tenant, "uid", None)
    if uid is None:
        return Path(settings.MEDIA_ROOT) / "platform"
    return Path(settings.MEDIA_ROOT) / "portals" / str(uid)


class PortalFileSystemStorage(FileSystemStorage):
    """FileSystemStorage whose root follows the portal of the current connection."""

    @property
    def base_location(self):
        return str(current_media_root())

    @property
    def location(self):
        return str(current_media_root())

    @property
    def base_url(self):
        return settings.MEDIA_URL
