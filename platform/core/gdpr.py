"""The data-rights registry: every model that stores something about a person says here how to
export it (GDPR Art. 15, 20) and how to erase it (Art. 17).

Each app has a `gdpr` module (imported by `CoreConfig.ready`) that calls `register(model,
exporter=…, eraser=…)` for each of its models with a relation to the user model. An exporter
returns rows about the user (JSON values; a file in the portal's media storage as `StoredFile`);
an eraser removes or anonymises them, keeping or deleting the content the person wrote as they
chose. `tests/core/test_gdpr.py` walks every installed model and fails on one with a relation to
the user that is neither registered nor in `EXEMPT` with a reason, so a new module cannot forget
its part. Registering a model twice, or one that is exempt, is an ImproperlyConfigured at start-up.
The services that use the registry are in `core.privacy`.

This module also registers what no app of ours owns or what lives in the public schema only:
the audit log (core.AuditEvent), the operator console's admin log (admin.LogEntry), portal
exports (tenants.PortalExport.requested_by) and module grants (features.FeatureGrant.granted_by),
the last two being about platform staff. Their rows are the platform's record and stay; the
foreign key then names the anonymised account, which holds nothing personal. (They are here
because tenants and features have no `gdpr` module yet; they can move there unchanged.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.db import connection, models, router, transaction
from django.db.models import Q
from django_tenants.utils import tenant_context

from core.models import AuditEvent

Row = dict[str, Any]
Exporter = Callable[[Any], list[Row]]
Eraser = Callable[..., None]

# Models with a relation to the user that need no exporter or eraser of their own, and why.
# A label here that stops naming an installed model fails the walking test.
EXEMPT: dict[str, str] = {
    "auth.Group": (
        "The catalogue of groups, shared by everyone. A user's memberships (User.groups) are "
        "exported and cleared with accounts.User."
    ),
    "auth.Permission": (
        "The catalogue of permissions, shared by everyone. A user's own permissions "
        "(User.user_permissions) are exported and cleared with accounts.User."
    ),
    "sessions.Session": (
        "No foreign key: a session holds the account id and a digest of its password hash. "
        "Erasing makes the password unusable and the account inactive, so Django refuses and "
        "flushes each of the account's sessions at its next request; expired rows go with "
        "clearsessions. Nothing in a session is worth exporting."
    ),
}


@dataclass(frozen=True)
class StoredFile:
    """A file in the current portal's media storage (`default_storage`), by its stored name.
    An exporter puts it in a row; the export ZIP carries the file under `files/` and the row
    names that path."""

    name: str


@dataclass(frozen=True)
class Entry:
    model: type[models.Model]
    exporter: Exporter
    eraser: Eraser


_registry: dict[str, Entry] = {}


def register(model: type[models.Model], *, exporter: Exporter, eraser: Eraser) -> None:
    """Declare how `model`'s rows about a user are exported and erased.

    `exporter(user) -> list[dict]`; `eraser(user, *, keep_content: bool) -> None`, run inside the
    erasing transaction, before the user's own row is anonymised (so it still sees their e-mail
    address). Raises ImproperlyConfigured for a model registered twice or listed in EXEMPT.
    """
    label = model._meta.label
    if label in _registry:
        raise ImproperlyConfigured(f"{label} is registered for data rights twice.")
    if label in EXEMPT:
        raise ImproperlyConfigured(f"{label} is registered for data rights and also exempt.")
    _registry[label] = Entry(model=model, exporter=exporter, eraser=eraser)


def keep(user, *, keep_content: bool) -> None:
    """An eraser for rows that stay as the portal's record: they hold nothing personal beyond
    the foreign key, which then names the anonymised account."""


def entries() -> list[Entry]:
    """The registered models that have a table in the current schema, the user model last
    (its eraser anonymises the account; every other eraser must run while it is intact)."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    present = [
        e for e in _registry.values() if router.allow_migrate_model(connection.alias, e.model)
    ]
    return sorted(present, key=lambda e: e.model is user_model)


def registered_labels() -> set[str]:
    return set(_registry)


def _is_user_model(model: Any) -> bool:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return isinstance(model, type) and model._meta.concrete_model is user_model


def user_related_models(candidates: Iterable[type[models.Model]] | None = None) -> list[str]:
    """Labels of the models (default: every installed one) that are the user model or have a
    relation to it in either direction: a foreign key, one-to-one or many-to-many of theirs, or
    one of the user model's pointing at them."""
    candidates = apps.get_models() if candidates is None else candidates
    found = []
    for model in candidates:
        if _is_user_model(model) or any(
            field.is_relation and _is_user_model(field.related_model)
            for field in model._meta.get_fields(include_hidden=True)
        ):
            found.append(model._meta.label)
    return sorted(found)


def uncovered_models(candidates: Iterable[type[models.Model]] | None = None) -> list[str]:
    """The user-related models that are neither registered nor exempt: each is a gap in what a
    member's export shows and their erasure removes."""
    covered = registered_labels() | set(EXEMPT)
    return [label for label in user_related_models(candidates) if label not in covered]


def files_delete_on_commit(names: Iterable[str]) -> None:
    """Delete these files of the current portal's media storage once the transaction commits
    (a rolled-back erasure keeps them). The portal is captured now: by commit time the
    connection may be back in public."""
    names = [n for n in names if n]
    tenant = getattr(connection, "tenant", None)
    if not names or tenant is None:
        return

    def delete() -> None:
        with tenant_context(tenant):
            for name in names:
                default_storage.delete(name)

    transaction.on_commit(delete)


def audit_forget_objects(*, object_type: str, object_ids: Iterable[Any]) -> None:
    """Blank the label of audit rows about objects that are being deleted with a person's
    content (a post's label is the start of its text); the rows themselves stay."""
    ids = [str(i) for i in object_ids]
    if ids:
        AuditEvent.objects.filter(object_type=object_type, object_id__in=ids).update(
            object_label=""
        )


EMAIL_PATTERN = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
REDACTED = "[removed]"


def redact_other_emails(value: Any, *, own: str) -> Any:
    """`value` (a JSON value) with every e-mail address other than `own` replaced by REDACTED:
    an export shows what a person did, never whom else it named."""
    if isinstance(value, str):
        return EMAIL_PATTERN.sub(
            lambda m: m.group(0) if m.group(0).lower() == own.lower() else REDACTED, value
        )
    if isinstance(value, list):
        return [redact_other_emails(v, own=own) for v in value]
    if isinstance(value, dict):
        return {k: redact_other_emails(v, own=own) for k, v in value.items()}
    return value


def _redact_emails(value: Any) -> Any:
    return redact_other_emails(value, own="")


def _scrub(value: Any, needles: list[str]) -> Any:
    """`value` (a JSON value) with every occurrence of the needles removed (case-insensitive)."""
    if isinstance(value, str):
        for needle in needles:
            value = re.sub(re.escape(needle), REDACTED, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [_scrub(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, needles) for k, v in value.items()}
    return value


def _about(user) -> Q:
    """Audit rows whose object is the user's account."""
    return Q(object_type=user._meta.label_lower, object_id=str(user.pk))


def _audit_export(user) -> list[Row]:
    rows = []
    for event in AuditEvent.objects.filter(Q(actor=user) | _about(user)).order_by("created_at"):
        acted = event.actor_id == user.pk
        about_other_account = (
            event.object_type == user._meta.label_lower and event.object_id != str(user.pk)
        )
        row: Row = {
            "as": "actor" if acted else "subject",
            "when": event.created_at.isoformat(),
            "event": event.event_type,
            "event_label": str(event.event_label),
            "object_type": event.object_type,
        }
        # What the user did to another account names that person: only that it happened.
        if not about_other_account:
            row["object"] = redact_other_emails(event.object_label, own=user.email)
            row["detail"] = redact_other_emails(event.detail, own=user.email)
        rows.append(row)
    return rows


def _audit_erase(user, *, keep_content: bool) -> None:
    # The rows stay: they are the portal's record of what happened, and `actor` then names the
    # anonymised account. What they say about the person goes: in rows about their account the
    # label (their name or address), their name and every address (an earlier one of theirs,
    # too); elsewhere their address wherever it was written down.
    needles = [n for n in (user.email, user.display_name) if n]
    for event in AuditEvent.objects.filter(_about(user)):
        event.object_label = ""
        event.detail = _scrub(_redact_emails(event.detail), needles)
        event.save(update_fields=["object_label", "detail"])
    mentions = AuditEvent.objects.filter(
        Q(object_label__icontains=user.email)
        | Q(actor_label__icontains=user.email)
        | Q(detail__icontains=user.email)
    )
    for event in mentions:
        event.object_label = _scrub(event.object_label, [user.email])
        event.actor_label = _scrub(event.actor_label, [user.email])
        event.detail = _scrub(event.detail, [user.email])
        event.save(update_fields=["object_label", "actor_label", "detail"])


def _log_entry_export(user) -> list[Row]:
    user_type = ContentType.objects.get_for_model(user, for_concrete_model=True)
    about = Q(content_type=user_type, object_id=str(user.pk))
    rows = []
    for entry in LogEntry.objects.filter(Q(user=user) | about).select_related("content_type"):
        about_other_account = entry.content_type_id == user_type.pk and entry.object_id != str(
            user.pk
        )
        row: Row = {
            "as": "actor" if entry.user_id == user.pk else "subject",
            "when": entry.action_time.isoformat(),
            "action": {1: "added", 2: "changed", 3: "deleted"}.get(entry.action_flag, ""),
            "object_type": entry.content_type.natural_key() if entry.content_type else None,
        }
        if not about_other_account:
            row["object"] = redact_other_emails(entry.object_repr, own=user.email)
            row["change"] = redact_other_emails(entry.change_message, own=user.email)
        rows.append(row)
    return rows


def _log_entry_erase(user, *, keep_content: bool) -> None:
    user_type = ContentType.objects.get_for_model(user, for_concrete_model=True)
    LogEntry.objects.filter(content_type=user_type, object_id=str(user.pk)).update(object_repr="")
    for entry in LogEntry.objects.filter(
        Q(object_repr__icontains=user.email) | Q(change_message__icontains=user.email)
    ):
        entry.object_repr = _scrub(entry.object_repr, [user.email])
        entry.change_message = _scrub(entry.change_message, [user.email])
        entry.save(update_fields=["object_repr", "change_message"])


def _portal_export_export(user) -> list[Row]:
    model = apps.get_model("tenants", "PortalExport")
    return [
        {
            "portal": export.portal.name,
            "status": export.status,
            "requested_at": export.created_at.isoformat(),
            "finished_at": export.finished_at.isoformat() if export.finished_at else None,
        }
        for export in model.objects.filter(requested_by=user).select_related("portal")
    ]


def _feature_grant_export(user) -> list[Row]:
    model = apps.get_model("features", "FeatureGrant")
    return [
        {
            "portal": grant.portal.name,
            "feature": grant.feature,
            "until": grant.expires_at.isoformat(),
            "note": redact_other_emails(grant.note, own=user.email),
            "granted_at": grant.created_at.isoformat(),
        }
        for grant in model.objects.filter(granted_by=user).select_related("portal")
    ]


register(AuditEvent, exporter=_audit_export, eraser=_audit_erase)
register(LogEntry, exporter=_log_entry_export, eraser=_log_entry_erase)
register(apps.get_model("tenants", "PortalExport"), exporter=_portal_export_export, eraser=keep)
register(apps.get_model("features", "FeatureGrant"), exporter=_feature_grant_export, eraser=keep)
