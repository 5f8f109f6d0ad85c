"""The built-in theme presets. Each is a static stylesheet of CSS custom properties."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    stylesheet: str  # path below STATIC_URL


PRESETS = {
    preset.key: preset
    for preset in (
        Preset("climate", _("Green climate network"), "themes/climate.css"),
        Preset("city", _("Blue city"), "themes/city.css"),
        Preset("neutral", _("Neutral organisation"), "themes/neutral.css"),
        Preset("dark", _("Dark"), "themes/dark.css"),
    )
}
DEFAULT_PRESET = "neutral"
PRESET_CHOICES = [(p.key, p.label) for p in PRESETS.values()]
