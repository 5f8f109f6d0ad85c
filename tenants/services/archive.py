"""Exporting a portal to one archive file and importing it as a new portal.

The archive is a gzip'd tar with `manifest.json` (format version, software versions, the
portal's applied migrations, checksums), `data.json` (every row of the portal's own tables,
serialised by Django with natural keys for content types and permissions) and `media/` (the
portal's files). It is portable between PostgreSQL versions.

Import refuses, with the reason and before touching the database, an archive that is corrupt,
not ours, of another format version, made at another migration state, or with unsafe member
names. The import itself is a provisioning run whose populate step loads the data, so it is as
atomic as provisioning: on any failure no portal, schema, domain or file remains.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
import tarfile
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from core.event_types import EventType
from core.services import audit_record
from tenants.models import Portal, PortalExport
from tenants.schemas import ensure_template
from tenants.services.provisioning import PortalProvisioning, ProvisionResult
from tenants.storage import portal_media_root

logger = logging.getLogger(__name__)

FORMAT = "allmende-portal-export"
FORMAT_VERSION = 1
# Recreated by every new schema (content types, permissions) or meaningless elsewhere (sessions).
EXCLUDED_MODELS = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
MAX_MANIFEST_BYTES = 10 * 1024 * 1024


class ArchiveError(ValueError):
    """The archive cannot be imported; the message says why."""


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    rows: int
    files: int
    size_bytes: int


def _app_version() -> str:
    try:
        from importlib.metadata import version

        return version("allmende")
    except Exception:
        return "unknown"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _portal_models() -> list:
    labels = {a.rsplit(".", 1)[-1] for a in settings.TENANT_APPS}
    shared_only = {a.rsplit(".", 1)[-1] for a in settings.SHARED_APPS} - labels
    models = []
    for config in apps.get_app_configs():
        if config.label in shared_only or config.name.rsplit(".", 1)[-1] not in labels:
            continue
        for model in config.get_models():
            if model._meta.label_lower in EXCLUDED_MODELS or not model._meta.managed:
                continue
            if model._meta.proxy:
                continue
            models.append(model)
    return serializers.sort_dependencies([(None, models)], allow_cycles=True)


def _applied_migrations(schema: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations ORDER BY app, name')
        rows = cursor.fetchall()
    connection.search_path_set_schemas = None
    return [f"{app}.{name}" for app, name in rows]


def portal_export(*, portal: Portal, output: Path, actor=None) -> ExportSummary:
    """Write the portal's data and files to `output` (replaced atomically when complete)."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    connection.set_tenant(portal)
    try:
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost:
                # One snapshot of the whole portal, even while members keep writing.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            objects = []
            counts = {}
            for model in _portal_models():
                rows = list(model._default_manager.order_by("pk"))
                counts[model._meta.label_lower] = len(rows)
                objects.extend(rows)
            data = serializers.serialize(
                "json", objects, use_natural_foreign_keys=True, use_natural_primary_keys=False
            ).encode()
    finally:
        connection.set_schema_to_public()

    media_root = portal_media_root(portal)
    media_files = (
        sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
    )
    file_entries = []
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "software": {"allmende": _app_version(), "django": django.get_version()},
        "portal": {
            "name": portal.name,
            "slug": portal.slug,
            "plan": portal.plan_id,
            "language": portal.language,
            "uid": str(portal.uid),
        },
        "migrations": _applied_migrations(portal.schema_name),
        "counts": counts,
        "data_sha256": _sha256(data),
        "files": file_entries,
    }
    fd, tmp_name = tempfile.mkstemp(dir=output.parent, prefix=".export-", suffix=".tmp")
    os.close(fd)
    try:
        with tarfile.open(tmp_name, "w:gz") as tar:
            for path in media_files:
                relative = path.relative_to(media_root).as_posix()
                content = path.read_bytes()
                file_entries.append(
                    {"path": relative, "sha256": _sha256(content), "size": len(content)}
                )
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2).encode())
            _add_bytes(tar, "data.json", data)
            for path in media_files:
                tar.add(
                    path,
                    arcname=f"media/{path.relative_to(media_root).as_posix()}",
                    recursive=False,
                )
        os.replace(tmp_name, output)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    audit_record(
        event_type=EventType.PORTAL_EXPORTED,
        actor=actor,
        actor_label="platform",
        portal=portal,
        obj=portal,
        detail={"path": str(output), "rows": sum(counts.values()), "files": len(media_files)},
    )
    return ExportSummary(
        path=output,
        rows=sum(counts.values()),
        files=len(media_files),
        size_bytes=output.stat().st_size,
    )


def _add_bytes(tar: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(time.time())
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(content))


def portal_export_run(*, export_id: int) -> None:
    """Run an export requested from the operator console and record its outcome. Runs once per
    request: a rerun (the task is redelivered when its worker died) skips a finished export, and
    otherwise writes the same file again, named by the request's time."""
    export = PortalExport.objects.select_related("portal").get(pk=export_id)
    if export.status != PortalExport.Status.PENDING:
        logger.info("Export %s skipped: it finished before (%s).", export_id, export.status)
        return
    stamp = export.created_at.strftime("%Y%m%d-%H%M%S")
    output = Path(settings.PORTAL_EXPORT_DIR) / f"{export.portal.slug}-{stamp}.tar.gz"
    try:
        summary = portal_export(portal=export.portal, output=output, actor=export.requested_by)
    except Exception as exc:
        logger.exception("Export %s of portal %s failed.", export_id, export.portal.schema_name)
        export.status, export.error = PortalExport.Status.FAILED, str(exc)[:2000]
    else:
        export.status, export.path, export.size_bytes = (
            PortalExport.Status.DONE,
            str(summary.path),
            summary.size_bytes,
        )
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "path", "size_bytes", "error", "finished_at"])


@dataclass
class _Archive:
    manifest: dict
    data: bytes
    media: dict[str, bytes]


def _safe_member_path(name: str) -> str | None:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not name.startswith("media/"):
        return None
    relative = PurePosixPath(*path.parts[1:])
    return relative.as_posix() if relative.parts else None


def read_archive(path: Path) -> _Archive:
    """Parse and verify an export archive completely. Raises ArchiveError with the reason."""
    try:
        tar = tarfile.open(path, "r:gz")  # noqa: SIM115 (closed by the with-block below)
    except FileNotFoundError as exc:
        raise ArchiveError(f"No such file: {path}") from exc
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ArchiveError(
            f"{path} is not a portal export (not a readable .tar.gz: {exc})."
        ) from exc
    manifest_raw, data, media = None, None, {}
    try:
        with tar:
            for member in tar:
                if not member.isfile():
                    if member.isdir():
                        continue
                    raise ArchiveError(f"The archive contains a link or device: {member.name}.")
                if member.name == "manifest.json":
                    if member.size > MAX_MANIFEST_BYTES:
                        raise ArchiveError("The manifest is implausibly large.")
                    manifest_raw = tar.extractfile(member).read()
                elif member.name == "data.json":
                    data = tar.extractfile(member).read()
                else:
                    relative = _safe_member_path(member.name)
                    if relative is None:
                        raise ArchiveError(
                            f"The archive contains an unexpected path: {member.name}."
                        )
                    media[relative] = tar.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        # zlib.error: a damaged compressed block inside a member, met only while reading it.
        raise ArchiveError(f"The archive is damaged: {exc}.") from exc
    if manifest_raw is None or data is None:
        raise ArchiveError(
            "The archive lacks manifest.json or data.json: it is not a portal export."
        )
    try:
        manifest = json.loads(manifest_raw)
    except ValueError as exc:
        raise ArchiveError(f"The manifest is not valid JSON: {exc}.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError("The archive is not an Allmende portal export.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArchiveError(
            f"The archive has format version {manifest.get('format_version')}; this installation "
            f"reads version {FORMAT_VERSION}."
        )
    if _sha256(data) != manifest.get("data_sha256"):
        raise ArchiveError("data.json does not match its checksum: the archive is damaged.")
    files = manifest.get("files", [])
    if not isinstance(files, list) or not all(
        isinstance(f, dict) and isinstance(f.get("path"), str) and isinstance(f.get("sha256"), str)
        for f in files
    ):
        raise ArchiveError("The manifest's list of files is malformed.")
    listed = {f["path"]: f["sha256"] for f in files}
    if set(listed) != set(media):
        raise ArchiveError("The media files do not match the manifest's list.")
    for relative, content in media.items():
        if _sha256(content) != listed[relative]:
            raise ArchiveError(f"media/{relative} does not match its checksum.")
    return _Archive(manifest=manifest, data=data, media=media)


def _check_migration_state(manifest: dict) -> None:
    template = ensure_template()
    expected = set(_applied_migrations(template))
    found = set(manifest.get("migrations") or [])
    if found != expected:
        missing, unknown = sorted(expected - found), sorted(found - expected)
        parts = []
        if missing:
            parts.append(
                f"it lacks {len(missing)} migration(s) this version has, e.g. {missing[0]}"
            )
        if unknown:
            parts.append(
                f"it has {len(unknown)} migration(s) this version does not know, e.g. {unknown[0]}"
            )
        raise ArchiveError(
            "The archive was made by a different version of Allmende (" + "; ".join(parts) + "). "
            "Import it into an installation at the same version, then migrate."
        )


def portal_import(
    *, archive: Path, subdomain: str, name: str | None = None, actor=None
) -> ProvisionResult:
    """Create a new portal at `subdomain` from an export archive."""
    started = time.perf_counter()
    parsed = read_archive(Path(archive))
    _check_migration_state(parsed.manifest)
    source = parsed.manifest.get("portal", {})

    provisioning = None

    def populate(portal: Portal) -> None:
        # Saved one by one as deserialised: a natural key (a post's author) resolves only
        # against rows already saved; what still cannot resolve is filled in afterwards.
        models, deferred = set(), []
        for obj in serializers.deserialize("json", parsed.data, handle_forward_references=True):
            obj.save()
            models.add(type(obj.object))
            if obj.deferred_fields:
                deferred.append(obj)
        for obj in deferred:
            obj.save_deferred_fields()
        statements = connection.ops.sequence_reset_sql(no_style(), list(models))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
        media_root = portal_media_root(portal)
        provisioning.on_rollback(lambda: shutil.rmtree(media_root, ignore_errors=True))
        for relative, content in parsed.media.items():
            target = media_root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)

    provisioning = PortalProvisioning(
        name=name or source.get("name") or subdomain,
        subdomain=subdomain,
        plan=source.get("plan", "community"),
        language=source.get("language", "de"),
        populate=populate,
        event=EventType.PORTAL_IMPORTED,
        actor=actor,
    )
    portal = provisioning.execute()
    return ProvisionResult(portal=portal, admin_email=None, seconds=time.perf_counter() - started)
