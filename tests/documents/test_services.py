"""Uploads, versions, deletion and purging, through the services."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.event_types import EventType
from core.models import AuditEvent
from documents import services
from documents.models import Document, DocumentVersion, Folder
from features.models import Plan
from notifications.models import Notification
from notifications.services import follow
from tenants.storage import portal_media_root
from tests.conftest import in_portal
from tests.documents.conftest import PDF, upload

pytestmark = pytest.mark.django_db


def _stored_files(portal) -> list[Path]:
    root = portal_media_root(portal)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _edit_plan(capture, **changes) -> None:
    plan = Plan.objects.get(key="professional")
    for field, value in changes.items():
        setattr(plan, field, value)
    with capture(execute=True):
        plan.save()


def test_upload_stores_the_file_under_a_random_path_with_its_real_type(cast):
    with in_portal(cast.portal):
        document = services.document_upload(
            user=cast.member,
            space=cast.space,
            folder=None,
            file=upload("../../Bericht 2026.html", PDF, "text/html"),
            title="",
        )
        version = document.versions.get()
        assert AuditEvent.objects.filter(
            event_type=EventType.DOCUMENT_UPLOADED, object_id=str(document.pk)
        ).exists()

    assert document.title == "Bericht 2026.html"
    assert version.number == 1
    assert version.content_type == "application/pdf"
    assert version.size == len(PDF)
    assert version.sha256 == hashlib.sha256(PDF).hexdigest()
    assert version.original_name == "Bericht 2026.html"
    parts = version.file.name.split("/")
    assert parts[0] == "documents" and len(parts[1]) == 32 and parts[2] == "bericht-2026.pdf"
    assert (portal_media_root(cast.portal) / version.file.name).read_bytes() == PDF


def test_upload_over_the_quota_is_refused_and_nothing_is_stored(
    cast, django_capture_on_commit_callbacks, english
):
    _edit_plan(django_capture_on_commit_callbacks, storage_mb=1)
    with in_portal(cast.portal):
        with pytest.raises(ValidationError) as refused:
            services.document_upload(
                user=cast.member,
                space=cast.space,
                folder=None,
                file=upload("gross.bin", b"\1" * (1024 * 1024 + 1)),
                title="Zu groß",
            )
        assert not Document.objects.exists()
        assert not DocumentVersion.objects.exists()

    assert "does not fit" in " ".join(refused.value.message_dict["file"])
    assert _stored_files(cast.portal) == []


def test_files_already_stored_count_against_the_quota(cast, django_capture_on_commit_callbacks):
    _edit_plan(django_capture_on_commit_callbacks, storage_mb=1)
    with in_portal(cast.portal):
        services.document_upload(
            user=cast.member,
            space=cast.space,
            folder=None,
            file=upload("a.bin", b"\1" * (700 * 1024)),
        )
        with pytest.raises(ValidationError):
            services.document_upload(
                user=cast.member,
                space=cast.space,
                folder=None,
                file=upload("b.bin", b"\2" * (700 * 1024)),
            )
        assert Document.objects.count() == 1
    assert len(_stored_files(cast.portal)) == 1


def test_a_file_over_the_size_limit_is_refused_without_reading_it_whole(cast, monkeypatch, english):
    monkeypatch.setattr(services, "MAX_FILE_BYTES", 1000)
    with in_portal(cast.portal), pytest.raises(ValidationError) as refused:
        services.document_upload(
            user=cast.member, space=cast.space, folder=None, file=upload("x.bin", b"x" * 1001)
        )
    assert "limit" in " ".join(refused.value.message_dict["file"])
    assert _stored_files(cast.portal) == []


@pytest.mark.parametrize("data", [b"", None])
def test_no_file_or_an_empty_one_is_refused(cast, data):
    file = None if data is None else upload("leer.txt", data)
    with in_portal(cast.portal), pytest.raises(ValidationError) as refused:
        services.document_upload(user=cast.member, space=cast.space, folder=None, file=file)
    assert "file" in refused.value.message_dict


def test_only_active_members_of_an_unarchived_space_upload(cast):
    with in_portal(cast.portal):
        with pytest.raises(PermissionDenied):
            services.document_upload(
                user=cast.outsider, space=cast.space, folder=None, file=upload("a.pdf", PDF)
            )
        cast.space.archived_at = timezone.now()
        cast.space.save()
        with pytest.raises(PermissionDenied):
            services.document_upload(
                user=cast.member, space=cast.space, folder=None, file=upload("a.pdf", PDF)
            )
        assert not Document.objects.exists()


def test_followers_of_the_space_are_told_about_an_upload(cast):
    with in_portal(cast.portal):
        follow(user=cast.admin, target=cast.space)
        follow(user=cast.outsider, target=cast.space)  # cannot read documents: nothing
        document = services.document_upload(
            user=cast.member, space=cast.space, folder=None, file=upload("a.pdf", PDF)
        )
        told = set(
            Notification.objects.filter(event_type=EventType.DOCUMENT_UPLOADED).values_list(
                "recipient", flat=True
            )
        )
    assert told == {cast.admin.pk}
    assert document.pk


def test_versions_are_numbered_and_keep_every_file(cast):
    with in_portal(cast.portal):
        document = services.document_upload(
            user=cast.member, space=cast.space, folder=None, file=upload("v1.pdf", PDF)
        )
        second = services.version_add(
            user=cast.admin, document=document, file=upload("v2.txt", b"zweite Fassung")
        )
        numbers = list(document.versions.values_list("number", flat=True))
        assert AuditEvent.objects.filter(event_type=EventType.DOCUMENT_VERSION_ADDED).count() == 1

    assert second.number == 2 and second.content_type == "text/plain"
    assert numbers == [2, 1]
    assert len(_stored_files(cast.portal)) == 2


def test_uploader_space_admin_and_moderators_delete_others_do_not(cast):
    with in_portal(cast.portal):
        document = services.document_upload(
            user=cast.member, space=cast.space, folder=None, file=upload("a.pdf", PDF)
        )
        other = services.document_upload(
            user=cast.member, space=cast.space, folder=None, file=upload("b.pdf", PDF)
        )
        with pytest.raises(PermissionDenied):
            services.document_delete(user=cast.outsider, document=document)
        services.document_delete(user=cast.member, document=document)
        services.document_delete(user=cast.admin, document=other)
        document.refresh_from_db()
        assert document.deleted_at is not None
        assert AuditEvent.objects.filter(event_type=EventType.DOCUMENT_DELETED).count() == 2
    # Soft delete: the files stay until the purge.
    assert len(_stored_files(cast.portal)) == 2


def test_purge_removes_documents_deleted_long_ago_with_their_files(
    cast, django_capture_on_commit_callbacks
):
    with in_portal(cast.portal):
        old = services.document_upload(
            user=cast.member, space=cast.space, folder=None, file=upload("alt.pdf", PDF)
        )
        recent = services.document_upload(
            user=cast.member, space=cast.space, folder=None, file=upload("neu.pdf", PDF)
        )
        Document.objects.filter(pk=old.pk).update(
            deleted_at=timezone.now() - services.PURGE_AFTER - timedelta(days=1)
        )
        Document.objects.filter(pk=recent.pk).update(deleted_at=timezone.now())
        with django_capture_on_commit_callbacks(execute=True):
            assert services.documents_purge() == 1
        assert list(Document.objects.values_list("pk", flat=True)) == [recent.pk]
    assert [p.name for p in _stored_files(cast.portal)] == ["neu.pdf"]


def test_folders_are_created_and_only_empty_ones_deleted(cast):
    with in_portal(cast.portal):
        folder = services.folder_create(user=cast.member, space=cast.space, name="  Protokolle ")
        services.document_upload(
            user=cast.member, space=cast.space, folder=folder, file=upload("a.pdf", PDF)
        )
        with pytest.raises(ValidationError):
            services.folder_delete(user=cast.member, folder=folder)
        empty = services.folder_create(user=cast.member, space=cast.space, name="Leer")
        with pytest.raises(PermissionDenied):
            services.folder_delete(user=cast.outsider, folder=empty)
        services.folder_delete(user=cast.admin, folder=empty)
        assert list(Folder.objects.values_list("name", flat=True)) == ["Protokolle"]
        assert AuditEvent.objects.filter(event_type=EventType.FOLDER_CREATED).count() == 2
        assert AuditEvent.objects.filter(event_type=EventType.FOLDER_DELETED).count() == 1


def test_a_folder_of_another_space_is_refused(cast):
    from tests.spaces.factories import space_of

    with in_portal(cast.portal):
        elsewhere = space_of(admin=cast.member)
        folder = services.folder_create(user=cast.member, space=elsewhere, name="Fremd")
        with pytest.raises(ValidationError):
            services.document_upload(
                user=cast.member, space=cast.space, folder=folder, file=upload("a.pdf", PDF)
            )


def test_the_purge_task_runs_in_the_portal_it_is_sent_to(cast, django_capture_on_commit_callbacks):
    from documents.tasks import purge_deleted

    with in_portal(cast.portal):
        old = services.document_upload(
            user=cast.member, space=cast.space, folder=None, file=upload("alt.pdf", PDF)
        )
        Document.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timedelta(days=60))
        with django_capture_on_commit_callbacks(execute=True):
            assert purge_deleted.apply().get() == 1
        assert not Document.objects.exists()
