import io
import zipfile

import pytest

from documents.sniff import OCTET, TEXT, sniff
from tests.documents.conftest import HTML, PDF, SVG, png_bytes


def _zip(names: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in names.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, "application/pdf"),
        (png_bytes(), "image/png"),
        (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script>", OCTET),  # a fake PNG
        (HTML, TEXT),
        (SVG, TEXT),
        ("Grüße aus dem Kiez".encode(), TEXT),
        (b"text with a \0 byte", OCTET),
        (b"\xff\xfe\xfa not utf-8", OCTET),
        (
            _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<x/>"}),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
        (_zip({"readme.txt": b"hello"}), "application/zip"),
        (b"PK\x03\x04broken", OCTET),
    ],
)
def test_the_type_comes_from_the_bytes(data, expected):
    assert sniff(io.BytesIO(data)) == expected
