"""Writes on comments: create (with replies and @mentions), edit (keeping the old text as a
Revision), soft delete, and the edit history shared with other apps (`revision_record`).

Every function is keyword-only and atomic. It raises Http404 when the author may not see the
target or comment (the same answer as for something missing), PermissionDenied when they may
see it but not do this, and ValidationError for bad input (an empty or too long text, a reply
to a reply or to a comment on another target). Notifications go out through
notifications.services, which drops everyone who may not see the comment.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from comments import mentions, registry, selectors
from comments.models import Comment, Revision
from core import visibility
from core.event_types import EventType
from core.richtext import plain
from core.services import audit_record

MAX_BODY = Comment._meta.get_field("body").max_length


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    if len(body) > MAX_BODY:
        raise ValidationError(
            {"body": _("At most %(limit)d characters, please.") % {"limit": MAX_BODY}}
        )
    return body


def revision_record(*, obj: models.Model, body: str, title: str = "", edited_by) -> Revision:
    """Keep the text `obj` had before an edit (call before saving the new text)."""
    return Revision.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        body=body,
        title=title,
        edited_by=edited_by if edited_by is not None and edited_by.is_authenticated else None,
    )


def _label(comment: Comment) -> str:
    return plain(mentions.for_display(comment.body), limit=140)


def _notify(comment: Comment, target) -> None:
    from notifications import services as notifications

    author = comment.author
    excerpt = _label(comment)
    done: set[int] = {author.pk}
    mentioned = [u for u in mentions.mentioned_members(comment.body) if u.pk not in done]
    if mentioned:
        notifications.notify(
            event_type=EventType.MEMBER_MENTIONED,
            actor=author,
            target=comment,
            recipients=mentioned,
            title=_("%(name)s mentioned you") % {"name": author},
            excerpt=excerpt,
        )
        done.update(u.pk for u in mentioned)
    if comment.parent_id is not None and comment.parent.author_id not in done:
        notifications.notify(
            event_type=EventType.COMMENT_REPLIED,
            actor=author,
            target=comment,
            recipients=[comment.parent.author],
            title=_("%(name)s replied to your comment") % {"name": author},
            excerpt=excerpt,
        )
        done.add(comment.parent.author_id)
    followers = [u for u in notifications.followers_of(target) if u.pk not in done]
    if followers:
        notifications.notify(
            event_type=EventType.COMMENT_CREATED,
            actor=author,
            target=comment,
            recipients=followers,
            title=_("New comment on “%(title)s”") % {"title": plain(str(target), limit=80)},
            excerpt=excerpt,
        )


@transaction.atomic
def comment_create(*, author, target: models.Model, body: str, parent: Comment | None = None):
    """Write a comment on `target` (a reply when `parent` is given). The author then follows
    the target; mentioned members, the parent's author and the target's followers are told."""
    from notifications import services as notifications

    kind = registry.target_of(target)  # LookupError: not a comment target
    if not visibility.can_see(author, target):
        raise Http404("No such target.")
    if not selectors.can_comment(user=author, target=target):
        raise PermissionDenied(_("You cannot comment here."))
    body = _clean_body(body)
    target_type = ContentType.objects.get_for_model(target)
    if parent is not None:
        if parent.target_type_id != target_type.pk or parent.target_id != target.pk:
            raise ValidationError(_("The reply belongs to another discussion."))
        if parent.parent_id is not None:
            parent = parent.parent  # replies are one level deep: answer the same comment
        if parent.deleted_at is not None:
            raise ValidationError(_("This comment was deleted; it takes no replies."))
    comment = Comment.objects.create(
        target_type=target_type, target_id=target.pk, parent=parent, author=author, body=body
    )
    if kind.on_comment is not None:
        kind.on_comment(target)
    audit_record(event_type=EventType.COMMENT_CREATED, actor=author, obj=comment)
    notifications.follow(user=author, target=target)
    _notify(comment, target)
    return comment


@transaction.atomic
def comment_edit(*, user, comment: Comment, body: str) -> Comment:
    """Change the text of one's own comment; the old text is kept in its history."""
    if comment.deleted_at is not None or not visibility.can_see(user, comment):
        raise Http404("No such comment.")
    if comment.author_id != user.pk:
        raise PermissionDenied(_("Only its author can edit a comment."))
    if not selectors.can_comment(user=user, target=comment.target):
        # Left the space, or it is archived: what was written stays as it was.
        raise PermissionDenied(_("You cannot write here any more."))
    body = _clean_body(body)
    if body == comment.body:
        return comment
    revision_record(obj=comment, body=comment.body, edited_by=user)
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    audit_record(event_type=EventType.COMMENT_EDITED, actor=user, obj=comment)
    return comment


@transaction.atomic
def comment_delete(*, user, comment: Comment) -> Comment:
    """Soft-delete a comment: its author or a moderator of its target. Replies stay."""
    if comment.deleted_at is not None or not visibility.can_see(user, comment):
        raise Http404("No such comment.")
    if comment.author_id != user.pk and not selectors.may_moderate(
        user=user, target=comment.target
    ):
        raise PermissionDenied(_("You cannot delete this comment."))
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["deleted_at"])
    audit_record(
        event_type=EventType.COMMENT_DELETED,
        actor=user,
        obj=comment,
        detail={"by_author": comment.author_id == user.pk},
    )
    return comment
