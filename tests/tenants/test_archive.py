"""Export and import of a portal: the round trip keeps content and files, bad archives are
refused with the reason, and a failing import leaves no portal, schema, domain or file."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import tarfile
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tenants.utils import schema_exists
from PIL import Image

from accounts.models import Role, User
from core.event_types import EventType
from core.models import AuditEvent
from news.models import Post
from tenants.models import Domain, Portal, PortalExport, PortalStatus
from tenants.services.archive import (
    ArchiveError,
    portal_export,
    portal_export_run,
    portal_import,
)
from tenants.services.provisioning import PortalProvisioning, schema_name_for
from tenants.storage import portal_media_root
from tests.accounts.factories import PASSWORD, UserFactory, staff_user
from tests.conftest import in_portal
from tests.news.factories import PostFactory
from themes.models import Theme
from themes.services import theme_set


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), (200, 30, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def _media_folders() -> set[str]:
    root = Path(settings.MEDIA_ROOT) / "portals"
    return {p.name for p in root.iterdir()} if root.exists() else set()


def _assert_nothing_left(subdomain: str, media_before: set[str]) -> None:
    assert not Portal.objects.filter(slug=subdomain).exists()
    assert not Domain.objects.filter(domain=f"{subdomain}.localhost").exists()
    assert not schema_exists(schema_name_for(subdomain))
    assert _media_folders() == media_before
    assert not AuditEvent.objects.filter(detail__subdomain=subdomain).exists()


@pytest.fixture
def alpha_content(db, portal_a):
    """Members, posts (one with an image) and a changed theme in portal A; files removed after."""
    png = _png()
    with in_portal(portal_a):
        anna = UserFactory(email="anna@example.org", display_name="Anna", role=Role.MODERATOR)
        bert = UserFactory(email="bert@example.org", display_name="Bert")
        with_image = PostFactory(author=anna, body="Mit Bild")
        with_image.image.save("bild.png", ContentFile(png))
        PostFactory(author=bert, body="Ohne Bild")
        theme_set(site_name="Alpha umbenannt", preset="dark", tagline="Neu", actor_label="tests")
        image_name = with_image.image.name
        emails = set(User.objects.values_list("email", flat=True))
    image_path = portal_media_root(portal_a) / image_name
    assert image_path.read_bytes() == png
    yield {"png": png, "image_name": image_name, "emails": emails}
    image_path.unlink(missing_ok=True)


@pytest.fixture
def cleanup_media():
    """Remove media folders that imports (in rolled-back transactions) wrote during the test."""
    before = _media_folders()
    yield
    for name in _media_folders() - before:
        shutil.rmtree(Path(settings.MEDIA_ROOT) / "portals" / name, ignore_errors=True)


def _assert_same_content(new_portal: Portal, content: dict) -> None:
    with in_portal(new_portal):
        assert set(User.objects.values_list("email", flat=True)) == content["emails"]
        anna = User.objects.get(email="anna@example.org")
        assert (anna.display_name, anna.role) == ("Anna", Role.MODERATOR)
        assert anna.check_password(PASSWORD)
        assert User.objects.get(email="bert@example.org").check_password(PASSWORD)
        posts = {p.body: p for p in Post.objects.select_related("author")}
        assert set(posts) == {"Mit Bild", "Ohne Bild"}
        assert posts["Ohne Bild"].author.email == "bert@example.org"
        assert posts["Mit Bild"].image.name == content["image_name"]
        theme = Theme.objects.get()
        assert (theme.site_name, theme.preset, theme.tagline) == ("Alpha umbenannt", "dark", "Neu")
        # Sequences continue after the imported rows.
        newcomer = UserFactory(email="newcomer@example.org")
        assert newcomer.pk > anna.pk
        with posts["Mit Bild"].image.open("rb") as handle:
            assert handle.read() == content["png"]
    image = portal_media_root(new_portal) / content["image_name"]
    assert image.read_bytes() == content["png"]


@pytest.mark.usefixtures("cleanup_media")
def test_export_then_import_keeps_members_posts_theme_and_files(portal_a, alpha_content, tmp_path):
    summary = portal_export(portal=portal_a, output=tmp_path / "alpha.tar.gz")
    assert summary.files == 1
    assert summary.path.stat().st_size == summary.size_bytes
    exported = AuditEvent.objects.get(portal=portal_a, event_type=EventType.PORTAL_EXPORTED)
    assert (exported.actor_id, exported.actor_label, exported.portal_name) == (
        None,
        "platform",
        portal_a.name,
    )
    assert exported.detail == {
        "path": str(summary.path),
        "rows": summary.rows,
        "files": 1,
    }

    result = portal_import(archive=summary.path, subdomain="alpha-kopie")

    new_portal = Portal.objects.get(slug="alpha-kopie")
    assert result.portal.pk == new_portal.pk
    assert new_portal.status == PortalStatus.ACTIVE
    assert new_portal.name == portal_a.name
    assert new_portal.plan == portal_a.plan
    assert new_portal.uid != portal_a.uid
    assert Domain.objects.get(tenant=new_portal, is_primary=True).domain == "alpha-kopie.localhost"
    imported = AuditEvent.objects.get(portal=new_portal)
    assert (imported.event_type, imported.actor_id, imported.actor_label) == (
        EventType.PORTAL_IMPORTED,
        None,
        "platform",
    )
    assert imported.detail == {"subdomain": "alpha-kopie", "plan": portal_a.plan_id}
    _assert_same_content(new_portal, alpha_content)


def test_export_requested_by_an_operator_names_them_in_the_audit_log(
    portal_a, alpha_content, settings, tmp_path
):
    settings.PORTAL_EXPORT_DIR = tmp_path / "exports"
    operator = staff_user()
    job = PortalExport.objects.create(portal=portal_a, requested_by=operator)

    portal_export_run(export_id=job.pk)

    job.refresh_from_db()
    assert job.status == PortalExport.Status.DONE
    assert Path(job.path).parent == tmp_path / "exports"
    exported = AuditEvent.objects.get(portal=portal_a, event_type=EventType.PORTAL_EXPORTED)
    assert (exported.actor, exported.actor_label) == (operator, "")
    assert exported.detail["path"] == job.path


def test_an_import_by_an_operator_names_them_in_the_audit_log(good_archive, cleanup_media):
    operator = staff_user()

    portal = portal_import(archive=good_archive, subdomain="alpha-operator", actor=operator).portal

    imported = AuditEvent.objects.get(portal=portal)
    assert (imported.event_type, imported.actor, imported.actor_label) == (
        EventType.PORTAL_IMPORTED,
        operator,
        "",
    )


@pytest.mark.usefixtures("cleanup_media")
def test_export_and_import_commands_round_trip(portal_a, alpha_content, tmp_path):
    archive = tmp_path / "cli" / "alpha.tar.gz"
    out = io.StringIO()
    call_command("export_portal", portal_a.slug, "--output", str(archive), stdout=out)
    assert "1 files" in out.getvalue()
    assert archive.exists()

    out = io.StringIO()
    call_command(
        "import_portal", str(archive), "--subdomain", "alpha-cli", "--name", "Alpha CLI", stdout=out
    )

    assert "at http://alpha-cli.localhost:8000/" in out.getvalue()
    new_portal = Portal.objects.get(slug="alpha-cli")
    assert new_portal.name == "Alpha CLI"
    _assert_same_content(new_portal, alpha_content)


@pytest.mark.django_db
def test_export_command_names_an_unknown_portal(tmp_path):
    with pytest.raises(CommandError) as excinfo:
        call_command("export_portal", "gibtsnicht", "--output", str(tmp_path / "x.tar.gz"))
    assert excinfo.value.returncode == 2
    assert "gibtsnicht" in str(excinfo.value)


# Bad archives ------------------------------------------------------------------------------


@pytest.fixture
def good_archive(db, portal_a, alpha_content, tmp_path) -> Path:
    return portal_export(portal=portal_a, output=tmp_path / "good.tar.gz").path


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}


def _write(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


def _with_manifest(members: dict[str, bytes], **changes) -> dict[str, bytes]:
    manifest = json.loads(members["manifest.json"])
    manifest.update(changes)
    return {**members, "manifest.json": json.dumps(manifest).encode()}


def _not_gzip(good: Path, tmp: Path) -> Path:
    path = tmp / "plain.tar.gz"
    path.write_bytes(b"this is not an archive\n" * 20)
    return path


def _truncated(good: Path, tmp: Path) -> Path:
    path = tmp / "truncated.tar.gz"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    return path


def _garbled(good: Path, tmp: Path) -> Path:
    data = bytearray(good.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0x5A for b in data[middle : middle + 64])
    path = tmp / "garbled.tar.gz"
    path.write_bytes(bytes(data))
    return path


def _bad_deflate_in_a_member(good: Path, tmp: Path) -> Path:
    # Valid gzip and tar headers, then a damaged compressed block inside a large media file:
    # the damage surfaces only while a member is read, not while the archive is opened.
    members = _members(good)
    members["media/big.bin"] = bytes(range(256)) * 800
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    raw = raw.getvalue()
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        cut = tar.getmember("media/big.bin").offset_data + 150_000
    deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = deflate.compress(raw[:cut]) + deflate.flush(zlib.Z_FULL_FLUSH)
    path = tmp / "baddeflate.tar.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + body + b"\xff" * 64)
    return path


def _gzip_not_tar(good: Path, tmp: Path) -> Path:
    path = tmp / "notatar.tar.gz"
    path.write_bytes(gzip.compress(b"just some text, not a tar file\n" * 50))
    return path


def _no_manifest(good: Path, tmp: Path) -> Path:
    members = _members(good)
    del members["manifest.json"]
    return _write(tmp / "nomanifest.tar.gz", members)


def _other_format_version(good: Path, tmp: Path) -> Path:
    return _write(tmp / "v2.tar.gz", _with_manifest(_members(good), format_version=2))


def _not_ours(good: Path, tmp: Path) -> Path:
    return _write(tmp / "other.tar.gz", _with_manifest(_members(good), format="something-else"))


def _foreign_migrations(good: Path, tmp: Path) -> Path:
    members = _members(good)
    migrations = json.loads(members["manifest.json"])["migrations"]
    assert "news.0001_initial" in migrations
    changed = [m for m in migrations if m != "news.0001_initial"] + ["news.0002_future"]
    return _write(tmp / "foreign.tar.gz", _with_manifest(members, migrations=changed))


def _tampered_data(good: Path, tmp: Path) -> Path:
    members = _members(good)
    members["data.json"] = members["data.json"].replace(b"Ohne Bild", b"Ohne BILD")
    return _write(tmp / "tampered.tar.gz", members)


def _tampered_media(good: Path, tmp: Path) -> Path:
    members = _members(good)
    (name,) = [n for n in members if n.startswith("media/")]
    members[name] = members[name] + b"x"
    return _write(tmp / "media.tar.gz", members)


def _malformed_file_list(good: Path, tmp: Path) -> Path:
    members = _members(good)
    files = [{"path": entry["path"]} for entry in json.loads(members["manifest.json"])["files"]]
    return _write(tmp / "files.tar.gz", _with_manifest(members, files=files))


def _parent_path(good: Path, tmp: Path) -> Path:
    members = _members(good)
    members["media/../../evil.txt"] = b"evil"
    return _write(tmp / "escape.tar.gz", members)


def _absolute_path(good: Path, tmp: Path) -> Path:
    members = _members(good)
    members["/tmp/evil.txt"] = b"evil"
    return _write(tmp / "absolute.tar.gz", members)


def _symlink(good: Path, tmp: Path) -> Path:
    path = tmp / "link.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, content in _members(good).items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
        link = tarfile.TarInfo("media/passwd")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tar.addfile(link)
    return path


BAD_ARCHIVES = {
    "not gzip": (_not_gzip, "is not a portal export"),
    "truncated": (_truncated, "damaged"),
    "garbled": (_garbled, "damaged|not a portal export|checksum"),
    "bad compressed block": (_bad_deflate_in_a_member, "The archive is damaged"),
    "gzip but not tar": (_gzip_not_tar, "is not a portal export"),
    "no manifest": (_no_manifest, "lacks manifest.json"),
    "other format version": (_other_format_version, "format version 2"),
    "not an allmende export": (_not_ours, "not an Allmende portal export"),
    "foreign migrations": (_foreign_migrations, "different version of Allmende"),
    "tampered data": (_tampered_data, "data.json does not match its checksum"),
    "tampered media": (_tampered_media, "does not match its checksum"),
    "malformed file list": (_malformed_file_list, "list of files is malformed"),
    "parent path": (_parent_path, "unexpected path: media/../../evil.txt"),
    "absolute path": (_absolute_path, "unexpected path"),
    "symlink": (_symlink, "link or device"),
}


@pytest.mark.usefixtures("cleanup_media")
@pytest.mark.parametrize("kind", BAD_ARCHIVES)
def test_bad_archive_is_refused_with_the_reason_and_nothing_is_created(
    kind, good_archive, tmp_path
):
    make, reason = BAD_ARCHIVES[kind]
    archive = make(good_archive, tmp_path)
    media_before = _media_folders()

    with pytest.raises(ArchiveError, match=reason):
        portal_import(archive=archive, subdomain="kaputt")

    _assert_nothing_left("kaputt", media_before)


def test_foreign_migrations_message_names_the_difference(good_archive, tmp_path):
    archive = _foreign_migrations(good_archive, tmp_path)
    with pytest.raises(ArchiveError) as excinfo:
        portal_import(archive=archive, subdomain="kaputt")
    message = str(excinfo.value)
    assert "lacks 1 migration(s) this version has, e.g. news.0001_initial" in message
    assert "1 migration(s) this version does not know, e.g. news.0002_future" in message


@pytest.mark.usefixtures("cleanup_media")
@pytest.mark.parametrize(
    "kind", ["not gzip", "truncated", "garbled", "bad compressed block", "tampered data"]
)
def test_import_command_refuses_a_corrupt_archive_with_exit_code_2(kind, good_archive, tmp_path):
    make, _reason = BAD_ARCHIVES[kind]
    archive = make(good_archive, tmp_path)
    media_before = _media_folders()

    with pytest.raises(CommandError) as excinfo:
        call_command("import_portal", str(archive), "--subdomain", "kaputt")

    assert excinfo.value.returncode == 2
    assert str(excinfo.value)
    _assert_nothing_left("kaputt", media_before)


@pytest.mark.django_db
def test_import_command_refuses_a_missing_file_and_a_taken_subdomain(
    portal_a, good_archive, tmp_path, english
):
    with pytest.raises(CommandError) as excinfo:
        call_command("import_portal", str(tmp_path / "missing.tar.gz"), "--subdomain", "neu")
    assert excinfo.value.returncode == 2
    assert "No such file" in str(excinfo.value)

    with pytest.raises(CommandError) as excinfo:
        call_command("import_portal", str(good_archive), "--subdomain", portal_a.slug)
    assert excinfo.value.returncode == 2
    assert "already taken" in str(excinfo.value)


@pytest.mark.usefixtures("cleanup_media")
def test_failure_after_data_was_loaded_leaves_no_portal_schema_or_files(good_archive, monkeypatch):
    loaded = {}
    original_populate = PortalProvisioning.step_populate

    def populate_and_look(self, template):
        original_populate(self, template)
        with in_portal(self.portal):
            loaded["posts"] = Post.objects.count()
        loaded["files"] = [p for p in portal_media_root(self.portal).rglob("*") if p.is_file()]

    def boom(self, template):
        raise RuntimeError("activation failed")

    monkeypatch.setattr(PortalProvisioning, "step_populate", populate_and_look)
    monkeypatch.setattr(PortalProvisioning, "step_activate", boom)
    media_before = _media_folders()

    with pytest.raises(RuntimeError, match="activation failed"):
        portal_import(archive=good_archive, subdomain="halb")

    assert loaded["posts"] == 2 and len(loaded["files"]) == 1  # the failure came after loading
    _assert_nothing_left("halb", media_before)
    assert not any(f.exists() for f in loaded["files"])
