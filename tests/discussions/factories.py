"""Threads and comments in a portal's schema, made directly (the services have their own tests).
Use inside `tenant_context(portal)`."""

from __future__ import annotations

import itertools

from django.contrib.contenttypes.models import ContentType

from comments.models import Comment
from discussions.models import Thread

_numbers = itertools.count(1)


def thread_in(space, author, *, title: str | None = None, body: str = "Worum es geht.", **fields):
    return Thread.objects.create(
        space=space,
        author=author,
        title=title or f"Diskussion {next(_numbers)}",
        body=body,
        **fields,
    )


def comment_on(target, author, *, body: str = "Ein Kommentar.", parent=None, **fields):
    return Comment.objects.create(
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        author=author,
        body=body,
        parent=parent,
        **fields,
    )
