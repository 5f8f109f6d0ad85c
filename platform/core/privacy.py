"""A member's data rights: download everything about them (GDPR Art. 15, 20) and delete their
account (Art. 17), built from what every app registered in `core.gdpr`.

Both work on the schema the connection is on and refuse (ValueError) an account loaded from
another schema: its id would name someone else here. Erasing is atomic: an eraser that fails
leaves the account as it was, files included. The last administrator cannot be erased.
"""

from __future__ import annotations

import io
import json
import logging
import shutil
import zipfile
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import MemberStatus, Role, User
from core import gdpr
from core.event_types import EventType
from core.permissions import is_portal_admin
from core.services import audit_record

logger = logging.getLogger(__name__)

# RFC 2606 reserves `.invalid`; an address without a dot in its domain is also refused by every
# sign-up form (EmailValidator), so nobody can claim a placeholder before it is used.
# accounts.models.User.__str__ recognises the suffix and shows "Former member".
ERASED_EMAIL_SUFFIX = "@invalid"


def erased_address(user: User) -> str:
    return f"deleted-{user.pk}{ERASED_EMAIL_SUFFIX}"


def is_erased(user: User) -> bool:
    return user.email.endswith(ERASED_EMAIL_SUFFIX)


def _check_schema(user: User) -> None:
    schema = getattr(connection, "schema_name", None)
    loaded = getattr(user, "loaded_schema", schema)
    if loaded != schema:
        raise ValueError(f"user is an account of schema {loaded}, the connection is on {schema}.")


def _language(user: User) -> str:
    languages = dict(settings.LANGUAGES)
    portal_language = getattr(getattr(connection, "tenant", None), "language", "")
    for language in (user.language, portal_language):
        if language in languages:
            return language
    return settings.LANGUAGE_CODE


def _place_files(value: Any, files: list[str]) -> Any:
    """`value` with each StoredFile replaced by its path in the archive, collected in `files`."""
    if isinstance(value, gdpr.StoredFile):
        path = PurePosixPath(value.name)
        if not value.name or path.is_absolute() or ".." in path.parts:
            return None
        if not default_storage.exists(value.name):
            logger.warning("Export: file %s is missing from the portal's storage", value.name)
            return None
        files.append(value.name)
        return f"files/{value.name}"
    if isinstance(value, list):
        return [_place_files(v, files) for v in value]
    if isinstance(value, dict):
        return {k: _place_files(v, files) for k, v in value.items()}
    return value


def _readme(user: User, now) -> str:
    site = getattr(getattr(connection, "tenant", None), "name", "") or settings.PLATFORM_DOMAIN
    paragraphs = [
        _("Your data from %(site)s") % {"site": site},
        _(
            "This archive holds everything %(site)s stores about your account %(email)s, "
            "as of %(date)s."
        )
        % {"site": site, "email": user.email, "date": date_format(now, "DATETIME_FORMAT")},
        _(
            "data.json: every record about you, grouped by kind (accounts.User is your account, "
            "news.Post your posts, core.AuditEvent what you did and what was done to your "
            "account). Times are in UTC."
        ),
        _("files/: the files you uploaded, such as the images of your posts."),
        _(
            "Nothing other members wrote is included, nor who they are: where an entry of the "
            "log concerns another person, it only says that it happened."
        ),
    ]
    return "\n\n".join(paragraphs) + "\n"


def member_data_export(*, user: User) -> bytes:
    """A ZIP of everything the registered apps hold about `user` in this schema: `data.json`
    (per model label, the rows), `README.txt` in the user's or the portal's language, and the
    user's files under `files/`. Records an audit row. A file missing from the storage is left
    out (and logged) rather than failing the whole export."""
    _check_schema(user)
    now = timezone.localtime()
    files: list[str] = []
    with translation.override(_language(user)):
        data = {
            entry.model._meta.label: _place_files(entry.exporter(user), files)
            for entry in gdpr.entries()
        }
        readme = _readme(user, now)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme)
        archive.writestr(
            "data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        )
        for name in dict.fromkeys(files):
            with (
                default_storage.open(name, "rb") as source,
                archive.open(f"files/{name}", "w") as target,
            ):
                shutil.copyfileobj(source, target)
    audit_record(
        event_type=EventType.MEMBER_DATA_EXPORTED,
        actor=user,
        obj=user,
        detail={"files": len(set(files))},
    )
    return buffer.getvalue()


def member_erase(*, user: User, keep_content: bool, actor: User | None = None) -> None:
    """Delete `user`'s account: every registered eraser runs, then the account itself is
    anonymised (placeholder address, no name, unusable password, blocked) and shows as "Former
    member". With `keep_content` their posts stay under that name; without, they and their
    files are deleted (the files once the transaction commits).

    `actor` is the administrator who erases someone else; None when members delete themselves.
    Raises PermissionDenied when `actor` is neither the user nor an administrator, and
    ValidationError for an account that is deleted already or the last active administrator.
    """
    _check_schema(user)
    if actor is not None and actor.pk != user.pk and not is_portal_admin(actor):
        raise PermissionDenied(_("Only administrators may delete other members' accounts."))
    with transaction.atomic():
        # Two administrators deleting each other at once must not leave the portal with none:
        # both lock the account and every active administrator, in the same order.
        active_admin = Q(role=Role.ADMIN, is_active=True, status=MemberStatus.ACTIVE)
        list(
            User.objects.select_for_update()
            .filter(Q(pk=user.pk) | active_admin)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        user.refresh_from_db()
        if is_erased(user):
            raise ValidationError(_("This account has been deleted already."))
        is_admin = User.objects.filter(active_admin, pk=user.pk).exists()
        if is_admin and not User.objects.filter(active_admin).exclude(pk=user.pk).exists():
            raise ValidationError(
                _(
                    "This is the portal's last administrator. Make another member an "
                    "administrator first, then delete this account."
                )
            )
        for entry in gdpr.entries():
            entry.eraser(user, keep_content=keep_content)
        audit_record(
            event_type=EventType.MEMBER_DELETED,
            actor=actor,
            actor_label="member",  # used only when members delete themselves
            obj=user,
            object_label=erased_address(user),
            detail={"content": "kept" if keep_content else "deleted"},
        )
