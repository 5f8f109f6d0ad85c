"""E-mails that look like the portal they come from: its name as sender, its colours, its
signature, and links to its canonical domain. Plain text and HTML from the same context.

Must run in the portal's schema (a request or a PortalTask); in public it raises RuntimeError,
because a mail without a portal would carry the wrong branding.
"""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.template.loader import render_to_string
from django.utils import translation

from themes.selectors import published_theme


def themed_context() -> dict:
    portal = getattr(connection, "tenant", None)
    if getattr(portal, "uid", None) is None:
        raise RuntimeError("Themed e-mails are sent from inside a portal.")
    from tenants.selectors import portal_base_url

    theme = published_theme()
    tokens = theme.get("tokens") or {}
    return {
        "portal_name": theme.get("site_name") or portal.name,
        "portal_url": portal_base_url(portal),
        "signature": theme.get("email_signature", ""),
        # Only validated #rrggbb values (themes.tokens), safe in the mail's inline styles.
        "colours": {
            "primary": tokens.get("primary", "#37474f"),
            "on_primary": tokens.get("on_primary", "#ffffff"),
            "background": tokens.get("background", "#ffffff"),
            "text": tokens.get("text", "#212121"),
        },
        "language": theme.get("default_language") or portal.language,
        "sender_name": theme.get("email_sender_name") or theme.get("site_name") or portal.name,
    }


def _sender(name: str, address: str) -> str:
    # Left unencoded: Django encodes non-ASCII names when it sends; quotes keep commas harmless.
    cleaned = " ".join(name.replace("\\", "").replace('"', "'").split())
    return f'"{cleaned}" <{address}>'


def send_themed_mail(*, to: str, template: str, context: dict, language: str = "") -> None:
    """Render `<template>_subject.txt`, `.txt` and `.html` in the portal's branding and send."""
    base = themed_context()
    full = {**base, **context}
    with translation.override(language or base["language"] or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", full)
        text = render_to_string(f"{template}.txt", full)
        html = render_to_string(f"{template}.html", full)
    _send(to=to, subject=subject, text=text, html=html, sender_name=base["sender_name"])


def _send(*, to: str, subject: str, text: str, html: str, sender_name: str) -> None:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    # One line whatever a name contains: a line break in a header is refused by Django.
    message = EmailMultiAlternatives(
        " ".join(subject.split()), text, _sender(sender_name, address), [to]
    )
    message.attach_alternative(html, "text/html")
    message.send()


def send_themed_text(*, to: str, subject: str, text: str, language: str = "") -> None:
    """Send a mail whose subject and text are rendered already (allauth's templates), in the
    portal's branding: its sender name, and the text's paragraphs in its HTML layout."""
    base = themed_context()
    with translation.override(language or translation.get_language() or base["language"]):
        html = render_to_string(
            "themes/email/text.html",
            {**base, "paragraphs": [p.strip() for p in text.split("\n\n") if p.strip()]},
        )
    _send(to=to, subject=subject, text=text, html=html, sender_name=base["sender_name"])
