"""Data rights for documents: the export carries the member's files, erasure with "delete
my content" removes them (rows and files), "keep" keeps everything."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from core.privacy import member_data_export, member_erase
from documents import services
from documents.models import Document, DocumentVersion, Folder
from tenants.storage import portal_media_root
from tests.conftest import in_portal
from tests.documents.conftest import PDF, upload

pytestmark = pytest.mark.django_db


def _files(portal) -> set[str]:
    root = portal_media_root(portal)
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _setup(cast):
    with in_portal(cast.portal):
        folder = services.folder_create(user=cast.member, space=cast.space, name="Meins")
        own = services.document_upload(
            user=cast.member, space=cast.space, folder=folder, file=upload("eigen.pdf", PDF)
        )
        shared = services.document_upload(
            user=cast.member, space=cast.space, folder=None, file=upload("geteilt.pdf", PDF)
        )
        services.version_add(user=cast.admin, document=shared, file=upload("admin.txt", b"a"))
        theirs = services.document_upload(
            user=cast.admin, space=cast.space, folder=None, file=upload("fremd.pdf", PDF)
        )
        services.version_add(user=cast.member, document=theirs, file=upload("zusatz.txt", b"z"))
    return folder, own, shared, theirs


def test_the_export_has_the_members_documents_and_files(cast):
    _setup(cast)
    with in_portal(cast.portal):
        archive = zipfile.ZipFile(io.BytesIO(member_data_export(user=cast.member)))
    data = json.loads(archive.read("data.json"))
    versions = data["documents.DocumentVersion"]
    assert sorted(v["file_name"] for v in versions) == ["eigen.pdf", "geteilt.pdf", "zusatz.txt"]
    stored = [n for n in archive.namelist() if n.startswith("files/documents/")]
    assert len(stored) == 3
    assert {f["name"] for f in data["documents.Folder"]} == {"Meins"}


def test_erasing_with_content_deleted_removes_their_files(cast, django_capture_on_commit_callbacks):
    folder, own, shared, theirs = _setup(cast)
    with in_portal(cast.portal):
        with django_capture_on_commit_callbacks(execute=True):
            member_erase(user=cast.member, keep_content=False)
        assert not Document.objects.filter(pk=own.pk).exists()
        # Others' versions stay, with the document they belong to.
        assert list(
            DocumentVersion.objects.filter(document=shared).values_list("original_name", flat=True)
        ) == ["admin.txt"]
        assert list(
            DocumentVersion.objects.filter(document=theirs).values_list("original_name", flat=True)
        ) == ["fremd.pdf"]
        assert not Folder.objects.filter(pk=folder.pk).exists()
    assert _files(cast.portal) == {"admin.txt", "fremd.pdf"}


def test_erasing_with_content_kept_keeps_everything(cast, django_capture_on_commit_callbacks):
    _setup(cast)
    with in_portal(cast.portal):
        with django_capture_on_commit_callbacks(execute=True):
            member_erase(user=cast.member, keep_content=True)
        assert DocumentVersion.objects.count() == 5
    assert len(_files(cast.portal)) == 5
