"""Design tokens: validated colours, WCAG 2.1 contrast checks, and the compiled stylesheet.

Colours are accepted only as #rgb or #rrggbb, so no tenant input can carry CSS syntax into the
stylesheet. Every text/background pair the theme produces is checked against WCAG 2.1 AA (4.5:1
for text, 3:1 for UI parts such as focus rings); a failing choice raises TokenError naming the
pair, the measured ratio and the nearest colour (same hue, shifted lightness) that passes.
"""

from __future__ import annotations

import colorsys
import hashlib
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from themes.fonts import FONTS, font_face_css

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
TEXT_RATIO = 4.5
UI_RATIO = 3.0

COLOR_TOKENS = ("primary", "secondary", "accent", "background", "surface", "text")
DERIVED_TOKENS = ("on_primary", "on_secondary", "link")


class TokenError(ValueError):
    """A token is malformed or fails a contrast check. `field` names the token to change."""

    def __init__(self, field: str, message: str, suggestion: str | None = None):
        super().__init__(message)
        self.field = field
        self.suggestion = suggestion


def normalise_colour(value: str, field: str) -> str:
    value = (value or "").strip()
    if not _HEX.match(value):
        raise TokenError(
            field, _("„%(value)s“ is not a colour: use #rgb or #rrggbb.") % {"value": value[:40]}
        )
    value = value.lower()
    if len(value) == 4:
        value = "#" + "".join(c * 2 for c in value[1:])
    return value


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    return tuple(int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))


def _hex(rgb) -> str:
    return "#" + "".join(f"{round(max(0, min(1, c)) * 255):02x}" for c in rgb)


def relative_luminance(hex_colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    la, lb = relative_luminance(a), relative_luminance(b)
    lighter, darker = max(la, lb), min(la, lb)
    return (lighter + 0.05) / (darker + 0.05)


def nearest_passing(colour: str, against: str, ratio: float) -> str | None:
    """The colour of the same hue and saturation, closest in lightness, that reaches `ratio`."""
    h, lightness, s = colorsys.rgb_to_hls(*_rgb(colour))
    best = None
    for step in range(1, 101):
        for candidate_l in (lightness - step / 100, lightness + step / 100):
            if 0 <= candidate_l <= 1:
                candidate = _hex(colorsys.hls_to_rgb(h, candidate_l, s))
                if contrast_ratio(candidate, against) >= ratio:
                    best = candidate
                    break
        if best:
            return best
    return None


def _readable_on(background: str) -> str:
    white, ink = "#ffffff", "#111111"
    return white if contrast_ratio(white, background) >= contrast_ratio(ink, background) else ink


def _readable_link(link: str, colours: dict) -> str:
    """The link colour, moved just far enough to be readable on the background and on surfaces
    (cards, the start page's hero), where links sit too; the text colour if no shade of it is."""
    grounds = (colours["background"], colours["surface"])
    for _attempt in range(3):
        worst = min(grounds, key=lambda ground: contrast_ratio(link, ground))
        if contrast_ratio(link, worst) >= TEXT_RATIO:
            return link
        link = nearest_passing(link, worst, TEXT_RATIO) or colours["text"]
    return link if all(contrast_ratio(link, g) >= TEXT_RATIO for g in grounds) else colours["text"]


@dataclass(frozen=True)
class Tokens:
    primary: str
    secondary: str
    accent: str
    background: str
    surface: str
    text: str
    on_primary: str
    on_secondary: str
    link: str
    radius: int
    font: str

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def build_tokens(raw: dict) -> Tokens:
    """Validate raw token input (strings) and derive the rest. Raises TokenError."""
    colours = {name: normalise_colour(raw.get(name, ""), name) for name in COLOR_TOKENS}
    try:
        radius = int(str(raw.get("radius", "8")).strip())
    except ValueError as exc:
        raise TokenError(
            "radius", _("The corner radius must be a whole number of pixels.")
        ) from exc
    if not 0 <= radius <= 24:
        raise TokenError("radius", _("The corner radius must be between 0 and 24 pixels."))
    font = raw.get("font") or "system"
    if font not in FONTS:
        raise TokenError(
            "font", _("„%(font)s“ is not one of the offered fonts.") % {"font": str(font)[:40]}
        )
    link = raw.get("link") or colours["primary"]
    link = _readable_link(normalise_colour(link, "link"), colours)
    tokens = Tokens(
        **colours,
        on_primary=_readable_on(colours["primary"]),
        on_secondary=_readable_on(colours["secondary"]),
        link=link,
        radius=radius,
        font=font,
    )
    check_contrast(tokens)
    return tokens


# (foreground token, background token, minimum ratio, which token the admin should change)
CONTRAST_PAIRS = (
    ("text", "background", TEXT_RATIO, "text"),
    ("text", "surface", TEXT_RATIO, "surface"),
    ("on_primary", "primary", TEXT_RATIO, "primary"),
    ("on_secondary", "secondary", TEXT_RATIO, "secondary"),
    ("link", "background", TEXT_RATIO, "primary"),
    ("link", "surface", TEXT_RATIO, "surface"),
    ("accent", "background", UI_RATIO, "accent"),
    ("primary", "background", UI_RATIO, "primary"),
)


def _label(token: str) -> str:
    labels = {
        "text": _("the text colour"),
        "background": _("the background"),
        "surface": _("surfaces"),
        "primary": _("the primary colour"),
        "secondary": _("the secondary colour"),
        "accent": _("the accent colour"),
        "link": _("links"),
        "on_primary": _("text on the primary colour"),
        "on_secondary": _("text on the secondary colour"),
    }
    return str(labels.get(token, token))


def check_contrast(tokens: Tokens) -> None:
    values = tokens.as_dict()
    for fg, bg, minimum, blame in CONTRAST_PAIRS:
        ratio = contrast_ratio(values[fg], values[bg])
        if ratio >= minimum:
            continue
        if fg.startswith("on_"):
            # Text on a filled area is derived from the fill; only another fill can help.
            suggestion = nearest_passing(values[bg], "#ffffff", minimum) or nearest_passing(
                values[bg], "#111111", minimum
            )
        else:
            against = values[fg] if blame == bg else values[bg]
            suggestion = nearest_passing(values[blame], against, minimum)
        raise TokenError(
            blame,
            _(
                "%(fg)s on %(bg)s has a contrast of %(ratio).2f:1; at least %(minimum).1f:1 is needed."
            )
            % {"fg": _label(fg), "bg": _label(bg), "ratio": ratio, "minimum": minimum}
            + (
                " "
                + _("The nearest colour that passes is %(suggestion)s.")
                % {"suggestion": suggestion}
                if suggestion
                else ""
            ),
            suggestion,
        )


def compile_stylesheet(tokens: Tokens, extra_css: str = "") -> str:
    """The portal's stylesheet: its font, its custom properties, and sanitised extra CSS."""
    lines = [font_face_css(tokens.font), ":root {"]
    for name in (*COLOR_TOKENS, *DERIVED_TOKENS):
        lines.append(f"  --color-{name.replace('_', '-')}: {getattr(tokens, name)};")
    lines.append(f"  --radius: {tokens.radius}px;")
    lines.append(f"  --font-body: {FONTS[tokens.font].stack};")
    lines.append("}")
    if extra_css:
        lines.append(extra_css)
    return "\n".join(line for line in lines if line) + "\n"


def stylesheet_hash(css: str) -> str:
    return hashlib.sha256(css.encode()).hexdigest()[:16]
