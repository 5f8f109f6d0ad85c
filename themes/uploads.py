"""Validation and sanitising of the images a portal uploads for its theme: logo, favicon, header.

Everything a tenant uploads here is later served from the portal's own domain, so a file that
is not what it claims to be is a stored-XSS or tracking vector, and a hostile image is a way
to exhaust a worker's memory. Each public function therefore takes the raw bytes, decides the
real type from the content alone (the file name and any claimed content type are ignored), and
returns a *new* file built from scratch:

- Raster images (PNG, WebP, JPEG) are decoded with Pillow and their pixels re-encoded into a
  fresh image, which drops every piece of metadata (EXIF including GPS position, XMP, ICC
  profiles, PNG text chunks) and any trailing payload; animations are reduced to their first
  frame. Logos are scaled down to at most 1024 px on the longer side, header images to at most
  2400 px wide, and favicons are generated as square PNGs.
- SVG logos are parsed with defusedxml (no DTD, no entities, no external references) and
  rebuilt from an allow-list of drawing elements and presentation attributes; scripts, event
  handlers, links, embedded HTML or images, styles and external ``url(...)`` references never
  reach the output.

Failure mode: every refusal raises ``UploadError`` (a ``ValueError``) whose message is a short
English sentence meant to be shown to the portal admin as is, e.g. in a form error. Nothing
here touches the database or storage; callers save ``CleanImage.content`` themselves, under a
name built from ``CleanImage.extension``.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata

# Only for building and serialising our own tree; parsing always goes through defusedxml.
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Final

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from PIL import Image, ImageOps, UnidentifiedImageError

MiB: Final = 1024 * 1024

# Byte limits are checked before anything is parsed, so the cheapest refusal comes first.
MAX_BYTES: Final = 2 * MiB  # logos and favicon sources
MAX_HEADER_BYTES: Final = 5 * MiB

# A 2 MiB PNG of a single colour can still declare tens of thousands of pixels per side and
# needs width * height * 4 bytes once decoded. The declared size is known as soon as the
# header has been read, so this is checked before any pixel data is decompressed. Pillow has
# its own, process-wide guard (Image.MAX_IMAGE_PIXELS, about 89 MP by default, an error above
# twice that); we deliberately do not lower that global here because it would silently change
# behaviour for every other user of Pillow in the process. Our stricter limit applies first.
MAX_PIXELS: Final = 40_000_000

LOGO_MAX_SIDE: Final = 1024
HEADER_MAX_WIDTH: Final = 2400
FAVICON_SIZES: Final = (16, 32, 180, 192, 512)

# Pillow format id -> (content type, file extension without dot).
_RASTER_TYPES: Final = {
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "JPEG": ("image/jpeg", "jpg"),
}

SVG_CONTENT_TYPE: Final = "image/svg+xml"
SVG_NS: Final = "http://www.w3.org/2000/svg"

# Drawing elements only. Deliberately absent: script, style, foreignObject (embeds HTML),
# image and feImage (load other resources), use (can reference external documents), a (links),
# animate/animateMotion/animateTransform/set (can rewrite attributes, e.g. href, at run time),
# iframe, pattern/filter (rarely needed in logos, large attack surface), metadata and the
# editor namespaces (sodipodi, inkscape, Illustrator's i:/x:).
ALLOWED_SVG_ELEMENTS: Final = frozenset(
    {
        "svg",
        "g",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "title",
        "desc",
        "defs",
        "linearGradient",
        "radialGradient",
        "stop",
        "clipPath",
        "mask",
        "symbol",
    }
)

# Geometry and presentation attributes. No href/xlink:href, no on* handlers, no style (its CSS
# could load remote resources and is too rich to filter reliably), no class (without a style
# sheet it does nothing). xmlns is not copied: the serialiser writes the SVG namespace itself.
ALLOWED_SVG_ATTRIBUTES: Final = frozenset(
    {
        "d",
        "x",
        "y",
        "dx",
        "dy",
        "width",
        "height",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "fx",
        "fy",
        "x1",
        "y1",
        "x2",
        "y2",
        "points",
        "fill",
        "stroke",
        "stroke-width",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-dasharray",
        "stroke-dashoffset",
        "opacity",
        "fill-opacity",
        "stroke-opacity",
        "fill-rule",
        "clip-rule",
        "transform",
        "viewBox",
        "preserveAspectRatio",
        "id",
        "offset",
        "stop-color",
        "stop-opacity",
        "gradientUnits",
        "gradientTransform",
        "spreadMethod",
        "clipPathUnits",
        "maskUnits",
        "maskContentUnits",
        "font-size",
        "font-family",
        "font-weight",
        "font-style",
        "text-anchor",
        "clip-path",
        "mask",
    }
)

# Text content is only meaningful (and only copied) inside these elements.
_SVG_TEXT_ELEMENTS: Final = frozenset({"text", "tspan", "title", "desc"})

# The only url(...) an attribute may contain: a reference to an element of the same document,
# such as a gradient, clip path or mask.
_LOCAL_URL_RE: Final = re.compile(r"""url\(\s*(['"]?)#[A-Za-z_][\w.:-]*\1\s*\)""")

# Substrings that make a value unsafe whatever the attribute. A backslash is refused because
# presentation attributes are parsed as CSS, where escapes (``\75 rl(``) could spell url(
# or expression( past the plain-text checks.
_FORBIDDEN_IN_VALUES: Final = ("\\", "javascript:", "vbscript:", "data:", "expression(", "@import")

# Bounds on the rebuilt tree, so a 2 MiB file of nested <g> cannot exhaust the recursion limit
# or produce an enormous output.
MAX_SVG_DEPTH: Final = 64
MAX_SVG_ELEMENTS: Final = 20_000

_SVG_LENGTH_RE: Final = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*")


class UploadError(ValueError):
    """An uploaded file was refused; ``str(error)`` explains why, for the person who uploaded it."""


@dataclass(frozen=True)
class CleanImage:
    """A sanitised image, ready to store. ``extension`` has no leading dot ("png", "svg", ...).

    ``width`` and ``height`` are pixels for raster images; for SVG they come from the root's
    width/height (or viewBox) when those are plain numbers, otherwise None.
    """

    content: bytes
    content_type: str
    extension: str
    width: int | None
    height: int | None


# --- public API -------------------------------------------------------------------------------


def clean_logo(name: str, data: bytes) -> CleanImage:
    """Validate and sanitise a portal logo: SVG, PNG or WebP, at most 2 MiB.

    Raster logos are scaled down to at most 1024 px on the longer side and keep their format.
    """
    label = _display_name(name, "The logo")
    _check_size(label, data, MAX_BYTES)
    if _looks_like_xml(data):
        return _clean_svg(label, data)
    image, fmt = _open_raster(label, data, ("PNG", "WEBP"), "an SVG, PNG or WebP file")
    image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE), Image.Resampling.LANCZOS)
    # Logos are mostly flat colours and sharp edges, where lossy WebP artefacts show.
    return _encode(image, fmt, lossless_webp=True)


def clean_header_image(name: str, data: bytes) -> CleanImage:
    """Validate and sanitise a header image: PNG, JPEG or WebP, at most 5 MiB.

    The result keeps its format and is scaled down to at most 2400 px wide.
    """
    label = _display_name(name, "The header image")
    _check_size(label, data, MAX_HEADER_BYTES)
    image, fmt = _open_raster(label, data, ("PNG", "JPEG", "WEBP"), "a PNG, JPEG or WebP file")
    if image.width > HEADER_MAX_WIDTH:
        height = max(1, round(image.height * HEADER_MAX_WIDTH / image.width))
        image = image.resize((HEADER_MAX_WIDTH, height), Image.Resampling.LANCZOS)
    return _encode(image, fmt, lossless_webp=False)


def favicon_set(data: bytes) -> dict[int, bytes]:
    """Generate square PNG favicons (16, 32, 180, 192 and 512 px) from a PNG or WebP source.

    The source is scaled (up or down) to fit each square and centred on a transparent
    background, so non-square logos are not distorted. At most 2 MiB.
    """
    label = "The favicon"
    _check_size(label, data, MAX_BYTES)
    if _looks_like_xml(data):
        # Rasterising SVG would need a renderer (cairo, resvg) we do not ship.
        raise UploadError(f"{label} must be a PNG or WebP file; SVG cannot be used for favicons.")
    image, _ = _open_raster(label, data, ("PNG", "WEBP"), "a PNG or WebP file")
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


# --- shared checks ----------------------------------------------------------------------------


def _display_name(name: str, fallback: str) -> str:
    """The uploaded name for error messages: base name only, no control characters, short."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if not base:
        return fallback
    if len(base) > 80:
        base = base[:77] + "..."
    return f'"{base}"'


def _check_size(label: str, data: bytes, limit: int) -> None:
    if not data:
        raise UploadError(f"{label} is empty.")
    if len(data) > limit:
        raise UploadError(
            f"{label} is {len(data) / MiB:.1f} MiB; the limit is {limit // MiB} MiB. "
            "Please upload a smaller file."
        )


def _looks_like_xml(data: bytes) -> bool:
    # Every raster format we accept starts with a binary signature, never with "<", so this
    # cannot route a real PNG/WebP/JPEG away from Pillow. Anything else that starts like markup
    # (SVG, but also HTML) goes to the XML path, where a non-<svg> root is refused.
    return data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


# --- raster images ----------------------------------------------------------------------------


def _not_an_image(label: str, expected: str) -> UploadError:
    return UploadError(f"{label} is not a valid image. Please upload {expected}.")


def _open_raster(
    label: str, data: bytes, formats: tuple[str, ...], expected: str
) -> tuple[Image.Image, str]:
    """Decode ``data`` as one of ``formats`` and return a metadata-free copy and its format.

    Only the named Pillow plugins are tried, which both enforces the allowed types and keeps
    the many other decoders Pillow ships (and their bugs) out of reach of uploaded bytes.
    """
    # First pass: identify the format from the bytes, check the declared dimensions before
    # decoding anything, then let verify() check structure and checksums. verify() leaves the
    # image unusable, hence the second open below.
    try:
        with Image.open(io.BytesIO(data), formats=list(formats)) as probe:
            fmt = probe.format or ""
            _check_pixels(label, probe.size)
            probe.verify()
    except UploadError:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels(label) from None
    except UnidentifiedImageError:
        raise _not_an_image(label, expected) from None
    except Exception:
        # Truncated or corrupt files surface as OSError, SyntaxError, struct.error, ValueError
        # and friends depending on the plugin; to the uploader they all mean the same thing.
        raise _not_an_image(label, expected) from None
    if fmt not in formats:
        raise _not_an_image(label, expected)

    # Second pass: decode the pixels (first frame only) and copy them into a new image.
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as source:
            _check_pixels(label, source.size)
            source.load()
            return _fresh_copy(_oriented(source), fmt), fmt
    except UploadError:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels(label) from None
    except Exception:
        raise _not_an_image(label, expected) from None


def _too_many_pixels(label: str) -> UploadError:
    return UploadError(
        f"{label} has too many pixels; the limit is {MAX_PIXELS // 1_000_000} megapixels. "
        "Please upload a smaller image."
    )


def _check_pixels(label: str, size: tuple[int, int]) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise UploadError(f"{label} is not a valid image: it has no pixels.")
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(label)


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


def _encode(image: Image.Image, fmt: str, *, lossless_webp: bool) -> CleanImage:
    out = io.BytesIO()
    # No exif=, icc_profile=, pnginfo= or xmp= arguments: the output carries pixels only.
    if fmt == "PNG":
        image.save(out, "PNG", optimize=True)
    elif fmt == "WEBP":
        if lossless_webp:
            image.save(out, "WEBP", lossless=True, quality=100, method=4)
        else:
            image.save(out, "WEBP", quality=85, method=4)
    else:
        image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    content_type, extension = _RASTER_TYPES[fmt]
    return CleanImage(out.getvalue(), content_type, extension, image.width, image.height)


# --- SVG --------------------------------------------------------------------------------------


def _clean_svg(label: str, data: bytes) -> CleanImage:
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        # DTDs are never needed for SVG and are how entity expansion ("billion laughs") and
        # external entity (XXE) attacks start, so any of them is a refusal, not a cleanup.
        raise UploadError(
            f"{label} is not a valid image: SVG files with a DOCTYPE or entity declarations are not accepted."
        ) from None
    except (ET.ParseError, ValueError):
        raise UploadError(f"{label} is not a valid image: the SVG could not be read.") from None

    namespace, tag = _split_tag(root.tag)
    if tag != "svg" or namespace not in ("", SVG_NS):
        raise UploadError(
            f"{label} is not a valid image: expected an SVG, PNG or WebP file, "
            f"but the file is a <{tag}> document."
        )

    counter = [0]
    clean_root = _rebuild(root, depth=0, counter=counter, label=label)
    assert clean_root is not None  # the root is <svg>, which is allowed
    # The namespace is written as an ordinary attribute so that ElementTree never emits
    # ns0: prefixes and we do not have to touch its process-wide prefix registry.
    clean_root.set("xmlns", SVG_NS)
    body = ET.tostring(clean_root, encoding="unicode", short_empty_elements=True)
    content = ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")
    width, height = _svg_size(clean_root)
    return CleanImage(content, SVG_CONTENT_TYPE, "svg", width, height)


def _split_tag(tag: object) -> tuple[str, str]:
    """("namespace", "local name") of an ElementTree tag; ("", "") for comments and PIs."""
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _rebuild(
    source: ET.Element, *, depth: int, counter: list[int], label: str
) -> ET.Element | None:
    """A new element holding only allowed tags and attributes; None if ``source`` is dropped.

    Disallowed elements are dropped together with their whole subtree: their children (a
    <script>'s text, a <foreignObject>'s HTML) are not safe to hoist into the drawing.
    """
    namespace, tag = _split_tag(source.tag)
    if namespace not in ("", SVG_NS) or tag not in ALLOWED_SVG_ELEMENTS:
        return None
    if depth > MAX_SVG_DEPTH:
        raise UploadError(f"{label} is not a valid image: the SVG is nested too deeply.")
    counter[0] += 1
    if counter[0] > MAX_SVG_ELEMENTS:
        raise UploadError(f"{label} is not a valid image: the SVG has too many elements.")

    clean = ET.Element(tag)
    for attr_name, value in source.attrib.items():
        # Namespaced attributes (xlink:href, xml:base, editor metadata) are never copied.
        if attr_name.startswith("{") or attr_name not in ALLOWED_SVG_ATTRIBUTES:
            continue
        safe = _safe_value(value)
        if safe is not None:
            clean.set(attr_name, safe)

    if tag in _SVG_TEXT_ELEMENTS and source.text:
        clean.text = source.text
    for child in source:
        clean_child = _rebuild(child, depth=depth + 1, counter=counter, label=label)
        if clean_child is None:
            continue
        # Text after a child only matters inside text content (e.g. between <tspan>s).
        if tag in ("text", "tspan") and child.tail:
            clean_child.tail = child.tail
        clean.append(clean_child)
    return clean


def _safe_value(value: str) -> str | None:
    """``value`` if it cannot load anything or run anything, else None (drop the attribute)."""
    lowered = value.lower()
    if any(bad in lowered for bad in _FORBIDDEN_IN_VALUES):
        return None
    if "url(" in lowered and not _LOCAL_URL_RE.fullmatch(value.strip()):
        return None
    return value


def _svg_size(root: ET.Element) -> tuple[int | None, int | None]:
    width = _svg_length(root.get("width"))
    height = _svg_length(root.get("height"))
    if width is None or height is None:
        parts = (root.get("viewBox") or "").replace(",", " ").split()
        if len(parts) == 4:
            width = width if width is not None else _svg_length(parts[2])
            height = height if height is not None else _svg_length(parts[3])
    return width, height


def _svg_length(value: str | None) -> int | None:
    """A plain (or px) length as whole pixels; None for %, em, mm, missing or nonsense."""
    match = _SVG_LENGTH_RE.fullmatch(value or "")
    if not match:
        return None
    number = round(float(match.group(1)))
    return number if number > 0 else None
