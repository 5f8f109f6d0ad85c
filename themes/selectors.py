"""Reading the current portal's theme, cached per portal (the cache key is schema-prefixed)."""

from __future__ import annotations

from themes.models import Theme
from themes.presets import DEFAULT_PRESET, PRESETS

THEME_CACHE_KEY = "theme:v1"


def current_theme() -> dict:
    from django.core.cache import cache

    data = cache.get(THEME_CACHE_KEY)
    if data is None:
        theme = Theme.objects.first()
        data = {
            "site_name": theme.site_name if theme else "",
            "tagline": theme.tagline if theme else "",
            "preset": theme.preset if theme else DEFAULT_PRESET,
        }
        cache.set(THEME_CACHE_KEY, data, 60 * 60)
    preset = PRESETS.get(data["preset"], PRESETS[DEFAULT_PRESET])
    return {**data, "stylesheet": preset.stylesheet}


def theme_for_request(request) -> dict:
    if not hasattr(request, "_theme"):
        request._theme = current_theme()
    return request._theme
