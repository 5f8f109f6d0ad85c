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


def may_see_members(*, user, space: Space) -> bool:
    """Who is in a space is shown to its members and to those who answer for it (its admins,
    the portal's moderators and admins); others see how many they are."""
    return is_portal_staff(user) or is_space_member(user=user, space=space)


def spaces_for_listing(
    *, user, kind: str = "", topic_id: int | None = None, mine: bool = False
) -> tuple[QuerySet[Space], QuerySet[Space]]:
    """The spaces list: (current, archived), filtered, each space with `member_count` and its
    topics, in a fixed number of queries whatever the number of spaces."""
    from django.db.models import Count

    from spaces.models import SpaceKind

    spaces = spaces_listed_for(user=user)
    if kind in SpaceKind.values:
        spaces = spaces.filter(kind=kind)
    if topic_id:
        spaces = spaces.filter(topics__pk=topic_id)
    if mine:
        spaces = spaces.filter(
            _belongs(user, (MembershipStatus.ACTIVE,)) if _is_member(user) else Q(pk__in=[])
        )
    spaces = (
        spaces.annotate(
            member_count=Count(
                "memberships",
                filter=Q(memberships__status=MembershipStatus.ACTIVE),
                distinct=True,
            )
        )
        .prefetch_related("topics")
        .distinct()
    )
    return spaces.filter(archived_at__isnull=True), spaces.filter(archived_at__isnull=False)


def active_member_count(*, space: Space) -> int:
    return space.memberships.filter(status=MembershipStatus.ACTIVE).count()


def members_of(*, space: Space) -> QuerySet[SpaceMembership]:
    """Active members, admins first, with their accounts (one query)."""
    return (
        space.memberships.filter(status=MembershipStatus.ACTIVE)
        .select_related("user")
        .order_by("role", "user__display_name", "user__pk")  # "admin" < "member"
    )


def pending_of(*, space: Space, status: str) -> QuerySet[SpaceMembership]:
    """Open requests or invitations of a space, oldest first (for its admins)."""
    return (
        space.memberships.filter(status=status)
        .select_related("user", "invited_by")
        .order_by("created_at", "pk")
    )


def membership_in(*, space: Space, pk: int) -> SpaceMembership:
    """A membership row of `space` by id; Http404 for any other."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(space.memberships.select_related("user", "space"), pk=pk)


def member_in(*, space: Space, user_pk: int) -> SpaceMembership:
    """The active membership of member `user_pk` in `space`; Http404 otherwise."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        space.memberships.select_related("user"), user__pk=user_pk, status=MembershipStatus.ACTIVE
    )


def portal_member_lookup(*, query: str):
    """The active member of this portal named by `query`: an e-mail address, or a display name
    only one member has. ValidationError (field "invitee") otherwise."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from accounts.models import MemberStatus, User

    query = (query or "").strip()
    if not query:
        raise ValidationError({"invitee": _("Enter a member's e-mail address or name.")})
    members = User.objects.filter(is_active=True, status=MemberStatus.ACTIVE)
    found = list(members.filter(email__iexact=query)[:2]) or list(
        members.filter(display_name__iexact=query)[:2]
    )
    if not found:
        raise ValidationError({"invitee": _("No member of this portal has that address or name.")})
    if len(found) > 1:
        raise ValidationError(
            {"invitee": _("Several members have this name; enter the e-mail address instead.")}
        )
    return found[0]


def invitable_names(*, space: Space, limit: int = 300) -> list[str]:
    """Display names to pick from when inviting: active members not yet in the space."""
    from accounts.models import MemberStatus, User

    return list(
        User.objects.filter(is_active=True, status=MemberStatus.ACTIVE)
        .exclude(space_memberships__space=space)
        .exclude(display_name="")
        .order_by("display_name")
        .values_list("display_name", flat=True)
        .distinct()[:limit]
    )


def suggested_spaces(*, user, limit: int = 6) -> QuerySet[Space]:
    """Listed spaces that share topics with the member's profile and that they are not in,
    ranked by how many topics they share."""
    from django.db.models import Count

    if not _is_member(user):
        return Space.objects.none()
    from accounts.models import Topic

    mine = Topic.objects.filter(profiles__user=user)
    return (
        spaces_listed_for(user=user)
        .filter(archived_at__isnull=True)
        .exclude(memberships__user=user)
        .annotate(shared=Count("topics", filter=Q(topics__in=mine), distinct=True))
        .filter(shared__gt=0)
        .prefetch_related("topics")
        .order_by("-shared", "name", "pk")[:limit]
    )


def memberships_visible_to(*, user) -> QuerySet[SpaceMembership]:
    """The caller's own memberships, requests and invitations, in spaces they may see (API)."""
    if not _is_member(user):
        return SpaceMembership.objects.none()
    return (
        SpaceMembership.objects.filter(user=user, space__in=spaces_visible_to(user=user))
        .select_related("space")
        .order_by("space__name", "pk")
    )


def latest_notifications(*, user, limit: int = 20):
    """The member's newest notifications (their dashboard's activity)."""
    from notifications.models import Notification

    if not _is_member(user):
        return Notification.objects.none()
    return (
        Notification.objects.filter(recipient=user)
        .select_related("actor")
        .order_by("-created_at", "-pk")[:limit]
    )


def topics():
    from accounts.models import Topic

    return Topic.objects.all()
