"""Tenant-supplied rich text (legal pages, intro) reduced to a small safe HTML subset with nh3.

No scripts, styles, event handlers, iframes or images; links only to http(s) and mailto, and
always with rel="noopener noreferrer". Plain text fields never go through here: templates
escape them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "a",
    "strong",
    "em",
    "b",
    "i",
    "blockquote",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(value: str) -> str:
    return nh3.clean(
        value or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def clean_url(value: str) -> str:
    """A link target for buttons and footers: a path on this portal, or an explicit https URL;
    anything else is empty. Browsers read `/\\evil.example` and `//evil.example` as another
    host, and a backslash, a space or a control character has no place in a link we store."""
    value = (value or "").strip()
    if not value or any(ch in value for ch in '\\"<> ') or not value.isprintable():
        return ""
    if value.startswith("/") and not value.startswith("//"):
        return value
    parts = urlsplit(value)
    if parts.scheme.lower() == "https" and parts.netloc and "@" not in parts.netloc:
        return value
    return ""
