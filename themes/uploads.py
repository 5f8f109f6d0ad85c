"""The images a portal uploads for its theme: logo, favicon, header. What is theme-specific lives
here (which formats, byte limits, sizes, the favicon set); the sanitising itself is shared with
every other upload in ``core.media`` (``core.media.raster`` and ``core.media.svg``).

- Logos: SVG, PNG or WebP, at most 2 MiB; raster logos are scaled down to at most 1024 px on
  the longer side and re-encoded losslessly.
- Header images: PNG, JPEG or WebP, at most 5 MiB, scaled down to at most 2400 px wide.
- Favicons: square PNGs in all sizes, generated from one PNG or WebP of at most 2 MiB.

Failure mode: every refusal raises ``UploadError`` (a ``ValueError``) whose message is a short
sentence in the active language meant to be shown to the portal admin as is, e.g. in a form
error (``core.media`` raises ValidationError; it is translated here so that callers of this
module keep one exception type). Nothing here touches the database or storage; callers save
``CleanImage.content`` themselves, under a name built from ``CleanImage.extension``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from core.media import CleanImage, MiB, check_size, display_name, refusal
from core.media.raster import clean_raster, open_raster
from core.media.svg import clean_svg, looks_like_markup

__all__ = [
    "FAVICON_SIZES",
    "HEADER_MAX_WIDTH",
    "LOGO_MAX_SIDE",
    "MAX_BYTES",
    "MAX_HEADER_BYTES",
    "CleanImage",
    "UploadError",
    "clean_header_image",
    "clean_logo",
    "favicon_set",
]

# Byte limits are checked before anything is parsed, so the cheapest refusal comes first.
MAX_BYTES: Final = 2 * MiB  # logos and favicon sources
MAX_HEADER_BYTES: Final = 5 * MiB

LOGO_MAX_SIDE: Final = 1024
HEADER_MAX_WIDTH: Final = 2400
FAVICON_SIZES: Final = (16, 32, 180, 192, 512)

LOGO_FORMATS: Final = ("PNG", "WEBP")
HEADER_FORMATS: Final = ("PNG", "JPEG", "WEBP")
FAVICON_FORMATS: Final = ("PNG", "WEBP")


class UploadError(ValueError):
    """An uploaded file was refused; ``str(error)`` explains why, for the person who uploaded it."""


@contextmanager
def _refusals_as_upload_errors() -> Iterator[None]:
    try:
        yield
    except ValidationError as exc:
        raise UploadError(" ".join(exc.messages)) from exc


def clean_logo(name: str, data: bytes) -> CleanImage:
    """Validate and sanitise a portal logo: SVG, PNG or WebP, at most 2 MiB.

    Raster logos are scaled down to at most 1024 px on the longer side and keep their format.
    """
    fallback = _("The logo")
    expected = _("an SVG, PNG or WebP file")
    with _refusals_as_upload_errors():
        check_size(data, label=display_name(name, fallback), max_bytes=MAX_BYTES)
        if looks_like_markup(data):
            return clean_svg(
                data, name=name, fallback=fallback, max_bytes=MAX_BYTES, expected=expected
            )
        return clean_raster(
            data,
            name=name,
            fallback=fallback,
            formats=LOGO_FORMATS,
            max_bytes=MAX_BYTES,
            max_width=LOGO_MAX_SIDE,
            max_height=LOGO_MAX_SIDE,
            # Logos are mostly flat colours and sharp edges, where lossy WebP artefacts show.
            lossless_webp=True,
            expected=expected,
        )


def clean_header_image(name: str, data: bytes) -> CleanImage:
    """Validate and sanitise a header image: PNG, JPEG or WebP, at most 5 MiB.

    The result keeps its format and is scaled down to at most 2400 px wide.
    """
    with _refusals_as_upload_errors():
        return clean_raster(
            data,
            name=name,
            fallback=_("The header image"),
            formats=HEADER_FORMATS,
            max_bytes=MAX_HEADER_BYTES,
            max_width=HEADER_MAX_WIDTH,
        )


def favicon_set(data: bytes) -> dict[int, bytes]:
    """Generate square PNG favicons (16, 32, 180, 192 and 512 px) from a PNG or WebP source.

    The source is scaled (up or down) to fit each square and centred on a transparent
    background, so non-square logos are not distorted. At most 2 MiB.
    """
    label = _("The favicon")
    with _refusals_as_upload_errors():
        check_size(data, label=label, max_bytes=MAX_BYTES)
        if looks_like_markup(data):
            # Rasterising SVG would need a renderer (cairo, resvg) we do not ship.
            raise refusal(
                _("%(name)s must be a PNG or WebP file; SVG cannot be used for favicons."),
                code="invalid_image",
                name=label,
            )
        image, _fmt = open_raster(data, label=label, formats=FAVICON_FORMATS)
    image = image.convert("RGBA")
    icons: dict[int, bytes] = {}
    for size in FAVICON_SIZES:
        fitted = ImageOps.contain(image, (size, size), Image.Resampling.LANCZOS)
        canvas = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        canvas.paste(fitted, ((size - fitted.width) // 2, (size - fitted.height) // 2))
        out = io.BytesIO()
        canvas.save(out, "PNG", optimize=True)
        icons[size] = out.getvalue()
    return icons
