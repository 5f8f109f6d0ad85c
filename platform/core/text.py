"""Validators for text that ends up in e-mail headers, file names and page titles."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Direction overrides make a name read differently from what it is ("Evil\u202egro.example").
_BIDI_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def single_line(value: str, *, field: str = "") -> str:
    """`value` stripped; ValidationError if it holds a line break or another control character
    (in a name it would break the headers of every e-mail that carries it)."""
    value = (value or "").strip()
    if any(unicodedata.category(ch) in {"Cc", "Zl", "Zp"} or ch in _BIDI_OVERRIDES for ch in value):
        message = _("Use a single line without control characters.")
        raise ValidationError({field: message} if field else message)
    return value
