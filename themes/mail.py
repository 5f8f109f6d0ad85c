"""E-mails that look like the portal they come from: its name as sender, its colours, its
signature, and links to its canonical domain. Plain text and HTML from the same context.

Must run in the portal's schema (a request or a PortalTask); in public it raises RuntimeError,
because a mail without a portal would carry the wrong branding.

Subjects and plain-text parts are rendered with autoescaping off (`render_plain`): they are not
HTML, and a name like "Tom & Jerry" must read as typed, not as "Tom &amp; Jerry". Only the HTML
part is escaped. Headers stay single lines whatever a name holds.

`_send` is the one sending helper for rendered and template mails. Sent from a worker task, a
mail is sent once per task id: tasks are acknowledged late and requeued when their worker dies,
so a task may run again after its mails went out. The marker (themes.SentMail) is written in
the transaction around handing the mail over; a redelivered task finds it and skips the mail.
A worker that dies after the mail server took the mail but before that commit still sends it
twice (no mail server takes part in our transaction): the window is one commit long.
"""

from __future__ import annotations

import hashlib
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template import Context
from django.template.loader import get_template, render_to_string
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


def render_plain(template_name: str, context: dict) -> str:
    """Render a text-only template (a subject, a plain-text part) without HTML escaping.

    A template cannot be trusted to say `{% autoescape off %}` itself: one that forgets it
    would put entities into every mail's text, so the switch is made here for all of them.
    """
    template = get_template(template_name).template  # the engine's own Template
    return template.render(Context(context, autoescape=False))


def _sender(name: str, address: str) -> str:
    # Left unencoded: Django encodes non-ASCII names when it sends; quotes keep commas harmless.
    cleaned = " ".join(name.replace("\\", "").replace('"', "'").split())
    return f'"{cleaned}" <{address}>'


def send_themed_mail(
    *,
    to: str,
    template: str,
    context: dict,
    language: str = "",
    attachments: tuple[tuple[str, bytes, str], ...] = (),
    reply_to: tuple[str, ...] = (),
) -> None:
    """Render `<template>_subject.txt`, `.txt` and `.html` in the portal's branding and send,
    with `attachments` as (file name, content, MIME type)."""
    base = themed_context()
    full = {**base, **context}
    with translation.override(language or base["language"] or settings.LANGUAGE_CODE):
        subject = render_plain(f"{template}_subject.txt", full)
        text = render_plain(f"{template}.txt", full)
        html = render_to_string(f"{template}.html", full)
    _send(
        to=to,
        subject=subject,
        text=text,
        html=html,
        sender_name=base["sender_name"],
        kind=template,
        attachments=attachments,
        reply_to=reply_to,
    )


def _task_mail_key(*, to: str, kind: str) -> str | None:
    """The marker key of this mail in the running worker task, None outside one. Eager runs
    (tests, always-eager setups) are never redelivered and need none."""
    from celery import current_task

    request = getattr(current_task, "request", None) if current_task else None
    if request is None or not request.id or request.is_eager:
        return None
    return hashlib.sha256(f"{request.id}\n{to.lower()}\n{kind}".encode()).hexdigest()


def already_sent(*, to: str, template: str) -> bool:
    """Whether the running worker task sent this mail before it was redelivered."""
    from themes.models import SentMail

    key = _task_mail_key(to=to, kind=template)
    return key is not None and SentMail.objects.filter(key=key).exists()


def _send(
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    sender_name: str,
    kind: str = "",
    attachments: tuple[tuple[str, bytes, str], ...] = (),
    reply_to: tuple[str, ...] = (),
) -> None:
    from themes.models import SentMail

    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    subject = " ".join(subject.split())
    # One line whatever a name contains: a line break in a header is refused by Django.
    message = EmailMultiAlternatives(
        subject, text, _sender(sender_name, address), [to], reply_to=list(reply_to) or None
    )
    message.attach_alternative(html, "text/html")
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    key = _task_mail_key(to=to, kind=kind or subject)
    if key is None:
        message.send()
        return
    with transaction.atomic():
        # A second run of the same task waits here for the first one's commit, then skips.
        _marker, created = SentMail.objects.get_or_create(key=key)
        if created:
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
    _send(
        to=to,
        subject=subject,
        text=text,
        html=html,
        sender_name=base["sender_name"],
        kind="text:" + subject,
    )
