"""The curated fonts a theme may use. All are open (SIL OFL) and served from our own static
files: a portal never makes its visitors' browsers call a third-party font service."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Font:
    key: str
    label: str
    stack: str
    files: bool = True  # False: the visitor's system font, nothing to load


FONTS = {
    font.key: font
    for font in (
        Font(
            "system",
            "System",
            "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
            files=False,
        ),
        Font(
            "atkinson-hyperlegible",
            "Atkinson Hyperlegible",
            "'Atkinson Hyperlegible', system-ui, sans-serif",
        ),
        Font("inter", "Inter", "'Inter', system-ui, sans-serif"),
        Font("source-sans-3", "Source Sans 3", "'Source Sans 3', system-ui, sans-serif"),
        Font("merriweather", "Merriweather", "'Merriweather', Georgia, serif"),
    )
}
FONT_CHOICES = [(f.key, f.label) for f in FONTS.values()]


def font_face_css(key: str) -> str:
    font = FONTS[key]
    if not font.files:
        return ""
    family = font.stack.split(",")[0].strip()
    rules = []
    for weight in (400, 700):
        url = f"{settings.STATIC_URL}fonts/{key}/{key}-latin-{weight}-normal.woff2"
        rules.append(
            f"@font-face {{ font-family: {family}; font-style: normal; font-weight: {weight}; "
            f"font-display: swap; src: url('{url}') format('woff2'); }}"
        )
    return "\n".join(rules)
