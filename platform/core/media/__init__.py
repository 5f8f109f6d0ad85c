"""Sanitising of every file a member or admin uploads, before anything is stored.

Uploaded files are served from the portal's own domain, so a file that is not what it claims to
be is a stored-XSS or tracking vector, and a hostile image is a way to exhaust a worker's memory.
The type is therefore decided from the bytes alone (the file name and any claimed content type
are ignored), and what comes out is a *new* file built from scratch:

- ``core.media.raster``: PNG, JPEG and WebP, verified and decoded with Pillow under pixel limits,
  turned upright, scaled down to a maximum size and re-encoded from bare pixels, which drops all
  metadata (EXIF with the GPS position, XMP, ICC profiles, text chunks) and any trailing payload.
- ``core.media.svg``: SVG parsed with defusedxml and rebuilt from an allow-list of drawing
  elements and attributes: no scripts, event handlers, ``foreignObject``, external references,
  DTDs or entities.

This package holds what both share: ``CleanImage`` (the result), the byte-size checks and the
helpers for messages and file names.

Failure mode: a refused file raises ``ValidationError`` with one message meant for the person
who uploaded it (in the active language, naming the file) and a ``code``. Nothing here touches
the database or storage, so nothing is written before the file is clean: callers check quotas
against ``len(CleanImage.content)`` and store exactly those bytes, under a name from
``safe_filename``.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from typing import IO, Final

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _

MiB: Final = 1024 * 1024


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


def refusal(message: str, *, code: str, **params: object) -> ValidationError:
    """The ValidationError for a refused file. ``message`` is already translated; user input
    (the file name, a tag) goes into ``params``, never into the message itself, so a name with
    ``%`` in it cannot break the interpolation."""
    return ValidationError(message, code=code, params=params or None)


def display_name(name: str | None, fallback: str) -> str:
    """How a file is named in messages: its quoted base name without control characters,
    shortened, or ``fallback`` (e.g. "The logo") when the upload has no usable name."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if not base:
        return fallback
    if len(base) > 80:
        base = base[:77] + "..."
    return f'"{base}"'


def _mib(size: int) -> str:
    return f"{size / MiB:.1f}"


def too_large(label: str, size: int, max_bytes: int) -> ValidationError:
    return refusal(
        _("%(name)s is %(size)s MiB; the limit is %(limit)s MiB. Please upload a smaller file."),
        code="file_too_large",
        name=label,
        size=_mib(size),
        limit=f"{max_bytes / MiB:g}",
    )


def check_size(data: bytes, *, label: str, max_bytes: int) -> None:
    """Refuse an empty file or one over ``max_bytes``: the cheapest refusal, before parsing."""
    if not data:
        raise refusal(_("%(name)s is empty."), code="file_empty", name=label)
    if len(data) > max_bytes:
        raise too_large(label, len(data), max_bytes)


def read_upload(file: IO[bytes], *, label: str, max_bytes: int) -> bytes:
    """The bytes of an uploaded file (a Django ``UploadedFile`` or any binary file object).

    A file whose declared size is over ``max_bytes`` is refused before it is read, and at most
    ``max_bytes + 1`` bytes are ever read, so an oversized upload never lands in memory whole.
    """
    size = getattr(file, "size", None)
    if isinstance(size, int) and size > max_bytes:
        raise too_large(label, size, max_bytes)
    if callable(getattr(file, "seek", None)):
        file.seek(0)  # form validation may already have read it
    data = file.read(max_bytes + 1) or b""
    check_size(data, label=label, max_bytes=max_bytes)
    return data


def safe_filename(name: str | None, image: CleanImage, *, fallback: str = "image") -> str:
    """A file name to store ``image`` under: the uploaded name's stem reduced to lowercase
    ASCII letters, digits and dashes (at most 50), plus the extension of what the file really
    is. "../../Über uns.html" holding a PNG becomes "uber-uns.png"."""
    stem = os.path.splitext(os.path.basename((name or "").replace("\\", "/")))[0]
    stem = slugify(stem)[:50].strip("-_") or fallback
    return f"{stem}.{image.extension}"
