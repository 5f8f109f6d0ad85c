"""Data rights for news (see core.gdpr): the posts a member wrote.

The export has each post's text, time and image (the file goes into the archive). Erasing keeps
the posts, shown under "Former member", or deletes them with their images and the start of
their text that the audit log keeps as the row's label, as the member chooses.
"""

from __future__ import annotations

from core import gdpr
from news.models import Post


def _export(user) -> list[gdpr.Row]:
    return [
        {
            "id": post.pk,
            "created_at": post.created_at.isoformat(),
            "body": post.body,
            "image": gdpr.StoredFile(post.image.name) if post.image else None,
        }
        for post in Post.objects.filter(author=user).order_by("created_at")
    ]


def _erase(user, *, keep_content: bool) -> None:
    if keep_content:
        return
    posts = Post.objects.filter(author=user)
    ids, images = [], []
    for pk, image in posts.values_list("pk", "image"):
        ids.append(pk)
        images.append(image)
    posts.delete()
    gdpr.audit_forget_objects(object_type=Post._meta.label_lower, object_ids=ids)
    gdpr.files_delete_on_commit(images)


gdpr.register(Post, exporter=_export, eraser=_erase)
