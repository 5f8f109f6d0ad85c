"""Raster images (PNG, JPEG, WebP): verified, bounded, scaled down, stripped and re-encoded.

``clean_raster`` is what an upload calls; ``open_raster``, ``downscale`` and ``encode_raster``
are its steps, for callers that build something else from the pixels (the theme's favicons).
The image is decoded with only the Pillow plugins of the allowed formats, its declared size is
checked against a pixel limit before any pixel data is decompressed, and the output is encoded
from a brand-new image holding nothing but pixels, so no metadata (EXIF including GPS, XMP, ICC
profiles, PNG text chunks) and no trailing payload survive; animations keep their first frame.

Failure mode: ``ValidationError`` (see ``core.media``) for a file that is empty, too big, has too
many pixels, or is not a valid image of an allowed format, whatever its name says.
"""

from __future__ import annotations

import io
from collections.abc import Collection
from typing import Final

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.media import CleanImage, check_size, display_name, read_upload, refusal

# Pillow format id -> (content type, file extension without dot, name shown to people).
RASTER_TYPES: Final = {
    "PNG": ("image/png", "png", "PNG"),
    "JPEG": ("image/jpeg", "jpg", "JPEG"),
    "WEBP": ("image/webp", "webp", "WebP"),
}
ALL_FORMATS: Final = ("PNG", "JPEG", "WEBP")

# A 2 MiB PNG of a single colour can still declare tens of thousands of pixels per side and
# needs width * height * 4 bytes once decoded. The declared size is known as soon as the header
# has been read, so this is checked before any pixel data is decompressed. Pillow has its own,
# process-wide guard (Image.MAX_IMAGE_PIXELS, about 89 MP by default, an error above twice
# that); we deliberately do not lower that global because it would silently change behaviour
# for every other user of Pillow in the process. Our stricter limit applies first.
MAX_PIXELS: Final = 40_000_000


def expected_formats(formats: Collection[str]) -> str:
    """ "a PNG, JPEG or WebP file": the allowed formats, for refusal messages."""
    names = [RASTER_TYPES[fmt][2] for fmt in formats]
    if len(names) == 1:
        listed = names[0]
    else:
        listed = _("%(formats)s or %(last)s") % {
            "formats": ", ".join(names[:-1]),
            "last": names[-1],
        }
    return _("a %(formats)s file") % {"formats": listed}


def clean_raster(
    data: bytes,
    *,
    name: str = "",
    fallback: str = "",
    formats: Collection[str] = ALL_FORMATS,
    max_bytes: int,
    max_width: int | None = None,
    max_height: int | None = None,
    max_pixels: int = MAX_PIXELS,
    lossless_webp: bool = False,
    expected: str = "",
) -> CleanImage:
    """Validate and sanitise one raster image; the result keeps its (real) format.

    ``name`` is the uploaded name, used in messages only (``fallback`` when it is empty).
    Images larger than ``max_width`` x ``max_height`` are scaled down to fit, never up.
    ``expected`` overrides the "Please upload ..." part of the refusal for a file that is not
    one of ``formats`` (e.g. when the caller also takes SVG).
    """
    label = display_name(name, fallback or _("The image"))
    check_size(data, label=label, max_bytes=max_bytes)
    image, fmt = open_raster(
        data, label=label, formats=formats, expected=expected, max_pixels=max_pixels
    )
    image = downscale(image, max_width=max_width, max_height=max_height)
    return encode_raster(image, fmt, lossless_webp=lossless_webp)


def _not_an_image(label: str, expected: str) -> ValidationError:
    return refusal(
        _("%(name)s is not a valid image. Please upload %(expected)s."),
        code="invalid_image",
        name=label,
        expected=expected,
    )


def _too_many_pixels(label: str, max_pixels: int) -> ValidationError:
    return refusal(
        _(
            "%(name)s has too many pixels; the limit is %(limit)s megapixels. "
            "Please upload a smaller image."
        ),
        code="too_many_pixels",
        name=label,
        limit=f"{max_pixels / 1_000_000:g}",
    )


def _check_pixels(label: str, size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise refusal(
            _("%(name)s is not a valid image: it has no pixels."), code="invalid_image", name=label
        )
    if width * height > max_pixels:
        raise _too_many_pixels(label, max_pixels)


def open_raster(
    data: bytes,
    *,
    label: str,
    formats: Collection[str] = ALL_FORMATS,
    expected: str = "",
    max_pixels: int = MAX_PIXELS,
) -> tuple[Image.Image, str]:
    """Decode ``data`` as one of ``formats`` and return a metadata-free, upright copy and its
    Pillow format id. Does not check the byte size; ``clean_raster`` does that first.

    Only the named Pillow plugins are tried, which both enforces the allowed types and keeps
    the many other decoders Pillow ships (and their bugs) out of reach of uploaded bytes.
    """
    formats = list(formats)
    unknown = set(formats) - set(RASTER_TYPES)
    if unknown:
        raise ValueError(f"Cannot sanitise {sorted(unknown)}; known formats: {ALL_FORMATS}.")
    expected = expected or expected_formats(formats)
    # First pass: identify the format from the bytes, check the declared dimensions before
    # decoding anything, then let verify() check structure and checksums. verify() leaves the
    # image unusable, hence the second open below.
    try:
        with Image.open(io.BytesIO(data), formats=formats) as probe:
            fmt = probe.format or ""
            _check_pixels(label, probe.size, max_pixels)
            probe.verify()
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels(label, max_pixels) from None
    except UnidentifiedImageError:
        raise _not_an_image(label, expected) from None
    except Exception:
        # Truncated or corrupt files surface as OSError, SyntaxError, struct.error, ValueError
        # and friends depending on the plugin; to the uploader they all mean the same thing.
        raise _not_an_image(label, expected) from None
    if fmt == "MPO":
        # Multi-picture JPEGs (stereo, depth maps, as some phones and cameras write them) are
        # opened by the JPEG plugin; the first picture is the photo.
        fmt = "JPEG"
    if fmt not in formats:
        raise _not_an_image(label, expected)

    # Second pass: decode the pixels (first frame only) and copy them into a new image.
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as source:
            _check_pixels(label, source.size, max_pixels)
            source.load()
            return _fresh_copy(_oriented(source), fmt), fmt
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels(label, max_pixels) from None
    except Exception:
        raise _not_an_image(label, expected) from None


def _oriented(image: Image.Image) -> Image.Image:
    """``image`` turned upright according to its EXIF orientation tag, if it has one.

    This has to happen while the metadata is still there: once it is stripped, a phone photo
    would otherwise come out rotated. Broken EXIF is not worth refusing an image over.
    """
    try:
        return ImageOps.exif_transpose(image)
    except Exception:
        return image


def _fresh_copy(image: Image.Image, fmt: str) -> Image.Image:
    """The pixels of ``image`` in a brand-new Image object, so no ``info`` entry survives.

    Pillow's encoders pick up some metadata from ``image.info`` (ICC profile, EXIF, XMP,
    transparency, text); building a new image from raw pixel bytes is the one way to be sure
    none of it is written back, whatever the plugin or Pillow version does.
    """
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    # JPEG has no alpha channel; the other formats keep transparency as RGBA.
    mode = "RGBA" if has_alpha and fmt != "JPEG" else "RGB"
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        # 16-bit greyscale PNGs: convert() would clip values above 255 to white instead of
        # scaling them, so bring them into 0..255 first (65535 / 257 = 255).
        image = image.convert("I").point(lambda value: value * (1 / 257)).convert("L")
    pixels = image.convert(mode)
    return Image.frombytes(mode, pixels.size, pixels.tobytes())


def downscale(
    image: Image.Image, *, max_width: int | None = None, max_height: int | None = None
) -> Image.Image:
    """``image`` scaled down (aspect ratio kept) to fit ``max_width`` x ``max_height``; either
    bound may be None. Smaller images are returned as they are, never scaled up."""
    scale = min(
        1.0,
        max_width / image.width if max_width else 1.0,
        max_height / image.height if max_height else 1.0,
    )
    if scale >= 1.0:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def encode_raster(image: Image.Image, fmt: str, *, lossless_webp: bool = False) -> CleanImage:
    """Encode pixels as ``fmt`` with no metadata at all. Lossless WebP suits logos (flat colours
    and sharp edges, where lossy artefacts show); photos are lossy."""
    out = io.BytesIO()
    # No exif=, icc_profile=, pnginfo= or xmp= arguments: the output carries pixels only.
    if fmt == "PNG":
        image.save(out, "PNG", optimize=True)
    elif fmt == "WEBP":
        if lossless_webp:
            image.save(out, "WEBP", lossless=True, quality=100, method=4)
        else:
            image.save(out, "WEBP", quality=85, method=4)
    elif fmt == "JPEG":
        image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    else:
        raise ValueError(f"Cannot encode {fmt!r}; known formats: {ALL_FORMATS}.")
    content_type, extension, _name = RASTER_TYPES[fmt]
    return CleanImage(out.getvalue(), content_type, extension, image.width, image.height)


def clean_uploaded_raster(
    upload,
    *,
    formats: Collection[str],
    max_bytes: int,
    max_side: int,
    field: str = "image",
) -> CleanImage:
    """An uploaded picture of content (a space's, an idea's): read within `max_bytes`, cleaned
    and scaled to at most `max_side` pixels a side. Refusals name `field`, so a form shows them
    next to the file input."""
    fallback = _("The image")
    try:
        data = read_upload(upload, label=display_name(upload.name, fallback), max_bytes=max_bytes)
        return clean_raster(
            data,
            name=upload.name or "",
            fallback=fallback,
            formats=formats,
            max_bytes=max_bytes,
            max_width=max_side,
            max_height=max_side,
        )
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
