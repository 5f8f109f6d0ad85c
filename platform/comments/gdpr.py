"""Data rights for comments (see core.gdpr): the comments a member wrote and the edits they made.

The export has each comment's text, time, what it is on, and whether it was deleted; edits list
the earlier texts the member replaced. Erasing keeps the comments, shown under "Former member",
or, as the member chooses, deletes them: their text, their earlier versions, and the label the
audit log keeps (replies by others stay, under a "deleted" placeholder). Revisions the member
made of others' text keep the text (it is the other author's) and forget who edited.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from comments.models import Comment, Revision
from core import gdpr


def _export_comments(user) -> list[gdpr.Row]:
    return [
        {
            "id": comment.pk,
            "on": f"{comment.target_type.app_label}.{comment.target_type.model}",
            "on_id": comment.target_id,
            "reply_to": comment.parent_id,
            "created_at": comment.created_at.isoformat(),
            "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
            "deleted": comment.deleted_at is not None,
            "body": comment.body,
        }
        for comment in Comment.objects.filter(author=user).select_related("target_type")
    ]


def _erase_comments(user, *, keep_content: bool) -> None:
    if keep_content:
        return
    comments = Comment.objects.filter(author=user)
    ids = list(comments.values_list("pk", flat=True))
    comment_type = ContentType.objects.get_for_model(Comment)
    Revision.objects.filter(content_type=comment_type, object_id__in=ids).delete()
    # Soft delete with the text removed: replies by others keep their place.
    comments.update(body="", deleted_at=timezone.now())
    gdpr.audit_forget_objects(object_type=Comment._meta.label_lower, object_ids=ids)


def _export_revisions(user) -> list[gdpr.Row]:
    return [
        {
            "of": f"{revision.content_type.app_label}.{revision.content_type.model}",
            "of_id": revision.object_id,
            "replaced_at": revision.created_at.isoformat(),
            "title": revision.title,
            "body": revision.body,
        }
        for revision in Revision.objects.filter(edited_by=user).select_related("content_type")
    ]


def _erase_revisions(user, *, keep_content: bool) -> None:
    edited = Revision.objects.filter(edited_by=user)
    if not keep_content:
        # Earlier versions of the member's own texts go with them (comments above, threads in
        # discussions.gdpr); what they replaced of someone else's stays, without their name.
        comment_type = ContentType.objects.get_for_model(Comment)
        own_comments = Comment.objects.filter(author=user).values("pk")
        edited.filter(Q(content_type=comment_type, object_id__in=own_comments)).delete()
    edited.update(edited_by=None)


gdpr.register(Comment, exporter=_export_comments, eraser=_erase_comments)
gdpr.register(Revision, exporter=_export_revisions, eraser=_erase_revisions)
