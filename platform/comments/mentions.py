"""@mentions in member-written text, and text with mentions made ready for rendering.

Two ways to write a mention, both case-insensitive where names are compared:

- `@[Display Name](member:42)`: what the editor's member picker inserts; exact, by id;
- `@handle`: the member's display name with the spaces left out ("@AnnaSchmidt" for "Anna
  Schmidt"), so that a mention can be typed by hand. A handle that fits several members
  mentions all of them; one that fits nobody is just text.

`mentioned_members(text)` returns the active members named; whether they may see what they were
mentioned in is for notifications.services.notify to decide (it drops who cannot).
`for_display(text)` turns the picker form into a plain "@Display Name" before Markdown, so the
`member:` link never reaches the page.
"""

from __future__ import annotations

import re

from django.db.models import Q, Value
from django.db.models.functions import Lower, Replace

PICKED = re.compile(r"@\[(?P<name>[^\]\n]{1,120})\]\(member:(?P<pk>\d{1,18})\)")
# Not after a word character, so "kim@example.org" is no mention of "example".
HANDLE = re.compile(r"(?<![\w@])@(?P<handle>\w{2,60})", re.UNICODE)
MAX_MENTIONS = 20


def parse(text: str) -> tuple[set[int], set[str]]:
    """The member ids picked and the handles typed in `text` (handles lowercased)."""
    text = text or ""
    ids = {int(m.group("pk")) for m in PICKED.finditer(text)}
    handles = {m.group("handle").lower() for m in HANDLE.finditer(PICKED.sub(" ", text))}
    return ids, handles


def mentioned_members(text: str) -> list:
    from accounts.models import User

    ids, handles = parse(text)
    if not ids and not handles:
        return []
    squashed = Replace(Lower("display_name"), Value(" "), Value(""))
    condition = Q(pk__in=ids) if ids else Q()
    members = User.objects.filter(is_active=True).annotate(handle=squashed)
    if handles:
        condition = condition | Q(handle__in=handles) if ids else Q(handle__in=handles)
    return list(members.filter(condition).order_by("pk")[:MAX_MENTIONS])


def for_display(text: str) -> str:
    return PICKED.sub(lambda m: "@" + m.group("name"), text or "")


def render(text: str):
    """Member text with mentions, as safe HTML (core.richtext.render)."""
    from core.richtext import render as render_markdown

    return render_markdown(for_display(text))
