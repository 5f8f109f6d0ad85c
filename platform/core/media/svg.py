"""SVG images: parsed with defusedxml and rebuilt from an allow-list.

The output is a new document holding only drawing elements and presentation attributes: no
scripts, event handlers, links, ``foreignObject`` (embedded HTML), images, styles, comments,
processing instructions or ``url(...)`` references outside the document itself. Disallowed
elements are dropped with their whole subtree; everything else is copied, not edited in place.

Failure mode: ``ValidationError`` (see ``core.media``) for a file that is empty or too big, that
has a DOCTYPE or entity declarations (the start of "billion laughs" and XXE attacks: refused,
never expanded), that is not well-formed, whose root is not ``<svg>``, or that is nested too
deeply or has too many elements.
"""

from __future__ import annotations

import re

# Only for building and serialising our own tree; parsing always goes through defusedxml.
import xml.etree.ElementTree as ET
from typing import Final

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _

from core.media import CleanImage, check_size, display_name, refusal

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


def looks_like_markup(data: bytes) -> bool:
    """Whether ``data`` starts like an XML/HTML document (after a BOM and white space).

    Every raster format we accept starts with a binary signature, never with "<", so this
    cannot route a real PNG/WebP/JPEG away from Pillow. Anything else that starts like markup
    (SVG, but also HTML) belongs on the SVG path, where a non-<svg> root is refused.
    """
    return data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


def clean_svg(
    data: bytes, *, name: str = "", fallback: str = "", max_bytes: int, expected: str = ""
) -> CleanImage:
    """Validate and rebuild one SVG document.

    ``name`` is the uploaded name, used in messages only (``fallback`` when it is empty);
    ``expected`` names what the caller accepts, for the message about a non-SVG document.
    """
    label = display_name(name, fallback or _("The image"))
    check_size(data, label=label, max_bytes=max_bytes)
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        # DTDs are never needed for SVG and are how entity expansion ("billion laughs") and
        # external entity (XXE) attacks start, so any of them is a refusal, not a cleanup.
        raise refusal(
            _(
                "%(name)s is not a valid image: SVG files with a DOCTYPE or entity declarations are not accepted."
            ),
            code="svg_dtd",
            name=label,
        ) from None
    except (ET.ParseError, ValueError):
        raise refusal(
            _("%(name)s is not a valid image: the SVG could not be read."),
            code="invalid_image",
            name=label,
        ) from None

    namespace, tag = _split_tag(root.tag)
    if tag != "svg" or namespace not in ("", SVG_NS):
        raise refusal(
            _(
                "%(name)s is not a valid image: expected %(expected)s, but the file is a <%(tag)s> document."
            ),
            code="invalid_image",
            name=label,
            expected=expected or _("an SVG file"),
            tag=tag[:40],
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
        namespace, _sep, local = tag[1:].partition("}")
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
        raise refusal(
            _("%(name)s is not a valid image: the SVG is nested too deeply."),
            code="svg_too_complex",
            name=label,
        )
    counter[0] += 1
    if counter[0] > MAX_SVG_ELEMENTS:
        raise refusal(
            _("%(name)s is not a valid image: the SVG has too many elements."),
            code="svg_too_complex",
            name=label,
        )

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
