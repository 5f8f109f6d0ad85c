"""Spaces and memberships in a portal's schema, made directly (the services have their own
tests). Use inside `tenant_context(portal)` or pass `portal=` to have it entered for you."""

from __future__ import annotations

import itertools
from contextlib import nullcontext

from django_tenants.utils import tenant_context

from spaces.models import (
    JoinPolicy,
    MembershipStatus,
    Space,
    SpaceKind,
    SpaceMembership,
    SpaceRole,
    SpaceVisibility,
)

_numbers = itertools.count(1)


def space_of(
    portal=None,
    *,
    name: str | None = None,
    visibility: str = SpaceVisibility.PUBLIC,
    join_policy: str = JoinPolicy.OPEN,
    kind: str = SpaceKind.GROUP,
    admin=None,
    members=(),
    **fields,
) -> Space:
    """A space; `admin` becomes its space admin, `members` its active members."""
    with tenant_context(portal) if portal is not None else nullcontext():
        number = next(_numbers)
        space = Space.objects.create(
            name=name or f"Space {number}",
            slug=fields.pop("slug", f"space-{number}"),
            visibility=visibility,
            join_policy=join_policy,
            kind=kind,
            created_by=admin,
            **fields,
        )
        if admin is not None:
            join(space, admin, role=SpaceRole.ADMIN)
        for user in members:
            join(space, user)
        return space


def join(
    space: Space, user, *, role: str = SpaceRole.MEMBER, status: str = MembershipStatus.ACTIVE
):
    from django.utils import timezone

    return SpaceMembership.objects.create(
        space=space,
        user=user,
        role=role,
        status=status,
        joined_at=timezone.now() if status == MembershipStatus.ACTIVE else None,
    )
