"""Theme uploads (themes.uploads): type detection, size and pixel limits, metadata stripping,
SVG sanitising and favicon generation, through the theme's own formats and limits (the
sanitising itself is core.media's, tested directly in tests/core/test_media.py). Pure functions
on bytes: no database, no storage."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.utils import translation
from PIL import ExifTags, Image, PngImagePlugin

from tests.core.images import gps_exif
from themes.uploads import (
    FAVICON_SIZES,
    MAX_BYTES,
    MAX_HEADER_BYTES,
    CleanImage,
    UploadError,
    clean_header_image,
    clean_logo,
    favicon_set,
)


@pytest.fixture(autouse=True)
def _english():
    # Messages are translated; the assertions below read the English source texts.
    with translation.override("en"):
        yield


# --- helpers ------------------------------------------------------------------------------------


def make_image(
    fmt: str,
    size: tuple[int, int] = (40, 20),
    mode: str = "RGBA",
    color: tuple[int, ...] = (200, 30, 60, 255),
    **save_args,
) -> bytes:
    if fmt == "JPEG":
        mode, color = "RGB", color[:3]
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save_args)
    return out.getvalue()


def open_clean(result: CleanImage) -> Image.Image:
    image = Image.open(io.BytesIO(result.content))
    image.load()
    return image


def png_with_size(width: int, height: int) -> bytes:
    """A tiny, well-formed PNG whose header claims ``width`` x ``height`` pixels.

    Decompression bombs look exactly like this: a small file whose declared size is huge.
    The IHDR chunk (right after the 8-byte signature) is rewritten with a correct CRC.
    """
    data = bytearray(make_image("PNG", (1, 1), mode="L", color=(0,)))
    ihdr_type_and_data = bytearray(data[12:29])
    ihdr_type_and_data[4:12] = struct.pack(">II", width, height)
    data[12:29] = ihdr_type_and_data
    data[29:33] = struct.pack(">I", zlib.crc32(ihdr_type_and_data) & 0xFFFFFFFF)
    return bytes(data)


# --- raster: accepted and re-encoded --------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type", "extension"),
    [("PNG", "image/png", "png"), ("WEBP", "image/webp", "webp")],
)
def test_logo_raster_is_accepted_and_reencoded(fmt, content_type, extension):
    data = make_image(fmt)
    result = clean_logo("logo.bin", data)

    assert result.content_type == content_type
    assert result.extension == extension
    assert (result.width, result.height) == (40, 20)
    image = open_clean(result)
    assert image.format == fmt
    assert image.size == (40, 20)
    with Image.open(io.BytesIO(data)) as original:
        expected = original.convert("RGBA").getpixel((20, 10))  # lossy WebP input shifts it
    assert image.convert("RGBA").getpixel((20, 10)) == expected


def test_logo_keeps_transparency():
    result = clean_logo("logo.png", make_image("PNG", color=(0, 0, 0, 0)))
    assert open_clean(result).convert("RGBA").getpixel((0, 0))[3] == 0


def test_header_accepts_jpeg_png_and_webp():
    for fmt, content_type in [
        ("JPEG", "image/jpeg"),
        ("PNG", "image/png"),
        ("WEBP", "image/webp"),
    ]:
        result = clean_header_image("header", make_image(fmt, (300, 100)))
        assert result.content_type == content_type
        assert open_clean(result).format == fmt
        assert (result.width, result.height) == (300, 100)
    assert clean_header_image("h.jpg", make_image("JPEG")).extension == "jpg"


def test_16_bit_greyscale_png_is_scaled_not_clipped():
    result = clean_logo("grey16.png", make_image("PNG", mode="I;16", color=30000))
    assert open_clean(result).convert("L").getpixel((0, 0)) == 30000 // 257


def test_type_comes_from_the_bytes_not_the_name():
    # A WebP named .png is stored as what it really is.
    result = clean_logo("logo.png", make_image("WEBP"))
    assert result.content_type == "image/webp"
    assert result.extension == "webp"


def test_logo_refuses_jpeg_and_other_formats():
    with pytest.raises(UploadError, match="not a valid image"):
        clean_logo("logo.jpg", make_image("JPEG"))
    with pytest.raises(UploadError, match="not a valid image"):
        clean_logo("logo.gif", make_image("GIF", mode="P", color=1))
    with pytest.raises(UploadError, match="not a valid image"):
        clean_header_image("header.bmp", make_image("BMP", mode="RGB", color=(1, 2, 3)))


def test_logo_is_scaled_down_to_1024_on_the_longer_side():
    result = clean_logo("wide.png", make_image("PNG", (3000, 1000)))
    assert (result.width, result.height) == (1024, 341)
    assert open_clean(result).size == (1024, 341)

    small = clean_logo("small.png", make_image("PNG", (100, 50)))
    assert (small.width, small.height) == (100, 50)  # never scaled up


def test_header_is_scaled_down_to_2400_wide():
    result = clean_header_image("header.jpg", make_image("JPEG", (4000, 1000)))
    assert (result.width, result.height) == (2400, 600)
    assert open_clean(result).size == (2400, 600)


# --- raster: metadata stripped ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clean", "fmt"),
    [
        (clean_header_image, "JPEG"),
        (clean_header_image, "WEBP"),
        (clean_logo, "PNG"),
        (clean_logo, "WEBP"),
    ],
)
def test_exif_with_gps_is_removed(clean, fmt):
    data = make_image(fmt, exif=gps_exif())
    # The fixture really carries GPS data, otherwise this test would prove nothing.
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"SecretCam" in data

    result = clean("photo", data)

    assert b"SecretCam" not in result.content
    assert b"Model-X-42" not in result.content
    assert b"Exif" not in result.content
    assert b"eXIf" not in result.content
    image = open_clean(result)
    assert not image.getexif()
    assert "exif" not in image.info


def test_exif_orientation_is_applied_before_stripping():
    # Orientation 6 = "rotate 90° clockwise to display": a 40x20 sensor image is shown 20x40.
    result = clean_header_image("phone.jpg", make_image("JPEG", (40, 20), exif=gps_exif(6)))
    assert (result.width, result.height) == (20, 40)
    assert not open_clean(result).getexif()


def test_png_text_chunks_and_icc_profile_are_removed():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret-comment")
    info.add_itxt("Author", "secret-author")
    info.add_text("XML:com.adobe.xmp", "<x:xmpmeta>secret-xmp</x:xmpmeta>", zip=True)
    fake_icc = b"\x00" * 128 + b"secret-icc"
    data = make_image("PNG", pnginfo=info, icc_profile=fake_icc)
    assert b"secret-comment" in data

    result = clean_logo("logo.png", data)

    for marker in (b"secret", b"tEXt", b"iTXt", b"zTXt", b"iCCP"):
        assert marker not in result.content
    image = open_clean(result)
    assert "icc_profile" not in image.info
    assert not getattr(image, "text", {})


def test_trailing_payload_is_dropped():
    # Data appended after the image (a classic polyglot trick) does not survive re-encoding.
    data = make_image("PNG") + b"<script>alert(1)</script>"
    result = clean_logo("logo.png", data)
    assert b"<script>" not in result.content


# --- raster: refused ----------------------------------------------------------------------------


def test_oversize_logo_is_refused_with_the_limit():
    with pytest.raises(UploadError, match="2 MiB"):
        clean_logo("big.png", b"\x89PNG" + b"\x00" * MAX_BYTES)


def test_oversize_favicon_is_refused_with_the_limit():
    with pytest.raises(UploadError, match="2 MiB"):
        favicon_set(b"\x00" * (MAX_BYTES + 1))


def test_oversize_header_is_refused_with_the_limit():
    with pytest.raises(UploadError, match="5 MiB"):
        clean_header_image("big.jpg", b"\xff\xd8\xff" + b"\x00" * MAX_HEADER_BYTES)
    # Between the two limits a header image is fine (the size check comes first, so this
    # reaches the decoder and fails there, not on the size).
    with pytest.raises(UploadError, match="not a valid image"):
        clean_header_image("ok.jpg", b"\x00" * (MAX_BYTES + 1))


def test_empty_file_is_refused():
    with pytest.raises(UploadError, match="empty"):
        clean_logo("logo.png", b"")


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (8000, 6000),  # 48 MP: above our 40 MP limit, below Pillow's own warning threshold
        (50_000, 50_000),  # 2.5 GP: Pillow itself raises DecompressionBombError
    ],
)
@pytest.mark.parametrize("clean", [clean_logo, clean_header_image])
def test_decompression_bomb_is_refused(clean, width, height):
    data = png_with_size(width, height)
    assert len(data) < 100  # tiny file, huge declared size
    with pytest.raises(UploadError, match="megapixels"):
        clean("bomb.png", data)


def test_decompression_bomb_is_refused_for_favicons():
    with pytest.raises(UploadError, match="megapixels"):
        favicon_set(png_with_size(50_000, 50_000))


@pytest.mark.parametrize("clean", [clean_logo, clean_header_image])
def test_html_disguised_as_png_is_refused(clean):
    with pytest.raises(UploadError, match="not a valid image"):
        clean("logo.png", b"<html><script>alert(document.cookie)</script></html>")


@pytest.mark.parametrize("clean", [clean_logo, clean_header_image])
def test_garbage_and_truncated_images_are_refused(clean):
    with pytest.raises(UploadError, match="not a valid image"):
        clean("logo.png", b"GIF89a this is not a png at all")
    truncated = make_image("PNG", (200, 200), mode="RGB", color=(1, 2, 3))[:-40]
    with pytest.raises(UploadError, match="not a valid image"):
        clean("logo.png", truncated)


def test_header_refuses_svg():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0h1v1z"/></svg>'
    with pytest.raises(UploadError, match="not a valid image"):
        clean_header_image("header.svg", svg)


# --- SVG ----------------------------------------------------------------------------------------

BENIGN_SVG = b"""<?xml version="1.0" encoding="UTF-8"?>
<!-- made with care -->
<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">
  <title>Allmende</title>
  <defs>
    <linearGradient id="grad" x1="0" y1="0" x2="1" y2="0">
      <stop offset="0" stop-color="#0a7"/>
      <stop offset="1" stop-color="#07a"/>
    </linearGradient>
  </defs>
  <g transform="translate(2 2)">
    <path d="M0 0 L10 10 Z" fill="url(#grad)" stroke="#000" stroke-width="2"/>
    <circle cx="30" cy="18" r="8" fill="#f80"/>
    <text x="50" y="25" font-size="14" font-family="sans-serif">Civic <tspan font-weight="bold">Portal</tspan> now</text>
  </g>
</svg>
"""


def test_benign_svg_keeps_its_drawing():
    result = clean_logo("logo.svg", BENIGN_SVG)

    assert result.content_type == "image/svg+xml"
    assert result.extension == "svg"
    assert (result.width, result.height) == (120, 40)
    out = result.content.decode("utf-8")
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert 'xmlns="http://www.w3.org/2000/svg"' in out
    assert 'd="M0 0 L10 10 Z"' in out
    assert 'fill="url(#grad)"' in out
    assert '<linearGradient id="grad"' in out
    assert 'stop-color="#0a7"' in out
    assert '<circle cx="30" cy="18" r="8" fill="#f80"' in out
    assert 'transform="translate(2 2)"' in out
    assert "<title>Allmende</title>" in out
    assert 'Civic <tspan font-weight="bold">Portal</tspan> now' in out
    assert "made with care" not in out  # comments are not carried over
    assert "ns0:" not in out


def test_svg_size_falls_back_to_viewbox():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 16" width="100%"><rect width="1" height="1"/></svg>'
    result = clean_logo("icon.svg", svg)
    assert (result.width, result.height) == (24, 16)


def test_svg_without_namespace_gets_one():
    result = clean_logo("logo.svg", b'<svg><rect width="5" height="5"/></svg>')
    assert b'xmlns="http://www.w3.org/2000/svg"' in result.content
    assert b"<rect " in result.content


HOSTILE_SVGS = {
    "script element": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><path d="M0 0h1v1z"/></svg>',
        [b"script", b"alert"],
    ),
    "namespaced script": (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml">'
        b'<h:script>alert(1)</h:script><path d="M0 0h1v1z"/></svg>',
        [b"script", b"alert"],
    ),
    "onload handler": (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><path d="M0 0h1v1z" onclick="alert(2)" onmouseover="x()"/></svg>',
        [b"onload", b"onclick", b"onmouseover", b"alert"],
    ),
    "foreignObject": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject width="100" height="100">'
        b'<body xmlns="http://www.w3.org/1999/xhtml"><iframe src="javascript:alert(1)"/></body>'
        b'</foreignObject><path d="M0 0h1v1z"/></svg>',
        [b"foreignObject", b"iframe", b"body", b"javascript"],
    ),
    "external use": (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<use xlink:href="http://evil.example/sprite.svg#x"/><use href="https://evil.example/a.svg#b"/>'
        b'<path d="M0 0h1v1z"/></svg>',
        [b"use", b"href", b"evil.example"],
    ),
    "image element": (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<image href="https://evil.example/track.png" width="1" height="1"/>'
        b'<image xlink:href="data:image/png;base64,AAAA"/><path d="M0 0h1v1z"/></svg>',
        [b"image", b"href", b"evil.example", b"data:"],
    ),
    "style attribute with remote url": (
        b'<svg xmlns="http://www.w3.org/2000/svg">'
        b'<path d="M0 0h1v1z" style="fill: url(http://evil.example/x.svg#p); background: url(\'https://evil.example/t\')"/></svg>',
        [b"style", b"url(", b"evil.example"],
    ),
    "style element": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/a.css); path{fill:red}</style>'
        b'<path d="M0 0h1v1z"/></svg>',
        [b"style", b"@import", b"evil.example"],
    ),
    "remote url in presentation attribute": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0h1v1z" fill="url(https://evil.example/g.svg#g)"'
        b' mask="url(http://evil.example/m)" clip-path="URL(//evil.example/c)"/></svg>',
        [b"url(", b"URL(", b"evil.example"],
    ),
    "css escape smuggling url": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0h1v1z" fill="\\75 rl(https://evil.example/x)"/></svg>',
        [b"evil.example", b"\\75"],
    ),
    "link and animation": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect width="9" height="9"/></a>'
        b'<rect width="5" height="5"><set attributeName="fill" to="url(https://evil.example/)"/>'
        b'<animate attributeName="href" values="javascript:alert(1)"/></rect>'
        b'<path d="M0 0h1v1z"/></svg>',
        [b"<a", b"javascript", b"<set", b"animate", b"evil.example"],
    ),
    "processing instruction stylesheet": (
        b'<?xml-stylesheet type="text/css" href="https://evil.example/s.css"?>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0h1v1z"/></svg>',
        [b"xml-stylesheet", b"evil.example"],
    ),
    "editor metadata and iframe": (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd">'
        b'<sodipodi:namedview pagecolor="#fff"/><metadata>secret</metadata><iframe src="https://evil.example"/>'
        b'<path d="M0 0h1v1z" sodipodi:nodetypes="cc"/></svg>',
        [b"sodipodi", b"metadata", b"secret", b"iframe", b"evil.example"],
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE_SVGS))
def test_hostile_svg_is_cleaned(case):
    svg, forbidden = HOSTILE_SVGS[case]

    result = clean_logo("logo.svg", svg)

    for needle in forbidden:
        assert needle not in result.content, needle
    # Only the hostile parts are removed: the drawing itself survives.
    assert b"<path " in result.content or b"<rect " in result.content
    assert result.content_type == "image/svg+xml"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol4;</text></svg>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>
"""

PLAIN_DOCTYPE = b"""<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0h1v1z"/></svg>
"""


@pytest.mark.parametrize(
    "svg", [BILLION_LAUGHS, XXE, PLAIN_DOCTYPE], ids=["billion-laughs", "xxe", "doctype"]
)
def test_svg_with_dtd_or_entities_is_refused(svg):
    with pytest.raises(UploadError, match="DOCTYPE"):
        clean_logo("logo.svg", svg)


@pytest.mark.parametrize(
    "document",
    [
        b"<html><body><svg></svg></body></html>",
        b'<foo xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></foo>',
        b'<svg xmlns="http://example.com/not-svg"><path d="M0 0"/></svg>',
    ],
)
def test_non_svg_root_is_refused(document):
    with pytest.raises(UploadError, match="not a valid image"):
        clean_logo("logo.svg", document)


def test_malformed_svg_is_refused():
    with pytest.raises(UploadError, match="not a valid image"):
        clean_logo("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0">')


def test_absurdly_nested_svg_is_refused():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * 500 + b"</g>" * 500 + b"</svg>"
    with pytest.raises(UploadError, match="nested too deeply"):
        clean_logo("logo.svg", svg)


# --- favicons -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_favicon_set_produces_all_sizes_as_png(fmt):
    icons = favicon_set(make_image(fmt, (300, 300)))

    assert sorted(icons) == [16, 32, 180, 192, 512]
    assert tuple(sorted(icons)) == FAVICON_SIZES
    for size, content in icons.items():
        assert content.startswith(b"\x89PNG\r\n\x1a\n")
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
        with Image.open(io.BytesIO(content)) as image:
            assert image.format == "PNG"
            assert image.size == (size, size)
            assert image.mode == "RGBA"


def test_favicon_of_a_wide_source_is_centred_on_transparency():
    icons = favicon_set(make_image("PNG", (200, 100), color=(255, 0, 0, 255), exif=gps_exif()))
    with Image.open(io.BytesIO(icons[32])) as image:
        image = image.convert("RGBA")
        assert image.getpixel((0, 0))[3] == 0  # band above the logo stays transparent
        assert image.getpixel((16, 16)) == (255, 0, 0, 255)  # logo fills the middle
        assert image.getpixel((0, 16)) == (255, 0, 0, 255)  # ...edge to edge horizontally
    # A small source is scaled up to fill the largest size.
    with Image.open(io.BytesIO(icons[512])) as image:
        assert image.convert("RGBA").getpixel((256, 256)) == (255, 0, 0, 255)
    assert all(b"SecretCam" not in content for content in icons.values())


def test_favicon_refuses_svg_jpeg_and_html():
    with pytest.raises(UploadError, match="SVG"):
        favicon_set(b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    with pytest.raises(UploadError, match="not a valid image"):
        favicon_set(make_image("JPEG"))
    with pytest.raises(UploadError, match=r"SVG|not a valid image"):
        favicon_set(b"<html><script>alert(1)</script></html>")
