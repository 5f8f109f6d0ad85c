"""Data rights for discussions (see core.gdpr): the threads a member started.

The export has each thread's title, text, space and times, deleted ones marked. Erasing keeps
the threads, shown under "Former member", or, as the member chooses, deletes them: title and
text are removed and the thread is soft-deleted (the comments of others under it keep their
rows), with its earlier versions and the label the audit log keeps.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from comments.models import Revision
from core import gdpr
from discussions.models import Thread


def _export(user) -> list[gdpr.Row]:
    return [
        {
            "id": thread.pk,
            "space": thread.space.name,
            "created_at": thread.created_at.isoformat(),
            "edited_at": thread.edited_at.isoformat() if thread.edited_at else None,
            "deleted": thread.deleted_at is not None,
            "title": thread.title,
            "body": thread.body,
        }
        for thread in Thread.objects.filter(author=user).select_related("space")
    ]


def _erase(user, *, keep_content: bool) -> None:
    if keep_content:
        return
    threads = Thread.objects.filter(author=user)
    ids = list(threads.values_list("pk", flat=True))
    Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(Thread), object_id__in=ids
    ).delete()
    threads.update(title="", body="", deleted_at=timezone.now())
    gdpr.audit_forget_objects(object_type=Thread._meta.label_lower, object_ids=ids)


gdpr.register(Thread, exporter=_export, eraser=_erase)
