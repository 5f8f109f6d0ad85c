"""The built-in presets: complete token sets and texts to start a theme from."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    tokens: dict


PRESETS = {
    preset.key: preset
    for preset in (
        Preset(
            "climate",
            _("Green climate network"),
            {
                "primary": "#1b5e20",
                "secondary": "#2e7d32",
                "accent": "#b26a00",
                "background": "#f6fbf4",
                "surface": "#e3f1dd",
                "text": "#1a2a1a",
                "radius": 16,
                "font": "atkinson-hyperlegible",
            },
        ),
        Preset(
            "city",
            _("Blue city"),
            {
                "primary": "#0d47a1",
                "secondary": "#1565c0",
                "accent": "#c43e00",
                "background": "#ffffff",
                "surface": "#e8eef8",
                "text": "#1c2333",
                "radius": 4,
                "font": "source-sans-3",
            },
        ),
        Preset(
            "neutral",
            _("Neutral organisation"),
            {
                "primary": "#37474f",
                "secondary": "#546e7a",
                "accent": "#8e24aa",
                "background": "#fafafa",
                "surface": "#eceff1",
                "text": "#212121",
                "radius": 8,
                "font": "inter",
            },
        ),
        Preset(
            "dark",
            _("Dark"),
            {
                "primary": "#90caf9",
                "secondary": "#ce93d8",
                "accent": "#ffcc80",
                "background": "#121212",
                "surface": "#1e1e1e",
                "text": "#eeeeee",
                "radius": 8,
                "font": "system",
            },
        ),
    )
}
DEFAULT_PRESET = "neutral"
PRESET_CHOICES = [(p.key, p.label) for p in PRESETS.values()]
