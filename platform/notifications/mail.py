"""Notification mails (one notification, or a digest) in the portal's branding, with the
RFC 8058 one-click unsubscribe headers.

themes.mail renders and sends in one call and takes no extra headers, so this module renders
with its parts (`themed_context`, `render_plain`: subject and text unescaped, HTML escaped)
and builds the message itself; the caller sends it inside the transaction that marks the
notifications mailed (notifications.delivery). `themed_context()` costs queries, so callers
fetch it once per run and pass it in. Outside a portal it raises RuntimeError (themes.mail).
"""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from notifications.tokens import unsubscribe_token
from themes.mail import render_plain, themed_context

__all__ = ["build_mail", "themed_context", "unsubscribe_url"]


def unsubscribe_url(base: dict, user) -> str:
    path = reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(user)})
    return base["portal_url"].rstrip("/") + path


def _sender(name: str) -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    cleaned = " ".join(name.replace("\\", "").replace('"', "'").split())
    return f'"{cleaned}" <{address}>'


def build_mail(
    *, base: dict, user, template: str, context: dict, connection=None
) -> EmailMultiAlternatives:
    """The mail `<template>_subject.txt`, `.txt`, `.html` to `user`, in their language (else
    the portal's), with a one-click unsubscribe link in the text and in the headers."""
    link = unsubscribe_url(base, user)
    full = {**base, **context, "recipient": user, "unsubscribe_url": link}
    language = user.language or base["language"] or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = " ".join(render_plain(f"{template}_subject.txt", full).split())
        text = render_plain(f"{template}.txt", full)
        html = render_to_string(f"{template}.html", full)
    message = EmailMultiAlternatives(
        subject,
        text,
        _sender(base["sender_name"]),
        [user.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message
