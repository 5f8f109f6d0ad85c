"""Data rights for documents (see core.gdpr): folders made, documents and versions uploaded.

The export lists each folder and document with its space, and each version the member
uploaded with its file (the file goes into the archive). Erasing with "keep my content"
keeps everything, shown under the anonymised account. Erasing with "delete my content"
removes every version they uploaded together with its file (at commit), every document left
without a version (also soft-deleted ones), and the folders they made that are then empty;
a document of theirs that others added versions to stays with those versions.
"""

from __future__ import annotations

from core import gdpr
from documents.models import Document, DocumentVersion, Folder


def _export_folders(user) -> list[gdpr.Row]:
    return [
        {
            "id": folder.pk,
            "space": folder.space.name,
            "name": folder.name,
            "created_at": folder.created_at.isoformat(),
        }
        for folder in Folder.objects.filter(created_by=user).select_related("space")
    ]


def _export_documents(user) -> list[gdpr.Row]:
    return [
        {
            "id": document.pk,
            "space": document.space.name,
            "title": document.title,
            "created_at": document.created_at.isoformat(),
            "deleted_at": document.deleted_at.isoformat() if document.deleted_at else None,
        }
        for document in Document.objects.filter(created_by=user).select_related("space")
    ]


def _export_versions(user) -> list[gdpr.Row]:
    return [
        {
            "document": version.document_id,
            "title": version.document.title,
            "version": version.number,
            "file_name": version.original_name,
            "size": version.size,
            "content_type": version.content_type,
            "sha256": version.sha256,
            "uploaded_at": version.created_at.isoformat(),
            "file": gdpr.StoredFile(version.file.name) if version.file else None,
        }
        for version in DocumentVersion.objects.filter(uploaded_by=user)
        .select_related("document")
        .order_by("created_at")
    ]


def _erase_uploads(user) -> None:
    """Idempotent, so each of the three erasers may run it whatever their order."""
    from documents.services import documents_delete_with_files

    versions = DocumentVersion.objects.filter(uploaded_by=user)
    names = list(versions.values_list("file", flat=True))
    touched = set(versions.values_list("document_id", flat=True))
    versions.delete()
    gdpr.files_delete_on_commit(names)
    empty = Document.objects.filter(
        pk__in=touched, versions__isnull=True
    ) | Document.objects.filter(created_by=user, versions__isnull=True)
    documents_delete_with_files(empty.distinct())


def _erase_folders(user) -> None:
    _erase_uploads(user)
    # Deepest first: a folder whose only content was an empty folder of theirs goes too.
    while True:
        empty = Folder.objects.filter(
            created_by=user, children__isnull=True, documents__isnull=True
        )
        ids = list(empty.values_list("pk", flat=True))
        if not ids:
            return
        Folder.objects.filter(pk__in=ids).delete()
        gdpr.audit_forget_objects(object_type=Folder._meta.label_lower, object_ids=ids)


def _eraser(step):
    def erase(user, *, keep_content: bool) -> None:
        if not keep_content:
            step(user)

    return erase


gdpr.register(DocumentVersion, exporter=_export_versions, eraser=_eraser(_erase_uploads))
gdpr.register(Document, exporter=_export_documents, eraser=_eraser(_erase_uploads))
gdpr.register(Folder, exporter=_export_folders, eraser=_eraser(_erase_folders))
