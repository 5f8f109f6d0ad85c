"""Writes on news posts."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection

from accounts.models import User
from features.limits import check_storage
from news.models import Post

MAX_IMAGE_BYTES = 5 * 1024 * 1024


def post_create(*, author: User, body: str, image: UploadedFile | None = None) -> Post:
    """Publish a post. Raises PermissionDenied for inactive accounts, ValidationError for bad input."""
    if not author.is_active:
        raise PermissionDenied("Inactive accounts cannot post.")
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write something first."})
    if image is not None and image.size > MAX_IMAGE_BYTES:
        raise ValidationError({"image": "Images may be at most 5 MB."})
    if image is not None:
        try:
            check_storage(getattr(connection, "tenant", None), image.size)
        except ValidationError as exc:
            raise ValidationError({"image": exc.messages}) from exc
    post = Post(author=author, body=body)
    if image is not None:
        post.image = image
    post.full_clean()
    post.save()
    return post
