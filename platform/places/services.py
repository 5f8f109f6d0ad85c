"""Changing the portal's map settings: the one write of the map module.

`map_settings_update` refuses (PermissionDenied) anyone but the portal's administrators and
(ValidationError, per field) a tile address that Leaflet could not use or that would send
visitors' browsers somewhere unencrypted: it must be https (plain http only for a tile server on
this machine outside production), name {z}, {x} and {y}, and use no other placeholder than
{s} and {r}. Nothing is saved unless everything is valid.
"""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from core.event_types import EventType
from core.permissions import is_portal_admin
from core.services import audit_record
from places.models import MapSettings
from places.selectors import map_settings

REQUIRED_PLACEHOLDERS = ("{z}", "{x}", "{y}")
# Leaflet's own: subdomain ({s}) and "@2x" on high-resolution screens ({r}).
OPTIONAL_PLACEHOLDERS = ("{s}", "{r}")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def _is_loopback(host: str) -> bool:
    return host in _LOOPBACK_HOSTS or host.endswith(".localhost")


def clean_tile_url(value: str) -> str:
    """The tile address as stored (trimmed), or ValidationError with the reason."""
    value = (value or "").strip()
    if not value:
        return ""
    missing = [p for p in REQUIRED_PLACEHOLDERS if p not in value]
    if missing:
        raise ValidationError(
            _("The address must contain {z}, {x} and {y}; missing: %(missing)s.")
            % {"missing": ", ".join(missing)}
        )
    unknown = sorted(
        set(_PLACEHOLDER.findall(value)) - {*REQUIRED_PLACEHOLDERS, *OPTIONAL_PLACEHOLDERS}
    )
    if unknown:
        raise ValidationError(
            _("Only {z}, {x}, {y}, {s} and {r} may stand in curly brackets, not %(unknown)s.")
            % {"unknown": ", ".join(unknown)}
        )
    sample = value
    for placeholder, example in (("{z}", "1"), ("{x}", "2"), ("{y}", "3"), ("{s}", "a")):
        sample = sample.replace(placeholder, example)
    sample = sample.replace("{r}", "")
    try:
        URLValidator(schemes=["https", "http"])(sample)
    except ValidationError:
        raise ValidationError(
            _("Enter a complete address such as https://tiles.example.org/{z}/{x}/{y}.png.")
        ) from None
    parts = urlsplit(sample)
    local_http = (
        parts.scheme == "http" and not settings.PRODUCTION and _is_loopback(parts.hostname or "")
    )
    if parts.scheme != "https" and not local_http:
        raise ValidationError(
            _(
                "The address must start with https://: the map pictures would otherwise travel "
                "unencrypted, and browsers block them on an https page."
            )
        )
    return value


@transaction.atomic
def map_settings_update(
    *,
    actor,
    tile_url: str,
    attribution: str,
    privacy_note: str,
    center_latitude: Decimal,
    center_longitude: Decimal,
    zoom: int,
) -> MapSettings:
    if not is_portal_admin(actor):
        raise PermissionDenied(_("Only administrators of this portal may do this."))
    try:
        tile_url = clean_tile_url(tile_url)
    except ValidationError as exc:
        raise ValidationError({"tile_url": exc.messages}) from None
    row = MapSettings.objects.select_for_update().get(pk=map_settings().pk)
    row.tile_url = tile_url
    row.attribution = (attribution or "").strip()
    row.privacy_note = (privacy_note or "").strip()
    row.center_latitude = center_latitude
    row.center_longitude = center_longitude
    row.zoom = zoom
    row.full_clean()
    row.save()
    audit_record(event_type=EventType.MAP_SETTINGS_CHANGED, actor=actor, obj=row)
    return row
