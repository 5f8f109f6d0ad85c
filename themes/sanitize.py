"""Tenant-supplied rich text (legal pages, intro) reduced to a small safe HTML subset with nh3.

No scripts, styles, event handlers, iframes or images; links only to http(s) and mailto, and
always with rel="noopener noreferrer". Plain text fields never go through here: templates
escape them.
"""

from __future__ import annotations

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
    """A link target for buttons: a path on the portal, or an http(s) URL; otherwise empty."""
    value = (value or "").strip()
    if value.startswith("/") and not value.startswith("//"):
        return value
    if value.lower().startswith(("https://", "http://")) and " " not in value and '"' not in value:
        return value
    return ""
