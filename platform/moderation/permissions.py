"""Who may moderate what; the guard of the MODERATOR routes (core.access.Access.MODERATOR).

Portal moderators and administrators moderate everything; a space admin moderates the content
of the spaces they administer and nothing else. `moderator_required` sends visitors to log in
and answers 403 to every other member, so the queue and its actions cannot be reached by
someone who moderates nothing.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet

from spaces.models import MembershipStatus, Space, SpaceMembership, SpaceRole
from spaces.selectors import can_moderate, is_portal_staff, spaces_visible_to


def administered_spaces(*, user) -> QuerySet[Space]:
    """The visible spaces `user` is an active space admin of (every space for portal staff)."""
    if not (user is not None and user.is_authenticated and user.is_active):
        return Space.objects.none()
    spaces = spaces_visible_to(user=user)
    if is_portal_staff(user):
        return spaces
    return spaces.filter(
        Exists(
            SpaceMembership.objects.filter(
                space=OuterRef("pk"),
                user=user,
                status=MembershipStatus.ACTIVE,
                role=SpaceRole.ADMIN,
            )
        )
    )


def moderates_anything(user) -> bool:
    return is_portal_staff(user) or administered_spaces(user=user).exists()


def may_moderate(*, user, space: Space | None) -> bool:
    """The content of `space` (None: portal-wide content such as news posts)."""
    return can_moderate(user=user, space=space)


def may_block(user) -> bool:
    """Blocking locks someone out of the whole portal: portal staff only, never space admins."""
    return is_portal_staff(user)


def moderator_required(view):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not moderates_anything(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded
