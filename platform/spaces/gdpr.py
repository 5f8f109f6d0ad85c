"""Data rights for groups and projects (see core.gdpr).

The export has the member's memberships, requests and invitations (with the message they
wrote) and the spaces they started. Erasing deletes their memberships (a space whose last admin
they were is then answered for by the portal's admins) and forgets who started a space or sent
an invitation; the spaces themselves belong to all their members and stay.
"""

from __future__ import annotations

from core import gdpr
from spaces.models import Space, SpaceMembership


def _export_memberships(user) -> list[gdpr.Row]:
    return [
        {
            "space": m.space.name,
            "space_address": m.space.slug,
            "role": m.role,
            "status": m.status,
            "message": m.message,
            "created_at": m.created_at.isoformat(),
            "joined_at": m.joined_at.isoformat() if m.joined_at else None,
        }
        for m in SpaceMembership.objects.filter(user=user)
        .select_related("space")
        .order_by("created_at", "pk")
    ]


def _erase_memberships(user, *, keep_content: bool) -> None:
    # Follows of the spaces go with notifications' own eraser.
    SpaceMembership.objects.filter(user=user).delete()
    SpaceMembership.objects.filter(invited_by=user).update(invited_by=None)


def _export_spaces(user) -> list[gdpr.Row]:
    return [
        {
            "id": space.pk,
            "name": space.name,
            "address": space.slug,
            "kind": space.kind,
            "description": space.description,
            "image": gdpr.StoredFile(space.image) if space.image else None,
            "created_at": space.created_at.isoformat(),
        }
        for space in Space.objects.filter(created_by=user).order_by("created_at", "pk")
    ]


def _erase_spaces(user, *, keep_content: bool) -> None:
    Space.objects.filter(created_by=user).update(created_by=None)


gdpr.register(SpaceMembership, exporter=_export_memberships, eraser=_erase_memberships)
gdpr.register(Space, exporter=_export_spaces, eraser=_erase_spaces)
