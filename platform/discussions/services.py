"""Writes on discussion threads: start, edit (keeping the old text), pin and unpin, soft delete,
and the last activity that comments bump.

Keyword-only and atomic. Http404 when the caller may not see the space or thread (the same as
missing), PermissionDenied when they may see it but not do this (not a member, the space is
archived, not the author or a moderator), ValidationError for an empty or too long title or
text. Followers of the space hear of a new thread; its author follows it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from comments.mentions import for_display as mentions_for_display
from core import visibility
from core.event_types import EventType
from core.richtext import plain
from core.services import audit_record
from discussions import selectors
from discussions.models import Thread

MAX_TITLE = Thread._meta.get_field("title").max_length
MAX_BODY = Thread._meta.get_field("body").max_length


def _clean(title: str, body: str) -> tuple[str, str]:
    from core.text import single_line

    errors = {}
    try:
        title = single_line(title or "")
    except ValidationError as exc:
        errors["title"] = exc.messages
    body = (body or "").strip()
    if "title" in errors:
        pass
    elif not title:
        errors["title"] = _("Give the discussion a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("At most %(limit)d characters, please.") % {"limit": MAX_TITLE}
    if not body:
        errors["body"] = _("Write something first.")
    elif len(body) > MAX_BODY:
        errors["body"] = _("At most %(limit)d characters, please.") % {"limit": MAX_BODY}
    if errors:
        raise ValidationError(errors)
    return title, body


@transaction.atomic
def thread_create(*, author, space, title: str, body: str) -> Thread:
    from notifications import services as notifications

    if not visibility.can_see(author, space):
        raise Http404("No such space.")
    if not selectors.can_start(user=author, space=space):
        raise PermissionDenied(_("Only members of this space can start a discussion."))
    title, body = _clean(title, body)
    now = timezone.now()
    thread = Thread.objects.create(
        space=space, title=title, body=body, author=author, created_at=now, last_activity_at=now
    )
    audit_record(event_type=EventType.THREAD_CREATED, actor=author, obj=thread)
    notifications.follow(user=author, target=thread)
    notifications.notify_followers(
        event_type=EventType.THREAD_CREATED,
        actor=author,
        target=thread,
        followed=space,
        title=_("New discussion in %(space)s: %(title)s") % {"space": space, "title": title},
        excerpt=plain(mentions_for_display(body), limit=200),
    )
    _notify_mentions(thread)
    return thread


def _notify_mentions(thread: Thread) -> None:
    """Members named in the opening post; notify drops those who cannot see the space."""
    from comments import mentions
    from notifications import services as notifications

    named = [u for u in mentions.mentioned_members(thread.body) if u.pk != thread.author_id]
    if named:
        notifications.notify(
            event_type=EventType.MEMBER_MENTIONED,
            actor=thread.author,
            target=thread,
            recipients=named,
            title=_("%(name)s mentioned you in “%(title)s”")
            % {"name": thread.author, "title": thread.title},
            excerpt=plain(mentions.for_display(thread.body), limit=200),
        )


def _visible_or_404(user, thread: Thread) -> None:
    if thread.deleted_at is not None or not visibility.can_see(user, thread):
        raise Http404("No such discussion.")


@transaction.atomic
def thread_edit(*, user, thread: Thread, title: str, body: str) -> Thread:
    from comments.services import revision_record

    _visible_or_404(user, thread)
    if not selectors.can_edit(user=user, thread=thread):
        raise PermissionDenied(_("Only the author or a space admin can edit this discussion."))
    title, body = _clean(title, body)
    if (title, body) == (thread.title, thread.body):
        return thread
    revision_record(obj=thread, body=thread.body, title=thread.title, edited_by=user)
    thread.title, thread.body, thread.edited_at = title, body, timezone.now()
    thread.save(update_fields=["title", "body", "edited_at"])
    audit_record(event_type=EventType.THREAD_EDITED, actor=user, obj=thread)
    return thread


def _pin(user, thread: Thread, pinned: bool) -> Thread:
    _visible_or_404(user, thread)
    if not selectors.can_moderate(user=user, thread=thread):
        raise PermissionDenied(_("Only space admins and moderators can pin discussions."))
    if (thread.pinned_at is not None) == pinned:
        return thread
    thread.pinned_at = timezone.now() if pinned else None
    thread.save(update_fields=["pinned_at"])
    audit_record(
        event_type=EventType.THREAD_PINNED if pinned else EventType.THREAD_UNPINNED,
        actor=user,
        obj=thread,
    )
    return thread


@transaction.atomic
def thread_pin(*, user, thread: Thread) -> Thread:
    return _pin(user, thread, True)


@transaction.atomic
def thread_unpin(*, user, thread: Thread) -> Thread:
    return _pin(user, thread, False)


@transaction.atomic
def thread_delete(*, user, thread: Thread) -> Thread:
    """Soft delete: gone from every page, list, feed and search; the row and comments stay."""
    _visible_or_404(user, thread)
    if not selectors.can_delete(user=user, thread=thread):
        raise PermissionDenied(_("Only the author, a space admin or a moderator can delete it."))
    thread.deleted_at = timezone.now()
    thread.save(update_fields=["deleted_at"])
    audit_record(
        event_type=EventType.THREAD_DELETED,
        actor=user,
        obj=thread,
        detail={"by_author": thread.author_id == user.pk},
    )
    return thread


def thread_touch(thread: Thread) -> None:
    """A comment was written: the thread moves up in its space's list."""
    Thread.objects.filter(pk=thread.pk).update(last_activity_at=timezone.now())
