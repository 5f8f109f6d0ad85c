"""What an uploaded file really is, decided from its bytes alone.

The browser's claimed type and the file name are ignored: a file called "report.pdf" that
holds HTML is plain text here. Known signatures: PDF, PNG, JPEG, GIF, WebP (images are also
opened with Pillow's plugin for that format and must verify), ZIP and the ZIP-based office
formats (OOXML, OpenDocument); a file that is valid UTF-8 without NUL bytes is plain text;
everything else is application/octet-stream. Nothing here fails: an unknown or broken file is
simply octet-stream, which is always served as a download.
"""

from __future__ import annotations

import zipfile
from typing import IO, Final

from PIL import Image

OCTET: Final = "application/octet-stream"
TEXT: Final = "text/plain"

# Content type -> extension of the stored file. The stored name carries the type we decided,
# not the uploader's extension, so no server or tool guessing by extension can be misled.
EXTENSIONS: Final = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/zip": "zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    TEXT: "txt",
    OCTET: "bin",
}

# Shown in the browser (with the sandbox CSP); everything else is an attachment.
INLINE: Final = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"})

_IMAGES: Final = (
    (b"\x89PNG\r\n\x1a\n", "PNG", "image/png"),
    (b"\xff\xd8\xff", "JPEG", "image/jpeg"),
    (b"GIF87a", "GIF", "image/gif"),
    (b"GIF89a", "GIF", "image/gif"),
)
_OOXML: Final = (
    ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
_ODF: Final = frozenset(
    {
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)


def _verified_image(file: IO[bytes], fmt: str) -> bool:
    file.seek(0)
    try:
        with Image.open(file, formats=[fmt]) as probe:
            probe.verify()
    except Exception:
        # Truncated, corrupt or a decompression bomb: not an image we show inline.
        return False
    return True


def _zip_type(file: IO[bytes]) -> str:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if declared in _ODF:
                    return declared
            if "[Content_Types].xml" in names:
                for prefix, content_type in _OOXML:
                    if any(name.startswith(prefix) for name in names):
                        return content_type
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return OCTET
    return "application/zip"


def _is_text(file: IO[bytes], chunk_size: int = 64 * 1024) -> bool:
    import codecs

    file.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := file.read(chunk_size):
            if b"\0" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def sniff(file: IO[bytes]) -> str:
    """The content type of a seekable binary file, from its bytes (see the module docstring)."""
    file.seek(0)
    head = file.read(16)
    try:
        if head.startswith(b"%PDF-"):
            return "application/pdf"
        for signature, fmt, content_type in _IMAGES:
            if head.startswith(signature):
                return content_type if _verified_image(file, fmt) else OCTET
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return "image/webp" if _verified_image(file, "WEBP") else OCTET
        if head.startswith(b"PK\x03\x04"):
            return _zip_type(file)
        return TEXT if _is_text(file) else OCTET
    finally:
        file.seek(0)
