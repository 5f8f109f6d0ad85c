"""The shared media sanitisers (core.media, core.media.raster, core.media.svg), called directly:
metadata stripped, sizes bounded, bombs and disguised files refused, SVG rebuilt from an
allow-list. Pure functions on bytes: no database, no storage."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from PIL import ExifTags, Image

from core.media import CleanImage, MiB, read_upload, safe_filename
from core.media.raster import MAX_PIXELS, clean_raster, downscale, open_raster
from core.media.svg import clean_svg, looks_like_markup
from tests.core.images import gps_exif


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def make_image(fmt: str, size: tuple[int, int] = (40, 20), **save_args) -> bytes:
    mode, color = ("RGB", (200, 30, 60)) if fmt == "JPEG" else ("RGBA", (200, 30, 60, 255))
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save_args)
    return out.getvalue()


def png_with_size(width: int, height: int) -> bytes:
    """A tiny, well-formed PNG whose header claims ``width`` x ``height`` pixels."""
    out = io.BytesIO()
    Image.new("L", (1, 1), 0).save(out, "PNG")
    data = bytearray(out.getvalue())
    ihdr = bytearray(data[12:29])
    ihdr[4:12] = struct.pack(">II", width, height)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(ihdr) & 0xFFFFFFFF)
    return bytes(data)


def opened(result: CleanImage) -> Image.Image:
    image = Image.open(io.BytesIO(result.content))
    image.load()
    return image


def refusal_of(call) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value


# --- raster ---------------------------------------------------------------------------------


def test_jpeg_with_gps_exif_comes_out_without_it():
    data = make_image("JPEG", exif=gps_exif())
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the fixture proves something

    result = clean_raster(data, name="photo.jpg", max_bytes=MiB)

    assert (result.content_type, result.extension) == ("image/jpeg", "jpg")
    assert b"SecretCam" not in result.content
    assert b"Exif" not in result.content
    image = opened(result)
    assert image.format == "JPEG"
    assert not image.getexif()
    assert "exif" not in image.info


def test_png_over_the_max_size_is_resized_keeping_its_aspect_ratio():
    result = clean_raster(
        make_image("PNG", (3000, 1500)), max_bytes=MiB, max_width=2000, max_height=2000
    )

    assert (result.width, result.height) == (2000, 1000)
    assert opened(result).size == (2000, 1000)
    assert opened(result).format == "PNG"


def test_max_size_may_bound_one_side_only_and_never_scales_up():
    tall = clean_raster(make_image("PNG", (100, 3000)), max_bytes=MiB, max_width=50)
    assert (tall.width, tall.height) == (50, 1500)

    small = clean_raster(make_image("PNG", (100, 50)), max_bytes=MiB, max_width=2000)
    assert (small.width, small.height) == (100, 50)
    image = Image.new("RGB", (10, 10))
    assert downscale(image, max_width=None, max_height=None) is image


@pytest.mark.parametrize(("width", "height"), [(8000, 6000), (50_000, 50_000)])
def test_decompression_bomb_is_refused_before_decoding(width, height):
    data = png_with_size(width, height)
    assert len(data) < 100

    refused = refusal_of(lambda: clean_raster(data, name="bomb.png", max_bytes=MiB))

    assert refused.code == "too_many_pixels"
    assert f"limit is {MAX_PIXELS // 1_000_000} megapixels" in refused.messages[0]
    assert '"bomb.png"' in refused.messages[0]


def test_pixel_limit_can_be_lowered_per_call():
    refused = refusal_of(
        lambda: clean_raster(make_image("PNG", (200, 100)), max_bytes=MiB, max_pixels=10_000)
    )
    assert refused.code == "too_many_pixels"


def test_html_renamed_png_is_refused():
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"

    refused = refusal_of(lambda: clean_raster(html, name="photo.png", max_bytes=MiB))

    assert refused.code == "invalid_image"
    assert refused.messages == [
        '"photo.png" is not a valid image. Please upload a PNG, JPEG or WebP file.'
    ]


def test_format_allow_list_refuses_other_formats_whatever_the_name():
    gif = io.BytesIO()
    Image.new("P", (4, 4), 1).save(gif, "GIF")
    refused = refusal_of(lambda: clean_raster(gif.getvalue(), name="a.png", max_bytes=MiB))
    assert refused.code == "invalid_image"

    jpeg_only_png = refusal_of(
        lambda: clean_raster(make_image("JPEG"), formats=("PNG", "WEBP"), max_bytes=MiB)
    )
    assert "Please upload a PNG or WebP file." in jpeg_only_png.messages[0]


def test_real_type_comes_from_the_bytes():
    result = clean_raster(make_image("WEBP"), name="photo.jpg", max_bytes=MiB)
    assert (result.content_type, result.extension) == ("image/webp", "webp")


def test_multi_picture_jpeg_is_accepted_as_a_plain_jpeg_of_its_first_picture():
    out = io.BytesIO()
    first, second = Image.new("RGB", (40, 20), (200, 0, 0)), Image.new("RGB", (40, 20), (0, 0, 255))
    first.save(out, "MPO", save_all=True, append_images=[second])
    with Image.open(io.BytesIO(out.getvalue()), formats=["JPEG"]) as original:
        assert original.format == "MPO"  # what some phones and cameras write

    result = clean_raster(out.getvalue(), formats=("JPEG",), max_bytes=MiB)

    image = opened(result)
    assert image.format == "JPEG"
    assert getattr(image, "n_frames", 1) == 1
    red, _green, blue = image.getpixel((20, 10))
    assert red > 150 and blue < 60


def test_empty_and_oversize_files_are_refused_before_parsing():
    assert refusal_of(lambda: clean_raster(b"", max_bytes=MiB)).code == "file_empty"
    refused = refusal_of(
        lambda: clean_raster(b"\x89PNG" + b"\0" * MiB, name="x.png", max_bytes=MiB)
    )
    assert refused.code == "file_too_large"
    assert "the limit is 1 MiB" in refused.messages[0]


def test_a_percent_sign_in_the_file_name_is_shown_as_is():
    refused = refusal_of(lambda: clean_raster(b"nope", name="100%(x)s %d.png", max_bytes=MiB))
    assert refused.messages[0].startswith('"100%(x)s %d.png" is not a valid image.')


def test_asking_for_a_format_without_a_sanitiser_is_a_programming_error():
    with pytest.raises(ValueError, match="GIF"):
        open_raster(make_image("PNG"), label="x", formats=("PNG", "GIF"))


# --- reading and naming uploads ---------------------------------------------------------------


class _DeclaredSize(io.BytesIO):
    def __init__(self, size: int):
        super().__init__(b"")
        self.size = size

    def read(self, *args):
        raise AssertionError("an oversize upload must not be read")


def test_read_upload_refuses_a_declared_oversize_without_reading_it():
    refused = refusal_of(lambda: read_upload(_DeclaredSize(6 * MiB), label="x", max_bytes=5 * MiB))
    assert refused.code == "file_too_large"
    assert "6.0 MiB; the limit is 5 MiB" in refused.messages[0]


def test_read_upload_reads_from_the_start_and_at_most_one_byte_over_the_limit():
    upload = io.BytesIO(b"abcdef")
    upload.read()  # as form validation does
    assert read_upload(upload, label="x", max_bytes=6) == b"abcdef"
    assert refusal_of(lambda: read_upload(io.BytesIO(b"abcdefg"), label="x", max_bytes=6)).code == (
        "file_too_large"
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../Über uns.html", "uber-uns.png"),
        ("C:\\Users\\x\\IMG_0001.JPG", "img_0001.png"),
        ("", "image.png"),
        ("...", "image.png"),
        ("a" * 80 + ".png", "a" * 50 + ".png"),
    ],
)
def test_safe_filename_keeps_a_harmless_stem_and_the_real_extension(name, expected):
    image = CleanImage(b"", "image/png", "png", 1, 1)
    assert safe_filename(name, image) == expected


# --- SVG ------------------------------------------------------------------------------------


def test_svg_with_script_onload_and_external_href_is_rebuilt_without_them():
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        b' width="24" height="24" onload="alert(1)">'
        b"<script>alert(2)</script>"
        b'<use xlink:href="https://evil.example/sprite.svg#x"/>'
        b'<image href="https://evil.example/track.png"/>'
        b'<a href="javascript:alert(3)"><rect width="9" height="9"/></a>'
        b'<foreignObject><body xmlns="http://www.w3.org/1999/xhtml">hi</body></foreignObject>'
        b'<path d="M0 0h10v10z" fill="#123456" onclick="alert(4)"/></svg>'
    )

    result = clean_svg(svg, name="logo.svg", max_bytes=MiB)

    forbidden = [b"script", b"alert", b"onload", b"onclick", b"href", b"evil.example"]
    forbidden += [b"<use", b"<image", b"<a", b"foreignObject", b"body"]
    for needle in forbidden:
        assert needle not in result.content, needle
    assert b'<path d="M0 0h10v10z" fill="#123456"' in result.content
    assert (result.content_type, result.extension) == ("image/svg+xml", "svg")
    assert (result.width, result.height) == (24, 24)


@pytest.mark.parametrize(
    "svg",
    [
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "b">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&a;</text></svg>',
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
    ],
    ids=["internal-entity", "external-entity"],
)
def test_svg_with_an_entity_is_refused(svg):
    refused = refusal_of(lambda: clean_svg(svg, name="logo.svg", max_bytes=MiB))

    assert refused.code == "svg_dtd"
    assert "DOCTYPE or entity declarations" in refused.messages[0]


def test_html_is_not_an_svg():
    refused = refusal_of(lambda: clean_svg(b"<html><svg/></html>", max_bytes=MiB))
    assert refused.code == "invalid_image"
    assert "expected an SVG file, but the file is a <html> document" in refused.messages[0]


def test_markup_detection_routes_only_documents_to_the_svg_path():
    assert looks_like_markup(b"\xef\xbb\xbf  \n<svg/>")
    assert looks_like_markup(b"<html>")
    assert not looks_like_markup(make_image("PNG"))
    assert not looks_like_markup(make_image("JPEG"))
