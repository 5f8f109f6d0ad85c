"""Which spaces a person may see, and what they may do in one: the one place that decides.

`spaces_visible_to(user=...)` is registered with core.visibility; every list, page, feed,
search result, API answer, export and notification about a space or its content starts from
it. Rules:
- the `spaces` module off: nothing (content stays, it is only hidden);
- visitors: public spaces, none on a members-only portal;
- members: public and members-only spaces, and private spaces they belong to or are invited to;
- the portal's moderators and administrators: every space (they answer for the whole portal
  and moderate reported content in context).
`spaces_listed_for` narrows that for listings and search: a private space is listed only to
its own members, never to anyone else (not even the portal's staff, who reach it by its page).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Role
from features.selectors import enabled_here
from spaces.models import (
    MembershipStatus,
    Space,
    SpaceMembership,
    SpaceRole,
    SpaceVisibility,
)

FEATURE = "spaces"


def is_portal_staff(user) -> bool:
    """Portal moderators and administrators (active accounts)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.role in (Role.MODERATOR, Role.ADMIN)
    )


def _is_member(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _belongs(user, statuses=(MembershipStatus.ACTIVE, MembershipStatus.INVITED)):
    return Exists(
        SpaceMembership.objects.filter(space=OuterRef("pk"), user=user, status__in=statuses)
    )


def spaces_visible_to(*, user) -> QuerySet[Space]:
    spaces = Space.objects.all()
    if not enabled_here(FEATURE):
        return spaces.none()
    if not _is_member(user):
        from accounts.selectors import membership_policy

        if membership_policy().members_only:
            return spaces.none()
        return spaces.filter(visibility=SpaceVisibility.PUBLIC)
    if is_portal_staff(user):
        return spaces
    return spaces.filter(~Q(visibility=SpaceVisibility.PRIVATE) | _belongs(user))


def spaces_listed_for(*, user) -> QuerySet[Space]:
    """What listings, suggestions and search show: visible, and private only to its members."""
    spaces = spaces_visible_to(user=user)
    if not _is_member(user):
        return spaces
    return spaces.filter(~Q(visibility=SpaceVisibility.PRIVATE) | _belongs(user))


def space_for(*, user, slug: str) -> Space:
    """The space at `slug` if `user` may see it; Http404 otherwise (missing or not visible)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(spaces_visible_to(user=user), slug=slug)


def membership_of(*, user, space: Space) -> SpaceMembership | None:
    if not _is_member(user):
        return None
    return SpaceMembership.objects.filter(space=space, user=user).first()


def is_space_member(*, user, space: Space) -> bool:
    membership = membership_of(user=user, space=space)
    return membership is not None and membership.is_active


def is_space_admin(*, user, space: Space) -> bool:
    """Space admins, and the portal's administrators for every space."""
    if not _is_member(user):
        return False
    if user.role == Role.ADMIN:
        return True
    return SpaceMembership.objects.filter(
        space=space, user=user, status=MembershipStatus.ACTIVE, role=SpaceRole.ADMIN
    ).exists()


def can_moderate(*, user, space: Space | None) -> bool:
    """Portal moderators and admins everywhere; space admins inside their space."""
    if is_portal_staff(user):
        return True
    return space is not None and is_space_admin(user=user, space=space)


def can_contribute(*, user, space: Space) -> bool:
    """Write inside the space (threads, comments, documents): its active members, while the
    space is not archived."""
    return not space.is_archived and is_space_member(user=user, space=space)


def member_spaces(*, user) -> QuerySet[Space]:
    """The spaces `user` is an active member of (their dashboard), visible ones only."""
    if not _is_member(user):
        return Space.objects.none()
    return spaces_visible_to(user=user).filter(_belongs(user, (MembershipStatus.ACTIVE,)))
