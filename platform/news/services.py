"""Writes on news posts."""

from __future__ import annotations

from typing import Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.event_types import EventType
from core.media import CleanImage, MiB, display_name, read_upload, safe_filename
from core.media.raster import clean_raster
from core.services import audit_record
from features.limits import check_storage
from news.models import Post

MAX_IMAGE_BYTES: Final = 5 * MiB
IMAGE_FORMATS: Final = ("JPEG", "PNG", "WEBP")
# Plenty for a photo on a news board; a 48 MP phone picture shrinks to a few hundred KB.
IMAGE_MAX_SIDE: Final = 2000


def _clean_image(image: UploadedFile) -> CleanImage:
    """The post image verified, scaled down, stripped of metadata and re-encoded."""
    fallback = _("The image")
    try:
        data = read_upload(
            image, label=display_name(image.name, fallback), max_bytes=MAX_IMAGE_BYTES
        )
        return clean_raster(
            data,
            name=image.name or "",
            fallback=fallback,
            formats=IMAGE_FORMATS,
            max_bytes=MAX_IMAGE_BYTES,
            max_width=IMAGE_MAX_SIDE,
            max_height=IMAGE_MAX_SIDE,
        )
    except ValidationError as exc:
        raise ValidationError({"image": exc}) from exc


@transaction.atomic
def post_create(*, author: User, body: str, image: UploadedFile | None = None) -> Post:
    """Publish a post, with an optional JPEG, PNG or WebP image.

    Raises PermissionDenied for inactive accounts and ValidationError for bad input: an empty
    text, an image that is not a valid image of those formats (whatever its name says), too big
    or over the portal's storage quota. Only the sanitised image is stored, and only once
    everything has been checked.
    """
    if not author.is_active:
        raise PermissionDenied(_("Inactive accounts cannot post."))
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    post = Post(author=author, body=body)
    if image is not None:
        clean = _clean_image(image)
        try:
            # The quota counts what is stored: the re-encoded image, not the upload.
            check_storage(getattr(connection, "tenant", None), len(clean.content))
        except ValidationError as exc:
            raise ValidationError({"image": exc.messages}) from exc
        post.image = ContentFile(clean.content, name=safe_filename(image.name, clean))
    post.full_clean()
    post.save()
    audit_record(event_type=EventType.POST_PUBLISHED, actor=author, obj=post)
    return post
