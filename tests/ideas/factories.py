"""Ideas and supports in a portal's schema, made directly (the services have their own tests).
Use inside `tenant_context(portal)`."""

from __future__ import annotations

import datetime
import itertools

from ideas import trend
from ideas.models import Idea, IdeaStatus, Support

_numbers = itertools.count(1)


def idea_of(*, author, title: str | None = None, status: str = IdeaStatus.NEW, **fields) -> Idea:
    number = next(_numbers)
    fields.setdefault("description", f"Beschreibung {number}")
    return Idea.objects.create(
        author=author, title=title or f"Idee {number}", status=status, **fields
    )


def support_of(idea: Idea, user, *, at: datetime.datetime | None = None) -> Support:
    support = Support.objects.create(idea=idea, user=user)
    if at is not None:
        Support.objects.filter(pk=support.pk).update(created_at=at)
        trend.refresh(idea_ids=[idea.pk])  # .update() sends no signal
        support.created_at = at
    return support


def posted_at(idea: Idea, at: datetime.datetime) -> Idea:
    Idea.objects.filter(pk=idea.pk).update(created_at=at)
    idea.created_at = at
    return idea
