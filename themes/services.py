"""Writes on the current portal's theme."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from tenants.cache import delete_on_commit
from themes.models import Theme
from themes.presets import PRESETS
from themes.selectors import THEME_CACHE_KEY


def theme_set(*, site_name: str, preset: str, tagline: str = "") -> Theme:
    """Create or replace the portal's theme. Raises ValidationError for an unknown preset."""
    if preset not in PRESETS:
        raise ValidationError(f"Unknown theme preset {preset!r}; choose one of {sorted(PRESETS)}.")
    theme = Theme.objects.first() or Theme()
    theme.site_name = site_name
    theme.preset = preset
    theme.tagline = tagline
    theme.full_clean()
    theme.save()
    delete_on_commit(THEME_CACHE_KEY)
    return theme
