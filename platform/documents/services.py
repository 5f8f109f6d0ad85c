"""Writes on folders and documents: upload, new version, delete, purge.

Who may do what: active members of a space that is not archived create folders, upload
documents and add versions; the uploader, the space's admins and the portal's moderators
delete. Every write raises PermissionDenied for someone else and ValidationError (with the
field it is about) for bad input: no file, an empty file, one over MAX_FILE_BYTES, a file
that does not fit the portal's storage quota. All checks run before a byte is stored, so a
refused upload leaves nothing behind, neither a row nor a partial file.

Deleting is soft: the document disappears for everyone at once, its files stay (and count
against the quota) for PURGE_AFTER, so a mistake can still be undone by an operator, and
`documents_purge` then removes rows and files for good. A member's erasure with "delete my
content" removes their files at once (documents.gdpr).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from datetime import timedelta
from typing import Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from core import gdpr
from core.event_types import EventType
from core.media import MiB, display_name, refusal, too_large
from core.services import audit_record
from documents.models import Document, DocumentVersion, Folder
from documents.sniff import EXTENSIONS, sniff
from features.limits import check_storage
from spaces.models import Space
from spaces.selectors import can_contribute, can_moderate

MAX_FILE_BYTES: Final = 50 * MiB
PURGE_AFTER: Final = timedelta(days=30)
_CHUNK: Final = 1 * MiB


def _require_contributor(user: User, space: Space) -> None:
    if not can_contribute(user=user, space=space):
        if space.is_archived:
            raise PermissionDenied(_("This space is archived; nothing can be added to it."))
        raise PermissionDenied(_("Only members of this space can add documents."))


def _clean_title(title: str, fallback: str) -> str:
    title = " ".join((title or "").split())[:200]
    return title or fallback[:200]


def _original_name(file: UploadedFile) -> str:
    base = os.path.basename((file.name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:255] or "file"


class _Checked:
    """An upload that passed every check: its size, digest and sniffed type."""

    def __init__(self, file: UploadedFile, size: int, sha256: str, content_type: str):
        self.file = file
        self.size = size
        self.sha256 = sha256
        self.content_type = content_type
        self.original_name = _original_name(file)

    def storage_name(self) -> str:
        stem = slugify(os.path.splitext(self.original_name)[0])[:60].strip("-_") or "file"
        return f"documents/{uuid.uuid4().hex}/{stem}.{EXTENSIONS[self.content_type]}"


def _check_file(file: UploadedFile | None) -> _Checked:
    """Size, digest, type and quota of `file`, read in chunks (never more than the limit + 1
    chunk in total), before anything is stored."""
    if file is None:
        raise ValidationError({"file": _("Choose a file to upload.")})
    label = display_name(file.name, _("The file"))
    declared = getattr(file, "size", None)
    if isinstance(declared, int) and declared > MAX_FILE_BYTES:
        raise ValidationError({"file": too_large(label, declared, MAX_FILE_BYTES)})
    digest = hashlib.sha256()
    size = 0
    file.seek(0)
    while chunk := file.read(_CHUNK):
        size += len(chunk)
        if size > MAX_FILE_BYTES:
            raise ValidationError({"file": too_large(label, size, MAX_FILE_BYTES)})
        digest.update(chunk)
    if size == 0:
        raise ValidationError(
            {"file": refusal(_("%(name)s is empty."), code="file_empty", name=label)}
        )
    content_type = sniff(file)
    try:
        check_storage(getattr(connection, "tenant", None), size)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    return _Checked(file, size, digest.hexdigest(), content_type)


def _store_version(
    *, document: Document, checked: _Checked, user: User, number: int
) -> DocumentVersion:
    version = DocumentVersion(
        document=document,
        number=number,
        original_name=checked.original_name,
        size=checked.size,
        content_type=checked.content_type,
        sha256=checked.sha256,
        uploaded_by=user,
    )
    checked.file.seek(0)
    version.file = File(checked.file, name=checked.storage_name())
    try:
        version.save()
    except BaseException:
        if version.file.name:
            default_storage.delete(version.file.name)
        raise
    return version


@transaction.atomic
def folder_create(*, user: User, space: Space, name: str, parent: Folder | None = None) -> Folder:
    """A folder in `space` (inside `parent`). PermissionDenied for non-members or an
    archived space; ValidationError for an empty name or a parent of another space."""
    _require_contributor(user, space)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the folder a name.")})
    if parent is not None and parent.space_id != space.pk:
        raise ValidationError({"parent": _("That folder is not in this space.")})
    folder = Folder(space=space, name=name, parent=parent, created_by=user)
    folder.full_clean()
    folder.save()
    audit_record(event_type=EventType.FOLDER_CREATED, actor=user, obj=folder)
    return folder


@transaction.atomic
def document_upload(
    *,
    user: User,
    space: Space,
    folder: Folder | None,
    file: UploadedFile | None,
    title: str = "",
) -> Document:
    """A new document in `space` with `file` as its first version; the space's followers are
    notified. The title defaults to the file name. See the module docstring for refusals."""
    _require_contributor(user, space)
    if folder is not None and folder.space_id != space.pk:
        raise ValidationError({"folder": _("That folder is not in this space.")})
    checked = _check_file(file)
    document = Document(
        space=space,
        folder=folder,
        title=_clean_title(title, checked.original_name),
        created_by=user,
    )
    document.full_clean()
    document.save()
    audit_record(
        event_type=EventType.DOCUMENT_UPLOADED,
        actor=user,
        obj=document,
        detail={"size": checked.size, "content_type": checked.content_type},
    )
    from notifications.services import notify_followers

    notify_followers(
        event_type=EventType.DOCUMENT_UPLOADED,
        actor=user,
        target=document,
        followed=space,
        title=_("New document in %(space)s: %(title)s")
        % {"space": space.name, "title": document.title},
    )
    # The file is written last, so that nothing after it can roll the rows back and leave
    # an orphaned file (only the commit itself is left).
    _store_version(document=document, checked=checked, user=user, number=1)
    return document


@transaction.atomic
def version_add(*, user: User, document: Document, file: UploadedFile | None) -> DocumentVersion:
    """A new version of `document` (the next number). The same checks as an upload."""
    space = document.space
    _require_contributor(user, space)
    if document.deleted_at is not None:
        raise PermissionDenied(_("This document was deleted."))
    checked = _check_file(file)
    # Lock the document so two uploads at once get numbers n+1 and n+2, not both n+1.
    locked = Document.objects.select_for_update().get(pk=document.pk)
    number = (locked.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    locked.save(update_fields=["updated_at"])
    audit_record(
        event_type=EventType.DOCUMENT_VERSION_ADDED,
        actor=user,
        obj=locked,
        detail={"version": number, "size": checked.size},
    )
    return _store_version(document=locked, checked=checked, user=user, number=number)


def can_delete(*, user: User, document: Document) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (document.created_by_id == user.pk or can_moderate(user=user, space=document.space))
    )


@transaction.atomic
def document_delete(*, user: User, document: Document) -> None:
    """Soft-delete `document`: gone for everyone now, files purged after PURGE_AFTER.
    PermissionDenied unless `user` uploaded it, is a space admin or a moderator."""
    if not can_delete(user=user, document=document):
        raise PermissionDenied(_("Only the uploader, space admins and moderators may delete it."))
    if document.deleted_at is not None:
        return
    document.deleted_at = timezone.now()
    document.save(update_fields=["deleted_at", "updated_at"])
    audit_record(event_type=EventType.DOCUMENT_DELETED, actor=user, obj=document)


def can_delete_folder(*, user: User, folder: Folder) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (folder.created_by_id == user.pk or can_moderate(user=user, space=folder.space))
    )


@transaction.atomic
def folder_delete(*, user: User, folder: Folder) -> None:
    """Delete an empty folder. ValidationError if it still holds folders or documents;
    PermissionDenied unless `user` made it, is a space admin or a moderator."""
    if not can_delete_folder(user=user, folder=folder):
        raise PermissionDenied(
            _("Only the folder's creator, space admins and moderators may do this.")
        )
    locked = Folder.objects.select_for_update().get(pk=folder.pk)
    if locked.children.exists() or locked.documents.filter(deleted_at__isnull=True).exists():
        raise ValidationError(_("Only empty folders can be deleted. Move or delete its contents."))
    audit_record(event_type=EventType.FOLDER_DELETED, actor=user, obj=locked)
    locked.delete()


def documents_delete_with_files(documents) -> int:
    """Delete `documents` (a queryset) with every version's file, once the transaction
    commits. Returns how many documents went."""
    names = list(
        DocumentVersion.objects.filter(document__in=documents).values_list("file", flat=True)
    )
    ids = list(documents.values_list("pk", flat=True))
    Document.objects.filter(pk__in=ids).delete()
    gdpr.audit_forget_objects(object_type=Document._meta.label_lower, object_ids=ids)
    gdpr.files_delete_on_commit(names)
    return len(ids)


@transaction.atomic
def documents_purge(*, older_than: timedelta = PURGE_AFTER) -> int:
    """Remove documents soft-deleted more than `older_than` ago, rows and files, in the
    current portal. Idempotent; returns how many documents went."""
    due = Document.objects.filter(deleted_at__lt=timezone.now() - older_than)
    return documents_delete_with_files(due)
