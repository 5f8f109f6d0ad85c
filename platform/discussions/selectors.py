"""Which threads a person may see, and the lists of a space's discussions.

`threads_visible_to(user=)` is registered with core.visibility: threads in spaces the user may
see (spaces.selectors.spaces_visible_to, which also answers "nothing" while the spaces module
is off), never deleted ones, hidden ones only for who may moderate them (the portal's
moderators and administrators, and space admins in their spaces). Every page, feed, API answer
and notification about a thread starts from it; something invisible is the same 404 as
something missing.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from discussions.models import Thread


def threads_visible_to(*, user) -> QuerySet[Thread]:
    from spaces.models import MembershipStatus, SpaceMembership, SpaceRole
    from spaces.selectors import is_portal_staff, spaces_visible_to

    threads = Thread.objects.filter(
        space__in=spaces_visible_to(user=user).values("pk"), deleted_at__isnull=True
    ).select_related("space", "author")
    if is_portal_staff(user):
        return threads
    if user is None or not user.is_authenticated:
        return threads.filter(hidden_at__isnull=True)
    administered = SpaceMembership.objects.filter(
        user=user, role=SpaceRole.ADMIN, status=MembershipStatus.ACTIVE
    ).values("space_id")
    return threads.filter(Q(hidden_at__isnull=True) | Q(space__in=administered))


def _comment_counts(threads: QuerySet[Thread], user) -> QuerySet[Thread]:
    """Annotate `comment_count`: the comments shown under each thread (not deleted, not
    hidden), one subquery for the whole list."""
    from comments.models import Comment

    counted = (
        Comment.objects.filter(
            target_type=ContentType.objects.get_for_model(Thread),
            target_id=OuterRef("pk"),
            deleted_at__isnull=True,
            hidden_at__isnull=True,
        )
        .order_by()
        .values("target_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return threads.annotate(
        comment_count=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
    )


def threads_of_space(*, user, space) -> QuerySet[Thread]:
    """A space's discussions for its page and feed: pinned first, then by last activity."""
    threads = threads_visible_to(user=user).filter(space=space)
    return _comment_counts(threads, user).order_by(
        F("pinned_at").desc(nulls_last=True), "-last_activity_at", "-pk"
    )


def thread_for(*, user, space, pk: int) -> Thread:
    """The thread `pk` of `space`, if `user` may see it; Http404 otherwise (also when it
    belongs to another space)."""
    return get_object_or_404(threads_visible_to(user=user).filter(space=space), pk=pk)


def can_edit(*, user, thread: Thread) -> bool:
    """Its author while they may still write in the space, and the space's admins."""
    from spaces.selectors import can_contribute, is_space_admin

    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if thread.author_id == user.pk and can_contribute(user=user, space=thread.space):
        return True
    return is_space_admin(user=user, space=thread.space)


def can_moderate(*, user, thread: Thread) -> bool:
    from spaces.selectors import can_moderate as can_moderate_space

    return can_moderate_space(user=user, space=thread.space)


def can_delete(*, user, thread: Thread) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return thread.author_id == user.pk or can_moderate(user=user, thread=thread)


def can_start(*, user, space) -> bool:
    from spaces.selectors import can_contribute

    return bool(user is not None and user.is_authenticated and user.is_active) and can_contribute(
        user=user, space=space
    )
