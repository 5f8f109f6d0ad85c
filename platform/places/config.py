"""What a page needs to draw a map: the portal's map settings and the addresses of the
vendored Leaflet files (infra/ensure_leaflet.sh puts them under static `vendor/`).

The files are optional: without npm they are not installed, and in production they exist only
if they were there at collectstatic. `map_config()["leaflet"]` is then None and the pages say
that the map cannot be drawn, never fail on a missing static file (the manifest storage of
production raises ValueError for one; the development storage would link to a 404).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage

from places.selectors import map_settings

LEAFLET_FILES = {
    "leaflet_css": "vendor/leaflet/leaflet.css",
    "leaflet_js": "vendor/leaflet/leaflet.js",
    "cluster_css": "vendor/leaflet.markercluster/MarkerCluster.css",
    "cluster_js": "vendor/leaflet.markercluster/leaflet.markercluster.js",
}


def _static_url(path: str) -> str | None:
    storage = staticfiles_storage
    if hasattr(storage, "stored_name"):
        # Manifest storage: only what collectstatic saw exists.
        try:
            storage.stored_name(path)
        except ValueError:
            return None
    elif finders.find(path) is None:
        return None
    return storage.url(path)


def leaflet_assets() -> dict[str, str] | None:
    """The URLs of LEAFLET_FILES, or None when any of them is missing."""
    urls = {}
    for key, path in LEAFLET_FILES.items():
        url = _static_url(path)
        if url is None:
            return None
        urls[key] = url
    return urls


def map_config() -> dict:
    """Settings and assets for a map on this portal (the map page and the place picker)."""
    settings = map_settings()
    return {
        "settings": settings,
        "tile_url": settings.tile_url,
        "tile_host": urlsplit(settings.tile_url).hostname or "",
        "attribution": settings.attribution,
        "latitude": f"{settings.center_latitude:.6f}",
        "longitude": f"{settings.center_longitude:.6f}",
        "zoom": settings.zoom,
        "leaflet": leaflet_assets(),
    }
