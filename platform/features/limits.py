"""Plan limits: members, storage. Enforced where things are created; nothing existing is touched.

A portal over a limit (after a downgrade or a plan edit) keeps all its data; it only cannot add
more until it is back within the limit, and its admins see a warning.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from features.selectors import portal_features


def _is_portal(portal) -> bool:
    return getattr(portal, "pk", None) is not None and hasattr(portal, "plan_id")


def member_count() -> int:
    from accounts.models import User

    return User.objects.filter(is_active=True).count()


def storage_used_bytes(portal) -> int:
    from tenants.storage import portal_media_root

    root = portal_media_root(portal)
    if not root.exists():
        return 0
    return sum(p.stat().st_size for p in Path(root).rglob("*") if p.is_file())


def check_member_limit(portal) -> None:
    """Raise ValidationError if the portal (current schema) cannot take another member."""
    if not _is_portal(portal):
        return
    limit = portal_features(portal).limits.max_members
    if limit is not None and member_count() >= limit:
        raise ValidationError(
            _(
                "This portal has reached its limit of %(limit)d members. Existing members stay; "
                "to add more, the portal needs a larger plan."
            )
            % {"limit": limit}
        )


def check_storage(portal, incoming_bytes: int) -> None:
    """Raise ValidationError if storing `incoming_bytes` more would exceed the quota."""
    if not _is_portal(portal):
        return
    quota = portal_features(portal).limits.storage_mb * 1024 * 1024
    used = storage_used_bytes(portal)
    if used + incoming_bytes > quota:
        raise ValidationError(
            _(
                "This upload (%(size).1f MB) does not fit: the portal uses %(used).1f of %(quota)d MB. "
                "Nothing was saved."
            )
            % {"size": incoming_bytes / 1048576, "used": used / 1048576, "quota": quota // 1048576}
        )


def limit_warnings(portal) -> list[str]:
    """Messages for admins about limits the portal is over (it keeps its data)."""
    from django_tenants.utils import tenant_context

    from features.selectors import load_portal_features

    features, _ttl = load_portal_features(portal)
    warnings = []
    with tenant_context(portal):
        members = member_count()
    if features.limits.max_members is not None and members > features.limits.max_members:
        warnings.append(
            _(
                "The portal has %(count)d members; its plan allows %(limit)d. Everyone stays, but "
                "nobody new can join until a larger plan is chosen."
            )
            % {"count": members, "limit": features.limits.max_members}
        )
    used_mb = storage_used_bytes(portal) / 1048576
    if used_mb > features.limits.storage_mb:
        warnings.append(
            _(
                "The portal stores %(used).0f MB; its plan allows %(quota)d MB. All files stay, but "
                "new uploads are refused."
            )
            % {"used": used_mb, "quota": features.limits.storage_mb}
        )
    return warnings


def check_storage_here(incoming_bytes: int) -> None:
    """`check_storage` for the portal whose schema the connection is in (nothing outside one)."""
    from django.db import connection

    check_storage(getattr(connection, "tenant", None), incoming_bytes)
